// dhcp-option, dhcp-option-force and dhcp-match (spec §3.3, §3.6).
//
// dnsmasq reads all three with one routine (option.c:parse_dhcp_opt), in three steps that we keep:
//   1. a prefix scan that finds the tags, the option space and the option (spec §3.3 "Prefix
//      scan");
//   2. one pass over the whole value that decides its shape (§3.3 "Value classification");
//   3. an encoding chosen by the option's table type (dhcp/option_defs.hpp) and that shape.
// Accept/reject and every message are dnsmasq's. Where dnsmasq crashes or silently misreads a
// line, pxemasq reports an error (only where dnsmasq crashes) or a warning, and encodes exactly
// what dnsmasq would send.

#include <arpa/inet.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/option_table.hpp"
#include "config/parsers.hpp"
#include "config/quoting.hpp"
#include "config/values.hpp"
#include "dhcp/option_defs.hpp"

namespace pxemasq::config {
namespace {

using dhcp::OptionDef;
using dhcp::OptionFamily;
using dhcp::ValueType;

enum class Use { option, match };

// Warnings found while reading a line; handed to the builder only if the line is accepted.
using Notes = std::vector<std::string>;

constexpr std::size_t kMaxLabel = 63;    // RFC 1035 label length
constexpr std::size_t kMaxName = 1025;   // dnsmasq's MAXDNAME
constexpr std::uint32_t kMaxCode = 255;  // the wire carries one byte

// Quoted characters are encoded as control bytes, so none of these ever match one (spec §1.2).
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_hex_digit(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
// True for "" too: dnsmasq reads an empty option field as option 0 [quirk].
bool all_digits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), is_digit);
}

std::string quote(std::string_view hidden_text) {
  return "'" + unhide(hidden_text) + "'";
}

// glibc atoi(), which dnsmasq uses unchecked: an optional sign, then digits up to the first
// other character; the long result (saturated) is truncated to int.
std::int32_t c_atoi(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && text[i] == ' ') ++i;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  constexpr std::uint64_t kLongMax = 0x7FFFFFFFFFFFFFFFULL;
  std::uint64_t magnitude = 0;
  for (; i < text.size() && is_digit(text[i]); ++i) {
    const auto digit = static_cast<std::uint64_t>(text[i] - '0');
    magnitude =
        magnitude > kLongMax / 10 ? kLongMax + 1 : std::min(magnitude * 10 + digit, kLongMax + 1);
  }
  std::uint64_t bits = 0;
  if (negative) {
    bits = ~magnitude + 1;  // two's complement; kLongMax + 1 is LONG_MIN
  } else {
    bits = std::min(magnitude, kLongMax);
  }
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(bits));
}

// `-?digits` as an exact (saturated) number, for warnings about what atoi() made of it.
std::optional<std::int64_t> exact_integer(std::string_view text) {
  const bool negative = text.starts_with('-');
  if (negative) text.remove_prefix(1);
  if (text.empty() || !all_digits(text)) return std::nullopt;
  constexpr std::int64_t kCap = 100'000'000'000'000'000;  // far beyond any width
  std::int64_t value = 0;
  for (char c : text) value = value < kCap ? value * 10 + (c - '0') : kCap;
  return negative ? -value : value;
}

std::string hex_bytes(const std::vector<std::uint8_t>& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::uint8_t b : bytes) {
    if (!out.empty()) out += ':';
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out.empty() ? "nothing" : out;
}

