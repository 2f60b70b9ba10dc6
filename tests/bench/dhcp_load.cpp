// dhcp_load: a DHCPv4 load generator that acts as a relay agent (in the manner of perfdhcp).
//
// It binds UDP port 67 in the client namespace, sends DISCOVERs with giaddr set (one distinct
// MAC per exchange) to the server, answers every OFFER with a REQUEST (option 50 = yiaddr,
// option 54 = the offer's server id, same xid), and counts an exchange as completed when the ACK
// arrives within --timeout of its DISCOVER. No retransmissions, as perfdhcp by default.
//
// Modes: --rate N starts N exchanges per second (open loop, paced every millisecond);
//        --rate 0 --window W keeps W exchanges outstanding (closed loop: the server's capacity).
// Bounded: --duration (at most 600 s) of sending, then at most --timeout of draining.
//
// Prints one line of key=value pairs:
//   sent completed pct rate (completed per second of sending) offered_rate mean_ms p50_ms
//   p99_ms max_ms naks no_offer no_ack late dup bad conflicts send_errors
// bad = an ACK whose yiaddr is not the address offered; conflicts = an address ACKed to two
// different MACs in this run; late = an ACK after the exchange timed out.
//
// Build: g++ -std=c++20 -O2 -Wall -Wextra -o dhcp_load tests/bench/dhcp_load.cpp
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

constexpr std::uint8_t kDiscover = 1, kOffer = 2, kRequest = 3, kAck = 5, kNak = 6;
constexpr std::size_t kPacketSize = 300;  // the BOOTP minimum
constexpr std::size_t kMaxExchanges = 20'000'000;

struct Args {
  in_addr_t server = 0;
  std::uint16_t server_port = 67;
  in_addr_t bind = INADDR_ANY;
  std::uint16_t bind_port = 67;
  in_addr_t giaddr = 0;
  double rate = 0;
  std::size_t window = 0;
  double duration = 5;
  double timeout = 1;
  unsigned mac_seed = 0;
  bool sequential_macs = false;
};

enum class State : std::uint8_t { discover_sent, request_sent, done, failed };

struct Exchange {
  std::int64_t started_ns = 0;
  std::uint32_t offered = 0;  // network order
  State state = State::discover_sent;
};

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "dhcp_load: %s\n"
               "usage: dhcp_load --server IP --giaddr IP [--server-port 67] [--bind IP] "
               "[--bind-port 67]\n"
               "                 [--rate N | --rate 0 --window W] [--duration S] [--timeout S]\n"
               "                 [--mac-seed 0..255] [--sequential-macs]\n",
               why);
  std::exit(2);
}

in_addr_t parse_ip(const char* text) {
  in_addr a{};
  if (inet_pton(AF_INET, text, &a) != 1) usage("bad IPv4 address");
  return a.s_addr;
}

double parse_number(const char* text, double low, double high) {
  char* end = nullptr;
  const double v = std::strtod(text, &end);
  if (end == text || *end != '\0' || !(v >= low && v <= high)) usage("number out of range");
  return v;
}

Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string_view k = argv[i];
    const auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage("missing value");
      return argv[++i];
    };
    if (k == "--server") a.server = parse_ip(value());
    else if (k == "--server-port") a.server_port = static_cast<std::uint16_t>(parse_number(value(), 1, 65535));
    else if (k == "--bind") a.bind = parse_ip(value());
    else if (k == "--bind-port") a.bind_port = static_cast<std::uint16_t>(parse_number(value(), 0, 65535));
    else if (k == "--giaddr") a.giaddr = parse_ip(value());
    else if (k == "--rate") a.rate = parse_number(value(), 0, 1e6);
    else if (k == "--window") a.window = static_cast<std::size_t>(parse_number(value(), 0, 1e6));
    else if (k == "--duration") a.duration = parse_number(value(), 0.1, 600);
    else if (k == "--timeout") a.timeout = parse_number(value(), 0.01, 30);
    else if (k == "--mac-seed") a.mac_seed = static_cast<unsigned>(parse_number(value(), 0, 255));
    else if (k == "--sequential-macs") a.sequential_macs = true;
    else usage("unknown argument");
  }
  if (a.server == 0 || a.giaddr == 0) usage("--server and --giaddr are required");
  if (a.rate == 0 && a.window == 0) usage("give --rate N, or --rate 0 with --window W");
  return a;
}

