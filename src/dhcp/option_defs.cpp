#include "dhcp/option_defs.hpp"

#include <cstdio>

namespace pxemasq::dhcp {

std::string known_options_help(OptionFamily family) {
  std::string out =
      family == OptionFamily::dhcp6 ? "Known DHCPv6 options:\n" : "Known DHCP options:\n";
  for (const OptionDef& def : option_defs(family)) {
    if (def.internal) continue;
    std::array<char, 8> number{};
    std::snprintf(number.data(), number.size(), "%3u", static_cast<unsigned>(def.code));
    out += number.data();
    out += ' ';
    out += def.name;
    out += '\n';
  }
  return out;
}

}  // namespace pxemasq::dhcp
