// The pure decisions of the process model (issue 5): run mode, pid file, whom to become, the
// capabilities kept, socket activation's classification, systemd status texts, and what a
// reload cannot change.

#include <gtest/gtest.h>

#include <linux/capability.h>

#include <map>

#include "config_text.hpp"
#include "daemon/main_loop.hpp"
#include "daemon/process.hpp"
#include "daemon/socket_activation.hpp"
#include "daemon/systemd_notify.hpp"

namespace pxemasq::daemon {
namespace {

using testing::load_config_text;

std::shared_ptr<const config::Config> with(const std::string& extra) {
  std::string error;
  auto config = load_config_text(std::string(testing::kSeedConfig) + extra, &error);
  EXPECT_NE(config, nullptr) << error;
  return config;
}

class FakeUsers final : public UserDatabase {
 public:
  std::map<std::string, User> users;
  std::map<std::string, gid_t> groups;
  [[nodiscard]] std::optional<User> user(const std::string& name) const override {
    auto it = users.find(name);
    return it == users.end() ? std::nullopt : std::optional<User>(it->second);
  }
  [[nodiscard]] std::optional<gid_t> group(const std::string& name) const override {
    auto it = groups.find(name);
    return it == groups.end() ? std::nullopt : std::optional<gid_t>(it->second);
  }
};

TEST(ProcessMode, DaemonUnlessKeepInForegroundOrNoDaemon) {
  EXPECT_EQ(process_mode(*with("")), ProcessMode::daemon);
  EXPECT_EQ(process_mode(*with("keep-in-foreground\n")), ProcessMode::keep_in_foreground);
  EXPECT_EQ(process_mode(*with("no-daemon\n")), ProcessMode::no_daemon);
  EXPECT_EQ(process_mode(*with("keep-in-foreground\nno-daemon\n")), ProcessMode::no_daemon);
}

TEST(PidFile, DefaultConfiguredBareAndUnderNoDaemon) {
  EXPECT_EQ(pid_file_path(*with("")), std::optional<std::string>(kDefaultPidFile));
  EXPECT_EQ(pid_file_path(*with("pid-file=/run/x.pid\n")), std::optional<std::string>("/run/x.pid"));
  EXPECT_EQ(pid_file_path(*with("pid-file\n")), std::nullopt);
  // dnsmasq -d writes no pid file.
  EXPECT_EQ(pid_file_path(*with("no-daemon\npid-file=/run/x.pid\n")), std::nullopt);
}

TEST(RunAs, DefaultUserIsPxemasqThenNobody) {
  FakeUsers users;
  users.users["nobody"] = {65534, 65534};
  auto decided = decide_run_as(*with(""), 0, users);
  ASSERT_TRUE(std::holds_alternative<std::optional<RunAs>>(decided));
  auto run_as = std::get<std::optional<RunAs>>(decided);
  ASSERT_TRUE(run_as);
  EXPECT_EQ(run_as->user, "nobody");
  users.users["pxemasq"] = {990, 985};
  run_as = std::get<std::optional<RunAs>>(decide_run_as(*with(""), 0, users));
  ASSERT_TRUE(run_as);
  EXPECT_EQ(run_as->user, "pxemasq");
  EXPECT_EQ(run_as->uid, 990U);
  EXPECT_EQ(run_as->gid, 985U);  // the user's primary group
  EXPECT_TRUE(run_as->change_group);
}

TEST(RunAs, NothingWhenNotRootUnderNoDaemonOrEmptyUser) {
  FakeUsers users;
  users.users["nobody"] = {65534, 65534};
  EXPECT_FALSE(std::get<std::optional<RunAs>>(decide_run_as(*with(""), 1000, users)));
  EXPECT_FALSE(std::get<std::optional<RunAs>>(decide_run_as(*with("no-daemon\n"), 0, users)));
  EXPECT_FALSE(std::get<std::optional<RunAs>>(decide_run_as(*with("user=\n"), 0, users)));
}

TEST(RunAs, ConfiguredGroupAndEmptyGroup) {
  FakeUsers users;
  users.users["tftp"] = {500, 500};
  users.groups["dip"] = 30;
  auto run_as = std::get<std::optional<RunAs>>(decide_run_as(*with("user=tftp\ngroup=dip\n"), 0, users));
  ASSERT_TRUE(run_as);
  EXPECT_EQ(run_as->gid, 30U);
  run_as = std::get<std::optional<RunAs>>(decide_run_as(*with("user=tftp\ngroup=\n"), 0, users));
  ASSERT_TRUE(run_as);
  EXPECT_FALSE(run_as->change_group);
}

TEST(RunAs, UnknownUserOrGroupIsDnsmasqsError) {
  FakeUsers users;
  users.users["tftp"] = {500, 500};
  auto decided = decide_run_as(*with("user=ghost\n"), 0, users);
  ASSERT_TRUE(std::holds_alternative<ProcessError>(decided));
  EXPECT_EQ(std::get<ProcessError>(decided).message, "unknown user or group: ghost");
  EXPECT_EQ(std::get<ProcessError>(decided).exit_code, 1);
  decided = decide_run_as(*with("user=tftp\ngroup=ghosts\n"), 0, users);
  ASSERT_TRUE(std::holds_alternative<ProcessError>(decided));
  EXPECT_EQ(std::get<ProcessError>(decided).message, "unknown user or group: ghosts");
}

TEST(Capabilities, ExactlyTheThreeNetworkOnes) {
  const std::uint64_t kept = kept_capabilities();
  EXPECT_EQ(kept, (1ULL << CAP_NET_BIND_SERVICE) | (1ULL << CAP_NET_ADMIN) | (1ULL << CAP_NET_RAW));
  EXPECT_EQ(capability_names(kept), "cap_net_bind_service,cap_net_admin,cap_net_raw");
  EXPECT_EQ(capability_names(0), "none");
}

PassedSocketFacts facts(int fd, std::string name, std::uint16_t port, bool udp = true) {
  return PassedSocketFacts{fd, std::move(name), udp, port};
}

TEST(SocketActivation, ByNameOrByPort) {
  auto passed = classify_passed_sockets({facts(3, "dhcp", 67), facts(4, "tftp", 69), facts(5, "pxe", 4011)}, {});
  ASSERT_TRUE(std::holds_alternative<PassedSockets>(passed));
  EXPECT_EQ(std::get<PassedSockets>(passed).dhcp, 3);
  EXPECT_EQ(std::get<PassedSockets>(passed).tftp, 4);
  EXPECT_EQ(std::get<PassedSockets>(passed).pxe, 5);
  // systemd's default name is the unit's: then the port decides.
  passed = classify_passed_sockets({facts(3, "pxemasq.socket", 69), facts(4, "unknown", 67)}, {});
  ASSERT_TRUE(std::holds_alternative<PassedSockets>(passed));
  EXPECT_EQ(std::get<PassedSockets>(passed).tftp, 3);
  EXPECT_EQ(std::get<PassedSockets>(passed).dhcp, 4);
  EXPECT_FALSE(std::get<PassedSockets>(passed).pxe);
}

TEST(SocketActivation, PerInterfaceNames) {
  auto passed = classify_passed_sockets({facts(3, "dhcp@ens33", 67), facts(4, "tftp@ens33", 69)}, {});
  ASSERT_TRUE(std::holds_alternative<PassedSockets>(passed));
  EXPECT_EQ(std::get<PassedSockets>(passed).dhcp, 3);
  EXPECT_EQ(std::get<PassedSockets>(passed).tftp, 4);
  EXPECT_EQ(device_of("dhcp@ens33"), std::optional<std::string>("ens33"));
  EXPECT_EQ(device_of("dhcp"), std::nullopt);
  // Two interfaces' DHCP sockets: refused with the way out.
  passed = classify_passed_sockets({facts(3, "dhcp@ens33", 67), facts(4, "dhcp@ens34", 67)}, {});
  ASSERT_TRUE(std::holds_alternative<ActivationError>(passed));
  EXPECT_NE(std::get<ActivationError>(passed).message.find("one socket per service"), std::string::npos);
}

TEST(SocketActivation, AlternatePortFollowsTheConfiguration) {
  ServicePorts ports;
  ports.dhcp = 1067;
  auto passed = classify_passed_sockets({facts(3, "x", 1067)}, ports);
  ASSERT_TRUE(std::holds_alternative<PassedSockets>(passed));
  EXPECT_EQ(std::get<PassedSockets>(passed).dhcp, 3);
}

TEST(SocketActivation, RefusesWhatDoesNotFit) {
  const auto refused = [](std::vector<PassedSocketFacts> sockets) {
    auto passed = classify_passed_sockets(sockets, {});
    return std::holds_alternative<ActivationError>(passed) ? std::get<ActivationError>(passed).message
                                                           : std::string();
  };
  EXPECT_NE(refused({facts(3, "dhcp", 67, false)}).find("is not an IPv4 UDP socket"), std::string::npos);
  EXPECT_NE(refused({facts(3, "mdns", 5353)}).find("matches no service"), std::string::npos);
  EXPECT_NE(refused({facts(3, "dhcp", 69)}).find("named for DHCP (port 67) but bound to another port"),
            std::string::npos);
  EXPECT_NE(refused({facts(3, "dhcp", 67), facts(4, "x", 67)}).find("a second socket for DHCP"),
            std::string::npos);
  EXPECT_NE(refused({facts(7, "mdns", 5353)}).find("(fd 7, name \"mdns\", port 5353)"), std::string::npos);
  EXPECT_TRUE(refused({}).empty());
}

TEST(SystemdStatus, SummaryOfWhatRuns) {
  EXPECT_EQ(status_text({1, 0, true, true, 0}), "DHCP: 1 range, 0 leases; TFTP: 0 transfers");
  EXPECT_EQ(status_text({2, 1, true, true, 1}), "DHCP: 2 ranges, 1 lease; TFTP: 1 transfer");
  EXPECT_EQ(status_text({0, 0, false, true, 3}), "TFTP: 3 transfers");
  EXPECT_EQ(status_text({}), "no service configured");
  EXPECT_EQ(reloading_message(42), "RELOADING=1\nMONOTONIC_USEC=42\nSTATUS=reloading the configuration");
}

TEST(Reload, SettingsThatNeedARestart) {
  const auto running = with("");
  EXPECT_TRUE(settings_needing_restart(*running, *with("dhcp-boot=other.efi\n")).empty());
  EXPECT_TRUE(settings_needing_restart(*running, *with("dhcp-range=10.0.0.1,10.0.0.9\n")).empty());
  EXPECT_EQ(settings_needing_restart(*running, *with("dhcp-leasefile=/tmp/l\n")),
            std::vector<std::string>{"dhcp-leasefile"});
  EXPECT_EQ(settings_needing_restart(*running, *with("user=x\nno-ping\n")),
            (std::vector<std::string>{"no-ping", "user/group"}));
}

}  // namespace
}  // namespace pxemasq::daemon
