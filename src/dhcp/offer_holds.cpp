#include "dhcp/offer_holds.hpp"

namespace pxemasq::dhcp {
namespace {

std::string key(const OfferHolds::ClientId& client) { return {client.begin(), client.end()}; }

}  // namespace

void OfferHolds::hold(std::uint32_t address, const ClientId& client, std::int64_t until) {
  if (const auto previous = by_client_.find(key(client)); previous != by_client_.end()) {
    release(previous->second);
  }
  release(address);
  by_address_[address] = Hold{client, until};
  by_client_[key(client)] = address;
  by_expiry_.emplace(until, address);
}

bool OfferHolds::held_for_other(std::uint32_t address, const ClientId& client,
                                std::int64_t now) const {
  const auto it = by_address_.find(address);
  return it != by_address_.end() && it->second.until > now && it->second.client != client;
}

void OfferHolds::release(std::uint32_t address) {
  const auto it = by_address_.find(address);
  if (it == by_address_.end()) return;
  by_expiry_.erase({it->second.until, address});
  by_client_.erase(key(it->second.client));
  by_address_.erase(it);
}

void OfferHolds::expire(std::int64_t now) {
  while (!by_expiry_.empty() && by_expiry_.begin()->first <= now) {
    release(by_expiry_.begin()->second);
  }
}

}  // namespace pxemasq::dhcp
