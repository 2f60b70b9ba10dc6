#pragma once
// Text for --help and --version.

#include <string>

namespace pxemasq::daemon {

[[nodiscard]] std::string usage_text();
[[nodiscard]] std::string version_text();

}  // namespace pxemasq::daemon
