// daemon/logging: which target a configuration and the inherited environment choose (spec
// §3.13, §8.2: -d, log-facility, systemd), the facility code, dnsmasq's line forms with the time
// injected (§7.1), the thread-local structured fields and their stable MESSAGE_IDs, the
// log-async queue carrying the fields to its thread and counting what it drops, and the log
// file target on a real file in a private temporary directory.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "daemon/logging.hpp"
#include "daemon/logging_format.hpp"
#include "daemon/logging_sinks.hpp"

#ifndef PXEMASQ_SOURCE_DIR
#error "tests/CMakeLists.txt must define PXEMASQ_SOURCE_DIR for unit_tests"
#endif

namespace pxemasq::daemon {
namespace {

config::Config with_facility(config::LogFacility::Kind kind, std::string value) {
  config::Config config;
  config.log_facility_set = true;
  config.log_facility = {kind, std::move(value)};
  return config;
}

config::Config debug_mode() {
  config::Config config;
  config.no_daemon = true;
  return config;
}

// A service started by systemd with stderr connected to the journal (JOURNAL_STREAM = fd 2).
LogEnvironment systemd_service() {
  LogEnvironment environment;
  environment.journal_stream = "64769:123456";
  environment.invocation_id = "0f5a9d0c2b8e4d7f9a1b2c3d4e5f6a7b";
  environment.stderr_open = true;
  environment.stderr_device = 64769;
  environment.stderr_inode = 123456;
  environment.journal_socket_present = true;
  return environment;
}

// A shell in a terminal: no systemd variables, or a terminal unit's ones that do not match.
LogEnvironment terminal() {
  LogEnvironment environment;
  environment.stderr_open = true;
  environment.stderr_device = 25;
  environment.stderr_inode = 3;
  environment.stderr_is_terminal = true;
  environment.journal_socket_present = true;
  return environment;
}

TEST(LogTarget, DebugModeWithoutFacilityIsStderr) {
  EXPECT_EQ(choose_log_target(debug_mode(), terminal()), LogTarget::stderr_stream);
  EXPECT_EQ(choose_log_target(debug_mode(), systemd_service()), LogTarget::stderr_stream);
}

TEST(LogTarget, DashIsStderrAndPathIsFileWhateverTheEnvironment) {
  const auto dash = with_facility(config::LogFacility::Kind::stderr_stream, "-");
  const auto path = with_facility(config::LogFacility::Kind::file, "/var/log/pxemasq.log");
  EXPECT_EQ(choose_log_target(dash, systemd_service()), LogTarget::stderr_stream);
  EXPECT_EQ(choose_log_target(path, systemd_service()), LogTarget::file);
  EXPECT_EQ(choose_log_target(path, terminal()), LogTarget::file);
  auto debug_path = path;
  debug_path.no_daemon = true;
  EXPECT_EQ(choose_log_target(debug_path, terminal()), LogTarget::file);
}

TEST(LogTarget, ServiceOfSystemdIsJournaldOtherwiseSyslog) {
  const config::Config plain;
  EXPECT_EQ(choose_log_target(plain, systemd_service()), LogTarget::journald);
  EXPECT_EQ(choose_log_target(plain, terminal()), LogTarget::syslog);
  EXPECT_EQ(choose_log_target(plain, LogEnvironment{}), LogTarget::syslog);
  // A facility name keeps journald under systemd (it becomes SYSLOG_FACILITY) ...
  const auto local3 = with_facility(config::LogFacility::Kind::syslog, "local3");
  EXPECT_EQ(choose_log_target(local3, systemd_service()), LogTarget::journald);
  EXPECT_EQ(choose_log_target(local3, terminal()), LogTarget::syslog);
  // ... and under -d an explicit facility means syslog (plus the stderr echo), as dnsmasq.
  auto debug_local3 = local3;
  debug_local3.no_daemon = true;
  EXPECT_EQ(choose_log_target(debug_local3, terminal()), LogTarget::syslog);
}

TEST(LogTarget, SystemdDetection) {
  EXPECT_TRUE(started_by_systemd(systemd_service()));

  auto no_socket = systemd_service();  // stale variables, e.g. in a container without journald
  no_socket.journal_socket_present = false;
  EXPECT_FALSE(started_by_systemd(no_socket));

  auto other_stream = systemd_service();  // stderr redirected away from the journal stream ...
  other_stream.stderr_inode = 999;
  EXPECT_TRUE(started_by_systemd(other_stream));  // ... but still a service (INVOCATION_ID)
  other_stream.invocation_id.clear();
  EXPECT_FALSE(started_by_systemd(other_stream));

  auto null_stderr = systemd_service();  // StandardError=null: no JOURNAL_STREAM
  null_stderr.journal_stream.clear();
  EXPECT_TRUE(started_by_systemd(null_stderr));

  auto shell = terminal();  // a shell in a terminal run as a systemd (user) unit
  shell.invocation_id = "0f5a9d0c2b8e4d7f9a1b2c3d4e5f6a7b";
  shell.journal_stream = "64769:123456";
  EXPECT_FALSE(started_by_systemd(shell));

  for (const char* malformed : {"", ":", "64769", "64769:", ":123456", "x:1", "1:2:3", "1 :2"}) {
    auto environment = systemd_service();
    environment.invocation_id.clear();
    environment.journal_stream = malformed;
    EXPECT_FALSE(started_by_systemd(environment)) << malformed;
  }
}

TEST(LogFacility, DefaultDaemonLocal0UnderDebugOrTheNamedOne) {
  EXPECT_EQ(log_facility_code(config::Config{}), 3);
  EXPECT_EQ(log_facility_code(debug_mode()), 16);
  EXPECT_EQ(log_facility_code(with_facility(config::LogFacility::Kind::syslog, "local3")), 19);
  auto debug_daemon = with_facility(config::LogFacility::Kind::syslog, "daemon");
  debug_daemon.no_daemon = true;
  EXPECT_EQ(log_facility_code(debug_daemon), 3);
  EXPECT_EQ(syslog_facility_code("kern"), 0);
  EXPECT_EQ(syslog_facility_code("security"), 4);
  EXPECT_EQ(syslog_facility_code("authpriv"), 10);
  EXPECT_EQ(syslog_facility_code("local7"), 23);
  EXPECT_EQ(syslog_facility_code("LOCAL7"), std::nullopt);  // the config stores lower case
  EXPECT_EQ(syslog_facility_code("local8"), std::nullopt);
}

std::tm at(int month, int day, int hour, int minute, int second) {
  std::tm time{};
  time.tm_mon = month;
  time.tm_mday = day;
  time.tm_hour = hour;
  time.tm_min = minute;
  time.tm_sec = second;
  time.tm_year = 126;
  return time;
}

TEST(LogFormat, TimestampAsDnsmasq) {
  // Seen in dnsmasq 2.90's log file: "Dec  1 21:14:30 dnsmasq[6008]: started, ...".
  EXPECT_EQ(format_log_timestamp(at(11, 1, 21, 14, 30)), "Dec  1 21:14:30");
  EXPECT_EQ(format_log_timestamp(at(0, 31, 0, 0, 5)), "Jan 31 00:00:05");
  EXPECT_EQ(format_log_timestamp(at(8, 9, 9, 8, 7)), "Sep  9 09:08:07");
}

TEST(LogFormat, FileLine) {
  const std::tm time = at(11, 1, 21, 14, 30);
  EXPECT_EQ(format_log_file_line(&time, "pxemasq-tftp", 6008, "TFTP root is /tmp/lgt  "),
            "Dec  1 21:14:30 pxemasq-tftp[6008]: TFTP root is /tmp/lgt  \n");
  // log-facility=- with -k: dnsmasq leaves the time out.
  EXPECT_EQ(format_log_file_line(nullptr, "pxemasq", 6029, "started, version 0.1.0 DNS disabled"),
            "pxemasq[6029]: started, version 0.1.0 DNS disabled\n");
}

TEST(LogFormat, SyslogDatagram) {
  const std::tm time = at(11, 1, 21, 14, 30);
  // DAEMON (3) * 8 + INFO (6) = 30; LOCAL0 (16) * 8 + ERR (3) = 131.
  EXPECT_EQ(format_syslog_datagram(3, 6, time, "pxemasq-dhcp", 812,
                                   "DHCPACK(ens33) 192.168.1.230 52:54:00:12:34:56"),
            "<30>Dec  1 21:14:30 pxemasq-dhcp[812]: DHCPACK(ens33) 192.168.1.230 "
            "52:54:00:12:34:56");
  EXPECT_EQ(format_syslog_datagram(16, syslog_severity(spdlog::level::err), time, "pxemasq-tftp", 7,
                                   "file /srv/x not found for 10.0.0.2"),
            "<131>Dec  1 21:14:30 pxemasq-tftp[7]: file /srv/x not found for 10.0.0.2");
}

TEST(LogFormat, LinesAreCutAt1024Bytes) {
  const std::tm time = at(11, 1, 21, 14, 30);
  const std::string long_message(3000, 'x');
  const std::string line = format_log_file_line(&time, "pxemasq", 1, long_message);
  EXPECT_EQ(line.size(), kMaxLogLineBytes + 1);
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.rfind("Dec  1 21:14:30 pxemasq[1]: xxx", 0), 0U);
  const std::string datagram = format_syslog_datagram(3, 6, time, "pxemasq", 1, long_message);
  EXPECT_EQ(datagram.size(), std::string("<30>").size() + kMaxLogLineBytes);
  const std::string short_line = format_log_file_line(&time, "pxemasq", 1, "ok");
  EXPECT_EQ(short_line, "Dec  1 21:14:30 pxemasq[1]: ok\n");
}

TEST(LogFormat, Severities) {
  EXPECT_EQ(syslog_severity(spdlog::level::debug), 7);
  EXPECT_EQ(syslog_severity(spdlog::level::info), 6);
  EXPECT_EQ(syslog_severity(spdlog::level::warn), 4);
  EXPECT_EQ(syslog_severity(spdlog::level::err), 3);
  EXPECT_EQ(syslog_severity(spdlog::level::critical), 2);
}

TEST(LogFields, ScopesNestAndRestore) {
  EXPECT_EQ(current_log_fields().event, LogEvent::generic);
  EXPECT_TRUE(current_log_fields().mac.empty());
  {
    const ScopedLogFields outer({LogEvent::dhcp_other, "52:54:00:12:34:56", "", "ens33", ""});
    EXPECT_EQ(current_log_fields().iface, "ens33");
    {
      const ScopedLogFields inner(
          {LogEvent::dhcp_ack, "52:54:00:12:34:56", "192.168.1.230", "ens33", "bootx64.efi"});
      EXPECT_EQ(current_log_fields().event, LogEvent::dhcp_ack);
      EXPECT_EQ(current_log_fields().ip, "192.168.1.230");
      // Another thread sees its own (empty) fields.
      LogEvent seen = LogEvent::dhcp_ack;
      std::thread([&seen] { seen = current_log_fields().event; }).join();
      EXPECT_EQ(seen, LogEvent::generic);
    }
    EXPECT_EQ(current_log_fields().event, LogEvent::dhcp_other);
    EXPECT_TRUE(current_log_fields().ip.empty());
  }
  EXPECT_EQ(current_log_fields().event, LogEvent::generic);
}

TEST(LogFields, EveryEventHasItsOwnNameAndMessageId) {
  std::set<std::string_view> names;
  std::set<std::string_view> ids;
  for (std::size_t i = 0; i < all_log_events().size(); ++i) {
    const LogEvent event = all_log_events()[i];
    EXPECT_EQ(static_cast<std::size_t>(event), i) << "table out of declaration order";
    const std::string_view id = log_event_message_id(event);
    EXPECT_EQ(id.size(), 32U) << log_event_name(event);
    EXPECT_TRUE(std::all_of(id.begin(), id.end(), [](char c) {
      return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    })) << id;
    names.insert(log_event_name(event));
    ids.insert(id);
  }
  EXPECT_EQ(names.size(), kLogEventCount);
  EXPECT_EQ(ids.size(), kLogEventCount);
  EXPECT_EQ(log_event_name(LogEvent::dhcp_ack), "dhcp_ack");
  EXPECT_EQ(log_event_message_id(LogEvent::tftp_sent), "c620081069ab42c9b321e81708c17cb7");
}

// pxemasq(8) lists every MESSAGE_ID with its event name (LOGGING section).
TEST(LogFields, ManPageListsEveryMessageId) {
  std::ifstream page(std::string(PXEMASQ_SOURCE_DIR) + "/man/pxemasq.8");
  ASSERT_TRUE(page.is_open());
  std::stringstream text;
  text << page.rdbuf();
  const std::string content = text.str();
  for (const LogEvent event : all_log_events()) {
    const std::string roff_name(log_event_name(event));
    EXPECT_NE(content.find(std::string(log_event_message_id(event))), std::string::npos)
        << log_event_name(event);
    EXPECT_NE(content.find(roff_name), std::string::npos) << log_event_name(event);
  }
}

// A sink that records what reaches it and on which thread; it can refuse lines, be "busy" (a
// log daemon that would make the writer wait), and hold the queue's thread at a gate.
class RecordingSink final : public RecordSink {
 public:
  std::vector<LogRecord> records() {
    const std::lock_guard lock(mutex_);
    return records_;
  }
  std::vector<std::thread::id> threads() {
    const std::lock_guard lock(mutex_);
    return threads_;
  }
  void refuse(bool refuse) { refuse_ = refuse; }
  void busy(bool busy) { busy_ = busy; }
  void close_gate() {
    const std::lock_guard lock(mutex_);
    gate_open_ = false;
  }
  void open_gate() {
    {
      const std::lock_guard lock(mutex_);
      gate_open_ = true;
    }
    gate_.notify_all();
  }

