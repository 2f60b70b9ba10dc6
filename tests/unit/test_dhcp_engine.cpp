// The DHCP engine against dnsmasq's behaviour (spec §4): the seed config's flow, address choice
// by dnsmasq's MAC hash (addresses checked against a real dnsmasq 2.90 in a namespace lab),
// REQUEST states and their NAKs, RELEASE/DECLINE, relays, tags and boot files, log lines.

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

Arrival seed_arrival() {
  Arrival arrival;
  arrival.interface = "ens33";
  arrival.ifindex = 2;
  arrival.addresses = {{Ipv4{0xC0A80146}, Ipv4{0xFFFFFF00}, Ipv4{0xC0A801FF}}};  // 192.168.1.70/24
  arrival.source = Ipv4{0};
  arrival.to_broadcast = true;
  return arrival;
}

Ipv4 ip(const char* text) { return *config::parse_ipv4(text); }

std::vector<std::uint8_t> be(Ipv4 a) {
  const auto b = a.bytes();
  return {b.begin(), b.end()};
}

// A client request: MAC, message type and options.
Packet request(MessageType type, std::vector<std::uint8_t> mac = {0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc},
               std::vector<Option> options = {}) {
  Packet p;
  p.op = 1;
  p.htype = 1;
  p.hlen = static_cast<std::uint8_t>(mac.size());
  p.xid = 725372254;
  p.has_cookie = true;
  std::copy(mac.begin(), mac.end(), p.chaddr.begin());
  p.options.push_back({53, {static_cast<std::uint8_t>(type)}});
  for (auto& o : options) p.options.push_back(std::move(o));
  return p;
}

// The EDK2 (OVMF) PXE client's parameter request list (spec §7.7).
Option uefi_prl() {
  return {55, {1, 2, 3, 4, 5, 6, 12, 13, 15, 17, 18, 22, 23, 28, 40, 41, 42, 43, 50, 51, 54, 58, 59,
               60, 66, 67, 97, 128, 129, 130, 131, 132, 133, 134, 135}};
}

Packet reply_of(const Outcome& outcome) {
  auto parsed = parse(outcome.datagram);
  // Replies have op 2, which parse() refuses as a request: flip it to read the rest.
  if (std::holds_alternative<DropReason>(parsed) && outcome.datagram.size() > 0) {
    auto copy = outcome.datagram;
    copy[0] = 1;
    parsed = parse(copy);
  }
  EXPECT_TRUE(std::holds_alternative<Packet>(parsed));
  return std::holds_alternative<Packet>(parsed) ? std::get<Packet>(parsed) : Packet{};
}

std::vector<std::uint8_t> option_codes(const Packet& p) {
  std::vector<std::uint8_t> codes;
  for (const auto& o : p.options) codes.push_back(o.code);
  return codes;
}

std::vector<std::string> texts(const Outcome& outcome) {
  std::vector<std::string> out;
  for (const auto& line : outcome.log) out.push_back(line.text);
  return out;
}

struct Lab {
  std::shared_ptr<const config::Config> config;
  Engine engine;
  LeaseTable leases;
  Arrival arrival = seed_arrival();

  explicit Lab(const std::string& text = kSeed) : config(load(text)), engine(config), leases(1000) {}
  // Like the daemon: a requested conflict probe gets no answer, then the request is handled again.
  Outcome handle(const Packet& p, std::int64_t now = kNow) {
    Outcome outcome = engine.handle(p, arrival, leases, now);
    for (int i = 0; outcome.probe && i < 8; ++i) {
      const bool changed = outcome.leases_changed;
      engine.probe_result(*outcome.probe, false, now);
      outcome = engine.handle(p, arrival, leases, now);
      outcome.leases_changed = outcome.leases_changed || changed;
    }
    return outcome;
  }
};

