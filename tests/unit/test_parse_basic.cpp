// dhcp-range, dhcp-boot, interfaces, TFTP, process and logging options (spec §3.1–3.2, §3.5,
// §3.11–3.16): each form accepted or rejected with dnsmasq's message.

#include <gtest/gtest.h>

#include "config/option_table.hpp"
#include "config/parsers.hpp"
#include "config/quoting.hpp"
#include "option_parsing.hpp"

namespace pxemasq::config {
namespace {

struct Outcome {
  ParseStatus status;
  ConfigBuilder builder;
};

using testing::feed;
using testing::verdict;

// Parse `name=value` (or a bare `name` when value is nullopt) through the option table's parser.
Outcome parse(std::string_view name, std::optional<std::string_view> value) {
  Outcome out;
  out.status = feed(out.builder, name, value);
  return out;
}

struct Case {
  const char* name;
  const char* value;
  const char* expected;  // "ok" or dnsmasq's message
};

// Every verdict here was checked against dnsmasq 2.90's --test.
const Case kCases[] = {
    {"dhcp-range", "1.2.3.4", "bad dhcp-range"},
    {"dhcp-range", "1.2.3.4,1.2.3.9,255.255.255.0,1.2.3.255,12h", "ok"},
    {"dhcp-range", "1.2.3.4,1.2.3.9,255.255.255.0,1.2.3.255,12h,x", "bad dhcp-range"},
    {"dhcp-range", "1.2.3.9,1.2.3.4,12x", "bad dhcp-range"},
    {"dhcp-range", "cafe,1.2.3.4,1.2.3.9", "bad dhcp-range"},
    {"dhcp-range", "tag:a,set:b,set:c,1.2.3.4,1.2.3.9", "only one tag allowed"},
    {"dhcp-range", "1.2.3.4,1.2.4.9,255.255.255.0", "inconsistent DHCP range"},
    {"dhcp-range", "1.2.3.4,static,255.255.255.0", "ok"},
    {"dhcp-range", "1.2.3.4,proxy", "ok"},
    {"dhcp-range", "1.2.3.4,Static", "bad dhcp-range"},
    {"dhcp-range", "1.2.3.4,1.2.3.300", "bad dhcp-range"},
    {"dhcp-range", "1.2.3.4,1.2.3.9,infinite", "ok"},
    {"dhcp-range", "1.2.3.4,1.2.3.9,INFINITE", "bad dhcp-range"},
    {"dhcp-range", "1.2.3.4,1.2.3.9,deprecated", "ok"},
    {"dhcp-range", "interface:eth0,1.2.3.4,1.2.3.9", "ok"},
    {"dhcp-range", "1.2.3.4,1.2.3.9,255.255.255.0,12h,1h", "bad dhcp-range"},
    {"dhcp-range", "1.2.3.4,1.2.3.9,1.2.3.4.5", "bad dhcp-range"},
    {"dhcp-range", "x,1.2.3.4", "bad dhcp-range"},
    {"dhcp-range", "::1,::9", "ok"},
    {"dhcp-range", "1.2.3.4,", "bad dhcp-range"},
    {"dhcp-range", "1.2.3.4,1.2.3.9,", "ok"},
    {"dhcp-range", "tag:,1.2.3.4,1.2.3.9", "ok"},
    {"dhcp-range", "1.2.3.4,1.2.3.9,255.255.255.0,1.2.3.x", "bad dhcp-range"},
    {"dhcp-range", "1.2.3.4,static,12h", "ok"},
    {"dhcp-range", "a b,1.2.3.4,1.2.3.9", "bad dhcp-range"},
    {"dhcp-range", "1.2.3.4,1.2.3.9,255.255.255.0,,12h", "bad dhcp-range"},
    {"dhcp-range", "1.2.3.4,1.2.3.9,255.255.0.0,1.2.3.255,1.2.3.9", "bad dhcp-range"},
    {"dhcp-range", "", "bad dhcp-range"},
    {"dhcp-boot", "tag:x", "error"},
    {"dhcp-boot", "tag:x,tag:y", "error"},
    {"dhcp-boot", "a,b,c,d", "ok"},
    {"dhcp-boot", "", "ok"},
    {"dhcp-boot", "pxelinux.0,srv,bad_name!", "ok"},
    {"tftp-unique-root", "foo", "error"},
    {"tftp-unique-root", "MAC", "ok"},
    {"tftp-unique-root", "", "error"},
    {"tftp-port-range", "5", "bad port range"},
    {"tftp-port-range", "5,x", "bad port range"},
    {"tftp-port-range", "9,5", "ok"},
    {"tftp-port-range", "5,70000", "bad port range"},
    {"tftp-port-range", "5,6,7", "bad port range"},
    {"log-facility", "LOCAL3", "ok"},
    {"log-facility", "bogus", "bad log facility"},
    {"log-facility", "-", "ok"},
    {"log-facility", "/var/log/pxemasq.log", "ok"},
    {"log-facility", "", "bad log facility"},
    {"log-async", "0", "ok"},
    {"log-async", "x", "error"},
    {"listen-address", "1.2.3.4,5.6.7.8", "ok"},
    {"listen-address", "1.2.3.4,x", "error"},
    {"listen-address", "1.2.3", "error"},
    {"listen-address", "fe80::1", "ok"},
    {"dhcp-alternate-port", "5", "ok"},
    {"dhcp-alternate-port", "5,6,7", "invalid port number"},
    {"dhcp-alternate-port", "x", "invalid port number"},
    {"dhcp-alternate-port", "", "ok"},
    {"dhcp-lease-max", "", "ok"},
    {"dhcp-lease-max", "x", "error"},
    {"tftp-max", "x1", "error"},
    {"tftp-mtu", "70000", "ok"},
    {"port", "70000", "error"},
    {"port", "", "ok"},
    {"domain", "", "ok"},
    {"domain", "a b c", "ok"},
    {"domain", "foo,1.2.3.0/24,local", "ok"},
    {"domain", "foo,1.2.3.0/24,bogus", "error"},
    {"domain", "foo,1.2.3.0/24,local,x", "error"},
    {"domain", "foo,1.2.3.0/33", "bad prefix length"},
    {"domain", "foo,1.2.3.0/x", "error"},
    {"domain", "foo,1.2.3.x/24", "error"},
    {"domain", "foo,1.2.3.4,x", "error"},
    {"domain", "foo,1.2.3.4,1.2.3.9,x", "ok"},
    {"domain", "foo,eth0", "ok"},
    {"domain", "foo,fe80::/64", "ok"},
    {"cache-size", "abc", "error"},
    {"cache-size", "5,6", "error"},
    {"local-ttl", "x", "error"},
    {"query-port", "70000", "error"},
    {"dnssec-limits", "1,2,3", "ok"},
    {"local-service", "net", "ok"},
    {"local-service", "x", "error"},
    {"dnssec-check-unsigned", "x", "bad value for dnssec-check-unsigned"},
    {"dhcp-proxy", "1.2.3.4,5.6.7.8", "ok"},
    {"dhcp-proxy", "", "bad dhcp-proxy address"},
    {"dhcp-reply-delay", "tag:x", "error"},
    {"dhcp-reply-delay", "5,6", "error"},
    {"dhcp-reply-delay", "tag:x,5", "ok"},
    {"dhcp-reply-delay", "", "ok"},
    {"dhcp-relay", "1.2.3.4", "Bad dhcp-relay"},
    {"dhcp-relay", "1.2.3.4,5.6.7.8", "ok"},
    {"bridge-interface", "x", "bad bridge-interface"},
    {"bridge-interface", "x,y", "ok"},
    {"dhcp-duid", "xyz", "bad DUID"},
    {"dhcp-duid", "1,01:02", "ok"},
    {"dhcp-luascript", "/x", "recompile with HAVE_LUASCRIPT defined to enable Lua scripts"},
};

TEST(ParseBasic, VerdictsMatchDnsmasq) {
  for (const Case& c : kCases) {
    EXPECT_EQ(verdict(c.name, c.value), c.expected) << c.name << "=" << c.value;
  }
}

TEST(ParseBasic, BareOptionalValues) {
  EXPECT_EQ(verdict("cache-size", std::nullopt), "error");  // [verified]
  EXPECT_EQ(verdict("use-stale-cache", std::nullopt), "ok");
  EXPECT_EQ(verdict("tftp-unique-root", std::nullopt), "ok");
  EXPECT_EQ(parse("log-async", std::nullopt).builder.config.log_async, 5U);
  EXPECT_EQ(parse("tftp-unique-root", std::nullopt).builder.config.tftp.unique_root, UniqueRoot::ip);
}

TEST(DhcpRange, FullForm) {
  const auto out = parse("dhcp-range", "tag:eth0,tag:!known,set:pool,10.0.0.20,10.0.0.10,255.255.255.0,10.0.0.255,2d");
  ASSERT_FALSE(out.status);
  const DhcpRange& range = out.builder.config.ranges.at(0);
  EXPECT_EQ(range.start.to_string(), "10.0.0.10");  // swapped
  EXPECT_EQ(range.end.to_string(), "10.0.0.20");
  EXPECT_EQ(range.required_tags, (TagFilter{{"eth0", false, false}, {"known", true, false}}));
  EXPECT_EQ(range.set_tag, "pool");
  EXPECT_EQ(range.broadcast->to_string(), "10.0.0.255");
  EXPECT_EQ(range.lease_seconds, 172800U);
  EXPECT_EQ(range.mode, RangeMode::dynamic);
}

TEST(DhcpRange, LeaseDefaultsClampsAndInfinite) {
  EXPECT_EQ(parse("dhcp-range", "1.2.3.4,1.2.3.9").builder.config.ranges.at(0).lease_seconds, 3600U);
  EXPECT_EQ(parse("dhcp-range", "1.2.3.4,1.2.3.9,30").builder.config.ranges.at(0).lease_seconds, 120U);
  EXPECT_EQ(parse("dhcp-range", "1.2.3.4,1.2.3.9,").builder.config.ranges.at(0).lease_seconds, 120U);
  EXPECT_EQ(parse("dhcp-range", "1.2.3.4,1.2.3.9,infinite").builder.config.ranges.at(0).lease_seconds,
            kInfiniteLease);
  EXPECT_EQ(parse("dhcp-range", "1.2.3.4,1.2.3.9,1w").builder.config.ranges.at(0).lease_seconds, 604800U);
}

TEST(DhcpRange, CidrLengthIsALeaseWithAWarning) {
  const auto out = parse("dhcp-range", "1.2.3.4,1.2.3.9,24");
  ASSERT_FALSE(out.status);
  EXPECT_EQ(out.builder.config.ranges.at(0).lease_seconds, 120U);
  EXPECT_FALSE(out.builder.config.ranges.at(0).netmask);
  ASSERT_EQ(out.builder.warnings.size(), 1U);
  EXPECT_NE(out.builder.warnings[0].message.find("not a /24 netmask"), std::string::npos);
}

TEST(DhcpRange, StaticAndProxyModes) {
  const auto out = parse("dhcp-range", "set:s,10.0.0.0,static,255.255.255.0,12h");
  const DhcpRange& range = out.builder.config.ranges.at(0);
  EXPECT_EQ(range.mode, RangeMode::static_only);
  EXPECT_EQ(range.end, range.start);
  EXPECT_EQ(range.lease_seconds, 43200U);
  EXPECT_EQ(parse("dhcp-range", "10.0.0.0,proxy").builder.config.ranges.at(0).mode, RangeMode::proxy);
}

TEST(DhcpRange, QuotedAddressIsNotAnAddress) {
  std::string value;
  for (char c : std::string("1.2.3.4")) value += hide(c);
  value += ",1.2.3.5";
  EXPECT_EQ(verdict("dhcp-range", value), "bad dhcp-range");  // [verified]
}

TEST(DhcpRange, Ipv6RangeIsIgnoredWithAWarning) {
  const auto out = parse("dhcp-range", "::1,::9");
  EXPECT_TRUE(out.builder.config.ranges.empty());
  EXPECT_EQ(out.builder.warnings.size(), 1U);
}

TEST(DhcpBoot, FileServerNameAndAddress) {
  const auto out = parse("dhcp-boot", "tag:efi,tag:!bios,bootx64.efi,boothost,192.168.1.70");
  const DhcpBoot& boot = out.builder.config.boots.at(0);
  EXPECT_EQ(boot.tags.size(), 2U);
  EXPECT_EQ(boot.file, "bootx64.efi");
  EXPECT_EQ(boot.server_name, "boothost");
  EXPECT_EQ(boot.server_address->to_string(), "192.168.1.70");
  const auto named = parse("dhcp-boot", "pxelinux.0,,tftp.example");
  EXPECT_EQ(named.builder.config.boots.at(0).server_name, "");
  EXPECT_EQ(named.builder.config.boots.at(0).server_host, "tftp.example");
  EXPECT_FALSE(named.builder.config.boots.at(0).server_address);
}

TEST(DhcpBoot, SetPrefixIsDataWithAWarning) {
  const auto out = parse("dhcp-boot", "set:x,file");
  EXPECT_EQ(out.builder.config.boots.at(0).file, "set:x");
  EXPECT_EQ(out.builder.warnings.size(), 1U);
}

TEST(Interfaces, ListsAndWildcards) {
  EXPECT_EQ(parse("interface", "ens33,eth*").builder.config.interfaces,
            (std::vector<std::string>{"ens33", "eth*"}));
  EXPECT_EQ(parse("interface", "").builder.config.interfaces, std::vector<std::string>{""});
  EXPECT_EQ(parse("except-interface", "lo").builder.config.except_interfaces,
            std::vector<std::string>{"lo"});
  EXPECT_EQ(parse("no-dhcp-interface", "a").builder.config.no_dhcp_interfaces,
            std::vector<std::string>{"a"});
  EXPECT_EQ(parse("no-dhcpv4-interface", "b").builder.config.no_dhcpv4_interfaces,
            std::vector<std::string>{"b"});
  EXPECT_EQ(parse("listen-address", "192.168.1.70").builder.config.listen_addresses.at(0).to_string(),
            "192.168.1.70");
}

TEST(Tftp, EnableWithAndWithoutInterfaces) {
  const auto bare = parse("enable-tftp", std::nullopt);
  EXPECT_TRUE(bare.builder.config.tftp.enabled);
  EXPECT_FALSE(bare.builder.config.tftp.interfaces);
  const auto listed = parse("enable-tftp", "ens33,eth*");
  EXPECT_EQ(*listed.builder.config.tftp.interfaces, (std::vector<std::string>{"ens33", "eth*"}));
  const auto empty = parse("enable-tftp", "");  // [quirk] matches no interface
  EXPECT_EQ(*empty.builder.config.tftp.interfaces, std::vector<std::string>{""});
  EXPECT_EQ(empty.builder.warnings.size(), 1U);
}

TEST(Tftp, RootPerInterfaceAndRelativeWarning) {
  const auto out = parse("tftp-root", "/srv/tftp,ens33");
  EXPECT_EQ(out.builder.config.tftp.roots.at(0).directory, "/srv/tftp");
  EXPECT_EQ(out.builder.config.tftp.roots.at(0).interface, "ens33");
  EXPECT_TRUE(out.builder.warnings.empty());
  EXPECT_EQ(parse("tftp-root", "relative").builder.warnings.size(), 1U);
}

TEST(Tftp, ScalarsAndFlags) {
  EXPECT_EQ(parse("tftp-max", "200").builder.config.tftp.max_transfers, 200U);
  EXPECT_EQ(parse("tftp-mtu", "1400").builder.config.tftp.mtu, 1400U);
  EXPECT_EQ(parse("tftp-port-range", "9000,8000").builder.config.tftp.port_range,
            std::make_pair(std::uint16_t{8000}, std::uint16_t{9000}));
  EXPECT_EQ(parse("tftp-unique-root", "mac").builder.config.tftp.unique_root, UniqueRoot::mac);
  EXPECT_TRUE(parse("tftp-secure", std::nullopt).builder.config.tftp.secure);
  EXPECT_TRUE(parse("tftp-no-fail", std::nullopt).builder.config.tftp.no_fail);
  EXPECT_TRUE(parse("tftp-lowercase", std::nullopt).builder.config.tftp.lowercase);
  EXPECT_TRUE(parse("tftp-no-blocksize", std::nullopt).builder.config.tftp.no_blocksize);
  EXPECT_TRUE(parse("tftp-single-port", std::nullopt).builder.config.tftp.single_port);
}

TEST(Flags, EveryServedFlagSetsItsField) {
  EXPECT_TRUE(parse("dhcp-authoritative", std::nullopt).builder.config.authoritative);
  EXPECT_TRUE(parse("log-dhcp", std::nullopt).builder.config.log_dhcp);
  EXPECT_TRUE(parse("no-ping", std::nullopt).builder.config.no_ping);
  EXPECT_TRUE(parse("quiet-tftp", std::nullopt).builder.config.quiet_tftp);
  EXPECT_TRUE(parse("quiet-dhcp", std::nullopt).builder.config.quiet_dhcp);
  EXPECT_TRUE(parse("bind-interfaces", std::nullopt).builder.config.bind_interfaces);
  EXPECT_TRUE(parse("bind-dynamic", std::nullopt).builder.config.bind_dynamic);
  EXPECT_TRUE(parse("no-daemon", std::nullopt).builder.config.no_daemon);
  EXPECT_TRUE(parse("keep-in-foreground", std::nullopt).builder.config.keep_in_foreground);
  EXPECT_TRUE(parse("leasefile-ro", std::nullopt).builder.config.leasefile_ro);
  EXPECT_TRUE(parse("dhcp-no-override", std::nullopt).builder.config.no_override);
  EXPECT_TRUE(parse("dhcp-sequential-ip", std::nullopt).builder.config.sequential_ip);
  EXPECT_TRUE(parse("dhcp-ignore-clid", std::nullopt).builder.config.ignore_client_id);
  EXPECT_TRUE(parse("dhcp-rapid-commit", std::nullopt).builder.config.rapid_commit);
  EXPECT_TRUE(parse("log-debug", std::nullopt).builder.config.log_debug);
}

TEST(Process, UserGroupPidFileLeaseFile) {
  EXPECT_EQ(parse("user", "pxemasq").builder.config.user, "pxemasq");
  EXPECT_EQ(parse("user", std::nullopt).builder.config.user, "");
  EXPECT_EQ(parse("group", "dip").builder.config.group, "dip");
  EXPECT_EQ(parse("pid-file", std::nullopt).builder.config.pid_file, "");
  EXPECT_EQ(parse("pid-file", "/run/pxemasq.pid").builder.config.pid_file, "/run/pxemasq.pid");
  EXPECT_EQ(parse("dhcp-leasefile", "/var/lib/pxemasq/leases").builder.config.lease_file,
            "/var/lib/pxemasq/leases");
  EXPECT_FALSE(parse("dhcp-leasefile", std::nullopt).builder.config.lease_file);
  EXPECT_EQ(parse("dhcp-lease-max", "150").builder.config.lease_max, 150U);
  EXPECT_EQ(parse("port", "0").builder.config.dns_port, 0);
  EXPECT_EQ(parse("domain", "lab.example").builder.config.domain, "lab.example");
}

TEST(Process, AlternatePorts) {
  const auto bare = parse("dhcp-alternate-port", std::nullopt).builder.config;
  EXPECT_EQ(bare.server_port, 1067);
  EXPECT_EQ(bare.client_port, 1068);
  const auto one = parse("dhcp-alternate-port", "2067").builder.config;
  EXPECT_EQ(one.client_port, 2068);
  const auto two = parse("dhcp-alternate-port", "2067,3068").builder.config;
  EXPECT_EQ(two.client_port, 3068);
}

TEST(Logging, Facility) {
  const auto file = parse("log-facility", "/var/log/pxemasq.log").builder.config.log_facility;
  EXPECT_EQ(file.kind, LogFacility::Kind::file);
  const auto dash = parse("log-facility", "-").builder.config.log_facility;
  EXPECT_EQ(dash.kind, LogFacility::Kind::stderr_stream);
  const auto syslog = parse("log-facility", "LOCAL3").builder.config.log_facility;
  EXPECT_EQ(syslog.kind, LogFacility::Kind::syslog);
  EXPECT_EQ(syslog.value, "local3");
}

}  // namespace
}  // namespace pxemasq::config
