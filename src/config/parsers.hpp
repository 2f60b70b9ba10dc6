#pragma once
// Per-option parsers: one function per dnsmasq option (or family), called by the loader with the
// lexed value. Each validates exactly as dnsmasq does (same accept/reject, same message text,
// spec §3) and appends to the Config under construction.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/model.hpp"

namespace pxemasq::config {

struct OptionSpec;

// A warning that does not stop loading (pxemasq's own diagnostics; dnsmasq has none of these).
struct Diagnostic {
  std::optional<Origin> origin;
  std::string message;
};

// A rejected value: `message` is dnsmasq's text (e.g. "bad dhcp-range"); `hint` is pxemasq's
// optional explanation, printed on a second line.
struct ParseError {
  std::string message;
  std::string hint;
};
using ParseStatus = std::optional<ParseError>;  // nullopt = accepted

inline ParseStatus accepted() { return std::nullopt; }
inline ParseStatus rejected(std::string message, std::string hint = {}) {
  return ParseError{std::move(message), std::move(hint)};
}

// The value as the loader hands it over. `text` still holds hidden-character codes
// (config/quoting.hpp); `present` is false for `name` without `=` (then `text` is empty).
struct OptionInput {
  const OptionSpec& spec;
  std::string_view text;
  bool present = false;
  Origin origin;
};

// The Config being built, plus the warnings collected on the way.
struct ConfigBuilder {
  Config config;
  std::vector<Diagnostic> warnings;

  void warn(const Origin& origin, std::string message) {
    warnings.push_back({origin, std::move(message)});
  }
};

using OptionParser = ParseStatus (*)(ConfigBuilder&, const OptionInput&);

// ---- parse_basic.cpp: ranges, boot, interfaces, TFTP, process, logging, scalars ----
ParseStatus parse_dhcp_range(ConfigBuilder&, const OptionInput&);
ParseStatus parse_dhcp_boot(ConfigBuilder&, const OptionInput&);
ParseStatus parse_interface_list(ConfigBuilder&, const OptionInput&);  // interface & friends
ParseStatus parse_listen_address(ConfigBuilder&, const OptionInput&);
ParseStatus parse_enable_tftp(ConfigBuilder&, const OptionInput&);
ParseStatus parse_tftp_root(ConfigBuilder&, const OptionInput&);
ParseStatus parse_http_option(ConfigBuilder&, const OptionInput&);  // http-port, http-root
ParseStatus parse_tftp_unique_root(ConfigBuilder&, const OptionInput&);
ParseStatus parse_tftp_port_range(ConfigBuilder&, const OptionInput&);
ParseStatus parse_flag(ConfigBuilder&, const OptionInput&);  // every boolean flag we use
ParseStatus parse_number_option(ConfigBuilder&, const OptionInput&);  // numeric options
ParseStatus parse_string_option(ConfigBuilder&, const OptionInput&);  // user, group, paths...
ParseStatus parse_log_facility(ConfigBuilder&, const OptionInput&);
ParseStatus parse_domain(ConfigBuilder&, const OptionInput&);
ParseStatus parse_alternate_port(ConfigBuilder&, const OptionInput&);

// ---- parse_dhcp_option.cpp: dhcp-option, dhcp-option-force, dhcp-match ----
ParseStatus parse_dhcp_option(ConfigBuilder&, const OptionInput&);  // force from spec name
ParseStatus parse_dhcp_match(ConfigBuilder&, const OptionInput&);

// ---- parse_classifiers.cpp: dhcp-host and the tag classifiers ----
ParseStatus parse_dhcp_host(ConfigBuilder&, const OptionInput&);
ParseStatus parse_string_match(ConfigBuilder&, const OptionInput&);  // vendorclass/userclass/name-match
ParseStatus parse_dhcp_mac(ConfigBuilder&, const OptionInput&);
ParseStatus parse_relay_agent_match(ConfigBuilder&, const OptionInput&);  // circuitid/remoteid/subscrid
ParseStatus parse_tag_if(ConfigBuilder&, const OptionInput&);
ParseStatus parse_tag_rule(ConfigBuilder&, const OptionInput&);  // dhcp-ignore & friends

// ---- parse_pxe.cpp: pxe-service, pxe-prompt, dhcp-pxe-vendor ----
ParseStatus parse_pxe_service(ConfigBuilder&, const OptionInput&);
ParseStatus parse_pxe_prompt(ConfigBuilder&, const OptionInput&);
ParseStatus parse_pxe_vendor(ConfigBuilder&, const OptionInput&);

// ---- parse_not_served.cpp: value checks for options accepted but not served ----
ParseStatus validate_numeric_not_served(ConfigBuilder&, const OptionInput&);
ParseStatus validate_keyword_not_served(ConfigBuilder&, const OptionInput&);
ParseStatus validate_dhcp_proxy(ConfigBuilder&, const OptionInput&);
ParseStatus validate_reply_delay(ConfigBuilder&, const OptionInput&);
ParseStatus validate_two_items(ConfigBuilder&, const OptionInput&);
ParseStatus validate_dhcp_duid(ConfigBuilder&, const OptionInput&);
ParseStatus reject_lua_script(ConfigBuilder&, const OptionInput&);

}  // namespace pxemasq::config
