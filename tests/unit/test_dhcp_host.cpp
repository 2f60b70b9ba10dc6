// dhcp-host (spec §3.7): every item form, the host name rules, and dnsmasq's error messages.
// Verdicts were checked with dnsmasq 2.90 `--test`; hex, lease and name values against the
// replies of a running dnsmasq 2.90.

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

#include "config/option_table.hpp"
#include "config/parsers.hpp"
#include "config/quoting.hpp"
#include "option_parsing.hpp"

namespace pxemasq::config {
namespace {

using testing::feed;
using testing::quoted;
using testing::has_warning;

std::string verdict(std::string_view value) {
  ConfigBuilder builder;
  const ParseStatus status = feed(builder, "dhcp-host", value);
  return status ? status->message : "ok";
}

// One accepted line; the test fails if it is rejected.
DhcpHost host_of(std::string_view value, ConfigBuilder& builder) {
  const ParseStatus status = feed(builder, "dhcp-host", value);
  EXPECT_FALSE(status) << value << ": " << (status ? status->message : "");
  EXPECT_EQ(builder.config.hosts.size(), 1U) << value;
  return builder.config.hosts.empty() ? DhcpHost{} : builder.config.hosts.back();
}

DhcpHost host_of(std::string_view value) {
  ConfigBuilder builder;
  return host_of(value, builder);
}

struct Case {
  const char* value;
  const char* expected;  // "ok" or dnsmasq's message
};

// Every verdict was checked against dnsmasq 2.90's --test.
constexpr Case kVerdicts[] = {
    {"", "ok"},
    {",,", "ok"},
    {":", "ok"},
    {"52:54:00:12:34:56,192.168.1.70,pc1,12h", "ok"},
    {"aa-bb-cc-dd-ee-ff", "ok"},  // a host name [quirk]
    {"1.2.3.300", "ok"},          // host name `1` [quirk]
    {"1.2.3", "ok"},
    {"300.2.3.4", "ok"},
    {"-abc", "bad DHCP host name"},
    {"_ab", "bad DHCP host name"},
    {"a_b", "ok"},
    {"a b", "bad DHCP host name"},
    {"a.b c", "ok"},  // only the first label is checked
    {"ho#st", "bad DHCP host name"},
    {"h*", "bad DHCP host name"},
    {"a.b*", "ok"},
    {".foo", "ok"},
    {".", "bad DHCP host name"},
    {"..", "ok"},
    {"a..", "ok"},
    {"[1.2.3.4]", "bad DHCP host name"},
    {"[]", "bad DHCP host name"},
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "ok"},  // 63
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bad DHCP host name"},
    {"x.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bad DHCP host name"},
    // Capitals and non-ASCII go through IDN conversion, with its label rules.
    {"MyHost", "ok"},
    {"Ab--cd", "bad DHCP host name"},
    {"ab--cd", "ok"},
    {"A-", "bad DHCP host name"},
    {"a-", "ok"},
    {"a.-B", "bad DHCP host name"},
    {"a.-b", "ok"},
    {"Xn--ssa", "bad DHCP host name"},
    {"A.b--c", "ok"},
    {"A.b!c", "ok"},
    {"h\xc3\xabst", "ok"},               // hëst
    {"\xc3\xab", "bad DHCP host name"},  // ë alone has no printable ASCII character
    {"\xc3\xbc.", "ok"},                 // ü.
    {"-\xc3\xabst", "bad DHCP host name"},
    {"\xc3\xab"
     "a--b",
     "bad DHCP host name"},
    {"h\xffst", "bad DHCP host name"},  // not UTF-8
    // Leases, infinite, ignore.
    {"12w", "ok"},
    {"12 h", "ok"},
    {"12hh", "ok"},  // host name
    {"s", "ok"},     // host name
    {"infinite", "ok"},
    {"INFINITE", "ok"},  // host name
    {"ignore", "ok"},
    {"99999999999", "ok"},
    // Items with `:`.
    {"set:a:b", "ok"},
    {"net:x", "ok"},
    {"tag:!x", "ok"},
    {"Set:x", "bad hex constant"},
    {"x:y", "bad hex constant"},
    {"0g:01", "bad hex constant"},
    {"1*:01", "bad hex constant"},
    {"01::02", "ok"},
    {"-01:02", "ok"},
    {"123-01:02", "ok"},
    {"01 02-03:04", "ok"},
    {"01:02:03:04:05:06:07:08:09:10:11:12:13:14:15:16:zz", "ok"},  // cut at 16 bytes
    {"01:02:03:04:05:06:07:08:09:10:11:12:13:14:15:zz", "bad hex constant"},
    {"[::1]x", "bad hex constant"},
    {"[::1", "bad hex constant"},
    {"id:", "ok"},
    {"id:*foo", "ok"},
    {"id:01:*:02", "ok"},
    {"ID:01::02", "ok"},
    {"id:01:zz", "bad hex constant"},
    {"id:abc:", "ok"},
    {"id:01-02", "ok"},
    {"id:hello world", "ok"},
    // IPv6 items: validated, not used.
    {"[::1]", "ok"},
    {"[::x]", "bad IPv6 address"},
    {"[::1]]", "bad IPv6 address"},
    {"[[::1]", "bad IPv6 address"},
    {"[::/64]", "ok"},
    {"[::1/64]", "ok"},  // 2.90's shift wraps at 64
    {"[::1/0]", "ok"},
    {"[::1/]", "ok"},
    {"[::1/128]", "ok"},
    {"[::1/32]", "bad IPv6 prefix"},
    {"[1::1/32]", "bad IPv6 prefix"},
    {"[::1/63]", "bad IPv6 prefix"},
    {"[::2/63]", "ok"},
    {"[::2/62]", "bad IPv6 prefix"},
    {"[::1/65]", "bad IPv6 prefix"},
    {"[::1/129]", "bad IPv6 prefix"},
    {"[::1/x]", "bad IPv6 prefix"},
    {"[::1/64/2]", "bad IPv6 prefix"},
    {"[1:2:3:4:5::/48]", "ok"},
    {"[1:2:3:4::/8]", "ok"},
    // Two addresses on one line: the last wins, no duplicate.
    {"1.2.3.4,1.2.3.4", "ok"},
};

TEST(DhcpHostVerdict, MatchesDnsmasq) {
  for (const Case& c : kVerdicts) EXPECT_EQ(verdict(c.value), c.expected) << c.value;
}

TEST(DhcpHostVerdict, QuotedCharactersAreNotSyntax) {
  EXPECT_EQ(verdict(quoted("aa:bb:cc:dd:ee:ff")), "bad DHCP host name");  // no `:`: a name
  EXPECT_EQ(verdict(quoted("tag:x")), "bad DHCP host name");
  EXPECT_EQ(verdict(quoted("a,b")), "bad DHCP host name");
  EXPECT_EQ(verdict(quoted("a b")), "bad DHCP host name");
  EXPECT_EQ(verdict("a.b" + quoted("\t") + "c"), "bad DHCP host name");
  EXPECT_EQ(verdict("aa:" + quoted("bb") + ":cc"), "bad hex constant");
  EXPECT_EQ(verdict(quoted("1.2.3.4")), "ok");
  EXPECT_EQ(verdict("a" + quoted("_") + "b"), "ok");
}

TEST(DhcpHost, FullLine) {
  ConfigBuilder builder;
  const DhcpHost host = host_of(
      "52:54:00:12:34:56,set:pxe,net:old,tag:lab,tag:!guest,192.168.1.70,"
      "pc1.example.com,12h",
      builder);
  EXPECT_EQ(host.origin, (Origin{"t.conf", 1}));
  ASSERT_EQ(host.hardware_addresses.size(), 1U);
  EXPECT_EQ(host.hardware_addresses[0].bytes,
            (std::vector<std::uint8_t>{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}));
  EXPECT_FALSE(host.hardware_addresses[0].hardware_type);
  EXPECT_EQ(host.set_tags, (std::vector<std::string>{"pxe", "old"}));
  EXPECT_EQ(host.filter_tags, (TagFilter{{"lab", false, false}, {"guest", true, false}}));
  ASSERT_TRUE(host.address);
  EXPECT_EQ(host.address->to_string(), "192.168.1.70");
  EXPECT_EQ(host.hostname, "pc1");
  EXPECT_EQ(host.domain, "example.com");
  EXPECT_EQ(host.lease_seconds, 43200U);
  EXPECT_FALSE(host.ignore);
  EXPECT_TRUE(builder.warnings.empty());
}

TEST(DhcpHost, SeveralMacsWildcardsAndTypes) {
  const DhcpHost host = host_of("52:54:00:12:34:56,06-00:20:e0:*:*:*,*:*:*:*:*:*");
  ASSERT_EQ(host.hardware_addresses.size(), 3U);
  EXPECT_EQ(host.hardware_addresses[1].hardware_type, 6);
  EXPECT_EQ(host.hardware_addresses[1].wildcard,
            (std::vector<bool>{false, false, false, true, true, true}));
  EXPECT_EQ(host.hardware_addresses[2].wildcard, std::vector<bool>(6, true));
}

TEST(DhcpHost, HexGroupsFollowDnsmasq) {
  // `123` is 12 03: a live dnsmasq matched this line for chaddr 12:03:45:67:89:ab.
  EXPECT_EQ(host_of("123:45:67:89:ab").hardware_addresses.at(0).bytes,
            (std::vector<std::uint8_t>{0x12, 0x03, 0x45, 0x67, 0x89, 0xab}));
  EXPECT_EQ(host_of("01::02").hardware_addresses.at(0).bytes, (std::vector<std::uint8_t>{1, 2}));
  EXPECT_TRUE(host_of(":").hardware_addresses.at(0).bytes.empty());
  ConfigBuilder builder;
  const DhcpHost longer = host_of("01:02:03:04:05:06:07:08:09:10:11:12:13:14:15:16:zz", builder);
  EXPECT_EQ(longer.hardware_addresses.at(0).bytes.size(), 16U);
  EXPECT_TRUE(has_warning(builder, "first 16 bytes"));
}

TEST(DhcpHost, ClientIds) {
  const DhcpHost host = host_of("id:01:52:54:00:12:34:56,id:hello world,ID:0102");
  ASSERT_EQ(host.client_ids.size(), 3U);
  EXPECT_EQ(host.client_ids[0], (std::vector<std::uint8_t>{1, 0x52, 0x54, 0, 0x12, 0x34, 0x56}));
  EXPECT_EQ(host.client_ids[1],
            (std::vector<std::uint8_t>{'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd'}));
  EXPECT_EQ(host.client_ids[2], (std::vector<std::uint8_t>{'0', '1', '0', '2'}));  // no `:`
  EXPECT_FALSE(host.ignore_client_id);
  // A quoted `:` does not make it hex.
  EXPECT_EQ(host_of("id:" + quoted("01:02")).client_ids.at(0),
            (std::vector<std::uint8_t>{'0', '1', ':', '0', '2'}));
  EXPECT_TRUE(host_of("id:*").ignore_client_id);
  EXPECT_TRUE(host_of("id:").client_ids.at(0).empty());
}

TEST(DhcpHost, ClientIdWildcardWarns) {
  ConfigBuilder builder;
  const DhcpHost host = host_of("id:01:*:02", builder);
  EXPECT_EQ(host.client_ids.at(0), (std::vector<std::uint8_t>{1, 0, 2}));
  EXPECT_TRUE(has_warning(builder, "not a wildcard"));
}

struct LeaseCase {
  const char* value;
  std::uint32_t seconds;
};

TEST(DhcpHost, LeaseTimes) {
  constexpr LeaseCase kLeases[] = {
      {"45", 120},  // at least 120 s [verified on the wire]
      {"0", 120},    {"120", 120},  {"5m", 300},     {"2M", 120},  {"12 h", 43200},
      {"3 00", 120}, {"1d", 86400}, {"2W", 1209600}, {"30s", 120}, {"infinite", kInfiniteLease},
  };
  for (const LeaseCase& c : kLeases) {
    EXPECT_EQ(host_of(c.value).lease_seconds, c.seconds) << c.value;
  }
  ConfigBuilder builder;
  EXPECT_EQ(host_of("100000000w", builder).lease_seconds, kInfiniteLease - 1);
  EXPECT_TRUE(has_warning(builder, "too long"));
}

TEST(DhcpHost, WordsThatAreHostNames) {
  EXPECT_EQ(host_of("m").hostname, "m");  // one character: no unit
  EXPECT_EQ(host_of("12hh").hostname, "12hh");
  EXPECT_EQ(host_of("1h2").hostname, "1h2");
  EXPECT_EQ(host_of("INFINITE").hostname, "infinite");
  EXPECT_FALSE(host_of("INFINITE").lease_seconds);
  EXPECT_EQ(host_of("Ignore").hostname, "ignore");
  // Quoted digits are not a lease, a quoted `ignore` is a name [verified: option 12 "300"].
  const DhcpHost quoted_number = host_of(quoted("300"));
  EXPECT_EQ(quoted_number.hostname, "300");
  EXPECT_FALSE(quoted_number.lease_seconds);
  const DhcpHost quoted_ignore = host_of(quoted("ignore"));
  EXPECT_EQ(quoted_ignore.hostname, "ignore");
  EXPECT_FALSE(quoted_ignore.ignore);
}

TEST(DhcpHost, Ignore) {
  const DhcpHost host = host_of("52:54:00:12:34:56,ignore");
  EXPECT_TRUE(host.ignore);
  EXPECT_FALSE(host.hostname);
}

struct NameCase {
  std::string value;
  std::string hostname;
  std::optional<std::string> domain;
};

TEST(DhcpHost, HostNamesAsDnsmasqStoresThem) {
  // Non-ASCII results are the option 12 a running dnsmasq 2.90 sent.
  const NameCase kNames[] = {
      {"pc1", "pc1", std::nullopt},
      {"MyHost.Dom", "myhost", "dom"},
      {"a.b c", "a", "b c"},
      {"a..", "a", std::nullopt},
      {"a.", "a", std::nullopt},
      {"..", "", std::nullopt},
      {".foo", "", "foo"},
      {"1.2.3.300", "1", "2.3.300"},
      {"1.2.3", "1", "2.3"},
      {"h\xc3\xabst", "xn--hst-jma", std::nullopt},  // hëst
      {"A\xc3\xa9", "xn--a-bga", std::nullopt},      // Aé
      {"\xc3\x9f"
       "a",
       "xn--a-pfa", std::nullopt},  // ßa
      {"\xef\xbc\xa1"
       "a",
       "aa", std::nullopt},  // full-width A
      {"ab\xe3\x80\x82"
       "Cd",
       "ab", "cd"},  // ideographic full stop
      {"a.\xc3\xbc--b", "a", "xn----b-goa"},
      {"host" + quoted(".") + "dom", "host", "dom"},
      {quoted("1.2.3.4"), "1", "2.3.4"},
  };
  for (const NameCase& c : kNames) {
    const DhcpHost host = host_of(c.value);
    EXPECT_EQ(host.hostname, c.hostname) << c.value;
    EXPECT_EQ(host.domain, c.domain) << c.value;
  }
}

TEST(DhcpHost, LaterItemsWin) {
  const DhcpHost host = host_of("a.example,b,1.2.3.4,1.2.3.5,5m,1h");
  EXPECT_EQ(host.hostname, "b");
  EXPECT_FALSE(host.domain);
  EXPECT_EQ(host.address->to_string(), "1.2.3.5");
  EXPECT_EQ(host.lease_seconds, 3600U);
}

TEST(DhcpHost, DuplicateAddressAcrossLines) {
  ConfigBuilder builder;
  EXPECT_FALSE(feed(builder, "dhcp-host", "52:54:00:00:00:01,192.168.1.70,ignore"));
  const ParseStatus status = feed(builder, "dhcp-host", "52:54:00:00:00:02,192.168.1.70");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->message, "duplicate dhcp-host IP address 192.168.1.70");
  EXPECT_EQ(builder.config.hosts.size(), 1U);
  // The earlier line's last address is what counts.
  EXPECT_FALSE(feed(builder, "dhcp-host", "1.2.3.4,1.2.3.5"));
  EXPECT_FALSE(feed(builder, "dhcp-host", "1.2.3.4"));
  const ParseStatus later = feed(builder, "dhcp-host", "00:01:02:03:04:05,1.2.3.6,1.2.3.5");
  ASSERT_TRUE(later);
  EXPECT_EQ(later->message, "duplicate dhcp-host IP address 1.2.3.5");
}

