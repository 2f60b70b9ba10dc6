#pragma once
// ARP-cache injection before a unicast reply to a client that has no address yet (spec §4.9
// rule 5): the kernel cannot resolve yiaddr by ARP, because the client will not answer for an
// address it does not hold, so we write the entry yiaddr -> chaddr ourselves (SIOCSARP with
// ATF_COM: completed, not permanent, so it ages out like a learned one). Needs CAP_NET_ADMIN.
// The caller logs a failure as `ARP-cache injection failed: ERR` and sends the packet anyway.

#include <cstdint>
#include <span>
#include <string_view>
#include <system_error>

#include "config/model.hpp"

namespace pxemasq::net {

using config::Ipv4;

inline constexpr std::uint16_t kHardwareTypeEthernet = 1;  // ARPHRD_ETHER, DHCP htype 1

// Writes `address` -> `hardware_address` (of ARP hardware type `hardware_type`, DHCP's htype)
// on interface `interface_name`, through the ioctl socket `socket_fd` (any AF_INET socket; the
// DHCP socket does). Returns 0 or the errno as an error code: EPERM without CAP_NET_ADMIN,
// EINVAL for an empty or over-long (more than 14 bytes) hardware address or an interface name
// that does not fit IFNAMSIZ, ENODEV for an unknown interface.
[[nodiscard]] std::error_code inject_arp(int socket_fd, std::string_view interface_name,
                                         Ipv4 address,
                                         std::span<const std::uint8_t> hardware_address,
                                         std::uint16_t hardware_type = kHardwareTypeEthernet);

}  // namespace pxemasq::net
