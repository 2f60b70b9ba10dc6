// libFuzzer target: arbitrary bytes through the whole pure TFTP path — packet parse (and an
// encode/parse round trip), option negotiation, path resolution, then a transfer driven by
// ACKs, timeouts and errors derived from the same bytes; the shell's pure rules for the logged
// path and the printable name ride along. Besides "no crash, no UB, no hang",
// it checks the invariants the shell relies on and traps when one breaks.
//
// Input layout: 8 control bytes (flags, MTU, file size), then the datagram; the datagram's
// bytes, read three at a time, are also the event script for the transfer.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "daemon/tftp_service.hpp"
#include "tftp/negotiation.hpp"
#include "tftp/packet.hpp"
#include "tftp/path.hpp"
#include "tftp/transfer.hpp"

namespace {

using namespace pxemasq::tftp;

void require(bool condition) {
  if (!condition) __builtin_trap();
}

struct Control {
  bool lowercase = false;
  bool ipv6 = false;
  bool netascii = false;
  bool no_blocksize = false;
  bool unique = false;
  std::optional<unsigned> tftp_mtu;
  std::optional<unsigned> interface_mtu;
  std::uint64_t file_size = 0;
};

Control read_control(std::span<const std::uint8_t> bytes) {
  Control control;
  const std::uint8_t flags = bytes[0];
  control.lowercase = (flags & 1U) != 0;
  control.ipv6 = (flags & 2U) != 0;
  control.netascii = (flags & 4U) != 0;
  control.no_blocksize = (flags & 8U) != 0;
  control.unique = (flags & 16U) != 0;
  const unsigned mtu = (static_cast<unsigned>(bytes[1]) << 8) | bytes[2];
  if ((flags & 32U) != 0) control.interface_mtu = mtu;
  if ((flags & 64U) != 0) control.tftp_mtu = mtu / 2;
  // Up to 16 MiB keeps block counts (and the event loop) small enough to stay fast, while
  // 8-byte blocks still wrap the 16-bit block number.
  control.file_size = (static_cast<std::uint64_t>(bytes[3]) << 16) |
                      (static_cast<std::uint64_t>(bytes[4]) << 8) | bytes[5];
  if ((flags & 128U) != 0) control.file_size *= 37;
  return control;
}

void check_round_trip(const Packet& packet) {
  if (const auto* error = std::get_if<Error>(&packet)) {
    if (error->message.size() > kMaxErrorMessage) return;  // the encoder cuts it, by design
  }
  const auto wire = encode(packet);
  const ParseResult again = parse(wire);
  const auto* reparsed = std::get_if<Packet>(&again);
  require(reparsed != nullptr && *reparsed == packet);
}

void check_confined(const PathResult& result) {
  const auto* resolved = std::get_if<ResolvedPath>(&result);
  if (resolved == nullptr) return;
  require(!resolved->components.empty());
  for (const auto& component : resolved->components) {
    require(!component.empty() && component != "." && component != "..");
    require(component.find('/') == std::string::npos && component.find('\0') == std::string::npos);
    require(component.size() <= kMaxComponentLength);
  }
}

Negotiated run_negotiation(const ReadRequest& request, const Control& control) {
  pxemasq::config::Tftp config;
  config.no_blocksize = control.no_blocksize;
  config.mtu = control.tftp_mtu;
  NegotiationContext context;
  context.file_size = control.file_size;
  context.mode = control.netascii ? TransferMode::netascii : TransferMode::octet;
  context.interface_mtu = control.interface_mtu;
  context.ipv6 = control.ipv6;
  const Negotiated negotiated = negotiate(request.options, config, context);
  require(negotiated.block_size == kDefaultBlockSize ||
          (negotiated.block_size >= kMinBlockSize && negotiated.block_size <= kMaxBlockSize));
  require(negotiated.window_size >= 1 && negotiated.window_size <= kDefaultWindowCap);
  require(negotiated.option_ack.size() <= 4);
  return negotiated;
}

void run_path(const ReadRequest& request, const Control& control) {
  static const std::vector<std::string> kLocalHosts = {"192.168.1.70", "pxe.lan", "[::1]"};
  PathRules rules;
  rules.lowercase = control.lowercase;
  rules.root = "/var/lib/tftpboot";
  rules.unique_directory = control.unique ? "192.168.1.231" : "";
  rules.local_hosts = kLocalHosts;
  check_confined(resolve_path(request.filename, rules));
  // The shell's log path and ERROR-text name for the same request: bounded, printable.
  namespace rules_ns = pxemasq::daemon::tftp_rules;
  const std::string name = rules_ns::printable(request.filename);
  require(std::all_of(name.begin(), name.end(), [](char c) { return c >= ' ' && c <= '~'; }));
  const std::string logged = rules_ns::dnsmasq_path(
      control.unique ? "/var/lib/tftpboot/192.168.1.231/" : "/var/lib/tftpboot/", name,
      control.lowercase);
  require(logged.size() <= 1024 && logged.starts_with('/'));
}

void check_action(const Transfer& transfer, const Action& action) {
  const auto* send = std::get_if<SendBlocks>(&action);
  if (send == nullptr) return;
  require(send->first >= 1 && send->first <= send->last && send->last <= transfer.block_count());
  require(send->last - send->first < transfer.settings().window_size);
  require(send->first == transfer.blocks_acknowledged() + 1);
  const std::uint64_t end = transfer.block_offset(send->last) + transfer.block_length(send->last);
  require(end <= transfer.settings().file_size);
  require(transfer.block_length(send->first) <= transfer.settings().block_size);
}

void run_transfer(const Negotiated& negotiated, const Control& control,
                  std::span<const std::uint8_t> script) {
  TimePoint now = TimePoint{} + std::chrono::hours(1);
  Transfer transfer(transfer_settings(negotiated, control.file_size), now);
  Action action = transfer.start();
  std::uint64_t last_sent = 0;
  for (std::size_t i = 0; i + 3 <= script.size() && !transfer.finished(); i += 3) {
    check_action(transfer, action);
    if (const auto* send = std::get_if<SendBlocks>(&action)) last_sent = send->last;
    const std::uint8_t op = script[i];
    const auto raw = static_cast<std::uint16_t>((script[i + 1] << 8) | script[i + 2]);
    const std::uint64_t acked = transfer.blocks_acknowledged();
    now += std::chrono::milliseconds(op >> 3);
    switch (op & 7U) {
      case 0:
      case 1:
        action = transfer.on_ack(Transfer::wire_block(last_sent), now);
        break;
      case 2:
        action = transfer.on_ack(raw, now);
        break;
      case 3:
        action = transfer.on_ack(Transfer::wire_block(last_sent - (raw % 17)), now);
        break;
      case 4:
        now = std::max(now, transfer.deadline());
        action = transfer.on_timeout(now);
        break;
      case 5:
        action = transfer.on_timeout(now);
        break;
      case 6:
        action = transfer.on_packet(Error{ErrorCode::not_defined, "x"}, now);
        break;
      default:
        action = (raw % 8 == 0) ? transfer.on_read_error("read") : Action{Idle{}};
        break;
    }
    require(transfer.blocks_acknowledged() >= acked);  // never goes backwards
  }
  check_action(transfer, action);
  // Whatever happened, a transfer left alone ends by itself, and soon.
  for (int timeouts = 0; !transfer.finished(); ++timeouts) {
    require(timeouts < 1000);
    action = transfer.on_timeout(transfer.deadline());
    check_action(transfer, action);
  }
  require(transfer.deadline() == TimePoint::max());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::size_t kControlBytes = 8;
  if (size < kControlBytes) return 0;
  const std::span<const std::uint8_t> input(data, size);
  const Control control = read_control(input.first(kControlBytes));
  const auto datagram = input.subspan(kControlBytes);
  const ParseResult parsed = parse(datagram);
  const auto* packet = std::get_if<Packet>(&parsed);
  if (packet == nullptr) {
    (void)describe(std::get<Malformed>(parsed).reason);
    return 0;
  }
  check_round_trip(*packet);
  const auto* request = std::get_if<ReadRequest>(packet);
  if (request == nullptr) return 0;
  (void)transfer_mode(request->mode);
  run_path(*request, control);
  run_transfer(run_negotiation(*request, control), control, datagram);
  return 0;
}
