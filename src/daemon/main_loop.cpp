#include "daemon/main_loop.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>

#include "config/values.hpp"
#include "daemon/dhcp_service.hpp"
#include "daemon/http_service.hpp"
#include "daemon/lease_store.hpp"
#include "daemon/metrics.hpp"
#include "daemon/process.hpp"
#include "daemon/socket_activation.hpp"
#include "daemon/logging.hpp"
#include "daemon/systemd_notify.hpp"
#include "daemon/tftp_service.hpp"
#include "version.hpp"

namespace pxemasq::daemon {
namespace {

constexpr std::chrono::seconds kStatusInterval{2};

void log_ranges(const config::Config& config, spdlog::logger& dhcp_log) {
  // dnsmasq keeps its ranges newest first, and logs them so.
  for (auto it = config.ranges.rbegin(); it != config.ranges.rend(); ++it) {
    const config::DhcpRange& range = *it;
    const std::string lease = config::pretty_duration(range.lease_seconds);
    switch (range.mode) {
      case config::RangeMode::dynamic:
        dhcp_log.info("DHCP, IP range {} -- {}, lease time {}", range.start.to_string(),
                      range.end.to_string(), lease);
        break;
      case config::RangeMode::static_only:
        dhcp_log.info("DHCP, static leases only on {}, lease time {}", range.start.to_string(),
                      lease);
        break;
      case config::RangeMode::proxy:
        dhcp_log.info("DHCP, proxy on subnet {}", range.start.to_string());
        break;
    }
  }
}

void log_tftp(const config::Config& config, spdlog::logger& tftp_log) {
  if (!config.tftp.enabled) return;
  // dnsmasq's "TFTP %s%s %s %s": the global root (the last one given), then the secure-mode
  // and single-port slots, each after a space even when empty.
  const config::TftpRoot* global = nullptr;
  for (const auto& root : config.tftp.roots) {
    if (!root.interface) global = &root;
  }
  tftp_log.info("TFTP {}{} {} {}", global != nullptr ? "root is " : "enabled",
                global != nullptr ? global->directory : std::string(),
                config.tftp.secure ? "secure mode" : "", config.tftp.single_port ? "single port mode" : "");
}

ServicePorts ports_of(const config::Config& config) {
  ServicePorts ports;
  ports.dhcp = config.server_port;
  return ports;
}

// Everything that lives as long as the daemon: the loop, the services, the signals.
class Daemon {
 public:
  Daemon(std::shared_ptr<const config::Config> config, ConfigReloader reload, Loggers loggers,
         PassedSockets passed)
      : config_(std::move(config)),
        reload_(std::move(reload)),
        log_(std::move(loggers)),
        passed_(passed),
        signals_(io_, SIGTERM, SIGINT, SIGHUP),
        status_timer_(io_),
        watchdog_timer_(io_) {}

  // Opens what the configuration asks for; an error is returned with its exit code.
  std::optional<StartupError> start_services() {
    if (auto error = start_dhcp(config_)) return error;
    if (auto error = start_tftp(config_)) return error;
    if (auto error = start_http(config_)) return error;
    warn_idle_sockets();
    return std::nullopt;
  }

  // Serves until a terminating signal; returns the exit code.
  int serve() {
    signals_.add(SIGUSR1);
    signals_.add(SIGUSR2);
    wait_for_signal();
    notifier_.ready(status_text(summary()));
    schedule_status();
    schedule_watchdog();
    io_.run();
    if (dhcp_) dhcp_->flush();
    return exit_code_;
  }

 private:
  std::optional<StartupError> start_dhcp(const std::shared_ptr<const config::Config>& config) {
    if (config->ranges.empty()) return std::nullopt;
    auto started = DhcpService::start(io_, config, log_.dhcp, std::exchange(passed_.dhcp, std::nullopt),
                                      std::exchange(passed_.pxe, std::nullopt));
    if (auto* error = std::get_if<StartupError>(&started)) return *error;
    dhcp_ = std::move(std::get<std::unique_ptr<DhcpService>>(started));
    return std::nullopt;
  }

