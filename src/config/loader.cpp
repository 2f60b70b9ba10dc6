#include "config/loader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>

#include "config/lexer.hpp"
#include "config/option_table.hpp"
#include "config/quoting.hpp"
#include "config/values.hpp"

namespace pxemasq::config {
namespace {

constexpr int kExitBadConfig = 1;
constexpr int kExitFilesystem = 3;

std::string errno_text(int error) { return std::strerror(error); }

// conf-dir name filters (spec §1.1).
struct DirectoryFilter {
  std::vector<std::string> required_suffixes;  // `*.conf`
  std::vector<std::string> excluded_suffixes;  // `.bak`

  [[nodiscard]] bool accepts(const std::string& name) const {
    // Editor backups, hidden files and emacs autosaves are always skipped.
    if (name.empty() || name.back() == '~' || name.front() == '.') return false;
    if (name.front() == '#' && name.back() == '#') return false;
    const auto ends_with = [&name](const std::string& suffix) {
      return name.size() > suffix.size() && name.ends_with(suffix);
    };
    if (!required_suffixes.empty() &&
        std::none_of(required_suffixes.begin(), required_suffixes.end(), ends_with)) {
      return false;
    }
    return std::none_of(excluded_suffixes.begin(), excluded_suffixes.end(), ends_with);
  }
};

struct SlotUse {
  bool on_command_line = false;
  bool in_file = false;
};

class Loader {
 public:
  explicit Loader(ConfigSource& source) : source_(source) {}

  std::optional<ConfigError> run(const LoadRequest& request);
  LoadedConfig result() &&;

 private:
  std::optional<ConfigError> apply(const OptionSpec& spec, const std::optional<std::string>& value,
                                   const Origin& origin, const std::string& offending_text);
  std::optional<ConfigError> check_repetition(const OptionSpec& spec, const Origin& origin);
  [[nodiscard]] std::optional<ConfigError> check_whole_config() const;
  std::optional<ConfigError> read_file(const std::string& path, bool missing_is_fine = false);
  std::optional<ConfigError> read_lines(const std::string& path, std::string_view content);
  std::optional<ConfigError> read_directory(std::string_view value);
  void warn_not_served(const OptionSpec& spec, const Origin& origin);

