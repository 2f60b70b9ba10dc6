// dhcp-option / dhcp-option-force (spec §3.3). Every accepted form's bytes were compared with
// what dnsmasq 2.90 puts on the wire (a DHCPOFFER captured in a namespace lab, with
// dhcp-option-force); every error was confirmed with `dnsmasq --test`.

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
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

using Parsed = testing::ParsedOption<DhcpOptionSetting, &Config::options>;

void parse_into(Parsed& parsed, std::string_view config, std::string_view option, unsigned line) {
  testing::parse_option_into(parsed, option, config, line);
}

Parsed parse(std::string_view config, std::string_view option = "dhcp-option") {
  Parsed parsed;
  parse_into(parsed, config, option, 1);
  return parsed;
}

std::vector<std::uint8_t> text_bytes(std::string_view text) {
  return {text.begin(), text.end()};
}

// ---- encodings: one row per form, bytes as dnsmasq sends them ------------------------------

struct Encoding {
  const char* value;
  std::uint32_t code;
  const char* hex;  // space-separated bytes; "" = zero length
};
void PrintTo(const Encoding& e, std::ostream* os) {
  *os << "dhcp-option=" << e.value;
}

constexpr Encoding kEncodings[] = {
    // addresses (§3.3.1, §3.3.6)
    {"3,192.168.1.254", 3, "c0 a8 01 fe"},
    {"option:router,192.168.1.254", 3, "c0 a8 01 fe"},
    {"option:ROUTER,10.0.0.1", 3, "0a 00 00 01"},
    {"6,1.2.3.4 ,  5.6.7.8", 6, "01 02 03 04 05 06 07 08"},
    {"option:tftp-server-address,192.168.1.2", 150, "c0 a8 01 02"},
    {"option:server-ip-address,192.168.1.2", 255, "c0 a8 01 02"},
    {"200,0.0.0.0", 200, "00 00 00 00"},  // free-form that looks like an address
    // RFC 3442 compact form; atoi() reads the prefix length
    {"121,10.0.0.0/8,192.168.1.1", 121, "08 0a c0 a8 01 01"},
    {"121,0.0.0.0/0,0.0.0.0", 121, "00 00 00 00 00"},
    {"121,10.1.2.0/24,10.0.0.1", 121, "18 0a 01 02 0a 00 00 01"},
    {"210,1.2.3.4/8/9", 210, "08 01"},
    {"211,1.2.3.4/33", 211, "21 01 02 03 04"},
    {"212,0.0.0.0/", 212, "00"},
    {"42,0.0.0.0,1.2.3.4/8", 42, "00 00 00 00 08 01"},
    // RFC 3361: encoding byte 1 for addresses, 0 for names
    {"120,0.0.0.0,1.2.3.4", 120, "01 00 00 00 00 01 02 03 04"},
    {"option:sip-server,Foo.com,bar.foo.com", 120,
     "00 03 66 6f 6f 03 63 6f 6d 00 03 62 61 72 c0 00"},
    {"120,", 120, "00"},
    // RFC 3397 domain search with compression (§3.3.7)
    {"119,example.com", 119, "07 65 78 61 6d 70 6c 65 03 63 6f 6d 00"},
    {"option:domain-search,Example.COM", 119, "07 65 78 61 6d 70 6c 65 03 63 6f 6d 00"},
    {"119,a.example.com,b.example.com,example.com,.", 119,
     "01 61 07 65 78 61 6d 70 6c 65 03 63 6f 6d 00 01 62 c0 02 c0 02 00"},
    {"119,foo.com,bar.com,foo.com", 119, "03 66 6f 6f 03 63 6f 6d 00 03 62 61 72 c0 04 c0 00"},
    {"119,x.y,c.x.y,d.c.x.y", 119, "01 78 01 79 00 01 63 c0 00 01 64 01 63 c0 00"},
    {"119,a.com.", 119, "01 61 03 63 6f 6d 00"},
    {"119,A b.com", 119, "03 61 20 62 03 63 6f 6d 00"},
    {"119,A_b.com", 119, "03 61 5f 62 03 63 6f 6d 00"},
    {"119,-ab.com", 119, "03 2d 61 62 03 63 6f 6d 00"},
    {"119,\"a,b\".com", 119, "03 61 2c 62 03 63 6f 6d 00"},
    {"119,a..b", 119, "01 61 00 01 62 00"},
    {"119,..", 119, "00 00"},
    {"119,.a.com", 119, "00 01 61 03 63 6f 6d 00"},
    {"119,a.com,,b.com", 119, "01 61 03 63 6f 6d 00"},
    {"119,", 119, ""},
    {"119,12s", 119, "02 31 32 00"},  // the `s` is taken for a width suffix
    // decimals (§3.3.5): table width, else the value's, else the suffix
    {"option:mtu,1500", 26, "05 dc"},
    {"26,99999", 26, "86 9f"},
    {"26,-5", 26, "ff fb"},
    {"option:client-arch,7", 93, "00 07"},
    {"13,7", 13, "00 07"},
    {"2,-3600", 2, "ff ff f1 f0"},
    {"200,255", 200, "ff"},
    {"214,256", 214, "01 00"},
    {"213,65536", 213, "00 01 00 00"},
    {"203,-5", 203, "ff ff ff fb"},
    {"204,5-3", 204, "05"},
    {"215,--5", 215, "00"},
    {"207,99999999999", 207, "48 76 e7 ff"},
    {"208,99999999999999999999999", 208, "ff ff ff ff"},
    {"209,12b", 209, "0c"},
    {"23,64b", 23, "40"},
    {"250,1s", 250, "00 01"},
    {"251,1i", 251, "00 00 00 01"},
    {"26,1b", 26, "01"},
    {"53,5b", 53, "05"},
    {"216,0102", 216, "66"},  // no colon: decimal 102
    // time (§3.3.3)
    {"option:T1,2m", 58, "00 00 00 78"},
    {"58,1h30m", 58, "00 00 00 3c"},
    {"59,5i", 59, "00 00 00 05"},
    {"option:T2,1d", 59, "00 01 51 80"},
    {"51,3600", 51, "00 00 0e 10"},
    // hex (§3.3.4): one byte per `:` group
    {"43,f1:00:74:7e", 43, "f1 00 74 7e"},
    {"217,a:b:c", 217, "0a 0b 0c"},
    {"201,1::2", 201, "01 02 00"},
    {"202,:", 202, "00 00"},
    {"218,1:", 218, "01 00"},
    {"205,123:4", 205, "12 03"},
    {"206,0102:03", 206, "01 02"},
    {"43,01:02", 43, "01 02"},
    // no value, empty value
    {"3", 3, ""},
    {"option:router", 3, ""},
    {"15,", 15, ""},
    {"200,", 200, ""},
    {"200,i", 200, ""},
    {"", 0, ""},
};

