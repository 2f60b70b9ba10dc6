#include "net/interface_policy.hpp"

#include <algorithm>
#include <string>

namespace pxemasq::net {

bool interface_name_matches(std::string_view pattern, std::string_view name) {
  std::size_t i = 0;
  for (; i < pattern.size() && i < name.size(); ++i) {
    if (pattern[i] == '*') return true;
    if (pattern[i] != name[i]) return false;
  }
  // One of the two ran out: a match only if both did (a trailing `*` needs a character to eat).
  return i == pattern.size() && i == name.size();
}

bool interface_name_matches_any(std::span<const std::string> patterns, std::string_view name) {
  return std::any_of(patterns.begin(), patterns.end(), [name](const std::string& pattern) {
    return interface_name_matches(pattern, name);
  });
}

bool dhcp_disabled_on(const config::Config& config, std::string_view name) {
  return interface_name_matches_any(config.no_dhcp_interfaces, name) ||
         interface_name_matches_any(config.no_dhcpv4_interfaces, name);
}

bool interface_selected(const config::Config& config, std::string_view name,
                        std::span<const Ipv4> addresses, bool loopback) {
  const auto& listen = config.listen_addresses;
  const bool address_listed = std::any_of(addresses.begin(), addresses.end(), [&](Ipv4 address) {
    return std::find(listen.begin(), listen.end(), address) != listen.end();
  });
  // An address match is final: except-interface is not consulted (spec §3.2 [quirk]).
  if (address_listed) return true;

  bool selected = true;
  if (!config.interfaces.empty() || !listen.empty()) {
    selected = interface_name_matches_any(config.interfaces, name) ||
               (loopback && !config.interfaces.empty());
  }
  if (interface_name_matches_any(config.except_interfaces, name)) selected = false;
  return selected;
}

bool interface_allowed(const config::Config& config, std::string_view name,
                       std::span<const Ipv4> addresses, bool loopback) {
  if (dhcp_disabled_on(config, name)) return false;
  return interface_selected(config, name, addresses, loopback);
}

}  // namespace pxemasq::net
