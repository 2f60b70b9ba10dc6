#pragma once
// The daemon's life after the configuration is loaded: the process set-up of spec §8
// (daemonise, sockets, pid file, privilege drop), the DHCP and TFTP services on one event
// loop, systemd's notifications, and the signals: SIGHUP reloads the configuration
// atomically, SIGTERM (and SIGINT) finish cleanly, SIGUSR1 logs statistics.

#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "config/model.hpp"

namespace pxemasq::daemon {

// A configuration read again for SIGHUP, with its warnings already formatted ("FILE:LINE: ...").
struct ReloadedConfig {
  std::shared_ptr<const config::Config> config;
  std::vector<std::string> warnings;
};
// Why a reload was refused: the error as dnsmasq words it, with FILE:LINE.
struct ReloadFailure {
  std::string message;
};
using ConfigReloader = std::function<std::variant<ReloadedConfig, ReloadFailure>()>;

// Runs until SIGTERM (or SIGINT); returns the process exit code. In the default mode the
// calling process exits from inside (the daemon runs on in a grandchild).
int run_daemon(std::shared_ptr<const config::Config> config, ConfigReloader reload);

// The settings a reload cannot change in a running process ("dhcp-leasefile", ...), for the
// warning that a restart is needed.
[[nodiscard]] std::vector<std::string> settings_needing_restart(const config::Config& running,
                                                                const config::Config& loaded);

}  // namespace pxemasq::daemon
