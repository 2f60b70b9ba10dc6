// dhcp::OfferHolds: one hold per client and per address, expiry, and the lease-file snapshot
// delay that grows with the table (daemon::snapshot_delay).
#include <gtest/gtest.h>

#include "daemon/dhcp_service.hpp"
#include "dhcp/offer_holds.hpp"

namespace pxemasq::dhcp {
namespace {

const OfferHolds::ClientId kAlice{1, 2, 3};
const OfferHolds::ClientId kBob{4, 5, 6};

TEST(OfferHolds, HeldOnlyForOthersAndOnlyUntilItsTime) {
  OfferHolds holds;
  holds.hold(10, kAlice, 100);
  EXPECT_TRUE(holds.held_for_other(10, kBob, 99));
  EXPECT_FALSE(holds.held_for_other(10, kAlice, 99));
  EXPECT_FALSE(holds.held_for_other(10, kBob, 100)) << "the hold ends at its time, swept or not";
  EXPECT_FALSE(holds.held_for_other(11, kBob, 99));
}

TEST(OfferHolds, ANewOfferMovesTheClientsHold) {
  OfferHolds holds;
  holds.hold(10, kAlice, 100);
  holds.hold(11, kAlice, 100);
  EXPECT_FALSE(holds.held_for_other(10, kBob, 50));
  EXPECT_TRUE(holds.held_for_other(11, kBob, 50));
  EXPECT_EQ(holds.size(), 1u);
}

TEST(OfferHolds, AnAddressHeldAgainBelongsToTheNewClientOnly) {
  OfferHolds holds;
  holds.hold(10, kAlice, 100);
  holds.hold(10, kBob, 120);
  EXPECT_TRUE(holds.held_for_other(10, kAlice, 110));
  EXPECT_FALSE(holds.held_for_other(10, kBob, 110));
  holds.hold(12, kAlice, 130);  // Alice's old hold was taken over: nothing of Bob's goes
  EXPECT_TRUE(holds.held_for_other(10, kAlice, 110));
  EXPECT_EQ(holds.size(), 2u);
}

TEST(OfferHolds, ReleaseAndExpireForgetEveryIndex) {
  OfferHolds holds;
  holds.hold(10, kAlice, 100);
  holds.hold(11, kBob, 200);
  holds.release(10);
  holds.release(99);  // not held: nothing happens
  EXPECT_EQ(holds.size(), 1u);
  holds.expire(199);
  EXPECT_EQ(holds.size(), 1u);
  holds.expire(200);
  EXPECT_EQ(holds.size(), 0u);
  holds.hold(11, kAlice, 300);  // no stale client or expiry entry interferes
  holds.expire(250);
  EXPECT_TRUE(holds.held_for_other(11, kBob, 250));
}

TEST(OfferHolds, ManyClientsStayConsistent) {
  OfferHolds holds;
  for (std::uint32_t i = 0; i < 1000; ++i) {
    holds.hold(i, {static_cast<std::uint8_t>(i & 0xff), static_cast<std::uint8_t>(i >> 8)}, 100 + i % 7);
  }
  EXPECT_EQ(holds.size(), 1000u);
  holds.expire(102);  // until 100, 101, 102 go: i % 7 in {0, 1, 2}
  std::size_t expected = 0;
  for (std::uint32_t i = 0; i < 1000; ++i) expected += i % 7 > 2;
  EXPECT_EQ(holds.size(), expected);
}

}  // namespace
}  // namespace pxemasq::dhcp

namespace pxemasq::daemon {
namespace {

TEST(SnapshotDelay, HalfASecondForSmallTablesGrowingWithTheTable) {
  using std::chrono::milliseconds;
  EXPECT_EQ(snapshot_delay(0), milliseconds(500));
  EXPECT_EQ(snapshot_delay(20000), milliseconds(500));
  EXPECT_EQ(snapshot_delay(20001), milliseconds(1000));
  EXPECT_EQ(snapshot_delay(100000), milliseconds(2500));
  EXPECT_EQ(snapshot_delay(10000000), milliseconds(5000));
}

}  // namespace
}  // namespace pxemasq::daemon
