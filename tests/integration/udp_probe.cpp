// Test driver for tests/integration/net_socket_test.sh: exercises src/net for real inside a
// network namespace. It opens (or adopts) the DHCP socket, waits for one datagram, reports what
// src/net says about it (arrival interface, header destination, the interface's addresses), then
// replies the three ways spec §4.9 needs: a broadcast out of the arrival interface, a unicast to
// an address with no ARP entry (the control: it must never arrive) and a unicast after ARP
// injection. Output is one `key=value` line per event, for the script to check.
//
// Usage: udp_probe [--port N] [--adopt-fd FD] [--timeout-ms N] [--reply-port N]
//                  --unicast IP --mac MAC [--control IP]
// Exit: 0 all steps done (each step's result is in the output), 2 usage, 3 socket set-up
// failed, 4 timeout waiting for the datagram, 5 receive error.

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "config/values.hpp"
#include "net/arp.hpp"
#include "net/interface_policy.hpp"
#include "net/interfaces.hpp"
#include "net/udp_socket.hpp"

namespace {

using pxemasq::net::Datagram;
using pxemasq::net::Endpoint;
using pxemasq::net::InterfaceTable;
using pxemasq::net::Ipv4;
using pxemasq::net::UdpSocket;

struct Arguments {
  std::uint16_t port = 67;
  std::optional<int> adopt_fd;
  unsigned timeout_ms = 10000;
  std::uint16_t reply_port = 68;
  Ipv4 unicast;
  std::optional<Ipv4> control;
  std::vector<std::uint8_t> mac;
};

std::optional<Arguments> parse_arguments(int argc, char** argv) {
  Arguments arguments;
  bool have_unicast = false;
  const std::vector<std::string_view> words(argv + 1, argv + argc);
  for (std::size_t i = 0; i + 1 < words.size(); i += 2) {
    const std::string_view key = words[i];
    const std::string value(words[i + 1]);
    if (key == "--port") {
      arguments.port = static_cast<std::uint16_t>(std::stoul(value));
    } else if (key == "--adopt-fd") {
      arguments.adopt_fd = std::stoi(value);
    } else if (key == "--timeout-ms") {
      arguments.timeout_ms = static_cast<unsigned>(std::stoul(value));
    } else if (key == "--reply-port") {
      arguments.reply_port = static_cast<std::uint16_t>(std::stoul(value));
    } else if (key == "--unicast" || key == "--control") {
      const auto address = pxemasq::config::parse_ipv4(value);
      if (!address) return std::nullopt;
      if (key == "--unicast") {
        arguments.unicast = *address;
        have_unicast = true;
      } else {
        arguments.control = *address;
      }
    } else if (key == "--mac") {
      const auto mac = pxemasq::config::parse_hex(value, false, 16);
      if (!mac || mac->bytes.size() != 6) return std::nullopt;
      arguments.mac = mac->bytes;
    } else {
      return std::nullopt;
    }
  }
  if (words.size() % 2 != 0 || !have_unicast || arguments.mac.empty()) return std::nullopt;
  return arguments;
}

std::string printable(std::span<const std::uint8_t> bytes) {
  std::string out;
  for (const auto byte : bytes)
    out += (byte >= 0x21 && byte < 0x7F) ? static_cast<char>(byte) : '.';
  return out;
}

void print_interface(const pxemasq::net::Interface& interface) {
  std::cout << "interface index=" << interface.index << " name=" << interface.name
            << " up=" << interface.up << " loopback=" << interface.loopback
            << " mtu=" << (interface.mtu ? std::to_string(*interface.mtu) : "none") << " primary="
            << (interface.primary_address() ? interface.primary_address()->to_string() : "none");
  for (const auto& address : interface.addresses) {
    std::cout << " address=" << address.address.to_string() << "/" << address.prefix_length
              << " brd=" << (address.broadcast ? address.broadcast->to_string() : "none")
              << " label=" << address.label;
  }
  std::cout << "\n";
}

void report_send(std::string_view what, Endpoint to, std::error_code error) {
  std::cout << "sent " << what << " to=" << to.to_string()
            << " result=" << (error ? error.message() : "ok") << "\n";
}

// The replies, once the probe has arrived.
void reply(UdpSocket& socket, const Arguments& arguments, const Datagram& datagram,
           const pxemasq::net::Interface& interface) {
  const std::string_view broadcast_text = "pxq-reply-broadcast";
  const std::string_view control_text = "pxq-reply-control";
  const std::string_view unicast_text = "pxq-reply-unicast";
  auto bytes = [](std::string_view text) {
    return std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()),
                                         text.size());
  };

  // §4.9 rule 4: 255.255.255.255:68 out of the arrival interface.
  const Endpoint broadcast{pxemasq::net::kLimitedBroadcast, arguments.reply_port};
  report_send("broadcast", broadcast,
              socket.send_to(bytes(broadcast_text), broadcast, datagram.interface_index));

  // The control: a unicast to an address nobody answers ARP for. It must not reach the wire.
  if (arguments.control) {
    const Endpoint control{*arguments.control, arguments.reply_port};
    report_send("control", control,
                socket.send_to(bytes(control_text), control, datagram.interface_index));
  }

  // Errors are values: an unknown interface and a bad hardware address.
  std::cout << "arp-check unknown-interface result="
            << pxemasq::net::inject_arp(socket.native_handle(), "pxq-none0", arguments.unicast,
                                        arguments.mac)
                   .message()
            << "\n";
  std::cout << "arp-check empty-mac result="
            << pxemasq::net::inject_arp(socket.native_handle(), interface.name, arguments.unicast,
                                        {})
                   .message()
            << "\n";

  // §4.9 rule 5: ARP entry yiaddr -> chaddr, then unicast to yiaddr:68.
  const std::error_code arp = pxemasq::net::inject_arp(socket.native_handle(), interface.name,
                                                       arguments.unicast, arguments.mac);
  std::cout << "arp inject address=" << arguments.unicast.to_string()
            << " result=" << (arp ? arp.message() : "ok") << "\n";
  const Endpoint unicast{arguments.unicast, arguments.reply_port};
  report_send("unicast", unicast,
              socket.send_to(bytes(unicast_text), unicast, datagram.interface_index));
}

