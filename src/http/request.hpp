#pragma once
// The pure half of pxemasq's read-only HTTP server (issue 8): what a request target names, which
// bytes a Range header asks for, and the Content-Type of a boot file. No sockets here.
//
// Confinement follows the TFTP resolver's rule (spec §9.7): after percent-decoding, any `..`
// component is refused outright (not resolved), as are NUL bytes, backslashes and over-long
// targets; empty and `.` components are dropped. The components that remain are plain names
// that net::ConfinedRoot then walks without ever leaving the root.

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace pxemasq::http {

inline constexpr std::size_t kMaxTargetLength = 4096;

enum class TargetRefusal {
  bad_request,  // not origin-form ("/..."), a malformed %-escape, a NUL or a control byte: 400
  forbidden,    // a `..` component or a backslash: 403 (the request tried to leave the root)
  not_found,    // "/" and other directories have no index: 404
};

using TargetPath = std::variant<std::vector<std::string>, TargetRefusal>;

// "/esxi8/boot.cfg?x=1" -> {"esxi8", "boot.cfg"}.
[[nodiscard]] TargetPath resolve_target(std::string_view target);

// "/metrics" (the query is ignored).
[[nodiscard]] bool is_metrics_target(std::string_view target);

struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive
};
struct WholeFile {};
struct Unsatisfiable {};
using RangeAnswer = std::variant<WholeFile, ByteRange, Unsatisfiable>;

// RFC 9110 §14: one range `bytes=A-B`, `bytes=A-`, `bytes=-N` gives 206; a range past the end
// 416; anything this server does not do (several ranges, other units, junk) the whole file.
[[nodiscard]] RangeAnswer parse_range(std::string_view header, std::uint64_t size);

// By file name: text for iPXE scripts and boot configs, application/efi, octet-stream otherwise.
[[nodiscard]] std::string_view content_type(std::string_view name);

// An HTTP date (RFC 9110 §5.6.7) for Last-Modified: "Tue, 01 Dec 2026 21:00:00 GMT".
[[nodiscard]] std::string http_date(std::int64_t unix_seconds);

}  // namespace pxemasq::http
