#include "net/udp_socket.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <optional>

namespace pxemasq::net {
namespace {

std::error_code last_error() {
  return {errno, std::system_category()};
}

// Control messages are built and parsed by hand with memcpy (the CMSG_* macros are C casts
// on pointers into the buffer). The layout is the kernel's: a cmsghdr, padded to the alignment
// of size_t, then the data, padded likewise.
constexpr std::size_t cmsg_align(std::size_t length) {
  return (length + sizeof(std::size_t) - 1) & ~(sizeof(std::size_t) - 1);
}
constexpr std::size_t kCmsgHeaderSpace = cmsg_align(sizeof(cmsghdr));
constexpr std::size_t kPktinfoSpace = kCmsgHeaderSpace + cmsg_align(sizeof(in_pktinfo));

sockaddr_in sockaddr_of(Endpoint endpoint) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(endpoint.port);
  address.sin_addr.s_addr = htonl(endpoint.address.value);
  return address;
}

std::optional<SocketError> set_int_option(int fd, int level, int name, int value,
                                          const char* operation) {
  if (::setsockopt(fd, level, name, &value, sizeof value) < 0) {
    return SocketError{operation, last_error()};
  }
  return std::nullopt;
}

// The options every DHCP socket needs, opened or adopted (spec §4.1).
std::optional<SocketError> configure(int fd, const UdpSocketOptions& options) {
  if (auto error = set_int_option(fd, SOL_SOCKET, SO_BROADCAST, 1, "SO_BROADCAST")) return error;
  if (auto error = set_int_option(fd, IPPROTO_IP, IP_PKTINFO, 1, "IP_PKTINFO")) return error;
  // DF clear: a client's path MTU is not our business, and firmware does not do PMTUD.
  if (auto error =
          set_int_option(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT, "IP_MTU_DISCOVER")) {
    return error;
  }
  if (auto error = set_int_option(fd, IPPROTO_IP, IP_TOS, options.tos, "IP_TOS")) return error;
  // A burst of PXE clients powering on together must not overflow the queue. SO_RCVBUFFORCE
  // passes net.core.rmem_max with CAP_NET_ADMIN; otherwise take what SO_RCVBUF grants.
  if (options.receive_buffer_bytes > 0 &&
      set_int_option(fd, SOL_SOCKET, SO_RCVBUFFORCE, options.receive_buffer_bytes, "")) {
    (void)set_int_option(fd, SOL_SOCKET, SO_RCVBUF, options.receive_buffer_bytes, "");
  }
  return std::nullopt;
}

}  // namespace

std::string Endpoint::to_string() const {
  return address.to_string() + ":" + std::to_string(port);
}

std::string SocketError::message() const {
  return operation + ": " + code.message();
}

std::error_code UdpSocket::from_boost(const boost::system::error_code& code) {
  // Boost 1.74's conversion to std::error_code wraps the category in a Boost-owned one, so the
  // result never equals a code from std::system_category(); errno values are remapped here.
  if (code.category() == boost::system::system_category()) {
    return {code.value(), std::system_category()};
  }
  if (code.category() == boost::system::generic_category()) {
    return {code.value(), std::generic_category()};
  }
  return code;
}

