#pragma once
// Request classification (spec §3.6, §3.7, §4.2, §4.3): candidate ranges, the client's identity,
// its dhcp-host entry and its tags. Pure functions over the Config and the request.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "dhcp/engine.hpp"
#include "dhcp/packet.hpp"
#include "dhcp/tags.hpp"

namespace pxemasq::dhcp {

// A dhcp-range usable for this request, with its subnet resolved (spec §4.2 step 5).
struct Candidate {
  std::size_t index = 0;  // position in Config::ranges
  const config::DhcpRange* range = nullptr;
  Ipv4 netmask;
  Ipv4 broadcast;
  Ipv4 local;                   // our address on that subnet: server-id, siaddr, 0.0.0.0 stand-in
  std::optional<Ipv4> router;   // default router: local, or giaddr for relayed requests

  [[nodiscard]] bool contains(Ipv4 address) const {
    return (address.value & netmask.value) == (range->start.value & netmask.value);
  }
};

// Which ranges can serve a request arriving this way. `relay_or_selector` is giaddr or a subnet
// selector (zero when absent). `warning` gets dnsmasq's text when nothing matches.
struct CandidateSearch {
  std::vector<Candidate> candidates;
  std::string warning;
};
[[nodiscard]] CandidateSearch find_candidates(const config::Config& config, const Arrival& arrival,
                                              Ipv4 relay_or_selector, Ipv4 ciaddr);

// dnsmasq's "unique id" (spec §4.3 step 2): chaddr, or (hlen 0) the client-id without a leading
// htype byte.
[[nodiscard]] std::vector<std::uint8_t> unique_id(const Packet& request,
                                                  std::span<const std::uint8_t> client_id);

// The dhcp-host entry for this client (spec §3.7), or nullptr. `known_elsewhere` is set when an
// entry matches the client but its address is on another subnet (tag `known-othernet`).
struct HostMatch {
  const config::DhcpHost* host = nullptr;
  bool known_elsewhere = false;
};
[[nodiscard]] HostMatch find_host(const config::Config& config, const Packet& request,
                                  std::span<const std::uint8_t> client_id,
                                  const std::string& client_name,
                                  std::span<const Candidate> candidates, const TagSet& tags);

// Tags from the classifiers that look only at the request (spec §4.3 step 3, before dhcp-host).
void add_request_tags(const config::Config& config, const Packet& request, TagSet& tags);

// dhcp-name-match against the client's host name.
void add_name_tags(const config::Config& config, const std::string& client_name, TagSet& tags);

// The host name the client offers (option 81's name if present, else option 12), trimmed of a
// trailing NUL; empty when none or not a legal host name.
[[nodiscard]] std::string client_host_name(const Packet& request);

// Does any dhcp-ignore rule hold?
[[nodiscard]] bool ignored_by_rules(const config::Config& config, const TagSet& tags);

// Printable rendering of option text for log lines (non-printable bytes dropped).
[[nodiscard]] std::string printable(std::span<const std::uint8_t> bytes);

// Lowercase colon-separated hex (`52:54:00:aa:bb:cc`); `<null>` for no bytes.
[[nodiscard]] std::string colon_hex(std::span<const std::uint8_t> bytes);

}  // namespace pxemasq::dhcp
