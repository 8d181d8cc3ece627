#include "store/sqlite/sqlite_store.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/status_macros.h"
#include "base/time_format.h"
#include "store/migrations.h"

namespace sellerbridge::store {
namespace {

using nlohmann::json;

// How long a writer waits for another before giving up with Aborted. Long
// enough to ride out any one transaction of ours, short enough that a stuck
// process shows up as errors instead of a silent stall.
constexpr int kBusyTimeoutMs = 5000;

// Idle connections kept per file store. More than a handful buys nothing:
// SQLite runs one writer at a time.
constexpr size_t kMaxConnections = 8;

Status ErrorFromCode(int rc, std::string_view purpose, std::string_view detail) {
  std::string message = fmt::format("sqlite: {}: {}", purpose, detail);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return AbortedError(std::move(message));
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return AlreadyExistsError(std::move(message));
      }
      return FailedPreconditionError(std::move(message));
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
      return FailedPreconditionError(std::move(message));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return DataLossError(std::move(message));
    case SQLITE_FULL:
      return ResourceExhaustedError(std::move(message));
    default:
      return InternalError(std::move(message));
  }
}

Status SqliteError(sqlite3* db, int rc, std::string_view purpose) {
  return ErrorFromCode(rc, purpose, db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

// One prepared statement in use. Binds parameters in order (?1, ?2, …),
// keeps its own copies of bound text so that SQLite need not copy it, and
// resets the statement when it goes out of scope so that the connection's
// cache can hand it out again.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt, std::string_view purpose)
      : db_(db), stmt_(stmt), purpose_(purpose) {}
  ~Statement() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  void BindText(std::string_view value) {
    const std::string& owned = texts_.emplace_back(value);
    // A null destructor is SQLITE_STATIC: texts_ outlives every step.
    Check(sqlite3_bind_text64(stmt_, Next(), owned.data(), owned.size(), nullptr, SQLITE_UTF8));
  }
  void BindBlob(std::string_view value) {
    const std::string& owned = texts_.emplace_back(value);
    Check(sqlite3_bind_blob64(stmt_, Next(), owned.data(), owned.size(), nullptr));
  }
  void BindInt(std::int64_t value) { Check(sqlite3_bind_int64(stmt_, Next(), value)); }
  void BindBool(bool value) { BindInt(value ? 1 : 0); }
  void BindTime(TimePoint value) { BindText(FormatIso8601(value)); }
  void BindNull() { Check(sqlite3_bind_null(stmt_, Next())); }
  void BindOptionalText(const std::optional<std::string_view>& value) {
    value ? BindText(*value) : BindNull();
  }
  void BindOptionalTime(const std::optional<TimePoint>& value) {
    value ? BindTime(*value) : BindNull();
  }

  // Readies the statement to run again with new parameters, so that a batch
  // reuses one prepared statement.
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    next_index_ = 0;
    texts_.clear();
  }

  // Steps once: true when a row is available, false when done.
  Result<bool> Step() {
    RETURN_IF_ERROR(bind_status_);
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) {
      return true;
    }
    if (rc == SQLITE_DONE) {
      return false;
    }
    return SqliteError(db_, sqlite3_extended_errcode(db_), purpose_);
  }

  // Runs a statement that returns no rows.
  Status Run() {
    ASSIGN_OR_RETURN(const bool row, Step());
    if (row) {
      return InternalError(fmt::format("sqlite: {}: unexpected row", purpose_));
    }
    return Status::Ok();
  }

  // Rows changed by the last Run.
  std::int64_t Changes() const { return sqlite3_changes64(db_); }

  bool IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::int32_t Int32(int column) const {
    return static_cast<std::int32_t>(sqlite3_column_int64(stmt_, column));
  }
  bool Bool(int column) const { return Int(column) != 0; }
  std::string Text(int column) const {
    const auto* text = sqlite3_column_text(stmt_, column);
    if (text == nullptr) {
      return {};
    }
    const int size = sqlite3_column_bytes(stmt_, column);
    return {reinterpret_cast<const char*>(text), static_cast<size_t>(size)};
  }

  std::string Blob(int column) const {
    const void* data = sqlite3_column_blob(stmt_, column);
    if (data == nullptr) {
      return {};
    }
    const int size = sqlite3_column_bytes(stmt_, column);
    return {static_cast<const char*>(data), static_cast<size_t>(size)};
  }

  // Times that do not parse are recorded as DataLoss in ColumnStatus(); the
  // row's readers check it once after reading every column.
  TimePoint Time(int column) {
    const std::string text = Text(column);
    auto parsed = ParseIso8601(text);
    if (!parsed.ok()) {
      if (column_status_.ok()) {
        column_status_ =
            DataLossError(fmt::format("sqlite: {}: column '{}' holds '{}', not a time", purpose_,
                                      sqlite3_column_name(stmt_, column), text));
      }
      return {};
    }
    return *parsed;
  }
  std::optional<TimePoint> OptionalTime(int column) {
    if (IsNull(column)) {
      return std::nullopt;
    }
    return Time(column);
  }
  const Status& ColumnStatus() const { return column_status_; }

 private:
  int Next() { return ++next_index_; }
  void Check(int rc) {
    if (rc != SQLITE_OK && bind_status_.ok()) {
      bind_status_ = SqliteError(db_, rc, purpose_);
    }
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  std::string_view purpose_;
  int next_index_ = 0;
  std::deque<std::string> texts_;  // Stable addresses for bound text.
  Status bind_status_;
  Status column_status_;
};

// One SQLite connection with its cache of prepared statements. Used by one
// thread at a time (the pool hands it to one transaction).
class Connection {
 public:
  static Result<std::unique_ptr<Connection>> Open(const std::string& path) {
    sqlite3* db = nullptr;
    // NOMUTEX: a connection is never shared between threads at once, so
    // SQLite's per-connection lock would only cost time.
    const int rc =
        sqlite3_open_v2(path.c_str(), &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    auto connection = std::unique_ptr<Connection>(new Connection(db));
    if (rc != SQLITE_OK) {
      return SqliteError(db, rc, fmt::format("open '{}'", path));
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, kBusyTimeoutMs);
    // WAL lets readers run beside the writer. synchronous=NORMAL in WAL mode
    // writes every commit to the WAL file before COMMIT returns, so committed
    // rows survive the process being killed; only a power loss or OS crash
    // may lose the last commits, which FULL would prevent at the cost of an
    // fsync per commit. The outbox and orders are re-derived from Amazon and
    // Clarus after such an event, so NORMAL is the right trade.
    RETURN_IF_ERROR(connection->Exec(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
        "configure the connection"));
    return connection;
  }

  ~Connection() {
    for (auto& [sql, stmt] : statements_) {
      sqlite3_finalize(stmt);
    }
    sqlite3_close(db_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements that return nothing of interest.
  Status Exec(std::string_view sql, std::string_view purpose) {
    const std::string text(sql);
    char* error = nullptr;
    const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
      const std::string detail = error != nullptr ? error : sqlite3_errstr(rc);
      sqlite3_free(error);
      return ErrorFromCode(sqlite3_extended_errcode(db_), purpose, detail);
    }
    return Status::Ok();
  }

  // Returns the cached statement for `sql`, preparing it on first use. `sql`
  // must have static storage: it keys the cache.
  Result<std::unique_ptr<Statement>> Prepare(std::string_view sql, std::string_view purpose) {
    auto it = statements_.find(sql);
    if (it == statements_.end()) {
      sqlite3_stmt* stmt = nullptr;
      const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                        SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
      if (rc != SQLITE_OK) {
        return SqliteError(db_, rc, purpose);
      }
      it = statements_.emplace(sql, stmt).first;
    }
    return std::make_unique<Statement>(db_, it->second, purpose);
  }

  // Sets query_only only when it changes: setting a pragma expires every
  // prepared statement of the connection, which would then be compiled
  // again on its next use.
  Status SetQueryOnly(bool query_only) {
    if (query_only_ == query_only) {
      return Status::Ok();
    }
    query_only_.reset();
    RETURN_IF_ERROR(Exec(query_only ? "PRAGMA query_only = 1" : "PRAGMA query_only = 0",
                         "set the connection's read-only mode"));
    query_only_ = query_only;
    return Status::Ok();
  }

  std::optional<bool> QueryOnly() const { return query_only_; }
  bool InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }
  std::int64_t LastInsertId() const { return sqlite3_last_insert_rowid(db_); }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::optional<bool> query_only_;  // Unknown until set.
  std::unordered_map<std::string_view, sqlite3_stmt*> statements_;
};

// --- Encoding of values kept as JSON text -------------------------------------

std::string AddressToJson(const domain::Address& address) {
  return json{{"name", address.name},
              {"line1", address.line1},
              {"line2", address.line2},
              {"line3", address.line3},
              {"city", address.city},
              {"state_or_region", address.state_or_region},
              {"postal_code", address.postal_code},
              {"country_code", address.country_code},
              {"phone", address.phone}}
      .dump();
}

// The message never quotes the text: it is buyer personal data.
Result<domain::Address> AddressFromJson(std::string_view text, std::string_view order_id) {
  try {
    const json j = json::parse(text);
    domain::Address address;
    address.name = j.at("name").get<std::string>();
    address.line1 = j.at("line1").get<std::string>();
    address.line2 = j.at("line2").get<std::string>();
    address.line3 = j.at("line3").get<std::string>();
    address.city = j.at("city").get<std::string>();
    address.state_or_region = j.at("state_or_region").get<std::string>();
    address.postal_code = j.at("postal_code").get<std::string>();
    address.country_code = j.at("country_code").get<std::string>();
    address.phone = j.at("phone").get<std::string>();
    return address;
  } catch (const json::exception& e) {
    return DataLossError(fmt::format(
        "sqlite: read order '{}': stored shipping address is unreadable (json error {})", order_id,
        e.id));
  }
}

std::string ParcelToJson(const domain::Parcel& parcel) {
  json items = json::array();
  for (const auto& item : parcel.items) {
    items.push_back({{"order_item_id", item.order_item_id}, {"quantity", item.quantity}});
  }
  return json{{"package_reference_id", parcel.package_reference_id},
              {"carrier_code", parcel.carrier_code},
              {"carrier_name", parcel.carrier_name},
              {"shipping_method", parcel.shipping_method},
              {"tracking_number", parcel.tracking_number},
              {"ship_date", FormatIso8601(parcel.ship_date)},
              {"items", std::move(items)}}
      .dump();
}

Result<domain::Parcel> ParcelFromJson(std::string_view text, std::int64_t id) {
  auto bad = [&](std::string_view why) {
    return DataLossError(
        fmt::format("sqlite: read outbox entry {}: stored parcel is unreadable: {}", id, why));
  };
  try {
    const json j = json::parse(text);
    domain::Parcel parcel;
    parcel.package_reference_id = j.at("package_reference_id").get<std::string>();
    parcel.carrier_code = j.at("carrier_code").get<std::string>();
    parcel.carrier_name = j.at("carrier_name").get<std::string>();
    parcel.shipping_method = j.at("shipping_method").get<std::string>();
    parcel.tracking_number = j.at("tracking_number").get<std::string>();
    auto ship_date = ParseIso8601(j.at("ship_date").get<std::string>());
    if (!ship_date.ok()) {
      return bad(ship_date.status().message());
    }
    parcel.ship_date = *ship_date;
    for (const auto& item : j.at("items")) {
      parcel.items.push_back({.order_item_id = item.at("order_item_id").get<std::string>(),
                              .quantity = item.at("quantity").get<std::int32_t>()});
    }
    return parcel;
  } catch (const json::exception& e) {
    return bad(e.what());
  }
}

Status CheckLimit(int limit, std::string_view what) {
  if (limit <= 0) {
    return InvalidArgumentError(fmt::format("{}: limit must be positive, got {}", what, limit));
  }
  return Status::Ok();
}

// --- SQL ------------------------------------------------------------------------

constexpr std::string_view kOrderColumns =
    "amazon_order_id, marketplace_id, status, purchase_date, last_update_date, "
    "earliest_ship_date, latest_ship_date, ship_service_level, automated_carrier, "
    "automated_ship_method, is_prime, is_business, shipping_address, sync_state, "
    "clarus_goods_out_id, sync_updated_at, updated_at, latest_delivery_date";

constexpr std::string_view kUpsertOrder = R"sql(
INSERT INTO orders (amazon_order_id, marketplace_id, status, purchase_date, last_update_date,
  earliest_ship_date, latest_ship_date, ship_service_level, automated_carrier,
  automated_ship_method, is_prime, is_business, shipping_address, sync_state,
  clarus_goods_out_id, sync_updated_at, updated_at, latest_delivery_date)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'New', '', ?14, ?14, ?15)
