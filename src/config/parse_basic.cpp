// Parsers for dhcp-range, dhcp-boot, interfaces, TFTP, process, logging and plain scalars.
// Each mirrors dnsmasq's acceptance and message text (spec §3.1, §3.2, §3.5, §3.11–3.16).

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "config/option_table.hpp"
#include "config/parsers.hpp"
#include "config/quoting.hpp"
#include "config/values.hpp"

namespace pxemasq::config {
namespace {

constexpr std::uint32_t kMinimumLease = 120;  // dnsmasq raises shorter leases to 2 minutes

bool is_ipv6(std::string_view text) {
  const std::string copy(text);
  in6_addr address{};
  return ::inet_pton(AF_INET6, copy.c_str(), &address) == 1;
}

// dhcp-range's tag test (spec §3.1 step 1): an item is a tag when it has a character that
// cannot appear in an address.
bool looks_like_range_tag(std::string_view item) {
  return std::any_of(item.begin(), item.end(), [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) == 0 && c != '.' && c != ':' && c != ' ';
  });
}

// `a,b,24`: the CIDR-style length people write is a 24-second lease to dnsmasq [quirk].
bool looks_like_prefix_length(std::string_view item) {
  const auto number = parse_number(item);
  return !item.empty() && number && *number >= 8 && *number <= 32;
}

bool same_subnet(Ipv4 a, Ipv4 b, Ipv4 mask) { return (a.value & mask.value) == (b.value & mask.value); }

ParseStatus parse_range_lease(std::string_view item, DhcpRange& range) {
  if (item == "infinite") {
    range.lease_seconds = kInfiniteLease;
    return accepted();
  }
  if (item == "deprecated") return accepted();  // an IPv6 keyword, ignored for IPv4
  const auto seconds = parse_duration(item);
  if (!seconds) return rejected("bad dhcp-range", "the lease time must be digits with s/m/h/d/w, or infinite");
  range.lease_seconds = std::max(*seconds, kMinimumLease);
  return accepted();
}

}  // namespace

// dhcp-range=[tag:T,...][set:S,]START,(END|static|proxy)[,NETMASK[,BROADCAST]][,LEASE]
ParseStatus parse_dhcp_range(ConfigBuilder& builder, const OptionInput& input) {
  const auto items = split_list(input.text);
  DhcpRange range;
  range.origin = input.origin;
  std::size_t i = 0;
  for (; i + 1 < items.size() && looks_like_range_tag(items[i]); ++i) {
    if (const auto tag = strip_tag_prefix(items[i])) {
      if (!tag->empty()) range.required_tags.push_back(parse_tag_condition(*tag));
      continue;
    }
    if (range.set_tag) return rejected("only one tag allowed");
    range.set_tag = unhide(strip_set_prefix(items[i]).value_or(items[i]));
  }
  if (items.size() - i < 2) return rejected("bad dhcp-range", "expected START,END or START,static");
  const auto start = parse_ipv4(items[i]);
  if (!start) {
    if (is_ipv6(items[i])) {
      builder.warn(input.origin, "DHCPv6 range ignored: pxemasq serves DHCPv4 only");
      return accepted();
    }
    return rejected("bad dhcp-range", "'" + unhide(items[i]) + "' is not an IPv4 address");
  }
  range.start = *start;
  ++i;
  if (items[i] == "static" || items[i] == "proxy") {
    range.mode = items[i] == "static" ? RangeMode::static_only : RangeMode::proxy;
    range.end = range.start;
  } else if (const auto end = parse_ipv4(items[i])) {
    range.end = *end;
    if (range.end < range.start) std::swap(range.start, range.end);
  } else {
    return rejected("bad dhcp-range", "'" + unhide(items[i]) + "' is not an IPv4 address, static or proxy");
  }
  ++i;
  // A netmask (and then a broadcast) only if the item has a dot and is an address (§3.1 step 4).
  const auto address_item = [&items](std::size_t k) -> std::optional<Ipv4> {
    if (k >= items.size() || items[k].find('.') == std::string_view::npos) return std::nullopt;
    return parse_ipv4(items[k]);
  };
  if (const auto netmask = address_item(i)) {
    range.netmask = netmask;
    ++i;
    if (!same_subnet(range.start, range.end, *netmask)) return rejected("inconsistent DHCP range");
    if (const auto broadcast = address_item(i)) {
      range.broadcast = broadcast;
      ++i;
    }
  }
  if (i < items.size()) {
    if (i + 1 != items.size()) return rejected("bad dhcp-range", "the lease time must be the last item");
    if (auto error = parse_range_lease(items[i], range)) return error;
  }
  if (i < items.size() && looks_like_prefix_length(items[i])) {
    builder.warn(input.origin, "dhcp-range lease '" + std::string(items[i]) +
                                   "' means seconds (raised to at least 2m), not a /" +
                                   std::string(items[i]) + " netmask; write the netmask as 255.255.255.0");
  }
  builder.config.ranges.push_back(std::move(range));
  return accepted();
}

