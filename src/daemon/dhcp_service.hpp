#pragma once
// The DHCP service: the UDP socket on port 67, the interface table, the lease store, and the
// pure engine in between. Datagrams are handled in bounded batches so that the leases of a burst
// of ACKs reach the disk in one write before any of those ACKs leaves (group commit).

#include <spdlog/logger.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <map>
#include <vector>
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "config/model.hpp"
#include "daemon/lease_store.hpp"
#include "daemon/lease_writer.hpp"
#include "dhcp/engine.hpp"
#include "dhcp/lease.hpp"
#include "net/icmp_probe.hpp"
#include "net/interfaces.hpp"
#include "net/udp_socket.hpp"

namespace pxemasq::daemon {

struct StartupError {
  std::string message;
  int exit_code = 2;
};

// The UDP port of the PXE boot server (PXE 2.1 §2.2.4; dnsmasq's fixed PXE_PORT).
inline constexpr std::uint16_t kPxePort = 4011;

// Whether the config serves PXE: it has a proxy range or a pxe-service (spec §3.10, §4.10).
[[nodiscard]] bool serves_pxe_port(const config::Config& config);

// What the service counts (SIGUSR1 and, later, /metrics).
struct DhcpCounters {
  std::uint64_t received = 0;
  std::uint64_t dropped_malformed = 0;
  std::uint64_t dropped_interface = 0;
  std::uint64_t replies = 0;
  std::uint64_t send_errors = 0;
  std::uint64_t probes = 0;
  std::uint64_t probes_answered = 0;
  // Requests by option 53 (index = message type 1..8; 0 = BOOTP, no option 53).
  std::array<std::uint64_t, 9> requests_by_type{};
  // Replies sent, by their option 53 (same indexes).
  std::array<std::uint64_t, 9> replies_by_type{};
};

// How long a conflict probe waits for an echo reply. dnsmasq waits up to 3 s and serves no
// other DHCP client meanwhile; we keep serving, and a host on the segment answers in
// milliseconds.
inline constexpr std::chrono::milliseconds kProbeWait{400};

// An interface's IPv4 addresses as the engine sees them, the primary one first.
[[nodiscard]] std::vector<dhcp::InterfaceAddress> arrival_addresses(const net::Interface& interface);

// How long after a lease change the lease file itself is rewritten (the journal already holds
// the change durably; this bounds how far the dnsmasq-format file trails, plus the write time).
// A big table makes a snapshot costly (100 000 leases: 4.6 MB formatted on the loop, then
// written and synced while journal appends queue behind it; at 0.5 s that cut the busy rate by
// a quarter), so the delay grows with the table: kSnapshotDelay for each kSnapshotLeaseStep
// leases begun (2.5 s at 100 000), at most kSnapshotDelayMax. It depends on the size alone, not
// on measured times, so a slow disk or a loaded machine never stretches it for small tables.
inline constexpr std::chrono::milliseconds kSnapshotDelay{500};
inline constexpr std::chrono::milliseconds kSnapshotDelayMax{5000};
inline constexpr std::size_t kSnapshotLeaseStep = 20000;
[[nodiscard]] std::chrono::milliseconds snapshot_delay(std::size_t leases);

class DhcpService {
 public:
  // Opens the lease file and the socket (as root, before any privilege drop) and starts serving.
  // `passed_socket`: a socket systemd passed for port 67, adopted instead of binding one.
  // When the config serves PXE (a proxy range or a pxe-service, spec §3.10) a second socket on
  // port 4011 takes boot-server and proxy requests; `passed_pxe_socket` is systemd's for it.
  [[nodiscard]] static std::variant<std::unique_ptr<DhcpService>, StartupError> start(
      boost::asio::io_context& io, std::shared_ptr<const config::Config> config,
      std::shared_ptr<spdlog::logger> log, std::optional<int> passed_socket = std::nullopt,
      std::optional<int> passed_pxe_socket = std::nullopt);

  // SIGHUP: serve with `config` from the next packet on. Leases, offers held and probes in
  // flight carry over. What was fixed at start (the lease file, the socket's binding, the
  // ICMP socket) stays; the caller has warned about those differences.
  void reconfigure(std::shared_ptr<const config::Config> config);
  // SIGHUP also rewrites the lease file, as dnsmasq does.
  void request_lease_write();

