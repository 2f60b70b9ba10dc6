#include "daemon/tftp_service.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <limits>
#include <sstream>

#include "daemon/lease_store.hpp"
#include "daemon/tftp_tally.hpp"
#include "dhcp/lease_file.hpp"
#include "net/confined_file.hpp"
#include "net/interface_policy.hpp"
#include "tftp/negotiation.hpp"
#include "tftp/path.hpp"

namespace pxemasq::daemon {

// ---- pure rules ------------------------------------------------------------------------------

namespace tftp_rules {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view last_component(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

const config::TftpRoot* select_root(const config::Tftp& tftp, std::string_view interface) {
  for (const auto& root : tftp.roots) {
    if (root.interface && *root.interface == interface) return &root;
  }
  const config::TftpRoot* global = nullptr;
  for (const auto& root : tftp.roots) {
    if (!root.interface) global = &root;
  }
  return global;
}

std::string root_base(std::string_view root) {
  if (root.empty()) return "/";
  std::string base;
  if (root.front() != '/') base += '/';
  base += root;
  if (base.back() != '/') base += '/';
  return base;
}

std::string dnsmasq_path(std::string_view base, std::string_view name, bool lowercase) {
  constexpr std::size_t kDnsmasqPathMax = 1024;  // dnsmasq's buffer (spec §6.4)
  std::string tail(name);
  std::replace(tail.begin(), tail.end(), '\\', '/');
  if (lowercase) std::transform(tail.begin(), tail.end(), tail.begin(), lower);
  std::string path;
  if (tail.starts_with('/') && std::string_view(tail).starts_with(base)) {
    path = std::move(tail);
  } else {
    path = std::string(base) + (tail.starts_with('/') ? tail.substr(1) : tail);
  }
  if (path.size() > kDnsmasqPathMax) path.resize(kDnsmasqPathMax);
  return path;
}

bool tftp_allowed(const config::Config& config, std::string_view name,
                  std::span<const config::Ipv4> addresses, bool loopback, bool to_own_address) {
  // enable-tftp=IF,...: only those, whatever interface= says (spec §3.12, §6.1).
  if (config.tftp.interfaces) return net::interface_name_matches_any(*config.tftp.interfaces, name);
  // Otherwise the DHCP/DNS interface rules, or a loopback request to one of our addresses;
  // and never an interface with DHCP switched off by no-dhcp-interface (no-dhcpv4-interface
  // leaves TFTP on, spec §3.2).
  if (net::interface_name_matches_any(config.no_dhcp_interfaces, name)) return false;
  return net::interface_selected(config, name, addresses, loopback) || (loopback && to_own_address);
}

bool permission_refused(unsigned mode, unsigned owner, unsigned effective_user, bool secure) {
  if (effective_user == 0) return (mode & S_IROTH) == 0;
  return secure && owner != effective_user;
}

std::vector<std::uint8_t> to_netascii(std::span<const std::uint8_t> bytes) {
  std::vector<std::uint8_t> out;
  out.reserve(bytes.size() + bytes.size() / 32);
  for (const std::uint8_t byte : bytes) {
    if (byte == '\n') out.push_back('\r');
    out.push_back(byte);
  }
  return out;
}

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c >= 0x20 && c < 0x7F) out.push_back(c);
  }
  return out;
}

std::string not_found_hint(std::string_view wanted, std::span<const std::string> files) {
  const std::string_view name = last_component(wanted);
  if (name.empty()) return {};
  std::vector<std::string_view> matches;
  for (const auto& file : files) {
    if (file == wanted) continue;
    if (tftp::equals_ignoring_case(last_component(file), name)) matches.push_back(file);
  }
  if (matches.empty()) return {};
  constexpr std::size_t kListed = 3;
  std::string hint = "; ";
  for (std::size_t i = 0; i < matches.size() && i < kListed; ++i) {
    if (i > 0) hint += ", ";
    hint += matches[i];
  }
  if (matches.size() > kListed) {
    hint += " (and " + std::to_string(matches.size() - kListed) + " more)";
  }
  hint += matches.size() == 1 ? " exists" : " exist";
  return hint;
}

std::string dashed_mac(std::span<const std::uint8_t> mac) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < mac.size(); ++i) {
    if (i > 0) out += '-';
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 0x0F];
  }
  return out;
}

std::optional<std::string> mac_from_arp_table(std::string_view table, config::Ipv4 address) {
  // /proc/net/arp: `IP address  HW type  Flags  HW address  Mask  Device`, one header line.
  const std::string wanted = address.to_string();
  std::istringstream lines{std::string(table)};
  std::string line;
  std::getline(lines, line);  // header
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string ip;
    std::string type;
    std::string flags;
    std::string hardware;
    if (!(fields >> ip >> type >> flags >> hardware)) continue;
    if (ip != wanted || type != "0x1") continue;
    // ATF_COM (0x2): the entry is complete; an incomplete one shows 00:00:00:00:00:00.
    const unsigned long flag_bits = std::strtoul(flags.c_str(), nullptr, 16);
    if ((flag_bits & 0x2U) == 0 || hardware.size() != 17) continue;
    std::string dashed;
    for (const char c : hardware) dashed += c == ':' ? '-' : lower(c);
    return dashed;
  }
  return std::nullopt;
}

unsigned effective_max_transfers(unsigned configured,
                                 std::optional<std::pair<std::uint16_t, std::uint16_t>> port_range,
                                 std::uint64_t fd_limit, bool single_port) {
  std::uint64_t limit = configured;
  // A transfer holds its socket and (at worst, unshared) its file; keep some fds for the rest.
  constexpr std::uint64_t kReservedFds = 64;
  const std::uint64_t per_transfer = single_port ? 1 : 2;
  const std::uint64_t by_fds = fd_limit > kReservedFds ? (fd_limit - kReservedFds) / per_transfer : 1;
  limit = std::min(limit, std::max<std::uint64_t>(by_fds, 1));
  if (port_range && !single_port) {
    const auto [low, high] = *port_range;
    const std::uint64_t ports = static_cast<std::uint64_t>(std::max(low, high) - std::min(low, high)) + 1;
    limit = std::min(limit, ports);
  }
  return static_cast<unsigned>(limit);
}

