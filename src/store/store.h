#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "domain/dispatch.h"
#include "domain/order.h"
#include "domain/ship_method_mapping.h"
#include "domain/stock.h"

// The durable state of sellerbridge behind one interface, implemented by one
// backend per folder (store/sqlite/, later store/postgres/) and checked by one
// conformance suite (store/store_conformance.h).
//
// Conventions shared by every operation:
// - Times are stored in UTC with millisecond precision; sub-millisecond parts
//   are dropped. Stamps such as updated_at come from the Store's Clock.
// - `Get…` returns NotFound when the row does not exist; `Find…` returns an
//   empty optional, for lookups where absence is ordinary.
// - A busy or locked database surfaces as Aborted (retry the whole
//   transaction), unreadable stored data as DataLoss, and any other backend
//   failure as Internal, each with a message naming the operation.
// - Buyer personal data (shipping addresses) never appears in a Status
//   message.
namespace sellerbridge::store {

// Where an order stands in our own flow, independent of Amazon's status.
enum class SyncState {
  kNew,           // Imported, not yet validated or sent.
  kHeld,          // Held for a person (see the exceptions).
  kSentToClarus,  // A Clarus goods-out exists.
  // Amazon changed the order (cancelled, new address) after its goods-out
  // was created; the goods-out must follow.
  kUpdatePending,
  kCancelled,   // Cancelled before dispatch.
  kDispatched,  // Clarus dispatched it; confirmations are in the outbox.
  kClosed,      // Nothing more to do.
};

// "New", "Held", "SentToClarus", "UpdatePending", "Cancelled", "Dispatched",
// "Closed".
std::string_view SyncStateName(SyncState state);
// Parses a name SyncStateName returns; InvalidArgument otherwise.
Result<SyncState> ParseSyncState(std::string_view name);

struct OrderSyncState {
  SyncState state = SyncState::kNew;
  std::string clarus_goods_out_id;  // Empty until a goods-out exists.
  TimePoint updated_at;             // When state or goods-out id last changed.

  friend bool operator==(const OrderSyncState&, const OrderSyncState&) = default;
};

// An order as stored: the order itself (lines included) and our sync state.
struct StoredOrder {
  domain::Order order;
  OrderSyncState sync;
  TimePoint updated_at;  // When the order or its sync state last changed.
};

// Which orders ListOrders returns. Unset fields do not filter.
struct OrderFilter {
  std::optional<SyncState> sync_state;
  std::optional<domain::OrderStatus> status;  // Amazon's status.
  std::optional<TimePoint> updated_since;     // StoredOrder::updated_at >= this.
  int limit = 100;                            // At most this many; must be positive.
};

// A named value kept between runs: a timestamp (FormatIso8601) or an opaque
// cursor.
struct Watermark {
  std::string name;
  std::string value;
  TimePoint updated_at;

  friend bool operator==(const Watermark&, const Watermark&) = default;
};

// The life of a shipment confirmation in the outbox.
enum class ConfirmationState {
  kPending,   // Waiting for next_attempt_at.
  kSending,   // Handed to Amazon; the outcome is not recorded yet.
  kAccepted,  // Amazon accepted it.
  kVerified,  // Reading the order back showed the shipment.
  kFailed,    // A permanent error, held for a person.
};

// "Pending", "Sending", "Accepted", "Verified", "Failed".
std::string_view ConfirmationStateName(ConfirmationState state);
// Parses a name ConfirmationStateName returns; InvalidArgument otherwise.
Result<ConfirmationState> ParseConfirmationState(std::string_view name);

// How a confirmation reaches Amazon.
enum class ConfirmationTransport {
  kApi,    // confirmShipment, one package per call.
  kFeed,   // A POST_ORDER_FULFILLMENT_DATA feed, with others.
  kLabel,  // Nothing to send: the label bought on Amazon shipped the order;
           // the entry only verifies that Amazon shows it.
};

// "api", "feed", "label".
std::string_view ConfirmationTransportName(ConfirmationTransport transport);
// Parses a name ConfirmationTransportName returns; InvalidArgument otherwise.
Result<ConfirmationTransport> ParseConfirmationTransport(std::string_view name);

// A confirmation to enqueue: one parcel of one order.
struct NewConfirmation {
  std::string idempotency_key;  // Unique over the whole outbox, forever.
  std::string amazon_order_id;
  std::string marketplace_id;
  domain::Parcel parcel;           // parcel.package_reference_id is stored as a column too.
  TimePoint deadline;              // The order's latestShipDate.
  std::string clarus_shipment_id;  // The Clarus shipment the parcel left in; may be empty.
  ConfirmationTransport transport = ConfirmationTransport::kApi;
};

struct OutboxEntry {
  std::int64_t id = 0;  // Assigned by the store, increasing, never reused.
  std::string idempotency_key;
  std::string amazon_order_id;
  std::string marketplace_id;
  domain::Parcel parcel;
  TimePoint deadline;
  ConfirmationState state = ConfirmationState::kPending;
  std::int32_t attempts = 0;
  TimePoint next_attempt_at;
  std::string last_error;  // Empty when there was none.
  TimePoint created_at;
  std::optional<TimePoint> accepted_at;
  std::optional<TimePoint> verified_at;
  std::string clarus_shipment_id;
  ConfirmationTransport transport = ConfirmationTransport::kApi;
  std::string feed_id;       // The feed that carries it, while transport is kFeed.
  std::int32_t resends = 0;  // Times sent again after a read-back did not show it.

