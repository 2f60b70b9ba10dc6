// STUB — being written (dhcp-host and the tag classifiers).
#include "config/parsers.hpp"

namespace pxemasq::config {
ParseStatus parse_dhcp_host(ConfigBuilder&, const OptionInput&) { return accepted(); }
ParseStatus parse_string_match(ConfigBuilder&, const OptionInput&) { return accepted(); }
ParseStatus parse_dhcp_mac(ConfigBuilder&, const OptionInput&) { return accepted(); }
ParseStatus parse_relay_agent_match(ConfigBuilder&, const OptionInput&) { return accepted(); }
ParseStatus parse_tag_if(ConfigBuilder&, const OptionInput&) { return accepted(); }
ParseStatus parse_tag_rule(ConfigBuilder&, const OptionInput&) { return accepted(); }
}  // namespace pxemasq::config
