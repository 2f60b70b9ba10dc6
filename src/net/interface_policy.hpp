#pragma once
// Which interfaces DHCPv4 may serve (spec §3.2, §4.2 steps 3–4). Pure: names and addresses in,
// a verdict out; it never asks the OS. The DHCP engine calls it for the arrival interface of
// every packet (DHCP always listens on 0.0.0.0:67, so the rules are applied per packet).

#include <span>
#include <string_view>

#include "config/model.hpp"

namespace pxemasq::net {

using config::Ipv4;

// dnsmasq's interface-name match (spec §3.2): character by character; a `*` in the pattern ends
// the comparison successfully, provided the name still has a character at that position, so
// `eth*` matches `eth0` and `eth0:1` but not `eth`, and anything after the `*` is ignored
// (`e*0` matches `eth1`). Without a `*` the match is exact. [quirk]
[[nodiscard]] bool interface_name_matches(std::string_view pattern, std::string_view name);

// True when `name` matches any pattern of `patterns`.
[[nodiscard]] bool interface_name_matches_any(std::span<const std::string> patterns,
                                              std::string_view name);

// no-dhcp-interface / no-dhcpv4-interface: DHCPv4 is switched off on this interface (§4.2
// step 3, a silent drop that no other rule overrides).
[[nodiscard]] bool dhcp_disabled_on(const config::Config& config, std::string_view name);

// The interface rules without the DHCP-off lists (§3.2, used by TFTP too):
// - any of `addresses` equal to a listen-address allows the interface, and then even a matching
//   except-interface does not deny it [quirk: listen-address beats except-interface];
// - otherwise, when interface= or listen-address= is configured, the name must match an
//   interface= pattern (a loopback interface counts as listed as soon as any interface= is
//   given: dnsmasq adds `lo` to that list itself);
// - a name matching except-interface is denied.
[[nodiscard]] bool interface_selected(const config::Config& config, std::string_view name,
                                      std::span<const Ipv4> addresses, bool loopback = false);

// §4.2 steps 3–4 for a DHCPv4 packet that arrived on interface `name` holding `addresses` (every
// IPv4 address of the interface; empty when it has none, which lets the engine decide whether
// the "has no address" warning is due: it is, when this returns true for no addresses).
[[nodiscard]] bool interface_allowed(const config::Config& config, std::string_view name,
                                     std::span<const Ipv4> addresses, bool loopback = false);

}  // namespace pxemasq::net
