// Kills a process that is writing to a SQLite store and checks that every
// transaction it saw commit is in the database, whole, when it is reopened.

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "store/store.h"

namespace sellerbridge::store {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;

const TimePoint kStart = std::chrono::sys_days{std::chrono::year{2026} / 11 / 27} + hours{8};

// What the writer reports after each commit: the order number and the id of
// the outbox entry written in the same transaction.
struct Committed {
  std::int64_t order = 0;
  std::int64_t outbox_id = 0;
};

std::string OrderId(std::int64_t n) {
  const std::string digits = std::to_string(n);
  return "203-0000000-" + std::string(7 - digits.size(), '0') + digits;
}

// Order n has 1 + n % 3 lines, so that a torn write would show as a wrong count.
domain::OrderData WriterOrder(std::int64_t n) {
  domain::OrderData data;
  data.amazon_order_id = OrderId(n);
  data.marketplace_id = "A1F83G8C2ARO7P";
  data.status = domain::OrderStatus::kUnshipped;
  data.purchase_date = kStart;
  data.last_update_date = kStart;
  data.latest_ship_date = kStart + hours{n};
  data.ship_service_level = "Std UK Dom_1";
  data.shipping_address = domain::Address{.name = "A Buyer", .line1 = "1 Road", .city = "Leeds"};
  for (std::int64_t i = 0; i <= n % 3; ++i) {
    data.lines.push_back({.order_item_id = std::to_string(1000 + i),
                          .sku = "SKU-" + std::to_string(i),
                          .quantity_ordered = 1});
  }
  return data;
}

NewConfirmation WriterConfirmation(std::int64_t n) {
  return {.idempotency_key = "crash-" + std::to_string(n),
          .amazon_order_id = OrderId(n),
          .marketplace_id = "A1F83G8C2ARO7P",
          .parcel = {.package_reference_id = "1",
                     .carrier_code = "Royal Mail",
                     .tracking_number = "RM" + std::to_string(n),
                     .ship_date = kStart,
                     .items = {{.order_item_id = "1000", .quantity = 1}}},
          .deadline = kStart + hours{n}};
}

// The child: writes and commits until killed, reporting each commit on `fd`
// only after Commit returned ok. Exits 2 on any error.
[[noreturn]] void RunWriter(const std::string& url, int fd) {
  SystemClock clock;
  auto store = OpenStore(url, &clock);
  if (!store.ok()) {
    _exit(2);
  }
  for (std::int64_t n = 1;; ++n) {
    auto tx = (*store)->Begin();
    if (!tx.ok()) {
      _exit(2);
    }
    auto order = domain::Order::Create(WriterOrder(n));
    if (!order.ok() || !(*tx)->UpsertOrder(*order).ok()) {
      _exit(2);
    }
    const auto enqueued = (*tx)->EnqueueConfirmation(WriterConfirmation(n));
    if (!enqueued.ok() || !(*tx)->Commit().ok()) {
      _exit(2);
    }
    const Committed record{.order = n, .outbox_id = enqueued->id};
    // One record is smaller than PIPE_BUF, so the write is atomic.
    if (write(fd, &record, sizeof record) != static_cast<ssize_t>(sizeof record)) {
      _exit(2);
    }
  }
}

// Reads whole records from `fd` into `out` until `deadline` (or EOF when
// `deadline` is empty), or until the first record when `until_first`.
// Returns false on EOF.
bool ReadRecords(int fd, std::vector<Committed>& out, std::vector<char>& partial,
                 std::optional<std::chrono::steady_clock::time_point> deadline, bool until_first) {
  while (true) {
    int timeout_ms = -1;
    if (deadline) {
      const auto left =
          std::chrono::duration_cast<milliseconds>(*deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        return true;
      }
      timeout_ms = static_cast<int>(left.count());
    }
    pollfd poll_fd{.fd = fd, .events = POLLIN, .revents = 0};
    const int ready = poll(&poll_fd, 1, timeout_ms);
    if (ready == 0) {
      return true;
    }
    if (ready < 0) {
      if (errno == EINTR) {
        continue;
      }
      return false;
    }
    std::array<char, 4096> buffer{};
    const ssize_t got = read(fd, buffer.data(), buffer.size());
    if (got <= 0) {
      return false;
    }
    partial.insert(partial.end(), buffer.begin(), buffer.begin() + got);
    while (partial.size() >= sizeof(Committed)) {
      Committed record;
      std::memcpy(&record, partial.data(), sizeof record);
      partial.erase(partial.begin(), partial.begin() + sizeof record);
      out.push_back(record);
    }
    if (until_first && !out.empty()) {
      return true;
    }
  }
}

TEST(SqliteCrashTest, EveryCommitReportedBeforeSigkillSurvivesWhole) {
  std::string dir_pattern =
      (std::filesystem::temp_directory_path() / "sellerbridge-crash-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir_pattern.data()), nullptr);
  const std::filesystem::path dir = dir_pattern;

  const unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> run_ms(50, 300);

  // One database across rounds: each writer starts on the remains of the
  // previous crash, re-upserting the same orders and re-enqueueing the same
  // keys (which return the existing entries).
  const std::string url = "sqlite://" + (dir / "crash.db").string();
  for (int round = 0; round < 5; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    std::array<int, 2> fds{};
    ASSERT_EQ(pipe(fds.data()), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(fds[0]);
      RunWriter(url, fds[1]);
    }
    close(fds[1]);

    std::vector<Committed> committed;
    std::vector<char> partial;
    // Start the clock at the first commit, so that the kill lands mid-loop
    // rather than while the child is still opening the store.
    ReadRecords(fds[0], committed, partial,
                std::chrono::steady_clock::now() + std::chrono::seconds{5}, true);
    ASSERT_FALSE(committed.empty()) << "the writer committed nothing";
    ReadRecords(fds[0], committed, partial,
                std::chrono::steady_clock::now() + milliseconds{run_ms(random)}, false);
    ASSERT_EQ(kill(child, SIGKILL), 0);
    int wait_status = 0;
    ASSERT_EQ(waitpid(child, &wait_status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(wait_status))
        << "the writer exited on its own with status " << WEXITSTATUS(wait_status);
    // Records written between the last read and the kill are commits too.
    ReadRecords(fds[0], committed, partial, std::nullopt, false);
    close(fds[0]);

    VirtualClock clock(kStart);
    auto store = OpenStore(url, &clock);
    ASSERT_TRUE(store.ok()) << store.status();
    auto tx = (*store)->BeginReadOnly();
    ASSERT_TRUE(tx.ok()) << tx.status();
    for (const Committed& record : committed) {
      const auto stored = (*tx)->GetOrder(OrderId(record.order));
      ASSERT_TRUE(stored.ok()) << stored.status();
      EXPECT_EQ(*stored->order, WriterOrder(record.order));
      const auto entry = (*tx)->GetConfirmation(record.outbox_id);
      ASSERT_TRUE(entry.ok()) << entry.status();
      EXPECT_EQ(entry->idempotency_key, WriterConfirmation(record.order).idempotency_key);
      EXPECT_EQ(entry->parcel, WriterConfirmation(record.order).parcel);
    }
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

}  // namespace
}  // namespace sellerbridge::store
