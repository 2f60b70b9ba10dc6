#pragma once
// The TFTP wire codec (RFC 1350 packets, RFC 2347 option extension). Pure: bytes in, values
// out. Parsing never throws and never reads past the datagram; a datagram that is not a packet
// becomes a `Malformed` value saying why, so the shell can answer (ERROR 4, spec §6.3) or drop.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace pxemasq::tftp {

enum class Opcode : std::uint16_t {
  read_request = 1,   // RRQ
  write_request = 2,  // WRQ
  data = 3,
  ack = 4,
  error = 5,
  option_ack = 6,  // OACK, RFC 2347
};

// RFC 1350 error codes, plus 8 from RFC 2347. An ERROR received from a client may carry any
// 16-bit value; the enum holds those too.
enum class ErrorCode : std::uint16_t {
  not_defined = 0,
  file_not_found = 1,
  access_violation = 2,
  disk_full = 3,
  illegal_operation = 4,
  unknown_transfer_id = 5,
  file_exists = 6,
  no_such_user = 7,
  option_refused = 8,  // RFC 2347: the server or client refuses the negotiated options
};

// The RFC's wording for a code ("File not found"), "" for codes it does not define.
[[nodiscard]] std::string_view default_message(ErrorCode code);

// RFC 1350 modes. `mail` is obsolete and served by nobody, dnsmasq included.
enum class TransferMode { octet, netascii };
// Case-insensitive, as RFC 1350 says; nullopt for `mail` and anything else.
[[nodiscard]] std::optional<TransferMode> transfer_mode(std::string_view mode);

// ASCII case-insensitive equality (option names, RFC 2347 §"Option Format"; modes).
[[nodiscard]] bool equals_ignoring_case(std::string_view a, std::string_view b);

// One RFC 2347 option: `name` as the peer spelled it, `value` as text.
struct Option {
  std::string name;
  std::string value;

  [[nodiscard]] bool is(std::string_view other) const { return equals_ignoring_case(name, other); }
  friend bool operator==(const Option&, const Option&) = default;
};
// In wire order; a name may appear twice (the request is kept as sent).
using OptionList = std::vector<Option>;

// The last option called `name` (case-insensitive), or nullptr.
[[nodiscard]] const Option* find_option(const OptionList& options, std::string_view name);

// RRQ and WRQ share one shape.
struct ReadRequest {
  std::string filename;
  std::string mode;  // as sent; see transfer_mode()
  OptionList options;
  friend bool operator==(const ReadRequest&, const ReadRequest&) = default;
};
struct WriteRequest {
  std::string filename;
  std::string mode;
  OptionList options;
  friend bool operator==(const WriteRequest&, const WriteRequest&) = default;
};
struct Data {
  std::uint16_t block = 0;
  std::vector<std::uint8_t> payload;
  friend bool operator==(const Data&, const Data&) = default;
};
struct Ack {
  std::uint16_t block = 0;
  friend bool operator==(const Ack&, const Ack&) = default;
};
struct Error {
  ErrorCode code = ErrorCode::not_defined;
  std::string message;
  friend bool operator==(const Error&, const Error&) = default;
};
struct OptionAck {
  OptionList options;
  friend bool operator==(const OptionAck&, const OptionAck&) = default;
};
using Packet = std::variant<ReadRequest, WriteRequest, Data, Ack, Error, OptionAck>;

// Why a datagram is not a packet.
enum class MalformedReason {
  too_short,         // no room for the opcode, or for an ACK/DATA/ERROR block or code
  unknown_opcode,    // not 1..6
  not_terminated,    // a request or OACK whose last byte is not NUL
  empty_filename,    // RRQ/WRQ with an empty name
  missing_mode,      // RRQ/WRQ without a (non-empty) mode string
  too_many_options,  // more than kMaxOptions name/value pairs
};
[[nodiscard]] std::string_view describe(MalformedReason reason);

struct Malformed {
  MalformedReason reason = MalformedReason::too_short;
  std::uint16_t opcode = 0;  // as read from the wire (0 when too short to hold one)
  friend bool operator==(const Malformed&, const Malformed&) = default;
};
using ParseResult = std::variant<Packet, Malformed>;

// A request carries a handful of options in practice (blksize, tsize, timeout, windowsize,
// multicast, utimeout); more than this is junk or an attack on our parser.
inline constexpr std::size_t kMaxOptions = 32;
inline constexpr std::size_t kHeaderSize = 4;  // opcode + block number (DATA, ACK) or code

// Parse one datagram. Liberal where RFC 2347 allows it (STYLE.md §4): a trailing option name
// without a value and pairs with an empty name are skipped, an ACK may carry trailing padding,
// an ERROR message may lack its NUL. Strict where dnsmasq is (spec §6.3): a request must end
// in NUL and have a non-empty filename and mode.
[[nodiscard]] ParseResult parse(std::span<const std::uint8_t> datagram);

// Encoders. Strings are cut at an embedded NUL (it would end them on the wire anyway).
[[nodiscard]] std::array<std::uint8_t, kHeaderSize> data_header(std::uint16_t block);
[[nodiscard]] std::vector<std::uint8_t> encode_data(std::uint16_t block,
                                                    std::span<const std::uint8_t> payload);
[[nodiscard]] std::vector<std::uint8_t> encode_ack(std::uint16_t block);
// The message is cut to kMaxErrorMessage bytes so the packet fits the 516 bytes that every
// RFC 1350 client can receive.
inline constexpr std::size_t kMaxErrorMessage = 511;
[[nodiscard]] std::vector<std::uint8_t> encode_error(ErrorCode code, std::string_view message);
[[nodiscard]] std::vector<std::uint8_t> encode_option_ack(const OptionList& options);
[[nodiscard]] std::vector<std::uint8_t> encode_request(Opcode opcode, std::string_view filename,
                                                       std::string_view mode,
                                                       const OptionList& options);
[[nodiscard]] std::vector<std::uint8_t> encode(const Packet& packet);

}  // namespace pxemasq::tftp