class DhcpOptionEncoding : public ::testing::TestWithParam<Encoding> {};

TEST_P(DhcpOptionEncoding, BytesAsDnsmasqSends) {
  const Encoding& e = GetParam();
  const Parsed parsed = parse(e.value);
  ASSERT_TRUE(parsed.ok()) << parsed.status->message;
  EXPECT_EQ(parsed.only().code, e.code);
  EXPECT_EQ(parsed.only().value, hex_bytes(e.hex));
  EXPECT_EQ(parsed.only().space, OptionSpace::standard);
}

INSTANTIATE_TEST_SUITE_P(Spec33, DhcpOptionEncoding, ::testing::ValuesIn(kEncodings));

// ---- text values ----------------------------------------------------------------------------

struct TextValue {
  const char* value;
  std::uint32_t code;
  const char* text;
};
void PrintTo(const TextValue& t, std::ostream* os) {
  *os << "dhcp-option=" << t.value;
}

constexpr TextValue kTexts[] = {
    {"252,\"1234\"", 252, "1234"},  // quoted digits are text (spec §1.2)
    {"66,\"1.2.3.4\"", 66, "1.2.3.4"},
    {"204,\"1.2.3.4\"", 204, "1.2.3.4"},
    {"201,\"a,b  c\"", 201, "a,b  c"},
    {"202,a , b", 202, "a , b"},  // the rest of the line, inner spaces and commas kept
    {"option:bootfile-name,pxelinux.0", 67, "pxelinux.0"},
    {"option:root-path,/srv/nfs root", 17, "/srv/nfs root"},
    {"option:domain-name,\"lab, example\"", 15, "lab, example"},
    {"12,fixed-name", 12, "fixed-name"},  // internal by name, not by number
    {"216,0x10", 216, "0x10"},
    {"200,1*:2", 200, "1*:2"},  // `*` is hex only in dhcp-match
    {"200,[::1]", 200, "[::1]"},
    {"15,12b", 15, "12"},  // the suffix is cut before the type says "text" [quirk]
    {"option:client-arch,\"7\"", 93, "7"},
    {"58,abc", 58, "abc"},  // a time without digits
    {"210,\"abc\"def", 210, "abcdef"},
};

