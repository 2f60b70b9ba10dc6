// The lease table against spec §4.3 step 1 (client lookup), §5 (order, expiry, dirty) and
// dhcp-lease-max: lookups, replacement, removal, pruning with an injected clock, the newest-first
// order and highest_in for dhcp-sequential-ip.

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "dhcp/lease.hpp"

namespace pxemasq::dhcp {
namespace {

using Bytes = std::vector<std::uint8_t>;

const Bytes kMacA = {0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc};
const Bytes kMacB = {0x52, 0x54, 0x00, 0xaa, 0xbb, 0xdd};
const Bytes kClientIdA = {0x01, 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc};
const Bytes kClientIdB = {0xff, 0x00, 0x00, 0x00, 0x01};

Ipv4 ip(std::uint8_t last) {
  return Ipv4{0xC0A80100U | last};
}  // 192.168.1.last

Lease lease_of(std::uint8_t last, Bytes mac, Bytes client_id = {}, std::int64_t expiry = 0,
               std::string hostname = {}) {
  Lease lease;
  lease.address = ip(last);
  lease.hardware_address = std::move(mac);
  lease.client_id = std::move(client_id);
  lease.expiry = expiry;
  lease.hostname = std::move(hostname);
  return lease;
}

std::vector<Ipv4> order_of(const LeaseTable& table) {
  std::vector<Ipv4> order;
  for (const Lease* lease : table.newest_first()) order.push_back(lease->address);
  return order;
}

// ---- lookups ---------------------------------------------------------------------------------

TEST(DhcpLeaseLookup, FindAddress) {
  LeaseTable table;
  ASSERT_TRUE(table.upsert(lease_of(230, kMacA)));
  ASSERT_NE(table.find_address(ip(230)), nullptr);
  EXPECT_EQ(table.find_address(ip(230))->hardware_address, kMacA);
  EXPECT_EQ(table.find_address(ip(231)), nullptr);
  EXPECT_EQ(LeaseTable{}.find_address(ip(230)), nullptr);
}

TEST(DhcpLeaseLookup, ClientIdComesFirst) {
  LeaseTable table;
  table.upsert(lease_of(230, kMacA, kClientIdB));  // the client-id's lease
  table.upsert(lease_of(231, kMacB));              // the MAC's lease, no client-id
  const Lease* found = table.find_client(kClientIdB, 1, kMacB);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->address, ip(230));
}

TEST(DhcpLeaseLookup, ClientIdMatchIgnoresHardwareAddressAndType) {
  LeaseTable table;
  table.upsert(lease_of(230, kMacA, kClientIdA));
  const Lease* found = table.find_client(kClientIdA, 6, kMacB);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->address, ip(230));
}

TEST(DhcpLeaseLookup, MacMatchesWhenTheRequestHasNoClientId) {
  LeaseTable table;
  table.upsert(lease_of(230, kMacA, kClientIdA));
  const Lease* found = table.find_client({}, 1, kMacA);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->address, ip(230));
}

TEST(DhcpLeaseLookup, MacMatchesWhenTheLeaseHasNoClientId) {
  LeaseTable table;
  table.upsert(lease_of(230, kMacA));
  const Lease* found = table.find_client(kClientIdA, 1, kMacA);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->address, ip(230));
}

TEST(DhcpLeaseLookup, NoMacMatchWhenBothSidesHaveClientIds) {
  // A PXE ROM and the OS it boots share a MAC but send different client-ids: two clients.
  LeaseTable table;
  table.upsert(lease_of(230, kMacA, kClientIdA));
  EXPECT_EQ(table.find_client(kClientIdB, 1, kMacA), nullptr);
}

TEST(DhcpLeaseLookup, HtypeMustMatch) {
  LeaseTable table;
  table.upsert(lease_of(230, kMacA));
  EXPECT_EQ(table.find_client({}, 6, kMacA), nullptr);
  EXPECT_NE(table.find_client({}, 1, kMacA), nullptr);

  Lease token_ring = lease_of(231, kMacB);
  token_ring.htype = 6;
  table.upsert(token_ring);
  EXPECT_EQ(table.find_client({}, 1, kMacB), nullptr);
  ASSERT_NE(table.find_client({}, 6, kMacB), nullptr);
  EXPECT_EQ(table.find_client({}, 6, kMacB)->address, ip(231));
}

