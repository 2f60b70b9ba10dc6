// dhcp-host and the tag classifiers (spec §3.6-§3.9). Every accept/reject rule and message below
// was checked against `dnsmasq --test` (2.90); where the value's meaning could not be seen that
// way (hex forms, lease clamps, host name mapping) it was checked against a running dnsmasq.
#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/option_table.hpp"
#include "config/parsers.hpp"
#include "config/quoting.hpp"
#include "config/values.hpp"

namespace pxemasq::config {
namespace {

bool contains(std::string_view text, char c) {
  return text.find(c) != std::string_view::npos;
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_ascii_alnum(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string option_name(const OptionInput& input) {
  return std::string(input.spec.name);
}

// Warn only once per load, however many lines trigger it.
void warn_once(ConfigBuilder& builder, const Origin& origin, const std::string& message) {
  const bool seen = std::any_of(builder.warnings.begin(), builder.warnings.end(),
                                [&](const Diagnostic& d) { return d.message == message; });
  if (!seen) builder.warn(origin, message);
}

// dnsmasq 2.90 accepts an empty tag name (`set:`, `tag:`, `dhcp-ignore=`) and then crashes on the
// first request that reaches the line [verified: segmentation fault].
void warn_if_empty_tag(ConfigBuilder& builder, const OptionInput& input, std::string_view name,
                       std::string_view what_pxemasq_does) {
  if (!name.empty()) return;
  builder.warn(input.origin, option_name(input) +
                                 ": empty tag name; dnsmasq 2.90 crashes on the first request "
                                 "that meets this line, pxemasq " +
                                 std::string(what_pxemasq_does));
}

TagCondition tag_condition(ConfigBuilder& builder, const OptionInput& input,
                           std::string_view name) {
  TagCondition condition = parse_tag_condition(name);
  if (!condition.negated)
    warn_if_empty_tag(builder, input, condition.name, "treats it as never set");
  return condition;
}

// The tag of the classifiers (`[set:]TAG`): only `set:` is stripped (option.c set_prefix), so
// `tag:x` names a tag called "tag:x".
std::string classifier_tag(ConfigBuilder& builder, const OptionInput& input,
                           std::string_view item) {
  const std::string_view name = strip_set_prefix(item).value_or(item);
  if (strip_tag_prefix(name)) {
    builder.warn(input.origin, option_name(input) + ": the tag to set is named \"" + unhide(name) +
                                   "\" (only set: is a prefix here)");
  }
  warn_if_empty_tag(builder, input, name, "sets no tag");
  return unhide(name);
}

// ---- host names: util.c check_name / canonicalise / legal_hostname (spec §3.7) ---------------

constexpr std::size_t kMaxDomainName = 1025;  // MAXDNAME
constexpr std::size_t kMaxLabel = 63;

struct NameCheck {
  bool ok = false;
  bool needs_idn = false;  // upper case or non-ASCII: dnsmasq converts with libidn2
};

// check_name: drops one trailing dot; rejects an empty name, a label over 63 bytes, an ASCII
// control character, and a name without a printable non-space ASCII character (so `ü` alone is
// rejected but `ü.` and `üa` are accepted [verified]).
NameCheck check_name(std::string& name) {
  if (name.empty() || name.size() > kMaxDomainName) return {};
  bool printable = false;
  if (name.back() == '.') {
    name.pop_back();
    printable = true;
  }
  NameCheck result;
  std::size_t label = 0;
  for (const char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '.') {
      label = 0;
    } else if (++label > kMaxLabel || c < 0x20 || c == 0x7F) {
      return {};
    } else if (c >= 0x80) {
      result.needs_idn = true;
    } else if (c != ' ') {
      printable = true;
      if (c >= 'A' && c <= 'Z') result.needs_idn = true;
    }
  }
  result.ok = printable;
  return result;
}

std::optional<std::vector<char32_t>> decode_utf8(std::string_view text) {
  std::vector<char32_t> out;
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const std::size_t length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    if ((lead >= 0x80 && lead < 0xC2) || lead > 0xF4 || i + length > text.size()) {
      return std::nullopt;
    }
    char32_t point = length == 1 ? lead : lead & (0x7FU >> length);
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0U) != 0x80U) return std::nullopt;
      point = (point << 6) | (next & 0x3FU);
    }
    const char32_t minimum = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000;
    if ((length > 1 && point < minimum) || point > 0x10FFFF ||
        (point >= 0xD800 && point <= 0xDFFF)) {
      return std::nullopt;
    }
    out.push_back(point);
    i += length;
  }
  return out;
}

