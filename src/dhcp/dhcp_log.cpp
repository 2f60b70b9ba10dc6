#include "dhcp/dhcp_log.hpp"

#include <cstdio>

#include "config/values.hpp"
#include "dhcp/classify.hpp"
#include "dhcp/option_defs.hpp"

namespace pxemasq::dhcp {
namespace {

constexpr std::size_t kRequestedOptionsWidth = 40;
constexpr std::size_t kHexShown = 14;

std::string_view option_name(std::uint8_t code) {
  const OptionDef* def = find_option_by_code(OptionFamily::dhcp4, code);
  return def != nullptr ? def->name : std::string_view();
}

std::uint64_t big_endian(std::span<const std::uint8_t> data) {
  std::uint64_t value = 0;
  for (const std::uint8_t b : data.first(std::min<std::size_t>(data.size(), 8))) value = (value << 8) | b;
  return value;
}

std::string addresses(std::span<const std::uint8_t> data) {
  std::string out;
  for (std::size_t i = 0; i + 4 <= data.size(); i += 4) {
    if (!out.empty()) out += ", ";
    out += std::to_string(data[i]) + "." + std::to_string(data[i + 1]) + "." +
           std::to_string(data[i + 2]) + "." + std::to_string(data[i + 3]);
  }
  return out;
}

std::string render_value(const Option& option) {
  const OptionDef* def = find_option_by_code(OptionFamily::dhcp4, option.code);
  const std::span<const std::uint8_t> data = option.data;
  if (def != nullptr) {
    switch (def->type) {
      case ValueType::address_list: return addresses(data);
      case ValueType::text: return printable(data);
      case ValueType::time:
        return config::pretty_duration(static_cast<std::uint32_t>(big_endian(data)));
      case ValueType::integer:
        if (def->decimal) return std::to_string(big_endian(data));
        break;
      default: break;
    }
  }
  std::string out = colon_hex(data.first(std::min(data.size(), kHexShown)));
  if (data.empty()) out.clear();
  if (data.size() > kHexShown) out += "...";
  return out;
}

std::string field_text(std::span<const std::uint8_t> field) {
  std::string out;
  for (const std::uint8_t b : field) {
    if (b == 0) break;
    out += static_cast<char>(b);
  }
  return out;
}

}  // namespace

std::string DhcpLog::prefix() const {
  return config_.log_dhcp ? std::to_string(request_.xid) + " " : std::string();
}

void DhcpLog::packet(std::string_view type, std::optional<Ipv4> address, std::string_view text,
                     bool always_address) {
  // quiet-dhcp hides the routine lines (no error text), unless log-dhcp asks for everything.
  const bool routine = text.empty() || type == "DHCPACK";
  if (config_.quiet_dhcp && !config_.log_dhcp && routine) return;
  std::string line = prefix();
  line += type;
  line += "(" + arrival_.interface + ") ";
  if (address && (address->value != 0 || always_address)) line += address->to_string() + " ";
  line += colon_hex(unique_id_);
  line += " ";
  line += text;
  lines_.push_back({LogLine::Level::info, std::move(line)});
}

void DhcpLog::warning(std::string text) { lines_.push_back({LogLine::Level::warning, std::move(text)}); }

void DhcpLog::error(std::string text) { lines_.push_back({LogLine::Level::error, std::move(text)}); }

void DhcpLog::extra(std::string text) {
  if (!config_.log_dhcp) return;
  lines_.push_back({LogLine::Level::info, prefix() + text});
}

void DhcpLog::available_ranges(std::span<const Candidate> candidates) {
  for (const Candidate& c : candidates) {
    if (c.range->mode == config::RangeMode::dynamic) {
      extra("available DHCP range: " + c.range->start.to_string() + " -- " + c.range->end.to_string());
    } else {
      extra("available DHCP subnet: " + c.range->start.to_string() + "/" + c.netmask.to_string());
    }
  }
}

void DhcpLog::client_classes() {
  if (const Option* vendor = request_.find(60)) extra("vendor class: " + printable(vendor->data));
  if (const Option* user = request_.find(77)) extra("user class: " + printable(user->data));
}

void DhcpLog::client_name(std::string_view name) { extra("client provides name: " + std::string(name)); }

void DhcpLog::tags(const TagSet& tags) {
  std::string text;
  for (const std::string& tag : tags.newest_first()) {
    if (!text.empty()) text += ", ";
    text += tag;
  }
  extra("tags: " + text);
}

void DhcpLog::reply_details(const Packet& request, const Reply& reply, const EncodedReply& encoded,
                            bool with_requested_options) {
  if (!config_.log_dhcp) {
    for (const std::uint8_t code : encoded.dropped) {
      warning("cannot send DHCP/BOOTP option " + std::to_string(code) + ": no space left in packet");
    }
    return;
  }
  if (const Option* prl = request.find(55); prl != nullptr && with_requested_options) {
    for (const std::string& line : requested_option_lines(prl->data)) extra(line);
  }
  for (const std::uint8_t code : encoded.dropped) {
    warning("cannot send DHCP/BOOTP option " + std::to_string(code) + ": no space left in packet");
  }
  // dnsmasq lists the options it put in `file`, then `sname`, before the header lines, and the
  // options area's last.
  const auto sent_in = [&](OptionArea area) {
    for (std::size_t i = 0; i < encoded.sent.size(); ++i) {
      const OptionArea where = i < encoded.sent_areas.size() ? encoded.sent_areas[i] : OptionArea::options;
      if (where == area) extra(sent_option_line(encoded.sent[i]));
    }
  };
  sent_in(OptionArea::file);
  sent_in(OptionArea::sname);
  const std::span<const std::uint8_t> bytes = encoded.bytes;
  if (bytes.size() >= kBootpHeaderSize) {
    if (!encoded.file_overloaded) {
      if (const std::string file = field_text(bytes.subspan(108, 128)); !file.empty()) {
        extra("bootfile name: " + file);
      }
    }
    if (!encoded.sname_overloaded) {
      if (const std::string sname = field_text(bytes.subspan(44, 64)); !sname.empty()) {
        extra("server name: " + sname);
      }
    }
  }
  if (reply.siaddr.value != 0) extra("next server: " + reply.siaddr.to_string());
  if ((reply.flags & kBroadcastFlag) != 0 && reply.ciaddr.value == 0) extra("broadcast response");
  sent_in(OptionArea::options);
}

std::vector<std::string> requested_option_lines(std::span<const std::uint8_t> prl) {
  std::vector<std::string> lines;
  std::string text;
  for (std::size_t i = 0; i < prl.size(); ++i) {
    text += std::to_string(prl[i]);
    if (const std::string_view name = option_name(prl[i]); !name.empty()) {
      text += ":";
      text += name;
    }
    if (i + 1 < prl.size()) text += ", ";
    if (text.size() > kRequestedOptionsWidth || i + 1 == prl.size()) {
      lines.push_back("requested options: " + text);
      text.clear();
    }
  }
  return lines;
}

std::string sent_option_line(const Option& option) {
  char head[40];
  std::snprintf(head, sizeof head, "sent size:%3zu option:%3u ", option.data.size(),
                static_cast<unsigned>(option.code));
  return std::string(head) + std::string(option_name(option.code)) + "  " + render_value(option);
}

}  // namespace pxemasq::dhcp
