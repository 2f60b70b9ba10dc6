// Regressions found by the integration tests (dhcp_hostile) and the fuzzer (fuzz_dhcp_engine),
// each reduced to the shortest packet sequence that shows it.

#include <gtest/gtest.h>

#include <algorithm>

#include "config/loader.hpp"
#include "config/option_table.hpp"
#include "config/values.hpp"
#include "dhcp/engine.hpp"
#include "config_text.hpp"

namespace pxemasq::dhcp {
namespace {

constexpr std::int64_t kNow = 1'800'000'000;

constexpr const char* kSeed = testing::kSeedConfig;

std::shared_ptr<const config::Config> load(const std::string& text) {
  std::string error;
  auto config = testing::load_config_text(text, &error);
  if (!config) {
    ADD_FAILURE() << error;
    return std::make_shared<config::Config>();
  }
  return config;
}

Ipv4 ip(const char* text) { return *config::parse_ipv4(text); }

std::vector<std::uint8_t> be(Ipv4 a) {
  const auto b = a.bytes();
  return {b.begin(), b.end()};
}

Packet request(MessageType type, std::vector<std::uint8_t> mac, std::vector<Option> options = {}) {
  Packet p;
  p.op = 1;
  p.htype = 1;
  p.hlen = static_cast<std::uint8_t>(mac.size());
  p.xid = 0x5eed;
  p.has_cookie = true;
  std::copy(mac.begin(), mac.end(), p.chaddr.begin());
  p.options.push_back({53, {static_cast<std::uint8_t>(type)}});
  for (auto& o : options) p.options.push_back(std::move(o));
  return p;
}

std::vector<std::uint8_t> mac_n(std::uint8_t n) { return {0x02, 0x70, 0x78, 0x71, 0x05, n}; }

std::optional<Ipv4> offered(const Outcome& outcome) {
  if (outcome.datagram.size() < 240) return std::nullopt;
  auto copy = outcome.datagram;
  copy[0] = 1;
  const auto parsed = parse(copy);
  const auto* p = std::get_if<Packet>(&parsed);
  if (p == nullptr || p->message_type() != MessageType::offer) return std::nullopt;
  return p->yiaddr;
}

struct Lab {
  std::shared_ptr<const config::Config> config;
  Engine engine;
  LeaseTable leases;
  Arrival arrival;

  explicit Lab(const std::string& text = kSeed) : config(load(text)), engine(config), leases(1000) {
    arrival.interface = "ens33";
    arrival.ifindex = 2;
    arrival.addresses = {{ip("192.168.1.70"), ip("255.255.255.0"), ip("192.168.1.255")}};
  }
  // As the daemon: a requested conflict probe gets no answer, then the request is handled again.
  Outcome handle(const Packet& p, std::int64_t now = kNow) {
    Outcome outcome = engine.handle(p, arrival, leases, now);
    for (int i = 0; outcome.probe && i < 8; ++i) {
      engine.probe_result(*outcome.probe, false, now);
      outcome = engine.handle(p, arrival, leases, now);
    }
    return outcome;
  }
};

// dhcp_hostile: one client's DISCOVERs, each asking for another address with option 50, got every
// address of the 21-address seed pool offered and held (one hold per DISCOVER, none released),
// so for kOfferHoldSeconds no other client got an OFFER ("no address available"). The hold is
// meant to be one offered address for its client (issue 3); one client must hold at most one.
TEST(DhcpEngineRegression, OneClientCannotHoldTheWholePool) {
  Lab lab;
  for (std::uint32_t i = 0; i < 21; ++i) {
    const Ipv4 wanted{ip("192.168.1.230").value + i};
    const auto got = offered(lab.handle(request(MessageType::discover, mac_n(1), {{50, be(wanted)}})));
    ASSERT_TRUE(got.has_value()) << "DISCOVER " << i;
  }
  const auto other = offered(lab.handle(request(MessageType::discover, mac_n(2))));
  EXPECT_TRUE(other.has_value()) << "another client got no OFFER: the pool is held by one client";
}

// dhcp_hostile (starvation): DISCOVERs from more MACs than the pool holds, no REQUEST. dnsmasq
// keeps no offer state and still offers an address to the next client (the loser of a race is
// NAKed at REQUEST time); the hold is a preference, so when every free address is held the
// engine must still offer one rather than answer nothing.
TEST(DhcpEngineRegression, OfferHoldsDoNotStarveTheNextClient) {
  Lab lab;
  for (std::uint8_t n = 0; n < 21; ++n) {
    ASSERT_TRUE(offered(lab.handle(request(MessageType::discover, mac_n(n)))).has_value()) << "MAC " << int{n};
  }
  const auto late = offered(lab.handle(request(MessageType::discover, mac_n(100))));
  EXPECT_TRUE(late.has_value()) << "the 22nd client got no OFFER while no address is leased";
}

// fuzz_dhcp_engine (crash-39fb6b4c: "ARP injection names a real address" trapped): a REQUEST
// that is NAKed, sent unicast to the server (IP destination not 255.255.255.255) from a source
// off the server's subnets (0.0.0.0 here, as from a client without an address) and not relayed,
// with ciaddr 0. Exchange::nak() then left the broadcast flag clear and ciaddr 0, so
// set_destination() chose rule 5: unicast to yiaddr = 0.0.0.0 with an ARP injection of 0.0.0.0
// (the daemon writes an ARP entry for 0.0.0.0 and sends the NAK to 0.0.0.0, i.e. to itself; the
// client never hears it). dnsmasq (rfc2131.c, DHCPREQUEST, the NAK branch) broadcasts unless
// the request was unicast AND giaddr == 0 AND ciaddr != 0 AND ciaddr is off the range's subnet:
// it tests ciaddr (already 0 for option-50 requests, spec §4.1), not the source address.
TEST(DhcpEngineRegression, UnicastNakWithoutCiaddrIsBroadcastNotSentTo0000) {
  Lab lab;
  lab.arrival.to_broadcast = false;
  lab.arrival.source = Ipv4{0};
  Packet selecting = request(MessageType::request, mac_n(7),
                             {{50, be(ip("192.168.1.100"))}, {54, be(ip("192.168.1.70"))}});
  const Outcome outcome = lab.handle(selecting);
  ASSERT_FALSE(outcome.datagram.empty());
  auto copy = outcome.datagram;
  copy[0] = 1;
  const auto parsed = parse(copy);
  ASSERT_TRUE(std::holds_alternative<Packet>(parsed));
  const Packet& nak = std::get<Packet>(parsed);
  EXPECT_EQ(nak.message_type(), MessageType::nak);
  EXPECT_NE(nak.flags & kBroadcastFlag, 0) << "the NAK must be broadcast (dnsmasq: ciaddr == 0)";
  EXPECT_EQ(outcome.destination.kind, Destination::Kind::broadcast);
  EXPECT_FALSE(outcome.destination.inject_arp);
  EXPECT_NE(outcome.destination.address, Ipv4{0});
}

}  // namespace
}  // namespace pxemasq::dhcp
