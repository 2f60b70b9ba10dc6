#include "tftp/negotiation.hpp"

#include <algorithm>
#include <limits>
#include <string>

namespace pxemasq::tftp {
namespace {

// Decimal digits only, saturating. dnsmasq uses atoi(), which turns junk into 0 (then blksize
// 1); RFC 2347 lets a server ignore an option it cannot make sense of, so junk is ignored here.
std::optional<std::uint64_t> parse_decimal(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    value = value > (kMax - digit) / 10 ? kMax : value * 10 + digit;
  }
  return value;
}

std::optional<std::uint64_t> requested_number(const OptionList& requested, std::string_view name) {
  const Option* option = find_option(requested, name);
  return option != nullptr ? parse_decimal(option->value) : std::nullopt;
}

std::optional<unsigned> known(std::optional<unsigned> mtu) {
  return (mtu && *mtu > 0) ? mtu : std::nullopt;
}

// blksize (RFC 2348). Follows dnsmasq: the last `blksize` counts, `tftp-no-blocksize` ignores
// it, and the answer is the client's value lowered to what the path carries without IP
// fragmentation. Differs: values below 8 or not a number are ignored (dnsmasq clamps them up
// to 1), and there is no cap from a DNS packet buffer (dnsmasq: 2263).
std::optional<std::uint16_t> negotiate_block_size(const OptionList& requested,
                                                  const config::Tftp& config,
                                                  const NegotiationContext& context) {
  if (config.no_blocksize) return std::nullopt;
  const auto asked = requested_number(requested, "blksize");
  if (!asked || *asked < kMinBlockSize) return std::nullopt;
  const std::uint16_t cap = block_size_cap(config, context);
  return *asked < cap ? static_cast<std::uint16_t>(*asked) : cap;
}

// tsize (RFC 2349). Follows dnsmasq: octet mode only (in netascii the bytes on the wire are
// not the file's bytes), the client's value ignored, the real size answered. Differs: the
// size is not truncated to 32 bits.
std::optional<std::uint64_t> negotiate_transfer_size(const OptionList& requested,
                                                     const NegotiationContext& context) {
  if (context.mode != TransferMode::octet) return std::nullopt;
  if (find_option(requested, "tsize") == nullptr) return std::nullopt;
  return context.file_size;
}

// timeout (RFC 2349): 1..255 seconds, answered unchanged. dnsmasq ignores the option; pxemasq
// honours it (spec §9.5) — it only changes the wire for clients that ask.
std::optional<std::uint8_t> negotiate_timeout(const OptionList& requested) {
  const auto asked = requested_number(requested, "timeout");
  if (!asked || *asked < 1 || *asked > 255) return std::nullopt;
  return static_cast<std::uint8_t>(*asked);
}

// windowsize (RFC 7440): 1..65535 blocks; the server may answer less, and answers at most
// `window_cap`. dnsmasq ignores the option (spec §9.5).
std::optional<std::uint16_t> negotiate_window_size(const OptionList& requested,
                                                   const NegotiationContext& context) {
  const auto asked = requested_number(requested, "windowsize");
  if (!asked || *asked < 1 || *asked > 65535) return std::nullopt;
  const std::uint16_t cap = std::max<std::uint16_t>(context.window_cap, 1);
  return *asked < cap ? static_cast<std::uint16_t>(*asked) : cap;
}

}  // namespace

std::uint16_t block_size_cap(const config::Tftp& config, const NegotiationContext& context) {
  // spec §6.3: the interface MTU lowered to tftp-mtu, or tftp-mtu alone when the interface's is
  // unknown. With neither (dnsmasq then caps at its 2263-byte buffer) we assume Ethernet, so
  // blocks are never fragmented by default.
  const auto interface_mtu = known(context.interface_mtu);
  const auto configured_mtu = known(config.mtu);
  unsigned mtu = kAssumedMtu;
  if (interface_mtu && configured_mtu) {
    mtu = std::min(*interface_mtu, *configured_mtu);
  } else if (interface_mtu || configured_mtu) {
    mtu = interface_mtu ? *interface_mtu : *configured_mtu;
  }
  const unsigned overhead = context.ipv6 ? kIpv6Overhead : kIpv4Overhead;
  const unsigned payload = mtu > overhead ? mtu - overhead : 0;
  // RFC 2348's range wins over a silly MTU: a block below 8 bytes is not a valid answer.
  return static_cast<std::uint16_t>(std::clamp<unsigned>(payload, kMinBlockSize, kMaxBlockSize));
}

Negotiated negotiate(const OptionList& requested, const config::Tftp& config,
                     const NegotiationContext& context) {
  Negotiated result;
  // The OACK lists blksize then tsize, as dnsmasq sends them; the options dnsmasq does not
  // know follow. Names are sent in lower case whatever the client's spelling.
  if (const auto size = negotiate_block_size(requested, config, context)) {
    result.block_size = *size;
    result.option_ack.push_back({"blksize", std::to_string(*size)});
  }
  if (const auto size = negotiate_transfer_size(requested, context)) {
    result.transfer_size = *size;
    result.option_ack.push_back({"tsize", std::to_string(*size)});
  }
  if (const auto seconds = negotiate_timeout(requested)) {
    result.timeout_seconds = *seconds;
    result.option_ack.push_back({"timeout", std::to_string(*seconds)});
  }
  if (const auto window = negotiate_window_size(requested, context)) {
    result.window_size = *window;
    result.option_ack.push_back({"windowsize", std::to_string(*window)});
  }
  return result;
}

}  // namespace pxemasq::tftp
