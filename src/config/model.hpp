#pragma once
// The Config model: what a dnsmasq configuration means, as plain value types.
// Built once by the loader (config/loader.hpp), then shared read-only (`std::shared_ptr<const
// Config>`) by the DHCP and TFTP layers; a reload builds a new one and swaps it whole.
// Lists keep *parse order* (command line first, then files, depth first). dnsmasq's "the later
// line wins" rules are therefore "search from the back" here.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pxemasq::config {

// Where a setting came from: `file` as written (relative paths stay relative), or empty for the
// command line. `line` counts physical lines from 1.
struct Origin {
  std::string file;
  unsigned line = 0;

  [[nodiscard]] bool from_command_line() const { return file.empty(); }
  friend bool operator==(const Origin&, const Origin&) = default;
};

// An IPv4 address in host byte order.
struct Ipv4 {
  std::uint32_t value = 0;

  [[nodiscard]] std::string to_string() const;
  [[nodiscard]] std::array<std::uint8_t, 4> bytes() const;
  friend auto operator<=>(const Ipv4&, const Ipv4&) = default;
};

// One `tag:X` / `tag:!X` condition. `prefix` is set for tag-if's `tag:X*` form.
struct TagCondition {
  std::string name;
  bool negated = false;
  bool prefix = false;
  friend bool operator==(const TagCondition&, const TagCondition&) = default;
};
// All conditions must hold (an empty filter always holds).
using TagFilter = std::vector<TagCondition>;

// ---- DHCP ----------------------------------------------------------------------------------

enum class RangeMode { dynamic, static_only, proxy };

struct DhcpRange {
  Origin origin;
  TagFilter required_tags;
  std::optional<std::string> set_tag;
  Ipv4 start;
  Ipv4 end;  // == start for static and proxy ranges
  RangeMode mode = RangeMode::dynamic;
  std::optional<Ipv4> netmask;
  std::optional<Ipv4> broadcast;
  std::uint32_t lease_seconds = 3600;  // 0xFFFFFFFF = infinite
};

inline constexpr std::uint32_t kInfiniteLease = 0xFFFFFFFFU;

// Which option space a configured DHCP option lives in (spec §3.3).
enum class OptionSpace {
  standard,     // a top-level option
  encap,        // sub-option of option `container` (encap:N)
  vendor,       // sub-option of option 43 for clients whose option 60 contains `vendor_class`
  vendor_ident  // sub-option of option 125 for enterprise `container` (vi-encap:ENT)
};

struct DhcpOptionSetting {
  Origin origin;
  TagFilter tags;
  bool force = false;  // dhcp-option-force: sent even if the client did not ask for it
  OptionSpace space = OptionSpace::standard;
  std::uint32_t container = 0;  // encap option number or vi-encap enterprise number
  std::string vendor_class;     // for OptionSpace::vendor ("" = any client)
  std::uint32_t code = 0;       // as written; dnsmasq keeps numbers > 255 and truncates on send
  std::vector<std::uint8_t> value;
  bool is_text = false;  // the value was stored as text (for log-dhcp printing)
  // Offsets of 4-byte `0.0.0.0` elements to replace with the server's address at send time.
  std::vector<std::size_t> server_address_offsets;
};

// A value to compare in dhcp-match (spec §3.6 match_bytes).
struct MatchValue {
  enum class Kind { present, bytes_prefix, text_substring, element };
  Kind kind = Kind::present;
  std::vector<std::uint8_t> bytes;
  std::vector<bool> wildcard;  // per byte, for bytes_prefix (`*` groups)
  unsigned element_width = 0;  // for Kind::element
};

struct DhcpMatch {
  Origin origin;
  std::string set_tag;
  bool vendor_ident = false;  // vi-encap:ENT form: `code` is the enterprise number
  std::uint32_t code = 0;
  std::optional<std::uint32_t> sub_option;  // vi-encap with an option
  MatchValue value;
};

// dhcp-vendorclass / dhcp-userclass / dhcp-name-match: set `set_tag` when `pattern` matches.
// Here and in MacMatch / RelayAgentMatch an empty `set_tag` (`dhcp-mac=,MAC`, accepted with a
// warning; dnsmasq 2.90 crashes on it) sets no tag.
struct StringMatch {
  Origin origin;
  std::string set_tag;
  std::string pattern;
  bool prefix = false;  // dhcp-name-match trailing `*`
  // dhcp-vendorclass `enterprise:N` (a DHCPv6 selector: DHCPv4 matching ignores it, as dnsmasq).
  std::optional<std::uint32_t> enterprise;
};

// dhcp-mac and the MAC items of dhcp-host: up to 16 bytes, wildcards allowed.
struct HardwareAddress {
  std::optional<std::uint8_t> hardware_type;  // `TT-` prefix
  std::vector<std::uint8_t> bytes;
  std::vector<bool> wildcard;
  friend bool operator==(const HardwareAddress&, const HardwareAddress&) = default;
};

struct MacMatch {
  Origin origin;
  std::string set_tag;
  HardwareAddress address;
};

// dhcp-circuitid / dhcp-remoteid / dhcp-subscrid: option 82 sub-option 1 / 2 / 6.
struct RelayAgentMatch {
  Origin origin;
  std::string set_tag;
  std::uint8_t sub_option = 0;
  std::vector<std::uint8_t> value;
};

struct DhcpHost {
  Origin origin;
  std::vector<HardwareAddress> hardware_addresses;
  std::vector<std::vector<std::uint8_t>> client_ids;
  bool ignore_client_id = false;  // id:*
  std::vector<std::string> set_tags;
  TagFilter filter_tags;
  std::optional<Ipv4> address;
  std::optional<std::string> hostname;
  std::optional<std::string> domain;
  std::optional<std::uint32_t> lease_seconds;
  bool ignore = false;
};

