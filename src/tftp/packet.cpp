#include "tftp/packet.hpp"

#include <algorithm>

namespace pxemasq::tftp {
namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// A cursor over the datagram; every read is bounds-checked.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

  [[nodiscard]] bool at_end() const { return position_ >= bytes_.size(); }
  [[nodiscard]] std::size_t remaining() const { return bytes_.size() - position_; }

  std::optional<std::uint16_t> u16() {
    if (remaining() < 2) return std::nullopt;
    const auto value = static_cast<std::uint16_t>((bytes_[position_] << 8) | bytes_[position_ + 1]);
    position_ += 2;
    return value;
  }

  // The bytes up to the next NUL, consuming the NUL; nullopt when no NUL is left.
  std::optional<std::string> string() {
    const auto rest = bytes_.subspan(position_);
    const auto nul = std::find(rest.begin(), rest.end(), std::uint8_t{0});
    if (nul == rest.end()) return std::nullopt;
    const auto length = static_cast<std::size_t>(nul - rest.begin());
    std::string text = as_text(rest.first(length));
    position_ += length + 1;
    return text;
  }

  // Everything left, up to a NUL if there is one (liberal ERROR message).
  std::string text_to_end() {
    const auto rest = bytes_.subspan(position_);
    const auto nul = std::find(rest.begin(), rest.end(), std::uint8_t{0});
    position_ = bytes_.size();
    return as_text(rest.first(static_cast<std::size_t>(nul - rest.begin())));
  }

  std::vector<std::uint8_t> bytes_to_end() {
    const auto rest = bytes_.subspan(position_);
    position_ = bytes_.size();
    return {rest.begin(), rest.end()};
  }

 private:
  static std::string as_text(std::span<const std::uint8_t> bytes) {
    std::string text(bytes.size(), '\0');
    std::transform(bytes.begin(), bytes.end(), text.begin(),
                   [](std::uint8_t b) { return static_cast<char>(b); });
    return text;
  }

  std::span<const std::uint8_t> bytes_;
  std::size_t position_ = 0;
};

bool ends_in_nul(std::span<const std::uint8_t> datagram) {
  return !datagram.empty() && datagram.back() == 0;
}

// RFC 2347: name NUL value NUL, repeated, until the end of the packet. The caller has checked
// that the packet ends in NUL, so every string() below finds its terminator.
std::variant<OptionList, MalformedReason> parse_options(Reader& reader) {
  OptionList options;
  while (!reader.at_end()) {
    auto name = reader.string();
    auto value = reader.string();
    if (!name || !value) break;   // a dangling name without a value: ignored
    if (name->empty()) continue;  // NUL padding some clients append
    if (options.size() == kMaxOptions) return MalformedReason::too_many_options;
    options.push_back({std::move(*name), std::move(*value)});
  }
  return options;
}

template <typename Request>
ParseResult parse_request(Reader& reader, std::span<const std::uint8_t> datagram,
                          std::uint16_t opcode) {
  if (!ends_in_nul(datagram)) return Malformed{MalformedReason::not_terminated, opcode};
  auto filename = reader.string();
  if (!filename || filename->empty()) return Malformed{MalformedReason::empty_filename, opcode};
  auto mode = reader.string();
  if (!mode || mode->empty()) return Malformed{MalformedReason::missing_mode, opcode};
  auto options = parse_options(reader);
  if (const auto* why = std::get_if<MalformedReason>(&options)) return Malformed{*why, opcode};
  return Packet{
      Request{std::move(*filename), std::move(*mode), std::move(std::get<OptionList>(options))}};
}

ParseResult parse_option_ack(Reader& reader, std::span<const std::uint8_t> datagram) {
  const auto opcode = static_cast<std::uint16_t>(Opcode::option_ack);
  if (!reader.at_end() && !ends_in_nul(datagram)) {
    return Malformed{MalformedReason::not_terminated, opcode};
  }
  auto options = parse_options(reader);
  if (const auto* why = std::get_if<MalformedReason>(&options)) return Malformed{*why, opcode};
  return Packet{OptionAck{std::move(std::get<OptionList>(options))}};
}

ParseResult parse_numbered(Reader& reader, std::uint16_t opcode) {
  const auto number = reader.u16();
  if (!number) return Malformed{MalformedReason::too_short, opcode};
  switch (static_cast<Opcode>(opcode)) {
    case Opcode::data:
      return Packet{Data{*number, reader.bytes_to_end()}};
    case Opcode::ack:
      return Packet{Ack{*number}};  // trailing padding ignored
    default:
      return Packet{Error{static_cast<ErrorCode>(*number), reader.text_to_end()}};
  }
}

void put_u16(std::vector<std::uint8_t>& out, std::uint16_t value) {
  out.push_back(static_cast<std::uint8_t>(value >> 8));
  out.push_back(static_cast<std::uint8_t>(value & 0xFFU));
}

void put_string(std::vector<std::uint8_t>& out, std::string_view text, std::size_t limit) {
  text = text.substr(0, std::min(text.find('\0'), limit));
  for (const char c : text) out.push_back(static_cast<std::uint8_t>(c));
  out.push_back(0);
}

void put_string(std::vector<std::uint8_t>& out, std::string_view text) {
  put_string(out, text, std::string_view::npos);
}

void put_options(std::vector<std::uint8_t>& out, const OptionList& options) {
  for (const auto& option : options) {
    put_string(out, option.name);
    put_string(out, option.value);
  }
}

}  // namespace

