#include "daemon/lease_writer.hpp"

#include <boost/asio/post.hpp>
#include <utility>

namespace pxemasq::daemon {

LeaseWriter::LeaseWriter(LeaseStore& store, boost::asio::any_io_executor executor)
    : store_(store), executor_(std::move(executor)), thread_([this] { run(); }) {}

LeaseWriter::~LeaseWriter() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void LeaseWriter::append(std::string records, Done done) {
  enqueue(Job{Kind::append, std::move(records), std::move(done)});
}

void LeaseWriter::snapshot(std::string text, Done done) {
  enqueue(Job{Kind::snapshot, std::move(text), std::move(done)});
}

void LeaseWriter::enqueue(Job job) {
  {
    const std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
}

std::optional<LeaseStoreError> LeaseWriter::snapshot_now(std::string_view text) {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return jobs_.empty() && !busy_; });
  // The thread sleeps until the next enqueue, which only the event loop (this thread) does.
  return perform(Kind::snapshot, text);
}

std::optional<LeaseStoreError> LeaseWriter::perform(Kind kind, std::string_view text) {
  return kind == Kind::append ? store_.append_journal(text) : store_.write_snapshot(text);
}

void LeaseWriter::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stopping, and nothing left to write
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    busy_ = true;
    lock.unlock();
    auto result = perform(job.kind, job.text);
    if (job.done) {
      boost::asio::post(executor_, [done = std::move(job.done), result = std::move(result)]() mutable {
        done(std::move(result));
      });
    }
    lock.lock();
    busy_ = false;
    if (jobs_.empty()) idle_.notify_all();
  }
}

}  // namespace pxemasq::daemon