 protected:
  WriteResult write(const LogRecord& record, bool may_wait) override {
    if (!may_wait && busy_) return WriteResult::busy;
    std::unique_lock lock(mutex_);
    if (may_wait) gate_.wait_for(lock, std::chrono::seconds(5), [this] { return gate_open_; });
    if (refuse_) return WriteResult::dropped;
    records_.push_back(record);
    threads_.push_back(std::this_thread::get_id());
    return WriteResult::written;
  }

 private:
  std::mutex mutex_;
  std::condition_variable gate_;
  bool gate_open_ = true;
  std::vector<LogRecord> records_;
  std::vector<std::thread::id> threads_;
  std::atomic<bool> refuse_{false};
  std::atomic<bool> busy_{false};
};

std::vector<std::string> messages(const std::vector<LogRecord>& records) {
  std::vector<std::string> texts;
  for (const LogRecord& record : records) texts.push_back(record.message);
  return texts;
}

TEST(LogSinks, QueuedLinesKeepTheFieldsOfTheirLoggingThread) {
  auto recorder = std::make_shared<RecordingSink>();
  recorder->busy(true);  // every line goes through the queue
  auto adapter = std::make_shared<RecordSinkAdapter>(recorder, 5);
  spdlog::logger logger("pxemasq-dhcp", adapter);
  {
    const ScopedLogFields scope(
        {LogEvent::dhcp_ack, "52:54:00:12:34:56", "192.168.1.230", "ens33", "bootx64.efi"});
    logger.info("DHCPACK(ens33) 192.168.1.230 52:54:00:12:34:56");
  }
  logger.info("no fields here");
  logger.flush();
  const auto records = recorder->records();
  ASSERT_EQ(records.size(), 2U);
  EXPECT_EQ(records[0].tag, "pxemasq-dhcp");
  EXPECT_EQ(records[0].message, "DHCPACK(ens33) 192.168.1.230 52:54:00:12:34:56");
  EXPECT_EQ(records[0].fields.event, LogEvent::dhcp_ack);
  EXPECT_EQ(records[0].fields.mac, "52:54:00:12:34:56");
  EXPECT_EQ(records[0].fields.file, "bootx64.efi");
  EXPECT_EQ(records[1].fields.event, LogEvent::generic);
  EXPECT_NE(recorder->threads()[0], std::this_thread::get_id()) << "not written by the queue";
}

TEST(LogSinks, AsyncWritesAtOnceWhenTheLogDaemonKeepsUp) {
  // A burst far longer than the queue loses nothing while nothing has to wait (dnsmasq queues
  // only what syslog does not take).
  auto recorder = std::make_shared<RecordingSink>();
  auto adapter = std::make_shared<RecordSinkAdapter>(recorder, 2);
  spdlog::logger logger("pxemasq", adapter);
  for (int i = 0; i < 100; ++i) logger.info("line {}", i);
  logger.flush();
  EXPECT_EQ(recorder->records().size(), 100U);
  EXPECT_EQ(recorder->lost(), 0U);
  EXPECT_EQ(recorder->threads()[99], std::this_thread::get_id());
}

TEST(LogSinks, LostLinesAreCountedAndReported) {
  auto recorder = std::make_shared<RecordingSink>();
  auto adapter = std::make_shared<RecordSinkAdapter>(recorder, 0);
  spdlog::logger logger("pxemasq-tftp", adapter);
  recorder->refuse(true);
  for (int i = 0; i < 7; ++i) logger.info("line {}", i);
  EXPECT_EQ(recorder->lost(), 7U);
  recorder->refuse(false);
  logger.info("back");
  const auto records = recorder->records();
  ASSERT_EQ(records.size(), 2U);
  EXPECT_EQ(records[0].tag, "pxemasq");
  EXPECT_EQ(records[0].level, spdlog::level::warn);
  EXPECT_EQ(records[0].message, "overflow: 7 log entries lost");
  EXPECT_EQ(records[1].message, "back");
  EXPECT_EQ(recorder->lost(), 0U);
}

TEST(LogSinks, FullQueueDropsInsteadOfWaitingAndReportsInOrder) {
  auto recorder = std::make_shared<RecordingSink>();
  recorder->busy(true);    // the log daemon does not take lines at once ...
  recorder->close_gate();  // ... and the queue's thread is stuck writing
  auto adapter = std::make_shared<RecordSinkAdapter>(recorder, 3);
  spdlog::logger logger("pxemasq", adapter);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 50; ++i) logger.info("line {}", i);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2)) << "logger waited";
  recorder->open_gate();
  logger.flush();
  logger.info("next");
  logger.flush();
  const auto texts = messages(recorder->records());
  // At most the line being written plus three queued ones got through, in order; then the count
  // of the others, then the next line.
  ASSERT_GE(texts.size(), 3U);
  ASSERT_LE(texts.size(), 6U);
  const std::size_t delivered = texts.size() - 2;
  for (std::size_t i = 0; i < delivered; ++i) EXPECT_EQ(texts[i], fmt::format("line {}", i));
  EXPECT_EQ(texts[delivered], fmt::format("overflow: {} log entries lost", 50 - delivered));
  EXPECT_EQ(texts.back(), "next");
  EXPECT_EQ(recorder->lost(), 0U);
}