class DhcpOptionText : public ::testing::TestWithParam<TextValue> {};

TEST_P(DhcpOptionText, StoredUnhidden) {
  const TextValue& t = GetParam();
  const Parsed parsed = parse(t.value);
  ASSERT_TRUE(parsed.ok()) << parsed.status->message;
  EXPECT_EQ(parsed.only().code, t.code);
  EXPECT_EQ(parsed.only().value, text_bytes(t.text));
  EXPECT_TRUE(parsed.only().is_text);
}

INSTANTIATE_TEST_SUITE_P(Spec33, DhcpOptionText, ::testing::ValuesIn(kTexts));

TEST(DhcpOptionText, OnlyPlainTextIsMarkedText) {
  EXPECT_FALSE(parse("3,1.2.3.4").only().is_text);
  EXPECT_FALSE(parse("119,example.com").only().is_text);
  EXPECT_FALSE(parse("43,01:02").only().is_text);
  EXPECT_FALSE(parse("26,1500").only().is_text);
}

// ---- errors: dnsmasq's message for each -----------------------------------------------------

struct Rejection {
  const char* value;
  const char* message;
};
void PrintTo(const Rejection& r, std::ostream* os) {
  *os << "dhcp-option=" << r.value;
}

constexpr Rejection kRejections[] = {
    // no option identified
    {"option:hostname,x", "bad dhcp-option"},
    {"option:lease-time,1h", "bad dhcp-option"},
    {"option:fqdn", "bad dhcp-option"},
    {"option:boot-server,192.168.1.2", "bad dhcp-option"},
    {"option:,5", "bad dhcp-option"},
    {"option:3,1.2.3.4", "bad dhcp-option"},
    {"Option:router,192.168.1.1", "bad dhcp-option"},
    {"option:\"router\",1.2.3.4", "bad dhcp-option"},
    {"\"3\",192.168.1.1", "bad dhcp-option"},
    {"tag:a,option:bogus,1", "bad dhcp-option"},
    {"foo", "bad dhcp-option"},
    {"router,1.2.3.4", "bad dhcp-option"},
    {"3x,1.2.3.4", "bad dhcp-option"},
    {"tag:a", "bad dhcp-option"},
    {"vendor:X", "bad dhcp-option"},
    {"encap:175", "bad dhcp-option"},
    {"vi-encap:x", "bad dhcp-option"},
    {"vendor:X,option:hostname,abc", "bad dhcp-option"},
    {"vi-encap:5,option:lease-time,1", "bad dhcp-option"},
    {"option6:bogus,1", "bad dhcp-option"},
    {"option6:client-id,1", "bad dhcp-option"},
    {"option6:1x,1", "bad dhcp-option"},
    // address lists
    {"3,", "bad IP address"},
    {"3,abc", "bad IP address"},
    {"option:router,gateway", "bad IP address"},
    {"3,\"192.168.1.1\"", "bad IP address"},
    {"3,/1.2.3.4", "bad IP address"},
    {"3,192.168.1.1#gateway", "bad IP address"},
    {"50,5", "bad IP address"},
    {"255,5", "bad IP address"},
    {"vendor:X,option:router,abc", "bad IP address"},
    {"encap:175,option:router,abc", "bad IP address"},
    {"3,1.2.3", "bad IPv4 address"},
    {"3,1.2.3.4,5", "bad IPv4 address"},
    {"option:dns-server,192.168.1.1,192.168.1", "bad IPv4 address"},
    {"1,255.255.255", "bad IPv4 address"},
    {"3,01.2.3.4", "bad IPv4 address"},
    {"3,1.2.3.4.", "bad IPv4 address"},
    {"200,1 2", "bad IPv4 address"},
    {"200,1,2", "bad IPv4 address"},
    {"200,1/2", "bad IPv4 address"},
    {"120,1,2", "bad IPv4 address"},
    {",3,1.2.3.4", "bad IPv4 address"},  // option 0, then an address list "3,1.2.3.4"
    // space prefixes
    {"encap:4,vendor:X,1,2", "inappropriate vendor:"},
    {"vendor:X,encap:4,1,2", "inappropriate encap:"},  // dnsmasq 2.90 segfaults
    {"vendor:PXEClient,encap:175,1,1", "inappropriate encap:"},
    // lengths
    {"53,5", "dhcp-option too long"},  // internal rows without a width [verified]
    {"43,5", "dhcp-option too long"},
    {"57,576", "dhcp-option too long"},
    {"61,5", "dhcp-option too long"},
    {"82,5", "dhcp-option too long"},
    // names
    {"119,-Ab.com", "bad domain in dhcp-option"},
    {"119,Ab-.com", "bad domain in dhcp-option"},
    {"119,-ab.Com", "bad domain in dhcp-option"},
    {"119,ab--cD.com", "bad domain in dhcp-option"},
    {"119,A.-b", "bad domain in dhcp-option"},
    {"119,\" \"", "bad domain in dhcp-option"},
    {"119,dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd.example.com",
     "bad domain in dhcp-option"},
    {"119,a.com,-B.com", "bad domain in dhcp-option"},
    // DHCPv6 forms
    {"option6:dns-server,1.2.3.4", "bad IPv6 address"},
    {"option6:23,[1::2::3]", "bad IPv6 address"},
    {"option6:23,[::1]/64", "bad IPv6 address"},
    {"option6:23,", "bad IPv6 address"},
    {"option6:23,[]", "bad IPv6 address"},
    {"option6:22,abc", "bad IPv6 address"},
    {"option6:dns-server,[::1],", "bad IPv6 address"},
    {"vendor:x,option6:23,[::1]", "unsupported encapsulation for IPv6 option"},
    {"encap:3,option6:23,[::1]", "unsupported encapsulation for IPv6 option"},
    {"option6:domain-search,a.com,-B.com", "bad domain in dhcp-option"},
    {"option6:nis-domain,-Ab", "bad domain in dhcp-option"},
    {"option6:ntp-server,-Ab", "bad domain in dhcp-option"},
    {"option6:39,-Ab", "bad domain in dhcp-option"},
};

