#include "daemon/dhcp_service.hpp"

#include <algorithm>
#include <ctime>
#include <vector>

#include "dhcp/packet.hpp"
#include "net/arp.hpp"
#include "net/interface_policy.hpp"

namespace pxemasq::daemon {
namespace {

constexpr std::size_t kBatchLimit = 64;          // datagrams handled before one lease commit
constexpr std::int64_t kInterfaceRefreshSeconds = 5;

std::int64_t wall_clock_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

// bind-interfaces with exactly one plain interface name binds the socket to it (spec §3.2).
std::string exclusive_interface(const config::Config& config) {
  if (!config.bind_interfaces || config.interfaces.size() != 1) return {};
  const std::string& name = config.interfaces.front();
  return name.find('*') == std::string::npos ? name : std::string();
}

spdlog::level::level_enum level_of(dhcp::LogLine::Level level) {
  switch (level) {
    case dhcp::LogLine::Level::warning: return spdlog::level::warn;
    case dhcp::LogLine::Level::error: return spdlog::level::err;
    case dhcp::LogLine::Level::info: break;
  }
  return spdlog::level::info;
}

// A reply's option 53 (first in the options area, where the engine always puts it), 0 for BOOTP.
std::size_t reply_type(const std::vector<std::uint8_t>& datagram) {
  constexpr std::size_t kFirstOption = dhcp::kBootpHeaderSize + 4;
  if (datagram.size() < kFirstOption + 3 || datagram[kFirstOption] != 53 || datagram[kFirstOption + 1] != 1) return 0;
  const std::uint8_t type = datagram[kFirstOption + 2];
  return type <= 8 ? type : 0;
}

}  // namespace

std::vector<dhcp::InterfaceAddress> arrival_addresses(const net::Interface& interface) {
  std::vector<dhcp::InterfaceAddress> addresses;
  // The primary address first: it is the server id for relayed requests (spec §4.2).
  const auto primary = interface.primary_address();
  for (const auto& a : interface.addresses) {
    const config::Ipv4 mask = a.netmask();
    const dhcp::InterfaceAddress entry{a.address, mask, a.broadcast.value_or(config::Ipv4{a.address.value | ~mask.value})};
    if (primary && a.address == *primary) {
      addresses.insert(addresses.begin(), entry);
    } else {
      addresses.push_back(entry);
    }
  }
  return addresses;
}

bool serves_pxe_port(const config::Config& config) {
  return !config.pxe_services.empty() ||
         std::any_of(config.ranges.begin(), config.ranges.end(),
                     [](const config::DhcpRange& r) { return r.mode == config::RangeMode::proxy; });
}

std::variant<std::unique_ptr<DhcpService>, StartupError> DhcpService::start(
    boost::asio::io_context& io, std::shared_ptr<const config::Config> config,
    std::shared_ptr<spdlog::logger> log, std::optional<int> passed_socket,
    std::optional<int> passed_pxe_socket) {
  const std::string path = config->lease_file.value_or(std::string(kDefaultLeaseFile));
  auto store = LeaseStore::open(path);
  if (auto* error = std::get_if<LeaseStoreError>(&store)) return StartupError{error->message, error->exit_code};

  net::UdpSocketOptions options;
  options.port = config->server_port;
  options.reuse_address = config->bind_interfaces;
  options.bind_to_device = exclusive_interface(*config);
  auto socket = passed_socket ? net::UdpSocket::adopt(io.get_executor(), *passed_socket, options)
                              : net::UdpSocket::open(io.get_executor(), options);
  if (auto* error = std::get_if<net::SocketError>(&socket)) {
    return StartupError{std::string(passed_socket ? "cannot use the DHCP socket passed by systemd: "
                                                  : "failed to bind DHCP server socket: ") +
                            error->message(),
                        2};
  }
  // The PXE socket takes the same options as 67's (IP_PKTINFO, broadcast, bind-interfaces).
  std::optional<net::UdpSocket> pxe_socket;
  const bool pxe_wanted = serves_pxe_port(*config);
  if (pxe_wanted || passed_pxe_socket) {
    net::UdpSocketOptions pxe_options = options;
    pxe_options.port = kPxePort;
    auto opened = passed_pxe_socket ? net::UdpSocket::adopt(io.get_executor(), *passed_pxe_socket, pxe_options)
                                    : net::UdpSocket::open(io.get_executor(), pxe_options);
    if (auto* error = std::get_if<net::SocketError>(&opened)) {
      return StartupError{std::string(passed_pxe_socket ? "cannot use the PXE socket passed by systemd: "
                                                        : "failed to bind PXE server socket (port 4011): ") +
                              error->message(),
                          2};
    }
    pxe_socket = std::move(std::get<net::UdpSocket>(opened));
  }
  auto interfaces = net::InterfaceTable::read();
  if (auto* error = std::get_if<std::error_code>(&interfaces)) {
    return StartupError{"cannot read the interface table: " + error->message(), 2};
  }
  std::unique_ptr<DhcpService> service(
      new DhcpService(io.get_executor(), std::move(config), std::move(log), std::move(std::get<net::UdpSocket>(socket)),
                      std::move(std::get<net::InterfaceTable>(interfaces)),
                      std::move(std::get<LeaseStore>(store))));
  auto loaded = service->store_.load(service->leases_, wall_clock_now());
  if (auto* error = std::get_if<LeaseStoreError>(&loaded)) return StartupError{error->message, error->exit_code};
  const auto& report = std::get<LeaseLoadReport>(loaded);
  for (const auto& warning : report.warnings) {
    service->log_->warn("{}: line {}: {}", path, warning.line, warning.message);
  }
  if (report.journal_torn) {
    service->log_->warn("{}: its last record was incomplete (a crash while writing it) and was skipped",
                        service->store_.journal_path());
  }
  if (report.replayed > 0) {
    service->log_->info("read {} lease changes from {} into {}", report.replayed, service->store_.journal_path(), path);
  }
  service->writer_ = std::make_unique<LeaseWriter>(service->store_, io.get_executor());
  service->snapshot_timer_ = std::make_unique<boost::asio::steady_timer>(io.get_executor());
  if (passed_socket) {
    service->log_->info("DHCP, using the socket passed by systemd");
  } else if (!options.bind_to_device.empty()) {
    service->log_->info("DHCP, sockets bound exclusively to interface {}", options.bind_to_device);
  }
  if (pxe_socket) {
    service->pxe_socket_ = std::move(pxe_socket);
    if (!pxe_wanted) {
      // Kept open (systemd would only pass it again) but not read.
      service->log_->warn("systemd passed a socket for PXE (port {}), which the configuration does not "
                          "serve; it stays idle", kPxePort);
    }
  }
  service->interfaces_read_at_ = wall_clock_now();
  if (!service->config_->no_ping) {
    DhcpService* raw = service.get();
    auto prober = net::IcmpProber::open(io.get_executor(), [raw](config::Ipv4 a) { raw->finish_probe(a, true); });
    if (auto* error = std::get_if<std::error_code>(&prober)) {
      service->log_->warn("cannot open an ICMP socket ({}): offering addresses without a conflict probe",
                          error->message());
    } else {
      service->prober_ = std::move(std::get<std::unique_ptr<net::IcmpProber>>(prober));
    }
  }
  service->receive_next();
  if (service->pxe_socket_ && pxe_wanted) service->receive_next_pxe();
  return service;
}

DhcpService::DhcpService(boost::asio::any_io_executor executor,
                         std::shared_ptr<const config::Config> config,
                         std::shared_ptr<spdlog::logger> log, net::UdpSocket socket,
                         net::InterfaceTable interfaces, LeaseStore store)
    : config_(config), log_(std::move(log)), socket_(std::move(socket)),
      interfaces_(std::move(interfaces)), store_(std::move(store)), leases_(config->lease_max),
      engine_(config), executor_(std::move(executor)) {}

DhcpService::~DhcpService() {
  socket_.close();
  if (pxe_socket_) pxe_socket_->close();
  flush();
  if (snapshot_timer_) snapshot_timer_->cancel();
}

void DhcpService::reconfigure(std::shared_ptr<const config::Config> config) {
  engine_.reconfigure(config);
  config_ = std::move(config);
  // A reload that switches PXE on opens port 4011 (CAP_NET_BIND_SERVICE is kept for this); one
  // that switches it off keeps the socket, and the engine answers nothing on it.
  if (!serves_pxe_port(*config_) || pxe_reading_) return;
  if (!pxe_socket_) {
    net::UdpSocketOptions options;
    options.port = kPxePort;
    options.reuse_address = config_->bind_interfaces;
    options.bind_to_device = exclusive_interface(*config_);
    auto opened = net::UdpSocket::open(executor_, options);
    if (auto* error = std::get_if<net::SocketError>(&opened)) {
      log_->error("failed to bind PXE server socket (port 4011): {}", error->message());
      return;
    }
    pxe_socket_ = std::move(std::get<net::UdpSocket>(opened));
  }
  receive_next_pxe();
}

void DhcpService::request_lease_write() {
  store_.request_write();
  schedule_snapshot();
}

// SIGTERM: the file itself gets everything (journal appends and snapshots still queued finish
// first), so dnsmasq could take over from it as it is.
void DhcpService::flush() {
  if (!writer_) return;
  if (!leases_.dirty() && !journal_since_snapshot_ && !store_.pending(leases_)) return;
  const std::string text = dhcp::format_lease_file(leases_, store_.carried_lines());
  if (auto error = writer_->snapshot_now(text)) {
    log_->error("{}", error->message);
    return;
  }
  leases_.mark_clean();
  (void)leases_.take_changes();
  store_.mark_written();
  journal_since_snapshot_ = false;
}

void DhcpService::receive_next() {
  socket_.async_receive(buffer_, [this](std::error_code error, const net::Datagram& datagram) {
    if (error == std::errc::operation_canceled) return;
    if (!error) handle_batch(datagram);
    receive_next();
  });
}

void DhcpService::receive_next_pxe() {
  pxe_reading_ = true;
  pxe_socket_->async_receive(pxe_buffer_, [this](std::error_code error, const net::Datagram& datagram) {
    if (error == std::errc::operation_canceled) return;
    if (!error) {
      std::vector<dhcp::Outcome> outcomes;
      if (auto outcome = handle(datagram, true)) outcomes.push_back(std::move(*outcome));
      process(std::move(outcomes));
    }
    receive_next_pxe();
  });
}

void DhcpService::handle_batch(const net::Datagram& first) {
  std::vector<dhcp::Outcome> outcomes;
  const auto keep = [&](const net::Datagram& datagram) {
    if (auto outcome = handle(datagram)) {
      if (outcome->probe) start_probe(datagram, *outcome->probe);
      outcomes.push_back(std::move(*outcome));
    }
  };
  keep(first);
  for (std::size_t i = 1; i < kBatchLimit; ++i) {
    net::Datagram next;
    if (socket_.receive(buffer_, next)) break;  // would block: the queue is empty
    keep(next);
  }
  process(std::move(outcomes));
}

// Logs every outcome, sends what needs no durable lease at once and holds the rest back until
// the batch's lease changes are in the journal: no ACK leaves before its lease is on disk.
void DhcpService::process(std::vector<dhcp::Outcome> outcomes) {
  for (auto& outcome : outcomes) {
    log(outcome);
    if (outcome.datagram.empty()) continue;
    if (outcome.leases_changed) {
      waiting_.push_back(std::move(outcome));
    } else {
      send(outcome);
    }
  }
  commit_changes();
}

LeaseWriter::Done DhcpService::while_alive(void (DhcpService::*handler)(std::optional<LeaseStoreError>)) {
  return [this, alive = std::weak_ptr<int>(alive_), handler](std::optional<LeaseStoreError> result) {
    if (alive.lock()) (this->*handler)(std::move(result));
  };
}

// Group commit: whatever changed while the previous append was on its way goes in one append.
void DhcpService::commit_changes() {
  if (store_.pending(leases_)) schedule_snapshot();  // also a rewrite asked for (SIGHUP)
  if (commit_in_flight_) return;
  const std::vector<config::Ipv4> changes = leases_.take_changes();
  if (changes.empty()) {
    // Nothing persisted changed (e.g. an ACK that renewed to the same expiry): nothing to wait for.
    for (const auto& outcome : waiting_) send(outcome);
    waiting_.clear();
    return;
  }
  committing_ = std::move(waiting_);
  waiting_.clear();
  commit_in_flight_ = true;
  journal_since_snapshot_ = true;
  if (!store_.has_journal()) {
    // No journal (see LeaseStore::has_journal): the whole file is the commit.
    leases_.mark_clean();
    writer_->snapshot(dhcp::format_lease_file(leases_, store_.carried_lines()),
                      while_alive(&DhcpService::finish_commit));
    return;
  }
  writer_->append(journal_records(leases_, changes), while_alive(&DhcpService::finish_commit));
  schedule_snapshot();
}

void DhcpService::finish_commit(std::optional<LeaseStoreError> error) {
  commit_in_flight_ = false;
  if (error) {
    log_->error("{}", error->message);
    // An ACK whose lease is not durable must not leave; the client asks again. The changes are
    // still in the table, so the next snapshot (soon) writes them and restarts the journal.
    committing_.clear();
    leases_.mark_dirty();
    schedule_snapshot();
  }
  for (const auto& outcome : committing_) send(outcome);
  committing_.clear();
  commit_changes();
}

std::chrono::milliseconds snapshot_delay(std::size_t leases) {
  const std::size_t steps = std::max<std::size_t>(1, (leases + kSnapshotLeaseStep - 1) / kSnapshotLeaseStep);
  return std::min(kSnapshotDelay * static_cast<std::chrono::milliseconds::rep>(steps), kSnapshotDelayMax);
}

void DhcpService::schedule_snapshot() {
  if (snapshot_armed_ || !snapshot_timer_) return;
  snapshot_armed_ = true;
  snapshot_timer_->expires_after(snapshot_delay(leases_.size()));
  snapshot_timer_->async_wait([this](const boost::system::error_code& error) {
    if (error) return;
    snapshot_armed_ = false;
    start_snapshot();
  });
}

// The whole table, formatted here (a consistent picture) and written on the writer thread.
void DhcpService::start_snapshot() {
  if (snapshot_in_flight_) {
    schedule_snapshot();  // one at a time; try again after the delay
    return;
  }
  if (!leases_.dirty() && !store_.pending(leases_)) return;
  std::string text = dhcp::format_lease_file(leases_, store_.carried_lines());
  leases_.mark_clean();
  store_.mark_written();
  snapshot_in_flight_ = true;
  writer_->snapshot(std::move(text), while_alive(&DhcpService::finish_snapshot));
}

void DhcpService::finish_snapshot(std::optional<LeaseStoreError> error) {
  snapshot_in_flight_ = false;
  if (error) {
    log_->error("{}", error->message);
    leases_.mark_dirty();  // the next try writes it all again
    schedule_snapshot();
  }
}

void DhcpService::start_probe(const net::Datagram& datagram, config::Ipv4 address) {
  if (!prober_) {
    engine_.probe_result(address, false, wall_clock_now());
    return;
  }
  PendingProbe pending;
  pending.bytes.assign(datagram.bytes.begin(), datagram.bytes.end());
  pending.datagram = datagram;
  pending.timer = std::make_unique<boost::asio::steady_timer>(executor_, kProbeWait);
  auto [it, inserted] = probes_.insert_or_assign(address.value, std::move(pending));
  it->second.datagram.bytes = it->second.bytes;
  ++counters_.probes;
  if (const auto error = prober_->probe(address)) log_->debug("ICMP probe of {}: {}", address.to_string(), error.message());
  it->second.timer->async_wait([this, address](const boost::system::error_code& error) {
    if (!error) finish_probe(address, false);
  });
}

// The probe answered (an echo reply) or timed out: tell the engine, then let it answer the
// waiting request again.
void DhcpService::finish_probe(config::Ipv4 address, bool answered) {
  const auto it = probes_.find(address.value);
  if (it == probes_.end()) return;
  PendingProbe pending = std::move(it->second);
  probes_.erase(it);
  pending.timer->cancel();
  if (answered) ++counters_.probes_answered;
  engine_.probe_result(address, answered, wall_clock_now());
  pending.datagram.bytes = pending.bytes;
  std::vector<dhcp::Outcome> outcomes;
  if (auto outcome = handle(pending.datagram)) {
    if (outcome->probe) start_probe(pending.datagram, *outcome->probe);
    outcomes.push_back(std::move(*outcome));
  }
  process(std::move(outcomes));
}

std::optional<dhcp::Arrival> DhcpService::arrival_for(const net::Datagram& datagram) {
  const std::int64_t now = wall_clock_now();
  const net::Interface* interface = interfaces_.by_index(datagram.interface_index);
  if (interface == nullptr || now - interfaces_read_at_ >= kInterfaceRefreshSeconds) {
    if (!interfaces_.refresh()) interfaces_read_at_ = now;
    interface = interfaces_.by_index(datagram.interface_index);
  }
  if (interface == nullptr) return std::nullopt;
  const std::vector<config::Ipv4> addresses = interface->ipv4_addresses();
  if (net::dhcp_disabled_on(*config_, interface->name)) return std::nullopt;
  if (!net::interface_allowed(*config_, interface->name, addresses, interface->loopback)) return std::nullopt;
  if (addresses.empty()) {
    log_->warn("DHCP packet received on {} which has no address", interface->name);
    return std::nullopt;
  }
  dhcp::Arrival arrival;
  arrival.interface = interface->name;
  arrival.ifindex = static_cast<int>(interface->index);
  arrival.loopback = interface->loopback;
  arrival.addresses = arrival_addresses(*interface);
  arrival.source = datagram.source.address;
  arrival.source_port = datagram.source.port;
  arrival.to_broadcast = datagram.destination.value == 0xFFFFFFFFU;
  return arrival;
}

std::optional<dhcp::Outcome> DhcpService::handle(const net::Datagram& datagram, bool on_pxe_port) {
  ++counters_.received;
  auto parsed = dhcp::parse(datagram.bytes);
  if (const auto* reason = std::get_if<dhcp::DropReason>(&parsed)) {
    ++counters_.dropped_malformed;
    log_->debug("dropped a DHCP packet from {}: {}", datagram.source.to_string(), dhcp::describe(*reason));
    return std::nullopt;
  }
  auto arrival = arrival_for(datagram);
  if (!arrival) {
    ++counters_.dropped_interface;
    return std::nullopt;
  }
  arrival->on_pxe_port = on_pxe_port;
  const dhcp::Packet& packet = std::get<dhcp::Packet>(parsed);
  const auto type = packet.message_type();
  const auto index = type ? static_cast<std::size_t>(*type) : 0U;
  if (index < counters_.requests_by_type.size()) ++counters_.requests_by_type[index];
  return engine_.handle(packet, *arrival, leases_, wall_clock_now());
}

std::size_t DhcpService::leases_between(config::Ipv4 first, config::Ipv4 last) const {
  std::size_t count = 0;
  for (const dhcp::Lease* lease : leases_.newest_first()) {
    if (lease->address >= first && lease->address <= last) ++count;
  }
  return count;
}

void DhcpService::log(const dhcp::Outcome& outcome) {
  for (const auto& line : outcome.log) log_->log(level_of(line.level), "{}", line.text);
}

void DhcpService::send(const dhcp::Outcome& outcome) {
  const dhcp::Destination& to = outcome.destination;
  if (to.inject_arp) {
    const net::Interface* interface = interfaces_.by_index(static_cast<unsigned>(to.ifindex));
    const auto error = net::inject_arp(socket_.native_handle(), interface != nullptr ? interface->name : "",
                                       to.address, to.hardware_address, to.htype);
    if (error) log_->warn("ARP-cache injection failed: {}", error.message());
  }
  const unsigned via = to.kind == dhcp::Destination::Kind::broadcast || to.inject_arp
                           ? static_cast<unsigned>(to.ifindex)
                           : 0U;
  // A reply to a request on 4011 leaves from 4011 (the client checks the source port).
  net::UdpSocket& from = to.from_pxe_port && pxe_socket_ ? *pxe_socket_ : socket_;
  if (const auto error = from.send_to(outcome.datagram, {to.address, to.port}, via)) {
    ++counters_.send_errors;
    log_->warn("Error sending DHCP packet to {}: {}", to.address.to_string(), error.message());
    return;
  }
  ++counters_.replies;
  ++counters_.replies_by_type[reply_type(outcome.datagram)];
}

}  // namespace pxemasq::daemon
