#include "store/migrations.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace sellerbridge::store {
namespace {

// Times are ISO 8601 UTC text with milliseconds (FormatIso8601): fixed width,
// so text order is time order and the file stays readable with the sqlite3
// shell. STRICT tables make SQLite refuse values of the wrong type.
constexpr std::array kSqliteMigrations = {
    Migration{
        .version = 1,
        .name = "initial schema",
        .sql = R"sql(
CREATE TABLE orders (
  amazon_order_id TEXT PRIMARY KEY,
  marketplace_id TEXT NOT NULL,
  status TEXT NOT NULL,
  purchase_date TEXT NOT NULL,
  last_update_date TEXT NOT NULL,
  earliest_ship_date TEXT,
  latest_ship_date TEXT,
  ship_service_level TEXT NOT NULL,
  automated_carrier TEXT NOT NULL,
  automated_ship_method TEXT NOT NULL,
  is_prime INTEGER NOT NULL,
  is_business INTEGER NOT NULL,
  shipping_address TEXT,
  sync_state TEXT NOT NULL,
  clarus_goods_out_id TEXT NOT NULL,
  sync_updated_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX orders_by_updated_at ON orders (updated_at, amazon_order_id);
CREATE INDEX orders_by_sync_state ON orders (sync_state, sync_updated_at);

CREATE TABLE order_lines (
  amazon_order_id TEXT NOT NULL REFERENCES orders (amazon_order_id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  order_item_id TEXT NOT NULL,
  sku TEXT NOT NULL,
  quantity_ordered INTEGER NOT NULL,
  quantity_shipped INTEGER NOT NULL,
  item_price_minor INTEGER,
  item_price_currency TEXT,
  PRIMARY KEY (amazon_order_id, position),
  UNIQUE (amazon_order_id, order_item_id)
) STRICT;

CREATE TABLE watermarks (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE confirmation_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  idempotency_key TEXT NOT NULL UNIQUE,
  amazon_order_id TEXT NOT NULL,
  package_reference_id TEXT NOT NULL,
  marketplace_id TEXT NOT NULL,
  parcel TEXT NOT NULL,
  deadline TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at TEXT NOT NULL,
  last_error TEXT NOT NULL,
  created_at TEXT NOT NULL,
  accepted_at TEXT,
  verified_at TEXT
) STRICT;
CREATE INDEX confirmation_outbox_due ON confirmation_outbox (state, next_attempt_at);
CREATE INDEX confirmation_outbox_by_order ON confirmation_outbox (amazon_order_id);

CREATE TABLE stock_levels (
  sku TEXT PRIMARY KEY,
  available INTEGER NOT NULL,
  observed_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE stock_publications (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  sku TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  published_at TEXT NOT NULL,
  lane TEXT NOT NULL,
  transport TEXT NOT NULL,
  reference TEXT NOT NULL
) STRICT;
CREATE INDEX stock_publications_latest ON stock_publications (sku, published_at, id);

CREATE TABLE ship_method_mappings (
  marketplace_id TEXT NOT NULL,
  ship_service_level TEXT NOT NULL,
  automated_carrier TEXT NOT NULL,
  automated_ship_method TEXT NOT NULL,
  is_prime INTEGER NOT NULL,
  clarus_carrier TEXT NOT NULL,
  clarus_service TEXT NOT NULL,
  amazon_carrier_code TEXT NOT NULL,
  amazon_carrier_name TEXT NOT NULL,
  amazon_shipping_method TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (marketplace_id, ship_service_level, automated_carrier, automated_ship_method,
               is_prime)
) STRICT;

CREATE TABLE exceptions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  suggested_fix TEXT NOT NULL,
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  resolved_at TEXT,
  resolved_by TEXT NOT NULL,
  resolution_note TEXT NOT NULL,
  UNIQUE (kind, subject_id)
) STRICT;
CREATE INDEX exceptions_open ON exceptions (resolved_at, kind, first_seen);

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  details TEXT NOT NULL
) STRICT;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
)sql",
    },
    Migration{
        .version = 2,
        .name = "delivery promise, labels bought on Amazon, quarantined orders",
        .sql = R"sql(
ALTER TABLE orders ADD COLUMN latest_delivery_date TEXT;

CREATE TABLE order_labels (
  amazon_order_id TEXT PRIMARY KEY REFERENCES orders (amazon_order_id) ON DELETE CASCADE,
  state TEXT NOT NULL,
  shipment_id TEXT NOT NULL,
  tracking_id TEXT NOT NULL,
  carrier_name TEXT NOT NULL,
  service_id TEXT NOT NULL,
  service_name TEXT NOT NULL,
  label_format TEXT NOT NULL,
  file_type TEXT NOT NULL,
  contents TEXT,
  clarus_shipment_id TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE quarantined_orders (
  subject_id TEXT PRIMARY KEY,
  problem TEXT NOT NULL,
  document TEXT,
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL
) STRICT;
CREATE INDEX quarantined_orders_by_first_seen ON quarantined_orders (first_seen, subject_id);
)sql",
    },
    Migration{
        .version = 3,
        .name = "dispatch hints, confirmation transports and feeds",
        .sql = R"sql(
ALTER TABLE confirmation_outbox ADD COLUMN clarus_shipment_id TEXT NOT NULL DEFAULT '';
ALTER TABLE confirmation_outbox ADD COLUMN transport TEXT NOT NULL DEFAULT 'api';
ALTER TABLE confirmation_outbox ADD COLUMN feed_id TEXT NOT NULL DEFAULT '';
ALTER TABLE confirmation_outbox ADD COLUMN resends INTEGER NOT NULL DEFAULT 0;
CREATE INDEX confirmation_outbox_by_deadline ON confirmation_outbox (deadline, id);
CREATE INDEX confirmation_outbox_by_created ON confirmation_outbox (created_at);

CREATE TABLE dispatch_hints (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  dedupe_key TEXT NOT NULL UNIQUE,
  goods_out_id TEXT NOT NULL,
  source TEXT NOT NULL,
  received_at TEXT NOT NULL,
  processed_at TEXT
) STRICT;
CREATE INDEX dispatch_hints_pending ON dispatch_hints (processed_at, id);
CREATE INDEX dispatch_hints_by_goods_out ON dispatch_hints (goods_out_id, id);
)sql",
    },
    Migration{
        .version = 4,
        .name = "stock publications per marketplace, stock feeds and checks",
        .sql = R"sql(
ALTER TABLE stock_publications ADD COLUMN marketplace_id TEXT NOT NULL DEFAULT '';
ALTER TABLE stock_publications ADD COLUMN changed_at TEXT;
DROP INDEX stock_publications_latest;
CREATE INDEX stock_publications_latest
  ON stock_publications (sku, marketplace_id, published_at, id);

CREATE TABLE stock_feeds (
  feed_id TEXT PRIMARY KEY,
  submitted_at TEXT NOT NULL,
  status TEXT NOT NULL,
  messages INTEGER NOT NULL,
  finished_at TEXT,
  problem TEXT NOT NULL,
  content TEXT NOT NULL
) STRICT;
CREATE INDEX stock_feeds_by_submitted ON stock_feeds (submitted_at, feed_id);
CREATE INDEX stock_feeds_open ON stock_feeds (submitted_at, feed_id) WHERE finished_at IS NULL;

CREATE TABLE stock_checks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  sku TEXT NOT NULL,
  marketplace_id TEXT NOT NULL,
  checked_at TEXT NOT NULL,
  expected INTEGER NOT NULL,
  seen INTEGER,
  drifted INTEGER NOT NULL
) STRICT;
CREATE INDEX stock_checks_by_checked ON stock_checks (checked_at, id);

CREATE INDEX orders_by_purchase_date ON orders (purchase_date);
)sql",
    },
    Migration{
        .version = 5,
        .name = "API tokens with roles, stored hashed; audit log and exceptions by subject",
        .sql = R"sql(
CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  last_used_at TEXT,
  revoked_at TEXT
) STRICT;

