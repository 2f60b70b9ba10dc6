#pragma once
// Loading a dnsmasq configuration: command-line items first, then files (spec §1.1), every
// value through the option table (§1.3–1.4). The result is an immutable Config or one error with
// dnsmasq's text, origin and exit code (§1.5).

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "config/model.hpp"
#include "config/parsers.hpp"
#include "config/source.hpp"

namespace pxemasq::config {

struct OptionSpec;

// One option given on the command line, in order. `value` is nullopt when none was given.
struct CommandLineItem {
  const OptionSpec* spec = nullptr;
  std::optional<std::string> value;
};

// A configuration error. `message` is dnsmasq's text; `format()` adds the origin as dnsmasq does.
struct ConfigError {
  std::string message;
  std::optional<Origin> origin;  // nullopt: the message stands alone (e.g. `cannot read X: ...`)
  int exit_code = 1;
  std::string offending_text;  // pxemasq's extra: the line as written
  std::string hint;            // pxemasq's extra: what to do about it

  // `bad dhcp-range at line 3 of x.conf` / `bad command line options: bad dhcp-range`.
  [[nodiscard]] std::string format() const;
};

struct LoadedConfig {
  std::shared_ptr<const Config> config;
  std::vector<Diagnostic> warnings;
  std::vector<std::string> files_read;  // in reading order, as named
  bool test = false;
  bool help = false;
  bool version = false;
};

struct LoadRequest {
  std::vector<CommandLineItem> command_line;
  std::string default_file = "/etc/dnsmasq.conf";
};

using LoadResult = std::variant<LoadedConfig, ConfigError>;

[[nodiscard]] LoadResult load_config(const LoadRequest& request, ConfigSource& source);

}  // namespace pxemasq::config
