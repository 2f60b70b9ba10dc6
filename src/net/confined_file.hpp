#pragma once
// Opening files below a directory so that no name, and no symlink, reaches anything outside it
// (spec §6.4, §9.7). The pure resolver (tftp/path.hpp) has already turned the request into
// plain components (none is `..`, none holds a `/`); this half walks them on the filesystem.
//
// Symlinks: dnsmasq follows every symlink wherever it points. pxemasq follows a symlink only
// while its target stays below the root: a relative target is walked from the symlink's own
// directory (its `..` may climb, but never above the root); an absolute target is accepted when
// it starts with the root's path (as configured, or canonical) and is walked from the root;
// anything else is refused as a permission error. So `boot.cfg -> esxi8/boot.cfg` and
// `boot.cfg -> /var/lib/tftpboot/esxi8/boot.cfg` are served, `passwd -> /etc/passwd` is not.
//
// How: openat2(RESOLVE_BENEATH) for the directories when the kernel has it (Linux 5.6+), which
// settles the common case in one system call; a manual walk otherwise, and whenever openat2
// refuses (an absolute symlink, or a rename race): each directory opened with
// O_PATH|O_DIRECTORY|O_NOFOLLOW from the fd of its parent, each symlink read with readlinkat and
// expanded under the same rules. The last component is inspected (fstatat, no follow) before
// it is opened, so a FIFO or device below the root is refused without being opened, and the
// opened file is checked to be the inode that was inspected.

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>
#include <vector>

#include "net/unique_fd.hpp"

namespace pxemasq::net {

// An open regular file and what fstat said about it at open time (dnsmasq takes the size at
// open and never re-stats, spec §6.5).
struct ConfinedFile {
  UniqueFd fd;  // O_RDONLY | O_CLOEXEC
  std::uint64_t size = 0;
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::int64_t modified_ns = 0;  // st_mtim, nanoseconds since the epoch
  unsigned mode = 0;             // st_mode
  unsigned owner = 0;            // st_uid
};

enum class OpenFailure {
  not_found,          // ENOENT on the way (spec §6.4: ERROR 1)
  permission_denied,  // EACCES on the way (ERROR 2)
  escapes_root,       // a symlink whose target leaves the root (ERROR 2, like EACCES)
  not_regular,        // a directory, FIFO, device or socket (ERROR 0)
  other,              // any other errno, in `error` (ERROR 0 `cannot read PATH: strerror`)
};

struct OpenError {
  OpenFailure kind = OpenFailure::other;
  int error = 0;  // the errno behind it; EISDIR for a directory, ENXIO other non-regular files
};

using OpenResult = std::variant<ConfinedFile, OpenError>;

inline constexpr unsigned kMaxSymlinks = 40;  // as the kernel (MAXSYMLINKS)

// Bounds for listing a tree (the not-found hint): the walk stops at whichever comes first.
struct WalkLimits {
  std::size_t max_entries = 20000;  // directory entries looked at
  std::size_t max_depth = 10;       // directory levels below the root
  std::size_t max_files = 20000;    // regular files reported
};

class ConfinedRoot {
 public:
  // Opens `path` (O_PATH | O_DIRECTORY; symlinks in the configured path itself are followed:
  // the operator chose it). "" means "/".
  [[nodiscard]] static std::variant<ConfinedRoot, std::error_code> open(std::string_view path);

  ConfinedRoot(ConfinedRoot&&) noexcept = default;
  ConfinedRoot& operator=(ConfinedRoot&&) noexcept = default;
  ConfinedRoot(const ConfinedRoot&) = delete;
  ConfinedRoot& operator=(const ConfinedRoot&) = delete;
  ~ConfinedRoot() = default;

  // The regular file at `components` below the root, or why not. Components must be plain
  // names (no `/`, not `.`/`..`, not empty); anything else is refused as escapes_root.
  [[nodiscard]] OpenResult open_file(std::span<const std::string> components) const;

  // Whether `name` is a directory directly below the root (following a symlink, as stat(2)
  // does: the later open_file() confines the walk anyway). For tftp-unique-root.
  [[nodiscard]] bool has_directory(const std::string& name) const;

  // Root-relative paths (`a/b/c`) of the regular files below the root, depth first, sorted
  // within each directory; symlinks are not followed and not reported. Bounded by `limits`.
  [[nodiscard]] std::vector<std::string> regular_files(const WalkLimits& limits) const;

  [[nodiscard]] int fd() const { return fd_.get(); }
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  ConfinedRoot(UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}

  [[nodiscard]] OpenResult walk(std::span<const std::string> components) const;
  // `target` (a symlink's absolute target) as components below the root, or false.
  [[nodiscard]] bool strip_root_prefix(std::string_view target,
                                       std::vector<std::string>& below) const;

  UniqueFd fd_;
  std::string path_;  // as configured, made absolute
};

// The root-relative components of an absolute `target` when it lies lexically below `root`
// (both split at `/`; empty and `.` components ignored; `..` in the root is not resolved).
// nullopt-like `false` when it does not. Pure; exposed for tests.
[[nodiscard]] bool below_prefix(std::string_view target, std::string_view root,
                                std::vector<std::string>& below);

}  // namespace pxemasq::net
