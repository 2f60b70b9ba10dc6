// The read-transfer state machine driven with a fake clock: starts with and without OACK, the
// final short or empty block, duplicate and stale ACKs, loss, reordering, windows of 1/4/16,
// block numbers wrapping past 65535, timeout escalation, give-up, client ERRORs.

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <random>
#include <vector>

#include "tftp/transfer.hpp"

namespace pxemasq::tftp {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const TimePoint kStart = TimePoint{} + std::chrono::hours(1000);

TransferSettings settings(std::uint64_t file_size, std::uint16_t block_size = 512,
                          std::uint16_t window = 1, bool option_ack = false) {
  TransferSettings s;
  s.file_size = file_size;
  s.block_size = block_size;
  s.window_size = window;
  s.option_ack = option_ack;
  return s;
}

SendBlocks blocks(std::uint64_t first, std::uint64_t last, bool retransmission = false) {
  return SendBlocks{first, last, retransmission};
}

// ---- starts and the final block -------------------------------------------------------------

TEST(TftpTransfer, NoOptionsStartsWithBlockOne) {
  Transfer transfer(settings(1000), kStart);
  EXPECT_EQ(transfer.start(), Action{blocks(1, 1)});
  EXPECT_EQ(transfer.block_count(), 2U);
  EXPECT_EQ(transfer.stage(), Stage::mid_file);
  EXPECT_EQ(transfer.on_ack(1, kStart + milliseconds(1)), Action{blocks(2, 2)});
  EXPECT_EQ(transfer.stage(), Stage::final_block);
  EXPECT_EQ(transfer.on_ack(2, kStart + milliseconds(2)),
            Action{(Finish{Outcome::completed, Stage::final_block})});
  EXPECT_TRUE(transfer.finished());
  EXPECT_EQ(transfer.blocks_acknowledged(), 2U);
}

TEST(TftpTransfer, OptionAckStartWaitsForAckZero) {
  Transfer transfer(settings(100, 1468, 1, true), kStart);
  EXPECT_EQ(transfer.start(), Action{SendOptionAck{false}});
  EXPECT_EQ(transfer.stage(), Stage::option_ack);
  EXPECT_EQ(transfer.on_ack(1, kStart + milliseconds(1)), Action{Idle{}});  // not yet
  EXPECT_EQ(transfer.on_ack(0, kStart + milliseconds(2)), Action{blocks(1, 1)});
  EXPECT_EQ(transfer.on_ack(0, kStart + milliseconds(3)), Action{Idle{}});  // duplicate ACK 0
  EXPECT_EQ(transfer.on_ack(1, kStart + milliseconds(4)),
            Action{(Finish{Outcome::completed, Stage::final_block})});
}

TEST(TftpTransfer, EmptyFileIsOneEmptyBlock) {
  Transfer transfer(settings(0), kStart);
  EXPECT_EQ(transfer.block_count(), 1U);
  EXPECT_EQ(transfer.block_length(1), 0U);
  EXPECT_EQ(transfer.start(), Action{blocks(1, 1)});
  EXPECT_EQ(transfer.on_ack(1, kStart), Action{(Finish{Outcome::completed, Stage::final_block})});
}

TEST(TftpTransfer, ExactMultipleEndsWithAnEmptyBlock) {
  Transfer transfer(settings(1024), kStart);
  EXPECT_EQ(transfer.block_count(), 3U);
  EXPECT_EQ(transfer.block_length(1), 512U);
  EXPECT_EQ(transfer.block_length(2), 512U);
  EXPECT_EQ(transfer.block_length(3), 0U);
  EXPECT_EQ(transfer.block_offset(3), 1024U);
  (void)transfer.start();
  EXPECT_EQ(transfer.on_ack(1, kStart), Action{blocks(2, 2)});
  EXPECT_EQ(transfer.stage(), Stage::mid_file);
  EXPECT_EQ(transfer.on_ack(2, kStart), Action{blocks(3, 3)});
  EXPECT_EQ(transfer.stage(), Stage::final_block);
  EXPECT_TRUE(std::holds_alternative<Finish>(transfer.on_ack(3, kStart)));
}

TEST(TftpTransfer, BlockGeometry) {
  Transfer transfer(settings(1300, 512), kStart);
  EXPECT_EQ(transfer.block_offset(1), 0U);
  EXPECT_EQ(transfer.block_offset(2), 512U);
  EXPECT_EQ(transfer.block_length(3), 276U);
  EXPECT_EQ(transfer.block_length(0), 0U);  // out of range: nothing to read
  EXPECT_EQ(transfer.block_length(4), 0U);
  EXPECT_EQ(Transfer::wire_block(65535), 65535);
  EXPECT_EQ(Transfer::wire_block(65536), 0);
  EXPECT_EQ(Transfer::wire_block(65537), 1);
}

TEST(TftpTransfer, DegenerateSettingsAreMadeSafe) {
  Transfer transfer(settings(10, 0, 0), kStart);
  EXPECT_EQ(transfer.settings().block_size, 1);
  EXPECT_EQ(transfer.settings().window_size, 1);
  EXPECT_EQ(transfer.block_count(), 11U);
  Transfer huge(settings(UINT64_MAX, 1, 65535), kStart);
  const auto first = std::get<SendBlocks>(huge.start());
  EXPECT_EQ(first.last, 65535U);
}

// ---- ACK handling -----------------------------------------------------------------------------

TEST(TftpTransfer, DuplicateOldAndFutureAcksAreIgnored) {
  Transfer transfer(settings(5000), kStart);
  (void)transfer.start();
  EXPECT_EQ(transfer.on_ack(1, kStart), Action{blocks(2, 2)});
  // The Sorcerer's Apprentice: a duplicate ACK 1 must not send block 2 again.
  EXPECT_EQ(transfer.on_ack(1, kStart), Action{Idle{}});
  EXPECT_EQ(transfer.on_ack(0, kStart), Action{Idle{}});
  EXPECT_EQ(transfer.on_ack(3, kStart), Action{Idle{}});      // not sent yet
  EXPECT_EQ(transfer.on_ack(65535, kStart), Action{Idle{}});  // garbage
  EXPECT_EQ(transfer.on_ack(2, kStart), Action{blocks(3, 3)});
}

TEST(TftpTransfer, DuplicateDataAcksNeverMultiplyTraffic) {
  // A classic client re-ACKs every duplicate DATA; after one spurious retransmission each ACK
  // arrives twice. Exactly one send per block must follow.
  Transfer transfer(settings(512 * 20), kStart);
  TimePoint now = kStart;
  (void)transfer.start();
  std::uint64_t sends = 1;
  for (std::uint16_t block = 1; !transfer.finished(); ++block) {
    now += milliseconds(1);
    for (int copy = 0; copy < 2; ++copy) {
      const Action action = transfer.on_ack(block, now);
      if (std::holds_alternative<SendBlocks>(action)) ++sends;
    }
  }
  EXPECT_EQ(sends, transfer.block_count());
}

TEST(TftpTransfer, PacketDispatch) {
  Transfer transfer(settings(5000), kStart);
  (void)transfer.start();
  EXPECT_EQ(transfer.on_packet(Ack{1}, kStart), Action{blocks(2, 2)});
  EXPECT_EQ(transfer.on_packet(Data{2, {1, 2}}, kStart), Action{Idle{}});
  EXPECT_EQ(transfer.on_packet(ReadRequest{"x", "octet", {}}, kStart), Action{Idle{}});
  EXPECT_EQ(transfer.on_packet(OptionAck{}, kStart), Action{Idle{}});
  EXPECT_EQ(transfer.on_packet(Error{ErrorCode::not_defined, "bye"}, kStart),
            Action{(Finish{Outcome::client_error, Stage::mid_file})});
}

// ---- windows (RFC 7440) -----------------------------------------------------------------------

TEST(TftpTransfer, WindowOfFourSendsFourAtATime) {
  Transfer transfer(settings(512 * 10 + 1, 512, 4, true), kStart);
  EXPECT_EQ(transfer.start(), Action{SendOptionAck{false}});
  EXPECT_EQ(transfer.on_ack(0, kStart), Action{blocks(1, 4)});
  EXPECT_EQ(transfer.on_ack(4, kStart), Action{blocks(5, 8)});
  EXPECT_EQ(transfer.on_ack(8, kStart), Action{blocks(9, 11)});  // the window stops at the end
  EXPECT_EQ(transfer.stage(), Stage::final_block);
  EXPECT_TRUE(std::holds_alternative<Finish>(transfer.on_ack(11, kStart)));
}

TEST(TftpTransfer, ShortAckRestartsTheWindowAfterTheAckedBlock) {
  // The client got 1, 2, lost 3: it ACKs 2 and the next window starts at 3.
  Transfer transfer(settings(512 * 20, 512, 4, true), kStart);
  (void)transfer.start();
  (void)transfer.on_ack(0, kStart);
  EXPECT_EQ(transfer.on_ack(2, kStart), Action{blocks(3, 6, true)});
  EXPECT_EQ(transfer.on_ack(2, kStart), Action{Idle{}});  // duplicate
  EXPECT_EQ(transfer.on_ack(6, kStart), Action{blocks(7, 10)});
}

TEST(TftpTransfer, StaleAcksFromReorderingAreIgnored) {
  Transfer transfer(settings(512 * 40, 512, 4, true), kStart);
  (void)transfer.start();
  (void)transfer.on_ack(0, kStart);
  EXPECT_EQ(transfer.on_ack(4, kStart), Action{blocks(5, 8)});
  // An ACK 2 overtaken by ACK 4 arrives now: old, ignored.
  EXPECT_EQ(transfer.on_ack(2, kStart), Action{Idle{}});
  EXPECT_EQ(transfer.on_ack(3, kStart), Action{Idle{}});
  EXPECT_EQ(transfer.on_ack(8, kStart), Action{blocks(9, 12)});
}

TEST(TftpTransfer, WindowTimeoutResendsTheUnacknowledgedWindow) {
  Transfer transfer(settings(512 * 40, 512, 4, true), kStart);
  (void)transfer.start();
  (void)transfer.on_ack(0, kStart);
  EXPECT_EQ(transfer.on_timeout(transfer.deadline()), Action{blocks(1, 4, true)});
}

// ---- wrap past 65535 (spec §6.5 [quirk]) -----------------------------------------------------

void run_across_the_wrap(std::uint16_t window) {
  const std::uint64_t count = 70000;  // blocks, 8 bytes each, the last one short
  Transfer transfer(settings(count * 8 - 3, 8, window, true), kStart);
  ASSERT_EQ(transfer.block_count(), count);
  (void)transfer.start();
  Action action = transfer.on_ack(0, kStart);
  bool saw_block_zero_on_the_wire = false;
  while (const auto* send = std::get_if<SendBlocks>(&action)) {
    for (std::uint64_t b = send->first; b <= send->last; ++b) {
      saw_block_zero_on_the_wire |= Transfer::wire_block(b) == 0;
    }
    EXPECT_FALSE(send->retransmission);
    action = transfer.on_ack(Transfer::wire_block(send->last), kStart);
  }
  EXPECT_TRUE(saw_block_zero_on_the_wire);
  EXPECT_EQ(action, Action{(Finish{Outcome::completed, Stage::final_block})});
  EXPECT_EQ(transfer.blocks_acknowledged(), count);
}

TEST(TftpTransfer, BlockNumbersWrapToZeroWindowOne) {
  run_across_the_wrap(1);
}
TEST(TftpTransfer, BlockNumbersWrapToZeroWindowSixteen) {
  run_across_the_wrap(16);
}

TEST(TftpTransfer, AckZeroAfterTheWrapMeansBlock65536) {
  Transfer transfer(settings(8 * 70000, 8), kStart);
  Action action = transfer.start();
  for (std::uint32_t b = 1; b <= 65535; ++b) {
    action = transfer.on_ack(static_cast<std::uint16_t>(b), kStart);
  }
  EXPECT_EQ(action, Action{blocks(65536, 65536)});
  EXPECT_EQ(transfer.on_ack(65535, kStart), Action{Idle{}});  // duplicate of the last one
  EXPECT_EQ(transfer.on_ack(0, kStart), Action{blocks(65537, 65537)});
}

// ---- timing -----------------------------------------------------------------------------------

TEST(TftpTransfer, EarlyTimeoutIsHarmless) {
  Transfer transfer(settings(5000), kStart);
  (void)transfer.start();
  EXPECT_EQ(transfer.deadline(), kStart + kInitialRetransmissionTimeout);
  EXPECT_EQ(transfer.on_timeout(kStart + milliseconds(999)), Action{Idle{}});
  EXPECT_EQ(transfer.retransmissions(), 0U);
}

TEST(TftpTransfer, LostBlockIsResentWithBackoff) {
  Transfer transfer(settings(5000), kStart);
  (void)transfer.start();
  // 1 s, then doubling: resends at +1, +3, +7, +15, +23 (8 s cap).
  const std::vector<std::int64_t> expected_ms = {1000, 3000, 7000, 15000, 23000};
  for (const auto at : expected_ms) {
    ASSERT_EQ(transfer.deadline(), kStart + milliseconds(at));
    EXPECT_EQ(transfer.on_timeout(transfer.deadline()), Action{blocks(1, 1, true)});
  }
  EXPECT_EQ(transfer.retransmission_timeout(), kMaxRetransmissionTimeout);
  // +31 s would be next, but 30 s without progress ends it first: nothing more is sent.
  EXPECT_EQ(transfer.deadline(), kStart + kGiveUpWithoutProgress);
  EXPECT_EQ(transfer.on_timeout(transfer.deadline()),
            Action{(Finish{Outcome::timed_out, Stage::mid_file})});
  EXPECT_EQ(transfer.retransmissions(), 5U);
  EXPECT_EQ(transfer.deadline(), TimePoint::max());
  EXPECT_FALSE(dnsmasq_reports_sent(Outcome::timed_out, Stage::mid_file));
}

TEST(TftpTransfer, OptionAckIsResentUntilGiveUp) {
  Transfer transfer(settings(5000, 1468, 1, true), kStart);
  (void)transfer.start();
  int resent = 0;
  Action action = Idle{};
  while (!transfer.finished()) {
    action = transfer.on_timeout(transfer.deadline());
    if (action == Action{SendOptionAck{true}}) ++resent;
  }
  EXPECT_EQ(resent, 5);
  EXPECT_EQ(action, Action{(Finish{Outcome::timed_out, Stage::option_ack})});
  EXPECT_TRUE(dnsmasq_reports_sent(Outcome::timed_out, Stage::option_ack));  // [quirk]
}

TEST(TftpTransfer, ProgressPostponesGiveUp) {
  Transfer transfer(settings(512 * 100), kStart);
  (void)transfer.start();
  TimePoint now = kStart;
  for (std::uint16_t block = 1; block <= 10; ++block) {
    now += seconds(20);  // each ACK comes just in time, after retransmissions
    while (transfer.deadline() <= now) (void)transfer.on_timeout(transfer.deadline());
    ASSERT_FALSE(transfer.finished()) << block;
    EXPECT_TRUE(std::holds_alternative<SendBlocks>(transfer.on_ack(block, now)));
  }
  EXPECT_TRUE(transfer.deadline() - now <= kMaxRetransmissionTimeout);
}

TEST(TftpTransfer, LostFinalAckEndsAsSentForDnsmasqLogs) {
  Transfer transfer(settings(100), kStart);
  (void)transfer.start();
  Action action = Idle{};
  while (!transfer.finished()) action = transfer.on_timeout(transfer.deadline());
  EXPECT_EQ(action, Action{(Finish{Outcome::timed_out, Stage::final_block})});
  EXPECT_TRUE(dnsmasq_reports_sent(Outcome::timed_out, Stage::final_block));
}

TEST(TftpTransfer, TimeoutAdaptsToTheRoundTrip) {
  Transfer transfer(settings(512 * 200), kStart);
  (void)transfer.start();
  TimePoint now = kStart;
  for (std::uint16_t block = 1; block <= 50; ++block) {
    now += milliseconds(1);  // a LAN
    (void)transfer.on_ack(block, now);
  }
  EXPECT_EQ(transfer.retransmission_timeout(), kMinRetransmissionTimeout);
  for (std::uint16_t block = 51; block <= 150; ++block) {
    now += milliseconds(600);  // a slow path
    (void)transfer.on_ack(block, now);
  }
  EXPECT_GT(transfer.retransmission_timeout(), milliseconds(600));
  EXPECT_LT(transfer.retransmission_timeout(), seconds(2));
  EXPECT_EQ(transfer.deadline(), now + transfer.retransmission_timeout());
}

TEST(TftpTransfer, RetransmittedBlocksGiveNoRoundTripSample) {
  // Karn: after a resend, an ACK is ambiguous; the backed-off timeout stays.
  Transfer transfer(settings(512 * 10), kStart);
  (void)transfer.start();
  (void)transfer.on_timeout(transfer.deadline());  // resend 1 at +1 s, timeout now 2 s
  ASSERT_EQ(transfer.retransmission_timeout(), seconds(2));
  (void)transfer.on_ack(1, kStart + milliseconds(1001));
  EXPECT_EQ(transfer.retransmission_timeout(), seconds(2));
  (void)transfer.on_ack(2, kStart + milliseconds(1002));  // block 2 went out once: sampled
  EXPECT_EQ(transfer.retransmission_timeout(), kMinRetransmissionTimeout);
}

TEST(TftpTransfer, AckForAResendEndsTheBackOffOnceTheRoundTripIsKnown) {
  // Found by tftp_loss_test.sh: with 5 % loss the doubled timeout stood after each recovered
  // loss, so the link sat idle for seconds at the next one.
  Transfer transfer(settings(512 * 20), kStart);
  (void)transfer.start();
  TimePoint now = kStart;
  for (std::uint16_t block = 1; block <= 5; ++block) {
    now += milliseconds(1);
    (void)transfer.on_ack(block, now);
  }
  ASSERT_EQ(transfer.retransmission_timeout(), kMinRetransmissionTimeout);
  now = transfer.deadline();
  (void)transfer.on_timeout(now);  // block 6 lost: resent, timeout doubled
  now = transfer.deadline();
  (void)transfer.on_timeout(now);  // and again
  ASSERT_EQ(transfer.retransmission_timeout(), kMinRetransmissionTimeout * 4);
  now += milliseconds(1);
  EXPECT_EQ(transfer.on_ack(6, now), Action{blocks(7, 7)});  // the resend arrived: no sample
  EXPECT_EQ(transfer.retransmission_timeout(), kMinRetransmissionTimeout);
  EXPECT_EQ(transfer.deadline(), now + kMinRetransmissionTimeout);
}

TEST(TftpTransfer, NegotiatedTimeoutIsHonoured) {
  TransferSettings s = settings(512 * 10, 512, 1, true);
  s.timeout = seconds(3);
  Transfer transfer(s, kStart);
  (void)transfer.start();
  for (int i = 1; i <= 9; ++i) {
    ASSERT_EQ(transfer.deadline(), kStart + seconds(3 * i));
    EXPECT_EQ(transfer.on_timeout(transfer.deadline()), Action{SendOptionAck{true}});
  }
  EXPECT_EQ(transfer.deadline(), kStart + seconds(30));
  (void)transfer.on_ack(0, kStart + seconds(29));  // no sampling either
  EXPECT_EQ(transfer.retransmission_timeout(), seconds(3));
  EXPECT_EQ(transfer.deadline(), kStart + seconds(32));
}

TEST(TftpTransfer, LongNegotiatedTimeoutGivesUpAfterSixRetransmissions) {
  TransferSettings s = settings(512 * 10);
  s.timeout = seconds(10);
  Transfer transfer(s, kStart);
  (void)transfer.start();
  unsigned resent = 0;
  while (!transfer.finished()) {
    const Action action = transfer.on_timeout(transfer.deadline());
    if (std::holds_alternative<SendBlocks>(action)) ++resent;
  }
  EXPECT_EQ(resent, kRetransmissionsWithNegotiatedTimeout);
  EXPECT_EQ(transfer.settings().timeout, seconds(10));
  EXPECT_EQ(transfer.retransmissions(), resent);
}

TEST(TftpTransfer, SettingsFromNegotiation) {
  Negotiated negotiated;
  negotiated.block_size = 1468;
  negotiated.window_size = 8;
  negotiated.timeout_seconds = 5;
  negotiated.option_ack = {{"blksize", "1468"}};
  const auto s = transfer_settings(negotiated, 123456);
  EXPECT_EQ(s.block_size, 1468);
  EXPECT_EQ(s.window_size, 8);
  EXPECT_EQ(s.file_size, 123456U);
  EXPECT_TRUE(s.option_ack);
  EXPECT_EQ(s.timeout, seconds(5));
  EXPECT_FALSE(transfer_settings(Negotiated{}, 1).option_ack);
}

// ---- errors -----------------------------------------------------------------------------------

TEST(TftpTransfer, ErrorRightAfterOptionAckIsTheUefiProbe) {
  Transfer transfer(settings(1 << 20, 1468, 1, true), kStart);
  (void)transfer.start();
  const Action action = transfer.on_error();
  EXPECT_EQ(action, Action{(Finish{Outcome::aborted_by_client, Stage::option_ack})});
  EXPECT_TRUE(transfer.finished());
  // dnsmasq logs this as `sent` (spec §6.5 [quirk]); the outcome says what it really was.
  EXPECT_TRUE(dnsmasq_reports_sent(Outcome::aborted_by_client, Stage::option_ack));
}

TEST(TftpTransfer, ErrorMidFileIsAClientError) {
  Transfer transfer(settings(1 << 20, 1468, 1, true), kStart);
  (void)transfer.start();
  (void)transfer.on_ack(0, kStart);
  EXPECT_EQ(transfer.on_error(), Action{(Finish{Outcome::client_error, Stage::mid_file})});
  EXPECT_FALSE(dnsmasq_reports_sent(Outcome::client_error, Stage::mid_file));
}

TEST(TftpTransfer, ReadErrorFailsWithErrorZero) {
  Transfer transfer(settings(5000), kStart);
  (void)transfer.start();
  const Action action = transfer.on_read_error("cannot read /srv/tftp/x: Is a directory");
  EXPECT_EQ(action, Action{(Fail{Outcome::read_failed, Stage::mid_file, ErrorCode::not_defined,
                                 "cannot read /srv/tftp/x: Is a directory"})});
  EXPECT_FALSE(dnsmasq_reports_sent(Outcome::read_failed, Stage::final_block));
}

TEST(TftpTransfer, NothingHappensAfterTheEnd) {
  Transfer transfer(settings(0), kStart);
  (void)transfer.start();
  (void)transfer.on_ack(1, kStart);
  ASSERT_TRUE(transfer.finished());
  EXPECT_EQ(transfer.on_ack(1, kStart), Action{Idle{}});
  EXPECT_EQ(transfer.on_timeout(kStart + seconds(100)), Action{Idle{}});
  EXPECT_EQ(transfer.on_error(), Action{Idle{}});
  EXPECT_EQ(transfer.on_read_error("x"), Action{Idle{}});
  EXPECT_EQ(transfer.deadline(), TimePoint::max());
}

// ---- a lossy network -------------------------------------------------------------------------

// An RFC 7440 client behind a link that drops packets at random, in both directions. After
// each burst it ACKs its last in-order block if it saw the burst's last packet (the end of a
// window, or a gap it can report) — and it re-ACKs duplicates, as RFC 1350 clients do.
struct LossySimulation {
  std::uint16_t window;
  int drop_percent;
  std::uint32_t seed;

