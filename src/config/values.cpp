#include "config/values.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <climits>

#include "config/quoting.hpp"

namespace pxemasq::config {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex_digit(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

}  // namespace

std::vector<std::string_view> split_list(std::string_view value) {
  std::vector<std::string_view> items;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = value.find(',', start);
    std::string_view item = value.substr(start, comma == std::string_view::npos ? value.npos
                                                                                : comma - start);
    // Spaces next to a comma are removed; the lexer already trimmed both line ends.
    if (start != 0) {
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    }
    if (comma != std::string_view::npos) {
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    }
    items.push_back(item);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return items;
}

HeadAndRest split_first(std::string_view value) {
  const std::size_t comma = value.find(',');
  if (comma == std::string_view::npos) return {value, std::nullopt};
  std::string_view head = value.substr(0, comma);
  std::string_view rest = value.substr(comma + 1);
  while (!head.empty() && head.back() == ' ') head.remove_suffix(1);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  return {head, rest};
}

std::optional<std::uint32_t> parse_number(std::string_view hidden_text) {
  // atoi_check looks through quoting: `port="0"` is 0 [verified].
  const std::string text = unhide(hidden_text);
  if (!std::all_of(text.begin(), text.end(), is_digit)) return std::nullopt;
  // dnsmasq only checks the characters and then calls atoi(); we saturate instead of wrapping.
  std::uint64_t value = 0;
  for (char c : text) {
    value = std::min<std::uint64_t>(value * 10 + static_cast<std::uint64_t>(c - '0'), INT_MAX);
  }
  return static_cast<std::uint32_t>(value);
}

std::optional<std::uint16_t> parse_number16(std::string_view text) {
  const auto value = parse_number(text);
  if (!value || *value > 0xFFFF) return std::nullopt;
  return static_cast<std::uint16_t>(*value);
}

std::optional<std::uint32_t> parse_duration(std::string_view text) {
  std::uint32_t multiplier = 1;
  if (!text.empty()) {
    switch (std::tolower(static_cast<unsigned char>(text.back()))) {
      case 's': multiplier = 1; text.remove_suffix(1); break;
      case 'm': multiplier = 60; text.remove_suffix(1); break;
      case 'h': multiplier = 3600; text.remove_suffix(1); break;
      case 'd': multiplier = 86400; text.remove_suffix(1); break;
      case 'w': multiplier = 604800; text.remove_suffix(1); break;
      default: break;
    }
  }
  const auto number = parse_number(text);
  if (!number) return std::nullopt;
  const std::uint64_t seconds = std::uint64_t{*number} * multiplier;
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(seconds, 0xFFFFFFFEU));
}

std::optional<Ipv4> parse_ipv4(std::string_view text) {
  const std::string copy(text);
  in_addr address{};
  if (::inet_pton(AF_INET, copy.c_str(), &address) != 1) return std::nullopt;
  return Ipv4{ntohl(address.s_addr)};
}

std::optional<std::string_view> strip_tag_prefix(std::string_view item) {
  if (item.starts_with("tag:") || item.starts_with("net:")) return item.substr(4);
  return std::nullopt;
}

std::optional<std::string_view> strip_set_prefix(std::string_view item) {
  if (item.starts_with("set:")) return item.substr(4);
  return std::nullopt;
}

TagCondition parse_tag_condition(std::string_view name) {
  TagCondition condition;
  if (!name.empty() && (name.front() == '!' || name.front() == '#')) {
    condition.negated = true;
    name.remove_prefix(1);
  }
  condition.name = unhide(name);
  return condition;
}

