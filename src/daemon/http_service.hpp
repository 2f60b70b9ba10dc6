#pragma once
// pxemasq's built-in read-only HTTP server (issue 8; a pxemasq extension, off unless http-port
// is set): GET and HEAD of the files below http-root (default: the global tftp-root), with the
// TFTP confinement (no `..`, symlinks only while they stay below the root, regular files only,
// the world-readable / tftp-secure rule), single byte ranges, keep-alive, the body sent with
// sendfile(2) in bounded chunks so many clients share the loop fairly, and /metrics.
//
// For iPXE (`chain http://...`), UEFI HTTP boot and the ESXi loader under iPXE, which fetch
// hundreds of MB far faster over TCP than over lock-step TFTP.

#include <spdlog/logger.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "config/model.hpp"
#include "daemon/dhcp_service.hpp"  // StartupError
#include "daemon/metrics.hpp"
#include "net/confined_file.hpp"

namespace pxemasq::daemon {

inline constexpr unsigned kMaxHttpConnections = 1000;

// The directory the HTTP server serves: http-root, else the global (interface-less) tftp-root.
[[nodiscard]] std::optional<std::string> http_root_of(const config::Config& config);

class HttpService {
 public:
  using MetricsSource = std::function<std::string()>;

  // Binds 0.0.0.0:http-port (as root, before the privilege drop) and opens the root.
  [[nodiscard]] static std::variant<std::unique_ptr<HttpService>, StartupError> start(
      boost::asio::io_context& io, std::shared_ptr<const config::Config> config,
      std::shared_ptr<spdlog::logger> log, MetricsSource metrics);

  HttpService(const HttpService&) = delete;
  HttpService& operator=(const HttpService&) = delete;
  ~HttpService();

  // SIGHUP: a new root (or tftp-secure) applies to the next request; connections carry on.
  [[nodiscard]] std::optional<StartupError> reconfigure(std::shared_ptr<const config::Config> config);

 private:
  class Connection;
  // What the service and its connections share: connections may outlive the service (a reload
  // that turns HTTP off closes the listener; the transfers in flight finish).
  struct State {
    std::shared_ptr<const config::Config> config;
    std::shared_ptr<spdlog::logger> log;
    MetricsSource metrics;
    std::shared_ptr<const net::ConfinedRoot> root;
    HttpCounters counters;
    std::size_t open_connections = 0;
  };

  HttpService(boost::asio::ip::tcp::acceptor acceptor, std::shared_ptr<State> state)
      : acceptor_(std::move(acceptor)), state_(std::move(state)) {}
  void accept_next();

  boost::asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<State> state_;

 public:
  [[nodiscard]] const HttpCounters& counters() const { return state_->counters; }
  [[nodiscard]] std::size_t connections() const { return state_->open_connections; }
};

}  // namespace pxemasq::daemon
