// pxe-service, pxe-prompt, dhcp-pxe-vendor (spec §3.10). Verdicts were checked with dnsmasq 2.90
// `--test`; boot types, arch truncation, prompt timeouts and vendor order against the option 43
// and option 60 a running dnsmasq 2.90 sent to a PXE client.

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

ConfigBuilder accepted_lines(std::string_view name,
                             std::initializer_list<std::string_view> values) {
  ConfigBuilder builder;
  for (const std::string_view value : values) {
    const ParseStatus status = feed(builder, name, value);
    EXPECT_FALSE(status) << name << "=" << value << ": " << (status ? status->message : "");
  }
  return builder;
}

PxeService service_of(std::string_view value, ConfigBuilder& builder) {
  EXPECT_FALSE(feed(builder, "pxe-service", value)) << value;
  return builder.config.pxe_services.empty() ? PxeService{} : builder.config.pxe_services.back();
}

PxeService service_of(std::string_view value) {
  ConfigBuilder builder;
  return service_of(value, builder);
}

struct Case {
  const char* name;
  const char* value;
  const char* expected;
};

// Every verdict was checked against dnsmasq 2.90's --test.
constexpr Case kVerdicts[] = {
    {"pxe-service", "", "error"},
    {"pxe-service", "x86PC", "error"},
    {"pxe-service", "x86PC,", "ok"},
    {"pxe-service", "X86pc,Boot", "ok"},
    {"pxe-service", "x86-64_efi,Boot,pxelinux", "ok"},
    {"pxe-service", "x86_64_efi,a", "error"},
    {"pxe-service", "bogus,Boot", "error"},
    {"pxe-service", ",Boot", "ok"},
    {"pxe-service", "7,Boot", "ok"},
    {"pxe-service", "65536,Boot", "ok"},
    {"pxe-service", "99999999999,Boot", "ok"},
    {"pxe-service", "-1,Boot", "error"},
    {"pxe-service", "x86PC,Boot,", "ok"},
    {"pxe-service", "x86PC,Boot,70000", "ok"},
    {"pxe-service", "x86PC,Boot,pxelinux,1.2.3.4,extra", "ok"},
    {"pxe-service", "x86PC,Boot,,1.2.3.4", "ok"},
    {"pxe-service", "x86PC,Boot,1.2.3.4", "ok"},
    {"pxe-service", "x86PC,Boot,file,", "ok"},
    {"pxe-service", "tag:a,net:b,x86PC,Boot", "ok"},
    {"pxe-service", "tag:a", "error"},
    {"pxe-service", "tag:a,tag:b", "error"},
    {"pxe-service", "set:a,x86PC,Boot", "error"},
    {"pxe-service", "x86PC,Boot,set:a", "ok"},
    {"pxe-service", "tag:,x86PC,a", "ok"},
    {"pxe-service", "IA64_EFI,a", "ok"},
    {"pxe-service", "Intel_Lean_Client,a", "ok"},
    {"pxe-service", "BC_EFI,a", "ok"},
    {"pxe-service", "ARM64_EFI,a", "ok"},
    {"pxe-prompt", "", "ok"},
    {"pxe-prompt", "Press", "ok"},
    {"pxe-prompt", "Press,abc", "ok"},
    {"pxe-prompt", "Press,5,6", "ok"},
    {"pxe-prompt", "Press,300", "ok"},
    {"pxe-prompt", "Press,", "ok"},
    {"pxe-prompt", "tag:a", "error"},
    {"pxe-prompt", "tag:a,tag:b", "error"},
    {"pxe-prompt", "tag:a,Press,5", "ok"},
    {"pxe-prompt", "set:a,Press,5", "ok"},
    {"pxe-prompt", ",5", "ok"},
    {"dhcp-pxe-vendor", "", "ok"},
    {"dhcp-pxe-vendor", "PXEClient,Foo", "ok"},
    {"dhcp-pxe-vendor", "a,,b", "ok"},
};

TEST(PxeVerdict, MatchesDnsmasq) {
  for (const Case& c : kVerdicts) {
    EXPECT_EQ(verdict(c.name, c.value), c.expected) << c.name << "=" << c.value;
  }
}

