// Proxy DHCP and the port-4011 boot server (spec §4.10 a, b, d; §4.9): boot information only,
// no address and no lease; UEFI clients sent on to 4011; boot-server requests (43/71) answered
// with the service's file; relayed replies to giaddr:67. Requests are byte fixtures shaped like
// OVMF's and the BIOS PXE ROM's (pxe-lab.md), the expectations what dnsmasq 2.90 sent in the
// compat lab (compat/dhcp/scenarios/42-*..47-*).

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "config/values.hpp"
#include "config_text.hpp"
#include "dhcp/engine.hpp"

namespace pxemasq::dhcp {
namespace {

constexpr std::int64_t kNow = 1'800'000'000;

constexpr const char* kProxyConfig =
    "interface=ens33\n"
    "dhcp-range=192.168.1.0,proxy\n"
    "pxe-prompt=\"Press F8 for menu\",5\n"
    "pxe-service=x86PC,\"Boot from local disk\"\n"
    "pxe-service=x86PC,\"Install Linux\",pxelinux\n"
    "pxe-service=X86-64_EFI,\"UEFI boot\",bootx64.efi\n"
    "log-dhcp\n";

Ipv4 ip(const char* text) { return *config::parse_ipv4(text); }

std::vector<std::uint8_t> bytes_of(std::string_view text) { return {text.begin(), text.end()}; }

// A BOOTREQUEST as bytes: the fixed header, the cookie, then `options` (code, length, data)
// as given and an end option, padded to 300 bytes like a PXE ROM's.
std::vector<std::uint8_t> request_bytes(const std::vector<std::uint8_t>& mac, std::uint32_t xid,
                                        std::uint16_t flags, Ipv4 ciaddr, Ipv4 giaddr,
                                        const std::vector<std::vector<std::uint8_t>>& options) {
  std::vector<std::uint8_t> b(236, 0);
  b[0] = 1;
  b[1] = 1;
  b[2] = static_cast<std::uint8_t>(mac.size());
  for (std::size_t i = 0; i < 4; ++i) b[4 + i] = static_cast<std::uint8_t>(xid >> (24 - 8 * i));
  b[10] = static_cast<std::uint8_t>(flags >> 8);
  b[11] = static_cast<std::uint8_t>(flags);
  const auto put = [&](std::size_t at, Ipv4 a) {
    const auto v = a.bytes();
    std::copy(v.begin(), v.end(), b.begin() + static_cast<long>(at));
  };
  put(12, ciaddr);
  put(24, giaddr);
  std::copy(mac.begin(), mac.end(), b.begin() + 28);
  b.insert(b.end(), {0x63, 0x82, 0x53, 0x63});
  for (const auto& o : options) b.insert(b.end(), o.begin(), o.end());
  b.push_back(255);
  if (b.size() < 300) b.resize(300, 0);
  return b;
}

std::vector<std::uint8_t> opt(std::uint8_t code, std::vector<std::uint8_t> data) {
  data.insert(data.begin(), {code, static_cast<std::uint8_t>(data.size())});
  return data;
}

std::vector<std::uint8_t> text_opt(std::uint8_t code, std::string_view text) { return opt(code, bytes_of(text)); }

const std::vector<std::uint8_t> kBiosMac{0x52, 0x54, 0x00, 0x42, 0x00, 0x01};
const std::vector<std::uint8_t> kUefiMac{0x52, 0x54, 0x00, 0x42, 0x00, 0x02};
const std::vector<std::uint8_t> kUuid{0x00, 0x8c, 0x4f, 0x2e, 0x1d, 0x0a, 0x9b, 0x4c, 0x3d,
                                      0x8e, 0x7f, 0x6a, 0x5b, 0x4c, 0x3d, 0x2e, 0x1f};

std::vector<std::uint8_t> with_uuid(std::uint8_t code) { return opt(code, kUuid); }

// The BIOS PXE ROM's DISCOVER (broadcast flag clear, arch 0, UNDI 2.1).
std::vector<std::uint8_t> bios_discover(Ipv4 giaddr = {}) {
  return request_bytes(kBiosMac, 0x42000001, 0, {}, giaddr,
                       {opt(53, {1}), opt(57, {0x04, 0xec}), opt(93, {0, 0}), opt(94, {1, 2, 1}), with_uuid(97),
                        text_opt(60, "PXEClient:Arch:00000:UNDI:002001"),
                        opt(55, {1, 2, 3, 5, 6, 11, 12, 13, 15, 16, 17, 18, 43, 54, 60, 67, 128, 129, 130, 131})});
}

// OVMF's DISCOVER (broadcast flag set, arch 7, UNDI 3.0).
std::vector<std::uint8_t> uefi_discover() {
  return request_bytes(kUefiMac, 0x42000002, 0x8000, {}, {},
                       {opt(53, {1}), opt(57, {0x05, 0xc0}),
                        opt(55, {1, 2, 3, 4, 5, 6, 12, 13, 15, 17, 18, 22, 23, 28, 40, 41, 42, 43, 50, 51, 54, 58,
                                 59, 60, 66, 67, 97, 128, 129, 130, 131, 132, 133, 134, 135}),
                        with_uuid(97), opt(94, {1, 3, 0}), opt(93, {0, 7}),
                        text_opt(60, "PXEClient:Arch:00007:UNDI:003000")});
}

// What OVMF sends to siaddr:4011 after a proxy offer without a file: a REQUEST from the
// address the allocating server gave it, no option 50/54, no 43.
std::vector<std::uint8_t> uefi_request_4011(Ipv4 ciaddr) {
  return request_bytes(kUefiMac, 0x42000003, 0, ciaddr, {},
                       {opt(53, {3}), opt(57, {0xff, 0x00}), opt(55, {1, 3, 43, 54, 60, 66, 67, 97}), with_uuid(97),
                        opt(94, {1, 3, 0}), opt(93, {0, 7}), text_opt(60, "PXEClient:Arch:00007:UNDI:003000")});
}

// A BIOS client's boot-server request after choosing menu item `type` (43 sub-option 71).
std::vector<std::uint8_t> boot_server_request(Ipv4 ciaddr, std::uint16_t type, std::uint16_t layer) {
  return request_bytes(kBiosMac, 0x42000004, 0, ciaddr, {},
                       {opt(53, {3}), opt(93, {0, 0}), opt(94, {1, 2, 1}), with_uuid(97),
                        text_opt(60, "PXEClient:Arch:00000:UNDI:002001"),
                        opt(43, {71, 4, static_cast<std::uint8_t>(type >> 8), static_cast<std::uint8_t>(type),
                                 static_cast<std::uint8_t>(layer >> 8), static_cast<std::uint8_t>(layer), 255})});
}

Packet parsed(const std::vector<std::uint8_t>& bytes) {
  auto p = parse(bytes);
  EXPECT_TRUE(std::holds_alternative<Packet>(p));
  return std::holds_alternative<Packet>(p) ? std::get<Packet>(p) : Packet{};
}

Packet reply_of(const Outcome& outcome) {
  auto copy = outcome.datagram;
  if (!copy.empty()) copy[0] = 1;  // parse() reads requests: flip op to read the reply
  return parsed(copy);
}

std::vector<std::uint8_t> codes(const Packet& p) {
  std::vector<std::uint8_t> out;
  for (const auto& o : p.options) out.push_back(o.code);
  return out;
}

std::vector<std::uint8_t> value(const Packet& p, std::uint8_t code) {
  const Option* o = p.find(code);
  return o != nullptr ? o->data : std::vector<std::uint8_t>{};
}

bool logged(const Outcome& outcome, const std::string& text) {
  return std::any_of(outcome.log.begin(), outcome.log.end(),
                     [&](const LogLine& l) { return l.text.find(text) != std::string::npos; });
}

struct Lab {
  std::shared_ptr<const config::Config> config;
  Engine engine;
  LeaseTable leases{1000};
  Arrival arrival;