TEST(DhcpLeaseLookup, HardwareAddressLengthIsPartOfTheMatch) {
  LeaseTable table;
  table.upsert(lease_of(230, kMacA));
  const Bytes longer = {0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc, 0x00};
  EXPECT_EQ(table.find_client({}, 1, longer), nullptr);
  EXPECT_EQ(table.find_client({}, 1, Bytes(kMacA.begin(), kMacA.begin() + 5)), nullptr);
}

TEST(DhcpLeaseLookup, EmptyHardwareAddressNeverMatchesByMac) {
  LeaseTable table;
  table.upsert(lease_of(230, {}));  // hlen 0, no client-id
  EXPECT_EQ(table.find_client({}, 1, {}), nullptr);
  EXPECT_EQ(table.find_client(kClientIdA, 1, {}), nullptr);
  EXPECT_NE(table.find_address(ip(230)), nullptr);
}

TEST(DhcpLeaseLookup, NothingMatchesAnEmptyTableOrAnEmptyRequest) {
  LeaseTable table;
  EXPECT_EQ(table.find_client(kClientIdA, 1, kMacA), nullptr);
  table.upsert(lease_of(230, kMacA, kClientIdA));
  EXPECT_EQ(table.find_client({}, 1, {}), nullptr);
}

TEST(DhcpLeaseLookup, NewestOfSeveralMatchesWins) {
  LeaseTable table;
  table.upsert(lease_of(230, kMacA));
  table.upsert(lease_of(231, kMacA));  // newer, same MAC, no client-id
  ASSERT_NE(table.find_client({}, 1, kMacA), nullptr);
  EXPECT_EQ(table.find_client({}, 1, kMacA)->address, ip(231));
  table.upsert(lease_of(240, kMacB, kClientIdB));
  table.upsert(lease_of(241, kMacB, kClientIdB));
  EXPECT_EQ(table.find_client(kClientIdB, 1, kMacB)->address, ip(241));
  table.remove(ip(241));
  EXPECT_EQ(table.find_client(kClientIdB, 1, kMacB)->address, ip(240));
}

// ---- upsert, replace, remove -----------------------------------------------------------------

TEST(DhcpLeaseUpsert, InsertMarksDirtyAndMarkCleanClears) {
  LeaseTable table;
  EXPECT_FALSE(table.dirty());
  table.upsert(lease_of(230, kMacA));
  EXPECT_TRUE(table.dirty());
  table.mark_clean();
  EXPECT_FALSE(table.dirty());
  EXPECT_EQ(table.size(), 1U);
}

TEST(DhcpLeaseUpsert, RenewalUpdatesFieldsAndKeepsItsPlace) {
  LeaseTable table;
  table.upsert(lease_of(230, kMacA, kClientIdA, 1000));
  table.upsert(lease_of(231, kMacB, {}, 1000));
  table.mark_clean();
  ASSERT_TRUE(table.upsert(lease_of(230, kMacA, kClientIdA, 5000, "esxi01")));
  EXPECT_TRUE(table.dirty());
  EXPECT_EQ(table.size(), 2U);
  EXPECT_EQ(order_of(table), (std::vector<Ipv4>{ip(231), ip(230)}));
  EXPECT_EQ(table.find_address(ip(230))->expiry, 5000);
  EXPECT_EQ(table.find_address(ip(230))->hostname, "esxi01");
}

TEST(DhcpLeaseUpsert, IdenticalRenewalIsNotDirty) {
  LeaseTable table;
  Lease lease = lease_of(230, kMacA, kClientIdA, 1000);
  table.upsert(lease);
  table.mark_clean();
  table.upsert(lease);  // identical
  EXPECT_FALSE(table.dirty());
  EXPECT_TRUE(table.take_changes().size() == 1);  // the insert only
}