  friend bool operator==(const OutboxEntry&, const OutboxEntry&) = default;
};

// Which outbox entries ListConfirmations returns. Unset fields do not filter.
struct ConfirmationFilter {
  std::optional<ConfirmationState> state;
  std::optional<TimePoint> due_by;  // next_attempt_at <= this.
  std::optional<std::string> amazon_order_id;
  std::optional<std::string> feed_id;
  std::optional<ConfirmationTransport> transport;
  int limit = 100;  // Must be positive.
};

// Timings of one confirmation, for latency measures.
struct ConfirmationTiming {
  TimePoint shipped_at;  // The parcel's ship date: when it left the warehouse.
  TimePoint seen_at;     // When sellerbridge saw the dispatch (the entry's created_at).
  std::optional<TimePoint> accepted_at;
  std::optional<TimePoint> verified_at;
  ConfirmationTransport transport = ConfirmationTransport::kApi;

  friend bool operator==(const ConfirmationTiming&, const ConfirmationTiming&) = default;
};

// A hint that a goods-out may have dispatched something: a Clarus automation
// delivery or a find of the polling sweep. Hints are only reasons to re-read.
struct DispatchHint {
  std::string dedupe_key;  // The same for every delivery of one event.
  std::string goods_out_id;
  std::string source;  // "webhook" or "sweep".
};

struct PendingDispatchHint {
  std::int64_t id = 0;  // Increasing.
  std::string dedupe_key;
  std::string goods_out_id;
  std::string source;
  TimePoint received_at;  // Stamped by the store.

  friend bool operator==(const PendingDispatchHint&, const PendingDispatchHint&) = default;
};

struct EnqueueOutcome {
  std::int64_t id = 0;
  bool created = false;  // False when the key was already there.
};

// The new values of an outbox entry's mutable fields, written together.
struct ConfirmationUpdate {
  ConfirmationState state = ConfirmationState::kPending;
  std::int32_t attempts = 0;
  TimePoint next_attempt_at;
  std::string last_error;
  // Written only when set; otherwise the stored values stay.
  std::optional<ConfirmationTransport> transport;
  std::optional<std::string> feed_id;
  std::optional<std::int32_t> resends;
};

// One publication of a stock quantity to Amazon.
struct StockPublication {
  std::string sku;
  std::string marketplace_id;  // "" for publications recorded before migration 4.
  std::int64_t quantity = 0;
  // When Clarus changed the stock this quantity comes from. Publications
  // recorded before migration 4 read back their published_at.
  TimePoint changed_at;
  TimePoint published_at;
  std::string lane;       // The publishing lane, e.g. "fast" or "bulk".
  std::string transport;  // "patch" or "feed".
  std::string reference;  // Amazon's submission or feed id, when there is one.

  friend bool operator==(const StockPublication&, const StockPublication&) = default;
};

// A JSON_LISTINGS_FEED of stock quantities submitted to Amazon, followed to
// its end. `content` is the feed document as sent, kept so that its SKUs and
// quantities can be recovered after a restart.
struct StockFeed {
  std::string feed_id;
  TimePoint submitted_at;
  // IN_QUEUE while open; once settled DONE, FAILED (Amazon ended it FATAL or
  // CANCELLED, or its report was unreadable), STUCK (given up waiting) or
  // ABANDONED (left open by a run that stopped).
  std::string status;
  int messages = 0;
  // Set once settled.
  std::optional<TimePoint> finished_at;
  std::string problem;  // What went wrong, for a person; empty when nothing did.
  std::string content;