  // TFTP (spec §6), independent of DHCP: enable-tftp alone serves files.
  std::optional<StartupError> start_tftp(const std::shared_ptr<const config::Config>& config) {
    if (!config->tftp.enabled) return std::nullopt;
    auto started = TftpService::start(io_, config, log_.tftp, std::exchange(passed_.tftp, std::nullopt));
    if (auto* error = std::get_if<StartupError>(&started)) return *error;
    tftp_ = std::move(std::get<std::unique_ptr<TftpService>>(started));
    return std::nullopt;
  }

  // pxemasq's HTTP server (an extension): only with http-port.
  std::optional<StartupError> start_http(const std::shared_ptr<const config::Config>& config) {
    if (!config->http.port) return std::nullopt;
    auto started = HttpService::start(io_, config, log_.tftp, [this] { return format_metrics(metrics()); });
    if (auto* error = std::get_if<StartupError>(&started)) return *error;
    http_ = std::move(std::get<std::unique_ptr<HttpService>>(started));
    return std::nullopt;
  }

  [[nodiscard]] MetricsSnapshot metrics() const {
    MetricsSnapshot snapshot;
    snapshot.uptime_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_at_).count();
    if (dhcp_) {
      snapshot.dhcp = true;
      snapshot.dhcp_counters = dhcp_->counters();
      snapshot.leases = dhcp_->leases_in_use();
      for (const auto& range : config_->ranges) {
        if (range.mode != config::RangeMode::dynamic) continue;
        snapshot.leases_per_range.push_back(
            {range.start.to_string() + "-" + range.end.to_string(), dhcp_->leases_between(range.start, range.end)});
      }
    }
    if (tftp_) {
      snapshot.tftp = true;
      snapshot.tftp_counters = tftp_->counters();
      snapshot.transfers_running = tftp_->active_transfers();
    }
    if (http_) snapshot.http = http_->counters();
    return snapshot;
  }

  void warn_idle_sockets() {
    const ServicePorts ports = ports_of(*config_);
    for (const auto role : {PassedRole::dhcp, PassedRole::tftp, PassedRole::pxe}) {
      if (passed_.slot(role)) {
        log_.main->warn("systemd passed a socket for {}, which the configuration does not serve; "
                        "it stays idle", describe(role, ports));
      }
    }
  }

  [[nodiscard]] ServiceSummary summary() const {
    ServiceSummary summary;
    summary.dhcp = dhcp_ != nullptr;
    summary.ranges = config_->ranges.size();
    summary.leases = dhcp_ ? dhcp_->leases_in_use() : 0;
    summary.tftp = tftp_ != nullptr;
    summary.transfers = tftp_ ? tftp_->active_transfers() : 0;
    return summary;
  }

  void wait_for_signal() {
    signals_.async_wait([this](const boost::system::error_code& error, int number) {
      if (error) return;
      if (on_signal(number)) wait_for_signal();
    });
  }

  // Returns false when the daemon stops.
  bool on_signal(int number) {
    switch (number) {
      case SIGTERM:
      case SIGINT:
        log_.main->info("exiting on receipt of {}", number == SIGINT ? "SIGINT" : "SIGTERM");
        // dnsmasq -d exits 5 on SIGINT (spec §8.2); everywhere else a clean stop is 0.
        exit_code_ = number == SIGINT && config_->no_daemon ? 5 : 0;
        notifier_.stopping();
        io_.stop();  // the services' pending operations end with the loop
        return false;
      case SIGHUP:
        reload();
        return true;
      case SIGUSR1:
        log_statistics();
        return true;
      case SIGUSR2:  // dnsmasq: re-open the log file (after logrotate moved it)
        if (auto failure = reopen_log_file(log_)) log_.main->error("{}", *failure);
        return true;
      default:
        return true;
    }
  }

