// STUB — being written (dhcp-option, dhcp-option-force, dhcp-match).
#include "config/parsers.hpp"

namespace pxemasq::config {
ParseStatus parse_dhcp_option(ConfigBuilder&, const OptionInput&) { return accepted(); }
ParseStatus parse_dhcp_match(ConfigBuilder&, const OptionInput&) { return accepted(); }
}  // namespace pxemasq::config
