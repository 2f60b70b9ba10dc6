#include <gtest/gtest.h>

#include "config/quoting.hpp"
#include "config/values.hpp"

namespace pxemasq::config {
namespace {

TEST(SplitList, RemovesSpacesAroundCommasOnly) {
  const auto items = split_list("a , b,c d ,  e");
  ASSERT_EQ(items.size(), 4U);
  EXPECT_EQ(items[0], "a");
  EXPECT_EQ(items[1], "b");
  EXPECT_EQ(items[2], "c d");
  EXPECT_EQ(items[3], "e");
}

TEST(SplitList, EmptyValueIsOneEmptyItem) {
  const auto items = split_list("");
  ASSERT_EQ(items.size(), 1U);
  EXPECT_EQ(items[0], "");
}

TEST(SplitList, QuotedCommaDoesNotSplit) {
  std::string value = "a";
  value += hide(',');
  value += "b,c";
  const auto items = split_list(value);
  ASSERT_EQ(items.size(), 2U);
  EXPECT_EQ(unhide(items[0]), "a,b");
}

TEST(ParseNumber, DigitsOnlyAndEmptyIsZero) {
  EXPECT_EQ(parse_number("42"), 42U);
  EXPECT_EQ(parse_number(""), 0U);
  EXPECT_FALSE(parse_number("-1"));
  EXPECT_FALSE(parse_number("0x10"));
  EXPECT_FALSE(parse_number("1 2"));
  EXPECT_EQ(parse_number16("65535"), 65535);
  EXPECT_FALSE(parse_number16("65536"));
}

TEST(ParseDuration, Units) {
  EXPECT_EQ(parse_duration("45"), 45U);
  EXPECT_EQ(parse_duration("2m"), 120U);
  EXPECT_EQ(parse_duration("12h"), 43200U);
  EXPECT_EQ(parse_duration("1D"), 86400U);
  EXPECT_EQ(parse_duration("1w"), 604800U);
  EXPECT_EQ(parse_duration(""), 0U);
  EXPECT_FALSE(parse_duration("1h30m"));
  EXPECT_FALSE(parse_duration("x"));
}

TEST(ParseIpv4, StrictDottedQuad) {
  ASSERT_TRUE(parse_ipv4("192.168.1.70"));
  EXPECT_EQ(parse_ipv4("192.168.1.70")->to_string(), "192.168.1.70");
  EXPECT_FALSE(parse_ipv4("192.168.1"));
  EXPECT_FALSE(parse_ipv4("1.2.3.256"));
  EXPECT_FALSE(parse_ipv4(" 1.2.3.4"));
}

TEST(ParseHex, GroupsAndWildcards) {
  const auto hex = parse_hex("01:0203:*:f", true);
  ASSERT_TRUE(hex);
  EXPECT_EQ(hex->bytes, (std::vector<std::uint8_t>{1, 2, 3, 0, 0x0f}));
  EXPECT_EQ(hex->wildcard, (std::vector<bool>{false, false, false, true, false}));
  EXPECT_FALSE(parse_hex("01:*", false));
  EXPECT_FALSE(parse_hex("0g", false));
}

// util.c:parse_hex, confirmed against a live dnsmasq 2.90 (dhcp-host / dhcp-circuitid matching).
TEST(ParseHex, EmptyGroupsAreSkipped) {
  const auto hex = parse_hex("01::02", false);
  ASSERT_TRUE(hex);
  EXPECT_EQ(hex->bytes, (std::vector<std::uint8_t>{1, 2}));
  const auto empty = parse_hex(":", false);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->bytes.empty());
}

TEST(ParseHex, OddGroupEndsWithASingleDigitByte) {
  const auto hex = parse_hex("123:45", false);
  ASSERT_TRUE(hex);
  EXPECT_EQ(hex->bytes, (std::vector<std::uint8_t>{0x12, 0x03, 0x45}));
}

TEST(ParseHex, StopsAtMaxBytesWithoutCheckingTheRest) {
  const auto hex = parse_hex("01:02:zz", false, 2);
  ASSERT_TRUE(hex);
  EXPECT_EQ(hex->bytes.size(), 2U);
  EXPECT_TRUE(hex->truncated);
  const auto split_group = parse_hex("010203", false, 2);
  ASSERT_TRUE(split_group);
  EXPECT_EQ(split_group->bytes, (std::vector<std::uint8_t>{1, 2}));
  EXPECT_TRUE(split_group->truncated);
  const auto exact = parse_hex("01:02:", false, 2);
  ASSERT_TRUE(exact);
  EXPECT_FALSE(exact->truncated);
}

TEST(ParseHex, RejectsMixedWildcardsAndQuotedDigits) {
  EXPECT_FALSE(parse_hex("1*", true));
  EXPECT_FALSE(parse_hex("**", true));
  std::string quoted = "0";
  quoted += hide('1');
  EXPECT_FALSE(parse_hex(quoted, false));
}

TEST(ParseHardwareAddress, TypePrefixAndWildcards) {
  const auto mac = parse_hardware_address("01-00:20:e0:*:*:*");
  ASSERT_TRUE(mac);
  EXPECT_EQ(mac->hardware_type, 1);
  EXPECT_EQ(mac->bytes.size(), 6U);
  EXPECT_TRUE(mac->wildcard[5]);
  const auto plain = parse_hardware_address("52:54:00:12:34:56");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->hardware_type);
}