std::string ended_line(tftp::Outcome outcome, tftp::Stage stage, std::string_view path,
                       std::string_view client, bool offered_tsize) {
  const auto sent = [&] { return "sent " + std::string(path) + " to " + std::string(client); };
  const auto failed = [&] {
    return "failed sending " + std::string(path) + " to " + std::string(client);
  };
  switch (outcome) {
    case tftp::Outcome::completed:
      return sent();
    case tftp::Outcome::aborted_by_client:
      return "transfer of " + std::string(path) + " aborted by " + std::string(client) +
             " after the option acknowledgement (" + (offered_tsize ? "size probe, " : "") +
             "no data sent)";
    case tftp::Outcome::timed_out:
      if (stage == tftp::Stage::option_ack) return failed();  // dnsmasq says `sent` [quirk]
      break;
    case tftp::Outcome::client_error:
    case tftp::Outcome::read_failed:
      break;
  }
  return tftp::dnsmasq_reports_sent(outcome, stage) ? sent() : failed();
}

}  // namespace tftp_rules

// ---- sockets ---------------------------------------------------------------------------------

namespace {

using tftp::Clock;
using tftp::TimePoint;

constexpr std::uint16_t kTftpPort = 69;
constexpr std::size_t kIntakeBatch = 64;         // port-69 datagrams handled per wake-up
constexpr std::size_t kMaxMessagesPerCall = 64;  // blocks per sendmmsg
constexpr std::size_t kScratchBytes = std::size_t{1} << 20;
constexpr std::uint64_t kMaxNetasciiBytes = std::uint64_t{64} << 20;
constexpr int kSendBufferBytes = 1 << 20;  // a 64-block window of 1468 bytes, with room
constexpr std::int64_t kInterfaceRefreshSeconds = 5;
constexpr auto kHintLifetime = std::chrono::seconds(10);
constexpr auto kSendRetryDelay = std::chrono::milliseconds(2);
constexpr rlim_t kWantedFdLimit = 65536;

std::int64_t wall_clock_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

std::string error_text(int error) { return std::error_code(error, std::system_category()).message(); }

sockaddr_in sockaddr_of(net::Endpoint endpoint) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(endpoint.port);
  address.sin_addr.s_addr = htonl(endpoint.address.value);
  return address;
}

net::Endpoint endpoint_of(const sockaddr_in& address) {
  return {config::Ipv4{ntohl(address.sin_addr.s_addr)}, ntohs(address.sin_port)};
}

// IP_PKTINFO control data for sendmsg/sendmmsg, laid out by hand as udp_socket.cpp does (the
// CMSG_* macros are C casts).
constexpr std::size_t cmsg_align(std::size_t length) {
  return (length + sizeof(std::size_t) - 1) & ~(sizeof(std::size_t) - 1);
}
constexpr std::size_t kCmsgHeaderSpace = cmsg_align(sizeof(cmsghdr));
constexpr std::size_t kPktinfoSpace = kCmsgHeaderSpace + cmsg_align(sizeof(in_pktinfo));

struct PktinfoControl {
  alignas(cmsghdr) std::array<std::uint8_t, kPktinfoSpace> bytes{};

  explicit PktinfoControl(config::Ipv4 source) {
    cmsghdr header{};
    header.cmsg_len = kCmsgHeaderSpace + sizeof(in_pktinfo);
    header.cmsg_level = IPPROTO_IP;
    header.cmsg_type = IP_PKTINFO;
    in_pktinfo info{};
    info.ipi_spec_dst.s_addr = htonl(source.value);
    std::memcpy(bytes.data(), &header, sizeof header);
    std::memcpy(bytes.data() + kCmsgHeaderSpace, &info, sizeof info);
  }
};

