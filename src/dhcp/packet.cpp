#include "dhcp/packet.hpp"

#include <algorithm>
#include <utility>

namespace pxemasq::dhcp {
namespace {

// RFC 2131 §2 fixed header layout.
constexpr std::size_t kCiaddrOffset = 12;
constexpr std::size_t kYiaddrOffset = 16;
constexpr std::size_t kSiaddrOffset = 20;
constexpr std::size_t kGiaddrOffset = 24;
constexpr std::size_t kChaddrOffset = 28;
constexpr std::size_t kSnameOffset = 44;
constexpr std::size_t kFileOffset = 108;
constexpr std::size_t kSnameSize = 64;
constexpr std::size_t kFileSize = 128;
constexpr std::size_t kCookieOffset = kBootpHeaderSize;
constexpr std::size_t kOptionsOffset = kBootpHeaderSize + 4;

constexpr std::uint8_t kPad = 0;
constexpr std::uint8_t kEnd = 255;
constexpr std::uint8_t kOverloadCode = 52;
constexpr std::uint8_t kMessageTypeCode = 53;
constexpr std::uint8_t kMaxMessageSizeCode = 57;
constexpr std::uint8_t kRequestListCode = 55;
constexpr std::uint8_t kOverloadFile = 1;   // RFC 2132 §9.3
constexpr std::uint8_t kOverloadSname = 2;
constexpr std::size_t kOverloadOptionSize = 3;  // 52, 1, value
constexpr std::size_t kMaxFragment = 255;       // RFC 3396: longer values are split

std::uint16_t read16(std::span<const std::uint8_t> bytes, std::size_t at) {
  return static_cast<std::uint16_t>((bytes[at] << 8) | bytes[at + 1]);
}

std::uint32_t read32(std::span<const std::uint8_t> bytes, std::size_t at) {
  return (static_cast<std::uint32_t>(bytes[at]) << 24) |
         (static_cast<std::uint32_t>(bytes[at + 1]) << 16) |
         (static_cast<std::uint32_t>(bytes[at + 2]) << 8) | static_cast<std::uint32_t>(bytes[at + 3]);
}

void write16(std::span<std::uint8_t> bytes, std::size_t at, std::uint16_t value) {
  bytes[at] = static_cast<std::uint8_t>(value >> 8);
  bytes[at + 1] = static_cast<std::uint8_t>(value);
}

void write32(std::span<std::uint8_t> bytes, std::size_t at, std::uint32_t value) {
  bytes[at] = static_cast<std::uint8_t>(value >> 24);
  bytes[at + 1] = static_cast<std::uint8_t>(value >> 16);
  bytes[at + 2] = static_cast<std::uint8_t>(value >> 8);
  bytes[at + 3] = static_cast<std::uint8_t>(value);
}

// Collects options in first-seen order, joining repeated codes (RFC 3396 §4: the parts are
// concatenated in the order options area, `file`, `sname`). At most 254 entries, since pad and
// end are never stored; the index makes each join O(1).
class OptionCollector {
 public:
  explicit OptionCollector(std::vector<Option>& out) : out_(out) { index_.fill(kNone); }

  void add(std::uint8_t code, std::span<const std::uint8_t> data) {
    std::size_t& slot = index_[code];
    if (slot == kNone) {
      slot = out_.size();
      out_.push_back({code, {}});
    }
    auto& value = out_[slot].data;
    value.insert(value.end(), data.begin(), data.end());
  }

  [[nodiscard]] const Option* find(std::uint8_t code) const {
    const std::size_t slot = index_[code];
    return slot == kNone ? nullptr : &out_[slot];
  }

