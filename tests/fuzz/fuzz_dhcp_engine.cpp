// libFuzzer target: arbitrary bytes through the DHCP codec and the engine (spec §4). Each input
// is parsed as a request; a kept packet goes through dhcp::Engine::handle with a fixed arrival
// (ens33, 192.168.1.70/24) and one of several configs loaded from in-memory text: the seed, the
// seed with dhcp-host reservations, a tag-heavy PXE config, a relay/authoritative config with
// BOOTP and a small lease table, and a static/sequential config with a range covering the server
// address. Engines and lease tables persist across inputs (the table is bounded by each config's
// dhcp-lease-max) and time moves on, so leases, offer holds, declines and expiry interact the way
// they do in a long-running daemon. Control bit 7 gives the input a fresh engine and table
// instead, so that a sequence found inside one input reproduces on its own.
//
// Conflict probes (Outcome::probe) are answered as the daemon would, echo reply or not as the
// control bits say, and the request handled again.
//
// Input layout: 3 control bytes, then one or more datagrams separated by the 4 bytes "PXQ|".
//   byte 0: bits 0-2 config, bit 3 unicast arrival, bit 4 PXE port (4011), bit 5 loopback,
//           bit 6 source on the subnet (else 0.0.0.0), bit 7 fresh state
//   byte 1: seconds to advance before each datagram (its square when byte 2 bit 7 is set); with
//           the datagram's index, also whether each of its conflict probes is answered
//   byte 2: bits 0-6 low byte of the source port's offset
// (The codec fuzzer's corpus, 3 control bytes and one datagram, fits this layout.)
//
// Besides "no crash, no UB, no leak, no hang", it traps when an invariant breaks: the reply
// decodes back with the request's xid and chaddr, its size is within [300, 16384]; an ACK to a
// REQUEST is backed by a lease of that client at yiaddr; an OFFER never names an address leased
// to another client; an ARP injection names a real address and a 1..14-byte hardware address;
// log lines carry no control characters (a client's bytes must not forge log lines).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/loader.hpp"
#include "config/option_table.hpp"
#include "dhcp/engine.hpp"
#include "dhcp/packet.hpp"
#include "config_text.hpp"
#include "memory_source.hpp"