  void reload() {
    notifier_.reloading();
    auto loaded = reload_();
    if (auto* failure = std::get_if<ReloadFailure>(&loaded)) {
      reject_reload(failure->message);
      return;
    }
    auto& reloaded = std::get<ReloadedConfig>(loaded);
    std::vector<std::string> root_warnings;
    if (reloaded.config->tftp.enabled) {
      if (auto error = TftpService::check_roots(*reloaded.config, root_warnings)) {
        reject_reload(error->message);
        return;
      }
    }
    for (const auto& warning : reloaded.warnings) log_.main->warn("{}", warning);
    for (const auto& warning : root_warnings) log_.tftp->warn("{}", warning);
    for (const auto& setting : settings_needing_restart(*config_, *reloaded.config)) {
      log_.main->warn("{} changed: it takes effect when pxemasq restarts", setting);
    }
    apply(reloaded.config);
    notifier_.ready(status_text(summary()));
  }

  void reject_reload(const std::string& message) {
    const ScopedLogFields fields({LogEvent::config_reload_failed, "", "", "", ""});
    log_.main->error("configuration not reloaded: {}", message);
    log_.main->error("still serving the previous configuration");
    notifier_.ready(status_text(summary()));
  }

  void apply(std::shared_ptr<const config::Config> loaded) {
    const std::shared_ptr<const config::Config> previous = config_;
    config_ = loaded;
    if (dhcp_ && loaded->ranges.empty()) {
      log_.dhcp->info("DHCP disabled by the new configuration");
      dhcp_->flush();
      dhcp_.reset();
    } else if (dhcp_) {
      dhcp_->reconfigure(loaded);
      dhcp_->request_lease_write();  // as dnsmasq does on SIGHUP
    } else if (auto error = start_dhcp(loaded)) {
      log_.dhcp->error("cannot start DHCP: {}", error->message);
    }
    if (tftp_ && !loaded->tftp.enabled) {
      log_.tftp->info("TFTP disabled by the new configuration; {} transfers stopped", tftp_->active_transfers());
      tftp_.reset();
    } else if (tftp_) {
      tftp_->reconfigure(loaded);
    } else if (auto error = start_tftp(loaded)) {
      log_.tftp->error("cannot start TFTP: {}", error->message);
    }
    if (http_ && !loaded->http.port) {
      http_.reset();
      log_.tftp->info("HTTP disabled by the new configuration");
    } else if (http_ && loaded->http.port != previous->http.port) {
      http_.reset();  // a new port: a new listener (connections in flight finish)
      if (auto error = start_http(loaded)) log_.tftp->error("cannot start HTTP: {}", error->message);
    } else if (http_) {
      if (auto error = http_->reconfigure(loaded)) log_.tftp->error("HTTP keeps its previous root: {}", error->message);
    } else if (auto error = start_http(loaded)) {
      log_.tftp->error("cannot start HTTP: {}", error->message);
    }
    {
      const ScopedLogFields fields({LogEvent::config_reloaded, "", "", "", ""});
      log_.main->info("configuration reloaded");
    }
    log_ranges(*loaded, *log_.dhcp);
    log_tftp(*loaded, *log_.tftp);
  }

