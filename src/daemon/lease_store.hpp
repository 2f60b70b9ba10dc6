#pragma once
// The lease file on disk (spec §5) and its journal (spec §9 item 4: dnsmasq truncates and
// rewrites its whole file in place on every ACK, so a crash mid-write can leave a short or empty
// file, and the cost of an ACK grows with the number of leases).
//
// Two files, side by side:
//
//   PATH          dnsmasq's format, always complete: only ever replaced whole, atomically (the
//                 text goes to `PATH.tmp`, which is fdatasync'ed and renamed over PATH; then the
//                 directory is fsync'ed). dnsmasq and dnsmasq-format scripts can read it at any
//                 instant; it trails the leases in memory by at most the snapshot delay.
//   PATH.journal  pxemasq's own: what changed since PATH was written, one record a line,
//                 appended and fdatasync'ed before the ACKs of those changes leave. A crash loses
//                 no ACKed lease: load() replays the journal on top of PATH.
//
// The journal's first line names the PATH it extends (device, inode, size, mtime); a journal
// whose PATH has since been replaced (a snapshot finished but the journal was not yet reset, or
// another program, e.g. dnsmasq, rewrote PATH) describes nothing newer than PATH and is ignored.
// Records are `+ <dnsmasq lease line> <checksum>` (the address now has this lease) and
// `- <address> <checksum>` (the address has none); each names the whole state of one address,
// so replaying a record twice, or a record PATH already has, changes nothing. A torn last record
// (no newline, bad checksum) ends the replay.
//
// In the event loop (see daemon/dhcp_service.cpp and daemon/lease_writer.hpp):
//
//     after a batch of datagrams:  append_journal(journal_records(table, table.take_changes()))
//                                  on a writer thread; the batch's ACKs leave when it returns
//     some time after a change:    write_snapshot(format_lease_file(table, carried_lines()))
//                                  on the same thread; it resets the journal
//
// commit() is the one-call synchronous form (snapshot if the table is dirty), for SIGTERM and
// tools.
//
// If the directory is not writable (e.g. a dnsmasq-style path in a root-owned directory after
// privileges were dropped), snapshots fall back to rewriting the file in place through the
// descriptor it opened at start, as dnsmasq does: still fsync'ed, but no longer atomic;
// atomic() then turns false so the daemon can say so once. The journal is opened at start too.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "net/unique_fd.hpp"
#include "dhcp/lease.hpp"
#include "dhcp/lease_file.hpp"

namespace pxemasq::daemon {

// pxemasq's default dhcp-leasefile (dnsmasq's is /var/lib/misc/dnsmasq.leases).
inline constexpr std::string_view kDefaultLeaseFile = "/var/lib/pxemasq/pxemasq.leases";

struct LeaseStoreError {
  // `cannot open or create lease file PATH: ERR` (exit 3), `too many stored leases` (exit 5),
  // `failed to write PATH: ERR` (at run time; the daemon logs it and goes on).
  std::string message;
  int exit_code = 3;
};

struct LeaseLoadReport {
  std::vector<dhcp::LeaseFileWarning> warnings;  // corrupt lines, skipped
  std::size_t loaded = 0;                        // IPv4 leases read into the table
  std::size_t expired = 0;                       // of which already expired, and pruned at once
  std::size_t carried = 0;                       // `duid` and DHCPv6 lines kept for rewriting
  std::size_t replayed = 0;                      // journal records applied on top of the file
  bool journal_ignored = false;                  // the journal was for an older file
  bool journal_torn = false;                     // its last record was incomplete (crash)
};

// The journal records for `changes` (from LeaseTable::take_changes()): each address's state now.
[[nodiscard]] std::string journal_records(const dhcp::LeaseTable& table,
                                          std::span<const config::Ipv4> changes);

class LeaseStore {
 public:
  // Creates the parent directory (mode 0755, each missing level) and the file (0644) if
  // missing, and opens both. Done at start, while still root, like dnsmasq.
  [[nodiscard]] static std::variant<LeaseStore, LeaseStoreError> open(std::string path);

