// The lease journal (daemon/lease_store.hpp): changes appended between two snapshots of the
// lease file come back on load, releases and renewals included; a torn last record is skipped;
// a journal for a file that was replaced since is ignored; a snapshot restarts the journal;
// LeaseWriter runs the writes on its thread and posts each result back in order.

#include <gtest/gtest.h>

#include <stdlib.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/lease_store.hpp"
#include "daemon/lease_writer.hpp"
#include "dhcp/lease_file.hpp"

namespace pxemasq::daemon {
namespace {

namespace fs = std::filesystem;
using dhcp::Lease;
using dhcp::LeaseTable;
using config::Ipv4;

class LeaseJournal : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "pxemasq-journal-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = dir_ / "x.leases";
    journal_ = dir_ / "x.leases.journal";
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  static std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  static void write(const fs::path& path, std::string_view text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
  }
  static void append(const fs::path& path, std::string_view text) {
    std::ofstream out(path, std::ios::binary | std::ios::app);
    out << text;
  }
  LeaseStore open_store() const {
    auto opened = LeaseStore::open(path_.string());
    if (auto* error = std::get_if<LeaseStoreError>(&opened)) {
      ADD_FAILURE() << error->message;
      std::abort();
    }
    return std::move(std::get<LeaseStore>(opened));
  }
  static LeaseLoadReport load(LeaseStore& store, LeaseTable& table, std::int64_t now = 0) {
    auto loaded = store.load(table, now);
    if (auto* error = std::get_if<LeaseStoreError>(&loaded)) {
      ADD_FAILURE() << error->message;
      return {};
    }
    return std::get<LeaseLoadReport>(loaded);
  }
  // What a crash leaves: the store is gone, and a new process loads the files.
  LeaseTable reload(LeaseLoadReport* report = nullptr) const {
    LeaseStore store = open_store();
    LeaseTable table(100000);
    const LeaseLoadReport got = load(store, table, 1000);
    if (report != nullptr) *report = got;
    return table;
  }
  static Lease lease_n(std::uint32_t n, std::int64_t expiry = 5000) {
    Lease lease;
    lease.address = Ipv4{0x0A000000U | n};
    lease.hardware_address = {0x02, 0, 0, 0, static_cast<std::uint8_t>(n >> 8),
                              static_cast<std::uint8_t>(n)};
    lease.client_id = {0x01, 0x02, 0, 0, 0, static_cast<std::uint8_t>(n >> 8),
                       static_cast<std::uint8_t>(n)};
    lease.hostname = "h" + std::to_string(n);
    lease.expiry = expiry;
    return lease;
  }
  // Journals what changed in `table`, as the service does before it sends the ACKs.
  static void journal(LeaseStore& store, LeaseTable& table) {
    const auto changes = table.take_changes();
    ASSERT_FALSE(store.append_journal(journal_records(table, changes)));
  }
  static std::vector<std::string> lines(const LeaseTable& table) {
    std::vector<std::string> out;
    for (const Lease* lease : table.newest_first()) out.push_back(dhcp::format_lease_line(*lease));
    std::sort(out.begin(), out.end());
    return out;
  }

