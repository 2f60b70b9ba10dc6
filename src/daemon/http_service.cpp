#include "daemon/http_service.hpp"

#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "daemon/tftp_service.hpp"  // tftp_rules::permission_refused, the TFTP file rule
#include "http/request.hpp"

namespace pxemasq::daemon {
namespace beast_http = boost::beast::http;
using boost::asio::ip::tcp;

namespace {

constexpr std::chrono::seconds kIdleTimeout{30};
constexpr std::size_t kSendChunk = 1U << 20;  // per sendfile call: others get their turn
constexpr std::uint32_t kHeaderLimit = 8192;

const char* reason_phrase(unsigned status) {
  switch (status) {
    case 200: return "OK";
    case 206: return "Partial Content";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 416: return "Range Not Satisfiable";
    case 503: return "Service Unavailable";
    default: return "Internal Server Error";
  }
}

std::string joined(const std::vector<std::string>& components) {
  std::string path;
  for (const auto& c : components) path += "/" + c;
  return path;
}

}  // namespace

std::optional<std::string> http_root_of(const config::Config& config) {
  if (config.http.root) return config.http.root;
  std::optional<std::string> global;
  for (const auto& root : config.tftp.roots) {
    if (!root.interface) global = tftp_rules::root_base(root.directory);
  }
  return global;
}

// One client connection: read a request, answer it, repeat while the client keeps it alive.
class HttpService::Connection : public std::enable_shared_from_this<HttpService::Connection> {
 public:
  Connection(tcp::socket socket, std::shared_ptr<State> state)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), state_(std::move(state)) {
    boost::system::error_code ignored;
    const auto peer = socket_.remote_endpoint(ignored);
    peer_ = ignored ? std::string("?") : peer.address().to_string();
    ++state_->open_connections;
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { --state_->open_connections; }

  void start() { read_request(); }

 private:
  void arm_timer() {
    timer_.expires_after(kIdleTimeout);
    timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& error) {
      if (error) return;
      if (auto self = weak.lock()) self->close();
    });
  }

  void close() {
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    timer_.cancel();
  }

  void read_request() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(0);
    arm_timer();
    beast_http::async_read(socket_, buffer_, *parser_,
                           [self = shared_from_this()](const boost::system::error_code& error, std::size_t) {
                             self->on_request(error);
                           });
  }

  void on_request(const boost::system::error_code& error) {
    if (error) {
      if (error != beast_http::error::end_of_stream && error != boost::asio::error::operation_aborted &&
          error != boost::asio::error::connection_reset && error != boost::asio::error::eof) {
        // A request the parser refused (too long, malformed): answer 400 once, then close.
        keep_alive_ = false;
        respond_text(400, "bad request\n");
        return;
      }
      close();
      return;
    }
    ++state_->counters.requests;
    const auto& request = parser_->get();
    keep_alive_ = request.keep_alive();
    head_ = request.method() == beast_http::verb::head;
    if (request.method() != beast_http::verb::get && !head_) {
      respond_text(405, "only GET and HEAD\n", "Allow: GET, HEAD\r\n");
      return;
    }
    const std::string target(request.target());
    if (http::is_metrics_target(target)) {
      respond_text(200, state_->metrics ? state_->metrics() : std::string(), "",
                   "text/plain; version=0.0.4; charset=utf-8");
      return;
    }
    serve_file(target, std::string(request[beast_http::field::range]));
  }

  void serve_file(const std::string& target, const std::string& range) {
    const auto resolved = http::resolve_target(target);
    if (const auto* refusal = std::get_if<http::TargetRefusal>(&resolved)) {
      const unsigned status = *refusal == http::TargetRefusal::bad_request ? 400
                              : *refusal == http::TargetRefusal::forbidden ? 403
                                                                            : 404;
      state_->log->error("HTTP {} refused for {}: {}", tftp_rules::printable(target), peer_, status);
      respond_text(status, std::string(reason_phrase(status)) + "\n");
      return;
    }
    const auto& components = std::get<std::vector<std::string>>(resolved);
    std::string base = state_->root->path();
    while (base.size() > 1 && base.back() == '/') base.pop_back();
    // For the log only: a decoded name may hold any byte.
    const std::string path = tftp_rules::printable(base + joined(components));
    auto opened = state_->root->open_file(components);
    if (auto* failure = std::get_if<net::OpenError>(&opened)) {
      const bool missing = failure->kind == net::OpenFailure::not_found || failure->kind == net::OpenFailure::not_regular;
      if (missing) {
        state_->log->error("HTTP file {} not found for {}", path, peer_);
      } else {
        state_->log->error("HTTP cannot access {} for {}: Permission denied", path, peer_);
      }
      respond_text(missing ? 404 : 403, missing ? "not found\n" : "forbidden\n");
      return;
    }
    file_ = std::move(std::get<net::ConfinedFile>(opened));
    if (tftp_rules::permission_refused(file_.mode, file_.owner, static_cast<unsigned>(::geteuid()),
                                       state_->config->tftp.secure)) {
      state_->log->error("HTTP cannot access {} for {}: Permission denied", path, peer_);
      file_ = {};
      respond_text(403, "forbidden\n");
      return;
    }
    path_ = path;
    const auto answer = http::parse_range(range, file_.size);
    if (std::holds_alternative<http::Unsatisfiable>(answer)) {
      respond_text(416, "range not satisfiable\n", "Content-Range: bytes */" + std::to_string(file_.size) + "\r\n");
      return;
    }
    unsigned status = 200;
    offset_ = 0;
    remaining_ = file_.size;
    std::string extra;
    if (const auto* bytes = std::get_if<http::ByteRange>(&answer)) {
      status = 206;
      offset_ = bytes->first;
      remaining_ = bytes->last - bytes->first + 1;
      extra = "Content-Range: bytes " + std::to_string(bytes->first) + "-" + std::to_string(bytes->last) + "/" +
              std::to_string(file_.size) + "\r\n";
    }
    extra += "Accept-Ranges: bytes\r\nLast-Modified: " + http::http_date(file_.modified_ns / 1'000'000'000) + "\r\n";
    header_ = header(status, remaining_, extra, std::string(http::content_type(components.back())));
    ++state_->counters.ok;
    count_response(status, 0);
    if (head_) remaining_ = 0;
    boost::asio::async_write(socket_, boost::asio::buffer(header_),
                             [self = shared_from_this()](const boost::system::error_code& error, std::size_t) {
                               if (error) return self->close();
                               self->send_body();
                             });
  }

  // sendfile in chunks; between chunks the loop serves everyone else.
  void send_body() {
    if (remaining_ == 0) return finish_file();
    arm_timer();
    socket_.async_wait(tcp::socket::wait_write, [self = shared_from_this()](const boost::system::error_code& error) {
      if (error) return self->close();
      self->send_chunk();
    });
  }

  void send_chunk() {
    if (!socket_.native_non_blocking()) socket_.native_non_blocking(true);
    auto offset = static_cast<off_t>(offset_);
    const ssize_t sent = ::sendfile(socket_.native_handle(), file_.fd.get(), &offset,
                                    static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, kSendChunk)));
    if (sent < 0) {
      if (errno == EAGAIN || errno == EINTR) return send_body();
      state_->log->debug("HTTP sending {} to {} failed: {}", path_, peer_, std::strerror(errno));
      return close();
    }
    if (sent == 0) {  // the file shrank under us: the promised length cannot be kept
      state_->log->error("HTTP {} ended early for {}", path_, peer_);
      return close();
    }
    offset_ += static_cast<std::uint64_t>(sent);
    remaining_ -= static_cast<std::uint64_t>(sent);
    sent_ += static_cast<std::uint64_t>(sent);
    state_->counters.bytes_sent += static_cast<std::uint64_t>(sent);
    state_->counters.by_status[status_].bytes += static_cast<std::uint64_t>(sent);
    send_body();
  }

  void finish_file() {
    if (!head_) state_->log->info("HTTP sent {} to {} ({} bytes)", path_, peer_, sent_);
    sent_ = 0;
    file_ = {};
    next_or_close();
  }

  void next_or_close() {
    if (keep_alive_) {
      read_request();
    } else {
      close();
    }
  }

  static std::string header(unsigned status, std::uint64_t length, const std::string& extra, const std::string& type) {
    return "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) +
           "\r\nServer: pxemasq\r\nContent-Type: " + type + "\r\nContent-Length: " + std::to_string(length) +
           "\r\n" + extra + "\r\n";
  }

  void respond_text(unsigned status, std::string body, const std::string& extra = "",
                    const std::string& type = "text/plain; charset=utf-8") {
    if (status >= 500) {
      ++state_->counters.server_errors;
    } else if (status >= 400) {
      ++state_->counters.client_errors;
    } else {
      ++state_->counters.ok;
    }
    count_response(status, head_ ? 0 : body.size());
    header_ = header(status, body.size(), extra + (keep_alive_ ? "" : "Connection: close\r\n"), type);
    if (!head_) header_ += body;
    boost::asio::async_write(socket_, boost::asio::buffer(header_),
                             [self = shared_from_this()](const boost::system::error_code& error, std::size_t) {
                               if (error) return self->close();
                               self->next_or_close();
                             });
  }

  // Counting hook (/metrics): the response's status, and body bytes sent with it now (file
  // bodies are added chunk by chunk as sendfile sends them).
  void count_response(unsigned status, std::size_t body_bytes) {
    status_ = status;
    HttpStatusCount& count = state_->counters.by_status[status];
    ++count.responses;
    count.bytes += body_bytes;
  }

  tcp::socket socket_;
  boost::asio::steady_timer timer_;
  std::shared_ptr<State> state_;
  boost::beast::flat_buffer buffer_;
  std::optional<beast_http::request_parser<beast_http::empty_body>> parser_;
  std::string peer_;
  std::string header_;
  std::string path_;
  net::ConfinedFile file_;
  std::uint64_t offset_ = 0;
  std::uint64_t remaining_ = 0;
  std::uint64_t sent_ = 0;
  bool keep_alive_ = true;
  bool head_ = false;
  unsigned status_ = 200;  // of the response being sent
};