  friend bool operator==(const StockFeed&, const StockFeed&) = default;
};

// One read-back of a listing's quantity from Amazon, compared with what was
// last published.
struct StockCheck {
  std::string sku;
  std::string marketplace_id;
  TimePoint checked_at;
  std::int64_t expected = 0;         // The last quantity published.
  std::optional<std::int64_t> seen;  // What Amazon showed; unset when it showed none.
  bool drifted = false;

  friend bool operator==(const StockCheck&, const StockCheck&) = default;
};

// The natural key of a ship-method mapping, and what an order asks for.
struct ShipMethodKey {
  std::string marketplace_id;
  std::string ship_service_level;
  std::string automated_carrier;
  std::string automated_ship_method;
  bool is_prime = false;

  friend bool operator==(const ShipMethodKey&, const ShipMethodKey&) = default;
};

// The key of `mapping`, and the key an order asks for.
ShipMethodKey KeyOf(const domain::ShipMethodMapping& mapping);
ShipMethodKey KeyOf(const domain::Order& order);

// Something held for a person. `kind` names the flow ("order",
// "confirmation", "stock"), `subject_id` the thing within it (an order id, an
// outbox id, a SKU).
struct ExceptionHold {
  std::string kind;
  std::string subject_id;
  std::string reason;         // For an operator; no buyer personal data.
  std::string suggested_fix;  // May be empty.
};

struct HeldException {
  std::int64_t id = 0;
  std::string kind;
  std::string subject_id;
  std::string reason;
  std::string suggested_fix;
  TimePoint first_seen;
  TimePoint last_seen;
  std::int32_t attempts = 0;             // How many times it was held.
  std::optional<TimePoint> resolved_at;  // Empty while open.
  std::string resolved_by;
  std::string resolution_note;

  bool IsOpen() const { return !resolved_at.has_value(); }

  friend bool operator==(const HeldException&, const HeldException&) = default;
};

struct ExceptionFilter {
  bool open_only = true;
  std::optional<std::string> kind;
  std::optional<std::string> subject_id;
  int limit = 100;  // Must be positive.
};

struct NewAuditEntry {
  TimePoint at;
  std::string actor;    // "system", "ops:alice", "api".
  std::string action;   // "order.held", "mapping.put", ….
  std::string subject;  // What it acted on: an order id, a mapping key.
  std::string details;  // Free text or JSON; no buyer personal data.
};

struct AuditEntry {
  std::int64_t id = 0;
  TimePoint at;
  std::string actor;
  std::string action;
  std::string subject;
  std::string details;

  friend bool operator==(const AuditEntry&, const AuditEntry&) = default;
};

// Without after_id: the newest `limit` entries, newest first. With after_id:
// up to `limit` entries with a greater id, oldest first (for tailing). With subject: only the
// entries about that subject (an order id, a mapping key).
struct AuditQuery {
  std::optional<std::int64_t> after_id;
  std::optional<std::string> subject;
  int limit = 100;  // Must be positive.
};

// Where buying an order's shipping label on Amazon stands. Buying is not
// idempotent, so kBuying is written (and committed) before the purchase:
// finding it later means a purchase may have happened that was never
// recorded, which a person must check rather than buy again.
enum class LabelState {
  kBuying,    // A purchase was started.
  kBought,    // Amazon sold the label; it is not in Clarus yet.
  kAttached,  // A Clarus shipment carries the label and its tracking number.
};

// "Buying", "Bought", "Attached".
std::string_view LabelStateName(LabelState state);
// Parses a name LabelStateName returns; InvalidArgument otherwise.
Result<LabelState> ParseLabelState(std::string_view name);

// A shipping label bought on Amazon (Merchant Fulfillment) for an order.
struct OrderLabel {
  std::string amazon_order_id;
  LabelState state = LabelState::kBuying;
  std::string shipment_id;  // Amazon's; empty while kBuying.
  std::string tracking_id;
  std::string carrier_name;
  std::string service_id;
  std::string service_name;
  std::string label_format;  // "PDF", "ZPL203", …
  std::string file_type;     // "application/pdf", …
  // The label document as Amazon sent it (base64 of gzip). It shows the
  // buyer's address, so it is personal data: purged with the address.
  std::optional<std::string> contents;
  std::string clarus_shipment_id;  // Set once kAttached.
  TimePoint updated_at;            // Stamped by the store.

