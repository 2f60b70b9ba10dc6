// The tag classifiers (spec §3.6), tag-if (§3.9) and dhcp-ignore & friends (§3.8). Verdicts were
// checked with dnsmasq 2.90 `--test`; hex-versus-text and tag semantics against a running
// dnsmasq 2.90 answering relayed requests.

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
using testing::verdict;
using testing::quoted;
using testing::has_warning;

// Parse accepted lines into one builder.
ConfigBuilder accepted_lines(std::string_view name,
                             std::initializer_list<std::optional<std::string_view>> values) {
  ConfigBuilder builder;
  for (const auto& value : values) {
    const ParseStatus status = feed(builder, name, value);
    EXPECT_FALSE(status) << name << "=" << value.value_or("(bare)") << ": "
                         << (status ? status->message : "");
  }
  return builder;
}

std::vector<std::uint8_t> bytes_of(std::string_view text) {
  return {text.begin(), text.end()};
}

struct Case {
  const char* name;
  const char* value;  // nullptr = bare name
  const char* expected;
};

// Every verdict was checked against dnsmasq 2.90's --test.
constexpr Case kVerdicts[] = {
    {"dhcp-vendorclass", "", "error"},
    {"dhcp-vendorclass", "x", "error"},
    {"dhcp-vendorclass", "x,", "ok"},
    {"dhcp-vendorclass", ",", "ok"},
    {"dhcp-vendorclass", "set:x,PXEClient", "ok"},
    {"dhcp-vendorclass", "x,a,b", "error"},
    {"dhcp-vendorclass", "x,enterprise:3561,foo", "ok"},
    {"dhcp-vendorclass", "x,enterprise:abc,foo", "ok"},
    {"dhcp-vendorclass", "x,enterprise:1,foo,bar", "ok"},
    {"dhcp-vendorclass", "x,Enterprise:1,foo", "error"},
    {"dhcp-vendorclass", "x,enterprise:1", "ok"},
    {"dhcp-vendorclass", "x,enterprise:1,", "ok"},
    {"dhcp-userclass", "x", "error"},
    {"dhcp-userclass", "x,", "ok"},
    {"dhcp-userclass", ",a", "ok"},
    {"dhcp-userclass", "x,a,b", "error"},
    {"dhcp-userclass", "x,enterprise:1,foo", "error"},
    {"dhcp-name-match", "", "error"},
    {"dhcp-name-match", "x", "error"},
    {"dhcp-name-match", "x,", "error"},
    {"dhcp-name-match", "x,*", "ok"},
    {"dhcp-name-match", "x,a,b", "ok"},
    {"dhcp-name-match", "set:x,a*", "ok"},
    {"dhcp-mac", "", "error"},
    {"dhcp-mac", "x", "error"},
    {"dhcp-mac", "x,", "ok"},
    {"dhcp-mac", "x,01:02", "ok"},
    {"dhcp-mac", "x,01:02,03", "error"},
    {"dhcp-mac", "x,01:zz", "error"},
    {"dhcp-mac", "x,0x12", "error"},
    {"dhcp-mac", "x,1*", "error"},
    {"dhcp-mac", "x,*:*", "ok"},
    {"dhcp-mac", "x,01-*:02", "ok"},
    {"dhcp-mac", "x,01 02", "ok"},
    {"dhcp-mac", "x,-", "ok"},
    {"dhcp-mac", "x,1-2-3", "ok"},
    {"dhcp-mac", "x,01:02:03:04:05:06:07:08:09:10:11:12:13:14:15:16:zz", "ok"},
    {"dhcp-mac", "tag:x,01", "ok"},
    {"dhcp-mac", ",01", "ok"},
    {"dhcp-circuitid", "x", "error"},
    {"dhcp-circuitid", "x,a,b", "error"},
    {"dhcp-circuitid", "set:x,", "ok"},
    {"dhcp-circuitid", "x,1:zz", "ok"},
    {"dhcp-circuitid", "x,*:1", "ok"},
    {"dhcp-circuitid", ",ab", "ok"},
    {"dhcp-remoteid", "", "error"},
    {"dhcp-remoteid", "x,ab", "ok"},
    {"dhcp-subscrid", "x,ab,c", "error"},
};

TEST(ClassifierVerdict, MatchesDnsmasq) {
  for (const Case& c : kVerdicts) {
    const auto value = c.value == nullptr ? std::nullopt : std::optional<std::string_view>(c.value);
    EXPECT_EQ(verdict(c.name, value), c.expected) << c.name << "=" << (c.value ? c.value : "");
  }
}

