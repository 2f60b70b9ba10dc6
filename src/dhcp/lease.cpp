#include "dhcp/lease.hpp"

#include <algorithm>
#include <functional>
#include <iterator>

namespace pxemasq::dhcp {
namespace {

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

// ---- SlotIndex -------------------------------------------------------------------------------

std::size_t LeaseTable::SlotIndex::home(std::uint32_t hash) const {
  // Fibonacci hashing: consecutive addresses spread over the whole table.
  return static_cast<std::size_t>((std::uint64_t{hash} * 0x9E3779B97F4A7C15ULL) >> (64 - bits_));
}

void LeaseTable::SlotIndex::grow() {
  std::vector<Cell> old = std::move(cells_);
  bits_ = bits_ == 0 ? 4 : bits_ + 1;
  cells_.assign(std::size_t{1} << bits_, Cell{});
  used_ = 0;
  for (const Cell& cell : old) {
    if (cell.slot != kNone) insert(cell.hash, cell.slot);
  }
}

void LeaseTable::SlotIndex::insert(std::uint32_t hash, std::uint32_t slot) {
  if ((used_ + 1) * 2 > cells_.size()) grow();
  std::size_t at = home(hash);
  while (cells_[at].slot != kNone) at = (at + 1) & (cells_.size() - 1);
  cells_[at] = Cell{hash, slot};
  ++used_;
}

void LeaseTable::SlotIndex::erase(std::uint32_t hash, std::uint32_t slot) {
  if (cells_.empty()) return;
  const std::size_t mask = cells_.size() - 1;
  std::size_t hole = home(hash);
  while (true) {
    if (cells_[hole].slot == kNone) return;  // not there
    if (cells_[hole].slot == slot && cells_[hole].hash == hash) break;
    hole = (hole + 1) & mask;
  }
  // Backward shift: move each later cell of the run whose home is not after the hole into it.
  for (std::size_t next = (hole + 1) & mask; cells_[next].slot != kNone; next = (next + 1) & mask) {
    const std::size_t wanted = home(cells_[next].hash);
    const bool stays = hole <= next ? (hole < wanted && wanted <= next) : (hole < wanted || wanted <= next);
    if (stays) continue;
    cells_[hole] = cells_[next];
    hole = next;
  }
  cells_[hole] = Cell{};
  --used_;
}

// ---- LeaseTable ------------------------------------------------------------------------------

LeaseTable::LeaseTable(const LeaseTable& other)
    : max_leases_(other.max_leases_),
      dirty_(other.dirty_),
      changes_(other.changes_),
      next_sequence_(other.next_sequence_),
      slots_made_(other.slots_made_),
      free_slots_(other.free_slots_),
      newest_(other.newest_),
      oldest_(other.oldest_),
      size_(other.size_),
      by_address_(other.by_address_),
      by_client_id_(other.by_client_id_),
      by_hardware_(other.by_hardware_),
      leased_(other.leased_),
      expiries_(other.expiries_) {
  // The indexes hold slot numbers, so copying the slots is all the deep copy needs.
  chunks_.reserve(other.chunks_.size());
  for (const auto& chunk : other.chunks_) {
    auto copy = std::make_unique<Entry[]>(std::size_t{1} << kChunkBits);
    std::copy(chunk.get(), chunk.get() + (std::size_t{1} << kChunkBits), copy.get());
    chunks_.push_back(std::move(copy));
  }
}

LeaseTable& LeaseTable::operator=(const LeaseTable& other) {
  if (this != &other) {
    LeaseTable copy(other);
    *this = std::move(copy);
  }
  return *this;
}

std::uint32_t LeaseTable::bytes_hash(std::uint8_t prefix, std::span<const std::uint8_t> bytes) {
  std::uint32_t hash = 2166136261U;  // FNV-1a
  hash = (hash ^ prefix) * 16777619U;
  for (const std::uint8_t b : bytes) hash = (hash ^ b) * 16777619U;
  return hash;
}

std::uint32_t LeaseTable::slot_of(std::uint32_t address) const {
  std::uint32_t found = kNone;
  by_address_.for_each(address, [&](std::uint32_t slot) {
    if (at(slot).lease.address.value == address) found = slot;
  });
  return found;
}

std::uint32_t LeaseTable::new_slot() {
  if (!free_slots_.empty()) {
    const std::uint32_t slot = free_slots_.back();
    free_slots_.pop_back();
    return slot;
  }
  if ((slots_made_ >> kChunkBits) == chunks_.size()) {
    chunks_.push_back(std::make_unique<Entry[]>(std::size_t{1} << kChunkBits));
  }
  return slots_made_++;
}

// Sequence numbers only order leases: after 4 billion creations, give the live ones 1..n again
// (oldest first), keeping their order.
void LeaseTable::renumber() {
  next_sequence_ = 1;
  for (std::uint32_t slot = oldest_; slot != kNone; slot = at(slot).newer) at(slot).sequence = next_sequence_++;
}

void LeaseTable::link_newest(std::uint32_t slot) {
  Entry& entry = at(slot);
  entry.newer = kNone;
  entry.older = newest_;
  if (newest_ != kNone) at(newest_).newer = slot;
  newest_ = slot;
  if (oldest_ == kNone) oldest_ = slot;
}

void LeaseTable::unlink(std::uint32_t slot) {
  Entry& entry = at(slot);
  if (entry.newer != kNone) at(entry.newer).older = entry.older; else newest_ = entry.older;
  if (entry.older != kNone) at(entry.older).newer = entry.newer; else oldest_ = entry.newer;
  entry.newer = entry.older = kNone;
}

void LeaseTable::push_expiry(std::int64_t expiry, std::uint32_t address) {
  expiries_.emplace_back(expiry, address);
  std::push_heap(expiries_.begin(), expiries_.end(), std::greater<>{});
  // Renewals leave stale entries behind: rebuild once they are the majority.
  if (expiries_.size() > 2 * size_ + 64) {
    std::vector<std::pair<std::int64_t, std::uint32_t>> live;
    live.reserve(size_);
    for (std::uint32_t slot = newest_; slot != kNone; slot = at(slot).older) {
      const Lease& lease = at(slot).lease;
      if (lease.expiry != 0) live.emplace_back(lease.expiry, lease.address.value);
    }
    std::make_heap(live.begin(), live.end(), std::greater<>{});
    expiries_ = std::move(live);
  }
}

void LeaseTable::drop_stale_expiries() const {
  while (!expiries_.empty()) {
    const auto [expiry, address] = expiries_.front();
    const std::uint32_t slot = slot_of(address);
    if (slot != kNone && at(slot).lease.expiry == expiry) return;
    std::pop_heap(expiries_.begin(), expiries_.end(), std::greater<>{});
    expiries_.pop_back();
  }
}

void LeaseTable::index(std::uint32_t slot) {
  const Lease& lease = at(slot).lease;
  by_address_.insert(lease.address.value, slot);
  leased_.insert(lease.address.value);
  if (!lease.client_id.empty()) by_client_id_.insert(bytes_hash(0, lease.client_id), slot);
  if (!lease.hardware_address.empty()) {
    by_hardware_.insert(bytes_hash(lease.htype, lease.hardware_address), slot);
  }
  if (lease.expiry != 0) push_expiry(lease.expiry, lease.address.value);
}

void LeaseTable::unindex(std::uint32_t slot) {
  const Lease& lease = at(slot).lease;
  by_address_.erase(lease.address.value, slot);
  leased_.erase(lease.address.value);
  if (!lease.client_id.empty()) by_client_id_.erase(bytes_hash(0, lease.client_id), slot);
  if (!lease.hardware_address.empty()) {
    by_hardware_.erase(bytes_hash(lease.htype, lease.hardware_address), slot);
  }
  // The expiry heap entry goes stale and is skipped when it comes up.
}

void LeaseTable::erase(std::uint32_t slot) {
  Entry& entry = at(slot);
  const std::uint32_t address = entry.lease.address.value;
  unindex(slot);
  unlink(slot);
  entry.lease = Lease{};  // frees its bytes now
  entry.sequence = 0;
  free_slots_.push_back(slot);
  --size_;
  changed(address);
}

const Lease* LeaseTable::find_client(std::span<const std::uint8_t> client_id, std::uint8_t htype,
                                     std::span<const std::uint8_t> hardware_address) const {
  const Entry* best = nullptr;
  const auto consider = [&best](const Entry& entry) {
    if (best == nullptr || entry.sequence > best->sequence) best = &entry;
  };
  const auto equal = [](const std::vector<std::uint8_t>& a, std::span<const std::uint8_t> b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  };
  // Spec §4.3 step 1: the client-id decides when the request carries one and a lease has it.
  if (!client_id.empty()) {
    by_client_id_.for_each(bytes_hash(0, client_id), [&](std::uint32_t slot) {
      if (equal(at(slot).lease.client_id, client_id)) consider(at(slot));
    });
    if (best != nullptr) return &best->lease;
  }
  // Else the MAC, but only where one side has no client-id: two different client-ids on one
  // MAC are two clients (e.g. a PXE ROM and the OS it boots).
  if (!hardware_address.empty()) {
    by_hardware_.for_each(bytes_hash(htype, hardware_address), [&](std::uint32_t slot) {
      const Entry& entry = at(slot);
      if (entry.lease.htype != htype || !equal(entry.lease.hardware_address, hardware_address)) return;
      if (client_id.empty() || entry.lease.client_id.empty()) consider(entry);
    });
  }
  return best != nullptr ? &best->lease : nullptr;
}

const Lease* LeaseTable::find_address(Ipv4 address) const {
  const std::uint32_t slot = slot_of(address.value);
  return slot != kNone ? &at(slot).lease : nullptr;
}

bool LeaseTable::upsert(Lease lease) {
  const std::uint32_t found = slot_of(lease.address.value);
  if (found != kNone) {
    Entry& entry = at(found);
    if (same_client(entry.lease, lease)) {
      // A renewal: same place in the order, same sequence number.
      if (same_persisted(entry.lease, lease)) return true;
      unindex(found);
      entry.lease = std::move(lease);
      index(found);
      changed(entry.lease.address.value);
      return true;
    }
    // Another client takes the address over: the old lease goes, the new one is the newest.
    erase(found);
  } else if (full()) {
    return false;
  }
  const std::uint32_t address = lease.address.value;
  const std::uint32_t slot = new_slot();
  Entry& entry = at(slot);
  entry.lease = std::move(lease);
  if (next_sequence_ == 0xFFFFFFFFU) renumber();
  entry.sequence = next_sequence_++;
  link_newest(slot);
  index(slot);
  ++size_;
  changed(address);
  return true;
}

void LeaseTable::remove(Ipv4 address) {
  const std::uint32_t slot = slot_of(address.value);
  if (slot != kNone) erase(slot);
}

std::size_t LeaseTable::prune_expired(std::int64_t now) {
  std::size_t removed = 0;
  while (!expiries_.empty() && expiries_.front().first <= now) {
    const auto [expiry, address] = expiries_.front();
    std::pop_heap(expiries_.begin(), expiries_.end(), std::greater<>{});
    expiries_.pop_back();
    const std::uint32_t slot = slot_of(address);
    if (slot == kNone || at(slot).lease.expiry != expiry) continue;  // stale
    erase(slot);
    ++removed;
  }
  return removed;
}

std::vector<const Lease*> LeaseTable::newest_first() const {
  std::vector<const Lease*> result;
  result.reserve(size_);
  for (std::uint32_t slot = newest_; slot != kNone; slot = at(slot).older) result.push_back(&at(slot).lease);
  return result;
}

std::optional<Ipv4> LeaseTable::highest_in(Ipv4 first, Ipv4 last) const {
  const auto found = leased_.last_present(first.value, last.value);
  return found ? std::optional<Ipv4>(Ipv4{*found}) : std::nullopt;
}

std::optional<Ipv4> LeaseTable::first_unleased(Ipv4 from, Ipv4 last) const {
  const auto found = leased_.first_absent(from.value, last.value);
  return found ? std::optional<Ipv4>(Ipv4{*found}) : std::nullopt;
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
  drop_stale_expiries();
  if (expiries_.empty()) return std::nullopt;
  return expiries_.front().first;
}

}  // namespace pxemasq::dhcp