// The part of the UTS #46 mapping that host names meet in practice: ASCII and Latin-1 capitals,
// full-width ASCII, and the ideographic full stops (`a。b` is `a.b` [verified]).
char32_t map_code_point(char32_t c) {
  if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;
  if (c == 0x3002 || c == 0xFF0E || c == 0xFF61) return '.';
  if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7)) return c + 0x20;
  return c;
}

// RFC 3492 §6.1 bias adaptation.
std::uint32_t adapt_bias(std::uint32_t delta, std::uint32_t points, bool first) {
  constexpr std::uint32_t kBase = 36, kTmin = 1, kTmax = 26, kSkew = 38, kDamp = 700;
  delta = first ? delta / kDamp : delta / 2;
  delta += delta / points;
  std::uint32_t k = 0;
  while (delta > ((kBase - kTmin) * kTmax) / 2) {
    delta /= kBase - kTmin;
    k += kBase;
  }
  return k + (kBase - kTmin + 1) * delta / (delta + kSkew);
}

char punycode_digit(std::uint32_t d) {
  return static_cast<char>(d < 26 ? 'a' + d : '0' + (d - 26));
}

// RFC 3492 §6.3 encoding of one label (the part after `xn--`).
std::string punycode(const std::vector<char32_t>& label) {
  constexpr std::uint32_t kBase = 36, kTmin = 1, kTmax = 26;
  std::string out;
  for (const char32_t c : label) {
    if (c < 0x80) out += static_cast<char>(c);
  }
  const auto basic = static_cast<std::uint32_t>(out.size());
  if (basic > 0) out += '-';
  std::uint32_t n = 0x80, delta = 0, bias = 72, handled = basic;
  while (handled < label.size()) {
    char32_t next = 0x10FFFF;
    for (const char32_t c : label) {
      if (c >= n && c < next) next = c;
    }
    delta += (static_cast<std::uint32_t>(next) - n) * (handled + 1);
    n = static_cast<std::uint32_t>(next);
    for (const char32_t c : label) {
      if (c < n) ++delta;
      if (c != n) continue;
      std::uint32_t q = delta;
      for (std::uint32_t k = kBase;; k += kBase) {
        const std::uint32_t t = k <= bias ? kTmin : k >= bias + kTmax ? kTmax : k - bias;
        if (q < t) break;
        out += punycode_digit(t + (q - t) % (kBase - t));
        q = (q - t) / (kBase - t);
      }
      out += punycode_digit(q);
      bias = adapt_bias(delta, handled + 1, handled == basic);
      delta = 0;
      ++handled;
    }
    ++delta;
    ++n;
  }
  return out;
}

// IDNA2008 label rules libidn2 applies: no leading or trailing `-`, no `--` in positions 3-4
// (`Ab--cd`, `A-` and `Xn--ssa` are rejected, `ab--cd` without capitals is not [verified]).
std::optional<std::string> idna_label(const std::vector<char32_t>& label) {
  if (label.empty()) return std::string{};
  if (label.front() == '-' || label.back() == '-') return std::nullopt;
  if (label.size() >= 4 && label[2] == '-' && label[3] == '-') return std::nullopt;
  const bool ascii = std::all_of(label.begin(), label.end(), [](char32_t c) { return c < 0x80; });
  std::string out;
  if (ascii) {
    for (const char32_t c : label) out += static_cast<char>(c);
  } else {
    out = "xn--" + punycode(label);
  }
  if (out.size() > kMaxLabel) return std::nullopt;
  return out;
}

