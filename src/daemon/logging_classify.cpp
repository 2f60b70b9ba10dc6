#include "daemon/logging_classify.hpp"

#include <array>
#include <cctype>
#include <string>
#include <utility>

#include "daemon/logging.hpp"

namespace pxemasq::daemon {
namespace {

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (std::isdigit(static_cast<unsigned char>(c)) == 0) return false;
  }
  return true;
}

// Dotted quad as the services print addresses: four decimal parts 0..255.
bool is_ipv4(std::string_view text) {
  int parts = 0;
  while (parts < 4) {
    const std::size_t dot = text.find('.');
    const std::string_view part = text.substr(0, dot);
    if (!all_digits(part) || part.size() > 3 || std::stoi(std::string(part)) > 255) return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    text.remove_prefix(dot + 1);
  }
  return parts == 4 && text.find('.') == std::string_view::npos;
}

// The first space-separated word of TEXT.
std::string_view first_word(std::string_view text) {
  return text.substr(0, text.find(' '));
}

LogFields dhcp_fields(std::string_view message) {
  LogFields fields{LogEvent::dhcp_other, "", "", "", ""};
  constexpr std::string_view kNoRange = "no address range available for DHCP request via ";
  if (starts_with(message, kNoRange)) {
    fields.event = LogEvent::dhcp_no_address;
    const std::string_view via = first_word(message.substr(kNoRange.size()));
    if (is_ipv4(via)) {
      fields.ip = std::string(via);  // a relay's giaddr
    } else {
      fields.iface = std::string(via);
    }
    return fields;
  }
  // [XID ]TYPE(IFACE) [ADDR ]UID[ TEXT] (spec §7.2).
  std::string_view rest = message;
  if (const std::string_view xid = first_word(rest); all_digits(xid) && xid.size() < rest.size()) {
    rest.remove_prefix(xid.size() + 1);
  }
  const std::size_t open = rest.find('(');
  const std::size_t close = rest.find(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return fields;
  }
  static constexpr std::array<std::pair<std::string_view, LogEvent>, 11> kTypes{{
      {"DHCPDISCOVER", LogEvent::dhcp_other},
      {"DHCPOFFER", LogEvent::dhcp_offer},
      {"DHCPREQUEST", LogEvent::dhcp_other},
      {"DHCPACK", LogEvent::dhcp_ack},
      {"DHCPNAK", LogEvent::dhcp_nak},
      {"DHCPDECLINE", LogEvent::dhcp_decline},
      {"DHCPRELEASE", LogEvent::dhcp_release},
      {"DHCPINFORM", LogEvent::dhcp_inform},
      {"NOANSWER", LogEvent::dhcp_other},
      {"BOOTP", LogEvent::dhcp_other},
      {"PXE", LogEvent::dhcp_other},
  }};
  const std::string_view type = rest.substr(0, open);
  bool known = false;
  for (const auto& [name, event] : kTypes) {
    if (name == type) {
      fields.event = event;
      known = true;
    }
  }
  if (!known || rest.size() <= close + 1 || rest[close + 1] != ' ') return fields;
  fields.iface = std::string(rest.substr(open + 1, close - open - 1));
  rest.remove_prefix(close + 2);
  if (const std::string_view address = first_word(rest); is_ipv4(address)) {
    fields.ip = std::string(address);
    rest.remove_prefix(std::min(rest.size(), address.size() + 1));
  }
  const std::string_view uid = first_word(rest);
  if (!uid.empty() && uid != "<null>") fields.mac = std::string(uid);
  const std::string_view text = rest.substr(std::min(rest.size(), uid.size() + 1));
  // DHCPDISCOVER / BOOTP without an address for the client (spec §7.2 TEXT column).
  if (text == "no address available" || text == "no leases left" ||
      text == "no address configured") {
    fields.event = LogEvent::dhcp_no_address;
  }
  return fields;
}

// "PREFIX PATH MIDDLE IP[ …]": the path between the prefix and the last MIDDLE, the IP after it.
bool split_path_ip(std::string_view message, std::string_view prefix, std::string_view middle,
                   LogFields& fields) {
  if (!starts_with(message, prefix)) return false;
  const std::size_t at = message.rfind(middle);
  if (at == std::string_view::npos || at < prefix.size()) return false;
  fields.file = std::string(message.substr(prefix.size(), at - prefix.size()));
  const std::string_view ip = first_word(message.substr(at + middle.size()));
  if (is_ipv4(ip)) fields.ip = std::string(ip);
  return true;
}

LogFields tftp_fields(std::string_view message) {
  LogFields fields{LogEvent::tftp_other, "", "", "", ""};
  if (split_path_ip(message, "sent ", " to ", fields)) {
    fields.event = LogEvent::tftp_sent;
  } else if (split_path_ip(message, "failed sending ", " to ", fields)) {
    fields.event = LogEvent::tftp_failed;
  } else if (split_path_ip(message, "file ", " not found for ", fields)) {
    fields.event = LogEvent::tftp_not_found;
  } else if (split_path_ip(message, "maximum simultaneous TFTP transfers ", " from ", fields)) {
    fields.event = LogEvent::tftp_refused;
    const std::size_t refused = fields.file.find("refused ");
    fields.file = refused == std::string::npos ? std::string() : fields.file.substr(refused + 8);
  } else if (starts_with(message, "error ") &&
             message.rfind(" received from ") != std::string_view::npos) {
    fields.event = LogEvent::tftp_error_received;
    const std::string_view ip = first_word(message.substr(
        message.rfind(" received from ") + std::string_view(" received from ").size()));
    if (is_ipv4(ip)) fields.ip = std::string(ip);
  } else if (starts_with(message, "cannot access ") &&
             message.rfind(": Permission denied") != std::string_view::npos) {
    fields.event = LogEvent::tftp_refused;
    constexpr std::size_t kPrefix = std::string_view("cannot access ").size();
    fields.file =
        std::string(message.substr(kPrefix, message.rfind(": Permission denied") - kPrefix));
  } else if (starts_with(message, "unsupported request from ")) {
    fields.event = LogEvent::tftp_refused;
    const std::string_view ip =
        first_word(message.substr(std::string_view("unsupported request from ").size()));
    if (is_ipv4(ip)) fields.ip = std::string(ip);
  }
  return fields;
}

}  // namespace

LogFields classify_log_line(std::string_view tag, std::string_view message) {
  if (tag == kDhcpLoggerName) return dhcp_fields(message);
  if (tag == kTftpLoggerName) return tftp_fields(message);
  LogFields fields;
  if (tag == kMainLoggerName) {
    if (starts_with(message, "started, version ")) fields.event = LogEvent::started;
    if (message == "FAILED to start up") fields.event = LogEvent::startup_failed;
    if (starts_with(message, "exiting on receipt of ")) fields.event = LogEvent::exiting;
  }
  return fields;
}

LogFields complete_log_fields(const LogFields& given, std::string_view tag,
                              std::string_view message) {
  LogFields fields = classify_log_line(tag, message);
  if (given.event != LogEvent::generic) fields.event = given.event;
  if (!given.mac.empty()) fields.mac = given.mac;
  if (!given.ip.empty()) fields.ip = given.ip;
  if (!given.iface.empty()) fields.iface = given.iface;
  if (!given.file.empty()) fields.file = given.file;
  return fields;
}

}  // namespace pxemasq::daemon
