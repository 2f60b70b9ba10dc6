#pragma once
// Per-file TFTP counts for /metrics, with a bounded label set. A boot storm of per-MAC config
// names (pxelinux.cfg/01-…, grub.cfg-01-…) must not grow the exposition without bound, so the
// first `max_named` distinct paths each get their own series and every later path is counted
// under `other`. First come rather than "the N most requested now": a Prometheus counter must
// never go down and a series should not vanish, and moving a file in or out of a top-N list
// would do both. The files every client fetches (the loader, its config, the kernel) are among
// the first requested, so they are the ones that get a series. Pure: no I/O, no clock.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace pxemasq::daemon {

// Distinct paths with their own series (an ESXi boot lists ~70 modules; room for that and the
// loaders of a few architectures).
inline constexpr std::size_t kMaxNamedFiles = 128;

struct FileCount {
  std::uint64_t completed = 0;  // transfers whose final block was acknowledged
  std::uint64_t failed = 0;     // transfers that ended otherwise (size probes excepted)
  std::uint64_t bytes = 0;      // file bytes the clients acknowledged
  friend bool operator==(const FileCount&, const FileCount&) = default;
};

class FileCounts {
 public:
  FileCounts() = default;
  explicit FileCounts(std::size_t max_named) : max_named_(max_named) {}

  // One ended transfer of `path`.
  void add(std::string_view path, bool completed, std::uint64_t bytes);

  // The paths with a series of their own, sorted; and everything else.
  [[nodiscard]] const std::map<std::string, FileCount, std::less<>>& named() const {
    return named_;
  }
  [[nodiscard]] const FileCount& other() const { return other_; }
  [[nodiscard]] std::size_t max_named() const { return max_named_; }

 private:
  std::size_t max_named_ = kMaxNamedFiles;
  std::map<std::string, FileCount, std::less<>> named_;
  FileCount other_;
};

}  // namespace pxemasq::daemon