// canonicalise()'s idn2_to_ascii step, approximated: see map_code_point.
std::optional<std::string> idna_to_ascii(std::string_view name) {
  auto points = decode_utf8(name);
  if (!points) return std::nullopt;
  std::string out;
  std::vector<char32_t> label;
  points->push_back('.');  // flushes the last label
  for (std::size_t i = 0; i < points->size(); ++i) {
    const char32_t c = map_code_point((*points)[i]);
    if (c != '.') {
      label.push_back(c);
      continue;
    }
    const auto ascii = idna_label(label);
    if (!ascii) return std::nullopt;
    out += *ascii;
    if (i + 1 < points->size()) out += '.';
    label.clear();
  }
  return out;
}

// legal_hostname: only the first label is restricted to letters, digits, `-` and `_` (not first).
bool legal_first_label(std::string_view name) {
  for (std::size_t i = 0; i < name.size() && name[i] != '.'; ++i) {
    if (is_ascii_alnum(name[i]) || (i > 0 && (name[i] == '-' || name[i] == '_'))) continue;
    return false;
  }
  return true;
}

// The whole chain: check, convert (IDN / lower case), check again (a second trailing dot goes),
// and the first-label rule. `..` is accepted as an empty host name [verified].
std::optional<std::string> canonical_host_name(std::string name) {
  const NameCheck first = check_name(name);
  if (!first.ok) return std::nullopt;
  if (first.needs_idn) {
    auto ascii = idna_to_ascii(name);
    if (!ascii) return std::nullopt;
    name = std::move(*ascii);
  }
  if (!check_name(name).ok || !legal_first_label(name)) return std::nullopt;
  return name;
}

// ---- dhcp-host (spec §3.7) --------------------------------------------------------------------

constexpr std::uint32_t kMinHostLease = 120;  // shorter leases upset some clients (spec §3.7)
constexpr std::size_t kMaxClientIdBytes = 1024;

struct HostLine {
  ConfigBuilder& builder;
  const OptionInput& input;
  DhcpHost& host;

  void warn(const std::string& message) const {
    builder.warn(input.origin, "dhcp-host: " + message);
  }
};

bool is_client_id_item(std::string_view item) {
  return item.size() >= 3 && ascii_lower(item[0]) == 'i' && ascii_lower(item[1]) == 'd' &&
         item[2] == ':';
}

// `id:*`, `id:HEX:BYTES` (a `:` makes it hex) or `id:text`.
ParseStatus parse_client_id(const HostLine& line, std::string_view id) {
  if (id.starts_with('*')) {
    if (id.size() > 1) line.warn("text after id:* is ignored");
    line.host.ignore_client_id = true;
    return accepted();
  }
  if (!contains(id, ':')) {
    const std::string text = unhide(id);
    line.host.client_ids.emplace_back(text.begin(), text.end());
    return accepted();
  }
  const auto hex = parse_hex(id, true, kMaxClientIdBytes);
  if (!hex)
    return rejected("bad hex constant", "a binary client-id is hex bytes: id:01:52:54:00:12:34:56");
  if (std::find(hex->wildcard.begin(), hex->wildcard.end(), true) != hex->wildcard.end()) {
    line.warn(
        "`*` in a client-id is not a wildcard (dnsmasq stores an unpredictable byte); "
        "pxemasq stores 00");
  }
  line.host.client_ids.push_back(hex->bytes);
  return accepted();
}