TEST(DhcpEngine, SeedDiscoverGetsDnsmasqsHashAddressAndTheBootFile) {
  Lab lab;
  const Outcome outcome = lab.handle(request(MessageType::discover, {0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc},
                                             {uefi_prl(), {60, {'P', 'X', 'E', 'C', 'l', 'i', 'e', 'n', 't'}}}));
  ASSERT_FALSE(outcome.datagram.empty());
  const Packet offer = reply_of(outcome);
  EXPECT_EQ(offer.yiaddr, ip("192.168.1.242"));  // what dnsmasq 2.90 offers this MAC [verified]
  EXPECT_EQ(offer.siaddr, ip("192.168.1.70"));
  EXPECT_EQ(offer.message_type(), MessageType::offer);
  // 53, 54, 51, 67 (requested), 58, 59, 1, 28, then the configured lines, last line first.
  EXPECT_EQ(option_codes(offer), (std::vector<std::uint8_t>{53, 54, 51, 67, 58, 59, 1, 28, 6, 3}));
  EXPECT_EQ(offer.find(67)->data, (std::vector<std::uint8_t>{'b', 'o', 'o', 't', 'x', '6', '4', '.', 'e', 'f', 'i', 0}));
  EXPECT_EQ(offer.find(3)->data, be(ip("192.168.1.254")));
  EXPECT_EQ(offer.find(6)->data, be(ip("192.168.1.24")));
  EXPECT_EQ(offer.find(51)->data, (std::vector<std::uint8_t>{0, 0, 0xa8, 0xc0}));  // 12h
  EXPECT_EQ(offer.find(58)->data, (std::vector<std::uint8_t>{0, 0, 0x54, 0x60}));  // 6h
  EXPECT_EQ(offer.find(59)->data, (std::vector<std::uint8_t>{0, 0, 0x93, 0xa8}));  // 10h30m
  EXPECT_EQ(outcome.destination.kind, Destination::Kind::unicast);  // no broadcast flag: ARP + unicast
  EXPECT_TRUE(outcome.destination.inject_arp);
  EXPECT_FALSE(outcome.leases_changed);  // an OFFER creates no lease
  EXPECT_EQ(lab.leases.size(), 0U);
}

TEST(DhcpEngine, SeedLogLinesWithLogDhcp) {
  Lab lab;
  const auto lines = texts(lab.handle(request(MessageType::discover, {0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc},
                                              {uefi_prl(), {60, {'P', 'X', 'E', 'C', 'l', 'i', 'e', 'n', 't'}}})));
  ASSERT_GE(lines.size(), 8U);
  EXPECT_EQ(lines[0], "725372254 available DHCP range: 192.168.1.230 -- 192.168.1.250");
  EXPECT_EQ(lines[1], "725372254 vendor class: PXEClient");
  EXPECT_EQ(lines[2], "725372254 DHCPDISCOVER(ens33) 52:54:00:aa:bb:cc ");
  EXPECT_EQ(lines[3], "725372254 tags: ens33");
  EXPECT_EQ(lines[4], "725372254 DHCPOFFER(ens33) 192.168.1.242 52:54:00:aa:bb:cc ");
  EXPECT_EQ(lines[5], "725372254 requested options: 1:netmask, 2:time-offset, 3:router, 4, 5, ");
  EXPECT_NE(std::find(lines.begin(), lines.end(), "725372254 next server: 192.168.1.70"), lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(), "725372254 sent size:  4 option: 51 lease-time  12h"), lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(), "725372254 sent size: 12 option: 67 bootfile-name  bootx64.efi"),
            lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(), "725372254 sent size:  4 option: 59 T2  10h30m"), lines.end());
}

TEST(DhcpEngine, WithoutLogDhcpOnlyThePacketLines) {
  std::string config = kSeed;
  config.erase(config.find("log-dhcp\n"));
  Lab lab(config);
  const auto lines = texts(lab.handle(request(MessageType::discover)));
  EXPECT_EQ(lines, (std::vector<std::string>{"DHCPDISCOVER(ens33) 52:54:00:aa:bb:cc ",
                                             "DHCPOFFER(ens33) 192.168.1.242 52:54:00:aa:bb:cc "}));
}

TEST(DhcpEngine, AnotherMacAnotherHashAddress) {
  Lab lab;
  const Packet offer = reply_of(lab.handle(request(MessageType::discover, {2, 0, 0, 0, 0, 1})));
  EXPECT_EQ(offer.yiaddr, ip("192.168.1.233"));  // [verified against dnsmasq 2.90]
}

