#include "daemon/systemd_notify.hpp"

#include <systemd/sd-daemon.h>

#include <cstdlib>
#include <ctime>

namespace pxemasq::daemon {
namespace {

std::uint64_t monotonic_usec() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000U +
         static_cast<std::uint64_t>(now.tv_nsec) / 1000U;
}

std::string counted(std::size_t count, const char* singular, const char* plural) {
  return std::to_string(count) + ' ' + (count == 1 ? singular : plural);
}

}  // namespace

std::string status_text(const ServiceSummary& summary) {
  std::string text;
  if (summary.dhcp) {
    text += "DHCP: " + counted(summary.ranges, "range", "ranges") + ", " +
            counted(summary.leases, "lease", "leases");
  }
  if (summary.tftp) {
    if (!text.empty()) text += "; ";
    text += "TFTP: " + counted(summary.transfers, "transfer", "transfers");
  }
  return text.empty() ? std::string("no service configured") : text;
}

std::string reloading_message(std::uint64_t monotonic) {
  return "RELOADING=1\nMONOTONIC_USEC=" + std::to_string(monotonic) +
         "\nSTATUS=reloading the configuration";
}

Notifier::Notifier() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  enabled_ = socket != nullptr && *socket != '\0';
  std::uint64_t usec = 0;
  if (enabled_ && sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    watchdog_interval_ = std::chrono::microseconds(usec / 2);
  }
}

void Notifier::send(const std::string& message) {
  if (enabled_) (void)sd_notify(0, message.c_str());
}

void Notifier::ready(const std::string& status) {
  last_status_ = status;
  send("READY=1\nSTATUS=" + status);
}

void Notifier::status(const std::string& status) {
  if (status == last_status_) return;
  last_status_ = status;
  send("STATUS=" + status);
}

void Notifier::reloading() {
  last_status_.clear();
  send(reloading_message(monotonic_usec()));
}

void Notifier::stopping() { send("STOPPING=1\nSTATUS=stopping"); }

void Notifier::watchdog() { send("WATCHDOG=1"); }

}  // namespace pxemasq::daemon
