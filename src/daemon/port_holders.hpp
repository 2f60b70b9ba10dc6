#pragma once
// Who already holds the UDP ports pxemasq needs (67, 69, 4011)? The usual cause of "failed to
// bind DHCP server socket: Address already in use" on RHEL is a dnsmasq that still serves DHCP
// (libvirt's, NetworkManager's, or the one pxemasq replaces) or tftp-server's tftp.socket. The
// package deliberately has no Conflicts=dnsmasq.service (a DNS-only dnsmasq must keep running),
// so `--test` names the holder instead.
//
// Pure: /proc/net/udp text in, bindings out; holders in, diagnostics out. The /proc reads are in
// find_port_holders().

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/model.hpp"
#include "config/parsers.hpp"

namespace pxemasq::daemon {

struct UdpBinding {
  std::uint16_t port = 0;
  std::uint64_t inode = 0;
};

// The bound sockets of /proc/net/udp ("sl local_address rem_address st ... uid timeout inode").
// Malformed lines are skipped.
[[nodiscard]] std::vector<UdpBinding> parse_proc_net_udp(std::string_view text);

// A process holding one of the ports, as far as /proc lets this user see.
struct PortHolder {
  std::uint16_t port = 0;
  int pid = 0;
  std::string command;  // /proc/PID/comm
};

// The ports this configuration binds: DHCP (server port) with ranges, 69 with TFTP, 4011 with
// PXE services.
[[nodiscard]] std::vector<std::uint16_t> ports_needed(const config::Config& config);

// One warning per port held by another program. Holders pxemasq itself (a running instance:
// `--test` before a reload) and systemd (PID 1: socket activation) are not reported; neither
// is a port whose holder this user cannot see (no false alarm for a non-root `--test`).
[[nodiscard]] std::vector<config::Diagnostic> diagnose_port_holders(
    const std::vector<std::uint16_t>& needed, const std::vector<PortHolder>& holders);

// The edge: /proc/net/udp, then /proc/PID/fd of every process (bounded) for the inodes found.
[[nodiscard]] std::vector<PortHolder> find_port_holders(const std::vector<std::uint16_t>& ports,
                                                        const std::string& proc = "/proc");

}  // namespace pxemasq::daemon
