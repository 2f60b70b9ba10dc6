#pragma once
// ICMP echo, to see whether an address is already in use before offering it (spec §4.5). One
// raw socket; probes and answers are matched by address and a per-socket identifier. Needs
// CAP_NET_RAW; without it open() fails and the caller offers without probing (as dnsmasq does
// with no-ping).

#include <boost/asio/ip/icmp.hpp>
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <system_error>
#include <variant>

#include "config/model.hpp"

namespace pxemasq::net {

class IcmpProber {
 public:
  using Answered = std::function<void(config::Ipv4)>;

  [[nodiscard]] static std::variant<std::unique_ptr<IcmpProber>, std::error_code> open(
      const boost::asio::any_io_executor& executor, Answered on_answer);

  // Sends one echo request to `address`.
  std::error_code probe(config::Ipv4 address);

 private:
  IcmpProber(boost::asio::ip::icmp::socket socket, Answered on_answer, std::uint16_t identifier)
      : socket_(std::move(socket)), on_answer_(std::move(on_answer)), identifier_(identifier) {}
  void receive_next();

  boost::asio::ip::icmp::socket socket_;
  Answered on_answer_;
  std::uint16_t identifier_;
  std::uint16_t sequence_ = 0;
  std::array<std::uint8_t, 1500> buffer_{};
  boost::asio::ip::icmp::endpoint sender_;
};

}  // namespace pxemasq::net