TEST(ClassifierVerdict, QuotedCommasDoNotSplit) {
  EXPECT_EQ(verdict("dhcp-vendorclass", "x," + quoted("a,b")), "ok");
  EXPECT_EQ(verdict("dhcp-userclass", "x," + quoted("a,b")), "ok");
  EXPECT_EQ(verdict("dhcp-circuitid", "x," + quoted("a,b")), "ok");
}

TEST(ClassifierVendorClass, Model) {
  const ConfigBuilder builder = accepted_lines(
      "dhcp-vendorclass",
      {"set:bios,PXEClient:Arch:00000", "efi,enterprise:3561,foo,bar", "x,enterprise:1", "any,"});
  const auto& list = builder.config.vendor_classes;
  ASSERT_EQ(list.size(), 4U);
  EXPECT_EQ(list[0].set_tag, "bios");
  EXPECT_EQ(list[0].pattern, "PXEClient:Arch:00000");
  EXPECT_FALSE(list[0].enterprise);
  EXPECT_EQ(list[1].set_tag, "efi");
  EXPECT_EQ(list[1].enterprise, 3561U);
  EXPECT_EQ(list[1].pattern, "foo,bar");       // the rest of the line
  EXPECT_EQ(list[2].pattern, "enterprise:1");  // no third item: it is the string
  EXPECT_FALSE(list[2].enterprise);
  EXPECT_EQ(list[3].pattern, "");
  EXPECT_TRUE(builder.config.user_classes.empty());
}

TEST(ClassifierVendorClass, OnlySetIsAPrefix) {
  ConfigBuilder builder;
  EXPECT_FALSE(feed(builder, "dhcp-vendorclass", "tag:x,foo"));
  EXPECT_EQ(builder.config.vendor_classes.at(0).set_tag, "tag:x");
  EXPECT_TRUE(has_warning(builder, "only set: is a prefix"));
}

TEST(ClassifierUserClass, Model) {
  const ConfigBuilder builder =
      accepted_lines("dhcp-userclass", {"ipxe,iPXE", "q," + quoted("a,b")});
  const auto& list = builder.config.user_classes;
  ASSERT_EQ(list.size(), 2U);
  EXPECT_EQ(list[0].set_tag, "ipxe");
  EXPECT_EQ(list[0].pattern, "iPXE");
  EXPECT_EQ(list[1].pattern, "a,b");
  EXPECT_TRUE(builder.config.vendor_classes.empty());
}

TEST(ClassifierNameMatch, PrefixAndRestOfLine) {
  const ConfigBuilder builder = accepted_lines(
      "dhcp-name-match", {"set:win,DESKTOP-*", "all,*", "x,a,b", "q," + quoted("ab") + "cd"});
  const auto& list = builder.config.name_matches;
  ASSERT_EQ(list.size(), 4U);
  EXPECT_EQ(list[0].set_tag, "win");
  EXPECT_EQ(list[0].pattern, "DESKTOP-");
  EXPECT_TRUE(list[0].prefix);
  EXPECT_EQ(list[1].pattern, "");
  EXPECT_TRUE(list[1].prefix);
  EXPECT_EQ(list[2].pattern, "a,b");
  EXPECT_FALSE(list[2].prefix);
  EXPECT_EQ(list[3].pattern, "abcd");
}

TEST(ClassifierMac, Model) {
  const ConfigBuilder builder = accepted_lines(
      "dhcp-mac", {"set:vm,52:54:00:*:*:*", "ib,20-01:02", "odd,123:4", "q," + quoted("01:02")});
  const auto& list = builder.config.mac_matches;
  ASSERT_EQ(list.size(), 4U);
  EXPECT_EQ(list[0].set_tag, "vm");
  EXPECT_EQ(list[0].address.bytes, (std::vector<std::uint8_t>{0x52, 0x54, 0, 0, 0, 0}));
  EXPECT_EQ(list[0].address.wildcard, (std::vector<bool>{false, false, false, true, true, true}));
  EXPECT_FALSE(list[0].address.hardware_type);
  EXPECT_EQ(list[1].address.hardware_type, 0x20);
  EXPECT_EQ(list[1].address.bytes, (std::vector<std::uint8_t>{1, 2}));
  EXPECT_EQ(list[2].address.bytes, (std::vector<std::uint8_t>{0x12, 0x03, 0x04}));
  // dhcp-mac looks through quoting, unlike dhcp-host.
  EXPECT_EQ(list[3].address.bytes, (std::vector<std::uint8_t>{1, 2}));
}