namespace {

// One group of util.c:parse_hex, already known to hold only hex digits and `*`: `*` alone is a
// wildcard byte; otherwise byte pairs are taken from the left and an odd last digit is a byte of
// its own (`123` = 12 03 [verified with a live dnsmasq]). Stops at `max_bytes`.
bool append_hex_group(std::string_view group, bool allow_wildcard, std::size_t max_bytes,
                      HexBytes& out) {
  if (group == "*") {
    if (!allow_wildcard) return false;
    out.bytes.push_back(0);
    out.wildcard.push_back(true);
    return true;
  }
  if (group.find('*') != std::string_view::npos) return false;  // `1*`, `**`
  for (std::size_t pos = 0; pos < group.size(); pos += 2) {
    if (out.bytes.size() == max_bytes) {
      out.truncated = true;
      return true;
    }
    int value = hex_value(group[pos]);
    if (pos + 1 < group.size()) value = value * 16 + hex_value(group[pos + 1]);
    out.bytes.push_back(static_cast<std::uint8_t>(value));
    out.wildcard.push_back(false);
  }
  return true;
}

bool is_hex_separator(char c) { return c == ':' || c == '-' || c == ' '; }

// strtol(group, 16) as dnsmasq applies it to a `TT-` hardware type: leading hex digits only.
std::uint8_t hardware_type_value(std::string_view group) {
  unsigned value = 0;
  for (char c : group) {
    if (!is_hex_digit(c)) break;
    value = ((value << 4) | static_cast<unsigned>(hex_value(c))) & 0xFFFFU;
  }
  return static_cast<std::uint8_t>(value);  // ARP hardware types are one byte on the wire
}

// util.c:parse_hex. Empty groups are skipped (`01::02` = 01 02 [verified]); a group holding
// anything but hex digits and `*` fails the whole string; with `type` set, a first non-empty
// group ended by `-` before any byte is the ARP hardware type. Bytes beyond `max_bytes` are
// dropped without looking at them (dnsmasq accepts `...:16:zz` for a 16-byte MAC [verified]).
std::optional<HexBytes> parse_hex_groups(std::string_view text, bool allow_wildcard,
                                         std::size_t max_bytes,
                                         std::optional<std::uint8_t>* type) {
  HexBytes out;
  std::size_t start = 0;
  while (start <= text.size() && !out.truncated) {
    if (out.bytes.size() == max_bytes) {
      out.truncated = text.find_first_not_of(":- ", start) != std::string_view::npos;
      break;
    }
    std::size_t end = start;
    while (end < text.size() && !is_hex_separator(text[end])) {
      if (text[end] != '*' && !is_hex_digit(text[end])) return std::nullopt;
      ++end;
    }
    const std::string_view group = text.substr(start, end - start);
    if (!group.empty()) {
      if (type != nullptr && end < text.size() && text[end] == '-' && out.bytes.empty()) {
        *type = hardware_type_value(group);
        type = nullptr;
      } else if (!append_hex_group(group, allow_wildcard, max_bytes, out)) {
        return std::nullopt;
      }
    }
    start = end + 1;
  }
  return out;
}

}  // namespace

std::optional<HexBytes> parse_hex(std::string_view text, bool allow_wildcard,
                                  std::size_t max_bytes) {
  return parse_hex_groups(text, allow_wildcard, max_bytes, nullptr);
}

std::optional<HardwareAddress> parse_hardware_address(std::string_view text, bool* truncated) {
  HardwareAddress address;
  auto hex = parse_hex_groups(text, true, kMaxHardwareAddressBytes, &address.hardware_type);
  if (!hex) return std::nullopt;
  if (truncated != nullptr) *truncated = hex->truncated;
  address.bytes = std::move(hex->bytes);
  address.wildcard = std::move(hex->wildcard);
  return address;
}

std::string pretty_duration(std::uint32_t seconds) {
  if (seconds == kInfiniteLease) return "infinite";
  std::string out;
  const std::uint32_t days = seconds / 86400;
  const std::uint32_t hours = (seconds % 86400) / 3600;
  const std::uint32_t minutes = (seconds % 3600) / 60;
  const std::uint32_t rest = seconds % 60;
  if (days != 0) out += std::to_string(days) + "d";
  if (hours != 0) out += std::to_string(hours) + "h";
  if (minutes != 0) out += std::to_string(minutes) + "m";
  if (rest != 0) out += std::to_string(rest) + "s";
  return out;
}

std::string Ipv4::to_string() const {
  const auto b = bytes();
  return std::to_string(b[0]) + "." + std::to_string(b[1]) + "." + std::to_string(b[2]) + "." +
         std::to_string(b[3]);
}

std::array<std::uint8_t, 4> Ipv4::bytes() const {
  return {static_cast<std::uint8_t>(value >> 24), static_cast<std::uint8_t>(value >> 16),
          static_cast<std::uint8_t>(value >> 8), static_cast<std::uint8_t>(value)};
}

}  // namespace pxemasq::config
