#pragma once
// Socket activation (systemd .socket units, or systemd-socket-activate): the sockets systemd
// passes (sd_listen_fds_with_names) are adopted instead of bound, so the daemon needs no
// privilege to serve ports 67, 69 and 4011 and systemd can start it on the first packet.
//
// Each passed socket is identified by its FileDescriptorName= ("dhcp", "tftp", "pxe"; with
// "@IFACE" from the per-interface units, which also binds it to IFACE) or, when
// it carries another name (systemd's default is the unit's name), by its local port (the
// configured DHCP server port, 69, 4011). A socket that is not IPv4 UDP, that has a port no
// service uses, or whose name and port disagree is refused with an error naming it: serving the
// wrong protocol on a socket is worse than not starting. A valid socket for a service the
// configuration does not enable is kept idle (a later reload may enable the service).
//
// classify_passed_sockets() is the pure part; take_passed_sockets() reads the environment.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace pxemasq::daemon {

enum class PassedRole { dhcp, tftp, pxe };

// What the edge learned about one passed fd.
struct PassedSocketFacts {
  int fd = -1;
  std::string name;           // FileDescriptorName=, or systemd's default
  bool ipv4_udp = false;      // sd_is_socket_inet(fd, AF_INET, SOCK_DGRAM, ...)
  std::uint16_t port = 0;     // getsockname()
};

struct PassedSockets {
  std::optional<int> dhcp;
  std::optional<int> tftp;
  std::optional<int> pxe;
  [[nodiscard]] bool empty() const { return !dhcp && !tftp && !pxe; }
  [[nodiscard]] std::optional<int>& slot(PassedRole role);
};

struct ActivationError {
  std::string message;  // "socket passed by systemd (fd 3, name \"x\", port 53) ..."
};

struct ServicePorts {
  std::uint16_t dhcp = 67;
  std::uint16_t tftp = 69;
  std::uint16_t pxe = 4011;
};

[[nodiscard]] std::variant<PassedSockets, ActivationError> classify_passed_sockets(
    const std::vector<PassedSocketFacts>& sockets, const ServicePorts& ports);

// Reads $LISTEN_FDS/$LISTEN_PID/$LISTEN_FDNAMES (and unsets them, so no child inherits them)
// and classifies the fds. No fds passed: an empty PassedSockets.
[[nodiscard]] std::variant<PassedSockets, ActivationError> take_passed_sockets(const ServicePorts& ports);

// The text for a role: "DHCP (port 67)".
[[nodiscard]] std::string describe(PassedRole role, const ServicePorts& ports);

// "ens33" for the per-interface units' names ("dhcp@ens33"), else nothing.
[[nodiscard]] std::optional<std::string> device_of(const std::string& name);

}  // namespace pxemasq::daemon
