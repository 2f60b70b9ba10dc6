#pragma once
// One thread that does the lease store's durable writes (journal appends and snapshots, see
// daemon/lease_store.hpp), so the event loop keeps receiving and answering while an fdatasync
// waits for the disk (spec §9 items 1 and 4: dnsmasq blocks everything on its per-ACK fsync).
//
// Jobs run one at a time, in the order they were queued; each one's result is posted back to
// the event loop's executor, where the caller then sends the ACKs that waited for it. The
// store is touched only by that thread once the writer exists (and by write_now(), which waits
// for the thread to be idle first), so the store itself needs no lock.

#include <boost/asio/any_io_executor.hpp>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "daemon/lease_store.hpp"

namespace pxemasq::daemon {

class LeaseWriter {
 public:
  using Done = std::function<void(std::optional<LeaseStoreError>)>;

  // `store` must outlive the writer.
  LeaseWriter(LeaseStore& store, boost::asio::any_io_executor executor);
  LeaseWriter(const LeaseWriter&) = delete;
  LeaseWriter& operator=(const LeaseWriter&) = delete;
  // Finishes the queued jobs (their results are still posted), then stops the thread.
  ~LeaseWriter();

  // LeaseStore::append_journal(records), then `done(result)` on the executor.
  void append(std::string records, Done done);
  // LeaseStore::write_snapshot(text), then `done(result)` on the executor.
  void snapshot(std::string text, Done done);
  // Waits until every queued job has run, then writes the snapshot in the calling thread and
  // returns its result (SIGTERM: the event loop may no longer run to receive a posted result).
  [[nodiscard]] std::optional<LeaseStoreError> snapshot_now(std::string_view text);

 private:
  enum class Kind { append, snapshot };
  struct Job {
    Kind kind;
    std::string text;
    Done done;
  };

  void enqueue(Job job);
  void run();
  [[nodiscard]] std::optional<LeaseStoreError> perform(Kind kind, std::string_view text);

  LeaseStore& store_;
  boost::asio::any_io_executor executor_;
  std::mutex mutex_;
  std::condition_variable wake_;  // a job was queued, or stop
  std::condition_variable idle_;  // the queue ran empty
  std::deque<Job> jobs_;
  bool busy_ = false;
  bool stopping_ = false;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace pxemasq::daemon
