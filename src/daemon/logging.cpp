#include "daemon/logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <ctime>
#include <vector>

#include "daemon/logging_format.hpp"
#include "daemon/logging_sinks.hpp"

namespace pxemasq::daemon {
namespace {

constexpr const char* kJournalSocket = "/run/systemd/journal/socket";
constexpr const char* kSyslogSocket = "/dev/log";
constexpr int kFacilityDaemon = 3;
constexpr int kFacilityLocal0 = 16;
// How long one line may wait for a full /dev/log: on the daemon's own thread a short time, on
// the log-async thread longer (nothing waits for it).
constexpr std::chrono::milliseconds kSyslogWaitInline{100};
constexpr std::chrono::milliseconds kSyslogWaitQueued{1000};

std::string environment_value(const char* name) {
  const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): at startup
  return value != nullptr ? std::string(value) : std::string();
}

// "DEVICE:INODE", both decimal, as systemd writes $JOURNAL_STREAM.
bool parse_device_inode(std::string_view text, unsigned long long& device,
                        unsigned long long& inode) {
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) return false;
  const char* end = text.data() + text.size();
  const auto first = std::from_chars(text.data(), text.data() + colon, device);
  const auto second = std::from_chars(text.data() + colon + 1, end, inode);
  return first.ec == std::errc() && first.ptr == text.data() + colon && second.ec == std::errc() &&
         second.ptr == end && colon > 0 && colon + 1 < text.size();
}

std::shared_ptr<spdlog::logger> make_logger(const char* name,
                                            const std::vector<spdlog::sink_ptr>& sinks,
                                            spdlog::level::level_enum level) {
  auto logger = std::make_shared<spdlog::logger>(name, sinks.begin(), sinks.end());
  logger->set_level(level);
  return logger;
}

}  // namespace

LogEnvironment read_log_environment() {
  LogEnvironment environment;
  environment.journal_stream = environment_value("JOURNAL_STREAM");
  environment.invocation_id = environment_value("INVOCATION_ID");
  struct stat status {};
  if (::fstat(STDERR_FILENO, &status) == 0) {
    environment.stderr_open = true;
    environment.stderr_device = static_cast<unsigned long long>(status.st_dev);
    environment.stderr_inode = static_cast<unsigned long long>(status.st_ino);
    environment.stderr_is_terminal = ::isatty(STDERR_FILENO) == 1;
  }
  struct stat journal {};
  environment.journal_socket_present =
      ::stat(kJournalSocket, &journal) == 0 && S_ISSOCK(journal.st_mode);
  return environment;
}

bool started_by_systemd(const LogEnvironment& environment) {
  if (!environment.journal_socket_present) return false;
  unsigned long long device = 0;
  unsigned long long inode = 0;
  if (environment.stderr_open && parse_device_inode(environment.journal_stream, device, inode) &&
      device == environment.stderr_device && inode == environment.stderr_inode) {
    return true;
  }
  return !environment.invocation_id.empty() &&
         !(environment.stderr_open && environment.stderr_is_terminal);
}

LogTarget choose_log_target(const config::Config& config, const LogEnvironment& environment) {
  if (config.log_facility_set) {
    switch (config.log_facility.kind) {
      case config::LogFacility::Kind::file:
        return LogTarget::file;
      case config::LogFacility::Kind::stderr_stream:
        return LogTarget::stderr_stream;
      case config::LogFacility::Kind::syslog:
        break;  // a facility: for syslog, or journald's SYSLOG_FACILITY
    }
  } else if (config.no_daemon) {
    return LogTarget::stderr_stream;
  }
  return started_by_systemd(environment) ? LogTarget::journald : LogTarget::syslog;
}

int log_facility_code(const config::Config& config) {
  if (config.log_facility_set && config.log_facility.kind == config::LogFacility::Kind::syslog) {
    if (auto code = syslog_facility_code(config.log_facility.value)) return *code;
  }
  return config.no_daemon ? kFacilityLocal0 : kFacilityDaemon;
}

std::variant<Loggers, LogSetupError> make_loggers(const config::Config& config, LogTarget target) {
  ::tzset();  // read the zone now: /etc/localtime may be out of reach later
  Loggers loggers;
  loggers.target = target;
  // log-async is for syslog; dnsmasq disables it for files (spec §3.13).
  const std::size_t queue_length = config.log_async.value_or(0);
  const int facility = log_facility_code(config);
  std::vector<spdlog::sink_ptr> sinks;
  bool echo_to_stderr = config.no_daemon;  // dnsmasq -d: every line also as "TAG: MESSAGE"
  switch (target) {
    case LogTarget::stderr_stream:
      if (config.log_facility_set &&
          config.log_facility.kind == config::LogFacility::Kind::stderr_stream) {
        // log-facility=-: the log-file lines on stderr (without the time under -k), and no echo.
        sinks.push_back(std::make_shared<RecordSinkAdapter>(
            LogFileSink::on_stderr(!config.keep_in_foreground), 0));
        echo_to_stderr = false;
      } else {
        echo_to_stderr = true;
      }
      break;
    case LogTarget::file: {
      auto opened = LogFileSink::open(config.log_facility.value);
      if (auto* error = std::get_if<std::string>(&opened)) return LogSetupError{*error, 3};
      loggers.file = std::get<std::shared_ptr<LogFileSink>>(opened);
      sinks.push_back(std::make_shared<RecordSinkAdapter>(loggers.file, 0));
      break;
    }
    case LogTarget::syslog:
      sinks.push_back(std::make_shared<RecordSinkAdapter>(
          std::make_shared<SyslogSink>(kSyslogSocket, facility,
                                       queue_length > 0 ? kSyslogWaitQueued : kSyslogWaitInline),
          queue_length));
      break;
    case LogTarget::journald:
      // Always synchronous: sd_journal_sendv cannot tell "busy" without blocking, and the
      // journal's socket queue is deep. (The adapter would carry the fields through a queue.)
      sinks.push_back(
          std::make_shared<RecordSinkAdapter>(std::make_shared<JournaldSink>(facility), 0));
      break;
  }
  if (echo_to_stderr) {
    // Byte for byte what dnsmasq -d prints (tests compare it): "TAG: MESSAGE\n".
    auto echo = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    echo->set_pattern("%n: %v");
    sinks.push_back(std::move(echo));
  }
  const auto level = config.log_debug ? spdlog::level::debug : spdlog::level::info;
  loggers.main = make_logger(kMainLoggerName, sinks, level);
  loggers.dhcp = make_logger(kDhcpLoggerName, sinks, level);
  loggers.tftp = make_logger(kTftpLoggerName, sinks, level);
  return loggers;
}

std::optional<std::string> reopen_log_file(const Loggers& loggers) {
  if (!loggers.file) return std::nullopt;
  return loggers.file->reopen();
}

std::optional<std::string> chown_log_file(const Loggers& loggers, uid_t uid, gid_t gid) {
  if (!loggers.file) return std::nullopt;
  return loggers.file->chown(uid, gid);
}

}  // namespace pxemasq::daemon
