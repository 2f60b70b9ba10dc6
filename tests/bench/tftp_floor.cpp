// The floor of a lockstep TFTP server, for tftp_bench.sh: the least work any server must do per
// block on this lab, so that the benchmark can say how far a real server (pxemasq, dnsmasq) is
// from it. Per block it does one recvfrom of the ACK, one pread and one sendto of the DATA, woken
// by a level-triggered epoll; nothing else (no retransmission, no timers, no logging, no path
// checks, no windowsize). It answers only RRQs for files in ROOT with an OACK of blksize 1468 and
// the file's tsize (what tftp_bench.sh's atftp clients ask for). Never a server to deploy.
//
//   g++ -std=c++20 -O2 -o tftp_floor tests/bench/tftp_floor.cpp
//   tftp_floor ROOT            (binds 0.0.0.0:69; run it inside the lab's server namespace)
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>

namespace {

constexpr std::size_t kBlockSize = 1468;
constexpr std::uint16_t kRrq = 1, kData = 3, kAck = 4, kOptionAck = 6;

struct Transfer {
  int socket = -1;
  int file = -1;
  sockaddr_in client{};
  std::uint64_t last_block = 0;  // the short (possibly empty) final block
  std::uint64_t block = 0;       // the last one sent; 0 while the OACK is outstanding
  ~Transfer() {
    if (socket >= 0) ::close(socket);
    if (file >= 0) ::close(file);
  }
};

void send_to(const Transfer& transfer, const void* bytes, std::size_t length) {
  ::sendto(transfer.socket, bytes, length, MSG_DONTWAIT,
           reinterpret_cast<const sockaddr*>(&transfer.client), sizeof transfer.client);
}

void send_block(const Transfer& transfer) {
  std::array<std::uint8_t, 4 + kBlockSize> packet{};
  packet[1] = kData;
  packet[2] = static_cast<std::uint8_t>(transfer.block >> 8);  // wraps to 0 after 65535
  packet[3] = static_cast<std::uint8_t>(transfer.block);
  const ssize_t got = ::pread(transfer.file, packet.data() + 4, kBlockSize,
                              static_cast<off_t>((transfer.block - 1) * kBlockSize));
  send_to(transfer, packet.data(), 4 + static_cast<std::size_t>(got < 0 ? 0 : got));
}

std::unique_ptr<Transfer> start(const std::string& root, const std::uint8_t* request, std::size_t length,
                                const sockaddr_in& client) {
  if (length < 4 || request[1] != kRrq || std::memchr(request + 2, 0, length - 2) == nullptr) return nullptr;
  const std::string name(reinterpret_cast<const char*>(request + 2));
  if (name.find("..") != std::string::npos) return nullptr;
  auto transfer = std::make_unique<Transfer>();
  transfer->file = ::open((root + "/" + name).c_str(), O_RDONLY | O_CLOEXEC);
  struct stat status {};
  if (transfer->file < 0 || ::fstat(transfer->file, &status) != 0) return nullptr;
  transfer->client = client;
  transfer->last_block = static_cast<std::uint64_t>(status.st_size) / kBlockSize + 1;
  transfer->socket = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in any{};
  any.sin_family = AF_INET;
  if (transfer->socket < 0 || ::bind(transfer->socket, reinterpret_cast<sockaddr*>(&any), sizeof any) != 0) {
    return nullptr;
  }
  const std::string options = std::string("blksize") + '\0' + std::to_string(kBlockSize) + '\0' + "tsize" +
                              '\0' + std::to_string(status.st_size) + '\0';
  std::string packet{'\0', static_cast<char>(kOptionAck)};
  packet += options;
  send_to(*transfer, packet.data(), packet.size());
  return transfer;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: tftp_floor ROOT\n");
    return 2;
  }
  std::signal(SIGUSR1, SIG_IGN);
  const std::string root = argv[1];
  const int poller = ::epoll_create1(EPOLL_CLOEXEC);
  const int listener = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(69);
  if (poller < 0 || listener < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    std::perror("tftp_floor: port 69");
    return 1;
  }
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = listener;
  ::epoll_ctl(poller, EPOLL_CTL_ADD, listener, &event);
  std::unordered_map<int, std::unique_ptr<Transfer>> transfers;
  std::array<epoll_event, 64> ready{};
  std::array<std::uint8_t, 2048> buffer{};
  for (;;) {
    const int count = ::epoll_wait(poller, ready.data(), static_cast<int>(ready.size()), -1);
    for (int i = 0; i < count; ++i) {
      const int fd = ready[static_cast<std::size_t>(i)].data.fd;
      sockaddr_in from{};
      socklen_t from_length = sizeof from;
      const ssize_t got = ::recvfrom(fd, buffer.data(), buffer.size(), MSG_DONTWAIT,
                                     reinterpret_cast<sockaddr*>(&from), &from_length);
      if (got < 4) continue;
      if (fd == listener) {
        if (auto transfer = start(root, buffer.data(), static_cast<std::size_t>(got), from)) {
          event.data.fd = transfer->socket;
          ::epoll_ctl(poller, EPOLL_CTL_ADD, transfer->socket, &event);
          transfers[transfer->socket] = std::move(transfer);
        }
        continue;
      }
      const auto found = transfers.find(fd);
      if (found == transfers.end() || buffer[1] != kAck) continue;
      Transfer& transfer = *found->second;
      const unsigned acked = (unsigned{buffer[2]} << 8) | buffer[3];
      if (acked != (transfer.block & 0xFFFF)) continue;  // a duplicate: lockstep, nothing to resend
      if (transfer.block == transfer.last_block) {
        transfers.erase(found);  // closing the socket takes it out of the epoll set
        continue;
      }
      ++transfer.block;
      send_block(transfer);
    }
  }
}
