#include "daemon/lease_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace pxemasq::daemon {
namespace {

std::string error_text(int error) {
  return std::strerror(error);
}

// mkdir -p with mode 0755 for each level that is missing.
int make_directories(const std::filesystem::path& directory) {
  std::filesystem::path prefix;
  for (const auto& part : directory) {
    prefix /= part;
    if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) return errno;
  }
  return 0;
}

int write_all(int fd, std::string_view text, off_t offset) {
  while (!text.empty()) {
    const ssize_t written = ::pwrite(fd, text.data(), text.size(), offset);
    if (written < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (written == 0) return EIO;
    text.remove_prefix(static_cast<std::size_t>(written));
    offset += written;
  }
  return 0;
}

int sync_data(int fd) {
  while (::fdatasync(fd) != 0) {
    if (errno != EINTR) return errno;
  }
  return 0;
}

}  // namespace

std::variant<LeaseStore, LeaseStoreError> LeaseStore::open(std::string path) {
  const std::string shown = path;
  const auto fail = [&shown](int error) {
    return LeaseStoreError{"cannot open or create lease file " + shown + ": " + error_text(error),
                           3};
  };
  if (path.empty()) return fail(ENOENT);

  // A symlinked lease file stays a symlink: write next to its final target, not over the link.
  std::filesystem::path target(path);
  for (int hops = 0;; ++hops) {
    std::error_code error;
    if (!std::filesystem::is_symlink(std::filesystem::symlink_status(target, error))) break;
    if (hops == 40) return fail(ELOOP);
    const std::filesystem::path next = std::filesystem::read_symlink(target, error);
    if (error) return fail(error.value());
    target = next.is_absolute() ? next : target.parent_path() / next;
  }
  if (!target.has_filename()) return fail(EISDIR);
  std::filesystem::path directory = target.parent_path();
  if (directory.empty()) directory = ".";

  if (const int error = make_directories(directory); error != 0) return fail(error);

  LeaseStore store;
  store.path_ = std::move(path);
  store.name_ = target.filename().string();
  store.temp_name_ = store.name_ + ".tmp";
  store.directory_.reset(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!store.directory_.valid()) return fail(errno);
  // dnsmasq's fopen(path, "a+"): readable and writable, created 0644 under umask 022.
  store.file_.reset(
      ::openat(store.directory_.get(), store.name_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!store.file_.valid()) return fail(errno);
  struct stat status {};
  if (::fstat(store.file_.get(), &status) != 0) return fail(errno);
  if (!S_ISREG(status.st_mode)) return fail(EINVAL);
  // Make a newly created file's name durable too.
  if (::fsync(store.directory_.get()) != 0 && errno != EINVAL) return fail(errno);
  return store;
}

std::variant<LeaseLoadReport, LeaseStoreError> LeaseStore::load(dhcp::LeaseTable& table,
                                                                std::int64_t now) {
  std::string text;
  std::array<char, 65536> buffer{};
  off_t offset = 0;
  while (true) {
    const ssize_t got = ::pread(file_.get(), buffer.data(), buffer.size(), offset);
    if (got < 0) {
      if (errno == EINTR) continue;
      return LeaseStoreError{"cannot read lease file " + path_ + ": " + error_text(errno), 3};
    }
    if (got == 0) break;
    text.append(buffer.data(), static_cast<std::size_t>(got));
    offset += got;
  }

  auto parsed = dhcp::parse_lease_file(text, table.max_leases());
  if (auto* error = std::get_if<dhcp::LeaseFileError>(&parsed)) {
    return LeaseStoreError{error->message, error->exit_code};
  }
  auto& contents = std::get<dhcp::LeaseFileContents>(parsed);
  LeaseLoadReport report;
  // Oldest (last line) first, so the first line ends up newest, as it was.
  for (auto lease = contents.leases.rbegin(); lease != contents.leases.rend(); ++lease) {
    if (table.upsert(std::move(*lease))) ++report.loaded;
  }
  table.mark_clean();  // the file already says this
  report.expired = table.prune_expired(now);
  report.warnings = std::move(contents.warnings);
  report.carried = contents.carried_lines.size();
  carried_lines_ = std::move(contents.carried_lines);
  return report;
}

std::optional<LeaseStoreError> LeaseStore::commit(dhcp::LeaseTable& table) {
  if (!pending(table)) return std::nullopt;
  if (auto error = write_text(dhcp::format_lease_file(table, carried_lines_))) return error;
  table.mark_clean();
  write_requested_ = false;
  return std::nullopt;
}

LeaseStoreError LeaseStore::write_error(int error) const {
  return LeaseStoreError{"failed to write " + path_ + ": " + error_text(error), 3};
}

std::optional<LeaseStoreError> LeaseStore::write_text(std::string_view text) {
  const int directory = directory_.get();
  const int temp = ::openat(directory, temp_name_.c_str(),
                            O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (temp < 0) {
    const int error = errno;
    if ((error == EACCES || error == EPERM) && file_.valid()) return write_in_place(text);
    return write_error(error);
  }
  // Whatever fails before the rename leaves the old file untouched and no temp file behind.
  int error = write_all(temp, text, 0);
  if (error == 0) error = sync_data(temp);
  if (::close(temp) != 0 && error == 0 && errno != EINTR) error = errno;
  if (error == 0 && ::renameat(directory, temp_name_.c_str(), directory, name_.c_str()) != 0) {
    error = errno;
  }
  if (error != 0) {
    ::unlinkat(directory, temp_name_.c_str(), 0);
    return write_error(error);
  }
  // The rename is durable once the directory is.
  if (::fsync(directory) != 0 && errno != EINVAL) return write_error(errno);
  ++writes_;
  // Keep a descriptor of the file now in place (opened while we may still be root), so the
  // in-place fallback writes to the live file, never to the inode the rename unlinked.
  file_.reset(::openat(directory, name_.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW));
  return std::nullopt;
}

std::optional<LeaseStoreError> LeaseStore::write_in_place(std::string_view text) {
  // dnsmasq's way (spec §5 "How written"), but new bytes first and the truncation last, so the
  // file never reads empty.
  atomic_ = false;
  const int fd = file_.get();
  if (const int error = write_all(fd, text, 0); error != 0) return write_error(error);
  if (::ftruncate(fd, static_cast<off_t>(text.size())) != 0) return write_error(errno);
  if (const int error = sync_data(fd); error != 0) return write_error(error);
  ++writes_;
  return std::nullopt;
}

}  // namespace pxemasq::daemon
