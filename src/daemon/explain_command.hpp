#pragma once
// The shell of `pxemasq --explain` and of --test's boot-file check: the command-line word, the
// host's interface facts and the lease file (read only), around the pure daemon/explain.hpp.

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "config/loader.hpp"
#include "config/model.hpp"

namespace pxemasq::daemon {

// Removes `--explain=X` or `--explain X` from `words` into `value`; an error text when the
// value is missing or the option is given twice.
[[nodiscard]] std::optional<std::string> take_explain_argument(std::vector<const char*>& words,
                                                               std::optional<std::string>& value);

// Prints the explanation on `out`; exit status 0, or 1 with the reason on `err`. The arrival
// interface is the last --interface of the command line, else the configuration's first.
int run_explain(const config::Config& config, const std::string& request_text,
                const std::vector<config::CommandLineItem>& command_line, std::ostream& out,
                std::ostream& err);

// --test: boot files that do not fit the client architectures that would receive them.
[[nodiscard]] std::vector<std::string> boot_file_warnings(const config::Config& config);

}  // namespace pxemasq::daemon