// tag-if: when every condition holds, set every tag.
struct TagIf {
  Origin origin;
  std::vector<std::string> set_tags;
  TagFilter conditions;
};

// dhcp-ignore, dhcp-ignore-names, dhcp-generate-names, dhcp-broadcast, bootp-dynamic.
struct TagRule {
  Origin origin;
  TagFilter tags;  // empty = unconditional
};

struct DhcpBoot {
  Origin origin;
  TagFilter tags;
  std::string file;
  std::optional<std::string> server_name;
  std::optional<Ipv4> server_address;
  std::optional<std::string> server_host;  // a host name to resolve instead of an address
};

// The client system architectures of RFC 4578 as dnsmasq's pxe-service names them.
struct PxeService {
  Origin origin;
  TagFilter tags;
  std::uint16_t client_arch = 0;
  std::string menu_text;
  std::optional<std::string> basename;  // served file; type is then 32768 + index
  std::uint16_t server_type = 0;        // 0 = boot from local disk
  std::optional<Ipv4> server_address;
  std::optional<std::string> server_host;
};

struct PxePrompt {
  Origin origin;
  TagFilter tags;
  std::string text;
  std::uint8_t timeout = 255;
};

// ---- interfaces and TFTP ------------------------------------------------------------------

struct TftpRoot {
  Origin origin;
  std::string directory;
  std::optional<std::string> interface;  // exact name, applies to requests arriving there
};

enum class UniqueRoot { none, ip, mac };

// pxemasq's built-in read-only HTTP server (an extension: dnsmasq has none). It serves the
// TFTP root (or http-root) under the same confinement, and /metrics.
struct Http {
  std::optional<std::uint16_t> port;  // http-port: unset = no HTTP server
  std::optional<std::string> root;    // http-root: unset = the global tftp-root
};

struct Tftp {
  bool enabled = false;
  // enable-tftp=IF,...: only these interfaces (wildcards). Empty optional = same as DHCP.
  std::optional<std::vector<std::string>> interfaces;
  std::vector<TftpRoot> roots;
  UniqueRoot unique_root = UniqueRoot::none;
  bool secure = false;
  bool no_fail = false;
  bool lowercase = false;
  bool no_blocksize = false;
  bool single_port = false;
  // tftp-max; unset = pxemasq's own default, sized for boot storms (dnsmasq's is 50).
  std::optional<unsigned> max_transfers;
  std::optional<unsigned> mtu;
  std::optional<std::pair<std::uint16_t, std::uint16_t>> port_range;
};

// ---- process and logging ------------------------------------------------------------------

struct LogFacility {
  enum class Kind { syslog, file, stderr_stream } kind = Kind::syslog;
  std::string value;  // facility name (lower case) or file path
};

struct Config {
  // DHCP
  std::vector<DhcpRange> ranges;
  std::vector<DhcpOptionSetting> options;
  std::vector<DhcpBoot> boots;
  std::vector<DhcpMatch> matches;
  std::vector<StringMatch> vendor_classes;
  std::vector<StringMatch> user_classes;
  std::vector<StringMatch> name_matches;
  std::vector<MacMatch> mac_matches;
  std::vector<RelayAgentMatch> relay_agent_matches;
  std::vector<DhcpHost> hosts;
  std::vector<TagIf> tag_ifs;
  std::vector<TagRule> ignore_rules;
  std::vector<TagRule> ignore_names_rules;
  std::vector<TagRule> generate_names_rules;
  std::vector<TagRule> broadcast_rules;
  std::vector<TagRule> bootp_dynamic_rules;
  std::vector<PxeService> pxe_services;
  std::vector<PxePrompt> pxe_prompts;
  std::vector<std::string> pxe_vendors;  // dhcp-pxe-vendor; empty = {"PXEClient"}
  bool authoritative = false;
  bool no_ping = false;
  bool no_override = false;
  bool sequential_ip = false;
  bool ignore_client_id = false;
  bool rapid_commit = false;
  bool leasefile_ro = false;
  std::optional<std::string> lease_file;  // default /var/lib/misc/dnsmasq.leases
  unsigned lease_max = 1000;
  std::optional<std::string> domain;  // the global `domain=`
  std::uint16_t server_port = 67;
  std::uint16_t client_port = 68;

  // Interfaces
  std::vector<std::string> interfaces;  // interface= (wildcards: `*` ends the comparison)
  std::vector<std::string> except_interfaces;
  std::vector<Ipv4> listen_addresses;
  std::vector<std::string> no_dhcp_interfaces;
  std::vector<std::string> no_dhcpv4_interfaces;
  bool bind_interfaces = false;
  bool bind_dynamic = false;

  Tftp tftp;
  Http http;

  // Process and logging
  std::uint16_t dns_port = 53;  // `port`; 0 disables DNS (pxemasq never serves DNS)
  std::optional<std::string> user;   // empty string = do not change user
  std::optional<std::string> group;  // empty string = do not change group
  std::optional<std::string> pid_file;  // empty string = no pid file
  bool no_daemon = false;
  bool keep_in_foreground = false;
  LogFacility log_facility;
  bool log_facility_set = false;
  std::optional<unsigned> log_async;  // queue length when log-async is given
  bool log_dhcp = false;
  bool log_debug = false;
  bool quiet_dhcp = false;
  bool quiet_tftp = false;
};

}  // namespace pxemasq::config
