#include "daemon/socket_activation.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace pxemasq::daemon {
namespace {

// "dhcp", or "dhcp@ens33" from the per-interface socket units.
std::optional<PassedRole> role_by_name(const std::string& name) {
  const std::string role = name.substr(0, name.find('@'));
  if (role == "dhcp") return PassedRole::dhcp;
  if (role == "tftp") return PassedRole::tftp;
  if (role == "pxe") return PassedRole::pxe;
  return std::nullopt;
}

std::optional<PassedRole> role_by_port(std::uint16_t port, const ServicePorts& ports) {
  if (port == ports.dhcp) return PassedRole::dhcp;
  if (port == ports.tftp) return PassedRole::tftp;
  if (port == ports.pxe) return PassedRole::pxe;
  return std::nullopt;
}

std::uint16_t port_of(PassedRole role, const ServicePorts& ports) {
  switch (role) {
    case PassedRole::dhcp: return ports.dhcp;
    case PassedRole::tftp: return ports.tftp;
    case PassedRole::pxe: break;
  }
  return ports.pxe;
}

std::string which(const PassedSocketFacts& facts) {
  return "socket passed by systemd (fd " + std::to_string(facts.fd) + ", name \"" + facts.name +
         "\", port " + std::to_string(facts.port) + ")";
}

}  // namespace

std::optional<int>& PassedSockets::slot(PassedRole role) {
  switch (role) {
    case PassedRole::dhcp: return dhcp;
    case PassedRole::tftp: return tftp;
    case PassedRole::pxe: break;
  }
  return pxe;
}

std::string describe(PassedRole role, const ServicePorts& ports) {
  const char* name = role == PassedRole::dhcp ? "DHCP" : role == PassedRole::tftp ? "TFTP" : "PXE";
  return std::string(name) + " (port " + std::to_string(port_of(role, ports)) + ")";
}

std::variant<PassedSockets, ActivationError> classify_passed_sockets(
    const std::vector<PassedSocketFacts>& sockets, const ServicePorts& ports) {
  PassedSockets passed;
  for (const auto& facts : sockets) {
    if (!facts.ipv4_udp) {
      return ActivationError{which(facts) + " is not an IPv4 UDP socket (use ListenDatagram=0.0.0.0:PORT)"};
    }
    const auto named = role_by_name(facts.name);
    const auto by_port = role_by_port(facts.port, ports);
    if (named && *named != by_port) {
      return ActivationError{which(facts) + " is named for " + describe(*named, ports) +
                             " but bound to another port"};
    }
    const auto role = named ? named : by_port;
    if (!role) {
      return ActivationError{which(facts) + " matches no service: name it dhcp, tftp or pxe, "
                             "or bind it to port " + std::to_string(ports.dhcp) + ", " +
                             std::to_string(ports.tftp) + " or " + std::to_string(ports.pxe)};
    }
    auto& slot = passed.slot(*role);
    if (slot) {
      return ActivationError{which(facts) + ": a second socket for " + describe(*role, ports) +
                             " (pxemasq takes one socket per service: enable pxemasq.socket and choose "
                             "interfaces with interface=, or one pxemasq@IFACE.socket)"};
    }
    slot = facts.fd;
  }
  return passed;
}

std::optional<std::string> device_of(const std::string& name) {
  const auto at = name.find('@');
  if (at == std::string::npos || at + 1 >= name.size()) return std::nullopt;
  return name.substr(at + 1);
}

std::optional<ActivationError> bind_to_named_device(const PassedSocketFacts& facts) {
  const auto device = device_of(facts.name);
  if (!device) return std::nullopt;
  if (::setsockopt(facts.fd, SOL_SOCKET, SO_BINDTODEVICE, device->c_str(), static_cast<socklen_t>(device->size())) != 0) {
    return ActivationError{which(facts) + ": cannot bind it to interface " + *device + ": " + std::strerror(errno)};
  }
  return std::nullopt;
}

std::variant<PassedSockets, ActivationError> take_passed_sockets(const ServicePorts& ports) {
  char** names = nullptr;
  const int count = sd_listen_fds_with_names(1, &names);  // 1: unset the variables
  if (count < 0) return ActivationError{"cannot read the sockets passed by systemd"};
  std::vector<PassedSocketFacts> sockets;
  for (int i = 0; i < count; ++i) {
    PassedSocketFacts facts;
    facts.fd = SD_LISTEN_FDS_START + i;
    facts.name = names != nullptr && names[i] != nullptr ? names[i] : "";
    facts.ipv4_udp = sd_is_socket_inet(facts.fd, AF_INET, SOCK_DGRAM, -1, 0) > 0;
    sockaddr_in local{};
    socklen_t length = sizeof local;
    if (::getsockname(facts.fd, reinterpret_cast<sockaddr*>(&local), &length) == 0 &&
        local.sin_family == AF_INET) {
      facts.port = ntohs(local.sin_port);
    }
    sockets.push_back(std::move(facts));
  }
  if (names != nullptr) {
    for (int i = 0; i < count; ++i) std::free(names[i]);  // NOLINT: libsystemd's strv
    std::free(static_cast<void*>(names));                  // NOLINT
  }
  auto classified = classify_passed_sockets(sockets, ports);
  if (std::holds_alternative<ActivationError>(classified)) return classified;
  // systemd 252 does not expand %i in BindToDevice=: the per-interface units name their
  // interface after the '@' instead, and the socket is bound to it here.
  for (const auto& facts : sockets) {
    if (auto error = bind_to_named_device(facts)) return *error;
  }
  return classified;
}

}  // namespace pxemasq::daemon