// One sendmmsg of `count` datagrams described by `iovecs` (two per datagram: header, payload)
// to `to`, with IP_PKTINFO `source` when given. Returns how many went out; -1 and errno.
int send_messages(int fd, const sockaddr_in& to, std::optional<config::Ipv4> source,
                  std::span<iovec> iovecs, std::size_t count) {
  std::array<mmsghdr, kMaxMessagesPerCall> messages{};
  std::optional<PktinfoControl> control;
  if (source) control.emplace(*source);
  sockaddr_in target = to;  // msghdr wants a non-const pointer; the kernel only reads it
  for (std::size_t i = 0; i < count; ++i) {
    msghdr& header = messages[i].msg_hdr;
    header.msg_name = &target;
    header.msg_namelen = sizeof target;
    header.msg_iov = &iovecs[2 * i];
    header.msg_iovlen = iovecs[2 * i + 1].iov_len > 0 ? 2 : 1;
    if (control) {
      header.msg_control = control->bytes.data();
      header.msg_controllen = control->bytes.size();
    }
  }
  int sent = -1;
  do {
    sent = ::sendmmsg(fd, messages.data(), static_cast<unsigned>(count), MSG_DONTWAIT | MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  return sent;
}

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103  // <linux/udp.h>; older libc headers lack it
#endif

// UDP segmentation offload (Linux 4.18+): one sendmsg carries a whole window of equal-sized
// DATA packets and the stack cuts it into datagrams of `segment` bytes after a single pass
// through routing, netfilter and the device, instead of one pass per block. The datagrams on
// the wire are exactly those sendmmsg would send.
constexpr std::size_t kMaxSegmentedBytes = 65000;  // one IP packet's payload, with room
constexpr std::size_t kMaxSegments = 64;           // UDP_MAX_SEGMENTS on every kernel since 4.18
constexpr std::size_t kSegmentSpace = kCmsgHeaderSpace + cmsg_align(sizeof(std::uint16_t));

// One sendmsg of `iovecs` (header, payload pairs; every datagram `segment` bytes but the last,
// which may be shorter) as datagrams of `segment` bytes. Returns the bytes sent; -1 and errno
// (EINVAL or EIO when the route or device cannot segment: send them one by one instead).
ssize_t send_segmented(int fd, const sockaddr_in& to, std::optional<config::Ipv4> source,
                       std::span<iovec> iovecs, std::uint16_t segment) {
  alignas(cmsghdr) std::array<std::uint8_t, kSegmentSpace + kPktinfoSpace> control{};
  cmsghdr header{};
  header.cmsg_len = kCmsgHeaderSpace + sizeof segment;
  header.cmsg_level = SOL_UDP;
  header.cmsg_type = UDP_SEGMENT;
  std::memcpy(control.data(), &header, sizeof header);
  std::memcpy(control.data() + kCmsgHeaderSpace, &segment, sizeof segment);
  std::size_t control_length = kSegmentSpace;
  if (source) {
    const PktinfoControl pktinfo(*source);
    std::memcpy(control.data() + kSegmentSpace, pktinfo.bytes.data(), pktinfo.bytes.size());
    control_length += pktinfo.bytes.size();
  }
  sockaddr_in target = to;
  msghdr message{};
  message.msg_name = &target;
  message.msg_namelen = sizeof target;
  message.msg_iov = iovecs.data();
  message.msg_iovlen = iovecs.size();
  message.msg_control = control.data();
  message.msg_controllen = control_length;
  ssize_t sent = -1;
  do {
    sent = ::sendmsg(fd, &message, MSG_DONTWAIT | MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  return sent;
}

// A fresh socket for one transfer (spec §6.2): bound to the request's local address and an
// ephemeral port, or the first free port of tftp-port-range. DF clear, as dnsmasq. Returns the
// fd, or -errno (EADDRINUSE: the range is exhausted).
int open_transfer_socket(config::Ipv4 local,
                         std::optional<std::pair<std::uint16_t, std::uint16_t>> range) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_UDP);
  if (fd < 0) return -errno;
  const int pmtu = IP_PMTUDISC_DONT;
  (void)::setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu);
  const int buffer = kSendBufferBytes;
  (void)::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
  const auto try_bind = [&](std::uint16_t port) {
    const sockaddr_in address = sockaddr_of({local, port});
    return ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0 ? 0 : errno;
  };
  int error = 0;
  if (!range) {
    error = try_bind(0);
  } else {
    error = EADDRINUSE;
    const unsigned low = std::min(range->first, range->second);
    const unsigned high = std::max(range->first, range->second);
    for (unsigned port = low; port <= high && error == EADDRINUSE; ++port) {
      error = try_bind(static_cast<std::uint16_t>(port));
    }
  }
  if (error != 0) {
    ::close(fd);
    return -error;
  }
  return fd;
}

std::uint64_t raise_fd_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  const rlim_t wanted = limit.rlim_max == RLIM_INFINITY ? kWantedFdLimit
                                                         : std::min(limit.rlim_max, kWantedFdLimit);
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted) {
    rlimit raised = limit;
    raised.rlim_cur = wanted;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? kWantedFdLimit : static_cast<std::uint64_t>(limit.rlim_cur);
}

std::optional<std::string> read_small_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

// ---- the service's pieces ----------------------------------------------------------------------

struct TftpService::SharedFile {
  net::UniqueFd fd;
  std::uint64_t size = 0;
  std::int64_t modified_ns = 0;
};

struct TftpService::HintIndex {
  TimePoint built;
  std::vector<std::string> files;
};

struct TftpService::Request {
  net::Endpoint client;
  config::Ipv4 local_address;  // ours, as the kernel matched it (source of every reply)
  config::Ipv4 destination;    // the IP header's
  const net::Interface* interface = nullptr;
  TimePoint received_at;
};

// One read transfer: its socket (its TID), its timer and its state machine.
class TftpService::Session : public std::enable_shared_from_this<Session> {
 public:
  struct Setup {
    std::uint64_t id = 0;
    net::Endpoint client;
    config::Ipv4 local_address;
    std::string path;    // full server path, for the log
    std::string suffix;  // ` (requested as NAME)` for URL names
    std::string name;    // the name as the client sent it (printable), for ERROR texts
    std::shared_ptr<SharedFile> file;
    std::vector<std::uint8_t> converted;  // netascii: the bytes as sent
    bool netascii = false;
    tftp::Negotiated negotiated;
    std::uint64_t size = 0;  // bytes as sent
  };

  // Takes ownership of `socket_fd` (-1 in single-port mode).
  Session(TftpService& service, Setup setup, int socket_fd)
      : service_(service),
        setup_(std::move(setup)),
        client_text_(setup_.client.address.to_string()),
        transfer_(tftp::transfer_settings(setup_.negotiated, setup_.size), Clock::now()),
        started_(Clock::now()),
        timer_(service.io_),
        retry_timer_(service.io_) {
    if (socket_fd >= 0) {
      socket_.emplace(service.io_);
      boost::system::error_code error;
      socket_->assign(boost::asio::ip::udp::v4(), socket_fd, error);
      if (error) ::close(socket_fd);  // cannot happen for a fresh fd; the timer ends it
    }
  }

  void begin() {
    perform(transfer_.start());
    if (!closed_ && socket_) wait_readable();
  }

  // A datagram from the transfer's socket, or (single-port) one port 69 routed here.
  void on_datagram(std::span<const std::uint8_t> bytes, net::Endpoint from) {
    if (closed_) return;
    if (from != setup_.client) {
      if (!socket_) return;
      // RFC 1350 §4: a packet from another TID gets ERROR 5 and the transfer goes on.
      const std::string message = "ignoring packet from " + from.address.to_string() + " (TID mismatch)";
      service_.log_->error("{}", message);
      send_packet(tftp::encode_error(tftp::ErrorCode::unknown_transfer_id, message), from);
      return;
    }
    auto parsed = tftp::parse(bytes);
    const auto* packet = std::get_if<tftp::Packet>(&parsed);
    if (packet == nullptr) return;
    if (const auto* error = std::get_if<tftp::Error>(packet)) {
      service_.log_->error("error {} {} received from {}", static_cast<unsigned>(error->code),
                           tftp_rules::printable(error->message), client_text_);
    }
    perform(transfer_.on_packet(*packet, Clock::now()));
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    timer_.cancel();
    retry_timer_.cancel();
    if (socket_) socket_->close(ignored);
  }

  [[nodiscard]] std::uint64_t id() const { return setup_.id; }
  [[nodiscard]] net::Endpoint client() const { return setup_.client; }