class DhcpOptionError : public ::testing::TestWithParam<Rejection> {};

TEST_P(DhcpOptionError, DnsmasqsMessage) {
  const Rejection& r = GetParam();
  const Parsed parsed = parse(r.value);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status->message, r.message);
  EXPECT_TRUE(parsed.builder.config.options.empty());
}

INSTANTIATE_TEST_SUITE_P(Spec33, DhcpOptionError, ::testing::ValuesIn(kRejections));

TEST(DhcpOptionError, TooLongPerSpace) {
  const auto text = [](std::size_t n) { return std::string(n, 'v'); };
  EXPECT_TRUE(parse("200," + text(255)).ok());
  EXPECT_EQ(parse("200," + text(256)).status->message, "dhcp-option too long");
  EXPECT_EQ(parse("option:root-path," + text(256)).status->message, "dhcp-option too long");
  EXPECT_TRUE(parse("vendor:PXEClient,1," + text(253)).ok());
  EXPECT_EQ(parse("vendor:PXEClient,1," + text(254)).status->message, "dhcp-option too long");
  EXPECT_TRUE(parse("encap:1,1," + text(253)).ok());
  EXPECT_EQ(parse("encap:1,1," + text(254)).status->message, "dhcp-option too long");
  EXPECT_TRUE(parse("vi-encap:1,1," + text(250)).ok());
  EXPECT_EQ(parse("vi-encap:1,1," + text(251)).status->message, "dhcp-option too long");
  EXPECT_TRUE(parse("option6:100," + text(300)).ok());  // DHCPv6 has no limit
}