int run(int argc, char** argv) {
  const auto parsed = parse_arguments(argc, argv);
  if (!parsed) {
    std::cerr << "usage: udp_probe [--port N] [--adopt-fd FD] [--timeout-ms N] [--reply-port N]"
                 " --unicast IP --mac MAC [--control IP]\n";
    return 2;
  }
  const Arguments& arguments = *parsed;
  std::cout << std::unitbuf;

  boost::asio::io_context io;
  pxemasq::net::UdpSocketOptions options;
  options.port = arguments.port;
  auto opened = arguments.adopt_fd ? UdpSocket::adopt(io.get_executor(), *arguments.adopt_fd)
                                   : UdpSocket::open(io.get_executor(), options);
  if (auto* error = std::get_if<pxemasq::net::SocketError>(&opened)) {
    std::cout << "socket-error " << error->message() << "\n";
    return 3;
  }
  UdpSocket& socket = std::get<UdpSocket>(opened);
  const auto local_endpoint = socket.local_endpoint();
  if (const auto* local = std::get_if<Endpoint>(&local_endpoint)) {
    std::cout << "bound local=" << local->to_string()
              << " mode=" << (arguments.adopt_fd ? "adopted" : "opened") << "\n";
  }

  auto read = InterfaceTable::read();
  if (auto* error = std::get_if<std::error_code>(&read)) {
    std::cout << "table-error " << error->message() << "\n";
    return 3;
  }
  InterfaceTable table = std::get<InterfaceTable>(std::move(read));

  // Nothing is queued yet: a non-blocking read says so instead of blocking.
  std::array<std::uint8_t, 2048> buffer{};
  Datagram idle;
  std::cout << "idle-receive result=" << socket.receive(buffer, idle).message() << "\n";
  std::cout << "ready\n";

  int status = 4;
  boost::asio::steady_timer timer(io, std::chrono::milliseconds(arguments.timeout_ms));
  timer.async_wait([&](const boost::system::error_code& error) {
    if (error) return;  // cancelled: the datagram came
    std::cout << "timeout\n";
    socket.cancel();
  });
  socket.async_receive(buffer, [&](std::error_code error, const Datagram& datagram) {
    timer.cancel();
    if (error) {
      if (status == 4 && error != std::errc::operation_canceled) status = 5;
      std::cout << "receive-error " << error.message() << "\n";
      return;
    }
    // The shell's rule: an index we do not know means the table is stale.
    if (table.by_index(datagram.interface_index) == nullptr) (void)table.refresh();
    const auto* interface = table.by_index(datagram.interface_index);
    std::cout << "received bytes=" << datagram.bytes.size()
              << " src=" << datagram.source.to_string() << " ifindex=" << datagram.interface_index
              << " ifname=" << (interface ? interface->name : "unknown")
              << " dst=" << datagram.destination.to_string()
              << " local=" << datagram.local_address.to_string()
              << " truncated=" << datagram.truncated << " payload=" << printable(datagram.bytes)
              << "\n";
    if (interface == nullptr) {
      status = 5;
      return;
    }
    print_interface(*interface);
    const std::vector<Ipv4> addresses = interface->ipv4_addresses();
    pxemasq::config::Config seed;
    seed.interfaces = {"ens33"};
    std::cout << "policy seed-allows="
              << pxemasq::net::interface_allowed(seed, interface->name, addresses,
                                                 interface->loopback)
              << "\n";
    reply(socket, arguments, datagram, *interface);
    status = 0;
  });
  io.run();
  std::cout << "exit status=" << status << "\n";
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& error) {  // a malformed number on the command line
    std::cerr << "udp_probe: " << error.what() << "\n";
    return 2;
  }
}
