// The SELinux label self-check (daemon/selinux_labels.hpp, issue 6): label strings in,
// diagnostics out, through a fake label source; then the real source's xattr and selinuxfs reads
// on a scratch tree (skipped where the kernel refuses to set security.selinux).

#include <gtest/gtest.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "config_text.hpp"
#include "daemon/selinux_labels.hpp"

namespace pxemasq::daemon {
namespace {

std::string context(const std::string& type) { return "system_u:object_r:" + type + ":s0"; }

class FakeLabels final : public LabelSource {
 public:
  bool selinux = true;
  std::map<std::string, bool> booleans{{std::string(kReadAllFilesBoolean), false}};
  std::map<std::string, std::string> labels;             // path -> context ("" = none)
  std::map<std::string, std::vector<std::string>> trees;  // root -> paths below it
  mutable int label_reads = 0;

  void set(const std::string& path, const std::string& type) { labels[path] = context(type); }

  [[nodiscard]] bool enabled() const override { return selinux; }
  [[nodiscard]] std::optional<bool> boolean(std::string_view name) const override {
    const auto it = booleans.find(std::string(name));
    if (it == booleans.end()) return std::nullopt;
    return it->second;
  }
  [[nodiscard]] std::optional<std::string> label(const std::string& path) const override {
    ++label_reads;
    const auto it = labels.find(path);
    if (it == labels.end()) return std::nullopt;
    return it->second;
  }
  [[nodiscard]] std::vector<std::string> list_tree(const std::string& root,
                                                   std::size_t limit) const override {
    const auto it = trees.find(root);
    if (it == trees.end()) return {};
    std::vector<std::string> out(it->second.begin(),
                                 it->second.begin() + static_cast<std::ptrdiff_t>(
                                                          std::min(limit, it->second.size())));
    return out;
  }
};

// The seed lab as the package installs it: every label right.
FakeLabels seed_host() {
  FakeLabels host;
  host.set("/etc/pxemasq/pxemasq.conf", "pxemasq_etc_t");
  host.set("/var/lib/pxemasq", "pxemasq_var_lib_t");
  host.set("/var/lib/tftpboot", "tftpdir_rw_t");
  host.trees["/var/lib/tftpboot"] = {"/var/lib/tftpboot/bootx64.efi", "/var/lib/tftpboot/boot.cfg",
                                     "/var/lib/tftpboot/esxi", "/var/lib/tftpboot/esxi/b.b00"};
  for (const auto& path : host.trees["/var/lib/tftpboot"]) host.set(path, "tftpdir_rw_t");
  return host;
}

const std::vector<std::string> kPackagedConfig{"/etc/pxemasq/pxemasq.conf"};

std::shared_ptr<const config::Config> config_of(const std::string& text) {
  std::string error;
  auto config = testing::load_config_text(text, &error);
  EXPECT_TRUE(config) << error;
  return config;
}

std::vector<config::Diagnostic> diagnose(const FakeLabels& host,
                                         const std::string& text = testing::kSeedConfig,
                                         const std::vector<std::string>& files = kPackagedConfig,
                                         std::size_t limit = kTftpTreeLimit) {
  const auto config = config_of(text);
  if (!config) return {};
  return diagnose_labels(survey_labels(*config, files, host, limit));
}

std::string all_text(const std::vector<config::Diagnostic>& diagnostics) {
  std::string out;
  for (const auto& diagnostic : diagnostics) out += diagnostic.message + "\n";
  return out;
}

TEST(SelinuxTypeOf, TakesTheThirdField) {
  EXPECT_EQ(type_of("system_u:object_r:tftpdir_t:s0"), "tftpdir_t");
  EXPECT_EQ(type_of("system_u:object_r:tftpdir_t:s0:c1,c2"), "tftpdir_t");
  EXPECT_EQ(type_of("system_u:object_r:tftpdir_t"), "tftpdir_t");  // no MLS level
  EXPECT_EQ(type_of(""), "unlabeled_t");
  EXPECT_EQ(type_of("garbage"), "garbage");
}

TEST(SelinuxLabels, DisabledSelinuxReadsNothingAndSaysNothing) {
  FakeLabels host = seed_host();
  host.selinux = false;
  host.set("/var/lib/tftpboot", "default_t");  // would be wrong, but SELinux is off
  EXPECT_TRUE(diagnose(host).empty());
  EXPECT_EQ(host.label_reads, 0);
}

TEST(SelinuxLabels, PackagedSeedHostIsClean) {
  const FakeLabels host = seed_host();
  EXPECT_EQ(all_text(diagnose(host)), "");
}

TEST(SelinuxLabels, MissingModuleIsOneWarningAndNoLabelReads) {
  FakeLabels host = seed_host();
  host.booleans.clear();
  const auto diagnostics = diagnose(host);
  ASSERT_EQ(diagnostics.size(), 1U);
  EXPECT_NE(diagnostics[0].message.find("pxemasq module is not installed"), std::string::npos);
  EXPECT_NE(diagnostics[0].message.find("fix: dnf install pxemasq-selinux"), std::string::npos);
  EXPECT_EQ(host.label_reads, 0);
}

// The seed's exact steps: the ESXi tree copied with `cp -a` from the mounted ISO.
TEST(SelinuxLabels, FilesCopiedFromAnIsoUnderTheStockRootNeedOnlyRestorecon) {
  FakeLabels host = seed_host();
  host.set("/var/lib/tftpboot/esxi", "iso9660_t");
  host.set("/var/lib/tftpboot/esxi/b.b00", "iso9660_t");
  const auto diagnostics = diagnose(host);
  ASSERT_EQ(diagnostics.size(), 1U) << all_text(diagnostics);
  const std::string& message = diagnostics[0].message;
  EXPECT_NE(message.find("2 of 4 paths under tftp-root /var/lib/tftpboot"), std::string::npos)
      << message;
  EXPECT_NE(message.find("iso9660_t (2, e.g. /var/lib/tftpboot/esxi is labelled "
                         "system_u:object_r:iso9660_t:s0 (iso9660_t))"),
            std::string::npos)
      << message;
  // /var/lib/tftpboot is tftpdir_rw_t in the policy already: semanage -a would fail there.
  EXPECT_NE(message.find("\n  fix: restorecon -Rv /var/lib/tftpboot\n"), std::string::npos) << message;
  EXPECT_EQ(message.find("semanage"), std::string::npos) << message;
  EXPECT_NE(message.find("-o context=system_u:object_r:tftpdir_t:s0"), std::string::npos);
  EXPECT_NE(message.find("setsebool -P pxemasq_tftp_read_all_files on"), std::string::npos);
  // Reported at the tftp-root line of the config.
  ASSERT_TRUE(diagnostics[0].origin);
  EXPECT_EQ(diagnostics[0].origin->file, "t.conf");
  EXPECT_EQ(diagnostics[0].origin->line, 6U);
}

TEST(SelinuxLabels, RootOutsideThePolicyGetsSemanageAndTheBoolean) {
  FakeLabels host = seed_host();
  host.set("/srv/boot", "default_t");
  host.trees["/srv/boot"] = {"/srv/boot/bootx64.efi", "/srv/boot/boot.cfg"};
  host.set("/srv/boot/bootx64.efi", "default_t");
  host.labels["/srv/boot/boot.cfg"] = "";  // no label at all
  const std::string text = "enable-tftp\ntftp-root=/srv/boot/\n";
  const auto diagnostics = diagnose(host, text);
  ASSERT_EQ(diagnostics.size(), 1U) << all_text(diagnostics);
  const std::string& message = diagnostics[0].message;
  EXPECT_EQ(message.substr(0, message.find('\n')),
            "SELinux: tftp-root /srv/boot is labelled system_u:object_r:default_t:s0 (default_t); "
            "pxemasq_t can only read tftpdir_t, tftpdir_rw_t, public_content_t or "
            "public_content_rw_t; below it also 2 of 2 paths: default_t (1, e.g. "
            "/srv/boot/bootx64.efi is labelled system_u:object_r:default_t:s0 (default_t)), "
            "unlabeled_t (1, e.g. /srv/boot/boot.cfg has no SELinux label (unlabeled_t))");
  EXPECT_NE(message.find("\n  fix: semanage fcontext -a -t tftpdir_t '/srv/boot(/.*)?' && "
                         "restorecon -Rv /srv/boot\n"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("\n  or, to read any non-security type: setsebool -P "
                         "pxemasq_tftp_read_all_files on"),
            std::string::npos)
      << message;
}

TEST(SelinuxLabels, TheBooleanOnSkipsTheTftpTreeButNotTheConfig) {
  FakeLabels host = seed_host();
  host.booleans[std::string(kReadAllFilesBoolean)] = true;
  host.set("/var/lib/tftpboot", "default_t");
  host.set("/etc/pxemasq/pxemasq.conf", "user_home_t");
  const auto diagnostics = diagnose(host);
  ASSERT_EQ(diagnostics.size(), 1U) << all_text(diagnostics);
  EXPECT_NE(diagnostics[0].message.find("config file /etc/pxemasq/pxemasq.conf"), std::string::npos);
  EXPECT_NE(diagnostics[0].message.find("fix: restorecon -v /etc/pxemasq/pxemasq.conf"),
            std::string::npos)
      << diagnostics[0].message;
}

TEST(SelinuxLabels, ConfigFileOutsideEtcGetsItsOwnFileContext) {
  FakeLabels host = seed_host();
  host.set("/srv/pxe/site.conf", "var_t");
  host.set("/etc/dnsmasq.conf", "dnsmasq_etc_t");  // dnsmasq's own file is fine
  const auto diagnostics =
      diagnose(host, testing::kSeedConfig, {"/etc/dnsmasq.conf", "/srv/pxe/site.conf"});
  ASSERT_EQ(diagnostics.size(), 1U) << all_text(diagnostics);
  EXPECT_EQ(diagnostics[0].message,
            "SELinux: config file /srv/pxe/site.conf is labelled system_u:object_r:var_t:s0 "
            "(var_t); pxemasq_t can only read pxemasq_etc_t, etc_t or dnsmasq_etc_t\n"
            "  fix: semanage fcontext -a -t pxemasq_etc_t '/srv/pxe/site.conf' && restorecon -v "
            "/srv/pxe/site.conf");
}

TEST(SelinuxLabels, LeaseDirectoryOfDnsmasqIsNamedOnceWithTheFix) {
  FakeLabels host = seed_host();
  host.set("/var/lib/dnsmasq", "dnsmasq_lease_t");
  host.set("/var/lib/dnsmasq/dnsmasq.leases", "dnsmasq_lease_t");
  const std::string text =
      std::string(testing::kSeedConfig) + "dhcp-leasefile=/var/lib/dnsmasq/dnsmasq.leases\n";
  const auto diagnostics = diagnose(host, text);
  ASSERT_EQ(diagnostics.size(), 1U) << all_text(diagnostics);
  EXPECT_EQ(diagnostics[0].message,
            "SELinux: lease file directory /var/lib/dnsmasq is labelled "
            "system_u:object_r:dnsmasq_lease_t:s0 (dnsmasq_lease_t); pxemasq_t can only write "
            "leases in pxemasq_var_lib_t\n"
            "  fix: semanage fcontext -a -t pxemasq_var_lib_t '/var/lib/dnsmasq(/.*)?' && "
            "restorecon -Rv /var/lib/dnsmasq");
}

TEST(SelinuxLabels, LeaseFileInASharedDirectoryIsNotRelabelled) {
  FakeLabels host = seed_host();
  host.set("/tmp", "tmp_t");
  const auto diagnostics =
      diagnose(host, std::string(testing::kSeedConfig) + "dhcp-leasefile=/tmp/x.leases\n");
  ASSERT_EQ(diagnostics.size(), 1U) << all_text(diagnostics);
  EXPECT_NE(diagnostics[0].message.find(
                "fix: keep the lease file in a directory of its own: the default "
                "/var/lib/pxemasq/pxemasq.leases"),
            std::string::npos)
      << diagnostics[0].message;
}

TEST(SelinuxLabels, LeaseFileWithAStrayLabelInTheRightDirectory) {
  FakeLabels host = seed_host();
  host.set("/var/lib/pxemasq/pxemasq.leases", "admin_home_t");  // mv'd from /root
  const auto diagnostics = diagnose(host);
  ASSERT_EQ(diagnostics.size(), 1U) << all_text(diagnostics);
  EXPECT_NE(diagnostics[0].message.find("fix: restorecon -v /var/lib/pxemasq/pxemasq.leases"),
            std::string::npos)
      << diagnostics[0].message;
}

TEST(SelinuxLabels, NoLeaseCheckWithoutDhcpOrWithLeasefileRo) {
  FakeLabels host = seed_host();
  host.set("/var/lib/pxemasq", "var_lib_t");
  EXPECT_TRUE(diagnose(host, "enable-tftp\ntftp-root=/var/lib/tftpboot\n").empty());
  EXPECT_TRUE(diagnose(host, std::string(testing::kSeedConfig) + "leasefile-ro\n").empty());
  EXPECT_EQ(diagnose(host).size(), 1U);
}

TEST(SelinuxLabels, TruncatedWalkSaysSo) {
  FakeLabels host = seed_host();
  for (const auto& path : host.trees["/var/lib/tftpboot"]) host.set(path, "default_t");
  const auto diagnostics = diagnose(host, testing::kSeedConfig, kPackagedConfig, 3);
  ASSERT_EQ(diagnostics.size(), 1U);
  EXPECT_NE(diagnostics[0].message.find("3 of the first 3 paths under tftp-root"), std::string::npos)
      << diagnostics[0].message;
}

TEST(SelinuxLabels, PathsWithSpacesAreQuotedInTheFix) {
  FakeLabels host = seed_host();
  host.set("/srv/boot images", "default_t");
  const auto diagnostics = diagnose(host, "enable-tftp\ntftp-root=/srv/boot images\n");
  ASSERT_EQ(diagnostics.size(), 1U);
  EXPECT_NE(diagnostics[0].message.find(
                "fix: semanage fcontext -a -t tftpdir_t '/srv/boot images(/.*)?' && restorecon "
                "-Rv '/srv/boot images'"),
            std::string::npos)
      << diagnostics[0].message;
}

TEST(SelinuxLabels, MissingTftpRootIsLeftToTheOtherHostCheck) {
  FakeLabels host = seed_host();
  host.labels.erase("/var/lib/tftpboot");
  EXPECT_TRUE(diagnose(host).empty());
}

// The check must name what the module really has (selinux/pxemasq.te, .fc).
TEST(SelinuxLabels, TypesAndBooleanMatchThePolicyModule) {
  auto read = [](const std::string& name) {
    std::ifstream file(std::string(PXEMASQ_SOURCE_DIR) + "/selinux/" + name);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
  };
  const std::string te = read("pxemasq.te");
  const std::string fc = read("pxemasq.fc");
  ASSERT_FALSE(te.empty());
  EXPECT_NE(te.find("gen_tunable(" + std::string(kReadAllFilesBoolean) + ", false)"), std::string::npos);
  for (const char* type : {"pxemasq_etc_t", "dnsmasq_etc_t", "tftpdir_t", "tftpdir_rw_t",
                           "pxemasq_var_lib_t", "iso9660_t"}) {
    EXPECT_NE(te.find(type), std::string::npos) << type;
  }
  EXPECT_NE(fc.find("/etc/pxemasq(/.*)?\t\t\tgen_context(system_u:object_r:pxemasq_etc_t,s0)"),
            std::string::npos);
  EXPECT_NE(fc.find("/var/lib/pxemasq(/.*)?\t\t\tgen_context(system_u:object_r:pxemasq_var_lib_t,s0)"),
            std::string::npos);
}

// ---- the real source, on a scratch tree ----------------------------------------------------

class SystemLabelSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/pxemasq-selinux-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& relative, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(dir_ + "/" + relative).parent_path());
    std::ofstream(dir_ + "/" + relative) << text;
  }
  std::string dir_;
};

