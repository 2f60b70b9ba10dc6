#include "tftp/transfer.hpp"

#include <algorithm>

namespace pxemasq::tftp {
namespace {

// Far beyond any real file, and small enough that block numbers never overflow 64 bits.
constexpr std::uint64_t kMaxFileSize = std::uint64_t{1} << 62;

constexpr Microseconds kClockGranularity = std::chrono::milliseconds(1);  // RFC 6298 "G"

// `when + delay`, saturating instead of overflowing.
TimePoint later(TimePoint when, Microseconds delay) {
  const auto room = TimePoint::max() - when;
  return room <= delay ? TimePoint::max() : when + delay;
}

Microseconds elapsed(TimePoint from, TimePoint to) {
  return to > from ? std::chrono::duration_cast<Microseconds>(to - from) : Microseconds{0};
}

}  // namespace

TransferSettings transfer_settings(const Negotiated& negotiated, std::uint64_t file_size) {
  TransferSettings settings;
  settings.block_size = negotiated.block_size;
  settings.window_size = negotiated.window_size;
  settings.file_size = file_size;
  settings.option_ack = negotiated.sends_option_ack();
  if (negotiated.timeout_seconds)
    settings.timeout = std::chrono::seconds(*negotiated.timeout_seconds);
  return settings;
}

bool dnsmasq_reports_sent(Outcome outcome, Stage stage) {
  switch (outcome) {
    case Outcome::completed:
      return true;
    case Outcome::read_failed:
      return false;
    default:
      return stage != Stage::mid_file;
  }
}

Transfer::Transfer(const TransferSettings& settings, TimePoint start)
    : settings_(settings),
      start_(start),
      window_sent_at_(start),
      retransmit_at_(start),
      give_up_at_(start) {
  settings_.block_size = std::max<std::uint16_t>(settings_.block_size, 1);
  settings_.window_size = std::max<std::uint16_t>(settings_.window_size, 1);
  settings_.file_size = std::min(settings_.file_size, kMaxFileSize);
  // The final block is always shorter than a full one: empty when the size is a multiple of
  // the block size (RFC 1350 §6; spec §6.5).
  block_count_ = settings_.file_size / settings_.block_size + 1;
  if (settings_.timeout) {
    timeout_ = std::chrono::duration_cast<Microseconds>(*settings_.timeout);
    give_up_after_ =
        std::max(kGiveUpWithoutProgress, timeout_ * (kRetransmissionsWithNegotiatedTimeout + 1));
  }
  give_up_at_ = later(start_, give_up_after_);
}

Action Transfer::start() {
  if (!settings_.option_ack) return send_window(1, start_);
  awaiting_option_ack_ = true;  // RFC 2347: the client answers the OACK with ACK 0
  window_sent_at_ = start_;
  retransmit_at_ = later(start_, timeout_);
  return SendOptionAck{false};
}

Action Transfer::on_ack(std::uint16_t block, TimePoint now) {
  if (finished_) return Idle{};
  if (awaiting_option_ack_) return block == 0 ? accept_option_ack_ack(now) : Action{Idle{}};
  // Only an ACK for an outstanding block counts (acknowledged_+1 .. highest_sent_); the
  // distance is taken modulo 2^16 so that numbers wrapping past 65535 map back to the right
  // block. Duplicates and old ACKs land outside and are ignored: answering them would double
  // the traffic on every duplicate (the Sorcerer's Apprentice, RFC 1123 §4.2.3.1).
  const auto distance = static_cast<std::uint16_t>(block - wire_block(acknowledged_));
  if (distance == 0 || distance > highest_sent_ - acknowledged_) return Idle{};
  return accept_ack(acknowledged_ + distance, now);
}

Action Transfer::accept_option_ack_ack(TimePoint now) {
  awaiting_option_ack_ = false;
  if (!option_ack_resent_) measure_round_trip(now);
  progress(now);
  return send_window(1, now);
}

Action Transfer::accept_ack(std::uint64_t block, TimePoint now) {
  if (block > resent_through_) {
    measure_round_trip(now);
  } else {
    end_back_off();
  }
  acknowledged_ = block;
  progress(now);
  if (acknowledged_ == block_count_) return finish(Outcome::completed);
  // RFC 7440 §4: the next window starts right after the ACKed block — a short ACK (the client
  // saw a gap) resends the rest of the window.
  return send_window(acknowledged_ + 1, now);
}

Action Transfer::on_timeout(TimePoint now) {
  if (finished_ || now < deadline()) return Idle{};
  if (now >= give_up_at_) return finish(Outcome::timed_out);  // dnsmasq sends nothing either
  ++retransmissions_;
  back_off();
  if (!awaiting_option_ack_) return send_window(acknowledged_ + 1, now);
  option_ack_resent_ = true;
  window_sent_at_ = now;
  retransmit_at_ = later(now, timeout_);
  return SendOptionAck{true};
}

Action Transfer::on_error() {
  if (finished_) return Idle{};
  // The UEFI firmware's size probe: RRQ with tsize, read the OACK, ERROR. Nothing was sent,
  // so it is not a completed transfer (dnsmasq logs it as `sent`, spec §9.6).
  return finish(awaiting_option_ack_ ? Outcome::aborted_by_client : Outcome::client_error);
}

Action Transfer::on_read_error(std::string message) {
  if (finished_) return Idle{};
  const Stage at = stage();
  finished_ = true;
  return Fail{Outcome::read_failed, at, ErrorCode::not_defined, std::move(message)};
}

Action Transfer::on_packet(const Packet& packet, TimePoint now) {
  if (const auto* ack = std::get_if<Ack>(&packet)) return on_ack(ack->block, now);
  if (std::holds_alternative<Error>(packet)) return on_error();
  return Idle{};
}

TimePoint Transfer::deadline() const {
  return finished_ ? TimePoint::max() : std::min(retransmit_at_, give_up_at_);
}

Stage Transfer::stage() const {
  if (awaiting_option_ack_) return Stage::option_ack;
  return highest_sent_ == block_count_ ? Stage::final_block : Stage::mid_file;
}

std::uint64_t Transfer::block_offset(std::uint64_t block) const {
  if (block == 0 || block > block_count_) return settings_.file_size;
  return (block - 1) * settings_.block_size;
}

std::size_t Transfer::block_length(std::uint64_t block) const {
  const std::uint64_t offset = block_offset(block);
  return static_cast<std::size_t>(
      std::min<std::uint64_t>(settings_.block_size, settings_.file_size - offset));
}

Action Transfer::send_window(std::uint64_t first, TimePoint now) {
  const std::uint64_t window = settings_.window_size;
  const std::uint64_t last = first + std::min(window - 1, block_count_ - first);
  const bool resending = first <= highest_sent_;
  if (resending) resent_through_ = std::max(resent_through_, std::min(highest_sent_, last));
  highest_sent_ = std::max(highest_sent_, last);
  window_sent_at_ = now;
  retransmit_at_ = later(now, timeout_);
  return SendBlocks{first, last, resending};
}

Action Transfer::finish(Outcome outcome) {
  const Stage at = stage();
  finished_ = true;
  return Finish{outcome, at};
}

void Transfer::progress(TimePoint now) {
  give_up_at_ = later(now, give_up_after_);
}

void Transfer::back_off() {
  // RFC 6298 §5.5; a negotiated timeout is what the client asked for, kept as it is.
  if (!settings_.timeout) timeout_ = std::min(timeout_ * 2, kMaxRetransmissionTimeout);
}

void Transfer::measure_round_trip(TimePoint now) {
  if (settings_.timeout) return;
  // RFC 6298 §2, with samples capped so the arithmetic stays small.
  const Microseconds sample = std::min(elapsed(window_sent_at_, now), kGiveUpWithoutProgress);
  if (!smoothed_round_trip_) {
    smoothed_round_trip_ = sample;
    round_trip_variation_ = sample / 2;
  } else {
    const Microseconds error = *smoothed_round_trip_ > sample ? *smoothed_round_trip_ - sample
                                                              : sample - *smoothed_round_trip_;
    round_trip_variation_ = (round_trip_variation_ * 3 + error) / 4;
    smoothed_round_trip_ = (*smoothed_round_trip_ * 7 + sample) / 8;
  }
  set_timeout_from_estimate();
}

void Transfer::end_back_off() {
  // An ACK for a resent block is no round-trip sample (Karn), but it shows the path works
  // again: the backed-off timeout goes back to the estimate we already have, as TCP stacks
  // do when new data is acknowledged. Without that, on a lossy link every resend would leave
  // the doubled timeout standing until a window that needed no resend — seconds of idle
  // link per loss (found by tests/integration/tftp_loss_test.sh).
  if (settings_.timeout || !smoothed_round_trip_) return;
  set_timeout_from_estimate();
}

void Transfer::set_timeout_from_estimate() {
  const Microseconds estimate =
      *smoothed_round_trip_ + std::max(kClockGranularity, round_trip_variation_ * 4);
  timeout_ = std::clamp(estimate, kMinRetransmissionTimeout, kMaxRetransmissionTimeout);
}

}  // namespace pxemasq::tftp
