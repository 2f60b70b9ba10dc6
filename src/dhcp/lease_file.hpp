#pragma once
// dnsmasq's lease-file format (spec §5), both ways. Pure: text in, values out.
//
// One IPv4 lease a line, `EXPIRY HWADDR IP HOSTNAME CLIENTID`, newest first; then the DHCPv6
// part, which pxemasq does not serve but carries through unchanged: a `duid HEX` line and v6
// lease lines `EXPIRY [T]IAID IPV6 HOSTNAME DUID`.
//
// Reading is line based (dnsmasq reads a token stream, so one short line misaligns the rest of
// its file, spec §9 item 4) but accepts everything dnsmasq writes, and also runs of blanks or
// tabs, CRLF endings and blank lines. A line that is not a lease is reported with its number and
// skipped; the rest of the file still loads.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "dhcp/lease.hpp"

namespace pxemasq::dhcp {

struct LeaseFileWarning {
  std::size_t line = 0;  // 1-based
  std::string message;   // dnsmasq's wording where it has one
  std::string text;      // the line as found (CR stripped)

  // `line 3: ignoring invalid line in lease database, bad address: 10.0.0.300`
  [[nodiscard]] std::string format() const;
  friend bool operator==(const LeaseFileWarning&, const LeaseFileWarning&) = default;
};

struct LeaseFileContents {
  std::vector<Lease> leases;  // IPv4 leases in file order (newest first); one per address
  // The `duid` line and the DHCPv6 lease lines, verbatim (CR stripped), in file order.
  std::vector<std::string> carried_lines;
  std::vector<LeaseFileWarning> warnings;
};

// dnsmasq's fatal load error: `too many stored leases` (exit 5).
struct LeaseFileError {
  std::string message;
  int exit_code = 5;
  friend bool operator==(const LeaseFileError&, const LeaseFileError&) = default;
};

using LeaseFileParse = std::variant<LeaseFileContents, LeaseFileError>;

// Parses a whole lease file. Expired leases are kept (the table prunes them, as dnsmasq does
// right after loading). More records than `max_leases` (IPv4 and IPv6 records count alike, and
// so do expired ones and repeated addresses, as dnsmasq counts them) -> LeaseFileError. A later
// line for an address an earlier (newer) line already has is reported and skipped.
[[nodiscard]] LeaseFileParse parse_lease_file(std::string_view text, std::size_t max_leases);

// One IPv4 lease line without the newline, exactly as dnsmasq writes it:
// `1732541234 52:54:00:aa:bb:cc 192.168.1.150 esxi01 01:52:54:00:aa:bb:cc`. The hardware address
// is prefixed `TT-` (htype in two hex digits) when htype != 1 or it is empty; `*` stands for no
// host name and no client-id.
[[nodiscard]] std::string format_lease_line(const Lease& lease);
// Appends the line and its newline to `out` (the writer's fast path for big tables).
void append_lease_line(std::string& out, const Lease& lease);

// The whole file: every lease of `table` newest first, then `carried_lines` unchanged, each line
// ending in a newline.
[[nodiscard]] std::string format_lease_file(const LeaseTable& table,
                                            std::span<const std::string> carried_lines = {});

}  // namespace pxemasq::dhcp