ON CONFLICT (amazon_order_id) DO UPDATE SET
  marketplace_id = excluded.marketplace_id, status = excluded.status,
  purchase_date = excluded.purchase_date, last_update_date = excluded.last_update_date,
  earliest_ship_date = excluded.earliest_ship_date, latest_ship_date = excluded.latest_ship_date,
  ship_service_level = excluded.ship_service_level,
  automated_carrier = excluded.automated_carrier,
  automated_ship_method = excluded.automated_ship_method, is_prime = excluded.is_prime,
  is_business = excluded.is_business, shipping_address = excluded.shipping_address,
  updated_at = excluded.updated_at, latest_delivery_date = excluded.latest_delivery_date
)sql";

constexpr std::string_view kDeleteOrderLines = "DELETE FROM order_lines WHERE amazon_order_id = ?1";

constexpr std::string_view kInsertOrderLine = R"sql(
INSERT INTO order_lines (amazon_order_id, position, order_item_id, sku, quantity_ordered,
  quantity_shipped, item_price_minor, item_price_currency)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
)sql";

constexpr std::string_view kSelectOrderLines = R"sql(
SELECT order_item_id, sku, quantity_ordered, quantity_shipped, item_price_minor,
  item_price_currency
FROM order_lines WHERE amazon_order_id = ?1 ORDER BY position
)sql";

constexpr std::string_view kSelectOrder =
    "SELECT amazon_order_id, marketplace_id, status, purchase_date, last_update_date, "
    "earliest_ship_date, latest_ship_date, ship_service_level, automated_carrier, "
    "automated_ship_method, is_prime, is_business, shipping_address, sync_state, "
    "clarus_goods_out_id, sync_updated_at, updated_at, latest_delivery_date "
    "FROM orders WHERE amazon_order_id = ?1";

constexpr std::string_view kListOrders =
    "SELECT amazon_order_id, marketplace_id, status, purchase_date, last_update_date, "
    "earliest_ship_date, latest_ship_date, ship_service_level, automated_carrier, "
    "automated_ship_method, is_prime, is_business, shipping_address, sync_state, "
    "clarus_goods_out_id, sync_updated_at, updated_at, latest_delivery_date "
    "FROM orders WHERE (?1 IS NULL OR sync_state = ?1) AND (?2 IS NULL OR status = ?2) "
    "AND (?3 IS NULL OR updated_at >= ?3) ORDER BY updated_at, amazon_order_id LIMIT ?4";

constexpr std::string_view kSelectSyncState =
    "SELECT sync_state, clarus_goods_out_id, sync_updated_at FROM orders "
    "WHERE amazon_order_id = ?1";

constexpr std::string_view kUpdateSyncState =
    "UPDATE orders SET sync_state = ?2, clarus_goods_out_id = COALESCE(?3, clarus_goods_out_id), "
    "sync_updated_at = ?4, updated_at = ?4 WHERE amazon_order_id = ?1";

constexpr std::string_view kPurgeBuyerData =
    "UPDATE orders SET shipping_address = NULL, updated_at = ?1 "
    "WHERE shipping_address IS NOT NULL AND sync_state IN ('Dispatched', 'Closed', 'Cancelled') "
    "AND sync_updated_at < ?2";

constexpr std::string_view kPurgeLabelContents =
    "UPDATE order_labels SET contents = NULL, updated_at = ?1 "
    "WHERE contents IS NOT NULL AND amazon_order_id IN (SELECT amazon_order_id FROM orders "
    "WHERE sync_state IN ('Dispatched', 'Closed', 'Cancelled') AND sync_updated_at < ?2)";

constexpr std::string_view kPurgeQuarantinedDocuments =
    "UPDATE quarantined_orders SET document = NULL WHERE document IS NOT NULL AND last_seen < ?1";

constexpr std::string_view kCountOrdersBySyncState =
    "SELECT sync_state, COUNT(*) FROM orders GROUP BY sync_state";

constexpr std::string_view kPutOrderLabel = R"sql(
INSERT INTO order_labels (amazon_order_id, state, shipment_id, tracking_id, carrier_name,
  service_id, service_name, label_format, file_type, contents, clarus_shipment_id, updated_at)
SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12
WHERE EXISTS (SELECT 1 FROM orders WHERE amazon_order_id = ?1)
ON CONFLICT (amazon_order_id) DO UPDATE SET
  state = excluded.state, shipment_id = excluded.shipment_id, tracking_id = excluded.tracking_id,
  carrier_name = excluded.carrier_name, service_id = excluded.service_id,
  service_name = excluded.service_name, label_format = excluded.label_format,
  file_type = excluded.file_type, contents = excluded.contents,
  clarus_shipment_id = excluded.clarus_shipment_id, updated_at = excluded.updated_at
)sql";

constexpr std::string_view kDeleteOrderLabel =
    "DELETE FROM order_labels WHERE amazon_order_id = ?1";

constexpr std::string_view kSelectOrderLabel =
    "SELECT amazon_order_id, state, shipment_id, tracking_id, carrier_name, service_id, "
    "service_name, label_format, file_type, contents, clarus_shipment_id, updated_at "
    "FROM order_labels WHERE amazon_order_id = ?1";

constexpr std::string_view kQuarantineOrder = R"sql(
INSERT INTO quarantined_orders (subject_id, problem, document, first_seen, last_seen)
VALUES (?1, ?2, ?3, ?4, ?4)
ON CONFLICT (subject_id) DO UPDATE SET
  problem = excluded.problem, document = excluded.document, last_seen = excluded.last_seen
)sql";

constexpr std::string_view kListQuarantinedOrders =
    "SELECT subject_id, problem, document, first_seen, last_seen FROM quarantined_orders "
    "ORDER BY first_seen, subject_id LIMIT ?1";

constexpr std::string_view kSelectWatermark =
    "SELECT name, value, updated_at FROM watermarks WHERE name = ?1";

constexpr std::string_view kUpsertWatermark =
    "INSERT INTO watermarks (name, value, updated_at) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at";

constexpr std::string_view kInsertConfirmation = R"sql(
INSERT INTO confirmation_outbox (idempotency_key, amazon_order_id, package_reference_id,
  marketplace_id, parcel, deadline, state, attempts, next_attempt_at, last_error, created_at,
  clarus_shipment_id, transport)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'Pending', 0, ?7, '', ?7, ?8, ?9)
ON CONFLICT (idempotency_key) DO NOTHING
)sql";

constexpr std::string_view kSelectConfirmationIdByKey =
    "SELECT id FROM confirmation_outbox WHERE idempotency_key = ?1";

constexpr std::string_view kSelectConfirmation =
    "SELECT id, idempotency_key, amazon_order_id, marketplace_id, parcel, deadline, state, "
    "attempts, next_attempt_at, last_error, created_at, accepted_at, verified_at, "
    "clarus_shipment_id, transport, feed_id, resends "
    "FROM confirmation_outbox WHERE id = ?1";

constexpr std::string_view kListDueConfirmations =
    "SELECT id, idempotency_key, amazon_order_id, marketplace_id, parcel, deadline, state, "
    "attempts, next_attempt_at, last_error, created_at, accepted_at, verified_at, "
    "clarus_shipment_id, transport, feed_id, resends "
    "FROM confirmation_outbox WHERE state = 'Pending' AND next_attempt_at <= ?1 "
    "ORDER BY deadline, id LIMIT ?2";

// Unset filters are bound as NULL and match everything.
constexpr std::string_view kListConfirmations =
    "SELECT id, idempotency_key, amazon_order_id, marketplace_id, parcel, deadline, state, "
    "attempts, next_attempt_at, last_error, created_at, accepted_at, verified_at, "
    "clarus_shipment_id, transport, feed_id, resends "
    "FROM confirmation_outbox WHERE (?1 IS NULL OR state = ?1) "
    "AND (?2 IS NULL OR next_attempt_at <= ?2) AND (?3 IS NULL OR amazon_order_id = ?3) "
    "AND (?4 IS NULL OR feed_id = ?4) AND (?5 IS NULL OR transport = ?5) "
    "ORDER BY deadline, id LIMIT ?6";

constexpr std::string_view kSelectConfirmationParcelState =
    "SELECT state, package_reference_id FROM confirmation_outbox WHERE id = ?1";

constexpr std::string_view kReplaceConfirmationParcel =
    "UPDATE confirmation_outbox SET parcel = ?2 WHERE id = ?1";

constexpr std::string_view kListConfirmationTimings =
    "SELECT parcel, created_at, accepted_at, verified_at, transport, id "
    "FROM confirmation_outbox WHERE created_at >= ?1 ORDER BY created_at, id";

constexpr std::string_view kListOrderReleaseTimings =
    "SELECT o.purchase_date, a.at FROM audit_log a JOIN orders o ON o.amazon_order_id = a.subject "
    "WHERE a.action = 'order.sent_to_clarus' AND a.at >= ?1 ORDER BY a.at, a.id";

constexpr std::string_view kInsertDispatchHint = R"sql(
INSERT INTO dispatch_hints (dedupe_key, goods_out_id, source, received_at)
VALUES (?1, ?2, ?3, ?4)
ON CONFLICT (dedupe_key) DO NOTHING
)sql";

constexpr std::string_view kListPendingDispatchHints =
    "SELECT id, dedupe_key, goods_out_id, source, received_at FROM dispatch_hints "
    "WHERE processed_at IS NULL ORDER BY id LIMIT ?1";

constexpr std::string_view kMarkDispatchHintsProcessed =
    "UPDATE dispatch_hints SET processed_at = ?3 "
    "WHERE goods_out_id = ?1 AND id <= ?2 AND processed_at IS NULL";

constexpr std::string_view kPurgeDispatchHints =
    "DELETE FROM dispatch_hints WHERE processed_at IS NOT NULL AND received_at < ?1";

constexpr std::string_view kUpdateConfirmation = R"sql(
UPDATE confirmation_outbox SET state = ?2, attempts = ?3, next_attempt_at = ?4, last_error = ?5,
  accepted_at = CASE WHEN ?2 IN ('Accepted', 'Verified') THEN COALESCE(accepted_at, ?6)
                     ELSE accepted_at END,
  verified_at = CASE WHEN ?2 = 'Verified' THEN COALESCE(verified_at, ?6) ELSE verified_at END,
  transport = COALESCE(?7, transport), feed_id = COALESCE(?8, feed_id),
  resends = COALESCE(?9, resends)
WHERE id = ?1
)sql";

constexpr std::string_view kCountConfirmations =
    "SELECT state, COUNT(*) FROM confirmation_outbox GROUP BY state";

constexpr std::string_view kUpsertStockLevel =
    "INSERT INTO stock_levels (sku, available, observed_at, updated_at) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (sku) DO UPDATE SET available = excluded.available, "
    "observed_at = excluded.observed_at, updated_at = excluded.updated_at";

constexpr std::string_view kSelectStockLevel =
    "SELECT sku, available, observed_at FROM stock_levels WHERE sku = ?1";

constexpr std::string_view kListStockLevels =
    "SELECT sku, available, observed_at FROM stock_levels ORDER BY sku";

constexpr std::string_view kInsertStockPublication =
    "INSERT INTO stock_publications (sku, marketplace_id, quantity, changed_at, published_at, "
    "lane, transport, reference) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

// Publications recorded before migration 4 have no changed_at: they read back
// their published_at.
constexpr std::string_view kSelectLatestStockPublication =
    "SELECT sku, marketplace_id, quantity, COALESCE(changed_at, published_at), published_at, "
    "lane, transport, reference FROM stock_publications "
    "WHERE sku = ?1 ORDER BY published_at DESC, id DESC LIMIT 1";

// The latest publication of a pair is the one no later publication of the
// pair supersedes; the (sku, marketplace_id, published_at, id) index answers
// that with one seek per row, and gives the rows in the order wanted.
constexpr std::string_view kListLatestStockPublications = R"sql(
SELECT p.sku, p.marketplace_id, p.quantity, COALESCE(p.changed_at, p.published_at),
  p.published_at, p.lane, p.transport, p.reference
FROM stock_publications AS p
WHERE NOT EXISTS (
  SELECT 1 FROM stock_publications AS later
  WHERE later.sku = p.sku AND later.marketplace_id = p.marketplace_id
    AND (later.published_at, later.id) > (p.published_at, p.id))
ORDER BY p.sku, p.marketplace_id
)sql";

// The same test as kListLatestStockPublications keeps the latest of each pair.
constexpr std::string_view kPurgeStockPublications = R"sql(
DELETE FROM stock_publications
WHERE published_at < ?1 AND EXISTS (
  SELECT 1 FROM stock_publications AS later
  WHERE later.sku = stock_publications.sku
    AND later.marketplace_id = stock_publications.marketplace_id
    AND (later.published_at, later.id) > (stock_publications.published_at, stock_publications.id))
)sql";

constexpr std::string_view kInsertStockFeed = R"sql(
INSERT INTO stock_feeds (feed_id, submitted_at, status, messages, finished_at, problem, content)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
ON CONFLICT (feed_id) DO NOTHING
)sql";

