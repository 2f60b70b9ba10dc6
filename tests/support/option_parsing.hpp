#pragma once
// Helpers for the per-option parser tests: feed a value through the option table's parser the
// way the loader does, and build lexed (quoted) text.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/option_table.hpp"
#include "config/parsers.hpp"
#include "config/quoting.hpp"

namespace pxemasq::testing {

// Config text as the lexer hands it over: `"..."` segments become hidden characters (§1.2).
inline std::string lexed(std::string_view config) {
  std::string out;
  bool inside_quotes = false;
  for (const char c : config) {
    if (c == '"') {
      inside_quotes = !inside_quotes;
    } else {
      out += inside_quotes ? config::hide(c) : c;
    }
  }
  return out;
}

// `text` with every character quoted.
inline std::string quoted(std::string_view text) {
  std::string out;
  for (const char c : text) out += config::hide(c);
  return out;
}

// Parse one more line `name=value` into `builder` (nullopt value: a bare `name`).
inline config::ParseStatus feed(config::ConfigBuilder& builder, std::string_view name,
                                std::optional<std::string_view> value, unsigned line = 1) {
  const config::OptionSpec* spec = config::find_option(name);
  EXPECT_NE(spec, nullptr) << name;
  if (spec == nullptr || spec->parser == nullptr) return config::rejected("no parser");
  const config::OptionInput input{*spec, value.value_or(""), value.has_value(),
                                  config::Origin{"t.conf", line}};
  return spec->parser(builder, input);
}

// "ok" or the message dnsmasq would print.
inline std::string verdict(std::string_view name, std::optional<std::string_view> value) {
  config::ConfigBuilder builder;
  const config::ParseStatus status = feed(builder, name, value);
  return status ? status->message : "ok";
}

inline bool has_warning(const config::ConfigBuilder& builder, std::string_view part) {
  return std::any_of(builder.warnings.begin(), builder.warnings.end(),
                     [&](const config::Diagnostic& d) {
                       return d.message.find(part) != std::string::npos;
                     });
}

// One option's lines fed through its parser the loader's way, and what they built. `Items` names
// the Config list the option fills (e.g. &config::Config::matches for dhcp-match).
template <typename Item, std::vector<Item> config::Config::*Items>
struct ParsedOption {
  config::ParseStatus status;
  config::ConfigBuilder builder;

  [[nodiscard]] bool ok() const { return !status.has_value(); }
  [[nodiscard]] const Item& only() const {
    const std::vector<Item>& items = builder.config.*Items;
    EXPECT_EQ(items.size(), 1U);
    static const Item kNone;
    return items.empty() ? kNone : items.front();
  }
  [[nodiscard]] std::string warnings() const {
    std::string out;
    for (const auto& w : builder.warnings) out += w.message + "\n";
    return out;
  }
};

// Parses `name=CONFIG` (CONFIG with `"` quoting, as in a file) at `line` into `parsed`.
template <typename Parsed>
void parse_option_into(Parsed& parsed, std::string_view name, std::string_view config, unsigned line) {
  parsed.status = feed(parsed.builder, name, lexed(config), line);
}

// "c0 a8 01 fe" -> bytes.
inline std::vector<std::uint8_t> hex_bytes(std::string_view spaced_hex) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < spaced_hex.size(); i += 3) {
    out.push_back(static_cast<std::uint8_t>(
        std::stoul(std::string(spaced_hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

}  // namespace pxemasq::testing