void append_be(std::vector<std::uint8_t>& out, std::uint32_t value, unsigned width) {
  for (unsigned i = width; i-- > 0;) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

// ---- step 1: prefix scan (spec §3.3 "Prefix scan") ------------------------------------------

struct Target {
  // dnsmasq's space flags as written; more than one can be set (see take_vi_encap).
  bool vendor = false;
  bool encap = false;
  bool vi_encap = false;
  OptionSpace space = OptionSpace::standard;  // the last space prefix
  std::uint32_t container = 0;
  std::string vendor_class;
  OptionFamily family = OptionFamily::dhcp4;
  bool found = false;  // an option (in dhcp-match also vi-encap:ENT) was identified
  std::uint32_t code = 0;
  const OptionDef* named = nullptr;    // the row of option:NAME / option6:NAME
  std::vector<std::string_view> tags;  // as written after tag:/net:/set:
  std::optional<std::string_view> value;
  std::string hint;  // why no option was found

  [[nodiscard]] bool any_space() const { return vendor || encap || vi_encap; }
  [[nodiscard]] bool dhcp6() const { return family == OptionFamily::dhcp6; }
};

// encap:N / vi-encap:N go through atoi() unchecked: `encap:x` is encap:0.
std::uint32_t read_container(std::string_view prefix, std::string_view number, Notes& notes) {
  const auto value = static_cast<std::uint32_t>(c_atoi(number));
  const auto exact = exact_integer(number);
  if (!exact || *exact < 0 || *exact > 0xFFFFFFFFLL) {
    notes.push_back(std::string(prefix) + quote(number) + " is not a number: dnsmasq reads it as " +
                    std::string(prefix) + std::to_string(value));
  }
  return value;
}

// A line can name one space. dnsmasq keeps vendor: and encap:/vi-encap: numbers in one field, so
// mixing vi-encap: with the others (accepted by dnsmasq) leaves it with a garbage space.
void note_space_change(const Target& target, std::string_view next, Notes& notes) {
  if (!target.any_space()) return;
  notes.push_back("a second space prefix (" + std::string(next) +
                  ") on one line: dnsmasq 2.90 misreads such lines; pxemasq uses the last one");
}

ParseStatus take_vendor(std::string_view vendor_class, Use use, Target& target, Notes& notes) {
  if (use == Use::match) {
    return rejected("inappropriate vendor:", "dhcp-match cannot look inside vendor: options");
  }
  if (target.encap) {
    return rejected("inappropriate vendor:", "a line has either encap: or vendor:, not both");
  }
  note_space_change(target, "vendor:", notes);
  target.vendor = true;
  target.space = OptionSpace::vendor;
  target.vendor_class = unhide(vendor_class);
  return accepted();
}

ParseStatus take_encap(std::string_view number, Use use, Target& target, Notes& notes) {
  if (use == Use::match) {
    return rejected("inappropriate encap:", "dhcp-match cannot look inside encap: options");
  }
  if (target.vendor) {
    // dnsmasq 2.90 segfaults here (spec §3.3); the message mirrors encap:N,vendor:X.
    return rejected("inappropriate encap:", "a line has either vendor: or encap:, not both");
  }
  note_space_change(target, "encap:", notes);
  target.encap = true;
  target.space = OptionSpace::encap;
  target.container = read_container("encap:", number, notes);
  if (target.container > kMaxCode) {
    notes.push_back("encap:" + std::to_string(target.container) +
                    " is above 255: dnsmasq sends it as option " +
                    std::to_string(target.container & kMaxCode));
  }
  return accepted();
}

void take_vi_encap(std::string_view number, Target& target, Notes& notes) {
  note_space_change(target, "vi-encap:", notes);
  target.vi_encap = true;
  target.space = OptionSpace::vendor_ident;
  target.container = read_container("vi-encap:", number, notes);
}

// option:NAME is looked up case-insensitively; internal rows only in dhcp-match (spec §3.4).
void take_option_name(OptionFamily family, std::string_view name, Use use, Target& target) {
  target.family = family;
  const std::string_view prefix = family == OptionFamily::dhcp6 ? "option6:" : "option:";
  const OptionDef* def = dhcp::find_option_by_name(family, name);
  if (def == nullptr) {
    target.hint = quote(name) + " is not a known DHCP option name";
    return;
  }
  if (def->internal && use == Use::option) {
    target.hint = std::string(prefix) + std::string(def->name) +
                  " is set by the server itself: dnsmasq refuses the name (the number " +
                  std::to_string(def->code) + " is accepted)";
    return;
  }
  target.code = def->code;
  target.named = def;
  target.found = true;
}

void take_option6(std::string_view spec, Use use, Target& target) {
  if (!all_digits(spec)) return take_option_name(OptionFamily::dhcp6, spec, use, target);
  target.family = OptionFamily::dhcp6;
  target.code = static_cast<std::uint32_t>(c_atoi(spec));
  target.found = true;
}

// Anything else is a tag (spec §1.3): tag:/net:/set: are stripped, bare words allowed.
void take_tag(std::string_view item, Use use, Target& target, Notes& notes) {
  std::string_view name = item;
  if (const auto tag = strip_tag_prefix(item)) {
    name = *tag;
    if (use == Use::match) {
      notes.push_back(unhide(item) + " in dhcp-match sets the tag, as set:" + unhide(name) +
                      " does");
    }
  } else if (const auto set = strip_set_prefix(item)) {
    name = *set;
    if (use == Use::option) {
      notes.push_back(unhide(item) + " in dhcp-option is a condition, read as tag:" + unhide(name) +
                      "; it sets nothing");
    }
  } else if (target.hint.empty() && dhcp::find_option_by_name(OptionFamily::dhcp4, item)) {
    target.hint =
        quote(item) + " is read as a tag; an option name is written option:" + unhide(item);
  }
  target.tags.push_back(name);
}

// One prefix item; `stop` is set when the scan ends at it (the option was reached).
ParseStatus take_item(std::string_view item, Use use, Target& target, Notes& notes, bool& stop) {
  stop = true;
  if (all_digits(item)) {
    target.code = static_cast<std::uint32_t>(c_atoi(item));
    target.found = true;
  } else if (item.starts_with("option:")) {
    take_option_name(OptionFamily::dhcp4, item.substr(7), use, target);
  } else if (item.starts_with("option6:")) {
    take_option6(item.substr(8), use, target);
  } else if (item.starts_with("vi-encap:")) {
    take_vi_encap(item.substr(9), target, notes);
    // In dhcp-match, vi-encap:ENT is the thing matched; the rest is the value (spec §3.6).
    target.found = use == Use::match;
    stop = target.found;
  } else {
    stop = false;
    if (item.starts_with("vendor:")) return take_vendor(item.substr(7), use, target, notes);
    if (item.starts_with("encap:")) return take_encap(item.substr(6), use, target, notes);
    take_tag(item, use, target, notes);
  }
  return accepted();
}

ParseStatus scan_prefix(std::string_view text, Use use, Target& target, Notes& notes) {
  std::optional<std::string_view> rest = text;
  while (rest) {
    const HeadAndRest split = split_first(*rest);
    rest = split.rest;
    bool stop = false;
    if (auto error = take_item(split.head, use, target, notes, stop)) return error;
    if (stop) break;
  }
  target.value = rest;
  return accepted();
}

// The row that types the value: the named row, else the row of the number - but only for
// top-level options; vendor:/encap:/vi-encap: sub-options by number are free-form (§3.3).
const OptionDef* typing_row(const Target& target) {
  if (target.named != nullptr) return target.named;
  if (target.any_space()) return nullptr;
  return dhcp::find_option_by_code(target.family, target.code);
}

// ---- step 2: value classification (spec §3.3 table) --------------------------------------

struct Shape {
  bool decimal = true;
  bool hex = true;
  bool ipv4 = true;
  bool ipv6 = true;
  bool found_digit = false;
  bool found_colon = false;
  std::size_t hex_groups = 1;
  std::size_t dots = 0;
  char width_suffix = '\0';  // b, s or i after an all-decimal value
  std::string_view body;     // the value without the width suffix
};

void classify_other(Shape& shape, std::string_view value, std::size_t i, Use use) {
  const char c = value[i];
  shape.ipv4 = false;
  if (i + 1 == value.size() && shape.decimal && (c == 'b' || c == 's' || c == 'i')) {
    shape.width_suffix = c;
    shape.body = value.substr(0, i);
  } else {
    shape.decimal = false;
  }
  if (!is_hex_digit(c) && !(c == '*' && use == Use::match)) {
    shape.hex = false;
    if (c != '[' && c != ']') shape.ipv6 = false;
  }
}

Shape classify(std::string_view value, Use use) {
  Shape s;
  s.body = value;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c == ',' || c == ' ') {  // (list elements are counted when the list is split)
      s.decimal = s.hex = false;
    } else if (c == ':') {
      ++s.hex_groups;
      s.decimal = s.ipv4 = false;
      s.found_colon = true;
    } else if (c == '/') {
      s.ipv6 = s.decimal = s.hex = false;
      if (i == 0) s.ipv4 = false;  // a leading `/` is a path
    } else if (c == '.') {
      s.decimal = s.hex = false;
      ++s.dots;
    } else if (c == '-') {
      s.hex = s.ipv4 = s.ipv6 = false;  // not decimal-breaking: `-5` is a number [verified]
    } else if (!is_digit(c)) {
      classify_other(s, value, i, use);
    } else {
      s.found_digit = true;
    }
  }
  if (!s.found_digit) s.decimal = s.ipv4 = false;
  if (!s.found_colon) s.ipv6 = false;
  return s;
}

