#include "daemon/explain_command.hpp"

#include <ctime>
#include <fstream>
#include <ostream>
#include <sstream>

#include "config/option_table.hpp"
#include "daemon/dhcp_service.hpp"
#include "daemon/explain.hpp"
#include "daemon/lease_store.hpp"
#include "dhcp/lease_file.hpp"
#include "net/interfaces.hpp"

namespace pxemasq::daemon {
namespace {

// The host's own facts for `name` when it has that interface with an address.
std::optional<ExplainInterface> host_interface(const std::string& name) {
  auto table = net::InterfaceTable::read();
  if (!std::holds_alternative<net::InterfaceTable>(table)) return std::nullopt;
  const net::Interface* found = std::get<net::InterfaceTable>(table).by_name(name);
  if (found == nullptr || found->addresses.empty()) return std::nullopt;
  return ExplainInterface{found->name, arrival_addresses(*found), false};
}

std::optional<ExplainInterface> interface_for(const config::Config& config, const std::string& name) {
  if (auto host = host_interface(name)) return host;
  return assumed_interface(config, name);
}

std::string arrival_name(const config::Config& config, const std::vector<config::CommandLineItem>& command_line) {
  std::string name;
  for (const auto& item : command_line) {
    if (item.spec != nullptr && item.spec->name == "interface" && item.value) name = *item.value;
  }
  if (name.empty() && !config.interfaces.empty()) name = config.interfaces.front();
  if (name.find(',') != std::string::npos) name = name.substr(0, name.find(','));
  return name.empty() || name.find('*') != std::string::npos ? std::string("eth0") : name;
}

// The leases on file, read only (so a known client gets its lease address, as from the daemon).
dhcp::LeaseTable leases_on_file(const config::Config& config) {
  dhcp::LeaseTable table(config.lease_max);
  std::ifstream file(config.lease_file.value_or(std::string(kDefaultLeaseFile)));
  if (!file) return table;
  std::stringstream text;
  text << file.rdbuf();
  auto parsed = dhcp::parse_lease_file(text.str(), config.lease_max);
  if (auto* contents = std::get_if<dhcp::LeaseFileContents>(&parsed)) {
    // The file lists newest first; inserting oldest first keeps that order.
    for (auto it = contents->leases.rbegin(); it != contents->leases.rend(); ++it) (void)table.upsert(*it);
  }
  return table;
}

}  // namespace

std::optional<std::string> take_explain_argument(std::vector<const char*>& words, std::optional<std::string>& value) {
  for (std::size_t i = 1; i < words.size(); ++i) {
    const std::string word = words[i];
    std::size_t taken = 0;
    if (word.starts_with("--explain=")) {
      value = word.substr(10);
      taken = 1;
    } else if (word == "--explain") {
      if (i + 1 >= words.size()) return "--explain needs MAC[,ARCH[,VENDOR-CLASS[,USER-CLASS]]]";
      value = std::string(words[i + 1]);
      taken = 2;
    } else {
      continue;
    }
    words.erase(words.begin() + static_cast<std::ptrdiff_t>(i), words.begin() + static_cast<std::ptrdiff_t>(i + taken));
    for (std::size_t j = i; j < words.size(); ++j) {
      if (std::string(words[j]).starts_with("--explain")) return "--explain given twice";
    }
    return std::nullopt;
  }
  return std::nullopt;
}

int run_explain(const config::Config& config, const std::string& request_text,
                const std::vector<config::CommandLineItem>& command_line, std::ostream& out, std::ostream& err) {
  auto parsed = parse_explain_request(request_text);
  if (auto* error = std::get_if<std::string>(&parsed)) {
    err << "\npxemasq: --explain: " << *error << '\n';
    return 1;
  }
  const auto& request = std::get<ExplainRequest>(parsed);
  const std::string name = arrival_name(config, command_line);
  const auto interface = interface_for(config, name);
  if (!interface) {
    err << "\npxemasq: --explain: interface " << name << " is not on this host and no dhcp-range says which subnet it serves\n";
    return 1;
  }
  const auto reply = explain(config, *interface, request, leases_on_file(config), static_cast<std::int64_t>(std::time(nullptr)));
  out << format_explanation(request, *interface, reply);
  return 0;
}

std::vector<std::string> boot_file_warnings(const config::Config& config) {
  if (config.ranges.empty()) return {};
  const std::string name = config.interfaces.empty() ? std::string("eth0") : config.interfaces.front();
  const auto interface = assumed_interface(config, name.find('*') == std::string::npos ? name : "eth0");
  if (!interface) return {};
  return architecture_mismatches(config, *interface, static_cast<std::int64_t>(std::time(nullptr)));
}

}  // namespace pxemasq::daemon
