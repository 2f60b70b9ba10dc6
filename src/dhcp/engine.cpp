#include "dhcp/engine.hpp"

#include <algorithm>

#include "config/values.hpp"
#include "dhcp/classify.hpp"
#include "dhcp/dhcp_log.hpp"
#include "dhcp/pxe_options.hpp"
#include "dhcp/reply_options.hpp"
#include "dhcp/tags.hpp"

namespace pxemasq::dhcp {

namespace {

constexpr std::int64_t kDeclinedFixedSeconds = 600;

// dnsmasq's hash of the unique id (spec §4.5).
std::uint32_t address_hash(std::span<const std::uint8_t> id) {
  std::uint32_t h = 0;
  for (const std::uint8_t b : id) h = b + (h << 6) + (h << 16) - h;
  return h == 0 ? 1 : h;
}

// [quirk] dnsmasq never hands out .0 or .255 inside 192.0.0.0-223.255.255.255 (spec §4.5).
bool classful_network_or_broadcast(Ipv4 a) {
  const std::uint32_t top = a.value >> 24;
  const std::uint32_t last = a.value & 0xFF;
  return top >= 192 && top <= 223 && (last == 0 || last == 255);
}

std::vector<std::uint8_t> option_bytes(const Packet& p, std::uint8_t code) {
  const Option* o = p.find(code);
  return o != nullptr ? o->data : std::vector<std::uint8_t>{};
}

std::optional<Ipv4> option_address(const Packet& p, std::uint8_t code) {
  const Option* o = p.find(code);
  if (o == nullptr || o->data.size() != 4) return std::nullopt;
  return Ipv4{(std::uint32_t{o->data[0]} << 24) | (std::uint32_t{o->data[1]} << 16) |
              (std::uint32_t{o->data[2]} << 8) | o->data[3]};
}

}  // namespace

// One request's evaluation. Holds the per-request facts so each stage stays a short function.
class Exchange {
 public:
  Exchange(Engine& engine, const Packet& request, const Arrival& arrival, LeaseTable& leases,
           std::int64_t now)
      : engine_(engine), config_(*engine.config_), request_(request), arrival_(arrival),
        leases_(leases), now_(now), log_(config_, request_, arrival_) {}

  Outcome run();

 private:
  bool prepare();
  void handle_discover();
  void handle_request();
  void handle_decline();
  void handle_release();
  void handle_inform();
  void handle_bootp();

  // PXE (§4.10 a, b). True when normal DHCP must not see the request: it was a boot-server or
  // proxy request (answered or deliberately not), it came to port 4011, or this subnet is
  // served in proxy mode only.
  bool handle_pxe();
  void handle_boot_server_request(const PxeClient& client, const BootItem& item);
  bool handle_proxy(const PxeClient& client);
  [[nodiscard]] bool proxy_only() const;
  [[nodiscard]] Reply pxe_reply_header() const;
  void send_pxe_reply(Reply& reply, const PxeClient& client, Ipv4 server_id,
                      std::vector<std::vector<std::uint8_t>> vendor_subs, bool with_vendor_options);

  // Address choice (§4.4, §4.5).
  // The address to offer, and whether it still needs a conflict probe (new addresses only).
  struct Choice {
    Ipv4 address;
    bool needs_probe = false;
  };
  std::optional<Choice> choose_address();
  // With `respect_holds` false, addresses offered to other clients are fair game again: a hold
  // is a preference, never a reason to leave a client without an offer (dnsmasq holds nothing).
  std::optional<Ipv4> allocate(bool respect_holds = true);
  void hold_for_client(Ipv4 address);
  [[nodiscard]] bool probe_says_in_use(Ipv4 address) const;
  [[nodiscard]] bool needs_probe(Ipv4 address) const;
  [[nodiscard]] bool usable_fixed_address(bool warn);
  [[nodiscard]] bool in_allowed_dynamic_range(Ipv4 address) const;
  [[nodiscard]] bool reserved_for_other_host(Ipv4 address) const;
  [[nodiscard]] bool is_server_address(Ipv4 address) const;
  [[nodiscard]] bool held_for_other(Ipv4 address) const;
  [[nodiscard]] const Candidate* final_range(Ipv4 address) const;
  [[nodiscard]] bool same_client(const Lease& lease) const;

  // Reply assembly.
  void reply_with(MessageType type, Ipv4 yiaddr, const Candidate* range,
                  std::optional<std::uint32_t> lease_seconds, bool renewing);
  void nak(Ipv4 requested, const std::string& reason);
  void log_request_line();
  [[nodiscard]] std::string lease_name() const;
  [[nodiscard]] std::string reply_name(MessageType type) const;
  [[nodiscard]] std::string offered_client_name() const;
  void set_destination(const Reply& reply);
  [[nodiscard]] std::uint32_t base_lease(const Candidate& range) const;
  void add_range_tag(const Candidate* range);

