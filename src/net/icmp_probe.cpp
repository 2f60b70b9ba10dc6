#include "net/icmp_probe.hpp"

#include <unistd.h>

#include <array>
#include <span>

namespace pxemasq::net {
namespace {

constexpr std::uint8_t kEchoRequest = 8;
constexpr std::uint8_t kEchoReply = 0;
constexpr std::size_t kIpHeaderMinimum = 20;

// RFC 1071 Internet checksum.
std::uint16_t checksum(std::span<const std::uint8_t> bytes) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) sum += (std::uint32_t{bytes[i]} << 8) | bytes[i + 1];
  if (bytes.size() % 2 == 1) sum += std::uint32_t{bytes.back()} << 8;
  while ((sum >> 16) != 0) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

}  // namespace

std::variant<std::unique_ptr<IcmpProber>, std::error_code> IcmpProber::open(
    const boost::asio::any_io_executor& executor, Answered on_answer) {
  boost::asio::ip::icmp::socket socket(executor);
  boost::system::error_code error;
  socket.open(boost::asio::ip::icmp::v4(), error);
  if (error) return std::error_code(error.value(), std::system_category());
  const auto identifier = static_cast<std::uint16_t>(::getpid());
  std::unique_ptr<IcmpProber> prober(new IcmpProber(std::move(socket), std::move(on_answer), identifier));
  prober->receive_next();
  return prober;
}

std::error_code IcmpProber::probe(config::Ipv4 address) {
  std::array<std::uint8_t, 8> packet{kEchoRequest, 0, 0, 0,
                                     static_cast<std::uint8_t>(identifier_ >> 8),
                                     static_cast<std::uint8_t>(identifier_),
                                     static_cast<std::uint8_t>(sequence_ >> 8),
                                     static_cast<std::uint8_t>(sequence_)};
  ++sequence_;
  const std::uint16_t sum = checksum(packet);
  packet[2] = static_cast<std::uint8_t>(sum >> 8);
  packet[3] = static_cast<std::uint8_t>(sum);
  boost::system::error_code error;
  socket_.send_to(boost::asio::buffer(packet),
                  boost::asio::ip::icmp::endpoint(boost::asio::ip::address_v4(address.value), 0), 0, error);
  return error ? std::error_code(error.value(), std::system_category()) : std::error_code();
}

void IcmpProber::receive_next() {
  socket_.async_receive_from(boost::asio::buffer(buffer_), sender_,
                             [this](const boost::system::error_code& error, std::size_t size) {
    if (error == boost::asio::error::operation_aborted) return;
    // A raw ICMP socket delivers the IP header too.
    if (!error && size >= kIpHeaderMinimum + 8) {
      const std::size_t header = std::size_t{buffer_[0] & 0x0FU} * 4;
      if (header + 8 <= size && buffer_[header] == kEchoReply &&
          ((std::uint16_t{buffer_[header + 4]} << 8) | buffer_[header + 5]) == identifier_) {
        on_answer_(config::Ipv4{sender_.address().to_v4().to_uint()});
      }
    }
    receive_next();
  });
}

}  // namespace pxemasq::net