TEST(DhcpEngine, SelectingRequestIsAckedAndLeased) {
  Lab lab;
  const Outcome outcome = lab.handle(request(MessageType::request, {0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc},
                                             {{50, be(ip("192.168.1.242"))}, {54, be(ip("192.168.1.70"))},
                                              {12, {'e', 's', 'x', 'i'}}}));
  const Packet ack = reply_of(outcome);
  EXPECT_EQ(ack.message_type(), MessageType::ack);
  EXPECT_EQ(ack.yiaddr, ip("192.168.1.242"));
  EXPECT_TRUE(outcome.leases_changed);
  const Lease* lease = lab.leases.find_address(ip("192.168.1.242"));
  ASSERT_NE(lease, nullptr);
  EXPECT_EQ(lease->expiry, kNow + 43200);
  EXPECT_EQ(lease->hostname, "esxi");
  const auto lines = texts(outcome);
  EXPECT_NE(std::find(lines.begin(), lines.end(), "725372254 DHCPACK(ens33) 192.168.1.242 52:54:00:aa:bb:cc esxi"),
            lines.end());
}

TEST(DhcpEngine, OfferedAddressIsHeldForItsClient) {
  Lab lab;
  lab.handle(request(MessageType::discover));  // 192.168.1.242 for 52:54:00:aa:bb:cc
  // Another client asks for the same address: not offered to it while the hold lasts.
  const Packet other = reply_of(lab.handle(request(MessageType::discover, {2, 0, 0, 0, 0, 9},
                                                   {{50, be(ip("192.168.1.242"))}})));
  EXPECT_NE(other.yiaddr, ip("192.168.1.242"));
}

TEST(DhcpEngine, OtherServersRequestIsSilentUnlessAuthoritative) {
  Lab quiet;
  const auto other_server = request(MessageType::request, {0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc},
                                    {{50, be(ip("192.168.1.242"))}, {54, be(ip("192.168.1.1"))}});
  EXPECT_TRUE(quiet.handle(other_server).datagram.empty());
  Lab authoritative(std::string(kSeed) + "dhcp-authoritative\n");
  const Packet nak = reply_of(authoritative.handle(other_server));
  EXPECT_EQ(nak.message_type(), MessageType::nak);
  EXPECT_EQ(std::string(nak.find(56)->data.begin(), nak.find(56)->data.end()), "wrong server-ID");
}

TEST(DhcpEngine, InitRebootWithAnotherLeaseIsNaked) {
  Lab lab;
  lab.handle(request(MessageType::request, {0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc},
                     {{50, be(ip("192.168.1.242"))}, {54, be(ip("192.168.1.70"))}}));
  const Packet nak = reply_of(lab.handle(request(MessageType::request, {0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc},
                                                 {{50, be(ip("192.168.1.240"))}})));
  EXPECT_EQ(nak.message_type(), MessageType::nak);
  EXPECT_EQ(std::string(nak.find(56)->data.begin(), nak.find(56)->data.end()), "wrong address");
  EXPECT_EQ(nak.yiaddr.value, 0U);
  EXPECT_NE(nak.flags & kBroadcastFlag, 0);
}

TEST(DhcpEngine, InitRebootWithoutLeaseIsSilentUnlessAuthoritative) {
  Lab lab;
  const auto reboot = request(MessageType::request, {0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc},
                              {{50, be(ip("192.168.1.240"))}});
  EXPECT_TRUE(lab.handle(reboot).datagram.empty());
  Lab authoritative(std::string(kSeed) + "dhcp-authoritative\n");
  EXPECT_EQ(reply_of(authoritative.handle(reboot)).message_type(), MessageType::ack);
}

TEST(DhcpEngine, RenewIsAckedToCiaddrAndUnknownUnicastRenewIsNaked) {
  Lab lab;
  lab.handle(request(MessageType::request, {0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc},
                     {{50, be(ip("192.168.1.242"))}, {54, be(ip("192.168.1.70"))}}));
  Packet renew = request(MessageType::request);
  renew.ciaddr = ip("192.168.1.242");
  lab.arrival.to_broadcast = false;
  lab.arrival.source = ip("192.168.1.242");
  const Outcome outcome = lab.handle(renew, kNow + 21600);
  EXPECT_EQ(reply_of(outcome).message_type(), MessageType::ack);
  EXPECT_EQ(outcome.destination.address, ip("192.168.1.242"));
  EXPECT_EQ(lab.leases.find_address(ip("192.168.1.242"))->expiry, kNow + 21600 + 43200);

  Packet stranger = request(MessageType::request, {2, 0, 0, 0, 0, 7});
  stranger.ciaddr = ip("192.168.1.244");
  lab.arrival.source = ip("192.168.1.244");
  const Packet nak = reply_of(lab.handle(stranger));
  EXPECT_EQ(std::string(nak.find(56)->data.begin(), nak.find(56)->data.end()), "lease not found");
}

