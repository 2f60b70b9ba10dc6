#pragma once
// pxemasq's own diagnostics on a loaded Config that need nothing but the Config: warnings that
// never change `--test`'s verdict (dnsmasq accepts all of these silently).

#include <vector>

#include "config/model.hpp"
#include "config/parsers.hpp"

namespace pxemasq::config {

[[nodiscard]] std::vector<Diagnostic> lint(const Config& config);

}  // namespace pxemasq::config
