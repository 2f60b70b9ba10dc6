#include "daemon/file_counts.hpp"

namespace pxemasq::daemon {

void FileCounts::add(std::string_view path, bool completed, std::uint64_t bytes) {
  FileCount* count = &other_;
  if (const auto found = named_.find(path); found != named_.end()) {
    count = &found->second;
  } else if (named_.size() < max_named_) {
    count = &named_.emplace(std::string(path), FileCount{}).first->second;
  }
  if (completed) {
    ++count->completed;
  } else {
    ++count->failed;
  }
  count->bytes += bytes;
}

}  // namespace pxemasq::daemon
