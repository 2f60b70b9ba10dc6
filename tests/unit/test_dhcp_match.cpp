// dhcp-match (spec §3.6): the same prefix scan and value encoding as dhcp-option (spec §3.3),
// with internal names allowed, `*` hex wildcards, exactly one tag, and no vendor:/encap:. Every
// error was confirmed with `dnsmasq --test` (dnsmasq 2.90).

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "config/option_table.hpp"
#include "config/parsers.hpp"
#include "config/quoting.hpp"
#include "option_parsing.hpp"

namespace pxemasq::config {
namespace {

using testing::lexed;
using testing::hex_bytes;

using Parsed = testing::ParsedOption<DhcpMatch, &Config::matches>;

void parse_into(Parsed& parsed, std::string_view config, unsigned line) {
  testing::parse_option_into(parsed, "dhcp-match", config, line);
}

Parsed parse(std::string_view config) {
  Parsed parsed;
  parse_into(parsed, config, 1);
  return parsed;
}

using Kind = MatchValue::Kind;

struct Form {
  const char* value;
  const char* tag;
  std::uint32_t code;
  Kind kind;
  const char* hex;       // the value's bytes
  const char* wildcard;  // per byte, for bytes_prefix ("" otherwise)
};
void PrintTo(const Form& f, std::ostream* os) {
  *os << "dhcp-match=" << f.value;
}

constexpr Form kForms[] = {
    // the PXE architecture tags: option 93 is two bytes wide in the table
    {"set:efi-x86_64,option:client-arch,7", "efi-x86_64", 93, Kind::element, "00 07", ""},
    {"efi,93,7", "efi", 93, Kind::element, "00 07", ""},
    {"net:efi,93,9", "efi", 93, Kind::element, "00 09", ""},
    {"set:bios,option:client-arch,0", "bios", 93, Kind::element, "00 00", ""},
    // presence
    {"set:ipxe,175", "ipxe", 175, Kind::present, "", ""},
    {"set:a,option:hostname", "a", 12, Kind::present, "", ""},
    // text is a substring; `*` is literal there
    {"set:pxe,60,PXEClient", "pxe", 60, Kind::text_substring, "50 58 45 43 6c 69 65 6e 74", ""},
    {"set:a,60,PXE*", "a", 60, Kind::text_substring, "50 58 45 2a", ""},
    {"set:ipxe,77,\"iPXE\"", "ipxe", 77, Kind::text_substring, "69 50 58 45", ""},
    {"set:a,option:hostname,foo", "a", 12, Kind::text_substring, "66 6f 6f", ""},  // internal ok
    // hex is a prefix, `*` groups are wildcards
    {"set:a,175,1:*:3", "a", 175, Kind::bytes_prefix, "01 00 03", "010"},
    {"set:a,60,*:*", "a", 60, Kind::bytes_prefix, "00 00", "11"},
    {"set:a,option:parameter-request,1:3", "a", 55, Kind::bytes_prefix, "01 03", "00"},
    {"set:a,200,1*:2", "a", 200, Kind::bytes_prefix, "00 00", "00"},  // dnsmasq gives up: zeros
    // numbers and addresses are elements of the value's width
    {"set:a,option:lease-time,1h", "a", 51, Kind::element, "00 00 0e 10", ""},
    {"set:a,option:requested-address,1.2.3.4", "a", 50, Kind::element, "01 02 03 04", ""},
    {"set:a,3,1.2.3.4,5.6.7.8", "a", 3, Kind::element, "01 02 03 04 05 06 07 08", ""},
    {"set:a,option:message-type,1b", "a", 53, Kind::element, "01", ""},
    {"set:a,200,300", "a", 200, Kind::element, "01 2c", ""},
    {"set:a,119,a.com,b.a.com", "a", 119, Kind::element, "01 61 03 63 6f 6d 00 01 62 c0 00", ""},
    // tag names as written
    {"set:,93,7", "", 93, Kind::element, "00 07", ""},
    {"set:\"a b\",60,x", "a b", 60, Kind::text_substring, "78", ""},
    {"set:!a,93,7", "!a", 93, Kind::element, "00 07", ""},
};

class DhcpMatchForm : public ::testing::TestWithParam<Form> {};

TEST_P(DhcpMatchForm, StoredAsDnsmasqMatches) {
  const Form& f = GetParam();
  const Parsed parsed = parse(f.value);
  ASSERT_TRUE(parsed.ok()) << parsed.status->message;
  const DhcpMatch& match = parsed.only();
  EXPECT_EQ(match.set_tag, f.tag);
  EXPECT_FALSE(match.vendor_ident);
  EXPECT_EQ(match.code, f.code);
  EXPECT_EQ(match.value.kind, f.kind);
  EXPECT_EQ(match.value.bytes, hex_bytes(f.hex));
  std::string wildcard;
  for (bool w : match.value.wildcard) wildcard += w ? '1' : '0';
  EXPECT_EQ(wildcard, f.wildcard);
  const auto width = f.kind == Kind::element ? hex_bytes(f.hex).size() : 0U;
  EXPECT_EQ(match.value.element_width, width);
}

INSTANTIATE_TEST_SUITE_P(Spec36, DhcpMatchForm, ::testing::ValuesIn(kForms));

TEST(DhcpMatchViEncap, EnterpriseAloneOrWithTheRestAsValue) {
  const Parsed present = parse("set:cpe,vi-encap:3561");
  ASSERT_TRUE(present.ok());
  EXPECT_TRUE(present.only().vendor_ident);
  EXPECT_EQ(present.only().code, 3561U);
  EXPECT_EQ(present.only().value.kind, Kind::present);
  EXPECT_FALSE(present.only().sub_option.has_value());

  // After vi-encap:ENT everything is the value, matched against the enterprise's data [§3.6].
  const Parsed text = parse("set:a,vi-encap:3561,1,abc");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text.only().code, 3561U);
  EXPECT_EQ(text.only().value.kind, Kind::text_substring);
  EXPECT_EQ(text.only().value.bytes, (std::vector<std::uint8_t>{'1', ',', 'a', 'b', 'c'}));

