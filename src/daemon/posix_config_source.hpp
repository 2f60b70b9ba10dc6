#pragma once
// The real filesystem behind the config loader.

#include "config/source.hpp"

namespace pxemasq::daemon {

class PosixConfigSource final : public config::ConfigSource {
 public:
  std::variant<config::FileContent, int> read_file(const std::string& path) override;
  std::variant<std::vector<std::string>, int> list_directory(const std::string& path) override;
  std::variant<bool, int> is_regular_file(const std::string& path) override;

 private:
  bool stdin_read_ = false;
};

}  // namespace pxemasq::daemon
