#pragma once
// The lease file on disk (spec §5): opened and read at start, then rewritten whole, durably and
// atomically, whenever the table changed (spec §9 item 4, where dnsmasq truncates and rewrites
// in place, so a crash mid-write can leave a short or empty file).
//
// Each write: the text goes to `PATH.tmp` in the same directory, which is fdatasync'ed and
// renamed over PATH; then the directory is fsync'ed. A crash at any instant leaves either the
// old or the new file complete; once commit() returns, the new one survives power loss.
//
// Group commit, for the event loop:
//
//     for each datagram ready now (bounded batch):
//       outcome = engine.handle(..., table, now)
//       if (outcome.leases_changed) hold outcome's reply back, else send it now
//     if (auto error = store.commit(table)) log error->message   // one write for the batch
//     send the held replies                                        // each lease is on disk
//
// commit() writes only if the table is dirty (or request_write() was called), so calling it
// after every batch, on the expiry timer and at SIGTERM costs nothing when nothing changed, and
// a burst of ACKs costs one write, not one per ACK. Changes between two commit() calls are
// coalesced however many there are.
//
// If the directory is not writable (e.g. a dnsmasq-style path in a root-owned directory after
// privileges were dropped), the store falls back to rewriting the file in place through the
// descriptor it opened at start, as dnsmasq does: still fsync'ed, but no longer atomic;
// atomic() then turns false so the daemon can say so once.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "daemon/unique_fd.hpp"
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
};

class LeaseStore {
 public:
  // Creates the parent directory (mode 0755, each missing level) and the file (0644) if
  // missing, and opens both. Done at start, while still root, like dnsmasq.
  [[nodiscard]] static std::variant<LeaseStore, LeaseStoreError> open(std::string path);

  // Reads the file into `table` (which should be empty), oldest line first so newest_first()
  // gives back the file's order, and prunes what expired before `now`. The table is left clean
  // unless something was pruned. Errors: unreadable file (exit 3), `too many stored leases`
  // (exit 5).
  [[nodiscard]] std::variant<LeaseLoadReport, LeaseStoreError> load(dhcp::LeaseTable& table,
                                                                    std::int64_t now);

  // Makes the next commit() write even if the table is clean (SIGHUP, as dnsmasq rewrites then).
  void request_write() { write_requested_ = true; }
  [[nodiscard]] bool pending(const dhcp::LeaseTable& table) const {
    return write_requested_ || table.dirty();
  }
  // Writes the table if pending(); on success marks it clean. On failure the table stays dirty,
  // so the next commit() tries again; the file on disk is still the last good one.
  [[nodiscard]] std::optional<LeaseStoreError> commit(dhcp::LeaseTable& table);
  // The low-level step: durably replaces the file's content with `text` (commit() formats the
  // table and calls this). Usable from one writer thread if the loop formats the text itself.
  [[nodiscard]] std::optional<LeaseStoreError> write_text(std::string_view text);

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] bool atomic() const { return atomic_; }
  [[nodiscard]] std::uint64_t writes() const { return writes_; }  // files written so far
  [[nodiscard]] std::span<const std::string> carried_lines() const { return carried_lines_; }

 private:
  LeaseStore() = default;
  [[nodiscard]] std::optional<LeaseStoreError> write_in_place(std::string_view text);
  [[nodiscard]] LeaseStoreError write_error(int error) const;

  std::string path_;       // as configured (for messages)
  std::string name_;       // the file's name inside its directory
  std::string temp_name_;  // name_ + ".tmp"
  UniqueFd directory_;
  UniqueFd file_;  // the current file, opened at start; the in-place fallback writes through it
  std::vector<std::string> carried_lines_;
  bool write_requested_ = false;
  bool atomic_ = true;
  std::uint64_t writes_ = 0;
};

}  // namespace pxemasq::daemon
