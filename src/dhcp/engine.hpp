#pragma once
// The DHCPv4 policy (spec §4): a request, the facts about where it arrived, the Config, the
// lease table and the time in; the encoded reply, where to send it, the log lines and whether
// the lease table changed out. Pure: the shell (daemon/, net/) owns sockets, files and clocks.
//
// Stages, each a small function (STYLE.md §7): candidate ranges (§4.2) -> client identity and
// tags (§4.3) -> dispatch by message type (§4.4–4.7) -> options (§4.8) -> destination (§4.9).

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "dhcp/lease.hpp"
#include "dhcp/offer_holds.hpp"
#include "dhcp/packet.hpp"

namespace pxemasq::dhcp {

struct InterfaceAddress {
  Ipv4 address;
  Ipv4 netmask;
  Ipv4 broadcast;
};

// Where and how a request arrived (from IP_PKTINFO and the interface table).
struct Arrival {
  std::string interface;  // after bridge-interface aliasing
  int ifindex = 0;
  std::vector<InterfaceAddress> addresses;  // the arrival interface's IPv4 addresses, primary first
  Ipv4 source;
  std::uint16_t source_port = 68;
  bool to_broadcast = true;  // the IP destination was 255.255.255.255 (else "unicast", §4.1)
  bool on_pxe_port = false;  // arrived on 4011
  bool loopback = false;
};

// Where the reply goes (spec §4.9).
struct Destination {
  enum class Kind { broadcast, unicast } kind = Kind::broadcast;
  Ipv4 address{0xFFFFFFFFU};
  std::uint16_t port = 68;
  int ifindex = 0;
  // Write yiaddr -> chaddr into the ARP cache first (unicast to a client without an address).
  bool inject_arp = false;
  std::uint8_t htype = 1;
  std::vector<std::uint8_t> hardware_address;
  // The request came to port 4011: the reply leaves from that socket (spec §4.9 rule 1).
  bool from_pxe_port = false;
};

struct LogLine {
  enum class Level { info, warning, error } level = Level::info;
  std::string text;
};

struct Outcome {
  std::vector<std::uint8_t> datagram;  // empty: send nothing
  Destination destination;
  std::vector<LogLine> log;
  // The lease table changed; it must be on disk before `datagram` is sent.
  bool leases_changed = false;
  // Before offering this new address, check nobody uses it (ICMP echo; spec §4.5), then call
  // Engine::probe_result and hand the same request to the engine again. Unlike dnsmasq, which
  // stops all DHCP for up to 3 s per probe, the shell keeps serving other clients meanwhile.
  std::optional<Ipv4> probe;
};

class Engine {
 public:
  explicit Engine(std::shared_ptr<const config::Config> config);

  [[nodiscard]] Outcome handle(const Packet& request, const Arrival& arrival, LeaseTable& leases,
                               std::int64_t now);

  [[nodiscard]] const config::Config& config() const { return *config_; }
  // A reloaded configuration: offer holds and probe results carry over (they are about
  // addresses, not about the configuration); the per-range hash epochs start again because
  // range indexes may have moved.
  void reconfigure(std::shared_ptr<const config::Config> config);

  // The answer to an Outcome::probe: `answered` means some host replied, so the address is in
  // use and is skipped for a while; otherwise it may be offered for kProbeValidSeconds.
  void probe_result(Ipv4 address, bool answered, std::int64_t now);

 private:
  struct State {
    std::map<std::size_t, std::uint32_t> range_epochs;         // perturbs the hash (§4.5)
    std::map<std::uint32_t, std::int64_t> declined_fixed;      // dhcp-host address -> until
    // Offered but not yet requested (an intended difference: dnsmasq holds nothing, §9.3).
    OfferHolds offer_holds;
    std::map<std::uint32_t, std::int64_t> probe_clear_until;   // no answer: offer freely
    std::map<std::uint32_t, std::int64_t> probe_in_use_until;  // answered: skip
    std::map<std::uint32_t, std::int64_t> probe_pending_until; // asked, no result yet
  };

  // Drops expired holds and probe results; the full sweep runs at most once per second (`now`
  // is in seconds), readers check the times themselves.
  void forget_expired(std::int64_t now);

  std::shared_ptr<const config::Config> config_;
  State state_;
  std::int64_t swept_at_ = -1;  // the `now` of the last full sweep

  friend class Exchange;
};

// How long an offered address is held for the client it was offered to.
inline constexpr std::int64_t kOfferHoldSeconds = 30;
// A probe that got no answer stays valid this long (dnsmasq caches 30 s).
inline constexpr std::int64_t kProbeValidSeconds = 30;
// An address that answered a probe is skipped this long.
inline constexpr std::int64_t kProbeInUseSeconds = 600;
// A probe whose result never came is forgotten after this long.
inline constexpr std::int64_t kProbePendingSeconds = 5;

}  // namespace pxemasq::dhcp