class LogFileTarget : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/pxemasq-logging-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    directory_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }
  static std::string read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  std::string directory_;
};

TEST_F(LogFileTarget, AppendsDnsmasqLinesMode0640AndReopens) {
  const std::string path = directory_ + "/pxemasq.log";
  { std::ofstream(path) << "kept\n"; }
  ::chmod(path.c_str(), 0600);
  const std::string fresh = directory_ + "/fresh.log";
  auto config = with_facility(config::LogFacility::Kind::file, fresh);
  config.log_async = 5;  // ignored for files: the line must be there at once
  auto made = make_loggers(config, LogTarget::file);
  ASSERT_TRUE(std::holds_alternative<Loggers>(made));
  Loggers loggers = std::get<Loggers>(made);
  loggers.dhcp->info("DHCPACK(ens33) 192.168.1.230 52:54:00:12:34:56");
  loggers.main->debug("not at info level");
  struct stat status {};
  ASSERT_EQ(::stat(fresh.c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 0777, 0640U);
  const std::string text = read(fresh);
  const std::string expected_tail = fmt::format(
      " pxemasq-dhcp[{}]: DHCPACK(ens33) 192.168.1.230 52:54:00:12:34:56\n", ::getpid());
  ASSERT_GE(text.size(), expected_tail.size() + 15);
  EXPECT_EQ(text.substr(15), expected_tail) << text;  // "Mmm dd hh:mm:ss" then the rest

  // logrotate moves the file away; SIGUSR2 re-opens the path.
  std::filesystem::rename(fresh, directory_ + "/fresh.log.1");
  loggers.main->info("before reopen");
  EXPECT_EQ(reopen_log_file(loggers), std::nullopt);
  loggers.tftp->error("after reopen");
  EXPECT_NE(read(directory_ + "/fresh.log.1")
                .find("pxemasq[" + std::to_string(::getpid()) + "]: before reopen\n"),
            std::string::npos);
  const std::string reopened = read(fresh);
  EXPECT_NE(reopened.find("pxemasq-tftp["), std::string::npos);
  EXPECT_EQ(reopened.find("before reopen"), std::string::npos);
  EXPECT_EQ(chown_log_file(loggers, ::getuid(), ::getgid()), std::nullopt);

  // An existing file is appended to, its mode left alone.
  auto append_config = with_facility(config::LogFacility::Kind::file, path);
  auto appended = make_loggers(append_config, LogTarget::file);
  ASSERT_TRUE(std::holds_alternative<Loggers>(appended));
  std::get<Loggers>(appended).main->info("added");
  EXPECT_EQ(read(path).rfind("kept\n", 0), 0U);
  EXPECT_NE(read(path).find("]: added\n"), std::string::npos);
}

TEST_F(LogFileTarget, UnopenableFileIsAnErrorValue) {
  auto config = with_facility(config::LogFacility::Kind::file, directory_ + "/missing/x.log");
  auto made = make_loggers(config, LogTarget::file);
  ASSERT_TRUE(std::holds_alternative<LogSetupError>(made));
  const auto& error = std::get<LogSetupError>(made);
  EXPECT_EQ(error.message,
            "cannot open log " + directory_ + "/missing/x.log: No such file or directory");
  EXPECT_EQ(error.exit_code, 3);
}

// Runs `body` with fd 2 redirected to a file and returns what was written to it.
template <typename Body>
std::string captured_stderr(const std::string& path, Body body) {
  std::fflush(stderr);
  const int saved = ::dup(2);
  const int file = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ::dup2(file, 2);
  ::close(file);
  body();
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_F(LogFileTarget, StderrFormsAsDnsmasq) {
  // -d: "TAG: MESSAGE", byte for byte what the daemon printed before (and dnsmasq -d prints).
  const std::string debug = captured_stderr(directory_ + "/err1", [] {
    auto loggers = std::get<Loggers>(make_loggers(debug_mode(), LogTarget::stderr_stream));
    loggers.main->info("started, version 0.1.0 DNS disabled");
    loggers.tftp->error("file /srv/tftp/x not found for 10.0.0.2");
  });
  EXPECT_EQ(debug,
            "pxemasq: started, version 0.1.0 DNS disabled\n"
            "pxemasq-tftp: file /srv/tftp/x not found for 10.0.0.2\n");
  // log-facility=- with -k: "TAG[PID]: MESSAGE", no echo.
  auto dash_k = with_facility(config::LogFacility::Kind::stderr_stream, "-");
  dash_k.keep_in_foreground = true;
  const std::string keep = captured_stderr(directory_ + "/err2", [&dash_k] {
    std::get<Loggers>(make_loggers(dash_k, LogTarget::stderr_stream)).dhcp->info("hello");
  });
  EXPECT_EQ(keep, fmt::format("pxemasq-dhcp[{}]: hello\n", ::getpid()));
  // log-facility=- with -d: the timed form only (dnsmasq 2.90 prints no "TAG: " echo then).
  auto dash_d = with_facility(config::LogFacility::Kind::stderr_stream, "-");
  dash_d.no_daemon = true;
  const std::string timed = captured_stderr(directory_ + "/err3", [&dash_d] {
    std::get<Loggers>(make_loggers(dash_d, LogTarget::stderr_stream)).dhcp->info("hello");
  });
  EXPECT_EQ(timed.substr(15), fmt::format(" pxemasq-dhcp[{}]: hello\n", ::getpid())) << timed;
  // -d with a log file: the file gets the timed line, stderr the echo.
  auto debug_file = with_facility(config::LogFacility::Kind::file, directory_ + "/d.log");
  debug_file.no_daemon = true;
  const std::string echoed = captured_stderr(directory_ + "/err4", [&debug_file] {
    std::get<Loggers>(make_loggers(debug_file, LogTarget::file)).main->info("hello");
  });
  EXPECT_EQ(echoed, "pxemasq: hello\n");
  EXPECT_EQ(read(directory_ + "/d.log").substr(15),
            fmt::format(" pxemasq[{}]: hello\n", ::getpid()));
}

TEST(LogLevels, DebugOnlyWithLogDebug) {
  config::Config config = debug_mode();
  auto made = std::get<Loggers>(make_loggers(config, LogTarget::stderr_stream));
  EXPECT_FALSE(made.main->should_log(spdlog::level::debug));
  EXPECT_TRUE(made.tftp->should_log(spdlog::level::info));
  config.log_debug = true;
  made = std::get<Loggers>(make_loggers(config, LogTarget::stderr_stream));
  EXPECT_TRUE(made.dhcp->should_log(spdlog::level::debug));
  EXPECT_EQ(made.dhcp->name(), "pxemasq-dhcp");
  EXPECT_EQ(made.file, nullptr);
}

}  // namespace
}  // namespace pxemasq::daemon
