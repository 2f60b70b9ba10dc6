#include "daemon/logging_sinks.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <utility>
#include <vector>

#include "daemon/logging.hpp"
#include "daemon/logging_classify.hpp"
#include "daemon/logging_format.hpp"

namespace pxemasq::daemon {
namespace {

std::tm local_time_of(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm local{};
  ::localtime_r(&seconds, &local);
  return local;
}

// One write(2) per line, so concurrent appenders (O_APPEND) never interleave inside a line.
bool write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  for (int attempt = 0; attempt < 16 && done < text.size(); ++attempt) {
    const ssize_t written = ::write(fd, text.data() + done, text.size() - done);
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<std::size_t>(written);
  }
  return done == text.size();
}

std::string errno_text(int error) {
  return std::strerror(error);
}

}  // namespace

// ---- RecordSink ---------------------------------------------------------------------------

void RecordSink::deliver(const LogRecord& record) {
  if (const std::size_t lost = lost_.exchange(0); lost > 0) {
    const LogRecord note{kMainLoggerName,
                         spdlog::level::warn,
                         record.time,
                         fmt::format("overflow: {} log entries lost", lost),
                         {}};
    if (write(note, true) != WriteResult::written) lost_ += lost;
  }
  if (write(record, true) != WriteResult::written) ++lost_;
}

bool RecordSink::deliver_without_waiting(const LogRecord& record) {
  if (lost_.load() > 0) return false;  // the queue's thread reports the loss first
  switch (write(record, false)) {
    case WriteResult::written:
      return true;
    case WriteResult::dropped:
      ++lost_;
      return true;
    case WriteResult::busy:
      break;
  }
  return false;
}

// ---- LogFileSink --------------------------------------------------------------------------

LogFileSink::LogFileSink(std::string path, net::UniqueFd fd, bool with_time)
    : path_(std::move(path)), fd_(std::move(fd)), with_time_(with_time) {}

namespace {

std::variant<net::UniqueFd, std::string> open_for_append(const std::string& path) {
  // dnsmasq: O_APPEND, created 0640 (spec §3.13).
  net::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640));
  if (!fd.valid()) return fmt::format("cannot open log {}: {}", path, errno_text(errno));
  return fd;
}

}  // namespace

std::variant<std::shared_ptr<LogFileSink>, std::string> LogFileSink::open(const std::string& path) {
  auto opened = open_for_append(path);
  if (auto* error = std::get_if<std::string>(&opened)) return std::move(*error);
  return std::make_shared<LogFileSink>(path, std::move(std::get<net::UniqueFd>(opened)), true);
}

std::shared_ptr<LogFileSink> LogFileSink::on_stderr(bool with_time) {
  return std::make_shared<LogFileSink>(std::string(), net::UniqueFd(), with_time);
}

std::optional<std::string> LogFileSink::reopen() {
  if (path_.empty()) return std::nullopt;
  auto opened = open_for_append(path_);
  if (auto* error = std::get_if<std::string>(&opened)) return std::move(*error);
  const std::lock_guard lock(mutex_);
  fd_ = std::move(std::get<net::UniqueFd>(opened));
  return std::nullopt;
}

std::optional<std::string> LogFileSink::chown(uid_t uid, gid_t gid) {
  const std::lock_guard lock(mutex_);
  if (!fd_.valid()) return std::nullopt;
  if (::fchown(fd_.get(), uid, gid) != 0) {
    return fmt::format("cannot change owner of log {}: {}", path_, errno_text(errno));
  }
  return std::nullopt;
}

RecordSink::WriteResult LogFileSink::write(const LogRecord& record, bool /*may_wait*/) {
  const std::tm local = local_time_of(record.time);
  const std::string line = format_log_file_line(with_time_ ? &local : nullptr, record.tag,
                                                static_cast<long>(::getpid()), record.message);
  const std::lock_guard lock(mutex_);
  return write_all(fd(), line) ? WriteResult::written : WriteResult::dropped;
}

// ---- SyslogSink ---------------------------------------------------------------------------

SyslogSink::SyslogSink(std::string socket_path, int facility, std::chrono::milliseconds wait_budget)
    : socket_path_(std::move(socket_path)), facility_(facility), wait_budget_(wait_budget) {
  connect_socket();  // now, while we may still reach it; a failure is retried per line
}

bool SyslogSink::connect_socket() {
  socket_.reset();
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket_path_.size() >= sizeof(address.sun_path)) return false;
  std::memcpy(address.sun_path, socket_path_.data(), socket_path_.size());
  net::UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return false;
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    return false;
  }
  socket_ = std::move(fd);
  return true;
}

RecordSink::WriteResult SyslogSink::send_datagram(const std::string& datagram, bool may_wait) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline =
      Clock::now() + (congested_ || !may_wait ? std::chrono::milliseconds(0) : wait_budget_);
  bool reconnected = false;
  for (int attempt = 0; attempt < 64; ++attempt) {  // bounded whatever the socket says
    if (!socket_.valid() && (reconnected || !connect_socket())) return WriteResult::dropped;
    if (::send(socket_.get(), datagram.data(), datagram.size(), MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) {
      congested_ = false;
      return WriteResult::written;
    }
    switch (errno) {
      case EINTR:
        continue;
      case EAGAIN:
#if EWOULDBLOCK != EAGAIN
      case EWOULDBLOCK:
#endif
      case ENOBUFS: {
        // The syslog daemon is behind: wait for room, within the budget.
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
          if (!may_wait) return WriteResult::busy;
          congested_ = true;
          return WriteResult::dropped;
        }
        pollfd ready{socket_.get(), POLLOUT, 0};
        ::poll(&ready, 1, static_cast<int>(left.count()));
        continue;
      }
      case ECONNREFUSED:
      case ECONNRESET:
      case ENOTCONN:
      case EPIPE:
      case ENOENT:
      case EDESTADDRREQ:
        // The syslog daemon restarted and bound a new socket: connect again, once per line.
        socket_.reset();
        if (reconnected) return WriteResult::dropped;
        reconnected = true;
        if (!connect_socket()) return WriteResult::dropped;
        continue;
      default:
        return WriteResult::dropped;  // EMSGSIZE and friends: this line cannot be sent
    }
  }
  return WriteResult::dropped;
}

