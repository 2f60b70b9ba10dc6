#pragma once
// PXE (spec §4.10): who is a PXE client, the contents of option 43 for it (discovery control,
// prompt, boot servers, menu; dnsmasq's UEFI workaround), and the pieces of the proxy DHCP and
// boot-server (sub-option 71) replies the engine assembles.

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
  bool has_arch = false;                   // option 93 was there (proxy DHCP needs it)
  std::optional<std::vector<std::uint8_t>> machine_id;  // option 97's first 17 bytes, when >= 17
};

// Option 43 sub-option 71 "PXE boot item" of a boot-server request (spec §4.10 a).
struct BootItem {
  std::uint16_t type = 0;
  std::uint16_t layer = 0;  // bit 15: BIS (credentials), not supported
  std::vector<std::uint8_t> raw;  // the 4 bytes, echoed in the reply
};
inline constexpr std::uint16_t kBisLayerBit = 0x8000;
inline constexpr std::uint16_t kFirstUefiArch = 6;

// A PXE client gets PXE handling only when pxe-service or pxe-prompt is configured.
[[nodiscard]] std::optional<PxeClient> pxe_client(const config::Config& config, const Packet& request);

// Option 43's PXE sub-options for this client (without the final 255): 6, a synthetic 10, 8, 9,
// then the matching pxe-prompt as sub-option 10. `warnings` gets `PXE menu too large`.
[[nodiscard]] std::vector<std::vector<std::uint8_t>> pxe_sub_options(
    const config::Config& config, const TagSet& tags, const PxeClient& client, Ipv4 local,
    std::vector<std::string>& warnings);

// The matching pxe-prompt as sub-option 10, which dnsmasq keeps among the `vendor:PXEClient`
// options and so also sends in boot-server replies; nullopt when no pxe-prompt matches.
[[nodiscard]] std::optional<std::vector<std::uint8_t>> prompt_sub_option(const config::Config& config,
                                                                         const TagSet& tags);

// The boot item of a request whose option 43 holds sub-option 71 with at least 4 bytes.
[[nodiscard]] std::optional<BootItem> boot_item(const Packet& request);

// dnsmasq's UEFI workaround (spec §4.10 d): for a UEFI client, the only considered pxe-service
// with a basename, if there is exactly one; else nullptr (BIOS clients never get one).
[[nodiscard]] const config::PxeService* uefi_single_service(const config::Config& config,
                                                            const TagSet& tags, const PxeClient& client);

// The boot server of a service: its address, else `local` (us). A server host name is not
// resolved (pxemasq reads no /etc/hosts on the packet path) and also means `local`.
[[nodiscard]] Ipv4 service_server_or_local(const config::PxeService& service, Ipv4 local);

// The file a service's basename names for a boot layer: the basename itself when it has a `.`,
// else `basename.LAYER` (`pxelinux` + layer 0 = `pxelinux.0`).
[[nodiscard]] std::string service_boot_file(const config::PxeService& service, std::uint16_t layer);
}  // namespace pxemasq::dhcp