// ---- step 3: encodings ---------------------------------------------------------------------

enum class Form { empty, time, hex, decimal, addresses, names, text };

struct Encoded {
  Form form = Form::empty;
  std::vector<std::uint8_t> bytes;
  std::vector<bool> wildcard;  // hex in dhcp-match: `*` groups
  bool substitutable = false;  // IPv4 list whose 0.0.0.0 elements become the server's address
};

std::uint32_t unit_factor(char unit) {
  switch (unit) {
    case 'w':
    case 'W':
      return 604800;
    case 'd':
    case 'D':
      return 86400;
    case 'h':
    case 'H':
      return 3600;
    case 'm':
    case 'M':
      return 60;
    case 's':
    case 'S':
      return 1;
    default:
      return 0;
  }
}

// What a well-formed `N[unit]` means, to tell when atoi() read something else.
std::optional<std::uint64_t> exact_seconds(std::string_view value) {
  std::uint64_t factor = 1;
  if (!value.empty() && unit_factor(value.back()) != 0) {
    factor = unit_factor(value.back());
    value.remove_suffix(1);
  }
  const auto exact = exact_integer(value);
  if (!exact || *exact < 0) return std::nullopt;
  return static_cast<std::uint64_t>(*exact) * factor;
}

// T-type: `N[s|m|h|d|w]`; only the last letter is a unit and atoi() reads the rest (§3.3.3).
// The b/s/i width suffix is already gone, so `5i` is 5 seconds.
ParseStatus encode_time(std::string_view value, const Shape& shape, Encoded& out, Notes& notes) {
  std::string_view number = shape.body;
  std::uint32_t factor = unit_factor(number.back());
  if (factor != 0) {
    number.remove_suffix(1);
  } else {
    factor = 1;
  }
  const std::uint32_t seconds = static_cast<std::uint32_t>(c_atoi(number)) * factor;
  append_be(out.bytes, seconds, 4);
  out.form = Form::time;
  if (exact_seconds(value) != std::optional<std::uint64_t>(seconds)) {
    notes.push_back("time value " + quote(value) + " is read as " + std::to_string(seconds) +
                    " seconds (one unit letter, at the end, is allowed)");
  }
  return accepted();
}

