#pragma once
// The DHCPv4/BOOTP wire codec (RFC 2131, RFC 2132, RFC 3396, spec §4.1, §4.8): bytes to a
// Packet and a Reply to bytes. Pure: no sockets. Malformed input is a value, never an exception.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/model.hpp"

namespace pxemasq::dhcp {

using config::Ipv4;

inline constexpr std::size_t kBootpHeaderSize = 236;  // up to and including `file`
inline constexpr std::uint32_t kMagicCookie = 0x63825363;
inline constexpr std::uint16_t kBroadcastFlag = 0x8000;
// Reply sizes, whole DHCP message (header + cookie + options), spec §4.1, §4.7, §4.8.1.
inline constexpr std::size_t kMinReplySize = 300;       // shorter replies are zero padded
inline constexpr std::size_t kDefaultReplySize = 548;   // 576-byte IP datagram, no option 57
inline constexpr std::size_t kMaxReplySize = 16384;     // option 57 clamp
// BOOTP: the 64-byte `vend` field (RFC 951), cookie included (RFC 1497), so 60 bytes of options.
// dnsmasq 2.90 observed: a BOOTP reply's options end by offset 300.
inline constexpr std::size_t kBootpReplySize = kBootpHeaderSize + 64;

enum class MessageType : std::uint8_t {
  discover = 1, offer = 2, request = 3, decline = 4, ack = 5, nak = 6, release = 7, inform = 8
};

// One option as found in the packet. A code that appears several times is joined into one value
// (RFC 3396), in the order the parts were found (options area, then `file`, then `sname`).
struct Option {
  std::uint8_t code = 0;
  std::vector<std::uint8_t> data;
};

// A parsed request.
struct Packet {
  std::uint8_t op = 0;
  std::uint8_t htype = 0;
  std::uint8_t hlen = 0;
  std::uint8_t hops = 0;
  std::uint32_t xid = 0;
  std::uint16_t secs = 0;
  std::uint16_t flags = 0;
  Ipv4 ciaddr;
  Ipv4 yiaddr;
  Ipv4 siaddr;
  Ipv4 giaddr;
  std::array<std::uint8_t, 16> chaddr{};
  std::array<std::uint8_t, 64> sname{};
  std::array<std::uint8_t, 128> file{};
  bool has_cookie = false;
  std::vector<Option> options;  // first-seen order; 0 (pad) and 255 (end) not included
  std::uint8_t overload = 0;    // option 52's value (bit 1: file, bit 2: sname), 0 if absent
  // An option ran past the end of its area: the search stopped there (spec §4.1) and `options`
  // holds what came before. The packet is still served; the shell may count it.
  bool options_malformed = false;

  [[nodiscard]] const Option* find(std::uint8_t code) const;
  // Option 53, if present and one byte long.
  [[nodiscard]] std::optional<MessageType> message_type() const;
  // chaddr's first hlen bytes (hlen capped at 16).
  [[nodiscard]] std::span<const std::uint8_t> hardware_address() const;
};

// Why a datagram was dropped (spec §4.1); counted by the shell.
enum class DropReason {
  too_short,        // < 236 bytes
  not_a_request,    // op != 1
  bad_hlen,         // hlen > 16, or htype 0 with hlen != 0
  bad_cookie,       // option 53 present without the magic cookie (no 53 and no cookie = BOOTP)
  malformed_options // an option runs past the end of its area. parse() never returns it: the
                    // packet is kept with Packet::options_malformed set (spec §4.1)
};
[[nodiscard]] std::string_view describe(DropReason reason);

// Parse a request. A malformed option stops the option search (the options before it are kept)
// as dnsmasq does; only the header checks above drop the packet. Options are read from offset
// 240 whether or not the cookie is there (as dnsmasq does), so a cookie-less BOOTP request may
// still carry some; has_cookie tells the two apart.
[[nodiscard]] std::variant<Packet, DropReason> parse(std::span<const std::uint8_t> datagram);

// A reply to encode. Options go out in exactly this order (the engine decides it, spec §4.8.2).
struct Reply {
  std::uint8_t op = 2;
  std::uint8_t htype = 0;
  std::uint8_t hlen = 0;
  std::uint8_t hops = 0;
  std::uint32_t xid = 0;
  std::uint16_t secs = 0;
  std::uint16_t flags = 0;
  Ipv4 ciaddr;
  Ipv4 yiaddr;
  Ipv4 siaddr;
  Ipv4 giaddr;
  std::array<std::uint8_t, 16> chaddr{};
  std::string sname;  // header field text (truncated to 63 bytes + NUL)
  std::string file;   // header field text (truncated to 127 bytes + NUL)
  // Codes 0, 52 and 255 are the codec's own: never taken from here (they go to `dropped`).
  // A value longer than 255 bytes is split into consecutive same-code options (RFC 3396).
  std::vector<Option> options;
  // The whole reply's size limit: reply_buffer_size() (option 57 - 28, clamped to [548, 16384];
  // 548 without 57), kBootpReplySize for BOOTP. The options area after the cookie, option 255
  // included, gets max_size - 236 - 4 bytes (spec §4.1). Clamped to [300, 16384].
  std::size_t max_size = kDefaultReplySize;
  // May spill into empty `file`/`sname` through option 52 (spec §4.8.6).
  bool allow_overload = true;
  // The request's cookie is kept (spec §4.8.1): a BOOTP request without one gets zeros there.
  bool cookie = true;
};

// Where an option was placed.
enum class OptionArea : std::uint8_t { options, file, sname };

struct EncodedReply {
  std::vector<std::uint8_t> bytes;  // at least 300 bytes (zero padded), ends after option 255
  // Options in packet order, as they were placed: the options area (option 52 included where it
  // was inserted), then `file`, then `sname`. One entry per Reply option, unsplit.
  std::vector<Option> sent;
  // sent_areas[i] is where sent[i] went. dnsmasq's log-dhcp lists the `file` options first, then
  // `sname`, then the options area (observed, dnsmasq 2.90).
  std::vector<OptionArea> sent_areas;
  std::vector<std::uint8_t> dropped; // codes that did not fit ("no space left in packet")
  bool file_overloaded = false;
  bool sname_overloaded = false;
};

[[nodiscard]] EncodedReply encode(const Reply& reply);

// The reply buffer size dnsmasq uses for a request (spec §4.1, option 57).
[[nodiscard]] std::size_t reply_buffer_size(const Packet& request);

// A reply skeleton for a request (spec §4.8.1): op 2; htype, hlen, hops, xid, secs, flags,
// ciaddr, giaddr and chaddr copied; max_size from option 57 (kBootpReplySize for BOOTP);
// overload allowed when the client sent a PRL and option 53. The engine still sets ciaddr per
// §4.8.1, yiaddr, siaddr, sname, file, options, and clears allow_overload for dhcp-no-override.
[[nodiscard]] Reply reply_for(const Packet& request);

}  // namespace pxemasq::dhcp