namespace {

using namespace pxemasq;
using dhcp::Ipv4;

constexpr const char* kSeed = testing::kSeedConfig;

const std::vector<std::string>& config_texts() {
  static const std::vector<std::string> texts = {
      kSeed,
      std::string(kSeed) +
          "dhcp-host=52:54:00:aa:bb:cc,192.168.1.235,esx01\n"
          "dhcp-host=02:00:00:00:00:01,192.168.1.240,set:lab,infinite\n"
          "dhcp-host=id:01:02:03:04,192.168.1.241,host-by-id,1h\n"
          "dhcp-host=02:00:00:00:00:02,ignore\n"
          "dhcp-host=02:00:00:00:00:*,set:wild\n"
          "dhcp-host=pxe-client,192.168.1.70\n"
          "dhcp-option=tag:lab,15,lab.example\n"
          "dhcp-lease-max=30\n",
      std::string(kSeed) +
          "dhcp-match=set:bios,option:client-arch,0\n"
          "dhcp-match=set:efi64,option:client-arch,7\n"
          "dhcp-match=set:efi64,option:client-arch,9\n"
          "dhcp-match=set:ipxe,175\n"
          "dhcp-vendorclass=set:pxe,PXEClient\n"
          "dhcp-userclass=set:ipxe-user,iPXE\n"
          "tag-if=set:uefi-ipxe,tag:efi64,tag:ipxe\n"
          "dhcp-boot=tag:bios,undionly.kpxe\n"
          "dhcp-boot=tag:efi64,tag:!ipxe,ipxe.efi,boot-server,192.168.1.71\n"
          "dhcp-boot=tag:uefi-ipxe,http://192.168.1.70/boot.ipxe\n"
          "dhcp-option=tag:pxe,vendor:PXEClient,6,2b\n"
          "dhcp-option-force=tag:efi64,43,01:02:03\n"
          "dhcp-option=encap:175,190,user\n"
          "dhcp-option=tag:bios,66,192.168.1.70\n"
          "pxe-prompt=\"Boot menu\",5\n"
          "pxe-service=x86PC,\"BIOS boot\",undionly\n"
          "pxe-service=x86-64_EFI,\"UEFI boot\",bootx64.efi\n"
          "dhcp-ignore=tag:!known,tag:ignored-class\n"
          "dhcp-vendorclass=set:ignored-class,ignore-me\n"
          "dhcp-broadcast=tag:bios\n",
      "interface=ens33\n"
      "dhcp-range=192.168.1.230,192.168.1.250,255.255.255.0,12h\n"
      "dhcp-range=set:relayed,10.0.5.10,10.0.5.40,255.255.255.0,1h\n"
      "dhcp-range=10.9.0.10,10.9.0.12,255.255.255.0,2m\n"
      "dhcp-option=tag:relayed,3,10.0.5.1\n"
      "dhcp-authoritative\n"
      "bootp-dynamic\n"
      "dhcp-lease-max=20\n"
      "dhcp-boot=tag:relayed,pxelinux.0\n"
      "log-dhcp\n",
      "interface=ens33\n"
      "dhcp-range=192.168.1.50,192.168.1.100,255.255.255.0,5m\n"
      "dhcp-range=192.168.1.0,static\n"
      "dhcp-host=02:00:00:00:00:10,192.168.1.20\n"
      "dhcp-host=02:00:00:00:00:11,192.168.1.60\n"
      "dhcp-sequential-ip\n"
      "dhcp-no-override\n"
      "dhcp-ignore-clid\n"
      "dhcp-option=252,\"http://192.168.1.70/wpad.dat\"\n"
      "dhcp-option-force=125,00:00:0d:e9:04:01:02:03:04\n"
      "dhcp-lease-max=40\n",
  };
  return texts;
}

std::shared_ptr<const config::Config> load(const std::string& text) {
  testing::MemorySource source;
  source.add_file("t.conf", text);
  config::LoadRequest request{{{config::find_option("conf-file"), "t.conf"}}, "/none"};
  auto result = config::load_config(request, source);
  if (auto* error = std::get_if<config::ConfigError>(&result)) {
    std::fprintf(stderr, "fuzz_dhcp_engine: a built-in config does not load: %s\n", error->format().c_str());
    std::abort();
  }
  return std::get<config::LoadedConfig>(result).config;
}

struct World {
  std::shared_ptr<const config::Config> config;
  dhcp::Engine engine;
  dhcp::LeaseTable leases;
  explicit World(std::shared_ptr<const config::Config> c)
      : config(c), engine(c), leases(c->lease_max) {}
};

std::vector<std::unique_ptr<World>>& worlds() {
  static std::vector<std::unique_ptr<World>> all = [] {
    std::vector<std::unique_ptr<World>> made;
    for (const auto& text : config_texts()) made.push_back(std::make_unique<World>(load(text)));
    return made;
  }();
  return all;
}

const std::vector<std::shared_ptr<const config::Config>>& configs() {
  static const std::vector<std::shared_ptr<const config::Config>> all = [] {
    std::vector<std::shared_ptr<const config::Config>> made;
    for (const auto& world : worlds()) made.push_back(world->config);
    return made;
  }();
  return all;
}

std::int64_t g_now = 1'800'000'000;

void require(bool condition) {
  if (!condition) __builtin_trap();
}

dhcp::Arrival arrival_for(std::uint8_t control, std::uint8_t port_control) {
  dhcp::Arrival arrival;
  arrival.interface = (control & 0x20U) != 0 ? "lo" : "ens33";
  arrival.ifindex = (control & 0x20U) != 0 ? 1 : 2;
  arrival.addresses = {{Ipv4{0xC0A80146}, Ipv4{0xFFFFFF00}, Ipv4{0xC0A801FF}}};  // 192.168.1.70/24
  arrival.to_broadcast = (control & 0x08U) == 0;
  arrival.on_pxe_port = (control & 0x10U) != 0;
  arrival.loopback = (control & 0x20U) != 0;
  arrival.source = (control & 0x40U) != 0 ? Ipv4{0xC0A80100U | (port_control | 0x80U)} : Ipv4{0};
  arrival.source_port = static_cast<std::uint16_t>(68 + (port_control & 0x7FU));
  return arrival;
}

// The lease belongs to the requesting client: same client-id, else same htype + MAC (spec §4.3).
bool owned_by(const dhcp::Lease& lease, const dhcp::Packet& request, const config::Config& config) {
  const dhcp::Option* id = config.ignore_client_id ? nullptr : request.find(61);
  if (id != nullptr && !id->data.empty() && !lease.client_id.empty()) return lease.client_id == id->data;
  const auto mac = request.hardware_address();
  return lease.htype == request.htype &&
         std::equal(lease.hardware_address.begin(), lease.hardware_address.end(), mac.begin(), mac.end());
}

void check_outcome(const dhcp::Packet& request, const dhcp::Outcome& outcome, const dhcp::LeaseTable& leases,
                   const config::Config& config) {
  for (const auto& line : outcome.log) {
    require(!line.text.empty());
    for (const char c : line.text) {
      const auto byte = static_cast<unsigned char>(c);
      require(byte >= 0x20 && byte != 0x7F);
    }
  }
  if (outcome.datagram.empty()) return;
  require(outcome.datagram.size() >= dhcp::kMinReplySize);
  require(outcome.datagram.size() <= dhcp::kMaxReplySize);
  require(outcome.datagram[0] == 2);
  std::vector<std::uint8_t> copy = outcome.datagram;
  copy[0] = 1;  // parse() takes requests only
  const auto parsed = dhcp::parse(copy);
  const auto* reply = std::get_if<dhcp::Packet>(&parsed);
  require(reply != nullptr);
  // The request's cookie is kept: a BOOTP request without one gets a reply without one (§4.8.1).
  require(reply->has_cookie || !request.has_cookie);
  require(!reply->options_malformed);
  require(reply->xid == request.xid);
  require(reply->chaddr == request.chaddr);

  const auto& to = outcome.destination;
  if (to.inject_arp) {
    require(to.address.value != 0);
    require(!to.hardware_address.empty() && to.hardware_address.size() <= 14);
  }

  const auto request_type = request.message_type();
  const auto reply_type = reply->message_type();
  if (request_type == dhcp::MessageType::request && reply_type == dhcp::MessageType::ack) {
    // Every ACK to a REQUEST writes a lease (a new expiry at least): it must wait for the disk.
    require(outcome.leases_changed);
    const dhcp::Lease* lease = leases.find_address(reply->yiaddr);
    require(lease != nullptr);
    require(owned_by(*lease, request, config));
  }
  if (reply_type == dhcp::MessageType::offer) {
    require(reply->yiaddr.value != 0);
    const dhcp::Lease* holder = leases.find_address(reply->yiaddr);
    require(holder == nullptr || owned_by(*holder, request, config));
  }
}

// `answers`: bit i says whether the i-th conflict probe of this datagram gets an echo reply.
void run_one(World& world, std::span<const std::uint8_t> datagram, const dhcp::Arrival& arrival,
             std::uint8_t answers) {
  const auto result = dhcp::parse(datagram);
  if (const auto* reason = std::get_if<dhcp::DropReason>(&result)) {
    require(!dhcp::describe(*reason).empty());
    return;
  }
  const auto& request = std::get<dhcp::Packet>(result);
  dhcp::Outcome outcome = world.engine.handle(request, arrival, world.leases, g_now);
  require(world.leases.size() <= world.leases.max_leases());
  check_outcome(request, outcome, world.leases, *world.config);
  // As the daemon does: a requested probe is answered (or not), then the request is handled again.
  for (int i = 0; outcome.probe && i < 8; ++i) {
    require(outcome.datagram.empty());
    world.engine.probe_result(*outcome.probe, ((answers >> i) & 1U) != 0, g_now);
    outcome = world.engine.handle(request, arrival, world.leases, g_now);
    require(world.leases.size() <= world.leases.max_leases());
    check_outcome(request, outcome, world.leases, *world.config);
  }
}

constexpr std::string_view kSeparator = "PXQ|";

}  // namespace