struct HexRead {
  std::size_t count = 0;  // bytes written
  bool clean = true;      // every group was one byte, nothing was dropped or zero-filled
  bool failed = false;    // a group mixed `*` and digits: dnsmasq stops and drops the wildcards
};

int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// One `:` group: byte pairs from the left, a lone last digit is a byte of its own (`123` = 12 03).
void read_hex_group(std::string_view group, Encoded& out, HexRead& read) {
  if (group.empty()) {
    read.clean = false;  // the byte stays zero
    return;
  }
  if (group == "*") {
    out.wildcard[read.count++] = true;
    return;
  }
  if (group.size() > 2) read.clean = false;
  for (std::size_t pos = 0; pos < group.size() && read.count < out.bytes.size(); pos += 2) {
    const std::string_view piece = group.substr(pos, 2);
    if (piece.find('*') != std::string_view::npos) {
      read.failed = true;
      return;
    }
    int byte = 0;
    for (char c : piece) byte = byte * 16 + hex_value(c);
    out.bytes[read.count++] = static_cast<std::uint8_t>(byte);
  }
}

// Hex (§3.3.4): the length is the number of `:` groups, whatever the groups hold (util.c
// parse_hex with a fixed output length): `1::2` = 01 02 00, `0102:03` = 01 02.
ParseStatus encode_hex(std::string_view value, const Shape& shape, Use use, Encoded& out,
                       Notes& notes) {
  out.form = Form::hex;
  out.bytes.assign(shape.hex_groups, 0);
  out.wildcard.assign(shape.hex_groups, false);
  HexRead read;
  std::size_t start = 0;
  while (start <= value.size() && read.count < out.bytes.size() && !read.failed) {
    const std::size_t colon = std::min(value.find(':', start), value.size());
    read_hex_group(value.substr(start, colon - start), out, read);
    start = colon + 1;
  }
  if (read.failed) std::fill(out.wildcard.begin(), out.wildcard.end(), false);
  if (!read.clean || read.failed) {
    notes.push_back("hex value " + quote(value) + " is read as " + hex_bytes(out.bytes) +
                    " (one byte per `:` group)");
  }
  if (use == Use::option) out.wildcard.clear();
  return accepted();
}

unsigned width_by_value(std::int32_t value) {
  const auto bits = static_cast<std::uint32_t>(value);
  if ((bits & 0xFFFF0000U) != 0) return 4;
  if ((bits & 0xFF00U) != 0) return 2;
  return 1;
}

unsigned width_of_suffix(char suffix) {
  if (suffix == 'b') return 1;
  if (suffix == 's') return 2;
  return 4;
}

void note_decimal(std::string_view body, std::int32_t value, unsigned width,
                  const std::vector<std::uint8_t>& bytes, Notes& notes) {
  const auto exact = exact_integer(body);
  if (!exact) {
    notes.push_back(quote(body) + " is read as the number " + std::to_string(value));
    return;
  }
  const std::int64_t limit = std::int64_t{1} << (8 * width);
  if (*exact >= limit || *exact < -(limit / 2)) {
    notes.push_back(std::to_string(*exact) + " does not fit in " + std::to_string(width) +
                    (width == 1 ? " byte" : " bytes") + ": dnsmasq sends " + hex_bytes(bytes));
  }
}

// Decimal (§3.3.5): the table width, else the value's own, overridden by a b/s/i suffix.
ParseStatus encode_decimal(const Target& target, const OptionDef* row, const Shape& shape,
                           Encoded& out, Notes& notes) {
  const std::int32_t value = c_atoi(shape.body);
  unsigned width = row != nullptr && row->width != 0 ? row->width : width_by_value(value);
  if (shape.width_suffix != '\0') {
    width = width_of_suffix(shape.width_suffix);
  } else if (row != nullptr && row->internal && row->width == 0 && !target.dhcp6()) {
    // dnsmasq takes the row's internal flag for the width: 52, 53, 55, 57... [verified]
    return rejected("dhcp-option too long", "dnsmasq refuses a plain number for option " +
                                                std::to_string(row->code) + "; give a width (" +
                                                unhide(shape.body) + "b) or hex bytes");
  }
  append_be(out.bytes, static_cast<std::uint32_t>(value), width);
  out.form = Form::decimal;
  note_decimal(shape.body, value, width, out.bytes, notes);
  return accepted();
}

