#pragma once
// The DHCP option table (spec §3.4): one row per option dnsmasq knows by name, with the value
// type that decides how a configured value is encoded (spec §3.3), how `log-dhcp` prints it
// (spec §7.3) and whether `option:NAME` may name it. The config parser, the wire codec and the
// log printer all read this one table (STYLE.md §2), so a name, a width or a type lives here
// and nowhere else.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace pxemasq::dhcp {

enum class OptionFamily : std::uint8_t { dhcp4, dhcp6 };

// How a configured value is read and encoded (the letters of spec §3.4).
enum class ValueType : std::uint8_t {
  free_form,        // X: the value's own shape decides (spec §3.3 classification)
  address_list,     // A: IPv4 addresses (DHCPv6 table: IPv6 addresses)
  text,             // N: the text as written
  integer,          // I/B: big-endian integer of `width` bytes (0: the value's own width)
  time,             // T: seconds, with an optional s/m/h/d/w unit
  name_list,        // R: RFC 1035 names with compression (RFC 3397)
  counted_strings,  // DHCPv6 only: 2-byte length + text per item
  special,          // 120 sip-server (RFC 3361 names or addresses), DHCPv6 56 ntp-server
};

struct OptionDef {
  std::uint16_t code = 0;
  std::string_view name;  // dnsmasq's name for `option:NAME`, matched case-insensitively
  ValueType type = ValueType::free_form;
  std::uint8_t width = 0;  // bytes of an integer type; 0 otherwise
  bool decimal = false;    // log-dhcp prints the integer in decimal (I), else in hex (B)
  // Set by the server itself: `option:NAME` is refused in dhcp-option (allowed in dhcp-match)
  // and the row is left out of `--help dhcp`. The number itself is still accepted.
  bool internal = false;
};

namespace detail {
constexpr OptionDef row(std::uint16_t code, std::string_view name, ValueType type) {
  return {code, name, type, 0, false, false};
}
constexpr OptionDef address(std::uint16_t code, std::string_view name) {
  return row(code, name, ValueType::address_list);
}
constexpr OptionDef text(std::uint16_t code, std::string_view name) {
  return row(code, name, ValueType::text);
}
constexpr OptionDef names(std::uint16_t code, std::string_view name) {
  return row(code, name, ValueType::name_list);
}
constexpr OptionDef seconds(std::uint16_t code, std::string_view name) {
  return row(code, name, ValueType::time);
}
constexpr OptionDef free_form(std::uint16_t code, std::string_view name) {
  return row(code, name, ValueType::free_form);
}
// An integer printed in decimal (I1/I2/I4) or in hex (B1/B4).
constexpr OptionDef decimal(std::uint16_t code, std::string_view name, std::uint8_t width) {
  return {code, name, ValueType::integer, width, true, false};
}
constexpr OptionDef hex(std::uint16_t code, std::string_view name, std::uint8_t width) {
  return {code, name, ValueType::integer, width, false, false};
}
constexpr OptionDef internal(OptionDef def) {
  def.internal = true;
  return def;
}
}  // namespace detail

// DHCPv4, by code (dnsmasq 2.90 dhcp-common.c opttab; spec §3.4).
inline constexpr auto kDhcp4Options = [] {
  using namespace detail;
  return std::array{
      address(1, "netmask"),
      hex(2, "time-offset", 4),
      address(3, "router"),
      address(6, "dns-server"),
      address(7, "log-server"),
      address(9, "lpr-server"),
      internal(text(12, "hostname")),
      decimal(13, "boot-file-size", 2),
      text(15, "domain-name"),
      address(16, "swap-server"),
      text(17, "root-path"),
      text(18, "extension-path"),
      hex(19, "ip-forward-enable", 1),
      hex(20, "non-local-source-routing", 1),
      address(21, "policy-filter"),
      decimal(22, "max-datagram-reassembly", 2),
      decimal(23, "default-ttl", 1),
      decimal(26, "mtu", 2),
      hex(27, "all-subnets-local", 1),
      internal(address(28, "broadcast")),
      hex(31, "router-discovery", 1),
      address(32, "router-solicitation"),
      address(33, "static-route"),
      hex(34, "trailer-encapsulation", 1),
      decimal(35, "arp-timeout", 4),
      hex(36, "ethernet-encap", 1),
      hex(37, "tcp-ttl", 1),
      decimal(38, "tcp-keepalive", 4),
      text(40, "nis-domain"),
      address(41, "nis-server"),
      address(42, "ntp-server"),
      internal(free_form(43, "vendor-encap")),
      address(44, "netbios-ns"),
      address(45, "netbios-dd"),
      hex(46, "netbios-nodetype", 1),
      free_form(47, "netbios-scope"),
      address(48, "x-windows-fs"),
      address(49, "x-windows-dm"),
      internal(address(50, "requested-address")),
      internal(seconds(51, "lease-time")),
      internal(free_form(52, "option-overload")),
      // Printed in decimal, but without a width: a plain decimal value is refused (§3.3).
      internal(decimal(53, "message-type", 0)),
      internal(address(54, "server-identifier")),
      internal(free_form(55, "parameter-request")),
      internal(free_form(56, "message")),
      internal(free_form(57, "max-message-size")),
      seconds(58, "T1"),
      seconds(59, "T2"),
      free_form(60, "vendor-class"),
      internal(free_form(61, "client-id")),
      text(64, "nis+-domain"),
      address(65, "nis+-server"),
      text(66, "tftp-server"),
      text(67, "bootfile-name"),
      address(68, "mobile-ip-home"),
      address(69, "smtp-server"),
      address(70, "pop3-server"),
      address(71, "nntp-server"),
      address(74, "irc-server"),
      free_form(77, "user-class"),
      free_form(80, "rapid-commit"),
      internal(free_form(81, "FQDN")),
      internal(free_form(82, "agent-id")),
      decimal(93, "client-arch", 2),
      free_form(94, "client-interface-id"),
      free_form(97, "client-machine-id"),
      text(100, "posix-timezone"),
      text(101, "tzdb-timezone"),
      decimal(108, "ipv6-only", 4),
      internal(free_form(118, "subnet-select")),
      names(119, "domain-search"),
      row(120, "sip-server", ValueType::special),
      free_form(121, "classless-static-route"),
      free_form(125, "vendor-id-encap"),
      address(150, "tftp-server-address"),
      // Not an option: sets the header's siaddr (spec §3.3).
      address(255, "server-ip-address"),
  };
}();

