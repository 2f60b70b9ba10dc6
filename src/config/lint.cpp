#include "config/lint.hpp"

#include <algorithm>

namespace pxemasq::config {
namespace {

void check_overlapping_ranges(const Config& config, std::vector<Diagnostic>& out) {
  for (std::size_t i = 0; i < config.ranges.size(); ++i) {
    for (std::size_t j = i + 1; j < config.ranges.size(); ++j) {
      const DhcpRange& a = config.ranges[i];
      const DhcpRange& b = config.ranges[j];
      if (a.mode != RangeMode::dynamic || b.mode != RangeMode::dynamic) continue;
      if (a.required_tags != b.required_tags) continue;  // tag-selected ranges may overlap
      if (a.start <= b.end && b.start <= a.end) {
        const std::string other = a.origin.from_command_line()
                                      ? "the command line"
                                      : "line " + std::to_string(a.origin.line) + " of " + a.origin.file;
        out.push_back({b.origin, "dhcp-range " + b.start.to_string() + " -- " + b.end.to_string() +
                                     " overlaps the range given on " + other});
      }
    }
  }
}

void check_tftp_confinement(const Config& config, std::vector<Diagnostic>& out) {
  if (!config.tftp.enabled) return;
  const bool has_global_root =
      std::any_of(config.tftp.roots.begin(), config.tftp.roots.end(),
                  [](const TftpRoot& root) { return !root.interface && !root.directory.empty(); });
  if (has_global_root) return;
  if (config.tftp.roots.empty()) {
    out.push_back({std::nullopt,
                   "enable-tftp without tftp-root serves the WHOLE filesystem (as dnsmasq does); "
                   "set tftp-root=/var/lib/tftpboot"});
  } else {
    out.push_back({config.tftp.roots.front().origin,
                   "every tftp-root is tied to an interface: requests on other interfaces are "
                   "served from / (as dnsmasq does); add a tftp-root without an interface"});
  }
}

}  // namespace

std::vector<Diagnostic> lint(const Config& config) {
  std::vector<Diagnostic> out;
  check_overlapping_ranges(config, out);
  check_tftp_confinement(config, out);
  return out;
}

}  // namespace pxemasq::config