 private:
  void wait_readable() {
    socket_->async_wait(boost::asio::ip::udp::socket::wait_read,
                        [self = shared_from_this()](const boost::system::error_code& error) {
                          if (self->closed_ || error) return;
                          self->on_readable();
                        });
  }

  // One datagram per readiness, then back to the reactor: the re-armed wait reports the socket
  // again at once if more is queued, behind every other transfer that is ready. Draining the
  // socket here instead starved the other transfers: a client woken by our DATA (often on this
  // CPU, preempting us inside the send) has its next ACK queued before we look again, so one
  // lockstep pair could take 64 blocks per turn (50-client storm: first client done after
  // 1.2 s, the median after 14.4 s, both CPUs idle a quarter of the time). It also spares the
  // empty recvfrom that ended each turn. (recvmmsg measured worse: 50-client lockstep storm,
  // 8.13 vs 6.10 CPU s/GiB.)
  void on_readable() {
    auto& buffer = service_.receive_buffer_;
    sockaddr_in from{};
    socklen_t length = sizeof from;
    ssize_t received = -1;
    do {
      received = ::recvfrom(socket_->native_handle(), buffer.data(), buffer.size(), MSG_DONTWAIT,
                            reinterpret_cast<sockaddr*>(&from), &length);
    } while (received < 0 && errno == EINTR);
    // EAGAIN (a spurious wake-up) or an ICMP error: nothing to do, the timer handles loss.
    if (received >= 0) on_datagram({buffer.data(), static_cast<std::size_t>(received)}, endpoint_of(from));
    if (!closed_) wait_readable();
  }

  void perform(const tftp::Action& action) {
    if (closed_) return;
    count_resends(action);
    if (std::holds_alternative<tftp::SendOptionAck>(action)) {
      send_packet(tftp::encode_option_ack(setup_.negotiated.option_ack), setup_.client);
    } else if (const auto* blocks = std::get_if<tftp::SendBlocks>(&action)) {
      send_blocks(blocks->first, blocks->last);
    } else if (const auto* finish = std::get_if<tftp::Finish>(&action)) {
      end(finish->outcome, finish->stage);
      return;
    } else if (const auto* fail = std::get_if<tftp::Fail>(&action)) {
      send_packet(tftp::encode_error(fail->code, fail->message), setup_.client);
      end(fail->outcome, fail->stage);
      return;
    }
    if (!closed_ && !transfer_.finished()) arm_timer();
  }

  // The timer runs to the machine's deadline; it is re-armed only when the deadline moves
  // earlier (an expiry before the deadline is harmless: on_timeout() answers Idle and the
  // timer is set again), so an ACK costs no timer system call.
  void arm_timer() {
    const TimePoint due = transfer_.deadline();
    if (timer_armed_ && armed_for_ <= due) return;
    timer_armed_ = true;
    armed_for_ = due;
    const std::uint64_t generation = ++timer_generation_;
    timer_.expires_at(due);
    timer_.async_wait([self = shared_from_this(), generation](const boost::system::error_code& error) {
      if (self->closed_ || generation != self->timer_generation_) return;
      self->timer_armed_ = false;
      if (error) return;
      self->perform(self->transfer_.on_timeout(Clock::now()));
    });
  }

  [[nodiscard]] int send_fd() {
    return socket_ ? socket_->native_handle() : service_.listener_.native_handle();
  }
  // Single-port replies leave port 69 from the address the request came to.
  [[nodiscard]] std::optional<config::Ipv4> send_source() const {
    if (socket_ || setup_.local_address.value == 0) return std::nullopt;
    return setup_.local_address;
  }

  void send_packet(std::span<const std::uint8_t> bytes, net::Endpoint to) {
    std::array<iovec, 2> iov{iovec{const_cast<std::uint8_t*>(bytes.data()), bytes.size()},
                             iovec{nullptr, 0}};
    // Best effort: a lost OACK or ERROR is what retransmission (or the client's) is for.
    (void)send_messages(send_fd(), sockaddr_of(to), send_source(), iov, 1);
  }

  // Reads `length` bytes of the transfer's stream at `offset`; false with errno (0: the file
  // is shorter than it was at open).
  bool read_at(std::uint64_t offset, std::size_t length, std::uint8_t* into) {
    if (setup_.netascii) {
      if (offset + length > setup_.converted.size()) {
        errno = 0;
        return false;
      }
      std::memcpy(into, setup_.converted.data() + offset, length);
      return true;
    }
    std::size_t done = 0;
    while (done < length) {
      const ssize_t got = ::pread(setup_.file->fd.get(), into + done, length - done,
                                  static_cast<off_t>(offset + done));
      if (got < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      if (got == 0) {
        errno = 0;
        return false;
      }
      done += static_cast<std::size_t>(got);
    }
    return true;
  }

  void send_blocks(std::uint64_t first, std::uint64_t last) {
    if (waiting_to_send_) {  // a window is still going out: continue from where it must start
      pending_ = {first, last};
      return;
    }
    auto& scratch = service_.scratch_;
    std::array<std::array<std::uint8_t, tftp::kHeaderSize>, kMaxMessagesPerCall> headers{};
    std::array<iovec, 2 * kMaxMessagesPerCall> iov{};
    std::uint64_t block = first;
    while (block <= last && !closed_) {
      const std::size_t full = transfer_.block_length(block) + tftp::kHeaderSize;
      const bool segment = segmenting_ && block < last && full <= kMaxSegmentedBytes / 2;
      const std::size_t limit = segment ? std::min(kMaxSegments, kMaxSegmentedBytes / full) : kMaxMessagesPerCall;
      std::size_t count = 0;
      std::size_t bytes = 0;
      while (block + count <= last && count < limit) {
        const std::size_t length = transfer_.block_length(block + count);
        if (count > 0 && bytes + length > scratch.size()) break;
        bytes += length;
        ++count;
      }
      if (!read_at(transfer_.block_offset(block), bytes, scratch.data())) {
        const int error = errno;
        const std::string reason = error == 0 ? "file changed size while being sent" : error_text(error);
        service_.log_->error("cannot read {}: {}", setup_.path, reason);
        perform(transfer_.on_read_error("cannot read " + setup_.name + ": " + reason));
        return;
      }
      std::size_t at = 0;
      for (std::size_t i = 0; i < count; ++i) {
        headers[i] = tftp::data_header(tftp::Transfer::wire_block(block + i));
        const std::size_t length = transfer_.block_length(block + i);
        iov[2 * i] = iovec{headers[i].data(), headers[i].size()};
        iov[2 * i + 1] = iovec{scratch.data() + at, length};
        at += length;
      }
      int sent = 0;
      if (segment && count > 1) {
        // Every block but the window's last is full, so every datagram but the last is `full`.
        const ssize_t went = send_segmented(send_fd(), sockaddr_of(setup_.client), send_source(),
                                            std::span(iov).first(2 * count), static_cast<std::uint16_t>(full));
        if (went < 0 && (errno == EINVAL || errno == EIO || errno == ENOPROTOOPT || errno == EOPNOTSUPP)) {
          // This route or device cannot segment (e.g. blksize above the MTU): one by one from now on.
          service_.log_->debug("sending to {} without segmentation offload: {}", client_text_, error_text(errno));
          segmenting_ = false;
          continue;
        }
        sent = went < 0 ? -1 : static_cast<int>(count);
      } else {
        sent = send_messages(send_fd(), sockaddr_of(setup_.client), send_source(), iov, count);
      }
      if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS) {
        // Not recoverable by waiting (no route, …): leave it to retransmission and the give-up.
        service_.log_->debug("sending to {} failed: {}", client_text_, error_text(errno));
        return;
      }
      const std::size_t went = sent < 0 ? 0 : static_cast<std::size_t>(sent);
      for (std::size_t i = 0; i < went; ++i) bytes_sent_ += transfer_.block_length(block + i);
      if (went < count) {  // the send queue is full: go on when it drains
        pending_ = {block + went, last};
        wait_writable();
        return;
      }
      block += count;
    }
  }