std::variant<UdpSocket, SocketError> UdpSocket::open(const Executor& executor,
                                                     const UdpSocketOptions& options) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
  if (fd < 0) return SocketError{"socket", last_error()};
  auto socket = std::make_shared<boost::asio::ip::udp::socket>(executor);
  boost::system::error_code boost_error;
  socket->assign(boost::asio::ip::udp::v4(), fd, boost_error);
  if (boost_error) {
    ::close(fd);
    return SocketError{"assign", from_boost(boost_error)};
  }
  // From here the Asio socket owns the fd and closes it on every return path.
  if (options.reuse_address) {
    if (auto error = set_int_option(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR")) {
      return *error;
    }
    if (auto error = set_int_option(fd, SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT")) {
      return *error;
    }
  }
  if (auto error = configure(fd, options)) return *error;
  if (!options.bind_to_device.empty() &&
      ::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, options.bind_to_device.data(),
                   static_cast<socklen_t>(options.bind_to_device.size())) < 0) {
    return SocketError{"SO_BINDTODEVICE", last_error()};
  }
  socket->bind(boost::asio::ip::udp::endpoint(boost::asio::ip::address_v4::any(), options.port),
               boost_error);
  if (boost_error) return SocketError{"bind", from_boost(boost_error)};
  socket->non_blocking(true, boost_error);
  if (boost_error) return SocketError{"O_NONBLOCK", from_boost(boost_error)};
  return UdpSocket(std::move(socket));
}

std::variant<UdpSocket, SocketError> UdpSocket::adopt(const Executor& executor, int fd,
                                                      const UdpSocketOptions& options) {
  int domain = 0;
  int type = 0;
  socklen_t length = sizeof domain;
  if (::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &length) < 0) {
    const SocketError error{"SO_DOMAIN", last_error()};
    ::close(fd);
    return error;
  }
  length = sizeof type;
  if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) < 0 || domain != AF_INET ||
      type != SOCK_DGRAM) {
    ::close(fd);
    return SocketError{"adopt (not an IPv4 datagram socket)",
                       std::make_error_code(std::errc::wrong_protocol_type)};
  }
  // systemd hands sockets over without close-on-exec; a dhcp-script child must not inherit it.
  const int fd_flags = ::fcntl(fd, F_GETFD);
  if (fd_flags < 0 || ::fcntl(fd, F_SETFD, fd_flags | FD_CLOEXEC) < 0) {
    const SocketError error{"FD_CLOEXEC", last_error()};
    ::close(fd);
    return error;
  }
  auto socket = std::make_shared<boost::asio::ip::udp::socket>(executor);
  boost::system::error_code boost_error;
  socket->assign(boost::asio::ip::udp::v4(), fd, boost_error);
  if (boost_error) {
    ::close(fd);
    return SocketError{"assign", from_boost(boost_error)};
  }
  if (auto error = configure(fd, options)) return *error;
  socket->non_blocking(true, boost_error);
  if (boost_error) return SocketError{"O_NONBLOCK", from_boost(boost_error)};
  return UdpSocket(std::move(socket));
}

int UdpSocket::native_handle() const {
  return socket_ && socket_->is_open() ? socket_->native_handle() : -1;
}

std::variant<Endpoint, std::error_code> UdpSocket::local_endpoint() const {
  if (!socket_) return std::make_error_code(std::errc::bad_file_descriptor);
  boost::system::error_code error;
  const auto endpoint = socket_->local_endpoint(error);
  if (error) return from_boost(error);
  if (!endpoint.address().is_v4())
    return std::make_error_code(std::errc::address_family_not_supported);
  return Endpoint{Ipv4{endpoint.address().to_v4().to_uint()}, endpoint.port()};
}

std::error_code UdpSocket::receive(std::span<std::uint8_t> buffer, Datagram& out) {
  const int fd = native_handle();
  if (fd < 0) return std::make_error_code(std::errc::bad_file_descriptor);
  return receive_on(fd, buffer, out);
}

