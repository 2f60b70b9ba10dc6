#include "config/command_line.hpp"

#include <boost/program_options.hpp>
#include <cstdio>
#include <cstdlib>

#include "config/option_table.hpp"

namespace pxemasq::config {
namespace po = boost::program_options;
namespace {

constexpr const char* kJunk = "pxemasq-positional-words";
// Boost refuses `--name=` with nothing after the `=`; getopt gives an empty value. We pass such
// words through with this private stand-in and turn it back into "".
constexpr std::string_view kEmptyValue = "\x01pxemasq-empty-value\x01";

po::options_description describe_options() {
  po::options_description options;
  std::string short_flags_taken;
  for (const OptionSpec& spec : option_table()) {
    const std::string long_name(spec.name);
    // Two names share a letter (dhcp-leasefile/dhcp-lease, domain/domain-suffix): the first
    // row owns it, as getopt's table does.
    const bool owns_short =
        spec.short_flag != '\0' && short_flags_taken.find(spec.short_flag) == std::string::npos;
    if (owns_short) short_flags_taken += spec.short_flag;
    const std::string short_name = owns_short ? std::string(",") + spec.short_flag : std::string();
    switch (spec.value_mode) {
      case ValueMode::none:
        options.add_options()((long_name + short_name).c_str(), "");
        break;
      case ValueMode::required:
        options.add_options()((long_name + short_name).c_str(), po::value<std::string>());
        break;
      case ValueMode::optional:
        // The long form takes a value only as `--opt=value`. The short form is a separate
        // short-only option: it needs a value (getopt `u:`), except -q and -1, which take none.
        options.add_options()(long_name.c_str(), po::value<std::string>()->implicit_value(""));
        if (owns_short && (spec.short_flag == 'q' || spec.short_flag == '1')) {
          options.add_options()(short_name.c_str(), "");
        } else if (owns_short) {
          options.add_options()(short_name.c_str(), po::value<std::string>());
        }
        break;
    }
  }
  options.add_options()(kJunk, po::value<std::vector<std::string>>());
  return options;
}

ConfigError command_line_error(std::string message) {
  return ConfigError{std::move(message), Origin{}, 1, {}, {}};
}

}  // namespace

CommandLineResult parse_command_line(std::span<const char* const> arguments) {
  CommandLine result;
  if (arguments.size() == 3 && std::string_view(arguments[1]) == "--help") {
    const std::string_view topic = arguments[2];
    if (topic == "dhcp" || topic == "dhcp6") {
      result.help_topic = topic;
      result.items.push_back({find_option("help"), std::nullopt});
      return result;
    }
  }

  static const po::options_description options = describe_options();
  po::positional_options_description positional;
  positional.add(kJunk, -1);
  const int style = po::command_line_style::allow_short | po::command_line_style::allow_long |
                    po::command_line_style::long_allow_adjacent |
                    po::command_line_style::long_allow_next |
                    po::command_line_style::short_allow_adjacent |
                    po::command_line_style::short_allow_next |
                    po::command_line_style::allow_sticky | po::command_line_style::allow_guessing |
                    po::command_line_style::allow_dash_for_short;
  po::parsed_options parsed(&options);
  try {
    std::vector<std::string> words;
    for (std::size_t i = 1; i < arguments.size(); ++i) {
      std::string word = arguments[i];
      if (word.size() > 3 && word.starts_with("--") && word.back() == '=' &&
          word.find('=') == word.size() - 1) {
        word += kEmptyValue;
      }
      words.push_back(std::move(word));
    }
    parsed = po::command_line_parser(words)
                 .options(options)
                 .positional(positional)
                 .style(style)
                 .run();
  } catch (const po::error& e) {
    if (std::getenv("PXEMASQ_DEBUG_CMDLINE") != nullptr) fprintf(stderr, "%s\n", e.what());
    // getopt's own complaint is not shown by dnsmasq either.
    return command_line_error("try --help");
  }

  bool junk = false;
  for (const po::option& option : parsed.options) {
    if (option.string_key == kJunk) {
      // Words of only white space are skipped, like dnsmasq does.
      for (const std::string& word : option.value) {
        if (word.find_first_not_of(" \t\n\r\f\v") != std::string::npos) junk = true;
      }
      continue;
    }
    // A short-only option (the short form of an optional-value option) is keyed `-u`.
    const OptionSpec* spec = option.string_key.size() == 2 && option.string_key[0] == '-'
                                 ? find_short_option(option.string_key[1])
                                 : find_option(option.string_key);
    if (spec == nullptr) return command_line_error("try --help");
    CommandLineItem item{spec, std::nullopt};
    if (!option.value.empty()) item.value = option.value.front();
    if (item.value == kEmptyValue) item.value = "";
    // getopt takes an optional value only from `--name=value`; `--name value` leaves a stray
    // word [verified: `--user nobody` is junk].
    if (spec->value_mode == ValueMode::optional && option.original_tokens.size() == 2 &&
        option.original_tokens.front().starts_with("--")) {
      item.value.reset();
      junk = true;
    }
    result.items.push_back(std::move(item));
  }
  if (junk) return ConfigError{"junk found in command line", std::nullopt, 1, {}, {}};
  return result;
}

}  // namespace pxemasq::config
