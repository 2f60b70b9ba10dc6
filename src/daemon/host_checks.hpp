#pragma once
// `--test` diagnostics that look at this host: interfaces, TFTP roots, boot files, and other
// programs holding the UDP ports the configuration needs (daemon/port_holders.hpp). They are
// warnings only; dnsmasq's `--test` checks none of this (spec §1.6).

#include <span>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "config/parsers.hpp"

namespace pxemasq::daemon {

[[nodiscard]] std::vector<config::Diagnostic> check_host(const config::Config& config);

// SELinux labels of the config files, the lease file's directory and the tftp-roots against the
// types the pxemasq policy module expects (daemon/selinux_labels.hpp). Run at start-up and by
// `--test`; prints nothing on a host without SELinux.
[[nodiscard]] std::vector<config::Diagnostic> check_selinux_labels(
    const config::Config& config, std::span<const std::string> config_files);

}  // namespace pxemasq::daemon