TEST(DhcpOptionError, HintsSayWhy) {
  EXPECT_NE(parse("router,1.2.3.4").status->hint.find("option:router"), std::string::npos);
  EXPECT_NE(parse("option:hostname,x").status->hint.find("12"), std::string::npos);
  EXPECT_NE(parse("option:boot-server,1").status->hint.find("boot-server"), std::string::npos);
  EXPECT_NE(parse("53,5").status->hint.find("5b"), std::string::npos);
}

TEST(DhcpOptionError, NonAsciiNamesAreRefusedNotMisencoded) {
  // dnsmasq hands `é.com` to libidn2 in the locale's encoding: in a UTF-8 locale it sends
  // xn--9ca.com, under LC_ALL=C it says "bad domain in dhcp-option" [verified]. pxemasq has no
  // IDN library and always refuses it, with a hint.
  const Parsed parsed = parse("119,\xc3\xa9.com");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status->message, "bad domain in dhcp-option");
  EXPECT_NE(parsed.status->hint.find("xn--"), std::string::npos);
  EXPECT_FALSE(parse("119,\xc3\xa9").ok());  // no ASCII at all: dnsmasq refuses it too
}

// ---- option spaces --------------------------------------------------------------------------

TEST(DhcpOptionSpace, VendorSubOption) {
  const Parsed parsed = parse("vendor:PXEClient,6,2b");  // `2b` = 2 in one byte
  ASSERT_TRUE(parsed.ok());
  const auto& s = parsed.only();
  EXPECT_EQ(s.space, OptionSpace::vendor);
  EXPECT_EQ(s.vendor_class, "PXEClient");
  EXPECT_EQ(s.code, 6U);
  EXPECT_EQ(s.value, hex_bytes("02"));
}

TEST(DhcpOptionSpace, VendorForAnyClientAndQuotedClass) {
  EXPECT_EQ(parse("vendor:,6,2b").only().vendor_class, "");
  EXPECT_EQ(parse("vendor:\"PXE,Client\",1,2").only().vendor_class, "PXE,Client");
}

TEST(DhcpOptionSpace, SubOptionsByNumberAreFreeForm) {
  // 119 / 120 / 3 inside a space have no table type; option:NAME keeps the row's type.
  EXPECT_EQ(parse("encap:175,119,foo.com").only().value, text_bytes("foo.com"));
  EXPECT_EQ(parse("vendor:X,3,abc").only().value, text_bytes("abc"));
  EXPECT_EQ(parse("encap:175,120,1.2.3.4").only().value, hex_bytes("01 02 03 04"));
  EXPECT_EQ(parse("encap:175,option:sip-server,foo.com").only().value, text_bytes("foo.com"));
  EXPECT_EQ(parse("vendor:PXEClient,option:mtu,99999").only().value, hex_bytes("86 9f"));
  // A name-list row inside a space: names, but without compression [verified on the wire].
  EXPECT_EQ(parse("encap:175,option:domain-search,Foo.com").only().value,
            hex_bytes("03 66 6f 6f 03 63 6f 6d 00"));
  EXPECT_EQ(parse("vendor:X,option:domain-search,a.foo.com,b.foo.com,.").only().value,
            hex_bytes("01 61 03 66 6f 6f 03 63 6f 6d 00 01 62 03 66 6f 6f 03 63 6f 6d 00 00"));
}

TEST(DhcpOptionSpace, Encap) {
  const Parsed parsed = parse("encap:175,190,user");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.only().space, OptionSpace::encap);
  EXPECT_EQ(parsed.only().container, 175U);
  EXPECT_EQ(parsed.only().code, 190U);
  EXPECT_EQ(parsed.only().value, text_bytes("user"));
  EXPECT_TRUE(parsed.only().vendor_class.empty());
}

TEST(DhcpOptionSpace, ViEncap) {
  const Parsed parsed = parse("vi-encap:3561,1,\"x\"");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.only().space, OptionSpace::vendor_ident);
  EXPECT_EQ(parsed.only().container, 3561U);
  EXPECT_EQ(parsed.only().code, 1U);
  EXPECT_EQ(parsed.only().value, text_bytes("x"));
}

