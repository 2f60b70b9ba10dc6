// The pure half of the HTTP server (issue 8): request targets and confinement, byte ranges,
// content types, dates; and the /metrics text.

#include <gtest/gtest.h>

#include "daemon/metrics.hpp"
#include "http/request.hpp"

namespace pxemasq::http {
namespace {

std::vector<std::string> path(std::string_view target) {
  auto resolved = resolve_target(target);
  EXPECT_TRUE(std::holds_alternative<std::vector<std::string>>(resolved)) << target;
  return std::holds_alternative<std::vector<std::string>>(resolved) ? std::get<std::vector<std::string>>(resolved)
                                                                   : std::vector<std::string>{};
}

TargetRefusal refusal(std::string_view target) {
  auto resolved = resolve_target(target);
  EXPECT_TRUE(std::holds_alternative<TargetRefusal>(resolved)) << target;
  return std::holds_alternative<TargetRefusal>(resolved) ? std::get<TargetRefusal>(resolved)
                                                         : TargetRefusal::bad_request;
}

TEST(HttpTarget, PlainPathsQueryAndEscapes) {
  EXPECT_EQ(path("/bootx64.efi"), (std::vector<std::string>{"bootx64.efi"}));
  EXPECT_EQ(path("/esxi8/boot.cfg?x=1#f"), (std::vector<std::string>{"esxi8", "boot.cfg"}));
  EXPECT_EQ(path("//esxi8/./b.b00"), (std::vector<std::string>{"esxi8", "b.b00"}));
  EXPECT_EQ(path("/my%20file"), (std::vector<std::string>{"my file"}));
  EXPECT_EQ(path("/%41%62"), (std::vector<std::string>{"Ab"}));
  EXPECT_EQ(path("/a..b/..c"), (std::vector<std::string>{"a..b", "..c"}));  // only `..` itself
}

TEST(HttpTarget, EveryEscapeIsRefused) {
  for (const char* target : {"/../etc/passwd", "/a/../../etc/passwd", "/a/..", "/%2e%2e/etc/passwd",
                             "/%2E%2E/x", "/.%2e/x", "/a%2f..%2fb", "/a%5c..%5cb", "/a\\..\\b", "/..",
                             "/x/%2e%2e"}) {
    EXPECT_EQ(refusal(target), TargetRefusal::forbidden) << target;
  }
  for (const char* target : {"etc/passwd", "", "http://host/x", "/a%00b", "/a%0ab", "/%zz", "/%4", "/a%"}) {
    EXPECT_EQ(refusal(target), TargetRefusal::bad_request) << target;
  }
  EXPECT_EQ(refusal("/"), TargetRefusal::not_found);
  EXPECT_EQ(refusal("/esxi8/"), TargetRefusal::not_found);
  EXPECT_EQ(refusal("/" + std::string(kMaxTargetLength, 'a')), TargetRefusal::bad_request);
}

TEST(HttpTarget, Metrics) {
  EXPECT_TRUE(is_metrics_target("/metrics"));
  EXPECT_TRUE(is_metrics_target("/metrics?name[]=x"));
  EXPECT_FALSE(is_metrics_target("/metrics/x"));
}

TEST(HttpRange, SingleRangesAsRfc9110) {
  const auto range = [](std::string_view header, std::uint64_t size) {
    auto answer = parse_range(header, size);
    EXPECT_TRUE(std::holds_alternative<ByteRange>(answer)) << header;
    return std::holds_alternative<ByteRange>(answer) ? std::get<ByteRange>(answer) : ByteRange{};
  };
  EXPECT_EQ(range("bytes=0-99", 1000).last, 99U);
  EXPECT_EQ(range("bytes=100-", 1000).first, 100U);
  EXPECT_EQ(range("bytes=100-", 1000).last, 999U);
  EXPECT_EQ(range("bytes=-10", 1000).first, 990U);
  EXPECT_EQ(range("bytes=-5000", 1000).first, 0U);
  EXPECT_EQ(range("bytes=900-5000", 1000).last, 999U);
  EXPECT_TRUE(std::holds_alternative<Unsatisfiable>(parse_range("bytes=1000-", 1000)));
  EXPECT_TRUE(std::holds_alternative<Unsatisfiable>(parse_range("bytes=-0", 1000)));
  EXPECT_TRUE(std::holds_alternative<Unsatisfiable>(parse_range("bytes=0-", 0)));
  for (const char* whole : {"", "bytes=0-1,5-6", "items=0-1", "bytes=5-1", "bytes=x-1", "bytes=-", "bytes=1"}) {
    EXPECT_TRUE(std::holds_alternative<WholeFile>(parse_range(whole, 1000))) << whole;
  }
}

TEST(HttpContentType, BootFiles) {
  EXPECT_EQ(content_type("boot.ipxe"), "text/plain");
  EXPECT_EQ(content_type("BOOT.CFG"), "text/plain");
  EXPECT_EQ(content_type("bootx64.efi"), "application/efi");
  EXPECT_EQ(content_type("b.b00"), "application/octet-stream");
  EXPECT_EQ(content_type("menu.c32"), "application/octet-stream");
}

TEST(HttpDate, Rfc9110Format) { EXPECT_EQ(http_date(1'796'151'891), "Tue, 01 Dec 2026 19:04:51 GMT"); }

}  // namespace
}  // namespace pxemasq::http

namespace pxemasq::daemon {
namespace {

TEST(Metrics, PrometheusTextWithEveryFamily) {
  MetricsSnapshot snapshot;
  snapshot.dhcp = true;
  snapshot.dhcp_counters.received = 10;
  snapshot.dhcp_counters.requests_by_type[1] = 4;
  snapshot.dhcp_counters.replies_by_type[2] = 4;
  snapshot.dhcp_counters.probes = 3;
  snapshot.dhcp_counters.probes_answered = 1;
  snapshot.leases = 2;
  snapshot.leases_per_range = {{"192.168.1.230-192.168.1.250", 2}};
  snapshot.tftp = true;
  snapshot.tftp_counters.completed = 7;
  snapshot.transfers_running = 1;
  snapshot.http.bytes_sent = 12345;
  const std::string text = format_metrics(snapshot);
  for (const char* line : {"# TYPE pxemasq_dhcp_packets_received_total counter\n",
                           "pxemasq_dhcp_packets_received_total 10\n",
                           "pxemasq_dhcp_requests_total{type=\"discover\"} 4\n",
                           "pxemasq_dhcp_replies_total{type=\"offer\"} 4\n",
                           "pxemasq_dhcp_conflict_probes_total{result=\"unanswered\"} 2\n",
                           "pxemasq_dhcp_range_leases{range=\"192.168.1.230-192.168.1.250\"} 2\n",
                           "pxemasq_tftp_transfers_total{result=\"completed\"} 7\n",
                           "pxemasq_tftp_transfers_running 1\n", "pxemasq_http_bytes_sent_total 12345\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n---\n" << text;
  }
  EXPECT_EQ(text.back(), '\n');
}

TEST(Metrics, OnlyTheServicesThatRun) {
  const std::string text = format_metrics(MetricsSnapshot{});
  EXPECT_EQ(text.find("pxemasq_dhcp_"), std::string::npos);
  EXPECT_EQ(text.find("pxemasq_tftp_"), std::string::npos);
  EXPECT_NE(text.find("pxemasq_http_"), std::string::npos);
}

}  // namespace
}  // namespace pxemasq::daemon