  void wait_writable() {
    waiting_to_send_ = true;
    const auto resume = [self = shared_from_this()](const boost::system::error_code& error) {
      self->waiting_to_send_ = false;
      if (self->closed_ || error || !self->pending_) return;
      const auto [first, last] = *self->pending_;
      self->pending_.reset();
      self->send_blocks(first, last);
    };
    if (socket_) {
      socket_->async_wait(boost::asio::ip::udp::socket::wait_write, resume);
    } else {  // port 69 is shared: poll it shortly instead of waiting on it
      retry_timer_.expires_after(kSendRetryDelay);
      retry_timer_.async_wait(resume);
    }
  }

  void end(tftp::Outcome outcome, tftp::Stage stage) {
    const bool offered_tsize = setup_.negotiated.transfer_size.has_value();
    service_.log_->info("{}{}", tftp_rules::ended_line(outcome, stage, setup_.path, client_text_, offered_tsize),
                        setup_.suffix);
    const auto elapsed = std::chrono::duration<double>(Clock::now() - started_).count();
    service_.log_->debug("transfer of {} to {}: {} bytes in {:.3f} s, blksize {}, windowsize {}, {} retransmissions",
                         setup_.path, setup_.client.to_string(), bytes_sent_, elapsed,
                         transfer_.settings().block_size, transfer_.settings().window_size,
                         transfer_.retransmissions());
    count_end(outcome);
    close();
    service_.remove(setup_.id);
  }

  // ---- counting hooks (/metrics, SIGUSR1): from the machine's actions, nothing else ----

  void count_resends(const tftp::Action& action) {
    if (const auto* blocks = std::get_if<tftp::SendBlocks>(&action)) {
      service_.counters_.blocks_resent += tally_.resent(*blocks);
    }
    service_.counters_.timeouts += tally_.timeouts(transfer_);
  }

  void count_end(tftp::Outcome outcome) {
    TftpCounters& counters = service_.counters_;
    counters.bytes_sent += bytes_sent_;
    switch (outcome) {
      case tftp::Outcome::completed: ++counters.completed; break;
      case tftp::Outcome::timed_out: ++counters.failed_timeout; break;
      case tftp::Outcome::client_error: ++counters.failed_client_error; break;
      case tftp::Outcome::aborted_by_client: ++counters.size_probes; break;
      case tftp::Outcome::read_failed: ++counters.failed_read; break;
    }
    if (outcome != tftp::Outcome::completed) ++counters.failed;
    // A size probe fetches no data: per file it would only double every UEFI boot's count.
    if (outcome != tftp::Outcome::aborted_by_client) {
      counters.files.add(setup_.path, outcome == tftp::Outcome::completed, acknowledged_bytes(transfer_));
    }
  }

  TftpService& service_;
  Setup setup_;
  std::string client_text_;
  tftp::Transfer transfer_;
  TimePoint started_;
  std::optional<boost::asio::ip::udp::socket> socket_;  // none in single-port mode
  boost::asio::steady_timer timer_;
  boost::asio::steady_timer retry_timer_;
  bool timer_armed_ = false;
  TimePoint armed_for_{};
  std::uint64_t timer_generation_ = 0;
  bool waiting_to_send_ = false;
  bool segmenting_ = true;  // windows go out with UDP segmentation offload while it works
  std::optional<std::pair<std::uint64_t, std::uint64_t>> pending_;
  std::uint64_t bytes_sent_ = 0;
  ResendTally tally_;
  bool closed_ = false;
};

// ---- the service -----------------------------------------------------------------------------

std::optional<StartupError> TftpService::check_roots(const config::Config& config,
                                                     std::vector<std::string>& warnings) {
  for (const auto& root : config.tftp.roots) {
    const std::string path = tftp_rules::root_base(root.directory);
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
      ::close(fd);
      continue;
    }
    const std::string reason = error_text(errno);
    if (!config.tftp.no_fail) {
      return StartupError{"TFTP directory " + root.directory + " inaccessible: " + reason, 3};
    }
    warnings.push_back("warning: " + root.directory + " inaccessible");  // dnsmasq's text (compat/tftp 20)
  }
  return std::nullopt;
}

