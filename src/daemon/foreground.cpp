#include "daemon/foreground.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>

#include "config/values.hpp"
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
  for (const auto& range : config.ranges) {
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
    for (const auto& root : config.tftp.roots) {
      tftp_log.info("TFTP root is {}{}", root.directory,
                    root.interface ? " for " + *root.interface : std::string());
    }
    if (config.tftp.roots.empty()) tftp_log.info("TFTP enabled");
  }
}

}  // namespace

int run_foreground(std::shared_ptr<const config::Config> config) {
  auto main_log = make_logger("pxemasq");
  auto dhcp_log = make_logger("pxemasq-dhcp");
  auto tftp_log = make_logger("pxemasq-tftp");
  log_startup(*config, *main_log, *dhcp_log, *tftp_log);

  boost::asio::io_context io;
  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  int received = 0;
  signals.async_wait([&received](const boost::system::error_code& error, int number) {
    if (!error) received = number;
  });
  io.run();
  main_log->info("exiting on receipt of {}", received == SIGINT ? "SIGINT" : "SIGTERM");
  spdlog::drop_all();
  return 0;
}

}  // namespace pxemasq::daemon