TEST(DhcpLeaseUpsert, ReplacementReindexes) {
  LeaseTable table;
  table.upsert(lease_of(230, kMacA, kClientIdA, 1000));
  // Same MAC, now with another client-id (the OS after the PXE ROM): same client by MAC.
  table.upsert(lease_of(230, kMacA, kClientIdB, 2000));
  EXPECT_EQ(table.find_client(kClientIdA, 1, kMacB), nullptr);
  ASSERT_NE(table.find_client(kClientIdB, 1, kMacB), nullptr);
  EXPECT_EQ(table.next_expiry(), 2000);
  EXPECT_EQ(table.prune_expired(1500), 0U);
  EXPECT_EQ(table.size(), 1U);
}

TEST(DhcpLeaseUpsert, AnotherClientTakingTheAddressIsNew) {
  LeaseTable table;
  table.upsert(lease_of(230, kMacA, kClientIdA));
  table.upsert(lease_of(231, kMacB));
  table.upsert(lease_of(230, Bytes{0x02, 0, 0, 0, 0, 1}, {}, 0, "taker"));
  EXPECT_EQ(table.size(), 2U);
  EXPECT_EQ(order_of(table), (std::vector<Ipv4>{ip(230), ip(231)}));
  EXPECT_EQ(table.find_client(kClientIdA, 1, kMacA), nullptr);
  EXPECT_EQ(table.find_address(ip(230))->hostname, "taker");
}

TEST(DhcpLeaseUpsert, RemoveDropsEveryIndex) {
  LeaseTable table;
  table.upsert(lease_of(230, kMacA, kClientIdA, 1000));
  table.mark_clean();
  table.remove(ip(230));
  EXPECT_TRUE(table.dirty());
  EXPECT_EQ(table.size(), 0U);
  EXPECT_EQ(table.find_address(ip(230)), nullptr);
  EXPECT_EQ(table.find_client(kClientIdA, 1, kMacA), nullptr);
  EXPECT_EQ(table.find_client({}, 1, kMacA), nullptr);
  EXPECT_EQ(table.next_expiry(), std::nullopt);
  EXPECT_EQ(table.highest_in(ip(0), ip(255)), std::nullopt);
}

TEST(DhcpLeaseUpsert, RemovingAnUnknownAddressChangesNothing) {
  LeaseTable table;
  table.upsert(lease_of(230, kMacA));
  table.mark_clean();
  table.remove(ip(231));
  EXPECT_FALSE(table.dirty());
  EXPECT_EQ(table.size(), 1U);
}

// ---- dhcp-lease-max --------------------------------------------------------------------------

TEST(DhcpLeaseMax, FullTableRefusesNewAddressesOnly) {
  LeaseTable table(2);
  EXPECT_EQ(table.max_leases(), 2U);
  EXPECT_TRUE(table.upsert(lease_of(230, kMacA)));
  EXPECT_FALSE(table.full());
  EXPECT_TRUE(table.upsert(lease_of(231, kMacB)));
  EXPECT_TRUE(table.full());
  table.mark_clean();
  EXPECT_FALSE(table.upsert(lease_of(232, Bytes{2, 0, 0, 0, 0, 3})));
  EXPECT_FALSE(table.dirty());
  EXPECT_EQ(table.find_address(ip(232)), nullptr);
  // Renewals and take-overs of a leased address still work.
  EXPECT_TRUE(table.upsert(lease_of(230, kMacA, {}, 99)));
  EXPECT_TRUE(table.upsert(lease_of(231, Bytes{2, 0, 0, 0, 0, 4})));
  EXPECT_EQ(table.size(), 2U);
  table.remove(ip(230));
  EXPECT_TRUE(table.upsert(lease_of(232, Bytes{2, 0, 0, 0, 0, 3})));
}

TEST(DhcpLeaseMax, ZeroMaxHoldsNothing) {
  LeaseTable table(0);
  EXPECT_TRUE(table.full());
  EXPECT_FALSE(table.upsert(lease_of(230, kMacA)));
}

