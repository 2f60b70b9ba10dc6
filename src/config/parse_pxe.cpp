// pxe-service, pxe-prompt and dhcp-pxe-vendor (spec §3.10). Accept/reject rules were checked with
// `dnsmasq --test` (2.90) and the values (boot types, prompt timeouts, vendor order) against the
// option 43 / option 60 a running dnsmasq sent to a PXE client.
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/parsers.hpp"
#include "config/quoting.hpp"
#include "config/values.hpp"

namespace pxemasq::config {
namespace {

// RFC 4578 client system architectures by dnsmasq's names; the index is the number.
constexpr std::array<std::string_view, 12> kClientArchNames = {
    "x86PC",    "PC98",       "IA64_EFI",   "Alpha",  "Arc_x86",   "Intel_Lean_Client",
    "IA32_EFI", "x86-64_EFI", "Xscale_EFI", "BC_EFI", "ARM32_EFI", "ARM64_EFI"};

// Private boot server types for services with a basename start here, in config order.
constexpr std::uint32_t kFirstBasenameType = 32768;
constexpr std::uint8_t kPromptWaitForever = 255;

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  const auto lower = [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  };
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [&](char x, char y) { return lower(x) == lower(y); });
}

// A name (compared as written, so a quoted name does not match) or a number (quoting allowed,
// `"7"` is 7 [verified]; empty is 0).
std::optional<std::uint32_t> client_arch(std::string_view text) {
  for (std::size_t i = 0; i < kClientArchNames.size(); ++i) {
    if (equal_ignoring_case(text, kClientArchNames[i])) return static_cast<std::uint32_t>(i);
  }
  return parse_number(text);
}

// dnsmasq keeps these numbers in 16 bits: 65536 is arch 0 [verified: listed for x86PC clients].
std::uint16_t low_16_bits(ConfigBuilder& builder, const Origin& origin, std::uint32_t value,
                          std::string_view what) {
  if (value > 0xFFFF) {
    builder.warn(origin, "pxe-service: " + std::string(what) + " " + std::to_string(value) +
                             " does not fit in 16 bits; like dnsmasq, pxemasq uses " +
                             std::to_string(value & 0xFFFFU));
  }
  return static_cast<std::uint16_t>(value & 0xFFFFU);
}

// option.c dhcp_tags: leading `tag:`/`net:` items. nullopt when nothing follows them.
std::optional<std::string_view> take_leading_tags(ConfigBuilder& builder, const Origin& origin,
                                                  std::string_view text, TagFilter& tags) {
  std::optional<std::string_view> rest = text;
  while (rest) {
    const auto [head, tail] = split_first(*rest);
    const auto name = strip_tag_prefix(head);
    if (!name) break;
    tags.push_back(parse_tag_condition(*name));
    if (tags.back().name.empty() && !tags.back().negated) {
      builder.warn(origin,
                   "empty tag name; dnsmasq 2.90 crashes on the first request that meets "
                   "this line, pxemasq treats it as never set");
    }
    rest = tail;
  }
  return rest;
}

// Only `tag:`/`net:` are tags here: `set:X` becomes data (spec §1.3 quirk).
void warn_if_set_prefix(ConfigBuilder& builder, const Origin& origin, std::string_view option,
                        std::string_view item, std::string_view role) {
  if (!item.starts_with("set:")) return;
  builder.warn(origin, std::string(option) + ": `" + unhide(item) +
                           "` is not a tag here (only tag: is); like dnsmasq, pxemasq takes it as "
                           "the " +
                           std::string(role));
}

// The items after the menu text: BASENAME or TYPE, then SERVER (the rest of the line).
void parse_boot_target(ConfigBuilder& builder, const Origin& origin, std::string_view text,
                       PxeService& service) {
  const auto [kind, server] = split_first(text);
  if (const auto type = parse_number(kind)) {
    service.server_type = low_16_bits(builder, origin, *type, "boot server type");
  } else {
    warn_if_set_prefix(builder, origin, "pxe-service", kind, "boot file name");
    if (parse_ipv4(kind)) {
      builder.warn(origin, "pxe-service: `" + std::string(kind) +
                               "` is taken as the boot file name; the server comes after it "
                               "(CSA,MENU,BASENAME,SERVER)");
    }
    const auto& services = builder.config.pxe_services;
    const auto earlier = std::count_if(services.begin(), services.end(),
                                       [](const PxeService& s) { return s.basename.has_value(); });
    service.basename = unhide(kind);
    service.server_type =
        static_cast<std::uint16_t>(kFirstBasenameType + static_cast<std::uint32_t>(earlier));
  }
  if (!server || server->empty()) return;
  if (const auto address = parse_ipv4(*server)) {
    service.server_address = address;
    return;
  }
  if (server->find(',') != std::string_view::npos) {
    builder.warn(origin,
                 "pxe-service: the server is the rest of the line: `" + unhide(*server) + "`");
  }
  service.server_host = unhide(*server);  // resolved at run time
}

}  // namespace