  const Parsed hex = parse("set:a,vi-encap:3561,*:02");
  ASSERT_TRUE(hex.ok());
  EXPECT_EQ(hex.only().value.kind, Kind::bytes_prefix);
  EXPECT_EQ(hex.only().value.wildcard, (std::vector<bool>{true, false}));

  EXPECT_EQ(parse("set:a,vi-encap:3561,vendor:x").only().value.kind, Kind::text_substring);
}

TEST(DhcpMatchViEncap, NonNumericEnterpriseIsZeroWithAWarning) {
  const Parsed parsed = parse("set:a,vi-encap:abc");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.only().code, 0U);
  EXPECT_NE(parsed.warnings().find("is not a number"), std::string::npos);
}

struct Rejection {
  const char* value;
  const char* message;
};
void PrintTo(const Rejection& r, std::ostream* os) {
  *os << "dhcp-match=" << r.value;
}

constexpr Rejection kRejections[] = {
    {"93,7", "illegal dhcp-match"},
    {"set:a,set:b,93,7", "illegal dhcp-match"},
    {"set:a,tag:b,93,7", "illegal dhcp-match"},
    {"vi-encap:3561", "illegal dhcp-match"},
    {"", "illegal dhcp-match"},
    {"option6:16", "illegal dhcp-match"},
    {"set:a", "bad dhcp-option"},
    {"set:a,tag:b", "bad dhcp-option"},
    {"set:a,option:bogus", "bad dhcp-option"},
    {"set:a,vendor:x,1", "inappropriate vendor:"},
    {"set:a,encap:3,1", "inappropriate encap:"},
    {"set:a,encap:3,vendor:x,1", "inappropriate encap:"},
    {"set:a,3,1.2.3", "bad IPv4 address"},
    {"3,1.2.3", "bad IPv4 address"},  // the value is checked before the tag count
    {",93,7", "bad IPv4 address"},    // option 0 with the address list "93,7"
    {"set:a,option:client-arch,7,8", "bad IPv4 address"},
    {"set:a,3,abc", "bad IP address"},
    {"set:a,option:max-message-size,576", "dhcp-option too long"},
    {"set:a,option:option-overload,1", "dhcp-option too long"},
    {"set:x,53,1", "dhcp-option too long"},
    {"set:x,option:message-type,1", "dhcp-option too long"},
    {"set:a,option6:FQDN,-Ab", "bad domain in dhcp-option"},
    {"set:a,119,-Ab.com", "bad domain in dhcp-option"},
};