CREATE INDEX audit_log_by_subject ON audit_log (subject, id);
CREATE INDEX audit_log_by_action ON audit_log (action, at);
CREATE INDEX exceptions_by_subject ON exceptions (subject_id, first_seen);
)sql",
    },
    Migration{
        .version = 6,
        .name = "Settlement reports, finance account rules, journal postings, returns",
        .sql = R"sql(
CREATE TABLE settlement_reports (
  report_id TEXT PRIMARY KEY,
  document_id TEXT NOT NULL,
  marketplace_id TEXT NOT NULL,
  created_time TEXT NOT NULL,
  document BLOB NOT NULL,
  fetched_at TEXT NOT NULL,
  state TEXT NOT NULL,
  settlement_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  total_minor INTEGER NOT NULL,
  start_date TEXT,
  end_date TEXT,
  deposit_date TEXT,
  difference_minor INTEGER NOT NULL,
  problems TEXT NOT NULL,
  journals TEXT NOT NULL,
  parsed_at TEXT
) STRICT;
CREATE INDEX settlement_reports_by_created ON settlement_reports (created_time);
CREATE INDEX settlement_reports_by_state ON settlement_reports (state, created_time);

CREATE TABLE finance_account_rules (
  transaction_type TEXT NOT NULL,
  amount_type TEXT NOT NULL,
  amount_description TEXT NOT NULL,
  account_code TEXT NOT NULL,
  account_name TEXT NOT NULL,
  PRIMARY KEY (transaction_type, amount_type, amount_description)
) STRICT;

CREATE TABLE journal_postings (
  settlement_id TEXT NOT NULL,
  period TEXT NOT NULL,
  sink TEXT NOT NULL,
  posted INTEGER NOT NULL,
  external_id TEXT NOT NULL,
  last_error TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (settlement_id, period, sink)
) STRICT;

CREATE TABLE return_receipts (
  amazon_order_id TEXT PRIMARY KEY,
  received_at TEXT NOT NULL,
  source TEXT NOT NULL
) STRICT;
)sql",
    },
};

}  // namespace

std::span<const Migration> SqliteMigrations() { return kSqliteMigrations; }

Result<std::vector<Migration>> PendingMigrations(std::span<const Migration> known,
                                                 std::span<const int> applied) {
  for (size_t i = 0; i < known.size(); ++i) {
    if (known[i].version != static_cast<int>(i) + 1) {
      return InternalError(fmt::format("migration '{}' has version {}, expected {}", known[i].name,
                                       known[i].version, i + 1));
    }
  }
  for (const int version : applied) {
    if (version < 1) {
      return DataLossError(
          fmt::format("the database records unknown schema migration {}", version));
    }
    if (version > static_cast<int>(known.size())) {
      return FailedPreconditionError(fmt::format(
          "the database has schema migration {}, but this sellerbridge knows only up to {}; "
          "it was written by a newer version",
          version, known.size()));
    }
  }
  std::vector<Migration> pending;
  for (const Migration& migration : known) {
    if (std::find(applied.begin(), applied.end(), migration.version) == applied.end()) {
      pending.push_back(migration);
    }
  }
  return pending;
}

}  // namespace sellerbridge::store
