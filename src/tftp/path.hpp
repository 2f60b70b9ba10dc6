#pragma once
// The pure half of TFTP path resolution (spec §6.4, §6.6): a requested file name becomes a list
// of path components below the TFTP root, or a refusal. The shell (src/net) then opens them one
// by one below the root directory (openat, no symlinks followed), which is what confines the
// transfer; this half guarantees that no component can climb out (`..`) or smuggle a separator.
//
// Differences from dnsmasq, all deliberate (spec §9.7, §9.8):
// - every `..` component is refused, not only a `/../` substring; `.` and empty components
//   (`./`, `//`) are dropped, as the kernel would;
// - names over 4096 bytes or with a component over 255 are refused (dnsmasq truncates the path
//   to 1024 bytes and lets open() fail);
// - a name that leaves nothing to open (`/`, `.`, the root itself) is refused up front (dnsmasq
//   opens the directory and fails at the first read);
// - `http://HOST[:PORT]/PATH` and `https://…` with HOST one of ours map to PATH (dnsmasq treats
//   the URL as a relative name, which is never found).
// Followed: `\` becomes `/`; tftp-lowercase lowercases (ASCII); a leading `/` means "below the
// root", and a name that already starts with the root path has it removed. TFTP has no
// %-escapes: `%2e%2e` is a literal component name.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "tftp/packet.hpp"

namespace pxemasq::tftp {

inline constexpr std::size_t kMaxNameLength = 4096;      // PATH_MAX
inline constexpr std::size_t kMaxComponentLength = 255;  // NAME_MAX

struct PathRules {
  bool lowercase = false;  // tftp-lowercase
  // The tftp-root chosen for this request (spec §6.4), as configured; "" = no root. Used only
  // to recognise names that already start with it.
  std::string_view root;
  // The tftp-unique-root directory (client IP or aa-bb-cc-dd-ee-ff) when the shell found that
  // it exists below the root; "" = none. It becomes the first component.
  std::string_view unique_directory;
  // Our addresses and host names: `http(s)://` one of these `/PATH` is served as PATH.
  // Compared case-insensitively; `[v6]` brackets optional on either side. Empty = no mapping.
  std::span<const std::string> local_hosts;
};

enum class PathRefusal {
  empty_name,
  embedded_nul,
  name_too_long,       // over kMaxNameLength bytes
  component_too_long,  // a component over kMaxComponentLength bytes
  parent_directory,    // a `..` component
  no_file_name,        // nothing left to open: the root itself
  bad_unique_directory,
};
[[nodiscard]] std::string_view describe(PathRefusal refusal);
// The TFTP error to answer with: `..` is an access violation ("Permission denied", as
// dnsmasq), a name that leads nowhere is "not found".
[[nodiscard]] ErrorCode error_code(PathRefusal refusal);

struct ResolvedPath {
  std::vector<std::string> components;  // below the root; none is empty, `.`, `..` or has `/`
  bool mapped_from_url = false;         // the name was http(s)://<one of ours>/PATH
  // An http(s):// name for a host not ours, served as a plain name like dnsmasq does (and so
  // almost surely not found): worth a hint in the log (spec §9.8).
  bool looks_like_url = false;

  // "a/b/c", for log lines.
  [[nodiscard]] std::string relative_path() const;
  friend bool operator==(const ResolvedPath&, const ResolvedPath&) = default;
};
using PathResult = std::variant<ResolvedPath, PathRefusal>;

[[nodiscard]] PathResult resolve_path(std::string_view requested, const PathRules& rules);

}  // namespace pxemasq::tftp