TEST_F(SystemLabelSourceTest, SelinuxfsDecidesEnabledAndBooleans) {
  const SystemLabelSource absent(dir_ + "/no-selinuxfs");
  EXPECT_FALSE(absent.enabled());
  EXPECT_FALSE(absent.boolean(kReadAllFilesBoolean));

  write("selinuxfs/enforce", "1");
  write("selinuxfs/booleans/pxemasq_tftp_read_all_files", "1 1");
  write("selinuxfs/booleans/other_bool", "0 1");
  const SystemLabelSource fake(dir_ + "/selinuxfs");
  EXPECT_TRUE(fake.enabled());
  EXPECT_EQ(fake.boolean(kReadAllFilesBoolean), std::optional<bool>(true));
  EXPECT_EQ(fake.boolean("other_bool"), std::optional<bool>(false));  // current, not pending
  EXPECT_EQ(fake.boolean("no_such_bool"), std::nullopt);
}

TEST_F(SystemLabelSourceTest, ReadsTheSecurityXattr) {
  write("tftp/bootx64.efi", "loader");
  write("tftp/plain", "x");
  const std::string labelled = dir_ + "/tftp/bootx64.efi";
  const std::string value = "system_u:object_r:tftpdir_t:s0";
  // The kernel stores the context with its NUL, as SELinux itself does.
  if (::setxattr(labelled.c_str(), "security.selinux", value.c_str(), value.size() + 1, 0) != 0) {
    GTEST_SKIP() << "cannot set security.selinux here (" << std::strerror(errno)
                 << "): needs root (CAP_SYS_ADMIN) and a file system with xattrs";
  }
  const SystemLabelSource source(dir_ + "/no-selinuxfs");
  EXPECT_EQ(source.label(labelled), std::optional<std::string>(value));
  // Without SELinux in the kernel an unset attribute is ENODATA: no label. With SELinux (an EL9
  // build host) every file has one, inherited from its directory.
  const auto plain = source.label(dir_ + "/tftp/plain");
  ASSERT_TRUE(plain.has_value());
  if (::access("/sys/fs/selinux/enforce", F_OK) == 0) {
    EXPECT_NE(type_of(*plain), "unlabeled_t") << *plain;
  } else {
    EXPECT_EQ(*plain, "");
  }
  EXPECT_EQ(source.label(dir_ + "/tftp/missing"), std::nullopt);
}

TEST_F(SystemLabelSourceTest, WalksTheTreeWithinTheLimit) {
  write("tftp/a", "1");
  write("tftp/sub/b", "2");
  write("tftp/sub/deeper/c", "3");
  std::filesystem::create_directory_symlink(dir_ + "/tftp", dir_ + "/tftp/sub/loop");
  const SystemLabelSource source;
  auto paths = source.list_tree(dir_ + "/tftp", 100);
  std::sort(paths.begin(), paths.end());
  const std::string t = dir_ + "/tftp";
  EXPECT_EQ(paths, (std::vector<std::string>{t + "/a", t + "/sub", t + "/sub/b", t + "/sub/deeper",
                                             t + "/sub/deeper/c", t + "/sub/loop"}));
  EXPECT_EQ(source.list_tree(t, 2).size(), 2U);
  EXPECT_TRUE(source.list_tree(dir_ + "/missing", 100).empty());
}

}  // namespace
}  // namespace pxemasq::daemon