// Without tftp-max, room for a boot storm (dnsmasq's 50 refuses most of a 200-client one);
// either way lowered to what the fd limit and the port range allow.
unsigned TftpService::max_transfers_for(const config::Config& config, spdlog::logger& log) {
  const unsigned wanted = config.tftp.max_transfers.value_or(kDefaultMaxTransfers);
  const unsigned max = tftp_rules::effective_max_transfers(wanted, config.tftp.port_range,
                                                           raise_fd_limit(), config.tftp.single_port);
  if (max < wanted) log.warn("restricting maximum simultaneous TFTP transfers to {}", max);
  return max;
}

void TftpService::reconfigure(std::shared_ptr<const config::Config> config) {
  max_transfers_ = max_transfers_for(*config, *log_);
  config_ = std::move(config);
  hints_.clear();  // the roots may have moved
  refresh_local_hosts();
}

std::variant<std::unique_ptr<TftpService>, StartupError> TftpService::start(
    boost::asio::io_context& io, std::shared_ptr<const config::Config> config,
    std::shared_ptr<spdlog::logger> log, std::optional<int> passed_socket) {
  std::vector<std::string> warnings;
  if (auto error = check_roots(*config, warnings)) return *error;
  for (const auto& warning : warnings) log->warn("{}", warning);

  net::UdpSocketOptions options;
  options.port = kTftpPort;
  options.tos = 0;
  auto socket = passed_socket ? net::UdpSocket::adopt(io.get_executor(), *passed_socket, options)
                              : net::UdpSocket::open(io.get_executor(), options);
  if (auto* error = std::get_if<net::SocketError>(&socket)) {
    if (passed_socket) return StartupError{"cannot use the TFTP socket passed by systemd: " + error->message(), 2};
    return StartupError{"failed to create listening socket for port 69: " + error->code.message(), 2};
  }
  auto interfaces = net::InterfaceTable::read();
  if (auto* error = std::get_if<std::error_code>(&interfaces)) {
    return StartupError{"cannot read the interface table: " + error->message(), 2};
  }

  const unsigned max = max_transfers_for(*config, *log);
  std::unique_ptr<TftpService> service(new TftpService(
      io, std::move(config), std::move(log), std::move(std::get<net::UdpSocket>(socket)),
      std::move(std::get<net::InterfaceTable>(interfaces)), max));
  service->refresh_local_hosts();
  service->receive_next();
  return service;
}

TftpService::TftpService(boost::asio::io_context& io, std::shared_ptr<const config::Config> config,
                         std::shared_ptr<spdlog::logger> log, net::UdpSocket listener,
                         net::InterfaceTable interfaces, unsigned max_transfers)
    : io_(io),
      config_(std::move(config)),
      log_(std::move(log)),
      listener_(std::move(listener)),
      interfaces_(std::move(interfaces)),
      interfaces_read_at_(wall_clock_now()),
      max_transfers_(max_transfers),
      scratch_(kScratchBytes) {}

TftpService::~TftpService() {
  for (auto& [id, session] : sessions_) session->close();
  sessions_.clear();
  listener_.close();
}

void TftpService::receive_next() {
  listener_.async_receive(receive_buffer_, [this](std::error_code error, const net::Datagram& datagram) {
    if (error == std::errc::operation_canceled) return;
    if (!error) {
      handle_datagram(datagram);
      for (std::size_t i = 1; i < kIntakeBatch; ++i) {
        net::Datagram next;
        if (listener_.receive(receive_buffer_, next)) break;  // would block: drained
        handle_datagram(next);
      }
    }
    receive_next();
  });
}

const net::Interface* TftpService::interface_for(unsigned index) {
  const std::int64_t now = wall_clock_now();
  const net::Interface* interface = interfaces_.by_index(index);
  if (interface == nullptr || now - interfaces_read_at_ >= kInterfaceRefreshSeconds) {
    if (!interfaces_.refresh()) {
      interfaces_read_at_ = now;
      refresh_local_hosts();
    }
    interface = interfaces_.by_index(index);
  }
  return interface;
}

void TftpService::refresh_local_hosts() {
  local_hosts_.clear();
  for (const auto& interface : interfaces_.interfaces()) {
    for (const auto& address : interface.addresses) local_hosts_.push_back(address.address.to_string());
  }
  std::array<char, 256> name{};
  if (::gethostname(name.data(), name.size() - 1) == 0 && name[0] != '\0') {
    const std::string host(name.data());
    local_hosts_.push_back(host);
    if (const auto dot = host.find('.'); dot != std::string::npos && dot > 0) {
      local_hosts_.push_back(host.substr(0, dot));
    }
  }
}

bool TftpService::is_local_address(config::Ipv4 address) const {
  for (const auto& interface : interfaces_.interfaces()) {
    for (const auto& a : interface.addresses) {
      if (a.address == address) return true;
    }
  }
  return false;
}

void TftpService::handle_datagram(const net::Datagram& datagram) {
  ++counters_.received;
  if (datagram.bytes.size() < 2) return;  // spec §6.3: not even an opcode
  const std::uint16_t opcode =
      static_cast<std::uint16_t>((datagram.bytes[0] << 8) | datagram.bytes[1]);
  const bool is_read_request = opcode == static_cast<std::uint16_t>(tftp::Opcode::read_request);
  const std::pair<std::uint32_t, std::uint16_t> client_key{datagram.source.address.value,
                                                           datagram.source.port};
  if (config_->tftp.single_port) {
    // spec §6.2: transfers are keyed by client address and port; a new RRQ from the same pair
    // silently replaces the old transfer.
    if (const auto found = by_client_.find(client_key); found != by_client_.end()) {
      const auto session = sessions_.at(found->second);
      if (!is_read_request) {
        session->on_datagram(datagram.bytes, datagram.source);
        return;
      }
      session->close();
      remove(session->id());
    }
  }
  Request request;
  request.client = datagram.source;
  request.local_address = datagram.local_address;
  request.destination = datagram.destination;
  request.interface = interface_for(datagram.interface_index);
  request.received_at = Clock::now();
  if (request.interface == nullptr ||
      !tftp_rules::tftp_allowed(*config_, request.interface->name, request.interface->ipv4_addresses(),
                                request.interface->loopback, is_local_address(request.destination))) {
    ++counters_.dropped_interface;
    return;  // spec §6.1: silently
  }
  const std::string client = datagram.source.address.to_string();
  const auto unsupported = [&] {
    const std::string message = "unsupported request from " + client;
    log_->error("{}", message);
    ++counters_.refused;
    reply_error(request, tftp::ErrorCode::illegal_operation, message);
  };
  auto parsed = tftp::parse(datagram.bytes);
  const auto* packet = std::get_if<tftp::Packet>(&parsed);
  if (packet == nullptr) {
    unsupported();
    return;
  }
  if (std::holds_alternative<tftp::Error>(*packet)) return;  // never answer an ERROR
  const auto* read = std::get_if<tftp::ReadRequest>(packet);
  // WRQ included: pxemasq, like dnsmasq, only reads (spec §6.3).
  if (read == nullptr || !tftp::transfer_mode(read->mode)) {
    unsupported();
    return;
  }
  if (sessions_.size() >= max_transfers_) {
    ++counters_.busy;
    log_->warn("maximum simultaneous TFTP transfers ({}) reached: refused {} from {}", max_transfers_,
               tftp_rules::printable(read->filename), client);
    reply_error(request, tftp::ErrorCode::not_defined, "too many TFTP transfers, try again later");
    return;
  }
  handle_read_request(request, *read);
}