TEST(DhcpEngine, RequestOutsideTheRangeIsNaked) {
  Lab lab(std::string(kSeed) + "dhcp-authoritative\n");
  const Packet nak = reply_of(lab.handle(request(MessageType::request, {0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc},
                                                 {{50, be(ip("192.168.1.100"))}, {54, be(ip("192.168.1.70"))}})));
  EXPECT_EQ(std::string(nak.find(56)->data.begin(), nak.find(56)->data.end()), "address not available");
}

TEST(DhcpEngine, AddressLeasedToAnotherClientIsInUse) {
  Lab lab;
  lab.handle(request(MessageType::request, {2, 0, 0, 0, 0, 1},
                     {{50, be(ip("192.168.1.242"))}, {54, be(ip("192.168.1.70"))}}));
  const Packet nak = reply_of(lab.handle(request(MessageType::request, {0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc},
                                                 {{50, be(ip("192.168.1.242"))}, {54, be(ip("192.168.1.70"))}})));
  EXPECT_EQ(std::string(nak.find(56)->data.begin(), nak.find(56)->data.end()), "address in use");
}

TEST(DhcpEngine, ReleaseRemovesTheLease) {
  Lab lab;
  lab.handle(request(MessageType::request, {0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc},
                     {{50, be(ip("192.168.1.242"))}, {54, be(ip("192.168.1.70"))}}));
  Packet release = request(MessageType::release, {0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc}, {{54, be(ip("192.168.1.70"))}});
  release.ciaddr = ip("192.168.1.242");
  const Outcome outcome = lab.handle(release);
  EXPECT_TRUE(outcome.datagram.empty());
  EXPECT_TRUE(outcome.leases_changed);
  EXPECT_EQ(lab.leases.size(), 0U);
}

TEST(DhcpEngine, RelayedRequestGoesToGiaddrPort67) {
  Lab lab("dhcp-range=10.0.5.10,10.0.5.20,255.255.255.0,1h\n");
  Packet discover = request(MessageType::discover);
  discover.giaddr = ip("10.0.5.1");
  const Outcome outcome = lab.handle(discover);
  const Packet offer = reply_of(outcome);
  EXPECT_GE(offer.yiaddr, ip("10.0.5.10"));
  EXPECT_LE(offer.yiaddr, ip("10.0.5.20"));
  EXPECT_EQ(outcome.destination.address, ip("10.0.5.1"));
  EXPECT_EQ(outcome.destination.port, 67);
  EXPECT_EQ(offer.find(54)->data, be(ip("192.168.1.70")));  // server id: the arrival interface
}

TEST(DhcpEngine, NoRangeOnTheInterfaceIsLoggedAndDropped) {
  Lab lab("dhcp-range=10.0.0.10,10.0.0.20\n");
  const Outcome outcome = lab.handle(request(MessageType::discover));
  EXPECT_TRUE(outcome.datagram.empty());
  EXPECT_EQ(texts(outcome), std::vector<std::string>{"no address range available for DHCP request via ens33"});
}

TEST(DhcpEngine, ArchitectureTagsPickTheBootFile) {
  Lab lab(
      "dhcp-range=192.168.1.230,192.168.1.250,12h\n"
      "dhcp-match=set:efi-x86_64,option:client-arch,7\n"
      "dhcp-match=set:efi-x86_64,option:client-arch,9\n"
      "dhcp-boot=pxelinux.0\n"
      "dhcp-boot=tag:efi-x86_64,bootx64.efi\n");
  const auto file_for = [&](std::uint8_t arch) {
    const Packet offer = reply_of(lab.handle(request(MessageType::discover, {2, 0, 0, 0, 0, arch},
                                                     {{93, {0, arch}}})));
    return std::string(reinterpret_cast<const char*>(offer.file.data()));
  };
  EXPECT_EQ(file_for(0), "pxelinux.0");  // no PRL with 67: the header's file field
  EXPECT_EQ(file_for(7), "bootx64.efi");
  EXPECT_EQ(file_for(9), "bootx64.efi");
}

