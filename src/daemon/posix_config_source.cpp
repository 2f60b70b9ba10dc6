#include "daemon/posix_config_source.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <memory>

#include "net/unique_fd.hpp"

namespace pxemasq::daemon {
namespace {

struct DirCloser {
  void operator()(DIR* dir) const { ::closedir(dir); }
};

std::variant<config::FileContent, int> read_all(int fd) {
  struct stat info {};
  if (::fstat(fd, &info) != 0) return errno;
  config::FileContent content{{static_cast<std::uint64_t>(info.st_dev),
                               static_cast<std::uint64_t>(info.st_ino)},
                              {}};
  std::array<char, 65536> buffer{};
  for (;;) {
    const ssize_t got = ::read(fd, buffer.data(), buffer.size());
    if (got == 0) break;
    if (got < 0) {
      if (errno == EINTR) continue;
      // dnsmasq reads with fgets(), which takes a read error such as EISDIR for end of file:
      // a directory named as a config file is silently an empty file.
      break;
    }
    content.bytes.append(buffer.data(), static_cast<std::size_t>(got));
  }
  return content;
}

}  // namespace

std::variant<config::FileContent, int> PosixConfigSource::read_file(const std::string& path) {
  if (path == "-") {
    if (stdin_read_) return config::FileContent{{~0ULL, ~0ULL}, {}};  // stdin is read once
    stdin_read_ = true;
    return read_all(STDIN_FILENO);
  }
  const net::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return errno;
  return read_all(fd.get());
}

std::variant<std::vector<std::string>, int> PosixConfigSource::list_directory(
    const std::string& path) {
  const std::unique_ptr<DIR, DirCloser> dir(::opendir(path.c_str()));
  if (!dir) return errno;
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(dir.get())) {
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  return names;
}

std::variant<bool, int> PosixConfigSource::is_regular_file(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return errno;
  return S_ISREG(info.st_mode);
}

}  // namespace pxemasq::daemon
