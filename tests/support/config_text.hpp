#pragma once
// The seed lab's config as text, and loading a Config from text through the real loader, for
// the engine's unit tests and fuzzers.

#include <memory>
#include <string>
#include <variant>

#include "config/loader.hpp"
#include "config/option_table.hpp"
#include "memory_source.hpp"

namespace pxemasq::testing {

// The seed user's dnsmasq config (../shared/DESIGN.md), verbatim.
inline constexpr const char* kSeedConfig =
    "dhcp-range=192.168.1.230,192.168.1.250,255.255.255.0,12h\n"
    "interface=ens33\n"
    "dhcp-option=3,192.168.1.254\n"
    "dhcp-option=6,192.168.1.24\n"
    "enable-tftp\n"
    "tftp-root=/var/lib/tftpboot\n"
    "dhcp-boot=bootx64.efi\n"
    "log-dhcp\n";

// Loads `text` as the only config file; nullptr (and the error in `error`) if it is rejected.
inline std::shared_ptr<const config::Config> load_config_text(const std::string& text,
                                                              std::string* error = nullptr) {
  MemorySource source;
  source.add_file("t.conf", text);
  const config::LoadRequest request{{{config::find_option("conf-file"), "t.conf"}}, "/none"};
  auto result = config::load_config(request, source);
  if (const auto* failure = std::get_if<config::ConfigError>(&result)) {
    if (error != nullptr) *error = failure->format();
    return nullptr;
  }
  return std::get<config::LoadedConfig>(result).config;
}

}  // namespace pxemasq::testing
