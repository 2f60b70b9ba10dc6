#pragma once
// `--test` diagnostics that look at this host: interfaces, TFTP roots and boot files. They are
// warnings only; dnsmasq's `--test` checks none of this (spec §1.6).

#include <vector>

#include "config/model.hpp"
#include "config/parsers.hpp"

namespace pxemasq::daemon {

[[nodiscard]] std::vector<config::Diagnostic> check_host(const config::Config& config);

}  // namespace pxemasq::daemon
