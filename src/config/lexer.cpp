#include "config/lexer.hpp"

#include <cctype>

#include "config/quoting.hpp"

namespace pxemasq::config {
namespace {

constexpr std::size_t kLineBufferBytes = 1024;  // fgets with a 1025-byte buffer

bool is_c_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// The escapes dnsmasq knows inside quotes; anything else keeps its backslash.
std::optional<char> quoted_escape(char c) {
  switch (c) {
    case '\\': return '\\';
    case '"': return '"';
    case 't': return '\t';
    case 'n': return '\n';
    case 'b': return '\b';
    case 'r': return '\r';
    case 'e': return '\x1b';
    default: return std::nullopt;
  }
}

std::string_view trim_spaces(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

}  // namespace

std::vector<std::string_view> physical_lines(std::string_view content) {
  std::vector<std::string_view> lines;
  while (!content.empty()) {
    std::size_t length = content.find('\n');
    length = length == std::string_view::npos ? content.size() : length + 1;
    if (length > kLineBufferBytes) length = kLineBufferBytes;
    std::string_view line = content.substr(0, length);
    content.remove_prefix(length);
    // fgets() stores the NUL, but the C string (and so dnsmasq) stops there.
    if (const std::size_t nul = line.find('\0'); nul != std::string_view::npos) {
      line = line.substr(0, nul);
    }
    lines.push_back(line);
  }
  return lines;
}

LexedLine lex_line(std::string_view line) {
  std::string text;
  text.reserve(line.size());
  bool white = true;  // at line start or after whitespace: a `#` here starts a comment
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"') {
      // A quoted segment: every character is literal (hidden); the quotes go. It does not
      // change `white` [quirk]: `x= "a"#b` still has a comment.
      for (++i;; ++i) {
        if (i >= line.size() || line[i] == '\n') return LexError{"missing \""};
        if (line[i] == '"') break;
        if (line[i] == '\\' && i + 1 < line.size()) {
          if (const auto escaped = quoted_escape(line[i + 1])) {
            text += hide(*escaped);
            ++i;
            continue;
          }
        }
        text += hide(line[i]);
      }
      continue;
    }
    if (is_c_space(c)) {
      text += ' ';
      white = true;
      continue;
    }
    if (c == '#' && white) break;
    white = false;
    text += c;
  }

  const std::string_view trimmed = trim_spaces(text);
  if (trimmed.empty()) return BlankLine{};
  const std::size_t equals = trimmed.find('=');
  if (equals == std::string_view::npos) return LexedOption{std::string(trimmed), std::nullopt};
  return LexedOption{std::string(trim_spaces(trimmed.substr(0, equals))),
                     std::string(trim_spaces(trimmed.substr(equals + 1)))};
}

}  // namespace pxemasq::config