  friend bool operator==(const OrderLabel&, const OrderLabel&) = default;
};

// An order Amazon sent that could not be read or is inconsistent, kept
// alone so that the rest flows.
struct QuarantinedOrder {
  std::string subject_id;  // The order id, or a key derived from the document.
  std::string problem;     // What is wrong; no buyer personal data.
  // The document as received. It may hold buyer personal data: purged after
  // the retention period, like addresses.
  std::optional<std::string> document;
  TimePoint first_seen;  // Stamped by the store.
  TimePoint last_seen;   // Stamped by the store.

  friend bool operator==(const QuarantinedOrder&, const QuarantinedOrder&) = default;
};

// An API token as stored: only the SHA-256 of the secret, never the secret.
struct ApiToken {
  std::int64_t id = 0;     // Assigned by the store.
  std::string name;        // Who or what holds it, e.g. "prometheus", "alice".
  std::string role;        // "ops", "ecommerce", "finance" or "admin".
  std::string token_hash;  // Lower-case hex SHA-256 of the token; unique.
  TimePoint created_at;    // Stamped by the store.
  std::string created_by;  // The actor that created it.
  std::optional<TimePoint> last_used_at;
  std::optional<TimePoint> revoked_at;  // Set once revoked; a revoked token never works again.

  bool IsActive() const { return !revoked_at.has_value(); }

  friend bool operator==(const ApiToken&, const ApiToken&) = default;
};

// What became of a settlement report's document once parsed.
enum class SettlementState {
  kReceived,        // Stored, not parsed yet.
  kBalanced,        // Parsed; its journals add up to the deposit and every row is mapped.
  kNeedsAttention,  // A row could not be read, a row is unmapped, or the rows miss the deposit.
};

// "Received", "Balanced", "NeedsAttention".
std::string_view SettlementStateName(SettlementState state);
// Parses a name SettlementStateName returns; InvalidArgument otherwise.
Result<SettlementState> ParseSettlementState(std::string_view name);

// A settlement report from Amazon: the document exactly as downloaded (so
// that it can be parsed again after a fix) and what parsing it found. The
// flat file holds no buyer personal data.
struct SettlementReport {
  std::string report_id;    // Amazon's report id; the key. "file:<sha256>" for an imported file.
  std::string document_id;  // Amazon's report document id; empty for an imported file.
  std::string marketplace_id;
  TimePoint created_time;  // When Amazon created the report.
  std::string document;    // The flat file's bytes, unchanged. Left empty by ListSettlementReports.
  TimePoint fetched_at;    // Stamped by the store when added.

  SettlementState state = SettlementState::kReceived;
  std::string settlement_id;  // From the summary row once parsed.
  std::string currency;
  std::int64_t total_minor = 0;  // total-amount, the deposit.
  std::optional<TimePoint> start;
  std::optional<TimePoint> end;
  std::optional<TimePoint> deposit_date;
  std::int64_t difference_minor = 0;  // total-amount minus what the rows add up to.
  std::string problems = "[]";        // JSON array of {line, message}.
  std::string journals;               // The journals as JSON; empty until parsed.
  std::optional<TimePoint> parsed_at;

  friend bool operator==(const SettlementReport&, const SettlementReport&) = default;
};

struct SettlementReportFilter {
  std::optional<SettlementState> state;
  std::optional<TimePoint> created_since;  // Inclusive.
  int limit = 100;
};

// A ledger account rule as finance keeps it (finance/accounts.h gives the
// meaning of the key fields and the reserved rules).
struct FinanceAccountRule {
  std::string transaction_type;
  std::string amount_type;
  std::string amount_description;
  std::string account_code;
  std::string account_name;

  friend bool operator==(const FinanceAccountRule&, const FinanceAccountRule&) = default;
};

// One journal of one settlement period handed (or being handed) to one
// finance system: the record that makes posting idempotent.
struct JournalPosting {
  std::string settlement_id;
  std::string period;  // "2026-10".
  std::string sink;    // The configured sink's name.
  bool posted = false;
  std::string external_id;  // The finance system's id of the journal, when it answers one.
  std::string last_error;   // Why the last attempt failed; empty once posted.
  int attempts = 0;
  TimePoint updated_at;  // Stamped by the store.

  friend bool operator==(const JournalPosting&, const JournalPosting&) = default;
};

// A return received at the warehouse for an Amazon order, so that a refund
// can be matched with goods coming back.
struct ReturnReceipt {
  std::string amazon_order_id;
  TimePoint received_at;
  std::string source;  // Where it was learnt, e.g. "import:returns.csv".

