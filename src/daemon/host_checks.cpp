#include "daemon/host_checks.hpp"

#include <net/if.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>
#include <string>

#include "daemon/port_holders.hpp"
#include "daemon/selinux_labels.hpp"

namespace pxemasq::daemon {
namespace {

using config::Diagnostic;

bool has_wildcard(const std::string& name) { return name.find('*') != std::string::npos; }

void check_interface(const std::string& name, std::set<std::string>& checked,
                     std::vector<Diagnostic>& out) {
  if (name.empty() || has_wildcard(name) || !checked.insert(name).second) return;
  if (::if_nametoindex(name.c_str()) == 0) {
    out.push_back({std::nullopt, "interface " + name + " does not currently exist on this host"});
  }
}

void check_interfaces(const config::Config& config, std::vector<Diagnostic>& out) {
  std::set<std::string> checked;
  for (const auto& name : config.interfaces) check_interface(name, checked, out);
  for (const auto& root : config.tftp.roots) {
    if (root.interface) check_interface(*root.interface, checked, out);
  }
  if (config.tftp.interfaces) {
    for (const auto& name : *config.tftp.interfaces) check_interface(name, checked, out);
  }
}

bool is_readable_directory(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode) &&
         ::access(path.c_str(), R_OK | X_OK) == 0;
}

void check_tftp_roots(const config::Config& config, std::vector<Diagnostic>& out) {
  if (!config.tftp.enabled) return;
  for (const auto& root : config.tftp.roots) {
    if (root.directory.empty() || is_readable_directory(root.directory)) continue;
    out.push_back({root.origin, "tftp-root " + root.directory +
                                    " is missing or not a readable directory"});
  }
}

// A boot file a client will ask for by TFTP should exist under the (global) root.
void check_boot_files(const config::Config& config, std::vector<Diagnostic>& out) {
  if (!config.tftp.enabled) return;
  const config::TftpRoot* global_root = nullptr;
  for (const auto& root : config.tftp.roots) {
    if (!root.interface && !root.directory.empty()) global_root = &root;
  }
  if (global_root == nullptr || !is_readable_directory(global_root->directory)) return;
  for (const auto& boot : config.boots) {
    if (boot.file.empty() || boot.file.find("://") != std::string::npos) continue;
    if (boot.server_address || boot.server_host) continue;  // served by another host
    std::string relative = boot.file;
    while (!relative.empty() && relative.front() == '/') relative.erase(0, 1);
    const std::string path = global_root->directory + "/" + relative;
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) {
      out.push_back({boot.origin, "dhcp-boot file " + boot.file + " is not a file under tftp-root " +
                                      global_root->directory});
    }
  }
}

}  // namespace

std::vector<Diagnostic> check_host(const config::Config& config) {
  std::vector<Diagnostic> out;
  check_interfaces(config, out);
  check_tftp_roots(config, out);
  check_boot_files(config, out);
  // Another server on 67/69/4011 (a dnsmasq still serving DHCP, tftp.socket): name it now
  // rather than let the start fail with "Address already in use".
  const auto ports = ports_needed(config);
  for (auto& diagnostic : diagnose_port_holders(ports, find_port_holders(ports))) {
    out.push_back(std::move(diagnostic));
  }
  return out;
}

std::vector<Diagnostic> check_selinux_labels(const config::Config& config,
                                             std::span<const std::string> config_files) {
  const SystemLabelSource source;
  return diagnose_labels(survey_labels(config, config_files, source));
}

}  // namespace pxemasq::daemon
