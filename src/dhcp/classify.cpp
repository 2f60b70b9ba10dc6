#include "dhcp/classify.hpp"

#include <algorithm>
#include <cctype>

namespace pxemasq::dhcp {
namespace {

using config::Config;
using config::DhcpRange;

// The classful guess for ranges reached through a relay without a configured mask (§3.1).
Ipv4 classful_mask(Ipv4 address) {
  const std::uint32_t top = address.value >> 24;
  if (top < 128) return Ipv4{0xFF000000U};
  if (top < 192) return Ipv4{0xFFFF0000U};
  return Ipv4{0xFFFFFF00U};
}

bool same_subnet(Ipv4 a, Ipv4 b, Ipv4 mask) {
  return (a.value & mask.value) == (b.value & mask.value);
}

Ipv4 broadcast_of(Ipv4 address, Ipv4 mask) { return Ipv4{address.value | ~mask.value}; }

// A range on the arrival interface: its START and END inside one of the interface's subnets.
std::optional<Candidate> local_candidate(const DhcpRange& range, std::size_t index,
                                         const Arrival& arrival) {
  for (const InterfaceAddress& ifa : arrival.addresses) {
    const Ipv4 mask = range.netmask.value_or(ifa.netmask);
    if (!same_subnet(range.start, ifa.address, mask) || !same_subnet(range.end, ifa.address, mask)) {
      continue;
    }
    Candidate candidate{index, &range, mask, {}, ifa.address, ifa.address};
    // Broadcast: configured, else the interface's if it is on this subnet, else computed.
    candidate.broadcast = range.broadcast.value_or(
        same_subnet(ifa.broadcast, ifa.address, mask) && mask.value == ifa.netmask.value
            ? ifa.broadcast
            : broadcast_of(range.start, mask));
    return candidate;
  }
  return std::nullopt;
}

// A range reached through a relay (or selected by a subnet selector or ciaddr).
std::optional<Candidate> remote_candidate(const DhcpRange& range, std::size_t index,
                                          const Arrival& arrival, Ipv4 address, bool relayed) {
  const Ipv4 mask = range.netmask.value_or(classful_mask(range.start));
  if (!same_subnet(range.start, address, mask)) return std::nullopt;
  const Ipv4 local = arrival.addresses.empty() ? Ipv4{} : arrival.addresses.front().address;
  Candidate candidate{index, &range, mask, range.broadcast.value_or(broadcast_of(range.start, mask)),
                      local, relayed ? std::optional<Ipv4>(address) : std::nullopt};
  return candidate;
}

std::vector<Candidate> candidates_through(const Config& config, const Arrival& arrival, Ipv4 address,
                                          bool relayed) {
  std::vector<Candidate> out;
  for (std::size_t i = 0; i < config.ranges.size(); ++i) {
    if (auto c = remote_candidate(config.ranges[i], i, arrival, address, relayed)) out.push_back(*c);
  }
  return out;
}

bool is_legal_host_name(std::string_view name) {
  if (name.empty()) return false;
  const auto legal = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
  };
  return std::all_of(name.begin(), name.end(), legal) && name.front() != '-' && name.front() != '.';
}

bool hardware_matches(const config::HardwareAddress& pattern, const Packet& request) {
  const auto mac = request.hardware_address();
  if (pattern.bytes.size() != mac.size()) return false;
  if (pattern.hardware_type && *pattern.hardware_type != request.htype) return false;
  for (std::size_t i = 0; i < mac.size(); ++i) {
    if (!pattern.wildcard[i] && pattern.bytes[i] != mac[i]) return false;
  }
  return true;
}

std::size_t fixed_bytes(const config::HardwareAddress& pattern) {
  return static_cast<std::size_t>(std::count(pattern.wildcard.begin(), pattern.wildcard.end(), false));
}

bool is_wildcard(const config::HardwareAddress& pattern) {
  return std::find(pattern.wildcard.begin(), pattern.wildcard.end(), true) != pattern.wildcard.end();
}

// match_bytes (spec §3.6).
bool value_matches(const config::MatchValue& value, std::span<const std::uint8_t> data) {
  using Kind = config::MatchValue::Kind;
  switch (value.kind) {
    case Kind::present:
      return !data.empty();
    case Kind::bytes_prefix: {
      if (data.size() < value.bytes.size()) return false;
      for (std::size_t i = 0; i < value.bytes.size(); ++i) {
        const bool wild = i < value.wildcard.size() && value.wildcard[i];
        if (!wild && data[i] != value.bytes[i]) return false;
      }
      return true;
    }
    case Kind::text_substring:
      return std::search(data.begin(), data.end(), value.bytes.begin(), value.bytes.end()) !=
             data.end();
    case Kind::element: {
      const std::size_t width = value.element_width == 0 ? 1 : value.element_width;
      for (std::size_t i = 0; i + width <= data.size(); i += width) {
        if (std::equal(value.bytes.begin(), value.bytes.end(), data.begin() + static_cast<long>(i))) {
          return true;
        }
      }
      return false;
    }
  }
  return false;
}

// Option 125 (RFC 3925): enterprise(4) length(1) data..., repeated.
std::optional<std::span<const std::uint8_t>> vendor_ident_block(const Packet& request,
                                                                std::uint32_t enterprise) {
  const Option* option = request.find(125);
  if (option == nullptr) return std::nullopt;
  const auto& d = option->data;
  for (std::size_t i = 0; i + 5 <= d.size();) {
    const std::uint32_t number = (std::uint32_t{d[i]} << 24) | (std::uint32_t{d[i + 1]} << 16) |
                                 (std::uint32_t{d[i + 2]} << 8) | d[i + 3];
    const std::size_t length = d[i + 4];
    if (i + 5 + length > d.size()) break;
    if (number == enterprise) return std::span<const std::uint8_t>(d).subspan(i + 5, length);
    i += 5 + length;
  }
  return std::nullopt;
}

// Option 82 sub-option `code` (RFC 3046).
std::optional<std::span<const std::uint8_t>> relay_sub_option(const Packet& request, std::uint8_t code) {
  const Option* option = request.find(82);
  if (option == nullptr) return std::nullopt;
  const auto& d = option->data;
  for (std::size_t i = 0; i + 2 <= d.size();) {
    const std::size_t length = d[i + 1];
    if (i + 2 + length > d.size()) break;
    if (d[i] == code) return std::span<const std::uint8_t>(d).subspan(i + 2, length);
    i += 2 + length;
  }
  return std::nullopt;
}

// dnsmasq keeps its classifier lists newest first, so the last configured rule is tried (and
// its tag added) first; `tags:` shows that order.
// (A plain reverse-iterator pair: clang 14 cannot use libstdc++ 12's std::views.)
template <typename T>
struct Reversed {
  const std::vector<T>& items;
  [[nodiscard]] auto begin() const { return items.rbegin(); }
  [[nodiscard]] auto end() const { return items.rend(); }
};
template <typename T>
Reversed<T> reversed(const std::vector<T>& items) {
  return {items};
}

bool contains_text(std::span<const std::uint8_t> data, std::string_view pattern) {
  return std::search(data.begin(), data.end(), pattern.begin(), pattern.end()) != data.end();
}

// RFC 3004 user class: zero the count bytes so they cannot take part in a match (§3.6).
std::vector<std::uint8_t> normalised_user_class(std::span<const std::uint8_t> data) {
  std::vector<std::uint8_t> out(data.begin(), data.end());
  std::size_t i = 0;
  while (i < out.size()) {
    const std::size_t length = out[i];
    if (length == 0 || i + 1 + length > out.size()) return {data.begin(), data.end()};
    i += 1 + length;
  }
  for (i = 0; i < out.size(); i += 1 + std::size_t{data[i]}) out[i] = 0;
  return out;
}

}  // namespace