TEST(ClassifierMac, OddFormsWarn) {
  ConfigBuilder empty;
  EXPECT_FALSE(feed(empty, "dhcp-mac", "x,"));
  EXPECT_TRUE(has_warning(empty, "never matches"));
  ConfigBuilder untagged;
  EXPECT_FALSE(feed(untagged, "dhcp-mac", ",01:02"));
  EXPECT_EQ(untagged.config.mac_matches.at(0).set_tag, "");
  EXPECT_TRUE(has_warning(untagged, "empty tag name"));
}

struct RelayCase {
  const char* name;
  std::string value;
  std::uint8_t sub_option;
  std::vector<std::uint8_t> bytes;
};

TEST(ClassifierRelayAgent, HexOnlyWithAColonAndADigit) {
  // Each matched (or not) a relayed request carrying the bytes on a live dnsmasq 2.90.
  const RelayCase kCases[] = {
      {"dhcp-circuitid", "1:2", 1, {1, 2}},
      {"dhcp-circuitid", "123:", 1, {0x12, 0x03}},
      {"dhcp-circuitid", "1::2", 1, {1, 2}},
      {"dhcp-circuitid", "abcd", 1, bytes_of("abcd")},
      {"dhcp-circuitid", ":", 1, bytes_of(":")},
      {"dhcp-circuitid", "1:zz", 1, bytes_of("1:zz")},
      {"dhcp-circuitid", "*:1", 1, bytes_of("*:1")},
      {"dhcp-circuitid", quoted("1:2"), 1, bytes_of("1:2")},
      {"dhcp-remoteid", "123", 2, bytes_of("123")},
      {"dhcp-remoteid", "00:11:22:33:44:55", 2, {0, 0x11, 0x22, 0x33, 0x44, 0x55}},
      {"dhcp-subscrid", "0102030405", 6, bytes_of("0102030405")},
      {"dhcp-subscrid", "", 6, {}},
  };
  for (const RelayCase& c : kCases) {
    ConfigBuilder builder;
    ASSERT_FALSE(feed(builder, c.name, "set:t," + c.value)) << c.name << " " << c.value;
    const RelayAgentMatch& match = builder.config.relay_agent_matches.at(0);
    EXPECT_EQ(match.set_tag, "t");
    EXPECT_EQ(match.sub_option, c.sub_option) << c.name;
    EXPECT_EQ(match.value, c.bytes) << c.name << " " << c.value;
  }
}

// ---- tag-if -------------------------------------------------------------------------------

constexpr Case kTagIfVerdicts[] = {
    {"tag-if", "", "bad tag-if"},
    {"tag-if", "set:a", "ok"},
    {"tag-if", "set:", "bad tag-if"},
    {"tag-if", "tag:a", "bad tag-if"},
    {"tag-if", "set:a,tag:b", "ok"},
    {"tag-if", "tag:b,set:a", "ok"},
    {"tag-if", "set:a,net:b", "bad tag-if"},
    {"tag-if", "set:a,tag:", "bad tag-if"},
    {"tag-if", "set:a,tag:!b", "ok"},
    {"tag-if", "set:a,tag:#b", "ok"},
    {"tag-if", "set:a,tag:!", "ok"},
    {"tag-if", "set:a,tag:b*", "ok"},
    {"tag-if", "set:a,,tag:b", "bad tag-if"},
    {"tag-if", "set:a,tag:b,", "bad tag-if"},
    {"tag-if", "set:a,set:b", "ok"},
    {"tag-if", "set:a,foo", "bad tag-if"},
    {"tag-if", "set:ab,x", "bad tag-if"},
    {"tag-if", "set:a,tag:b,xx", "bad tag-if"},
    {"tag-if", "Set:a", "bad tag-if"},
};

TEST(TagIfVerdict, MatchesDnsmasq) {
  for (const Case& c : kTagIfVerdicts) {
    EXPECT_EQ(verdict(c.name, c.value), c.expected) << c.value;
  }
  EXPECT_EQ(verdict("tag-if", quoted("set:a")), "bad tag-if");  // a quoted `:` is no prefix
  EXPECT_EQ(verdict("tag-if", "set:" + quoted("a,b")), "ok");
}

TEST(TagIf, ModelInConfigOrder) {
  const ConfigBuilder builder = accepted_lines(
      "tag-if",
      {"set:efi,set:uefi,tag:efi64,tag:!bios", "tag:lab*,set:labnet", "set:x,tag:#y,tag:!z*"});
  const auto& list = builder.config.tag_ifs;
  ASSERT_EQ(list.size(), 3U);
  EXPECT_EQ(list[0].set_tags, (std::vector<std::string>{"efi", "uefi"}));
  EXPECT_EQ(list[0].conditions, (TagFilter{{"efi64", false, false}, {"bios", true, false}}));
  EXPECT_EQ(list[1].set_tags, (std::vector<std::string>{"labnet"}));
  EXPECT_EQ(list[1].conditions, (TagFilter{{"lab", false, true}}));
  EXPECT_EQ(list[2].conditions, (TagFilter{{"y", true, false}, {"z", true, true}}));
  EXPECT_TRUE(builder.warnings.empty());
}

