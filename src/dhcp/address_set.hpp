#pragma once
// A set of IPv4 addresses as bits, in blocks of 4096 addresses created on first use: the lease
// table's leased addresses, so the allocator (spec §4.5) can jump over a run of leased addresses
// in one step instead of probing them one by one. dnsmasq walks them one at a time, which costs
// O(leases) per new client once a range fills up from one side (sequential MACs, a boot storm).
//
// Each block keeps a mask of its words that are all ones, so a run of k leased addresses costs
// O(k / 4096) block look-ups at most, and ~2 bits per address of the blocks in use (a /16 range
// fully leased: 16 blocks of 520 bytes).

#include <array>
#include <cstdint>
#include <map>
#include <optional>

namespace pxemasq::dhcp {

class AddressSet {
 public:
  void insert(std::uint32_t address);
  void erase(std::uint32_t address);
  [[nodiscard]] bool contains(std::uint32_t address) const;
  // The lowest address in [from, last] that is not in the set, if any.
  [[nodiscard]] std::optional<std::uint32_t> first_absent(std::uint32_t from, std::uint32_t last) const;
  // The highest address in [first, last] that is in the set, if any.
  [[nodiscard]] std::optional<std::uint32_t> last_present(std::uint32_t first, std::uint32_t last) const;

 private:
  static constexpr unsigned kBlockBits = 12;  // 4096 addresses, 64 words of 64 bits
  struct Block {
    std::array<std::uint64_t, 64> words{};
    std::uint64_t full = 0;  // bit w: words[w] is all ones
    std::uint32_t count = 0;
  };
  std::map<std::uint32_t, Block> blocks_;  // key: address >> kBlockBits
};

}  // namespace pxemasq::dhcp