  friend bool operator==(const ReturnReceipt&, const ReturnReceipt&) = default;
};

struct AppliedMigration {
  int version = 0;
  std::string name;
  TimePoint applied_at;
};

// A unit of work against the store. Every write inside it becomes visible to
// others at Commit, all together, or not at all: a Transaction destroyed
// without a successful Commit rolls back. After Commit (whatever its outcome)
// every call returns FailedPrecondition.
//
// Not thread-safe: use a Transaction from one thread at a time. It must not
// outlive the Store that began it.
class Transaction {
 public:
  virtual ~Transaction() = default;

  // Makes the transaction's writes durable and visible. Aborted when the
  // backend reports a conflict: the writes are rolled back; redo the unit.
  virtual Status Commit() = 0;

  // --- Orders ---------------------------------------------------------------

  // Inserts `order` or replaces every field of the stored one with the same
  // id, lines and shipping address included (lines that are gone are
  // deleted), in this transaction. A new order starts in SyncState::kNew; an
  // existing order keeps its sync state. Stamps updated_at.
  virtual Status UpsertOrder(const domain::Order& order) = 0;

  // NotFound when no order has that id.
  virtual Result<StoredOrder> GetOrder(std::string_view amazon_order_id) = 0;

  // Orders matching `filter`, by updated_at then order id, ascending.
  // InvalidArgument for a non-positive limit.
  virtual Result<std::vector<StoredOrder>> ListOrders(const OrderFilter& filter) = 0;

  // NotFound when no order has that id.
  virtual Result<OrderSyncState> GetOrderSyncState(std::string_view amazon_order_id) = 0;

  // Sets the order's sync state, and its Clarus goods-out id when
  // `clarus_goods_out_id` is set (otherwise keeps the stored one). Stamps
  // updated_at. NotFound when no order has that id.
  virtual Status SetOrderSyncState(std::string_view amazon_order_id, SyncState state,
                                   std::optional<std::string_view> clarus_goods_out_id) = 0;

  // Deletes the shipping address of every order in kDispatched, kClosed or
  // kCancelled whose sync state was last set before `before`, with the
  // contents of its bought label, and the documents of quarantined orders
  // last seen before `before`. Returns how many orders lost an address
  // (already purged ones do not count).
  virtual Result<std::int64_t> PurgeBuyerData(TimePoint before) = 0;

  // The number of orders in each sync state; states with none are absent.
  virtual Result<std::map<SyncState, std::int64_t>> CountOrdersBySyncState() = 0;

  // --- Labels bought on Amazon -----------------------------------------------

  // Creates or replaces the label record of `label.amazon_order_id` (which
  // must be a stored order: NotFound otherwise). Stamps updated_at.
  virtual Status PutOrderLabel(const OrderLabel& label) = 0;

  virtual Result<std::optional<OrderLabel>> FindOrderLabel(std::string_view amazon_order_id) = 0;

  // Forgets the label record of an order, if any: a purchase known not to
  // have happened.
  virtual Status DeleteOrderLabel(std::string_view amazon_order_id) = 0;

  // --- Quarantined orders ------------------------------------------------------

  // Keeps `order` (keyed by subject_id): creates it, or replaces its problem
  // and document and stamps last_seen. InvalidArgument for an empty subject.
  virtual Status QuarantineOrder(const QuarantinedOrder& order) = 0;

  // Quarantined orders, oldest first_seen first. InvalidArgument for a
  // non-positive limit.
  virtual Result<std::vector<QuarantinedOrder>> ListQuarantinedOrders(int limit) = 0;

  // --- Watermarks -----------------------------------------------------------

  virtual Result<std::optional<Watermark>> FindWatermark(std::string_view name) = 0;

  // Creates or overwrites the watermark `name`; stamps updated_at.
  virtual Status SetWatermark(std::string_view name, std::string_view value) = 0;

  // --- Outbox of shipment confirmations --------------------------------------

  // Adds a pending entry due now, with no attempts. When an entry with the
  // same idempotency key exists, returns its id with created = false and
  // changes nothing, whatever the other fields say.
  virtual Result<EnqueueOutcome> EnqueueConfirmation(const NewConfirmation& confirmation) = 0;

  // NotFound when no entry has that id.
  virtual Result<OutboxEntry> GetConfirmation(std::int64_t id) = 0;

  // Up to `limit` pending entries with next_attempt_at <= now, earliest
  // deadline first, then by id. InvalidArgument for a non-positive limit.
  virtual Result<std::vector<OutboxEntry>> ListDueConfirmations(TimePoint now, int limit) = 0;

