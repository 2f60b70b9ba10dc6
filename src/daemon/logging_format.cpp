#include "daemon/logging_format.hpp"

#include <fmt/format.h>

#include <array>
#include <utility>

namespace pxemasq::daemon {
namespace {

std::string cut(std::string line) {
  if (line.size() > kMaxLogLineBytes) line.resize(kMaxLogLineBytes);
  return line;
}

}  // namespace

int syslog_severity(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return 7;  // LOG_DEBUG
    case spdlog::level::info:
      return 6;  // LOG_INFO
    case spdlog::level::warn:
      return 4;  // LOG_WARNING
    case spdlog::level::err:
      return 3;  // LOG_ERR
    case spdlog::level::critical:
      return 2;  // LOG_CRIT
    case spdlog::level::off:
    case spdlog::level::n_levels:
      break;
  }
  return 6;
}

std::optional<int> syslog_facility_code(std::string_view name) {
  // <syslog.h> codes (LOG_xxx >> 3); "security" is the old name of auth, and "mark" is glibc's
  // internal mark facility, which dnsmasq also accepts.
  static constexpr std::array<std::pair<std::string_view, int>, 22> kCodes{{
      {"kern", 0},      {"user", 1},    {"mail", 2},     {"daemon", 3},  {"auth", 4},
      {"syslog", 5},    {"lpr", 6},     {"news", 7},     {"uucp", 8},    {"cron", 9},
      {"authpriv", 10}, {"ftp", 11},    {"security", 4}, {"mark", 24},   {"local0", 16},
      {"local1", 17},   {"local2", 18}, {"local3", 19},  {"local4", 20}, {"local5", 21},
      {"local6", 22},   {"local7", 23},
  }};
  for (const auto& [known, code] : kCodes) {
    if (known == name) return code;
  }
  return std::nullopt;
}

std::string format_log_timestamp(const std::tm& local_time) {
  // Not strftime: its month names follow the locale, syslog's (RFC 3164 §4.1.2) are English.
  static constexpr std::array<std::string_view, 12> kMonths{
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto month = static_cast<std::size_t>(local_time.tm_mon) % kMonths.size();
  return fmt::format("{} {:2} {:02}:{:02}:{:02}", kMonths[month], local_time.tm_mday,
                     local_time.tm_hour, local_time.tm_min, local_time.tm_sec);
}

std::string format_log_file_line(const std::tm* local_time, std::string_view tag, long pid,
                                 std::string_view message) {
  std::string line =
      local_time != nullptr
          ? fmt::format("{} {}[{}]: {}", format_log_timestamp(*local_time), tag, pid, message)
          : fmt::format("{}[{}]: {}", tag, pid, message);
  line = cut(std::move(line));
  line.push_back('\n');
  return line;
}

std::string format_syslog_datagram(int facility, int severity, const std::tm& local_time,
                                   std::string_view tag, long pid, std::string_view message) {
  return fmt::format("<{}>", facility * 8 + severity) +
         cut(fmt::format("{} {}[{}]: {}", format_log_timestamp(local_time), tag, pid, message));
}

}  // namespace pxemasq::daemon
