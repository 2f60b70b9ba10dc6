#pragma once
// The lease table (spec §4.3, §5): in memory, indexed by client-id, hardware address and IPv4
// address. Pure: time is a parameter; persistence is the shell's (daemon/lease_store.hpp) and the
// format is dhcp/lease_file.hpp.
//
// Storage, sized for 100 000 leases in a few tens of MiB (issue 3): the leases live in chunks of
// slots (stable addresses, no allocation per lease), linked in newest-first order (the order
// dnsmasq writes the file in) by slot number, each with a creation sequence number. Indexes hold
// slot numbers in open-addressing hash tables (by address, by client-id, by htype + hardware
// address); the leased addresses are also kept as bits (dhcp/address_set.hpp) so the allocator
// and highest_in skip leased runs in O(1) per 4096 addresses; finite expiries sit in a min-heap
// that may hold stale entries (checked when they come up), so pruning costs
// O(expired · log n). Every lookup is O(1) or O(log n).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "config/model.hpp"
#include "dhcp/address_set.hpp"

namespace pxemasq::dhcp {

using config::Ipv4;

struct Lease {
  std::uint8_t htype = 1;
  std::vector<std::uint8_t> hardware_address;  // up to 16 bytes
  std::vector<std::uint8_t> client_id;         // empty = none
  Ipv4 address;
  std::string hostname;     // unqualified; empty = none
  std::int64_t expiry = 0;  // absolute Unix time; 0 = infinite
  // (No arrival interface: nothing read it, and at 100 000 leases it cost 3 MiB.)

  friend bool operator==(const Lease&, const Lease&) = default;
};

class LeaseTable {
 public:
  explicit LeaseTable(std::size_t max_leases = 1000) : max_leases_(max_leases) {}
  // A copy is a real deep copy; it keeps the order, the sequence numbers and the dirty flag.
  // Moving is cheap and keeps pointers to leases valid.
  LeaseTable(const LeaseTable& other);
  LeaseTable& operator=(const LeaseTable& other);
  LeaseTable(LeaseTable&&) noexcept = default;
  LeaseTable& operator=(LeaseTable&&) noexcept = default;
  ~LeaseTable() = default;

  // dnsmasq's client lookup (spec §4.3 step 1): by client-id first; else a lease with the same
  // htype and hardware address where the lease or the request has no client-id. An empty
  // hardware address (hlen 0) never matches by MAC. Among several matches the newest wins, as in
  // dnsmasq's newest-first list walk.
  [[nodiscard]] const Lease* find_client(std::span<const std::uint8_t> client_id,
                                         std::uint8_t htype,
                                         std::span<const std::uint8_t> hardware_address) const;
  [[nodiscard]] const Lease* find_address(Ipv4 address) const;

  // Insert or replace the lease for `lease.address` (one lease per address). Returns false when
  // the table is full (dhcp-lease-max) and the address had no lease. Replacing a lease of the
  // same client (same client-id, or same htype + hardware address) keeps its place in the order,
  // like a dnsmasq renewal; a lease for another client counts as new and goes first. Only a
  // change of a field marks the table dirty.
  bool upsert(Lease lease);
  void remove(Ipv4 address);
  // Drop every lease with expiry != 0 && now >= expiry; returns how many.
  std::size_t prune_expired(std::int64_t now);

  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] std::size_t max_leases() const { return max_leases_; }
  [[nodiscard]] bool full() const { return size() >= max_leases_; }
  // Newest first, as dnsmasq writes them.
  [[nodiscard]] std::vector<const Lease*> newest_first() const;
  // The highest leased address inside [first, last] (dhcp-sequential-ip), if any.
  [[nodiscard]] std::optional<Ipv4> highest_in(Ipv4 first, Ipv4 last) const;
  // The lowest address inside [from, last] that has no lease, if any: the allocator's way over
  // a run of leased addresses in one step.
  [[nodiscard]] std::optional<Ipv4> first_unleased(Ipv4 from, Ipv4 last) const;
  // The earliest finite expiry (for the shell's expiry timer, as dnsmasq's alarm), if any.
  [[nodiscard]] std::optional<std::int64_t> next_expiry() const;

