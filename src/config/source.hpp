#pragma once
// Where config files come from. The loader is pure: it asks a ConfigSource for file contents
// and directory listings. daemon/posix_config_source.hpp reads the real filesystem; tests use an
// in-memory one.

#include <compare>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace pxemasq::config {

// A file's identity (device, inode): dnsmasq reads each file at most once per load.
struct FileId {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  friend auto operator<=>(const FileId&, const FileId&) = default;
};

struct FileContent {
  FileId id;
  std::string bytes;
};

// Every call returns the value, or the errno of the failure.
class ConfigSource {
 public:
  virtual ~ConfigSource() = default;
  // Read a whole file; "-" is standard input.
  virtual std::variant<FileContent, int> read_file(const std::string& path) = 0;
  // The names in a directory (no "." and "..").
  virtual std::variant<std::vector<std::string>, int> list_directory(const std::string& path) = 0;
  // stat() following symlinks: true for a regular file.
  virtual std::variant<bool, int> is_regular_file(const std::string& path) = 0;
};

}  // namespace pxemasq::config