std::string_view trim_spaces(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

// 2.90 tests the interface half against (1 << (128 - LEN)) - 1 in 64 bits, which x86 computes
// with the shift count modulo 64: /0 and /64 accept anything, /32 tests the low 32 bits
// (`[::1/64]` accepted, `[::1/32]` and `[::1/65]` rejected [verified]).
bool ipv6_prefix_accepted(const in6_addr& address, std::uint32_t length) {
  std::uint64_t interface_half = 0;
  for (std::size_t i = 8; i < 16; ++i) interface_half = (interface_half << 8) | address.s6_addr[i];
  const std::uint32_t shift = (128U - length) % 64U;
  const std::uint64_t mask = (std::uint64_t{1} << shift) - 1U;
  return (interface_half & mask) == 0;
}

// `[IPV6]` or `[IPV6/LEN]`: validated as dnsmasq does, then ignored (DHCPv6 is not served).
ParseStatus parse_host_ipv6(const HostLine& line, std::string_view inner) {
  const std::size_t slash = inner.find('/');
  const std::string address_text(trim_spaces(inner.substr(0, slash)));
  in6_addr address{};
  if (::inet_pton(AF_INET6, address_text.c_str(), &address) != 1) {
    return rejected("bad IPv6 address");
  }
  if (slash != std::string_view::npos) {
    const auto length = parse_number(trim_spaces(inner.substr(slash + 1)));
    if (!length || *length > 128 || !ipv6_prefix_accepted(address, *length)) {
      return rejected("bad IPv6 prefix", "the address must have no bits set beyond the prefix");
    }
  }
  warn_once(line.builder, line.input.origin,
            "dhcp-host: IPv6 addresses are accepted but not used: pxemasq serves DHCPv4 only");
  return accepted();
}

ParseStatus parse_host_mac(const HostLine& line, std::string_view item) {
  bool truncated = false;
  auto mac = parse_hardware_address(item, &truncated);
  if (!mac) {
    return rejected("bad hex constant",
                    "a hardware address is hex bytes separated by ':' (52:54:00:12:34:56)");
  }
  if (truncated) line.warn("hardware address " + unhide(item) + " is cut to its first 16 bytes");
  line.host.hardware_addresses.push_back(std::move(*mac));
  return accepted();
}

// Items holding a `:` (option.c case 'G' classification order).
ParseStatus parse_host_colon_item(const HostLine& line, std::string_view item) {
  if (is_client_id_item(item)) return parse_client_id(line, item.substr(3));
  if (item.starts_with("net:") || item.starts_with("set:")) {
    const std::string_view name = item.substr(4);
    warn_if_empty_tag(line.builder, line.input, name, "sets no tag");
    if (!name.empty()) line.host.set_tags.push_back(unhide(name));
    return accepted();
  }
  if (item.starts_with("tag:")) {
    line.host.filter_tags.push_back(tag_condition(line.builder, line.input, item.substr(4)));
    return accepted();
  }
  if (item.size() >= 2 && item.front() == '[' && item.back() == ']') {
    return parse_host_ipv6(line, item.substr(1, item.size() - 2));
  }
  return parse_host_mac(line, item);
}

ParseStatus parse_host_address(const HostLine& line, Ipv4 address) {
  // The same address on two lines would be offered to one client and reserved for the other,
  // so dnsmasq refuses it; within one line the last address simply wins [verified].
  const auto& hosts = line.builder.config.hosts;
  if (std::any_of(hosts.begin(), hosts.end(),
                  [&](const DhcpHost& other) { return other.address == address; })) {
    return rejected("duplicate dhcp-host IP address " + address.to_string(),
                    "another dhcp-host line already reserves this address");
  }
  line.host.address = address;
  return accepted();
}

std::uint64_t lease_unit(char last) {
  switch (ascii_lower(last)) {
    case 's':
      return 1;
    case 'm':
      return 60;
    case 'h':
      return 3600;
    case 'd':
      return 86400;
    case 'w':
      return 604800;
    default:
      return 0;
  }
}

// A lease: digits and spaces with one optional unit letter, the unit only when the item is
// longer than one character (`m` alone is a host name). Like atoi, the leading digits count
// (`3 00` is 3 s [verified: 120 s]).
std::optional<std::uint64_t> host_lease_seconds(std::string_view item) {
  std::uint64_t factor = 1;
  if (item.size() > 1 && lease_unit(item.back()) != 0) {
    factor = lease_unit(item.back());
    item.remove_suffix(1);
  }
  if (!std::all_of(item.begin(), item.end(), [](char c) { return is_digit(c) || c == ' '; }) ||
      !std::any_of(item.begin(), item.end(), is_digit)) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < item.size() && is_digit(item[i]); ++i) {
    value = std::min<std::uint64_t>(value * 10 + static_cast<std::uint64_t>(item[i] - '0'),
                                    std::uint64_t{1} << 40);
  }
  return value * factor;
}

