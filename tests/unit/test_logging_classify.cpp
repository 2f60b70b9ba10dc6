// daemon::classify_log_line / complete_log_fields: the journal fields read back from dnsmasq's
// line forms (spec §7.2 packet lines with and without the log-dhcp XID, §7.5 TFTP lines, §7.6
// start and exit), using the lines of the spec's reference transcript (§7.7).

#include <gtest/gtest.h>

#include <string>

#include "daemon/logging.hpp"
#include "daemon/logging_classify.hpp"

namespace pxemasq::daemon {
namespace {

struct Expected {
  const char* tag;
  const char* message;
  LogEvent event;
  const char* mac;
  const char* ip;
  const char* iface;
  const char* file;
};

void PrintTo(const Expected& expected, std::ostream* out) {
  *out << expected.message;
}

class ClassifyLine : public ::testing::TestWithParam<Expected> {};

TEST_P(ClassifyLine, Fields) {
  const Expected& want = GetParam();
  const LogFields got = classify_log_line(want.tag, want.message);
  EXPECT_EQ(log_event_name(got.event), log_event_name(want.event));
  EXPECT_EQ(got.mac, want.mac);
  EXPECT_EQ(got.ip, want.ip);
  EXPECT_EQ(got.iface, want.iface);
  EXPECT_EQ(got.file, want.file);
}

constexpr const char* kDhcp = kDhcpLoggerName;
constexpr const char* kTftp = kTftpLoggerName;
constexpr const char* kMain = kMainLoggerName;
constexpr const char* kMac = "52:54:00:aa:bb:cc";

INSTANTIATE_TEST_SUITE_P(
    DhcpLines, ClassifyLine,
    ::testing::Values(
        Expected{kDhcp, "DHCPDISCOVER(ens33) 52:54:00:aa:bb:cc ", LogEvent::dhcp_other, kMac, "",
                 "ens33", ""},
        Expected{kDhcp, "725372254 DHCPOFFER(ens33) 192.168.1.150 52:54:00:aa:bb:cc ",
                 LogEvent::dhcp_offer, kMac, "192.168.1.150", "ens33", ""},
        Expected{kDhcp, "DHCPREQUEST(ens33) 192.168.1.150 52:54:00:aa:bb:cc ", LogEvent::dhcp_other,
                 kMac, "192.168.1.150", "ens33", ""},
        Expected{kDhcp, "DHCPACK(ens33) 192.168.1.150 52:54:00:aa:bb:cc esx01", LogEvent::dhcp_ack,
                 kMac, "192.168.1.150", "ens33", ""},
        Expected{kDhcp, "DHCPNAK(br-pxe) 10.0.0.5 52:54:00:aa:bb:cc wrong network",
                 LogEvent::dhcp_nak, kMac, "10.0.0.5", "br-pxe", ""},
        Expected{kDhcp, "DHCPRELEASE(ens33) 192.168.1.150 52:54:00:aa:bb:cc unknown lease",
                 LogEvent::dhcp_release, kMac, "192.168.1.150", "ens33", ""},
        Expected{kDhcp, "DHCPDECLINE(ens33) 192.168.1.150 52:54:00:aa:bb:cc ",
                 LogEvent::dhcp_decline, kMac, "192.168.1.150", "ens33", ""},
        Expected{kDhcp, "DHCPINFORM(ens33) 192.168.1.150 52:54:00:aa:bb:cc ", LogEvent::dhcp_inform,
                 kMac, "192.168.1.150", "ens33", ""},
        Expected{kDhcp, "DHCPDISCOVER(ens33) 52:54:00:aa:bb:cc no address available",
                 LogEvent::dhcp_no_address, kMac, "", "ens33", ""},
        Expected{kDhcp, "BOOTP(ens33) 52:54:00:aa:bb:cc no leases left", LogEvent::dhcp_no_address,
                 kMac, "", "ens33", ""},
        Expected{kDhcp, "DHCPREQUEST(ens33) <null> ", LogEvent::dhcp_other, "", "", "ens33", ""},
        Expected{kDhcp, "no address range available for DHCP request via ens34",
                 LogEvent::dhcp_no_address, "", "", "ens34", ""},
        Expected{kDhcp, "no address range available for DHCP request via 10.1.2.1",
                 LogEvent::dhcp_no_address, "", "10.1.2.1", "", ""},
        // log-dhcp's extra lines and the rest: dhcp_other without fields.
        Expected{kDhcp, "725372254 tags: efi-x86_64, ens33", LogEvent::dhcp_other, "", "", "", ""},
        Expected{kDhcp, "725372254 sent size:  4 option:  3 router  192.168.1.70",
                 LogEvent::dhcp_other, "", "", "", ""},
        Expected{kDhcp, "DHCP, IP range 192.168.1.230 -- 192.168.1.250, lease time 12h",
                 LogEvent::dhcp_other, "", "", "", ""},
        Expected{kDhcp, "DHCPFOO(ens33) 1.2.3.4 x", LogEvent::dhcp_other, "", "", "", ""},
        Expected{kDhcp, "DHCPACK(ens33)", LogEvent::dhcp_ack, "", "", "", ""},
        Expected{kDhcp, "DHCPACK(ens33) 1.2.3.999 52:54:00:aa:bb:cc ", LogEvent::dhcp_ack,
                 "1.2.3.999", "", "ens33", ""}));

INSTANTIATE_TEST_SUITE_P(
    TftpLines, ClassifyLine,
    ::testing::Values(
        Expected{kTftp, "sent /srv/tftp/esxi8/mboot.efi to 192.168.1.150", LogEvent::tftp_sent, "",
                 "192.168.1.150", "", "/srv/tftp/esxi8/mboot.efi"},
        Expected{kTftp, "sent /srv/tftp/a to b/c.cfg to 192.168.1.150", LogEvent::tftp_sent, "",
                 "192.168.1.150", "", "/srv/tftp/a to b/c.cfg"},
        Expected{kTftp, "failed sending /srv/tftp/boot.cfg to 10.0.0.2", LogEvent::tftp_failed, "",
                 "10.0.0.2", "", "/srv/tftp/boot.cfg"},
        Expected{kTftp,
                 "file /srv/tftp/http://192.168.1.70/esxi8/b.b00 not found for 192.168.1.150 "
                 "(requested as http://192.168.1.70/esxi8/b.b00)",
                 LogEvent::tftp_not_found, "", "192.168.1.150", "",
                 "/srv/tftp/http://192.168.1.70/esxi8/b.b00"},
        Expected{kTftp, "error 8 User aborted the transfer received from 192.168.1.150",
                 LogEvent::tftp_error_received, "", "192.168.1.150", "", ""},
        Expected{kTftp, "cannot access /srv/tftp/secret: Permission denied", LogEvent::tftp_refused,
                 "", "", "", "/srv/tftp/secret"},
        Expected{kTftp, "unsupported request from 10.0.0.9", LogEvent::tftp_refused, "", "10.0.0.9",
                 "", ""},
        Expected{kTftp,
                 "maximum simultaneous TFTP transfers (50) reached: refused /srv/tftp/x from "
                 "10.0.0.9",
                 LogEvent::tftp_refused, "", "10.0.0.9", "", "/srv/tftp/x"},
        Expected{kTftp, "cannot read /srv/tftp/d: Is a directory", LogEvent::tftp_other, "", "", "",
                 ""},
        Expected{kTftp, "TFTP root is /srv/tftp  ", LogEvent::tftp_other, "", "", "", ""}));

INSTANTIATE_TEST_SUITE_P(
    MainLines, ClassifyLine,
    ::testing::Values(
        Expected{kMain, "started, version 0.1.0 DNS disabled", LogEvent::started, "", "", "", ""},
        Expected{kMain, "FAILED to start up", LogEvent::startup_failed, "", "", "", ""},
        Expected{kMain, "exiting on receipt of SIGTERM", LogEvent::exiting, "", "", "", ""},
        Expected{kMain, "sent /x to 1.2.3.4", LogEvent::generic, "", "", "", ""},
        Expected{"other", "DHCPACK(ens33) 1.2.3.4 52:54:00:aa:bb:cc ", LogEvent::generic, "", "",
                 "", ""}));

TEST(CompleteLogFields, TheCallSiteWins) {
  const std::string line = "DHCPACK(ens33) 192.168.1.150 52:54:00:aa:bb:cc ";
  const LogFields from_text = complete_log_fields({}, kDhcp, line);
  EXPECT_EQ(from_text.event, LogEvent::dhcp_ack);
  EXPECT_EQ(from_text.mac, kMac);
  const LogFields given{LogEvent::generic, "", "", "", "bootx64.efi"};
  const LogFields merged = complete_log_fields(given, kDhcp, line);
  EXPECT_EQ(merged.event, LogEvent::dhcp_ack);
  EXPECT_EQ(merged.file, "bootx64.efi");
  EXPECT_EQ(merged.ip, "192.168.1.150");
  const LogFields reload{LogEvent::config_reload_failed, "", "", "", "/etc/pxemasq.conf"};
  const LogFields kept = complete_log_fields(reload, kMain, "bad dhcp-range at line 3 of x");
  EXPECT_EQ(kept.event, LogEvent::config_reload_failed);
  EXPECT_EQ(kept.file, "/etc/pxemasq.conf");
}

}  // namespace
}  // namespace pxemasq::daemon
