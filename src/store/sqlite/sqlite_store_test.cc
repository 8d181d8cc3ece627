#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/time_format.h"
#include "store/migrations.h"
#include "store/store_conformance.h"

namespace sellerbridge::store {
namespace {

// A fresh directory under the system's temporary directory, removed with
// everything in it when the object is destroyed.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "sellerbridge-store-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed");
    }
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& Path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A database file in a directory that does not exist yet, so that every test
// also checks that OpenStore creates parent directories.
class SqliteFileBackend {
 public:
  static constexpr bool kPersistent = true;
  std::string Url() const { return "sqlite://" + (dir_.Path() / "data" / "store.db").string(); }

 private:
  TempDir dir_;
};

class SqliteMemoryBackend {
 public:
  static constexpr bool kPersistent = false;
  static std::string Url() { return "sqlite::memory:"; }
};

using SqliteBackends = ::testing::Types<SqliteFileBackend, SqliteMemoryBackend>;
INSTANTIATE_TYPED_TEST_SUITE_P(SqliteStore, StoreConformanceTest, SqliteBackends);

TEST(SqliteStoreTest, OpensRelativePathUrl) {
  TempDir dir;
  const auto previous = std::filesystem::current_path();
  std::filesystem::current_path(dir.Path());
  VirtualClock clock(conformance::kStart);
  auto store = OpenStore("sqlite:sub/relative.db", &clock);
  std::filesystem::current_path(previous);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_TRUE(std::filesystem::exists(dir.Path() / "sub" / "relative.db"));
}

TEST(SqliteStoreTest, FileThatIsNotADatabaseIsRefused) {
  TempDir dir;
  const auto path = dir.Path() / "junk.db";
  {
    std::FILE* file = std::fopen(path.c_str(), "w");
    ASSERT_NE(file, nullptr);
    std::fputs("this is not a sqlite database, just some text long enough to read\n", file);
    std::fclose(file);
  }
  VirtualClock clock(conformance::kStart);
  const auto store = OpenSqliteStore(path.string(), &clock);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kDataLoss) << store.status();
}

// Pooled connections keep their read-only mode between transactions; each
// transaction still gets the mode it asked for, whichever connection serves it.
TEST(SqliteStoreTest, PooledConnectionsServeEachModeWhateverTheirLastOne) {
  TempDir dir;
  VirtualClock clock(conformance::kStart);
  auto store = conformance::Must(OpenSqliteStore((dir.Path() / "modes.db").string(), &clock));
  for (int round = 0; round < 4; ++round) {
    // Two connections busy at once, one in each mode, then both back in the pool.
    auto reader = conformance::Must(store->BeginReadOnly());
    auto writer = conformance::Must(store->Begin());
    EXPECT_EQ(reader->SetWatermark("w", "r").code(), StatusCode::kFailedPrecondition);
    conformance::Must(writer->SetWatermark("w", std::to_string(round)));
    conformance::Must(writer->Commit());
    conformance::Must(reader->Commit());
    writer.reset();
    reader.reset();
    // Two writers in turn, and two readers at once, take either connection.
    for (int i = 0; i < 2; ++i) {
      auto next = conformance::Must(store->Begin());
      conformance::Must(next->SetWatermark("v", std::to_string(i)));
      conformance::Must(next->Commit());
    }
    auto first = conformance::Must(store->BeginReadOnly());
    auto second = conformance::Must(store->BeginReadOnly());
    for (auto* tx : {first.get(), second.get()}) {
      EXPECT_EQ(conformance::Must(tx->FindWatermark("w"))->value, std::to_string(round));
      EXPECT_EQ(tx->SetWatermark("w", "r").code(), StatusCode::kFailedPrecondition);
    }
  }
}

