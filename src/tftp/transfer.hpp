#pragma once
// The read-transfer state machine (RFC 1350, RFC 2347 OACK start, RFC 7440 windows). It owns
// no socket, file or clock: the shell feeds it the client's packets and timer expiries, each
// with the current time, and performs the Action it returns — send the OACK, send blocks
// [first..last] (reading them from the file at block_offset()/block_length()), or end.
//
// Blocks are numbered from 1 without wrapping here (64 bits); on the wire a block number is the
// low 16 bits, so block 65536 goes out as 0, like dnsmasq does (spec §6.5 [quirk]) and as
// clients that support big files expect.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "tftp/negotiation.hpp"
#include "tftp/packet.hpp"

namespace pxemasq::tftp {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Microseconds = std::chrono::microseconds;

// Retransmission timing. dnsmasq retransmits at fixed +2, 4, 7, 10, 15, 20 s and gives up at
// +29 s (spec §6.5); pxemasq adapts the timeout to the measured round trip (RFC 6298's
// estimator, Karn's rule: no samples from retransmitted blocks), doubles it on each expiry
// within these bounds, and gives up after the same ~30 s without progress.
inline constexpr Microseconds kInitialRetransmissionTimeout = std::chrono::seconds(1);
inline constexpr Microseconds kMinRetransmissionTimeout = std::chrono::milliseconds(200);
inline constexpr Microseconds kMaxRetransmissionTimeout = std::chrono::seconds(8);
inline constexpr Microseconds kGiveUpWithoutProgress = std::chrono::seconds(30);
// With a negotiated RFC 2349 timeout T, every retransmission waits exactly T, and the
// transfer is abandoned when the next one would be due (but never sooner than the 30 s above).
inline constexpr unsigned kRetransmissionsWithNegotiatedTimeout = 6;

struct TransferSettings {
  std::uint16_t block_size = kDefaultBlockSize;  // 0 is taken as 1
  std::uint16_t window_size = 1;                 // 0 is taken as 1
  std::uint64_t file_size = 0;                   // bytes as sent (netascii: after conversion)
  bool option_ack = false;                       // start with an OACK and wait for ACK 0
  std::optional<std::chrono::seconds> timeout;   // negotiated RFC 2349 timeout
};
[[nodiscard]] TransferSettings transfer_settings(const Negotiated& negotiated,
                                                 std::uint64_t file_size);

// How a transfer ended.
enum class Outcome {
  completed,          // the final block was acknowledged
  aborted_by_client,  // an ERROR while the OACK was outstanding: the UEFI "tsize probe"
  client_error,       // an ERROR once data had been sent
  timed_out,          // no progress for the give-up time
  read_failed,        // the shell could not read a block
};
// Where it stood when it ended (for dnsmasq's `sent` / `failed sending` rule, spec §6.5).
enum class Stage {
  option_ack,   // the OACK was outstanding
  mid_file,     // full-size blocks outstanding, the final block not sent yet
  final_block,  // the final (short or empty) block had been sent
};
// dnsmasq's log verb for an ended transfer: true = `sent PATH to ADDR`, false = `failed
// sending PATH to ADDR` (spec §6.5, §7.5). It counts the UEFI probe as `sent` [quirk].
[[nodiscard]] bool dnsmasq_reports_sent(Outcome outcome, Stage stage);

// Actions for the shell.
struct Idle {  // nothing to send now; keep the timer at deadline()
  friend bool operator==(const Idle&, const Idle&) = default;
};
struct SendOptionAck {
  bool retransmission = false;
  friend bool operator==(const SendOptionAck&, const SendOptionAck&) = default;
};
struct SendBlocks {  // blocks first..last inclusive, in order, back to back
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  bool retransmission = false;  // some of them were sent before
  friend bool operator==(const SendBlocks&, const SendBlocks&) = default;
};
struct Finish {  // the transfer is over; send nothing
  Outcome outcome = Outcome::completed;
  Stage stage = Stage::final_block;
  friend bool operator==(const Finish&, const Finish&) = default;
};
struct Fail {  // the transfer is over; send this ERROR first
  Outcome outcome = Outcome::read_failed;
  Stage stage = Stage::mid_file;
  ErrorCode code = ErrorCode::not_defined;
  std::string message;
  friend bool operator==(const Fail&, const Fail&) = default;
};
using Action = std::variant<Idle, SendOptionAck, SendBlocks, Finish, Fail>;

class Transfer {
 public:
  Transfer(const TransferSettings& settings, TimePoint start);

  // The first transmission: the OACK, or the first window of DATA. Call once, at `start`.
  [[nodiscard]] Action start();
  // A client ACK carrying wire block number `block`.
  [[nodiscard]] Action on_ack(std::uint16_t block, TimePoint now);
  // The timer set for deadline() fired (early or repeated calls are harmless).
  [[nodiscard]] Action on_timeout(TimePoint now);
  // The client sent an ERROR: the transfer ends, nothing is sent back (RFC 1350).
  [[nodiscard]] Action on_error();
  // The shell could not read a block: end with ERROR 0 `message` (spec §6.5).
  [[nodiscard]] Action on_read_error(std::string message);
  // Any packet from the client's TID: ACK and ERROR as above; anything else is ignored, as
  // dnsmasq does.
  [[nodiscard]] Action on_packet(const Packet& packet, TimePoint now);

  // When on_timeout() is due next; TimePoint::max() once finished.
  [[nodiscard]] TimePoint deadline() const;
  [[nodiscard]] bool finished() const { return finished_; }
  [[nodiscard]] Stage stage() const;

  // Block geometry for the shell's file reads; blocks are 1..block_count().
  [[nodiscard]] std::uint64_t block_count() const { return block_count_; }
  [[nodiscard]] std::uint64_t block_offset(std::uint64_t block) const;
  [[nodiscard]] std::size_t block_length(std::uint64_t block) const;
  [[nodiscard]] static std::uint16_t wire_block(std::uint64_t block) {
    return static_cast<std::uint16_t>(block & 0xFFFFU);
  }

  [[nodiscard]] const TransferSettings& settings() const { return settings_; }
  [[nodiscard]] std::uint64_t blocks_acknowledged() const { return acknowledged_; }
  [[nodiscard]] unsigned retransmissions() const { return retransmissions_; }
  [[nodiscard]] Microseconds retransmission_timeout() const { return timeout_; }

 private:
  Action send_window(std::uint64_t first, TimePoint now);
  Action accept_option_ack_ack(TimePoint now);
  Action accept_ack(std::uint64_t block, TimePoint now);
  Action finish(Outcome outcome);
  void measure_round_trip(TimePoint now);
  void end_back_off();
  void set_timeout_from_estimate();
  void progress(TimePoint now);
  void back_off();

  TransferSettings settings_;
  std::uint64_t block_count_ = 1;
  std::uint64_t acknowledged_ = 0;    // every block up to here is ACKed (0: none)
  std::uint64_t highest_sent_ = 0;    // the window's last block (0: only the OACK so far)
  std::uint64_t resent_through_ = 0;  // blocks up to here went out more than once (Karn)
  bool awaiting_option_ack_ = false;
  bool option_ack_resent_ = false;
  bool finished_ = false;
  TimePoint start_;
  TimePoint window_sent_at_;
  TimePoint retransmit_at_;
  TimePoint give_up_at_;
  Microseconds give_up_after_ = kGiveUpWithoutProgress;
  Microseconds timeout_ = kInitialRetransmissionTimeout;
  std::optional<Microseconds> smoothed_round_trip_;
  Microseconds round_trip_variation_{0};
  unsigned retransmissions_ = 0;
};

}  // namespace pxemasq::tftp