RecordSink::WriteResult SyslogSink::write(const LogRecord& record, bool may_wait) {
  const std::string datagram =
      format_syslog_datagram(facility_, syslog_severity(record.level), local_time_of(record.time),
                             record.tag, static_cast<long>(::getpid()), record.message);
  return send_datagram(datagram, may_wait);
}

// ---- JournaldSink -------------------------------------------------------------------------

RecordSink::WriteResult JournaldSink::write(const LogRecord& record, bool may_wait) {
  if (!may_wait) return WriteResult::busy;  // sd_journal_sendv may block
  // What the call site did not set, as the line's (dnsmasq-form) text says it.
  const LogFields fields = complete_log_fields(record.fields, record.tag, record.message);
  std::vector<std::string> entries;
  entries.reserve(12);
  entries.push_back("MESSAGE=" + record.message);
  entries.push_back(fmt::format("PRIORITY={}", syslog_severity(record.level)));
  entries.push_back("SYSLOG_IDENTIFIER=" + record.tag);
  entries.push_back(fmt::format("SYSLOG_FACILITY={}", facility_));
  entries.push_back(fmt::format("MESSAGE_ID={}", log_event_message_id(fields.event)));
  entries.push_back(fmt::format("PXEMASQ_EVENT={}", log_event_name(fields.event)));
  if (!fields.mac.empty()) entries.push_back("PXEMASQ_MAC=" + fields.mac);
  if (!fields.ip.empty()) entries.push_back("PXEMASQ_IP=" + fields.ip);
  if (!fields.iface.empty()) entries.push_back("PXEMASQ_IFACE=" + fields.iface);
  if (!fields.file.empty()) entries.push_back("PXEMASQ_FILE=" + fields.file);
  std::vector<iovec> vector;
  vector.reserve(entries.size());
  for (std::string& entry : entries) vector.push_back({entry.data(), entry.size()});
  // sd_journal_sendv sends values with a newline in the journal's binary form, and big entries
  // through a memfd; it returns a negative errno when the journal cannot be reached.
  return ::sd_journal_sendv(vector.data(), static_cast<int>(vector.size())) >= 0
             ? WriteResult::written
             : WriteResult::dropped;
}

// ---- RecordSinkAdapter --------------------------------------------------------------------

RecordSinkAdapter::RecordSinkAdapter(std::shared_ptr<RecordSink> target, std::size_t queue_length)
    : target_(std::move(target)), queue_length_(queue_length) {}

RecordSinkAdapter::~RecordSinkAdapter() {
  if (!worker_.joinable()) return;
  {
    const std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_changed_.notify_all();
  worker_.join();  // the queue is written first; each line's wait is bounded by its sink
}

void RecordSinkAdapter::sink_it_(const spdlog::details::log_msg& message) {
  // On the logging thread: the thread-local fields are read here, not on the queue's thread.
  LogRecord record{std::string(message.logger_name.data(), message.logger_name.size()),
                   message.level, message.time,
                   std::string(message.payload.data(), message.payload.size()),
                   current_log_fields()};
  if (queue_length_ == 0) {
    target_->deliver(record);
    return;
  }
  {
    const std::lock_guard lock(queue_mutex_);
    // dnsmasq's log-async: write now when the log daemon takes the line without a wait (the
    // queue's thread is idle then, so the two never write at once), else queue it.
    if (queue_.empty() && !writing_ && dropped_ == 0 && target_->deliver_without_waiting(record)) {
      return;
    }
    if (queue_.size() >= queue_length_) {
      ++dropped_;  // drop rather than wait for the log daemon
      return;
    }
    queue_.push_back({std::exchange(dropped_, 0), std::move(record)});
    // Started with the first queued line, not before: a daemon that forks after making its
    // loggers (and logged nothing that had to wait) keeps a working queue.
    if (!worker_.joinable()) worker_ = std::thread([this] { serve_queue(); });
  }
  queue_changed_.notify_all();  // flush_() may wait on the same condition
}

void RecordSinkAdapter::flush_() {
  if (queue_length_ == 0) return;
  std::unique_lock lock(queue_mutex_);
  queue_changed_.wait_for(lock, std::chrono::seconds(2),
                          [this] { return queue_.empty() && !writing_; });
  if (queue_.empty() && !writing_) target_->count_lost(std::exchange(dropped_, 0));
}

void RecordSinkAdapter::serve_queue() {
  std::unique_lock lock(queue_mutex_);
  for (;;) {
    queue_changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything is written
    Queued item = std::move(queue_.front());
    queue_.pop_front();
    writing_ = true;
    lock.unlock();
    target_->count_lost(item.lost_before);
    target_->deliver(item.record);
    lock.lock();
    writing_ = false;
    queue_changed_.notify_all();  // flush_() waits for an empty queue
  }
}

}  // namespace pxemasq::daemon
