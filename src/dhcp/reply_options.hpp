#pragma once
// The options of a reply, in dnsmasq's fixed order (spec §4.8.2), with the lease time and T1/T2
// rules (§4.8.3–4.8.4), the dhcp-option precedence rules (§3.3) and dhcp-boot (§3.5).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "dhcp/classify.hpp"
#include "dhcp/packet.hpp"
#include "dhcp/tags.hpp"

namespace pxemasq::dhcp {

struct ReplyContext {
  const config::Config& config;
  const Packet& request;
  const Candidate* range = nullptr;  // nullptr: an INFORM with no range
  const TagSet& tags;                // with the range's set: tag
  const TagSet& tags_without_range;  // for dhcp-option's second-class range tag (§3.3)
  MessageType type = MessageType::ack;
  bool bootp = false;
  Ipv4 server_id;
  std::optional<std::uint32_t> lease_seconds;  // nullopt: no 51/58/59 (INFORM, BOOTP)
  bool renewing = false;                       // RENEWING/REBINDING: T1/T2 get a little fuzz
  std::string hostname;                        // option 12, when requested
};

struct ReplyContents {
  std::vector<Option> options;
  std::string file;   // header `file`
  std::string sname;  // header `sname`
  Ipv4 siaddr;        // next server
  std::vector<std::string> warnings;
};

[[nodiscard]] ReplyContents build_reply_contents(const ReplyContext& context);

// The lease time of spec §4.8.3: the dhcp-host's or the range's, shortened (never lengthened)
// by a client's option 51.
[[nodiscard]] std::uint32_t lease_time(std::uint32_t base, const Packet& request);

// Appends option `code` holding `subs` and an end sub-option 255, split into several options at
// sub-option boundaries when longer than 255 bytes (as dnsmasq does for 43 and encap: options).
void append_container(std::vector<Option>& options, std::uint8_t code,
                      const std::vector<std::vector<std::uint8_t>>& subs);

// The `vendor:` sub-options for this client (its option 60 contains the class, the tags hold),
// the latest line per code, in reverse config order; `forced` is set if one is forced.
[[nodiscard]] std::vector<std::vector<std::uint8_t>> vendor_sub_options(const config::Config& config,
                                                                        const Packet& request,
                                                                        const TagSet& tags, bool& forced);

// The dhcp-boot line that applies: the last tagged one whose tags hold, else the last untagged.
[[nodiscard]] const config::DhcpBoot* select_boot(const config::Config& config, const TagSet& tags);

}  // namespace pxemasq::dhcp
