// Driver for lease_durability_test.sh: commits leases through daemon::LeaseStore the way the
// event loop does before an ACK goes out, and prints each lease only after commit() returned,
// so every number printed is a lease the file must keep, however the process dies.
//
//   lease_durability_driver run PATH FIRST COUNT BATCH   commit leases FIRST.., BATCH a write
//   lease_durability_driver check PATH                    exit 1 unless the file parses cleanly;
//                                                         print the lease numbers it holds

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <variant>

#include "daemon/lease_store.hpp"
#include "dhcp/lease_file.hpp"

namespace {

using pxemasq::daemon::LeaseStore;
using pxemasq::daemon::LeaseStoreError;
using pxemasq::dhcp::Lease;
using pxemasq::dhcp::LeaseTable;

constexpr std::size_t kMaxLeases = 10'000'000;
constexpr std::int64_t kExpiryBase = 4'000'000'000;  // far in the future: nothing is pruned

Lease lease_number(std::uint32_t n, std::int64_t renewals) {
  Lease lease;
  lease.address = pxemasq::config::Ipv4{0x0A000000U | (n & 0x00FFFFFFU)};
  lease.hardware_address = {0x02,
                            0x00,
                            static_cast<std::uint8_t>(n >> 24),
                            static_cast<std::uint8_t>(n >> 16),
                            static_cast<std::uint8_t>(n >> 8),
                            static_cast<std::uint8_t>(n)};
  lease.client_id = {0x01, 0x02, 0x00, static_cast<std::uint8_t>(n >> 8),
                     static_cast<std::uint8_t>(n)};
  lease.hostname = "h" + std::to_string(n);
  lease.expiry = kExpiryBase + renewals;
  return lease;
}

void print_line(const std::string& line) {
  // Unbuffered, so what the test reads is exactly what was printed before the kill.
  std::size_t done = 0;
  while (done < line.size()) {
    const ssize_t written = ::write(STDOUT_FILENO, line.data() + done, line.size() - done);
    if (written <= 0) return;
    done += static_cast<std::size_t>(written);
  }
}

int run(const std::string& path, std::uint32_t first, std::uint32_t count, std::uint32_t batch) {
  auto opened = LeaseStore::open(path);
  if (auto* error = std::get_if<LeaseStoreError>(&opened)) {
    std::cerr << error->message << '\n';
    return error->exit_code;
  }
  LeaseStore store = std::move(std::get<LeaseStore>(opened));
  LeaseTable table(kMaxLeases);
  auto loaded = store.load(table, 0);
  if (auto* error = std::get_if<LeaseStoreError>(&loaded)) {
    std::cerr << error->message << '\n';
    return error->exit_code;
  }
  std::string acked;
  for (std::uint32_t n = first; n < first + count; ++n) {
    if (!table.upsert(lease_number(n, 0))) return 4;
    // A renewal of an earlier lease too: rewrites change existing lines, not only add new ones.
    if (n > first) table.upsert(lease_number(n - 1, n - first));
    acked += std::to_string(n) + '\n';
    if ((n - first + 1) % batch == 0 || n + 1 == first + count) {
      if (auto error = store.commit(table)) {
        std::cerr << error->message << '\n';
        return 3;
      }
      print_line(acked);  // the "ACKs" leave only now
      acked.clear();
    }
  }
  return 0;
}

int check(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "cannot read " << path << '\n';
    return 1;
  }
  std::ostringstream text;
  text << in.rdbuf();
  const auto parsed = pxemasq::dhcp::parse_lease_file(text.str(), kMaxLeases);
  if (const auto* error = std::get_if<pxemasq::dhcp::LeaseFileError>(&parsed)) {
    std::cerr << error->message << '\n';
    return 1;
  }
  const auto& contents = std::get<pxemasq::dhcp::LeaseFileContents>(parsed);
  for (const auto& warning : contents.warnings) std::cerr << warning.format() << '\n';
  if (!contents.warnings.empty()) return 1;
  std::string out;
  for (const Lease& lease : contents.leases) out += lease.hostname.substr(1) + '\n';
  print_line(out);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const auto number = [](const char* text) { return static_cast<std::uint32_t>(std::stoul(text)); };
  if (argc == 6 && std::string(argv[1]) == "run") {
    const std::uint32_t batch = number(argv[5]);
    return run(argv[2], number(argv[3]), number(argv[4]), batch == 0 ? 1 : batch);
  }
  if (argc == 3 && std::string(argv[1]) == "check") return check(argv[2]);
  std::cerr << "usage: " << argv[0] << " run PATH FIRST COUNT BATCH | check PATH\n";
  return 2;
}