// dhcp-boot=[tag:T,...]FILENAME[,SERVERNAME[,SERVER]] (spec §3.5)
ParseStatus parse_dhcp_boot(ConfigBuilder& builder, const OptionInput& input) {
  const auto items = split_list(input.text);
  DhcpBoot boot;
  boot.origin = input.origin;
  std::size_t i = 0;
  for (; i < items.size(); ++i) {
    const auto tag = strip_tag_prefix(items[i]);
    if (!tag) break;
    boot.tags.push_back(parse_tag_condition(*tag));
  }
  if (i == items.size()) return rejected("error", "dhcp-boot needs a file name after its tags");
  boot.file = unhide(items[i]);
  if (boot.file.starts_with("set:")) {
    builder.warn(input.origin, "dhcp-boot takes only tag: filters; '" + boot.file +
                                   "' is used as the boot file name, as dnsmasq does");
  }
  if (i + 1 < items.size()) boot.server_name = unhide(items[i + 1]);
  if (i + 2 < items.size()) {
    if (const auto address = parse_ipv4(items[i + 2])) {
      boot.server_address = address;
    } else {
      boot.server_host = unhide(items[i + 2]);
    }
  }
  builder.config.boots.push_back(std::move(boot));
  return accepted();
}

// interface, except-interface, no-dhcp-interface, no-dhcpv4-interface: lists of names.
ParseStatus parse_interface_list(ConfigBuilder& builder, const OptionInput& input) {
  Config& config = builder.config;
  std::vector<std::string>* target = &config.interfaces;
  if (input.spec.name == "except-interface") target = &config.except_interfaces;
  if (input.spec.name == "no-dhcp-interface") target = &config.no_dhcp_interfaces;
  if (input.spec.name == "no-dhcpv4-interface") target = &config.no_dhcpv4_interfaces;
  for (const auto item : split_list(input.text)) target->push_back(unhide(item));
  return accepted();
}

ParseStatus parse_listen_address(ConfigBuilder& builder, const OptionInput& input) {
  for (const auto item : split_list(input.text)) {
    if (const auto address = parse_ipv4(item)) {
      builder.config.listen_addresses.push_back(*address);
    } else if (!is_ipv6(item)) {
      return rejected("error", "'" + unhide(item) + "' is not an IP address");
    }
  }
  return accepted();
}

// enable-tftp[=IF,...]: `enable-tftp=` installs one empty name that matches nothing [quirk].
ParseStatus parse_enable_tftp(ConfigBuilder& builder, const OptionInput& input) {
  Tftp& tftp = builder.config.tftp;
  tftp.enabled = true;
  if (!input.present) return accepted();
  if (!tftp.interfaces) tftp.interfaces.emplace();
  for (const auto item : split_list(input.text)) tftp.interfaces->push_back(unhide(item));
  if (input.text.empty()) {
    builder.warn(input.origin, "enable-tftp= with an empty list serves TFTP on no interface");
  }
  return accepted();
}

// tftp-root=DIR[,IF]
ParseStatus parse_tftp_root(ConfigBuilder& builder, const OptionInput& input) {
  const auto items = split_list(input.text);
  TftpRoot root;
  root.origin = input.origin;
  root.directory = unhide(items[0]);
  if (items.size() > 1) root.interface = unhide(items[1]);
  if (!root.directory.empty() && root.directory.front() != '/') {
    builder.warn(input.origin, "tftp-root " + root.directory +
                                   " is relative: dnsmasq serves it relative to /, so does pxemasq");
  }
  builder.config.tftp.roots.push_back(std::move(root));
  return accepted();
}

