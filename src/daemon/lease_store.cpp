#include "daemon/lease_store.hpp"

#include <fcntl.h>
#include <malloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "config/values.hpp"

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

// Reads the whole of `fd` from offset 0; returns errno or 0.
int read_all(int fd, std::string& text) {
  std::array<char, 65536> buffer{};
  off_t offset = 0;
  while (true) {
    const ssize_t got = ::pread(fd, buffer.data(), buffer.size(), offset);
    if (got < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (got == 0) return 0;
    text.append(buffer.data(), static_cast<std::size_t>(got));
    offset += got;
  }
}

constexpr std::string_view kJournalMagic = "pxemasq-lease-journal 1";

// FNV-1a: catches a torn or garbled record (a crash mid-append), not an adversary.
std::uint32_t checksum(std::string_view text) {
  std::uint32_t hash = 2166136261U;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 16777619U;
  }
  return hash;
}

void append_hex32(std::string& out, std::uint32_t value) {
  static constexpr std::string_view kDigits = "0123456789abcdef";
  for (int shift = 28; shift >= 0; shift -= 4) out.push_back(kDigits[(value >> shift) & 0xFU]);
}

void append_record(std::string& out, std::string_view payload) {
  out.append(payload);
  out.push_back(' ');
  append_hex32(out, checksum(payload));
  out.push_back('\n');
}

// The payload of a record line, if its checksum is right.
std::optional<std::string_view> record_payload(std::string_view line) {
  const auto space = line.rfind(' ');
  if (space == std::string_view::npos || line.size() - space - 1 != 8) return std::nullopt;
  const std::string_view payload = line.substr(0, space);
  std::string expected;
  append_hex32(expected, checksum(payload));
  if (line.substr(space + 1) != expected) return std::nullopt;
  return payload;
}

// Which file PATH is now: the journal's first line names it so a journal is never replayed on
// top of a file that replaced the one it extends.
std::string journal_header(const struct stat& file) {
  std::string header(kJournalMagic);
  for (const auto value :
       {static_cast<std::uint64_t>(file.st_dev), static_cast<std::uint64_t>(file.st_ino),
        static_cast<std::uint64_t>(file.st_size), static_cast<std::uint64_t>(file.st_mtim.tv_sec),
        static_cast<std::uint64_t>(file.st_mtim.tv_nsec)}) {
    header.push_back(' ');
    header.append(std::to_string(value));
  }
  header.push_back('\n');
  return header;
}

}  // namespace