  // Writes `update` to the entry in one statement. Moving to kAccepted
  // stamps accepted_at, to kVerified stamps verified_at (and accepted_at if
  // it was never stamped); earlier stamps are kept. NotFound when no entry
  // has that id.
  virtual Status UpdateConfirmation(std::int64_t id, const ConfirmationUpdate& update) = 0;

  // The number of entries in each state; states with none are absent.
  virtual Result<std::map<ConfirmationState, std::int64_t>> CountConfirmationsByState() = 0;

  // Entries matching `filter`, earliest deadline first, then by id.
  // InvalidArgument for a non-positive limit.
  virtual Result<std::vector<OutboxEntry>> ListConfirmations(const ConfirmationFilter& filter) = 0;

  // Replaces the parcel of an entry not yet accepted (an operator's
  // correction, e.g. of a tracking number); the package reference id must
  // stay. NotFound for an unknown id; FailedPrecondition when the entry was
  // accepted or verified, or the package reference id differs.
  virtual Status ReplaceConfirmationParcel(std::int64_t id, const domain::Parcel& parcel) = 0;

  // Timings of entries created at or after `since`, oldest first.
  virtual Result<std::vector<ConfirmationTiming>> ListConfirmationTimings(TimePoint since) = 0;

  // For each order sent to Clarus at or after `since` (audit action "order.sent_to_clarus"):
  // when it was placed on Amazon and when its goods-out was created, oldest first.
  virtual Result<std::vector<std::pair<TimePoint, TimePoint>>> ListOrderReleaseTimings(
      TimePoint since) = 0;

  // --- Dispatch hints ---------------------------------------------------------

  // Records `hint` as pending. Returns false, changing nothing, when a hint
  // with the same dedupe key was recorded before (processed or not).
  // InvalidArgument for an empty dedupe key or goods-out id.
  virtual Result<bool> RecordDispatchHint(const DispatchHint& hint) = 0;

  // Up to `limit` pending hints, oldest first. InvalidArgument for a
  // non-positive limit.
  virtual Result<std::vector<PendingDispatchHint>> ListPendingDispatchHints(int limit) = 0;

  // Marks processed every pending hint of `goods_out_id` with an id up to
  // `up_to_id` (later ones arrived after the re-read and stay pending).
  virtual Status MarkDispatchHintsProcessed(std::string_view goods_out_id,
                                            std::int64_t up_to_id) = 0;

  // Deletes processed hints received before `before`; returns how many.
  virtual Result<std::int64_t> PurgeProcessedDispatchHints(TimePoint before) = 0;

  // --- Stock ----------------------------------------------------------------

  // Stores `level` as the latest reading of its SKU, replacing any earlier.
  virtual Status UpsertStockLevel(const domain::StockLevel& level) = 0;

  // UpsertStockLevel for each of `levels`, in order.
  virtual Status UpsertStockLevels(const std::vector<domain::StockLevel>& levels) = 0;

  // NotFound when the SKU has no reading.
  virtual Result<domain::StockLevel> GetStockLevel(std::string_view sku) = 0;

  // Every SKU's latest reading, by SKU.
  virtual Result<std::vector<domain::StockLevel>> ListStockLevels() = 0;

  // Appends a publication record. InvalidArgument for an invalid SKU.
  virtual Status RecordStockPublication(const StockPublication& publication) = 0;

  // Appends every publication of `publications`, in order, in one pass (made
  // for tens of thousands at once). InvalidArgument naming the SKU when any
  // has an invalid SKU; nothing is recorded then.
  virtual Status RecordStockPublications(const std::vector<StockPublication>& publications) = 0;

  // The latest publication of `sku` in any marketplace (by published_at,
  // then by recording order), if any.
  virtual Result<std::optional<StockPublication>> FindLatestStockPublication(
      std::string_view sku) = 0;

  // The latest publication of every (SKU, marketplace) pair that has one, by
  // SKU then marketplace id.
  virtual Result<std::vector<StockPublication>> ListLatestStockPublications() = 0;

  // Deletes the publications published before `before`, except the latest
  // one of each (SKU, marketplace) pair; returns how many.
  virtual Result<std::int64_t> PurgeStockPublications(TimePoint before) = 0;

  // Records a submitted feed. InvalidArgument for an empty feed id,
  // AlreadyExists when a feed with that id is recorded.
  virtual Status RecordStockFeed(const StockFeed& feed) = 0;

