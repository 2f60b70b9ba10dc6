// /metrics (daemon/metrics.hpp): the exposition text byte for byte (golden), the format's rules
// checked over a full snapshot (pxemasq_ prefix, HELP and TYPE before every family, _total on
// counters only, escaped label values, no series twice), the per-file bound
// (daemon/file_counts.hpp) and the counts read from the TFTP state machine's actions
// (daemon/tftp_tally.hpp).

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <variant>

#include "daemon/file_counts.hpp"
#include "daemon/metrics.hpp"
#include "daemon/tftp_tally.hpp"

namespace pxemasq::daemon {
namespace {

MetricsSnapshot tftp_and_http_snapshot() {
  MetricsSnapshot s;
  s.uptime_seconds = 12.5;
  s.tftp = true;
  TftpCounters& t = s.tftp_counters;
  t.received = 9;
  t.refused = 1;
  t.started = 6;
  t.completed = 4;
  t.failed = 2;
  t.failed_timeout = 1;
  t.size_probes = 1;
  t.bytes_sent = 3000;
  t.blocks_resent = 5;
  t.timeouts = 2;
  t.files = FileCounts(2);
  t.files.add("/srv/tftp/bootx64.efi", true, 1000);
  t.files.add("/srv/tftp/bootx64.efi", true, 1000);
  t.files.add("/srv/tftp/grub.cfg", false, 0);
  t.files.add("/srv/tftp/vmlinuz", true, 700);
  s.transfers_running = 1;
  s.http.connections = 3;
  s.http.requests = 4;
  s.http.bytes_sent = 4096;
  s.http.by_status[200] = {2, 4096};
  s.http.by_status[404] = {1, 10};
  s.http.by_status[206] = {1, 0};
  return s;
}

TEST(MetricsText, GoldenTftpAndHttp) {
  const char* expected = R"(# HELP pxemasq_uptime_seconds Seconds since pxemasq started.
# TYPE pxemasq_uptime_seconds gauge
pxemasq_uptime_seconds 12.5
# HELP pxemasq_tftp_requests_total Datagrams received on port 69.
# TYPE pxemasq_tftp_requests_total counter
pxemasq_tftp_requests_total 9
# HELP pxemasq_tftp_transfers_running TFTP transfers in progress.
# TYPE pxemasq_tftp_transfers_running gauge
pxemasq_tftp_transfers_running 1
# HELP pxemasq_tftp_transfers_total TFTP transfers, by how they ended.
# TYPE pxemasq_tftp_transfers_total counter
pxemasq_tftp_transfers_total{result="started"} 6
pxemasq_tftp_transfers_total{result="completed"} 4
pxemasq_tftp_transfers_total{result="failed"} 2
# HELP pxemasq_tftp_transfer_failures_total Failed TFTP transfers by how they ended (size_probe: the client's ERROR answered the OACK).
# TYPE pxemasq_tftp_transfer_failures_total counter
pxemasq_tftp_transfer_failures_total{reason="timeout"} 1
pxemasq_tftp_transfer_failures_total{reason="client_error"} 0
pxemasq_tftp_transfer_failures_total{reason="size_probe"} 1
pxemasq_tftp_transfer_failures_total{reason="read_error"} 0
# HELP pxemasq_tftp_refused_total Requests answered with an error before any transfer.
# TYPE pxemasq_tftp_refused_total counter
pxemasq_tftp_refused_total{reason="error"} 1
pxemasq_tftp_refused_total{reason="busy"} 0
pxemasq_tftp_refused_total{reason="interface"} 0
# HELP pxemasq_tftp_bytes_sent_total DATA payload bytes sent over TFTP, resends included (added when a transfer ends).
# TYPE pxemasq_tftp_bytes_sent_total counter
pxemasq_tftp_bytes_sent_total 3000
# HELP pxemasq_tftp_blocks_resent_total DATA blocks sent again, after a timeout or a short windowsize ACK.
# TYPE pxemasq_tftp_blocks_resent_total counter
pxemasq_tftp_blocks_resent_total 5
# HELP pxemasq_tftp_timeouts_total Retransmission timer expiries that resent a window or the OACK.
# TYPE pxemasq_tftp_timeouts_total counter
pxemasq_tftp_timeouts_total 2
# HELP pxemasq_tftp_file_transfers_total TFTP transfers by file and how they ended (size probes excepted); the first 2 paths requested have their own series, later ones count as file="other".
# TYPE pxemasq_tftp_file_transfers_total counter
pxemasq_tftp_file_transfers_total{file="/srv/tftp/bootx64.efi",result="completed"} 2
pxemasq_tftp_file_transfers_total{file="/srv/tftp/bootx64.efi",result="failed"} 0
pxemasq_tftp_file_transfers_total{file="/srv/tftp/grub.cfg",result="completed"} 0
pxemasq_tftp_file_transfers_total{file="/srv/tftp/grub.cfg",result="failed"} 1
pxemasq_tftp_file_transfers_total{file="other",result="completed"} 1
pxemasq_tftp_file_transfers_total{file="other",result="failed"} 0
# HELP pxemasq_tftp_file_bytes_total File bytes the TFTP clients acknowledged, by file (the same 2 paths, then file="other").
# TYPE pxemasq_tftp_file_bytes_total counter
pxemasq_tftp_file_bytes_total{file="/srv/tftp/bootx64.efi"} 2000
pxemasq_tftp_file_bytes_total{file="/srv/tftp/grub.cfg"} 0
pxemasq_tftp_file_bytes_total{file="other"} 700
# HELP pxemasq_http_connections_total TCP connections accepted by the HTTP server.
# TYPE pxemasq_http_connections_total counter
pxemasq_http_connections_total 3
# HELP pxemasq_http_connections_refused_total Connections closed at once because the connection limit was reached.
# TYPE pxemasq_http_connections_refused_total counter
pxemasq_http_connections_refused_total 0
# HELP pxemasq_http_requests_total HTTP requests read (a malformed one included).
# TYPE pxemasq_http_requests_total counter
pxemasq_http_requests_total 4
# HELP pxemasq_http_responses_total HTTP responses, by status code.
# TYPE pxemasq_http_responses_total counter
pxemasq_http_responses_total{code="200"} 2
pxemasq_http_responses_total{code="206"} 1
pxemasq_http_responses_total{code="404"} 1
# HELP pxemasq_http_response_bytes_total HTTP body bytes sent (files, error texts, /metrics), by status code.
# TYPE pxemasq_http_response_bytes_total counter
pxemasq_http_response_bytes_total{code="200"} 4096
pxemasq_http_response_bytes_total{code="206"} 0
pxemasq_http_response_bytes_total{code="404"} 10
# HELP pxemasq_http_bytes_sent_total File bytes sent over HTTP.
# TYPE pxemasq_http_bytes_sent_total counter
pxemasq_http_bytes_sent_total 4096
)";
  EXPECT_EQ(format_metrics(tftp_and_http_snapshot()), expected);
}

MetricsSnapshot full_snapshot() {
  MetricsSnapshot s = tftp_and_http_snapshot();
  s.dhcp = true;
  s.dhcp_counters.received = 10;
  s.dhcp_counters.requests_by_type[1] = 4;
  s.dhcp_counters.replies_by_type[2] = 4;
  s.leases = 3;
  s.leases_per_range = {{"192.168.1.230-192.168.1.250", 2}, {"10.0.0.10-10.0.0.20", 1}};
  s.tftp_counters.files = FileCounts();
  s.tftp_counters.files.add("/srv/tftp/bootx64.efi", true, 1000);
  s.tftp_counters.files.add("/srv/tftp/we\"ird\\na\nme", true, 1);
  return s;
}

// The exposition format's rules (Prometheus text format 0.0.4, and its naming conventions).
TEST(MetricsText, EveryFamilyFollowsTheFormatsRules) {
  const std::string text = format_metrics(full_snapshot());
  ASSERT_FALSE(text.empty());
  ASSERT_EQ(text.back(), '\n');
  const std::regex help(R"re(# HELP (pxemasq_[a-z0-9_]+) \S.*)re");
  const std::regex type(R"re(# TYPE (pxemasq_[a-z0-9_]+) (counter|gauge))re");
  const std::regex sample(
      R"re((pxemasq_[a-z0-9_]+)(\{[a-z_]+="(?:[^"\\\n]|\\["\\n])*"(?:,[a-z_]+="(?:[^"\\\n]|\\["\\n])*")*\})? [0-9.e+-]+)re");
  std::istringstream lines(text);
  std::string line;
  std::string helped;
  std::string family;
  std::string family_type;
  std::set<std::string> families;
  std::set<std::string> series;
  std::smatch m;
  while (std::getline(lines, line)) {
    if (std::regex_match(line, m, help)) {
      helped = m[1];
      EXPECT_TRUE(families.insert(helped).second) << "family twice: " << line;
    } else if (std::regex_match(line, m, type)) {
      EXPECT_EQ(m[1], helped) << "TYPE without its HELP: " << line;
      family = m[1];
      family_type = m[2];
      const bool total = family.size() > 6 && family.compare(family.size() - 6, 6, "_total") == 0;
      EXPECT_EQ(total, family_type == "counter") << "_total iff counter: " << line;
    } else if (std::regex_match(line, m, sample)) {
      EXPECT_EQ(m[1], family) << "sample outside its family: " << line;
      EXPECT_TRUE(series.insert(line.substr(0, line.rfind(' '))).second)
          << "series twice: " << line;
    } else {
      ADD_FAILURE() << "not a HELP, TYPE or sample line: " << line;
    }
  }
  EXPECT_NE(text.find(R"(file="/srv/tftp/we\"ird\\na\nme")"), std::string::npos) << text;
  EXPECT_NE(text.find("pxemasq_dhcp_range_leases{range=\"10.0.0.10-10.0.0.20\"} 1\n"),
            std::string::npos);
}

// man/pxemasq.8 METRICS lists every family the daemon can expose.
TEST(MetricsText, EveryFamilyIsInTheManPage) {
  std::ifstream page(std::string(PXEMASQ_SOURCE_DIR) + "/man/pxemasq.8");
  ASSERT_TRUE(page) << "man/pxemasq.8";
  std::string line;
  bool in_section = false;
  std::set<std::string> documented;
  const std::regex item(R"re(^\.BR? (pxemasq_[a-z0-9_]+)(?: .*)?$)re");
  std::smatch m;
  while (std::getline(page, line)) {
    if (line.rfind(".SH ", 0) == 0) in_section = line == ".SH METRICS";
    if (in_section && std::regex_match(line, m, item)) documented.insert(m[1]);
  }
  const std::regex type(R"re(^# TYPE (pxemasq_[a-z0-9_]+) .*$)re");
  std::istringstream text(format_metrics(full_snapshot()));
  std::size_t families = 0;
  while (std::getline(text, line)) {
    if (!std::regex_match(line, m, type)) continue;
    ++families;
    EXPECT_EQ(documented.count(m[1]), 1U) << m[1] << " is not under METRICS in man/pxemasq.8";
  }
  EXPECT_GE(families, 20U);  // the full snapshot shows every service
  EXPECT_EQ(documented.size(), families) << "METRICS lists a family the daemon does not expose";
}

TEST(MetricsText, LabelValuesEscaped) {
  EXPECT_EQ(escape_label_value("plain/path.efi"), "plain/path.efi");
  EXPECT_EQ(escape_label_value("a\"b"), "a\\\"b");
  EXPECT_EQ(escape_label_value("a\\b"), "a\\\\b");
  EXPECT_EQ(escape_label_value("a\nb"), "a\\nb");
}

TEST(FileCounts, FirstNamesKeepTheirSeriesTheRestIsOther) {
  FileCounts files(3);
  for (const char* path : {"/a", "/b", "/c", "/d", "/e"}) files.add(path, true, 10);
  files.add("/a", true, 10);  // named: its own series
  files.add("/e", false, 4);  // came after the bound: other
  ASSERT_EQ(files.named().size(), 3U);
  EXPECT_EQ(files.named().at("/a"), (FileCount{2, 0, 20}));
  EXPECT_EQ(files.named().at("/b"), (FileCount{1, 0, 10}));
  EXPECT_EQ(files.named().count("/d"), 0U);
  EXPECT_EQ(files.other(), (FileCount{2, 1, 24}));
}

TEST(FileCounts, BoundHoldsUnderAStormOfNames) {
  FileCounts files;  // the default bound
  std::uint64_t total = 0;
  for (int i = 0; i < 10000; ++i) {
    files.add("/pxelinux.cfg/01-" + std::to_string(i), true, 100);
    total += 100;
  }
  EXPECT_EQ(files.named().size(), kMaxNamedFiles);
  std::uint64_t sum = files.other().bytes;
  for (const auto& [path, count] : files.named()) sum += count.bytes;
  EXPECT_EQ(sum, total);  // nothing lost to the bound
  EXPECT_EQ(files.other().completed, 10000 - kMaxNamedFiles);
  // The exposition stays bounded too: two transfer series and one byte series per name.
  MetricsSnapshot s;
  s.tftp = true;
  s.tftp_counters.files = files;
  const std::string text = format_metrics(s);
  std::size_t file_series = 0;
  for (std::size_t at = text.find("{file=\""); at != std::string::npos;
       at = text.find("{file=\"", at + 1)) {
    ++file_series;
  }
  EXPECT_EQ(file_series, 3 * (kMaxNamedFiles + 1));
}

// The counts the service takes from the state machine's actions, on a transfer driven with a
// fake clock: 10 blocks of 512 bytes (the last one short), windowsize 4.
class TallyTest : public ::testing::Test {
 protected:
  static constexpr std::uint64_t kFileSize = 9 * 512 + 100;
  tftp::TimePoint now_ = tftp::TimePoint{} + std::chrono::hours(1);
  tftp::Transfer transfer_{[] {
                             tftp::TransferSettings s;
                             s.block_size = 512;
                             s.window_size = 4;
                             s.file_size = kFileSize;
                             return s;
                           }(),
                           now_};
  ResendTally tally_;
  std::uint64_t resent_ = 0;
  unsigned timeouts_ = 0;

  void note(const tftp::Action& action) {
    if (const auto* blocks = std::get_if<tftp::SendBlocks>(&action))
      resent_ += tally_.resent(*blocks);
    timeouts_ += tally_.timeouts(transfer_);
  }
};

TEST_F(TallyTest, TimeoutAndShortAckResendsAreCounted) {
  note(transfer_.start());  // 1..4
  EXPECT_EQ(resent_, 0U);
  EXPECT_EQ(acknowledged_bytes(transfer_), 0U);
  now_ += std::chrono::milliseconds(10);
  note(transfer_.on_ack(4, now_));  // 5..8
  EXPECT_EQ(acknowledged_bytes(transfer_), 4U * 512);
  now_ = transfer_.deadline();
  note(transfer_.on_timeout(now_));  // 5..8 again
  EXPECT_EQ(resent_, 4U);
  EXPECT_EQ(timeouts_, 1U);
  now_ += std::chrono::milliseconds(10);
  note(transfer_.on_ack(6, now_));  // short ACK: 7..10, of which 7 and 8 were sent before
  EXPECT_EQ(resent_, 6U);
  EXPECT_EQ(timeouts_, 1U);  // an ACK is no timeout
  now_ += std::chrono::milliseconds(10);
  const tftp::Action last = transfer_.on_ack(10, now_);
  note(last);
  EXPECT_TRUE(std::holds_alternative<tftp::Finish>(last));
  EXPECT_EQ(resent_, 6U);
  EXPECT_EQ(acknowledged_bytes(transfer_), kFileSize);
}

TEST_F(TallyTest, OptionAckResendIsATimeoutButNoBlock) {
  tftp::TransferSettings s;
  s.block_size = 512;
  s.file_size = 100;
  s.option_ack = true;
  transfer_ = tftp::Transfer(s, now_);
  note(transfer_.start());
  now_ = transfer_.deadline();
  note(transfer_.on_timeout(now_));  // the OACK again
  EXPECT_EQ(timeouts_, 1U);
  EXPECT_EQ(resent_, 0U);
  note(transfer_.on_ack(0, now_));  // block 1, sent for the first time
  EXPECT_EQ(resent_, 0U);
  note(transfer_.on_ack(1, now_));
  EXPECT_EQ(acknowledged_bytes(transfer_), 100U);
}

}  // namespace
}  // namespace pxemasq::daemon
