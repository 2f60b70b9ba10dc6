#include "dhcp/lease.hpp"

#include <algorithm>
#include <iterator>

namespace pxemasq::dhcp {
namespace {

std::string bytes_key(std::span<const std::uint8_t> bytes) {
  return {bytes.begin(), bytes.end()};
}

// The fields the lease file holds; a change to any of them must reach the disk (spec §5 "Dirty").
bool same_persisted(const Lease& a, const Lease& b) {
  return a.htype == b.htype && a.hardware_address == b.hardware_address &&
         a.client_id == b.client_id && a.address == b.address && a.hostname == b.hostname &&
         a.expiry == b.expiry;
}

// Whether `incoming` is a renewal by the client that holds `existing`, rather than a new client
// taking the address over.
bool same_client(const Lease& existing, const Lease& incoming) {
  if (!existing.client_id.empty() && existing.client_id == incoming.client_id) return true;
  return !existing.hardware_address.empty() && existing.htype == incoming.htype &&
         existing.hardware_address == incoming.hardware_address;
}

}  // namespace

LeaseTable::LeaseTable(const LeaseTable& other)
    : max_leases_(other.max_leases_),
      dirty_(other.dirty_),
      changes_(other.changes_),
      next_sequence_(other.next_sequence_),
      leases_(other.leases_) {
  for (auto position = leases_.begin(); position != leases_.end(); ++position) index(position);
}

LeaseTable& LeaseTable::operator=(const LeaseTable& other) {
  if (this != &other) {
    LeaseTable copy(other);
    *this = std::move(copy);
  }
  return *this;
}

std::string LeaseTable::hardware_key(std::uint8_t htype,
                                     std::span<const std::uint8_t> hardware_address) {
  std::string key;
  key.reserve(hardware_address.size() + 1);
  key.push_back(static_cast<char>(htype));
  key.append(hardware_address.begin(), hardware_address.end());
  return key;
}

void LeaseTable::index(Position position) {
  const Lease& lease = position->lease;
  by_address_.emplace(lease.address.value, position);
  if (!lease.client_id.empty()) by_client_id_.emplace(bytes_key(lease.client_id), position);
  if (!lease.hardware_address.empty()) {
    by_hardware_.emplace(hardware_key(lease.htype, lease.hardware_address), position);
  }
  if (lease.expiry != 0) by_expiry_.emplace(lease.expiry, lease.address.value);
}

void LeaseTable::unindex(Position position) {
  const Lease& lease = position->lease;
  by_address_.erase(lease.address.value);
  const auto drop = [position](auto& multimap, const std::string& key) {
    auto [first, last] = multimap.equal_range(key);
    for (; first != last; ++first) {
      if (first->second == position) {
        multimap.erase(first);
        return;
      }
    }
  };
  if (!lease.client_id.empty()) drop(by_client_id_, bytes_key(lease.client_id));
  if (!lease.hardware_address.empty()) {
    drop(by_hardware_, hardware_key(lease.htype, lease.hardware_address));
  }
  if (lease.expiry != 0) by_expiry_.erase({lease.expiry, lease.address.value});
}

void LeaseTable::erase(Position position) {
  const std::uint32_t address = position->lease.address.value;
  unindex(position);
  leases_.erase(position);
  changed(address);
}

const Lease* LeaseTable::find_client(std::span<const std::uint8_t> client_id, std::uint8_t htype,
                                     std::span<const std::uint8_t> hardware_address) const {
  const Entry* best = nullptr;
  const auto consider = [&best](const Entry& entry) {
    if (best == nullptr || entry.sequence > best->sequence) best = &entry;
  };
  // Spec §4.3 step 1: the client-id decides when the request carries one and a lease has it.
  if (!client_id.empty()) {
    auto [first, last] = by_client_id_.equal_range(bytes_key(client_id));
    for (; first != last; ++first) consider(*first->second);
    if (best != nullptr) return &best->lease;
  }
  // Else the MAC, but only where one side has no client-id: two different client-ids on one
  // MAC are two clients (e.g. a PXE ROM and the OS it boots).
  if (!hardware_address.empty()) {
    auto [first, last] = by_hardware_.equal_range(hardware_key(htype, hardware_address));
    for (; first != last; ++first) {
      const Entry& entry = *first->second;
      if (client_id.empty() || entry.lease.client_id.empty()) consider(entry);
    }
  }
  return best != nullptr ? &best->lease : nullptr;
}

const Lease* LeaseTable::find_address(Ipv4 address) const {
  const auto found = by_address_.find(address.value);
  return found != by_address_.end() ? &found->second->lease : nullptr;
}

bool LeaseTable::upsert(Lease lease) {
  const auto found = by_address_.find(lease.address.value);
  if (found != by_address_.end()) {
    const Position position = found->second;
    if (same_client(position->lease, lease)) {
      // A renewal: same place in the order, same sequence number.
      if (same_persisted(position->lease, lease)) {
        position->lease.interface = std::move(lease.interface);
        return true;
      }
      unindex(position);
      position->lease = std::move(lease);
      index(position);
      changed(position->lease.address.value);
      return true;
    }
    // Another client takes the address over: the old lease goes, the new one is the newest.
    erase(position);
  } else if (full()) {
    return false;
  }
  const std::uint32_t address = lease.address.value;
  leases_.push_front(Entry{std::move(lease), next_sequence_++});
  index(leases_.begin());
  changed(address);
  return true;
}

void LeaseTable::remove(Ipv4 address) {
  const auto found = by_address_.find(address.value);
  if (found != by_address_.end()) erase(found->second);
}

std::size_t LeaseTable::prune_expired(std::int64_t now) {
  std::size_t removed = 0;
  while (!by_expiry_.empty() && by_expiry_.begin()->first <= now) {
    remove(Ipv4{by_expiry_.begin()->second});
    ++removed;
  }
  return removed;
}

std::vector<const Lease*> LeaseTable::newest_first() const {
  std::vector<const Lease*> result;
  result.reserve(leases_.size());
  for (const Entry& entry : leases_) result.push_back(&entry.lease);
  return result;
}

std::optional<Ipv4> LeaseTable::highest_in(Ipv4 first, Ipv4 last) const {
  if (last < first) return std::nullopt;
  auto above = by_address_.upper_bound(last.value);
  if (above == by_address_.begin()) return std::nullopt;
  const std::uint32_t highest = std::prev(above)->first;
  if (highest < first.value) return std::nullopt;
  return Ipv4{highest};
}

std::vector<Ipv4> LeaseTable::take_changes() {
  std::sort(changes_.begin(), changes_.end());
  changes_.erase(std::unique(changes_.begin(), changes_.end()), changes_.end());
  std::vector<Ipv4> result;
  result.reserve(changes_.size());
  for (const std::uint32_t address : changes_) result.push_back(Ipv4{address});
  changes_.clear();
  return result;
}

std::optional<std::int64_t> LeaseTable::next_expiry() const {
  if (by_expiry_.empty()) return std::nullopt;
  return by_expiry_.begin()->first;
}

}  // namespace pxemasq::dhcp
