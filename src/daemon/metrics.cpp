#include "daemon/metrics.hpp"

#include <array>
#include <cstdio>

namespace pxemasq::daemon {
namespace {

constexpr std::array<const char*, 9> kTypeNames{"bootp", "discover", "offer", "request", "decline",
                                                "ack", "nak", "release", "inform"};

class Writer {
 public:
  void family(const char* name, const char* type, const char* help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }
  void sample(const char* name, const std::string& labels, double value) {
    std::array<char, 32> number{};
    std::snprintf(number.data(), number.size(), "%.17g", value);
    out_ += name;
    if (!labels.empty()) out_ += '{' + labels + '}';
    out_ += ' ';
    out_ += number.data();
    out_ += '\n';
  }
  void sample(const char* name, const std::string& labels, std::uint64_t value) {
    out_ += name;
    if (!labels.empty()) out_ += '{' + labels + '}';
    out_ += ' ' + std::to_string(value) + '\n';
  }
  [[nodiscard]] std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

std::string label(const char* name, std::string_view value) {
  return std::string(name) + "=\"" + escape_label_value(value) + '"';
}

void dhcp_metrics(Writer& w, const MetricsSnapshot& s) {
  const DhcpCounters& c = s.dhcp_counters;
  w.family("pxemasq_dhcp_packets_received_total", "counter", "DHCP/BOOTP datagrams received on port 67.");
  w.sample("pxemasq_dhcp_packets_received_total", "", c.received);
  w.family("pxemasq_dhcp_requests_total", "counter", "Well-formed requests by DHCP message type.");
  for (std::size_t i = 0; i < kTypeNames.size(); ++i) {
    if (i == 2 || i == 5 || i == 6) continue;  // server messages
    w.sample("pxemasq_dhcp_requests_total", std::string("type=\"") + kTypeNames[i] + "\"", c.requests_by_type[i]);
  }
  w.family("pxemasq_dhcp_replies_total", "counter", "Replies sent, by DHCP message type.");
  for (const std::size_t i : {0U, 2U, 5U, 6U}) {
    w.sample("pxemasq_dhcp_replies_total", std::string("type=\"") + kTypeNames[i] + "\"", c.replies_by_type[i]);
  }
  w.family("pxemasq_dhcp_dropped_total", "counter", "Datagrams dropped without a reply, by reason.");
  w.sample("pxemasq_dhcp_dropped_total", "reason=\"malformed\"", c.dropped_malformed);
  w.sample("pxemasq_dhcp_dropped_total", "reason=\"interface\"", c.dropped_interface);
  w.family("pxemasq_dhcp_send_errors_total", "counter", "Replies the kernel refused to send.");
  w.sample("pxemasq_dhcp_send_errors_total", "", c.send_errors);
  w.family("pxemasq_dhcp_conflict_probes_total", "counter", "ICMP echo probes before offers, by result.");
  w.sample("pxemasq_dhcp_conflict_probes_total", "result=\"answered\"", c.probes_answered);
  w.sample("pxemasq_dhcp_conflict_probes_total", "result=\"unanswered\"", c.probes - c.probes_answered);
  w.family("pxemasq_dhcp_leases", "gauge", "Leases in the lease table.");
  w.sample("pxemasq_dhcp_leases", "", static_cast<std::uint64_t>(s.leases));
  w.family("pxemasq_dhcp_range_leases", "gauge", "Leases whose address lies in each dhcp-range.");
  for (const auto& range : s.leases_per_range) {
    w.sample("pxemasq_dhcp_range_leases", label("range", range.range), static_cast<std::uint64_t>(range.leases));
  }
}

void tftp_file_metrics(Writer& w, const FileCounts& files) {
  const std::string limit = std::to_string(files.max_named());
  const std::string transfers_help =
      "TFTP transfers by file and how they ended (size probes excepted); the first " + limit +
      " paths requested have their own series, later ones count as file=\"other\".";
  w.family("pxemasq_tftp_file_transfers_total", "counter", transfers_help.c_str());
  const auto transfers = [&w](const std::string& file, const FileCount& count) {
    w.sample("pxemasq_tftp_file_transfers_total", file + ",result=\"completed\"", count.completed);
    w.sample("pxemasq_tftp_file_transfers_total", file + ",result=\"failed\"", count.failed);
  };
  for (const auto& [path, count] : files.named()) transfers(label("file", path), count);
  transfers(label("file", "other"), files.other());
  const std::string bytes_help = "File bytes the TFTP clients acknowledged, by file (the same " +
                                 limit + " paths, then file=\"other\").";
  w.family("pxemasq_tftp_file_bytes_total", "counter", bytes_help.c_str());
  for (const auto& [path, count] : files.named()) {
    w.sample("pxemasq_tftp_file_bytes_total", label("file", path), count.bytes);
  }
  w.sample("pxemasq_tftp_file_bytes_total", label("file", "other"), files.other().bytes);
}

void tftp_metrics(Writer& w, const MetricsSnapshot& s) {
  const TftpCounters& c = s.tftp_counters;
  w.family("pxemasq_tftp_requests_total", "counter", "Datagrams received on port 69.");
  w.sample("pxemasq_tftp_requests_total", "", c.received);
  w.family("pxemasq_tftp_transfers_running", "gauge", "TFTP transfers in progress.");
  w.sample("pxemasq_tftp_transfers_running", "", static_cast<std::uint64_t>(s.transfers_running));
  w.family("pxemasq_tftp_transfers_total", "counter", "TFTP transfers, by how they ended.");
  w.sample("pxemasq_tftp_transfers_total", "result=\"started\"", c.started);
  w.sample("pxemasq_tftp_transfers_total", "result=\"completed\"", c.completed);
  w.sample("pxemasq_tftp_transfers_total", "result=\"failed\"", c.failed);
  w.family("pxemasq_tftp_transfer_failures_total", "counter",
           "Failed TFTP transfers by how they ended (size_probe: the client's ERROR answered the OACK).");
  w.sample("pxemasq_tftp_transfer_failures_total", "reason=\"timeout\"", c.failed_timeout);
  w.sample("pxemasq_tftp_transfer_failures_total", "reason=\"client_error\"", c.failed_client_error);
  w.sample("pxemasq_tftp_transfer_failures_total", "reason=\"size_probe\"", c.size_probes);
  w.sample("pxemasq_tftp_transfer_failures_total", "reason=\"read_error\"", c.failed_read);
  w.family("pxemasq_tftp_refused_total", "counter", "Requests answered with an error before any transfer.");
  w.sample("pxemasq_tftp_refused_total", "reason=\"error\"", c.refused);
  w.sample("pxemasq_tftp_refused_total", "reason=\"busy\"", c.busy);
  w.sample("pxemasq_tftp_refused_total", "reason=\"interface\"", c.dropped_interface);
  w.family("pxemasq_tftp_bytes_sent_total", "counter",
           "DATA payload bytes sent over TFTP, resends included (added when a transfer ends).");
  w.sample("pxemasq_tftp_bytes_sent_total", "", c.bytes_sent);
  w.family("pxemasq_tftp_blocks_resent_total", "counter",
           "DATA blocks sent again, after a timeout or a short windowsize ACK.");
  w.sample("pxemasq_tftp_blocks_resent_total", "", c.blocks_resent);
  w.family("pxemasq_tftp_timeouts_total", "counter",
           "Retransmission timer expiries that resent a window or the OACK.");
  w.sample("pxemasq_tftp_timeouts_total", "", c.timeouts);
  tftp_file_metrics(w, c.files);
}

void http_metrics(Writer& w, const MetricsSnapshot& s) {
  const HttpCounters& c = s.http;
  w.family("pxemasq_http_connections_total", "counter", "TCP connections accepted by the HTTP server.");
  w.sample("pxemasq_http_connections_total", "", c.connections);
  w.family("pxemasq_http_connections_refused_total", "counter",
           "Connections closed at once because the connection limit was reached.");
  w.sample("pxemasq_http_connections_refused_total", "", c.connections_refused);
  w.family("pxemasq_http_requests_total", "counter", "HTTP requests read (a malformed one included).");
  w.sample("pxemasq_http_requests_total", "", c.requests);
  w.family("pxemasq_http_responses_total", "counter", "HTTP responses, by status code.");
  for (const auto& [code, count] : c.by_status) {
    w.sample("pxemasq_http_responses_total", label("code", std::to_string(code)), count.responses);
  }
  w.family("pxemasq_http_response_bytes_total", "counter",
           "HTTP body bytes sent (files, error texts, /metrics), by status code.");
  for (const auto& [code, count] : c.by_status) {
    w.sample("pxemasq_http_response_bytes_total", label("code", std::to_string(code)), count.bytes);
  }
  w.family("pxemasq_http_bytes_sent_total", "counter", "File bytes sent over HTTP.");
  w.sample("pxemasq_http_bytes_sent_total", "", c.bytes_sent);
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_metrics(const MetricsSnapshot& snapshot) {
  Writer w;
  w.family("pxemasq_uptime_seconds", "gauge", "Seconds since pxemasq started.");
  w.sample("pxemasq_uptime_seconds", "", snapshot.uptime_seconds);
  if (snapshot.dhcp) dhcp_metrics(w, snapshot);
  if (snapshot.tftp) tftp_metrics(w, snapshot);
  http_metrics(w, snapshot);
  return w.take();
}

}  // namespace pxemasq::daemon
