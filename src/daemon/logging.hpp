#pragma once
// Where pxemasq's log lines go, and the spdlog loggers that send them there (spec §3.13, §7.1,
// §8.2; issue 5). Three loggers, named as dnsmasq's tags with our name: pxemasq, pxemasq-dhcp,
// pxemasq-tftp. The targets:
//   stderr_stream  -d ("TAG: MESSAGE", as dnsmasq -d), or log-facility=- (dnsmasq's file form
//                  on stderr; without the time under -k)
//   file           log-facility=/path: appended, mode 0640, "Mmm dd hh:mm:ss TAG[PID]: MESSAGE"
//   journald       started by systemd: native journal entries with structured fields
//                  (logging_fields.hpp) and the syslog facility as SYSLOG_FACILITY
//   syslog         otherwise: RFC 3164 datagrams to /dev/log with the configured facility
// Under -d every line is also echoed to stderr as "TAG: MESSAGE" whatever the target.
//
// Order of calls in the daemon (the lead's process model):
//   read_log_environment()       first thing, before stdio is redirected by daemonising
//   choose_log_target()
//   make_loggers()               after daemonising (log-async's queue runs on a thread, which
//                                fork() would lose; it starts only when a line has to wait)
//                                and before the privilege drop (the log file and /dev/log are
//                                opened here)
//   chown_log_file()             before the privilege drop, with the run user's uid/gid
//   reopen_log_file()            on SIGUSR2
// Errors are values; nothing here throws after make_loggers() returned.

#include <spdlog/logger.h>
#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "config/model.hpp"
#include "daemon/logging_fields.hpp"

namespace pxemasq::daemon {

inline constexpr const char* kMainLoggerName = "pxemasq";
inline constexpr const char* kDhcpLoggerName = "pxemasq-dhcp";
inline constexpr const char* kTftpLoggerName = "pxemasq-tftp";

enum class LogTarget { stderr_stream, journald, syslog, file };

// What the process inherited that tells whether systemd started it. Read once at the edge by
// read_log_environment(); choose_log_target() is pure over it.
struct LogEnvironment {
  std::string journal_stream;  // $JOURNAL_STREAM: "DEVICE:INODE" of the journal stream systemd
                               // connected to stdout/stderr, if it did
  std::string invocation_id;   // $INVOCATION_ID: set by systemd for each service run
  bool stderr_open = false;    // fd 2 is open; then its device and inode:
  unsigned long long stderr_device = 0;
  unsigned long long stderr_inode = 0;
  bool stderr_is_terminal = false;
  bool journal_socket_present = false;  // /run/systemd/journal/socket exists
};

LogEnvironment read_log_environment();

// True when the process runs as (part of) a systemd service whose journal is reachable: the
// journal socket exists and either stderr is the very stream $JOURNAL_STREAM names (systemd's
// documented test), or $INVOCATION_ID is set and stderr is not a terminal (a unit with
// StandardError=null; a shell in a terminal inherits INVOCATION_ID from the terminal's unit,
// but its stderr is the terminal).
bool started_by_systemd(const LogEnvironment& environment);

// -d without log-facility, or log-facility=-: stderr; log-facility=/path: file; otherwise
// journald when started_by_systemd(), else syslog. (dnsmasq -d also writes to syslog with
// facility LOCAL0; pxemasq -d does not, so a debugging session leaves the system log alone.)
LogTarget choose_log_target(const config::Config& config, const LogEnvironment& environment);

// The syslog facility code (also journald's SYSLOG_FACILITY): the log-facility name if one was
// given, else DAEMON, or LOCAL0 with -d (spec §8.2).
int log_facility_code(const config::Config& config);

class LogFileSink;  // logging_sinks.hpp

struct Loggers {
  std::shared_ptr<spdlog::logger> main, dhcp, tftp;
  LogTarget target = LogTarget::stderr_stream;
  std::shared_ptr<LogFileSink> file;  // the log file (target file), else null
};

struct LogSetupError {
  std::string message;  // dnsmasq's text: "cannot open log PATH: ERR"
  int exit_code = 3;    // EC_FILE, as dnsmasq
};

// The three loggers for the target. Level debug with log-debug, else info. The loggers are not
// registered with spdlog (no spdlog::get / drop_all needed; calling this again, e.g. on reload,
// just makes new ones). With log-async=N, a syslog line that /dev/log does not take at once waits
// in a queue of at most N lines served by one thread (more are dropped, and "overflow: N log
// entries lost" is logged before the next line that gets through); without it a busy /dev/log
// is waited for at most 100 ms, then lines are dropped and counted the same way. File, stderr
// and journald lines are written synchronously (dnsmasq ignores log-async for files; journald's
// socket queue is deep and sd_journal_sendv has no non-blocking mode).
std::variant<Loggers, LogSetupError> make_loggers(const config::Config& config, LogTarget target);

// SIGUSR2: re-open the log file by its path (after logrotate moved it). A no-op for the other
// targets. On failure the old file stays in use and the error is returned (log it).
std::optional<std::string> reopen_log_file(const Loggers& loggers);

// Give the log file to the user pxemasq runs as (dnsmasq does the same), so it can still be
// re-opened after the privilege drop. A no-op for the other targets.
std::optional<std::string> chown_log_file(const Loggers& loggers, uid_t uid, gid_t gid);

}  // namespace pxemasq::daemon
