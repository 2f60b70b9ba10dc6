#include "daemon/foreground.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <functional>

#include "config/values.hpp"
#include "daemon/dhcp_service.hpp"
#include "daemon/tftp_service.hpp"
#include "version.hpp"

namespace pxemasq::daemon {
namespace {

// dnsmasq's -d output is `TAG: MESSAGE`; ours uses the tags pxemasq, pxemasq-dhcp, pxemasq-tftp.
std::shared_ptr<spdlog::logger> make_logger(const std::string& tag) {
  auto logger = spdlog::stderr_logger_mt(tag);
  logger->set_pattern("%n: %v");
  return logger;
}

void log_startup(const config::Config& config, spdlog::logger& main_log,
                 spdlog::logger& dhcp_log, spdlog::logger& tftp_log) {
  main_log.info("started, version {} DNS disabled", kVersion);
  // dnsmasq keeps its ranges newest first, and logs them so.
  for (auto it = config.ranges.rbegin(); it != config.ranges.rend(); ++it) {
    const config::DhcpRange& range = *it;
    const std::string lease = config::pretty_duration(range.lease_seconds);
    switch (range.mode) {
      case config::RangeMode::dynamic:
        dhcp_log.info("DHCP, IP range {} -- {}, lease time {}", range.start.to_string(),
                      range.end.to_string(), lease);
        break;
      case config::RangeMode::static_only:
        dhcp_log.info("DHCP, static leases only on {}, lease time {}", range.start.to_string(),
                      lease);
        break;
      case config::RangeMode::proxy:
        dhcp_log.info("DHCP, proxy on subnet {}", range.start.to_string());
        break;
    }
  }
  if (config.tftp.enabled) {
    // dnsmasq's "TFTP %s%s %s %s": the global root (the last one given), then the secure-mode
    // and single-port slots, each after a space even when empty.
    const config::TftpRoot* global = nullptr;
    for (const auto& root : config.tftp.roots) {
      if (!root.interface) global = &root;
    }
    tftp_log.info("TFTP {}{} {} {}", global != nullptr ? "root is " : "enabled",
                  global != nullptr ? global->directory : std::string(),
                  config.tftp.secure ? "secure mode" : "", config.tftp.single_port ? "single port mode" : "");
  }
}

}  // namespace

int run_foreground(std::shared_ptr<const config::Config> config) {
  auto main_log = make_logger("pxemasq");
  auto dhcp_log = make_logger("pxemasq-dhcp");
  auto tftp_log = make_logger("pxemasq-tftp");
  // log-debug: also the debug lines (dropped packets, probe errors, transfer statistics).
  if (config->log_debug) spdlog::set_level(spdlog::level::debug);
  log_startup(*config, *main_log, *dhcp_log, *tftp_log);

  boost::asio::io_context io;
  std::unique_ptr<DhcpService> dhcp;
  if (!config->ranges.empty()) {
    auto started = DhcpService::start(io, config, dhcp_log);
    if (auto* error = std::get_if<StartupError>(&started)) {
      main_log->critical("{}", error->message);
      main_log->critical("FAILED to start up");
      spdlog::drop_all();
      return error->exit_code;
    }
    dhcp = std::move(std::get<std::unique_ptr<DhcpService>>(started));
  }
  // TFTP (spec §6), independent of DHCP: enable-tftp alone serves files.
  std::unique_ptr<TftpService> tftp;
  if (config->tftp.enabled) {
    auto started = TftpService::start(io, config, tftp_log);
    if (auto* error = std::get_if<StartupError>(&started)) {
      main_log->critical("{}", error->message);
      main_log->critical("FAILED to start up");
      spdlog::drop_all();
      return error->exit_code;
    }
    tftp = std::move(std::get<std::unique_ptr<TftpService>>(started));
  }
  boost::asio::signal_set signals(io, SIGTERM, SIGINT, SIGHUP);
  signals.add(SIGUSR1);
  signals.add(SIGUSR2);
  int exit_code = 0;
  // dnsmasq: SIGTERM exits 0; SIGINT exits 5 under -d and is ignored otherwise (spec §8.2).
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& error, int number) {
        if (error) return;
        if (number == SIGTERM || (number == SIGINT && config->no_daemon)) {
          main_log->info("exiting on receipt of {}", number == SIGINT ? "SIGINT" : "SIGTERM");
          exit_code = number == SIGINT ? 5 : 0;
          io.stop();  // the services' pending operations end with the loop
          return;
        }
        if (number == SIGHUP) main_log->info("SIGHUP received: configuration reload is not implemented yet; keeping the running configuration");
        signals.async_wait(on_signal);
      };
  signals.async_wait(on_signal);
  io.run();
  if (dhcp) dhcp->flush();
  spdlog::drop_all();
  return exit_code;
}

}  // namespace pxemasq::daemon
