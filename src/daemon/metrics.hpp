#pragma once
// /metrics in the Prometheus text exposition format (version 0.0.4), from a snapshot of the
// services' counters. Pure: the daemon takes the snapshot, this formats it.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/dhcp_service.hpp"
#include "daemon/tftp_service.hpp"

namespace pxemasq::daemon {

struct HttpStatusCount {
  std::uint64_t responses = 0;
  std::uint64_t bytes = 0;  // body bytes: files, error texts, /metrics itself
};

struct HttpCounters {
  std::uint64_t connections = 0;
  std::uint64_t connections_refused = 0;  // closed at once: over the connection limit
  std::uint64_t requests = 0;
  std::uint64_t ok = 0;            // 200 and 206
  std::uint64_t not_modified = 0;  // 304 (unused today, kept for the label set)
  std::uint64_t client_errors = 0; // 4xx
  std::uint64_t server_errors = 0; // 5xx
  std::uint64_t bytes_sent = 0;    // file body bytes
  // By exact status code; the server sends only a handful of codes, so the set is bounded.
  std::map<unsigned, HttpStatusCount> by_status;
};

struct RangeLeases {
  std::string range;  // "192.168.1.230-192.168.1.250"
  std::size_t leases = 0;
};

struct MetricsSnapshot {
  bool dhcp = false;
  DhcpCounters dhcp_counters;
  std::size_t leases = 0;
  std::vector<RangeLeases> leases_per_range;
  bool tftp = false;
  TftpCounters tftp_counters;
  std::size_t transfers_running = 0;
  HttpCounters http;
  double uptime_seconds = 0;
};

[[nodiscard]] std::string format_metrics(const MetricsSnapshot& snapshot);

// A label value as the exposition format wants it: `\`, `"` and newline escaped.
[[nodiscard]] std::string escape_label_value(std::string_view value);

}  // namespace pxemasq::daemon
