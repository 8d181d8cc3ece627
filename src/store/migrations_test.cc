#include "store/migrations.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace sellerbridge::store {
namespace {

constexpr std::array<Migration, 3> kKnown = {{
    {.version = 1, .name = "one", .sql = "CREATE TABLE a (x)"},
    {.version = 2, .name = "two", .sql = "CREATE TABLE b (x)"},
    {.version = 3, .name = "three", .sql = "CREATE TABLE c (x)"},
}};

std::vector<int> Versions(const std::vector<Migration>& migrations) {
  std::vector<int> out;
  out.reserve(migrations.size());
  for (const auto& migration : migrations) {
    out.push_back(migration.version);
  }
  return out;
}

TEST(MigrationsTest, FreshDatabaseNeedsAllInOrder) {
  const auto pending = PendingMigrations(kKnown, {});
  ASSERT_TRUE(pending.ok()) << pending.status();
  EXPECT_EQ(Versions(*pending), (std::vector<int>{1, 2, 3}));
}

TEST(MigrationsTest, OnlyUnappliedOnesArePending) {
  const std::vector<int> applied = {1, 2};
  const auto pending = PendingMigrations(kKnown, applied);
  ASSERT_TRUE(pending.ok()) << pending.status();
  EXPECT_EQ(Versions(*pending), (std::vector<int>{3}));
}

TEST(MigrationsTest, DatabaseFromNewerBinaryIsFailedPrecondition) {
  const std::vector<int> applied = {1, 2, 3, 4};
  const auto pending = PendingMigrations(kKnown, applied);
  ASSERT_FALSE(pending.ok());
  EXPECT_EQ(pending.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(pending.status().message().find("newer"), std::string::npos);
}

TEST(MigrationsTest, GapInKnownVersionsIsInternal) {
  constexpr std::array<Migration, 2> kGap = {{{.version = 1}, {.version = 3}}};
  EXPECT_EQ(PendingMigrations(kGap, {}).status().code(), StatusCode::kInternal);
}

TEST(MigrationsTest, SqliteMigrationsAreNumberedFromOne) {
  const auto pending = PendingMigrations(SqliteMigrations(), {});
  ASSERT_TRUE(pending.ok()) << pending.status();
  EXPECT_EQ(pending->size(), SqliteMigrations().size());
}

}  // namespace
}  // namespace sellerbridge::store