void set_host_lease(const HostLine& line, std::uint64_t seconds) {
  constexpr std::uint64_t kLongest = kInfiniteLease - 1;
  if (seconds > kLongest) {
    line.warn("lease time too long (dnsmasq overflows it); using " + std::to_string(kLongest) +
              " s, write `infinite` for no expiry");
  }
  const std::uint64_t clamped = std::clamp<std::uint64_t>(seconds, kMinHostLease, kLongest);
  line.host.lease_seconds = static_cast<std::uint32_t>(clamped);
}

bool is_dotted_digits(std::string_view item) {
  return contains(item, '.') &&
         std::all_of(item.begin(), item.end(), [](char c) { return is_digit(c) || c == '.'; });
}

// `aa-bb-cc-dd-ee-ff` (optionally with a `TT-` type first) has no `:` and so is a host name.
bool looks_like_dashed_mac(std::string_view item) {
  if (item.size() != 17 && item.size() != 20) return false;
  for (std::size_t i = 0; i < item.size(); ++i) {
    const bool dash = i % 3 == 2;
    if (dash ? item[i] != '-' : std::isxdigit(static_cast<unsigned char>(item[i])) == 0)
      return false;
  }
  return true;
}

void warn_host_name_quirks(const HostLine& line, std::string_view item, const std::string& name) {
  if (looks_like_dashed_mac(item)) {
    std::string colons(item);
    std::replace(colons.begin(), colons.end(), '-', ':');
    line.warn("`" + std::string(item) +
              "` is taken as a host name, like dnsmasq does; did you "
              "mean a MAC address? write " +
              colons);
  } else if (is_dotted_digits(item)) {
    line.warn("`" + std::string(item) +
              "` is not an IPv4 address; like dnsmasq, pxemasq takes "
              "it as host name `" +
              name.substr(0, name.find('.')) + "`");
  } else if (name.empty() || name.front() == '.') {
    line.warn("`" + unhide(item) + "` gives an empty host name");
  }
}

ParseStatus parse_host_name(const HostLine& line, std::string_view item) {
  const auto name = canonical_host_name(unhide(item));
  if (!name) {
    return rejected("bad DHCP host name",
                    "a host name starts with a letter or digit and holds only letters, digits, "
                    "'-' and '_'; a MAC address is written with ':'");
  }
  warn_host_name_quirks(line, item, *name);
  if (std::any_of(item.begin(), item.end(),
                  [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
    line.warn("non-ASCII host name stored as `" + *name +
              "` (IDN mapping beyond case is approximate)");
  }
  const std::size_t dot = name->find('.');
  line.host.hostname = name->substr(0, dot);
  line.host.domain.reset();
  if (dot != std::string::npos && dot + 1 < name->size()) line.host.domain = name->substr(dot + 1);
  return accepted();
}

// Items without `:` that are not an IPv4 address.
ParseStatus parse_host_word(const HostLine& line, std::string_view item) {
  if (item.empty()) return accepted();  // `dhcp-host=,,MAC` [verified]
  if (const auto seconds = host_lease_seconds(item)) {
    set_host_lease(line, *seconds);
  } else if (item == "infinite") {  // compared as written: a quoted `"ignore"` is a host name
    line.host.lease_seconds = kInfiniteLease;
  } else if (item == "ignore") {
    line.host.ignore = true;
  } else {
    return parse_host_name(line, item);
  }
  return accepted();
}

ParseStatus parse_host_item(const HostLine& line, std::string_view item) {
  if (contains(item, ':')) return parse_host_colon_item(line, item);
  if (contains(item, '.')) {
    if (const auto address = parse_ipv4(item)) return parse_host_address(line, *address);
  }
  return parse_host_word(line, item);
}

// ---- dhcp-vendorclass / dhcp-userclass / dhcp-name-match (spec §3.6) --------------------------

ParseStatus parse_name_match(ConfigBuilder& builder, StringMatch match, std::string_view name) {
  // The name is the rest of the line; a trailing `*` makes it a prefix.
  if (name.empty()) return rejected("error", "dhcp-name-match needs TAG,NAME[*]");
  if (name.back() == '*') {
    match.prefix = true;
    name.remove_suffix(1);
  }
  match.pattern = unhide(name);
  builder.config.name_matches.push_back(std::move(match));
  return accepted();
}

// atoi(): the leading digits, 0 if there are none.
std::uint32_t leading_number(std::string_view text) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < text.size() && is_digit(text[i]); ++i) {
    value = std::min<std::uint64_t>(value * 10 + static_cast<std::uint64_t>(text[i] - '0'),
                                    0xFFFFFFFFU);
  }
  return static_cast<std::uint32_t>(value);
}