constexpr std::string_view kUpdateStockFeed =
    "UPDATE stock_feeds SET status = ?2, finished_at = ?3, problem = ?4 WHERE feed_id = ?1";

constexpr std::string_view kListOpenStockFeeds =
    "SELECT feed_id, submitted_at, status, messages, finished_at, problem, content "
    "FROM stock_feeds WHERE finished_at IS NULL ORDER BY submitted_at, feed_id";

constexpr std::string_view kListStockFeeds =
    "SELECT feed_id, submitted_at, status, messages, finished_at, problem, '' "
    "FROM stock_feeds WHERE submitted_at >= ?1 ORDER BY submitted_at, feed_id";

constexpr std::string_view kInsertStockCheck =
    "INSERT INTO stock_checks (sku, marketplace_id, checked_at, expected, seen, drifted) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

constexpr std::string_view kListStockChecks =
    "SELECT sku, marketplace_id, checked_at, expected, seen, drifted FROM stock_checks "
    "WHERE checked_at >= ?1 AND (?2 = 0 OR drifted = 1) ORDER BY checked_at, id";

constexpr std::string_view kPurgeStockChecks = "DELETE FROM stock_checks WHERE checked_at < ?1";

// Written as IN so that the plan starts from orders_by_purchase_date and
// reads only the lines of recent orders.
constexpr std::string_view kCountUnitsOrderedBySku = R"sql(
SELECT sku, SUM(quantity_ordered) FROM order_lines
WHERE amazon_order_id IN (SELECT amazon_order_id FROM orders WHERE purchase_date >= ?1)
GROUP BY sku
)sql";

constexpr std::string_view kPutMapping = R"sql(
INSERT INTO ship_method_mappings (marketplace_id, ship_service_level, automated_carrier,
  automated_ship_method, is_prime, clarus_carrier, clarus_service, amazon_carrier_code,
  amazon_carrier_name, amazon_shipping_method, updated_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
ON CONFLICT (marketplace_id, ship_service_level, automated_carrier, automated_ship_method,
             is_prime) DO UPDATE SET
  clarus_carrier = excluded.clarus_carrier, clarus_service = excluded.clarus_service,
  amazon_carrier_code = excluded.amazon_carrier_code,
  amazon_carrier_name = excluded.amazon_carrier_name,
  amazon_shipping_method = excluded.amazon_shipping_method, updated_at = excluded.updated_at
)sql";

constexpr std::string_view kDeleteMapping =
    "DELETE FROM ship_method_mappings WHERE marketplace_id = ?1 AND ship_service_level = ?2 "
    "AND automated_carrier = ?3 AND automated_ship_method = ?4 AND is_prime = ?5";

constexpr std::string_view kListMappings =
    "SELECT marketplace_id, ship_service_level, automated_carrier, automated_ship_method, "
    "is_prime, clarus_carrier, clarus_service, amazon_carrier_code, amazon_carrier_name, "
    "amazon_shipping_method FROM ship_method_mappings "
    "ORDER BY marketplace_id, ship_service_level, automated_carrier, automated_ship_method, "
    "is_prime";

// An automated carrier + method mapping sorts before a ship-service-level one.
constexpr std::string_view kFindMapping = R"sql(
SELECT marketplace_id, ship_service_level, automated_carrier, automated_ship_method, is_prime,
  clarus_carrier, clarus_service, amazon_carrier_code, amazon_carrier_name,
  amazon_shipping_method
FROM ship_method_mappings
WHERE marketplace_id = ?1 AND is_prime = ?2 AND (
  (?3 <> '' AND ?4 <> '' AND automated_carrier = ?3 AND automated_ship_method = ?4
   AND ship_service_level = '')
  OR (?5 <> '' AND ship_service_level = ?5 AND automated_carrier = ''
      AND automated_ship_method = ''))
ORDER BY automated_carrier = '' LIMIT 1
)sql";

constexpr std::string_view kHoldException = R"sql(
INSERT INTO exceptions (kind, subject_id, reason, suggested_fix, first_seen, last_seen, attempts,
  resolved_at, resolved_by, resolution_note)
VALUES (?1, ?2, ?3, ?4, ?5, ?5, 1, NULL, '', '')
ON CONFLICT (kind, subject_id) DO UPDATE SET
  reason = excluded.reason, suggested_fix = excluded.suggested_fix,
  last_seen = excluded.last_seen, attempts = exceptions.attempts + 1, resolved_at = NULL,
  resolved_by = '', resolution_note = ''
RETURNING id
)sql";

constexpr std::string_view kSelectException =
    "SELECT id, kind, subject_id, reason, suggested_fix, first_seen, last_seen, attempts, "
    "resolved_at, resolved_by, resolution_note FROM exceptions WHERE id = ?1";

constexpr std::string_view kFindException =
    "SELECT id, kind, subject_id, reason, suggested_fix, first_seen, last_seen, attempts, "
    "resolved_at, resolved_by, resolution_note FROM exceptions WHERE kind = ?1 AND subject_id = ?2";

constexpr std::string_view kListExceptions =
    "SELECT id, kind, subject_id, reason, suggested_fix, first_seen, last_seen, attempts, "
    "resolved_at, resolved_by, resolution_note FROM exceptions "
    "WHERE (?1 = 0 OR resolved_at IS NULL) AND (?2 IS NULL OR kind = ?2) "
    "AND (?4 IS NULL OR subject_id = ?4) "
    "ORDER BY first_seen, id LIMIT ?3";

constexpr std::string_view kResolveException =
    "UPDATE exceptions SET resolved_at = ?2, resolved_by = ?3, resolution_note = ?4 "
    "WHERE id = ?1";

constexpr std::string_view kAppendAudit =
    "INSERT INTO audit_log (at, actor, action, subject, details) VALUES (?1, ?2, ?3, ?4, ?5)";

constexpr std::string_view kListAuditNewest =
    "SELECT id, at, actor, action, subject, details FROM audit_log "
    "WHERE (?2 IS NULL OR subject = ?2) ORDER BY id DESC LIMIT ?1";

constexpr std::string_view kListAuditAfter =
    "SELECT id, at, actor, action, subject, details FROM audit_log WHERE id > ?1 "
    "AND (?3 IS NULL OR subject = ?3) ORDER BY id LIMIT ?2";

constexpr std::string_view kInsertApiToken =
    "INSERT INTO api_tokens (name, role, token_hash, created_at, created_by) "
    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (token_hash) DO NOTHING";

constexpr std::string_view kFindApiTokenByHash =
    "SELECT id, name, role, token_hash, created_at, created_by, last_used_at, revoked_at "
    "FROM api_tokens WHERE token_hash = ?1";
constexpr std::string_view kFindApiTokenById =
    "SELECT id, name, role, token_hash, created_at, created_by, last_used_at, revoked_at "
    "FROM api_tokens WHERE id = ?1";
constexpr std::string_view kListApiTokens =
    "SELECT id, name, role, token_hash, created_at, created_by, last_used_at, revoked_at "
    "FROM api_tokens ORDER BY id";

constexpr std::string_view kRevokeApiToken =
    "UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL";

constexpr std::string_view kTouchApiToken = "UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1";

constexpr std::string_view kInsertSettlementReport =
    "INSERT INTO settlement_reports (report_id, document_id, marketplace_id, created_time, "
    "document, fetched_at, state, settlement_id, currency, total_minor, start_date, end_date, "
    "deposit_date, difference_minor, problems, journals, parsed_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17) "
    "ON CONFLICT (report_id) DO NOTHING";

constexpr std::string_view kFindSettlementReport =
    "SELECT report_id, document_id, marketplace_id, created_time, document, fetched_at, state, "
    "settlement_id, currency, total_minor, start_date, end_date, deposit_date, difference_minor, "
    "problems, journals, parsed_at FROM settlement_reports WHERE report_id = ?1";

// The same columns with an empty document: listing never reads documents.
constexpr std::string_view kListSettlementReports =
    "SELECT report_id, document_id, marketplace_id, created_time, X'', fetched_at, state, "
    "settlement_id, currency, total_minor, start_date, end_date, deposit_date, difference_minor, "
    "problems, journals, parsed_at FROM settlement_reports "
    "WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR created_time >= ?2) "
    "ORDER BY created_time DESC, report_id DESC LIMIT ?3";

constexpr std::string_view kUpdateSettlementOutcome =
    "UPDATE settlement_reports SET state = ?2, settlement_id = ?3, currency = ?4, "
    "total_minor = ?5, start_date = ?6, end_date = ?7, deposit_date = ?8, difference_minor = ?9, "
    "problems = ?10, journals = ?11, parsed_at = ?12 WHERE report_id = ?1";

constexpr std::string_view kListFinanceAccountRules =
    "SELECT transaction_type, amount_type, amount_description, account_code, account_name "
    "FROM finance_account_rules ORDER BY transaction_type, amount_type, amount_description";
constexpr std::string_view kDeleteFinanceAccountRules = "DELETE FROM finance_account_rules";
constexpr std::string_view kInsertFinanceAccountRule =
    "INSERT INTO finance_account_rules (transaction_type, amount_type, amount_description, "
    "account_code, account_name) VALUES (?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT (transaction_type, amount_type, amount_description) DO NOTHING";

constexpr std::string_view kFindJournalPosting =
    "SELECT settlement_id, period, sink, posted, external_id, last_error, attempts, updated_at "
    "FROM journal_postings WHERE settlement_id = ?1 AND period = ?2 AND sink = ?3";
constexpr std::string_view kListJournalPostings =
    "SELECT settlement_id, period, sink, posted, external_id, last_error, attempts, updated_at "
    "FROM journal_postings WHERE settlement_id = ?1 ORDER BY period, sink";
constexpr std::string_view kPutJournalPosting =
    "INSERT INTO journal_postings (settlement_id, period, sink, posted, external_id, last_error, "
    "attempts, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
    "ON CONFLICT (settlement_id, period, sink) DO UPDATE SET posted = excluded.posted, "
    "external_id = excluded.external_id, last_error = excluded.last_error, "
    "attempts = excluded.attempts, updated_at = excluded.updated_at";

constexpr std::string_view kInsertReturnReceipt =
    "INSERT INTO return_receipts (amazon_order_id, received_at, source) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (amazon_order_id) DO NOTHING";
constexpr std::string_view kFindReturnReceipt =
    "SELECT amazon_order_id, received_at, source FROM return_receipts WHERE amazon_order_id = ?1";

constexpr std::string_view kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
    "name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT";

constexpr std::string_view kListMigrations =
    "SELECT version, name, applied_at FROM schema_migrations ORDER BY version";

constexpr std::string_view kRecordMigration =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)";

// --- Row readers ------------------------------------------------------------------

// Reads the order row the statement is on (kOrderColumns order) and its lines.
Result<StoredOrder> ReadOrder(Statement& row, Connection& connection) {
  domain::OrderData data;
  data.amazon_order_id = row.Text(0);
  data.marketplace_id = row.Text(1);
  const std::string order_status = row.Text(2);
  data.purchase_date = row.Time(3);
  data.last_update_date = row.Time(4);
  data.earliest_ship_date = row.OptionalTime(5);
  data.latest_ship_date = row.OptionalTime(6);
  data.ship_service_level = row.Text(7);
  data.automated_carrier = row.Text(8);
  data.automated_ship_method = row.Text(9);
  data.is_prime = row.Bool(10);
  data.is_business = row.Bool(11);
  const bool has_address = !row.IsNull(12);
  const std::string address = row.Text(12);
  const std::string sync_state = row.Text(13);
  OrderSyncState sync;
  sync.clarus_goods_out_id = row.Text(14);
  sync.updated_at = row.Time(15);
  const TimePoint updated_at = row.Time(16);
  data.latest_delivery_date = row.OptionalTime(17);
  RETURN_IF_ERROR(row.ColumnStatus());

  const auto data_loss = [&](const Status& cause) {
    return DataLossError(
        fmt::format("sqlite: read order '{}': {}", data.amazon_order_id, cause.message()));
  };
  auto parsed_status = domain::ParseOrderStatus(order_status);
  if (!parsed_status.ok()) {
    return data_loss(parsed_status.status());
  }
  data.status = *parsed_status;
  auto parsed_sync = ParseSyncState(sync_state);
  if (!parsed_sync.ok()) {
    return data_loss(parsed_sync.status());
  }
  sync.state = *parsed_sync;
  if (has_address) {
    ASSIGN_OR_RETURN(data.shipping_address, AddressFromJson(address, data.amazon_order_id));
  }

  ASSIGN_OR_RETURN(auto lines, connection.Prepare(kSelectOrderLines, "read order lines"));
  lines->BindText(data.amazon_order_id);
  while (true) {
    ASSIGN_OR_RETURN(const bool more, lines->Step());
    if (!more) {
      break;
    }
    domain::OrderLine line;
    line.order_item_id = lines->Text(0);
    line.sku = lines->Text(1);
    line.quantity_ordered = lines->Int32(2);
    line.quantity_shipped = lines->Int32(3);
    if (!lines->IsNull(4)) {
      auto price = domain::Money::Create(lines->Int(4), lines->Text(5));
      if (!price.ok()) {
        return data_loss(price.status());
      }
      line.item_price = *price;
    }
    data.lines.push_back(std::move(line));
  }
  auto order = domain::Order::Create(std::move(data));
  if (!order.ok()) {
    return DataLossError(fmt::format("sqlite: read order: {}", order.status().message()));
  }
  return StoredOrder{.order = std::move(*order), .sync = std::move(sync), .updated_at = updated_at};
}

