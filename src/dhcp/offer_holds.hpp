#pragma once
// Addresses offered to a client and held for it until it REQUESTs them (an intended difference
// from dnsmasq, spec §9.3: a batch of adjacent MACs would otherwise hash to one address and all
// but one client be NAKed later).
//
// One hold per client, one client per address. Every operation is O(log n) in the number of
// holds: at thousands of DISCOVERs per second there are tens of thousands of holds alive, and a
// scan of them all per packet was the engine's largest cost.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace pxemasq::dhcp {

class OfferHolds {
 public:
  using ClientId = std::vector<std::uint8_t>;

  // Holds `address` for `client` until `until` (exclusive); the client's previous hold goes.
  void hold(std::uint32_t address, const ClientId& client, std::int64_t until);
  // True when `address` is held, at `now`, for a client other than `client`.
  [[nodiscard]] bool held_for_other(std::uint32_t address, const ClientId& client,
                                    std::int64_t now) const;
  void release(std::uint32_t address);
  // Forgets every hold whose time is up at `now`.
  void expire(std::int64_t now);

  [[nodiscard]] std::size_t size() const { return by_address_.size(); }

 private:
  struct Hold {
    ClientId client;
    std::int64_t until = 0;
  };
  std::map<std::uint32_t, Hold> by_address_;
  // Keyed by the client's bytes as a string: std::less on vectors of bytes trips a GCC 12
  // -Wstringop-overread false positive at -O2.
  std::map<std::string, std::uint32_t> by_client_;
  std::set<std::pair<std::int64_t, std::uint32_t>> by_expiry_;  // (until, address)
};

}  // namespace pxemasq::dhcp
