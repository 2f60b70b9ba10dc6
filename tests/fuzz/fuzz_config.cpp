// libFuzzer target: arbitrary bytes as a dnsmasq config file. The loader must return a Config
// or a ConfigError for every input — never crash, hang or read out of bounds.

#include <cstddef>
#include <cstdint>
#include <string>

#include "config/loader.hpp"
#include "config/option_table.hpp"
#include "memory_source.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  pxemasq::testing::MemorySource source;
  source.add_file("fuzz.conf", std::string(reinterpret_cast<const char*>(data), size));
  source.add_file("inc/a.conf", "dhcp-range=10.0.0.10,10.0.0.20\n");
  pxemasq::config::LoadRequest request;
  request.command_line.push_back({pxemasq::config::find_option("conf-file"), "fuzz.conf"});
  request.default_file = "/nonexistent";
  const auto result = pxemasq::config::load_config(request, source);
  if (const auto* error = std::get_if<pxemasq::config::ConfigError>(&result)) {
    (void)error->format();
  }
  return 0;
}