TEST(SqliteStoreTest, SecondWriterIsAbortedAfterBusyTimeout) {
  TempDir dir;
  VirtualClock clock(conformance::kStart);
  const std::string path = (dir.Path() / "busy.db").string();
  auto first = conformance::Must(OpenSqliteStore(path, &clock));
  auto second = conformance::Must(OpenSqliteStore(path, &clock));
  auto holder = conformance::Must(first->Begin());
  conformance::Must(holder->SetWatermark("w", "1"));

  // Readers are not blocked by the writer.
  auto reader = conformance::Must(second->BeginReadOnly());
  EXPECT_FALSE(conformance::Must(reader->FindWatermark("w")).has_value());
  reader.reset();

  const auto started = std::chrono::steady_clock::now();
  const auto blocked = second->Begin();
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.status().code(), StatusCode::kAborted) << blocked.status();
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::seconds{4});
  conformance::Must(holder->Commit());
}

// A database last written before migration 4 keeps its stock publications:
// they read back with no marketplace and changed_at equal to published_at,
// and new publications per marketplace go beside them.
TEST(SqliteStoreTest, MigrationFourKeepsEarlierStockPublications) {
  using conformance::kStart;
  using conformance::Must;
  using std::chrono::minutes;
  TempDir dir;
  const std::string path = (dir.Path() / "v3.db").string();
  {
    // The schema exactly as migrations 1 to 3 left it, recorded as Migrate
    // records it.
    std::string sql =
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at TEXT NOT NULL) STRICT;";
    for (const Migration& migration : SqliteMigrations()) {
      if (migration.version > 3) {
        break;
      }
      sql += migration.sql;
      sql += "INSERT INTO schema_migrations VALUES (" + std::to_string(migration.version) + ", '" +
             std::string(migration.name) + "', '" + FormatIso8601(kStart) + "');";
    }
    sql +=
        "INSERT INTO stock_publications (sku, quantity, published_at, lane, transport, reference) "
        "VALUES ('SKU-A', 3, '" +
        FormatIso8601(kStart) + "', 'bulk', 'feed', 'F1'), ('SKU-A', 5, '" +
        FormatIso8601(kStart + minutes{1}) + "', 'fast', 'patch', ''), ('SKU-B', 2, '" +
        FormatIso8601(kStart) + "', 'bulk', 'feed', 'F1');";
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    const std::string message = error != nullptr ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << message;
  }

  VirtualClock clock(kStart + minutes{10});
  auto store = Must(OpenSqliteStore(path, &clock));
  auto tx = Must(store->Begin());
  std::vector<int> versions;
  for (const auto& applied : Must(tx->ListAppliedMigrations())) {
    versions.push_back(applied.version);
  }
  ASSERT_GE(versions.size(), 4U);
  EXPECT_EQ(versions[3], 4);

  const StockPublication a_old{.sku = "SKU-A",
                               .marketplace_id = "",
                               .quantity = 5,
                               .changed_at = kStart + minutes{1},
                               .published_at = kStart + minutes{1},
                               .lane = "fast",
                               .transport = "patch",
                               .reference = ""};
  const StockPublication b_old{.sku = "SKU-B",
                               .marketplace_id = "",
                               .quantity = 2,
                               .changed_at = kStart,
                               .published_at = kStart,
                               .lane = "bulk",
                               .transport = "feed",
                               .reference = "F1"};
  EXPECT_EQ(Must(tx->FindLatestStockPublication("SKU-A")), a_old);
  EXPECT_EQ(Must(tx->ListLatestStockPublications()), (std::vector<StockPublication>{a_old, b_old}));

  const StockPublication a_uk =
      conformance::TestPublication("SKU-A", conformance::kUk, 7, kStart + minutes{5});
  Must(tx->RecordStockPublication(a_uk));
  EXPECT_EQ(Must(tx->ListLatestStockPublications()),
            (std::vector<StockPublication>{a_old, a_uk, b_old}));
  // The first SKU-A publication is the only one a later one of its pair
  // supersedes.
  EXPECT_EQ(Must(tx->PurgeStockPublications(kStart + minutes{10})), 1);
  Must(tx->Commit());
}

}  // namespace
}  // namespace sellerbridge::store
