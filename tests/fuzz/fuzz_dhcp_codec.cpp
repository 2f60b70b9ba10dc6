// libFuzzer target: arbitrary bytes through the DHCP wire codec. The datagram is parsed; when it
// is kept, a reply is built from it (its header, its options, its sname/file text) with a size
// limit and overload permission taken from the control bytes, encoded, and parsed back. Besides
// "no crash, no UB, no hang", it traps when an invariant the engine and the log rely on breaks:
// the reply's size bounds, every option either sent or dropped, and the encoded bytes decoding
// back to exactly the `sent` list.
//
// Input layout: 3 control bytes (max_size high, max_size low, flags), then the datagram.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "dhcp/packet.hpp"

namespace {

using namespace pxemasq::dhcp;

void require(bool condition) {
  if (!condition) __builtin_trap();
}

// A header text field up to its first NUL.
template <std::size_t N>
std::string field_text(const std::array<std::uint8_t, N>& field) {
  const auto end = std::find(field.begin(), field.end(), std::uint8_t{0});
  return {field.begin(), end};
}

void check_packet(const Packet& packet) {
  require(packet.hardware_address().size() <= 16);
  require(packet.hardware_address().size() == packet.hlen);
  require(packet.options.size() <= 254);
  for (const Option& option : packet.options) {
    require(option.code != 0 && option.code != 255);
    require(packet.find(option.code) == &option);  // codes are unique after RFC 3396 joins
  }
  const std::size_t buffer = reply_buffer_size(packet);
  require(buffer >= kDefaultReplySize && buffer <= kMaxReplySize);
  (void)packet.message_type();
}

void round_trip(const Packet& request, std::uint16_t max_size, std::uint8_t flags) {
  Reply reply = reply_for(request);
  reply.op = 1;  // so that parse() takes the encoded reply back
  reply.max_size = max_size;
  reply.allow_overload = (flags & 1U) != 0;
  if ((flags & 2U) != 0) reply.sname = field_text(request.sname);
  if ((flags & 4U) != 0) reply.file = field_text(request.file);
  reply.options = request.options;
  if ((flags & 8U) != 0) std::reverse(reply.options.begin(), reply.options.end());
  // Options the codec keeps for itself are refused; keep them out so the comparison below is
  // exact, except when the flags ask to send 52 as well.
  if ((flags & 16U) == 0) {
    std::erase_if(reply.options, [](const Option& option) { return option.code == 52; });
  }

  const EncodedReply encoded = encode(reply);
  const std::size_t limit = std::clamp<std::size_t>(max_size, kMinReplySize, kMaxReplySize);
  require(encoded.bytes.size() >= kMinReplySize);
  require(encoded.bytes.size() <= limit);
  require(encoded.bytes.size() == kMinReplySize || encoded.bytes.back() == 255);
  require(encoded.sent.size() == encoded.sent_areas.size());
  const bool overloaded = encoded.file_overloaded || encoded.sname_overloaded;
  require(!overloaded || reply.allow_overload);
  require(!encoded.file_overloaded || reply.file.empty());
  require(!encoded.sname_overloaded || reply.sname.empty());
  require(encoded.sent.size() + encoded.dropped.size() ==
          reply.options.size() + (overloaded ? 1U : 0U));

  const auto parsed = parse(encoded.bytes);
  const auto* back = std::get_if<Packet>(&parsed);
  require(back != nullptr);
  require(!back->options_malformed);
  require(back->has_cookie);
  require(back->xid == reply.xid && back->chaddr == reply.chaddr && back->flags == reply.flags);
  require(back->overload == ((encoded.file_overloaded ? 1 : 0) | (encoded.sname_overloaded ? 2 : 0)));
  if (!encoded.sname_overloaded) require(field_text(back->sname) == reply.sname.substr(0, 63));
  if (!encoded.file_overloaded) require(field_text(back->file) == reply.file.substr(0, 127));
  require(back->options.size() == encoded.sent.size());
  for (std::size_t i = 0; i < encoded.sent.size(); ++i) {
    require(back->options[i].code == encoded.sent[i].code);
    require(back->options[i].data == encoded.sent[i].data);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const auto max_size = static_cast<std::uint16_t>((data[0] << 8) | data[1]);
  const std::uint8_t flags = data[2];
  const std::span<const std::uint8_t> datagram(data + 3, size - 3);

  const auto result = parse(datagram);
  if (const auto* reason = std::get_if<DropReason>(&result)) {
    require(!describe(*reason).empty());
    require(*reason != DropReason::malformed_options);
    return 0;
  }
  const Packet& packet = std::get<Packet>(result);
  check_packet(packet);
  round_trip(packet, max_size, flags);
  return 0;
}
