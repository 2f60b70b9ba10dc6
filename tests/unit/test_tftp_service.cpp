// The TFTP service's pure rules (daemon/tftp_service.hpp, tftp_rules): root choice and base
// (spec §6.4), the §6.1 interface rule, the world-readable / tftp-secure rule, netascii, the
// printable filter, the not-found hint, the ARP-table MAC, the tftp-max lowering and the line
// that ends a transfer (§7.5 and the size-probe exception).

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <string>
#include <vector>

#include "daemon/tftp_service.hpp"

namespace pxemasq::daemon::tftp_rules {
namespace {

using config::Ipv4;

config::TftpRoot root(std::string directory, std::optional<std::string> interface = std::nullopt) {
  config::TftpRoot r;
  r.directory = std::move(directory);
  r.interface = std::move(interface);
  return r;
}

std::vector<std::uint8_t> bytes(std::string_view text) { return {text.begin(), text.end()}; }

TEST(TftpRules, RootForInterfaceFirstMatchThenLastGlobal) {
  config::Tftp tftp;
  tftp.roots = {root("/a"), root("/e1", "eth1"), root("/b"), root("/e1-second", "eth1"),
                root("/e2", "eth2")};
  EXPECT_EQ(select_root(tftp, "eth1")->directory, "/e1");
  EXPECT_EQ(select_root(tftp, "eth2")->directory, "/e2");
  EXPECT_EQ(select_root(tftp, "ens33")->directory, "/b");  // the last global one
  EXPECT_EQ(select_root(tftp, "eth")->directory, "/b");    // exact names only
  config::Tftp only_interface;
  only_interface.roots = {root("/e1", "eth1")};
  EXPECT_EQ(select_root(only_interface, "ens33"), nullptr);  // whole filesystem, as dnsmasq
  EXPECT_EQ(select_root(config::Tftp{}, "ens33"), nullptr);
}

TEST(TftpRules, RootBaseAsDnsmasqJoinsIt) {
  EXPECT_EQ(root_base("/srv/tftp"), "/srv/tftp/");
  EXPECT_EQ(root_base("/srv/tftp/"), "/srv/tftp/");
  EXPECT_EQ(root_base("tftp"), "/tftp/");  // relative roots are taken from `/` [quirk]
  EXPECT_EQ(root_base(""), "/");
  EXPECT_EQ(root_base("/"), "/");
}

// Found by compat/tftp (01-found-and-not-found, 06-dotdot-and-urls): the log must name the
// path as dnsmasq joins it, not the resolver's normalised one.
TEST(TftpRules, LoggedPathIsDnsmasqsJoin) {
  EXPECT_EQ(dnsmasq_path("/srv/tftp/", "a/b.bin", false), "/srv/tftp/a/b.bin");
  EXPECT_EQ(dnsmasq_path("/srv/tftp/", "/a/b.bin", false), "/srv/tftp/a/b.bin");  // one `/` off
  EXPECT_EQ(dnsmasq_path("/srv/tftp/", "//a.bin", false), "/srv/tftp//a.bin");
  EXPECT_EQ(dnsmasq_path("/srv/tftp/", "./a.bin", false), "/srv/tftp/./a.bin");
  EXPECT_EQ(dnsmasq_path("/srv/tftp/", "sub/", false), "/srv/tftp/sub/");
  EXPECT_EQ(dnsmasq_path("/srv/tftp/", "sub\\A.BIN", true), "/srv/tftp/sub/a.bin");
  EXPECT_EQ(dnsmasq_path("/srv/tftp/", "/srv/tftp/a.bin", false), "/srv/tftp/a.bin");
  EXPECT_EQ(dnsmasq_path("/srv/tftp/", "/srv/tftpx/a.bin", false), "/srv/tftp/srv/tftpx/a.bin");
  EXPECT_EQ(dnsmasq_path("/srv/tftp/", "http://10.9.9.9/x", false), "/srv/tftp/http://10.9.9.9/x");
  EXPECT_EQ(dnsmasq_path("/srv/tftp/10.0.0.5/", "/srv/tftp/10.0.0.5/a", false),
            "/srv/tftp/10.0.0.5/a");
  EXPECT_EQ(dnsmasq_path("/", "/etc/x", false), "/etc/x");  // no tftp-root
  EXPECT_EQ(dnsmasq_path("/", "etc/x", false), "/etc/x");
  EXPECT_EQ(dnsmasq_path("/r/", std::string(2000, 'a'), false).size(), 1024u);
}

TEST(TftpRules, InterfaceRuleWithoutAList) {
  config::Config config;
  const std::vector<Ipv4> addresses{Ipv4{0xC0A80146}};
  // No interface=: every interface.
  EXPECT_TRUE(tftp_allowed(config, "ens33", addresses, false, true));
  config.interfaces = {"ens33"};
  EXPECT_TRUE(tftp_allowed(config, "ens33", addresses, false, true));
  EXPECT_FALSE(tftp_allowed(config, "ens34", addresses, false, true));
  EXPECT_TRUE(tftp_allowed(config, "lo", {}, true, true));  // lo joins the interface= list
  config.except_interfaces = {"ens*"};
  EXPECT_FALSE(tftp_allowed(config, "ens33", addresses, false, true));
  config.except_interfaces.clear();
  config.no_dhcp_interfaces = {"ens33"};  // no DHCP and no TFTP there
  EXPECT_FALSE(tftp_allowed(config, "ens33", addresses, false, true));
  config.no_dhcp_interfaces.clear();
  config.no_dhcpv4_interfaces = {"ens33"};  // DHCPv4 only: TFTP stays
  EXPECT_TRUE(tftp_allowed(config, "ens33", addresses, false, true));
}

TEST(TftpRules, LoopbackToOurAddressWithListenAddress) {
  config::Config config;
  config.listen_addresses = {Ipv4{0xC0A80146}};
  // lo is not selected by a listen-address it does not hold, but a loopback request to one
  // of our addresses is served.
  const std::vector<Ipv4> loopback{Ipv4{0x7F000001}};
  const std::vector<Ipv4> other{Ipv4{0xC0A80246}};
  EXPECT_TRUE(tftp_allowed(config, "lo", loopback, true, true));
  EXPECT_FALSE(tftp_allowed(config, "lo", loopback, true, false));
  EXPECT_FALSE(tftp_allowed(config, "ens34", other, false, true));
}

TEST(TftpRules, EnableTftpListIsIndependentOfInterface) {
  config::Config config;
  config.interfaces = {"ens33"};
  config.tftp.interfaces = std::vector<std::string>{"ens3*"};
  EXPECT_TRUE(tftp_allowed(config, "ens34", {}, false, false));
  EXPECT_TRUE(tftp_allowed(config, "ens33", {}, false, false));
  EXPECT_FALSE(tftp_allowed(config, "eth0", {}, false, false));
  EXPECT_FALSE(tftp_allowed(config, "lo", {}, true, true));
  config.tftp.interfaces = std::vector<std::string>{""};  // enable-tftp= matches nothing [quirk]
  EXPECT_FALSE(tftp_allowed(config, "ens33", {}, false, false));
}

TEST(TftpRules, WorldReadableAsRootOwnerWithSecure) {
  EXPECT_FALSE(permission_refused(S_IFREG | 0644, 1000, 0, false));
  EXPECT_TRUE(permission_refused(S_IFREG | 0600, 0, 0, false));
  EXPECT_TRUE(permission_refused(S_IFREG | 0640, 0, 0, true));
  // Not root: the kernel decides readability; tftp-secure adds the owner rule.
  EXPECT_FALSE(permission_refused(S_IFREG | 0600, 1000, 1000, false));
  EXPECT_FALSE(permission_refused(S_IFREG | 0644, 1001, 1000, false));
  EXPECT_TRUE(permission_refused(S_IFREG | 0644, 1001, 1000, true));
  EXPECT_FALSE(permission_refused(S_IFREG | 0600, 1000, 1000, true));
}

TEST(TftpRules, NetasciiTurnsLfIntoCrLfOnly) {
  EXPECT_EQ(to_netascii(bytes("a\nb\r\nc\rd\n")), bytes("a\r\nb\r\r\nc\rd\r\n"));
  EXPECT_EQ(to_netascii(bytes("")), bytes(""));
  EXPECT_EQ(to_netascii(bytes("\n\n")), bytes("\r\n\r\n"));
}

TEST(TftpRules, PrintableDropsControlAndHighBytes) {
  EXPECT_EQ(printable("boot\x01.cfg\n\x7f\xff ok"), "boot.cfg ok");
  EXPECT_EQ(printable(""), "");
}

TEST(TftpRules, NotFoundHintListsSameNameElsewhere) {
  const std::vector<std::string> files{"bootx64.efi", "esxi8/boot.cfg", "esxi7/BOOT.CFG",
                                       "esxi8/b.b00", "x/y/boot.cfg", "z/boot.cfg", "boot.cfg.bak"};
  EXPECT_EQ(not_found_hint("nothing.here", files), "");
  EXPECT_EQ(not_found_hint("b.b00", files), "; esxi8/b.b00 exists");
  EXPECT_EQ(not_found_hint("esxi8/b.b00", files), "");  // itself is not a hint
  EXPECT_EQ(not_found_hint("boot.cfg", files),
            "; esxi8/boot.cfg, esxi7/BOOT.CFG, x/y/boot.cfg (and 1 more) exist");
  EXPECT_EQ(not_found_hint("sub/Bootx64.EFI", files), "; bootx64.efi exists");
  const std::vector<std::string> two{"a/k", "b/k"};
  EXPECT_EQ(not_found_hint("k", two), "; a/k, b/k exist");
  EXPECT_EQ(not_found_hint("", two), "");
}

TEST(TftpRules, MacFromArpTable) {
  const std::string table =
      "IP address       HW type     Flags       HW address            Mask     Device\n"
      "192.168.1.20     0x1         0x2         52:54:00:AA:bb:cc     *        ens33\n"
      "192.168.1.21     0x1         0x0         00:00:00:00:00:00     *        ens33\n"
      "192.168.1.22     0x20        0x2         80:00:02:08:fe:80:00  *        ib0\n";
  EXPECT_EQ(mac_from_arp_table(table, Ipv4{0xC0A80114}), "52-54-00-aa-bb-cc");
  EXPECT_EQ(mac_from_arp_table(table, Ipv4{0xC0A80115}), std::nullopt);  // incomplete
  EXPECT_EQ(mac_from_arp_table(table, Ipv4{0xC0A80116}), std::nullopt);  // not Ethernet
  EXPECT_EQ(mac_from_arp_table(table, Ipv4{0xC0A80117}), std::nullopt);
  EXPECT_EQ(mac_from_arp_table("", Ipv4{0xC0A80114}), std::nullopt);
  const std::vector<std::uint8_t> mac{0x52, 0x54, 0x00, 0xAA, 0xBB, 0x0C};
  EXPECT_EQ(dashed_mac(mac), "52-54-00-aa-bb-0c");
}

TEST(TftpRules, MaxTransfersLoweredToPortsAndFds) {
  EXPECT_EQ(effective_max_transfers(50, std::nullopt, 1024, false), 50U);
  EXPECT_EQ(effective_max_transfers(5000, std::nullopt, 1024, false), (1024U - 64U) / 2U);
  EXPECT_EQ(effective_max_transfers(5000, std::nullopt, 1024, true), 1024U - 64U);
  EXPECT_EQ(effective_max_transfers(50, std::make_pair<std::uint16_t, std::uint16_t>(7000, 7009),
                                    65536, false),
            10U);
  EXPECT_EQ(effective_max_transfers(50, std::make_pair<std::uint16_t, std::uint16_t>(7009, 7000),
                                    65536, false),
            10U);  // swapped, as dnsmasq
  // Single-port transfers use no port of the range.
  EXPECT_EQ(effective_max_transfers(50, std::make_pair<std::uint16_t, std::uint16_t>(7000, 7000),
                                    65536, true),
            50U);
  EXPECT_EQ(effective_max_transfers(0, std::nullopt, 65536, false), 0U);
  EXPECT_EQ(effective_max_transfers(50, std::nullopt, 10, false), 1U);
}

TEST(TftpRules, EndedLineFollowsDnsmasqExceptForTheProbe) {
  using tftp::Outcome;
  using tftp::Stage;
  const std::string path = "/srv/tftp/bootx64.efi";
  const std::string client = "192.168.1.231";
  EXPECT_EQ(ended_line(Outcome::completed, Stage::final_block, path, client, true),
            "sent /srv/tftp/bootx64.efi to 192.168.1.231");
  EXPECT_EQ(ended_line(Outcome::aborted_by_client, Stage::option_ack, path, client, true),
            "transfer of /srv/tftp/bootx64.efi aborted by 192.168.1.231 after the option "
            "acknowledgement (size probe, no data sent)");
  EXPECT_EQ(ended_line(Outcome::aborted_by_client, Stage::option_ack, path, client, false),
            "transfer of /srv/tftp/bootx64.efi aborted by 192.168.1.231 after the option "
            "acknowledgement (no data sent)");
  EXPECT_EQ(ended_line(Outcome::client_error, Stage::mid_file, path, client, true),
            "failed sending /srv/tftp/bootx64.efi to 192.168.1.231");
  EXPECT_EQ(ended_line(Outcome::client_error, Stage::final_block, path, client, true),
            "sent /srv/tftp/bootx64.efi to 192.168.1.231");  // dnsmasq's rule
  EXPECT_EQ(ended_line(Outcome::timed_out, Stage::mid_file, path, client, true),
            "failed sending /srv/tftp/bootx64.efi to 192.168.1.231");
  EXPECT_EQ(ended_line(Outcome::timed_out, Stage::final_block, path, client, true),
            "sent /srv/tftp/bootx64.efi to 192.168.1.231");
  EXPECT_EQ(ended_line(Outcome::timed_out, Stage::option_ack, path, client, true),
            "failed sending /srv/tftp/bootx64.efi to 192.168.1.231");  // dnsmasq: `sent`
  EXPECT_EQ(ended_line(Outcome::read_failed, Stage::final_block, path, client, true),
            "failed sending /srv/tftp/bootx64.efi to 192.168.1.231");
}

}  // namespace
}  // namespace pxemasq::daemon::tftp_rules