CandidateSearch find_candidates(const Config& config, const Arrival& arrival,
                                Ipv4 relay_or_selector, Ipv4 ciaddr) {
  CandidateSearch search;
  if (relay_or_selector.value != 0) {
    search.candidates = candidates_through(config, arrival, relay_or_selector, true);
    if (search.candidates.empty()) {
      search.warning = "no address range available for DHCP request via " + relay_or_selector.to_string();
    }
    return search;
  }
  for (std::size_t i = 0; i < config.ranges.size(); ++i) {
    if (auto c = local_candidate(config.ranges[i], i, arrival)) search.candidates.push_back(*c);
  }
  if (ciaddr.value != 0) {
    const bool on_candidate = std::any_of(search.candidates.begin(), search.candidates.end(),
                                          [ciaddr](const Candidate& c) { return c.contains(ciaddr); });
    if (!on_candidate) {
      // Keep the interface's ranges when nothing else fits, so a NAK can still be sent.
      auto through_ciaddr = candidates_through(config, arrival, ciaddr, false);
      if (!through_ciaddr.empty()) search.candidates = std::move(through_ciaddr);
    }
  }
  if (search.candidates.empty()) {
    search.warning = "no address range available for DHCP request via " + arrival.interface;
  }
  return search;
}

std::vector<std::uint8_t> unique_id(const Packet& request, std::span<const std::uint8_t> client_id) {
  const auto mac = request.hardware_address();
  if (!mac.empty()) return {mac.begin(), mac.end()};
  if (!client_id.empty() && client_id.front() == request.htype) {
    return {client_id.begin() + 1, client_id.end()};
  }
  return {client_id.begin(), client_id.end()};
}

