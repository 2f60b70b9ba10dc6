#include "http/request.hpp"

#include <array>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <optional>

namespace pxemasq::http {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view path_part(std::string_view target) {
  const auto end = target.find_first_of("?#");
  return end == std::string_view::npos ? target : target.substr(0, end);
}

bool ends_with_any(std::string_view name, std::initializer_list<std::string_view> suffixes) {
  for (const auto suffix : suffixes) {
    if (name.size() >= suffix.size()) {
      bool equal = true;
      for (std::size_t i = 0; i < suffix.size() && equal; ++i) {
        const char a = name[name.size() - suffix.size() + i];
        equal = (a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a) == suffix[i];
      }
      if (equal) return true;
    }
  }
  return false;
}

std::optional<std::uint64_t> number(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

TargetPath resolve_target(std::string_view target) {
  if (target.size() > kMaxTargetLength || target.empty() || target.front() != '/') return TargetRefusal::bad_request;
  const std::string_view path = path_part(target);
  std::vector<std::string> components;
  std::string current;
  const auto finish_component = [&]() -> bool {
    if (current == "..") return false;
    if (!current.empty() && current != ".") components.push_back(current);
    current.clear();
    return true;
  };
  for (std::size_t i = 1; i < path.size(); ++i) {
    char c = path[i];
    if (c == '%') {
      const int high = i + 1 < path.size() ? hex_value(path[i + 1]) : -1;
      const int low = i + 2 < path.size() ? hex_value(path[i + 2]) : -1;
      if (high < 0 || low < 0) return TargetRefusal::bad_request;
      c = static_cast<char>(high * 16 + low);
      i += 2;
      // A decoded '/' still separates nothing: it is refused like a backslash, never a path step.
      if (c == '/') return TargetRefusal::forbidden;
    } else if (c == '/') {
      if (!finish_component()) return TargetRefusal::forbidden;
      continue;
    }
    if (c == '\0' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return TargetRefusal::bad_request;
    if (c == '\\') return TargetRefusal::forbidden;
    current.push_back(c);
  }
  if (!finish_component()) return TargetRefusal::forbidden;
  if (components.empty() || path.back() == '/') return TargetRefusal::not_found;
  return components;
}

bool is_metrics_target(std::string_view target) { return path_part(target) == "/metrics"; }

RangeAnswer parse_range(std::string_view header, std::uint64_t size) {
  constexpr std::string_view kUnit = "bytes=";
  if (header.substr(0, kUnit.size()) != kUnit) return WholeFile{};
  const std::string_view spec = header.substr(kUnit.size());
  if (spec.find(',') != std::string_view::npos) return WholeFile{};
  const auto dash = spec.find('-');
  if (dash == std::string_view::npos) return WholeFile{};
  const std::string_view left = spec.substr(0, dash);
  const std::string_view right = spec.substr(dash + 1);
  if (left.empty()) {  // the last N bytes
    const auto count = number(right);
    if (!count) return WholeFile{};
    if (*count == 0 || size == 0) return Unsatisfiable{};
    return ByteRange{size - std::min(*count, size), size - 1};
  }
  const auto first = number(left);
  if (!first) return WholeFile{};
  std::uint64_t last = size == 0 ? 0 : size - 1;
  if (!right.empty()) {
    const auto given = number(right);
    if (!given || *given < *first) return WholeFile{};
    last = std::min(*given, last);
  }
  if (*first >= size) return Unsatisfiable{};
  return ByteRange{*first, last};
}

std::string_view content_type(std::string_view name) {
  if (ends_with_any(name, {".ipxe", ".cfg", ".conf", ".txt", ".c32"})) {
    return ends_with_any(name, {".c32"}) ? "application/octet-stream" : "text/plain";
  }
  if (ends_with_any(name, {".efi"})) return "application/efi";
  if (ends_with_any(name, {".iso"})) return "application/x-iso9660-image";
  return "application/octet-stream";
}

std::string http_date(std::int64_t unix_seconds) {
  const std::time_t time = static_cast<std::time_t>(unix_seconds);
  std::tm parts{};
  ::gmtime_r(&time, &parts);
  static constexpr std::array<const char*, 7> kDays{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::array<char, 40> text{};
  std::snprintf(text.data(), text.size(), "%s, %02d %s %04d %02d:%02d:%02d GMT",
                kDays[static_cast<std::size_t>(parts.tm_wday)], parts.tm_mday,
                kMonths[static_cast<std::size_t>(parts.tm_mon)], parts.tm_year + 1900, parts.tm_hour,
                parts.tm_min, parts.tm_sec);
  return text.data();
}

}  // namespace pxemasq::http
