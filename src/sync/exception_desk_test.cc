#include "sync/exception_desk.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "base/time_format.h"

namespace sellerbridge::sync {
namespace {

using std::chrono::hours;
using store::ConfirmationState;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

const TimePoint kStart = TimePoint{} + hours{24 * 20000};
constexpr std::string_view kOrderId = "203-1234567-1234567";
constexpr std::string_view kGoodsOut = "GO-881";
constexpr std::string_view kActor = "cli:alice";
constexpr std::string_view kStreet = "7 Quayside Lane";

domain::Order Order() {
  domain::OrderData data;
  data.amazon_order_id = std::string(kOrderId);
  data.marketplace_id = "A1F83G8C2ARO7P";
  data.status = domain::OrderStatus::kUnshipped;
  data.purchase_date = kStart;
  data.last_update_date = kStart;
  data.shipping_address = domain::Address{.name = "J Doe",
                                          .line1 = std::string(kStreet),
                                          .city = "Leeds",
                                          .postal_code = "LS1 1AA",
                                          .country_code = "GB"};
  data.lines = {{.order_item_id = "11", .sku = "SKU-1", .quantity_ordered = 1}};
  return *domain::Order::Create(std::move(data));
}

class ExceptionDeskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = store::OpenStore("sqlite::memory:", &clock_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(store).value();
    desk_ = std::make_unique<ExceptionDesk>(store_.get(), &clock_);
    auto txn = Begin();
    ASSERT_TRUE(txn->UpsertOrder(Order()).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }

  std::unique_ptr<store::Transaction> Begin() {
    auto txn = store_->Begin();
    EXPECT_TRUE(txn.ok()) << txn.status();
    return std::move(txn).value();
  }

  std::int64_t Hold(std::string_view kind, std::string_view subject_id) {
    auto txn = Begin();
    auto id = txn->HoldException({.kind = std::string(kind),
                                  .subject_id = std::string(subject_id),
                                  .reason = "something needs a person",
                                  .suggested_fix = "fix it"});
    EXPECT_TRUE(id.ok()) << id.status();
    EXPECT_TRUE(txn->Commit().ok());
    return id.ok() ? *id : 0;
  }

  // An outbox entry of the order in `state`, with 3 attempts, a resend and a feed, as the
  // confirmer leaves one that Amazon refused; and the exception held for it.
  std::int64_t FailedConfirmation(ConfirmationState state = ConfirmationState::kFailed) {
    auto txn = Begin();
    auto enqueued =
        txn->EnqueueConfirmation({.idempotency_key = fmt::format("confirm-{}", ++confirmations_),
                                  .amazon_order_id = std::string(kOrderId),
                                  .marketplace_id = "A1F83G8C2ARO7P",
                                  .parcel = {.package_reference_id = "1",
                                             .carrier_code = "Royal Mail",
                                             .shipping_method = "Tracked 24",
                                             .tracking_number = "AB12345678",
                                             .ship_date = kStart,
                                             .items = {{.order_item_id = "11", .quantity = 1}}},
                                  .deadline = kStart + hours{48},
                                  .transport = store::ConfirmationTransport::kFeed});
    EXPECT_TRUE(enqueued.ok()) << enqueued.status();
    entry_id_ = enqueued->id;
    EXPECT_TRUE(txn->UpdateConfirmation(entry_id_, {.state = state,
                                                    .attempts = 3,
                                                    .next_attempt_at = kStart + hours{1},
                                                    .last_error = "InvalidTrackingNumber",
                                                    .feed_id = "FEED-9",
                                                    .resends = 1})
                    .ok());
    auto id = txn->HoldException({.kind = "confirmation",
                                  .subject_id = std::to_string(entry_id_),
                                  .reason = "Amazon refused the tracking number",
                                  .suggested_fix = "Correct it"});
    EXPECT_TRUE(id.ok()) << id.status();
    EXPECT_TRUE(txn->Commit().ok());
    return id.ok() ? *id : 0;
  }

  void SetGoodsOut(std::string_view goods_out_id) {
    auto txn = Begin();
    ASSERT_TRUE(
        txn->SetOrderSyncState(kOrderId, store::SyncState::kSentToClarus, goods_out_id).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }

  store::OutboxEntry Entry() {
    auto txn = store_->BeginReadOnly();
    EXPECT_TRUE(txn.ok());
    auto entry = (*txn)->GetConfirmation(entry_id_);
    EXPECT_TRUE(entry.ok()) << entry.status();
    return entry.ok() ? *entry : store::OutboxEntry{};
  }

  store::HeldException Exception(std::int64_t id) {
    auto held = desk_->Get(id);
    EXPECT_TRUE(held.ok()) << held.status();
    return held.ok() ? *held : store::HeldException{};
  }

  std::vector<store::PendingDispatchHint> Hints() {
    auto txn = store_->BeginReadOnly();
    EXPECT_TRUE(txn.ok());
    auto hints = (*txn)->ListPendingDispatchHints(100);
    EXPECT_TRUE(hints.ok()) << hints.status();
    return hints.ok() ? *hints : std::vector<store::PendingDispatchHint>{};
  }

  // The audit log, oldest first.
  std::vector<store::AuditEntry> Audit() {
    auto txn = store_->BeginReadOnly();
    EXPECT_TRUE(txn.ok());
    auto entries = (*txn)->ListAudit({.limit = 1000});
    EXPECT_TRUE(entries.ok()) << entries.status();
    return {entries->rbegin(), entries->rend()};
  }

  VirtualClock clock_{kStart};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<ExceptionDesk> desk_;
  int confirmations_ = 0;
  std::int64_t entry_id_ = 0;  // The entry FailedConfirmation added last.
};

// --- List and Get ------------------------------------------------

TEST_F(ExceptionDeskTest, ListsOpenExceptionsByDefaultAndAllWhenAsked) {
  const std::int64_t order = Hold("order", kOrderId);
  clock_.Advance(hours{1});
  const std::int64_t dispatch = Hold("dispatch", kOrderId);
  ASSERT_TRUE(desk_->Resolve(order, kActor, "mapped the ship method").ok());

  auto open = desk_->List({});
  ASSERT_TRUE(open.ok()) << open.status();
  ASSERT_THAT(*open, SizeIs(1));
  EXPECT_EQ((*open)[0].id, dispatch);

  auto all = desk_->List({.open_only = false});
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_THAT(*all, SizeIs(2));
  EXPECT_EQ((*all)[0].id, order);

  auto orders = desk_->List({.open_only = false, .kind = "order"});
  ASSERT_TRUE(orders.ok()) << orders.status();
  ASSERT_THAT(*orders, SizeIs(1));
  EXPECT_EQ((*orders)[0].kind, "order");
}

TEST_F(ExceptionDeskTest, GetsAnExceptionOrSaysThereIsNone) {
  const std::int64_t id = Hold("order", kOrderId);
  EXPECT_EQ(Exception(id).subject_id, kOrderId);
  const auto missing = desk_->Get(id + 1);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), fmt::format("no exception {}", id + 1));
}

// --- Retry -------------------------------------------------------

TEST_F(ExceptionDeskTest, RetryOfAConfirmationPutsTheEntryBackDueNowAndResolves) {
  const std::int64_t id = FailedConfirmation();
  clock_.Advance(hours{5});

  ASSERT_TRUE(desk_->Retry(id, kActor).ok());

  const store::OutboxEntry entry = Entry();
  EXPECT_EQ(entry.state, ConfirmationState::kPending);
  EXPECT_EQ(entry.next_attempt_at, clock_.Now());
  EXPECT_EQ(entry.attempts, 3);
  EXPECT_EQ(entry.resends, 0);
  EXPECT_EQ(entry.feed_id, "");
  EXPECT_EQ(entry.transport, store::ConfirmationTransport::kFeed);
  EXPECT_EQ(entry.last_error, "InvalidTrackingNumber");
  const store::HeldException held = Exception(id);
  EXPECT_FALSE(held.IsOpen());
  EXPECT_EQ(held.resolved_by, kActor);
  EXPECT_EQ(held.resolution_note, "retried");
  const auto audit = Audit();
  ASSERT_THAT(audit, SizeIs(1));
  EXPECT_EQ(audit[0].actor, kActor);
  EXPECT_EQ(audit[0].action, "exception.retry");
  EXPECT_EQ(audit[0].subject, fmt::format("exception {}", id));
  EXPECT_EQ(audit[0].at, clock_.Now());
  EXPECT_EQ(audit[0].details,
            fmt::format("confirmation {} (order {}): outbox entry back to Pending, due now (3 "
                        "attempts kept, 1 resend reset to 0)",
                        entry_id_, kOrderId));
}

TEST_F(ExceptionDeskTest, RetryOfAConfirmationThatIsNotFailedChangesNothing) {
  for (const ConfirmationState state :
       {ConfirmationState::kSending, ConfirmationState::kAccepted}) {
    const std::int64_t id = FailedConfirmation(state);
    const Status retried = desk_->Retry(id, kActor);
    EXPECT_EQ(retried.code(), StatusCode::kFailedPrecondition);
    EXPECT_THAT(retried.message(), HasSubstr(store::ConfirmationStateName(state)));
    EXPECT_EQ(Entry().state, state);
    EXPECT_TRUE(Exception(id).IsOpen());
    EXPECT_THAT(Audit(), IsEmpty());
  }
}

TEST_F(ExceptionDeskTest, RetryOfAConfirmationWhoseEntryIsGoneSaysSo) {
  const std::int64_t id = Hold("confirmation", "999");
  const Status retried = desk_->Retry(id, kActor);
  EXPECT_EQ(retried.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(retried.message(), HasSubstr("outbox entry 999, which no longer exists"));
  const std::int64_t odd = Hold("confirmation", "12abc");
  EXPECT_EQ(desk_->Retry(odd, kActor).code(), StatusCode::kDataLoss);
  EXPECT_TRUE(Exception(id).IsOpen());
  EXPECT_THAT(Audit(), IsEmpty());
}

TEST_F(ExceptionDeskTest, RetryOfADispatchAsksForTheGoodsOutToBeReadAgain) {
  SetGoodsOut(kGoodsOut);
  const std::int64_t id = Hold("dispatch", kOrderId);
  clock_.Advance(hours{2});

  ASSERT_TRUE(desk_->Retry(id, kActor).ok());

  const auto hints = Hints();
  ASSERT_THAT(hints, SizeIs(1));
  EXPECT_EQ(hints[0].dedupe_key, fmt::format("retry:{}:{}", id, FormatIso8601(clock_.Now())));
  EXPECT_EQ(hints[0].goods_out_id, kGoodsOut);
  EXPECT_EQ(hints[0].source, "operator");
  EXPECT_TRUE(Exception(id).IsOpen());
  const auto audit = Audit();
  ASSERT_THAT(audit, SizeIs(1));
  EXPECT_EQ(audit[0].action, "exception.retry");
  EXPECT_EQ(audit[0].subject, fmt::format("exception {}", id));
  EXPECT_EQ(audit[0].details,
            fmt::format("dispatch {}: goods-out {} to be read again", kOrderId, kGoodsOut));
  EXPECT_THAT(audit[0].details, Not(HasSubstr(kStreet)));

  // Later retries record hints of their own.
  clock_.Advance(hours{1});
  ASSERT_TRUE(desk_->Retry(id, kActor).ok());
  EXPECT_THAT(Hints(), SizeIs(2));
}

TEST_F(ExceptionDeskTest, RetryOfADispatchNeedsAStoredOrderWithAGoodsOut) {
  const std::int64_t no_goods_out = Hold("dispatch", kOrderId);
  const Status retried = desk_->Retry(no_goods_out, kActor);
  EXPECT_EQ(retried.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(retried.message(), HasSubstr("no Clarus goods-out"));

  const std::int64_t unknown = Hold("dispatch", "203-0000000-0000000");
  const Status unknown_retried = desk_->Retry(unknown, kActor);
  EXPECT_EQ(unknown_retried.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(unknown_retried.message(), HasSubstr("not stored"));
  EXPECT_THAT(Hints(), IsEmpty());
  EXPECT_THAT(Audit(), IsEmpty());
}

TEST_F(ExceptionDeskTest, RetryOfAnOrderOrLabelSaysToFixTheCause) {
  const std::int64_t order = Hold("order", kOrderId);
  const Status order_retried = desk_->Retry(order, kActor);
  EXPECT_EQ(order_retried.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(order_retried.message(), HasSubstr("judges held orders again on every pass"));
  EXPECT_THAT(order_retried.message(), HasSubstr("ship-method mapping"));

  const std::int64_t label = Hold("label", kOrderId);
  const Status label_retried = desk_->Retry(label, kActor);
  EXPECT_EQ(label_retried.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(label_retried.message(), HasSubstr("Seller Central"));

  const std::int64_t stock = Hold("stock", "SKU-1");
  EXPECT_EQ(desk_->Retry(stock, kActor).code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Exception(order).IsOpen());
  EXPECT_TRUE(Exception(label).IsOpen());
  EXPECT_THAT(Audit(), IsEmpty());
}

TEST_F(ExceptionDeskTest, RetryOfAnUnknownOrResolvedExceptionFails) {
  const std::int64_t id = FailedConfirmation();
  const Status unknown = desk_->Retry(id + 1, kActor);
  EXPECT_EQ(unknown.code(), StatusCode::kNotFound);
  EXPECT_EQ(unknown.message(), fmt::format("no exception {}", id + 1));

  ASSERT_TRUE(desk_->Resolve(id, kActor, "confirmed in Seller Central").ok());
  const Status resolved = desk_->Retry(id, kActor);
  EXPECT_EQ(resolved.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(resolved.message(), HasSubstr("already resolved by cli:alice"));
  EXPECT_EQ(Entry().state, ConfirmationState::kFailed);
  EXPECT_THAT(Audit(), SizeIs(1));
}

// --- Resolve -----------------------------------------------------

TEST_F(ExceptionDeskTest, ResolveRecordsWhoAndWhyAndLeavesTheEntryFailed) {
  const std::int64_t id = FailedConfirmation();
  clock_.Advance(hours{3});

  ASSERT_TRUE(desk_->Resolve(id, kActor, "  confirmed by hand in Seller Central\n").ok());

  const store::HeldException held = Exception(id);
  EXPECT_FALSE(held.IsOpen());
  EXPECT_EQ(held.resolved_at, clock_.Now());
  EXPECT_EQ(held.resolved_by, kActor);
  EXPECT_EQ(held.resolution_note, "confirmed by hand in Seller Central");
  EXPECT_EQ(Entry().state, ConfirmationState::kFailed);
  const auto audit = Audit();
  ASSERT_THAT(audit, SizeIs(1));
  EXPECT_EQ(audit[0].actor, kActor);
  EXPECT_EQ(audit[0].action, "exception.resolve");
  EXPECT_EQ(audit[0].subject, fmt::format("exception {}", id));
  EXPECT_EQ(audit[0].details,
            fmt::format("confirmation {}: confirmed by hand in Seller Central", entry_id_));
}

TEST_F(ExceptionDeskTest, ResolveNeedsANote) {
  const std::int64_t id = Hold("order", kOrderId);
  for (const std::string_view note : {"", "  \t\n"}) {
    const Status resolved = desk_->Resolve(id, kActor, note);
    EXPECT_EQ(resolved.code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(resolved.message(), HasSubstr("needs a note"));
  }
  EXPECT_TRUE(Exception(id).IsOpen());
  EXPECT_THAT(Audit(), IsEmpty());
}

TEST_F(ExceptionDeskTest, ResolveOfAnUnknownOrResolvedExceptionFails) {
  const std::int64_t id = Hold("order", kOrderId);
  EXPECT_EQ(desk_->Resolve(id + 1, kActor, "done").code(), StatusCode::kNotFound);
  ASSERT_TRUE(desk_->Resolve(id, kActor, "done").ok());
  const Status again = desk_->Resolve(id, "api", "done again");
  EXPECT_EQ(again.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(again.message(), HasSubstr("already resolved"));
  EXPECT_EQ(Exception(id).resolution_note, "done");
  EXPECT_THAT(Audit(), SizeIs(1));
}

// --- EditTracking ------------------------------------------------

TEST_F(ExceptionDeskTest, EditTrackingCorrectsTheParcelAndRetries) {
  const std::int64_t id = FailedConfirmation();
  clock_.Advance(hours{1});

  ASSERT_TRUE(desk_->EditTracking(id, " AB123456789GB ", kActor).ok());

  const store::OutboxEntry entry = Entry();
  EXPECT_EQ(entry.parcel.tracking_number, "AB123456789GB");
  EXPECT_EQ(entry.parcel.carrier_code, "Royal Mail");
  EXPECT_EQ(entry.state, ConfirmationState::kPending);
  EXPECT_EQ(entry.next_attempt_at, clock_.Now());
  EXPECT_EQ(entry.attempts, 3);
  EXPECT_EQ(entry.resends, 0);
  const store::HeldException held = Exception(id);
  EXPECT_FALSE(held.IsOpen());
  EXPECT_EQ(held.resolution_note, "retried");
  const auto audit = Audit();
  ASSERT_THAT(audit, SizeIs(1));
  EXPECT_EQ(audit[0].actor, kActor);
  EXPECT_EQ(audit[0].action, "exception.edit_tracking");
  EXPECT_EQ(audit[0].subject, fmt::format("exception {}", id));
  EXPECT_THAT(audit[0].details, HasSubstr("tracking number 'AB12345678' → 'AB123456789GB'"));
  EXPECT_THAT(audit[0].details, HasSubstr(fmt::format("confirmation {}", entry_id_)));
  EXPECT_THAT(audit[0].details, Not(HasSubstr(kStreet)));
}

TEST_F(ExceptionDeskTest, EditTrackingRefusesANumberThatDoesNotFitTheCarrier) {
  const std::int64_t id = FailedConfirmation();
  const Status edited = desk_->EditTracking(id, "AB12", kActor);
  EXPECT_EQ(edited.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(edited.message(), HasSubstr("Royal Mail"));
  const Status empty = desk_->EditTracking(id, "   ", kActor);
  EXPECT_EQ(empty.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(empty.message(), HasSubstr("needs a tracking number"));

  EXPECT_EQ(Entry().parcel.tracking_number, "AB12345678");
  EXPECT_EQ(Entry().state, ConfirmationState::kFailed);
  EXPECT_TRUE(Exception(id).IsOpen());
  EXPECT_THAT(Audit(), IsEmpty());
}

TEST_F(ExceptionDeskTest, EditTrackingIsOnlyForOpenConfirmationsThatFailed) {
  SetGoodsOut(kGoodsOut);
  const std::int64_t dispatch = Hold("dispatch", kOrderId);
  const Status other_kind = desk_->EditTracking(dispatch, "AB123456789GB", kActor);
  EXPECT_EQ(other_kind.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(other_kind.message(), HasSubstr("kind 'dispatch'"));
  EXPECT_EQ(desk_->EditTracking(dispatch + 1000, "AB123456789GB", kActor).code(),
            StatusCode::kNotFound);

  const std::int64_t sending = FailedConfirmation(ConfirmationState::kSending);
  EXPECT_EQ(desk_->EditTracking(sending, "AB123456789GB", kActor).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(Entry().parcel.tracking_number, "AB12345678");
  ASSERT_TRUE(desk_->Resolve(sending, kActor, "sent by hand").ok());
  EXPECT_EQ(desk_->EditTracking(sending, "AB123456789GB", kActor).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(Entry().parcel.tracking_number, "AB12345678");
  EXPECT_THAT(Hints(), IsEmpty());
  EXPECT_THAT(Audit(), SizeIs(1));
}

}  // namespace
}  // namespace sellerbridge::sync