// `A.B.C.D/N` (RFC 3442 compact form): N, then the significant octets. atoi() reads N.
void append_prefixed(Ipv4 address, std::string_view length_text, Encoded& out, Notes& notes) {
  const std::int32_t length = c_atoi(length_text);
  out.bytes.push_back(static_cast<std::uint8_t>(length));
  const auto octets = address.bytes();
  for (unsigned i = 0; i < 4; ++i) {
    if (length > static_cast<std::int32_t>(8 * i)) out.bytes.push_back(octets[i]);
  }
  const auto exact = exact_integer(length_text);
  if (!exact || *exact < 0) {
    notes.push_back("prefix length " + quote(length_text) + " is read as " +
                    std::to_string(static_cast<std::uint8_t>(length)));
  } else if (*exact > 32) {
    notes.push_back("prefix length " + std::to_string(*exact) +
                    " is above 32: dnsmasq sends it with all four address bytes");
  }
}

std::string_view trim_spaces(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

// IPv4 list (§3.3.6). Option 120 gets RFC 3361's encoding byte 1 and, like any list with a `/N`
// element, keeps its 0.0.0.0 as written.
ParseStatus encode_ipv4_list(const Target& target, std::string_view body, Encoded& out,
                             Notes& notes) {
  const bool sip = !target.any_space() && target.code == 120;
  if (sip) out.bytes.push_back(1);
  bool prefixed = false;
  for (std::string_view item : split_list(body)) {
    const std::size_t slash = item.find('/');
    const std::string_view address_text = trim_spaces(item.substr(0, slash));
    const auto address = parse_ipv4(address_text);
    if (!address) return rejected("bad IPv4 address", quote(item) + " is not an IPv4 address");
    if (slash == std::string_view::npos) {
      const auto octets = address->bytes();
      out.bytes.insert(out.bytes.end(), octets.begin(), octets.end());
    } else {
      prefixed = true;
      append_prefixed(*address, trim_spaces(item.substr(slash + 1)), out, notes);
    }
  }
  out.form = Form::addresses;
  out.substitutable = !sip && !prefixed;
  return accepted();
}

// DHCPv6 addresses, checked only: `[...]` brackets are optional, each end on its own.
ParseStatus check_ipv6_list(std::string_view body) {
  for (std::string_view item : split_list(body)) {
    if (item.starts_with('[')) item.remove_prefix(1);
    if (item.size() > 1 && item.ends_with(']')) item.remove_suffix(1);
    const std::string copy(item);
    in6_addr address{};
    if (::inet_pton(AF_INET6, copy.c_str(), &address) != 1) return rejected("bad IPv6 address");
  }
  return accepted();
}

// -- RFC 1035 names (§3.3.7) --

ParseStatus bad_domain(std::string hint = {}) {
  return rejected("bad domain in dhcp-option", std::move(hint));
}

bool has_upper(std::string_view name) {
  return std::any_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// A name with capitals goes through libidn2 in dnsmasq, which lower-cases it and refuses
// labels with a hyphen at either end or at positions 3-4 [verified: -Ab, Ab-, ab--cD refused].
ParseStatus fold_capitals(std::string& name) {
  for (char& c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  std::size_t start = 0;
  while (start <= name.size()) {
    const std::size_t dot = std::min(name.find('.', start), name.size());
    const std::string_view label = std::string_view(name).substr(start, dot - start);
    const bool reserved =
        label.size() >= 4 && label.substr(2, 2) == "--" && !label.starts_with("xn");
    if (!label.empty() && (label.front() == '-' || label.back() == '-' || reserved)) {
      return bad_domain(quote(label) +
                        ": a label may not start or end with '-' or have '--' at 3-4");
    }
    start = dot + 1;
  }
  return accepted();
}

// dnsmasq's check (util.c check_name): one trailing dot dropped, labels up to 63, no control
// characters, something other than spaces.
ParseStatus canonical_name(std::string_view item, std::string& name) {
  name = unhide(item);
  if (name.empty() || name.size() > kMaxName) return bad_domain();
  bool visible = false;
  if (name.back() == '.') {
    name.pop_back();
    visible = true;
  }
  std::size_t label = 0;
  bool non_ascii = false;
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '.') {
      label = 0;
    } else if (++label > kMaxLabel) {
      return bad_domain("a label is longer than 63 characters");
    } else if (u < 0x20 || u == 0x7F) {
      return bad_domain();
    } else if (u >= 0x80) {
      non_ascii = true;
    } else if (c != ' ') {
      visible = true;
    }
  }
  if (!visible) return bad_domain();
  if (non_ascii) {
    return bad_domain("pxemasq does not IDN-encode " + quote(item) +
                      "; write its ASCII (xn--) form");
  }
  return has_upper(name) ? fold_capitals(name) : accepted();
}

// dnsmasq's compression: each suffix of the new name, longest first, against every label start
// of the earlier names, compared as NUL-terminated byte strings (strcmp).
void compress_tail(std::vector<std::uint8_t>& names, std::size_t start) {
  const auto same = [&names](std::size_t a, std::size_t b) {
    for (; names[a] == names[b] && names[a] != 0; ++a) ++b;
    return names[a] == names[b];
  };
  for (std::size_t tail = start; names[tail] != 0; tail += names[tail] + 1U) {
    for (std::size_t earlier = 0; earlier < start; earlier += names[earlier] + 1U) {
      if (!same(earlier, tail)) continue;
      names[tail] = static_cast<std::uint8_t>(0xC0 | (earlier >> 8));
      names[tail + 1] = static_cast<std::uint8_t>(earlier & 0xFF);
      names.resize(tail + 2);
      return;
    }
  }
}

ParseStatus append_name(std::string_view item, bool compress, std::vector<std::uint8_t>& names,
                        Notes& notes) {
  if (item == ".") {  // the root: an empty name
    names.push_back(0);
    return accepted();
  }
  std::string name;
  if (auto error = canonical_name(item, name)) return error;
  const std::size_t start = names.size();
  bool empty_label = false;
  for (std::size_t pos = 0; pos < name.size();) {
    const std::size_t dot = std::min(name.find('.', pos), name.size());
    names.push_back(static_cast<std::uint8_t>(dot - pos));
    names.insert(names.end(), name.begin() + static_cast<std::ptrdiff_t>(pos),
                 name.begin() + static_cast<std::ptrdiff_t>(dot));
    empty_label = empty_label || dot == pos;
    pos = dot + (dot < name.size() ? 1 : 0);
  }
  names.push_back(0);
  if (empty_label) {
    notes.push_back("empty label in " + quote(item) +
                    ": dnsmasq sends a zero byte there, which ends the name early");
  }
  if (compress) compress_tail(names, start);
  return accepted();
}

// A list of RFC 1035 names; it ends at the first empty item, as in dnsmasq.
ParseStatus encode_name_list(std::string_view body, bool compress, Encoded& out, Notes& notes) {
  const auto items = split_list(body);
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i].empty()) {
      const bool more = std::any_of(items.begin() + static_cast<std::ptrdiff_t>(i), items.end(),
                                    [](std::string_view s) { return !s.empty(); });
      if (more) notes.push_back("the names after an empty item are ignored (as dnsmasq does)");
      break;
    }
    if (auto error = append_name(items[i], compress, out.bytes, notes)) return error;
  }
  out.form = Form::names;
  return accepted();
}