Result<OutboxEntry> ReadConfirmation(Statement& row) {
  OutboxEntry entry;
  entry.id = row.Int(0);
  entry.idempotency_key = row.Text(1);
  entry.amazon_order_id = row.Text(2);
  entry.marketplace_id = row.Text(3);
  const std::string parcel = row.Text(4);
  entry.deadline = row.Time(5);
  const std::string state = row.Text(6);
  entry.attempts = row.Int32(7);
  entry.next_attempt_at = row.Time(8);
  entry.last_error = row.Text(9);
  entry.created_at = row.Time(10);
  entry.accepted_at = row.OptionalTime(11);
  entry.verified_at = row.OptionalTime(12);
  entry.clarus_shipment_id = row.Text(13);
  const std::string transport = row.Text(14);
  entry.feed_id = row.Text(15);
  entry.resends = row.Int32(16);
  RETURN_IF_ERROR(row.ColumnStatus());
  ASSIGN_OR_RETURN(entry.parcel, ParcelFromJson(parcel, entry.id));
  auto parsed_state = ParseConfirmationState(state);
  auto parsed_transport = ParseConfirmationTransport(transport);
  if (!parsed_state.ok() || !parsed_transport.ok()) {
    return DataLossError(fmt::format(
        "sqlite: read outbox entry {}: {}", entry.id,
        (parsed_state.ok() ? parsed_transport.status() : parsed_state.status()).message()));
  }
  entry.state = *parsed_state;
  entry.transport = *parsed_transport;
  return entry;
}

Result<ConfirmationTiming> ReadConfirmationTiming(Statement& row) {
  const std::string parcel = row.Text(0);
  ConfirmationTiming timing;
  timing.seen_at = row.Time(1);
  timing.accepted_at = row.OptionalTime(2);
  timing.verified_at = row.OptionalTime(3);
  const std::string transport = row.Text(4);
  const std::int64_t id = row.Int(5);
  RETURN_IF_ERROR(row.ColumnStatus());
  ASSIGN_OR_RETURN(const domain::Parcel decoded, ParcelFromJson(parcel, id));
  timing.shipped_at = decoded.ship_date;
  auto parsed_transport = ParseConfirmationTransport(transport);
  if (!parsed_transport.ok()) {
    return DataLossError(
        fmt::format("sqlite: read outbox entry {}: {}", id, parsed_transport.status().message()));
  }
  timing.transport = *parsed_transport;
  return timing;
}

Result<PendingDispatchHint> ReadDispatchHint(Statement& row) {
  PendingDispatchHint hint{.id = row.Int(0),
                           .dedupe_key = row.Text(1),
                           .goods_out_id = row.Text(2),
                           .source = row.Text(3),
                           .received_at = row.Time(4)};
  RETURN_IF_ERROR(row.ColumnStatus());
  return hint;
}

Result<domain::StockLevel> ReadStockLevel(Statement& row) {
  domain::StockLevelData data{
      .sku = row.Text(0), .available = row.Int(1), .observed_at = row.Time(2)};
  RETURN_IF_ERROR(row.ColumnStatus());
  auto level = domain::StockLevel::Create(std::move(data));
  if (!level.ok()) {
    return DataLossError(fmt::format("sqlite: read stock level: {}", level.status().message()));
  }
  return std::move(*level);
}

Result<StockPublication> ReadStockPublication(Statement& row) {
  StockPublication publication{.sku = row.Text(0),
                               .marketplace_id = row.Text(1),
                               .quantity = row.Int(2),
                               .changed_at = row.Time(3),
                               .published_at = row.Time(4),
                               .lane = row.Text(5),
                               .transport = row.Text(6),
                               .reference = row.Text(7)};
  RETURN_IF_ERROR(row.ColumnStatus());
  return publication;
}

Result<StockFeed> ReadStockFeed(Statement& row) {
  StockFeed feed{.feed_id = row.Text(0),
                 .submitted_at = row.Time(1),
                 .status = row.Text(2),
                 .messages = row.Int32(3),
                 .finished_at = row.OptionalTime(4),
                 .problem = row.Text(5),
                 .content = row.Text(6)};
  RETURN_IF_ERROR(row.ColumnStatus());
  return feed;
}

Result<StockCheck> ReadStockCheck(Statement& row) {
  StockCheck check{.sku = row.Text(0),
                   .marketplace_id = row.Text(1),
                   .checked_at = row.Time(2),
                   .expected = row.Int(3),
                   .seen = row.IsNull(4) ? std::nullopt : std::optional(row.Int(4)),
                   .drifted = row.Bool(5)};
  RETURN_IF_ERROR(row.ColumnStatus());
  return check;
}

Result<domain::ShipMethodMapping> ReadMapping(Statement& row) {
  auto mapping = domain::ShipMethodMapping::Create({.marketplace_id = row.Text(0),
                                                    .ship_service_level = row.Text(1),
                                                    .automated_carrier = row.Text(2),
                                                    .automated_ship_method = row.Text(3),
                                                    .is_prime = row.Bool(4),
                                                    .clarus_carrier = row.Text(5),
                                                    .clarus_service = row.Text(6),
                                                    .amazon_carrier_code = row.Text(7),
                                                    .amazon_carrier_name = row.Text(8),
                                                    .amazon_shipping_method = row.Text(9)});
  if (!mapping.ok()) {
    return DataLossError(
        fmt::format("sqlite: read ship-method mapping: {}", mapping.status().message()));
  }
  return std::move(*mapping);
}

Result<OrderLabel> ReadOrderLabel(Statement& row) {
  OrderLabel out;
  out.amazon_order_id = row.Text(0);
  const std::string state = row.Text(1);
  out.shipment_id = row.Text(2);
  out.tracking_id = row.Text(3);
  out.carrier_name = row.Text(4);
  out.service_id = row.Text(5);
  out.service_name = row.Text(6);
  out.label_format = row.Text(7);
  out.file_type = row.Text(8);
  if (!row.IsNull(9)) {
    out.contents = row.Text(9);
  }
  out.clarus_shipment_id = row.Text(10);
  out.updated_at = row.Time(11);
  RETURN_IF_ERROR(row.ColumnStatus());
  auto parsed = ParseLabelState(state);
  if (!parsed.ok()) {
    return DataLossError(fmt::format("sqlite: read order label: {}", parsed.status().message()));
  }
  out.state = *parsed;
  return out;
}

Result<QuarantinedOrder> ReadQuarantinedOrder(Statement& row) {
  QuarantinedOrder out;
  out.subject_id = row.Text(0);
  out.problem = row.Text(1);
  if (!row.IsNull(2)) {
    out.document = row.Text(2);
  }
  out.first_seen = row.Time(3);
  out.last_seen = row.Time(4);
  RETURN_IF_ERROR(row.ColumnStatus());
  return out;
}

Result<HeldException> ReadException(Statement& row) {
  HeldException held{.id = row.Int(0),
                     .kind = row.Text(1),
                     .subject_id = row.Text(2),
                     .reason = row.Text(3),
                     .suggested_fix = row.Text(4),
                     .first_seen = row.Time(5),
                     .last_seen = row.Time(6),
                     .attempts = row.Int32(7),
                     .resolved_at = row.OptionalTime(8),
                     .resolved_by = row.Text(9),
                     .resolution_note = row.Text(10)};
  RETURN_IF_ERROR(row.ColumnStatus());
  return held;
}

Result<AuditEntry> ReadAudit(Statement& row) {
  AuditEntry entry{.id = row.Int(0),
                   .at = row.Time(1),
                   .actor = row.Text(2),
                   .action = row.Text(3),
                   .subject = row.Text(4),
                   .details = row.Text(5)};
  RETURN_IF_ERROR(row.ColumnStatus());
  return entry;
}

Result<ApiToken> ReadApiToken(Statement& row) {
  ApiToken token{.id = row.Int(0),
                 .name = row.Text(1),
                 .role = row.Text(2),
                 .token_hash = row.Text(3),
                 .created_at = row.Time(4),
                 .created_by = row.Text(5),
                 .last_used_at = row.OptionalTime(6),
                 .revoked_at = row.OptionalTime(7)};
  RETURN_IF_ERROR(row.ColumnStatus());
  return token;
}

Result<SettlementReport> ReadSettlementReport(Statement& row) {
  SettlementReport report{.report_id = row.Text(0),
                          .document_id = row.Text(1),
                          .marketplace_id = row.Text(2),
                          .created_time = row.Time(3),
                          .document = row.Blob(4),
                          .fetched_at = row.Time(5)};
  ASSIGN_OR_RETURN(report.state, ParseSettlementState(row.Text(6)));
  report.settlement_id = row.Text(7);
  report.currency = row.Text(8);
  report.total_minor = row.Int(9);
  report.start = row.OptionalTime(10);
  report.end = row.OptionalTime(11);
  report.deposit_date = row.OptionalTime(12);
  report.difference_minor = row.Int(13);
  report.problems = row.Text(14);
  report.journals = row.Text(15);
  report.parsed_at = row.OptionalTime(16);
  RETURN_IF_ERROR(row.ColumnStatus());
  return report;
}

Result<FinanceAccountRule> ReadFinanceAccountRule(Statement& row) {
  return FinanceAccountRule{.transaction_type = row.Text(0),
                            .amount_type = row.Text(1),
                            .amount_description = row.Text(2),
                            .account_code = row.Text(3),
                            .account_name = row.Text(4)};
}

Result<JournalPosting> ReadJournalPosting(Statement& row) {
  JournalPosting posting{.settlement_id = row.Text(0),
                         .period = row.Text(1),
                         .sink = row.Text(2),
                         .posted = row.Bool(3),
                         .external_id = row.Text(4),
                         .last_error = row.Text(5),
                         .attempts = row.Int32(6),
                         .updated_at = row.Time(7)};
  RETURN_IF_ERROR(row.ColumnStatus());
  return posting;
}

Result<ReturnReceipt> ReadReturnReceipt(Statement& row) {
  ReturnReceipt receipt{
      .amazon_order_id = row.Text(0), .received_at = row.Time(1), .source = row.Text(2)};
  RETURN_IF_ERROR(row.ColumnStatus());
  return receipt;
}

// Binds a settlement report's parse outcome, state to parsed_at, in the
// column order both the insert and the update use.
void BindSettlementOutcome(Statement& stmt, const SettlementReport& report) {
  stmt.BindText(SettlementStateName(report.state));
  stmt.BindText(report.settlement_id);
  stmt.BindText(report.currency);
  stmt.BindInt(report.total_minor);
  stmt.BindOptionalTime(report.start);
  stmt.BindOptionalTime(report.end);
  stmt.BindOptionalTime(report.deposit_date);
  stmt.BindInt(report.difference_minor);
  stmt.BindText(report.problems);
  stmt.BindText(report.journals);
  stmt.BindOptionalTime(report.parsed_at);
}

// Steps through every row of `stmt`, reading each with `read`.
template <typename T, typename Read>
Result<std::vector<T>> ReadAll(Statement& stmt, Read read) {
  std::vector<T> out;
  while (true) {
    ASSIGN_OR_RETURN(const bool more, stmt.Step());
    if (!more) {
      return out;
    }
    ASSIGN_OR_RETURN(T value, read(stmt));
    out.push_back(std::move(value));
  }
}

// Steps once and reads the row with `read`; nullopt when there is none.
template <typename T, typename Read>
Result<std::optional<T>> ReadOptional(Statement& stmt, Read read) {
  ASSIGN_OR_RETURN(const bool found, stmt.Step());
  if (!found) {
    return std::optional<T>();
  }
  ASSIGN_OR_RETURN(T value, read(stmt));
  return std::optional<T>(std::move(value));
}

