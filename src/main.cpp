// pxemasq: parse the command line, load the config, then test it or run — nothing else.

#include <cstdio>
#include <iostream>
#include <span>

#include "config/command_line.hpp"
#include "config/lint.hpp"
#include "config/loader.hpp"
#include "daemon/explain_command.hpp"
#include "daemon/main_loop.hpp"
#include "daemon/host_checks.hpp"
#include "daemon/posix_config_source.hpp"
#include "daemon/usage.hpp"
#include "dhcp/option_defs.hpp"

namespace {

using pxemasq::config::ConfigError;
using pxemasq::config::Diagnostic;

// dnsmasq's fatal format: an empty line, then `dnsmasq: MESSAGE` (spec §1.5). Our extra lines
// (the offending text and a hint) are indented so scripts grepping dnsmasq's line still work.
int report(const ConfigError& error) {
  std::cerr << "\npxemasq: " << error.format() << '\n';
  if (!error.offending_text.empty()) std::cerr << "  in: " << error.offending_text << '\n';
  if (!error.hint.empty()) std::cerr << "  hint: " << error.hint << '\n';
  return error.exit_code;
}

// "FILE:LINE: MESSAGE" (or "command line: MESSAGE").
std::string located(const Diagnostic& diagnostic) {
  std::string text;
  if (diagnostic.origin) {
    if (diagnostic.origin->from_command_line()) {
      text = "command line: ";
    } else {
      text = diagnostic.origin->file + ':' + std::to_string(diagnostic.origin->line) + ": ";
    }
  }
  return text + diagnostic.message;
}

void warn(const Diagnostic& diagnostic) { std::cerr << "pxemasq: warning: " << located(diagnostic) << '\n'; }

// SIGHUP: the same command line and files, read again from the start. Nothing of the new
// configuration is used unless all of it loads.
pxemasq::daemon::ConfigReloader make_reloader(pxemasq::config::LoadRequest request) {
  return [request = std::move(request)]() -> std::variant<pxemasq::daemon::ReloadedConfig, pxemasq::daemon::ReloadFailure> {
    pxemasq::daemon::PosixConfigSource source;
    auto loaded = pxemasq::config::load_config(request, source);
    if (auto* error = std::get_if<ConfigError>(&loaded)) {
      std::string message = error->format();
      if (!error->offending_text.empty()) message += " (in: " + error->offending_text + ")";
      return pxemasq::daemon::ReloadFailure{message};
    }
    auto& result = std::get<pxemasq::config::LoadedConfig>(loaded);
    pxemasq::daemon::ReloadedConfig reloaded{result.config, {}};
    for (const auto& diagnostic : result.warnings) reloaded.warnings.push_back(located(diagnostic));
    for (const auto& diagnostic : pxemasq::config::lint(*result.config)) reloaded.warnings.push_back(located(diagnostic));
    return reloaded;
  };
}

}  // namespace

int main(int argc, char** argv) {
  namespace config = pxemasq::config;
  std::vector<const char*> words(argv, argv + argc);
  // pxemasq's own `--explain MAC[,...]`: taken out before dnsmasq's command line is parsed.
  std::optional<std::string> explain;
  if (auto error = pxemasq::daemon::take_explain_argument(words, explain)) {
    std::cerr << "\npxemasq: " << *error << '\n';
    return 1;
  }
  const std::span<const char* const> arguments(words.data(), words.size());
  auto command_line = config::parse_command_line(arguments);
  if (auto* error = std::get_if<ConfigError>(&command_line)) return report(*error);
  // `--help dhcp` / `--help dhcp6`: the option-name table, as dnsmasq prints it.
  if (const std::string& topic = std::get<config::CommandLine>(command_line).help_topic; !topic.empty()) {
    std::cout << pxemasq::dhcp::known_options_help(topic == "dhcp6" ? pxemasq::dhcp::OptionFamily::dhcp6
                                                                     : pxemasq::dhcp::OptionFamily::dhcp4);
    return 0;
  }

  pxemasq::daemon::PosixConfigSource source;
  config::LoadRequest request{std::get<config::CommandLine>(command_line).items, "/etc/dnsmasq.conf"};
  auto loaded = config::load_config(request, source);
  if (auto* error = std::get_if<ConfigError>(&loaded)) return report(*error);
  auto& result = std::get<config::LoadedConfig>(loaded);

  if (result.help) {
    std::cout << pxemasq::daemon::usage_text();
    return 0;
  }
  if (result.version) {
    std::cout << pxemasq::daemon::version_text();
    return 0;
  }
  if (explain) {
    return pxemasq::daemon::run_explain(*result.config, *explain,
                                        std::get<config::CommandLine>(command_line).items, std::cout, std::cerr);
  }
  for (const auto& diagnostic : result.warnings) warn(diagnostic);
  for (const auto& diagnostic : config::lint(*result.config)) warn(diagnostic);
  for (const auto& diagnostic : pxemasq::daemon::check_selinux_labels(*result.config, result.files_read)) warn(diagnostic);
  if (result.test) {
    for (const auto& diagnostic : pxemasq::daemon::check_host(*result.config)) warn(diagnostic);
    for (const auto& text : pxemasq::daemon::boot_file_warnings(*result.config)) {
      std::cerr << "pxemasq: warning: " << text << '\n';
    }
    std::cerr << "pxemasq: syntax check OK.\n";
    return 0;
  }
  return pxemasq::daemon::run_daemon(result.config, make_reloader(std::move(request)));
}