  // Set on every change; the shell clears it after a durable write.
  [[nodiscard]] bool dirty() const { return dirty_; }
  void mark_clean() { dirty_ = false; }
  void mark_dirty() { dirty_ = true; }

  // The addresses whose persisted lease changed (created, replaced, removed, expired) since the
  // last call, each once, ascending; the shell journals their current state (present or gone)
  // before it lets the ACKs of those changes leave.
  [[nodiscard]] std::vector<Ipv4> take_changes();

 private:
  static constexpr std::uint32_t kNone = 0xFFFFFFFFU;
  struct Entry {
    Lease lease;
    std::uint32_t sequence = 0;   // creation order; higher = newer; 0 = a free slot
    std::uint32_t newer = kNone;  // neighbours in the newest-first order, by slot
    std::uint32_t older = kNone;
  };
  static constexpr std::uint32_t kChunkBits = 10;  // 1024 slots a chunk

  // (hash, slot) pairs under linear probing, several slots per hash allowed (the caller checks
  // the real key); deletion shifts back, so there are no tombstones.
  class SlotIndex {
   public:
    void insert(std::uint32_t hash, std::uint32_t slot);
    void erase(std::uint32_t hash, std::uint32_t slot);
    template <typename Visit>
    void for_each(std::uint32_t hash, Visit&& visit) const {
      if (cells_.empty()) return;
      for (std::size_t at = home(hash);; at = (at + 1) & (cells_.size() - 1)) {
        const Cell& cell = cells_[at];
        if (cell.slot == kNone) return;
        if (cell.hash == hash) visit(cell.slot);
      }
    }

   private:
    struct Cell {
      std::uint32_t hash = 0;
      std::uint32_t slot = kNone;
    };
    [[nodiscard]] std::size_t home(std::uint32_t hash) const;
    void grow();
    std::vector<Cell> cells_;  // a power of two, at most half used
    std::size_t used_ = 0;
    unsigned bits_ = 0;
  };

  [[nodiscard]] Entry& at(std::uint32_t slot) { return chunks_[slot >> kChunkBits][slot & ((1U << kChunkBits) - 1)]; }
  [[nodiscard]] const Entry& at(std::uint32_t slot) const {
    return chunks_[slot >> kChunkBits][slot & ((1U << kChunkBits) - 1)];
  }
  [[nodiscard]] std::uint32_t slot_of(std::uint32_t address) const;
  [[nodiscard]] std::uint32_t new_slot();
  void link_newest(std::uint32_t slot);
  void renumber();
  void unlink(std::uint32_t slot);
  void index(std::uint32_t slot);
  void unindex(std::uint32_t slot);
  void erase(std::uint32_t slot);
  void push_expiry(std::int64_t expiry, std::uint32_t address);
  void drop_stale_expiries() const;
  [[nodiscard]] static std::uint32_t bytes_hash(std::uint8_t prefix, std::span<const std::uint8_t> bytes);

  void changed(std::uint32_t address) {
    dirty_ = true;
    changes_.push_back(address);
  }

  std::size_t max_leases_;
  bool dirty_ = false;
  std::vector<std::uint32_t> changes_;  // may repeat; take_changes() sorts and dedups
  std::uint32_t next_sequence_ = 1;  // renumbered when it would wrap
  std::vector<std::unique_ptr<Entry[]>> chunks_;
  std::uint32_t slots_made_ = 0;
  std::vector<std::uint32_t> free_slots_;
  std::uint32_t newest_ = kNone;
  std::uint32_t oldest_ = kNone;
  std::size_t size_ = 0;
  SlotIndex by_address_;
  SlotIndex by_client_id_;
  SlotIndex by_hardware_;  // hash of htype byte + address
  AddressSet leased_;
  // Min-heap of (expiry, address) for finite expiries; an entry whose lease is gone or has
  // another expiry now is stale and skipped.
  mutable std::vector<std::pair<std::int64_t, std::uint32_t>> expiries_;
};

}  // namespace pxemasq::dhcp