// ---- dhcp-circuitid / dhcp-remoteid / dhcp-subscrid (spec §3.6) -------------------------------

// Hex only if made of hex digits and `:` with at least one of each (`1:2` is 01 02, `123` and
// `0102` are text, `:` is text [verified with relayed requests]).
std::vector<std::uint8_t> relay_agent_value(std::string_view value) {
  const bool hex_chars = std::all_of(value.begin(), value.end(), [](char c) {
    return c == ':' || std::isxdigit(static_cast<unsigned char>(c)) != 0;
  });
  const bool has_digit = std::any_of(value.begin(), value.end(), [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) != 0;
  });
  if (hex_chars && has_digit && contains(value, ':')) {
    if (auto hex = parse_hex(value, false, value.size())) return std::move(hex->bytes);
  }
  const std::string text = unhide(value);
  return {text.begin(), text.end()};
}

std::uint8_t relay_sub_option(std::string_view name) {
  if (name == "dhcp-circuitid") return 1;
  if (name == "dhcp-remoteid") return 2;
  return 6;  // dhcp-subscrid
}

// ---- dhcp-ignore & friends (spec §3.8) --------------------------------------------------------

std::vector<TagRule>* tag_rule_list(Config& config, std::string_view name) {
  if (name == "dhcp-ignore") return &config.ignore_rules;
  if (name == "dhcp-ignore-names") return &config.ignore_names_rules;
  if (name == "dhcp-generate-names") return &config.generate_names_rules;
  if (name == "dhcp-broadcast") return &config.broadcast_rules;
  if (name == "bootp-dynamic") return &config.bootp_dynamic_rules;
  return nullptr;
}

// ---- tag-if (spec §3.9) -----------------------------------------------------------------------

constexpr std::string_view kTagIfHint = "tag-if takes set:TAG[,set:TAG...][,tag:TAG...]";

ParseStatus add_tag_if_item(ConfigBuilder& builder, const OptionInput& input, TagIf& rule,
                            std::string_view item) {
  // Each item is at least `set:X` / `tag:X` long; `net:` is not accepted here [verified].
  if (item.size() < 5) return rejected("bad tag-if", std::string(kTagIfHint));
  if (const auto name = strip_set_prefix(item)) {
    rule.set_tags.push_back(unhide(*name));
    return accepted();
  }
  if (!item.starts_with("tag:")) return rejected("bad tag-if", std::string(kTagIfHint));
  TagCondition condition = parse_tag_condition(item.substr(4));
  if (!condition.name.empty() && condition.name.back() == '*') {  // prefix match, tag-if only
    condition.prefix = true;
    condition.name.pop_back();
  }
  if (!condition.negated && !condition.prefix) {
    warn_if_empty_tag(builder, input, condition.name, "treats it as never set");
  }
  rule.conditions.push_back(std::move(condition));
  return accepted();
}

}  // namespace

ParseStatus parse_dhcp_host(ConfigBuilder& builder, const OptionInput& input) {
  DhcpHost host;
  host.origin = input.origin;
  const HostLine line{builder, input, host};
  for (const std::string_view item : split_list(input.text)) {
    if (auto status = parse_host_item(line, item)) return status;
  }
  builder.config.hosts.push_back(std::move(host));
  return accepted();
}