TEST(DhcpHost, QuirksAreAcceptedWithAWarning) {
  ConfigBuilder builder;
  const DhcpHost dashed = host_of("aa-bb-cc-dd-ee-ff", builder);
  EXPECT_EQ(dashed.hostname, "aa-bb-cc-dd-ee-ff");
  EXPECT_TRUE(dashed.hardware_addresses.empty());
  EXPECT_TRUE(has_warning(builder, "did you mean a MAC address? write aa:bb:cc:dd:ee:ff"));

  ConfigBuilder dotted;
  EXPECT_EQ(host_of("1.2.3.300", dotted).hostname, "1");
  EXPECT_TRUE(has_warning(dotted, "not an IPv4 address"));
}

TEST(DhcpHost, Ipv6IsAcceptedAndWarnedOnce) {
  ConfigBuilder builder;
  EXPECT_FALSE(feed(builder, "dhcp-host", "52:54:00:00:00:01,[fe80::1],pc1"));
  EXPECT_FALSE(feed(builder, "dhcp-host", "52:54:00:00:00:02,[2001:db8::/64]"));
  ASSERT_EQ(builder.config.hosts.size(), 2U);
  EXPECT_EQ(builder.config.hosts[0].hostname, "pc1");
  EXPECT_EQ(std::count_if(builder.warnings.begin(), builder.warnings.end(),
                          [](const Diagnostic& d) {
                            return d.message.find("DHCPv4 only") != std::string::npos;
                          }),
            1);
}

TEST(DhcpHost, EmptyTagsWarn) {
  ConfigBuilder builder;
  const DhcpHost host = host_of("52:54:00:00:00:01,set:,tag:", builder);
  EXPECT_TRUE(host.set_tags.empty());
  EXPECT_EQ(host.filter_tags, (TagFilter{{"", false, false}}));
  EXPECT_EQ(std::count_if(builder.warnings.begin(), builder.warnings.end(),
                          [](const Diagnostic& d) {
                            return d.message.find("empty tag name") != std::string::npos;
                          }),
            2);
}

TEST(DhcpHost, RejectedLineAddsNothing) {
  ConfigBuilder builder;
  const ParseStatus status = feed(builder, "dhcp-host", "52:54:00:00:00:01,-bad");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->message, "bad DHCP host name");
  EXPECT_FALSE(status->hint.empty());
  EXPECT_TRUE(builder.config.hosts.empty());
}

}  // namespace
}  // namespace pxemasq::config
