#pragma once
// Structured context for log lines: what event a line reports and which client, address,
// interface and file it is about. The message text stays dnsmasq's (its lines are grepped by
// people and tools); these fields are added beside it, so the journald sink can emit
// PXEMASQ_MAC=, PXEMASQ_IP=, PXEMASQ_IFACE=, PXEMASQ_FILE= and a stable MESSAGE_ID= per event,
// and `journalctl PXEMASQ_MAC=…` finds every line about one machine.
//
// The fields travel through a thread-local set by ScopedLogFields around the log call(s), so
// spdlog's call signature is unchanged and sinks that have no use for them (stderr, file,
// syslog) ignore them.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace pxemasq::daemon {

// One value per kind of line. Never renumber or reuse a MESSAGE_ID: journal queries and alert
// rules outlive releases (man pxemasq(8), LOGGING, lists each id and what it means).
enum class LogEvent {
  generic,               // any line without a more specific event
  started,               // "started, version …"
  startup_failed,        // fatal startup error and "FAILED to start up"
  config_reloaded,       // SIGHUP: the new configuration is serving
  config_reload_failed,  // SIGHUP: the new configuration was rejected; the old one keeps serving
  exiting,               // "exiting on receipt of SIGTERM"
  dhcp_offer,            // "DHCPOFFER(IF) IP MAC"
  dhcp_ack,              // "DHCPACK(IF) IP MAC [NAME]"
  dhcp_nak,              // "DHCPNAK(IF) IP MAC REASON"
  dhcp_release,          // "DHCPRELEASE(IF) IP MAC"
  dhcp_decline,          // "DHCPDECLINE(IF) IP MAC"
  dhcp_inform,           // "DHCPINFORM(IF) IP MAC" (and its ACK)
  dhcp_no_address,       // "DHCPDISCOVER(IF) MAC no address available" and alike
  dhcp_other,            // every other pxemasq-dhcp line (DISCOVER, REQUEST, log-dhcp extras)
  tftp_sent,             // "sent PATH to IP"
  tftp_failed,           // "failed sending PATH to IP"
  tftp_not_found,        // "file PATH not found for IP"
  tftp_error_received,   // "error CODE TEXT received from IP"
  tftp_refused,          // "cannot access PATH: Permission denied", "unsupported request …"
  tftp_other,            // every other pxemasq-tftp line
};
inline constexpr std::size_t kLogEventCount = 20;

// The event's name as written in PXEMASQ_EVENT= (the enumerator's name, e.g. "dhcp_ack").
std::string_view log_event_name(LogEvent event);

// The event's journald MESSAGE_ID: 32 lower-case hex digits, generated once at random.
std::string_view log_event_message_id(LogEvent event);

// Every event, in declaration order (for tests and the man page check).
const std::array<LogEvent, kLogEventCount>& all_log_events();

struct LogFields {
  LogEvent event = LogEvent::generic;
  std::string mac;    // client hardware address as dnsmasq prints it (aa:bb:cc:dd:ee:ff)
  std::string ip;     // the client's IPv4 address the line is about
  std::string iface;  // the interface the request came in on
  std::string file;   // TFTP: the resolved path; DHCP: the boot file offered
};

// The fields of the innermost live ScopedLogFields on this thread, or empty generic ones.
const LogFields& current_log_fields();

// Sets the calling thread's log fields for its lifetime and restores the previous ones after, so
// scopes nest (a reply's scope inside a request's scope). Keep it around the log calls only:
//   { ScopedLogFields scope({LogEvent::dhcp_ack, mac, ip, iface, boot_file}); log->info(…); }
class ScopedLogFields {
 public:
  explicit ScopedLogFields(LogFields fields);
  ~ScopedLogFields();
  ScopedLogFields(const ScopedLogFields&) = delete;
  ScopedLogFields& operator=(const ScopedLogFields&) = delete;
  ScopedLogFields(ScopedLogFields&&) = delete;
  ScopedLogFields& operator=(ScopedLogFields&&) = delete;

 private:
  LogFields fields_;
  const LogFields* previous_;
};

}  // namespace pxemasq::daemon
