#include "daemon/tftp_tally.hpp"

#include <algorithm>

namespace pxemasq::daemon {

std::uint64_t ResendTally::resent(const tftp::SendBlocks& blocks) {
  std::uint64_t again = 0;
  if (blocks.first <= highest_asked_ && blocks.first <= blocks.last) {
    again = std::min(blocks.last, highest_asked_) - blocks.first + 1;
  }
  highest_asked_ = std::max(highest_asked_, blocks.last);
  return again;
}

unsigned ResendTally::timeouts(const tftp::Transfer& transfer) {
  const unsigned now = transfer.retransmissions();
  const unsigned moved = now - retransmissions_seen_;
  retransmissions_seen_ = now;
  return moved;
}

std::uint64_t acknowledged_bytes(const tftp::Transfer& transfer) {
  const std::uint64_t blocks = transfer.blocks_acknowledged();
  return blocks == 0 ? 0 : transfer.block_offset(blocks) + transfer.block_length(blocks);
}

}  // namespace pxemasq::daemon
