#include "dhcp/pxe_options.hpp"

#include <algorithm>

namespace pxemasq::dhcp {
namespace {

constexpr std::size_t kMenuLimit = 253;
constexpr std::size_t kMachineIdSize = 17;  // type byte + 16-byte UUID (RFC 4578 §2.3)
constexpr std::uint8_t kBootItemSubOption = 71;

void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

std::vector<std::uint8_t> sub(std::uint8_t code, std::vector<std::uint8_t> data) {
  data.insert(data.begin(), {code, static_cast<std::uint8_t>(data.size())});
  return data;
}

// The boot server a menu item names in sub-option 8. A basename is served by us whatever the
// item's SERVER says (dnsmasq 2.90 checked: SERVER is then only the boot-server ACK's siaddr).
std::optional<Ipv4> service_server(const config::PxeService& service, Ipv4 local) {
  if (service.basename) return local;
  return service.server_address;
}

const config::PxePrompt* matching_prompt(const config::Config& config, const TagSet& tags) {
  const config::PxePrompt* untagged = nullptr;
  for (auto it = config.pxe_prompts.rbegin(); it != config.pxe_prompts.rend(); ++it) {
    if (it->tags.empty()) {
      if (untagged == nullptr) untagged = &*it;
    } else if (matches(it->tags, tags)) {
      return &*it;
    }
  }
  return untagged;
}

std::vector<std::uint8_t> prompt_data(std::uint8_t timeout, const std::string& text) {
  std::vector<std::uint8_t> data{timeout};
  data.insert(data.end(), text.begin(), text.end());
  return data;
}

}  // namespace

std::optional<PxeClient> pxe_client(const config::Config& config, const Packet& request) {
  if (config.pxe_services.empty() && config.pxe_prompts.empty()) return std::nullopt;
  const Option* vendor_class = request.find(60);
  if (vendor_class == nullptr) return std::nullopt;
  const std::string text(vendor_class->data.begin(), vendor_class->data.end());
  const std::vector<std::string> defaults{"PXEClient"};
  const auto& vendors = config.pxe_vendors.empty() ? defaults : config.pxe_vendors;
  PxeClient client;
  // The last dhcp-pxe-vendor entry is tried first (dnsmasq keeps the list newest first).
  const auto it = std::find_if(vendors.rbegin(), vendors.rend(), [&](const std::string& v) {
    return !v.empty() && text.starts_with(v);
  });
  if (it == vendors.rend()) return std::nullopt;
  client.vendor = *it;
  if (const Option* arch = request.find(93); arch != nullptr && arch->data.size() >= 2) {
    client.arch = static_cast<std::uint16_t>((arch->data[0] << 8) | arch->data[1]);
    client.has_arch = true;
  }
  // dnsmasq echoes exactly 17 bytes of option 97, however long the client's was.
  if (const Option* id = request.find(97); id != nullptr && id->data.size() >= kMachineIdSize) {
    client.machine_id.emplace(id->data.begin(), id->data.begin() + kMachineIdSize);
  }
  return client;
}

std::vector<std::vector<std::uint8_t>> pxe_sub_options(const config::Config& config, const TagSet& tags,
                                                       const PxeClient& client, Ipv4 local,
                                                       std::vector<std::string>& warnings) {
  std::vector<const config::PxeService*> services;
  for (const auto& service : config.pxe_services) {
    if (service.client_arch == client.arch && matches(service.tags, tags)) services.push_back(&service);
  }
  std::vector<std::vector<std::uint8_t>> out;
  const config::PxePrompt* prompt = matching_prompt(config, tags);
  // dnsmasq's UEFI workaround (spec §4.10 d): one UEFI service with a file = no menu at all.
  const bool uefi_single = uefi_single_service(config, tags, client) != nullptr;
  if (!uefi_single) {
    std::uint8_t control = 3;  // no multicast or broadcast discovery
    if (services.empty()) {
      control = 8;  // use the offer's boot file, no menu
    } else if (std::any_of(services.begin(), services.end(), [&](const auto* s) {
                 return s->server_type != 0 && !service_server(*s, local);
               })) {
      control = 2;
    }
    out.push_back(sub(6, {control}));
    if (prompt == nullptr) {
      out.push_back(sub(10, prompt_data(services.size() > 1 ? 255 : 0, "PXE")));
    }
    std::vector<std::uint8_t> servers;
    std::vector<std::uint8_t> menu;
    for (const auto* s : services) {
      if (const auto server = service_server(*s, local)) {
        put16(servers, s->server_type);
        servers.push_back(1);
        const auto b = server->bytes();
        servers.insert(servers.end(), b.begin(), b.end());
      }
      put16(menu, s->server_type);
      menu.push_back(static_cast<std::uint8_t>(s->menu_text.size()));
      menu.insert(menu.end(), s->menu_text.begin(), s->menu_text.end());
    }
    if (servers.size() >= kMenuLimit || menu.size() >= kMenuLimit) {
      warnings.emplace_back("PXE menu too large");
    } else {
      if (!servers.empty()) out.push_back(sub(8, std::move(servers)));
      if (!services.empty()) out.push_back(sub(9, std::move(menu)));
    }
  }
  if (prompt != nullptr) out.push_back(sub(10, prompt_data(prompt->timeout, prompt->text)));
  return out;
}

std::optional<std::vector<std::uint8_t>> prompt_sub_option(const config::Config& config, const TagSet& tags) {
  const config::PxePrompt* prompt = matching_prompt(config, tags);
  if (prompt == nullptr) return std::nullopt;
  return sub(10, prompt_data(prompt->timeout, prompt->text));
}

std::optional<BootItem> boot_item(const Packet& request) {
  const Option* vendor = request.find(43);
  if (vendor == nullptr) return std::nullopt;
  const auto& data = vendor->data;
  // Walk the encapsulated sub-options; a truncated one ends the walk (nothing more to trust).
  for (std::size_t i = 0; i < data.size();) {
    const std::uint8_t code = data[i];
    if (code == 255) break;
    if (code == 0) {
      ++i;
      continue;
    }
    if (i + 1 >= data.size() || i + 2 + data[i + 1] > data.size()) break;
    const std::size_t length = data[i + 1];
    if (code == kBootItemSubOption && length >= 4) {
      BootItem item;
      item.raw.assign(data.begin() + static_cast<long>(i) + 2, data.begin() + static_cast<long>(i) + 6);
      item.type = static_cast<std::uint16_t>((item.raw[0] << 8) | item.raw[1]);
      item.layer = static_cast<std::uint16_t>((item.raw[2] << 8) | item.raw[3]);
      return item;
    }
    i += 2 + length;
  }
  return std::nullopt;
}

const config::PxeService* uefi_single_service(const config::Config& config, const TagSet& tags,
                                              const PxeClient& client) {
  if (client.arch < kFirstUefiArch) return nullptr;
  const config::PxeService* found = nullptr;
  for (const auto& service : config.pxe_services) {
    if (service.client_arch != client.arch || !service.basename || !matches(service.tags, tags)) continue;
    if (found != nullptr) return nullptr;  // more than one: the menu stays
    found = &service;
  }
  return found;
}

Ipv4 service_server_or_local(const config::PxeService& service, Ipv4 local) {
  return service.server_address.value_or(local);
}

std::string service_boot_file(const config::PxeService& service, std::uint16_t layer) {
  const std::string& base = service.basename.value_or(std::string());
  if (base.find('.') != std::string::npos) return base;
  return base + "." + std::to_string(layer);
}

}  // namespace pxemasq::dhcp
