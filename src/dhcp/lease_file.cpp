#include "dhcp/lease_file.hpp"

#include <arpa/inet.h>

#include <array>
#include <charconv>
#include <optional>
#include <unordered_map>

#include "config/values.hpp"

namespace pxemasq::dhcp {
namespace {

constexpr std::size_t kFieldsPerLease = 5;
constexpr std::size_t kMaxHardwareAddress = 16;  // chaddr
constexpr std::size_t kMaxClientId = 255;        // an option's length byte
constexpr std::size_t kMaxHostname = 255;
constexpr std::size_t kMaxDuid = 130;  // RFC 8415: 2 + 128
constexpr std::string_view kInvalid = "ignoring invalid line in lease database";

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_blank(line[i])) ++i;
    const std::size_t start = i;
    while (i < line.size() && !is_blank(line[i])) ++i;
    if (i > start) fields.push_back(line.substr(start, i - start));
  }
  return fields;
}

std::optional<std::uint8_t> hex_digit(char c) {
  if (c >= '0' && c <= '9') return static_cast<std::uint8_t>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<std::uint8_t>(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return static_cast<std::uint8_t>(c - 'A' + 10);
  return std::nullopt;
}

// `52:54:00:aa:bb:cc` (one or two hex digits a byte, as dnsmasq's own parser allows). Empty text
// is an empty list.
std::optional<std::vector<std::uint8_t>> parse_hex_list(std::string_view text,
                                                        std::size_t max_bytes) {
  std::vector<std::uint8_t> bytes;
  if (text.empty()) return bytes;
  std::size_t i = 0;
  while (true) {
    const std::size_t start = i;
    unsigned value = 0;
    while (i < text.size() && text[i] != ':') {
      const auto digit = hex_digit(text[i]);
      if (!digit || i - start >= 2) return std::nullopt;
      value = value * 16 + *digit;
      ++i;
    }
    if (i == start || bytes.size() >= max_bytes) return std::nullopt;
    bytes.push_back(static_cast<std::uint8_t>(value));
    if (i == text.size()) return bytes;
    ++i;                                        // ':'
    if (i == text.size()) return std::nullopt;  // trailing ':'
  }
}

std::optional<std::int64_t> parse_expiry(std::string_view text) {
  std::int64_t value = 0;
  if (text.empty() || text.front() < '0' || text.front() > '9') return std::nullopt;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

struct Hardware {
  std::uint8_t htype = 1;
  std::vector<std::uint8_t> address;
};

// `52:54:00:aa:bb:cc`, or `TT-...` with the htype in two hex digits (`06-02:00:...`, `01-` for
// an Ethernet request with hlen 0, `00-` for htype 0).
std::optional<Hardware> parse_hardware(std::string_view text) {
  Hardware hardware;
  if (text.size() >= 3 && text[2] == '-') {
    const auto high = hex_digit(text[0]);
    const auto low = hex_digit(text[1]);
    if (!high || !low) return std::nullopt;
    hardware.htype = static_cast<std::uint8_t>(*high * 16 + *low);
    text.remove_prefix(3);
  } else if (text.empty()) {
    return std::nullopt;
  }
  auto address = parse_hex_list(text, kMaxHardwareAddress);
  if (!address) return std::nullopt;
  hardware.address = std::move(*address);
  return hardware;
}

bool legal_hostname_field(std::string_view text) {
  if (text.size() > kMaxHostname) return false;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return false;
  }
  return true;
}

bool is_ipv6(std::string_view text) {
  if (text.find(':') == std::string_view::npos || text.size() >= INET6_ADDRSTRLEN) return false;
  const std::string copy(text);
  std::array<unsigned char, 16> address{};
  return ::inet_pton(AF_INET6, copy.c_str(), address.data()) == 1;
}

// `[T]IAID` of a DHCPv6 line: decimal, `T` for a temporary address.
bool is_iaid(std::string_view text) {
  if (!text.empty() && text.front() == 'T') text.remove_prefix(1);
  if (text.empty() || text.size() > 10) return false;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

void append_hex_list(std::string& out, std::span<const std::uint8_t> bytes) {
  static constexpr std::string_view kDigits = "0123456789abcdef";
  bool first = true;
  for (const std::uint8_t byte : bytes) {
    if (!first) out.push_back(':');
    first = false;
    out.push_back(kDigits[byte >> 4]);
    out.push_back(kDigits[byte & 0x0f]);
  }
}

// A name that would break the line (blank, control byte) or read back as "no name" is written
// as `*`: losing a name beats losing the lease.
bool writable_hostname(std::string_view name) {
  if (name.empty() || name == "*") return false;
  for (const char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f) return false;
  }
  return true;
}

}  // namespace

std::string LeaseFileWarning::format() const {
  return "line " + std::to_string(line) + ": " + message;
}

