#pragma once

#include <memory>
#include <string>

#include "base/clock.h"
#include "base/result.h"
#include "store/store.h"

namespace sellerbridge::store {

// Opens the SQLite database file at `path`, creating it (not its parent
// directories) if needed, or a private in-memory database when `path` is
// ":memory:", and applies the pending SqliteMigrations().
//
// Files run in WAL mode, so readers never wait for the writer; writers are
// serialised by SQLite and wait up to 5 s for each other before Begin returns
// Aborted. Each transaction holds one connection from a small pool. An
// in-memory database has exactly one connection, so only one transaction
// exists at a time and a second Begin waits for the first to end.
//
// Errors: FailedPrecondition when the file cannot be opened or was written by
// a newer sellerbridge, DataLoss when it is not a database, Aborted when
// another process holds it locked past the busy timeout. `clock` must outlive
// the Store. Prefer OpenStore(url), which picks the backend.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, Clock* clock);

}  // namespace sellerbridge::store