TEST(DhcpEngine, FixedAddressFromDhcpHost) {
  Lab lab(std::string(kSeed) + "dhcp-host=52:54:00:aa:bb:cc,192.168.1.235,esx01\n");
  const Packet offer = reply_of(lab.handle(request(MessageType::discover)));
  EXPECT_EQ(offer.yiaddr, ip("192.168.1.235"));
}

TEST(DhcpEngine, IgnoredClientsGetNothing) {
  Lab lab(std::string(kSeed) + "dhcp-ignore=tag:!known\n");
  const Outcome outcome = lab.handle(request(MessageType::discover));
  EXPECT_TRUE(outcome.datagram.empty());
  const auto lines = texts(outcome);
  EXPECT_NE(std::find(lines.begin(), lines.end(), "725372254 DHCPDISCOVER(ens33) 52:54:00:aa:bb:cc ignored"),
            lines.end());
}

TEST(DhcpEngine, NewAddressIsProbedFirstAndAnAnsweringAddressIsSkipped) {
  Lab lab;
  const Packet discover = request(MessageType::discover);
  const Outcome first = lab.engine.handle(discover, lab.arrival, lab.leases, kNow);
  ASSERT_TRUE(first.probe);
  EXPECT_EQ(*first.probe, ip("192.168.1.242"));
  EXPECT_TRUE(first.datagram.empty());
  EXPECT_TRUE(first.log.empty());  // the DISCOVER is logged once, when it is answered
  // A retransmission during the probe starts no second probe and gets no answer yet.
  const Outcome again = lab.engine.handle(discover, lab.arrival, lab.leases, kNow);
  EXPECT_FALSE(again.probe);
  EXPECT_TRUE(again.datagram.empty());
  // Someone answered: the next address is probed instead.
  lab.engine.probe_result(*first.probe, true, kNow);
  const Outcome next = lab.engine.handle(discover, lab.arrival, lab.leases, kNow);
  ASSERT_TRUE(next.probe);
  EXPECT_EQ(*next.probe, ip("192.168.1.243"));
  lab.engine.probe_result(*next.probe, false, kNow);
  EXPECT_EQ(reply_of(lab.engine.handle(discover, lab.arrival, lab.leases, kNow)).yiaddr, ip("192.168.1.243"));
}

TEST(DhcpEngine, NoPingOffersAtOnce) {
  Lab lab(std::string(kSeed) + "no-ping\n");
  const Outcome outcome = lab.engine.handle(request(MessageType::discover), lab.arrival, lab.leases, kNow);
  EXPECT_FALSE(outcome.probe);
  EXPECT_EQ(reply_of(outcome).yiaddr, ip("192.168.1.242"));
}

TEST(DhcpEngine, HostNameAndClientFqdnAreEchoed) {
  Lab lab(std::string(kSeed) + "domain=lab.example\n");
  // FQDN with the E bit (wire encoding), S=0: reply S=1, O=1, N=0, RCODEs 255.
  const Packet ack = reply_of(lab.handle(request(
      MessageType::request, {0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc},
      {{50, be(ip("192.168.1.242"))}, {54, be(ip("192.168.1.70"))}, {55, {1, 3, 12}},
       {81, {0x04, 0, 0, 4, 'e', 's', 'x', 'i', 0}}})));
  ASSERT_NE(ack.find(12), nullptr);
  EXPECT_EQ(ack.find(12)->data, (std::vector<std::uint8_t>{'e', 's', 'x', 'i'}));
  ASSERT_NE(ack.find(81), nullptr);
  const std::vector<std::uint8_t> fqdn{0x07, 255, 255, 4, 'e', 's', 'x', 'i', 3, 'l', 'a', 'b',
                                       7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0};
  EXPECT_EQ(ack.find(81)->data, fqdn);
  EXPECT_EQ(lab.leases.find_address(ip("192.168.1.242"))->hostname, "esxi");
}

