#include "daemon/process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

namespace pxemasq::daemon {
namespace {

std::string error_text(int error) { return std::strerror(error); }

constexpr std::uint64_t bit(int capability) { return std::uint64_t{1} << capability; }

// A full write to a pipe (start-up reports are a few hundred bytes).
void write_all(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

// The waiting parent: the first byte is the exit code, the rest the message.
[[noreturn]] void wait_for_report(int fd) {
  std::string report;
  std::array<char, 512> buffer{};
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    report.append(buffer.data(), static_cast<std::size_t>(n));
  }
  if (report.empty()) {
    std::fputs("\npxemasq: the daemon exited during start-up\n", stderr);
    ::_exit(1);
  }
  const int code = static_cast<unsigned char>(report[0]);
  if (report.size() > 1) std::fprintf(stderr, "\npxemasq: %s\n", report.c_str() + 1);
  ::_exit(code);
}

}  // namespace

ProcessMode process_mode(const config::Config& config) {
  if (config.no_daemon) return ProcessMode::no_daemon;
  if (config.keep_in_foreground) return ProcessMode::keep_in_foreground;
  return ProcessMode::daemon;
}

std::optional<std::string> pid_file_path(const config::Config& config) {
  if (process_mode(config) == ProcessMode::no_daemon) return std::nullopt;
  const std::string path = config.pid_file.value_or(kDefaultPidFile);
  if (path.empty()) return std::nullopt;
  return path;
}

std::uint64_t kept_capabilities() {
  return bit(CAP_NET_ADMIN) | bit(CAP_NET_RAW) | bit(CAP_NET_BIND_SERVICE);
}

std::string capability_names(std::uint64_t mask) {
  static constexpr std::array<std::pair<int, const char*>, 3> kNames{{
      {CAP_NET_BIND_SERVICE, "cap_net_bind_service"},
      {CAP_NET_ADMIN, "cap_net_admin"},
      {CAP_NET_RAW, "cap_net_raw"},
  }};
  std::string names;
  for (const auto& [capability, name] : kNames) {
    if ((mask & bit(capability)) == 0) continue;
    if (!names.empty()) names += ',';
    names += name;
  }
  return names.empty() ? std::string("none") : names;
}

std::optional<UserDatabase::User> SystemUserDatabase::user(const std::string& name) const {
  const passwd* entry = ::getpwnam(name.c_str());
  if (entry == nullptr) return std::nullopt;
  return User{entry->pw_uid, entry->pw_gid};
}

std::optional<gid_t> SystemUserDatabase::group(const std::string& name) const {
  const struct group* entry = ::getgrnam(name.c_str());
  if (entry == nullptr) return std::nullopt;
  return entry->gr_gid;
}

std::variant<std::optional<RunAs>, ProcessError> decide_run_as(const config::Config& config,
                                                               uid_t effective_uid,
                                                               const UserDatabase& users) {
  if (effective_uid != 0 || process_mode(config) == ProcessMode::no_daemon) {
    return std::optional<RunAs>();
  }
  if (config.user && config.user->empty()) return std::optional<RunAs>();  // `user=`: stay root
  RunAs run_as;
  if (config.user) {
    run_as.user = *config.user;
  } else {
    run_as.user = users.user(kDefaultUser) ? kDefaultUser : kFallbackUser;
  }
  const auto user = users.user(run_as.user);
  if (!user) return ProcessError{"unknown user or group: " + run_as.user, 1};
  run_as.uid = user->uid;
  run_as.gid = user->gid;  // dnsmasq's "dip" default is a Debian-ism; the user's group here
  if (config.group) {
    if (config.group->empty()) {
      run_as.change_group = false;
    } else {
      const auto group = users.group(*config.group);
      if (!group) return ProcessError{"unknown user or group: " + *config.group, 1};
      run_as.gid = *group;
    }
  }
  return std::optional<RunAs>(run_as);
}

std::variant<StartupReport, ProcessError> StartupReport::daemonize() {
  std::array<int, 2> ends{};
  if (::pipe2(ends.data(), O_CLOEXEC) != 0) return ProcessError{"cannot create a pipe: " + error_text(errno), 5};
  const pid_t first = ::fork();
  if (first < 0) return ProcessError{"cannot fork into the background: " + error_text(errno), 5};
  if (first > 0) {
    ::close(ends[1]);
    int status = 0;
    (void)::waitpid(first, &status, 0);  // the middle process exits at once
    wait_for_report(ends[0]);
  }
  ::close(ends[0]);
  (void)::setsid();
  const pid_t second = ::fork();
  if (second < 0) {
    write_all(ends[1], std::string(1, '\5') + "cannot fork into the background: " + error_text(errno));
    ::_exit(5);
  }
  if (second > 0) ::_exit(0);  // the daemon is the grandchild: no session leader, no tty ever
  return StartupReport(net::UniqueFd(ends[1]));
}

void StartupReport::succeeded() {
  if (!pipe_.valid()) return;
  write_all(pipe_.get(), std::string(1, '\0'));
  pipe_.reset();
}

void StartupReport::failed(const std::string& message, int exit_code) {
  if (!pipe_.valid()) return;
  write_all(pipe_.get(), std::string(1, static_cast<char>(exit_code)) + message);
  pipe_.reset();
}

void detach_standard_streams(bool keep_stderr) {
  // Best effort throughout: `/` always exists, and a daemon keeps running with its old
  // streams. (Empty `if`s, not `(void)` casts: GCC's warn_unused_result ignores casts, and
  // EL9's _FORTIFY_SOURCE marks these calls so.)
  if (::chdir("/") != 0) {
  }
  const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null < 0) return;
  (void)::dup2(null, STDIN_FILENO);
  (void)::dup2(null, STDOUT_FILENO);
  if (!keep_stderr) (void)::dup2(null, STDERR_FILENO);
  if (null > STDERR_FILENO) ::close(null);
}

