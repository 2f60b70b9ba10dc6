#include "net/arp.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace pxemasq::net {

std::error_code inject_arp(int socket_fd, std::string_view interface_name, Ipv4 address,
                           std::span<const std::uint8_t> hardware_address,
                           std::uint16_t hardware_type) {
  arpreq request{};
  if (hardware_address.empty() || hardware_address.size() > sizeof request.arp_ha.sa_data ||
      interface_name.empty() || interface_name.size() >= sizeof request.arp_dev) {
    return std::make_error_code(std::errc::invalid_argument);
  }

  sockaddr_in protocol_address{};
  protocol_address.sin_family = AF_INET;
  protocol_address.sin_addr.s_addr = htonl(address.value);
  static_assert(sizeof protocol_address <= sizeof request.arp_pa);
  std::memcpy(&request.arp_pa, &protocol_address, sizeof protocol_address);

  request.arp_ha.sa_family = hardware_type;
  std::memcpy(request.arp_ha.sa_data, hardware_address.data(), hardware_address.size());
  request.arp_flags = ATF_COM;
  std::memcpy(request.arp_dev, interface_name.data(), interface_name.size());

  if (::ioctl(socket_fd, SIOCSARP, &request) < 0) return {errno, std::system_category()};
  return {};
}

}  // namespace pxemasq::net
