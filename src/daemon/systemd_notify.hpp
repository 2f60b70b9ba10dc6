#pragma once
// The daemon's side of systemd's notification protocol (Type=notify): READY=1 once every socket
// serves, STATUS= a one-line summary, RELOADING=1 + MONOTONIC_USEC= around a SIGHUP reload,
// STOPPING=1 at shutdown, WATCHDOG=1 at half of WatchdogSec=.
//
// Without $NOTIFY_SOCKET (not started by systemd) every call is a no-op, so the daemon calls
// them unconditionally. The message texts are pure functions, tested on their own; only
// Notifier touches the socket (through libsystemd's sd_notify).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace pxemasq::daemon {

// What STATUS= summarises.
struct ServiceSummary {
  std::size_t ranges = 0;
  std::size_t leases = 0;
  bool dhcp = false;
  bool tftp = false;
  std::size_t transfers = 0;
};

// "DHCP: 2 ranges, 17 leases; TFTP: 3 transfers" (the parts that run).
[[nodiscard]] std::string status_text(const ServiceSummary& summary);
// "RELOADING=1\nMONOTONIC_USEC=123\nSTATUS=reloading the configuration"
[[nodiscard]] std::string reloading_message(std::uint64_t monotonic_usec);

class Notifier {
 public:
  // Reads $NOTIFY_SOCKET and $WATCHDOG_USEC (sd_watchdog_enabled) once.
  Notifier();

  [[nodiscard]] bool enabled() const { return enabled_; }
  // The interval at which watchdog() must be called, when WatchdogSec= is set.
  [[nodiscard]] std::optional<std::chrono::microseconds> watchdog_interval() const {
    return watchdog_interval_;
  }

  void ready(const std::string& status);
  void status(const std::string& status);  // sent only when it changed
  void reloading();
  void stopping();
  void watchdog();

 private:
  void send(const std::string& message);

  bool enabled_ = false;
  std::optional<std::chrono::microseconds> watchdog_interval_;
  std::string last_status_;
};

}  // namespace pxemasq::daemon