  // Replaces the status, finished_at and problem of the feed with
  // `feed.feed_id`; its other fields stay. NotFound for an unknown id.
  virtual Status UpdateStockFeed(const StockFeed& feed) = 0;

  // Feeds not finished yet, oldest submitted first.
  virtual Result<std::vector<StockFeed>> ListOpenStockFeeds() = 0;

  // Feeds submitted at or after `since`, open or finished, oldest first,
  // with their content left empty.
  virtual Result<std::vector<StockFeed>> ListStockFeeds(TimePoint since) = 0;

  // Appends a read-back. InvalidArgument for an invalid SKU.
  virtual Status RecordStockCheck(const StockCheck& check) = 0;

  // Checks made at or after `since`, oldest first; only drifted ones when
  // `drifted_only`.
  virtual Result<std::vector<StockCheck>> ListStockChecks(TimePoint since, bool drifted_only) = 0;

  // Deletes the checks made before `before`; returns how many.
  virtual Result<std::int64_t> PurgeStockChecks(TimePoint before) = 0;

  // The units ordered (the lines' quantity ordered) of each SKU over the
  // stored orders purchased at or after `since`, in every marketplace,
  // cancelled orders included: they were demand all the same. SKUs with no
  // such line are absent.
  virtual Result<std::map<std::string, std::int64_t>> CountUnitsOrderedBySku(TimePoint since) = 0;

  // --- Ship-method mappings ---------------------------------------------------

  // Inserts `mapping` or replaces the one with the same key.
  virtual Status PutShipMethodMapping(const domain::ShipMethodMapping& mapping) = 0;

  // NotFound when no mapping has that key.
  virtual Status DeleteShipMethodMapping(const ShipMethodKey& key) = 0;

  // Every mapping, by key.
  virtual Result<std::vector<domain::ShipMethodMapping>> ListShipMethodMappings() = 0;

  // The mapping that ships an order asking for `order_key` (see KeyOf):
  // among mappings of the same marketplace and Prime flag, the one keyed by
  // the order's automated carrier and method if the order names them and
  // such a mapping exists, else the one keyed by its ship-service level.
  virtual Result<std::optional<domain::ShipMethodMapping>> FindShipMethodMapping(
      const ShipMethodKey& order_key) = 0;

  // --- Exceptions (items held for a person) ---------------------------------

  // Holds `hold`, keyed by (kind, subject_id): creates it with attempts = 1,
  // or updates the existing one's reason, suggested fix and last_seen, adds
  // one attempt and reopens it if it was resolved (first_seen is kept).
  // Returns its id. InvalidArgument when kind or subject_id is empty.
  virtual Result<std::int64_t> HoldException(const ExceptionHold& hold) = 0;

  // Marks the exception resolved now by `resolved_by` with `note`. NotFound
  // for an unknown id, FailedPrecondition when it is already resolved.
  virtual Status ResolveException(std::int64_t id, std::string_view resolved_by,
                                  std::string_view note) = 0;

  // NotFound for an unknown id.
  virtual Result<HeldException> GetException(std::int64_t id) = 0;

  // The exception held for (kind, subject_id), open or resolved, if any.
  virtual Result<std::optional<HeldException>> FindException(std::string_view kind,
                                                             std::string_view subject_id) = 0;

  // Exceptions matching `filter`, oldest first_seen first (then by id).
  // InvalidArgument for a non-positive limit.
  virtual Result<std::vector<HeldException>> ListExceptions(const ExceptionFilter& filter) = 0;

  // --- Audit log (append-only) ------------------------------------------------

  // Appends `entry`; returns its id (increasing). The log cannot be changed
  // or shortened: the backend refuses any update or delete of its rows.
  virtual Result<std::int64_t> AppendAudit(const NewAuditEntry& entry) = 0;

  // See AuditQuery. InvalidArgument for a non-positive limit.
  virtual Result<std::vector<AuditEntry>> ListAudit(const AuditQuery& query) = 0;

  // --- API tokens ----------------------------------------------------------------

  // Stores a new token (id and created_at are assigned) and returns its id. AlreadyExists when
  // a token with the same hash exists; InvalidArgument for an empty name, role or hash.
  virtual Result<std::int64_t> CreateApiToken(const ApiToken& token) = 0;

  // The token whose hash is `token_hash`, revoked or not; nullopt when there is none.
  virtual Result<std::optional<ApiToken>> FindApiTokenByHash(std::string_view token_hash) = 0;