TEST(PxeVerdict, QuotingLooksThroughNumbersNotNames) {
  EXPECT_EQ(verdict("pxe-service", quoted("7") + ",Boot"), "ok");
  EXPECT_EQ(verdict("pxe-service", quoted("x86PC") + ",Boot"), "error");
  EXPECT_EQ(verdict("pxe-service", "x86PC," + quoted("a,b") + ",file"), "ok");
  EXPECT_EQ(verdict("pxe-prompt", quoted("a,b") + ",5"), "ok");
}

TEST(PxeServiceModel, AllFields) {
  ConfigBuilder builder;
  const PxeService service =
      service_of("tag:efi,tag:!old,x86-64_EFI,Boot UEFI,grubx64.efi,192.168.1.2", builder);
  EXPECT_EQ(service.origin, (Origin{"t.conf", 1}));
  EXPECT_EQ(service.tags, (TagFilter{{"efi", false, false}, {"old", true, false}}));
  EXPECT_EQ(service.client_arch, 7);
  EXPECT_EQ(service.menu_text, "Boot UEFI");
  EXPECT_EQ(service.basename, "grubx64.efi");
  EXPECT_EQ(service.server_type, 32768);
  ASSERT_TRUE(service.server_address);
  EXPECT_EQ(service.server_address->to_string(), "192.168.1.2");
  EXPECT_FALSE(service.server_host);
  EXPECT_TRUE(builder.warnings.empty());
}

TEST(PxeServiceModel, ArchNamesAndNumbers) {
  const std::pair<const char*, std::uint16_t> kArchs[] = {
      {"x86PC", 0},    {"PC98", 1},       {"ia64_efi", 2},
      {"Alpha", 3},    {"Arc_x86", 4},    {"Intel_Lean_Client", 5},
      {"IA32_EFI", 6}, {"X86-64_EFI", 7}, {"Xscale_EFI", 8},
      {"BC_EFI", 9},   {"ARM32_EFI", 10}, {"arm64_efi", 11},
      {"16", 16},      {"", 0},
  };
  for (const auto& [name, number] : kArchs) {
    EXPECT_EQ(service_of(std::string(name) + ",Menu").client_arch, number) << name;
  }
  EXPECT_EQ(service_of(quoted("9") + ",Menu").client_arch, 9);
  ConfigBuilder builder;
  EXPECT_EQ(service_of("65536,Menu", builder).client_arch, 0);  // listed for x86PC [verified]
  EXPECT_TRUE(has_warning(builder, "16 bits"));
}

TEST(PxeServiceModel, BootTypes) {
  // Config order; private types for basenames only, counted across lines [verified: sub-option 9
  // listed 00:05 A, 80:00 B, 80:01 C, 00:00 D, 00:00 E, 80:02 F].
  const ConfigBuilder builder = accepted_lines(
      "pxe-service", {"x86PC,A," + quoted("5"), "x86PC,B,file1", "x86PC,C,file2,1.2.3.4,extra",
                      "x86PC,D,", "x86PC,E", "x86PC,F,file3,9.8.7.6"});
  const auto& list = builder.config.pxe_services;
  ASSERT_EQ(list.size(), 6U);
  EXPECT_EQ(list[0].server_type, 5);
  EXPECT_FALSE(list[0].basename);
  EXPECT_EQ(list[1].server_type, 32768);
  EXPECT_EQ(list[1].basename, "file1");
  EXPECT_EQ(list[2].server_type, 32769);
  EXPECT_EQ(list[2].server_host, "1.2.3.4,extra");  // the rest of the line, not an address
  EXPECT_FALSE(list[2].server_address);
  EXPECT_EQ(list[3].server_type, 0);  // an empty type is 0: local boot
  EXPECT_FALSE(list[3].basename);
  EXPECT_EQ(list[4].server_type, 0);
  EXPECT_EQ(list[5].server_type, 32770);
  EXPECT_EQ(list[5].server_address->to_string(), "9.8.7.6");
  for (std::size_t i = 0; i < list.size(); ++i) {
    EXPECT_EQ(list[i].menu_text, std::string(1, static_cast<char>('A' + i)));
  }
}

TEST(PxeServiceModel, ServerNameAndEmptyServer) {
  const PxeService named = service_of("x86PC,Boot,pxelinux,boot.example");
  EXPECT_EQ(named.server_host, "boot.example");
  EXPECT_FALSE(named.server_address);
  const PxeService empty = service_of("x86PC,Boot,pxelinux,");
  EXPECT_FALSE(empty.server_host);
  EXPECT_FALSE(empty.server_address);
}