TEST(DhcpOptionSpace, NonNumericContainerIsZeroWithAWarning) {
  for (const char* value : {"encap:x,1,1", "encap:,1,1", "vi-encap:,1,2"}) {
    const Parsed parsed = parse(value);
    ASSERT_TRUE(parsed.ok()) << value;
    EXPECT_EQ(parsed.only().container, 0U) << value;
    EXPECT_NE(parsed.warnings().find("is not a number"), std::string::npos) << value;
  }
}

TEST(DhcpOptionSpace, SecondSpacePrefixWarnsAndTheLastWins) {
  // dnsmasq 2.90 accepts these and misreads them (one field for class and number).
  const Parsed repeated = parse("vendor:PXEClient,vendor:Other,1,1");
  ASSERT_TRUE(repeated.ok());
  EXPECT_EQ(repeated.only().vendor_class, "Other");
  EXPECT_NE(repeated.warnings().find("second space prefix"), std::string::npos);
  const Parsed mixed = parse("vi-encap:3561,vendor:PXEClient,1,1");
  ASSERT_TRUE(mixed.ok());
  EXPECT_EQ(mixed.only().space, OptionSpace::vendor);
  EXPECT_EQ(mixed.only().container, 0U);
  EXPECT_EQ(parse("vendor:PXEClient,vi-encap:3561,1,1").only().space, OptionSpace::vendor_ident);
  EXPECT_EQ(parse("encap:175,vi-encap:3561,1,1").only().container, 3561U);
  EXPECT_EQ(parse("encap:175,encap:176,1,1").only().container, 176U);
}

// ---- server-address substitution (§3.3.6) ---------------------------------------------------

TEST(DhcpOptionSpace, ZeroAddressesAreSubstitutedOnlyInPlainTopLevelLists) {
  EXPECT_EQ(parse("6,0.0.0.0").only().server_address_offsets, (std::vector<std::size_t>{0}));
  EXPECT_EQ(parse("6,0.0.0.0,1.2.3.4,0.0.0.0").only().server_address_offsets,
            (std::vector<std::size_t>{0, 8}));
  EXPECT_EQ(parse("200,0.0.0.0").only().server_address_offsets, (std::vector<std::size_t>{0}));
  EXPECT_TRUE(parse("6,1.2.3.4").only().server_address_offsets.empty());
  EXPECT_TRUE(parse("42,0.0.0.0,1.2.3.4/8").only().server_address_offsets.empty());
  EXPECT_TRUE(parse("121,0.0.0.0/0,0.0.0.0").only().server_address_offsets.empty());
  EXPECT_TRUE(parse("120,0.0.0.0").only().server_address_offsets.empty());
  EXPECT_TRUE(parse("vendor:PXEClient,1,0.0.0.0").only().server_address_offsets.empty());
  EXPECT_TRUE(parse("encap:175,2,0.0.0.0").only().server_address_offsets.empty());
  EXPECT_TRUE(parse("vi-encap:3561,2,0.0.0.0").only().server_address_offsets.empty());
  EXPECT_TRUE(parse("200,00:00:00:00").only().server_address_offsets.empty());
}

// ---- tags and force -------------------------------------------------------------------------

TEST(DhcpOptionTags, PrefixesNegationAndBareWords) {
  const auto tags = [](std::string_view value) { return parse(value).only().tags; };
  EXPECT_EQ(tags("tag:efi,option:bootfile-name,bootx64.efi"), (TagFilter{{"efi", false, false}}));
  EXPECT_EQ(tags("net:efi,67,x"), (TagFilter{{"efi", false, false}}));
  EXPECT_EQ(tags("efi,67,x"), (TagFilter{{"efi", false, false}}));
  EXPECT_EQ(tags("tag:!efi,67,x"), (TagFilter{{"efi", true, false}}));
  EXPECT_EQ(tags("#efi,67,x"), (TagFilter{{"efi", true, false}}));
  EXPECT_EQ(tags("!efi,67,x"), (TagFilter{{"efi", true, false}}));
  EXPECT_EQ(tags("tag:a,tag:b,tag:!c,option:root-path,/srv/nfs"),
            (TagFilter{{"a", false, false}, {"b", false, false}, {"c", true, false}}));
  EXPECT_EQ(tags("tag:\"a b\",3,1.2.3.4"), (TagFilter{{"a b", false, false}}));
  EXPECT_TRUE(tags("3,1.2.3.4").empty());
}

