#include "config/quoting.hpp"

#include <array>

namespace pxemasq::config {
namespace {

// The hidden characters, in code order: code = index + 1.
constexpr std::string_view kHidden = "0123456789abcdefABCDEF \t\n\r\b\x1b:,.";
static_assert(kHidden.size() == 31, "codes 0x01..0x1F");

constexpr std::array<char, 256> make_codes() {
  std::array<char, 256> codes{};
  for (std::size_t i = 0; i < kHidden.size(); ++i) {
    codes[static_cast<unsigned char>(kHidden[i])] = static_cast<char>(i + 1);
  }
  return codes;
}
constexpr auto kCodes = make_codes();

}  // namespace

char hide(char c) {
  const char code = kCodes[static_cast<unsigned char>(c)];
  return code != 0 ? code : c;
}

bool is_hidden(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u >= 1 && u <= kHidden.size();
}

std::string unhide(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (is_hidden(c)) c = kHidden[static_cast<unsigned char>(c) - 1];
  }
  return out;
}

}  // namespace pxemasq::config