TEST(DhcpEngine, IgnoreNamesDropsTheClientsName) {
  Lab lab(std::string(kSeed) + "dhcp-ignore-names\n");
  lab.handle(request(MessageType::request, {0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc},
                     {{50, be(ip("192.168.1.242"))}, {54, be(ip("192.168.1.70"))}, {12, {'x'}}}));
  EXPECT_EQ(lab.leases.find_address(ip("192.168.1.242"))->hostname, "");
}

TEST(DhcpEngine, OneClientHoldsAtMostOneAddress) {
  Lab lab;
  for (std::uint32_t i = 0; i < 21; ++i) {
    const Ipv4 wanted{ip("192.168.1.230").value + i};
    EXPECT_FALSE(lab.handle(request(MessageType::discover, {2, 0, 0, 0, 0, 1}, {{50, be(wanted)}})).datagram.empty());
  }
  EXPECT_FALSE(lab.handle(request(MessageType::discover, {2, 0, 0, 0, 0, 2})).datagram.empty());
}

TEST(DhcpEngine, HoldsNeverLeaveAClientWithoutAnOffer) {
  Lab lab;
  for (std::uint8_t n = 0; n < 21; ++n) lab.handle(request(MessageType::discover, {2, 0, 0, 0, 1, n}));
  const Packet late = reply_of(lab.handle(request(MessageType::discover, {2, 0, 0, 0, 2, 0})));
  EXPECT_EQ(late.message_type(), MessageType::offer);
}

TEST(DhcpEngine, PxeMenuForBiosAndTheUefiWorkaround) {
  Lab lab(
      "interface=ens33\n"
      "dhcp-range=192.168.1.100,192.168.1.200,12h\n"
      "pxe-prompt=\"Press F8 for menu\",5\n"
      "pxe-service=x86PC,\"Boot from local disk\"\n"
      "pxe-service=x86PC,\"Install Linux\",pxelinux\n"
      "pxe-service=X86-64_EFI,\"UEFI boot\",bootx64.efi\n"
      "no-ping\n");
  const std::string bios_class = "PXEClient:Arch:00000:UNDI:002001";
  const Packet bios = reply_of(lab.handle(request(
      MessageType::discover, {2, 0, 0, 0, 0, 1},
      {{93, {0, 0}}, {60, std::vector<std::uint8_t>(bios_class.begin(), bios_class.end())}, {55, {1, 3, 43, 60, 67}}})));
  ASSERT_NE(bios.find(60), nullptr);
  EXPECT_EQ(std::string(bios.find(60)->data.begin(), bios.find(60)->data.end()), "PXEClient");
  ASSERT_NE(bios.find(43), nullptr);
  const auto& menu = bios.find(43)->data;
  EXPECT_EQ(menu.size(), 74U);  // the size dnsmasq 2.90 sends for this config [verified]
  EXPECT_EQ((std::vector<std::uint8_t>(menu.begin(), menu.begin() + 12)),
            (std::vector<std::uint8_t>{6, 1, 3, 8, 7, 0x80, 0, 1, 192, 168, 1, 70}));
  EXPECT_EQ(menu.back(), 255);

  const std::string uefi_class = "PXEClient:Arch:00007:UNDI:003016";
  const Packet uefi = reply_of(lab.handle(request(
      MessageType::discover, {2, 0, 0, 0, 0, 2},
      {{93, {0, 7}}, {60, std::vector<std::uint8_t>(uefi_class.begin(), uefi_class.end())}, {55, {1, 3, 43, 60, 67}}})));
  ASSERT_NE(uefi.find(43), nullptr);
  EXPECT_EQ(uefi.find(43)->data.front(), 10);  // only the prompt: the menu is abandoned
  EXPECT_EQ(uefi.find(43)->data.size(), 21U);
}

TEST(DhcpEngine, ExpiredLeasesArePrunedFirst) {
  Lab lab;
  lab.handle(request(MessageType::request, {2, 0, 0, 0, 0, 1},
                     {{50, be(ip("192.168.1.242"))}, {54, be(ip("192.168.1.70"))}}));
  const Outcome outcome = lab.handle(request(MessageType::discover), kNow + 43200);
  EXPECT_TRUE(outcome.leases_changed);
  EXPECT_EQ(reply_of(outcome).yiaddr, ip("192.168.1.242"));
}

}  // namespace
}  // namespace pxemasq::dhcp