ParseStatus parse_pxe_service(ConfigBuilder& builder, const OptionInput& input) {
  constexpr std::string_view kHint =
      "pxe-service takes [tag:TAG,]CSA,MENU[,BASENAME|TYPE][,SERVER]";
  PxeService service;
  service.origin = input.origin;
  const auto rest = take_leading_tags(builder, input.origin, input.text, service.tags);
  if (!rest) return rejected("error", std::string(kHint));
  const auto [arch_text, after_arch] = split_first(*rest);
  if (!after_arch) return rejected("error", std::string(kHint));
  const auto arch = client_arch(arch_text);
  if (!arch) {
    return rejected("error", arch_text.starts_with("set:")
                                 ? "pxe-service takes tag:TAG, not set:TAG"
                                 : "unknown client system architecture `" + unhide(arch_text) +
                                       "` (x86PC, x86-64_EFI, ARM64_EFI..., or a number)");
  }
  service.client_arch = low_16_bits(builder, input.origin, *arch, "client architecture");
  const auto [menu, target] = split_first(*after_arch);
  warn_if_set_prefix(builder, input.origin, "pxe-service", menu, "menu text");
  service.menu_text = unhide(menu);
  if (target) parse_boot_target(builder, input.origin, *target, service);  // else local boot
  builder.config.pxe_services.push_back(std::move(service));  // config order matters (§3.10)
  return accepted();
}

ParseStatus parse_pxe_prompt(ConfigBuilder& builder, const OptionInput& input) {
  PxePrompt prompt;
  prompt.origin = input.origin;
  const auto rest = take_leading_tags(builder, input.origin, input.text, prompt.tags);
  if (!rest) return rejected("error", "pxe-prompt takes [tag:TAG,]TEXT[,TIMEOUT]");
  const auto [text, timeout] = split_first(*rest);
  warn_if_set_prefix(builder, input.origin, "pxe-prompt", text, "prompt text");
  prompt.text = unhide(text);
  // The timeout is the rest of the line; dnsmasq never rejects it: not a number means 255,
  // empty means 0, and only the low byte is sent (300 -> 44) [verified on the wire].
  if (timeout) {
    if (const auto seconds = parse_number(*timeout)) {
      if (*seconds > 0xFF) {
        builder.warn(input.origin, "pxe-prompt: timeout " + std::to_string(*seconds) +
                                       " does not fit in a byte; like dnsmasq, pxemasq sends " +
                                       std::to_string(*seconds & 0xFFU));
      }
      prompt.timeout = static_cast<std::uint8_t>(*seconds & 0xFFU);
    } else {
      builder.warn(input.origin,
                   "pxe-prompt: timeout `" + unhide(*timeout) +
                       "` is not a number; like dnsmasq, pxemasq waits forever (255)");
      prompt.timeout = kPromptWaitForever;
    }
  }
  builder.config.pxe_prompts.push_back(std::move(prompt));
  return accepted();
}

ParseStatus parse_pxe_vendor(ConfigBuilder& builder, const OptionInput& input) {
  // Kept in parse order; dnsmasq tries the last one first (`PXE,PXEClient` echoes PXEClient)
  // [verified], so the engine searches from the back.
  for (const std::string_view item : split_list(input.text)) {
    if (item.empty()) {
      builder.warn(input.origin,
                   "dhcp-pxe-vendor: empty vendor ignored (dnsmasq 2.90 crashes "
                   "on the first request with it)");
      continue;
    }
    builder.config.pxe_vendors.push_back(unhide(item));
  }
  return accepted();
}

}  // namespace pxemasq::config
