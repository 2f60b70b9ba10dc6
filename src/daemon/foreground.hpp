#pragma once
// The daemon's run loop. For now it announces the configuration in dnsmasq's start-up format
// and serves until SIGTERM/SIGINT; the DHCP and TFTP services plug into this loop.

#include <memory>

#include "config/model.hpp"

namespace pxemasq::daemon {

// Runs until SIGTERM or SIGINT; returns the process exit code.
int run_foreground(std::shared_ptr<const config::Config> config);

}  // namespace pxemasq::daemon