  void run() const {
    std::mt19937 random(seed);
    std::uniform_int_distribution<int> percent(0, 99);
    const auto dropped = [&] { return percent(random) < drop_percent; };
    Transfer transfer(settings(512 * 300 + 17, 512, window, true), kStart);
    TimePoint now = kStart;
    std::uint64_t next_expected = 1;
    std::uint64_t sent = 0;
    Action action = transfer.start();
    bool option_ack_seen = false;
    while (!transfer.finished()) {
      now += milliseconds(2);
      std::optional<std::uint64_t> ack;
      if (std::holds_alternative<SendOptionAck>(action)) {
        if (!dropped()) {
          option_ack_seen = true;
          ack = 0;
        }
      } else if (const auto* send = std::get_if<SendBlocks>(&action)) {
        bool saw_last = false;
        for (std::uint64_t b = send->first; b <= send->last; ++b) {
          ++sent;
          if (dropped()) continue;
          if (b == next_expected) ++next_expected;
          saw_last = b == send->last;
        }
        if (saw_last) ack = next_expected - 1;
      }
      if (ack && !dropped()) {
        action = transfer.on_ack(Transfer::wire_block(*ack), now);
      } else {
        now = std::max(now, transfer.deadline());
        action = transfer.on_timeout(now);
      }
    }
    ASSERT_TRUE(option_ack_seen);
    EXPECT_EQ(action, Action{(Finish{Outcome::completed, Stage::final_block})})
        << "window " << window << " drop " << drop_percent << " seed " << seed;
    EXPECT_EQ(next_expected, transfer.block_count() + 1);
    // Bounded duplication: no ACK is answered twice, so losses cost resends, never a storm.
    EXPECT_LE(sent, 2 * transfer.block_count())
        << "window " << window << " drop " << drop_percent << " seed " << seed << ": "
        << transfer.retransmissions() << " timeouts";
  }
};

TEST(TftpTransfer, LossyLinkWindowOne) {
  for (std::uint32_t seed = 1; seed <= 5; ++seed) LossySimulation{1, 10, seed}.run();
}
TEST(TftpTransfer, LossyLinkWindowFour) {
  for (std::uint32_t seed = 1; seed <= 5; ++seed) LossySimulation{4, 10, seed}.run();
}
TEST(TftpTransfer, LossyLinkWindowSixteen) {
  for (std::uint32_t seed = 1; seed <= 5; ++seed) LossySimulation{16, 5, seed}.run();
}
TEST(TftpTransfer, PerfectLinkSendsEachBlockOnce) {
  for (const std::uint16_t window : std::initializer_list<std::uint16_t>{1, 4, 16}) {
    Transfer transfer(settings(512 * 100, 512, window, true), kStart);
    (void)transfer.start();
    Action action = transfer.on_ack(0, kStart);
    std::uint64_t sent = 0;
    while (const auto* send = std::get_if<SendBlocks>(&action)) {
      sent += send->last - send->first + 1;
      action = transfer.on_ack(Transfer::wire_block(send->last), kStart);
    }
    EXPECT_EQ(sent, transfer.block_count()) << window;
  }
}

}  // namespace
}  // namespace pxemasq::tftp