// Text-like values (§3.3.7). Top-level 119 and 120 are RFC 3397 / RFC 3361 lists with
// compression (120 with its encoding byte 0); a name-list row elsewhere (option:domain-search
// inside vendor:/encap:/vi-encap:, DHCPv6 names) is a plain list without compression
// [verified on the wire]; everything else is the text as written.
ParseStatus encode_strings(const Target& target, ValueType type, const Shape& shape, Encoded& out,
                           Notes& notes) {
  if (shape.width_suffix != '\0') {
    notes.push_back(std::string("the final '") + shape.width_suffix + "' of " +
                    quote(std::string(shape.body) + shape.width_suffix) +
                    " is dropped: dnsmasq reads it as a width suffix");
  }
  if (!target.dhcp6() && !target.any_space() && (target.code == 119 || target.code == 120)) {
    auto status = encode_name_list(shape.body, true, out, notes);
    // Compression offsets count from the first name, after 120's encoding byte.
    if (target.code == 120) out.bytes.insert(out.bytes.begin(), 0);
    return status;
  }
  if (target.dhcp6() && type == ValueType::counted_strings) return accepted();  // not served
  if (type == ValueType::name_list) return encode_name_list(shape.body, false, out, notes);
  out.form = Form::text;
  const std::string text = unhide(shape.body);
  out.bytes.assign(text.begin(), text.end());
  return accepted();
}

// The table type narrows the shape (§3.3 "Then, by the option's table type").
ParseStatus apply_type(const Target& target, ValueType type, Shape& shape) {
  if (type == ValueType::address_list) {
    shape.decimal = shape.hex = false;
    if (!target.dhcp6() && (!shape.ipv4 || shape.dots == 0)) {
      return rejected("bad IP address", "this option takes a list of IPv4 addresses");
    }
    if (target.dhcp6() && !shape.ipv6) return rejected("bad IPv6 address");
  } else if (type == ValueType::text || type == ValueType::name_list ||
             type == ValueType::counted_strings) {
    shape.ipv4 = shape.ipv6 = shape.decimal = shape.hex = false;
  }
  return accepted();
}