HostMatch find_host(const Config& config, const Packet& request,
                    std::span<const std::uint8_t> client_id, const std::string& client_name,
                    std::span<const Candidate> candidates, const TagSet& tags) {
  const auto on_our_subnets = [&](const config::DhcpHost& host) {
    return !host.address || std::any_of(candidates.begin(), candidates.end(),
                                        [&](const Candidate& c) { return c.contains(*host.address); });
  };
  const auto id_matches = [&](const config::DhcpHost& host) {
    if (client_id.empty()) return false;
    return std::any_of(host.client_ids.begin(), host.client_ids.end(), [&](const auto& id) {
      const bool exact = std::equal(id.begin(), id.end(), client_id.begin(), client_id.end());
      // dhcpcd bug compatibility: a client-id with an extra leading 0 byte also matches.
      const bool padded = client_id.size() == id.size() + 1 && client_id.front() == 0 &&
                          std::equal(id.begin(), id.end(), client_id.begin() + 1);
      return exact || padded;
    });
  };
  const auto exact_mac = [&](const config::DhcpHost& host) {
    return std::any_of(host.hardware_addresses.begin(), host.hardware_addresses.end(),
                       [&](const auto& hw) { return !is_wildcard(hw) && hardware_matches(hw, request); });
  };
  const auto name_matches = [&](const config::DhcpHost& host) {
    return !client_name.empty() && host.hostname && *host.hostname == client_name;
  };

  HostMatch found;
  // Two passes: entries with tag: filters first (when their filter holds), then the others.
  for (const bool filtered_pass : {true, false}) {
    std::vector<const config::DhcpHost*> pass;
    for (const auto& host : config.hosts) {
      if (host.filter_tags.empty() == filtered_pass) continue;
      if (filtered_pass && !matches(host.filter_tags, tags)) continue;
      pass.push_back(&host);
    }
    // Later lines win within a pass: search from the back.
    const auto pick = [&](auto&& predicate) -> const config::DhcpHost* {
      for (auto it = pass.rbegin(); it != pass.rend(); ++it) {
        if (predicate(**it)) return *it;
      }
      return nullptr;
    };
    const config::DhcpHost* host = pick(id_matches);
    if (host == nullptr) host = pick(exact_mac);
    if (host == nullptr) host = pick(name_matches);
    if (host == nullptr) {
      std::size_t best = 0;
      for (auto it = pass.rbegin(); it != pass.rend(); ++it) {
        for (const auto& hw : (*it)->hardware_addresses) {
          if (is_wildcard(hw) && hardware_matches(hw, request) && fixed_bytes(hw) + 1 > best) {
            best = fixed_bytes(hw) + 1;
            host = *it;
          }
        }
      }
    }
    if (host == nullptr) continue;
    if (on_our_subnets(*host)) return {host, false};
    found.known_elsewhere = true;
  }
  return found;
}