  ConfigSource& source_;
  ConfigBuilder builder_;
  std::set<FileId> files_seen_;
  std::map<std::string_view, SlotUse> slots_;
  std::set<std::string_view> warned_names_;
  std::set<std::string_view> names_seen_;
  std::vector<std::string> files_read_;
  bool test_ = false;
  bool help_ = false;
  bool version_ = false;
};

ConfigError error_at(const Origin& origin, std::string message, std::string offending_text,
                     std::string hint = {}) {
  return ConfigError{std::move(message), origin, kExitBadConfig, std::move(offending_text),
                     std::move(hint)};
}

std::optional<ConfigError> Loader::run(const LoadRequest& request) {
  // The first --conf-file is only remembered and read after every command-line option; each
  // further one is read where it stands [quirk, spec §1.1].
  std::optional<std::string> first_conf_file;
  bool conf_file_seen = false;
  for (const CommandLineItem& item : request.command_line) {
    const Origin command_line{};
    const std::string text = "--" + std::string(item.spec->name) +
                             (item.value ? "=" + *item.value : std::string());
    if (item.spec->name == "conf-file") {
      if (!conf_file_seen) {
        conf_file_seen = true;
        if (item.value && !item.value->empty()) first_conf_file = *item.value;
        continue;
      }
    }
    if (auto error = apply(*item.spec, item.value, command_line, text)) return error;
  }
  // Without -C the default file is read; only its absence is silently fine.
  auto error = first_conf_file ? read_file(*first_conf_file) : read_file(request.default_file, true);
  if (error) return error;
  return check_whole_config();
}

// dnsmasq's post-parse checks that concern options we know (spec §1.6).
std::optional<ConfigError> Loader::check_whole_config() const {
  if (names_seen_.count("dhcp-fqdn") != 0 && !builder_.config.domain) {
    return ConfigError{"there must be a default domain when --dhcp-fqdn is set", std::nullopt,
                       kExitBadConfig, {}, "add domain=NAME"};
  }
  return std::nullopt;
}

std::optional<ConfigError> Loader::check_repetition(const OptionSpec& spec,
                                                    const Origin& origin) {
  if (spec.repetition != Repetition::single) return std::nullopt;
  SlotUse& use = slots_[spec.slot];
  if (origin.from_command_line()) {
    if (use.on_command_line) return error_at(origin, "illegal repeated flag", {});
    use.on_command_line = true;
  } else {
    // Once in all files together; a command-line value may be overridden by one file value.
    if (use.in_file) return error_at(origin, "illegal repeated keyword", {});
    use.in_file = true;
  }
  return std::nullopt;
}

std::optional<ConfigError> Loader::apply(const OptionSpec& spec,
                                         const std::optional<std::string>& value,
                                         const Origin& origin, const std::string& offending_text) {
  if (spec.value_mode == ValueMode::none && value) {
    return error_at(origin, "extraneous parameter", offending_text,
                    std::string(spec.name) + " is a flag and takes no value");
  }
  if (spec.value_mode == ValueMode::required && !value) {
    return error_at(origin, "missing parameter", offending_text,
                    std::string(spec.name) + " needs a value: " + std::string(spec.name) + "=...");
  }
  names_seen_.insert(spec.name);
  if (auto error = check_repetition(spec, origin)) {
    error->offending_text = offending_text;
    error->hint = std::string(spec.name) + (origin.from_command_line()
                                                ? " may be given only once on the command line"
                                                : " may be given only once in all config files");
    return error;
  }

  if (spec.name == "conf-file") {
    if (!value || value->empty()) return std::nullopt;
    return read_file(unhide(*value));
  }
  if (spec.name == "conf-dir") return read_directory(value.value_or(""));
  if (spec.name == "test" || spec.name == "help" || spec.name == "version") {
    // Command-line actions; in a file dnsmasq accepts them and sets an unrelated DNS flag.
    if (origin.from_command_line()) {
      (spec.name == "test" ? test_ : spec.name == "help" ? help_ : version_) = true;
    }
    return std::nullopt;
  }

  if (spec.parser != nullptr) {
    const OptionInput input{spec, value ? std::string_view(*value) : std::string_view(),
                            value.has_value(), origin};
    if (auto rejected_value = spec.parser(builder_, input)) {
      // On the command line dnsmasq shows its generic "error" as "try --help" [verified].
      if (origin.from_command_line() && rejected_value->message == "error") {
        rejected_value->message = "try --help";
      }
      return error_at(origin, std::move(rejected_value->message), offending_text,
                      std::move(rejected_value->hint));
    }
  }
  if (spec.status == Status::accepted_not_served) warn_not_served(spec, origin);
  return std::nullopt;
}

void Loader::warn_not_served(const OptionSpec& spec, const Origin& origin) {
  if (!warned_names_.insert(spec.name).second) return;
  builder_.warn(origin, "option " + std::string(spec.name) + " is accepted but not served (" +
                            std::string(spec.not_served_reason) + "); ignored");
}

std::optional<ConfigError> Loader::read_file(const std::string& path, bool missing_is_fine) {
  auto content = source_.read_file(path);
  if (const int* error = std::get_if<int>(&content)) {
    if (missing_is_fine && *error == ENOENT) return std::nullopt;
    return ConfigError{"cannot read " + path + ": " + errno_text(*error), std::nullopt,
                       kExitFilesystem, {}, {}};
  }
  auto& file = std::get<FileContent>(content);
  // Each file is read once, whatever name reaches it (spec §1.1 item 4).
  if (!files_seen_.insert(file.id).second) return std::nullopt;
  files_read_.push_back(path);
  return read_lines(path, file.bytes);
}

std::optional<ConfigError> Loader::read_lines(const std::string& path, std::string_view content) {
  const auto lines = physical_lines(content);
  for (std::size_t index = 0; index < lines.size(); ++index) {
    const Origin origin{path, static_cast<unsigned>(index + 1)};
    std::string_view raw = lines[index];
    while (!raw.empty() && (raw.back() == '\n' || raw.back() == '\r')) raw.remove_suffix(1);
    const LexedLine lexed = lex_line(lines[index]);
    if (const auto* lex_error = std::get_if<LexError>(&lexed)) {
      return error_at(origin, lex_error->message, std::string(raw),
                      "a quoted value must end with \" on the same line");
    }
    const auto* option = std::get_if<LexedOption>(&lexed);
    if (option == nullptr) continue;
    const OptionSpec* spec = find_option(option->name);
    if (spec == nullptr) {
      return error_at(origin, "bad option", std::string(raw),
                      "'" + unhide(option->name) + "' is not a dnsmasq option name");
    }
    if (auto error = apply(*spec, option->value, origin, std::string(raw))) return error;
  }
  return std::nullopt;
}

std::optional<ConfigError> Loader::read_directory(std::string_view value) {
  const auto items = split_list(value);
  const std::string directory = unhide(items.front());
  if (directory.empty()) return std::nullopt;
  DirectoryFilter filter;
  for (std::size_t i = 1; i < items.size(); ++i) {
    const std::string item = unhide(items[i]);
    if (item == "*" || item.empty()) continue;
    if (item.front() == '*') {
      filter.required_suffixes.push_back(item.substr(1));
    } else {
      filter.excluded_suffixes.push_back(item);
    }
  }
  auto listing = source_.list_directory(directory);
  if (const int* error = std::get_if<int>(&listing)) {
    return ConfigError{"cannot access directory " + directory + ": " + errno_text(*error),
                       std::nullopt, kExitFilesystem, {}, {}};
  }
  std::vector<std::string> paths;
  for (const std::string& name : std::get<std::vector<std::string>>(listing)) {
    if (!filter.accepts(name)) continue;
    std::string path = directory + "/" + name;
    auto regular = source_.is_regular_file(path);
    if (const int* error = std::get_if<int>(&regular)) {
      return ConfigError{"cannot access " + path + ": " + errno_text(*error), std::nullopt,
                         kExitFilesystem, {}, {}};
    }
    if (std::get<bool>(regular)) paths.push_back(std::move(path));
  }
  std::sort(paths.begin(), paths.end());  // byte-wise, like strcmp
  for (const std::string& path : paths) {
    if (auto error = read_file(path)) return error;
  }
  return std::nullopt;
}

LoadedConfig Loader::result() && {
  LoadedConfig loaded;
  loaded.config = std::make_shared<const Config>(std::move(builder_.config));
  loaded.warnings = std::move(builder_.warnings);
  loaded.files_read = std::move(files_read_);
  loaded.test = test_;
  loaded.help = help_;
  loaded.version = version_;
  return loaded;
}

}  // namespace

std::string ConfigError::format() const {
  if (!origin) return message;
  if (origin->from_command_line()) return "bad command line options: " + message;
  return message + " at line " + std::to_string(origin->line) + " of " + origin->file;
}

LoadResult load_config(const LoadRequest& request, ConfigSource& source) {
  Loader loader(source);
  if (auto error = loader.run(request)) return std::move(*error);
  return std::move(loader).result();
}

}  // namespace pxemasq::config
