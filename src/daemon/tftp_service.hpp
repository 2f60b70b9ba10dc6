#pragma once
// The TFTP service (spec §3.12, §6, §7.5): the port-69 socket, one socket per transfer (a new
// TID, RFC 1350 §4) unless tftp-single-port, and the pure core in between — tftp::parse for the
// request, tftp::resolve_path for the name, net::ConfinedRoot to open it below the root,
// tftp::negotiate for the options and one tftp::Transfer state machine per transfer, which this
// shell drives: it sends what the machine asks for (blocks read with pread, a window sent with
// one sendmmsg), feeds it ACKs, ERRORs and timer expiries, and logs dnsmasq's lines.
//
// Every transfer lives in the one event loop (no thread per transfer); transfers of the same
// file (same device, inode and path) share one open fd. Logs go to the `-tftp` logger.
//
// Where pxemasq differs from dnsmasq on purpose (the rest follows spec §6 as written):
// - The client's ERROR text never holds a server path: `file NAME not found`, `cannot access
//   NAME: Permission denied`, `cannot read NAME: REASON`, with NAME as the client sent it. The
//   log keeps dnsmasq's lines with the full path.
// - A not-found line gets a hint when files of the same name (ASCII case-insensitive) exist
//   elsewhere under the root: `file /srv/tftp/boot.cfg not found for 192.168.1.231;
//   esxi8/boot.cfg exists`. The tree is listed at most once per 10 s per root, bounded
//   (net::WalkLimits); never for the whole filesystem (no tftp-root). A URL name for a host that
//   is not ours gets `; the requested name is a URL for a host that is not this server`.
// - A name `http(s)://<one of our addresses or our host name>/PATH` is served as PATH
//   (tftp::resolve_path) and its lines end in ` (requested as NAME)`.
// - A client that ends the transfer with an ERROR while the OACK is outstanding (the UEFI
//   firmware's tsize probe) is logged, after dnsmasq's `error N TEXT received from ADDR`, as
//   `transfer of PATH aborted by ADDR after the option acknowledgement (size probe, no data
//   sent)` (without `size probe, ` when the OACK held no tsize) — not dnsmasq's `sent`. A
//   transfer that times out with the OACK outstanding is `failed sending`, not `sent`.
// - tftp-max is a hard limit: a request over it gets ERROR 0 `too many TFTP transfers, try
//   again later` and the warning `maximum simultaneous TFTP transfers (N) reached: refused NAME
//   from ADDR` (dnsmasq stops reading port 69 and lets requests queue, spec §6.2). It is lowered
//   at start to the port range and the fd limit, logging dnsmasq's `restricting maximum
//   simultaneous TFTP transfers to N`.
// - ERROR packets sent to port 69 are not answered (an ERROR for an ERROR can loop between two
//   servers); other non-requests get dnsmasq's ERROR 4.
// - Directories, FIFOs and devices are refused before any data (`cannot read PATH: Is a
//   directory` / `... not a regular file`); symlinks are followed only while they stay below the
//   root (net/confined_file.hpp).
// - netascii files are converted in memory when the transfer starts (at most 64 MiB; dnsmasq
//   converts on the fly); tsize is not offered in netascii, as dnsmasq.
// - The port-69 socket is always the wildcard one with per-request interface checks (§6.1's
//   rule), in bind-interfaces mode too. IPv4 only.
// The port is 69; tests run the daemon as root inside their own network namespaces.

#include <spdlog/logger.h>

#include <boost/asio/io_context.hpp>
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "config/model.hpp"
#include "daemon/dhcp_service.hpp"  // StartupError
#include "daemon/file_counts.hpp"
#include "net/confined_file.hpp"
#include "net/interfaces.hpp"
#include "net/udp_socket.hpp"
#include "tftp/packet.hpp"
#include "tftp/transfer.hpp"

