// Value checks for options pxemasq accepts but does not serve (mostly DNS). dnsmasq's `--test`
// rejects their malformed values, so ours must too, or the verdicts would differ.

#include <algorithm>
#include <array>

#include "config/option_table.hpp"
#include "config/parsers.hpp"
#include "config/values.hpp"

namespace pxemasq::config {
namespace {

enum class Shape {
  number,          // one decimal number (empty = 0)
  port,            // one number up to 65535
  number_list,     // decimal numbers separated by commas
  optional_number  // bare is fine; else one number
};

struct NumericRule {
  std::string_view name;
  Shape shape;
};

constexpr std::array<NumericRule, 19> kNumericRules{{
    {"cache-size", Shape::number},  // bare `cache-size` is an error [verified]
    {"local-ttl", Shape::number},
    {"neg-ttl", Shape::number},
    {"max-ttl", Shape::number},
    {"min-cache-ttl", Shape::number},
    {"max-cache-ttl", Shape::number},
    {"dns-forward-max", Shape::number},
    {"edns-packet-max", Shape::number},
    {"auth-ttl", Shape::number},
    {"dhcp-ttl", Shape::number},
    {"port-limit", Shape::number},
    {"max-tcp-connections", Shape::number},
    {"query-port", Shape::port},
    {"min-port", Shape::port},
    {"max-port", Shape::port},
    {"dnssec-limits", Shape::number_list},
    {"fast-dns-retry", Shape::number_list},
    {"use-stale-cache", Shape::optional_number},
    {"connmark-allowlist-enable", Shape::optional_number},
}};

bool all_numbers(std::string_view text) {
  const auto items = split_list(text);
  return std::all_of(items.begin(), items.end(),
                     [](std::string_view item) { return parse_number(item).has_value(); });
}

}  // namespace

ParseStatus validate_numeric_not_served(ConfigBuilder&, const OptionInput& input) {
  const auto* rule = std::find_if(kNumericRules.begin(), kNumericRules.end(),
                                  [&input](const NumericRule& r) { return r.name == input.spec.name; });
  if (rule == kNumericRules.end()) return accepted();
  const std::string hint = std::string(input.spec.name) + " takes a number";
  switch (rule->shape) {
    case Shape::number:
      if (!input.present || !parse_number(input.text)) return rejected("error", hint);
      break;
    case Shape::port:
      if (!parse_number16(input.text)) return rejected("error", hint + " from 0 to 65535");
      break;
    case Shape::number_list:
      if (input.present && !all_numbers(input.text)) return rejected("error", hint);
      break;
    case Shape::optional_number:
      if (input.present && !parse_number(input.text)) return rejected("error", hint);
      break;
  }
  return accepted();
}

// Keyword-valued DNS options: bare is fine, else one of a few words.
ParseStatus validate_keyword_not_served(ConfigBuilder&, const OptionInput& input) {
  if (!input.present) return accepted();
  const std::string_view name = input.spec.name;
  if (name == "local-service") {
    if (input.text != "net" && input.text != "host") return rejected("error", "use net or host");
  } else if (name == "add-mac") {
    if (input.text != "base64" && input.text != "text") return rejected("error", "use base64 or text");
  } else if (name == "dnssec-check-unsigned") {
    if (input.text != "no") return rejected("bad value for dnssec-check-unsigned");
  }
  return accepted();
}

// dhcp-proxy[=IP,...] (not served yet): every item must be an IPv4 address.
ParseStatus validate_dhcp_proxy(ConfigBuilder&, const OptionInput& input) {
  if (!input.present) return accepted();
  for (const auto item : split_list(input.text)) {
    if (!parse_ipv4(item)) return rejected("bad dhcp-proxy address");
  }
  return accepted();
}

// dhcp-reply-delay=[tag:T,]SECONDS (not served yet).
ParseStatus validate_reply_delay(ConfigBuilder&, const OptionInput& input) {
  auto items = split_list(input.text);
  std::size_t i = 0;
  while (i < items.size() && strip_tag_prefix(items[i])) ++i;
  if (items.size() - i != 1 || !parse_number(items[i])) {
    return rejected("error", "expected dhcp-reply-delay=[tag:T,]SECONDS");
  }
  return accepted();
}

// dhcp-relay=LOCAL,SERVER[,IF] and bridge-interface=IF,ALIAS[,...] need at least two items.
ParseStatus validate_two_items(ConfigBuilder&, const OptionInput& input) {
  if (split_list(input.text).size() >= 2) return accepted();
  if (input.spec.name == "dhcp-relay") return rejected("Bad dhcp-relay", "expected LOCAL-ADDRESS,SERVER-ADDRESS");
  return rejected("bad bridge-interface", "expected INTERFACE,ALIAS[,ALIAS...]");
}

// dhcp-duid=ENTERPRISE-NUMBER,HEX (DHCPv6).
ParseStatus validate_dhcp_duid(ConfigBuilder&, const OptionInput& input) {
  const auto items = split_list(input.text);
  if (items.size() != 2 || !parse_number(items[0]) || !parse_hex(items[1], false)) {
    return rejected("bad DUID", "expected dhcp-duid=ENTERPRISE-NUMBER,HEX");
  }
  return accepted();
}

// Debian's and RHEL's dnsmasq are built without Lua, so `--test` rejects the option; so do we.
ParseStatus reject_lua_script(ConfigBuilder&, const OptionInput&) {
  return rejected("recompile with HAVE_LUASCRIPT defined to enable Lua scripts",
                  "pxemasq has no Lua support; use dhcp-script (planned) instead");
}

}  // namespace pxemasq::config