 private:
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::vector<Option>& out_;
  std::array<std::size_t, 256> index_{};
};

// Scan one area (RFC 2132 §2): pad skipped, end stops the area. Returns false when an option's
// length byte or value runs past the area (the caller stops the whole search, spec §4.1).
bool scan_area(std::span<const std::uint8_t> area, OptionCollector& collector) {
  std::size_t at = 0;
  while (at < area.size()) {
    const std::uint8_t code = area[at];
    if (code == kPad) {
      ++at;
      continue;
    }
    if (code == kEnd) return true;
    if (at + 1 >= area.size()) return false;
    const std::size_t length = area[at + 1];
    if (length > area.size() - at - 2) return false;
    collector.add(code, area.subspan(at + 2, length));
    at += 2 + length;
  }
  return true;
}

Ipv4 read_address(std::span<const std::uint8_t> bytes, std::size_t at) {
  return Ipv4{read32(bytes, at)};
}

// Bytes an option takes on the wire once split into <= 255-byte fragments (RFC 3396 §5).
std::size_t wire_size(std::size_t length) {
  const std::size_t fragments = length == 0 ? 1 : (length + kMaxFragment - 1) / kMaxFragment;
  return length + 2 * fragments;
}

// One area of the reply being filled: the options area, `file` or `sname`. `capacity` counts
// the bytes available to options and the closing 255.
struct Area {
  std::size_t offset = 0;
  std::size_t capacity = 0;
  std::size_t used = 0;
  bool usable = false;
  std::vector<const Option*> placed;

