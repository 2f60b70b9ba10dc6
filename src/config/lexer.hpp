#pragma once
// dnsmasq's config-file line lexer (spec §1.2), exactly: 1024-byte physical lines, `#` comments
// only at line start or after whitespace, `"..."` quoting with escapes, `name[=value]` split.

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace pxemasq::config {

// A lexed `name[=value]`. `value` keeps quoted characters hidden (config/quoting.hpp).
struct LexedOption {
  std::string name;
  std::optional<std::string> value;  // nullopt: no `=`; "": `name=`
};
struct LexError {
  std::string message;  // dnsmasq's text: `missing "`
};
struct BlankLine {};
using LexedLine = std::variant<BlankLine, LexedOption, LexError>;

// Lex one physical line (without or with its trailing newline).
[[nodiscard]] LexedLine lex_line(std::string_view line);

// Cut a file's bytes into the physical lines dnsmasq reads with fgets() into a 1025-byte buffer:
// a line longer than 1024 bytes is split and its tail numbered as the next line [quirk]; a NUL
// byte ends the line's text. Line numbers are the 1-based index in the result.
[[nodiscard]] std::vector<std::string_view> physical_lines(std::string_view content);

}  // namespace pxemasq::config