std::optional<std::string> TftpService::unique_directory(const Request& request) const {
  switch (config_->tftp.unique_root) {
    case config::UniqueRoot::none:
      return std::nullopt;
    case config::UniqueRoot::ip:
      return request.client.address.to_string();
    case config::UniqueRoot::mac:
      break;
  }
  // spec §3.12: the MAC from the lease table or the kernel's ARP table (Ethernet only). The
  // leases live in the DHCP service; the kernel's table is asked first, then the lease file.
  if (const auto table = read_small_file("/proc/net/arp")) {
    if (auto mac = tftp_rules::mac_from_arp_table(*table, request.client.address)) return mac;
  }
  const std::string lease_path = config_->lease_file.value_or(std::string(kDefaultLeaseFile));
  if (const auto text = read_small_file(lease_path)) {
    const auto parsed = dhcp::parse_lease_file(*text, std::numeric_limits<std::size_t>::max());
    if (const auto* contents = std::get_if<dhcp::LeaseFileContents>(&parsed)) {
      for (const auto& lease : contents->leases) {
        if (lease.address == request.client.address && lease.htype == 1 &&
            lease.hardware_address.size() == 6) {
          return tftp_rules::dashed_mac(lease.hardware_address);
        }
      }
    }
  }
  return std::nullopt;
}

std::string TftpService::hint_for(const std::string& root_path, const std::string& relative) {
  const TimePoint now = Clock::now();
  auto& index = hints_[root_path];
  if (!index || now - index->built > kHintLifetime) {
    auto root = net::ConfinedRoot::open(root_path);
    if (auto* opened = std::get_if<net::ConfinedRoot>(&root)) {
      index = std::make_shared<HintIndex>(HintIndex{now, opened->regular_files(net::WalkLimits{})});
    } else {
      index = std::make_shared<HintIndex>(HintIndex{now, {}});
    }
  }
  return tftp_rules::not_found_hint(relative, index->files);
}

std::shared_ptr<TftpService::SharedFile> TftpService::share(net::ConfinedFile file,
                                                            const std::string& path) {
  // spec §6.2: transfers of the same file (device, inode and path) share one fd; a file that
  // changed in place since (size or mtime) gets its own.
  auto key = std::make_tuple(file.device, file.inode, path);
  if (const auto found = files_.find(key); found != files_.end()) {
    if (auto existing = found->second.lock();
        existing && existing->size == file.size && existing->modified_ns == file.modified_ns) {
      return existing;
    }
  }
  auto shared = std::make_shared<SharedFile>(SharedFile{std::move(file.fd), file.size, file.modified_ns});
  files_[std::move(key)] = shared;
  return shared;
}