  // An option of `size` wire bytes fits when it and the end option still fit, with `reserve`
  // bytes kept free besides.
  [[nodiscard]] bool fits(std::size_t size, std::size_t reserve) const {
    return usable && used + size + reserve + 1 <= capacity;
  }
};

void place(std::span<std::uint8_t> bytes, Area& area, const Option& option) {
  std::span<const std::uint8_t> rest = option.data;
  std::size_t at = area.offset + area.used;
  do {
    const std::size_t chunk = std::min(rest.size(), kMaxFragment);
    bytes[at] = option.code;
    bytes[at + 1] = static_cast<std::uint8_t>(chunk);
    std::copy_n(rest.begin(), chunk, bytes.begin() + static_cast<std::ptrdiff_t>(at + 2));
    at += 2 + chunk;
    rest = rest.subspan(chunk);
  } while (!rest.empty());
  area.used = at - area.offset;
  area.placed.push_back(&option);
}

// A header text field: at most size - 1 bytes, so it always ends in NUL.
void write_text(std::span<std::uint8_t> field, const std::string& text) {
  const std::size_t length = std::min(text.size(), field.size() - 1);
  std::transform(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(length), field.begin(),
                 [](char c) { return static_cast<std::uint8_t>(c); });
}

}  // namespace

const Option* Packet::find(std::uint8_t code) const {
  const auto it = std::find_if(options.begin(), options.end(),
                               [code](const Option& option) { return option.code == code; });
  return it == options.end() ? nullptr : &*it;
}

std::optional<MessageType> Packet::message_type() const {
  const Option* option = find(kMessageTypeCode);
  if (option == nullptr || option->data.size() != 1) return std::nullopt;
  // Values outside 1..8 are kept as they are: the engine ignores unknown types, and they must
  // not be mistaken for BOOTP (nullopt).
  return static_cast<MessageType>(option->data[0]);
}

std::span<const std::uint8_t> Packet::hardware_address() const {
  return std::span<const std::uint8_t>(chaddr).first(std::min<std::size_t>(hlen, chaddr.size()));
}

std::string_view describe(DropReason reason) {
  switch (reason) {
    case DropReason::too_short:
      return "packet shorter than the BOOTP header";
    case DropReason::not_a_request:
      return "not a BOOTREQUEST";
    case DropReason::bad_hlen:
      return "bad hardware address length";
    case DropReason::bad_cookie:
      return "DHCP message type without the magic cookie";
    case DropReason::malformed_options:
      return "malformed options";
  }
  return "malformed packet";
}

std::variant<Packet, DropReason> parse(std::span<const std::uint8_t> datagram) {
  // Spec §4.1: the header checks, in dnsmasq's order.
  if (datagram.size() < kBootpHeaderSize) return DropReason::too_short;
  Packet packet;
  packet.op = datagram[0];
  packet.htype = datagram[1];
  packet.hlen = datagram[2];
  packet.hops = datagram[3];
  if (packet.op != 1) return DropReason::not_a_request;
  if (packet.hlen > packet.chaddr.size() || (packet.htype == 0 && packet.hlen != 0)) {
    return DropReason::bad_hlen;
  }
  packet.xid = read32(datagram, 4);
  packet.secs = read16(datagram, 8);
  packet.flags = read16(datagram, 10);
  packet.ciaddr = read_address(datagram, kCiaddrOffset);
  packet.yiaddr = read_address(datagram, kYiaddrOffset);
  packet.siaddr = read_address(datagram, kSiaddrOffset);
  packet.giaddr = read_address(datagram, kGiaddrOffset);
  std::copy_n(datagram.begin() + kChaddrOffset, packet.chaddr.size(), packet.chaddr.begin());
  std::copy_n(datagram.begin() + kSnameOffset, packet.sname.size(), packet.sname.begin());
  std::copy_n(datagram.begin() + kFileOffset, packet.file.size(), packet.file.begin());
  packet.has_cookie =
      datagram.size() >= kOptionsOffset && read32(datagram, kCookieOffset) == kMagicCookie;

  // Options area, then the overloaded fields named by option 52 (RFC 2131 §4.1, RFC 2132 §9.3).
  // Only option 52 from the options area counts; a 52 inside `file` or `sname` is just an option.
  OptionCollector collector(packet.options);
  const auto options_area =
      datagram.size() > kOptionsOffset ? datagram.subspan(kOptionsOffset) : std::span<const std::uint8_t>{};
  bool well_formed = scan_area(options_area, collector);
  if (const Option* overload = collector.find(kOverloadCode); overload != nullptr && !overload->data.empty()) {
    packet.overload = overload->data[0];
  }
  if (well_formed && (packet.overload & kOverloadFile) != 0) {
    well_formed = scan_area(std::span<const std::uint8_t>(packet.file), collector);
  }
  if (well_formed && (packet.overload & kOverloadSname) != 0) {
    well_formed = scan_area(std::span<const std::uint8_t>(packet.sname), collector);
  }
  packet.options_malformed = !well_formed;

  // Spec §4.1: the cookie is mandatory for DHCP (option 53 of at least one byte, as dnsmasq
  // looks it up); without 53 the packet is BOOTP whatever the cookie says.
  const Option* type = collector.find(kMessageTypeCode);
  if (!packet.has_cookie && type != nullptr && !type->data.empty()) return DropReason::bad_cookie;
  return packet;
}

EncodedReply encode(const Reply& reply) {
  const std::size_t max_size = std::clamp(reply.max_size, kMinReplySize, kMaxReplySize);
  std::vector<std::uint8_t> buffer(max_size, 0);
  const std::span<std::uint8_t> bytes(buffer);

  // RFC 2131 §2 fixed header.
  bytes[0] = reply.op;
  bytes[1] = reply.htype;
  bytes[2] = reply.hlen;
  bytes[3] = reply.hops;
  write32(bytes, 4, reply.xid);
  write16(bytes, 8, reply.secs);
  write16(bytes, 10, reply.flags);
  write32(bytes, kCiaddrOffset, reply.ciaddr.value);
  write32(bytes, kYiaddrOffset, reply.yiaddr.value);
  write32(bytes, kSiaddrOffset, reply.siaddr.value);
  write32(bytes, kGiaddrOffset, reply.giaddr.value);
  std::copy(reply.chaddr.begin(), reply.chaddr.end(), bytes.begin() + kChaddrOffset);
  write_text(bytes.subspan(kSnameOffset, kSnameSize), reply.sname);
  write_text(bytes.subspan(kFileOffset, kFileSize), reply.file);
  write32(bytes, kCookieOffset, reply.cookie ? kMagicCookie : 0U);

  // Spec §4.8.6: `file` then `sname` take options only when overload is allowed and the field
  // holds no text. While either could, 3 bytes of the options area stay free for option 52.
  Area main{kOptionsOffset, max_size - kOptionsOffset, 0, true, {}};
  Area file{kFileOffset, kFileSize, 0, reply.allow_overload && reply.file.empty(), {}};
  Area sname{kSnameOffset, kSnameSize, 0, reply.allow_overload && reply.sname.empty(), {}};
  const bool may_overload = file.usable || sname.usable;
  std::size_t reserve = may_overload ? kOverloadOptionSize : 0;
  std::size_t overload_at = 0;  // offset of option 52's value byte once inserted
  Option overload_option{kOverloadCode, {0}};

  EncodedReply encoded;
  for (const Option& option : reply.options) {
    if (option.code == kPad || option.code == kEnd || option.code == kOverloadCode) {
      encoded.dropped.push_back(option.code);
      continue;
    }
    const std::size_t size = wire_size(option.data.size());
    if (main.fits(size, reserve)) {
      place(bytes, main, option);
      continue;
    }
    // First fit, in RFC 3396 order: a later, smaller option may still go to the options area.
    Area* spill = file.fits(size, 0) ? &file : (sname.fits(size, 0) ? &sname : nullptr);
    if (spill == nullptr) {
      encoded.dropped.push_back(option.code);
      continue;
    }
    if (reserve != 0) {
      // Insert option 52 here, into the bytes kept for it; its value is set once known.
      overload_at = main.offset + main.used + 2;
      place(bytes, main, overload_option);
      reserve = 0;
    }
    place(bytes, *spill, option);
  }

  // Close each area used with 255 (RFC 2132 §9.3: the fields are ended like the options area).
  bytes[main.offset + main.used] = kEnd;
  std::uint8_t overload_value = 0;
  if (!file.placed.empty()) {
    bytes[file.offset + file.used] = kEnd;
    overload_value |= kOverloadFile;
  }
  if (!sname.placed.empty()) {
    bytes[sname.offset + sname.used] = kEnd;
    overload_value |= kOverloadSname;
  }
  if (overload_value != 0) bytes[overload_at] = overload_value;
  encoded.file_overloaded = !file.placed.empty();
  encoded.sname_overloaded = !sname.placed.empty();

  const std::array<std::pair<const Area*, OptionArea>, 3> areas{
      {{&main, OptionArea::options}, {&file, OptionArea::file}, {&sname, OptionArea::sname}}};
  for (const auto& [area, where] : areas) {
    for (const Option* option : area->placed) {
      encoded.sent.push_back(option == &overload_option ? Option{kOverloadCode, {overload_value}}
                                                        : *option);
      encoded.sent_areas.push_back(where);
    }
  }

  // Spec §4.8.1: up to and including the options area's 255, at least 300 bytes.
  buffer.resize(std::max(kMinReplySize, main.offset + main.used + 1));
  encoded.bytes = std::move(buffer);
  return encoded;
}

std::size_t reply_buffer_size(const Packet& request) {
  // Spec §4.1: option 57 of at least two bytes; the value counts the IP and UDP headers.
  const Option* option = request.find(kMaxMessageSizeCode);
  if (option == nullptr || option->data.size() < 2) return kDefaultReplySize;
  const std::size_t value = read16(option->data, 0);
  if (value < kDefaultReplySize + 28) return kDefaultReplySize;
  return std::min(value - 28, kMaxReplySize);
}

Reply reply_for(const Packet& request) {
  Reply reply;
  reply.htype = request.htype;
  reply.hlen = request.hlen;
  reply.hops = request.hops;
  reply.xid = request.xid;
  reply.secs = request.secs;
  reply.flags = request.flags;
  reply.ciaddr = request.ciaddr;
  reply.giaddr = request.giaddr;
  reply.chaddr = request.chaddr;
  const bool bootp = !request.message_type().has_value();
  reply.max_size = bootp ? kBootpReplySize : reply_buffer_size(request);
  reply.allow_overload = !bootp && request.find(kRequestListCode) != nullptr;
  return reply;
}

}  // namespace pxemasq::dhcp