// DHCPv6, by code (dnsmasq 2.90 opttab6). pxemasq does not serve DHCPv6; the table exists so
// that `option6:` lines are checked as dnsmasq checks them.
inline constexpr auto kDhcp6Options = [] {
  using namespace detail;
  return std::array{
      internal(free_form(1, "client-id")),
      internal(free_form(2, "server-id")),
      internal(free_form(3, "ia-na")),
      internal(free_form(4, "ia-ta")),
      internal(free_form(5, "iaaddr")),
      internal(free_form(6, "oro")),
      internal(decimal(7, "preference", 1)),
      internal(free_form(12, "unicast")),
      internal(free_form(13, "status")),
      internal(free_form(14, "rapid-commit")),
      internal(row(15, "user-class", ValueType::counted_strings)),
      internal(row(16, "vendor-class", ValueType::counted_strings)),
      internal(free_form(17, "vendor-opts")),
      names(21, "sip-server-domain"),
      address(22, "sip-server"),
      address(23, "dns-server"),
      names(24, "domain-search"),
      address(27, "nis-server"),
      address(28, "nis+-server"),
      names(29, "nis-domain"),
      names(30, "nis+-domain"),
      address(31, "sntp-server"),
      seconds(32, "information-refresh-time"),
      internal(names(39, "FQDN")),
      text(41, "posix-timezone"),
      text(42, "tzdb-timezone"),
      // Hex, addresses or names, whichever the value looks like.
      row(56, "ntp-server", ValueType::special),
      text(59, "bootfile-url"),
      row(60, "bootfile-param", ValueType::counted_strings),
  };
}();

namespace detail {
template <std::size_t N>
constexpr bool strictly_ascending(const std::array<OptionDef, N>& table) {
  for (std::size_t i = 1; i < N; ++i) {
    if (table[i - 1].code >= table[i].code) return false;
  }
  return true;
}
constexpr char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}
constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}
}  // namespace detail
static_assert(detail::strictly_ascending(kDhcp4Options), "one row per code, by code");
static_assert(detail::strictly_ascending(kDhcp6Options), "one row per code, by code");

[[nodiscard]] constexpr std::span<const OptionDef> option_defs(OptionFamily family) {
  if (family == OptionFamily::dhcp6) return kDhcp6Options;
  return kDhcp4Options;
}

// The row for `code`, or nullptr. Codes are compared in full: 259 is not 3 (spec §3.3).
[[nodiscard]] constexpr const OptionDef* find_option_by_code(OptionFamily family,
                                                             std::uint32_t code) {
  for (const OptionDef& def : option_defs(family)) {
    if (def.code == code) return &def;
  }
  return nullptr;
}

// The row named `name` (ASCII case-insensitive, as dnsmasq's strcasecmp), or nullptr.
// Internal rows are found too; callers decide whether they may be named.
[[nodiscard]] constexpr const OptionDef* find_option_by_name(OptionFamily family,
                                                             std::string_view name) {
  for (const OptionDef& def : option_defs(family)) {
    if (detail::iequals(def.name, name)) return &def;
  }
  return nullptr;
}

// `dnsmasq --help dhcp` (or `--help dhcp6`): a title line, then `%3d %s` for every row that is
// not internal.
[[nodiscard]] std::string known_options_help(OptionFamily family);

}  // namespace pxemasq::dhcp
