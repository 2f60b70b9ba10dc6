#pragma once
// The text forms of a log line, as dnsmasq writes them (spec §7.1). Pure: the time is a
// parameter (already broken down into local time), nothing here reads a clock or does I/O.

#include <spdlog/common.h>

#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace pxemasq::daemon {

// dnsmasq cuts a line (timestamp, tag and pid included) at 1024 bytes.
inline constexpr std::size_t kMaxLogLineBytes = 1024;

// Syslog severities (RFC 5424 §6.2.1 numbering, as <syslog.h>).
int syslog_severity(spdlog::level::level_enum level);

// The facility code of a log-facility name as the config stores it (lower case): daemon = 3,
// local0 = 16, ...; nullopt for a name that is not a facility.
std::optional<int> syslog_facility_code(std::string_view name);

// "Mmm dd hh:mm:ss": English month, day padded with a space ("Dec  1 21:14:35").
std::string format_log_timestamp(const std::tm& local_time);

// A log-file line: "Mmm dd hh:mm:ss TAG[PID]: MESSAGE\n", or "TAG[PID]: MESSAGE\n" without a
// time (log-facility=- with -k). The part before the newline is cut at kMaxLogLineBytes.
std::string format_log_file_line(const std::tm* local_time, std::string_view tag, long pid,
                                 std::string_view message);

// An RFC 3164 datagram for /dev/log: "<PRI>Mmm dd hh:mm:ss TAG[PID]: MESSAGE", PRI =
// facility * 8 + severity, no trailing newline; the part after <PRI> is cut at kMaxLogLineBytes.
std::string format_syslog_datagram(int facility, int severity, const std::tm& local_time,
                                   std::string_view tag, long pid, std::string_view message);

}  // namespace pxemasq::daemon