TEST(ParseHardwareAddress, TypeIsTheFirstGroupEndedByADash) {
  const auto dashed = parse_hardware_address("01-02-03");
  ASSERT_TRUE(dashed);
  EXPECT_EQ(dashed->hardware_type, 1);
  EXPECT_EQ(dashed->bytes, (std::vector<std::uint8_t>{2, 3}));
  // A leading empty group is skipped and a dash after the first byte is a separator.
  const auto leading = parse_hardware_address("-01:02");
  ASSERT_TRUE(leading);
  EXPECT_FALSE(leading->hardware_type);
  EXPECT_EQ(leading->bytes.size(), 2U);
  const auto spaced = parse_hardware_address("01 02-03:04");
  ASSERT_TRUE(spaced);
  EXPECT_FALSE(spaced->hardware_type);
  EXPECT_EQ(spaced->bytes.size(), 4U);
}

TEST(ParseHardwareAddress, KeepsSixteenBytesAndDropsTheRest) {
  bool truncated = false;
  const auto mac = parse_hardware_address(
      "01:02:03:04:05:06:07:08:09:10:11:12:13:14:15:16:zz", &truncated);
  ASSERT_TRUE(mac);
  EXPECT_EQ(mac->bytes.size(), 16U);
  EXPECT_TRUE(truncated);
  EXPECT_FALSE(parse_hardware_address("01:02:03:04:05:06:07:08:09:10:11:12:13:14:15:zz"));
  const auto empty = parse_hardware_address("");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->bytes.empty());
}

TEST(PrettyDuration, MatchesDnsmasq) {
  EXPECT_EQ(pretty_duration(3600), "1h");
  EXPECT_EQ(pretty_duration(37800), "10h30m");
  EXPECT_EQ(pretty_duration(90061), "1d1h1m1s");
  EXPECT_EQ(pretty_duration(0), "");
  EXPECT_EQ(pretty_duration(kInfiniteLease), "infinite");
}

TEST(Quoting, RoundTrip) {
  std::string hidden;
  for (char c : std::string("a1,.: \tZ#")) hidden += hide(c);
  EXPECT_EQ(unhide(hidden), "a1,.: \tZ#");
  EXPECT_TRUE(is_hidden(hide('a')));
  EXPECT_FALSE(is_hidden(hide('z')));
  EXPECT_EQ(hide('#'), '#');
}

}  // namespace
}  // namespace pxemasq::config
