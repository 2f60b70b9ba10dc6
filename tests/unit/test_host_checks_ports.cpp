// `--test` names another program holding UDP 67/69/4011 (daemon/port_holders.hpp): the
// /proc/net/udp parser, the choice of ports, the diagnosis, and the /proc scan on a fake /proc.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "config_text.hpp"
#include "daemon/port_holders.hpp"

namespace pxemasq::daemon {
namespace {

// A real /proc/net/udp (Debian 12, kernel 6.1): dnsmasq on 0.0.0.0:67 and on 127.0.0.1:53,
// chronyd on 127.0.0.1:323, one IPv4 socket without an inode (a closing one).
constexpr const char* kProcNetUdp =
    "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
    "timeout inode ref pointer drops            \n"
    "  123: 00000000:0043 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        "
    "0 23456 2 0000000000000000 0         \n"
    "  777: 0100007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   999        "
    "0 23460 2 0000000000000000 0         \n"
    "  901: 0100007F:0143 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        "
    "0 19011 2 0000000000000000 0         \n"
    "  902: 0100007F:0045 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        "
    "0 0 2 0000000000000000 0         \n"
    "garbage line\n";

TEST(ProcNetUdp, ParsesPortsAndInodes) {
  const auto bindings = parse_proc_net_udp(kProcNetUdp);
  ASSERT_EQ(bindings.size(), 3U);
  EXPECT_EQ(bindings[0].port, 67);
  EXPECT_EQ(bindings[0].inode, 23456U);
  EXPECT_EQ(bindings[1].port, 53);
  EXPECT_EQ(bindings[2].port, 323);
  EXPECT_TRUE(parse_proc_net_udp("").empty());
}

TEST(PortsNeeded, FollowTheConfiguredServices) {
  const auto seed = testing::load_config_text(testing::kSeedConfig);
  ASSERT_TRUE(seed);
  EXPECT_EQ(ports_needed(*seed), (std::vector<std::uint16_t>{67, 69}));
  const auto tftp_only = testing::load_config_text("enable-tftp\ntftp-root=/srv\n");
  ASSERT_TRUE(tftp_only);
  EXPECT_EQ(ports_needed(*tftp_only), (std::vector<std::uint16_t>{69}));
  const auto dns_only = testing::load_config_text("port=53\n");
  ASSERT_TRUE(dns_only);
  EXPECT_TRUE(ports_needed(*dns_only).empty());
}

TEST(PortHolders, DnsmasqServingDhcpIsNamedWithTheFix) {
  const auto diagnostics = diagnose_port_holders({67, 69}, {{67, 812, "dnsmasq"}});
  ASSERT_EQ(diagnostics.size(), 1U);
  EXPECT_EQ(diagnostics[0].message,
            "UDP port 67 (DHCP) is already in use by dnsmasq (pid 812): pxemasq cannot serve DHCP "
            "while it holds the port\n"
            "  fix: remove dhcp-range (and dhcp-boot, pxe-service) from dnsmasq's configuration "
            "and restart it, or stop it: systemctl disable --now dnsmasq (a dnsmasq that only "
            "serves DNS can keep running)");
}

TEST(PortHolders, TftpServerOn69) {
  const auto diagnostics = diagnose_port_holders({67, 69}, {{69, 1500, "in.tftpd"}});
  ASSERT_EQ(diagnostics.size(), 1U);
  EXPECT_NE(diagnostics[0].message.find("UDP port 69 (TFTP) is already in use by in.tftpd"),
            std::string::npos);
  EXPECT_NE(diagnostics[0].message.find("systemctl disable --now tftp.socket"), std::string::npos);
}

TEST(PortHolders, ItselfSystemdAndPortsNotNeededAreSilent) {
  EXPECT_TRUE(diagnose_port_holders({67, 69}, {{67, 1, "systemd"},     // socket activation
                                               {69, 1, "systemd"},
                                               {67, 4242, "pxemasq"},  // --test before a reload
                                               {4011, 900, "dnsmasq"}})
                  .empty());
  // The same process on two addresses of one port: one warning.
  EXPECT_EQ(diagnose_port_holders({67}, {{67, 812, "dnsmasq"}, {67, 812, "dnsmasq"}}).size(), 1U);
}

class FakeProc : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/pxemasq-proc-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    proc_ = pattern;
    std::filesystem::create_directories(proc_ + "/net");
    std::ofstream(proc_ + "/net/udp") << kProcNetUdp;
  }
  void TearDown() override { std::filesystem::remove_all(proc_); }
  void process(int pid, const std::string& comm, const std::vector<std::string>& fd_targets) {
    const std::string dir = proc_ + "/" + std::to_string(pid);
    std::filesystem::create_directories(dir + "/fd");
    std::ofstream(dir + "/comm") << comm << "\n";
    int fd = 3;
    for (const auto& target : fd_targets) {
      std::filesystem::create_symlink(target, dir + "/fd/" + std::to_string(fd++));
    }
  }
  std::string proc_;
};

TEST_F(FakeProc, FindsTheProcessHoldingTheInode) {
  process(812, "dnsmasq", {"/dev/null", "socket:[23460]", "socket:[23456]"});
  process(901, "chronyd", {"socket:[19011]"});
  process(1, "systemd", {"socket:[99999]"});
  std::filesystem::create_directories(proc_ + "/self");  // not a pid: skipped
  const auto holders = find_port_holders({67, 69}, proc_);
  ASSERT_EQ(holders.size(), 1U);
  EXPECT_EQ(holders[0].port, 67);
  EXPECT_EQ(holders[0].pid, 812);
  EXPECT_EQ(holders[0].command, "dnsmasq");
  EXPECT_TRUE(find_port_holders({4011}, proc_).empty());  // nobody on 4011: no scan
  EXPECT_TRUE(find_port_holders({}, proc_).empty());
}

}  // namespace
}  // namespace pxemasq::daemon
