#pragma once
// A snapshot of the host's network interfaces and their IPv4 addresses (spec §4.2 steps 1–2),
// read from rtnetlink (RTM_GETLINK + RTM_GETADDR dumps). Reading it costs two netlink
// round-trips, so the shell refreshes it whenever a packet arrives on an index it does not know,
// and periodically. The table is a plain value: copy it, keep it, compare it.
//
// rtnetlink rather than getifaddrs: getifaddrs names an IPv4 address by its label (`eth0:1`),
// which if_nametoindex cannot map back to an interface; netlink gives each address its index.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>
#include <vector>

#include "config/model.hpp"

namespace pxemasq::net {

using config::Ipv4;

struct InterfaceAddress {
  Ipv4 address;                   // the local address (IFA_LOCAL)
  unsigned prefix_length = 0;     // 0..32
  std::optional<Ipv4> broadcast;  // IFA_BROADCAST, when the interface has one
  std::string label;              // `eth0`, or an alias label such as `eth0:1`
  bool secondary = false;         // IFA_F_SECONDARY

  [[nodiscard]] Ipv4 netmask() const;
  friend bool operator==(const InterfaceAddress&, const InterfaceAddress&) = default;
};

struct Interface {
  unsigned index = 0;
  std::string name;
  bool up = false;         // IFF_UP
  bool running = false;    // IFF_RUNNING (carrier)
  bool loopback = false;   // IFF_LOOPBACK
  bool broadcast = false;  // IFF_BROADCAST
  std::optional<unsigned> mtu;
  std::vector<InterfaceAddress> addresses;  // in the kernel's order: primaries first

  // What SIOCGIFADDR on `name` would answer: the first address whose label is the interface
  // name (dnsmasq takes the DHCP server's address from there, spec §4.2 step 2).
  [[nodiscard]] std::optional<Ipv4> primary_address() const;
  // Every IPv4 address, for the interface policy and range selection.
  [[nodiscard]] std::vector<Ipv4> ipv4_addresses() const;
  friend bool operator==(const Interface&, const Interface&) = default;
};

class InterfaceTable {
 public:
  InterfaceTable() = default;
  explicit InterfaceTable(std::vector<Interface> interfaces);

  // Reads the current table of this network namespace.
  [[nodiscard]] static std::variant<InterfaceTable, std::error_code> read();
  // Re-reads in place; on error the table is left as it was.
  std::error_code refresh();

  [[nodiscard]] const Interface* by_index(unsigned index) const;
  [[nodiscard]] const Interface* by_name(std::string_view name) const;
  [[nodiscard]] std::optional<Ipv4> primary_address(unsigned index) const;
  [[nodiscard]] std::span<const Interface> interfaces() const { return interfaces_; }

  friend bool operator==(const InterfaceTable&, const InterfaceTable&) = default;

 private:
  std::vector<Interface> interfaces_;  // sorted by index
};

}  // namespace pxemasq::net