void TftpService::handle_read_request(const Request& request, const tftp::ReadRequest& read) {
  const net::Interface& interface = *request.interface;
  const std::string client = request.client.address.to_string();
  const std::string name = tftp_rules::printable(read.filename);
  const tftp::TransferMode mode = *tftp::transfer_mode(read.mode);

  const config::TftpRoot* root_config = tftp_rules::select_root(config_->tftp, interface.name);
  const std::string root_path = root_config != nullptr ? root_config->directory : std::string();
  std::string base = tftp_rules::root_base(root_path);
  auto root_open = net::ConfinedRoot::open(base);

  std::string unique;
  if (root_config != nullptr) {
    if (auto* root = std::get_if<net::ConfinedRoot>(&root_open)) {
      if (auto directory = unique_directory(request);
          directory && root->has_directory(*directory)) {
        unique = *directory;
      }
    }
  }

  // What the log lines call the file: the path as dnsmasq would have joined it, so that
  // `sub/`, `./x` or `//x` read as in dnsmasq's log (the file opened is the resolver's).
  const std::string joined_name = tftp_rules::dnsmasq_path(
      base + (unique.empty() ? "" : unique + "/"), name, config_->tftp.lowercase);
  const auto refuse = [&](tftp::ErrorCode code, const std::string& path, const std::string& reason,
                          const std::string& extra) {
    ++counters_.refused;
    switch (code) {
      case tftp::ErrorCode::file_not_found:
        if (!config_->quiet_tftp) log_->error("file {} not found for {}{}", path, client, extra);
        reply_error(request, code, "file " + name + " not found");
        return;
      case tftp::ErrorCode::access_violation:
        log_->error("cannot access {}: Permission denied{}", path, extra);
        reply_error(request, code, "cannot access " + name + ": Permission denied");
        return;
      case tftp::ErrorCode::illegal_operation:
        log_->error("unsupported request from {}", client);
        reply_error(request, code, "unsupported request from " + client);
        return;
      default:
        log_->error("cannot read {}: {}{}", path, reason, extra);
        reply_error(request, code, "cannot read " + name + ": " + reason);
        return;
    }
  };

  tftp::PathRules rules;
  rules.lowercase = config_->tftp.lowercase;
  rules.root = root_path;
  rules.unique_directory = unique;
  rules.local_hosts = local_hosts_;
  const auto resolution = tftp::resolve_path(read.filename, rules);
  if (const auto* refusal = std::get_if<tftp::PathRefusal>(&resolution)) {
    refuse(tftp::error_code(*refusal), joined_name, std::string(tftp::describe(*refusal)), "");
    return;
  }
  const auto& resolved = std::get<tftp::ResolvedPath>(resolution);
  const std::string relative = resolved.relative_path();
  // A URL name is logged by the file it was served from (its own name follows in the suffix).
  const std::string path = resolved.mapped_from_url ? base + relative : joined_name;
  const std::string suffix = resolved.mapped_from_url ? " (requested as " + name + ")" : "";
  const std::string url_hint =
      resolved.looks_like_url ? "; the requested name is a URL for a host that is not this server" : "";

  if (auto* error = std::get_if<std::error_code>(&root_open)) {
    const int code = error->value();
    if (code == ENOENT) {
      refuse(tftp::ErrorCode::file_not_found, path, "", suffix + url_hint);
    } else if (code == EACCES) {
      refuse(tftp::ErrorCode::access_violation, path, "", suffix);
    } else {
      refuse(tftp::ErrorCode::not_defined, path, error_text(code), suffix);
    }
    return;
  }
  const auto& root = std::get<net::ConfinedRoot>(root_open);
  auto opened = root.open_file(resolved.components);
  if (auto* failure = std::get_if<net::OpenError>(&opened)) {
    switch (failure->kind) {
      case net::OpenFailure::not_found: {
        // The hint lists the tree: only below a real root, never the whole filesystem.
        std::string hint = url_hint;
        if (root_config != nullptr && !config_->quiet_tftp) hint += hint_for(base, relative);
        refuse(tftp::ErrorCode::file_not_found, path, "", suffix + hint);
        return;
      }
      case net::OpenFailure::permission_denied:
      case net::OpenFailure::escapes_root:
        refuse(tftp::ErrorCode::access_violation, path, "", suffix);
        return;
      case net::OpenFailure::not_regular:
        refuse(tftp::ErrorCode::not_defined, path,
               failure->error == EISDIR ? "Is a directory" : "not a regular file", suffix);
        return;
      case net::OpenFailure::other:
        refuse(tftp::ErrorCode::not_defined, path, error_text(failure->error), suffix);
        return;
    }
  }
  auto& file = std::get<net::ConfinedFile>(opened);
  if (tftp_rules::permission_refused(file.mode, file.owner, static_cast<unsigned>(::geteuid()),
                                     config_->tftp.secure)) {
    refuse(tftp::ErrorCode::access_violation, path, "", suffix);
    return;
  }

  Session::Setup setup;
  setup.client = request.client;
  setup.local_address = request.local_address;
  setup.path = path;
  setup.suffix = suffix;
  setup.name = name;
  setup.netascii = mode == tftp::TransferMode::netascii;
  if (setup.netascii) {
    if (file.size > kMaxNetasciiBytes) {
      refuse(tftp::ErrorCode::not_defined, path, "File too large", suffix);
      return;
    }
    std::vector<std::uint8_t> raw(static_cast<std::size_t>(file.size));
    std::size_t done = 0;
    while (done < raw.size()) {
      const ssize_t got = ::pread(file.fd.get(), raw.data() + done, raw.size() - done, static_cast<off_t>(done));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) break;
      done += static_cast<std::size_t>(got);
    }
    raw.resize(done);
    setup.converted = tftp_rules::to_netascii(raw);
    setup.size = setup.converted.size();
  } else {
    setup.size = file.size;
    setup.file = share(std::move(file), path);
  }

  tftp::NegotiationContext context;
  context.file_size = setup.size;
  context.mode = mode;
  context.interface_mtu = interface.mtu;
  setup.negotiated = tftp::negotiate(read.options, config_->tftp, context);

  int socket_fd = -1;
  if (!config_->tftp.single_port) {
    const int fd = open_transfer_socket(request.local_address, config_->tftp.port_range);
    if (fd < 0) {
      if (-fd == EADDRINUSE && config_->tftp.port_range) {
        log_->error("unable to get free port for TFTP");  // spec §6.2: and no reply at all
      } else {
        log_->error("cannot create a TFTP transfer socket: {}", error_text(-fd));
      }
      return;
    }
    socket_fd = fd;
  }
  setup.id = next_id_++;
  auto session = std::make_shared<Session>(*this, std::move(setup), socket_fd);
  sessions_.emplace(session->id(), session);
  if (config_->tftp.single_port) {
    by_client_[{request.client.address.value, request.client.port}] = session->id();
  }
  ++counters_.started;
  session->begin();
}

bool TftpService::reply_error(const Request& request, tftp::ErrorCode code, std::string_view message) {
  const auto packet = tftp::encode_error(code, message);
  if (!config_->tftp.single_port) {
    // Every reply of a transfer, the first ERROR included, comes from a new TID (spec §6.2).
    const int fd = open_transfer_socket(request.local_address, config_->tftp.port_range);
    if (fd >= 0) {
      const net::UniqueFd owned(fd);
      const sockaddr_in to = sockaddr_of(request.client);
      (void)::sendto(fd, packet.data(), packet.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
                     reinterpret_cast<const sockaddr*>(&to), sizeof to);
      return true;
    }
    if (-fd == EADDRINUSE && config_->tftp.port_range) {
      log_->error("unable to get free port for TFTP");
      return false;
    }
  }
  (void)listener_.send_to(packet, request.client, 0, request.local_address);
  return true;
}

void TftpService::remove(std::uint64_t id) {
  const auto found = sessions_.find(id);
  if (found == sessions_.end()) return;
  const net::Endpoint client = found->second->client();
  if (const auto key = std::make_pair(client.address.value, client.port);
      by_client_.count(key) != 0 && by_client_[key] == id) {
    by_client_.erase(key);
  }
  sessions_.erase(found);
  for (auto it = files_.begin(); it != files_.end();) {
    it = it->second.expired() ? files_.erase(it) : std::next(it);
  }
}

}  // namespace pxemasq::daemon