ParseStatus encode_value(const Target& target, Use use, std::string_view value, Encoded& out,
                         Notes& notes) {
  Shape shape = classify(value, use);
  const OptionDef* row = typing_row(target);
  ValueType type = row != nullptr ? row->type : ValueType::free_form;
  if (target.dhcp6() && target.code == 56 && !shape.hex) {  // ntp-server: addresses or names
    type = shape.ipv6 ? ValueType::address_list : ValueType::name_list;
  }
  if (auto error = apply_type(target, type, shape)) return error;
  if (shape.found_digit && type == ValueType::time) return encode_time(value, shape, out, notes);
  if (shape.hex && shape.hex_groups > 1) return encode_hex(value, shape, use, out, notes);
  if (shape.decimal) return encode_decimal(target, row, shape, out, notes);
  if (shape.ipv4 && !target.dhcp6()) return encode_ipv4_list(target, shape.body, out, notes);
  if (shape.ipv6 && target.dhcp6()) return check_ipv6_list(shape.body);
  return encode_strings(target, type, shape, out, notes);
}

// Length limits (§3.3): 255, 253 inside vendor:/encap:, 250 inside vi-encap:. DHCPv6 has none.
ParseStatus check_length(const Target& target, const Encoded& encoded) {
  if (target.dhcp6()) return accepted();
  std::size_t limit = 255;
  if (target.vendor || target.encap) limit = 253;
  if (target.vi_encap) limit = std::min<std::size_t>(limit, 250);
  if (encoded.bytes.size() <= limit) return accepted();
  return rejected("dhcp-option too long", "the value is " + std::to_string(encoded.bytes.size()) +
                                              " bytes; at most " + std::to_string(limit) +
                                              " fit here");
}

void note_code(const Target& target, Use use, Notes& notes) {
  if (target.dhcp6() || (use == Use::match && target.vi_encap)) return;
  if (target.code > kMaxCode) {
    notes.push_back("option number " + std::to_string(target.code) + " is above 255: " +
                    (use == Use::option
                         ? "dnsmasq sends it as option " + std::to_string(target.code & kMaxCode)
                         : std::string("it can never match")));
  } else if (target.code == 0) {
    notes.push_back("option 0 is the pad byte, not an option (an empty option field reads as 0)");
  }
}

struct Line {
  Target target;
  Encoded encoded;
};

ParseStatus read_line(std::string_view text, Use use, Line& line, Notes& notes) {
  Target& target = line.target;
  if (auto error = scan_prefix(text, use, target, notes)) return error;
  if (target.dhcp6() && (target.vendor || target.encap)) {
    return rejected("unsupported encapsulation for IPv6 option");
  }
  if (!target.found) return rejected("bad dhcp-option", target.hint);
  note_code(target, use, notes);
  if (target.value) {
    if (auto error = encode_value(target, use, *target.value, line.encoded, notes)) return error;
  }
  if (auto error = check_length(target, line.encoded)) return error;
  if (use == Use::match && target.tags.size() != 1) {
    return rejected("illegal dhcp-match", target.tags.empty()
                                              ? "dhcp-match needs the tag to set (set:NAME)"
                                              : "dhcp-match sets exactly one tag");
  }
  return accepted();
}

void keep_notes(ConfigBuilder& builder, const Origin& origin, Notes& notes) {
  for (std::string& note : notes) builder.warn(origin, std::move(note));
}

// DHCPv6 lines are checked like dnsmasq checks them, then dropped, with one warning per load
// (and none of the DHCPv4 value notes: nothing of the line is used).
ParseStatus note_dhcp6(ConfigBuilder& builder, const Origin& origin) {
  static constexpr std::string_view kMessage =
      "option6: (DHCPv6) lines are checked and ignored: pxemasq serves DHCPv4 only";
  const bool warned = std::any_of(builder.warnings.begin(), builder.warnings.end(),
                                  [](const Diagnostic& d) { return d.message == kMessage; });
  if (!warned) builder.warn(origin, std::string(kMessage));
  return accepted();
}

std::string where(const Origin& origin) {
  if (origin.from_command_line()) return "on the command line";
  return "at line " + std::to_string(origin.line) + " of " + origin.file;
}

std::string describe(const DhcpOptionSetting& setting) {
  std::string out = "dhcp-option ";
  if (setting.space == OptionSpace::vendor) out += "vendor:" + setting.vendor_class + ",";
  if (setting.space == OptionSpace::encap)
    out += "encap:" + std::to_string(setting.container) + ",";
  if (setting.space == OptionSpace::vendor_ident) {
    out += "vi-encap:" + std::to_string(setting.container) + ",";
  }
  return out + std::to_string(setting.code);
}

