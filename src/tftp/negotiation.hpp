#pragma once
// RFC 2347 option negotiation for a read request, as a pure function of the request's options,
// the TFTP config and a few facts the shell knows about this request (file size, MTU, family).
// What dnsmasq does is spec §6.3; where pxemasq deliberately differs, negotiation.cpp says so
// at the rule in question (summary: blksize 8..65464 per RFC 2348 with no 2263-byte cap,
// tsize as 64 bits, and RFC 2349 `timeout` and RFC 7440 `windowsize` are honoured).

#include <cstdint>
#include <optional>

#include "config/model.hpp"
#include "tftp/packet.hpp"

namespace pxemasq::tftp {

inline constexpr std::uint16_t kDefaultBlockSize = 512;  // RFC 1350
inline constexpr std::uint16_t kMinBlockSize = 8;        // RFC 2348
inline constexpr std::uint16_t kMaxBlockSize = 65464;    // RFC 2348
inline constexpr unsigned kAssumedMtu = 1500;            // when neither interface nor config tell
inline constexpr unsigned kIpv4Overhead = 32;            // IPv4 20 + UDP 8 + TFTP 4 (dnsmasq)
inline constexpr unsigned kIpv6Overhead = 52;            // IPv6 40 + UDP 8 + TFTP 4 (dnsmasq)
inline constexpr std::uint16_t kDefaultWindowCap = 64;   // our largest window, RFC 7440 §4

// What the shell knows about this request beyond its options.
struct NegotiationContext {
  std::uint64_t file_size = 0;  // as it will be sent (netascii: after LF -> CR LF)
  TransferMode mode = TransferMode::octet;
  // The arrival interface's MTU (loopback: 65536, so no flag is needed for it); nullopt if
  // unknown.
  std::optional<unsigned> interface_mtu;
  bool ipv6 = false;
  // The largest window we grant (RFC 7440 lets the server answer with less than asked): a
  // window is sent as one burst without waiting, so this bounds the burst per transfer.
  std::uint16_t window_cap = kDefaultWindowCap;
};

// The outcome: the transfer's parameters, and the OACK to send first (empty = no OACK; the
// transfer then starts with DATA block 1, RFC 2347 "server does not support options").
struct Negotiated {
  std::uint16_t block_size = kDefaultBlockSize;
  std::uint16_t window_size = 1;
  std::optional<std::uint8_t> timeout_seconds;  // RFC 2349 retransmission timeout, if agreed
  std::optional<std::uint64_t> transfer_size;   // tsize, if acknowledged
  OptionList option_ack;  // blksize, tsize, timeout, windowsize: only those accepted, this order

  [[nodiscard]] bool sends_option_ack() const { return !option_ack.empty(); }
};

// The block size a client may be offered on this path: tftp-mtu lowers the interface MTU
// (and replaces it when unknown), minus the IP/UDP/TFTP headers, within RFC 2348's range.
[[nodiscard]] std::uint16_t block_size_cap(const config::Tftp& config,
                                           const NegotiationContext& context);

[[nodiscard]] Negotiated negotiate(const OptionList& requested, const config::Tftp& config,
                                   const NegotiationContext& context);

}  // namespace pxemasq::tftp
