#pragma once
// An in-memory ConfigSource for tests and fuzzers: files and directories by path.

#include <cerrno>
#include <map>
#include <string>

#include "config/source.hpp"

namespace pxemasq::testing {

class MemorySource final : public config::ConfigSource {
 public:
  // Add a file; files added under the same `inode` are the same file (a hard link).
  void add_file(const std::string& path, std::string content, std::uint64_t inode = 0) {
    files_[path] = {content, inode != 0 ? inode : next_inode_++};
    const std::size_t slash = path.rfind('/');
    if (slash != std::string::npos) directories_[path.substr(0, slash)];
  }
  void add_directory(const std::string& path) { directories_[path]; }
  // A name in a directory listing that is not a regular file (a subdirectory, a device...).
  void add_special(const std::string& path) {
    specials_[path] = 0;
    directories_[path.substr(0, path.rfind('/'))];
  }
  // A name in a directory listing whose stat() fails (a dangling symlink).
  void add_dangling(const std::string& path) {
    specials_[path] = ENOENT;
    directories_[path.substr(0, path.rfind('/'))];
  }

  std::variant<config::FileContent, int> read_file(const std::string& path) override {
    const auto it = files_.find(path);
    if (it == files_.end()) return ENOENT;
    return config::FileContent{{1, it->second.inode}, it->second.content};
  }

  std::variant<std::vector<std::string>, int> list_directory(const std::string& path) override {
    if (!directories_.count(path)) return ENOENT;
    std::vector<std::string> names;
    const std::string prefix = path + "/";
    const auto collect = [&](const std::string& full) {
      if (full.starts_with(prefix) && full.find('/', prefix.size()) == std::string::npos) {
        names.push_back(full.substr(prefix.size()));
      }
    };
    // Listed in reverse order on purpose: the loader must sort.
    for (auto it = files_.rbegin(); it != files_.rend(); ++it) collect(it->first);
    for (const auto& [special, error] : specials_) collect(special);
    return names;
  }

  std::variant<bool, int> is_regular_file(const std::string& path) override {
    if (files_.count(path)) return true;
    const auto it = specials_.find(path);
    if (it == specials_.end()) return ENOENT;
    if (it->second != 0) return it->second;
    return false;
  }

 private:
  struct File {
    std::string content;
    std::uint64_t inode = 0;
  };
  std::map<std::string, File> files_;
  std::map<std::string, int> directories_;
  std::map<std::string, int> specials_;
  std::uint64_t next_inode_ = 1000;
};

}  // namespace pxemasq::testing
