#include "daemon/selinux_labels.hpp"

#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "daemon/lease_store.hpp"

namespace pxemasq::daemon {
namespace {

using config::Diagnostic;

// ---- what the policy module allows (keep in step with selinux/pxemasq.te and .fc) ----------

// Read and listed by pxemasq_t: its own /etc/pxemasq, plain etc_t (-C /etc/x.conf) and dnsmasq's
// files (conf-file=/etc/dnsmasq.conf, conf-dir=/etc/dnsmasq.d).
constexpr std::string_view kConfigTypes[] = {"pxemasq_etc_t", "etc_t", "dnsmasq_etc_t"};
// Created, written and renamed by pxemasq_t: only its state directory's type.
constexpr std::string_view kLeaseTypes[] = {"pxemasq_var_lib_t"};
// TFTP content pxemasq_t reads without the boolean.
constexpr std::string_view kTftpTypes[] = {"tftpdir_t", "tftpdir_rw_t", "public_content_t",
                                           "public_content_rw_t"};
// File systems whose files cannot be relabelled one by one (mount -o context= instead).
constexpr std::string_view kMountTypes[] = {"iso9660_t", "nfs_t", "cifs_t"};

// Paths the installed policy already labels (the module's .fc, and the tftp and dnsmasq modules
// of both RHEL's and Debian's policy): for these `restorecon` alone restores the right type, and
// `semanage fcontext -a` would fail with "already defined".
struct PolicyTree {
  std::string_view path;
  std::string_view type;
};
constexpr PolicyTree kPolicyTrees[] = {
    {"/etc", "etc_t"},
    {"/etc/pxemasq", "pxemasq_etc_t"},
    {"/etc/dnsmasq.conf", "dnsmasq_etc_t"},
    {"/etc/dnsmasq.d", "dnsmasq_etc_t"},
    {"/var/lib/pxemasq", "pxemasq_var_lib_t"},
    {"/var/lib/tftpboot", "tftpdir_rw_t"},
    {"/tftpboot", "tftpdir_t"},
};

template <std::size_t N>
bool is_one_of(std::string_view type, const std::string_view (&types)[N]) {
  return std::find(std::begin(types), std::end(types), type) != std::end(types);
}

template <std::size_t N>
std::string either_of(const std::string_view (&types)[N]) {
  std::string out;
  for (std::size_t i = 0; i < N; ++i) {
    if (i > 0) out += i + 1 == N ? " or " : ", ";
    out += types[i];
  }
  return out;
}

// The type the installed policy gives `path` (longest matching tree), if we know one.
std::optional<std::string_view> policy_type(std::string_view path) {
  std::optional<std::string_view> found;
  std::size_t best = 0;
  for (const auto& tree : kPolicyTrees) {
    const bool inside = path == tree.path ||
                        (path.size() > tree.path.size() && path.substr(0, tree.path.size()) == tree.path &&
                         path[tree.path.size()] == '/');
    if (inside && tree.path.size() > best) {
      best = tree.path.size();
      found = tree.type;
    }
  }
  return found;
}

std::string single_quoted(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// A path as a shell word: bare when it is only ordinary characters, else single-quoted.
std::string shell_word(const std::string& path) {
  const bool plain = std::all_of(path.begin(), path.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("/._-+@:,=").find(c) != std::string_view::npos;
  });
  return plain && !path.empty() ? path : single_quoted(path);
}

// The command that gives `path` (and, for a directory, everything below it) type `wanted`:
// restorecon alone when the policy already has the right rule, else semanage first.
template <std::size_t N>
std::string fix_command(const LabeledPath& path, std::string_view wanted,
                        const std::string_view (&accepted)[N]) {
  const std::string word = shell_word(path.path);
  const std::string restorecon = std::string("restorecon ") + (path.directory ? "-Rv " : "-v ") + word;
  if (const auto known = policy_type(path.path); known && is_one_of(*known, accepted)) return restorecon;
  // semanage takes a regular expression; the whole subtree for a directory.
  const std::string spec = path.path + (path.directory ? "(/.*)?" : "");
  return "semanage fcontext -a -t " + std::string(wanted) + " " + single_quoted(spec) + " && " +
         restorecon;
}

std::string describe(const std::string& context) {
  if (context.empty()) return "has no SELinux label (unlabeled_t)";
  return "is labelled " + context + " (" + std::string(type_of(context)) + ")";
}

void check_config_paths(const std::vector<LabeledPath>& paths, std::vector<Diagnostic>& out) {
  for (const auto& path : paths) {
    if (!path.context || is_one_of(type_of(*path.context), kConfigTypes)) continue;
    out.push_back({std::nullopt, "SELinux: config file " + path.path + " " + describe(*path.context) +
                                     "; pxemasq_t can only read " + either_of(kConfigTypes) +
                                     "\n  fix: " + fix_command(path, "pxemasq_etc_t", kConfigTypes)});
  }
}

// Directories many programs share: relabelling them for pxemasq would break the others.
constexpr std::string_view kSharedDirectories[] = {"/",    "/etc",     "/root",    "/home", "/run",
                                                   "/srv", "/tmp",     "/usr",     "/var",  "/var/lib",
                                                   "/var/tmp", "/var/run", "/var/lib/misc"};

// The lease file's directory (pxemasq writes a temporary file there and renames it over the
// lease file), then the file itself when the directory is fine.
void check_lease_paths(const std::vector<LabeledPath>& paths, std::vector<Diagnostic>& out) {
  for (const auto& path : paths) {
    if (!path.context || is_one_of(type_of(*path.context), kLeaseTypes)) continue;
    std::string fix;
    if (path.directory && is_one_of(path.path, kSharedDirectories)) {
      fix = "keep the lease file in a directory of its own: the default " +
            std::string(kDefaultLeaseFile) + " (remove dhcp-leasefile=)";
    } else {
      fix = fix_command(path, "pxemasq_var_lib_t", kLeaseTypes);
    }
    out.push_back({std::nullopt, "SELinux: " +
                                     std::string(path.directory ? "lease file directory " : "lease file ") +
                                     path.path + " " + describe(*path.context) +
                                     "; pxemasq_t can only write leases in " + either_of(kLeaseTypes) +
                                     "\n  fix: " + fix});
    if (path.directory) return;  // the directory's fix relabels the file too
  }
}

// "iso9660_t (35, e.g. /x/B.B00 labelled system_u:object_r:iso9660_t:s0), default_t (2, ...)"
struct TypeCount {
  std::size_t count = 0;
  const LabeledPath* example = nullptr;
};

std::string summarize(const std::map<std::string, TypeCount>& wrong) {
  std::string out;
  for (const auto& [type, count] : wrong) {
    if (!out.empty()) out += ", ";
    out += type + " (" + std::to_string(count.count) + ", e.g. " + count.example->path + " " +
           describe(*count.example->context) + ")";
  }
  return out;
}

void check_tftp_root(const TftpRootLabels& root, std::vector<Diagnostic>& out) {
  if (!root.root.context) return;  // missing or unreadable: check_host reports that
  std::map<std::string, TypeCount> wrong;
  std::size_t looked_at = 0;
  std::size_t wrong_total = 0;
  bool on_mount_type = is_one_of(type_of(*root.root.context), kMountTypes);
  for (const auto& entry : root.entries) {
    if (!entry.context) continue;
    ++looked_at;
    const std::string_view type = type_of(*entry.context);
    if (is_one_of(type, kTftpTypes)) continue;
    auto& count = wrong[std::string(type)];
    if (count.count++ == 0) count.example = &entry;
    ++wrong_total;
    on_mount_type = on_mount_type || is_one_of(type, kMountTypes);
  }
  const bool root_wrong = !is_one_of(type_of(*root.root.context), kTftpTypes);
  if (!root_wrong && wrong.empty()) return;

  // "3 of 120 paths", or "3 of the first 20000 paths" when the walk stopped at its limit.
  const std::string of_total = std::to_string(wrong_total) + " of " +
                               (root.truncated ? "the first " : "") + std::to_string(looked_at) +
                               " paths";
  std::string message = "SELinux: ";
  if (root_wrong) {
    message += "tftp-root " + root.root.path + " " + describe(*root.root.context) +
               "; pxemasq_t can only read " + either_of(kTftpTypes);
    if (!wrong.empty()) message += "; below it also " + of_total + ": " + summarize(wrong);
  } else {
    message += of_total + " under tftp-root " + root.root.path +
               " have types pxemasq_t cannot read (it reads " + either_of(kTftpTypes) +
               "): " + summarize(wrong);
  }
  message += "\n  fix: " + fix_command(root.root, "tftpdir_t", kTftpTypes);
  if (on_mount_type) {
    message +=
        "\n  a mounted ISO 9660, NFS or CIFS tree cannot be relabelled: mount it with "
        "-o context=system_u:object_r:tftpdir_t:s0, or: setsebool -P " +
        std::string(kReadAllFilesBoolean) + " on";
  } else {
    message += "\n  or, to read any non-security type: setsebool -P " +
               std::string(kReadAllFilesBoolean) + " on";
  }
  out.push_back({root.origin, std::move(message)});
}

std::string parent_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return {};
  return slash == 0 ? std::string("/") : path.substr(0, slash);
}

std::string without_trailing_slashes(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

}  // namespace

std::string_view type_of(std::string_view context) {
  if (context.empty()) return "unlabeled_t";
  // user:role:type[:level] — the level may itself contain ':' (s0:c1,c2), the type never does.
  const auto first = context.find(':');
  if (first == std::string_view::npos) return context;
  const auto second = context.find(':', first + 1);
  if (second == std::string_view::npos) return context;
  const auto third = context.find(':', second + 1);
  return context.substr(second + 1, third == std::string_view::npos ? std::string_view::npos
                                                                    : third - second - 1);
}

LabelSurvey survey_labels(const config::Config& config, std::span<const std::string> config_files,
                          const LabelSource& source, std::size_t tree_limit) {
  LabelSurvey survey;
  survey.enabled = source.enabled();
  if (!survey.enabled) return survey;
  const auto read_all = source.boolean(kReadAllFilesBoolean);
  survey.module_loaded = read_all.has_value();
  survey.tftp_read_all_files = read_all.value_or(false);
  if (!survey.module_loaded) return survey;  // unconfined: labels do not matter

  // The files only: their directories are often shared ones (/etc, /root), which must not be
  // relabelled, and a conf-dir's files inherit its type anyway.
  std::set<std::string> seen;
  for (const auto& file : config_files) {
    if (seen.insert(file).second) survey.config_paths.push_back({file, source.label(file), false});
  }

  // leasefile-ro: dnsmasq never writes the lease file then.
  if (!config.ranges.empty() && !config.leasefile_ro) {
    const std::string lease_file = config.lease_file.value_or(std::string(kDefaultLeaseFile));
    if (const std::string directory = parent_of(lease_file); !directory.empty()) {
      survey.lease_paths.push_back({directory, source.label(directory), true});
    }
    survey.lease_paths.push_back({lease_file, source.label(lease_file), false});
  }

  if (config.tftp.enabled && !survey.tftp_read_all_files) {
    std::set<std::string> roots_seen;
    for (const auto& root : config.tftp.roots) {
      const std::string directory = without_trailing_slashes(root.directory);
      if (directory.empty() || !roots_seen.insert(directory).second) continue;
      TftpRootLabels labels{root.origin, {directory, source.label(directory), true}, {}, false};
      if (labels.root.context) {
        const auto paths = source.list_tree(directory, tree_limit);
        labels.truncated = paths.size() >= tree_limit;
        labels.entries.reserve(paths.size());
        for (const auto& path : paths) labels.entries.push_back({path, source.label(path), false});
      }
      survey.tftp_roots.push_back(std::move(labels));
    }
  }
  return survey;
}

std::vector<Diagnostic> diagnose_labels(const LabelSurvey& survey) {
  std::vector<Diagnostic> out;
  if (!survey.enabled) return out;
  if (!survey.module_loaded) {
    out.push_back({std::nullopt,
                   "SELinux is enabled but the loaded policy has no boolean " +
                       std::string(kReadAllFilesBoolean) +
                       ": the pxemasq module is not installed, so pxemasq.service runs unconfined "
                       "instead of in pxemasq_t\n  fix: dnf install pxemasq-selinux"});
    return out;
  }
  check_config_paths(survey.config_paths, out);
  check_lease_paths(survey.lease_paths, out);
  if (!survey.tftp_read_all_files) {
    for (const auto& root : survey.tftp_roots) check_tftp_root(root, out);
  }
  return out;
}

// ---- the real label source --------------------------------------------------------------------

SystemLabelSource::SystemLabelSource(std::string selinuxfs) : selinuxfs_(std::move(selinuxfs)) {}

bool SystemLabelSource::enabled() const {
  return ::access((selinuxfs_ + "/enforce").c_str(), F_OK) == 0;
}

std::optional<bool> SystemLabelSource::boolean(std::string_view name) const {
  // selinuxfs booleans read "CURRENT PENDING", e.g. "0 0".
  std::ifstream file(selinuxfs_ + "/booleans/" + std::string(name));
  char current = 0;
  if (!file || !(file >> current)) return std::nullopt;
  return current == '1';
}

std::optional<std::string> SystemLabelSource::label(const std::string& path) const {
  // Bounded retry: the attribute could change size between the two calls.
  for (int attempt = 0; attempt < 3; ++attempt) {
    const ssize_t size = ::getxattr(path.c_str(), "security.selinux", nullptr, 0);
    if (size < 0) {
      if (errno == ENODATA || errno == ENOTSUP) return std::string();
      return std::nullopt;
    }
    std::string value(static_cast<std::size_t>(size), '\0');
    const ssize_t got = ::getxattr(path.c_str(), "security.selinux", value.data(), value.size());
    if (got < 0 && errno == ERANGE) continue;
    if (got < 0) return std::nullopt;
    value.resize(static_cast<std::size_t>(got));
    while (!value.empty() && value.back() == '\0') value.pop_back();  // stored NUL-terminated
    return value;
  }
  return std::nullopt;
}

std::vector<std::string> SystemLabelSource::list_tree(const std::string& root,
                                                      std::size_t limit) const {
  namespace fs = std::filesystem;
  std::vector<std::string> paths;
  std::error_code error;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, error);
  for (; !error && it != fs::recursive_directory_iterator() && paths.size() < limit;
       it.increment(error)) {
    paths.push_back(it->path().string());
  }
  return paths;
}

}  // namespace pxemasq::daemon