  explicit Lab(const std::string& text = kProxyConfig)
      : config(testing::load_config_text(text)), engine(config ? config : std::make_shared<config::Config>()) {
    EXPECT_TRUE(config != nullptr);
    arrival.interface = "ens33";
    arrival.ifindex = 2;
    arrival.addresses = {{ip("192.168.1.70"), ip("255.255.255.0"), ip("192.168.1.255")}};
  }
  Outcome handle(const std::vector<std::uint8_t>& bytes) { return engine.handle(parsed(bytes), arrival, leases, kNow); }
  Outcome handle_on_4011(const std::vector<std::uint8_t>& bytes, Ipv4 source, std::uint16_t port = 68) {
    Arrival a = arrival;
    a.on_pxe_port = true;
    a.source = source;
    a.source_port = port;
    a.to_broadcast = false;
    return engine.handle(parsed(bytes), a, leases, kNow);
  }
};

TEST(ProxyDhcp, BiosDiscoverGetsTheMenuAndNoAddress) {
  Lab lab;
  const Outcome outcome = lab.handle(bios_discover());
  ASSERT_FALSE(outcome.datagram.empty());
  const Packet offer = reply_of(outcome);
  EXPECT_EQ(offer.message_type(), MessageType::offer);
  EXPECT_EQ(offer.yiaddr, Ipv4{});
  EXPECT_EQ(offer.ciaddr, Ipv4{});
  EXPECT_EQ(offer.siaddr, Ipv4{});  // BIOS: the menu's boot servers say where to go
  EXPECT_EQ(offer.flags & kBroadcastFlag, kBroadcastFlag);  // proxy offers are broadcast
  EXPECT_EQ(codes(offer), (std::vector<std::uint8_t>{53, 54, 60, 97, 43}));
  EXPECT_EQ(value(offer, 54), (std::vector<std::uint8_t>{192, 168, 1, 70}));
  EXPECT_EQ(value(offer, 60), bytes_of("PXEClient"));
  EXPECT_EQ(value(offer, 97), kUuid);
  // 6 = 3 (no multicast/broadcast discovery), 8 = server 32768 at 192.168.1.70, 9 = the menu
  // (type 0 local disk, type 32768 Install Linux), 10 = the configured prompt, 255.
  std::vector<std::uint8_t> expected{6, 1, 3, 8, 7, 0x80, 0x00, 1, 192, 168, 1, 70, 9};
  const std::string local = "Boot from local disk";
  const std::string install = "Install Linux";
  expected.push_back(static_cast<std::uint8_t>(3 + local.size() + 3 + install.size()));
  expected.insert(expected.end(), {0, 0, static_cast<std::uint8_t>(local.size())});
  expected.insert(expected.end(), local.begin(), local.end());
  expected.insert(expected.end(), {0x80, 0x00, static_cast<std::uint8_t>(install.size())});
  expected.insert(expected.end(), install.begin(), install.end());
  const std::string prompt = "Press F8 for menu";
  expected.insert(expected.end(), {10, static_cast<std::uint8_t>(prompt.size() + 1), 5});
  expected.insert(expected.end(), prompt.begin(), prompt.end());
  expected.push_back(255);
  EXPECT_EQ(value(offer, 43), expected);
  EXPECT_EQ(outcome.destination.kind, Destination::Kind::broadcast);
  EXPECT_EQ(outcome.destination.port, 68);
  EXPECT_FALSE(outcome.leases_changed);
  EXPECT_EQ(lab.leases.size(), 0U);  // no lease in proxy mode
  EXPECT_TRUE(logged(outcome, "PXE(ens33) 52:54:00:42:00:01 proxy"));
  EXPECT_TRUE(logged(outcome, "available DHCP subnet: 192.168.1.0/255.255.255.0"));
  EXPECT_FALSE(logged(outcome, "DHCPOFFER"));
}

TEST(ProxyDhcp, UefiDiscoverIsSentOnTo4011WithoutMenuOrFile) {
  Lab lab;
  const Outcome outcome = lab.handle(uefi_discover());
  ASSERT_FALSE(outcome.datagram.empty());
  const Packet offer = reply_of(outcome);
  EXPECT_EQ(offer.yiaddr, Ipv4{});
  EXPECT_EQ(offer.siaddr, ip("192.168.1.70"));  // "redirect to 4011"
  EXPECT_EQ(codes(offer), (std::vector<std::uint8_t>{53, 54, 60, 97}));  // no 43 on port 67
  EXPECT_TRUE(offer.file.empty() || offer.file[0] == 0);
  EXPECT_FALSE(outcome.destination.from_pxe_port);
}

TEST(ProxyDhcp, UefiRequestOn4011GetsTheSingleServicesFile) {
  Lab lab;
  const Ipv4 client = ip("192.168.1.150");  // given by the allocating server
  const Outcome outcome = lab.handle_on_4011(uefi_request_4011(client), client);
  ASSERT_FALSE(outcome.datagram.empty());
  const Packet ack = reply_of(outcome);
  EXPECT_EQ(ack.message_type(), MessageType::ack);
  EXPECT_EQ(ack.yiaddr, Ipv4{});
  EXPECT_EQ(ack.ciaddr, client);  // kept: the client has an address
  EXPECT_EQ(ack.flags & kBroadcastFlag, 0);
  EXPECT_EQ(ack.siaddr, ip("192.168.1.70"));
  EXPECT_EQ(std::string(ack.sname.begin(), std::find(ack.sname.begin(), ack.sname.end(), 0)), "192.168.1.70");
  EXPECT_EQ(std::string(ack.file.begin(), std::find(ack.file.begin(), ack.file.end(), 0)), "bootx64.efi");
  EXPECT_EQ(codes(ack), (std::vector<std::uint8_t>{53, 54, 60, 97}));
  EXPECT_EQ(outcome.destination.kind, Destination::Kind::unicast);
  EXPECT_EQ(outcome.destination.address, client);
  EXPECT_EQ(outcome.destination.port, 68);
  EXPECT_TRUE(outcome.destination.from_pxe_port);
  EXPECT_FALSE(outcome.destination.inject_arp);
  EXPECT_EQ(lab.leases.size(), 0U);
}

TEST(ProxyDhcp, UefiOn4011WithTwoServicesGetsTheMenu) {
  Lab lab(std::string(kProxyConfig) + "pxe-service=X86-64_EFI,\"UEFI shell\",shellx64.efi\n");
  const Ipv4 client = ip("192.168.1.150");
  const Packet ack = reply_of(lab.handle_on_4011(uefi_request_4011(client), client, 4011));
  EXPECT_EQ(codes(ack), (std::vector<std::uint8_t>{53, 54, 60, 97, 43}));
  EXPECT_TRUE(ack.file.empty() || ack.file[0] == 0);
  // The 67 offer still carries no menu for UEFI.
  const Packet offer = reply_of(lab.handle(uefi_discover()));
  EXPECT_EQ(codes(offer), (std::vector<std::uint8_t>{53, 54, 60, 97}));
}

TEST(ProxyDhcp, ReplyToTheSourcePortOf4011Requests) {
  Lab lab;
  const Ipv4 client = ip("192.168.1.150");
  const Outcome outcome = lab.handle_on_4011(uefi_request_4011(client), client, 4011);
  EXPECT_EQ(outcome.destination.port, 4011);
}

TEST(ProxyDhcp, RelayedDiscoverGoesToGiaddrServerPort) {
  Lab lab("interface=ens33\ndhcp-range=10.0.5.0,proxy,255.255.255.0\n"
          "pxe-service=x86PC,\"Install Linux\",pxelinux\nlog-dhcp\n");
  const Outcome outcome = lab.handle(bios_discover(ip("10.0.5.1")));
  ASSERT_FALSE(outcome.datagram.empty());
  const Packet offer = reply_of(outcome);
  EXPECT_EQ(offer.giaddr, ip("10.0.5.1"));
  EXPECT_EQ(offer.yiaddr, Ipv4{});
  EXPECT_EQ(outcome.destination.kind, Destination::Kind::unicast);  // not broadcast (bootimus#129)
  EXPECT_EQ(outcome.destination.address, ip("10.0.5.1"));
  EXPECT_EQ(outcome.destination.port, 67);
}

TEST(ProxyDhcp, NonPxeClientGetsNothingFromAProxy) {
  Lab lab;
  const Outcome outcome = lab.handle(request_bytes(kBiosMac, 0x42000005, 0, {}, {},
                                                   {opt(53, {1}), opt(55, {1, 3, 6}), text_opt(60, "udhcp 1.35.0")}));
  EXPECT_TRUE(outcome.datagram.empty());
  EXPECT_FALSE(logged(outcome, "DHCPDISCOVER"));
  EXPECT_FALSE(logged(outcome, "no address"));
}

TEST(ProxyDhcp, PxeClientWithoutArchGetsNothing) {
  Lab lab;
  const Outcome outcome = lab.handle(request_bytes(kBiosMac, 0x42000006, 0, {}, {},
                                                   {opt(53, {1}), text_opt(60, "PXEClient")}));
  EXPECT_TRUE(outcome.datagram.empty());
}

TEST(ProxyDhcp, RequestOn67FromAPxeClientIsLeftToTheAllocatingServer) {
  Lab lab;
  auto bytes = request_bytes(kUefiMac, 0x42000007, 0x8000, {}, {},
                             {opt(53, {3}), opt(54, {192, 168, 1, 1}), opt(50, {192, 168, 1, 150}), opt(93, {0, 7}),
                              text_opt(60, "PXEClient:Arch:00007:UNDI:003000")});
  EXPECT_TRUE(lab.handle(bytes).datagram.empty());
}

TEST(ProxyDhcp, IgnoredClientIsLoggedProxyIgnored) {
  Lab lab(std::string(kProxyConfig) + "dhcp-host=52:54:00:42:00:01,ignore\n");
  const Outcome outcome = lab.handle(bios_discover());
  EXPECT_TRUE(outcome.datagram.empty());
  EXPECT_TRUE(logged(outcome, "PXE(ens33) 52:54:00:42:00:01 proxy-ignored"));
}

TEST(ProxyDhcp, DhcpBootGivesTheFileWhenThereIsNoSingleUefiService) {
  Lab lab("interface=ens33\ndhcp-range=192.168.1.0,proxy\npxe-prompt=Booting,0\n"
          "dhcp-boot=pxelinux.0,,192.168.1.9\n");
  const Packet offer = reply_of(lab.handle(bios_discover()));
  EXPECT_EQ(std::string(offer.file.begin(), std::find(offer.file.begin(), offer.file.end(), 0)), "pxelinux.0");
  EXPECT_EQ(offer.siaddr, ip("192.168.1.9"));
  // No service at all: discovery control 8 = "boot the offer's file".
  const auto v43 = value(offer, 43);
  ASSERT_GE(v43.size(), 3U);
  EXPECT_EQ((std::vector<std::uint8_t>{v43[0], v43[1], v43[2]}), (std::vector<std::uint8_t>{6, 1, 8}));
}

TEST(BootServer, MenuChoiceGetsTheServicesFileWithTheLayer) {
  Lab lab;
  const Ipv4 client = ip("192.168.1.150");
  const Outcome outcome = lab.handle_on_4011(boot_server_request(client, 0x8000, 0), client);
  ASSERT_FALSE(outcome.datagram.empty());
  const Packet ack = reply_of(outcome);
  EXPECT_EQ(ack.message_type(), MessageType::ack);
  EXPECT_EQ(ack.yiaddr, client);
  EXPECT_EQ(ack.ciaddr, Ipv4{});
  EXPECT_EQ(ack.siaddr, ip("192.168.1.70"));
  EXPECT_EQ(std::string(ack.file.begin(), std::find(ack.file.begin(), ack.file.end(), 0)), "pxelinux.0");
  EXPECT_EQ(codes(ack), (std::vector<std::uint8_t>{53, 54, 60, 97, 43}));
  // 71 echoed, then the pxe-prompt (dnsmasq keeps it among the vendor:PXEClient options).
  std::vector<std::uint8_t> expected{71, 4, 0x80, 0x00, 0x00, 0x00, 10, 18, 5};
  const std::string prompt = "Press F8 for menu";
  expected.insert(expected.end(), prompt.begin(), prompt.end());
  expected.push_back(255);
  EXPECT_EQ(value(ack, 43), expected);
  EXPECT_EQ(outcome.destination.address, client);
  EXPECT_TRUE(outcome.destination.from_pxe_port);
  EXPECT_TRUE(logged(outcome, "PXE(ens33) 192.168.1.150 52:54:00:42:00:01 pxelinux.0"));
  EXPECT_EQ(lab.leases.size(), 0U);
}

TEST(BootServer, LayerNumbersTheFileUnlessTheBasenameHasADot) {
  Lab lab;
  const Ipv4 client = ip("192.168.1.150");
  const Packet ack = reply_of(lab.handle_on_4011(boot_server_request(client, 0x8000, 2), client));
  EXPECT_EQ(std::string(ack.file.begin(), std::find(ack.file.begin(), ack.file.end(), 0)), "pxelinux.2");
  // Type 32769 is the UEFI service, bootx64.efi: no layer suffix.
  const Packet efi = reply_of(lab.handle_on_4011(boot_server_request(client, 0x8001, 3), client));
  EXPECT_EQ(std::string(efi.file.begin(), std::find(efi.file.begin(), efi.file.end(), 0)), "bootx64.efi");
}

// A basename item is served by us in the menu (sub-option 8 = our address), while its SERVER is
// the next server of the boot-server ACK (checked against dnsmasq 2.90, scenario 47).
TEST(BootServer, ServerOfABasenameItemIsTheAcksNextServerNotTheMenus) {
  Lab lab("interface=ens33\ndhcp-range=192.168.1.0,proxy\n"
          "pxe-service=x86PC,\"Install Linux\",pxelinux,192.168.1.9\n");
  const Packet offer = reply_of(lab.handle(bios_discover()));
  const auto menu = value(offer, 43);
  const std::vector<std::uint8_t> servers{8, 7, 0x80, 0x00, 1, 192, 168, 1, 70};
  EXPECT_NE(std::search(menu.begin(), menu.end(), servers.begin(), servers.end()), menu.end());
  const Ipv4 client = ip("192.168.1.150");
  const Packet ack = reply_of(lab.handle_on_4011(boot_server_request(client, 0x8000, 0), client));
  EXPECT_EQ(ack.siaddr, ip("192.168.1.9"));
}

TEST(BootServer, BisUnknownTypeLocalBootAndOffSubnetAreSilent) {
  Lab lab;
  const Ipv4 client = ip("192.168.1.150");
  const Outcome bis = lab.handle_on_4011(boot_server_request(client, 0x8000, 0x8000), client);
  EXPECT_TRUE(bis.datagram.empty());
  EXPECT_TRUE(std::any_of(bis.log.begin(), bis.log.end(), [](const LogLine& l) {
    return l.level == LogLine::Level::error && l.text == "PXE BIS not supported";
  }));
  EXPECT_TRUE(lab.handle_on_4011(boot_server_request(client, 0x9999, 0), client).datagram.empty());
  EXPECT_TRUE(lab.handle_on_4011(boot_server_request(client, 0, 0), client).datagram.empty());  // no basename
  EXPECT_TRUE(lab.handle_on_4011(boot_server_request(ip("10.9.9.9"), 0x8000, 0), ip("10.9.9.9")).datagram.empty());
}

TEST(BootServer, AlsoAnsweredOnPort67) {
  Lab lab;
  const Ipv4 client = ip("192.168.1.150");
  Arrival a = lab.arrival;
  a.source = client;
  a.to_broadcast = false;
  const Outcome outcome = lab.engine.handle(parsed(boot_server_request(client, 0x8000, 0)), a, lab.leases, kNow);
  ASSERT_FALSE(outcome.datagram.empty());
  EXPECT_FALSE(outcome.destination.from_pxe_port);
  EXPECT_EQ(outcome.destination.address, client);  // yiaddr, after an ARP entry
  EXPECT_TRUE(outcome.destination.inject_arp);
}

TEST(ProxyDhcp, NormalRangesStillAllocateBesidePxeServices) {
  Lab lab("interface=ens33\nno-ping\ndhcp-range=192.168.1.100,192.168.1.200,12h\n"
          "pxe-service=x86PC,\"Install Linux\",pxelinux\n");
  const Packet offer = reply_of(lab.handle(bios_discover()));
  EXPECT_NE(offer.yiaddr, Ipv4{});  // not a proxy subnet: an ordinary offer with the menu
  EXPECT_NE(value(offer, 43), std::vector<std::uint8_t>{});
  // ... and port 4011 serves only PXE requests: a plain DISCOVER there gets nothing.
  EXPECT_TRUE(lab.handle_on_4011(bios_discover(), ip("192.168.1.150")).datagram.empty());
}

}  // namespace
}  // namespace pxemasq::dhcp
