#pragma once
// The process around the services, as dnsmasq runs it (spec §8): daemonise unless -k/-d, the
// pid file, and the privilege drop after every privileged resource is open.
//
//   default   fork, setsid, fork; the first parent waits for the start-up result through a pipe
//             and exits with the daemon's exit code and message (so `pxemasq` returns 2 with
//             "failed to bind ..." on stderr, exactly as it would in the foreground)
//   -k        no fork (systemd's Type=notify runs pxemasq -k)
//   -d        no fork, no pid file, no privilege drop, logs on stderr
//
// The decisions (which mode, which user, which capabilities) are pure functions; the system
// calls sit in the few functions below them.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "config/model.hpp"
#include "net/unique_fd.hpp"

namespace pxemasq::daemon {

enum class ProcessMode { daemon, keep_in_foreground, no_daemon };

[[nodiscard]] ProcessMode process_mode(const config::Config& config);

inline constexpr const char* kDefaultPidFile = "/run/pxemasq.pid";
inline constexpr const char* kDefaultUser = "pxemasq";  // then "nobody" when it does not exist
inline constexpr const char* kFallbackUser = "nobody";

// The pid file to write, if any: none under -d or with a bare `pid-file`.
[[nodiscard]] std::optional<std::string> pid_file_path(const config::Config& config);

// Who the daemon becomes after start-up.
struct RunAs {
  std::string user;
  uid_t uid = 0;
  gid_t gid = 0;
  bool change_group = true;  // `group=` (empty) keeps the current group
};

// Linux capability numbers kept after the drop (bits of a 64-bit mask), and why:
//   CAP_NET_ADMIN         write the ARP cache so a reply can be unicast before the client has an
//                         address (spec §4.9)
//   CAP_NET_RAW           ICMP echo conflict probe before an offer (a reload may turn it on)
//   CAP_NET_BIND_SERVICE  a reload that enables TFTP/DHCP/PXE binds 69/67/4011 (and
//                         tftp-port-range below 1024)
[[nodiscard]] std::uint64_t kept_capabilities();
// "cap_net_bind_service,cap_net_admin,cap_net_raw" for the log.
[[nodiscard]] std::string capability_names(std::uint64_t mask);

// The user lookups the decision needs, injectable for tests.
struct UserDatabase {
  struct User {
    uid_t uid;
    gid_t gid;
  };
  virtual ~UserDatabase() = default;
  [[nodiscard]] virtual std::optional<User> user(const std::string& name) const = 0;
  [[nodiscard]] virtual std::optional<gid_t> group(const std::string& name) const = 0;
};
class SystemUserDatabase final : public UserDatabase {
 public:
  [[nodiscard]] std::optional<User> user(const std::string& name) const override;
  [[nodiscard]] std::optional<gid_t> group(const std::string& name) const override;
};

struct ProcessError {
  std::string message;
  int exit_code = 1;
};

// Whom to become: nothing when not root, under -d, or with `user=` empty; otherwise the
// configured user, or pxemasq, or nobody. Unknown user or group: dnsmasq's
// `unknown user or group: X` (exit 1).
[[nodiscard]] std::variant<std::optional<RunAs>, ProcessError> decide_run_as(
    const config::Config& config, uid_t effective_uid, const UserDatabase& users);

// The daemonising fork. In the parent this never returns: it waits for the daemon's report and
// exits. In the daemon it returns the reporting end.
class StartupReport {
 public:
  StartupReport() = default;  // -k / -d: nobody waits; report calls are no-ops
  [[nodiscard]] static std::variant<StartupReport, ProcessError> daemonize();

  // A parent waits for this report (the default mode, after the fork): it prints the error.
  [[nodiscard]] bool waiting() const { return pipe_.valid(); }
  // Start-up finished: the waiting parent exits 0.
  void succeeded();
  // Start-up failed: the parent prints "\npxemasq: MESSAGE" and exits with `exit_code`.
  void failed(const std::string& message, int exit_code);

 private:
  explicit StartupReport(net::UniqueFd pipe) : pipe_(std::move(pipe)) {}
  net::UniqueFd pipe_;
};

// stdin/stdout (and stderr unless `keep_stderr`) to /dev/null, chdir("/").
void detach_standard_streams(bool keep_stderr);

// Writes `PID\n` to `path` as dnsmasq does (unlink, O_EXCL, 0644, chown to the run user). The
// error text is `failed to open pidfile PATH: ERR`.
[[nodiscard]] std::optional<ProcessError> write_pid_file(const std::string& path,
                                                         const std::optional<RunAs>& run_as);

// Makes `path` (and its directory when `with_directory`) owned by the run user, so the lease
// store can still write after the drop. Errors are ignored: the store falls back by itself.
void hand_over(const std::string& path, const RunAs& run_as, bool with_directory);

// setgroups/setgid, setuid keeping `capabilities` (and no others) effective and permitted.
[[nodiscard]] std::optional<ProcessError> drop_privileges(const RunAs& run_as,
                                                          std::uint64_t capabilities);

}  // namespace pxemasq::daemon