// The persistent engines and lease tables grow and shrink across inputs, which libFuzzer's
// per-input leak check takes for leaks and answers with a full LSan heap scan (a tenfold
// slowdown). Unless the command line says otherwise, turn that per-input check off; real leaks
// are still reported by LSan at exit.
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  static std::vector<char*> args;
  bool explicit_flag = false;
  for (int i = 0; i < *argc; ++i) {
    if (std::string_view((*argv)[i]).starts_with("-detect_leaks=")) explicit_flag = true;
  }
  if (explicit_flag) return 0;
  static char flag[] = "-detect_leaks=0";
  args.assign(*argv, *argv + *argc);
  args.insert(args.begin() + 1, flag);
  args.push_back(nullptr);
  *argc += 1;
  *argv = args.data();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const std::uint8_t control = data[0];
  const std::uint8_t step = data[1];
  const std::uint8_t port_control = data[2];
  const std::size_t which = (control & 0x07U) % configs().size();
  const dhcp::Arrival arrival = arrival_for(control, port_control);

  std::unique_ptr<World> fresh;
  World* world = worlds()[which].get();
  if ((control & 0x80U) != 0) {
    fresh = std::make_unique<World>(configs()[which]);
    world = fresh.get();
  }

  const std::string_view rest(reinterpret_cast<const char*>(data + 3), size - 3);
  std::size_t begin = 0;
  for (int pieces = 0; pieces < 16 && begin <= rest.size(); ++pieces) {
    std::size_t end = rest.find(kSeparator, begin);
    if (end == std::string_view::npos) end = rest.size();
    g_now += (port_control & 0x80U) != 0 ? std::int64_t{step} * step : step;
    const auto* piece = reinterpret_cast<const std::uint8_t*>(rest.data() + begin);
    const std::uint8_t answers = static_cast<std::uint8_t>(step ^ (pieces * 0x35));
    run_one(*world, std::span<const std::uint8_t>(piece, end - begin), arrival, answers);
    if (end == rest.size()) break;
    begin = end + kSeparator.size();
  }
  return 0;
}
