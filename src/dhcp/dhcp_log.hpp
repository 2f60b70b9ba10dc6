#pragma once
// dnsmasq's DHCP log lines (spec §7.2–7.4), collected per request. The text is an interface that
// people and tools grep (STYLE.md §8): keep it byte for byte.

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "dhcp/engine.hpp"
#include "dhcp/packet.hpp"
#include "dhcp/tags.hpp"

namespace pxemasq::dhcp {

struct Candidate;

class DhcpLog {
 public:
  DhcpLog(const config::Config& config, const Packet& request, const Arrival& arrival)
      : config_(config), request_(request), arrival_(arrival) {}

  // `[XID ]TYPE(IFACE) [ADDR ]UID TEXT` (the space after UID is always there).
  // `always_address`: print the address even when it is 0.0.0.0.
  void packet(std::string_view type, std::optional<Ipv4> address, std::string_view text,
              bool always_address = false);
  void warning(std::string text);
  void error(std::string text);
  void set_unique_id(std::vector<std::uint8_t> id) { unique_id_ = std::move(id); }

  // log-dhcp's extra lines.
  void available_ranges(std::span<const Candidate> candidates);
  void client_classes();
  void client_name(std::string_view name);
  void tags(const TagSet& tags);
  void reply_details(const Packet& request, const Reply& reply, const EncodedReply& encoded,
                     bool with_requested_options = true);

  [[nodiscard]] std::vector<LogLine> take() { return std::move(lines_); }
  void discard() { lines_.clear(); }

 private:
  void extra(std::string text);  // only with log-dhcp, with the XID prefix
  [[nodiscard]] std::string prefix() const;

  const config::Config& config_;
  const Packet& request_;
  const Arrival& arrival_;
  std::vector<std::uint8_t> unique_id_;
  std::vector<LogLine> lines_;
};

// `requested options:` lines for a PRL, wrapped as dnsmasq does (spec §7.3 item 5).
[[nodiscard]] std::vector<std::string> requested_option_lines(std::span<const std::uint8_t> prl);
// One `sent size:` line's text for an option (spec §7.3 item 6).
[[nodiscard]] std::string sent_option_line(const Option& option);

}  // namespace pxemasq::dhcp
