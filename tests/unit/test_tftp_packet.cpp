// The TFTP wire codec against RFC 1350 / RFC 2347 byte layouts: every packet shape, every
// malformed shape, and encode(parse(x)) == x for well-formed packets.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tftp/packet.hpp"

namespace pxemasq::tftp {
namespace {

using Bytes = std::vector<std::uint8_t>;

// Bytes from a string literal that may hold NULs: bytes("\0\1a\0"s).
Bytes bytes(std::string_view text) {
  return {text.begin(), text.end()};
}

using namespace std::string_literals;

Packet packet_of(const Bytes& datagram) {
  const ParseResult result = parse(datagram);
  const auto* packet = std::get_if<Packet>(&result);
  EXPECT_NE(packet, nullptr) << "malformed: " << describe(std::get<Malformed>(result).reason);
  return packet != nullptr ? *packet : Packet{};
}

Malformed malformed_of(const Bytes& datagram) {
  const ParseResult result = parse(datagram);
  const auto* malformed = std::get_if<Malformed>(&result);
  EXPECT_NE(malformed, nullptr);
  return malformed != nullptr ? *malformed : Malformed{};
}

// The UEFI (EDK2) PXE request from the seed lab: tsize 0, blksize 1468.
const Bytes kUefiRequest = bytes(
    "\0\1bootx64.efi\0octet\0tsize\0"s
    "0\0blksize\0"s
    "1468\0"s);

TEST(TftpPacket, ReadRequestWithOptions) {
  const auto packet = packet_of(kUefiRequest);
  const auto& request = std::get<ReadRequest>(packet);
  EXPECT_EQ(request.filename, "bootx64.efi");
  EXPECT_EQ(request.mode, "octet");
  ASSERT_EQ(request.options.size(), 2U);
  EXPECT_EQ(request.options[0], (Option{"tsize", "0"}));
  EXPECT_EQ(request.options[1], (Option{"blksize", "1468"}));
}

TEST(TftpPacket, ReadRequestWithoutOptions) {
  const auto packet = packet_of(bytes("\0\1pxelinux.0\0netascii\0"s));
  const auto& request = std::get<ReadRequest>(packet);
  EXPECT_EQ(request.filename, "pxelinux.0");
  EXPECT_EQ(request.mode, "netascii");
  EXPECT_TRUE(request.options.empty());
}

TEST(TftpPacket, WriteRequestParsesLikeReadRequest) {
  const auto packet =
      packet_of(bytes("\0\2up.bin\0OCTET\0blksize\0"s
                      "512\0"s));
  const auto& request = std::get<WriteRequest>(packet);
  EXPECT_EQ(request.filename, "up.bin");
  EXPECT_EQ(request.mode, "OCTET");
  ASSERT_EQ(request.options.size(), 1U);
}

TEST(TftpPacket, OptionNamesKeepSpellingAndMatchIgnoringCase) {
  const auto packet =
      packet_of(bytes("\0\1f\0octet\0BlkSize\0"s
                      "1024\0TSIZE\0"s
                      "0\0"s));
  const auto& options = std::get<ReadRequest>(packet).options;
  EXPECT_EQ(options[0].name, "BlkSize");
  ASSERT_NE(find_option(options, "blksize"), nullptr);
  EXPECT_EQ(find_option(options, "blksize")->value, "1024");
  EXPECT_NE(find_option(options, "tsize"), nullptr);
  EXPECT_EQ(find_option(options, "timeout"), nullptr);
}

TEST(TftpPacket, RepeatedOptionIsKeptAndTheLastOneIsFound) {
  const auto packet =
      packet_of(bytes("\0\1f\0octet\0blksize\0"s
                      "512\0blksize\0"s
                      "1024\0"s));
  const auto& options = std::get<ReadRequest>(packet).options;
  ASSERT_EQ(options.size(), 2U);
  EXPECT_EQ(find_option(options, "BLKSIZE")->value, "1024");
}

TEST(TftpPacket, DanglingOptionNameIsIgnored) {
  const auto packet =
      packet_of(bytes("\0\1f\0octet\0tsize\0"s
                      "0\0blksize\0"s));
  const auto& options = std::get<ReadRequest>(packet).options;
  ASSERT_EQ(options.size(), 1U);
  EXPECT_EQ(options[0].name, "tsize");
}

TEST(TftpPacket, NulPaddingAfterOptionsIsIgnored) {
  const auto packet =
      packet_of(bytes("\0\1f\0octet\0tsize\0"s
                      "0\0\0\0\0\0"s));
  EXPECT_EQ(std::get<ReadRequest>(packet).options.size(), 1U);
}

TEST(TftpPacket, EmptyOptionValueIsKept) {
  const auto packet = packet_of(bytes("\0\1f\0octet\0tsize\0\0"s));
  const auto& options = std::get<ReadRequest>(packet).options;
  ASSERT_EQ(options.size(), 1U);
  EXPECT_EQ(options[0].value, "");
}

TEST(TftpPacket, Data) {
  const auto packet = packet_of(bytes("\0\3\x01\x02hello"s));
  const auto& data = std::get<Data>(packet);
  EXPECT_EQ(data.block, 0x0102);
  EXPECT_EQ(data.payload, bytes("hello"));
}

TEST(TftpPacket, EmptyData) {
  const auto packet = packet_of(bytes("\0\3\xff\xff"s));
  EXPECT_EQ(std::get<Data>(packet), (Data{0xFFFF, {}}));
}

TEST(TftpPacket, Ack) {
  EXPECT_EQ(std::get<Ack>(packet_of(bytes("\0\4\0\0"s))).block, 0);
  EXPECT_EQ(std::get<Ack>(packet_of(bytes("\0\4\xab\xcd"s))).block, 0xABCD);
}

TEST(TftpPacket, AckWithTrailingPaddingIsAccepted) {
  EXPECT_EQ(std::get<Ack>(packet_of(bytes("\0\4\0\7\0\0\0\0"s))).block, 7);
}

TEST(TftpPacket, Error) {
  const auto packet = packet_of(bytes("\0\5\0\1File not found\0"s));
  const auto& error = std::get<Error>(packet);
  EXPECT_EQ(error.code, ErrorCode::file_not_found);
  EXPECT_EQ(error.message, "File not found");
}

TEST(TftpPacket, ErrorWithoutMessageOrNul) {
  EXPECT_EQ(std::get<Error>(packet_of(bytes("\0\5\0\x08"s))),
            (Error{ErrorCode::option_refused, ""}));
  EXPECT_EQ(std::get<Error>(packet_of(bytes("\0\5\0\0abc"s))).message, "abc");
  EXPECT_EQ(std::get<Error>(packet_of(bytes("\0\5\0\0ab\0cd"s))).message, "ab");
}

TEST(TftpPacket, ErrorWithUnknownCodeKeepsTheNumber) {
  const auto packet = packet_of(bytes("\0\5\x12\x34x\0"s));
  EXPECT_EQ(static_cast<std::uint16_t>(std::get<Error>(packet).code), 0x1234);
}

TEST(TftpPacket, OptionAck) {
  const auto packet =
      packet_of(bytes("\0\6blksize\0"s
                      "1468\0tsize\0"s
                      "123\0"s));
  const auto& oack = std::get<OptionAck>(packet);
  ASSERT_EQ(oack.options.size(), 2U);
  EXPECT_EQ(oack.options[1], (Option{"tsize", "123"}));
}

TEST(TftpPacket, EmptyOptionAck) {
  EXPECT_TRUE(std::get<OptionAck>(packet_of(bytes("\0\6"s))).options.empty());
}

// ---- malformed -------------------------------------------------------------------------------

TEST(TftpPacket, EmptyAndOneByteDatagramsAreTooShort) {
  EXPECT_EQ(malformed_of({}), (Malformed{MalformedReason::too_short, 0}));
  EXPECT_EQ(malformed_of({0}), (Malformed{MalformedReason::too_short, 0}));
}

TEST(TftpPacket, UnknownOpcodes) {
  EXPECT_EQ(malformed_of(bytes("\0\0x\0octet\0"s)),
            (Malformed{MalformedReason::unknown_opcode, 0}));
  EXPECT_EQ(malformed_of(bytes("\0\7"s)), (Malformed{MalformedReason::unknown_opcode, 7}));
  EXPECT_EQ(malformed_of(bytes("\1\1a\0octet\0"s)).reason, MalformedReason::unknown_opcode);
  EXPECT_EQ(malformed_of(bytes("\xff\xff"s)).opcode, 0xFFFF);
}

TEST(TftpPacket, ShortNumberedPackets) {
  for (const char* opcode : {"\0\3", "\0\4", "\0\5"}) {
    const Bytes two(opcode, opcode + 2);
    Bytes three = two;
    three.push_back(1);
    EXPECT_EQ(malformed_of(two).reason, MalformedReason::too_short);
    EXPECT_EQ(malformed_of(three).reason, MalformedReason::too_short);
    EXPECT_EQ(malformed_of(three).opcode, two[1]);
  }
}

TEST(TftpPacket, RequestMustEndInNul) {
  EXPECT_EQ(malformed_of(bytes("\0\1file"s)).reason, MalformedReason::not_terminated);
  EXPECT_EQ(malformed_of(bytes("\0\1file\0octet"s)).reason, MalformedReason::not_terminated);
  EXPECT_EQ(malformed_of(bytes("\0\1file\0octet\0tsize\0"s
                               "0"s))
                .reason,
            MalformedReason::not_terminated);
  EXPECT_EQ(malformed_of(bytes("\0\2file"s)), (Malformed{MalformedReason::not_terminated, 2}));
}

TEST(TftpPacket, RequestWithoutNameOrMode) {
  EXPECT_EQ(malformed_of(bytes("\0\1"s)).reason, MalformedReason::not_terminated);
  EXPECT_EQ(malformed_of(bytes("\0\1\0"s)).reason, MalformedReason::empty_filename);
  EXPECT_EQ(malformed_of(bytes("\0\1\0octet\0"s)).reason, MalformedReason::empty_filename);
  EXPECT_EQ(malformed_of(bytes("\0\1file\0"s)).reason, MalformedReason::missing_mode);
  EXPECT_EQ(malformed_of(bytes("\0\1file\0\0"s)).reason, MalformedReason::missing_mode);
}

TEST(TftpPacket, TooManyOptions) {
  std::string text = "\0\1f\0octet\0"s;
  for (std::size_t i = 0; i <= kMaxOptions; ++i) text += "o" + std::to_string(i) + "\0v\0"s;
  EXPECT_EQ(malformed_of(bytes(text)).reason, MalformedReason::too_many_options);
  // Exactly the limit is fine.
  std::string fits = "\0\1f\0octet\0"s;
  for (std::size_t i = 0; i < kMaxOptions; ++i) fits += "o\0v\0"s;
  EXPECT_EQ(std::get<ReadRequest>(packet_of(bytes(fits))).options.size(), kMaxOptions);
}

TEST(TftpPacket, OptionAckMustEndInNul) {
  EXPECT_EQ(malformed_of(bytes("\0\6blksize\0"s
                               "512"s)),
            (Malformed{MalformedReason::not_terminated, 6}));
}

TEST(TftpPacket, EveryMalformedReasonIsDescribed) {
  for (auto reason : {MalformedReason::too_short, MalformedReason::unknown_opcode,
                      MalformedReason::not_terminated, MalformedReason::empty_filename,
                      MalformedReason::missing_mode, MalformedReason::too_many_options}) {
    EXPECT_FALSE(describe(reason).empty());
  }
}

TEST(TftpPacket, EveryPrefixOfARequestParsesWithoutCrashing) {
  for (std::size_t length = 0; length <= kUefiRequest.size(); ++length) {
    const std::span<const std::uint8_t> prefix(kUefiRequest.data(), length);
    (void)parse(prefix);
  }
}

// ---- modes and names ---------------------------------------------------------------------

TEST(TftpPacket, TransferModes) {
  EXPECT_EQ(transfer_mode("octet"), TransferMode::octet);
  EXPECT_EQ(transfer_mode("OcTeT"), TransferMode::octet);
  EXPECT_EQ(transfer_mode("netascii"), TransferMode::netascii);
  EXPECT_EQ(transfer_mode("NETASCII"), TransferMode::netascii);
  EXPECT_EQ(transfer_mode("mail"), std::nullopt);
  EXPECT_EQ(transfer_mode("binary"), std::nullopt);
  EXPECT_EQ(transfer_mode(""), std::nullopt);
  EXPECT_EQ(transfer_mode("octet "), std::nullopt);
}

TEST(TftpPacket, DefaultMessages) {
  EXPECT_EQ(default_message(ErrorCode::file_not_found), "File not found");
  EXPECT_EQ(default_message(ErrorCode::option_refused), "Option negotiation refused");
  EXPECT_EQ(default_message(static_cast<ErrorCode>(99)), "");
}

// ---- encoders ----------------------------------------------------------------------------

TEST(TftpPacket, EncodeData) {
  const Bytes payload = bytes("abc");
  EXPECT_EQ(encode_data(0x0102, payload), bytes("\0\3\x01\x02"
                                                "abc"s));
  EXPECT_EQ(encode_data(0, {}), bytes("\0\3\0\0"s));
  const auto header = data_header(0xFFFE);
  EXPECT_EQ(Bytes(header.begin(), header.end()), bytes("\0\3\xff\xfe"s));
}

TEST(TftpPacket, EncodeAck) {
  EXPECT_EQ(encode_ack(0x1234), bytes("\0\4\x12\x34"s));
}

TEST(TftpPacket, EncodeError) {
  EXPECT_EQ(encode_error(ErrorCode::access_violation, "cannot access /x: Permission denied"),
            bytes("\0\5\0\2cannot access /x: Permission denied\0"s));
  EXPECT_EQ(encode_error(ErrorCode::illegal_operation, ""), bytes("\0\5\0\4\0"s));
}

TEST(TftpPacket, EncodeErrorCutsLongMessagesAndEmbeddedNul) {
  const auto encoded = encode_error(ErrorCode::not_defined, std::string(2000, 'x'));
  EXPECT_EQ(encoded.size(), kHeaderSize + kMaxErrorMessage + 1);
  EXPECT_EQ(encoded.back(), 0);
  EXPECT_EQ(encode_error(ErrorCode::not_defined, "ab\0cd"s), bytes("\0\5\0\0ab\0"s));
}

TEST(TftpPacket, EncodeOptionAck) {
  EXPECT_EQ(encode_option_ack({{"blksize", "1468"}, {"tsize", "1048576"}}), bytes("\0\6blksize\0"s
                                                                                  "1468\0tsize\0"s
                                                                                  "1048576\0"s));
}

TEST(TftpPacket, EncodeRequest) {
  EXPECT_EQ(encode_request(Opcode::read_request, "bootx64.efi", "octet",
                           {{"tsize", "0"}, {"blksize", "1468"}}),
            kUefiRequest);
}

TEST(TftpPacket, EveryShapeRoundTrips) {
  const std::vector<Packet> packets = {
      ReadRequest{"a/b.cfg", "octet", {{"windowsize", "16"}}},
      WriteRequest{"up", "netascii", {}},
      Data{65535, bytes("payload")},
      Data{1, {}},
      Ack{0},
      Error{ErrorCode::unknown_transfer_id, "ignoring packet from 10.0.0.1 (TID mismatch)"},
      OptionAck{{{"blksize", "1468"}, {"tsize", "0"}, {"windowsize", "4"}}},
  };
  for (const Packet& packet : packets) {
    const Bytes wire = encode(packet);
    const ParseResult parsed = parse(wire);
    ASSERT_TRUE(std::holds_alternative<Packet>(parsed));
    EXPECT_EQ(std::get<Packet>(parsed), packet);
    EXPECT_EQ(encode(std::get<Packet>(parsed)), wire);
  }
}

}  // namespace
}  // namespace pxemasq::tftp