std::string journal_records(const dhcp::LeaseTable& table, std::span<const config::Ipv4> changes) {
  std::string out;
  out.reserve(changes.size() * 80);
  std::string payload;
  for (const config::Ipv4 address : changes) {
    payload.clear();
    if (const dhcp::Lease* lease = table.find_address(address)) {
      payload.append("+ ");
      dhcp::append_lease_line(payload, *lease);
      payload.pop_back();  // its newline
    } else {
      payload.append("- ");
      payload.append(address.to_string());
    }
    append_record(out, payload);
  }
  return out;
}

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
  store.journal_name_ = store.name_ + ".journal";
  store.journal_path_ = store.path_ + ".journal";
  store.directory_.reset(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!store.directory_.valid()) return fail(errno);
  // dnsmasq's fopen(path, "a+"): readable and writable, created 0644 under umask 022.
  store.file_.reset(
      ::openat(store.directory_.get(), store.name_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!store.file_.valid()) return fail(errno);
  struct stat status {};
  if (::fstat(store.file_.get(), &status) != 0) return fail(errno);
  if (!S_ISREG(status.st_mode)) return fail(EINVAL);
  // Opened now, while root, so appends keep working after privileges are dropped.
  store.journal_.reset(::openat(store.directory_.get(), store.journal_name_.c_str(),
                                O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!store.journal_.valid()) {
    // A journal left by root, started later as another user: do without it (whole-file
    // commits, as before journals existed) rather than refuse to start.
    if (errno != EACCES && errno != EPERM) {
      return LeaseStoreError{"cannot open or create lease journal " + store.journal_path_ + ": " +
                                 error_text(errno),
                             3};
    }
  }
  // Make a newly created file's name durable too.
  if (::fsync(store.directory_.get()) != 0 && errno != EINVAL) return fail(errno);
  return store;
}

std::variant<LeaseLoadReport, LeaseStoreError> LeaseStore::load(dhcp::LeaseTable& table,
                                                                std::int64_t now) {
  // The file's text, its parse and each snapshot's text are big and short-lived (4.6 MB at
  // 100 000 leases): keep them in their own mappings, returned whole when freed, rather than
  // letting glibc raise its threshold and keep them in the heap for good.
  ::mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  std::string text;
  if (const int error = read_all(file_.get(), text); error != 0) {
    return LeaseStoreError{"cannot read lease file " + path_ + ": " + error_text(error), 3};
  }

  auto parsed = dhcp::parse_lease_file(text, table.max_leases());
  std::string().swap(text);
  if (auto* error = std::get_if<dhcp::LeaseFileError>(&parsed)) {
    return LeaseStoreError{error->message, error->exit_code};
  }
  auto& contents = std::get<dhcp::LeaseFileContents>(parsed);
  LeaseLoadReport report;
  // Oldest (last line) first, so the first line ends up newest, as it was.
  for (auto lease = contents.leases.rbegin(); lease != contents.leases.rend(); ++lease) {
    if (table.upsert(std::move(*lease))) ++report.loaded;
  }
  std::vector<dhcp::Lease>().swap(contents.leases);
  report.warnings = std::move(contents.warnings);
  report.carried = contents.carried_lines.size();
  carried_lines_ = std::move(contents.carried_lines);

  auto replay = replay_journal(table);
  if (auto* error = std::get_if<LeaseStoreError>(&replay)) return *error;
  const Replay& replayed = std::get<Replay>(replay);
  report.replayed = replayed.applied;
  report.journal_ignored = replayed.ignored;
  report.journal_torn = replayed.torn;
  (void)table.take_changes();  // what the file (or the rewrite below) already says
  if (replayed.applied > 0) {
    // Bring the file itself up to date before anything else can read it.
    if (auto error = write_snapshot(dhcp::format_lease_file(table, carried_lines_))) return *error;
  } else if (const int error = reset_journal(); error != 0) {
    return journal_error(error);
  }
  table.mark_clean();
  report.expired = table.prune_expired(now);
  ::malloc_trim(0);  // the parse's small pieces, between the table's
  return report;
}

std::variant<LeaseStore::Replay, LeaseStoreError> LeaseStore::replay_journal(
    dhcp::LeaseTable& table) {
  Replay replay;
  if (!journal_.valid()) return replay;
  std::string text;
  if (const int error = read_all(journal_.get(), text); error != 0) {
    return LeaseStoreError{"cannot read lease journal " + journal_path_ + ": " + error_text(error),
                           3};
  }
  if (text.empty()) return replay;
  struct stat status {};
  if (::fstat(file_.get(), &status) != 0) return journal_error(errno);
  std::string_view rest = text;
  const auto header_end = rest.find('\n');
  if (header_end == std::string_view::npos ||
      rest.substr(0, header_end + 1) != journal_header(status)) {
    replay.ignored = true;
    return replay;
  }
  rest.remove_prefix(header_end + 1);
  while (!rest.empty()) {
    const auto end = rest.find('\n');
    const auto payload = end == std::string_view::npos ? std::nullopt
                                                       : record_payload(rest.substr(0, end));
    if (!payload) {
      replay.torn = true;  // the rest was never acknowledged
      break;
    }
    rest.remove_prefix(end + 1);
    if (payload->substr(0, 2) == "- ") {
      if (const auto address = config::parse_ipv4(payload->substr(2))) table.remove(*address);
      ++replay.applied;
    } else if (payload->substr(0, 2) == "+ ") {
      auto parsed = dhcp::parse_lease_file(payload->substr(2), 2);
      if (auto* contents = std::get_if<dhcp::LeaseFileContents>(&parsed);
          contents != nullptr && contents->leases.size() == 1) {
        (void)table.upsert(std::move(contents->leases.front()));
        ++replay.applied;
      }
    }
  }
  return replay;
}

std::optional<LeaseStoreError> LeaseStore::commit(dhcp::LeaseTable& table) {
  if (!pending(table)) return std::nullopt;
  if (auto error = write_snapshot(dhcp::format_lease_file(table, carried_lines_))) return error;
  table.mark_clean();
  (void)table.take_changes();
  write_requested_ = false;
  return std::nullopt;
}

LeaseStoreError LeaseStore::write_error(int error) const {
  return LeaseStoreError{"failed to write " + path_ + ": " + error_text(error), 3};
}

LeaseStoreError LeaseStore::journal_error(int error) const {
  return LeaseStoreError{"failed to write " + journal_path_ + ": " + error_text(error), 3};
}

int LeaseStore::reset_journal() {
  // No sync needed here: until the next append's fdatasync makes it durable, the journal on
  // disk still names the old file (or is empty) and so is ignored next to the new one.
  journal_usable_ = false;
  if (!journal_.valid()) return 0;
  struct stat status {};
  if (::fstat(file_.get(), &status) != 0) return errno;
  const std::string header = journal_header(status);
  if (::ftruncate(journal_.get(), 0) != 0) return errno;
  if (const int error = write_all(journal_.get(), header, 0); error != 0) return error;
  journal_size_ = header.size();
  journal_usable_ = true;
  return 0;
}

std::optional<LeaseStoreError> LeaseStore::append_journal(std::string_view records) {
  if (records.empty()) return std::nullopt;
  if (!journal_usable_) return journal_error(EIO);
  int error = write_all(journal_.get(), records, static_cast<off_t>(journal_size_));
  if (error == 0) error = sync_data(journal_.get());
  if (error != 0) {
    journal_usable_ = false;
    return journal_error(error);
  }
  journal_size_ += records.size();
  ++journal_appends_;
  return std::nullopt;
}

std::optional<LeaseStoreError> LeaseStore::write_snapshot(std::string_view text) {
  if (auto error = replace_file(text)) return error;
  if (const int error = reset_journal(); error != 0) return journal_error(error);
  return std::nullopt;
}

std::optional<LeaseStoreError> LeaseStore::replace_file(std::string_view text) {
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