class DhcpMatchError : public ::testing::TestWithParam<Rejection> {};

TEST_P(DhcpMatchError, DnsmasqsMessage) {
  const Rejection& r = GetParam();
  const Parsed parsed = parse(r.value);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status->message, r.message);
  EXPECT_TRUE(parsed.builder.config.matches.empty());
}

INSTANTIATE_TEST_SUITE_P(Spec36, DhcpMatchError, ::testing::ValuesIn(kRejections));

TEST(DhcpMatchError, TooLong) {
  EXPECT_TRUE(parse("set:a,60," + std::string(255, 'v')).ok());
  EXPECT_EQ(parse("set:a,60," + std::string(256, 'v')).status->message, "dhcp-option too long");
}

TEST(DhcpMatchError, HintsSayWhy) {
  EXPECT_NE(parse("93,7").status->hint.find("set:"), std::string::npos);
  EXPECT_NE(parse("set:a,set:b,93,7").status->hint.find("one tag"), std::string::npos);
}

TEST(DhcpMatchWarning, TagPrefixSetsTheTag) {
  const Parsed parsed = parse("tag:efi,93,7");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.only().set_tag, "efi");
  EXPECT_NE(parsed.warnings().find("sets the tag"), std::string::npos);
}

TEST(DhcpMatchWarning, NumbersAbove255NeverMatch) {
  const Parsed parsed = parse("set:a,300");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.only().code, 300U);
  EXPECT_NE(parsed.warnings().find("can never match"), std::string::npos);
}

TEST(DhcpMatchWarning, CleanLinesWarnNothing) {
  for (const char* value : {"set:efi,option:client-arch,7", "set:ipxe,175", "set:pxe,60,PXEClient",
                            "set:a,175,1:*:3", "set:cpe,vi-encap:3561", "efi,93,7"}) {
    const Parsed parsed = parse(value);
    ASSERT_TRUE(parsed.ok()) << value;
    EXPECT_TRUE(parsed.builder.warnings.empty()) << value << ": " << parsed.warnings();
  }
}

TEST(DhcpMatchDhcp6, AcceptedAndDroppedWithOneWarning) {
  Parsed parsed;
  unsigned line = 0;
  for (const char* value :
       {"set:a,option6:16,foo", "set:a,option6:client-id", "set:a,option6:vendor-class,foo",
        "set:a,option6:preference,1", "set:a,option6:unicast,abc"}) {
    parse_into(parsed, value, ++line);
    ASSERT_TRUE(parsed.ok()) << value << ": " << parsed.status->message;
  }
  EXPECT_TRUE(parsed.builder.config.matches.empty());
  ASSERT_EQ(parsed.builder.warnings.size(), 1U) << parsed.warnings();
  EXPECT_NE(parsed.warnings().find("DHCPv4 only"), std::string::npos);
}

TEST(DhcpMatchOrigin, IsKept) {
  Parsed parsed;
  parse_into(parsed, "set:a,93,7", 7);
  EXPECT_EQ(parsed.only().origin, (Origin{"t.conf", 7}));
}

}  // namespace
}  // namespace pxemasq::config
