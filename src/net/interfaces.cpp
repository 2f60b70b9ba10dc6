#include "net/interfaces.hpp"

#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <functional>
#include <utility>

#include "net/unique_fd.hpp"

namespace pxemasq::net {
namespace {

// Netlink messages are parsed with memcpy from a byte buffer: no casts, no alignment
// assumptions, and every length is checked against what was received.
constexpr std::size_t align4(std::size_t length) {
  return (length + 3U) & ~std::size_t{3};
}

constexpr int kDumpAttempts = 5;  // a dump interrupted by a concurrent change is retried
// NLA_TYPE_MASK, spelled without its int arithmetic: the low 14 bits carry the type.
constexpr unsigned kAttributeTypeMask = 0x3FFFU;

template <typename T>
bool read_struct(std::span<const std::uint8_t> bytes, T& out) {
  if (bytes.size() < sizeof(T)) return false;
  std::memcpy(&out, bytes.data(), sizeof(T));
  return true;
}

Ipv4 ipv4_of(std::span<const std::uint8_t> bytes) {
  return Ipv4{(std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
              (std::uint32_t{bytes[2]} << 8) | std::uint32_t{bytes[3]}};
}

std::string string_of(std::span<const std::uint8_t> bytes) {
  const auto end = std::find(bytes.begin(), bytes.end(), std::uint8_t{0});
  return {bytes.begin(), end};
}

// Calls `visit(type, payload)` for each route attribute in `bytes`.
void for_each_attribute(std::span<const std::uint8_t> bytes,
                        const std::function<void(unsigned, std::span<const std::uint8_t>)>& visit) {
  while (bytes.size() >= sizeof(rtattr)) {
    rtattr attribute{};
    read_struct(bytes, attribute);
    const std::size_t length = attribute.rta_len;
    if (length < sizeof(rtattr) || length > bytes.size()) return;
    visit(attribute.rta_type & kAttributeTypeMask,
          bytes.subspan(sizeof(rtattr), length - sizeof(rtattr)));
    bytes = bytes.subspan(std::min(align4(length), bytes.size()));
  }
}

enum class DumpStatus { done, interrupted };

struct DumpOutcome {
  DumpStatus status = DumpStatus::done;
  std::error_code error;
};

// Sends one dump request and hands every reply message of `type` (its payload after the
// netlink header) to `on_message`.
DumpOutcome dump(int fd, std::uint16_t request, std::uint32_t sequence,
                 std::span<const std::uint8_t> request_body, std::uint16_t reply_type,
                 const std::function<void(std::span<const std::uint8_t>)>& on_message) {
  std::array<std::uint8_t, 64> message{};
  nlmsghdr header{};
  header.nlmsg_len = static_cast<std::uint32_t>(sizeof(nlmsghdr) + request_body.size());
  header.nlmsg_type = request;
  header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  header.nlmsg_seq = sequence;
  std::memcpy(message.data(), &header, sizeof header);
  std::memcpy(message.data() + sizeof header, request_body.data(), request_body.size());

  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  sockaddr kernel_address{};
  static_assert(sizeof kernel <= sizeof kernel_address);
  std::memcpy(&kernel_address, &kernel, sizeof kernel);
  if (::sendto(fd, message.data(), header.nlmsg_len, 0, &kernel_address, sizeof kernel) < 0) {
    return {DumpStatus::done, std::error_code(errno, std::system_category())};
  }

  // Dump replies come in datagrams of at most 32 KiB (the kernel's cap on dump skbs).
  std::vector<std::uint8_t> buffer(std::size_t{64} * 1024);
  bool interrupted = false;
  for (;;) {
    const ssize_t received = ::recv(fd, buffer.data(), buffer.size(), 0);
    if (received < 0) {
      if (errno == EINTR) continue;
      return {DumpStatus::done, std::error_code(errno, std::system_category())};
    }
    std::span<const std::uint8_t> rest(buffer.data(), static_cast<std::size_t>(received));
    while (rest.size() >= sizeof(nlmsghdr)) {
      nlmsghdr reply{};
      read_struct(rest, reply);
      if (reply.nlmsg_len < sizeof(nlmsghdr) || reply.nlmsg_len > rest.size()) {
        return {DumpStatus::done, std::make_error_code(std::errc::bad_message)};
      }
      const auto payload = rest.subspan(sizeof(nlmsghdr), reply.nlmsg_len - sizeof(nlmsghdr));
      rest = rest.subspan(std::min(align4(reply.nlmsg_len), rest.size()));
      if (reply.nlmsg_seq != sequence) continue;  // a stale reply to an earlier request
      if ((reply.nlmsg_flags & NLM_F_DUMP_INTR) != 0) interrupted = true;
      if (reply.nlmsg_type == NLMSG_DONE) {
        return {interrupted ? DumpStatus::interrupted : DumpStatus::done, {}};
      }
      if (reply.nlmsg_type == NLMSG_ERROR) {
        nlmsgerr error{};
        if (!read_struct(payload, error)) {
          return {DumpStatus::done, std::make_error_code(std::errc::bad_message)};
        }
        if (error.error == 0) continue;  // an acknowledgement
        return {DumpStatus::done, std::error_code(-error.error, std::system_category())};
      }
      if (reply.nlmsg_type == reply_type) on_message(payload);
    }
  }
}

struct Snapshot {
  std::vector<Interface> interfaces;
  std::error_code error;
  bool interrupted = false;
};

Snapshot read_once(int fd, std::uint32_t sequence) {
  Snapshot snapshot;

  ifinfomsg link_request{};
  link_request.ifi_family = AF_UNSPEC;
  std::array<std::uint8_t, sizeof(ifinfomsg)> link_body{};
  std::memcpy(link_body.data(), &link_request, sizeof link_request);
  const DumpOutcome links =
      dump(fd, RTM_GETLINK, sequence, link_body, RTM_NEWLINK, [&](auto payload) {
        ifinfomsg link{};
        if (!read_struct(payload, link) || link.ifi_index <= 0) return;
        Interface interface;
        interface.index = static_cast<unsigned>(link.ifi_index);
        interface.up = (link.ifi_flags & IFF_UP) != 0;
        interface.running = (link.ifi_flags & IFF_RUNNING) != 0;
        interface.loopback = (link.ifi_flags & IFF_LOOPBACK) != 0;
        interface.broadcast = (link.ifi_flags & IFF_BROADCAST) != 0;
        for_each_attribute(payload.subspan(align4(sizeof(ifinfomsg))),
                           [&](unsigned type, std::span<const std::uint8_t> value) {
                             if (type == IFLA_IFNAME) interface.name = string_of(value);
                             std::uint32_t mtu = 0;
                             if (type == IFLA_MTU && read_struct(value, mtu)) interface.mtu = mtu;
                           });
        if (!interface.name.empty()) snapshot.interfaces.push_back(std::move(interface));
      });
  if (links.error) {
    snapshot.error = links.error;
    return snapshot;
  }
  std::sort(snapshot.interfaces.begin(), snapshot.interfaces.end(),
            [](const Interface& a, const Interface& b) { return a.index < b.index; });

  ifaddrmsg address_request{};
  address_request.ifa_family = AF_INET;
  std::array<std::uint8_t, sizeof(ifaddrmsg)> address_body{};
  std::memcpy(address_body.data(), &address_request, sizeof address_request);
  const DumpOutcome addresses =
      dump(fd, RTM_GETADDR, sequence + 1, address_body, RTM_NEWADDR, [&](auto payload) {
        ifaddrmsg message{};
        if (!read_struct(payload, message) || message.ifa_family != AF_INET) return;
        const auto owner = std::lower_bound(
            snapshot.interfaces.begin(), snapshot.interfaces.end(), message.ifa_index,
            [](const Interface& interface, unsigned index) { return interface.index < index; });
        // An address of a link that appeared between the two dumps waits for the next refresh.
        if (owner == snapshot.interfaces.end() || owner->index != message.ifa_index) return;

        InterfaceAddress entry;
        entry.prefix_length = std::min<unsigned>(message.ifa_prefixlen, 32U);
        std::uint32_t flags = message.ifa_flags;
        std::optional<Ipv4> local;
        std::optional<Ipv4> peer;
        for_each_attribute(payload.subspan(align4(sizeof(ifaddrmsg))),
                           [&](unsigned type, std::span<const std::uint8_t> value) {
                             if (value.size() >= 4 && type == IFA_LOCAL) local = ipv4_of(value);
                             if (value.size() >= 4 && type == IFA_ADDRESS) peer = ipv4_of(value);
                             if (value.size() >= 4 && type == IFA_BROADCAST) {
                               entry.broadcast = ipv4_of(value);
                             }
                             if (type == IFA_LABEL) entry.label = string_of(value);
                             std::uint32_t extended = 0;
                             if (type == IFA_FLAGS && read_struct(value, extended)) {
                               flags = extended;
                             }
                           });
        // IFA_LOCAL is ours; IFA_ADDRESS is the peer on point-to-point links and equal to
        // IFA_LOCAL elsewhere.
        if (!local) local = peer;
        if (!local) return;
        entry.address = *local;
        entry.secondary = (flags & IFA_F_SECONDARY) != 0;
        if (entry.label.empty()) entry.label = owner->name;
        owner->addresses.push_back(std::move(entry));
      });
  if (addresses.error) snapshot.error = addresses.error;
  snapshot.interrupted =
      links.status == DumpStatus::interrupted || addresses.status == DumpStatus::interrupted;
  return snapshot;
}

std::variant<std::vector<Interface>, std::error_code> read_interfaces() {
  const UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!fd.valid()) return std::error_code(errno, std::system_category());
  // The kernel answers dumps at once; the timeout only bounds a wait that should never happen.
  const timeval timeout{2, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;  // nl_pid 0: the kernel assigns one
  sockaddr local_address{};
  std::memcpy(&local_address, &local, sizeof local);
  if (::bind(fd.get(), &local_address, sizeof local) < 0) {
    return std::error_code(errno, std::system_category());
  }
  Snapshot snapshot;
  for (int attempt = 0; attempt < kDumpAttempts; ++attempt) {
    snapshot = read_once(fd.get(), static_cast<std::uint32_t>(1 + 2 * attempt));
    if (snapshot.error) return snapshot.error;
    if (!snapshot.interrupted) break;
  }
  // Still interrupted after several tries (links churning): the last snapshot is as good as any.
  return std::move(snapshot.interfaces);
}

}  // namespace

Ipv4 InterfaceAddress::netmask() const {
  if (prefix_length == 0) return Ipv4{0};
  return Ipv4{~std::uint32_t{0} << (32U - std::min(prefix_length, 32U))};
}

std::optional<Ipv4> Interface::primary_address() const {
  for (const auto& entry : addresses) {
    if (entry.label == name) return entry.address;
  }
  return std::nullopt;
}

std::vector<Ipv4> Interface::ipv4_addresses() const {
  std::vector<Ipv4> out;
  out.reserve(addresses.size());
  for (const auto& entry : addresses) out.push_back(entry.address);
  return out;
}

InterfaceTable::InterfaceTable(std::vector<Interface> interfaces)
    : interfaces_(std::move(interfaces)) {
  std::sort(interfaces_.begin(), interfaces_.end(),
            [](const Interface& a, const Interface& b) { return a.index < b.index; });
}

std::variant<InterfaceTable, std::error_code> InterfaceTable::read() {
  auto result = read_interfaces();
  if (auto* error = std::get_if<std::error_code>(&result)) return *error;
  return InterfaceTable(std::get<std::vector<Interface>>(std::move(result)));
}

std::error_code InterfaceTable::refresh() {
  auto result = read_interfaces();
  if (auto* error = std::get_if<std::error_code>(&result)) return *error;
  interfaces_ = std::get<std::vector<Interface>>(std::move(result));
  return {};
}

const Interface* InterfaceTable::by_index(unsigned index) const {
  const auto found = std::lower_bound(
      interfaces_.begin(), interfaces_.end(), index,
      [](const Interface& interface, unsigned wanted) { return interface.index < wanted; });
  if (found == interfaces_.end() || found->index != index) return nullptr;
  return &*found;
}

const Interface* InterfaceTable::by_name(std::string_view name) const {
  const auto found =
      std::find_if(interfaces_.begin(), interfaces_.end(),
                   [name](const Interface& interface) { return interface.name == name; });
  return found == interfaces_.end() ? nullptr : &*found;
}

std::optional<Ipv4> InterfaceTable::primary_address(unsigned index) const {
  const Interface* interface = by_index(index);
  if (interface == nullptr) return std::nullopt;
  return interface->primary_address();
}

}  // namespace pxemasq::net