// ---- expiry ----------------------------------------------------------------------------------

TEST(DhcpLeaseExpiry, PruneRemovesExactlyTheExpired) {
  LeaseTable table;
  table.upsert(lease_of(230, kMacA, {}, 1000));
  table.upsert(lease_of(231, kMacB, {}, 2000));
  table.upsert(lease_of(232, Bytes{2, 0, 0, 0, 0, 3}, {}, 0));  // infinite
  table.mark_clean();
  EXPECT_EQ(table.next_expiry(), 1000);
  EXPECT_EQ(table.prune_expired(999), 0U);
  EXPECT_FALSE(table.dirty());
  EXPECT_EQ(table.prune_expired(1000), 1U);  // now >= expiry
  EXPECT_TRUE(table.dirty());
  EXPECT_EQ(table.find_address(ip(230)), nullptr);
  EXPECT_EQ(table.next_expiry(), 2000);
  EXPECT_EQ(table.prune_expired(1'000'000'000'000), 1U);
  EXPECT_EQ(table.size(), 1U);
  EXPECT_NE(table.find_address(ip(232)), nullptr);
  EXPECT_EQ(table.next_expiry(), std::nullopt);
}

TEST(DhcpLeaseExpiry, RenewalMovesTheExpiry) {
  LeaseTable table;
  table.upsert(lease_of(230, kMacA, {}, 1000));
  table.upsert(lease_of(230, kMacA, {}, 3000));
  EXPECT_EQ(table.prune_expired(2000), 0U);
  EXPECT_EQ(table.prune_expired(3000), 1U);
}

TEST(DhcpLeaseExpiry, ManyWithTheSameExpiry) {
  LeaseTable table;
  for (std::uint8_t i = 1; i <= 100; ++i)
    table.upsert(lease_of(i, Bytes{2, 0, 0, 0, 0, i}, {}, 50));
  EXPECT_EQ(table.prune_expired(50), 100U);
  EXPECT_EQ(table.size(), 0U);
}

// ---- order and highest_in --------------------------------------------------------------------

TEST(DhcpLeaseOrder, NewestFirst) {
  LeaseTable table;
  table.upsert(lease_of(240, kMacA));
  table.upsert(lease_of(230, kMacB));
  table.upsert(lease_of(235, Bytes{2, 0, 0, 0, 0, 3}));
  EXPECT_EQ(order_of(table), (std::vector<Ipv4>{ip(235), ip(230), ip(240)}));
  table.remove(ip(230));
  table.upsert(lease_of(231, Bytes{2, 0, 0, 0, 0, 4}));
  EXPECT_EQ(order_of(table), (std::vector<Ipv4>{ip(231), ip(235), ip(240)}));
}

TEST(DhcpLeaseOrder, HighestIn) {
  LeaseTable table;
  EXPECT_EQ(table.highest_in(ip(230), ip(250)), std::nullopt);
  table.upsert(lease_of(229, kMacA));
  table.upsert(lease_of(235, kMacB));
  table.upsert(lease_of(240, Bytes{2, 0, 0, 0, 0, 3}));
  table.upsert(lease_of(251, Bytes{2, 0, 0, 0, 0, 4}));
  EXPECT_EQ(table.highest_in(ip(230), ip(250)), ip(240));
  EXPECT_EQ(table.highest_in(ip(230), ip(240)), ip(240));  // inclusive end
  EXPECT_EQ(table.highest_in(ip(230), ip(239)), ip(235));
  EXPECT_EQ(table.highest_in(ip(235), ip(235)), ip(235));
  EXPECT_EQ(table.highest_in(ip(236), ip(239)), std::nullopt);
  EXPECT_EQ(table.highest_in(ip(252), ip(255)), std::nullopt);
  EXPECT_EQ(table.highest_in(ip(0), ip(228)), std::nullopt);
  EXPECT_EQ(table.highest_in(ip(250), ip(230)), std::nullopt);  // empty range
  EXPECT_EQ(table.highest_in(Ipv4{0}, Ipv4{0xFFFFFFFFU}), ip(251));
}

