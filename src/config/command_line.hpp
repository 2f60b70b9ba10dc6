#pragma once
// The command line, as dnsmasq's GNU getopt_long reads it (spec §1.1, §1.7): every long option
// of the table (unambiguous prefixes allowed), the short flags, `--opt=value` and `--opt value`
// for required values, only `--opt=value` for optional ones. Parsed with Boost.Program_options;
// the result keeps the options in order so the loader applies them as dnsmasq does.

#include <span>
#include <string>
#include <variant>
#include <vector>

#include "config/loader.hpp"

namespace pxemasq::config {

struct CommandLine {
  std::vector<CommandLineItem> items;
  // `--help dhcp` / `--help dhcp6` (exactly two words): print an option-name table.
  std::string help_topic;
};

using CommandLineResult = std::variant<CommandLine, ConfigError>;

[[nodiscard]] CommandLineResult parse_command_line(std::span<const char* const> arguments);

}  // namespace pxemasq::config
