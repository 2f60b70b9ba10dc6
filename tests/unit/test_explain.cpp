// `pxemasq --explain` and the --test boot-file check (issue 8): the real engine run offline on a
// DISCOVER shaped like firmware's. Golden answers for the common BIOS/UEFI split configuration;
// tests/integration/explain_test.py checks the same answers against the running daemon and the
// real dnsmasq.

#include <gtest/gtest.h>

#include "config_text.hpp"
#include "daemon/explain.hpp"

namespace pxemasq::daemon {
namespace {

constexpr const char* kSplitConfig =
    "interface=ens33\n"
    "dhcp-range=192.168.1.100,192.168.1.200,255.255.255.0,12h\n"
    "dhcp-match=set:bios,option:client-arch,0\n"
    "dhcp-match=set:efi32,option:client-arch,6\n"
    "dhcp-match=set:efi64,option:client-arch,7\n"
    "dhcp-match=set:efi64,option:client-arch,9\n"
    "dhcp-match=set:efiarm32,option:client-arch,10\n"
    "dhcp-match=set:efiarm64,option:client-arch,11\n"
    "dhcp-match=set:efihttp,option:client-arch,16\n"
    "dhcp-userclass=set:ipxe,iPXE\n"
    "dhcp-boot=tag:bios,bios/pxelinux.0\n"
    "dhcp-boot=tag:efi32,efi32/bootia32.efi\n"
    "dhcp-boot=tag:efi64,efi64/bootx64.efi\n"
    "dhcp-boot=tag:efiarm32,arm/bootarm.efi\n"
    "dhcp-boot=tag:efiarm64,arm64/bootaa64.efi\n"
    "dhcp-option-force=tag:efihttp,60,HTTPClient\n"
    "dhcp-boot=tag:efihttp,http://192.168.1.70/efi64/bootx64.efi\n"
    "dhcp-boot=tag:ipxe,http://192.168.1.70/boot.ipxe\n";

constexpr std::int64_t kNow = 1'750'000'000;

ExplainInterface ens33() {
  return ExplainInterface{"ens33", {{config::Ipv4{0xC0A80146U}, config::Ipv4{0xFFFFFF00U}, config::Ipv4{0xC0A801FFU}}}, false};
}

ExplainedReply explain_text(const std::string& config_text, const std::string& request_text) {
  std::string error;
  auto config = testing::load_config_text(config_text, &error);
  EXPECT_NE(config, nullptr) << error;
  auto request = parse_explain_request(request_text);
  EXPECT_TRUE(std::holds_alternative<ExplainRequest>(request));
  return explain(*config, ens33(), std::get<ExplainRequest>(request), dhcp::LeaseTable(1000), kNow);
}

TEST(ExplainRequest, ParsesMacArchVendorAndUserClass) {
  auto parsed = parse_explain_request("52:54:00:AA:bb:cc,7,MyVendor,iPXE");
  ASSERT_TRUE(std::holds_alternative<ExplainRequest>(parsed));
  const auto& request = std::get<ExplainRequest>(parsed);
  EXPECT_EQ(request.mac, (std::vector<std::uint8_t>{0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc}));
  EXPECT_EQ(request.arch, 7);
  EXPECT_EQ(request.vendor_class, "MyVendor");
  EXPECT_EQ(request.user_class, "iPXE");
  parsed = parse_explain_request("52-54-00-aa-bb-cc,0,,iPXE");
  ASSERT_TRUE(std::holds_alternative<ExplainRequest>(parsed));
  EXPECT_FALSE(std::get<ExplainRequest>(parsed).vendor_class);  // empty field: firmware's default
  parsed = parse_explain_request("52:54:00:aa:bb:cc");
  ASSERT_TRUE(std::holds_alternative<ExplainRequest>(parsed));
  EXPECT_FALSE(std::get<ExplainRequest>(parsed).arch);
}

TEST(ExplainRequest, RejectsBadMacOrArch) {
  EXPECT_TRUE(std::holds_alternative<std::string>(parse_explain_request("52:54:00:aa:bb")));
  EXPECT_TRUE(std::holds_alternative<std::string>(parse_explain_request("52:54:00:aa:bb:cc:dd")));
  EXPECT_TRUE(std::holds_alternative<std::string>(parse_explain_request("52:54:00:aa:bb:zz")));
  EXPECT_TRUE(std::holds_alternative<std::string>(parse_explain_request("52:54:00:aa:bb:cc,x86")));
  EXPECT_TRUE(std::holds_alternative<std::string>(parse_explain_request("52:54:00:aa:bb:cc,70000")));
}

TEST(ExplainDiscover, LooksLikeFirmware) {
  EXPECT_EQ(firmware_vendor_class(7), "PXEClient:Arch:00007:UNDI:003000");  // OVMF, pxe-lab.md
  EXPECT_EQ(firmware_vendor_class(0), "PXEClient:Arch:00000:UNDI:002001");  // iPXE legacy ROM
  EXPECT_EQ(firmware_vendor_class(16), "HTTPClient:Arch:00016:UNDI:003000");
  ExplainRequest request;
  request.mac = {2, 0, 0, 0, 0, 1};
  request.arch = 7;
  const dhcp::Packet discover = explain_discover(request);
  std::vector<std::uint8_t> codes;
  for (const auto& option : discover.options) codes.push_back(option.code);
  EXPECT_EQ(codes, (std::vector<std::uint8_t>{53, 57, 55, 97, 94, 93, 60}));
  EXPECT_EQ(discover.find(93)->data, (std::vector<std::uint8_t>{0, 7}));
}

struct Golden {
  const char* request;
  const char* boot_file;
};

class ExplainSplitConfig : public ::testing::TestWithParam<Golden> {};

TEST_P(ExplainSplitConfig, BootFileForEachArchitecture) {
  const ExplainedReply reply = explain_text(kSplitConfig, GetParam().request);
  ASSERT_TRUE(reply.answered);
  EXPECT_EQ(reply.boot_file(), GetParam().boot_file);
  EXPECT_EQ(reply.siaddr, config::Ipv4{0xC0A80146U});  // next server: this interface
  EXPECT_GE(reply.yiaddr.value, 0xC0A80164U);
  EXPECT_LE(reply.yiaddr.value, 0xC0A801C8U);
}

INSTANTIATE_TEST_SUITE_P(
    Architectures, ExplainSplitConfig,
    ::testing::Values(Golden{"52:54:00:42:00:00,0", "bios/pxelinux.0"},
                      Golden{"52:54:00:42:00:06,6", "efi32/bootia32.efi"},
                      Golden{"52:54:00:42:00:07,7", "efi64/bootx64.efi"},
                      Golden{"52:54:00:42:00:09,9", "efi64/bootx64.efi"},
                      Golden{"52:54:00:42:00:0a,10", "arm/bootarm.efi"},
                      Golden{"52:54:00:42:00:0b,11", "arm64/bootaa64.efi"},
                      Golden{"52:54:00:42:00:10,16", "http://192.168.1.70/efi64/bootx64.efi"},
                      // iPXE chainloaded from either firmware gets its script (the last
                      // matching dhcp-boot wins, as in dnsmasq; checked against it by
                      // tests/integration/explain_test.py)
                      Golden{"52:54:00:42:01:00,0,,iPXE", "http://192.168.1.70/boot.ipxe"},
                      Golden{"52:54:00:42:01:07,7,,iPXE", "http://192.168.1.70/boot.ipxe"}));

TEST(ExplainSplitConfig, HttpClientEchoForArch16) {
  const ExplainedReply reply = explain_text(kSplitConfig, "52:54:00:42:00:10,16");
  const auto it = std::find_if(reply.options.begin(), reply.options.end(), [](const auto& o) { return o.code == 60; });
  ASSERT_NE(it, reply.options.end());
  EXPECT_EQ(std::string(it->data.begin(), it->data.end()), "HTTPClient");
}

TEST(ExplainSplitConfig, ReportNamesTagsRangeAndBootFile) {
  std::string error;
  auto config = testing::load_config_text(kSplitConfig, &error);
  ASSERT_NE(config, nullptr);
  const auto request = std::get<ExplainRequest>(parse_explain_request("52:54:00:42:00:07,7"));
  const ExplainedReply reply = explain(*config, ens33(), request, dhcp::LeaseTable(1000), kNow);
  const std::string text = format_explanation(request, ens33(), reply);
  EXPECT_NE(text.find("tags:       efi64, ens33\n"), std::string::npos) << text;
  EXPECT_NE(text.find("range:      192.168.1.100 -- 192.168.1.200\n"), std::string::npos) << text;
  EXPECT_NE(text.find("boot file:  efi64/bootx64.efi   (option 67)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("next server (siaddr): 192.168.1.70\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  67 bootfile-name (18 bytes) "), std::string::npos) << text;
  EXPECT_NE(text.find("  DHCPOFFER(ens33) "), std::string::npos) << text;
}

TEST(ExplainUnanswered, IgnoredClientSaysSo) {
  const ExplainedReply reply = explain_text(std::string(kSplitConfig) + "dhcp-ignore=tag:bios\n", "52:54:00:42:00:00,0");
  EXPECT_FALSE(reply.answered);
}

TEST(BootFileCheck, CleanSplitConfigHasNoWarning) {
  auto config = testing::load_config_text(kSplitConfig);
  ASSERT_NE(config, nullptr);
  EXPECT_TRUE(architecture_mismatches(*config, ens33(), kNow).empty());
}

TEST(BootFileCheck, OneBiosFileForEveryoneIsReported) {
  auto config = testing::load_config_text("dhcp-range=192.168.1.100,192.168.1.200,12h\ndhcp-boot=pxelinux.0\n");
  ASSERT_NE(config, nullptr);
  const auto warnings = architecture_mismatches(*config, ens33(), kNow);
  ASSERT_EQ(warnings.size(), 1U);
  EXPECT_NE(warnings[0].find("client-arch 6, 7, 9, 10, 11, 16"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("BIOS boot file pxelinux.0"), std::string::npos) << warnings[0];
}

TEST(BootFileCheck, SwappedTagsAreReportedBothWays) {
  auto config = testing::load_config_text(
      "dhcp-range=192.168.1.100,192.168.1.200,12h\n"
      "dhcp-match=set:bios,option:client-arch,7\n"
      "dhcp-match=set:efi,option:client-arch,0\n"
      "dhcp-boot=tag:bios,pxelinux.0\n"
      "dhcp-boot=tag:efi,bootx64.efi\n");
  ASSERT_NE(config, nullptr);
  const auto warnings = architecture_mismatches(*config, ens33(), kNow);
  ASSERT_EQ(warnings.size(), 2U);
  // In architecture order: BIOS (0) first.
  EXPECT_NE(warnings[0].find("client-arch 0, 0+iPXE would get the UEFI boot file bootx64.efi"), std::string::npos)
      << warnings[0];
  EXPECT_NE(warnings[1].find("client-arch 7, 7+iPXE would get the BIOS boot file pxelinux.0"), std::string::npos)
      << warnings[1];
}

}  // namespace
}  // namespace pxemasq::daemon