// ---- copies ----------------------------------------------------------------------------------

TEST(DhcpLeaseCopy, CopyIsDeep) {
  LeaseTable original(10);
  original.upsert(lease_of(230, kMacA, kClientIdA, 1000));
  original.upsert(lease_of(231, kMacB, {}, 2000));
  LeaseTable copy(original);
  EXPECT_EQ(copy.size(), 2U);
  EXPECT_EQ(copy.max_leases(), 10U);
  EXPECT_TRUE(copy.dirty());
  EXPECT_NE(copy.find_address(ip(230)), original.find_address(ip(230)));
  EXPECT_EQ(*copy.find_address(ip(230)), *original.find_address(ip(230)));
  EXPECT_EQ(order_of(copy), order_of(original));

  copy.remove(ip(230));
  copy.upsert(lease_of(231, kMacB, {}, 9000));
  EXPECT_NE(original.find_client(kClientIdA, 1, kMacA), nullptr);
  EXPECT_EQ(original.find_address(ip(231))->expiry, 2000);
  EXPECT_EQ(copy.find_client(kClientIdA, 1, kMacA), nullptr);

  LeaseTable assigned;
  assigned = original;
  original.prune_expired(5000);
  EXPECT_EQ(original.size(), 0U);
  EXPECT_EQ(assigned.size(), 2U);
  EXPECT_EQ(assigned.find_client({}, 1, kMacB)->address, ip(231));
  EXPECT_EQ(assigned.prune_expired(1500), 1U);
  // Sequence numbers are copied: a new lease in the copy is still the newest.
  assigned.upsert(lease_of(200, Bytes{2, 0, 0, 0, 0, 9}));
  EXPECT_EQ(order_of(assigned).front(), ip(200));
}

TEST(DhcpLeaseCopy, MoveKeepsIndexes) {
  LeaseTable table;
  table.upsert(lease_of(230, kMacA, kClientIdA, 1000));
  LeaseTable moved(std::move(table));
  ASSERT_NE(moved.find_client(kClientIdA, 1, kMacA), nullptr);
  moved.remove(ip(230));
  EXPECT_EQ(moved.size(), 0U);
  LeaseTable target;
  target = std::move(moved);
  target.upsert(lease_of(231, kMacB));
  EXPECT_NE(target.find_client({}, 1, kMacB), nullptr);
}

// ---- scale -----------------------------------------------------------------------------------

TEST(DhcpLeaseScale, HundredThousandLeases) {
  constexpr std::uint32_t kCount = 100'000;
  LeaseTable table(kCount);
  const auto mac_of = [](std::uint32_t i) {
    return Bytes{0x02,
                 0x00,
                 static_cast<std::uint8_t>(i >> 24),
                 static_cast<std::uint8_t>(i >> 16),
                 static_cast<std::uint8_t>(i >> 8),
                 static_cast<std::uint8_t>(i)};
  };
  for (std::uint32_t i = 0; i < kCount; ++i) {
    Lease lease;
    lease.address = Ipv4{0x0A000000U + i};
    lease.hardware_address = mac_of(i);
    lease.expiry = 1000 + i;
    ASSERT_TRUE(table.upsert(std::move(lease)));
  }
  EXPECT_TRUE(table.full());
  for (std::uint32_t i = 0; i < kCount; i += 7) {
    const Lease* found = table.find_client({}, 1, mac_of(i));
    ASSERT_NE(found, nullptr);
    ASSERT_EQ(found->address, Ipv4{0x0A000000U + i});
  }
  EXPECT_EQ(table.highest_in(Ipv4{0x0A000000U}, Ipv4{0x0AFFFFFFU}), Ipv4{0x0A000000U + kCount - 1});
  EXPECT_EQ(table.prune_expired(1000 + kCount / 2 - 1), kCount / 2);
  EXPECT_EQ(table.size(), kCount / 2);
}

}  // namespace
}  // namespace pxemasq::dhcp