std::variant<std::unique_ptr<HttpService>, StartupError> HttpService::start(
    boost::asio::io_context& io, std::shared_ptr<const config::Config> config, std::shared_ptr<spdlog::logger> log,
    MetricsSource metrics) {
  const auto root_path = http_root_of(*config);
  if (!root_path) return StartupError{"http-port needs http-root or a tftp-root for all interfaces", 1};
  auto root = net::ConfinedRoot::open(*root_path);
  if (auto* error = std::get_if<std::error_code>(&root)) {
    return StartupError{"HTTP directory " + *root_path + " inaccessible: " + error->message(), 3};
  }
  tcp::acceptor acceptor(io);
  boost::system::error_code error;
  const tcp::endpoint endpoint(tcp::v4(), *config->http.port);
  acceptor.open(endpoint.protocol(), error);
  if (!error) acceptor.set_option(tcp::acceptor::reuse_address(true), error);
  if (!error) acceptor.bind(endpoint, error);
  if (!error) acceptor.listen(boost::asio::socket_base::max_listen_connections, error);
  if (error) {
    return StartupError{"failed to create listening socket for HTTP port " + std::to_string(*config->http.port) +
                            ": " + error.message(),
                        2};
  }
  auto state = std::make_shared<State>();
  state->config = std::move(config);
  state->log = std::move(log);
  state->metrics = std::move(metrics);
  state->root = std::make_shared<const net::ConfinedRoot>(std::move(std::get<net::ConfinedRoot>(root)));
  state->log->info("HTTP root is {} on port {}", *root_path, *state->config->http.port);
  std::unique_ptr<HttpService> service(new HttpService(std::move(acceptor), std::move(state)));
  service->accept_next();
  return service;
}