  // Every token, revoked ones included, by id.
  virtual Result<std::vector<ApiToken>> ListApiTokens() = 0;

  // Marks token `id` revoked now. NotFound for an unknown id; FailedPrecondition when it was
  // already revoked.
  virtual Status RevokeApiToken(std::int64_t id) = 0;

  // Records that token `id` was used now. Unknown ids are ignored.
  virtual Status TouchApiToken(std::int64_t id) = 0;

  // --- Settlements and finance ----------------------------------------------------

  // Stores a downloaded settlement report (fetched_at is stamped). Returns
  // false and changes nothing when a report with the same report_id exists.
  // InvalidArgument for an empty report_id.
  virtual Result<bool> AddSettlementReport(const SettlementReport& report) = 0;

  // The report with `report_id`, document included; nullopt when there is none.
  virtual Result<std::optional<SettlementReport>> FindSettlementReport(
      std::string_view report_id) = 0;

  // Reports matching `filter`, newest created first, without their documents.
  virtual Result<std::vector<SettlementReport>> ListSettlementReports(
      const SettlementReportFilter& filter) = 0;

  // Records what parsing found: every field after fetched_at. The document
  // and the fields before it are never changed. NotFound for an unknown
  // report_id.
  virtual Status UpdateSettlementOutcome(const SettlementReport& report) = 0;

  // The account rules, by key. Empty until finance imports some.
  virtual Result<std::vector<FinanceAccountRule>> ListFinanceAccountRules() = 0;

  // Replaces every account rule with `rules`. InvalidArgument for a key given
  // twice.
  virtual Status ReplaceFinanceAccountRules(const std::vector<FinanceAccountRule>& rules) = 0;

  // The posting of (settlement, period, sink); nullopt when never attempted.
  virtual Result<std::optional<JournalPosting>> FindJournalPosting(std::string_view settlement_id,
                                                                   std::string_view period,
                                                                   std::string_view sink) = 0;

  // Creates or replaces the posting with the same settlement, period and
  // sink; stamps updated_at.
  virtual Status PutJournalPosting(const JournalPosting& posting) = 0;

  // The postings of one settlement, by period and sink.
  virtual Result<std::vector<JournalPosting>> ListJournalPostings(
      std::string_view settlement_id) = 0;

  // Records a return; returns false and changes nothing when the order's
  // return is already recorded. InvalidArgument for an empty order id.
  virtual Result<bool> RecordReturnReceipt(const ReturnReceipt& receipt) = 0;

  // The return recorded for an order; nullopt when none.
  virtual Result<std::optional<ReturnReceipt>> FindReturnReceipt(
      std::string_view amazon_order_id) = 0;

  // --- Schema ------------------------------------------------------------------

  // The migrations applied to this database, by version.
  virtual Result<std::vector<AppliedMigration>> ListAppliedMigrations() = 0;

  // Runs backend-specific `sql` inside this transaction, so that the
  // conformance suite can check what the backend itself refuses.
  virtual Status ExecuteSqlForTest(std::string_view sql) = 0;
};

// A handle on one database. Thread-safe: any number of threads may Begin
// transactions at once. Transactions must end before the Store is destroyed.
class Store {
 public:
  virtual ~Store() = default;

  // Starts a read-write transaction. Writers are serialised: when another
  // writer holds the database past the backend's busy timeout (seconds),
  // returns Aborted.
  virtual Result<std::unique_ptr<Transaction>> Begin() = 0;

  // Starts a transaction that only reads: it does not wait for writers and
  // sees one consistent snapshot, taken at its first read. Writes through it
  // fail with FailedPrecondition.
  virtual Result<std::unique_ptr<Transaction>> BeginReadOnly() = 0;
};

// Opens the store `url` names, creating and migrating it as needed:
// - "sqlite:///abs/path.db", "sqlite:relative/path.db": a SQLite file (its
//   parent directories are created);
// - "sqlite::memory:": a private in-memory SQLite database, gone when the
//   Store is destroyed;
// - "postgresql://…": FailedPrecondition, as that backend is not built yet.
// InvalidArgument naming the url (password masked) for any other scheme;
// FailedPrecondition when the database was written by a newer sellerbridge
// (it has migrations this binary does not know). `clock` stamps every write
// and must outlive the Store.
Result<std::unique_ptr<Store>> OpenStore(std::string_view url, Clock* clock);

// `url` with the password of its user-info part ("user:password@") masked,
// for messages and logs.
std::string MaskUrlPassword(std::string_view url);

}  // namespace sellerbridge::store
