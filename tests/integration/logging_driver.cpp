// Test driver for the logging targets (tests/integration/logging_*_test.sh): makes the loggers
// with daemon::make_loggers for the journald or syslog target — or the target
// choose_log_target() picks from this process's real environment — and logs the lines the DHCP
// and TFTP services log, with the structured fields they set. The tests listen on the journal
// socket or /dev/log inside a private mount namespace and check what arrives on the wire.
//
//   logging_driver TARGET [--facility NAME] [--async N] [--debug] [--no-daemon]
//   logging_driver TARGET ... --big BYTES           also one line of BYTES bytes
//   logging_driver TARGET ... --flood N --wait FILE N lines at once, print how long that took,
//                                                   then wait for FILE and log "after flood"
//   logging_driver TARGET ... --wait FILE           log "first", wait for FILE, log "second"
//   TARGET: journald | syslog | auto (auto only prints the choice unless --log is given)

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>
#include <variant>

#include "daemon/logging.hpp"

namespace {

using namespace pxemasq;
using daemon::LogEvent;
using daemon::ScopedLogFields;

const char* target_name(daemon::LogTarget target) {
  switch (target) {
    case daemon::LogTarget::stderr_stream:
      return "stderr";
    case daemon::LogTarget::journald:
      return "journald";
    case daemon::LogTarget::syslog:
      return "syslog";
    case daemon::LogTarget::file:
      return "file";
  }
  return "?";
}

bool wait_for_file(const std::string& path, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  struct stat status {};
  while (::stat(path.c_str(), &status) != 0) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// The lines of one PXE boot, as the services log them (spec §7), with their fields.
void log_boot(const daemon::Loggers& loggers, std::size_t big) {
  {
    const ScopedLogFields scope({LogEvent::started, "", "", "", ""});
    loggers.main->info("started, version 0.1.0 DNS disabled");
  }
  {
    const ScopedLogFields scope(
        {LogEvent::dhcp_ack, "52:54:00:12:34:56", "192.168.1.230", "ens33", "bootx64.efi"});
    loggers.dhcp->info("DHCPACK(ens33) 192.168.1.230 52:54:00:12:34:56");
  }
  {
    const ScopedLogFields scope(
        {LogEvent::tftp_sent, "", "192.168.1.230", "", "/var/lib/tftpboot/bootx64.efi"});
    loggers.tftp->info("sent /var/lib/tftpboot/bootx64.efi to 192.168.1.230");
  }
  {
    const ScopedLogFields scope(
        {LogEvent::tftp_not_found, "", "192.168.1.230", "", "/var/lib/tftpboot/boot.cfg"});
    loggers.tftp->error("file /var/lib/tftpboot/boot.cfg not found for 192.168.1.230");
  }
  // Lines logged without ScopedLogFields: the journald sink reads the fields from the text.
  loggers.dhcp->info("725372254 DHCPOFFER(ens33) 192.168.1.150 52:54:00:aa:bb:cc ");
  loggers.tftp->error(
      "file /srv/tftp/http://192.168.1.70/esxi8/b.b00 not found for 192.168.1.150 (requested as "
      "http://192.168.1.70/esxi8/b.b00)");
  loggers.main->warn("two\nlines");   // the journal's binary form for values with a newline
  loggers.main->debug("debug line");  // only with --debug
  if (big > 0) loggers.main->info("big {}", std::string(big, 'b'));
  loggers.main->info("end of boot");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s journald|syslog|auto [options]\n", argv[0]);
    return 2;
  }
  const std::string_view mode = argv[1];
  config::Config config;
  std::size_t big = 0;
  std::size_t flood = 0;
  std::string wait_file;
  bool log = mode != "auto";
  for (int i = 2; i < argc; ++i) {
    const std::string_view option = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : "";
    if (option == "--facility") {
      config.log_facility_set = true;
      config.log_facility = {config::LogFacility::Kind::syslog, value};
      ++i;
    } else if (option == "--async") {
      config.log_async = static_cast<unsigned>(std::strtoul(value, nullptr, 10));
      ++i;
    } else if (option == "--big") {
      big = std::strtoul(value, nullptr, 10);
      ++i;
    } else if (option == "--flood") {
      flood = std::strtoul(value, nullptr, 10);
      ++i;
    } else if (option == "--wait") {
      wait_file = value;
      ++i;
    } else if (option == "--debug") {
      config.log_debug = true;
    } else if (option == "--no-daemon") {
      config.no_daemon = true;
    } else if (option == "--log") {
      log = true;
    } else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  daemon::LogTarget target = daemon::LogTarget::syslog;
  if (mode == "journald") target = daemon::LogTarget::journald;
  if (mode == "auto") target = daemon::choose_log_target(config, daemon::read_log_environment());
  std::printf("pid %ld target %s\n", static_cast<long>(::getpid()), target_name(target));
  std::fflush(stdout);
  if (!log) return 0;

  auto made = daemon::make_loggers(config, target);
  if (auto* error = std::get_if<daemon::LogSetupError>(&made)) {
    std::fprintf(stderr, "%s\n", error->message.c_str());
    return error->exit_code;
  }
  const daemon::Loggers& loggers = std::get<daemon::Loggers>(made);
  if (flood > 0) {
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t n = 0; n < flood; ++n) loggers.dhcp->info("flood {}", n);
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    std::printf("flood_ms %lld\n", static_cast<long long>(took.count()));
    std::fflush(stdout);
    if (!wait_for_file(wait_file, std::chrono::seconds(20))) return 3;
    loggers.main->info("after flood");
  } else if (!wait_file.empty()) {
    loggers.main->info("first");
    if (!wait_for_file(wait_file, std::chrono::seconds(20))) return 3;
    loggers.main->info("second");
  } else {
    log_boot(loggers, big);
  }
  loggers.main->flush();  // log-async: the queue is written before exit
  return 0;
}
