#include "daemon/usage.hpp"

#include "config/option_table.hpp"
#include "version.hpp"

namespace pxemasq::daemon {

std::string usage_text() {
  std::string out =
      "Usage: pxemasq [options]\n"
      "A drop-in for dnsmasq's DHCPv4, TFTP and PXE service: it reads dnsmasq configuration\n"
      "unchanged (default /etc/dnsmasq.conf, or -C FILE).\n\n"
      "Options served by pxemasq:\n";
  std::string not_served;
  for (const auto& spec : config::option_table()) {
    std::string line = "  ";
    line += spec.short_flag != '\0' ? std::string("-") + spec.short_flag + ", " : "    ";
    line += "--";
    line += spec.name;
    if (spec.value_mode == config::ValueMode::required) line += "=...";
    if (spec.value_mode == config::ValueMode::optional) line += "[=...]";
    line += '\n';
    (spec.status == config::Status::implemented ? out : not_served) += line;
  }
  out += "\nAccepted for compatibility but not served (a warning names each one used):\n";
  out += not_served;
  out += "\nSee pxemasq(8) and pxemasq.conf(5).\n";
  return out;
}

std::string version_text() {
  return std::string("pxemasq version ") + kVersion +
         "\nA dnsmasq-compatible DHCPv4, TFTP and PXE server.\n"
         "This software comes with ABSOLUTELY NO WARRANTY. It is free software under the MIT "
         "license.\n";
}

}  // namespace pxemasq::daemon