std::optional<ProcessError> write_pid_file(const std::string& path, const std::optional<RunAs>& run_as) {
  (void)::unlink(path.c_str());
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return ProcessError{"failed to open pidfile " + path + ": " + error_text(errno), 3};
  const std::string text = std::to_string(::getpid()) + "\n";
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const int write_errno = errno;
  // Best effort: a pid file left root-owned only means the unlink at exit fails.
  if (run_as && ::fchown(fd, run_as->uid, run_as->gid) != 0) {
  }
  ::close(fd);
  if (!written) return ProcessError{"failed to write pidfile " + path + ": " + error_text(write_errno), 3};
  return std::nullopt;
}

// Best effort: a file the user cannot write shows up later as a named write error.
void hand_over(const std::string& path, const RunAs& run_as, bool with_directory) {
  if (::chown(path.c_str(), run_as.uid, run_as.gid) != 0) {
  }
  if (!with_directory) return;
  const auto slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return;
  if (::chown(path.substr(0, slash).c_str(), run_as.uid, run_as.gid) != 0) {
  }
}

std::optional<ProcessError> drop_privileges(const RunAs& run_as, std::uint64_t capabilities) {
  const auto fail = [](const char* step) {
    return ProcessError{std::string("failed to drop privileges (") + step + "): " + error_text(errno), 5};
  };
  if (run_as.change_group) {
    if (::setgroups(0, nullptr) != 0) return fail("setgroups");
    if (::setgid(run_as.gid) != 0) return fail("setgid");
  }
  if (run_as.uid != 0) {
    if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return fail("keep capabilities");
    if (::setuid(run_as.uid) != 0) return fail("setuid");
  }
  __user_cap_header_struct header{};
  header.version = _LINUX_CAPABILITY_VERSION_3;
  header.pid = 0;
  std::array<__user_cap_data_struct, 2> data{};
  data[0].effective = data[0].permitted = static_cast<std::uint32_t>(capabilities);
  data[1].effective = data[1].permitted = static_cast<std::uint32_t>(capabilities >> 32U);
  if (::syscall(SYS_capset, &header, data.data()) != 0) return fail("capset");
  (void)::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
  (void)::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  return std::nullopt;
}

}  // namespace pxemasq::daemon
