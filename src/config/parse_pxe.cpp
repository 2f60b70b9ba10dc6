// STUB — being written (pxe-service, pxe-prompt, dhcp-pxe-vendor).
#include "config/parsers.hpp"

namespace pxemasq::config {
ParseStatus parse_pxe_service(ConfigBuilder&, const OptionInput&) { return accepted(); }
ParseStatus parse_pxe_prompt(ConfigBuilder&, const OptionInput&) { return accepted(); }
ParseStatus parse_pxe_vendor(ConfigBuilder&, const OptionInput&) { return accepted(); }
}  // namespace pxemasq::config
