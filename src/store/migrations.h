#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace sellerbridge::store {

// One numbered schema change. Versions start at 1 and increase by one; a
// released migration is never edited, only followed by a new one.
struct Migration {
  int version = 0;
  std::string_view name;
  std::string_view sql;  // One or more statements.
};

// The SQLite schema, in order.
std::span<const Migration> SqliteMigrations();

// The migrations of `known` that a database whose applied versions are
// `applied` still needs, in order. FailedPrecondition naming the version when
// `applied` holds a version `known` lacks (a database from a newer binary);
// Internal when `known` is not numbered 1, 2, 3, ….
Result<std::vector<Migration>> PendingMigrations(std::span<const Migration> known,
                                                 std::span<const int> applied);

}  // namespace sellerbridge::store