// dnsmasq logs `Ignoring duplicate dhcp-option N` on every reply that considers two untagged
// lines for one option (spec §3.3, §9.15); we say it once, at the second such line.
void note_duplicate(ConfigBuilder& builder, const DhcpOptionSetting& setting) {
  if (!setting.tags.empty()) return;
  std::size_t count = 0;
  const DhcpOptionSetting* first = nullptr;
  for (const DhcpOptionSetting& other : builder.config.options) {
    if (!other.tags.empty() || other.code != setting.code || other.space != setting.space ||
        other.container != setting.container || other.vendor_class != setting.vendor_class) {
      continue;
    }
    if (first == nullptr) first = &other;
    ++count;
  }
  if (count != 1) return;
  builder.warn(setting.origin, describe(setting) + " is also set without tags " +
                                   where(first->origin) +
                                   "; this later line wins (dnsmasq logs \"Ignoring duplicate "
                                   "dhcp-option " +
                                   std::to_string(setting.code) + "\" on every reply)");
}

std::vector<std::size_t> server_address_offsets(const Target& target, const Encoded& encoded) {
  std::vector<std::size_t> offsets;
  if (target.any_space() || !encoded.substitutable) return offsets;
  for (std::size_t at = 0; at + 4 <= encoded.bytes.size(); at += 4) {
    const auto begin = encoded.bytes.begin() + static_cast<std::ptrdiff_t>(at);
    if (std::all_of(begin, begin + 4, [](std::uint8_t b) { return b == 0; })) {
      offsets.push_back(at);
    }
  }
  return offsets;
}

DhcpOptionSetting make_setting(const OptionInput& input, Line& line) {
  const Target& target = line.target;
  DhcpOptionSetting setting;
  setting.origin = input.origin;
  for (std::string_view tag : target.tags) setting.tags.push_back(parse_tag_condition(tag));
  setting.force = input.spec.name == "dhcp-option-force";
  setting.space = target.space;
  if (target.space == OptionSpace::encap || target.space == OptionSpace::vendor_ident) {
    setting.container = target.container;
  }
  if (target.space == OptionSpace::vendor) setting.vendor_class = target.vendor_class;
  setting.code = target.code;
  setting.is_text = line.encoded.form == Form::text;
  setting.server_address_offsets = server_address_offsets(target, line.encoded);
  setting.value = std::move(line.encoded.bytes);
  return setting;
}

// dnsmasq's match_bytes (spec §3.6): no value = present; hex = prefix with wildcards; text =
// substring; anything else = one element of the value's width.
MatchValue make_match_value(Encoded& encoded) {
  MatchValue value;
  if (encoded.bytes.empty()) return value;
  if (encoded.form == Form::hex) {
    value.kind = MatchValue::Kind::bytes_prefix;
    value.wildcard = std::move(encoded.wildcard);
  } else if (encoded.form == Form::text) {
    value.kind = MatchValue::Kind::text_substring;
  } else {
    value.kind = MatchValue::Kind::element;
    value.element_width = static_cast<unsigned>(encoded.bytes.size());
  }
  value.bytes = std::move(encoded.bytes);
  return value;
}

}  // namespace

// [TAGS,][encap:N,|vi-encap:ENT,|vendor:[CLASS],](NUM|option:NAME|option6:...)[,VALUE]
ParseStatus parse_dhcp_option(ConfigBuilder& builder, const OptionInput& input) {
  Notes notes;
  Line line;
  if (auto error = read_line(input.text, Use::option, line, notes)) return error;
  if (line.target.dhcp6()) return note_dhcp6(builder, input.origin);
  keep_notes(builder, input.origin, notes);
  DhcpOptionSetting setting = make_setting(input, line);
  note_duplicate(builder, setting);
  builder.config.options.push_back(std::move(setting));
  return accepted();
}

// [set:]TAG,(NUM|option:NAME|option6:...|vi-encap:ENT)[,VALUE]
ParseStatus parse_dhcp_match(ConfigBuilder& builder, const OptionInput& input) {
  Notes notes;
  Line line;
  if (auto error = read_line(input.text, Use::match, line, notes)) return error;
  if (line.target.dhcp6()) return note_dhcp6(builder, input.origin);
  keep_notes(builder, input.origin, notes);
  DhcpMatch match;
  match.origin = input.origin;
  match.set_tag = unhide(line.target.tags.front());
  match.vendor_ident = line.target.vi_encap;
  match.code = line.target.vi_encap ? line.target.container : line.target.code;
  match.value = make_match_value(line.encoded);
  builder.config.matches.push_back(std::move(match));
  return accepted();
}

}  // namespace pxemasq::config
