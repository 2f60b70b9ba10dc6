#include "daemon/port_holders.hpp"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

namespace pxemasq::daemon {
namespace {

// At most this many /proc/PID/fd entries are looked at: a bound on a host with huge processes.
constexpr std::size_t kMaxDescriptorsScanned = 200000;

std::optional<std::uint64_t> parse_number(std::string_view text, int base) {
  std::uint64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto result = std::from_chars(text.data(), end, value, base);
  if (result.ec != std::errc() || result.ptr != end || text.empty()) return std::nullopt;
  return value;
}

std::string_view service_of(std::uint16_t port) {
  switch (port) {
    case 69:
      return "TFTP";
    case 4011:
      return "PXE";
    default:
      return "DHCP";
  }
}

struct DirectoryCloser {
  void operator()(DIR* directory) const { ::closedir(directory); }
};
using Directory = std::unique_ptr<DIR, DirectoryCloser>;

std::string read_first_line(const std::string& path) {
  std::ifstream file(path);
  std::string line;
  std::getline(file, line);
  return line;
}

}  // namespace

std::vector<UdpBinding> parse_proc_net_udp(std::string_view text) {
  std::vector<UdpBinding> out;
  std::istringstream lines{std::string(text)};
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::array<std::string, 10> field;  // sl, local, remote, st, queues, tr, retrnsmt, uid, timeout, inode
    bool complete = true;
    for (auto& value : field) complete = complete && static_cast<bool>(fields >> value);
    if (!complete) continue;
    const auto colon = field[1].rfind(':');
    if (colon == std::string::npos) continue;  // the header line has "local_address"
    const auto port = parse_number(std::string_view(field[1]).substr(colon + 1), 16);
    const auto inode = parse_number(field[9], 10);
    if (!port || *port > 0xFFFF || !inode || *inode == 0) continue;
    out.push_back({static_cast<std::uint16_t>(*port), *inode});
  }
  return out;
}

std::vector<std::uint16_t> ports_needed(const config::Config& config) {
  std::vector<std::uint16_t> ports;
  if (!config.ranges.empty()) ports.push_back(config.server_port);
  if (config.tftp.enabled) ports.push_back(69);
  if (!config.pxe_services.empty()) ports.push_back(4011);
  return ports;
}

std::vector<config::Diagnostic> diagnose_port_holders(const std::vector<std::uint16_t>& needed,
                                                      const std::vector<PortHolder>& holders) {
  std::vector<config::Diagnostic> out;
  std::set<std::pair<std::uint16_t, int>> reported;
  for (const auto port : needed) {
    for (const auto& holder : holders) {
      if (holder.port != port || holder.pid == 1 || holder.command == "pxemasq") continue;
      if (!reported.insert({port, holder.pid}).second) continue;  // one socket per address
      const std::string service(service_of(port));
      std::string message = "UDP port " + std::to_string(port) + " (" + service +
                            ") is already in use by " + holder.command + " (pid " +
                            std::to_string(holder.pid) + "): pxemasq cannot serve " + service +
                            " while it holds the port";
      if (holder.command == "dnsmasq") {
        message += port == 69 ? "\n  fix: remove enable-tftp from dnsmasq's configuration"
                              : "\n  fix: remove dhcp-range (and dhcp-boot, pxe-service) from "
                                "dnsmasq's configuration";
        message += " and restart it, or stop it: systemctl disable --now dnsmasq (a dnsmasq that "
                   "only serves DNS can keep running)";
      } else if (port == 69) {
        message += "\n  fix: stop that TFTP server (tftp-server: systemctl disable --now "
                   "tftp.socket), or leave TFTP to it and remove enable-tftp here";
      } else {
        message += "\n  fix: stop that server; ss -ulpn 'sport = :" + std::to_string(port) +
                   "' shows every socket on the port";
      }
      out.push_back({std::nullopt, std::move(message)});
    }
  }
  return out;
}

std::vector<PortHolder> find_port_holders(const std::vector<std::uint16_t>& ports,
                                          const std::string& proc) {
  std::vector<PortHolder> holders;
  if (ports.empty()) return holders;
  std::stringstream text;
  text << std::ifstream(proc + "/net/udp").rdbuf();
  std::map<std::uint64_t, std::uint16_t> port_of_inode;
  for (const auto& binding : parse_proc_net_udp(text.str())) {
    if (std::find(ports.begin(), ports.end(), binding.port) != ports.end()) {
      port_of_inode[binding.inode] = binding.port;
    }
  }
  if (port_of_inode.empty()) return holders;

  const Directory processes(::opendir(proc.c_str()));
  if (!processes) return holders;
  std::size_t scanned = 0;
  while (const dirent* process = ::readdir(processes.get())) {
    const auto pid = parse_number(process->d_name, 10);
    if (!pid || *pid > 0x7FFFFFFF) continue;
    const std::string fd_dir = proc + "/" + process->d_name + "/fd";
    const Directory fds(::opendir(fd_dir.c_str()));
    if (!fds) continue;  // another user's process: not visible, not reported
    while (const dirent* fd = ::readdir(fds.get())) {
      if (++scanned > kMaxDescriptorsScanned) break;
      std::array<char, 64> target{};
      const std::string link = fd_dir + "/" + fd->d_name;
      const ssize_t size = ::readlink(link.c_str(), target.data(), target.size() - 1);
      if (size <= 0) continue;
      const std::string_view name(target.data(), static_cast<std::size_t>(size));
      // "socket:[12345]"
      if (name.size() < 10 || name.substr(0, 8) != "socket:[" || name.back() != ']') continue;
      const auto inode = parse_number(name.substr(8, name.size() - 9), 10);
      if (!inode) continue;
      if (const auto it = port_of_inode.find(*inode); it != port_of_inode.end()) {
        holders.push_back({it->second, static_cast<int>(*pid),
                           read_first_line(proc + "/" + process->d_name + "/comm")});
      }
    }
    if (scanned > kMaxDescriptorsScanned) break;
  }
  return holders;
}

}  // namespace pxemasq::daemon