  void log_statistics() {
    if (dhcp_) {
      const DhcpCounters& c = dhcp_->counters();
      log_.dhcp->info("DHCP: {} leases in use; {} packets received, {} replies, {} dropped as malformed, "
                      "{} dropped by interface rules, {} send errors, {} conflict probes ({} answered)",
                      dhcp_->leases_in_use(), c.received, c.replies, c.dropped_malformed,
                      c.dropped_interface, c.send_errors, c.probes, c.probes_answered);
    }
    if (tftp_) {
      const TftpCounters& c = tftp_->counters();
      log_.tftp->info("TFTP: {} transfers running (limit {}); {} started, {} completed, {} failed, "
                      "{} refused, {} refused at the limit; {} bytes sent, {} blocks resent after {} timeouts",
                      tftp_->active_transfers(), tftp_->max_transfers(), c.started, c.completed,
                      c.failed, c.refused, c.busy, c.bytes_sent, c.blocks_resent, c.timeouts);
    }
    if (http_) {
      const HttpCounters& c = http_->counters();
      log_.tftp->info("HTTP: {} connections open; {} accepted, {} requests, {} answered 2xx, {} 4xx, {} 5xx; "
                      "{} bytes sent",
                      http_->connections(), c.connections, c.requests, c.ok, c.client_errors, c.server_errors,
                      c.bytes_sent);
    }
  }

  void schedule_status() {
    if (!notifier_.enabled()) return;
    status_timer_.expires_after(kStatusInterval);
    status_timer_.async_wait([this](const boost::system::error_code& error) {
      if (error) return;
      notifier_.status(status_text(summary()));
      schedule_status();
    });
  }

  void schedule_watchdog() {
    const auto interval = notifier_.watchdog_interval();
    if (!interval) return;
    notifier_.watchdog();
    watchdog_timer_.expires_after(*interval);
    watchdog_timer_.async_wait([this](const boost::system::error_code& error) {
      if (!error) schedule_watchdog();
    });
  }

  boost::asio::io_context io_;
  std::shared_ptr<const config::Config> config_;
  ConfigReloader reload_;
  Loggers log_;
  PassedSockets passed_;  // passed by systemd and not (yet) taken by a service
  Notifier notifier_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer status_timer_;
  boost::asio::steady_timer watchdog_timer_;
  std::unique_ptr<DhcpService> dhcp_;
  std::unique_ptr<TftpService> tftp_;
  std::unique_ptr<HttpService> http_;
  std::chrono::steady_clock::time_point started_at_ = std::chrono::steady_clock::now();
  int exit_code_ = 0;
};

// A fatal start-up error: in the log, and to the waiting parent (which prints it), or on
// stderr in dnsmasq's fatal format when nobody waits.
int fail_startup(StartupReport& report, spdlog::logger* log, const std::string& message, int exit_code) {
  if (log != nullptr) {
    const ScopedLogFields fields({LogEvent::startup_failed, "", "", "", ""});
    log->critical("{}", message);
    log->critical("FAILED to start up");
  } else if (!report.waiting()) {  // a waiting parent prints it itself: once, not twice
    std::fprintf(stderr, "\npxemasq: %s\n", message.c_str());
  }
  report.failed(message, exit_code);
  spdlog::drop_all();
  return exit_code;
}

}  // namespace

std::vector<std::string> settings_needing_restart(const config::Config& running,
                                                  const config::Config& loaded) {
  std::vector<std::string> changed;
  const auto note = [&](bool differs, const char* name) {
    if (differs) changed.emplace_back(name);
  };
  note(running.lease_file != loaded.lease_file, "dhcp-leasefile");
  note(running.lease_max != loaded.lease_max, "dhcp-lease-max");
  note(running.server_port != loaded.server_port, "dhcp-alternate-port");
  note(running.bind_interfaces != loaded.bind_interfaces ||
           (running.bind_interfaces && running.interfaces != loaded.interfaces),
       "bind-interfaces");
  note(running.no_ping != loaded.no_ping, "no-ping");
  note(running.user != loaded.user || running.group != loaded.group, "user/group");
  note(running.pid_file != loaded.pid_file, "pid-file");
  note(running.log_facility.kind != loaded.log_facility.kind ||
           running.log_facility.value != loaded.log_facility.value || running.log_async != loaded.log_async,
       "log-facility/log-async");
  return changed;
}

