#include "daemon/explain.hpp"

#include <algorithm>
#include <cctype>
#include <array>
#include <cstdio>
#include <set>

#include "dhcp/option_defs.hpp"

namespace pxemasq::daemon {
namespace {

using config::Ipv4;

constexpr std::uint32_t kExplainXid = 0x50584d51;  // "PXMQ"

// The request lists real firmware sends (../shared/spec/pxe-lab.md): OVMF's, iPXE's, a plain
// Linux client's.
const std::vector<std::uint8_t>& firmware_prl() {
  static const std::vector<std::uint8_t> prl = [] {
    std::vector<std::uint8_t> codes{1, 2, 3, 4, 5, 6, 12, 13, 15, 17, 18, 22, 23, 28, 40, 41, 42, 43,
                                    50, 51, 54, 58, 59, 60, 66, 67, 97};
    for (std::uint8_t code = 128; code <= 135; ++code) codes.push_back(code);
    return codes;
  }();
  return prl;
}
const std::vector<std::uint8_t>& ipxe_prl() {
  static const std::vector<std::uint8_t> prl = [] {
    std::vector<std::uint8_t> codes{1, 3, 6, 7, 12, 15, 17, 26, 43, 60, 66, 67, 119};
    for (std::uint8_t code = 128; code <= 135; ++code) codes.push_back(code);
    codes.push_back(175);
    codes.push_back(203);
    return codes;
  }();
  return prl;
}
const std::vector<std::uint8_t>& plain_prl() {
  static const std::vector<std::uint8_t> prl{1, 3, 6, 12, 15, 28, 42};
  return prl;
}

// RFC 4578 / IANA processor architecture types: 15-20 boot over HTTP; 6, 7 and 9-19 are UEFI.
bool is_http_arch(std::uint16_t arch) { return arch >= 15 && arch <= 20; }

bool is_uefi_arch(std::uint16_t arch) { return arch == 6 || arch == 7 || (arch >= 9 && arch <= 19); }

std::string arch_name(std::uint16_t arch) {
  switch (arch) {
    case 0: return "BIOS x86";
    case 6: return "UEFI x86 (32-bit)";
    case 7: return "UEFI x64";
    case 9: return "UEFI x64 (EBC code)";
    case 10: return "UEFI ARM 32";
    case 11: return "UEFI ARM 64";
    case 16: return "UEFI x64 HTTP boot";
    default: return "architecture " + std::to_string(arch);
  }
}

std::optional<std::vector<std::uint8_t>> parse_mac(const std::string& text) {
  std::vector<std::uint8_t> mac;
  std::size_t i = 0;
  while (i < text.size()) {
    if (i + 2 > text.size() || !std::isxdigit(static_cast<unsigned char>(text[i])) ||
        !std::isxdigit(static_cast<unsigned char>(text[i + 1]))) {
      return std::nullopt;
    }
    mac.push_back(static_cast<std::uint8_t>(std::stoul(text.substr(i, 2), nullptr, 16)));
    i += 2;
    if (i == text.size()) break;
    if (text[i] != ':' && text[i] != '-') return std::nullopt;
    ++i;
    if (i == text.size()) return std::nullopt;
  }
  if (mac.size() != 6) return std::nullopt;
  return mac;
}

std::vector<std::string> split_fields(const std::string& text) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  // At most four fields: a vendor or user class may itself contain commas only in the last.
  while (fields.size() < 3) {
    const auto comma = text.find(',', start);
    if (comma == std::string::npos) break;
    fields.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  fields.push_back(text.substr(start));
  return fields;
}

std::vector<std::uint8_t> bytes_of(const std::string& text) { return {text.begin(), text.end()}; }

std::string header_text(const std::vector<std::uint8_t>& bytes, std::size_t offset, std::size_t length) {
  std::string text;
  for (std::size_t i = offset; i < offset + length && i < bytes.size() && bytes[i] != 0; ++i) {
    text.push_back(static_cast<char>(bytes[i]));
  }
  return text;
}

Ipv4 header_address(const std::vector<std::uint8_t>& bytes, std::size_t offset) {
  if (bytes.size() < offset + 4) return {};
  return Ipv4{(std::uint32_t{bytes[offset]} << 24U) | (std::uint32_t{bytes[offset + 1]} << 16U) |
              (std::uint32_t{bytes[offset + 2]} << 8U) | std::uint32_t{bytes[offset + 3]}};
}

// Walks one option area; stops at 255 or at an overrun. Returns option 52's value if seen.
std::uint8_t read_area(const std::vector<std::uint8_t>& bytes, std::size_t begin, std::size_t end,
                       std::vector<dhcp::Option>& options) {
  std::uint8_t overload = 0;
  std::size_t i = begin;
  while (i < end && i < bytes.size()) {
    const std::uint8_t code = bytes[i];
    if (code == 0) {
      ++i;
      continue;
    }
    if (code == 255 || i + 1 >= end) break;
    const std::size_t length = bytes[i + 1];
    if (i + 2 + length > end) break;
    std::vector<std::uint8_t> data(bytes.begin() + static_cast<std::ptrdiff_t>(i + 2),
                                   bytes.begin() + static_cast<std::ptrdiff_t>(i + 2 + length));
    if (code == 52 && length == 1) overload = data[0];
    // RFC 3396: consecutive parts of one long option are joined.
    if (!options.empty() && options.back().code == code && code != 52) {
      options.back().data.insert(options.back().data.end(), data.begin(), data.end());
    } else {
      options.push_back({code, std::move(data)});
    }
    i += 2 + length;
  }
  return overload;
}

std::string strip_xid(const std::string& line) {
  const std::string prefix = std::to_string(kExplainXid) + ' ';
  return line.starts_with(prefix) ? line.substr(prefix.size()) : line;
}

bool looks_bios(const std::string& file) {
  std::string lower;
  for (char c : file) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return lower.ends_with(".0") || lower.ends_with(".kpxe") || lower.ends_with(".pxe") ||
         lower.ends_with(".com") || lower.ends_with(".kkpxe");
}

bool looks_uefi(const std::string& file) {
  std::string lower;
  for (char c : file) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return lower.ends_with(".efi");
}

}  // namespace

std::variant<ExplainRequest, std::string> parse_explain_request(const std::string& text) {
  const std::vector<std::string> fields = split_fields(text);
  ExplainRequest request;
  auto mac = parse_mac(fields[0]);
  if (!mac) return "bad MAC address \"" + fields[0] + "\" (want six hex pairs, e.g. 52:54:00:12:34:56)";
  request.mac = *mac;
  if (fields.size() > 1 && !fields[1].empty()) {
    const std::string& arch = fields[1];
    if (arch.size() > 5 || arch.find_first_not_of("0123456789") != std::string::npos || std::stoul(arch) > 65535) {
      return "bad client architecture \"" + arch + "\" (want a number such as 0, 7 or 16)";
    }
    request.arch = static_cast<std::uint16_t>(std::stoul(arch));
  }
  if (fields.size() > 2 && !fields[2].empty()) request.vendor_class = fields[2];
  if (fields.size() > 3 && !fields[3].empty()) request.user_class = fields[3];
  return request;
}

std::string firmware_vendor_class(std::uint16_t arch) {
  std::array<char, 48> text{};
  const char* client = is_http_arch(arch) ? "HTTPClient" : "PXEClient";
  const char* undi = arch == 0 ? "002001" : "003000";
  std::snprintf(text.data(), text.size(), "%s:Arch:%05u:UNDI:%s", client, static_cast<unsigned>(arch), undi);
  return text.data();
}

dhcp::Packet explain_discover(const ExplainRequest& request) {
  dhcp::Packet packet;
  packet.op = 1;
  packet.htype = 1;
  packet.hlen = 6;
  packet.xid = kExplainXid;
  std::copy(request.mac.begin(), request.mac.end(), packet.chaddr.begin());
  packet.has_cookie = true;
  const bool ipxe = request.user_class == std::string("iPXE");
  const auto& prl = ipxe ? ipxe_prl() : request.arch ? firmware_prl() : plain_prl();
  packet.options.push_back({53, {static_cast<std::uint8_t>(dhcp::MessageType::discover)}});
  packet.options.push_back({57, {0x05, 0xc0}});  // 1472, as OVMF and iPXE
  packet.options.push_back({55, prl});
  if (request.arch) {
    const std::uint16_t arch = *request.arch;
    packet.options.push_back({97, std::vector<std::uint8_t>(17, 0)});  // zero UUID, type 0
    packet.options.push_back({94, {1, static_cast<std::uint8_t>(arch == 0 ? 2 : 3), static_cast<std::uint8_t>(arch == 0 ? 1 : 0)}});
    packet.options.push_back({93, {static_cast<std::uint8_t>(arch >> 8U), static_cast<std::uint8_t>(arch & 0xFFU)}});
  }
  if (request.vendor_class || request.arch) {
    packet.options.push_back({60, bytes_of(request.vendor_class.value_or(firmware_vendor_class(request.arch.value_or(0))))});
  }
  if (request.user_class) packet.options.push_back({77, bytes_of(*request.user_class)});
  return packet;
}

std::optional<ExplainInterface> assumed_interface(const config::Config& config, const std::string& name) {
  for (const auto& range : config.ranges) {
    if (range.mode == config::RangeMode::proxy) continue;
    const std::uint32_t mask = range.netmask ? range.netmask->value : 0xFFFFFF00U;
    const std::uint32_t network = range.start.value & mask;
    const std::uint32_t broadcast = network | ~mask;
    for (std::uint32_t candidate = network + 1; candidate < broadcast; ++candidate) {
      const bool in_a_range = std::any_of(config.ranges.begin(), config.ranges.end(), [&](const auto& r) {
        return candidate >= r.start.value && candidate <= r.end.value;
      });
      if (in_a_range) continue;
      ExplainInterface interface;
      interface.name = name;
      interface.addresses.push_back({Ipv4{candidate}, Ipv4{mask}, Ipv4{broadcast}});
      interface.assumed = true;
      return interface;
    }
  }
  return std::nullopt;
}

std::string ExplainedReply::boot_file() const { return option67 ? *option67 : file; }

ExplainedReply explain(const config::Config& config, const ExplainInterface& interface,
                       const ExplainRequest& request, const dhcp::LeaseTable& leases, std::int64_t now) {
  auto verbose = std::make_shared<config::Config>(config);
  verbose->log_dhcp = true;
  verbose->quiet_dhcp = false;
  dhcp::Engine engine(verbose);
  dhcp::LeaseTable table = leases;
  dhcp::Arrival arrival;
  arrival.interface = interface.name;
  arrival.ifindex = 1;
  arrival.addresses = interface.addresses;
  arrival.source = Ipv4{0};
  arrival.to_broadcast = true;
  const dhcp::Packet discover = explain_discover(request);
  dhcp::Outcome outcome = engine.handle(discover, arrival, table, now);
  // As the daemon: a conflict probe that nobody answers, then the same request again.
  for (int i = 0; outcome.probe && i < 8; ++i) {
    engine.probe_result(*outcome.probe, false, now);
    outcome = engine.handle(discover, arrival, table, now);
  }
  ExplainedReply reply;
  for (const auto& line : outcome.log) reply.log.push_back(strip_xid(line.text));
  const auto& bytes = outcome.datagram;
  if (bytes.size() < dhcp::kBootpHeaderSize) return reply;
  reply.answered = true;
  reply.yiaddr = header_address(bytes, 16);
  reply.siaddr = header_address(bytes, 20);
  const std::uint8_t overload = bytes.size() > dhcp::kBootpHeaderSize + 4
                                    ? read_area(bytes, dhcp::kBootpHeaderSize + 4, bytes.size(), reply.options)
                                    : 0;
  if ((overload & 1U) != 0) {
    (void)read_area(bytes, 108, 236, reply.options);
  } else {
    reply.file = header_text(bytes, 108, 128);
  }
  if ((overload & 2U) != 0) {
    (void)read_area(bytes, 44, 108, reply.options);
  } else {
    reply.sname = header_text(bytes, 44, 64);
  }
  for (const auto& option : reply.options) {
    if (option.code != 67) continue;
    std::string name(option.data.begin(), option.data.end());
    while (!name.empty() && name.back() == '\0') name.pop_back();
    reply.option67 = name;
  }
  return reply;
}

std::string format_explanation(const ExplainRequest& request, const ExplainInterface& interface,
                               const ExplainedReply& reply) {
  std::string out;
  const auto line = [&out](const std::string& text) { out += text + '\n'; };
  std::string mac;
  for (std::size_t i = 0; i < request.mac.size(); ++i) {
    std::array<char, 4> hex{};
    std::snprintf(hex.data(), hex.size(), "%02x", request.mac[i]);
    mac += (i != 0 ? ":" : "") + std::string(hex.data());
  }
  const dhcp::Packet discover = explain_discover(request);
  line("client:     " + mac + (request.arch ? ", client-arch " + std::to_string(*request.arch) + " (" +
                                                    arch_name(*request.arch) + ")"
                                              : std::string(", no client-arch (not a PXE client)")));
  if (const auto* vendor = discover.find(60)) line("vendor:     " + std::string(vendor->data.begin(), vendor->data.end()));
  if (request.user_class) line("user class: " + *request.user_class);
  std::string addresses;
  for (const auto& a : interface.addresses) addresses += (addresses.empty() ? "" : ", ") + a.address.to_string();
  line("interface:  " + interface.name + " (" + addresses + (interface.assumed ? ", assumed: not on this host)" : ")"));
  for (const auto& text : reply.log) {
    if (text.starts_with("tags: ")) line("tags:       " + text.substr(6));
    if (text.starts_with("available DHCP range: ")) line("range:      " + text.substr(22));
  }
  if (!reply.answered) {
    line("answer:     none; pxemasq would not reply (see the log lines)");
  } else {
    line("offer:      " + reply.yiaddr.to_string());
    line("next server (siaddr): " + reply.siaddr.to_string());
    line("boot file:  " + (reply.boot_file().empty() ? std::string("(none)") : reply.boot_file()) +
         (reply.option67 ? "   (option 67" + std::string(reply.file.empty() ? "" : "; file field: " + reply.file) + ")"
                         : reply.file.empty() ? "" : "   (file field)"));
    if (!reply.sname.empty()) line("server name (sname): " + reply.sname);
    line("header:     yiaddr " + reply.yiaddr.to_string() + ", siaddr " + reply.siaddr.to_string() + ", file \"" +
         reply.file + "\", sname \"" + reply.sname + "\"");
    line("options, in packet order:");
    for (const auto& option : reply.options) {
      const auto* def = dhcp::find_option_by_code(dhcp::OptionFamily::dhcp4, option.code);
      const std::string_view name = def != nullptr ? def->name : std::string_view();
      std::string hex;
      for (std::uint8_t b : option.data) {
        std::array<char, 4> h{};
        std::snprintf(h.data(), h.size(), "%02x", b);
        hex += h.data();
      }
      line("  " + std::to_string(option.code) + (name.empty() ? "" : " " + std::string(name)) + " (" +
           std::to_string(option.data.size()) + " bytes) " + hex);
    }
  }
  line("log-dhcp lines the daemon would write:");
  for (const auto& text : reply.log) line("  " + text);
  return out;
}

std::vector<std::string> architecture_mismatches(const config::Config& config, const ExplainInterface& interface,
                                                 std::int64_t now) {
  static constexpr std::array<std::uint16_t, 7> kArchitectures{0, 6, 7, 9, 10, 11, 16};
  // One warning per wrong boot file, naming every architecture (and iPXE variant) that gets it.
  std::vector<std::pair<std::string, std::vector<std::string>>> wrong_files;
  const dhcp::LeaseTable no_leases(config.lease_max);
  for (const bool ipxe : {false, true}) {
    for (const std::uint16_t arch : kArchitectures) {
      ExplainRequest request;
      request.mac = {0x02, 0x00, 0x5e, 0x00, 0x00, static_cast<std::uint8_t>(arch)};
      request.arch = arch;
      if (ipxe) request.user_class = "iPXE";
      const ExplainedReply reply = explain(config, interface, request, no_leases, now);
      const std::string file = reply.boot_file();
      if (!reply.answered || file.empty()) continue;
      if (!(is_uefi_arch(arch) ? looks_bios(file) : looks_uefi(file))) continue;
      const std::string key = std::string(is_uefi_arch(arch) ? "BIOS" : "UEFI") + " boot file " + file;
      auto it = std::find_if(wrong_files.begin(), wrong_files.end(), [&](const auto& e) { return e.first == key; });
      if (it == wrong_files.end()) it = wrong_files.insert(wrong_files.end(), {key, {}});
      it->second.push_back(std::to_string(arch) + (ipxe ? "+iPXE" : ""));
    }
  }
  std::vector<std::string> found;
  for (const auto& [key, archs] : wrong_files) {
    std::string list;
    for (const auto& arch : archs) list += (list.empty() ? "" : ", ") + arch;
    found.push_back("clients of client-arch " + list + " would get the " + key +
                    " (UEFI is 6, 7, 9-11 and 16, BIOS is 0); `pxemasq --explain MAC," + archs.front().substr(0, archs.front().find('+')) +
                    "` shows which tags decided it");
  }
  return found;
}

}  // namespace pxemasq::daemon
