// Address allocation that passes over leased runs (dhcp/address_set.hpp, LeaseTable::
// first_unleased, Exchange::allocate) gives exactly the address of dnsmasq's one-by-one probe
// (spec §4.5): a randomized comparison against a plain implementation of that probe over many
// tables, clustered and scattered, up to full ranges; and AddressSet against std::set.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "config/values.hpp"
#include "dhcp/address_set.hpp"
#include "dhcp/engine.hpp"
#include "dhcp/lease.hpp"
#include "config_text.hpp"

namespace pxemasq::dhcp {
namespace {

std::uint32_t draw(std::mt19937& rng) { return static_cast<std::uint32_t>(rng()); }

// ---- AddressSet against std::set -------------------------------------------------------------

std::optional<std::uint32_t> brute_first_absent(const std::set<std::uint32_t>& set, std::uint32_t from,
                                                std::uint32_t last) {
  for (std::uint64_t a = from; a <= last; ++a) {
    if (set.count(static_cast<std::uint32_t>(a)) == 0) return static_cast<std::uint32_t>(a);
  }
  return std::nullopt;
}

std::optional<std::uint32_t> brute_last_present(const std::set<std::uint32_t>& set, std::uint32_t first,
                                                std::uint32_t last) {
  auto above = set.upper_bound(last);
  if (above == set.begin()) return std::nullopt;
  const std::uint32_t found = *std::prev(above);
  return found >= first ? std::optional<std::uint32_t>(found) : std::nullopt;
}

TEST(AddressSet, MatchesStdSetOnRandomRunsAcrossBlocks) {
  std::mt19937 rng(20261201);
  for (int round = 0; round < 40; ++round) {
    AddressSet set;
    std::set<std::uint32_t> reference;
    const std::uint32_t base = round % 4 == 0 ? 0xFFFFF000U - 9000 : (draw(rng) & 0xFFFF0000U);
    const std::uint32_t span = 12000;
    // Runs of random lengths, so whole words and whole blocks fill up.
    for (int run = 0; run < 30; ++run) {
      const std::uint32_t start = base + draw(rng) % span;
      const std::uint32_t length = 1 + draw(rng) % (run % 3 == 0 ? 5000 : 70);
      for (std::uint32_t a = start; a < start + length && a >= start; ++a) {
        set.insert(a);
        reference.insert(a);
      }
    }
    for (int n = 0; n < 500; ++n) {  // and some holes
      const std::uint32_t a = base + draw(rng) % span;
      set.erase(a);
      reference.erase(a);
    }
    for (int probe = 0; probe < 300; ++probe) {
      const std::uint32_t from = base + draw(rng) % span;
      const std::uint32_t last = from + draw(rng) % 6000;
      const std::uint32_t upper = last < from ? 0xFFFFFFFFU : last;
      ASSERT_EQ(set.contains(from), reference.count(from) == 1);
      ASSERT_EQ(set.first_absent(from, upper), brute_first_absent(reference, from, upper)) << from << ".." << upper;
      ASSERT_EQ(set.last_present(from, upper), brute_last_present(reference, from, upper)) << from << ".." << upper;
    }
  }
}

TEST(AddressSet, EdgesOfTheAddressSpace) {
  AddressSet set;
  EXPECT_EQ(set.first_absent(0xFFFFFFFFU, 0xFFFFFFFFU), 0xFFFFFFFFU);
  set.insert(0xFFFFFFFFU);
  EXPECT_EQ(set.first_absent(0xFFFFFFFFU, 0xFFFFFFFFU), std::nullopt);
  EXPECT_EQ(set.last_present(0, 0xFFFFFFFFU), 0xFFFFFFFFU);
  set.insert(0);
  EXPECT_EQ(set.first_absent(0, 10), 1U);
  EXPECT_EQ(set.last_present(0, 0), 0U);
  EXPECT_EQ(set.first_absent(5, 4), std::nullopt);
}

// ---- the engine's allocation against dnsmasq's probe -----------------------------------------

constexpr std::int64_t kNow = 1'800'000'000;
constexpr std::uint32_t kServer = 0x0A000101;  // 10.0.1.1, inside the range on purpose

std::uint32_t dnsmasq_hash(const std::vector<std::uint8_t>& id) {
  std::uint32_t h = 0;
  for (const std::uint8_t b : id) h = b + (h << 6) + (h << 16) - h;
  return h == 0 ? 1 : h;
}

// Spec §4.5, one address at a time, for one dynamic range and no holds, probes or epochs.
std::optional<std::uint32_t> dnsmasq_choice(const LeaseTable& leases, std::uint32_t first, std::uint32_t last,
                                            const std::vector<std::uint8_t>& mac,
                                            const std::set<std::uint32_t>& reserved) {
  const std::uint32_t size = last - first + 1;
  const std::uint32_t start = first + dnsmasq_hash(mac) % size;
  std::uint32_t a = start;
  do {
    const std::uint32_t top = a >> 24;
    const std::uint32_t low = a & 0xFF;
    const bool classful = top >= 192 && top <= 223 && (low == 0 || low == 255);
    if (a != kServer && leases.find_address(Ipv4{a}) == nullptr && reserved.count(a) == 0 && !classful) return a;
    a = a == last ? first : a + 1;
  } while (a != start);
  return std::nullopt;
}

Arrival arrival() {
  Arrival arrival;
  arrival.interface = "eth0";
  arrival.ifindex = 2;
  arrival.addresses = {{Ipv4{kServer}, Ipv4{0xFFFFF000}, Ipv4{0x0A000FFF}}};  // 10.0.1.1/20
  arrival.to_broadcast = true;
  return arrival;
}

Packet discover(const std::vector<std::uint8_t>& mac) {
  Packet p;
  p.op = 1;
  p.htype = 1;
  p.hlen = static_cast<std::uint8_t>(mac.size());
  p.xid = 1234;
  p.has_cookie = true;
  std::copy(mac.begin(), mac.end(), p.chaddr.begin());
  p.options.push_back({53, {static_cast<std::uint8_t>(MessageType::discover)}});
  return p;
}

std::optional<std::uint32_t> offered(const Outcome& outcome) {
  if (outcome.datagram.size() < 20) return std::nullopt;
  const auto& d = outcome.datagram;
  return (std::uint32_t{d[16]} << 24) | (std::uint32_t{d[17]} << 16) | (std::uint32_t{d[18]} << 8) | d[19];
}

struct Case {
  std::uint32_t first;
  std::uint32_t last;
  const char* range_text;
};

TEST(DhcpAllocation, SameAddressAsDnsmasqProbeOverRandomTables) {
  // A small range (often full or nearly), one across a classful .0/.255 pair, a bigger one.
  const Case cases[] = {
      {0x0A000100, 0x0A00013F, "10.0.1.0,10.0.1.63"},
      {0xC0A800F0, 0xC0A80110, "192.168.0.240,192.168.1.16"},
      {0x0A000010, 0x0A000FF0, "10.0.0.16,10.0.15.240"},
  };
  std::mt19937 rng(4242);
  int compared = 0;
  int none = 0;
  for (const Case& c : cases) {
    const bool classful = (c.first >> 24) == 192;
    std::string text = "dhcp-range=" + std::string(c.range_text) + ",255.255.240.0,12h\nno-ping\n"
                       "dhcp-lease-max=100000\ndhcp-host=02:99:00:00:00:01," +
                       Ipv4{c.first + 3}.to_string() + "\n";
    if (classful) text = "dhcp-range=" + std::string(c.range_text) + ",255.255.0.0,12h\nno-ping\ndhcp-lease-max=100000\n";
    std::string error;
    const auto config = testing::load_config_text(text, &error);
    ASSERT_TRUE(config) << error;
    std::set<std::uint32_t> reserved;
    if (!classful) reserved.insert(c.first + 3);
    Arrival where = arrival();
    if (classful) where.addresses = {{Ipv4{0xC0A80001}, Ipv4{0xFFFF0000}, Ipv4{0xC0A8FFFF}}};
    const std::uint32_t server = classful ? 0xC0A80001 : kServer;

    const std::uint32_t size = c.last - c.first + 1;
    for (int table_no = 0; table_no < 60; ++table_no) {
      LeaseTable leases(100000);
      // Clustered runs (a range filling from one side) plus scattered single leases.
      const double fill = (table_no % 6) / 5.0;  // 0 .. 1 (the last: full)
      std::uint32_t at = c.first + draw(rng) % size;
      std::uint32_t leased = 0;
      const auto target = static_cast<std::uint32_t>(fill * size);
      while (leased < target) {
        const std::uint32_t run = 1 + draw(rng) % (table_no % 2 == 0 ? 200 : 3);
        for (std::uint32_t k = 0; k < run && leased < target; ++k) {
          Lease lease;
          lease.address = Ipv4{at};
          lease.hardware_address = {0x0a, 0, 0, static_cast<std::uint8_t>(at >> 16), static_cast<std::uint8_t>(at >> 8),
                                    static_cast<std::uint8_t>(at)};
          lease.expiry = kNow + 3600;
          if (leases.find_address(lease.address) == nullptr && at != server) {
            leases.upsert(lease);
            ++leased;
          }
          at = at == c.last ? c.first : at + 1;
          if (leased + 1 >= size) break;
        }
        if (leased + 1 >= size) break;
        at = c.first + draw(rng) % size;  // the next run somewhere else
      }
      for (int client = 0; client < 25; ++client) {
        const std::vector<std::uint8_t> mac = {0x02, 0x10, static_cast<std::uint8_t>(draw(rng)), static_cast<std::uint8_t>(draw(rng)),
                                               static_cast<std::uint8_t>(draw(rng)), static_cast<std::uint8_t>(draw(rng))};
        Engine engine(config);  // fresh: no offer holds from earlier clients
        LeaseTable copy = leases;
        const Outcome outcome = engine.handle(discover(mac), where, copy, kNow);
        const auto expected = dnsmasq_choice(leases, c.first, c.last, mac, reserved);
        ASSERT_EQ(offered(outcome), expected) << "range " << c.range_text << " table " << table_no << " client " << client;
        ++compared;
        if (!expected) ++none;
      }
    }
  }
  EXPECT_GT(compared, 4000);
  EXPECT_GT(none, 0);  // full tables were among them
}

// A range filling from one side: the allocator still finds the single free address.
TEST(DhcpAllocation, LongLeasedRunIsPassedInOneStep) {
  std::string error;
  const auto config = testing::load_config_text("dhcp-range=10.0.0.16,10.0.15.240,255.255.240.0,12h\nno-ping\n"
                                                "dhcp-lease-max=100000\n", &error);
  ASSERT_TRUE(config) << error;
  LeaseTable leases(100000);
  const std::uint32_t hole = 0x0A000A0B;
  for (std::uint32_t a = 0x0A000010; a <= 0x0A000FF0; ++a) {
    if (a == hole || a == kServer) continue;
    Lease lease;
    lease.address = Ipv4{a};
    lease.hardware_address = {0x0a, 0, 0, 0, static_cast<std::uint8_t>(a >> 8), static_cast<std::uint8_t>(a)};
    leases.upsert(lease);
  }
  Engine engine(config);
  const Outcome outcome = engine.handle(discover({0x02, 1, 2, 3, 4, 5}), arrival(), leases, kNow);
  EXPECT_EQ(offered(outcome), hole);
}

}  // namespace
}  // namespace pxemasq::dhcp