namespace pxemasq::daemon {

// Concurrent transfers without tftp-max.
inline constexpr unsigned kDefaultMaxTransfers = 1000;

// The pure rules of the service, exposed for unit tests.
namespace tftp_rules {

// spec §6.4: the root for a request that arrived on `interface`: the first tftp-root tied to
// that exact name, else the last one without an interface, else none (nullptr).
[[nodiscard]] const config::TftpRoot* select_root(const config::Tftp& tftp,
                                                  std::string_view interface);

// dnsmasq's `base` (spec §6.4): "/" + ROOT + "/" without doubling either slash; "/" for none.
[[nodiscard]] std::string root_base(std::string_view root);

// spec §6.4: the path dnsmasq builds for `name` below `base` (root_base(), plus the
// tftp-unique-root directory and `/` when one applies): `\` as `/`, lowercased with
// tftp-lowercase, one leading `/` dropped unless the name already starts with `base`, cut to
// 1024 bytes. This is the PATH of the log lines (they must read as dnsmasq's), not what is
// opened: that is tftp::resolve_path's business.
[[nodiscard]] std::string dnsmasq_path(std::string_view base, std::string_view name,
                                       bool lowercase);

// spec §6.1: may a request that arrived on interface `name` (holding `addresses`) be served?
// `to_own_address`: its destination is one of this host's addresses (the loopback rule).
[[nodiscard]] bool tftp_allowed(const config::Config& config, std::string_view name,
                                std::span<const config::Ipv4> addresses, bool loopback,
                                bool to_own_address);

// spec §6.4: as root only world-readable files are served; otherwise, with tftp-secure, only
// files owned by the effective user.
[[nodiscard]] bool permission_refused(unsigned mode, unsigned owner, unsigned effective_user,
                                      bool secure);

// spec §6.5: netascii sends each LF as CR LF; a bare CR is left alone [quirk].
[[nodiscard]] std::vector<std::uint8_t> to_netascii(std::span<const std::uint8_t> bytes);

// Printable ASCII only (dnsmasq filters a client's ERROR text so; used for every client-chosen
// string that reaches a log line or an ERROR packet).
[[nodiscard]] std::string printable(std::string_view text);

// The not-found hint: "" or `; a/x exists` / `; a/x, b/x exist` / `; a/x, b/x, c/x (and 2
// more) exist` for the files of `files` (root-relative) whose last component equals that of
// `wanted` ignoring ASCII case, `wanted` itself excepted.
[[nodiscard]] std::string not_found_hint(std::string_view wanted,
                                         std::span<const std::string> files);

// tftp-unique-root=mac: the client's MAC from /proc/net/arp text, as `aa-bb-cc-dd-ee-ff`
// (Ethernet entries that are complete only).
[[nodiscard]] std::optional<std::string> mac_from_arp_table(std::string_view table,
                                                            config::Ipv4 address);
[[nodiscard]] std::string dashed_mac(std::span<const std::uint8_t> mac);

// tftp-max lowered to what the port range and the fd limit allow (spec §3.12).
[[nodiscard]] unsigned effective_max_transfers(
    unsigned configured, std::optional<std::pair<std::uint16_t, std::uint16_t>> port_range,
    std::uint64_t fd_limit, bool single_port);

// The line that ends a transfer (spec §7.5 with the size-probe and OACK-timeout exceptions
// described above); `path` is the full path, `client` the address without port.
[[nodiscard]] std::string ended_line(tftp::Outcome outcome, tftp::Stage stage,
                                     std::string_view path, std::string_view client,
                                     bool offered_tsize);

}  // namespace tftp_rules

struct TftpCounters {
  std::uint64_t received = 0;           // datagrams on port 69
  std::uint64_t dropped_interface = 0;  // refused by §6.1, silently
  std::uint64_t refused = 0;            // answered with an ERROR before any transfer
  std::uint64_t busy = 0;               // refused for tftp-max
  std::uint64_t started = 0;
  std::uint64_t completed = 0;
  std::uint64_t failed = 0;  // every other end
  std::uint64_t bytes_sent = 0;  // DATA payload put on the wire, resends included
  // The failed ones by how they ended (tftp::Outcome); they add up to `failed`.
  std::uint64_t failed_timeout = 0;
  std::uint64_t failed_client_error = 0;
  std::uint64_t size_probes = 0;  // ERROR from the client while the OACK was outstanding
  std::uint64_t failed_read = 0;
  // Retransmission, counted as the transfers run: blocks sent again (after a timeout or a
  // short RFC 7440 ACK) and timer expiries that resent something (DATA or the OACK).
  std::uint64_t blocks_resent = 0;
  std::uint64_t timeouts = 0;
  FileCounts files;  // by path, bounded
};

class TftpService {
 public:
  // Opens port 69 (as root, before any privilege drop), checks the roots (spec §3.12: fatal
  // `TFTP directory DIR inaccessible: ERR`, exit 3, unless tftp-no-fail) and starts serving.
  // `passed_socket`: a socket systemd passed for port 69, adopted instead of binding one.
  [[nodiscard]] static std::variant<std::unique_ptr<TftpService>, StartupError> start(
      boost::asio::io_context& io, std::shared_ptr<const config::Config> config,
      std::shared_ptr<spdlog::logger> log, std::optional<int> passed_socket = std::nullopt);

