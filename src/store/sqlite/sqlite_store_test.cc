#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

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

}  // namespace
}  // namespace sellerbridge::store
