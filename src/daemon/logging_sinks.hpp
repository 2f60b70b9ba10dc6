#pragma once
// The sinks behind make_loggers() (logging.hpp). Each target is a RecordSink that writes one
// LogRecord; RecordSinkAdapter is the spdlog sink in front of it, which captures the record —
// the thread's LogFields included — on the logging thread, then writes it at once or, with
// log-async, as dnsmasq does: at once if the target takes it without waiting, else into a
// bounded queue served by one thread. So the structured fields travel with their line even when
// the queue's thread writes it later.

#include <spdlog/sinks/base_sink.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>

#include "daemon/logging_fields.hpp"
#include "net/unique_fd.hpp"

namespace pxemasq::daemon {

struct LogRecord {
  std::string tag;  // the logger's name: pxemasq, pxemasq-dhcp, pxemasq-tftp
  spdlog::level::level_enum level = spdlog::level::info;
  std::chrono::system_clock::time_point time;
  std::string message;
  LogFields fields;
};

class RecordSink {
 public:
  RecordSink() = default;
  virtual ~RecordSink() = default;
  RecordSink(const RecordSink&) = delete;
  RecordSink& operator=(const RecordSink&) = delete;

  // Writes the record, waiting (boundedly) if the target is busy; if lines were lost before,
  // first a line saying how many (dnsmasq's "overflow: N log entries lost"). A record that
  // cannot be written counts as lost.
  void deliver(const LogRecord& record);
  // The same without any wait: false when the target is busy (or lines were lost and not yet
  // reported) — then the record was not written nor counted, and the caller queues it.
  bool deliver_without_waiting(const LogRecord& record);
  // Lines dropped before they reached this sink (a full log-async queue).
  void count_lost(std::size_t lines) { lost_ += lines; }
  [[nodiscard]] std::size_t lost() const { return lost_.load(); }

 protected:
  enum class WriteResult { written, dropped, busy };
  // busy only when !may_wait: the record could not be written without waiting.
  virtual WriteResult write(const LogRecord& record, bool may_wait) = 0;

 private:
  std::atomic<std::size_t> lost_{0};
};

// log-facility=/path (and log-facility=-, the same lines on stderr).
class LogFileSink final : public RecordSink {
 public:
  // Opens PATH for appending (created mode 0640). The error is dnsmasq's text.
  static std::variant<std::shared_ptr<LogFileSink>, std::string> open(const std::string& path);
  // The log-file lines on fd 2, with or without the time (log-facility=-; no time under -k).
  static std::shared_ptr<LogFileSink> on_stderr(bool with_time);

  std::optional<std::string> reopen();
  std::optional<std::string> chown(uid_t uid, gid_t gid);
  [[nodiscard]] const std::string& path() const { return path_; }

  LogFileSink(std::string path, net::UniqueFd fd, bool with_time);

 protected:
  WriteResult write(const LogRecord& record, bool may_wait) override;

 private:
  [[nodiscard]] int fd() const { return fd_.valid() ? fd_.get() : 2; }

  std::mutex mutex_;  // reopen() (SIGUSR2) against write()
  std::string path_;  // empty for stderr
  net::UniqueFd fd_;       // invalid for stderr (fd 2 is not ours to close)
  bool with_time_;
};

// RFC 3164 datagrams to a local syslog socket (/dev/log). The socket is connected at
// construction (before any chroot or privilege drop) and reconnected when the syslog daemon
// restarted (ECONNREFUSED, ENOTCONN). Sends never block: a full socket is waited for at most
// `wait_budget` per line, and not at all again until a send succeeds (a stuck syslog costs one
// wait, then lines are dropped and counted).
class SyslogSink final : public RecordSink {
 public:
  SyslogSink(std::string socket_path, int facility, std::chrono::milliseconds wait_budget);

 protected:
  WriteResult write(const LogRecord& record, bool may_wait) override;

 private:
  bool connect_socket();
  WriteResult send_datagram(const std::string& datagram, bool may_wait);

  std::string socket_path_;
  int facility_;
  std::chrono::milliseconds wait_budget_;
  net::UniqueFd socket_;
  bool congested_ = false;
};

// Native journal entries through sd_journal_sendv(): MESSAGE, PRIORITY, SYSLOG_IDENTIFIER,
// SYSLOG_FACILITY, MESSAGE_ID, PXEMASQ_EVENT and the non-empty PXEMASQ_MAC / _IP / _IFACE /
// _FILE of the record's fields. sd_journal_sendv has no non-blocking mode, so this sink is
// always busy for deliver_without_waiting(); make_loggers() writes it synchronously.
class JournaldSink final : public RecordSink {
 public:
  explicit JournaldSink(int facility) : facility_(facility) {}

 protected:
  WriteResult write(const LogRecord& record, bool may_wait) override;

 private:
  int facility_;
};

class RecordSinkAdapter final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  // queue_length 0: write on the logging thread (waits bounded by the target); N > 0: write on
  // the logging thread only when that needs no wait, else queue, at most N lines (more are
  // dropped and counted; the count is logged before the next line that gets through).
  RecordSinkAdapter(std::shared_ptr<RecordSink> target, std::size_t queue_length);
  ~RecordSinkAdapter() override;
  RecordSinkAdapter(const RecordSinkAdapter&) = delete;
  RecordSinkAdapter& operator=(const RecordSinkAdapter&) = delete;

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override;
  // Waits (at most 2 s) until the queue is written.
  void flush_() override;

 private:
  void serve_queue();

  std::shared_ptr<RecordSink> target_;
  std::size_t queue_length_;
  std::mutex queue_mutex_;
  std::condition_variable queue_changed_;
  struct Queued {
    std::size_t lost_before = 0;  // lines dropped between the previous queued one and this one
    LogRecord record;
  };
  std::deque<Queued> queue_;
  std::size_t dropped_ = 0;  // dropped since the last queued line
  bool writing_ = false;     // the queue's thread holds a record it has not written yet
  bool stopping_ = false;
  std::thread worker_;  // started with the first line that has to wait
};

}  // namespace pxemasq::daemon
