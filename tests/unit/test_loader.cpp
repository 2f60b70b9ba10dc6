// The loader: file inclusion, ordering, repetition and every loader-level error (spec §1.1–1.5).

#include <gtest/gtest.h>

#include "config/loader.hpp"
#include "config/option_table.hpp"
#include "memory_source.hpp"

namespace pxemasq::config {
namespace {

using testing::MemorySource;

CommandLineItem item(std::string_view name, std::optional<std::string> value = std::nullopt) {
  const OptionSpec* spec = find_option(name);
  EXPECT_NE(spec, nullptr) << name;
  return {spec, std::move(value)};
}

LoadResult load(MemorySource& source, std::vector<CommandLineItem> command_line) {
  LoadRequest request{std::move(command_line), "/etc/dnsmasq.conf"};
  return load_config(request, source);
}

LoadResult load_file(MemorySource& source, const std::string& path) {
  return load(source, {item("conf-file", path)});
}

ConfigError error_of(const LoadResult& result) {
  const auto* error = std::get_if<ConfigError>(&result);
  EXPECT_NE(error, nullptr);
  return error != nullptr ? *error : ConfigError{};
}

const LoadedConfig& loaded_of(const LoadResult& result) {
  if (const auto* error = std::get_if<ConfigError>(&result)) {
    ADD_FAILURE() << error->format();
  }
  return std::get<LoadedConfig>(result);
}

constexpr const char* kSeed =
    "dhcp-range=192.168.1.230,192.168.1.250,255.255.255.0,12h\n"
    "interface=ens33\n"
    "dhcp-option=3,192.168.1.254\n"
    "dhcp-option=6,192.168.1.24\n"
    "enable-tftp\n"
    "tftp-root=/var/lib/tftpboot\n"
    "dhcp-boot=bootx64.efi\n"
    "log-dhcp\n";

TEST(Loader, SeedConfig) {
  MemorySource source;
  source.add_file("seed.conf", kSeed);
  const auto result = load_file(source, "seed.conf");
  const Config& config = *loaded_of(result).config;
  ASSERT_EQ(config.ranges.size(), 1U);
  EXPECT_EQ(config.ranges[0].start.to_string(), "192.168.1.230");
  EXPECT_EQ(config.ranges[0].end.to_string(), "192.168.1.250");
  EXPECT_EQ(config.ranges[0].netmask->to_string(), "255.255.255.0");
  EXPECT_EQ(config.ranges[0].lease_seconds, 43200U);
  EXPECT_EQ(config.ranges[0].origin, (Origin{"seed.conf", 1}));
  EXPECT_EQ(config.interfaces, std::vector<std::string>{"ens33"});
  EXPECT_EQ(config.options.size(), 2U);
  EXPECT_TRUE(config.tftp.enabled);
  ASSERT_EQ(config.tftp.roots.size(), 1U);
  EXPECT_EQ(config.tftp.roots[0].directory, "/var/lib/tftpboot");
  ASSERT_EQ(config.boots.size(), 1U);
  EXPECT_EQ(config.boots[0].file, "bootx64.efi");
  EXPECT_TRUE(config.log_dhcp);
  EXPECT_TRUE(loaded_of(result).warnings.empty());
}

TEST(Loader, BadOptionNamesPhysicalLine) {
  MemorySource source;
  source.add_file("x.conf", "# comment\n\nlog-dhcp\nLog-Dhcp\n");
  const auto error = error_of(load_file(source, "x.conf"));
  EXPECT_EQ(error.format(), "bad option at line 4 of x.conf");
  EXPECT_EQ(error.exit_code, 1);
  EXPECT_EQ(error.offending_text, "Log-Dhcp");
}

TEST(Loader, ValueModeErrors) {
  MemorySource source;
  source.add_file("a.conf", "log-dhcp=\n");
  source.add_file("b.conf", "log-dhcp\ndhcp-range\n");
  EXPECT_EQ(error_of(load_file(source, "a.conf")).format(), "extraneous parameter at line 1 of a.conf");
  EXPECT_EQ(error_of(load_file(source, "b.conf")).format(), "missing parameter at line 2 of b.conf");
}

TEST(Loader, MissingQuoteNamesLine) {
  MemorySource source;
  source.add_file("q.conf", "log-dhcp\ndomain=\"abc\n");
  EXPECT_EQ(error_of(load_file(source, "q.conf")).format(), "missing \" at line 2 of q.conf");
}

TEST(Loader, LongLineTailIsTheNextLine) {
  MemorySource source;
  source.add_file("l.conf", "tftp-root=/" + std::string(1013, 'a') + "log-dhcp\nnosuch\n");
  EXPECT_EQ(error_of(load_file(source, "l.conf")).format(), "bad option at line 3 of l.conf");
}

TEST(Loader, SingleValuedTwiceInFilesIsAnError) {
  MemorySource source;
  source.add_file("p.conf", "port=5\nport=x\n");
  // The repetition is detected before the value is judged [verified].
  EXPECT_EQ(error_of(load_file(source, "p.conf")).format(),
            "illegal repeated keyword at line 2 of p.conf");
  source.add_file("alias.conf", "dhcp-lease=/a\ndhcp-leasefile=/b\n");
  EXPECT_EQ(error_of(load_file(source, "alias.conf")).format(),
            "illegal repeated keyword at line 2 of alias.conf");
}

TEST(Loader, SingleValuedAcrossConfDirFragment) {
  MemorySource source;
  source.add_file("main.conf", "user=nobody\nconf-dir=d\n");
  source.add_file("d/10.conf", "log-dhcp\ngroup=x\nuser=root\n");
  EXPECT_EQ(error_of(load_file(source, "main.conf")).format(),
            "illegal repeated keyword at line 3 of d/10.conf");
}

TEST(Loader, CommandLineAndFileOnceEachFileWins) {
  MemorySource source;
  source.add_file("u.conf", "user=fromfile\n");
  const auto result = load(source, {item("user", "fromcli"), item("conf-file", "u.conf")});
  EXPECT_EQ(loaded_of(result).config->user, "fromfile");
}

TEST(Loader, SingleValuedTwiceOnCommandLine) {
  MemorySource source;
  const auto error = error_of(load(source, {item("port", "5"), item("port", "6")}));
  EXPECT_EQ(error.format(), "bad command line options: illegal repeated flag");
  const auto alias = error_of(load(source, {item("dhcp-lease", "/a"), item("dhcp-leasefile", "/b")}));
  EXPECT_EQ(alias.format(), "bad command line options: illegal repeated flag");
}

TEST(Loader, ParserErrorOnCommandLine) {
  MemorySource source;
  EXPECT_EQ(error_of(load(source, {item("dhcp-range", "")})).format(),
            "bad command line options: bad dhcp-range");
}

TEST(Loader, FlagsMayRepeat) {
  MemorySource source;
  source.add_file("f.conf", "log-dhcp\nlog-dhcp\ninterface=a\ninterface=b\n");
  const auto result = load_file(source, "f.conf");
  EXPECT_EQ(loaded_of(result).config->interfaces, (std::vector<std::string>{"a", "b"}));
}

TEST(Loader, ConfFileMissingIsExit3WithoutLine) {
  MemorySource source;
  source.add_file("m.conf", "log-dhcp\nconf-file=gone.conf\n");
  const auto error = error_of(load_file(source, "m.conf"));
  EXPECT_EQ(error.format(), "cannot read gone.conf: No such file or directory");
  EXPECT_EQ(error.exit_code, 3);
  EXPECT_EQ(error_of(load_file(source, "nope.conf")).exit_code, 3);
}

TEST(Loader, EachFileIsReadOnce) {
  MemorySource source;
  source.add_file("self.conf", "interface=a\nconf-file=self.conf\nconf-file=link.conf\n", 7);
  source.add_file("link.conf", "bogus-option\n", 7);  // a hard link to self.conf
  const auto result = load_file(source, "self.conf");
  EXPECT_EQ(loaded_of(result).config->interfaces, std::vector<std::string>{"a"});
  EXPECT_EQ(loaded_of(result).files_read, std::vector<std::string>{"self.conf"});
}

TEST(Loader, EmptyConfFileDoesNothing) {
  MemorySource source;
  source.add_file("e.conf", "conf-file=\nconf-file\nconf-dir=\n");
  EXPECT_TRUE(std::holds_alternative<LoadedConfig>(load_file(source, "e.conf")));
}

TEST(Loader, ConfDirFiltersSkipsAndSorts) {
  MemorySource source;
  source.add_file("main.conf", "conf-dir=d,*.conf,.bak.conf\n");
  source.add_file("d/b.conf", "interface=b\n");
  source.add_file("d/a.conf", "interface=a\n");
  source.add_file("d/B.conf", "interface=B\n");
  source.add_file("d/x.bak.conf", "bad\n");
  source.add_file("d/notes.txt", "bad\n");
  source.add_file("d/.hidden.conf", "bad\n");
  source.add_file("d/old.conf~", "bad\n");
  source.add_file("d/#auto.conf#", "bad\n");
  source.add_file("d/.conf", "bad\n");  // not longer than the suffix, and hidden
  source.add_special("d/sub.conf");     // a directory: skipped silently
  const auto result = load_file(source, "main.conf");
  EXPECT_EQ(loaded_of(result).config->interfaces, (std::vector<std::string>{"B", "a", "b"}));
}

TEST(Loader, ConfDirErrorNamesFragmentPath) {
  MemorySource source;
  source.add_file("main.conf", "conf-dir=d\n");
  source.add_file("d/1.conf", "log-dhcp\n");
  source.add_file("d/2.conf", "\nnosuch\n");
  EXPECT_EQ(error_of(load_file(source, "main.conf")).format(), "bad option at line 2 of d/2.conf");
}

TEST(Loader, ConfDirMissingAndDanglingEntry) {
  MemorySource source;
  source.add_file("a.conf", "conf-dir=nodir\n");
  const auto missing = error_of(load_file(source, "a.conf"));
  EXPECT_EQ(missing.format(), "cannot access directory nodir: No such file or directory");
  EXPECT_EQ(missing.exit_code, 3);
  source.add_file("b.conf", "conf-dir=d2\n");
  source.add_file("d2/a.conf", "log-dhcp\n");
  source.add_dangling("d2/b.conf");
  const auto dangling = error_of(load_file(source, "b.conf"));
  EXPECT_EQ(dangling.format(), "cannot access d2/b.conf: No such file or directory");
  EXPECT_EQ(dangling.exit_code, 3);
}

TEST(Loader, DefaultFileReadOnlyWithoutConfFile) {
  MemorySource source;
  EXPECT_TRUE(std::holds_alternative<LoadedConfig>(load(source, {})));  // absent: fine
  source.add_file("/etc/dnsmasq.conf", "interface=dflt\n");
  EXPECT_EQ(loaded_of(load(source, {})).config->interfaces, std::vector<std::string>{"dflt"});
  // A bare --conf-file counts as no -C: the default file is still read.
  EXPECT_EQ(loaded_of(load(source, {item("conf-file")})).config->interfaces,
            std::vector<std::string>{"dflt"});
  source.add_file("other.conf", "interface=other\n");
  EXPECT_EQ(loaded_of(load_file(source, "other.conf")).config->interfaces,
            std::vector<std::string>{"other"});
}

TEST(Loader, FirstConfFileIsReadLast) {
  MemorySource source;
  source.add_file("a.conf", "interface=a\n");
  source.add_file("b.conf", "interface=b\n");
  const auto result = load(source, {item("conf-file", "a.conf"), item("conf-file", "b.conf"),
                                    item("interface", "cli")});
  EXPECT_EQ(loaded_of(result).config->interfaces, (std::vector<std::string>{"b", "cli", "a"}));
}

TEST(Loader, ActionsInFilesAreIgnored) {
  MemorySource source;
  source.add_file("t.conf", "test\nhelp\nversion\n");
  const auto result = load_file(source, "t.conf");
  const auto& loaded = loaded_of(result);
  EXPECT_FALSE(loaded.test);
  EXPECT_FALSE(loaded.help);
  const auto with_test = load(source, {item("test"), item("conf-file", "t.conf")});
  EXPECT_TRUE(loaded_of(with_test).test);
}

TEST(Loader, NotServedOptionsWarnOncePerName) {
  MemorySource source;
  source.add_file("dns.conf", "port=0\nserver=1.1.1.1\nserver=8.8.8.8\nno-resolv\n");
  const auto result = load_file(source, "dns.conf");
  const auto& loaded = loaded_of(result);
  ASSERT_EQ(loaded.warnings.size(), 2U);
  EXPECT_EQ(loaded.warnings[0].origin, (Origin{"dns.conf", 2}));
  EXPECT_NE(loaded.warnings[0].message.find("server"), std::string::npos);
  EXPECT_NE(loaded.warnings[0].message.find("does not serve DNS"), std::string::npos);
  EXPECT_EQ(loaded.warnings[1].origin, (Origin{"dns.conf", 4}));
  EXPECT_EQ(loaded.config->dns_port, 0);
}

TEST(Loader, DhcpFqdnNeedsADefaultDomain) {
  MemorySource source;
  source.add_file("f.conf", "dhcp-fqdn\n");
  const auto error = error_of(load_file(source, "f.conf"));
  EXPECT_EQ(error.format(), "there must be a default domain when --dhcp-fqdn is set");
  EXPECT_EQ(error.exit_code, 1);
  source.add_file("g.conf", "dhcp-fqdn\ndomain=lab\n");
  EXPECT_TRUE(std::holds_alternative<LoadedConfig>(load_file(source, "g.conf")));
}

TEST(Loader, ErrorFormats) {
  EXPECT_EQ((ConfigError{"bad dhcp-range", Origin{"/etc/dnsmasq.conf", 3}, 1, {}, {}}).format(),
            "bad dhcp-range at line 3 of /etc/dnsmasq.conf");
  EXPECT_EQ((ConfigError{"error", Origin{}, 1, {}, {}}).format(), "bad command line options: error");
  EXPECT_EQ((ConfigError{"junk found in command line", std::nullopt, 1, {}, {}}).format(),
            "junk found in command line");
}

}  // namespace
}  // namespace pxemasq::config
