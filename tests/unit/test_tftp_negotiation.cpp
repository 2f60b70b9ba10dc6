// Option negotiation against spec §6.3 (dnsmasq) and RFC 2347/2348/2349/7440, including where
// pxemasq deliberately differs from dnsmasq.

#include <gtest/gtest.h>

#include "tftp/negotiation.hpp"

namespace pxemasq::tftp {
namespace {

NegotiationContext ethernet(std::uint64_t file_size = 1000) {
  NegotiationContext context;
  context.file_size = file_size;
  context.interface_mtu = 1500;
  return context;
}

const config::Tftp kDefaults{};

TEST(TftpNegotiation, SeedLabUefiRequest) {
  // bootx64.efi: `tsize 0 blksize 1468` on a 1500-byte Ethernet.
  const auto result =
      negotiate({{"tsize", "0"}, {"blksize", "1468"}}, kDefaults, ethernet(1040384));
  EXPECT_EQ(result.block_size, 1468);
  EXPECT_EQ(result.transfer_size, 1040384U);
  EXPECT_EQ(result.window_size, 1);
  ASSERT_TRUE(result.sends_option_ack());
  // dnsmasq's order: blksize, then tsize, whatever the request's order.
  EXPECT_EQ(result.option_ack, (OptionList{{"blksize", "1468"}, {"tsize", "1040384"}}));
}

TEST(TftpNegotiation, NoOptionsMeansNoOptionAck) {
  const auto result = negotiate({}, kDefaults, ethernet());
  EXPECT_FALSE(result.sends_option_ack());
  EXPECT_EQ(result.block_size, kDefaultBlockSize);
  EXPECT_EQ(result.window_size, 1);
  EXPECT_FALSE(result.transfer_size);
  EXPECT_FALSE(result.timeout_seconds);
}

TEST(TftpNegotiation, UnknownOptionsAloneMeanNoOptionAck) {
  const auto result = negotiate({{"utimeout", "5000"}, {"multicast", ""}, {"rollover", "0"}},
                                kDefaults, ethernet());
  EXPECT_FALSE(result.sends_option_ack());
}

TEST(TftpNegotiation, BlockSizeIsClampedToTheMtu) {
  // spec §6.3: 1500-byte MTU -> 1468 (MTU - 32 for IPv4).
  EXPECT_EQ(negotiate({{"blksize", "65464"}}, kDefaults, ethernet()).block_size, 1468);
  EXPECT_EQ(negotiate({{"blksize", "1469"}}, kDefaults, ethernet()).block_size, 1468);
  EXPECT_EQ(negotiate({{"blksize", "1024"}}, kDefaults, ethernet()).block_size, 1024);
}

TEST(TftpNegotiation, BlockSizeAboveTheRfcMaximumIsLoweredNotRefused) {
  NegotiationContext jumbo = ethernet();
  jumbo.interface_mtu = 65536;  // loopback
  EXPECT_EQ(negotiate({{"blksize", "100000"}}, kDefaults, jumbo).block_size, kMaxBlockSize);
  EXPECT_EQ(negotiate({{"blksize", "99999999999999999999999"}}, kDefaults, jumbo).block_size,
            kMaxBlockSize);
}

TEST(TftpNegotiation, NoDnsBufferCapUnlikeDnsmasq) {
  // dnsmasq stops at 2263 (edns-packet-max + 1035 - 4); pxemasq follows the MTU alone.
  NegotiationContext jumbo = ethernet();
  jumbo.interface_mtu = 9000;
  const auto result = negotiate({{"blksize", "8192"}}, kDefaults, jumbo);
  EXPECT_EQ(result.block_size, 8192);
  EXPECT_EQ(negotiate({{"blksize", "9000"}}, kDefaults, jumbo).block_size, 9000 - 32);
}

TEST(TftpNegotiation, Ipv6HeadersAreLarger) {
  NegotiationContext context = ethernet();
  context.ipv6 = true;
  EXPECT_EQ(negotiate({{"blksize", "1468"}}, kDefaults, context).block_size, 1448);
}

TEST(TftpNegotiation, TftpMtuLowersTheInterfaceMtu) {
  config::Tftp config;
  config.mtu = 1000;
  EXPECT_EQ(negotiate({{"blksize", "1468"}}, config, ethernet()).block_size, 968);
  config.mtu = 9000;  // never raises it
  EXPECT_EQ(negotiate({{"blksize", "8192"}}, config, ethernet()).block_size, 1468);
}

TEST(TftpNegotiation, TftpMtuStandsInForAnUnknownInterfaceMtu) {
  config::Tftp config;
  config.mtu = 4000;
  NegotiationContext unknown = ethernet();
  unknown.interface_mtu.reset();
  EXPECT_EQ(negotiate({{"blksize", "8192"}}, config, unknown).block_size, 3968);
}

TEST(TftpNegotiation, UnknownMtuAssumesEthernet) {
  NegotiationContext unknown = ethernet();
  unknown.interface_mtu.reset();
  EXPECT_EQ(negotiate({{"blksize", "8192"}}, kDefaults, unknown).block_size, 1468);
  unknown.interface_mtu = 0;  // what an ioctl may report
  EXPECT_EQ(negotiate({{"blksize", "8192"}}, kDefaults, unknown).block_size, 1468);
}

TEST(TftpNegotiation, TinyMtuStillGivesTheRfcMinimum) {
  NegotiationContext tiny = ethernet();
  tiny.interface_mtu = 30;
  EXPECT_EQ(block_size_cap(kDefaults, tiny), kMinBlockSize);
  EXPECT_EQ(negotiate({{"blksize", "1468"}}, kDefaults, tiny).block_size, kMinBlockSize);
}

TEST(TftpNegotiation, BlockSizeBelowTheRfcMinimumOrJunkIsIgnored) {
  // dnsmasq would clamp these up to 1 (atoi); RFC 2348 says 8..65464, so we ignore them.
  for (const char* value : {"0", "1", "7", "", "abc", "-1", "1468abc", " 1468", "0x400"}) {
    const auto result = negotiate({{"blksize", value}}, kDefaults, ethernet());
    EXPECT_FALSE(result.sends_option_ack()) << value;
    EXPECT_EQ(result.block_size, kDefaultBlockSize) << value;
  }
  EXPECT_EQ(negotiate({{"blksize", "8"}}, kDefaults, ethernet()).block_size, 8);
  EXPECT_EQ(negotiate({{"blksize", "0001024"}}, kDefaults, ethernet()).block_size, 1024);
}

TEST(TftpNegotiation, NoBlocksizeIgnoresTheOption) {
  config::Tftp config;
  config.no_blocksize = true;
  const auto result = negotiate({{"blksize", "1468"}, {"tsize", "0"}}, config, ethernet(42));
  EXPECT_EQ(result.block_size, kDefaultBlockSize);
  EXPECT_EQ(result.option_ack, (OptionList{{"tsize", "42"}}));
  EXPECT_FALSE(negotiate({{"blksize", "1468"}}, config, ethernet()).sends_option_ack());
}

TEST(TftpNegotiation, OptionNamesAreCaseInsensitiveAndAnsweredInLowerCase) {
  const auto result = negotiate({{"BLKSIZE", "1024"}, {"TSize", "0"}}, kDefaults, ethernet(7));
  EXPECT_EQ(result.option_ack, (OptionList{{"blksize", "1024"}, {"tsize", "7"}}));
}

TEST(TftpNegotiation, TheLastOccurrenceCounts) {
  // dnsmasq overwrites its value at each `blksize` it meets.
  const auto result = negotiate({{"blksize", "1024"}, {"blksize", "800"}}, kDefaults, ethernet());
  EXPECT_EQ(result.block_size, 800);
}

TEST(TftpNegotiation, TransferSizeIsTheRealSizeWhateverTheClientSent) {
  EXPECT_EQ(negotiate({{"tsize", "0"}}, kDefaults, ethernet(0)).option_ack,
            (OptionList{{"tsize", "0"}}));
  EXPECT_EQ(negotiate({{"tsize", "999"}}, kDefaults, ethernet(5)).transfer_size, 5U);
  EXPECT_EQ(negotiate({{"tsize", "junk"}}, kDefaults, ethernet(5)).transfer_size, 5U);
}

TEST(TftpNegotiation, TransferSizeIsNotTruncatedTo32Bits) {
  const std::uint64_t size = 6ULL * 1024 * 1024 * 1024;  // a 6 GiB image
  EXPECT_EQ(negotiate({{"tsize", "0"}}, kDefaults, ethernet(size)).option_ack,
            (OptionList{{"tsize", "6442450944"}}));
}

TEST(TftpNegotiation, NoTransferSizeInNetascii) {
  NegotiationContext context = ethernet(100);
  context.mode = TransferMode::netascii;
  const auto result = negotiate({{"tsize", "0"}, {"blksize", "1024"}}, kDefaults, context);
  EXPECT_FALSE(result.transfer_size);
  EXPECT_EQ(result.option_ack, (OptionList{{"blksize", "1024"}}));
}

TEST(TftpNegotiation, TimeoutIsAnsweredUnchangedWithinRange) {
  EXPECT_EQ(negotiate({{"timeout", "1"}}, kDefaults, ethernet()).timeout_seconds, 1);
  const auto result = negotiate({{"timeout", "255"}}, kDefaults, ethernet());
  EXPECT_EQ(result.timeout_seconds, 255);
  EXPECT_EQ(result.option_ack, (OptionList{{"timeout", "255"}}));
  for (const char* value : {"0", "256", "", "5s", "-3"}) {
    EXPECT_FALSE(negotiate({{"timeout", value}}, kDefaults, ethernet()).sends_option_ack())
        << value;
  }
}

TEST(TftpNegotiation, WindowSizeWithinRangeAndCap) {
  EXPECT_EQ(negotiate({{"windowsize", "1"}}, kDefaults, ethernet()).window_size, 1);
  EXPECT_EQ(negotiate({{"windowsize", "16"}}, kDefaults, ethernet()).option_ack,
            (OptionList{{"windowsize", "16"}}));
  EXPECT_EQ(negotiate({{"windowsize", "65535"}}, kDefaults, ethernet()).window_size,
            kDefaultWindowCap);
  NegotiationContext wide = ethernet();
  wide.window_cap = 65535;
  EXPECT_EQ(negotiate({{"windowsize", "65535"}}, kDefaults, wide).window_size, 65535);
  wide.window_cap = 0;  // treated as 1
  EXPECT_EQ(negotiate({{"windowsize", "8"}}, kDefaults, wide).window_size, 1);
  for (const char* value : {"0", "65536", "x", ""}) {
    EXPECT_FALSE(negotiate({{"windowsize", value}}, kDefaults, ethernet()).sends_option_ack())
        << value;
  }
}

TEST(TftpNegotiation, AllFourInTheirFixedOrder) {
  const auto result = negotiate(
      {{"windowsize", "4"}, {"timeout", "3"}, {"tsize", "0"}, {"blksize", "1400"}, {"x", "y"}},
      kDefaults, ethernet(10));
  EXPECT_EQ(
      result.option_ack,
      (OptionList{{"blksize", "1400"}, {"tsize", "10"}, {"timeout", "3"}, {"windowsize", "4"}}));
}

}  // namespace
}  // namespace pxemasq::tftp