  DhcpService(const DhcpService&) = delete;
  DhcpService& operator=(const DhcpService&) = delete;
  ~DhcpService();

  // Writes pending lease changes (SIGTERM, shutdown).
  void flush();
  [[nodiscard]] const DhcpCounters& counters() const { return counters_; }
  [[nodiscard]] std::size_t leases_in_use() const { return leases_.size(); }
  // Leases whose address lies in [first, last] (metrics: leases per range).
  [[nodiscard]] std::size_t leases_between(config::Ipv4 first, config::Ipv4 last) const;

 private:
  DhcpService(boost::asio::any_io_executor executor, std::shared_ptr<const config::Config> config,
              std::shared_ptr<spdlog::logger> log, net::UdpSocket socket,
              net::InterfaceTable interfaces, LeaseStore store);

  // A request waiting for its conflict probe (its bytes and where it came from).
  struct PendingProbe {
    std::vector<std::uint8_t> bytes;
    net::Datagram datagram;  // bytes points into `bytes`
    std::unique_ptr<boost::asio::steady_timer> timer;
  };

  void receive_next();
  // Port 4011 (PXE boot server): one datagram at a time, replies from the same socket. Proxy
  // and boot-server replies create no leases, so there is nothing to commit in between.
  void receive_next_pxe();
  void process(std::vector<dhcp::Outcome> outcomes);
  void start_probe(const net::Datagram& datagram, config::Ipv4 address);
  void finish_probe(config::Ipv4 address, bool answered);
  // Handles `first` and whatever else is queued now (bounded), then commits and sends.
  void handle_batch(const net::Datagram& first);
  std::optional<dhcp::Outcome> handle(const net::Datagram& datagram, bool on_pxe_port = false);
  std::optional<dhcp::Arrival> arrival_for(const net::Datagram& datagram);
  void send(const dhcp::Outcome& outcome);
  void log(const dhcp::Outcome& outcome);

  // The commit path: the table's changes go to the journal on the writer thread, one append in
  // flight at a time; the ACKs that waited for them leave when it is done. Snapshots of the
  // whole table follow within kSnapshotDelay.
  void commit_changes();
  void finish_commit(std::optional<LeaseStoreError> error);
  void schedule_snapshot();
  void start_snapshot();
  void finish_snapshot(std::optional<LeaseStoreError> error);
  // Runs `handler(result)` on the loop only while this service still exists.
  [[nodiscard]] LeaseWriter::Done while_alive(void (DhcpService::*handler)(std::optional<LeaseStoreError>));

  std::shared_ptr<const config::Config> config_;
  std::shared_ptr<spdlog::logger> log_;
  net::UdpSocket socket_;
  std::optional<net::UdpSocket> pxe_socket_;  // 4011, when PXE is served
  std::array<std::uint8_t, 16384> pxe_buffer_{};
  bool pxe_reading_ = false;  // a receive on pxe_socket_ is pending
  net::InterfaceTable interfaces_;
  LeaseStore store_;
  dhcp::LeaseTable leases_;
  dhcp::Engine engine_;
  DhcpCounters counters_;
  std::array<std::uint8_t, 16384> buffer_{};
  std::int64_t interfaces_read_at_ = 0;
  boost::asio::any_io_executor executor_;
  std::unique_ptr<net::IcmpProber> prober_;
  std::map<std::uint32_t, PendingProbe> probes_;

  std::unique_ptr<LeaseWriter> writer_;       // after store_: stops before the store goes
  std::vector<dhcp::Outcome> waiting_;        // held ACKs whose changes are not yet being written
  std::vector<dhcp::Outcome> committing_;     // held ACKs of the append in flight
  bool commit_in_flight_ = false;
  bool snapshot_armed_ = false;
  bool snapshot_in_flight_ = false;
  bool journal_since_snapshot_ = false;       // the file trails the journal
  std::unique_ptr<boost::asio::steady_timer> snapshot_timer_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // weak_ptr'ed by posted results
};

}  // namespace pxemasq::daemon
