#pragma once
// One declarative table of every dnsmasq 2.90 option name (spec §2, option-names.tsv): how it
// takes a value, its short flag, how repetition works, whether pxemasq serves it, and the parser
// that turns its value into the Config.

#include <span>
#include <string_view>

#include "config/parsers.hpp"

namespace pxemasq::config {

// How the option takes a value (option-names.tsv column 2).
enum class ValueMode { none, required, optional };

// dnsmasq's functional area (option-names.tsv column 3).
enum class Area { dhcp4, dhcp6, ra, pxe, tftp, process, log, misc, dns };

// Repetition rule (spec §1.4).
enum class Repetition {
  flag,    // boolean; may repeat anywhere
  multi,   // every occurrence adds an entry
  single,  // once on the command line and once in all files together; the file value wins
};

enum class Status {
  implemented,           // parsed into the Config and acted on
  accepted_not_served,   // validated like dnsmasq, then ignored with one warning per name
};

struct OptionSpec {
  std::string_view name;
  ValueMode value_mode;
  char short_flag;  // '\0' if none
  Area area;
  Repetition repetition;
  Status status;
  OptionParser parser;  // nullptr: no value check beyond presence
  // Single-valued options that share one slot (dhcp-lease / dhcp-leasefile) name the same slot.
  std::string_view slot;
  // Why an accepted option is not served (shown in the warning and in --help).
  std::string_view not_served_reason;
};

[[nodiscard]] std::span<const OptionSpec> option_table();
// Exact, case-sensitive lookup (config files never abbreviate).
[[nodiscard]] const OptionSpec* find_option(std::string_view name);
[[nodiscard]] const OptionSpec* find_short_option(char flag);

[[nodiscard]] std::string_view area_name(Area area);

}  // namespace pxemasq::config