TEST(DhcpOptionTags, SetPrefixIsReadAsTagWithAWarning) {
  const Parsed parsed = parse("set:efi,67,bootx64.efi");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.only().tags, (TagFilter{{"efi", false, false}}));
  EXPECT_NE(parsed.warnings().find("read as tag:efi"), std::string::npos);
}

TEST(DhcpOptionTags, ForceComesFromTheOptionName) {
  EXPECT_FALSE(parse("3,1.2.3.4").only().force);
  EXPECT_TRUE(parse("3,1.2.3.4", "dhcp-option-force").only().force);
  EXPECT_EQ(parse("3,1.2.3.4", "dhcp-option-force").only().value, hex_bytes("01 02 03 04"));
}

TEST(DhcpOptionTags, OriginIsKept) {
  EXPECT_EQ(parse("3,1.2.3.4").only().origin, (Origin{"t.conf", 1}));
}

// ---- warnings: accepted like dnsmasq, but said -----------------------------------------------

struct Warned {
  const char* value;
  const char* fragment;
};
void PrintTo(const Warned& w, std::ostream* os) {
  *os << "dhcp-option=" << w.value;
}

constexpr Warned kWarnings[] = {
    {"256,1", "above 255: dnsmasq sends it as option 0"},
    {"259,abc", "sends it as option 3"},
    {"", "option 0"},
    {"tag:a,,1.2.3.4", "option 0"},
    {"option:mtu,99999", "99999 does not fit in 2 bytes: dnsmasq sends 86:9f"},
    {"200,99999999999", "does not fit in 4 bytes"},
    {"23,300", "300 does not fit in 1 byte"},
    {"204,5-3", "'5-3' is read as the number 5"},
    {"option:T1,1h30m", "'1h30m' is read as 60 seconds"},
    {"option:T1,5i", "read as 5 seconds"},
    {"58,-5", "is read as 4294967291 seconds"},
    {"15,12b", "final 'b' of '12b' is dropped"},
    {"119,a..b", "empty label in 'a..b'"},
    {"119,a.com,,b.com", "names after an empty item are ignored"},
    {"211,1.2.3.4/33", "prefix length 33 is above 32"},
    {"212,0.0.0.0/", "prefix length '' is read as 0"},
    {"121,10.0.0.0/x8,1.2.3.4", ""},  // text: no prefix warning, no error
    {"206,0102:03", "hex value '0102:03' is read as 01:02"},
    {"201,1::2", "is read as 01:02:00"},
    {"encap:300,1,1", "encap:300 is above 255"},
    {"set:x,3,1.2.3.4", "it sets nothing"},
};

class DhcpOptionWarning : public ::testing::TestWithParam<Warned> {};

TEST_P(DhcpOptionWarning, AcceptedWithAWarning) {
  const Warned& w = GetParam();
  const Parsed parsed = parse(w.value);
  ASSERT_TRUE(parsed.ok()) << parsed.status->message;
  EXPECT_NE(parsed.warnings().find(w.fragment), std::string::npos) << parsed.warnings();
}

INSTANTIATE_TEST_SUITE_P(Spec9, DhcpOptionWarning, ::testing::ValuesIn(kWarnings));

TEST(DhcpOptionWarning, CleanLinesWarnNothing) {
  for (const char* value :
       {"3,192.168.1.1", "option:router,0.0.0.0", "121,10.0.0.0/8,192.168.1.1", "26,1500",
        "2,-3600", "option:T1,1h", "59,3600", "119,example.com,lab.example.com", "119,.",
        "43,f1:00:74:7e", "67,pxelinux.0", "tag:!efi,67,x", "vendor:PXEClient,6,2b",
        "encap:175,1,5", "vi-encap:3561,1,abc", "option:mtu,1b", "3"}) {
    const Parsed parsed = parse(value);
    ASSERT_TRUE(parsed.ok()) << value;
    EXPECT_TRUE(parsed.builder.warnings.empty()) << value << ": " << parsed.warnings();
  }
}

TEST(DhcpOptionWarning, WarningsAreNotKeptForRejectedLines) {
  const Parsed parsed = parse("set:x,256,1.2.3");
  ASSERT_FALSE(parsed.ok());
  EXPECT_TRUE(parsed.builder.warnings.empty());
}

