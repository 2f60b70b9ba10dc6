// The DHCP option table (spec §3.4) and `--help dhcp` / `--help dhcp6`, checked against dnsmasq
// 2.90's own output.

#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <string>

#include "dhcp/option_defs.hpp"

namespace pxemasq::dhcp {
namespace {

// The tables are usable at compile time, for the wire codec.
static_assert(find_option_by_name(OptionFamily::dhcp4, "router")->code == 3);
static_assert(find_option_by_code(OptionFamily::dhcp4, 26)->width == 2);

const OptionDef& v4(std::uint32_t code) {
  const OptionDef* def = find_option_by_code(OptionFamily::dhcp4, code);
  EXPECT_NE(def, nullptr) << code;
  static const OptionDef kNone{};
  return def != nullptr ? *def : kNone;
}

TEST(OptionDefs, TypesAndWidthsOfTheRowsConfigsUse) {
  EXPECT_EQ(v4(3).name, "router");
  EXPECT_EQ(v4(3).type, ValueType::address_list);
  EXPECT_EQ(v4(2).type, ValueType::integer);  // time-offset: B4, hex in logs
  EXPECT_EQ(v4(2).width, 4);
  EXPECT_FALSE(v4(2).decimal);
  EXPECT_EQ(v4(26).width, 2);  // mtu: I2
  EXPECT_TRUE(v4(26).decimal);
  EXPECT_EQ(v4(23).width, 1);  // default-ttl: I1
  EXPECT_EQ(v4(35).width, 4);  // arp-timeout: I4
  EXPECT_EQ(v4(93).name, "client-arch");
  EXPECT_EQ(v4(93).width, 2);
  EXPECT_EQ(v4(15).type, ValueType::text);
  EXPECT_EQ(v4(67).type, ValueType::text);
  EXPECT_EQ(v4(58).type, ValueType::time);
  EXPECT_EQ(v4(58).name, "T1");
  EXPECT_EQ(v4(119).type, ValueType::name_list);
  EXPECT_EQ(v4(120).type, ValueType::special);
  EXPECT_EQ(v4(121).type, ValueType::free_form);
  EXPECT_EQ(v4(255).name, "server-ip-address");
  EXPECT_EQ(v4(255).type, ValueType::address_list);
}

TEST(OptionDefs, InternalRows) {
  for (std::uint32_t code :
       {12U, 28U, 43U, 50U, 51U, 52U, 53U, 54U, 55U, 56U, 57U, 61U, 81U, 82U, 118U}) {
    EXPECT_TRUE(v4(code).internal) << code;
  }
  for (std::uint32_t code : {1U, 3U, 6U, 15U, 58U, 59U, 60U, 66U, 67U, 93U, 119U, 255U}) {
    EXPECT_FALSE(v4(code).internal) << code;
  }
  // 53 prints in decimal but has no width: a plain number is refused (spec §3.3).
  EXPECT_EQ(v4(53).type, ValueType::integer);
  EXPECT_EQ(v4(53).width, 0);
}

TEST(OptionDefs, LookupByNameIgnoresCase) {
  const auto* router = find_option_by_name(OptionFamily::dhcp4, "ROUTER");
  ASSERT_NE(router, nullptr);
  EXPECT_EQ(router->code, 3);
  ASSERT_NE(find_option_by_name(OptionFamily::dhcp4, "fqdn"), nullptr);
  EXPECT_EQ(find_option_by_name(OptionFamily::dhcp4, "fqdn")->code, 81);
  EXPECT_EQ(find_option_by_name(OptionFamily::dhcp4, "t2")->code, 59);
  EXPECT_EQ(find_option_by_name(OptionFamily::dhcp4, "NIS+-Domain")->code, 64);
  EXPECT_EQ(find_option_by_name(OptionFamily::dhcp4, "hostname")->code, 12);  // internal: found
  EXPECT_EQ(find_option_by_name(OptionFamily::dhcp4, "boot-server"), nullptr);
  EXPECT_EQ(find_option_by_name(OptionFamily::dhcp4, ""), nullptr);
  EXPECT_EQ(find_option_by_name(OptionFamily::dhcp4, "router "), nullptr);
}

TEST(OptionDefs, LookupByCodeDoesNotTruncate) {
  EXPECT_EQ(find_option_by_code(OptionFamily::dhcp4, 259), nullptr);  // not 3
  EXPECT_EQ(find_option_by_code(OptionFamily::dhcp4, 4), nullptr);
  EXPECT_EQ(find_option_by_code(OptionFamily::dhcp4, 0), nullptr);
}

TEST(OptionDefs, Dhcp6Table) {
  const auto* dns = find_option_by_name(OptionFamily::dhcp6, "dns-server");
  ASSERT_NE(dns, nullptr);
  EXPECT_EQ(dns->code, 23);
  EXPECT_EQ(dns->type, ValueType::address_list);
  EXPECT_EQ(find_option_by_code(OptionFamily::dhcp6, 24)->type, ValueType::name_list);
  EXPECT_EQ(find_option_by_code(OptionFamily::dhcp6, 60)->type, ValueType::counted_strings);
  EXPECT_TRUE(find_option_by_name(OptionFamily::dhcp6, "preference")->internal);
  EXPECT_TRUE(find_option_by_name(OptionFamily::dhcp6, "unicast")->internal);
  // Same names, other numbers: the families are separate tables.
  EXPECT_EQ(find_option_by_name(OptionFamily::dhcp6, "nis-domain")->code, 29);
  EXPECT_EQ(find_option_by_name(OptionFamily::dhcp4, "nis-domain")->code, 40);
}

TEST(OptionDefs, NamesAreUniqueAndCodesFitTheWire) {
  for (OptionFamily family : {OptionFamily::dhcp4, OptionFamily::dhcp6}) {
    std::set<std::string> names;
    for (const OptionDef& def : option_defs(family)) {
      std::string lower(def.name);
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      EXPECT_TRUE(names.insert(lower).second) << def.name;
      EXPECT_EQ(find_option_by_name(family, def.name), &def);
      EXPECT_EQ(find_option_by_code(family, def.code), &def);
      if (family == OptionFamily::dhcp4) {
        EXPECT_LE(def.code, 255);
      }
      if (def.type == ValueType::integer && !def.internal) {
        EXPECT_NE(def.width, 0) << def.name;
      }
      if (def.type != ValueType::integer) {
        EXPECT_EQ(def.width, 0) << def.name;
      }
    }
  }
  EXPECT_EQ(option_defs(OptionFamily::dhcp4).size(), 76U);
  EXPECT_EQ(option_defs(OptionFamily::dhcp6).size(), 29U);
}

// `dnsmasq --help dhcp` of dnsmasq 2.90, byte for byte.
constexpr std::string_view kDnsmasqHelpDhcp =
    "Known DHCP options:\n"
    "  1 netmask\n  2 time-offset\n  3 router\n  6 dns-server\n  7 log-server\n  9 lpr-server\n"
    " 13 boot-file-size\n 15 domain-name\n 16 swap-server\n 17 root-path\n 18 extension-path\n"
    " 19 ip-forward-enable\n 20 non-local-source-routing\n 21 policy-filter\n"
    " 22 max-datagram-reassembly\n 23 default-ttl\n 26 mtu\n 27 all-subnets-local\n"
    " 31 router-discovery\n 32 router-solicitation\n 33 static-route\n"
    " 34 trailer-encapsulation\n 35 arp-timeout\n 36 ethernet-encap\n 37 tcp-ttl\n"
    " 38 tcp-keepalive\n 40 nis-domain\n 41 nis-server\n 42 ntp-server\n 44 netbios-ns\n"
    " 45 netbios-dd\n 46 netbios-nodetype\n 47 netbios-scope\n 48 x-windows-fs\n"
    " 49 x-windows-dm\n 58 T1\n 59 T2\n 60 vendor-class\n 64 nis+-domain\n 65 nis+-server\n"
    " 66 tftp-server\n 67 bootfile-name\n 68 mobile-ip-home\n 69 smtp-server\n"
    " 70 pop3-server\n 71 nntp-server\n 74 irc-server\n 77 user-class\n 80 rapid-commit\n"
    " 93 client-arch\n 94 client-interface-id\n 97 client-machine-id\n100 posix-timezone\n"
    "101 tzdb-timezone\n108 ipv6-only\n119 domain-search\n120 sip-server\n"
    "121 classless-static-route\n125 vendor-id-encap\n150 tftp-server-address\n"
    "255 server-ip-address\n";

// `dnsmasq --help dhcp6` of dnsmasq 2.90, byte for byte.
constexpr std::string_view kDnsmasqHelpDhcp6 =
    "Known DHCPv6 options:\n"
    " 21 sip-server-domain\n 22 sip-server\n 23 dns-server\n 24 domain-search\n"
    " 27 nis-server\n 28 nis+-server\n 29 nis-domain\n 30 nis+-domain\n 31 sntp-server\n"
    " 32 information-refresh-time\n 41 posix-timezone\n 42 tzdb-timezone\n 56 ntp-server\n"
    " 59 bootfile-url\n 60 bootfile-param\n";

TEST(OptionDefs, HelpDhcpIsDnsmasqsByteForByte) {
  EXPECT_EQ(known_options_help(OptionFamily::dhcp4), kDnsmasqHelpDhcp);
}

TEST(OptionDefs, HelpDhcp6IsDnsmasqsByteForByte) {
  EXPECT_EQ(known_options_help(OptionFamily::dhcp6), kDnsmasqHelpDhcp6);
}

}  // namespace
}  // namespace pxemasq::dhcp
