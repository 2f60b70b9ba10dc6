#pragma once
// PXE in normal DHCP replies (spec §4.10 (c)–(e)): who is a PXE client, and the contents of
// option 43 for it (discovery control, prompt, boot servers, menu; dnsmasq's UEFI workaround).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "dhcp/packet.hpp"
#include "dhcp/tags.hpp"

namespace pxemasq::dhcp {

struct PxeClient {
  std::string vendor;  // the dhcp-pxe-vendor string option 60 starts with (echoed as option 60)
  std::uint16_t arch = 0;                  // option 93's first element
  std::optional<std::vector<std::uint8_t>> machine_id;  // option 97, echoed when >= 17 bytes
};

// A PXE client gets PXE handling only when pxe-service or pxe-prompt is configured.
[[nodiscard]] std::optional<PxeClient> pxe_client(const config::Config& config, const Packet& request);

// Option 43's PXE sub-options for this client (without the final 255): 6, a synthetic 10, 8, 9,
// then the matching pxe-prompt as sub-option 10. `warnings` gets `PXE menu too large`.
[[nodiscard]] std::vector<std::vector<std::uint8_t>> pxe_sub_options(
    const config::Config& config, const TagSet& tags, const PxeClient& client, Ipv4 local,
    std::vector<std::string>& warnings);

}  // namespace pxemasq::dhcp
