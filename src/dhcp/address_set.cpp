#include "dhcp/address_set.hpp"

#include <bit>

namespace pxemasq::dhcp {
namespace {

constexpr std::uint64_t kAllOnes = ~std::uint64_t{0};

// Bits at and above `bit` (0-63).
constexpr std::uint64_t from_bit(unsigned bit) { return kAllOnes << bit; }
// Bits at and below `bit` (0-63).
constexpr std::uint64_t up_to_bit(unsigned bit) { return bit == 63 ? kAllOnes : (std::uint64_t{1} << (bit + 1)) - 1; }

}  // namespace

void AddressSet::insert(std::uint32_t address) {
  Block& block = blocks_[address >> kBlockBits];
  const unsigned word = (address >> 6) & 63U;
  const std::uint64_t bit = std::uint64_t{1} << (address & 63U);
  if ((block.words[word] & bit) != 0) return;
  block.words[word] |= bit;
  ++block.count;
  if (block.words[word] == kAllOnes) block.full |= std::uint64_t{1} << word;
}

void AddressSet::erase(std::uint32_t address) {
  const auto found = blocks_.find(address >> kBlockBits);
  if (found == blocks_.end()) return;
  Block& block = found->second;
  const unsigned word = (address >> 6) & 63U;
  const std::uint64_t bit = std::uint64_t{1} << (address & 63U);
  if ((block.words[word] & bit) == 0) return;
  block.words[word] &= ~bit;
  block.full &= ~(std::uint64_t{1} << word);
  if (--block.count == 0) blocks_.erase(found);
}

bool AddressSet::contains(std::uint32_t address) const {
  const auto found = blocks_.find(address >> kBlockBits);
  if (found == blocks_.end()) return false;
  return (found->second.words[(address >> 6) & 63U] >> (address & 63U) & 1U) != 0;
}

std::optional<std::uint32_t> AddressSet::first_absent(std::uint32_t from, std::uint32_t last) const {
  if (last < from) return std::nullopt;
  std::uint32_t at = from;
  auto block = blocks_.lower_bound(at >> kBlockBits);
  while (true) {
    const std::uint32_t key = at >> kBlockBits;
    if (block == blocks_.end() || block->first != key) return at;  // no block: nothing leased
    const Block& b = block->second;
    const unsigned word = (at >> 6) & 63U;
    std::optional<std::uint32_t> found;
    if (const std::uint64_t zeros = ~b.words[word] & from_bit(at & 63U); zeros != 0) {
      found = (key << kBlockBits) | (word << 6) | static_cast<std::uint32_t>(std::countr_zero(zeros));
    } else if (const std::uint64_t open = word == 63 ? 0 : ~b.full & from_bit(word + 1); open != 0) {
      const auto next_word = static_cast<unsigned>(std::countr_zero(open));
      found = (key << kBlockBits) | (next_word << 6) |
              static_cast<std::uint32_t>(std::countr_zero(~b.words[next_word]));
    }
    if (found) {
      if (*found > last) return std::nullopt;
      return found;
    }
    // The block is full from `at` on: the answer is in a later block, or there is none.
    if (key == (0xFFFFFFFFU >> kBlockBits)) return std::nullopt;
    at = (key + 1) << kBlockBits;
    if (at > last) return std::nullopt;
    ++block;
  }
}

std::optional<std::uint32_t> AddressSet::last_present(std::uint32_t first, std::uint32_t last) const {
  if (last < first) return std::nullopt;
  auto block = blocks_.upper_bound(last >> kBlockBits);
  while (block != blocks_.begin()) {
    --block;
    const std::uint32_t key = block->first;
    const std::uint32_t block_first = key << kBlockBits;
    const std::uint32_t block_last = block_first | ((1U << kBlockBits) - 1);
    if (block_last < first) return std::nullopt;
    const std::uint32_t top = last < block_last ? last : block_last;
    for (int word = static_cast<int>((top >> 6) & 63U); word >= 0; --word) {
      std::uint64_t bits = block->second.words[static_cast<unsigned>(word)];
      if (static_cast<unsigned>(word) == ((top >> 6) & 63U)) bits &= up_to_bit(top & 63U);
      if (bits == 0) continue;
      const std::uint32_t found = block_first | (static_cast<std::uint32_t>(word) << 6) |
                                  static_cast<std::uint32_t>(63 - std::countl_zero(bits));
      return found >= first ? std::optional<std::uint32_t>(found) : std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace pxemasq::dhcp
