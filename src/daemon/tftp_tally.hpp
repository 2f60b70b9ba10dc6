#pragma once
// What a TFTP transfer adds to the service's counters (/metrics, SIGUSR1), read from the state
// machine's actions and accessors only — the machine itself counts nothing for the shell. Pure.

#include <cstdint>

#include "tftp/transfer.hpp"

namespace pxemasq::daemon {

class ResendTally {
 public:
  // The blocks of `blocks` that were asked for before (the machine resends from the block
  // after the last ACKed one, so these are the ones at or below the highest block asked for
  // so far); then remembers the window. Call it for every SendBlocks, in order.
  std::uint64_t resent(const tftp::SendBlocks& blocks);
  // Timer expiries that resent something since the last call: the machine's retransmission
  // count (one per expiry that resent a window or the OACK) moved.
  unsigned timeouts(const tftp::Transfer& transfer);

 private:
  std::uint64_t highest_asked_ = 0;
  unsigned retransmissions_seen_ = 0;
};

// File bytes the client has acknowledged (every block before the last one is full).
[[nodiscard]] std::uint64_t acknowledged_bytes(const tftp::Transfer& transfer);

}  // namespace pxemasq::daemon