TEST(TagIf, RejectedLineAddsNothing) {
  ConfigBuilder builder;
  const ParseStatus status = feed(builder, "tag-if", "tag:a,tag:b");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->message, "bad tag-if");
  EXPECT_TRUE(builder.config.tag_ifs.empty());
}

// ---- dhcp-ignore and friends ----------------------------------------------------------------

TEST(TagRuleVerdict, NeverRejected) {
  // dhcp-ignore's value is required (the loader says `missing parameter`); the others may be bare.
  for (const char* name : {"dhcp-ignore", "dhcp-ignore-names", "dhcp-generate-names",
                           "dhcp-broadcast", "bootp-dynamic"}) {
    for (const char* value : {"", "tag:!known", "a,b,net:c,set:d", ",,", "tag:x,"}) {
      EXPECT_EQ(verdict(name, value), "ok") << name << "=" << value;
    }
  }
  for (const char* name :
       {"dhcp-ignore-names", "dhcp-generate-names", "dhcp-broadcast", "bootp-dynamic"}) {
    EXPECT_EQ(verdict(name, std::nullopt), "ok") << name;
  }
}

TEST(TagRule, EachOptionHasItsList) {
  ConfigBuilder builder;
  EXPECT_FALSE(feed(builder, "dhcp-ignore", "tag:!known"));
  EXPECT_FALSE(feed(builder, "dhcp-ignore-names", std::nullopt));
  EXPECT_FALSE(feed(builder, "dhcp-generate-names", "tag:lab"));
  EXPECT_FALSE(feed(builder, "dhcp-broadcast", "net:relay,old"));
  EXPECT_FALSE(feed(builder, "bootp-dynamic", "#x"));
  const Config& config = builder.config;
  ASSERT_EQ(config.ignore_rules.size(), 1U);
  EXPECT_EQ(config.ignore_rules[0].tags, (TagFilter{{"known", true, false}}));
  ASSERT_EQ(config.ignore_names_rules.size(), 1U);
  EXPECT_TRUE(config.ignore_names_rules[0].tags.empty());  // bare = unconditional
  ASSERT_EQ(config.generate_names_rules.size(), 1U);
  EXPECT_EQ(config.generate_names_rules[0].tags, (TagFilter{{"lab", false, false}}));
  ASSERT_EQ(config.broadcast_rules.size(), 1U);
  EXPECT_EQ(config.broadcast_rules[0].tags,
            (TagFilter{{"relay", false, false}, {"old", false, false}}));
  ASSERT_EQ(config.bootp_dynamic_rules.size(), 1U);
  EXPECT_EQ(config.bootp_dynamic_rules[0].tags, (TagFilter{{"x", true, false}}));
  EXPECT_EQ(config.ignore_rules[0].origin, (Origin{"t.conf", 1}));
}

TEST(TagRule, SetIsNotAPrefixAndStarIsLiteral) {
  const ConfigBuilder builder = accepted_lines("dhcp-ignore", {"set:clsv1,tag:cls*"});
  // A live dnsmasq ignored nobody with either item: `set:` names a tag, `*` is no wildcard.
  EXPECT_EQ(builder.config.ignore_rules.at(0).tags,
            (TagFilter{{"set:clsv1", false, false}, {"cls*", false, false}}));
}

TEST(TagRule, EmptyTagNameNeverHoldsAndWarns) {
  // dnsmasq 2.90 accepts `dhcp-ignore=` and crashes on the first request [verified].
  ConfigBuilder builder;
  EXPECT_FALSE(feed(builder, "dhcp-ignore", ""));
  EXPECT_EQ(builder.config.ignore_rules.at(0).tags, (TagFilter{{"", false, false}}));
  EXPECT_TRUE(has_warning(builder, "empty tag name"));
  // `tag:!` (not an empty name) holds and was honoured by dnsmasq: no warning.
  ConfigBuilder negated;
  EXPECT_FALSE(feed(negated, "dhcp-ignore", "tag:!"));
  EXPECT_EQ(negated.config.ignore_rules.at(0).tags, (TagFilter{{"", true, false}}));
  EXPECT_TRUE(negated.warnings.empty());
}

}  // namespace
}  // namespace pxemasq::config