  // spec §3.12: every tftp-root must open as a directory (with tftp-no-fail a warning instead,
  // returned in `warnings`). Used at start and before a reload is accepted.
  [[nodiscard]] static std::optional<StartupError> check_roots(const config::Config& config,
                                                              std::vector<std::string>& warnings);

  // SIGHUP: new requests follow `config`; transfers in flight finish as they began.
  void reconfigure(std::shared_ptr<const config::Config> config);

  TftpService(const TftpService&) = delete;
  TftpService& operator=(const TftpService&) = delete;
  ~TftpService();

  [[nodiscard]] const TftpCounters& counters() const { return counters_; }
  [[nodiscard]] std::size_t active_transfers() const { return sessions_.size(); }
  [[nodiscard]] unsigned max_transfers() const { return max_transfers_; }

 private:
  class Session;
  struct SharedFile;
  struct HintIndex;
  struct Request;

  TftpService(boost::asio::io_context& io, std::shared_ptr<const config::Config> config,
              std::shared_ptr<spdlog::logger> log, net::UdpSocket listener,
              net::InterfaceTable interfaces, unsigned max_transfers);

  static unsigned max_transfers_for(const config::Config& config, spdlog::logger& log);
  void receive_next();
  void handle_datagram(const net::Datagram& datagram);
  void handle_read_request(const Request& request, const tftp::ReadRequest& read);
  const net::Interface* interface_for(unsigned index);
  void refresh_local_hosts();
  bool is_local_address(config::Ipv4 address) const;
  std::optional<std::string> unique_directory(const Request& request) const;
  std::string hint_for(const std::string& root_path, const std::string& relative);
  std::shared_ptr<SharedFile> share(net::ConfinedFile file, const std::string& path);

  // An ERROR before any transfer exists, from a fresh socket (a new TID, as dnsmasq) or from
  // port 69 in single-port mode. Returns false when no port could be had.
  bool reply_error(const Request& request, tftp::ErrorCode code, std::string_view message);
  void remove(std::uint64_t id);

  boost::asio::io_context& io_;
  std::shared_ptr<const config::Config> config_;
  std::shared_ptr<spdlog::logger> log_;
  net::UdpSocket listener_;
  net::InterfaceTable interfaces_;
  std::int64_t interfaces_read_at_ = 0;
  std::vector<std::string> local_hosts_;  // our addresses and host names (URL mapping)
  unsigned max_transfers_;
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, std::shared_ptr<Session>> sessions_;
  // tftp-single-port: the transfer of each client address and port.
  std::map<std::pair<std::uint32_t, std::uint16_t>, std::uint64_t> by_client_;
  std::map<std::tuple<std::uint64_t, std::uint64_t, std::string>, std::weak_ptr<SharedFile>>
      files_;
  std::map<std::string, std::shared_ptr<HintIndex>> hints_;
  TftpCounters counters_;
  std::array<std::uint8_t, 65536> receive_buffer_{};
  std::vector<std::uint8_t> scratch_;  // block reads for sends (one loop: shared)
};

}  // namespace pxemasq::daemon
