// The manual pages stay in step with the option table: pxemasq.conf(5) has exactly one entry per
// option, with the option's status, and pxemasq(8) documents the main command-line options.
//
// An entry of pxemasq.conf(5)'s OPTION REFERENCE section has this fixed form:
//   .TP
//   .B dhcp\-range
//   Status: served.                                   (Status::implemented)
//   Status: accepted, not served (REASON).            (Status::accepted_not_served)
// where the name is written with roff's `\-` for each `-`, and REASON is the table's
// not_served_reason.

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "config/option_table.hpp"

#ifndef PXEMASQ_SOURCE_DIR
#error "tests/CMakeLists.txt must define PXEMASQ_SOURCE_DIR for unit_tests"
#endif

namespace pxemasq::config {
namespace {

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.is_open()) << "cannot open " << path;
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string page_path(const char* name) { return std::string(PXEMASQ_SOURCE_DIR) + "/man/" + name; }

// roff writes a literal minus as `\-`; the option name is what remains.
std::string unescape_name(std::string text) {
  for (std::size_t at = text.find("\\-"); at != std::string::npos; at = text.find("\\-", at)) {
    text.erase(at, 1);
    ++at;
  }
  return text;
}

struct Entry {
  std::string status_line;
  std::size_t line_number = 0;  // of the `.B name` line, from 1
};

// Every `.TP` / `.B name` / `Status:` entry of the OPTION REFERENCE section, by name. Malformed
// entries are reported as failures here.
std::multimap<std::string, Entry> reference_entries(const std::vector<std::string>& lines) {
  std::multimap<std::string, Entry> entries;
  std::size_t begin = lines.size();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i] == ".SH OPTION REFERENCE" || lines[i] == ".SH \"OPTION REFERENCE\"") {
      begin = i + 1;
      break;
    }
  }
  EXPECT_LT(begin, lines.size()) << "pxemasq.conf.5 has no .SH OPTION REFERENCE section";
  for (std::size_t i = begin; i < lines.size() && !lines[i].starts_with(".SH"); ++i) {
    if (lines[i] != ".TP") continue;
    const std::size_t name_line = i + 1;
    if (name_line >= lines.size() || !lines[name_line].starts_with(".B ")) {
      ADD_FAILURE() << "pxemasq.conf.5 line " << name_line + 1
                    << ": a .TP in OPTION REFERENCE must be followed by `.B name` alone";
      continue;
    }
    const std::string name = unescape_name(lines[name_line].substr(3));
    const std::size_t status_line = name_line + 1;
    if (status_line >= lines.size() || !lines[status_line].starts_with("Status: ")) {
      ADD_FAILURE() << "pxemasq.conf.5 line " << status_line + 1 << ": option " << name
                    << ": the line after `.B " << name << "` must start with `Status: `";
      continue;
    }
    entries.insert({name, Entry{lines[status_line], name_line + 1}});
  }
  return entries;
}

TEST(ManPages, ConfPageHasOneEntryPerOptionWithItsStatus) {
  const auto entries = reference_entries(read_lines(page_path("pxemasq.conf.5")));
  ASSERT_FALSE(entries.empty());
  for (const OptionSpec& spec : option_table()) {
    const std::string name(spec.name);
    const auto [first, last] = entries.equal_range(name);
    const auto count = std::distance(first, last);
    if (count != 1) {
      ADD_FAILURE() << "option " << name << " has " << count
                    << " entries in pxemasq.conf.5 OPTION REFERENCE; it needs exactly one";
      continue;
    }
    const Entry& entry = first->second;
    if (spec.status == Status::implemented) {
      EXPECT_TRUE(entry.status_line.starts_with("Status: served."))
          << "option " << name << " is served (pxemasq.conf.5 line " << entry.line_number
          << "), but its status line reads: " << entry.status_line;
    } else {
      const std::string reason = "(" + std::string(spec.not_served_reason) + ")";
      EXPECT_TRUE(entry.status_line.starts_with("Status: accepted, not served") &&
                  entry.status_line.find(reason) != std::string::npos)
          << "option " << name << " is accepted but not served " << reason
          << " (pxemasq.conf.5 line " << entry.line_number
          << "), but its status line reads: " << entry.status_line;
    }
  }
}

TEST(ManPages, ConfPageNamesNoUnknownOption) {
  const auto entries = reference_entries(read_lines(page_path("pxemasq.conf.5")));
  for (const auto& [name, entry] : entries) {
    EXPECT_NE(find_option(name), nullptr)
        << "pxemasq.conf.5 line " << entry.line_number << " documents option " << name
        << ", which is not in the option table";
  }
}

// A command-line option is documented when it is the tag of an item: `.TP` or `.TQ`, then a
// `.B`/`.BR` line starting with the option (roff-escaped).
TEST(ManPages, DaemonPageDocumentsTheMainOptions) {
  const auto lines = read_lines(page_path("pxemasq.8"));
  ASSERT_FALSE(lines.empty());
  for (const std::string flag : {"--test", "-C", "-d", "-k"}) {
    std::string escaped;
    for (const char c : flag) escaped += c == '-' ? std::string("\\-") : std::string(1, c);
    bool documented = false;
    for (std::size_t i = 1; i < lines.size() && !documented; ++i) {
      if (lines[i - 1] != ".TP" && lines[i - 1] != ".TQ") continue;
      for (const std::string macro : {".B ", ".BR "}) {
        const std::string start = macro + escaped;
        if (lines[i].starts_with(start) &&
            (lines[i].size() == start.size() || lines[i][start.size()] == ' ')) {
          documented = true;
        }
      }
    }
    EXPECT_TRUE(documented) << "pxemasq.8 has no item for option " << flag
                            << " (expected `.TP` then `.B " << escaped << "` or `.BR " << escaped
                            << " ...`)";
  }
}

}  // namespace
}  // namespace pxemasq::config