  Engine& engine_;
  const config::Config& config_;
  const Packet& request_;
  const Arrival& arrival_;
  LeaseTable& leases_;
  std::int64_t now_;
  DhcpLog log_;
  Outcome outcome_;

  std::vector<Candidate> candidates_;
  std::vector<std::uint8_t> client_id_;
  std::vector<std::uint8_t> unique_id_;
  std::string client_name_;
  HostMatch host_;
  TagSet tags_;
  TagSet tags_without_range_;
  bool ignored_ = false;
  const Lease* lease_ = nullptr;
  std::optional<std::pair<const char*, Ipv4>> request_line_;  // logged when the REQUEST is answered
};

Outcome Exchange::run() {
  if (!prepare()) return std::move(outcome_);
  if (handle_pxe()) {
    outcome_.log = log_.take();
    return std::move(outcome_);
  }
  const auto type = request_.message_type();
  if (!type) {
    handle_bootp();
  } else {
    switch (*type) {
      case MessageType::discover: handle_discover(); break;
      case MessageType::request: handle_request(); break;
      case MessageType::decline: handle_decline(); break;
      case MessageType::release: handle_release(); break;
      case MessageType::inform: handle_inform(); break;
      default: break;  // server-to-client types are not for us
    }
  }
  outcome_.log = log_.take();
  return std::move(outcome_);
}

// Ranges, identity and tags (§4.2, §4.3).
bool Exchange::prepare() {
  if (leases_.prune_expired(now_) != 0) outcome_.leases_changed = true;
  engine_.forget_expired(now_);
  const Ipv4 selector = option_address(request_, 118).value_or(request_.giaddr);
  const bool discover_or_requested = request_.message_type() == MessageType::discover || request_.find(50) != nullptr;
  const Ipv4 ciaddr = discover_or_requested ? Ipv4{} : request_.ciaddr;
  auto search = find_candidates(config_, arrival_, selector, ciaddr);
  if (search.candidates.empty()) {
    log_.warning(search.warning);
    outcome_.log = log_.take();
    return false;
  }
  candidates_ = std::move(search.candidates);

  if (!config_.ignore_client_id) client_id_ = option_bytes(request_, 61);
  unique_id_ = unique_id(request_, client_id_);
  log_.set_unique_id(unique_id_);
  lease_ = leases_.find_client(client_id_, request_.htype, request_.hardware_address());
  client_name_ = client_host_name(request_);

  tags_.add(arrival_.interface);
  add_request_tags(config_, request_, tags_);
  log_.available_ranges(candidates_);
  log_.client_classes();
  host_ = find_host(config_, request_, client_id_, client_name_, candidates_, tags_);
  if (host_.host != nullptr) {
    tags_.add("known");
  } else if (host_.known_elsewhere) {
    tags_.add("known-othernet");
  }
  if (!client_name_.empty()) log_.client_name(client_name_);
  add_name_tags(config_, client_name_, tags_);
  if (host_.host != nullptr) {
    for (const auto& tag : host_.host->set_tags) tags_.add(tag);
  }
  if (!request_.message_type()) {
    // BOOTP requests carry the tag `bootp` and their `file` field's text as a tag (§3.6).
    tags_.add("bootp");
    const auto* end = std::find(request_.file.begin(), request_.file.end(), std::uint8_t{0});
    // Only its printable characters: the tag is logged, and the field is the client's bytes.
    const std::string file = printable(std::span<const std::uint8_t>(request_.file.begin(), end));
    if (!file.empty()) tags_.add(file);
  }
  run_tag_ifs(config_.tag_ifs, tags_);
  tags_without_range_ = tags_;
  ignored_ = (host_.host != nullptr && host_.host->ignore) || ignored_by_rules(config_, tags_);
  return true;
}

bool Exchange::same_client(const Lease& lease) const {
  if (!client_id_.empty() && !lease.client_id.empty()) {
    return lease.client_id == client_id_;
  }
  const auto mac = request_.hardware_address();
  return lease.htype == request_.htype &&
         std::equal(lease.hardware_address.begin(), lease.hardware_address.end(), mac.begin(), mac.end());
}

bool Exchange::in_allowed_dynamic_range(Ipv4 address) const {
  return std::any_of(candidates_.begin(), candidates_.end(), [&](const Candidate& c) {
    return c.range->mode == config::RangeMode::dynamic && address >= c.range->start &&
           address <= c.range->end && matches(c.range->required_tags, tags_);
  });
}

bool Exchange::reserved_for_other_host(Ipv4 address) const {
  return std::any_of(config_.hosts.begin(), config_.hosts.end(), [&](const config::DhcpHost& h) {
    return h.address && *h.address == address && &h != host_.host;
  });
}

bool Exchange::is_server_address(Ipv4 address) const {
  return std::any_of(candidates_.begin(), candidates_.end(), [&](const Candidate& c) {
    return c.local == address || (c.router && *c.router == address);
  });
}

bool Exchange::held_for_other(Ipv4 address) const {
  return engine_.state_.offer_holds.held_for_other(address.value, unique_id_, now_);
}

bool Exchange::usable_fixed_address(bool warn) {
  if (host_.host == nullptr || !host_.host->address) return false;
  const Ipv4 fixed = *host_.host->address;
  const std::string prefix = "not using configured address " + fixed.to_string() + " because ";
  if (const Lease* holder = leases_.find_address(fixed); holder != nullptr && !same_client(*holder)) {
    if (warn) log_.warning(prefix + "it is leased to " + colon_hex(holder->hardware_address));
    return false;
  }
  if (is_server_address(fixed)) {
    if (warn) log_.warning(prefix + "it is in use by the server or relay");
    return false;
  }
  if (const auto it = engine_.state_.declined_fixed.find(fixed.value);
      it != engine_.state_.declined_fixed.end() && it->second > now_) {
    if (warn) log_.warning(prefix + "it was previously declined");
    return false;
  }
  return true;
}

bool Exchange::probe_says_in_use(Ipv4 address) const {
  const auto it = engine_.state_.probe_in_use_until.find(address.value);
  return it != engine_.state_.probe_in_use_until.end() && it->second > now_;
}

// dnsmasq's ping_ok (spec §4.5): no probe with no-ping or on loopback, or when recently clear.
bool Exchange::needs_probe(Ipv4 address) const {
  if (config_.no_ping || arrival_.loopback) return false;
  const auto it = engine_.state_.probe_clear_until.find(address.value);
  return it == engine_.state_.probe_clear_until.end() || it->second <= now_;
}

std::optional<Exchange::Choice> Exchange::choose_address() {
  if (usable_fixed_address(true)) return Choice{*host_.host->address, false};
  if (lease_ != nullptr && in_allowed_dynamic_range(lease_->address) &&
      !reserved_for_other_host(lease_->address)) {
    return Choice{lease_->address, false};
  }
  if (const auto wanted = option_address(request_, 50)) {
    const Lease* holder = leases_.find_address(*wanted);
    if (in_allowed_dynamic_range(*wanted) && holder == nullptr && !reserved_for_other_host(*wanted) &&
        !held_for_other(*wanted) && !is_server_address(*wanted) && !probe_says_in_use(*wanted)) {
      return Choice{*wanted, needs_probe(*wanted)};
    }
  }
  for (const bool respect_holds : {true, false}) {
    if (const auto allocated = allocate(respect_holds)) return Choice{*allocated, needs_probe(*allocated)};
  }
  return std::nullopt;
}

// The MAC-hash allocation of spec §4.5, so a client gets the address dnsmasq would give it.
std::optional<Ipv4> Exchange::allocate(bool respect_holds) {
  const std::uint32_t hash = address_hash(unique_id_);
  for (const bool tagged_pass : {true, false}) {
    for (const Candidate& c : candidates_) {
      const config::DhcpRange& r = *c.range;
      if (r.mode != config::RangeMode::dynamic || !matches(r.required_tags, tags_)) continue;
      if (tagged_pass && r.required_tags.empty()) continue;
      const std::uint32_t size = r.end.value - r.start.value + 1;
      const std::uint32_t epoch = engine_.state_.range_epochs[c.index];
      Ipv4 start{r.start.value + static_cast<std::uint32_t>((std::uint64_t{hash} + epoch) % size)};
      if (config_.sequential_ip) start = leases_.highest_in(r.start, r.end).value_or(r.start);
      // dnsmasq's probe order: start, start + 1, ..., r.end, r.start, ..., start - 1; each
      // of the `size` addresses once. A leased address never qualifies, so a run of them is
      // passed over in one step (LeaseTable::first_unleased): same answer, without the O(n)
      // walk over a range that fills from one side.
      std::uint64_t left = size;
      Ipv4 a = start;
      while (left > 0) {
        const std::optional<Ipv4> unleased = leases_.first_unleased(a, r.end);
        const std::uint64_t passed = (unleased ? std::uint64_t{unleased->value} : std::uint64_t{r.end.value} + 1) - a.value;
        if (passed >= left) break;
        left -= passed;
        if (!unleased) {
          a = r.start;
          continue;
        }
        a = *unleased;
        if (!is_server_address(a) && !reserved_for_other_host(a) && !classful_network_or_broadcast(a) &&
            !(respect_holds && held_for_other(a)) && !probe_says_in_use(a)) {
          return a;
        }
        --left;
        a.value = a.value == r.end.value ? r.start.value : a.value + 1;
      }
    }
  }
  return std::nullopt;
}

const Candidate* Exchange::final_range(Ipv4 address) const {
  for (const Candidate& c : candidates_) {
    if (c.range->mode == config::RangeMode::dynamic && address >= c.range->start && address <= c.range->end) {
      return &c;
    }
  }
  for (const auto mode : {config::RangeMode::static_only, config::RangeMode::dynamic}) {
    for (const Candidate& c : candidates_) {
      if (c.range->mode == mode && c.contains(address)) return &c;
    }
  }
  return nullptr;
}

// One held address per client: a new offer moves the client's hold.
void Exchange::hold_for_client(Ipv4 address) {
  engine_.state_.offer_holds.hold(address.value, unique_id_, now_ + kOfferHoldSeconds);
}

void Exchange::add_range_tag(const Candidate* range) {
  if (range == nullptr || !range->range->set_tag) return;
  tags_.add(*range->range->set_tag);
  run_tag_ifs(config_.tag_ifs, tags_);
}

std::uint32_t Exchange::base_lease(const Candidate& range) const {
  if (host_.host != nullptr && host_.host->lease_seconds) return *host_.host->lease_seconds;
  return range.range->lease_seconds;
}

// The client's own name, unless dhcp-ignore-names drops it.
std::string Exchange::offered_client_name() const {
  const bool drop = std::any_of(config_.ignore_names_rules.begin(), config_.ignore_names_rules.end(),
                                [&](const config::TagRule& r) { return matches(r.tags, tags_); });
  return drop ? std::string() : client_name_;
}

// The name sent in a reply (option 12/81, the DHCPACK log line), spec §4.11: the dhcp-host name,
// else the client's. An OFFER carries the configured name only if it is the client's own or the
// client sent none or used option 81, and the client's own name only with option 81.
std::string Exchange::reply_name(MessageType type) const {
  const std::string client = offered_client_name();
  const bool fqdn = request_.find(81) != nullptr;
  if (host_.host != nullptr && host_.host->hostname) {
    const std::string& configured = *host_.host->hostname;
    if (type != MessageType::offer || client.empty() || client == configured || fqdn) return configured;
    return {};
  }
  return type != MessageType::offer || fqdn ? client : std::string();
}

// The name a lease records: the reply's name, else the name the lease already had.
std::string Exchange::lease_name() const {
  std::string name = reply_name(MessageType::ack);
  if (name.empty() && lease_ != nullptr) name = lease_->hostname;
  return name;
}

void Exchange::handle_discover() {
  const auto wanted = option_address(request_, 50);
  if (ignored_) {
    if (!config_.quiet_dhcp || config_.log_dhcp) log_.packet("DHCPDISCOVER", std::nullopt, "ignored");
    return;
  }
  if (unique_id_.empty()) {
    log_.packet("DHCPDISCOVER", wanted, "no unique-id");
    return;
  }
  const auto choice = choose_address();
  if (!choice) {
    log_.packet("DHCPDISCOVER", wanted, "no address available");
    return;
  }
  const std::optional<Ipv4> address = choice->address;
  if (choice->needs_probe) {
    // Hold the address for this client while the shell probes it; retransmitted DISCOVERs
    // during the probe get nothing (the answer comes when the probe ends).
    auto& pending = engine_.state_.probe_pending_until[address->value];
    hold_for_client(*address);
    if (pending <= now_) {
      pending = now_ + kProbePendingSeconds;
      outcome_.probe = address;
    }
    log_.discard();  // logged once, when the probe has answered
    return;
  }
  const Candidate* range = final_range(*address);
  if (range == nullptr) {
    log_.packet("DHCPDISCOVER", wanted, "no address available");
    return;
  }
  add_range_tag(range);
  log_.packet("DHCPDISCOVER", wanted, "");
  log_.tags(tags_);
  log_.packet("DHCPOFFER", *address, "");
  hold_for_client(*address);
  reply_with(MessageType::offer, *address, range, lease_time(base_lease(*range), request_), false);
}

void Exchange::handle_request() {
  if (ignored_) return;
  const auto wanted = option_address(request_, 50);
  const auto server = option_address(request_, 54);
  const bool authoritative = config_.authoritative;
  Ipv4 address = wanted.value_or(request_.ciaddr);
  bool selecting = false;
  bool renewing = false;
  // dnsmasq logs a REQUEST only when it answers it (ACK or NAK), not when it stays silent.
  request_line_ = {"DHCPREQUEST", address};

  if (server && wanted) {
    selecting = true;  // RFC 2131 §4.3.2 SELECTING
    const bool ours = std::any_of(candidates_.begin(), candidates_.end(),
                                  [&](const Candidate& c) { return c.local == *server; });
    if (!ours) {
      engine_.state_.offer_holds.release(wanted->value);
      if (authoritative) nak(address, "wrong server-ID");  // [quirk] even for another server's client
      return;
    }
    if (lease_ != nullptr && lease_->address != *wanted) {
      leases_.remove(lease_->address);
      lease_ = nullptr;
      outcome_.leases_changed = true;
    }
  } else if (wanted) {
    // INIT-REBOOT
    if (lease_ == nullptr && !authoritative) return;
    if (lease_ != nullptr && lease_->address != *wanted) {
      nak(address, "wrong address");
      return;
    }
  } else {
    // RENEWING / REBINDING: the address is ciaddr.
    renewing = true;
    if (address.value == 0) return;
    if ((lease_ != nullptr && lease_->address != address) || (lease_ == nullptr && !authoritative)) {
      if (!arrival_.to_broadcast) nak(address, "lease not found");
      return;
    }
  }

  const Candidate* range = final_range(address);
  const bool on_subnet = std::any_of(candidates_.begin(), candidates_.end(),
                                     [&](const Candidate& c) { return c.contains(address); });
  const bool is_fixed = host_.host != nullptr && host_.host->address && *host_.host->address == address;
  const Lease* holder = leases_.find_address(address);
  std::string reason;
  if (!on_subnet) {
    reason = "wrong network";
  } else if (!in_allowed_dynamic_range(address) && !is_fixed) {
    reason = "address not available";
  } else if (!selecting && !is_fixed && usable_fixed_address(false)) {
    reason = "static lease available";
  } else if (reserved_for_other_host(address)) {
    reason = "address reserved";
  } else if (holder != nullptr && !same_client(*holder)) {
    reason = "address in use";
  } else if (unique_id_.empty()) {
    reason = "no unique-id";
  } else if (holder == nullptr && lease_ == nullptr && leases_.full()) {
    reason = "no leases left";
  }
  if (!reason.empty() || range == nullptr) {
    nak(address, reason.empty() ? "address not available" : reason);
    return;
  }

  add_range_tag(range);
  log_request_line();
  const std::uint32_t seconds = lease_time(base_lease(*range), request_);
  Lease lease;
  lease.htype = request_.htype;
  const auto mac = request_.hardware_address();
  lease.hardware_address.assign(mac.begin(), mac.end());
  lease.client_id = client_id_;
  lease.address = address;
  lease.hostname = lease_name();
  lease.expiry = seconds == config::kInfiniteLease ? 0 : now_ + seconds;
  if (lease_ != nullptr && lease_->address != address) leases_.remove(lease_->address);
  if (!leases_.upsert(lease)) {
    nak(address, "no leases left");
    return;
  }
  outcome_.leases_changed = true;
  engine_.state_.offer_holds.release(address.value);
  log_.tags(tags_);
  log_.packet("DHCPACK", address, reply_name(MessageType::ack));
  reply_with(MessageType::ack, address, range, seconds, renewing);
}

void Exchange::handle_decline() {
  const auto server = option_address(request_, 54);
  const auto address = option_address(request_, 50);
  const bool ours = server && std::any_of(candidates_.begin(), candidates_.end(),
                                          [&](const Candidate& c) { return c.local == *server; });
  if (!ours || !address) return;
  log_.packet("DHCPDECLINE", *address, printable(option_bytes(request_, 56)));
  if (const Lease* holder = leases_.find_address(*address); holder != nullptr && same_client(*holder)) {
    leases_.remove(*address);
    outcome_.leases_changed = true;
  }
  if (host_.host != nullptr && host_.host->address && *host_.host->address == *address) {
    engine_.state_.declined_fixed[address->value] = now_ + kDeclinedFixedSeconds;
    log_.warning("disabling DHCP static address " + address->to_string() + " for 10m");
  } else {
    for (const Candidate& c : candidates_) ++engine_.state_.range_epochs[c.index];
  }
}

void Exchange::handle_release() {
  const auto server = option_address(request_, 54);
  const Ipv4 address = request_.ciaddr;
  const bool ours = server && std::any_of(candidates_.begin(), candidates_.end(),
                                          [&](const Candidate& c) { return c.local == *server; });
  const bool on_subnet = std::any_of(candidates_.begin(), candidates_.end(),
                                     [&](const Candidate& c) { return c.contains(address); });
  if (!ours || !on_subnet) return;
  if (lease_ != nullptr && lease_->address == address) {
    leases_.remove(address);
    outcome_.leases_changed = true;
    log_.packet("DHCPRELEASE", address, "");
  } else {
    log_.packet("DHCPRELEASE", address, "unknown lease");
  }
}

void Exchange::handle_inform() {
  const Ipv4 address = request_.ciaddr;
  if (address.value == 0) {
    log_.packet("DHCPINFORM", address, "", true);  // dnsmasq logs it (0.0.0.0) and drops it
    return;
  }
  if (ignored_) {
    log_.packet("DHCPINFORM", address, "ignored");
    return;
  }
  log_.packet("DHCPINFORM", address, "");
  const Candidate* range = final_range(address);
  add_range_tag(range);
  log_.tags(tags_);
  log_.packet("DHCPACK", address, client_name_);
  reply_with(MessageType::ack, address, range, std::nullopt, false);
}

void Exchange::handle_bootp() {
  if (request_.htype == 0 || request_.hlen == 0) return;
  if (ignored_) {
    log_.packet("BOOTP", std::nullopt, "ignored");
    return;
  }
  std::optional<Ipv4> address;
  if (usable_fixed_address(false)) {
    address = *host_.host->address;
  } else if (std::any_of(config_.bootp_dynamic_rules.begin(), config_.bootp_dynamic_rules.end(),
                         [&](const config::TagRule& r) { return matches(r.tags, tags_); })) {
    address = lease_ != nullptr ? std::optional<Ipv4>(lease_->address) : allocate();
  } else {
    log_.tags(tags_);
    log_.packet("BOOTP", std::nullopt, "no address configured");
    return;
  }
  const Candidate* range = address ? final_range(*address) : nullptr;
  if (!address || range == nullptr) {
    log_.packet("BOOTP", std::nullopt, "no address available");
    return;
  }
  Lease lease;
  lease.htype = request_.htype;
  const auto mac = request_.hardware_address();
  lease.hardware_address.assign(mac.begin(), mac.end());
  lease.address = *address;
  lease.hostname = lease_name();
  const bool timed = host_.host != nullptr && host_.host->lease_seconds;
  lease.expiry = timed ? now_ + *host_.host->lease_seconds : 0;
  if (!leases_.upsert(lease)) {
    log_.packet("BOOTP", *address, "no leases left");
    return;
  }
  outcome_.leases_changed = true;
  add_range_tag(range);
  log_.tags(tags_);
  log_.packet("BOOTP", *address, "");
  reply_with(MessageType::ack, *address, range, std::nullopt, false);
}

bool Exchange::handle_pxe() {
  const auto type = request_.message_type();
  if (!type) return arrival_.on_pxe_port;  // BOOTP: never on the PXE port
  if (const auto client = pxe_client(config_, request_)) {
    if (*type == MessageType::request || *type == MessageType::inform) {
      if (const auto item = boot_item(request_)) {
        handle_boot_server_request(*client, *item);
        return true;
      }
    }
    const bool proxy_kind = *type == MessageType::discover || (arrival_.on_pxe_port && *type == MessageType::request);
    if (client->has_arch && proxy_kind && handle_proxy(*client)) return true;
  }
  // dnsmasq goes no further here: port 4011 is for PXE only, and a proxy subnet gets no
  // addresses from us (another server allocates them).
  return arrival_.on_pxe_port || proxy_only();
}

// Every candidate is a proxy range. (dnsmasq looks at its first candidate; with one range per
// subnet, as proxy setups have, that is the same.)
bool Exchange::proxy_only() const {
  return std::all_of(candidates_.begin(), candidates_.end(),
                     [](const Candidate& c) { return c.range->mode == config::RangeMode::proxy; });
}

// The request's header as the reply's (dnsmasq answers PXE in the request's own buffer, so
// yiaddr too), with sname, file, siaddr and the options cleared; send_pxe_reply() sets the size
// and overload rules.
Reply Exchange::pxe_reply_header() const {
  Reply reply = reply_for(request_);
  reply.yiaddr = request_.yiaddr;
  return reply;
}

// 60 and 97 (pxe_misc), then option 43 with `vendor_subs` and, when asked, the matching
// `vendor:` options, then 82 echoed; encoded without overload and sent per §4.9.
void Exchange::send_pxe_reply(Reply& reply, const PxeClient& client, Ipv4 server_id,
                              std::vector<std::vector<std::uint8_t>> vendor_subs, bool with_vendor_options) {
  const auto sid = server_id.bytes();
  reply.options.insert(reply.options.begin(), {{53, {static_cast<std::uint8_t>(
                                                     request_.message_type() == MessageType::discover
                                                         ? MessageType::offer
                                                         : MessageType::ack)}},
                                               {54, {sid.begin(), sid.end()}}});
  reply.options.push_back({60, std::vector<std::uint8_t>(client.vendor.begin(), client.vendor.end())});
  if (client.machine_id) reply.options.push_back({97, *client.machine_id});
  if (with_vendor_options) {
    bool forced = false;
    for (auto& sub : vendor_sub_options(config_, request_, tags_, forced)) vendor_subs.push_back(std::move(sub));
    if (!vendor_subs.empty()) append_container(reply.options, 43, vendor_subs);
  }
  if (const Option* agent = request_.find(82)) reply.options.push_back({82, agent->data});
  reply.max_size = reply_buffer_size(request_);
  reply.allow_overload = false;
  reply.cookie = true;
  EncodedReply encoded = encode(reply);
  log_.reply_details(request_, reply, encoded, false);  // no `requested options:` (no do_options)
  set_destination(reply);
  outcome_.datagram = std::move(encoded.bytes);
}

// §4.10 (a): a REQUEST/INFORM naming a boot server type in 43/71, after a menu choice. The first
// pxe-service of that type (any architecture, any tags, as dnsmasq) with a file answers, on a
// range whose subnet holds the client's ciaddr.
void Exchange::handle_boot_server_request(const PxeClient& client, const BootItem& item) {
  if (ignored_) return;
  if ((item.layer & kBisLayerBit) != 0) {
    log_.error("PXE BIS not supported");
    return;
  }
  const auto service = std::find_if(config_.pxe_services.begin(), config_.pxe_services.end(),
                                    [&](const config::PxeService& s) { return s.server_type == item.type; });
  const auto range = std::find_if(candidates_.begin(), candidates_.end(), [&](const Candidate& c) {
    return matches(c.range->required_tags, tags_) && c.contains(request_.ciaddr);
  });
  if (service == config_.pxe_services.end() || !service->basename || range == candidates_.end()) return;
  Reply reply = pxe_reply_header();
  reply.yiaddr = request_.ciaddr;
  reply.ciaddr = Ipv4{};
  reply.siaddr = service_server_or_local(*service, range->local);
  reply.file = service_boot_file(*service, item.layer);
  log_.packet("PXE", reply.yiaddr, reply.file);
  log_.tags(tags_);
  std::vector<std::uint8_t> echoed{71, static_cast<std::uint8_t>(item.raw.size())};
  echoed.insert(echoed.end(), item.raw.begin(), item.raw.end());
  std::vector<std::vector<std::uint8_t>> subs{std::move(echoed)};
  if (auto prompt = prompt_sub_option(config_, tags_)) subs.push_back(std::move(*prompt));
  send_pxe_reply(reply, client, range->local, std::move(subs), true);
}

// §4.10 (b): proxy DHCP. Boot information only: no address, no lease, no netmask or router —
// the allocating server on the segment gives those. UEFI clients are sent on to port 4011.
bool Exchange::handle_proxy(const PxeClient& client) {
  const auto proxy = std::find_if(candidates_.begin(), candidates_.end(), [&](const Candidate& c) {
    return c.range->mode == config::RangeMode::proxy && matches(c.range->required_tags, tags_);
  });
  if (proxy == candidates_.end()) return false;
  add_range_tag(&*proxy);
  const Ipv4 local = proxy->local;
  const bool uefi = client.arch >= kFirstUefiArch;
  Reply reply = pxe_reply_header();
  reply.yiaddr = Ipv4{};
  if (request_.message_type() == MessageType::discover || request_.ciaddr.value == 0) {
    reply.ciaddr = Ipv4{};
    reply.flags |= kBroadcastFlag;
  }
  if (uefi) reply.siaddr = local;  // "come to 4011 on this address"
  const config::PxeService* single = uefi_single_service(config_, tags_, client);
  if (single != nullptr && arrival_.on_pxe_port) {
    reply.siaddr = service_server_or_local(*single, local);
    reply.sname = single->server_host.value_or(reply.siaddr.to_string());
    reply.file = service_boot_file(*single, 0);
  } else if (single == nullptr) {
    // For iPXE, and for a menu-less offer (discovery control 8): the dhcp-boot file.
    if (const config::DhcpBoot* boot = select_boot(config_, tags_)) {
      if (boot->server_address) reply.siaddr = *boot->server_address;
      reply.file = boot->file;
    }
  }
  // The menu goes to BIOS clients, and to UEFI clients once they are on port 4011 (and the
  // single-service workaround did not replace it with a file).
  const bool with_menu = !uefi || (arrival_.on_pxe_port && single == nullptr);
  std::vector<std::vector<std::uint8_t>> subs;
  if (with_menu) {
    std::vector<std::string> warnings;
    subs = pxe_sub_options(config_, tags_, client, local, warnings);
    for (auto& warning : warnings) log_.error(std::move(warning));
  }
  log_.packet("PXE", std::nullopt, ignored_ ? "proxy-ignored" : "proxy");
  log_.tags(tags_);
  if (ignored_) return true;
  send_pxe_reply(reply, client, local, std::move(subs), with_menu);
  return true;
}

void Exchange::reply_with(MessageType type, Ipv4 yiaddr, const Candidate* range,
                          std::optional<std::uint32_t> lease_seconds, bool renewing) {
  const bool bootp = !request_.message_type().has_value();
  const Ipv4 server_id = range != nullptr ? range->local
                                          : (arrival_.addresses.empty() ? Ipv4{} : arrival_.addresses.front().address);
  const std::string hostname = reply_name(type);
  const ReplyContext context{config_, request_, range, tags_, tags_without_range_, type, bootp,
                             server_id, lease_seconds, renewing, hostname};
  ReplyContents contents = build_reply_contents(context);
  for (const auto& warning : contents.warnings) log_.warning(warning);

  // The request's header (reply_for), then what an OFFER or ACK changes in it.
  Reply reply = reply_for(request_);
  const bool ciaddr_cleared = type == MessageType::offer || request_.find(50) != nullptr;
  if (ciaddr_cleared) reply.ciaddr = Ipv4{};
  reply.yiaddr = type == MessageType::ack && request_.message_type() == MessageType::inform ? Ipv4{} : yiaddr;
  reply.siaddr = contents.siaddr;
  reply.sname = std::move(contents.sname);
  reply.file = std::move(contents.file);
  reply.options = std::move(contents.options);
  reply.allow_overload = reply.allow_overload && !config_.no_override;
  reply.cookie = request_.has_cookie || !bootp;
  if (std::any_of(config_.broadcast_rules.begin(), config_.broadcast_rules.end(),
                  [&](const config::TagRule& r) { return matches(r.tags, tags_without_range_); })) {
    reply.flags |= kBroadcastFlag;
  }

  EncodedReply encoded = encode(reply);
  log_.reply_details(request_, reply, encoded);
  set_destination(reply);
  outcome_.datagram = std::move(encoded.bytes);
}

void Exchange::log_request_line() {
  if (!request_line_) return;
  log_.packet(request_line_->first, request_line_->second, "");
  request_line_.reset();
}

void Exchange::nak(Ipv4 requested, const std::string& reason) {
  log_request_line();
  log_.packet("DHCPNAK", requested, reason);
  const Ipv4 server_id = candidates_.empty() ? Ipv4{} : candidates_.front().local;
  Reply reply;
  reply.htype = request_.htype;
  reply.hlen = request_.hlen;
  reply.hops = request_.hops;
  reply.xid = request_.xid;
  reply.giaddr = request_.giaddr;
  reply.chaddr = request_.chaddr;
  reply.flags = request_.flags;
  const auto sid = server_id.bytes();
  reply.options.push_back({53, {static_cast<std::uint8_t>(MessageType::nak)}});
  reply.options.push_back({54, {sid.begin(), sid.end()}});
  reply.options.push_back({56, std::vector<std::uint8_t>(reason.begin(), reason.end())});
  // Broadcast, unless a unicast request, not relayed, came from a client whose ciaddr is off
  // our subnets (§4.6; dnsmasq tests ciaddr, which is already 0 for option-50 requests).
  const Ipv4 ciaddr = request_.find(50) != nullptr ? Ipv4{} : request_.ciaddr;
  const bool ciaddr_off_subnet = ciaddr.value != 0 &&
                                 std::none_of(candidates_.begin(), candidates_.end(),
                                              [&](const Candidate& c) { return c.contains(ciaddr); });
  if (arrival_.to_broadcast || request_.giaddr.value != 0 || !ciaddr_off_subnet) {
    reply.flags |= kBroadcastFlag;
    reply.ciaddr = Ipv4{};
  } else {
    reply.ciaddr = request_.ciaddr;
  }
  EncodedReply encoded = encode(reply);
  log_.reply_details(request_, reply, encoded, false);  // no `requested options:` for a NAK
  set_destination(reply);
  outcome_.datagram = std::move(encoded.bytes);
}

// Reply addressing, first rule that applies (spec §4.9).
void Exchange::set_destination(const Reply& reply) {
  Destination& d = outcome_.destination;
  d.ifindex = arrival_.ifindex;
  d.htype = request_.htype;
  const auto mac = request_.hardware_address();
  d.hardware_address.assign(mac.begin(), mac.end());
  d.kind = Destination::Kind::unicast;
  d.from_pxe_port = arrival_.on_pxe_port;
  if (arrival_.on_pxe_port) {
    d.address = reply.ciaddr.value != 0 ? reply.ciaddr : arrival_.source;
    d.port = arrival_.source_port;
  } else if (request_.giaddr.value != 0) {
    d.address = request_.giaddr;
    d.port = config_.server_port;
  } else if (reply.ciaddr.value != 0) {
    const bool reply_to_source = arrival_.source == reply.ciaddr ||
                                 request_.message_type() == MessageType::inform;
    d.address = reply_to_source ? arrival_.source : reply.ciaddr;
    d.port = reply_to_source ? arrival_.source_port : config_.client_port;
  } else if ((reply.flags & kBroadcastFlag) != 0 || request_.hlen == 0 || request_.hlen > 14 ||
             request_.htype == 0) {
    d.kind = Destination::Kind::broadcast;
    d.address = Ipv4{0xFFFFFFFFU};
    d.port = config_.client_port;
  } else {
    d.address = reply.yiaddr;
    d.port = config_.client_port;
    d.inject_arp = true;
  }
}

Engine::Engine(std::shared_ptr<const config::Config> config) : config_(std::move(config)) {}

void Engine::reconfigure(std::shared_ptr<const config::Config> config) {
  config_ = std::move(config);
  state_.range_epochs.clear();
}

void Engine::forget_expired(std::int64_t now) {
  state_.offer_holds.expire(now);
  if (now == swept_at_) return;
  swept_at_ = now;
  for (auto* until : {&state_.probe_clear_until, &state_.probe_in_use_until, &state_.probe_pending_until,
                      &state_.declined_fixed}) {
    std::erase_if(*until, [now](const auto& entry) { return entry.second <= now; });
  }
}

void Engine::probe_result(Ipv4 address, bool answered, std::int64_t now) {
  state_.probe_pending_until.erase(address.value);
  if (answered) {
    state_.probe_in_use_until[address.value] = now + kProbeInUseSeconds;
    state_.offer_holds.release(address.value);
  } else {
    state_.probe_clear_until[address.value] = now + kProbeValidSeconds;
  }
}

Outcome Engine::handle(const Packet& request, const Arrival& arrival, LeaseTable& leases,
                       std::int64_t now) {
  return Exchange(*this, request, arrival, leases, now).run();
}

}  // namespace pxemasq::dhcp
