// STUB — being written.
#include "config/parsers.hpp"

namespace pxemasq::config {
ParseStatus parse_dhcp_range(ConfigBuilder&, const OptionInput&) { return accepted(); }
ParseStatus parse_dhcp_boot(ConfigBuilder&, const OptionInput&) { return accepted(); }
ParseStatus parse_interface_list(ConfigBuilder&, const OptionInput&) { return accepted(); }
ParseStatus parse_listen_address(ConfigBuilder&, const OptionInput&) { return accepted(); }
ParseStatus parse_enable_tftp(ConfigBuilder&, const OptionInput&) { return accepted(); }
ParseStatus parse_tftp_root(ConfigBuilder&, const OptionInput&) { return accepted(); }
ParseStatus parse_tftp_unique_root(ConfigBuilder&, const OptionInput&) { return accepted(); }
ParseStatus parse_tftp_port_range(ConfigBuilder&, const OptionInput&) { return accepted(); }
ParseStatus parse_flag(ConfigBuilder&, const OptionInput&) { return accepted(); }
ParseStatus parse_number_option(ConfigBuilder&, const OptionInput&) { return accepted(); }
ParseStatus parse_string_option(ConfigBuilder&, const OptionInput&) { return accepted(); }
ParseStatus parse_log_facility(ConfigBuilder&, const OptionInput&) { return accepted(); }
ParseStatus parse_domain(ConfigBuilder&, const OptionInput&) { return accepted(); }
ParseStatus parse_alternate_port(ConfigBuilder&, const OptionInput&) { return accepted(); }
}  // namespace pxemasq::config