int run_daemon(std::shared_ptr<const config::Config> config, ConfigReloader reload) {
  const ProcessMode mode = process_mode(*config);
  // Before the fork and before stdio is detached: is stderr systemd's journal stream?
  const LogEnvironment log_environment = read_log_environment();
  StartupReport report;
  // Before the fork: sd_listen_fds only accepts fds meant for this very PID.
  auto passed = take_passed_sockets(ports_of(*config));
  if (auto* error = std::get_if<ActivationError>(&passed)) return fail_startup(report, nullptr, error->message, 2);
  auto decided = decide_run_as(*config, ::geteuid(), SystemUserDatabase());
  if (auto* error = std::get_if<ProcessError>(&decided)) return fail_startup(report, nullptr, error->message, error->exit_code);
  const std::optional<RunAs> run_as = std::get<std::optional<RunAs>>(decided);

  if (mode == ProcessMode::daemon) {
    auto forked = StartupReport::daemonize();
    if (auto* error = std::get_if<ProcessError>(&forked)) return fail_startup(report, nullptr, error->message, error->exit_code);
    report = std::move(std::get<StartupReport>(forked));
  }
  ::umask(022);
  // After the fork (log-async's thread), before the privilege drop (log file, /dev/log).
  auto made = make_loggers(*config, choose_log_target(*config, log_environment));
  if (auto* error = std::get_if<LogSetupError>(&made)) return fail_startup(report, nullptr, error->message, error->exit_code);
  Loggers loggers = std::get<Loggers>(std::move(made));
  // As dnsmasq: an inaccessible tftp-root is fatal before any start-up line is logged.
  if (config->tftp.enabled) {
    std::vector<std::string> root_warnings;
    if (auto error = TftpService::check_roots(*config, root_warnings)) {
      return fail_startup(report, nullptr, error->message, error->exit_code);
    }
  }
  loggers.main->info("started, version {} DNS disabled", kVersion);
  log_ranges(*config, *loggers.dhcp);
  log_tftp(*config, *loggers.tftp);

  Daemon daemon(config, std::move(reload), loggers, std::get<PassedSockets>(passed));
  if (auto error = daemon.start_services()) return fail_startup(report, loggers.main.get(), error->message, error->exit_code);

  const std::optional<std::string> pid_file = pid_file_path(*config);
  bool pid_file_written = false;
  if (pid_file) {
    if (auto error = write_pid_file(*pid_file, run_as)) {
      if (::geteuid() == 0) return fail_startup(report, loggers.main.get(), error->message, error->exit_code);
      loggers.main->warn("{}", error->message);  // unprivileged (e.g. systemd's User=): not fatal
    } else {
      pid_file_written = true;
    }
  }
  if (run_as) {
    const std::string lease_file = config->lease_file.value_or(std::string(kDefaultLeaseFile));
    if (!config->ranges.empty()) {
      hand_over(lease_file, *run_as, lease_file == kDefaultLeaseFile);
      hand_over(lease_file + ".journal", *run_as, false);  // the store's append-only journal
    }
    if (auto failure = chown_log_file(loggers, run_as->uid, run_as->gid)) loggers.main->warn("{}", *failure);
    if (auto error = drop_privileges(*run_as, kept_capabilities())) {
      return fail_startup(report, loggers.main.get(), error->message, error->exit_code);
    }
    loggers.main->info("running as user {} with {}", run_as->user, capability_names(kept_capabilities()));
  }
  report.succeeded();
  // dnsmasq (spec §8.2): the background and -k modes run from / with stdin/stdout on /dev/null;
  // stderr stays when it is where the log goes (log-facility=-), and under -k (systemd keeps
  // it as the journal stream for anything written before the loggers exist).
  if (mode != ProcessMode::no_daemon) {
    detach_standard_streams(mode == ProcessMode::keep_in_foreground || loggers.target == LogTarget::stderr_stream);
  }

  const int exit_code = daemon.serve();
  if (pid_file_written) (void)::unlink(pid_file->c_str());
  spdlog::drop_all();
  return exit_code;
}

}  // namespace pxemasq::daemon