std::error_code UdpSocket::receive_on(int fd, std::span<std::uint8_t> buffer, Datagram& out) {
  sockaddr_in source{};
  iovec data{buffer.data(), buffer.size()};
  alignas(cmsghdr) std::array<std::uint8_t, 128> control{};
  msghdr message{};
  message.msg_name = &source;
  message.msg_namelen = sizeof source;
  message.msg_iov = &data;
  message.msg_iovlen = 1;
  message.msg_control = control.data();
  message.msg_controllen = control.size();

  ssize_t received = -1;
  do {
    // MSG_TRUNC: the return value is the datagram's real length, so truncation is visible.
    received = ::recvmsg(fd, &message, MSG_DONTWAIT | MSG_TRUNC);
  } while (received < 0 && errno == EINTR);
  if (received < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return std::make_error_code(std::errc::operation_would_block);
    }
    return last_error();
  }

  const auto length = static_cast<std::size_t>(received);
  out = Datagram{};
  out.truncated = length > buffer.size() || (message.msg_flags & MSG_TRUNC) != 0;
  out.bytes = std::span<const std::uint8_t>(buffer.data(), std::min(length, buffer.size()));
  if (source.sin_family == AF_INET) {
    out.source = Endpoint{Ipv4{ntohl(source.sin_addr.s_addr)}, ntohs(source.sin_port)};
  }

  const std::size_t control_length = std::min<std::size_t>(message.msg_controllen, control.size());
  std::size_t offset = 0;
  while (offset + sizeof(cmsghdr) <= control_length) {
    cmsghdr header{};
    std::memcpy(&header, control.data() + offset, sizeof header);
    if (header.cmsg_len < sizeof(cmsghdr) || offset + header.cmsg_len > control_length) break;
    if (header.cmsg_level == IPPROTO_IP && header.cmsg_type == IP_PKTINFO &&
        header.cmsg_len >= kCmsgHeaderSpace + sizeof(in_pktinfo)) {
      in_pktinfo info{};
      std::memcpy(&info, control.data() + offset + kCmsgHeaderSpace, sizeof info);
      out.interface_index = info.ipi_ifindex > 0 ? static_cast<unsigned>(info.ipi_ifindex) : 0U;
      out.destination = Ipv4{ntohl(info.ipi_addr.s_addr)};
      out.local_address = Ipv4{ntohl(info.ipi_spec_dst.s_addr)};
    }
    offset += cmsg_align(header.cmsg_len);
  }
  return {};
}

std::error_code UdpSocket::send_to(std::span<const std::uint8_t> bytes, Endpoint destination,
                                   unsigned interface_index, Ipv4 source) {
  const int fd = native_handle();
  if (fd < 0) return std::make_error_code(std::errc::bad_file_descriptor);

  sockaddr_in target = sockaddr_of(destination);
  // sendmsg does not write through the iovec; the const_cast only satisfies its C signature.
  iovec data{const_cast<std::uint8_t*>(bytes.data()), bytes.size()};
  alignas(cmsghdr) std::array<std::uint8_t, kPktinfoSpace> control{};
  msghdr message{};
  message.msg_name = &target;
  message.msg_namelen = sizeof target;
  message.msg_iov = &data;
  message.msg_iovlen = 1;
  if (interface_index != 0 || source.value != 0) {
    cmsghdr header{};
    header.cmsg_len = kCmsgHeaderSpace + sizeof(in_pktinfo);
    header.cmsg_level = IPPROTO_IP;
    header.cmsg_type = IP_PKTINFO;
    in_pktinfo info{};
    info.ipi_ifindex = static_cast<int>(interface_index);
    info.ipi_spec_dst.s_addr = htonl(source.value);
    std::memcpy(control.data(), &header, sizeof header);
    std::memcpy(control.data() + kCmsgHeaderSpace, &info, sizeof info);
    message.msg_control = control.data();
    message.msg_controllen = control.size();
  }

  ssize_t sent = -1;
  do {
    sent = ::sendmsg(fd, &message, MSG_DONTWAIT | MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return std::make_error_code(std::errc::operation_would_block);
    }
    return last_error();
  }
  if (static_cast<std::size_t>(sent) != bytes.size()) {
    return std::make_error_code(std::errc::message_size);
  }
  return {};
}

void UdpSocket::cancel() {
  if (!socket_) return;
  boost::system::error_code ignored;
  socket_->cancel(ignored);
}

void UdpSocket::close() {
  if (!socket_) return;
  boost::system::error_code ignored;
  socket_->close(ignored);
}

}  // namespace pxemasq::net