// A bijection on 32 bits, so distinct sequence numbers give distinct MACs spread over the space
// (dnsmasq and pxemasq pick addresses by a hash of the MAC: sequential MACs would land on
// consecutive addresses and make every server's allocation look unusually regular).
std::uint32_t scramble(std::uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  x ^= x >> 16;
  return x;
}

class Generator {
 public:
  explicit Generator(const Args& args) : args_(args) {
    xid_base_ = static_cast<std::uint32_t>(now_ns() ^ (now_ns() >> 32)) & 0xFFF00000U;
    const double planned = args.rate > 0 ? args.rate * args.duration + 1 : 0;
    exchanges_.reserve(std::min<std::size_t>(kMaxExchanges, static_cast<std::size_t>(planned) + 1024));
  }

  int open_socket() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return perror_ret("socket");
    const int one = 1, big = 8 << 20;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big) != 0) {
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    }
    if (::setsockopt(fd_, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof big) != 0) {
      ::setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    }
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_addr.s_addr = args_.bind;
    local.sin_port = htons(args_.bind_port);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) return perror_ret("bind");
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) return perror_ret("epoll_create1");
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd_;
    if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd_, &ev) != 0) return perror_ret("epoll_ctl");
    return 0;
  }

  int run() {
    const std::int64_t timeout_ns = static_cast<std::int64_t>(args_.timeout * 1e9);
    const std::int64_t duration_ns = static_cast<std::int64_t>(args_.duration * 1e9);
    start_ns_ = now_ns();
    const std::int64_t send_until = start_ns_ + duration_ns;
    const std::int64_t hard_stop = send_until + timeout_ns + 100'000'000;  // bounded, always
    for (;;) {
      const std::int64_t now = now_ns();
      if (now >= hard_stop) break;
      expire(now, timeout_ns);
      const bool sending = now < send_until && exchanges_.size() < kMaxExchanges;
      if (sending) start_due(now);
      if (!sending && outstanding_.empty()) break;
      epoll_event ev[4];
      const int n = ::epoll_wait(epoll_, ev, 4, 1);
      if (n < 0 && errno != EINTR) return perror_ret("epoll_wait");
      if (n > 0) drain();
    }
    // Anything still outstanding at the hard stop has timed out.
    expire(hard_stop + timeout_ns, timeout_ns);
    report(duration_ns);
    return 0;
  }

 private:
  int perror_ret(const char* what) {
    std::fprintf(stderr, "dhcp_load: %s: %s\n", what, std::strerror(errno));
    return 1;
  }

  void mac_of(std::uint32_t seq, std::uint8_t* mac) const {
    const std::uint32_t x = args_.sequential_macs ? seq : scramble(seq);
    mac[0] = 0x02;  // locally administered, unicast
    mac[1] = static_cast<std::uint8_t>(args_.mac_seed);
    mac[2] = static_cast<std::uint8_t>(x >> 24);
    mac[3] = static_cast<std::uint8_t>(x >> 16);
    mac[4] = static_cast<std::uint8_t>(x >> 8);
    mac[5] = static_cast<std::uint8_t>(x);
  }

  // BOOTP header, magic cookie, options, padded to 300 bytes.
  std::size_t build(std::uint8_t* p, std::uint32_t seq, std::uint8_t type, std::uint32_t requested,
                    std::uint32_t server_id) const {
    std::memset(p, 0, kPacketSize);
    p[0] = 1;  // BOOTREQUEST
    p[1] = 1;  // Ethernet
    p[2] = 6;
    p[3] = 1;  // hops: one relay
    const std::uint32_t xid = htonl(xid_base_ + seq);
    std::memcpy(p + 4, &xid, 4);
    std::memcpy(p + 24, &args_.giaddr, 4);
    mac_of(seq, p + 28);
    const std::uint8_t cookie[4] = {99, 130, 83, 99};
    std::memcpy(p + 236, cookie, 4);
    std::size_t o = 240;
    p[o++] = 53;
    p[o++] = 1;
    p[o++] = type;
    if (type == kRequest) {
      p[o++] = 50;
      p[o++] = 4;
      std::memcpy(p + o, &requested, 4);
      o += 4;
      p[o++] = 54;
      p[o++] = 4;
      std::memcpy(p + o, &server_id, 4);
      o += 4;
    }
    const std::uint8_t prl[] = {1, 3, 6, 15, 28, 51, 54, 58, 59};
    p[o++] = 55;
    p[o++] = sizeof prl;
    std::memcpy(p + o, prl, sizeof prl);
    o += sizeof prl;
    p[o++] = 255;
    return kPacketSize;
  }

  bool send_packet(const std::uint8_t* p, std::size_t n) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = args_.server;
    to.sin_port = htons(args_.server_port);
    for (int tries = 0; tries < 3; ++tries) {
      if (::sendto(fd_, p, n, 0, reinterpret_cast<sockaddr*>(&to), sizeof to) == static_cast<ssize_t>(n)) {
        return true;
      }
      if (errno != EINTR && errno != EAGAIN && errno != ENOBUFS) break;
    }
    ++send_errors_;
    return false;
  }

  void start_one(std::int64_t now) {
    const auto seq = static_cast<std::uint32_t>(exchanges_.size());
    exchanges_.push_back(Exchange{now, 0, State::discover_sent});
    outstanding_.push_back(seq);
    std::uint8_t p[kPacketSize];
    send_packet(p, build(p, seq, kDiscover, 0, 0));
  }

  void start_due(std::int64_t now) {
    if (args_.rate > 0) {
      const double elapsed = static_cast<double>(now - start_ns_) / 1e9;
      const auto target = static_cast<std::size_t>(args_.rate * elapsed) + 1;
      std::size_t budget = 5000;  // per wake-up, so replies are read between bursts
      while (exchanges_.size() < target && budget-- > 0 &&
             (args_.window == 0 || active_ < args_.window)) {
        start_one(now);
        ++active_;
      }
    } else {
      while (active_ < args_.window) {
        start_one(now);
        ++active_;
      }
    }
  }

  void finish(Exchange& e, State state) {
    if (e.state == State::done || e.state == State::failed) return;
    e.state = state;
    --active_;
  }

  // The oldest outstanding exchanges first: those past their timeout fail.
  void expire(std::int64_t now, std::int64_t timeout_ns) {
    while (!outstanding_.empty()) {
      Exchange& e = exchanges_[outstanding_.front()];
      if (e.state == State::done || e.state == State::failed) {
        outstanding_.pop_front();
        continue;
      }
      if (now - e.started_ns < timeout_ns) break;
      if (e.state == State::discover_sent) ++no_offer_;
      else ++no_ack_;
      finish(e, State::failed);
      outstanding_.pop_front();
    }
  }

  void drain() {
    std::uint8_t buf[1500];
    for (int i = 0; i < 100000; ++i) {
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n < 0) return;
      on_reply(buf, static_cast<std::size_t>(n), now_ns());
    }
  }

  void on_reply(const std::uint8_t* p, std::size_t n, std::int64_t now) {
    if (n < 240 || p[0] != 2 || p[236] != 99 || p[237] != 130 || p[238] != 83 || p[239] != 99) {
      ++unparsed_;
      return;
    }
    std::uint32_t xid;
    std::memcpy(&xid, p + 4, 4);
    const std::uint32_t seq = ntohl(xid) - xid_base_;
    if (seq >= exchanges_.size()) {
      ++unparsed_;
      return;
    }
    std::uint8_t mac[6];
    mac_of(seq, mac);
    if (std::memcmp(mac, p + 28, 6) != 0) {
      ++bad_;
      return;
    }
    std::uint8_t type = 0;
    std::uint32_t server_id = 0;
    for (std::size_t o = 240; o < n;) {
      const std::uint8_t code = p[o];
      if (code == 255) break;
      if (code == 0) {
        ++o;
        continue;
      }
      if (o + 1 >= n || o + 2 + p[o + 1] > n) break;
      const std::uint8_t len = p[o + 1];
      if (code == 53 && len == 1) type = p[o + 2];
      if (code == 54 && len == 4) std::memcpy(&server_id, p + o + 2, 4);
      o += 2U + len;
    }
    std::uint32_t yiaddr;
    std::memcpy(&yiaddr, p + 16, 4);
    Exchange& e = exchanges_[seq];
    const bool closed = e.state == State::done || e.state == State::failed;
    if (type == kOffer) {
      if (e.state != State::discover_sent) {
        ++(closed ? late_ : dup_);
        return;
      }
      e.offered = yiaddr;
      e.state = State::request_sent;
      std::uint8_t out[kPacketSize];
      send_packet(out, build(out, seq, kRequest, yiaddr, server_id));
    } else if (type == kAck) {
      if (e.state != State::request_sent) {
        ++(closed ? late_ : dup_);
        return;
      }
      if (yiaddr != e.offered) ++bad_;
      const auto [it, inserted] = acked_.emplace(yiaddr, seq);
      if (!inserted && it->second != seq) ++conflicts_;
      latencies_us_.push_back(static_cast<std::uint32_t>((now - e.started_ns) / 1000));
      finish(e, State::done);
    } else if (type == kNak) {
      ++naks_;
      if (!closed) finish(e, State::failed);
    } else {
      ++unparsed_;
    }
  }

  void report(std::int64_t duration_ns) {
    std::vector<std::uint32_t> l = latencies_us_;
    std::sort(l.begin(), l.end());
    double mean = 0;
    for (auto v : l) mean += v;
    if (!l.empty()) mean /= static_cast<double>(l.size());
    const auto pct = [&](double q) -> double {
      if (l.empty()) return 0;
      const auto i = std::min(l.size() - 1, static_cast<std::size_t>(q * static_cast<double>(l.size())));
      return l[i] / 1000.0;
    };
    const double seconds = static_cast<double>(duration_ns) / 1e9;
    const std::size_t sent = exchanges_.size();
    std::printf(
        "sent=%zu completed=%zu pct=%.2f rate=%.1f offered_rate=%.1f mean_ms=%.3f p50_ms=%.3f "
        "p99_ms=%.3f max_ms=%.3f naks=%zu no_offer=%zu no_ack=%zu late=%zu dup=%zu bad=%zu "
        "conflicts=%zu unparsed=%zu send_errors=%zu\n",
        sent, l.size(), sent ? 100.0 * static_cast<double>(l.size()) / static_cast<double>(sent) : 0.0,
        static_cast<double>(l.size()) / seconds, static_cast<double>(sent) / seconds, mean / 1000.0,
        pct(0.5), pct(0.99), l.empty() ? 0.0 : l.back() / 1000.0, naks_, no_offer_, no_ack_, late_,
        dup_, bad_, conflicts_, unparsed_, send_errors_);
    std::fflush(stdout);
  }

  Args args_;
  int fd_ = -1;
  int epoll_ = -1;
  std::uint32_t xid_base_ = 0;
  std::int64_t start_ns_ = 0;
  std::vector<Exchange> exchanges_;
  std::deque<std::uint32_t> outstanding_;
  std::size_t active_ = 0;
  std::vector<std::uint32_t> latencies_us_;
  std::unordered_map<std::uint32_t, std::uint32_t> acked_;
  std::size_t naks_ = 0, no_offer_ = 0, no_ack_ = 0, late_ = 0, dup_ = 0, bad_ = 0, conflicts_ = 0,
              unparsed_ = 0, send_errors_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse_args(argc, argv);
  Generator generator(args);
  if (const int rc = generator.open_socket(); rc != 0) return rc;
  return generator.run();
}