HttpService::~HttpService() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

std::optional<StartupError> HttpService::reconfigure(std::shared_ptr<const config::Config> config) {
  const auto root_path = http_root_of(*config);
  if (!root_path) return StartupError{"http-port needs http-root or a tftp-root for all interfaces", 1};
  if (*root_path != state_->root->path()) {
    auto root = net::ConfinedRoot::open(*root_path);
    if (auto* error = std::get_if<std::error_code>(&root)) {
      return StartupError{"HTTP directory " + *root_path + " inaccessible: " + error->message(), 3};
    }
    state_->root = std::make_shared<const net::ConfinedRoot>(std::move(std::get<net::ConfinedRoot>(root)));
  }
  state_->config = std::move(config);
  return std::nullopt;
}

void HttpService::accept_next() {
  acceptor_.async_accept([this, state = state_](const boost::system::error_code& error, tcp::socket socket) {
    if (error == boost::asio::error::operation_aborted) return;
    if (!error) {
      ++state->counters.connections;
      if (state->open_connections >= kMaxHttpConnections) {
        boost::system::error_code ignored;
        socket.close(ignored);  // over the limit: the client retries; the loop stays responsive
        ++state->counters.server_errors;
        ++state->counters.connections_refused;
      } else {
        std::make_shared<Connection>(std::move(socket), state)->start();
      }
    }
    accept_next();
  });
}

}  // namespace pxemasq::daemon