void add_request_tags(const Config& config, const Packet& request, TagSet& tags) {
  for (const auto& rule : reversed(config.relay_agent_matches)) {
    const auto sub = relay_sub_option(request, rule.sub_option);
    if (sub && std::equal(sub->begin(), sub->end(), rule.value.begin(), rule.value.end())) {
      tags.add(rule.set_tag);
    }
  }
  for (const auto& rule : reversed(config.mac_matches)) {
    if (hardware_matches(rule.address, request)) tags.add(rule.set_tag);
  }
  for (const auto& rule : reversed(config.matches)) {
    if (rule.vendor_ident) {
      const auto block = vendor_ident_block(request, rule.code);
      if (block && (rule.value.kind == config::MatchValue::Kind::present || value_matches(rule.value, *block))) {
        tags.add(rule.set_tag);
      }
      continue;
    }
    const Option* option = rule.code <= 255 ? request.find(static_cast<std::uint8_t>(rule.code)) : nullptr;
    if (option != nullptr && value_matches(rule.value, option->data)) tags.add(rule.set_tag);
  }
  if (const Option* vendor = request.find(60)) {
    for (const auto& rule : reversed(config.vendor_classes)) {
      if (contains_text(vendor->data, rule.pattern)) tags.add(rule.set_tag);
    }
  }
  if (const Option* user = request.find(77)) {
    const auto normalised = normalised_user_class(user->data);
    for (const auto& rule : reversed(config.user_classes)) {
      if (contains_text(normalised, rule.pattern)) tags.add(rule.set_tag);
    }
  }
}

void add_name_tags(const Config& config, const std::string& client_name, TagSet& tags) {
  if (client_name.empty()) return;
  const auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
  };
  const std::string name = lower(client_name);
  for (const auto& rule : config.name_matches) {
    const std::string pattern = lower(rule.pattern);
    if (rule.prefix ? name.starts_with(pattern) : name == pattern) tags.add(rule.set_tag);
  }
}

std::string client_host_name(const Packet& request) {
  std::string name;
  if (const Option* fqdn = request.find(81); fqdn != nullptr && fqdn->data.size() >= 3) {
    // flags, rcode1, rcode2, then the name: wire-encoded when the E bit (0x04) is set.
    const auto& d = fqdn->data;
    if ((d[0] & 0x04) != 0) {
      for (std::size_t i = 3; i < d.size() && d[i] != 0;) {
        const std::size_t length = d[i];
        if (i + 1 + length > d.size()) break;
        if (!name.empty()) name += '.';
        name.append(d.begin() + static_cast<long>(i) + 1, d.begin() + static_cast<long>(i + 1 + length));
        i += 1 + length;
      }
    } else {
      name.assign(d.begin() + 3, d.end());
    }
  } else if (const Option* host = request.find(12)) {
    name.assign(host->data.begin(), host->data.end());
  }
  while (!name.empty() && name.back() == '\0') name.pop_back();
  if (const std::size_t dot = name.find('.'); dot != std::string::npos) name.resize(dot);
  return is_legal_host_name(name) ? name : std::string();
}

bool ignored_by_rules(const Config& config, const TagSet& tags) {
  return std::any_of(config.ignore_rules.begin(), config.ignore_rules.end(),
                     [&tags](const config::TagRule& rule) { return matches(rule.tags, tags); });
}

std::string printable(std::span<const std::uint8_t> bytes) {
  std::string out;
  for (const std::uint8_t b : bytes) {
    if (b >= 0x20 && b < 0x7F) out += static_cast<char>(b);
  }
  return out;
}

std::string colon_hex(std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) return "<null>";
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const std::uint8_t b : bytes) {
    if (!out.empty()) out += ':';
    out += kDigits[b >> 4];
    out += kDigits[b & 0x0F];
  }
  return out;
}

}  // namespace pxemasq::dhcp