// Applies the migrations `connection`'s database lacks, each in its own
// write transaction that also records it, so that a crash mid-way leaves the
// database at a whole version. The check runs inside the transaction so that
// two processes opening one file at once do not both apply a migration.
Status Migrate(Connection& connection, Clock& clock) {
  while (true) {
    RETURN_IF_ERROR(connection.Exec("BEGIN IMMEDIATE", "begin migration"));
    auto step = [&]() -> Result<bool> {
      RETURN_IF_ERROR(connection.Exec(kCreateMigrationsTable, "create schema_migrations"));
      std::vector<int> applied;
      {
        ASSIGN_OR_RETURN(auto list, connection.Prepare(kListMigrations, "list migrations"));
        while (true) {
          ASSIGN_OR_RETURN(const bool more, list->Step());
          if (!more) {
            break;
          }
          applied.push_back(static_cast<int>(list->Int(0)));
        }
      }
      ASSIGN_OR_RETURN(const auto pending, PendingMigrations(SqliteMigrations(), applied));
      if (pending.empty()) {
        return false;
      }
      const Migration& next = pending.front();
      const std::string purpose = fmt::format("apply migration {} ({})", next.version, next.name);
      RETURN_IF_ERROR(connection.Exec(next.sql, purpose));
      ASSIGN_OR_RETURN(auto record, connection.Prepare(kRecordMigration, "record migration"));
      record->BindInt(next.version);
      record->BindText(next.name);
      record->BindTime(clock.Now());
      RETURN_IF_ERROR(record->Run());
      return true;
    };
    auto applied_one = step();
    if (!applied_one.ok()) {
      connection.Exec("ROLLBACK", "roll back migration").IgnoreError();
      return applied_one.status();
    }
    RETURN_IF_ERROR(connection.Exec("COMMIT", "commit migration"));
    if (!*applied_one) {
      return Status::Ok();
    }
  }
}

class SqliteStore;

class SqliteTransaction final : public Transaction {
 public:
  SqliteTransaction(SqliteStore* store, std::unique_ptr<Connection> connection, Clock* clock)
      : store_(store), connection_(std::move(connection)), clock_(clock) {}
  ~SqliteTransaction() override;
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;

  Status Commit() override {
    RETURN_IF_ERROR(CheckActive("commit"));
    done_ = true;
    Status status = connection_->Exec("COMMIT", "commit");
    if (!status.ok() && connection_->InTransaction()) {
      connection_->Exec("ROLLBACK", "roll back a failed commit").IgnoreError();
    }
    return status;
  }

  // Orders.