// ---- duplicates (spec §3.3 precedence, §9.15) -----------------------------------------------

TEST(DhcpOptionDuplicate, TwoUntaggedLinesWarnOnceAtLoad) {
  Parsed parsed;
  parse_into(parsed, "3,10.0.0.1", "dhcp-option", 1);
  parse_into(parsed, "option:router,10.0.0.2", "dhcp-option-force", 2);
  parse_into(parsed, "3,10.0.0.3", "dhcp-option", 3);
  ASSERT_EQ(parsed.builder.config.options.size(), 3U);
  ASSERT_EQ(parsed.builder.warnings.size(), 1U) << parsed.warnings();
  EXPECT_EQ(parsed.builder.warnings[0].origin, (Origin{"t.conf", 2}));
  EXPECT_NE(parsed.warnings().find("dhcp-option 3 is also set without tags at line 1 of t.conf"),
            std::string::npos);
  EXPECT_NE(parsed.warnings().find("Ignoring duplicate dhcp-option 3"), std::string::npos);
}

TEST(DhcpOptionDuplicate, TaggedLinesAndOtherSpacesAreNotDuplicates) {
  Parsed parsed;
  parse_into(parsed, "67,pxelinux.0", "dhcp-option", 1);
  parse_into(parsed, "tag:efi,67,bootx64.efi", "dhcp-option", 2);
  parse_into(parsed, "vendor:PXEClient,67,x", "dhcp-option", 3);
  parse_into(parsed, "vendor:Other,67,x", "dhcp-option", 4);
  parse_into(parsed, "encap:175,67,x", "dhcp-option", 5);
  parse_into(parsed, "encap:176,67,x", "dhcp-option", 6);
  parse_into(parsed, "vi-encap:3561,67,x", "dhcp-option", 7);
  parse_into(parsed, "323,x", "dhcp-option", 8);  // 323 & 255 = 67, but another number
  EXPECT_TRUE(std::none_of(
      parsed.builder.warnings.begin(), parsed.builder.warnings.end(),
      [](const Diagnostic& d) { return d.message.find("also set") != std::string::npos; }))
      << parsed.warnings();
  parse_into(parsed, "vendor:PXEClient,67,y", "dhcp-option", 9);
  EXPECT_NE(parsed.warnings().find("dhcp-option vendor:PXEClient,67 is also set"),
            std::string::npos);
}

// ---- DHCPv6 forms (accepted, checked, not served) -------------------------------------------

TEST(DhcpOptionDhcp6, AcceptedFormsAreDroppedWithOneWarning) {
  Parsed parsed;
  unsigned line = 0;
  for (const char* value : {"option6:23,[::1],[fe80::1]",
                            "option6:dns-server,[::1]",
                            "option6:Dns-Server,::1",
                            "option6:23,[::1",
                            "option6:23,::1]",
                            "option6:23,[::ffff:1.2.3.4]",
                            "option6:23",
                            "option6:",
                            "option6:99999,1",
                            "tag:a,option6:23,[::1]",
                            "vi-encap:3,option6:23,[::1]",
                            "option6:domain-search,a..b",
                            "option6:domain-search,a.com,,-Ab",
                            "option6:ntp-server,[::1]",
                            "option6:ntp-server,ntp.org",
                            "option6:ntp-server,ab:cd",
                            "option6:information-refresh-time,1h",
                            "option6:bootfile-url,tftp://[::1]/x",
                            "option6:bootfile-param,a,b",
                            "option6:posix-timezone,-Ab",
                            "option6:12,abc",
                            "option6:100,[::1],[zz]"}) {
    parse_into(parsed, value, "dhcp-option", ++line);
    ASSERT_TRUE(parsed.ok()) << value << ": " << parsed.status->message;
  }
  EXPECT_TRUE(parsed.builder.config.options.empty());
  ASSERT_EQ(parsed.builder.warnings.size(), 1U) << parsed.warnings();
  EXPECT_NE(parsed.warnings().find("DHCPv4 only"), std::string::npos);
  EXPECT_EQ(parsed.builder.warnings[0].origin, (Origin{"t.conf", 1}));
}

}  // namespace
}  // namespace pxemasq::config
