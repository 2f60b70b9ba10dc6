#pragma once
// The structured fields of a line, read back from its text, for lines logged without a
// ScopedLogFields (the journald sink calls this when a line's event is `generic`). The texts are
// dnsmasq's fixed forms (spec §7.2, §7.5, §7.6), so the services need not repeat at every call
// site what their line already says; a call site that knows more (a boot file, a reload) sets
// ScopedLogFields, which wins. Pure.

#include <string_view>

#include "daemon/logging_fields.hpp"

namespace pxemasq::daemon {

// TAG is the logger's name (pxemasq, pxemasq-dhcp, pxemasq-tftp). Recognised:
//   pxemasq       "started, version …", "FAILED to start up", "exiting on receipt of …"
//   pxemasq-dhcp  "[XID ]TYPE(IFACE) [ADDR ]UID[ TEXT]" packet lines (UID as PXEMASQ_MAC),
//                 "no address range available for DHCP request via IF"; other lines dhcp_other
//   pxemasq-tftp  "sent PATH to IP", "failed sending PATH to IP", "file PATH not found for IP…",
//                 "error CODE TEXT received from IP", "cannot access PATH: Permission denied…",
//                 "unsupported request from IP", "maximum simultaneous TFTP transfers (N)
//                 reached: refused PATH from IP"; other lines tftp_other
// Anything else is generic with no fields.
LogFields classify_log_line(std::string_view tag, std::string_view message);

// GIVEN (the call site's ScopedLogFields) completed from the text: its event unless generic, and
// each of its non-empty fields, win over what classify_log_line() reads.
LogFields complete_log_fields(const LogFields& given, std::string_view tag,
                              std::string_view message);

}  // namespace pxemasq::daemon
