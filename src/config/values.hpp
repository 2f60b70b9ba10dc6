#pragma once
// Value sub-syntax shared by the per-option parsers (spec §1.3): lists, numbers, times, tags,
// addresses and hex strings. All functions are pure and work on lexed text, in which quoted
// ("hidden") characters are still encoded (see config/quoting.hpp); call `unhide` before storing.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/model.hpp"

namespace pxemasq::config {

// dnsmasq's list split: cut at every comma, removing the spaces immediately around it.
// An empty input gives one empty item.
[[nodiscard]] std::vector<std::string_view> split_list(std::string_view value);

// Split off the first item only: {head, rest}; rest is nullopt when there is no comma.
struct HeadAndRest {
  std::string_view head;
  std::optional<std::string_view> rest;
};
[[nodiscard]] HeadAndRest split_first(std::string_view value);

// atoi_check: ASCII digits only (any count; quoted digits count too); the empty string is 0
// [quirk]. Saturates at INT_MAX.
[[nodiscard]] std::optional<std::uint32_t> parse_number(std::string_view text);
// atoi_check16: as parse_number, and at most 65535.
[[nodiscard]] std::optional<std::uint16_t> parse_number16(std::string_view text);

// Digits with one optional final unit letter s/m/h/d/w (either case); empty is 0.
[[nodiscard]] std::optional<std::uint32_t> parse_duration(std::string_view text);

// Strict dotted quad, as inet_pton(AF_INET).
[[nodiscard]] std::optional<Ipv4> parse_ipv4(std::string_view text);

// `tag:X` / `net:X` -> the name after the prefix; otherwise nullopt.
[[nodiscard]] std::optional<std::string_view> strip_tag_prefix(std::string_view item);
// `set:X` -> X; otherwise nullopt.
[[nodiscard]] std::optional<std::string_view> strip_set_prefix(std::string_view item);
// A tag name as written after `tag:`: leading `!` or `#` negates. The name is unhidden.
[[nodiscard]] TagCondition parse_tag_condition(std::string_view name);

// util.c:parse_hex: groups separated by `:`, `-` or space; empty groups are skipped (`01::02`);
// a group may hold several byte pairs, taken from the left, an odd last digit being a byte of
// its own (`123` = 12 03); with `allow_wildcard`, a group that is exactly `*` is a wildcard byte.
// Returns nullopt on a group holding anything but hex digits (quoted digits included) and `*`.
// Like dnsmasq, stops after `max_bytes` bytes without looking at the rest (`truncated` is set).
struct HexBytes {
  std::vector<std::uint8_t> bytes;
  std::vector<bool> wildcard;
  bool truncated = false;  // more bytes were written than `max_bytes`; they were dropped
};
[[nodiscard]] std::optional<HexBytes> parse_hex(std::string_view text, bool allow_wildcard,
                                                std::size_t max_bytes = 255);

// DHCP_CHADDR_MAX: the longest hardware address dnsmasq keeps.
inline constexpr std::size_t kMaxHardwareAddressBytes = 16;

// A MAC in dnsmasq's form: parse_hex with `*` wildcards, at most 16 bytes (more are dropped,
// as dnsmasq does), and a first group ended by `-` before any byte is the ARP hardware type
// (`06-00:20:...`; `01-02-03` = type 1, bytes 02 03; `-01:02` has no type). `truncated`, if
// given, tells whether bytes were dropped.
[[nodiscard]] std::optional<HardwareAddress> parse_hardware_address(std::string_view text,
                                                                    bool* truncated = nullptr);

// util.c:prettyprint_time: "infinite", else the non-zero parts Nd Nh Nm Ns ("" for 0).
[[nodiscard]] std::string pretty_duration(std::uint32_t seconds);

}  // namespace pxemasq::config
