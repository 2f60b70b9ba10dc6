#include "net/confined_file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#endif

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <deque>
#include <memory>
#include <utility>

namespace pxemasq::net {
namespace {


std::vector<std::string> split(std::string_view path) {
  std::vector<std::string> parts;
  while (!path.empty()) {
    const auto slash = std::min(path.find('/'), path.size());
    const auto part = path.substr(0, slash);
    path.remove_prefix(std::min(slash + 1, path.size()));
    if (part.empty() || part == ".") continue;
    parts.emplace_back(part);
  }
  return parts;
}

bool is_plain(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

OpenError from_errno(int error) {
  switch (error) {
    case ENOENT:
      return {OpenFailure::not_found, error};
    case EACCES:
    case EPERM:
      return {OpenFailure::permission_denied, error};
    default:
      return {OpenFailure::other, error};
  }
}

std::int64_t nanoseconds(const struct timespec& when) {
  return static_cast<std::int64_t>(when.tv_sec) * 1'000'000'000 +
         static_cast<std::int64_t>(when.tv_nsec);
}

// The last step, shared by both walks: `name` in `directory` was inspected as `seen` (no
// follow); open it without following and make sure it is still that regular file.
OpenResult open_regular(int directory, const std::string& name, const struct stat& seen) {
  if (S_ISDIR(seen.st_mode)) return OpenError{OpenFailure::not_regular, EISDIR};
  if (!S_ISREG(seen.st_mode)) return OpenError{OpenFailure::not_regular, 0};
  // O_NONBLOCK: should the name have become a FIFO since fstatat, opening it must not hang.
  const int fd =
      ::openat(directory, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) return from_errno(errno);
  UniqueFd owned(fd);
  struct stat info {};
  if (::fstat(fd, &info) != 0) return from_errno(errno);
  if (!S_ISREG(info.st_mode)) {
    return OpenError{OpenFailure::not_regular, S_ISDIR(info.st_mode) ? EISDIR : 0};
  }
  if (info.st_dev != seen.st_dev || info.st_ino != seen.st_ino) {
    return OpenError{OpenFailure::other, ESTALE};  // replaced between the two calls
  }
  ConfinedFile file;
  file.fd = std::move(owned);
  file.size = static_cast<std::uint64_t>(info.st_size);
  file.device = static_cast<std::uint64_t>(info.st_dev);
  file.inode = static_cast<std::uint64_t>(info.st_ino);
  file.modified_ns = nanoseconds(info.st_mtim);
  file.mode = static_cast<unsigned>(info.st_mode);
  file.owner = static_cast<unsigned>(info.st_uid);
  return file;
}

// openat2 for the directory part: the fd of the last directory, or the errno. -1/ENOSYS when
// the kernel (or a seccomp filter, or these headers) lacks it.
#if defined(SYS_openat2) && defined(RESOLVE_BENEATH)
std::pair<int, int> open_beneath(int root, const std::string& relative) {
  open_how how{};
  how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  const long fd = ::syscall(SYS_openat2, root, relative.c_str(), &how, sizeof how);
  if (fd < 0) return {-1, errno};
  return {static_cast<int>(fd), 0};
}
#else
std::pair<int, int> open_beneath(int, const std::string&) { return {-1, ENOSYS}; }
#endif

// openat2 answers these when it cannot or will not decide: the manual walk does.
bool walk_instead(int error) {
  return error == EXDEV || error == EAGAIN || error == ENOSYS || error == EPERM ||
         error == EINVAL || error == E2BIG;
}

bool read_link(int directory, const std::string& name, std::string& target) {
  std::array<char, PATH_MAX> buffer{};
  const ssize_t length = ::readlinkat(directory, name.c_str(), buffer.data(), buffer.size());
  if (length < 0) return false;
  if (static_cast<std::size_t>(length) >= buffer.size()) {
    errno = ENAMETOOLONG;
    return false;
  }
  target.assign(buffer.data(), static_cast<std::size_t>(length));
  return true;
}

}  // namespace

bool below_prefix(std::string_view target, std::string_view root, std::vector<std::string>& below) {
  const auto target_parts = split(target);
  const auto root_parts = split(root);
  if (target_parts.size() < root_parts.size() ||
      !std::equal(root_parts.begin(), root_parts.end(), target_parts.begin())) {
    return false;
  }
  below.assign(target_parts.begin() + static_cast<std::ptrdiff_t>(root_parts.size()),
               target_parts.end());
  return true;
}

std::variant<ConfinedRoot, std::error_code> ConfinedRoot::open(std::string_view path) {
  std::string absolute(path);
  // spec §6.4 [quirk]: a relative tftp-root is taken from `/` when serving.
  if (absolute.empty() || absolute.front() != '/') absolute.insert(absolute.begin(), '/');
  const int fd = ::open(absolute.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return std::error_code(errno, std::system_category());
  return ConfinedRoot(UniqueFd(fd), std::move(absolute));
}

bool ConfinedRoot::strip_root_prefix(std::string_view target,
                                     std::vector<std::string>& below) const {
  if (below_prefix(target, path_, below)) return true;
  // The canonical spelling too, when the configured one goes through a symlink.
  std::unique_ptr<char, decltype(&std::free)> canonical(::realpath(path_.c_str(), nullptr),
                                                        &std::free);
  return canonical && below_prefix(target, canonical.get(), below);
}

OpenResult ConfinedRoot::open_file(std::span<const std::string> components) const {
  if (components.empty()) return OpenError{OpenFailure::not_regular, EISDIR};
  if (!std::all_of(components.begin(), components.end(), is_plain)) {
    return OpenError{OpenFailure::escapes_root, EXDEV};
  }
  const std::string& last = components.back();
  UniqueFd directory;
  int parent = fd_.get();
  if (components.size() > 1) {
    std::string relative;
    for (std::size_t i = 0; i + 1 < components.size(); ++i) {
      if (i > 0) relative += '/';
      relative += components[i];
    }
    const auto [fd, error] = open_beneath(fd_.get(), relative);
    if (fd < 0) {
      if (walk_instead(error)) return walk(components);
      return from_errno(error);
    }
    directory.reset(fd);
    parent = fd;
  }
  struct stat seen {};
  if (::fstatat(parent, last.c_str(), &seen, AT_SYMLINK_NOFOLLOW) != 0) return from_errno(errno);
  if (S_ISLNK(seen.st_mode)) return walk(components);
  auto result = open_regular(parent, last, seen);
  if (const auto* error = std::get_if<OpenError>(&result); error != nullptr && error->error == ELOOP) {
    return walk(components);  // became a symlink since fstatat: decide on the link
  }
  return result;
}

OpenResult ConfinedRoot::walk(std::span<const std::string> components) const {
  std::deque<std::string> pending(components.begin(), components.end());
  std::vector<UniqueFd> stack;  // the directories entered below the root, innermost last
  unsigned links = 0;
  while (!pending.empty()) {
    std::string name = std::move(pending.front());
    pending.pop_front();
    if (name.empty() || name == ".") continue;
    if (name == "..") {
      // Only a symlink's target can bring `..` here (the resolver refuses it in requests).
      if (stack.empty()) return OpenError{OpenFailure::escapes_root, EXDEV};
      stack.pop_back();
      continue;
    }
    const int current = stack.empty() ? fd_.get() : stack.back().get();
    const bool last = pending.empty();
    struct stat seen {};
    if (::fstatat(current, name.c_str(), &seen, AT_SYMLINK_NOFOLLOW) != 0) {
      return from_errno(errno);
    }
    if (S_ISLNK(seen.st_mode)) {
      if (++links > kMaxSymlinks) return OpenError{OpenFailure::other, ELOOP};
      std::string target;
      if (!read_link(current, name, target)) return from_errno(errno);
      std::vector<std::string> expansion;
      if (!target.empty() && target.front() == '/') {
        if (!strip_root_prefix(target, expansion)) {
          return OpenError{OpenFailure::escapes_root, EXDEV};
        }
        stack.clear();  // an absolute target is walked from the root
      } else {
        expansion = split(target);
      }
      pending.insert(pending.begin(), expansion.begin(), expansion.end());
      continue;
    }
    if (S_ISDIR(seen.st_mode)) {
      if (last) return OpenError{OpenFailure::not_regular, EISDIR};
      const int fd = ::openat(current, name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) return from_errno(errno);
      stack.emplace_back(fd);
      continue;
    }
    if (!last) return OpenError{OpenFailure::other, ENOTDIR};
    return open_regular(current, name, seen);
  }
  // The names ran out on a directory (a symlink to `.`, `sub/..`, …).
  return OpenError{OpenFailure::not_regular, EISDIR};
}

bool ConfinedRoot::has_directory(const std::string& name) const {
  if (!is_plain(name)) return false;
  struct stat info {};
  return ::fstatat(fd_.get(), name.c_str(), &info, 0) == 0 && S_ISDIR(info.st_mode);
}

std::vector<std::string> ConfinedRoot::regular_files(const WalkLimits& limits) const {
  struct Pending {
    std::string relative;  // "" for the root, else "a/b"
    std::size_t depth;
  };
  std::vector<std::string> files;
  std::size_t entries = 0;
  std::vector<Pending> todo{{"", 0}};
  // Each directory is reopened from the root by its path when its turn comes (openat2 beneath
  // the root, or a no-follow walk), so only one listing is open at a time.
  while (!todo.empty() && entries < limits.max_entries && files.size() < limits.max_files) {
    Pending next = std::move(todo.back());
    todo.pop_back();
    UniqueFd parent_fd;
    int from = fd_.get();
    if (!next.relative.empty()) {
      const auto [fd, error] = open_beneath(fd_.get(), next.relative);
      if (fd < 0) {
        if (!walk_instead(error)) continue;
        // No openat2: walk the (symlink-free, we only descend into real directories) path.
        int current = fd_.get();
        UniqueFd held;
        bool ok = true;
        for (const auto& part : split(next.relative)) {
          const int step = ::openat(current, part.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (step < 0) {
            ok = false;
            break;
          }
          held.reset(step);
          current = step;
        }
        if (!ok) continue;
        parent_fd = std::move(held);
      } else {
        parent_fd.reset(fd);
      }
      from = parent_fd.get();
    }
    const int listing = ::openat(from, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (listing < 0) continue;
    DIR* dir = ::fdopendir(listing);
    if (dir == nullptr) {
      ::close(listing);
      continue;
    }
    std::vector<std::string> names_files;
    std::vector<std::string> names_dirs;
    while (entries < limits.max_entries) {
      errno = 0;
      const dirent* entry = ::readdir(dir);
      if (entry == nullptr) break;
      const std::string name(static_cast<const char*>(entry->d_name));
      if (name == "." || name == "..") continue;
      ++entries;
      unsigned char type = entry->d_type;
      if (type == DT_UNKNOWN) {
        struct stat info {};
        if (::fstatat(::dirfd(dir), name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0) continue;
        type = S_ISREG(info.st_mode) ? DT_REG : S_ISDIR(info.st_mode) ? DT_DIR : DT_UNKNOWN;
      }
      if (type == DT_REG) names_files.push_back(name);
      if (type == DT_DIR) names_dirs.push_back(name);
    }
    ::closedir(dir);
    std::sort(names_files.begin(), names_files.end());
    std::sort(names_dirs.begin(), names_dirs.end());
    const std::string prefix = next.relative.empty() ? "" : next.relative + "/";
    for (const auto& name : names_files) {
      if (files.size() >= limits.max_files) break;
      files.push_back(prefix + name);
    }
    if (next.depth + 1 > limits.max_depth) continue;
    for (auto it = names_dirs.rbegin(); it != names_dirs.rend(); ++it) {
      todo.push_back({prefix + *it, next.depth + 1});
    }
  }
  return files;
}

}  // namespace pxemasq::net