  // Reads the file into `table` (which should be empty), oldest line first so newest_first()
  // gives back the file's order, replays the journal on top, and prunes what expired before
  // `now`. When the journal held anything, the file is rewritten with it at once (so it is up to
  // date before dnsmasq could read it again) and the journal starts afresh; the table is then
  // clean, unless that write failed or something was pruned. Errors: unreadable file (exit 3),
  // `too many stored leases` (exit 5), a failed rewrite (exit 3).
  [[nodiscard]] std::variant<LeaseLoadReport, LeaseStoreError> load(dhcp::LeaseTable& table,
                                                                    std::int64_t now);

  // Makes the next commit() write even if the table is clean (SIGHUP, as dnsmasq rewrites then).
  void request_write() { write_requested_ = true; }
  void mark_written() { write_requested_ = false; }
  [[nodiscard]] bool pending(const dhcp::LeaseTable& table) const {
    return write_requested_ || table.dirty();
  }
  // Writes the table if pending() (write_snapshot of the whole table); on success marks it
  // clean and discards its recorded changes. On failure the table stays dirty, so the next
  // commit() tries again; the file on disk is still the last good one.
  [[nodiscard]] std::optional<LeaseStoreError> commit(dhcp::LeaseTable& table);
  // Durably replaces the file's content with `text` (a whole lease file), then starts the
  // journal afresh for it. Errors leave the old file and the journal as they were.
  [[nodiscard]] std::optional<LeaseStoreError> write_snapshot(std::string_view text);
  // Appends `records` (from journal_records()) to the journal and fdatasyncs it: once this
  // returns without error, those changes survive a crash or power loss. After an error the
  // journal refuses appends until the next write_snapshot() (a half-written record must not be
  // followed by good ones, which the replay would never reach).
  [[nodiscard]] std::optional<LeaseStoreError> append_journal(std::string_view records);
  // The old name of write_snapshot() (kept for the tools that call it).
  [[nodiscard]] std::optional<LeaseStoreError> write_text(std::string_view text) {
    return write_snapshot(text);
  }

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] bool atomic() const { return atomic_; }
  [[nodiscard]] std::uint64_t writes() const { return writes_; }  // files written so far
  [[nodiscard]] std::uint64_t journal_appends() const { return journal_appends_; }
  [[nodiscard]] const std::string& journal_path() const { return journal_path_; }
  // False when PATH.journal could not be opened for lack of permission: every commit is then a
  // whole-file write_snapshot().
  [[nodiscard]] bool has_journal() const { return journal_.valid(); }
  [[nodiscard]] std::span<const std::string> carried_lines() const { return carried_lines_; }

 private:
  LeaseStore() = default;
  [[nodiscard]] std::optional<LeaseStoreError> write_in_place(std::string_view text);
  [[nodiscard]] std::optional<LeaseStoreError> replace_file(std::string_view text);
  [[nodiscard]] LeaseStoreError write_error(int error) const;
  [[nodiscard]] LeaseStoreError journal_error(int error) const;
  // Truncates the journal to its header line for the file now at PATH.
  [[nodiscard]] int reset_journal();
  struct Replay {
    std::size_t applied = 0;
    bool ignored = false;
    bool torn = false;
  };
  [[nodiscard]] std::variant<Replay, LeaseStoreError> replay_journal(dhcp::LeaseTable& table);

  std::string path_;       // as configured (for messages)
  std::string name_;       // the file's name inside its directory
  std::string temp_name_;  // name_ + ".tmp"
  std::string journal_name_;  // name_ + ".journal"
  std::string journal_path_;  // path_ + ".journal" (for messages)
  net::UniqueFd directory_;
  net::UniqueFd file_;  // the current file, opened at start; the in-place fallback writes through it
  net::UniqueFd journal_;
  std::uint64_t journal_size_ = 0;  // where the next record goes
  bool journal_usable_ = true;      // false after a failed append, until the next snapshot
  std::vector<std::string> carried_lines_;
  bool write_requested_ = false;
  bool atomic_ = true;
  std::uint64_t writes_ = 0;
  std::uint64_t journal_appends_ = 0;
};

}  // namespace pxemasq::daemon