LeaseFileParse parse_lease_file(std::string_view text, std::size_t max_leases) {
  LeaseFileContents contents;
  std::unordered_map<std::uint32_t, std::size_t> line_of_address;
  std::size_t records = 0;
  std::size_t line_number = 0;

  const auto count_record = [&records, max_leases]() { return ++records <= max_leases; };

  std::size_t position = 0;
  while (position < text.size()) {
    std::size_t end = text.find('\n', position);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(position, end - position);
    position = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    const auto warn = [&](std::string message) {
      contents.warnings.push_back({line_number, std::move(message), std::string(line)});
    };
    const auto fields = split_fields(line);
    if (fields.empty()) continue;

    // The DHCPv6 part: the server's DUID, then v6 leases. Carried, not interpreted.
    if (fields[0] == "duid") {
      const auto duid = fields.size() == 2 ? parse_hex_list(fields[1], kMaxDuid) : std::nullopt;
      if (!duid || duid->empty()) {
        warn(std::string(kInvalid) + ", bad DUID line: " + std::string(line));
        continue;
      }
      contents.carried_lines.emplace_back(line);
      continue;
    }
    if (fields.size() != kFieldsPerLease) {
      warn(std::string(kInvalid) + ": " + std::to_string(fields.size()) + " fields, expected " +
           std::to_string(kFieldsPerLease) + ": " + std::string(line));
      continue;
    }
    const auto expiry = parse_expiry(fields[0]);
    if (!expiry) {
      warn(std::string(kInvalid) + ", bad expiry time: " + std::string(fields[0]));
      continue;
    }
    if (is_ipv6(fields[2])) {
      if (!is_iaid(fields[1]) || !legal_hostname_field(fields[3]) ||
          (fields[4] != "*" && !parse_hex_list(fields[4], kMaxDuid))) {
        warn(std::string(kInvalid) + ", bad DHCPv6 lease: " + std::string(line));
        continue;
      }
      if (!count_record()) return LeaseFileError{"too many stored leases"};
      contents.carried_lines.emplace_back(line);
      continue;
    }
    const auto address = config::parse_ipv4(fields[2]);
    if (!address) {
      warn(std::string(kInvalid) + ", bad address: " + std::string(fields[2]));
      continue;
    }
    auto hardware = parse_hardware(fields[1]);
    if (!hardware) {
      warn(std::string(kInvalid) + ", bad hardware address: " + std::string(fields[1]));
      continue;
    }
    if (!legal_hostname_field(fields[3])) {
      warn(std::string(kInvalid) + ", bad host name: " + std::string(fields[3]));
      continue;
    }
    std::optional<std::vector<std::uint8_t>> client_id;
    if (fields[4] == "*") {
      client_id.emplace();
    } else {
      client_id = parse_hex_list(fields[4], kMaxClientId);
    }
    if (!client_id) {
      warn(std::string(kInvalid) + ", bad client-id: " + std::string(fields[4]));
      continue;
    }
    if (!count_record()) return LeaseFileError{"too many stored leases"};
    const auto [earlier, inserted] = line_of_address.emplace(address->value, line_number);
    if (!inserted) {
      warn("ignoring line in lease database, address " + address->to_string() +
           " is already leased by line " + std::to_string(earlier->second));
      continue;
    }
    Lease lease;
    lease.htype = hardware->htype;
    lease.hardware_address = std::move(hardware->address);
    lease.client_id = std::move(*client_id);
    lease.address = *address;
    if (fields[3] != "*") lease.hostname = std::string(fields[3]);
    lease.expiry = *expiry;
    contents.leases.push_back(std::move(lease));
  }
  return contents;
}

void append_lease_line(std::string& out, const Lease& lease) {
  std::array<char, 24> number{};
  const auto [end, error] =
      std::to_chars(number.data(), number.data() + number.size(), lease.expiry);
  (void)error;  // 24 characters hold every int64
  out.append(number.data(), end);
  out.push_back(' ');
  if (lease.htype != 1 || lease.hardware_address.empty()) {
    static constexpr std::string_view kDigits = "0123456789abcdef";
    out.push_back(kDigits[lease.htype >> 4]);
    out.push_back(kDigits[lease.htype & 0x0f]);
    out.push_back('-');
  }
  append_hex_list(out, lease.hardware_address);
  out.push_back(' ');
  const auto octets = lease.address.bytes();
  for (std::size_t i = 0; i < octets.size(); ++i) {
    if (i != 0) out.push_back('.');
    const auto [octet_end, octet_error] =
        std::to_chars(number.data(), number.data() + number.size(), unsigned{octets[i]});
    (void)octet_error;
    out.append(number.data(), octet_end);
  }
  out.push_back(' ');
  if (writable_hostname(lease.hostname)) {
    out.append(lease.hostname);
  } else {
    out.push_back('*');
  }
  out.push_back(' ');
  if (lease.client_id.empty()) {
    out.push_back('*');
  } else {
    append_hex_list(out, lease.client_id);
  }
  out.push_back('\n');
}

std::string format_lease_line(const Lease& lease) {
  std::string line;
  append_lease_line(line, lease);
  line.pop_back();
  return line;
}

std::string format_lease_file(const LeaseTable& table, std::span<const std::string> carried_lines) {
  std::string out;
  // ~70 bytes make a typical line; one allocation for the common case.
  out.reserve(table.size() * 80 + carried_lines.size() * 80);
  for (const Lease* lease : table.newest_first()) append_lease_line(out, *lease);
  for (const std::string& line : carried_lines) {
    out.append(line);
    out.push_back('\n');
  }
  return out;
}

}  // namespace pxemasq::dhcp
