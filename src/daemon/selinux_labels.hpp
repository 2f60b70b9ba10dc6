#pragma once
// SELinux label self-check (issue 6): when SELinux is enabled, the files pxemasq needs must carry
// the types the policy module (selinux/pxemasq.te, .fc) lets the pxemasq_t domain use. A wrong
// label is the classic silent failure — files copied from a mounted ISO or a home directory keep
// their type and every TFTP read is denied — so name the path, the label found, the type wanted
// and the exact command that fixes it.
//
// Split as everywhere in pxemasq: `survey_labels` reads labels through a LabelSource (the real
// one reads the "security.selinux" xattr; tests use a fake), `diagnose_labels` turns label
// strings into diagnostics and does no I/O.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/model.hpp"
#include "config/parsers.hpp"

namespace pxemasq::daemon {

// The module's tunable that widens TFTP reading to any non-security type (selinux/pxemasq.te).
inline constexpr std::string_view kReadAllFilesBoolean = "pxemasq_tftp_read_all_files";

// Where the label reads come from.
class LabelSource {
 public:
  virtual ~LabelSource() = default;
  // SELinux is enabled (a selinuxfs with an `enforce` file), enforcing or permissive.
  [[nodiscard]] virtual bool enabled() const = 0;
  // A policy boolean's current value; nullopt when the loaded policy does not define it.
  [[nodiscard]] virtual std::optional<bool> boolean(std::string_view name) const = 0;
  // The file's security context ("system_u:object_r:tftpdir_t:s0"), following symlinks;
  // "" when it has none, nullopt when the path cannot be looked at (missing, no permission).
  [[nodiscard]] virtual std::optional<std::string> label(const std::string& path) const = 0;
  // Every path below `root` (not `root` itself), directories before their content, not
  // following directory symlinks, at most `limit` paths.
  [[nodiscard]] virtual std::vector<std::string> list_tree(const std::string& root,
                                                           std::size_t limit) const = 0;
};

// The real thing: selinuxfs (normally /sys/fs/selinux) and getxattr("security.selinux").
class SystemLabelSource final : public LabelSource {
 public:
  explicit SystemLabelSource(std::string selinuxfs = "/sys/fs/selinux");
  [[nodiscard]] bool enabled() const override;
  [[nodiscard]] std::optional<bool> boolean(std::string_view name) const override;
  [[nodiscard]] std::optional<std::string> label(const std::string& path) const override;
  [[nodiscard]] std::vector<std::string> list_tree(const std::string& root,
                                                   std::size_t limit) const override;

 private:
  std::string selinuxfs_;
};

// One path and its label as read (nullopt: could not be looked at, so nothing to say).
struct LabeledPath {
  std::string path;
  std::optional<std::string> context;
  bool directory = false;
};

struct TftpRootLabels {
  config::Origin origin;
  LabeledPath root;
  std::vector<LabeledPath> entries;  // below the root
  bool truncated = false;            // the walk stopped at the entry limit
};

struct LabelSurvey {
  bool enabled = false;
  bool module_loaded = false;         // the policy defines pxemasq_tftp_read_all_files
  bool tftp_read_all_files = false;   // and it is on
  std::vector<LabeledPath> config_paths;  // config files read, and their directories
  std::vector<LabeledPath> lease_paths;   // the lease file's directory, and the file
  std::vector<TftpRootLabels> tftp_roots;
};

// Entries looked at below each tftp-root: enough for any boot tree, bounded at start-up.
inline constexpr std::size_t kTftpTreeLimit = 20000;

// The type field of a context: "system_u:object_r:tftpdir_t:s0" -> "tftpdir_t";
// "" (no label) -> "unlabeled_t", which is what the kernel calls such a file.
[[nodiscard]] std::string_view type_of(std::string_view context);

// Reads what diagnose_labels needs: nothing at all when SELinux is disabled.
[[nodiscard]] LabelSurvey survey_labels(const config::Config& config,
                                        std::span<const std::string> config_files,
                                        const LabelSource& source,
                                        std::size_t tree_limit = kTftpTreeLimit);

// Label strings in, warnings out (empty when SELinux is disabled or every label fits).
[[nodiscard]] std::vector<config::Diagnostic> diagnose_labels(const LabelSurvey& survey);

}  // namespace pxemasq::daemon