  Status UpsertOrder(const domain::Order& order) override {
    RETURN_IF_ERROR(CheckActive("upsert order"));
    const TimePoint now = clock_->Now();
    {
      ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kUpsertOrder, "upsert order"));
      stmt->BindText(order->amazon_order_id);
      stmt->BindText(order->marketplace_id);
      stmt->BindText(domain::OrderStatusName(order->status));
      stmt->BindTime(order->purchase_date);
      stmt->BindTime(order->last_update_date);
      stmt->BindOptionalTime(order->earliest_ship_date);
      stmt->BindOptionalTime(order->latest_ship_date);
      stmt->BindText(order->ship_service_level);
      stmt->BindText(order->automated_carrier);
      stmt->BindText(order->automated_ship_method);
      stmt->BindBool(order->is_prime);
      stmt->BindBool(order->is_business);
      if (order->shipping_address) {
        stmt->BindText(AddressToJson(*order->shipping_address));
      } else {
        stmt->BindNull();
      }
      stmt->BindTime(now);
      stmt->BindOptionalTime(order->latest_delivery_date);
      RETURN_IF_ERROR(stmt->Run());
    }
    {
      ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kDeleteOrderLines, "replace order lines"));
      stmt->BindText(order->amazon_order_id);
      RETURN_IF_ERROR(stmt->Run());
    }
    std::int64_t position = 0;
    for (const auto& line : order->lines) {
      ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kInsertOrderLine, "insert order line"));
      stmt->BindText(order->amazon_order_id);
      stmt->BindInt(position++);
      stmt->BindText(line.order_item_id);
      stmt->BindText(line.sku);
      stmt->BindInt(line.quantity_ordered);
      stmt->BindInt(line.quantity_shipped);
      if (line.item_price) {
        stmt->BindInt(line.item_price->MinorUnits());
        stmt->BindText(line.item_price->Currency());
      } else {
        stmt->BindNull();
        stmt->BindNull();
      }
      RETURN_IF_ERROR(stmt->Run());
    }
    return Status::Ok();
  }

  Result<StoredOrder> GetOrder(std::string_view amazon_order_id) override {
    RETURN_IF_ERROR(CheckActive("get order"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kSelectOrder, "get order"));
    stmt->BindText(amazon_order_id);
    ASSIGN_OR_RETURN(auto order, ReadOptional<StoredOrder>(*stmt, [&](Statement& row) {
                       return ReadOrder(row, *connection_);
                     }));
    if (!order) {
      return NotFoundError(fmt::format("order '{}' is not in the store", amazon_order_id));
    }
    return std::move(*order);
  }

  Result<std::vector<StoredOrder>> ListOrders(const OrderFilter& filter) override {
    RETURN_IF_ERROR(CheckActive("list orders"));
    RETURN_IF_ERROR(CheckLimit(filter.limit, "list orders"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kListOrders, "list orders"));
    stmt->BindOptionalText(filter.sync_state ? std::optional(SyncStateName(*filter.sync_state))
                                             : std::nullopt);
    stmt->BindOptionalText(filter.status ? std::optional(domain::OrderStatusName(*filter.status))
                                         : std::nullopt);
    stmt->BindOptionalTime(filter.updated_since);
    stmt->BindInt(filter.limit);
    return ReadAll<StoredOrder>(*stmt,
                                [&](Statement& row) { return ReadOrder(row, *connection_); });
  }

  Result<OrderSyncState> GetOrderSyncState(std::string_view amazon_order_id) override {
    RETURN_IF_ERROR(CheckActive("get order sync state"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kSelectSyncState, "get order sync state"));
    stmt->BindText(amazon_order_id);
    ASSIGN_OR_RETURN(
        auto sync,
        ReadOptional<OrderSyncState>(*stmt, [](Statement& row) -> Result<OrderSyncState> {
          OrderSyncState out;
          const std::string state = row.Text(0);
          out.clarus_goods_out_id = row.Text(1);
          out.updated_at = row.Time(2);
          RETURN_IF_ERROR(row.ColumnStatus());
          auto parsed = ParseSyncState(state);
          if (!parsed.ok()) {
            return DataLossError(
                fmt::format("sqlite: get order sync state: {}", parsed.status().message()));
          }
          out.state = *parsed;
          return out;
        }));
    if (!sync) {
      return NotFoundError(fmt::format("order '{}' is not in the store", amazon_order_id));
    }
    return std::move(*sync);
  }

  Status SetOrderSyncState(std::string_view amazon_order_id, SyncState state,
                           std::optional<std::string_view> clarus_goods_out_id) override {
    RETURN_IF_ERROR(CheckActive("set order sync state"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kUpdateSyncState, "set order sync state"));
    stmt->BindText(amazon_order_id);
    stmt->BindText(SyncStateName(state));
    stmt->BindOptionalText(clarus_goods_out_id);
    stmt->BindTime(clock_->Now());
    RETURN_IF_ERROR(stmt->Run());
    if (stmt->Changes() == 0) {
      return NotFoundError(fmt::format("order '{}' is not in the store", amazon_order_id));
    }
    return Status::Ok();
  }

  Result<std::int64_t> PurgeBuyerData(TimePoint before) override {
    RETURN_IF_ERROR(CheckActive("purge buyer data"));
    const TimePoint now = clock_->Now();
    // Labels first: the orders' sync state does not change here, but keep
    // the statements independent of each other's effects.
    {
      ASSIGN_OR_RETURN(auto stmt,
                       connection_->Prepare(kPurgeLabelContents, "purge label contents"));
      stmt->BindTime(now);
      stmt->BindTime(before);
      RETURN_IF_ERROR(stmt->Run());
    }
    {
      ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kPurgeQuarantinedDocuments,
                                                       "purge quarantined documents"));
      stmt->BindTime(before);
      RETURN_IF_ERROR(stmt->Run());
    }
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kPurgeBuyerData, "purge buyer data"));
    stmt->BindTime(now);
    stmt->BindTime(before);
    RETURN_IF_ERROR(stmt->Run());
    return stmt->Changes();
  }

  Result<std::map<SyncState, std::int64_t>> CountOrdersBySyncState() override {
    RETURN_IF_ERROR(CheckActive("count orders"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kCountOrdersBySyncState, "count orders"));
    std::map<SyncState, std::int64_t> counts;
    while (true) {
      ASSIGN_OR_RETURN(const bool more, stmt->Step());
      if (!more) {
        return counts;
      }
      auto state = ParseSyncState(stmt->Text(0));
      if (!state.ok()) {
        return DataLossError(fmt::format("sqlite: count orders: {}", state.status().message()));
      }
      counts[*state] = stmt->Int(1);
    }
  }

  // Labels bought on Amazon.

  Status PutOrderLabel(const OrderLabel& label) override {
    RETURN_IF_ERROR(CheckActive("put order label"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kPutOrderLabel, "put order label"));
    stmt->BindText(label.amazon_order_id);
    stmt->BindText(LabelStateName(label.state));
    stmt->BindText(label.shipment_id);
    stmt->BindText(label.tracking_id);
    stmt->BindText(label.carrier_name);
    stmt->BindText(label.service_id);
    stmt->BindText(label.service_name);
    stmt->BindText(label.label_format);
    stmt->BindText(label.file_type);
    stmt->BindOptionalText(label.contents);
    stmt->BindText(label.clarus_shipment_id);
    stmt->BindTime(clock_->Now());
    RETURN_IF_ERROR(stmt->Run());
    if (stmt->Changes() == 0) {
      return NotFoundError(
          fmt::format("put order label: order '{}' is not in the store", label.amazon_order_id));
    }
    return Status::Ok();
  }

  Status DeleteOrderLabel(std::string_view amazon_order_id) override {
    RETURN_IF_ERROR(CheckActive("delete order label"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kDeleteOrderLabel, "delete order label"));
    stmt->BindText(amazon_order_id);
    return stmt->Run();
  }

  Result<std::optional<OrderLabel>> FindOrderLabel(std::string_view amazon_order_id) override {
    RETURN_IF_ERROR(CheckActive("find order label"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kSelectOrderLabel, "find order label"));
    stmt->BindText(amazon_order_id);
    return ReadOptional<OrderLabel>(*stmt, ReadOrderLabel);
  }

  // Quarantined orders.

  Status QuarantineOrder(const QuarantinedOrder& order) override {
    RETURN_IF_ERROR(CheckActive("quarantine order"));
    if (order.subject_id.empty()) {
      return InvalidArgumentError("quarantine order: the subject id must not be empty");
    }
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kQuarantineOrder, "quarantine order"));
    stmt->BindText(order.subject_id);
    stmt->BindText(order.problem);
    stmt->BindOptionalText(order.document);
    stmt->BindTime(clock_->Now());
    return stmt->Run();
  }

  Result<std::vector<QuarantinedOrder>> ListQuarantinedOrders(int limit) override {
    RETURN_IF_ERROR(CheckActive("list quarantined orders"));
    RETURN_IF_ERROR(CheckLimit(limit, "list quarantined orders"));
    ASSIGN_OR_RETURN(auto stmt,
                     connection_->Prepare(kListQuarantinedOrders, "list quarantined orders"));
    stmt->BindInt(limit);
    return ReadAll<QuarantinedOrder>(*stmt, ReadQuarantinedOrder);
  }

  // Watermarks.

  Result<std::optional<Watermark>> FindWatermark(std::string_view name) override {
    RETURN_IF_ERROR(CheckActive("find watermark"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kSelectWatermark, "find watermark"));
    stmt->BindText(name);
    return ReadOptional<Watermark>(*stmt, [](Statement& row) -> Result<Watermark> {
      Watermark out{.name = row.Text(0), .value = row.Text(1), .updated_at = row.Time(2)};
      RETURN_IF_ERROR(row.ColumnStatus());
      return out;
    });
  }

  Status SetWatermark(std::string_view name, std::string_view value) override {
    RETURN_IF_ERROR(CheckActive("set watermark"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kUpsertWatermark, "set watermark"));
    stmt->BindText(name);
    stmt->BindText(value);
    stmt->BindTime(clock_->Now());
    return stmt->Run();
  }

  // Outbox.

  Result<EnqueueOutcome> EnqueueConfirmation(const NewConfirmation& confirmation) override {
    RETURN_IF_ERROR(CheckActive("enqueue confirmation"));
    if (confirmation.idempotency_key.empty()) {
      return InvalidArgumentError("enqueue confirmation: the idempotency key is empty");
    }
    {
      ASSIGN_OR_RETURN(auto stmt,
                       connection_->Prepare(kInsertConfirmation, "enqueue confirmation"));
      stmt->BindText(confirmation.idempotency_key);
      stmt->BindText(confirmation.amazon_order_id);
      stmt->BindText(confirmation.parcel.package_reference_id);
      stmt->BindText(confirmation.marketplace_id);
      stmt->BindText(ParcelToJson(confirmation.parcel));
      stmt->BindTime(confirmation.deadline);
      stmt->BindTime(clock_->Now());
      stmt->BindText(confirmation.clarus_shipment_id);
      stmt->BindText(ConfirmationTransportName(confirmation.transport));
      RETURN_IF_ERROR(stmt->Run());
      if (stmt->Changes() == 1) {
        return EnqueueOutcome{.id = connection_->LastInsertId(), .created = true};
      }
    }
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kSelectConfirmationIdByKey,
                                                     "find confirmation by idempotency key"));
    stmt->BindText(confirmation.idempotency_key);
    ASSIGN_OR_RETURN(const bool found, stmt->Step());
    if (!found) {
      return InternalError(fmt::format("enqueue confirmation: key '{}' neither inserted nor found",
                                       confirmation.idempotency_key));
    }
    return EnqueueOutcome{.id = stmt->Int(0), .created = false};
  }

  Result<OutboxEntry> GetConfirmation(std::int64_t id) override {
    RETURN_IF_ERROR(CheckActive("get confirmation"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kSelectConfirmation, "get confirmation"));
    stmt->BindInt(id);
    ASSIGN_OR_RETURN(auto entry, ReadOptional<OutboxEntry>(*stmt, ReadConfirmation));
    if (!entry) {
      return NotFoundError(fmt::format("outbox entry {} does not exist", id));
    }
    return std::move(*entry);
  }

  Result<std::vector<OutboxEntry>> ListDueConfirmations(TimePoint now, int limit) override {
    RETURN_IF_ERROR(CheckActive("list due confirmations"));
    RETURN_IF_ERROR(CheckLimit(limit, "list due confirmations"));
    ASSIGN_OR_RETURN(auto stmt,
                     connection_->Prepare(kListDueConfirmations, "list due confirmations"));
    stmt->BindTime(now);
    stmt->BindInt(limit);
    return ReadAll<OutboxEntry>(*stmt, ReadConfirmation);
  }

  Status UpdateConfirmation(std::int64_t id, const ConfirmationUpdate& update) override {
    RETURN_IF_ERROR(CheckActive("update confirmation"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kUpdateConfirmation, "update confirmation"));
    stmt->BindInt(id);
    stmt->BindText(ConfirmationStateName(update.state));
    stmt->BindInt(update.attempts);
    stmt->BindTime(update.next_attempt_at);
    stmt->BindText(update.last_error);
    stmt->BindTime(clock_->Now());
    stmt->BindOptionalText(update.transport ? std::optional<std::string_view>(
                                                  ConfirmationTransportName(*update.transport))
                                            : std::nullopt);
    stmt->BindOptionalText(update.feed_id);
    if (update.resends) {
      stmt->BindInt(*update.resends);
    } else {
      stmt->BindNull();
    }
    RETURN_IF_ERROR(stmt->Run());
    if (stmt->Changes() == 0) {
      return NotFoundError(fmt::format("outbox entry {} does not exist", id));
    }
    return Status::Ok();
  }

  Result<std::map<ConfirmationState, std::int64_t>> CountConfirmationsByState() override {
    RETURN_IF_ERROR(CheckActive("count confirmations"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kCountConfirmations, "count confirmations"));
    std::map<ConfirmationState, std::int64_t> counts;
    while (true) {
      ASSIGN_OR_RETURN(const bool more, stmt->Step());
      if (!more) {
        return counts;
      }
      auto state = ParseConfirmationState(stmt->Text(0));
      if (!state.ok()) {
        return DataLossError(
            fmt::format("sqlite: count confirmations: {}", state.status().message()));
      }
      counts[*state] = stmt->Int(1);
    }
  }

  Result<std::vector<OutboxEntry>> ListConfirmations(const ConfirmationFilter& filter) override {
    RETURN_IF_ERROR(CheckActive("list confirmations"));
    RETURN_IF_ERROR(CheckLimit(filter.limit, "list confirmations"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kListConfirmations, "list confirmations"));
    stmt->BindOptionalText(
        filter.state ? std::optional<std::string_view>(ConfirmationStateName(*filter.state))
                     : std::nullopt);
    stmt->BindOptionalTime(filter.due_by);
    stmt->BindOptionalText(filter.amazon_order_id);
    stmt->BindOptionalText(filter.feed_id);
    stmt->BindOptionalText(filter.transport ? std::optional<std::string_view>(
                                                  ConfirmationTransportName(*filter.transport))
                                            : std::nullopt);
    stmt->BindInt(filter.limit);
    return ReadAll<OutboxEntry>(*stmt, ReadConfirmation);
  }

  Status ReplaceConfirmationParcel(std::int64_t id, const domain::Parcel& parcel) override {
    RETURN_IF_ERROR(CheckActive("replace confirmation parcel"));
    {
      ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kSelectConfirmationParcelState,
                                                       "replace confirmation parcel"));
      stmt->BindInt(id);
      ASSIGN_OR_RETURN(const bool found, stmt->Step());
      if (!found) {
        return NotFoundError(fmt::format("outbox entry {} does not exist", id));
      }
      const std::string state = stmt->Text(0);
      const std::string package_reference_id = stmt->Text(1);
      if (state == ConfirmationStateName(ConfirmationState::kAccepted) ||
          state == ConfirmationStateName(ConfirmationState::kVerified)) {
        return FailedPreconditionError(fmt::format(
            "outbox entry {} is {}: Amazon has it, so its parcel can no longer change", id, state));
      }
      if (package_reference_id != parcel.package_reference_id) {
        return FailedPreconditionError(
            fmt::format("outbox entry {}: the package reference id must stay {} (got {})", id,
                        package_reference_id, parcel.package_reference_id));
      }
    }
    ASSIGN_OR_RETURN(
        auto stmt, connection_->Prepare(kReplaceConfirmationParcel, "replace confirmation parcel"));
    stmt->BindInt(id);
    stmt->BindText(ParcelToJson(parcel));
    return stmt->Run();
  }

  Result<std::vector<ConfirmationTiming>> ListConfirmationTimings(TimePoint since) override {
    RETURN_IF_ERROR(CheckActive("list confirmation timings"));
    ASSIGN_OR_RETURN(auto stmt,
                     connection_->Prepare(kListConfirmationTimings, "list confirmation timings"));
    stmt->BindTime(since);
    return ReadAll<ConfirmationTiming>(*stmt, ReadConfirmationTiming);
  }

  // Dispatch hints.

  Result<bool> RecordDispatchHint(const DispatchHint& hint) override {
    RETURN_IF_ERROR(CheckActive("record dispatch hint"));
    if (hint.dedupe_key.empty() || hint.goods_out_id.empty()) {
      return InvalidArgumentError(
          "record dispatch hint: the dedupe key and the goods-out id must not be empty");
    }
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kInsertDispatchHint, "record dispatch hint"));
    stmt->BindText(hint.dedupe_key);
    stmt->BindText(hint.goods_out_id);
    stmt->BindText(hint.source);
    stmt->BindTime(clock_->Now());
    RETURN_IF_ERROR(stmt->Run());
    return stmt->Changes() == 1;
  }

  Result<std::vector<PendingDispatchHint>> ListPendingDispatchHints(int limit) override {
    RETURN_IF_ERROR(CheckActive("list pending dispatch hints"));
    RETURN_IF_ERROR(CheckLimit(limit, "list pending dispatch hints"));
    ASSIGN_OR_RETURN(
        auto stmt, connection_->Prepare(kListPendingDispatchHints, "list pending dispatch hints"));
    stmt->BindInt(limit);
    return ReadAll<PendingDispatchHint>(*stmt, ReadDispatchHint);
  }

  Status MarkDispatchHintsProcessed(std::string_view goods_out_id, std::int64_t up_to_id) override {
    RETURN_IF_ERROR(CheckActive("mark dispatch hints processed"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kMarkDispatchHintsProcessed,
                                                     "mark dispatch hints processed"));
    stmt->BindText(goods_out_id);
    stmt->BindInt(up_to_id);
    stmt->BindTime(clock_->Now());
    return stmt->Run();
  }

  Result<std::int64_t> PurgeProcessedDispatchHints(TimePoint before) override {
    RETURN_IF_ERROR(CheckActive("purge dispatch hints"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kPurgeDispatchHints, "purge dispatch hints"));
    stmt->BindTime(before);
    RETURN_IF_ERROR(stmt->Run());
    return stmt->Changes();
  }

  // Stock.

  Status UpsertStockLevel(const domain::StockLevel& level) override {
    RETURN_IF_ERROR(CheckActive("upsert stock level"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kUpsertStockLevel, "upsert stock level"));
    stmt->BindText(level->sku);
    stmt->BindInt(level->available);
    stmt->BindTime(level->observed_at);
    stmt->BindTime(clock_->Now());
    return stmt->Run();
  }

  Status UpsertStockLevels(const std::vector<domain::StockLevel>& levels) override {
    RETURN_IF_ERROR(CheckActive("upsert stock levels"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kUpsertStockLevel, "upsert stock levels"));
    const TimePoint now = clock_->Now();
    for (const auto& level : levels) {
      stmt->BindText(level->sku);
      stmt->BindInt(level->available);
      stmt->BindTime(level->observed_at);
      stmt->BindTime(now);
      RETURN_IF_ERROR(stmt->Run());
      stmt->Reset();
    }
    return Status::Ok();
  }

  Result<domain::StockLevel> GetStockLevel(std::string_view sku) override {
    RETURN_IF_ERROR(CheckActive("get stock level"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kSelectStockLevel, "get stock level"));
    stmt->BindText(sku);
    ASSIGN_OR_RETURN(auto level, ReadOptional<domain::StockLevel>(*stmt, ReadStockLevel));
    if (!level) {
      return NotFoundError(fmt::format("no stock level for SKU '{}'", sku));
    }
    return std::move(*level);
  }

  Result<std::vector<domain::StockLevel>> ListStockLevels() override {
    RETURN_IF_ERROR(CheckActive("list stock levels"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kListStockLevels, "list stock levels"));
    return ReadAll<domain::StockLevel>(*stmt, ReadStockLevel);
  }

  Status RecordStockPublication(const StockPublication& publication) override {
    RETURN_IF_ERROR(CheckActive("record stock publication"));
    if (!domain::IsValidSku(publication.sku)) {
      return InvalidArgumentError(
          fmt::format("record stock publication: invalid SKU '{}'", publication.sku));
    }
    ASSIGN_OR_RETURN(auto stmt,
                     connection_->Prepare(kInsertStockPublication, "record stock publication"));
    BindStockPublication(*stmt, publication);
    return stmt->Run();
  }

  Status RecordStockPublications(const std::vector<StockPublication>& publications) override {
    RETURN_IF_ERROR(CheckActive("record stock publications"));
    // Every SKU is checked before the first insert, so that a bad one leaves
    // nothing behind.
    for (const auto& publication : publications) {
      if (!domain::IsValidSku(publication.sku)) {
        return InvalidArgumentError(
            fmt::format("record stock publications: invalid SKU '{}'", publication.sku));
      }
    }
    ASSIGN_OR_RETURN(auto stmt,
                     connection_->Prepare(kInsertStockPublication, "record stock publications"));
    for (const auto& publication : publications) {
      BindStockPublication(*stmt, publication);
      RETURN_IF_ERROR(stmt->Run());
      stmt->Reset();
    }
    return Status::Ok();
  }

  Result<std::optional<StockPublication>> FindLatestStockPublication(
      std::string_view sku) override {
    RETURN_IF_ERROR(CheckActive("find latest stock publication"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kSelectLatestStockPublication,
                                                     "find latest stock publication"));
    stmt->BindText(sku);
    return ReadOptional<StockPublication>(*stmt, ReadStockPublication);
  }

  Result<std::vector<StockPublication>> ListLatestStockPublications() override {
    RETURN_IF_ERROR(CheckActive("list latest stock publications"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kListLatestStockPublications,
                                                     "list latest stock publications"));
    return ReadAll<StockPublication>(*stmt, ReadStockPublication);
  }

  Result<std::int64_t> PurgeStockPublications(TimePoint before) override {
    RETURN_IF_ERROR(CheckActive("purge stock publications"));
    ASSIGN_OR_RETURN(auto stmt,
                     connection_->Prepare(kPurgeStockPublications, "purge stock publications"));
    stmt->BindTime(before);
    RETURN_IF_ERROR(stmt->Run());
    return stmt->Changes();
  }

  Status RecordStockFeed(const StockFeed& feed) override {
    RETURN_IF_ERROR(CheckActive("record stock feed"));
    if (feed.feed_id.empty()) {
      return InvalidArgumentError("record stock feed: the feed id must not be empty");
    }
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kInsertStockFeed, "record stock feed"));
    stmt->BindText(feed.feed_id);
    stmt->BindTime(feed.submitted_at);
    stmt->BindText(feed.status);
    stmt->BindInt(feed.messages);
    stmt->BindOptionalTime(feed.finished_at);
    stmt->BindText(feed.problem);
    stmt->BindText(feed.content);
    RETURN_IF_ERROR(stmt->Run());
    if (stmt->Changes() == 0) {
      return AlreadyExistsError(fmt::format("stock feed '{}' is already recorded", feed.feed_id));
    }
    return Status::Ok();
  }

  Status UpdateStockFeed(const StockFeed& feed) override {
    RETURN_IF_ERROR(CheckActive("update stock feed"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kUpdateStockFeed, "update stock feed"));
    stmt->BindText(feed.feed_id);
    stmt->BindText(feed.status);
    stmt->BindOptionalTime(feed.finished_at);
    stmt->BindText(feed.problem);
    RETURN_IF_ERROR(stmt->Run());
    if (stmt->Changes() == 0) {
      return NotFoundError(fmt::format("stock feed '{}' is not recorded", feed.feed_id));
    }
    return Status::Ok();
  }

  Result<std::vector<StockFeed>> ListOpenStockFeeds() override {
    RETURN_IF_ERROR(CheckActive("list open stock feeds"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kListOpenStockFeeds, "list open stock feeds"));
    return ReadAll<StockFeed>(*stmt, ReadStockFeed);
  }

  Result<std::vector<StockFeed>> ListStockFeeds(TimePoint since) override {
    RETURN_IF_ERROR(CheckActive("list stock feeds"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kListStockFeeds, "list stock feeds"));
    stmt->BindTime(since);
    return ReadAll<StockFeed>(*stmt, ReadStockFeed);
  }

  Status RecordStockCheck(const StockCheck& check) override {
    RETURN_IF_ERROR(CheckActive("record stock check"));
    if (!domain::IsValidSku(check.sku)) {
      return InvalidArgumentError(fmt::format("record stock check: invalid SKU '{}'", check.sku));
    }
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kInsertStockCheck, "record stock check"));
    stmt->BindText(check.sku);
    stmt->BindText(check.marketplace_id);
    stmt->BindTime(check.checked_at);
    stmt->BindInt(check.expected);
    if (check.seen) {
      stmt->BindInt(*check.seen);
    } else {
      stmt->BindNull();
    }
    stmt->BindBool(check.drifted);
    return stmt->Run();
  }

  Result<std::vector<StockCheck>> ListStockChecks(TimePoint since, bool drifted_only) override {
    RETURN_IF_ERROR(CheckActive("list stock checks"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kListStockChecks, "list stock checks"));
    stmt->BindTime(since);
    stmt->BindBool(drifted_only);
    return ReadAll<StockCheck>(*stmt, ReadStockCheck);
  }

  Result<std::int64_t> PurgeStockChecks(TimePoint before) override {
    RETURN_IF_ERROR(CheckActive("purge stock checks"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kPurgeStockChecks, "purge stock checks"));
    stmt->BindTime(before);
    RETURN_IF_ERROR(stmt->Run());
    return stmt->Changes();
  }

  Result<std::map<std::string, std::int64_t>> CountUnitsOrderedBySku(TimePoint since) override {
    RETURN_IF_ERROR(CheckActive("count units ordered"));
    ASSIGN_OR_RETURN(auto stmt,
                     connection_->Prepare(kCountUnitsOrderedBySku, "count units ordered"));
    stmt->BindTime(since);
    std::map<std::string, std::int64_t> units;
    while (true) {
      ASSIGN_OR_RETURN(const bool more, stmt->Step());
      if (!more) {
        return units;
      }
      units[stmt->Text(0)] = stmt->Int(1);
    }
  }

  // Ship-method mappings.

  Status PutShipMethodMapping(const domain::ShipMethodMapping& mapping) override {
    RETURN_IF_ERROR(CheckActive("put ship-method mapping"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kPutMapping, "put ship-method mapping"));
    stmt->BindText(mapping->marketplace_id);
    stmt->BindText(mapping->ship_service_level);
    stmt->BindText(mapping->automated_carrier);
    stmt->BindText(mapping->automated_ship_method);
    stmt->BindBool(mapping->is_prime);
    stmt->BindText(mapping->clarus_carrier);
    stmt->BindText(mapping->clarus_service);
    stmt->BindText(mapping->amazon_carrier_code);
    stmt->BindText(mapping->amazon_carrier_name);
    stmt->BindText(mapping->amazon_shipping_method);
    stmt->BindTime(clock_->Now());
    return stmt->Run();
  }

  Status DeleteShipMethodMapping(const ShipMethodKey& key) override {
    RETURN_IF_ERROR(CheckActive("delete ship-method mapping"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kDeleteMapping, "delete ship-method mapping"));
    BindKey(*stmt, key);
    RETURN_IF_ERROR(stmt->Run());
    if (stmt->Changes() == 0) {
      return NotFoundError(fmt::format("no ship-method mapping for {} / {} / {} {} / {}",
                                       key.marketplace_id, key.ship_service_level,
                                       key.automated_carrier, key.automated_ship_method,
                                       key.is_prime ? "prime" : "standard"));
    }
    return Status::Ok();
  }

  Result<std::vector<domain::ShipMethodMapping>> ListShipMethodMappings() override {
    RETURN_IF_ERROR(CheckActive("list ship-method mappings"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kListMappings, "list ship-method mappings"));
    return ReadAll<domain::ShipMethodMapping>(*stmt, ReadMapping);
  }

  Result<std::optional<domain::ShipMethodMapping>> FindShipMethodMapping(
      const ShipMethodKey& order_key) override {
    RETURN_IF_ERROR(CheckActive("find ship-method mapping"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kFindMapping, "find ship-method mapping"));
    stmt->BindText(order_key.marketplace_id);
    stmt->BindBool(order_key.is_prime);
    stmt->BindText(order_key.automated_carrier);
    stmt->BindText(order_key.automated_ship_method);
    stmt->BindText(order_key.ship_service_level);
    return ReadOptional<domain::ShipMethodMapping>(*stmt, ReadMapping);
  }

  // Exceptions.

  Result<std::int64_t> HoldException(const ExceptionHold& hold) override {
    RETURN_IF_ERROR(CheckActive("hold exception"));
    if (hold.kind.empty() || hold.subject_id.empty()) {
      return InvalidArgumentError("hold exception: kind and subject id must not be empty");
    }
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kHoldException, "hold exception"));
    stmt->BindText(hold.kind);
    stmt->BindText(hold.subject_id);
    stmt->BindText(hold.reason);
    stmt->BindText(hold.suggested_fix);
    stmt->BindTime(clock_->Now());
    ASSIGN_OR_RETURN(const bool row, stmt->Step());
    if (!row) {
      return InternalError("sqlite: hold exception: no id returned");
    }
    const std::int64_t id = stmt->Int(0);
    // RETURNING yields its row before the statement is complete; finish it so
    // that the write is done when this returns.
    ASSIGN_OR_RETURN(const bool more, stmt->Step());
    if (more) {
      return InternalError("sqlite: hold exception: more than one row returned");
    }
    return id;
  }

  Status ResolveException(std::int64_t id, std::string_view resolved_by,
                          std::string_view note) override {
    RETURN_IF_ERROR(CheckActive("resolve exception"));
    ASSIGN_OR_RETURN(const HeldException held, GetException(id));
    if (!held.IsOpen()) {
      return FailedPreconditionError(
          fmt::format("exception {} is already resolved by '{}'", id, held.resolved_by));
    }
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kResolveException, "resolve exception"));
    stmt->BindInt(id);
    stmt->BindTime(clock_->Now());
    stmt->BindText(resolved_by);
    stmt->BindText(note);
    return stmt->Run();
  }

  Result<HeldException> GetException(std::int64_t id) override {
    RETURN_IF_ERROR(CheckActive("get exception"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kSelectException, "get exception"));
    stmt->BindInt(id);
    ASSIGN_OR_RETURN(auto held, ReadOptional<HeldException>(*stmt, ReadException));
    if (!held) {
      return NotFoundError(fmt::format("exception {} does not exist", id));
    }
    return std::move(*held);
  }

  Result<std::optional<HeldException>> FindException(std::string_view kind,
                                                     std::string_view subject_id) override {
    RETURN_IF_ERROR(CheckActive("find exception"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kFindException, "find exception"));
    stmt->BindText(kind);
    stmt->BindText(subject_id);
    return ReadOptional<HeldException>(*stmt, ReadException);
  }

  Result<std::vector<HeldException>> ListExceptions(const ExceptionFilter& filter) override {
    RETURN_IF_ERROR(CheckActive("list exceptions"));
    RETURN_IF_ERROR(CheckLimit(filter.limit, "list exceptions"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kListExceptions, "list exceptions"));
    stmt->BindBool(filter.open_only);
    stmt->BindOptionalText(filter.kind);
    stmt->BindInt(filter.limit);
    stmt->BindOptionalText(filter.subject_id);
    return ReadAll<HeldException>(*stmt, ReadException);
  }

  // Audit log.

  Result<std::int64_t> AppendAudit(const NewAuditEntry& entry) override {
    RETURN_IF_ERROR(CheckActive("append audit entry"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kAppendAudit, "append audit entry"));
    stmt->BindTime(entry.at);
    stmt->BindText(entry.actor);
    stmt->BindText(entry.action);
    stmt->BindText(entry.subject);
    stmt->BindText(entry.details);
    RETURN_IF_ERROR(stmt->Run());
    return connection_->LastInsertId();
  }

  Result<std::vector<AuditEntry>> ListAudit(const AuditQuery& query) override {
    RETURN_IF_ERROR(CheckActive("list audit log"));
    RETURN_IF_ERROR(CheckLimit(query.limit, "list audit log"));
    if (query.after_id) {
      ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kListAuditAfter, "list audit log"));
      stmt->BindInt(*query.after_id);
      stmt->BindInt(query.limit);
      stmt->BindOptionalText(query.subject);
      return ReadAll<AuditEntry>(*stmt, ReadAudit);
    }
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kListAuditNewest, "list audit log"));
    stmt->BindInt(query.limit);
    stmt->BindOptionalText(query.subject);
    return ReadAll<AuditEntry>(*stmt, ReadAudit);
  }

  // API tokens.

  Result<std::int64_t> CreateApiToken(const ApiToken& token) override {
    RETURN_IF_ERROR(CheckActive("create api token"));
    if (token.name.empty() || token.role.empty() || token.token_hash.empty()) {
      return InvalidArgumentError("create api token: the name, role and hash must not be empty");
    }
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kInsertApiToken, "create api token"));
    stmt->BindText(token.name);
    stmt->BindText(token.role);
    stmt->BindText(token.token_hash);
    stmt->BindTime(clock_->Now());
    stmt->BindText(token.created_by);
    RETURN_IF_ERROR(stmt->Run());
    if (stmt->Changes() == 0) {
      return AlreadyExistsError("create api token: a token with the same hash exists");
    }
    return connection_->LastInsertId();
  }

  Result<std::optional<ApiToken>> FindApiTokenByHash(std::string_view token_hash) override {
    RETURN_IF_ERROR(CheckActive("find api token"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kFindApiTokenByHash, "find api token"));
    stmt->BindText(token_hash);
    return ReadOptional<ApiToken>(*stmt, ReadApiToken);
  }

  Result<std::vector<ApiToken>> ListApiTokens() override {
    RETURN_IF_ERROR(CheckActive("list api tokens"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kListApiTokens, "list api tokens"));
    return ReadAll<ApiToken>(*stmt, ReadApiToken);
  }

  Status RevokeApiToken(std::int64_t id) override {
    RETURN_IF_ERROR(CheckActive("revoke api token"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kRevokeApiToken, "revoke api token"));
    stmt->BindInt(id);
    stmt->BindTime(clock_->Now());
    RETURN_IF_ERROR(stmt->Run());
    if (stmt->Changes() == 1) {
      return Status::Ok();
    }
    ASSIGN_OR_RETURN(auto find, connection_->Prepare(kFindApiTokenById, "revoke api token"));
    find->BindInt(id);
    ASSIGN_OR_RETURN(std::optional<ApiToken> token, ReadOptional<ApiToken>(*find, ReadApiToken));
    if (!token.has_value()) {
      return NotFoundError(fmt::format("revoke api token: no token {}", id));
    }
    return FailedPreconditionError(
        fmt::format("revoke api token: token {} was already revoked", id));
  }

  Status TouchApiToken(std::int64_t id) override {
    RETURN_IF_ERROR(CheckActive("touch api token"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kTouchApiToken, "touch api token"));
    stmt->BindInt(id);
    stmt->BindTime(clock_->Now());
    return stmt->Run();
  }

  Result<std::vector<std::pair<TimePoint, TimePoint>>> ListOrderReleaseTimings(
      TimePoint since) override {
    RETURN_IF_ERROR(CheckActive("list order release timings"));
    ASSIGN_OR_RETURN(auto stmt,
                     connection_->Prepare(kListOrderReleaseTimings, "list order release timings"));
    stmt->BindTime(since);
    return ReadAll<std::pair<TimePoint, TimePoint>>(
        *stmt, [](Statement& row) -> Result<std::pair<TimePoint, TimePoint>> {
          std::pair<TimePoint, TimePoint> out{row.Time(0), row.Time(1)};
          RETURN_IF_ERROR(row.ColumnStatus());
          return out;
        });
  }

  // Schema.

  Result<std::vector<AppliedMigration>> ListAppliedMigrations() override {
    RETURN_IF_ERROR(CheckActive("list migrations"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kListMigrations, "list migrations"));
    return ReadAll<AppliedMigration>(*stmt, [](Statement& row) -> Result<AppliedMigration> {
      AppliedMigration out{
          .version = static_cast<int>(row.Int(0)), .name = row.Text(1), .applied_at = row.Time(2)};
      RETURN_IF_ERROR(row.ColumnStatus());
      return out;
    });
  }

  // Settlements and finance.

  Result<bool> AddSettlementReport(const SettlementReport& report) override {
    RETURN_IF_ERROR(CheckActive("add settlement report"));
    if (report.report_id.empty()) {
      return InvalidArgumentError("add settlement report: the report id must not be empty");
    }
    ASSIGN_OR_RETURN(auto stmt,
                     connection_->Prepare(kInsertSettlementReport, "add settlement report"));
    stmt->BindText(report.report_id);
    stmt->BindText(report.document_id);
    stmt->BindText(report.marketplace_id);
    stmt->BindTime(report.created_time);
    stmt->BindBlob(report.document);
    stmt->BindTime(clock_->Now());
    BindSettlementOutcome(*stmt, report);
    RETURN_IF_ERROR(stmt->Run());
    return stmt->Changes() == 1;
  }

  Result<std::optional<SettlementReport>> FindSettlementReport(
      std::string_view report_id) override {
    RETURN_IF_ERROR(CheckActive("find settlement report"));
    ASSIGN_OR_RETURN(auto stmt,
                     connection_->Prepare(kFindSettlementReport, "find settlement report"));
    stmt->BindText(report_id);
    return ReadOptional<SettlementReport>(*stmt, ReadSettlementReport);
  }

  Result<std::vector<SettlementReport>> ListSettlementReports(
      const SettlementReportFilter& filter) override {
    RETURN_IF_ERROR(CheckActive("list settlement reports"));
    RETURN_IF_ERROR(CheckLimit(filter.limit, "list settlement reports"));
    ASSIGN_OR_RETURN(auto stmt,
                     connection_->Prepare(kListSettlementReports, "list settlement reports"));
    filter.state ? stmt->BindText(SettlementStateName(*filter.state)) : stmt->BindNull();
    stmt->BindOptionalTime(filter.created_since);
    stmt->BindInt(filter.limit);
    return ReadAll<SettlementReport>(*stmt, ReadSettlementReport);
  }

  Status UpdateSettlementOutcome(const SettlementReport& report) override {
    RETURN_IF_ERROR(CheckActive("update settlement outcome"));
    ASSIGN_OR_RETURN(auto stmt,
                     connection_->Prepare(kUpdateSettlementOutcome, "update settlement outcome"));
    stmt->BindText(report.report_id);
    BindSettlementOutcome(*stmt, report);
    RETURN_IF_ERROR(stmt->Run());
    if (stmt->Changes() == 0) {
      return NotFoundError(
          fmt::format("update settlement outcome: no settlement report {}", report.report_id));
    }
    return Status::Ok();
  }

  Result<std::vector<FinanceAccountRule>> ListFinanceAccountRules() override {
    RETURN_IF_ERROR(CheckActive("list finance account rules"));
    ASSIGN_OR_RETURN(auto stmt,
                     connection_->Prepare(kListFinanceAccountRules, "list finance account rules"));
    return ReadAll<FinanceAccountRule>(*stmt, ReadFinanceAccountRule);
  }

  Status ReplaceFinanceAccountRules(const std::vector<FinanceAccountRule>& rules) override {
    RETURN_IF_ERROR(CheckActive("replace finance account rules"));
    ASSIGN_OR_RETURN(auto clear, connection_->Prepare(kDeleteFinanceAccountRules,
                                                      "replace finance account rules"));
    RETURN_IF_ERROR(clear->Run());
    ASSIGN_OR_RETURN(auto insert, connection_->Prepare(kInsertFinanceAccountRule,
                                                       "replace finance account rules"));
    for (const FinanceAccountRule& rule : rules) {
      insert->Reset();
      insert->BindText(rule.transaction_type);
      insert->BindText(rule.amount_type);
      insert->BindText(rule.amount_description);
      insert->BindText(rule.account_code);
      insert->BindText(rule.account_name);
      RETURN_IF_ERROR(insert->Run());
      if (insert->Changes() == 0) {
        return InvalidArgumentError(
            fmt::format("replace finance account rules: '{} / {} / {}' is given twice",
                        rule.transaction_type, rule.amount_type, rule.amount_description));
      }
    }
    return Status::Ok();
  }

  Result<std::optional<JournalPosting>> FindJournalPosting(std::string_view settlement_id,
                                                           std::string_view period,
                                                           std::string_view sink) override {
    RETURN_IF_ERROR(CheckActive("find journal posting"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kFindJournalPosting, "find journal posting"));
    stmt->BindText(settlement_id);
    stmt->BindText(period);
    stmt->BindText(sink);
    return ReadOptional<JournalPosting>(*stmt, ReadJournalPosting);
  }

  Status PutJournalPosting(const JournalPosting& posting) override {
    RETURN_IF_ERROR(CheckActive("put journal posting"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kPutJournalPosting, "put journal posting"));
    stmt->BindText(posting.settlement_id);
    stmt->BindText(posting.period);
    stmt->BindText(posting.sink);
    stmt->BindBool(posting.posted);
    stmt->BindText(posting.external_id);
    stmt->BindText(posting.last_error);
    stmt->BindInt(posting.attempts);
    stmt->BindTime(clock_->Now());
    return stmt->Run();
  }

  Result<std::vector<JournalPosting>> ListJournalPostings(std::string_view settlement_id) override {
    RETURN_IF_ERROR(CheckActive("list journal postings"));
    ASSIGN_OR_RETURN(auto stmt,
                     connection_->Prepare(kListJournalPostings, "list journal postings"));
    stmt->BindText(settlement_id);
    return ReadAll<JournalPosting>(*stmt, ReadJournalPosting);
  }

  Result<bool> RecordReturnReceipt(const ReturnReceipt& receipt) override {
    RETURN_IF_ERROR(CheckActive("record return receipt"));
    if (receipt.amazon_order_id.empty()) {
      return InvalidArgumentError("record return receipt: the order id must not be empty");
    }
    ASSIGN_OR_RETURN(auto stmt,
                     connection_->Prepare(kInsertReturnReceipt, "record return receipt"));
    stmt->BindText(receipt.amazon_order_id);
    stmt->BindTime(receipt.received_at);
    stmt->BindText(receipt.source);
    RETURN_IF_ERROR(stmt->Run());
    return stmt->Changes() == 1;
  }

  Result<std::optional<ReturnReceipt>> FindReturnReceipt(
      std::string_view amazon_order_id) override {
    RETURN_IF_ERROR(CheckActive("find return receipt"));
    ASSIGN_OR_RETURN(auto stmt, connection_->Prepare(kFindReturnReceipt, "find return receipt"));
    stmt->BindText(amazon_order_id);
    return ReadOptional<ReturnReceipt>(*stmt, ReadReturnReceipt);
  }

  Status ExecuteSqlForTest(std::string_view sql) override {
    RETURN_IF_ERROR(CheckActive("execute sql"));
    return connection_->Exec(sql, "execute sql for test");
  }

 private:
  Status CheckActive(std::string_view operation) const {
    if (done_) {
      return FailedPreconditionError(
          fmt::format("{}: the transaction has already been committed", operation));
    }
    return Status::Ok();
  }

  static void BindStockPublication(Statement& stmt, const StockPublication& publication) {
    stmt.BindText(publication.sku);
    stmt.BindText(publication.marketplace_id);
    stmt.BindInt(publication.quantity);
    stmt.BindTime(publication.changed_at);
    stmt.BindTime(publication.published_at);
    stmt.BindText(publication.lane);
    stmt.BindText(publication.transport);
    stmt.BindText(publication.reference);
  }

  static void BindKey(Statement& stmt, const ShipMethodKey& key) {
    stmt.BindText(key.marketplace_id);
    stmt.BindText(key.ship_service_level);
    stmt.BindText(key.automated_carrier);
    stmt.BindText(key.automated_ship_method);
    stmt.BindBool(key.is_prime);
  }

  SqliteStore* store_;
  std::unique_ptr<Connection> connection_;
  Clock* clock_;
  bool done_ = false;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(std::string path, Clock* clock, size_t max_connections)
      : path_(std::move(path)), clock_(clock), max_connections_(max_connections) {}

  // Opens the first connection, migrates through it and keeps it for reuse.
  Status Init() {
    ASSIGN_OR_RETURN(auto connection, Connection::Open(path_));
    RETURN_IF_ERROR(Migrate(*connection, *clock_));
    std::lock_guard lock(mu_);
    ++open_connections_;
    idle_.push_back(std::move(connection));
    return Status::Ok();
  }

  Result<std::unique_ptr<Transaction>> Begin() override { return BeginMode(false); }
  Result<std::unique_ptr<Transaction>> BeginReadOnly() override { return BeginMode(true); }

  // Takes back a connection from an ended transaction. A connection left in
  // an unknown state (a failed rollback) is closed instead of reused.
  void Release(std::unique_ptr<Connection> connection, bool reusable) {
    {
      std::lock_guard lock(mu_);
      if (reusable) {
        idle_.push_back(std::move(connection));
      } else {
        --open_connections_;
      }
    }
    cv_.notify_one();
    // A discarded connection closes here, outside the lock.
  }

 private:
  Result<std::unique_ptr<Transaction>> BeginMode(bool read_only) {
    ASSIGN_OR_RETURN(auto connection, Acquire(read_only));
    // query_only makes SQLite refuse writes through this connection, which is
    // how a read-only transaction enforces its contract; BEGIN (deferred)
    // takes no write lock, so readers never wait for the writer under WAL.
    // Pooled connections move between modes, so every Begin checks it.
    Status status = connection->SetQueryOnly(read_only);
    if (status.ok()) {
      status = connection->Exec(read_only ? "BEGIN" : "BEGIN IMMEDIATE",
                                read_only ? "begin read-only transaction" : "begin transaction");
    }
    if (!status.ok()) {
      const bool reusable = !connection->InTransaction();
      Release(std::move(connection), reusable);
      return status;
    }
    return std::unique_ptr<Transaction>(
        std::make_unique<SqliteTransaction>(this, std::move(connection), clock_));
  }

  // Hands out an idle connection, opens a new one below the limit, or waits
  // for one to come back. The wait is on wall time, like SQLite's own busy
  // timeout, because it is about real contention, not the simulated clock.
  Result<std::unique_ptr<Connection>> Acquire(bool read_only) {
    {
      std::unique_lock lock(mu_);
      const bool available = cv_.wait_for(lock, std::chrono::milliseconds(kBusyTimeoutMs), [&] {
        return !idle_.empty() || open_connections_ < max_connections_;
      });
      if (!available) {
        return AbortedError(
            fmt::format("sqlite: begin transaction: all {} connections stayed busy for {} ms",
                        max_connections_, kBusyTimeoutMs));
      }
      if (!idle_.empty()) {
        // One already in the wanted mode saves a pragma and its re-prepares.
        auto it = std::find_if(idle_.rbegin(), idle_.rend(), [&](const auto& c) {
          return c->QueryOnly() == std::optional<bool>(read_only);
        });
        auto chosen = it == idle_.rend() ? std::prev(idle_.end()) : std::prev(it.base());
        auto connection = std::move(*chosen);
        idle_.erase(chosen);
        return connection;
      }
      ++open_connections_;
    }
    auto connection = Connection::Open(path_);
    if (!connection.ok()) {
      {
        std::lock_guard lock(mu_);
        --open_connections_;
      }
      cv_.notify_one();
    }
    return connection;
  }

  const std::string path_;
  Clock* const clock_;
  const size_t max_connections_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;  // Guarded by mu_.
  size_t open_connections_ = 0;                    // Guarded by mu_. Idle and in use.
};

SqliteTransaction::~SqliteTransaction() {
  bool reusable = true;
  if (connection_->InTransaction()) {
    reusable = connection_->Exec("ROLLBACK", "roll back").ok();
  }
  store_->Release(std::move(connection_), reusable);
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, Clock* clock) {
  // Every connection to ":memory:" is a database of its own, so an in-memory
  // store has exactly one.
  const size_t max_connections = path == ":memory:" ? 1 : kMaxConnections;
  auto store = std::make_unique<SqliteStore>(path, clock, max_connections);
  RETURN_IF_ERROR(store->Init());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace sellerbridge::store