std::string_view default_message(ErrorCode code) {
  switch (code) {
    case ErrorCode::not_defined:
      return "Not defined, see error message (if any)";
    case ErrorCode::file_not_found:
      return "File not found";
    case ErrorCode::access_violation:
      return "Access violation";
    case ErrorCode::disk_full:
      return "Disk full or allocation exceeded";
    case ErrorCode::illegal_operation:
      return "Illegal TFTP operation";
    case ErrorCode::unknown_transfer_id:
      return "Unknown transfer ID";
    case ErrorCode::file_exists:
      return "File already exists";
    case ErrorCode::no_such_user:
      return "No such user";
    case ErrorCode::option_refused:
      return "Option negotiation refused";
  }
  return "";
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

std::optional<TransferMode> transfer_mode(std::string_view mode) {
  if (equals_ignoring_case(mode, "octet")) return TransferMode::octet;
  if (equals_ignoring_case(mode, "netascii")) return TransferMode::netascii;
  return std::nullopt;
}

const Option* find_option(const OptionList& options, std::string_view name) {
  const auto found = std::find_if(options.rbegin(), options.rend(),
                                  [name](const Option& option) { return option.is(name); });
  return found == options.rend() ? nullptr : &*found;
}

std::string_view describe(MalformedReason reason) {
  switch (reason) {
    case MalformedReason::too_short:
      return "packet too short";
    case MalformedReason::unknown_opcode:
      return "unknown opcode";
    case MalformedReason::not_terminated:
      return "packet not NUL-terminated";
    case MalformedReason::empty_filename:
      return "empty file name";
    case MalformedReason::missing_mode:
      return "missing transfer mode";
    case MalformedReason::too_many_options:
      return "too many options";
  }
  return "malformed packet";
}

ParseResult parse(std::span<const std::uint8_t> datagram) {
  Reader reader(datagram);
  const auto opcode = reader.u16();
  if (!opcode) return Malformed{MalformedReason::too_short, 0};
  switch (static_cast<Opcode>(*opcode)) {
    case Opcode::read_request:
      return parse_request<ReadRequest>(reader, datagram, *opcode);
    case Opcode::write_request:
      return parse_request<WriteRequest>(reader, datagram, *opcode);
    case Opcode::data:
    case Opcode::ack:
    case Opcode::error:
      return parse_numbered(reader, *opcode);
    case Opcode::option_ack:
      return parse_option_ack(reader, datagram);
  }
  return Malformed{MalformedReason::unknown_opcode, *opcode};
}

std::array<std::uint8_t, kHeaderSize> data_header(std::uint16_t block) {
  return {0, static_cast<std::uint8_t>(Opcode::data), static_cast<std::uint8_t>(block >> 8),
          static_cast<std::uint8_t>(block & 0xFFU)};
}

std::vector<std::uint8_t> encode_data(std::uint16_t block, std::span<const std::uint8_t> payload) {
  // Sized once and filled in place (a growing insert trips GCC 12's -Warray-bounds).
  std::vector<std::uint8_t> out(kHeaderSize + payload.size());
  const auto header = data_header(block);
  std::copy(header.begin(), header.end(), out.begin());
  std::copy(payload.begin(), payload.end(), out.begin() + kHeaderSize);
  return out;
}

std::vector<std::uint8_t> encode_ack(std::uint16_t block) {
  std::vector<std::uint8_t> out;
  put_u16(out, static_cast<std::uint16_t>(Opcode::ack));
  put_u16(out, block);
  return out;
}

std::vector<std::uint8_t> encode_error(ErrorCode code, std::string_view message) {
  std::vector<std::uint8_t> out;
  put_u16(out, static_cast<std::uint16_t>(Opcode::error));
  put_u16(out, static_cast<std::uint16_t>(code));
  put_string(out, message, kMaxErrorMessage);
  return out;
}

std::vector<std::uint8_t> encode_option_ack(const OptionList& options) {
  std::vector<std::uint8_t> out;
  put_u16(out, static_cast<std::uint16_t>(Opcode::option_ack));
  put_options(out, options);
  return out;
}

std::vector<std::uint8_t> encode_request(Opcode opcode, std::string_view filename,
                                         std::string_view mode, const OptionList& options) {
  std::vector<std::uint8_t> out;
  put_u16(out, static_cast<std::uint16_t>(opcode));
  put_string(out, filename);
  put_string(out, mode);
  put_options(out, options);
  return out;
}

std::vector<std::uint8_t> encode(const Packet& packet) {
  struct Encoder {
    std::vector<std::uint8_t> operator()(const ReadRequest& p) const {
      return encode_request(Opcode::read_request, p.filename, p.mode, p.options);
    }
    std::vector<std::uint8_t> operator()(const WriteRequest& p) const {
      return encode_request(Opcode::write_request, p.filename, p.mode, p.options);
    }
    std::vector<std::uint8_t> operator()(const Data& p) const {
      return encode_data(p.block, p.payload);
    }
    std::vector<std::uint8_t> operator()(const Ack& p) const { return encode_ack(p.block); }
    std::vector<std::uint8_t> operator()(const Error& p) const {
      return encode_error(p.code, p.message);
    }
    std::vector<std::uint8_t> operator()(const OptionAck& p) const {
      return encode_option_ack(p.options);
    }
  };
  return std::visit(Encoder{}, packet);
}

}  // namespace pxemasq::tftp
