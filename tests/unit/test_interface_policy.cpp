// Interface selection for DHCPv4 (spec §3.2, §4.2 steps 3–4): dnsmasq's wildcard name match,
// the allow/deny lists, and the two quirks (listen-address beats except-interface; loopback is
// listed as soon as any interface= is). Plus the pure lookups of the interface table.
// Checked against dnsmasq 2.90 answering (or not) a DISCOVER in a namespace lab: `eth*` ignores
// `eth` but serves `eth0x`; `e*0` serves `ens33`; listen-address beats except-interface;
// except-interface beats interface=; no-dhcp-interface beats listen-address; `interface=` (empty),
// a listen-address not on the interface and `except-interface=ens*` all ignore `ens33`.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/model.hpp"
#include "net/interface_policy.hpp"
#include "net/interfaces.hpp"

namespace pxemasq::net {
namespace {

constexpr Ipv4 kSeedAddress{0xC0A80146};   // 192.168.1.70
constexpr Ipv4 kOtherAddress{0x0A000001};  // 10.0.0.1
constexpr Ipv4 kLoopback{0x7F000001};      // 127.0.0.1

const std::vector<Ipv4> kSeedAddresses = {kSeedAddress};
const std::vector<Ipv4> kOtherAddresses = {kOtherAddress};
const std::vector<Ipv4> kNoAddresses = {};

// ---- wildcard matching ---------------------------------------------------------------------

struct NameCase {
  const char* pattern;
  const char* name;
  bool matches;
};

constexpr NameCase kNameCases[] = {
    {"ens33", "ens33", true},
    {"ens33", "ens3", false},
    {"ens3", "ens33", false},
    {"ens33", "ENS33", false},  // case matters
    {"eth*", "eth0", true},
    {"eth*", "eth0:1", true},
    {"eth*", "eth10", true},
    {"eth*", "eth", false},  // the `*` needs a character to stand for [quirk]
    {"eth*", "ens33", false},
    {"e*0", "eth1", true},  // everything after `*` is ignored [quirk]
    {"*", "lo", true},
    {"*", "", false},
    {"", "eth0", false},  // `interface=` (empty): matches nothing
    {"", "", true},
    {"br-*", "br-lan", true},
    {"br-*", "br", false},
};

TEST(InterfacePolicyWildcard, MatchesLikeDnsmasq) {
  for (const auto& c : kNameCases) {
    EXPECT_EQ(interface_name_matches(c.pattern, c.name), c.matches)
        << "pattern '" << c.pattern << "' name '" << c.name << "'";
  }
}

TEST(InterfacePolicyWildcard, AnyOfAList) {
  const std::vector<std::string> patterns = {"eth0", "ens*"};
  EXPECT_TRUE(interface_name_matches_any(patterns, "eth0"));
  EXPECT_TRUE(interface_name_matches_any(patterns, "ens33"));
  EXPECT_FALSE(interface_name_matches_any(patterns, "eth1"));
  EXPECT_FALSE(interface_name_matches_any({}, "eth0"));
}

// ---- allow / deny --------------------------------------------------------------------------

TEST(InterfacePolicyRules, NothingConfiguredAllowsEveryInterface) {
  const config::Config config;
  EXPECT_TRUE(interface_allowed(config, "ens33", kSeedAddresses));
  EXPECT_TRUE(interface_allowed(config, "eth1", kOtherAddresses));
  EXPECT_TRUE(interface_allowed(config, "lo", std::vector<Ipv4>{kLoopback}, true));
}

TEST(InterfacePolicyRules, SeedInterfaceListServesOnlyEns33) {
  config::Config config;
  config.interfaces = {"ens33"};
  EXPECT_TRUE(interface_allowed(config, "ens33", kSeedAddresses));
  EXPECT_FALSE(interface_allowed(config, "eth1", kOtherAddresses));
  EXPECT_FALSE(interface_allowed(config, "ens330", kSeedAddresses));
}

TEST(InterfacePolicyRules, WildcardInterfaceList) {
  config::Config config;
  config.interfaces = {"ens*"};
  EXPECT_TRUE(interface_allowed(config, "ens33", kSeedAddresses));
  EXPECT_TRUE(interface_allowed(config, "ens192", kOtherAddresses));
  EXPECT_FALSE(interface_allowed(config, "eth0", kSeedAddresses));
  EXPECT_FALSE(interface_allowed(config, "ens", kSeedAddresses));
}

TEST(InterfacePolicyRules, AnInterfaceWithoutAddressesIsStillJudgedByName) {
  // The engine drops such packets; whether it also warns "has no address" depends on this.
  config::Config config;
  config.interfaces = {"ens33"};
  EXPECT_TRUE(interface_allowed(config, "ens33", kNoAddresses));
  EXPECT_FALSE(interface_allowed(config, "eth1", kNoAddresses));
}

TEST(InterfacePolicyRules, NoDhcpInterfaceDeniesWhateverElseSaysYes) {
  for (const bool v4_only : {false, true}) {
    config::Config config;
    auto& off = v4_only ? config.no_dhcpv4_interfaces : config.no_dhcp_interfaces;
    off = {"ens*"};
    config.interfaces = {"ens33"};
    config.listen_addresses = {kSeedAddress};
    EXPECT_FALSE(interface_allowed(config, "ens33", kSeedAddresses)) << v4_only;
    EXPECT_TRUE(dhcp_disabled_on(config, "ens33")) << v4_only;
    EXPECT_FALSE(dhcp_disabled_on(config, "eth0")) << v4_only;
    // Only DHCP is off: the plain interface rules (TFTP's, for no-dhcpv4-interface) still pass.
    EXPECT_TRUE(interface_selected(config, "ens33", kSeedAddresses)) << v4_only;
  }
}

TEST(InterfacePolicyRules, NoDhcpInterfaceAloneLeavesTheOthersServed) {
  config::Config config;
  config.no_dhcp_interfaces = {"eth1"};
  EXPECT_TRUE(interface_allowed(config, "ens33", kSeedAddresses));
  EXPECT_FALSE(interface_allowed(config, "eth1", kOtherAddresses));
}

TEST(InterfacePolicyRules, ExceptInterfaceAloneDeniesOnlyItsMatches) {
  config::Config config;
  config.except_interfaces = {"eth*"};
  EXPECT_TRUE(interface_allowed(config, "ens33", kSeedAddresses));
  EXPECT_FALSE(interface_allowed(config, "eth1", kOtherAddresses));
}

TEST(InterfacePolicyRules, ExceptInterfaceBeatsInterface) {
  config::Config config;
  config.interfaces = {"ens*"};
  config.except_interfaces = {"ens33"};
  EXPECT_FALSE(interface_allowed(config, "ens33", kSeedAddresses));
  EXPECT_TRUE(interface_allowed(config, "ens34", kOtherAddresses));
}

TEST(InterfacePolicyRules, ListenAddressSelectsByAnyAddressOfTheInterface) {
  config::Config config;
  config.listen_addresses = {kSeedAddress};
  EXPECT_TRUE(interface_allowed(config, "ens33", kSeedAddresses));
  // A secondary address counts as much as the primary one.
  EXPECT_TRUE(interface_allowed(config, "ens33", std::vector<Ipv4>{kOtherAddress, kSeedAddress}));
  EXPECT_FALSE(interface_allowed(config, "eth1", kOtherAddresses));
  EXPECT_FALSE(interface_allowed(config, "eth1", kNoAddresses));
}

TEST(InterfacePolicyRules, InterfaceOrListenAddressEitherSuffices) {
  config::Config config;
  config.interfaces = {"eth1"};
  config.listen_addresses = {kSeedAddress};
  EXPECT_TRUE(interface_allowed(config, "eth1", kOtherAddresses));
  EXPECT_TRUE(interface_allowed(config, "ens33", kSeedAddresses));
  EXPECT_FALSE(interface_allowed(config, "eth2", std::vector<Ipv4>{Ipv4{0x0A000002}}));
}

TEST(InterfacePolicyRules, ListenAddressBeatsExceptInterface) {
  // [quirk] the man page says except-interface always wins; the code lets an address match win.
  config::Config config;
  config.listen_addresses = {kSeedAddress};
  config.except_interfaces = {"ens33"};
  EXPECT_TRUE(interface_allowed(config, "ens33", kSeedAddresses));
  EXPECT_FALSE(interface_allowed(config, "ens33", kOtherAddresses));
  // A name match gives no such protection.
  config.interfaces = {"ens33"};
  EXPECT_FALSE(interface_allowed(config, "ens33", kOtherAddresses));
}

TEST(InterfacePolicyRules, EmptyInterfaceEntryServesNothing) {
  config::Config config;
  config.interfaces = {""};  // `interface=`
  EXPECT_FALSE(interface_allowed(config, "ens33", kSeedAddresses));
  EXPECT_FALSE(interface_allowed(config, "eth1", kOtherAddresses));
}

TEST(InterfacePolicyRules, LoopbackIsListedOnceAnyInterfaceIs) {
  const std::vector<Ipv4> lo_addresses = {kLoopback};
  config::Config config;
  config.interfaces = {"ens33"};
  EXPECT_TRUE(interface_allowed(config, "lo", lo_addresses, true));
  EXPECT_FALSE(interface_allowed(config, "lo", lo_addresses, false));  // not flagged loopback
  config.interfaces = {""};
  EXPECT_TRUE(interface_allowed(config, "lo", lo_addresses, true));
  config.except_interfaces = {"lo"};
  EXPECT_FALSE(interface_allowed(config, "lo", lo_addresses, true));
}

TEST(InterfacePolicyRules, ListenAddressAloneDoesNotListLoopback) {
  config::Config config;
  config.listen_addresses = {kSeedAddress};
  EXPECT_FALSE(interface_allowed(config, "lo", std::vector<Ipv4>{kLoopback}, true));
  config.listen_addresses.push_back(kLoopback);
  EXPECT_TRUE(interface_allowed(config, "lo", std::vector<Ipv4>{kLoopback}, true));
}

// ---- the interface table's pure half --------------------------------------------------------

Interface seed_interface() {
  Interface ens33;
  ens33.index = 2;
  ens33.name = "ens33";
  ens33.up = true;
  ens33.mtu = 1500;
  // An alias first, as `ip addr add ... label ens33:1` can order them, then the primary.
  ens33.addresses = {
      {kOtherAddress, 8, Ipv4{0x0AFFFFFF}, "ens33:1", false},
      {kSeedAddress, 24, Ipv4{0xC0A801FF}, "ens33", false},
      {Ipv4{0xC0A80147}, 24, Ipv4{0xC0A801FF}, "ens33", true},
  };
  return ens33;
}

TEST(InterfacePolicyTable, PrimaryAddressIsTheFirstCarryingTheInterfaceName) {
  const Interface ens33 = seed_interface();
  EXPECT_EQ(ens33.primary_address(), kSeedAddress);
  EXPECT_EQ(ens33.ipv4_addresses(),
            (std::vector<Ipv4>{kOtherAddress, kSeedAddress, Ipv4{0xC0A80147}}));
  Interface bare;
  bare.name = "eth9";
  EXPECT_EQ(bare.primary_address(), std::nullopt);
}

TEST(InterfacePolicyTable, Netmasks) {
  InterfaceAddress address;
  address.prefix_length = 24;
  EXPECT_EQ(address.netmask(), Ipv4{0xFFFFFF00});
  address.prefix_length = 32;
  EXPECT_EQ(address.netmask(), Ipv4{0xFFFFFFFF});
  address.prefix_length = 0;
  EXPECT_EQ(address.netmask(), Ipv4{0});
  address.prefix_length = 1;
  EXPECT_EQ(address.netmask(), Ipv4{0x80000000});
}

TEST(InterfacePolicyTable, LookupsByIndexAndName) {
  Interface lo;
  lo.index = 1;
  lo.name = "lo";
  lo.loopback = true;
  lo.addresses = {{kLoopback, 8, std::nullopt, "lo", false}};
  const InterfaceTable table({seed_interface(), lo});  // out of order on purpose
  ASSERT_EQ(table.interfaces().size(), 2U);
  EXPECT_EQ(table.interfaces()[0].index, 1U);
  ASSERT_NE(table.by_index(2), nullptr);
  EXPECT_EQ(table.by_index(2)->name, "ens33");
  EXPECT_EQ(table.by_index(3), nullptr);
  EXPECT_EQ(table.by_index(0), nullptr);
  ASSERT_NE(table.by_name("lo"), nullptr);
  EXPECT_EQ(table.by_name("lo")->index, 1U);
  EXPECT_EQ(table.by_name("ens33:1"), nullptr);  // a label is not an interface
  EXPECT_EQ(table.primary_address(2), kSeedAddress);
  EXPECT_EQ(table.primary_address(1), kLoopback);
  EXPECT_EQ(table.primary_address(7), std::nullopt);
}

}  // namespace
}  // namespace pxemasq::net