ParseStatus parse_string_match(ConfigBuilder& builder, const OptionInput& input) {
  const auto [tag, rest] = split_first(input.text);
  if (!rest) return rejected("error", option_name(input) + " needs TAG,STRING");
  StringMatch match;
  match.origin = input.origin;
  match.set_tag = classifier_tag(builder, input, tag);
  if (input.spec.name == "dhcp-name-match")
    return parse_name_match(builder, std::move(match), *rest);

  std::string_view value = *rest;
  if (const auto [second, third] = split_first(*rest); third) {
    // A third item is allowed only as dhcp-vendorclass=TAG,enterprise:N,STRING; the string is
    // then the rest of the line.
    if (input.spec.name != "dhcp-vendorclass" || !second.starts_with("enterprise:")) {
      return rejected("error", option_name(input) + " takes TAG,STRING; quote a comma in STRING");
    }
    match.enterprise = leading_number(second.substr(11));
    value = *third;
  }
  match.pattern = unhide(value);
  auto& list = input.spec.name == "dhcp-userclass" ? builder.config.user_classes
                                                   : builder.config.vendor_classes;
  list.push_back(std::move(match));
  return accepted();
}

ParseStatus parse_dhcp_mac(ConfigBuilder& builder, const OptionInput& input) {
  const auto [tag, rest] = split_first(input.text);
  if (!rest) return rejected("error", "dhcp-mac needs TAG,MAC");
  MacMatch match;
  match.origin = input.origin;
  match.set_tag = classifier_tag(builder, input, tag);
  // dhcp-mac looks through quoting (`"01:02"` is accepted [verified]); the MAC is the rest.
  bool truncated = false;
  auto mac = parse_hardware_address(unhide(*rest), &truncated);
  if (!mac) return rejected("error", "a MAC is hex bytes separated by ':', `*` for any byte");
  if (truncated) builder.warn(input.origin, "dhcp-mac: the MAC is cut to its first 16 bytes");
  if (mac->bytes.empty()) builder.warn(input.origin, "dhcp-mac: an empty MAC never matches");
  match.address = std::move(*mac);
  builder.config.mac_matches.push_back(std::move(match));
  return accepted();
}

ParseStatus parse_relay_agent_match(ConfigBuilder& builder, const OptionInput& input) {
  const auto [tag, rest] = split_first(input.text);
  if (!rest) return rejected("error", option_name(input) + " needs TAG,VALUE");
  const auto [value, extra] = split_first(*rest);
  if (extra) return rejected("error", option_name(input) + " takes TAG,VALUE; quote a comma");
  RelayAgentMatch match;
  match.origin = input.origin;
  match.set_tag = classifier_tag(builder, input, tag);
  match.sub_option = relay_sub_option(input.spec.name);
  match.value = relay_agent_value(value);
  builder.config.relay_agent_matches.push_back(std::move(match));
  return accepted();
}

ParseStatus parse_tag_if(ConfigBuilder& builder, const OptionInput& input) {
  TagIf rule;
  rule.origin = input.origin;
  for (const std::string_view item : split_list(input.text)) {
    if (auto status = add_tag_if_item(builder, input, rule, item)) return status;
  }
  if (rule.set_tags.empty()) return rejected("bad tag-if", std::string(kTagIfHint));
  builder.config.tag_ifs.push_back(std::move(rule));  // evaluated in config order (§3.9)
  return accepted();
}

ParseStatus parse_tag_rule(ConfigBuilder& builder, const OptionInput& input) {
  std::vector<TagRule>* list = tag_rule_list(builder.config, input.spec.name);
  if (list == nullptr) return rejected("error", "not a tag rule option");
  TagRule rule;
  rule.origin = input.origin;
  // A bare name (no `=`) is unconditional; `tag:`/`net:` are optional on each item.
  if (input.present) {
    for (const std::string_view item : split_list(input.text)) {
      rule.tags.push_back(tag_condition(builder, input, strip_tag_prefix(item).value_or(item)));
    }
  }
  list->push_back(std::move(rule));
  return accepted();
}

}  // namespace pxemasq::config
