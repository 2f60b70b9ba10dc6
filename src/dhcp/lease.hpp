#pragma once
// The lease table (spec §4.3, §5): in memory, indexed by client-id, hardware address and IPv4
// address. Pure: time is a parameter; persistence is the shell's (daemon/lease_store.hpp) and the
// format is dhcp/lease_file.hpp.
//
// Storage: a list in newest-first order (the order dnsmasq writes the file in) holding each lease
// with a creation sequence number; an ordered map by address (lookup, highest_in) and hash
// multimaps by client-id and by (htype, hardware address), plus an ordered set of finite expiries
// so pruning costs O(expired · log n) rather than a scan. Every lookup is O(1) or O(log n); the
// table stays fast at 100 000 leases.

#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "config/model.hpp"

namespace pxemasq::dhcp {

using config::Ipv4;

struct Lease {
  std::uint8_t htype = 1;
  std::vector<std::uint8_t> hardware_address;  // up to 16 bytes
  std::vector<std::uint8_t> client_id;         // empty = none
  Ipv4 address;
  std::string hostname;     // unqualified; empty = none
  std::int64_t expiry = 0;  // absolute Unix time; 0 = infinite
  std::string interface;    // arrival interface when last ACKed (not persisted)

  friend bool operator==(const Lease&, const Lease&) = default;
};

class LeaseTable {
 public:
  explicit LeaseTable(std::size_t max_leases = 1000) : max_leases_(max_leases) {}
  // A copy is a real deep copy (the indexes are rebuilt to point into the copy's own storage);
  // it keeps the order, the sequence numbers and the dirty flag. Moving is cheap.
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
  // change of a persisted field (everything but `interface`) marks the table dirty.
  bool upsert(Lease lease);
  void remove(Ipv4 address);
  // Drop every lease with expiry != 0 && now >= expiry; returns how many.
  std::size_t prune_expired(std::int64_t now);

  [[nodiscard]] std::size_t size() const { return leases_.size(); }
  [[nodiscard]] std::size_t max_leases() const { return max_leases_; }
  [[nodiscard]] bool full() const { return size() >= max_leases_; }
  // Newest first, as dnsmasq writes them.
  [[nodiscard]] std::vector<const Lease*> newest_first() const;
  // The highest leased address inside [first, last] (dhcp-sequential-ip), if any.
  [[nodiscard]] std::optional<Ipv4> highest_in(Ipv4 first, Ipv4 last) const;
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
  struct Entry {
    Lease lease;
    std::uint64_t sequence = 0;  // creation order; higher = newer
  };
  using Storage = std::list<Entry>;  // newest first
  using Position = Storage::iterator;

  void index(Position position);
  void unindex(Position position);
  void erase(Position position);
  [[nodiscard]] static std::string hardware_key(std::uint8_t htype,
                                                std::span<const std::uint8_t> hardware_address);

  void changed(std::uint32_t address) {
    dirty_ = true;
    changes_.push_back(address);
  }

  std::size_t max_leases_;
  bool dirty_ = false;
  std::vector<std::uint32_t> changes_;  // may repeat; take_changes() sorts and dedups
  std::uint64_t next_sequence_ = 1;
  Storage leases_;
  std::map<std::uint32_t, Position> by_address_;
  std::unordered_multimap<std::string, Position> by_client_id_;
  std::unordered_multimap<std::string, Position> by_hardware_;  // key: htype byte + address
  std::set<std::pair<std::int64_t, std::uint32_t>> by_expiry_;  // finite expiries only
};

}  // namespace pxemasq::dhcp