TEST(PxeServiceModel, QuirksWarn) {
  ConfigBuilder type;
  EXPECT_EQ(service_of("x86PC,Boot,70000", type).server_type, 70000 & 0xFFFF);
  EXPECT_TRUE(has_warning(type, "16 bits"));

  ConfigBuilder set;
  EXPECT_EQ(service_of("x86PC,Boot,set:a", set).basename, "set:a");
  EXPECT_TRUE(has_warning(set, "is not a tag here"));

  ConfigBuilder address;
  EXPECT_EQ(service_of("x86PC,Boot,1.2.3.4", address).basename, "1.2.3.4");
  EXPECT_TRUE(has_warning(address, "boot file name"));

  ConfigBuilder empty_tag;
  EXPECT_EQ(service_of("tag:,x86PC,a", empty_tag).tags, (TagFilter{{"", false, false}}));
  EXPECT_TRUE(has_warning(empty_tag, "empty tag name"));
}

TEST(PxeServiceModel, SetPrefixIsRejectedWithAHint) {
  ConfigBuilder builder;
  const ParseStatus status = feed(builder, "pxe-service", "set:a,x86PC,Boot");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->message, "error");
  EXPECT_NE(status->hint.find("tag:"), std::string::npos);
  EXPECT_TRUE(builder.config.pxe_services.empty());
}

struct PromptCase {
  std::string value;
  std::string text;
  std::uint8_t timeout;
};

TEST(PxePromptModel, TextAndTimeout) {
  // Timeout bytes as seen in sub-option 10 of a running dnsmasq 2.90.
  const PromptCase kPrompts[] = {
      {"Press F8 for menu", "Press F8 for menu", 255},
      {"Press,5", "Press", 5},
      {"Press,", "Press", 0},
      {"Press,abc", "Press", 255},
      {"Press,5,6", "Press", 255},
      {"Press,300", "Press", 44},
      {"Pr" + quoted("e") + "ss," + quoted("7"), "Press", 7},
      {quoted("a,b") + ",5", "a,b", 5},
      {"", "", 255},
      {",5", "", 5},
  };
  for (const PromptCase& c : kPrompts) {
    ConfigBuilder builder;
    ASSERT_FALSE(feed(builder, "pxe-prompt", c.value)) << c.value;
    const PxePrompt& prompt = builder.config.pxe_prompts.at(0);
    EXPECT_EQ(prompt.text, c.text) << c.value;
    EXPECT_EQ(prompt.timeout, c.timeout) << c.value;
    EXPECT_TRUE(prompt.tags.empty());
  }
}

TEST(PxePromptModel, TagsAndSetAsText) {
  ConfigBuilder builder;
  ASSERT_FALSE(feed(builder, "pxe-prompt", "tag:bios,net:lab,Choose,10"));
  const PxePrompt& prompt = builder.config.pxe_prompts.at(0);
  EXPECT_EQ(prompt.tags, (TagFilter{{"bios", false, false}, {"lab", false, false}}));
  EXPECT_EQ(prompt.text, "Choose");
  EXPECT_EQ(prompt.timeout, 10);
  // `set:a` is the text and `Press` a bad timeout (255) [verified on the wire].
  ConfigBuilder set;
  ASSERT_FALSE(feed(set, "pxe-prompt", "set:a,Press"));
  EXPECT_EQ(set.config.pxe_prompts.at(0).text, "set:a");
  EXPECT_EQ(set.config.pxe_prompts.at(0).timeout, 255);
  EXPECT_TRUE(has_warning(set, "is not a tag here"));
  EXPECT_TRUE(has_warning(set, "not a number"));
}

TEST(PxeVendor, ParseOrderAndEmptyItems) {
  ConfigBuilder builder;
  ASSERT_FALSE(feed(builder, "dhcp-pxe-vendor", "PXEClient,HTTPClient"));
  ASSERT_FALSE(feed(builder, "dhcp-pxe-vendor", "Foo,," + quoted("a,b")));
  EXPECT_EQ(builder.config.pxe_vendors,
            (std::vector<std::string>{"PXEClient", "HTTPClient", "Foo", "a,b"}));
  EXPECT_TRUE(has_warning(builder, "empty vendor"));
  ConfigBuilder empty;
  ASSERT_FALSE(feed(empty, "dhcp-pxe-vendor", ""));
  EXPECT_TRUE(empty.config.pxe_vendors.empty());  // the default, PXEClient, stays in force
}

}  // namespace
}  // namespace pxemasq::config
