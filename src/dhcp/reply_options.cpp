#include "dhcp/reply_options.hpp"

#include "dhcp/pxe_options.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace pxemasq::dhcp {
namespace {

using config::DhcpOptionSetting;
using config::OptionSpace;

constexpr std::uint32_t kMinimumLease = 120;

std::vector<std::uint8_t> be32(std::uint32_t v) {
  return {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
          static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
}

std::vector<std::uint8_t> text_bytes(std::string_view text) {
  std::vector<std::uint8_t> out(text.size());
  std::copy(text.begin(), text.end(), out.begin());
  return out;
}

std::vector<std::uint8_t> address_bytes(Ipv4 address) {
  const auto b = address.bytes();
  return {b.begin(), b.end()};
}

std::uint32_t read_be32(const std::vector<std::uint8_t>& v) {
  if (v.size() < 4) return 0;
  return (std::uint32_t{v[0]} << 24) | (std::uint32_t{v[1]} << 16) | (std::uint32_t{v[2]} << 8) | v[3];
}

// The options that are never sent from the configured list (spec §3.3).
bool never_emitted(std::uint32_t code) {
  switch (code) {
    case 0: case 52: case 57: case 58: case 59: case 81: case 255: return true;
    default: return false;
  }
}

class Builder {
 public:
  explicit Builder(const ReplyContext& context)
      : c_(context), pxe_(pxe_client(context.config, context.request)) {}
  ReplyContents build();

 private:
  [[nodiscard]] bool requested(std::uint8_t code) const;
  // In the client's PRL (no PRL at all does not count): decides option 66/67 vs the header
  // sname/file fields (spec §3.5).
  [[nodiscard]] bool listed(std::uint8_t code) const;
  // The configured line that applies for `code` in `space` (spec §3.3 precedence), or nullptr.
  [[nodiscard]] const DhcpOptionSetting* configured(std::uint32_t code, OptionSpace space = OptionSpace::standard,
                                                    std::uint32_t container = 0) const;
  [[nodiscard]] std::vector<std::uint8_t> value_of(const DhcpOptionSetting& setting) const;
  void add(std::uint8_t code, std::vector<std::uint8_t> data) { out_.options.push_back({code, std::move(data)}); }
  void add_boot();
  void add_lease_times();
  void add_defaults();
  void add_client_fqdn();
  void add_configured();
  void add_encapsulated();
  void add_vendor();
  void add_pxe();
  // vendor: sub-options matching the client's option 60 and the tags, latest line per code.
  [[nodiscard]] std::vector<std::vector<std::uint8_t>> vendor_sub_options(bool& forced) const;
  [[nodiscard]] std::vector<std::uint8_t> sub_option(const DhcpOptionSetting& setting) const;
  void add_container(std::uint8_t code, const std::vector<std::vector<std::uint8_t>>& subs);

  const ReplyContext& c_;
  ReplyContents out_;
  const config::DhcpBoot* boot_ = nullptr;
  std::optional<PxeClient> pxe_;
};

bool Builder::requested(std::uint8_t code) const {
  if (c_.bootp) return true;
  const Option* prl = c_.request.find(55);
  if (prl == nullptr) return true;  // no PRL: everything is requested (§4.8.5)
  return std::find(prl->data.begin(), prl->data.end(), code) != prl->data.end();
}

bool Builder::listed(std::uint8_t code) const {
  const Option* prl = c_.request.find(55);
  return prl != nullptr && std::find(prl->data.begin(), prl->data.end(), code) != prl->data.end();
}

const DhcpOptionSetting* Builder::configured(std::uint32_t code, OptionSpace space,
                                             std::uint32_t container) const {
  const DhcpOptionSetting* tagged = nullptr;
  const DhcpOptionSetting* untagged = nullptr;
  const DhcpOptionSetting* range_only = nullptr;
  for (const auto& setting : c_.config.options) {
    if (setting.code != code || setting.space != space || setting.container != container) continue;
    if (setting.tags.empty()) {
      untagged = &setting;  // later lines win
    } else if (matches(setting.tags, c_.tags_without_range)) {
      tagged = &setting;
    } else if (matches(setting.tags, c_.tags)) {
      range_only = &setting;  // matches only thanks to the range's tag: second class
    }
  }
  if (tagged != nullptr) return tagged;
  if (untagged != nullptr) return untagged;
  return range_only;
}

std::vector<std::uint8_t> Builder::value_of(const DhcpOptionSetting& setting) const {
  std::vector<std::uint8_t> value = setting.value;
  if (c_.range != nullptr) {
    // `0.0.0.0` means "this server" (spec §3.3).
    const auto local = c_.range->local.bytes();
    for (const std::size_t offset : setting.server_address_offsets) {
      if (offset + 4 <= value.size()) std::copy(local.begin(), local.end(), value.begin() + static_cast<long>(offset));
    }
  }
  return value;
}

void Builder::add_boot() {
  boot_ = select_boot(c_.config, c_.tags);
  const bool may_use_options = !c_.config.no_override && !c_.bootp;
  if (boot_ != nullptr) {
    if (boot_->server_name && !boot_->server_name->empty()) {
      if (may_use_options && listed(66)) {
        add(66, text_bytes(*boot_->server_name));
        out_.options.back().data.push_back(0);
      } else {
        out_.sname = *boot_->server_name;
      }
    }
    if (!boot_->file.empty()) {
      if (may_use_options && listed(67)) {
        add(67, text_bytes(boot_->file));
        out_.options.back().data.push_back(0);  // 66/67 are sent NUL-terminated
      } else {
        out_.file = boot_->file;
      }
    }
    if (boot_->server_address) out_.siaddr = *boot_->server_address;
  }
}

void Builder::add_lease_times() {
  if (!c_.lease_seconds || *c_.lease_seconds == config::kInfiniteLease) return;
  const std::uint32_t lease = *c_.lease_seconds;
  std::uint32_t t1 = lease / 2;
  std::uint32_t t2 = static_cast<std::uint32_t>(std::uint64_t{lease} * 7 / 8);
  if (const auto* s = configured(58); s != nullptr) {
    const std::uint32_t v = read_be32(s->value);
    if (v > 2 && v < lease) t1 = v;
  }
  if (const auto* s = configured(59); s != nullptr) {
    const std::uint32_t v = read_be32(s->value);
    if (v > 2 && v < lease) t2 = v;
  }
  if (t2 <= t1) t1 = t2 - 1;
  if (c_.renewing) {
    // dnsmasq subtracts a random fuzz, halved until it is at most T1/8; ours comes from the xid
    // so the engine stays deterministic.
    std::uint32_t fuzz = c_.request.xid & 0xFFFFU;
    while (fuzz > t1 / 8) fuzz /= 2;
    t1 -= fuzz;
    t2 -= fuzz;
  }
  add(58, be32(t1));
  add(59, be32(t2));
}

void Builder::add_defaults() {
  const Candidate* range = c_.range;
  const auto default_unless_configured = [&](std::uint8_t code, auto&& make, bool only_if_requested) {
    const DhcpOptionSetting* setting = configured(code);
    if (setting != nullptr) return;  // the configured line (or its suppression) decides
    if (only_if_requested && !requested(code)) return;
    if (auto value = make(); !value.empty()) {
      add(code, std::move(value));
    }
  };
  if (range != nullptr) {
    default_unless_configured(1, [&] { return address_bytes(range->netmask); }, false);
    default_unless_configured(28, [&] { return address_bytes(range->broadcast); }, false);
    if (range->router) default_unless_configured(3, [&] { return address_bytes(*range->router); }, true);
    if (c_.config.dns_port == 53) default_unless_configured(6, [&] { return address_bytes(range->local); }, true);
  }
  if (c_.config.domain) {
    default_unless_configured(15, [&] { return text_bytes(*c_.config.domain); }, true);
  }
  if (!c_.hostname.empty()) {
    default_unless_configured(12, [&] { return text_bytes(c_.hostname); }, true);
  }
  add_client_fqdn();
}

// Option 81 (RFC 4702, spec §4.11): echoed when the client sent one. Flags: N cleared, S set
// ("the server updates DNS"), O set when we overrode the client's S=0; the name in the
// client's encoding, RCODEs 255.
void Builder::add_client_fqdn() {
  const Option* asked = c_.request.find(81);
  if (asked == nullptr || asked->data.size() < 3) return;
  constexpr std::uint8_t kS = 0x01, kO = 0x02, kE = 0x04, kN = 0x08;
  const std::uint8_t client = asked->data[0];
  std::uint8_t flags = static_cast<std::uint8_t>((client & kE) | kS);
  if ((client & kS) == 0) flags |= kO;
  flags &= static_cast<std::uint8_t>(~kN);
  std::vector<std::uint8_t> data{flags, 255, 255};
  std::string name = c_.hostname;
  if (!name.empty() && c_.config.domain) name += "." + *c_.config.domain;
  if ((client & kE) != 0) {
    std::size_t start = 0;
    while (!name.empty() && start <= name.size()) {
      const std::size_t dot = std::min(name.find('.', start), name.size());
      data.push_back(static_cast<std::uint8_t>(dot - start));
      data.insert(data.end(), name.begin() + static_cast<long>(start), name.begin() + static_cast<long>(dot));
      start = dot + 1;
    }
    if (!name.empty()) data.push_back(0);
  } else {
    data.insert(data.end(), name.begin(), name.end());
  }
  add(81, std::move(data));
}

void Builder::add_configured() {
  // One line per option number, then in reverse config order (spec §4.8.2 step 6).
  std::map<std::uint32_t, const DhcpOptionSetting*> chosen;
  for (const auto& setting : c_.config.options) {
    if (setting.space != OptionSpace::standard || never_emitted(setting.code)) continue;
    if (chosen.count(setting.code) == 0) chosen[setting.code] = configured(setting.code);
  }
  std::vector<const DhcpOptionSetting*> order;
  for (const auto& [code, setting] : chosen) {
    if (setting != nullptr) order.push_back(setting);
  }
  std::sort(order.begin(), order.end(), [](const auto* a, const auto* b) { return a > b; });
  for (const DhcpOptionSetting* setting : order) {
    const auto code = static_cast<std::uint8_t>(setting->code);  // [quirk] numbers > 255 wrap
    if (code == 66 || code == 67) {
      // A matching dhcp-boot decides the boot file and server name; otherwise these lines fill
      // the header fields when the client did not ask for the options (spec §3.3).
      if (boot_ != nullptr) continue;
      if (!listed(code)) {
        (code == 66 ? out_.sname : out_.file) = std::string(setting->value.begin(), setting->value.end());
        continue;
      }
    }
    if (setting->value.empty()) continue;  // zero length: the default is suppressed, nothing sent
    if (code == 60 && pxe_) continue;      // a PXE client gets the matched vendor string instead
    if (!setting->force && !requested(code)) continue;
    add(code, value_of(*setting));
  }
}

// encap:N containers (spec §4.8.2 step 7): one option N with the sub-options combined.
void Builder::add_encapsulated() {
  std::map<std::uint32_t, std::vector<const DhcpOptionSetting*>> containers;
  // Sub-options go out in reverse config order, like top-level options (spec §4.8.2).
  for (auto it = c_.config.options.rbegin(); it != c_.config.options.rend(); ++it) {
    const DhcpOptionSetting& setting = *it;
    if (setting.space != OptionSpace::encap) continue;
    const DhcpOptionSetting* chosen = configured(setting.code, OptionSpace::encap, setting.container);
    auto& members = containers[setting.container];
    if (chosen != nullptr && std::find(members.begin(), members.end(), chosen) == members.end()) {
      members.push_back(chosen);
    }
  }
  for (const auto& [outer, members] : containers) {
    const bool forced = std::any_of(members.begin(), members.end(), [](const auto* m) { return m->force; });
    if (members.empty() || (!forced && !requested(static_cast<std::uint8_t>(outer)))) continue;
    std::vector<std::vector<std::uint8_t>> subs;
    for (const auto* member : members) subs.push_back(sub_option(*member));
    add_container(static_cast<std::uint8_t>(outer), subs);
  }
}

std::vector<std::uint8_t> Builder::sub_option(const DhcpOptionSetting& setting) const {
  std::vector<std::uint8_t> sub{static_cast<std::uint8_t>(setting.code),
                                static_cast<std::uint8_t>(setting.value.size())};
  sub.insert(sub.end(), setting.value.begin(), setting.value.end());
  return sub;
}

void Builder::add_container(std::uint8_t code, const std::vector<std::vector<std::uint8_t>>& subs) {
  append_container(out_.options, code, subs);
}

std::vector<std::vector<std::uint8_t>> Builder::vendor_sub_options(bool& forced) const {
  return dhcp::vendor_sub_options(c_.config, c_.request, c_.tags, forced);
}

// vendor:CLASS sub-options in option 43 for clients whose option 60 contains CLASS (§3.3).
void Builder::add_vendor() {
  const Option* client_class = c_.request.find(60);
  bool forced = false;
  const auto subs = vendor_sub_options(forced);
  if (subs.empty() || (!forced && !requested(43))) return;
  add_container(43, subs);
  // A non-PXE client that got 43 and no option 60 gets its own option 60 back (§4.8.2 step 9).
  const bool sent_60 = std::any_of(out_.options.begin(), out_.options.end(),
                                   [](const Option& o) { return o.code == 60; });
  if (!sent_60 && client_class != nullptr) add(60, client_class->data);
}

// PXE clients (spec §4.10 e): 60 = the matched vendor string, 97 echoed, then option 43 with
// the PXE menu (§4.10 c) and the matching vendor: sub-options.
void Builder::add_pxe() {
  add(60, text_bytes(pxe_->vendor));
  if (pxe_->machine_id) add(97, *pxe_->machine_id);
  const Ipv4 local = c_.range != nullptr ? c_.range->local : c_.server_id;
  auto subs = pxe_sub_options(c_.config, c_.tags, *pxe_, local, out_.warnings);
  bool forced = false;
  for (auto& s : vendor_sub_options(forced)) subs.push_back(std::move(s));
  if (subs.empty() || (!forced && !requested(43))) return;
  add_container(43, subs);
}

ReplyContents Builder::build() {
  out_.siaddr = c_.range != nullptr ? c_.range->local : c_.server_id;
  if (!c_.bootp) {
    add(53, {static_cast<std::uint8_t>(c_.type)});
    add(54, address_bytes(c_.server_id));
    if (c_.lease_seconds) add(51, be32(*c_.lease_seconds));
  }
  add_boot();
  if (const Option* selector = c_.request.find(118)) add(118, selector->data);
  add_lease_times();
  add_defaults();
  add_configured();
  add_encapsulated();
  if (pxe_) {
    add_pxe();
  } else {
    add_vendor();
  }
  if (const auto* server = configured(255); server != nullptr && server->value.size() == 4) {
    out_.siaddr = Ipv4{read_be32(server->value)};
  }
  if (const Option* agent = c_.request.find(82)) add(82, agent->data);
  return std::move(out_);
}

}  // namespace

ReplyContents build_reply_contents(const ReplyContext& context) { return Builder(context).build(); }

// An encapsulating option: its sub-options, then an end sub-option 255. Longer than 255 bytes,
// it becomes several options of the same code, each cut at a sub-option boundary, as dnsmasq.
void append_container(std::vector<Option>& options, std::uint8_t code,
                      const std::vector<std::vector<std::uint8_t>>& subs) {
  std::vector<std::uint8_t> part;
  for (const auto& sub : subs) {
    if (!part.empty() && part.size() + sub.size() > 255) {
      options.push_back({code, std::move(part)});
      part.clear();
    }
    part.insert(part.end(), sub.begin(), sub.end());
  }
  if (part.size() + 1 > 255) {
    options.push_back({code, std::move(part)});
    part.clear();
  }
  part.push_back(255);
  options.push_back({code, std::move(part)});
}

std::vector<std::vector<std::uint8_t>> vendor_sub_options(const config::Config& config, const Packet& request,
                                                          const TagSet& tags, bool& forced) {
  const Option* client_class = request.find(60);
  std::vector<std::vector<std::uint8_t>> subs;
  std::set<std::uint32_t> seen;
  for (auto it = config.options.rbegin(); it != config.options.rend(); ++it) {
    const DhcpOptionSetting& s = *it;
    if (s.space != OptionSpace::vendor || seen.count(s.code) != 0) continue;
    if (!s.vendor_class.empty()) {
      if (client_class == nullptr) continue;
      const auto& text = client_class->data;
      if (std::search(text.begin(), text.end(), s.vendor_class.begin(), s.vendor_class.end()) == text.end()) continue;
    }
    if (!s.tags.empty() && !matches(s.tags, tags)) continue;
    seen.insert(s.code);
    forced = forced || s.force;
    std::vector<std::uint8_t> sub{static_cast<std::uint8_t>(s.code), static_cast<std::uint8_t>(s.value.size())};
    sub.insert(sub.end(), s.value.begin(), s.value.end());
    subs.push_back(std::move(sub));
  }
  return subs;
}

std::uint32_t lease_time(std::uint32_t base, const Packet& request) {
  const Option* asked = request.find(51);
  if (asked == nullptr || asked->data.size() < 4) return base;
  const std::uint32_t wanted = std::max(read_be32(asked->data), kMinimumLease);
  return base == config::kInfiniteLease || wanted < base ? wanted : base;
}

const config::DhcpBoot* select_boot(const config::Config& config, const TagSet& tags) {
  const config::DhcpBoot* untagged = nullptr;
  for (auto it = config.boots.rbegin(); it != config.boots.rend(); ++it) {
    if (it->tags.empty()) {
      if (untagged == nullptr) untagged = &*it;
    } else if (matches(it->tags, tags)) {
      return &*it;
    }
  }
  return untagged;
}

}  // namespace pxemasq::dhcp
