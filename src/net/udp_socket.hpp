#pragma once
// The DHCP server socket (spec §4.1): UDP on 0.0.0.0:PORT with SO_BROADCAST, IP_PKTINFO,
// IP_MTU_DISCOVER=DONT and IP_TOS=0xC0, a large receive buffer, and optionally SO_BINDTODEVICE
// (bind-interfaces with one interface, spec §3.2). Every datagram comes with its arrival
// interface and header destination (IP_PKTINFO); every send can name the interface to leave by
// (IP_PKTINFO in sendmsg), which is how a reply to 255.255.255.255 finds the right wire (§4.9).
// Where a reply goes is decided by the DHCP engine; this class only performs it.
//
// Errors are values: nothing here throws on the packet path, and the receive handler gets an
// error code instead of an exception.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <system_error>
#include <utility>
#include <variant>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/udp.hpp>

#include "config/model.hpp"

namespace pxemasq::net {

using config::Ipv4;

inline constexpr Ipv4 kLimitedBroadcast{0xFFFFFFFFU};
inline constexpr int kDhcpTos = 0xC0;  // CS6, as dnsmasq
inline constexpr int kReceiveBufferBytes = 1 << 20;

struct Endpoint {
  Ipv4 address;
  std::uint16_t port = 0;

  [[nodiscard]] std::string to_string() const;  // "192.168.1.70:67"
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// One received datagram.
struct Datagram {
  std::span<const std::uint8_t> bytes;  // the payload, inside the caller's buffer
  bool truncated = false;               // longer than the buffer: the rest is lost
  Endpoint source;
  unsigned interface_index = 0;  // arrival interface (IP_PKTINFO ipi_ifindex; 0 = unknown)
  Ipv4 destination;              // the IP header's destination (ipi_addr): 255.255.255.255 for a
                                 // limited broadcast
  Ipv4 local_address;            // the local address the kernel matched (ipi_spec_dst)
};

struct UdpSocketOptions {
  std::uint16_t port = 67;
  bool reuse_address = false;  // SO_REUSEADDR and SO_REUSEPORT (dnsmasq sets them with
                               // bind-interfaces)
  std::string bind_to_device;  // SO_BINDTODEVICE to this interface when not empty
  int receive_buffer_bytes = kReceiveBufferBytes;  // best effort: failures are ignored
  int tos = kDhcpTos;
};

// A failed socket set-up step: `operation` names it ("socket", "bind", "IP_PKTINFO", ...).
struct SocketError {
  std::string operation;
  std::error_code code;

  [[nodiscard]] std::string message() const;  // "bind: Address already in use"
};

class UdpSocket {
 public:
  using Executor = boost::asio::any_io_executor;

  // Creates (close-on-exec), configures and binds a socket on 0.0.0.0:options.port.
  [[nodiscard]] static std::variant<UdpSocket, SocketError> open(const Executor& executor,
                                                                 const UdpSocketOptions& options);
  // Takes ownership of `fd`, an IPv4 datagram socket already bound (socket activation), and
  // applies the per-socket options above except reuse/bind-to-device. On failure the fd is
  // closed too.
  [[nodiscard]] static std::variant<UdpSocket, SocketError> adopt(
      const Executor& executor, int fd, const UdpSocketOptions& options = UdpSocketOptions{});

  UdpSocket(UdpSocket&&) noexcept = default;
  UdpSocket& operator=(UdpSocket&&) noexcept = default;
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;
  ~UdpSocket() = default;

  // The fd, for ioctls on the same socket (ARP injection); -1 once closed. Do not close it.
  [[nodiscard]] int native_handle() const;
  [[nodiscard]] std::variant<Endpoint, std::error_code> local_endpoint() const;

  // Reads one datagram without blocking; `std::errc::operation_would_block` when none is queued.
  std::error_code receive(std::span<std::uint8_t> buffer, Datagram& out);

  // Waits (through the executor) until a datagram is readable, reads it into `buffer` and calls
  // `handler(std::error_code, const Datagram&)` once. The buffer must outlive the operation.
  // If the socket is closed or destroyed first, the handler gets `operation_canceled`; other
  // wait or read errors are passed on as they are.
  template <typename Handler>
  void async_receive(std::span<std::uint8_t> buffer, Handler handler) {
    wait_then_receive(std::weak_ptr<boost::asio::ip::udp::socket>(socket_), buffer,
                      std::move(handler));
  }

  // Sends one datagram to `destination`. With `interface_index` != 0 it leaves by that
  // interface (needed for 255.255.255.255); with a non-zero `source` that is the source
  // address. The socket is non-blocking: a full send queue gives `operation_would_block`.
  std::error_code send_to(std::span<const std::uint8_t> bytes, Endpoint destination,
                          unsigned interface_index = 0, Ipv4 source = {});

  // Cancels a pending async_receive (its handler gets operation_canceled).
  void cancel();
  void close();

 private:
  explicit UdpSocket(std::shared_ptr<boost::asio::ip::udp::socket> socket)
      : socket_(std::move(socket)) {}

  static std::error_code receive_on(int fd, std::span<std::uint8_t> buffer, Datagram& out);
  static std::error_code from_boost(const boost::system::error_code& code);

  template <typename Handler>
  static void wait_then_receive(std::weak_ptr<boost::asio::ip::udp::socket> weak,
                                std::span<std::uint8_t> buffer, Handler handler) {
    const auto socket = weak.lock();
    if (!socket) {  // a moved-from UdpSocket: there is no executor to defer the call to
      handler(std::make_error_code(std::errc::bad_file_descriptor), Datagram{});
      return;
    }
    socket->async_wait(
        boost::asio::ip::udp::socket::wait_read,
        [weak, buffer,
         handler = std::move(handler)](const boost::system::error_code& wait_error) mutable {
          const auto alive = weak.lock();
          if (!alive || !alive->is_open()) {
            handler(std::make_error_code(std::errc::operation_canceled), Datagram{});
            return;
          }
          if (wait_error) {
            handler(from_boost(wait_error), Datagram{});
            return;
          }
          Datagram datagram;
          const std::error_code error = receive_on(alive->native_handle(), buffer, datagram);
          if (error == std::errc::operation_would_block) {  // woken, but someone else read it
            wait_then_receive(std::move(weak), buffer, std::move(handler));
            return;
          }
          handler(error, datagram);
        });
  }

  // Shared so that a pending wait can tell whether the socket still exists.
  std::shared_ptr<boost::asio::ip::udp::socket> socket_;
};

}  // namespace pxemasq::net