ParseStatus parse_tftp_unique_root(ConfigBuilder& builder, const OptionInput& input) {
  std::string mode = unhide(input.text);
  std::transform(mode.begin(), mode.end(), mode.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (!input.present || mode == "ip") {
    builder.config.tftp.unique_root = UniqueRoot::ip;
  } else if (mode == "mac") {
    builder.config.tftp.unique_root = UniqueRoot::mac;
  } else {
    return rejected("error", "tftp-unique-root takes ip or mac");
  }
  return accepted();
}

ParseStatus parse_tftp_port_range(ConfigBuilder& builder, const OptionInput& input) {
  const auto items = split_list(input.text);
  if (items.size() != 2) return rejected("bad port range", "expected tftp-port-range=START,END");
  auto first = parse_number16(items[0]);
  auto second = parse_number16(items[1]);
  if (!first || !second) return rejected("bad port range", "ports are numbers from 0 to 65535");
  if (*second < *first) std::swap(first, second);
  builder.config.tftp.port_range = std::make_pair(*first, *second);
  return accepted();
}

ParseStatus parse_flag(ConfigBuilder& builder, const OptionInput& input) {
  Config& c = builder.config;
  const std::string_view name = input.spec.name;
  struct FlagTarget {
    std::string_view name;
    bool Config::*field;
  };
  static constexpr std::array<FlagTarget, 14> kTopLevel{{
      {"dhcp-authoritative", &Config::authoritative},
      {"leasefile-ro", &Config::leasefile_ro},
      {"dhcp-no-override", &Config::no_override},
      {"dhcp-sequential-ip", &Config::sequential_ip},
      {"dhcp-ignore-clid", &Config::ignore_client_id},
      {"no-ping", &Config::no_ping},
      {"dhcp-rapid-commit", &Config::rapid_commit},
      {"bind-interfaces", &Config::bind_interfaces},
      {"bind-dynamic", &Config::bind_dynamic},
      {"no-daemon", &Config::no_daemon},
      {"keep-in-foreground", &Config::keep_in_foreground},
      {"log-dhcp", &Config::log_dhcp},
      {"log-debug", &Config::log_debug},
      {"quiet-dhcp", &Config::quiet_dhcp},
  }};
  struct TftpFlag {
    std::string_view name;
    bool Tftp::*field;
  };
  static constexpr std::array<TftpFlag, 5> kTftp{{
      {"tftp-secure", &Tftp::secure},
      {"tftp-no-fail", &Tftp::no_fail},
      {"tftp-no-blocksize", &Tftp::no_blocksize},
      {"tftp-lowercase", &Tftp::lowercase},
      {"tftp-single-port", &Tftp::single_port},
  }};
  if (name == "quiet-tftp") {
    c.quiet_tftp = true;
    return accepted();
  }
  for (const auto& flag : kTopLevel) {
    if (flag.name == name) c.*flag.field = true;
  }
  for (const auto& flag : kTftp) {
    if (flag.name == name) c.tftp.*flag.field = true;
  }
  return accepted();
}

// port, dhcp-lease-max, tftp-max, tftp-mtu, log-async: atoi_check values (empty = 0).
ParseStatus parse_number_option(ConfigBuilder& builder, const OptionInput& input) {
  Config& c = builder.config;
  const std::string_view name = input.spec.name;
  if (name == "port") {
    const auto port = parse_number16(input.text);
    if (!port) return rejected("error", "port must be a number from 0 to 65535");
    c.dns_port = *port;
    return accepted();
  }
  if (name == "log-async" && !input.present) {
    c.log_async = 5;
    return accepted();
  }
  const auto number = parse_number(input.text);
  if (!number) return rejected("error", std::string(name) + " must be a number");
  if (name == "dhcp-lease-max") c.lease_max = *number;
  if (name == "tftp-max") c.tftp.max_transfers = *number;
  if (name == "tftp-mtu") c.tftp.mtu = *number;
  if (name == "log-async") c.log_async = std::min<std::uint32_t>(*number, 100);
  return accepted();
}

// http-port=PORT, http-root=DIR: pxemasq's HTTP server (not dnsmasq options).
ParseStatus parse_http_option(ConfigBuilder& builder, const OptionInput& input) {
  Http& http = builder.config.http;
  std::string value = unhide(input.text);
  if (input.spec.name == "http-port") {
    const auto port = parse_number16(value);
    if (!port || *port == 0) return rejected("bad http-port", "use a TCP port from 1 to 65535, e.g. http-port=80");
    http.port = *port;
    return accepted();
  }
  if (value.empty() || value.front() != '/') {
    return rejected("bad http-root", "use an absolute directory, e.g. http-root=/var/lib/tftpboot");
  }
  http.root = std::move(value);
  return accepted();
}

// user, group, pid-file, dhcp-leasefile/dhcp-lease: a bare name or `name=` has its own meaning.
ParseStatus parse_string_option(ConfigBuilder& builder, const OptionInput& input) {
  Config& c = builder.config;
  const std::string_view name = input.spec.name;
  std::string value = unhide(input.text);
  if (name == "user") c.user = std::move(value);          // empty: stay root
  if (name == "group") c.group = std::move(value);        // empty: keep the group
  if (name == "pid-file") c.pid_file = std::move(value);  // empty: no pid file
  if ((name == "dhcp-leasefile" || name == "dhcp-lease") && input.present) {
    c.lease_file = std::move(value);  // a bare name keeps the default file
  }
  return accepted();
}

ParseStatus parse_log_facility(ConfigBuilder& builder, const OptionInput& input) {
  static constexpr std::array<std::string_view, 22> kFacilities{
      "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv",
      "ftp", "security", "mark", "local0", "local1", "local2", "local3", "local4", "local5",
      "local6", "local7"};
  LogFacility& facility = builder.config.log_facility;
  builder.config.log_facility_set = true;
  std::string value = unhide(input.text);
  if (value.find('/') != std::string::npos) {
    facility = {LogFacility::Kind::file, value};
    return accepted();
  }
  if (value == "-") {
    facility = {LogFacility::Kind::stderr_stream, value};
    return accepted();
  }
  std::transform(value.begin(), value.end(), value.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (std::find(kFacilities.begin(), kFacilities.end(), value) == kFacilities.end()) {
    return rejected("bad log facility", "use a syslog facility (daemon, local0..local7, ...), a path, or -");
  }
  facility = {LogFacility::Kind::syslog, value};
  return accepted();
}

namespace {

bool valid_domain_name(std::string_view name) {
  std::size_t label = 0;
  for (const char c : name) {
    label = c == '.' ? 0 : label + 1;
    if (label > 63) return false;
  }
  return name.size() <= 255;
}

// domain=NAME,NET/LEN[,local]
ParseStatus parse_domain_subnet(std::span<const std::string_view> items) {
  const std::string_view net = items[1];
  const std::size_t slash = net.find('/');
  if (!parse_ipv4(net.substr(0, slash)) && !is_ipv6(net.substr(0, slash))) return rejected("error");
  const auto length = parse_number(net.substr(slash + 1));
  if (!length) return rejected("error");
  const unsigned max_length = parse_ipv4(net.substr(0, slash)) ? 32 : 128;
  if (*length > max_length) return rejected("bad prefix length");
  if (items.size() > 3 || (items.size() == 3 && items[2] != "local")) return rejected("error");
  return accepted();
}

}  // namespace

// domain=NAME | NAME,IP1[,IP2] | NAME,NET/LEN[,local] | NAME,IFNAME | # (spec §3.16)
ParseStatus parse_domain(ConfigBuilder& builder, const OptionInput& input) {
  const auto items = split_list(input.text);
  if (!valid_domain_name(items[0])) return rejected("error", "a domain label is at most 63 characters");
  if (items.size() == 1) {
    builder.config.domain = unhide(items[0]);
    return accepted();
  }
  if (items[1].find('/') != std::string_view::npos) return parse_domain_subnet(items);
  if (parse_ipv4(items[1])) {
    if (items.size() > 2 && !parse_ipv4(items[2])) return rejected("error");
  }
  // Conditional domains (per range or interface) are kept for the DHCP layer's later use.
  return accepted();
}

// dhcp-alternate-port[=SERVER[,CLIENT]]: bare = 1067/1068; one value: client = server + 1.
ParseStatus parse_alternate_port(ConfigBuilder& builder, const OptionInput& input) {
  Config& c = builder.config;
  if (!input.present || input.text.empty()) {
    c.server_port = 1067;
    c.client_port = 1068;
    return accepted();
  }
  const auto items = split_list(input.text);
  if (items.size() > 2) return rejected("invalid port number");
  const auto server = parse_number16(items[0]);
  if (!server) return rejected("invalid port number");
  c.server_port = *server;
  c.client_port = static_cast<std::uint16_t>(*server + 1);
  if (items.size() == 2) {
    const auto client = parse_number16(items[1]);
    if (!client) return rejected("invalid port number");
    c.client_port = *client;
  }
  return accepted();
}

}  // namespace pxemasq::config
