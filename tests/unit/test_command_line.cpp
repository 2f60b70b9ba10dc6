// The command line as dnsmasq's getopt_long reads it (spec §1.1, §1.7).

#include <gtest/gtest.h>

#include "config/command_line.hpp"
#include "config/option_table.hpp"

namespace pxemasq::config {
namespace {

CommandLineResult parse_words(std::vector<const char*> words) {
  words.insert(words.begin(), "pxemasq");
  return parse_command_line(words);
}

std::vector<std::string> rendered(const CommandLineResult& result) {
  std::vector<std::string> out;
  if (const auto* error = std::get_if<ConfigError>(&result)) {
    out.push_back("ERROR " + error->format());
    return out;
  }
  for (const auto& item : std::get<CommandLine>(result).items) {
    out.push_back(std::string(item.spec->name) + (item.value ? "=" + *item.value : ""));
  }
  return out;
}

using Words = std::vector<std::string>;

TEST(CommandLine, LongAndShortFormsKeepOrder) {
  EXPECT_EQ(rendered(parse_words({"--test", "-C", "a.conf", "--interface", "eth0", "-ieth1",
                                  "--port=0", "-dk"})),
            (Words{"test", "conf-file=a.conf", "interface=eth0", "interface=eth1", "port=0",
                   "no-daemon", "keep-in-foreground"}));
}

TEST(CommandLine, UnambiguousPrefixes) {
  EXPECT_EQ(rendered(parse_words({"--log-dh"})), Words{"log-dhcp"});
  EXPECT_EQ(rendered(parse_words({"--dhcp-r=1.2.3.4,1.2.3.9"})),
            Words{"ERROR bad command line options: try --help"});
  // An exact name wins over longer names it prefixes.
  EXPECT_EQ(rendered(parse_words({"--dhcp-lease=/x"})), Words{"dhcp-lease=/x"});
}

TEST(CommandLine, UnknownMissingAndExtraneous) {
  EXPECT_EQ(rendered(parse_words({"--nosuch"})), Words{"ERROR bad command line options: try --help"});
  EXPECT_EQ(rendered(parse_words({"--dhcp-range"})), Words{"ERROR bad command line options: try --help"});
  EXPECT_EQ(rendered(parse_words({"--log-dhcp=x"})), Words{"ERROR bad command line options: try --help"});
  EXPECT_EQ(rendered(parse_words({"--Log-dhcp"})), Words{"ERROR bad command line options: try --help"});
}

TEST(CommandLine, EmptyValueAfterEquals) {
  EXPECT_EQ(rendered(parse_words({"--dhcp-range="})), Words{"dhcp-range="});
}

TEST(CommandLine, OptionalValuesOnlyWithEquals) {
  EXPECT_EQ(rendered(parse_words({"--user=nobody"})), Words{"user=nobody"});
  EXPECT_EQ(rendered(parse_words({"--user"})), Words{"user"});
  EXPECT_EQ(rendered(parse_words({"--user", "nobody"})), Words{"ERROR junk found in command line"});
  // The short form needs its value [verified: -u alone is try --help].
  EXPECT_EQ(rendered(parse_words({"-u", "nobody"})), Words{"user=nobody"});
  EXPECT_EQ(rendered(parse_words({"-u"})), Words{"ERROR bad command line options: try --help"});
}

TEST(CommandLine, ShortQAndOneTakeNoValue) {
  EXPECT_EQ(rendered(parse_words({"-q", "-1"})), (Words{"log-queries", "enable-dbus"}));
  EXPECT_EQ(rendered(parse_words({"-c"})), Words{"ERROR bad command line options: try --help"});
}

TEST(CommandLine, JunkAndBlankWords) {
  EXPECT_EQ(rendered(parse_words({"-C", "a.conf", "junk"})), Words{"ERROR junk found in command line"});
  EXPECT_EQ(rendered(parse_words({"-C", "a.conf", " "})), Words{"conf-file=a.conf"});
}

TEST(CommandLine, SharedShortLetterGoesToTheFirstName) {
  EXPECT_EQ(rendered(parse_words({"-l", "/x"})), Words{"dhcp-leasefile=/x"});
  EXPECT_EQ(rendered(parse_words({"-s", "lab"})), Words{"domain=lab"});
}

TEST(CommandLine, HelpTopics) {
  const auto result = parse_words({"--help", "dhcp"});
  ASSERT_TRUE(std::holds_alternative<CommandLine>(result));
  EXPECT_EQ(std::get<CommandLine>(result).help_topic, "dhcp");
  EXPECT_EQ(rendered(parse_words({"--help"})), Words{"help"});
  EXPECT_EQ(rendered(parse_words({"-w"})), Words{"help"});
  EXPECT_EQ(rendered(parse_words({"-v"})), Words{"version"});
}

TEST(CommandLine, EveryTableNameIsALongOption) {
  for (const OptionSpec& spec : option_table()) {
    const std::string word = "--" + std::string(spec.name) +
                             (spec.value_mode == ValueMode::none ? "" : "=1");
    const auto result = parse_words({word.c_str()});
    ASSERT_TRUE(std::holds_alternative<CommandLine>(result)) << word;
    EXPECT_EQ(std::get<CommandLine>(result).items.at(0).spec, &spec) << word;
  }
}

}  // namespace
}  // namespace pxemasq::config