  fs::path dir_;
  fs::path path_;
  fs::path journal_;
};

TEST(LeaseTableChanges, EachChangedAddressOnceAscending) {
  LeaseTable table;
  Lease a;
  a.address = Ipv4{0x0A000005};
  a.hardware_address = {2, 0, 0, 0, 0, 5};
  Lease b = a;
  b.address = Ipv4{0x0A000002};
  b.hardware_address = {2, 0, 0, 0, 0, 2};
  table.upsert(a);
  table.upsert(b);
  a.expiry = 99;
  table.upsert(a);  // renewal with a new expiry
  EXPECT_EQ(table.take_changes(), (std::vector<Ipv4>{b.address, a.address}));
  EXPECT_TRUE(table.take_changes().empty());
  table.upsert(a);  // identical: no change
  EXPECT_TRUE(table.take_changes().empty());
  table.remove(b.address);
  table.prune_expired(100);
  EXPECT_EQ(table.take_changes(), (std::vector<Ipv4>{b.address, a.address}));
}

TEST(LeaseJournalRecords, PresentAndGoneAddresses) {
  LeaseTable table;
  Lease lease;
  lease.address = Ipv4{0x0A000001};
  lease.hardware_address = {0x52, 0x54, 0, 0xaa, 0xbb, 0xcc};
  lease.expiry = 1732541234;
  table.upsert(lease);
  const std::string records = journal_records(table, std::vector<Ipv4>{Ipv4{0x0A000001}, Ipv4{0x0A000002}});
  std::istringstream in(records);
  std::string first;
  std::string second;
  std::getline(in, first);
  std::getline(in, second);
  EXPECT_EQ(first.substr(0, first.size() - 9), "+ 1732541234 52:54:00:aa:bb:cc 10.0.0.1 * *");
  EXPECT_EQ(second.substr(0, second.size() - 9), "- 10.0.0.2");
  EXPECT_EQ(first[first.size() - 9], ' ');
}

TEST_F(LeaseJournal, AppendedChangesComeBackAfterACrash) {
  {
    LeaseStore store = open_store();
    LeaseTable table(100000);
    load(store, table);
    for (std::uint32_t n = 1; n <= 20; ++n) table.upsert(lease_n(n));
    journal(store, table);
    EXPECT_EQ(read(path_), "");  // the file itself is written later, by the snapshot
  }
  LeaseLoadReport report;
  const LeaseTable table = reload(&report);
  EXPECT_EQ(table.size(), 20U);
  EXPECT_EQ(report.replayed, 20U);
  EXPECT_FALSE(report.journal_ignored);
  EXPECT_FALSE(report.journal_torn);
  // Loading brought the file up to date and restarted the journal.
  EXPECT_EQ(read(path_), dhcp::format_lease_file(table));
  const std::string journal_text = read(journal_);
  EXPECT_EQ(std::count(journal_text.begin(), journal_text.end(), '\n'), 1);
}

TEST_F(LeaseJournal, ReleasesRenewalsAndTakeoversReplay) {
  LeaseTable expected(100000);
  {
    LeaseStore store = open_store();
    LeaseTable table(100000);
    load(store, table);
    for (std::uint32_t n = 1; n <= 10; ++n) table.upsert(lease_n(n));
    ASSERT_FALSE(store.commit(table));  // a snapshot: the file has 1..10
    table.remove(lease_n(3).address);   // RELEASE
    table.upsert(lease_n(4, 9000));     // renewal
    Lease other = lease_n(500);
    other.address = lease_n(5).address;  // another client takes .5 over
    table.upsert(other);
    table.upsert(lease_n(11));  // new
    journal(store, table);
    table.remove(lease_n(11).address);  // released again, in a later batch
    table.upsert(lease_n(12));
    journal(store, table);
    expected = table;
  }
  LeaseLoadReport report;
  const LeaseTable table = reload(&report);
  EXPECT_EQ(report.replayed, 6U);
  EXPECT_EQ(lines(table), lines(expected));
  EXPECT_EQ(table.find_address(lease_n(3).address), nullptr);
  EXPECT_EQ(table.find_address(lease_n(11).address), nullptr);
  ASSERT_NE(table.find_address(lease_n(4).address), nullptr);
  EXPECT_EQ(table.find_address(lease_n(4).address)->expiry, 9000);
  EXPECT_EQ(table.find_address(lease_n(5).address)->hostname, "h500");
}

TEST_F(LeaseJournal, TornLastRecordIsSkipped) {
  {
    LeaseStore store = open_store();
    LeaseTable table(100000);
    load(store, table);
    table.upsert(lease_n(1));
    table.upsert(lease_n(2));
    journal(store, table);
  }
  append(journal_, "+ 5000 02:00:00:00:00:03 10.0.0.3 h3 *");  // the crash came mid-write
  LeaseLoadReport report;
  LeaseTable table = reload(&report);
  EXPECT_EQ(report.replayed, 2U);
  EXPECT_TRUE(report.journal_torn);
  EXPECT_EQ(table.size(), 2U);

  // A record whose checksum does not match ends the replay too.
  {
    LeaseStore store = open_store();
    LeaseTable again(100000);
    load(store, again);
    again.upsert(lease_n(7));
    journal(store, again);
  }
  std::string text = read(journal_);
  text[text.size() - 3] = text[text.size() - 3] == '0' ? '1' : '0';
  write(journal_, text);
  table = reload(&report);
  EXPECT_TRUE(report.journal_torn);
  EXPECT_EQ(report.replayed, 0U);
  EXPECT_EQ(table.size(), 2U);
}

TEST_F(LeaseJournal, JournalOfAReplacedFileIsIgnored) {
  {
    LeaseStore store = open_store();
    LeaseTable table(100000);
    load(store, table);
    table.upsert(lease_n(1));
    journal(store, table);
  }
  // Someone else (dnsmasq, an admin) wrote the file since: it wins, the journal is stale.
  write(path_, "0 02:00:00:00:00:09 10.0.0.9 * *\n");
  LeaseLoadReport report;
  const LeaseTable table = reload(&report);
  EXPECT_TRUE(report.journal_ignored);
  EXPECT_EQ(report.replayed, 0U);
  ASSERT_EQ(table.size(), 1U);
  EXPECT_NE(table.find_address(Ipv4{0x0A000009}), nullptr);
}

TEST_F(LeaseJournal, CrashBetweenSnapshotAndJournalResetLosesNothing) {
  LeaseTable expected(100000);
  std::string old_journal;
  {
    LeaseStore store = open_store();
    LeaseTable table(100000);
    load(store, table);
    for (std::uint32_t n = 1; n <= 5; ++n) table.upsert(lease_n(n));
    journal(store, table);
    old_journal = read(journal_);
    ASSERT_FALSE(store.write_snapshot(dhcp::format_lease_file(table)));
    expected = table;
  }
  write(journal_, old_journal);  // the rename landed, the reset did not
  LeaseLoadReport report;
  const LeaseTable table = reload(&report);
  EXPECT_TRUE(report.journal_ignored);
  EXPECT_EQ(lines(table), lines(expected));
}

TEST_F(LeaseJournal, SnapshotRestartsTheJournal) {
  LeaseStore store = open_store();
  LeaseTable table(100000);
  load(store, table);
  const std::string header = read(journal_);
  ASSERT_EQ(std::count(header.begin(), header.end(), '\n'), 1);
  table.upsert(lease_n(1));
  journal(store, table);
  EXPECT_GT(read(journal_).size(), header.size());
  ASSERT_FALSE(store.write_snapshot(dhcp::format_lease_file(table)));
  const std::string after = read(journal_);
  EXPECT_EQ(std::count(after.begin(), after.end(), '\n'), 1);
  EXPECT_NE(after, header);  // names the new file
  table.upsert(lease_n(2));
  journal(store, table);
  EXPECT_EQ(reload().size(), 2U);
}

TEST_F(LeaseJournal, ExpiredRecordsArePrunedAfterReplay) {
  {
    LeaseStore store = open_store();
    LeaseTable table(100000);
    load(store, table);
    table.upsert(lease_n(1, 500));  // expires before the reload's now (1000)
    table.upsert(lease_n(2, 0));    // infinite
    journal(store, table);
  }
  LeaseLoadReport report;
  const LeaseTable table = reload(&report);
  EXPECT_EQ(report.expired, 1U);
  EXPECT_EQ(table.size(), 1U);
}

TEST_F(LeaseJournal, WriterRunsJobsInOrderAndPostsResults) {
  LeaseStore store = open_store();
  LeaseTable table(100000);
  load(store, table);
  boost::asio::io_context io;
  std::vector<int> finished;
  {
    LeaseWriter writer(store, io.get_executor());
    for (std::uint32_t n = 1; n <= 200; ++n) {
      table.upsert(lease_n(n));
      writer.append(journal_records(table, table.take_changes()),
                    [&finished, n](std::optional<LeaseStoreError> error) {
                      EXPECT_FALSE(error);
                      finished.push_back(static_cast<int>(n));
                    });
      if (n % 50 == 0) {
        writer.snapshot(dhcp::format_lease_file(table), [&finished](std::optional<LeaseStoreError> error) {
          EXPECT_FALSE(error);
          finished.push_back(0);
        });
      }
    }
    table.upsert(lease_n(201));
    ASSERT_FALSE(writer.snapshot_now(dhcp::format_lease_file(table)));
    EXPECT_EQ(read(path_), dhcp::format_lease_file(table));
  }
  io.run();
  ASSERT_EQ(finished.size(), 204U);
  std::vector<int> expected;
  for (int n = 1; n <= 200; ++n) {
    expected.push_back(n);
    if (n % 50 == 0) expected.push_back(0);
  }
  EXPECT_EQ(finished, expected);
  EXPECT_EQ(reload().size(), 201U);
}

// As the service uses it: the loop runs while the writer writes, and each completion queues the
// next append (and now and then a snapshot) from the loop's thread.
TEST_F(LeaseJournal, WriterChainsJobsFromCompletionsWhileTheLoopRuns) {
  LeaseStore store = open_store();
  LeaseTable table(100000);
  load(store, table);
  boost::asio::io_context io;
  auto guard = boost::asio::make_work_guard(io);
  std::uint32_t appended = 0;
  int snapshots = 0;
  {
    LeaseWriter writer(store, io.get_executor());
    const auto finish_if_done = [&] {
      if (appended == 300 && snapshots == 6) guard.reset();
    };
    std::function<void()> next = [&] {
      if (appended == 300) return finish_if_done();
      ++appended;
      table.upsert(lease_n(appended));
      if (appended % 7 == 0) table.remove(lease_n(appended - 3).address);
      writer.append(journal_records(table, table.take_changes()), [&](std::optional<LeaseStoreError> error) {
        EXPECT_FALSE(error);
        next();
      });
      if (appended % 50 == 0) {
        writer.snapshot(dhcp::format_lease_file(table), [&](std::optional<LeaseStoreError> error) {
          EXPECT_FALSE(error);
          ++snapshots;
          finish_if_done();
        });
      }
    };
    next();
    io.run();
  }
  EXPECT_EQ(appended, 300U);
  EXPECT_EQ(snapshots, 6);
  const LeaseTable expected = table;
  EXPECT_EQ(lines(reload()), lines(expected));
}

}  // namespace
}  // namespace pxemasq::daemon
