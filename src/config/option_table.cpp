// The table of all 189 dnsmasq 2.90 option names (spec §2, ../shared/spec/option-names.tsv),
// then pxemasq's own extensions (at the end; dnsmasq rejects them as unknown options).
// Each row: name, value mode, short flag, area, repetition, status, parser, single-value slot,
// and for options pxemasq accepts but does not serve, the reason given in the warning.

#include "config/option_table.hpp"

#include <algorithm>

namespace pxemasq::config {
namespace {

// clang-format off
constexpr OptionSpec kOptions[] = {
    {"version", ValueMode::none, 'v', Area::process, Repetition::flag, Status::implemented, nullptr, "", ""},
    {"no-hosts", ValueMode::none, 'h', Area::dns, Repetition::flag, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"no-poll", ValueMode::none, 'n', Area::dns, Repetition::flag, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"help", ValueMode::none, 'w', Area::process, Repetition::flag, Status::implemented, nullptr, "", ""},
    {"no-daemon", ValueMode::none, 'd', Area::process, Repetition::flag, Status::implemented, &parse_flag, "", ""},
    {"log-queries", ValueMode::optional, 'q', Area::dns, Repetition::multi, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"user", ValueMode::optional, 'u', Area::process, Repetition::single, Status::implemented, &parse_string_option, "user", ""},
    {"group", ValueMode::optional, 'g', Area::process, Repetition::single, Status::implemented, &parse_string_option, "group", ""},
    {"resolv-file", ValueMode::optional, 'r', Area::dns, Repetition::multi, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"servers-file", ValueMode::required, '\0', Area::dns, Repetition::single, Status::accepted_not_served, nullptr, "servers-file", "pxemasq does not serve DNS"},
    {"mx-host", ValueMode::required, 'm', Area::dns, Repetition::multi, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"mx-target", ValueMode::required, 't', Area::dns, Repetition::single, Status::accepted_not_served, nullptr, "mx-target", "pxemasq does not serve DNS"},
    {"cache-size", ValueMode::optional, 'c', Area::dns, Repetition::single, Status::accepted_not_served, &validate_numeric_not_served, "cache-size", "pxemasq does not serve DNS"},
    {"port", ValueMode::required, 'p', Area::dns, Repetition::single, Status::implemented, &parse_number_option, "port", ""},
    {"dhcp-leasefile", ValueMode::optional, 'l', Area::dhcp4, Repetition::single, Status::implemented, &parse_string_option, "dhcp-leasefile", ""},
    {"dhcp-lease", ValueMode::required, 'l', Area::dhcp4, Repetition::single, Status::implemented, &parse_string_option, "dhcp-leasefile", ""},
    {"dhcp-host", ValueMode::required, 'G', Area::dhcp4, Repetition::multi, Status::implemented, &parse_dhcp_host, "", ""},
    {"dhcp-range", ValueMode::required, 'F', Area::dhcp4, Repetition::multi, Status::implemented, &parse_dhcp_range, "", ""},
    {"dhcp-option", ValueMode::required, 'O', Area::dhcp4, Repetition::multi, Status::implemented, &parse_dhcp_option, "", ""},
    {"dhcp-boot", ValueMode::required, 'M', Area::pxe, Repetition::multi, Status::implemented, &parse_dhcp_boot, "", ""},
    {"domain", ValueMode::required, 's', Area::dhcp4, Repetition::multi, Status::implemented, &parse_domain, "", ""},
    {"domain-suffix", ValueMode::required, 's', Area::dhcp4, Repetition::multi, Status::implemented, &parse_domain, "", ""},
    {"interface", ValueMode::required, 'i', Area::misc, Repetition::multi, Status::implemented, &parse_interface_list, "", ""},
    {"listen-address", ValueMode::required, 'a', Area::misc, Repetition::multi, Status::implemented, &parse_listen_address, "", ""},
    {"local-service", ValueMode::optional, '\0', Area::dns, Repetition::single, Status::accepted_not_served, &validate_keyword_not_served, "local-service", "pxemasq does not serve DNS"},
    {"bogus-priv", ValueMode::none, 'b', Area::dns, Repetition::flag, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"bogus-nxdomain", ValueMode::required, 'B', Area::dns, Repetition::multi, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"ignore-address", ValueMode::required, '\0', Area::dns, Repetition::multi, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"selfmx", ValueMode::none, 'e', Area::dns, Repetition::flag, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"filterwin2k", ValueMode::none, 'f', Area::dns, Repetition::flag, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"filter-A", ValueMode::none, '\0', Area::dns, Repetition::flag, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"filter-AAAA", ValueMode::none, '\0', Area::dns, Repetition::flag, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"filter-rr", ValueMode::required, '\0', Area::dns, Repetition::multi, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"pid-file", ValueMode::optional, 'x', Area::process, Repetition::single, Status::implemented, &parse_string_option, "pid-file", ""},
    {"strict-order", ValueMode::none, 'o', Area::dns, Repetition::flag, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"server", ValueMode::required, 'S', Area::dns, Repetition::multi, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"rev-server", ValueMode::required, '\0', Area::dns, Repetition::multi, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"local", ValueMode::required, '\0', Area::dns, Repetition::multi, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"address", ValueMode::required, 'A', Area::dns, Repetition::multi, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"conf-file", ValueMode::optional, 'C', Area::misc, Repetition::multi, Status::implemented, nullptr, "", ""},
    {"conf-script", ValueMode::required, '\0', Area::misc, Repetition::multi, Status::accepted_not_served, nullptr, "", "not implemented by pxemasq yet"},
    {"no-resolv", ValueMode::none, 'R', Area::dns, Repetition::flag, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"expand-hosts", ValueMode::none, 'E', Area::dns, Repetition::flag, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"localmx", ValueMode::none, 'L', Area::dns, Repetition::flag, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"local-ttl", ValueMode::required, 'T', Area::dns, Repetition::single, Status::accepted_not_served, &validate_numeric_not_served, "local-ttl", "pxemasq does not serve DNS"},
    {"no-negcache", ValueMode::none, 'N', Area::dns, Repetition::flag, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"no-round-robin", ValueMode::none, '\0', Area::dns, Repetition::flag, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"cache-rr", ValueMode::required, '\0', Area::dns, Repetition::multi, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"addn-hosts", ValueMode::required, 'H', Area::dns, Repetition::multi, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"hostsdir", ValueMode::required, '\0', Area::dns, Repetition::multi, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"query-port", ValueMode::required, 'Q', Area::dns, Repetition::single, Status::accepted_not_served, &validate_numeric_not_served, "query-port", "pxemasq does not serve DNS"},
    {"except-interface", ValueMode::required, 'I', Area::misc, Repetition::multi, Status::implemented, &parse_interface_list, "", ""},
    {"no-dhcp-interface", ValueMode::required, '2', Area::dhcp4, Repetition::multi, Status::implemented, &parse_interface_list, "", ""},
    {"no-dhcpv4-interface", ValueMode::required, '\0', Area::dhcp4, Repetition::multi, Status::implemented, &parse_interface_list, "", ""},
    {"no-dhcpv6-interface", ValueMode::required, '\0', Area::dhcp6, Repetition::multi, Status::accepted_not_served, nullptr, "", "pxemasq serves DHCPv4 only"},
    {"domain-needed", ValueMode::none, 'D', Area::dns, Repetition::flag, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"dhcp-lease-max", ValueMode::required, 'X', Area::dhcp4, Repetition::single, Status::implemented, &parse_number_option, "dhcp-lease-max", ""},
    {"bind-interfaces", ValueMode::none, 'z', Area::misc, Repetition::flag, Status::implemented, &parse_flag, "", ""},
    {"read-ethers", ValueMode::none, 'Z', Area::dhcp4, Repetition::flag, Status::accepted_not_served, nullptr, "", "not implemented by pxemasq yet"},
    {"alias", ValueMode::required, 'V', Area::dns, Repetition::multi, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"dhcp-vendorclass", ValueMode::required, 'U', Area::dhcp4, Repetition::multi, Status::implemented, &parse_string_match, "", ""},
    {"dhcp-userclass", ValueMode::required, 'j', Area::dhcp4, Repetition::multi, Status::implemented, &parse_string_match, "", ""},
    {"dhcp-ignore", ValueMode::required, 'J', Area::dhcp4, Repetition::multi, Status::implemented, &parse_tag_rule, "", ""},
    {"edns-packet-max", ValueMode::required, 'P', Area::dns, Repetition::single, Status::accepted_not_served, &validate_numeric_not_served, "edns-packet-max", "pxemasq does not serve DNS"},
    {"keep-in-foreground", ValueMode::none, 'k', Area::process, Repetition::flag, Status::implemented, &parse_flag, "", ""},
    {"dhcp-authoritative", ValueMode::none, 'K', Area::dhcp4, Repetition::flag, Status::implemented, &parse_flag, "", ""},
    {"srv-host", ValueMode::required, 'W', Area::dns, Repetition::multi, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"localise-queries", ValueMode::none, 'y', Area::dns, Repetition::flag, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"txt-record", ValueMode::required, 'Y', Area::dns, Repetition::multi, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"caa-record", ValueMode::required, '\0', Area::dns, Repetition::multi, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"dns-rr", ValueMode::required, '\0', Area::dns, Repetition::multi, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"enable-dbus", ValueMode::optional, '1', Area::misc, Repetition::single, Status::accepted_not_served, nullptr, "enable-dbus", "pxemasq has no DBus/UBus interface"},
    {"enable-ubus", ValueMode::optional, '\0', Area::misc, Repetition::single, Status::accepted_not_served, nullptr, "enable-ubus", "pxemasq has no DBus/UBus interface"},
    {"bootp-dynamic", ValueMode::optional, '3', Area::dhcp4, Repetition::multi, Status::implemented, &parse_tag_rule, "", ""},
    {"dhcp-mac", ValueMode::required, '4', Area::dhcp4, Repetition::multi, Status::implemented, &parse_dhcp_mac, "", ""},
    {"no-ping", ValueMode::none, '5', Area::dhcp4, Repetition::flag, Status::implemented, &parse_flag, "", ""},
    {"dhcp-script", ValueMode::required, '6', Area::dhcp4, Repetition::single, Status::accepted_not_served, nullptr, "dhcp-script", "not implemented by pxemasq yet"},
    {"conf-dir", ValueMode::required, '7', Area::misc, Repetition::multi, Status::implemented, nullptr, "", ""},
    {"log-facility", ValueMode::required, '8', Area::log, Repetition::single, Status::implemented, &parse_log_facility, "log-facility", ""},
    {"leasefile-ro", ValueMode::none, '9', Area::dhcp4, Repetition::flag, Status::implemented, &parse_flag, "", ""},
    {"script-on-renewal", ValueMode::none, '\0', Area::dhcp4, Repetition::flag, Status::accepted_not_served, nullptr, "", "not implemented by pxemasq yet"},
    {"dns-forward-max", ValueMode::required, '0', Area::dns, Repetition::single, Status::accepted_not_served, &validate_numeric_not_served, "dns-forward-max", "pxemasq does not serve DNS"},
    {"clear-on-reload", ValueMode::none, '\0', Area::dns, Repetition::flag, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"dhcp-ignore-names", ValueMode::optional, '\0', Area::dhcp4, Repetition::multi, Status::implemented, &parse_tag_rule, "", ""},
    {"enable-tftp", ValueMode::optional, '\0', Area::tftp, Repetition::multi, Status::implemented, &parse_enable_tftp, "", ""},
    {"tftp-secure", ValueMode::none, '\0', Area::tftp, Repetition::flag, Status::implemented, &parse_flag, "", ""},
    {"tftp-no-fail", ValueMode::none, '\0', Area::tftp, Repetition::flag, Status::implemented, &parse_flag, "", ""},
    {"tftp-unique-root", ValueMode::optional, '\0', Area::tftp, Repetition::multi, Status::implemented, &parse_tftp_unique_root, "", ""},
    {"tftp-root", ValueMode::required, '\0', Area::tftp, Repetition::multi, Status::implemented, &parse_tftp_root, "", ""},
    {"tftp-max", ValueMode::required, '\0', Area::tftp, Repetition::single, Status::implemented, &parse_number_option, "tftp-max", ""},
    {"tftp-mtu", ValueMode::required, '\0', Area::tftp, Repetition::single, Status::implemented, &parse_number_option, "tftp-mtu", ""},
    {"tftp-lowercase", ValueMode::none, '\0', Area::tftp, Repetition::flag, Status::implemented, &parse_flag, "", ""},
    {"tftp-single-port", ValueMode::none, '\0', Area::tftp, Repetition::flag, Status::implemented, &parse_flag, "", ""},
    {"ptr-record", ValueMode::required, '\0', Area::dns, Repetition::multi, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"naptr-record", ValueMode::required, '\0', Area::dns, Repetition::multi, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"bridge-interface", ValueMode::required, '\0', Area::dhcp4, Repetition::multi, Status::accepted_not_served, &validate_two_items, "", "not implemented by pxemasq yet"},
    {"shared-network", ValueMode::required, '\0', Area::dhcp4, Repetition::multi, Status::accepted_not_served, nullptr, "", "not implemented by pxemasq yet"},
    {"dhcp-option-force", ValueMode::required, '\0', Area::dhcp4, Repetition::multi, Status::implemented, &parse_dhcp_option, "", ""},
    {"tftp-no-blocksize", ValueMode::none, '\0', Area::tftp, Repetition::flag, Status::implemented, &parse_flag, "", ""},
    {"log-dhcp", ValueMode::none, '\0', Area::log, Repetition::flag, Status::implemented, &parse_flag, "", ""},
    {"log-async", ValueMode::optional, '\0', Area::log, Repetition::single, Status::implemented, &parse_number_option, "log-async", ""},
    {"dhcp-circuitid", ValueMode::required, '\0', Area::dhcp4, Repetition::multi, Status::implemented, &parse_relay_agent_match, "", ""},
    {"dhcp-remoteid", ValueMode::required, '\0', Area::dhcp4, Repetition::multi, Status::implemented, &parse_relay_agent_match, "", ""},
    {"dhcp-subscrid", ValueMode::required, '\0', Area::dhcp4, Repetition::multi, Status::implemented, &parse_relay_agent_match, "", ""},
    {"dhcp-pxe-vendor", ValueMode::required, '\0', Area::pxe, Repetition::multi, Status::implemented, &parse_pxe_vendor, "", ""},
    {"interface-name", ValueMode::required, '\0', Area::dns, Repetition::multi, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"dhcp-hostsfile", ValueMode::required, '\0', Area::dhcp4, Repetition::multi, Status::accepted_not_served, nullptr, "", "not implemented by pxemasq yet"},
    {"dhcp-optsfile", ValueMode::required, '\0', Area::dhcp4, Repetition::multi, Status::accepted_not_served, nullptr, "", "not implemented by pxemasq yet"},
    {"dhcp-hostsdir", ValueMode::required, '\0', Area::dhcp4, Repetition::multi, Status::accepted_not_served, nullptr, "", "not implemented by pxemasq yet"},
    {"dhcp-optsdir", ValueMode::required, '\0', Area::dhcp4, Repetition::multi, Status::accepted_not_served, nullptr, "", "not implemented by pxemasq yet"},
    {"dhcp-no-override", ValueMode::none, '\0', Area::dhcp4, Repetition::flag, Status::implemented, &parse_flag, "", ""},
    {"tftp-port-range", ValueMode::required, '\0', Area::tftp, Repetition::single, Status::implemented, &parse_tftp_port_range, "tftp-port-range", ""},
    {"stop-dns-rebind", ValueMode::none, '\0', Area::dns, Repetition::flag, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"rebind-domain-ok", ValueMode::required, '\0', Area::dns, Repetition::multi, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"all-servers", ValueMode::none, '\0', Area::dns, Repetition::flag, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"dhcp-match", ValueMode::required, '\0', Area::dhcp4, Repetition::multi, Status::implemented, &parse_dhcp_match, "", ""},
    {"dhcp-name-match", ValueMode::required, '\0', Area::dhcp4, Repetition::multi, Status::implemented, &parse_string_match, "", ""},
    {"dhcp-broadcast", ValueMode::optional, '\0', Area::dhcp4, Repetition::multi, Status::implemented, &parse_tag_rule, "", ""},
    {"neg-ttl", ValueMode::required, '\0', Area::dns, Repetition::single, Status::accepted_not_served, &validate_numeric_not_served, "neg-ttl", "pxemasq does not serve DNS"},
    {"max-ttl", ValueMode::required, '\0', Area::dns, Repetition::single, Status::accepted_not_served, &validate_numeric_not_served, "max-ttl", "pxemasq does not serve DNS"},
    {"min-cache-ttl", ValueMode::required, '\0', Area::dns, Repetition::single, Status::accepted_not_served, &validate_numeric_not_served, "min-cache-ttl", "pxemasq does not serve DNS"},
    {"max-cache-ttl", ValueMode::required, '\0', Area::dns, Repetition::single, Status::accepted_not_served, &validate_numeric_not_served, "max-cache-ttl", "pxemasq does not serve DNS"},
    {"dhcp-alternate-port", ValueMode::optional, '\0', Area::dhcp4, Repetition::single, Status::implemented, &parse_alternate_port, "dhcp-alternate-port", ""},
    {"dhcp-scriptuser", ValueMode::required, '\0', Area::dhcp4, Repetition::single, Status::accepted_not_served, nullptr, "dhcp-scriptuser", "not implemented by pxemasq yet"},
    {"min-port", ValueMode::required, '\0', Area::dns, Repetition::single, Status::accepted_not_served, &validate_numeric_not_served, "min-port", "pxemasq does not serve DNS"},
    {"max-port", ValueMode::required, '\0', Area::dns, Repetition::single, Status::accepted_not_served, &validate_numeric_not_served, "max-port", "pxemasq does not serve DNS"},
    {"dhcp-fqdn", ValueMode::none, '\0', Area::dhcp4, Repetition::flag, Status::accepted_not_served, nullptr, "", "not implemented by pxemasq yet"},
    {"cname", ValueMode::required, '\0', Area::dns, Repetition::multi, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"pxe-prompt", ValueMode::required, '\0', Area::pxe, Repetition::multi, Status::implemented, &parse_pxe_prompt, "", ""},
    {"pxe-service", ValueMode::required, '\0', Area::pxe, Repetition::multi, Status::implemented, &parse_pxe_service, "", ""},
    {"test", ValueMode::none, '\0', Area::process, Repetition::flag, Status::implemented, nullptr, "", ""},
    {"tag-if", ValueMode::required, '\0', Area::dhcp4, Repetition::multi, Status::implemented, &parse_tag_if, "", ""},
    {"dhcp-proxy", ValueMode::optional, '\0', Area::dhcp4, Repetition::multi, Status::accepted_not_served, &validate_dhcp_proxy, "", "not implemented by pxemasq yet"},
    {"dhcp-generate-names", ValueMode::optional, '\0', Area::dhcp4, Repetition::multi, Status::implemented, &parse_tag_rule, "", ""},
    {"rebind-localhost-ok", ValueMode::none, '\0', Area::dns, Repetition::flag, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"add-mac", ValueMode::optional, '\0', Area::dns, Repetition::multi, Status::accepted_not_served, &validate_keyword_not_served, "", "pxemasq does not serve DNS"},
    {"strip-mac", ValueMode::none, '\0', Area::dns, Repetition::flag, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"add-subnet", ValueMode::optional, '\0', Area::dns, Repetition::single, Status::accepted_not_served, nullptr, "add-subnet", "pxemasq does not serve DNS"},
    {"strip-subnet", ValueMode::none, '\0', Area::dns, Repetition::flag, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"add-cpe-id", ValueMode::required, '\0', Area::dns, Repetition::single, Status::accepted_not_served, nullptr, "add-cpe-id", "pxemasq does not serve DNS"},
    {"proxy-dnssec", ValueMode::none, '\0', Area::dns, Repetition::flag, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"dhcp-sequential-ip", ValueMode::none, '\0', Area::dhcp4, Repetition::flag, Status::implemented, &parse_flag, "", ""},
    {"conntrack", ValueMode::none, '\0', Area::dns, Repetition::flag, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"dhcp-client-update", ValueMode::none, '\0', Area::dhcp4, Repetition::flag, Status::accepted_not_served, nullptr, "", "not implemented by pxemasq yet"},
    {"dhcp-luascript", ValueMode::required, '\0', Area::dhcp4, Repetition::multi, Status::accepted_not_served, &reject_lua_script, "", "pxemasq has no Lua support; rejected, as by dnsmasq builds without Lua"},
    {"enable-ra", ValueMode::none, '\0', Area::ra, Repetition::flag, Status::accepted_not_served, nullptr, "", "pxemasq does not send router advertisements"},
    {"dhcp-duid", ValueMode::required, '\0', Area::dhcp6, Repetition::single, Status::accepted_not_served, &validate_dhcp_duid, "dhcp-duid", "pxemasq serves DHCPv4 only"},
    {"host-record", ValueMode::required, '\0', Area::dns, Repetition::multi, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"bind-dynamic", ValueMode::none, '\0', Area::misc, Repetition::flag, Status::implemented, &parse_flag, "", ""},
    {"auth-zone", ValueMode::required, '\0', Area::dns, Repetition::multi, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"auth-server", ValueMode::required, '\0', Area::dns, Repetition::single, Status::accepted_not_served, nullptr, "auth-server", "pxemasq does not serve DNS"},
    {"auth-ttl", ValueMode::required, '\0', Area::dns, Repetition::single, Status::accepted_not_served, &validate_numeric_not_served, "auth-ttl", "pxemasq does not serve DNS"},
    {"auth-soa", ValueMode::required, '\0', Area::dns, Repetition::single, Status::accepted_not_served, nullptr, "auth-soa", "pxemasq does not serve DNS"},
    {"auth-sec-servers", ValueMode::required, '\0', Area::dns, Repetition::multi, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"auth-peer", ValueMode::required, '\0', Area::dns, Repetition::multi, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"ipset", ValueMode::required, '\0', Area::dns, Repetition::multi, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"nftset", ValueMode::required, '\0', Area::dns, Repetition::multi, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"connmark-allowlist-enable", ValueMode::optional, '\0', Area::dns, Repetition::single, Status::accepted_not_served, &validate_numeric_not_served, "connmark-allowlist-enable", "pxemasq does not serve DNS"},
    {"connmark-allowlist", ValueMode::required, '\0', Area::dns, Repetition::multi, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"synth-domain", ValueMode::required, '\0', Area::dns, Repetition::multi, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"dnssec", ValueMode::none, '\0', Area::dns, Repetition::flag, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"trust-anchor", ValueMode::required, '\0', Area::dns, Repetition::multi, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"dnssec-debug", ValueMode::none, '\0', Area::dns, Repetition::flag, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"dnssec-check-unsigned", ValueMode::optional, '\0', Area::dns, Repetition::multi, Status::accepted_not_served, &validate_keyword_not_served, "", "pxemasq does not serve DNS"},
    {"dnssec-no-timecheck", ValueMode::none, '\0', Area::dns, Repetition::flag, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"dnssec-timestamp", ValueMode::required, '\0', Area::dns, Repetition::single, Status::accepted_not_served, nullptr, "dnssec-timestamp", "pxemasq does not serve DNS"},
    {"dnssec-limits", ValueMode::required, '\0', Area::dns, Repetition::single, Status::accepted_not_served, &validate_numeric_not_served, "dnssec-limits", "pxemasq does not serve DNS"},
    {"dhcp-relay", ValueMode::required, '\0', Area::dhcp4, Repetition::multi, Status::accepted_not_served, &validate_two_items, "", "not implemented by pxemasq yet"},
    {"ra-param", ValueMode::required, '\0', Area::ra, Repetition::multi, Status::accepted_not_served, nullptr, "", "pxemasq does not send router advertisements"},
    {"quiet-dhcp", ValueMode::none, '\0', Area::log, Repetition::flag, Status::implemented, &parse_flag, "", ""},
    {"quiet-dhcp6", ValueMode::none, '\0', Area::dhcp6, Repetition::flag, Status::accepted_not_served, nullptr, "", "pxemasq serves DHCPv4 only"},
    {"quiet-ra", ValueMode::none, '\0', Area::ra, Repetition::flag, Status::accepted_not_served, nullptr, "", "pxemasq does not send router advertisements"},
    {"dns-loop-detect", ValueMode::none, '\0', Area::dns, Repetition::flag, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"script-arp", ValueMode::none, '\0', Area::dhcp4, Repetition::flag, Status::accepted_not_served, nullptr, "", "not implemented by pxemasq yet"},
    {"dhcp-ttl", ValueMode::required, '\0', Area::dns, Repetition::single, Status::accepted_not_served, &validate_numeric_not_served, "dhcp-ttl", "pxemasq does not serve DNS"},
    {"dhcp-reply-delay", ValueMode::required, '\0', Area::dhcp4, Repetition::single, Status::accepted_not_served, &validate_reply_delay, "dhcp-reply-delay", "not implemented by pxemasq yet"},
    {"dhcp-rapid-commit", ValueMode::none, '\0', Area::dhcp4, Repetition::flag, Status::implemented, &parse_flag, "", ""},
    {"dumpfile", ValueMode::required, '\0', Area::misc, Repetition::single, Status::accepted_not_served, nullptr, "dumpfile", "not implemented by pxemasq yet"},
    {"dumpmask", ValueMode::required, '\0', Area::misc, Repetition::single, Status::accepted_not_served, nullptr, "dumpmask", "not implemented by pxemasq yet"},
    {"dhcp-ignore-clid", ValueMode::none, '\0', Area::dhcp4, Repetition::flag, Status::implemented, &parse_flag, "", ""},
    {"dynamic-host", ValueMode::required, '\0', Area::dns, Repetition::multi, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"log-debug", ValueMode::none, '\0', Area::log, Repetition::flag, Status::implemented, &parse_flag, "", ""},
    {"umbrella", ValueMode::optional, '\0', Area::dns, Repetition::single, Status::accepted_not_served, nullptr, "umbrella", "pxemasq does not serve DNS"},
    {"quiet-tftp", ValueMode::none, '\0', Area::log, Repetition::flag, Status::implemented, &parse_flag, "", ""},
    {"port-limit", ValueMode::required, '\0', Area::dns, Repetition::single, Status::accepted_not_served, &validate_numeric_not_served, "port-limit", "pxemasq does not serve DNS"},
    {"fast-dns-retry", ValueMode::optional, '\0', Area::dns, Repetition::single, Status::accepted_not_served, &validate_numeric_not_served, "fast-dns-retry", "pxemasq does not serve DNS"},
    {"use-stale-cache", ValueMode::optional, '\0', Area::dns, Repetition::single, Status::accepted_not_served, &validate_numeric_not_served, "use-stale-cache", "pxemasq does not serve DNS"},
    {"no-ident", ValueMode::none, '\0', Area::dns, Repetition::flag, Status::accepted_not_served, nullptr, "", "pxemasq does not serve DNS"},
    {"max-tcp-connections", ValueMode::required, '\0', Area::dns, Repetition::single, Status::accepted_not_served, &validate_numeric_not_served, "max-tcp-connections", "pxemasq does not serve DNS"},
    // pxemasq extensions
    {"http-port", ValueMode::required, '\0', Area::tftp, Repetition::single, Status::implemented, &parse_http_option, "http-port", ""},
    {"http-root", ValueMode::required, '\0', Area::tftp, Repetition::single, Status::implemented, &parse_http_option, "http-root", ""},
};
// clang-format on

}  // namespace

std::span<const OptionSpec> option_table() { return kOptions; }

const OptionSpec* find_option(std::string_view name) {
  const auto* it = std::find_if(std::begin(kOptions), std::end(kOptions),
                                [name](const OptionSpec& spec) { return spec.name == name; });
  return it == std::end(kOptions) ? nullptr : it;
}

const OptionSpec* find_short_option(char flag) {
  if (flag == '\0') return nullptr;
  // The first row wins where two names share a letter (dhcp-leasefile/dhcp-lease, domain/-suffix).
  const auto* it = std::find_if(std::begin(kOptions), std::end(kOptions),
                                [flag](const OptionSpec& spec) { return spec.short_flag == flag; });
  return it == std::end(kOptions) ? nullptr : it;
}

std::string_view area_name(Area area) {
  switch (area) {
    case Area::dhcp4: return "dhcp4";
    case Area::dhcp6: return "dhcp6";
    case Area::ra: return "ra";
    case Area::pxe: return "pxe";
    case Area::tftp: return "tftp";
    case Area::process: return "process";
    case Area::log: return "log";
    case Area::misc: return "misc";
    case Area::dns: return "dns";
  }
  return "?";
}

}  // namespace pxemasq::config
