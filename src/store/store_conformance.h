#pragma once

// The conformance suite every Store backend passes. A backend joins it with a
// factory type and one line in its own test file:
//
//   struct MyBackend {
//     static constexpr bool kPersistent = true;  // Reopening Url() sees the data.
//     MyBackend();                               // Prepares an empty database.
//     std::string Url() const;                   // What OpenStore opens.
//   };
//   INSTANTIATE_TYPED_TEST_SUITE_P(My, StoreConformanceTest, ::testing::Types<MyBackend>);
//
// Include this header from exactly one file per test binary.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "store/store.h"

namespace sellerbridge::store {
namespace conformance {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;

// Whole milliseconds: the store keeps no finer precision.
inline const TimePoint kStart =
    std::chrono::sys_days{std::chrono::year{2026} / 11 / 27} + hours{8} + milliseconds{125};

inline constexpr std::string_view kUk = "A1F83G8C2ARO7P";
inline constexpr std::string_view kDe = "A1PA6795UKMFR9";

// The value of `result`; throws (failing the test with the status) if it is
// an error, so that tests read straight through.
template <typename T>
T Must(Result<T> result) {
  if (!result.ok()) {
    throw std::runtime_error(result.status().ToString());
  }
  return std::move(result).value();
}

inline void Must(const Status& status) {
  if (!status.ok()) {
    throw std::runtime_error(status.ToString());
  }
}

inline domain::Address TestAddress() {
  return {.name = "Ada Buyer",
          .line1 = "1 High Street",
          .line2 = "Flat 2",
          .city = "Leeds",
          .state_or_region = "West Yorkshire",
          .postal_code = "LS1 1AA",
          .country_code = "GB",
          .phone = "+44 113 000 0000"};
}

// An order with `line_count` lines whose every optional field is set.
inline domain::Order TestOrder(std::string id, int line_count = 2) {
  domain::OrderData data;
  data.amazon_order_id = std::move(id);
  data.marketplace_id = std::string(kUk);
  data.status = domain::OrderStatus::kUnshipped;
  data.purchase_date = kStart - hours{3};
  data.last_update_date = kStart - hours{1};
  data.earliest_ship_date = kStart;
  data.latest_ship_date = kStart + hours{30};
  data.latest_delivery_date = kStart + hours{80};
  data.ship_service_level = "Std UK Dom_1";
  data.automated_carrier = "Royal Mail";
  data.automated_ship_method = "Tracked 48";
  data.is_prime = true;
  data.is_business = true;
  data.shipping_address = TestAddress();
  for (int i = 0; i < line_count; ++i) {
    domain::OrderLine line{.order_item_id = "1000" + std::to_string(i),
                           .sku = "SKU-" + std::to_string(i),
                           .quantity_ordered = i + 2,
                           .quantity_shipped = i};
    if (i % 2 == 0) {
      line.item_price = Must(domain::Money::Create(std::int64_t{1299} * (i + 1), "GBP"));
    }
    data.lines.push_back(std::move(line));
  }
  return Must(domain::Order::Create(std::move(data)));
}

inline std::string OrderId(int n) {
  std::string digits = std::to_string(n);
  return "203-0000000-" + std::string(7 - digits.size(), '0') + digits;
}

inline NewConfirmation TestConfirmation(std::string key, std::string order_id, TimePoint deadline) {
  return {.idempotency_key = std::move(key),
          .amazon_order_id = std::move(order_id),
          .marketplace_id = std::string(kUk),
          .parcel = {.package_reference_id = "1",
                     .carrier_code = "Other",
                     .carrier_name = "Parcel Co",
                     .shipping_method = "Next Day",
                     .tracking_number = "PC123456789GB",
                     .ship_date = kStart - minutes{5},
                     .items = {{.order_item_id = "10000", .quantity = 2},
                               {.order_item_id = "10001", .quantity = 1}}},
          .deadline = deadline};
}

inline domain::ShipMethodMapping TestMapping(std::string level, std::string carrier,
                                             std::string method, std::string clarus_service) {
  return Must(domain::ShipMethodMapping::Create({.marketplace_id = std::string(kUk),
                                                 .ship_service_level = std::move(level),
                                                 .automated_carrier = std::move(carrier),
                                                 .automated_ship_method = std::move(method),
                                                 .is_prime = false,
                                                 .clarus_carrier = "RM",
                                                 .clarus_service = std::move(clarus_service),
                                                 .amazon_carrier_code = "Royal Mail",
                                                 .amazon_shipping_method = "Tracked 48"}));
}

inline domain::StockLevel TestStock(std::string sku, std::int64_t available) {
  return Must(domain::StockLevel::Create(
      {.sku = std::move(sku), .available = available, .observed_at = kStart}));
}

inline StockPublication TestPublication(std::string sku, std::string_view marketplace_id,
                                        std::int64_t quantity, TimePoint published_at) {
  return {.sku = std::move(sku),
          .marketplace_id = std::string(marketplace_id),
          .quantity = quantity,
          .changed_at = published_at - std::chrono::seconds{40},
          .published_at = published_at,
          .lane = "bulk",
          .transport = "feed",
          .reference = "F-" + std::to_string(quantity)};
}

// TestOrder(id, line_count) purchased at `purchase_date` in `marketplace_id`
// with `status`.
inline domain::Order TestOrderPurchased(std::string id, int line_count, TimePoint purchase_date,
                                        std::string_view marketplace_id,
                                        domain::OrderStatus status) {
  domain::OrderData data = *TestOrder(std::move(id), line_count);
  data.purchase_date = purchase_date;
  data.marketplace_id = std::string(marketplace_id);
  data.status = status;
  return Must(domain::Order::Create(std::move(data)));
}

}  // namespace conformance

template <typename Backend>
class StoreConformanceTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    store_.reset();
    store_ = conformance::Must(OpenStore(backend_.Url(), &clock_));
  }

  std::unique_ptr<Transaction> Begin() { return conformance::Must(store_->Begin()); }

  // Runs `body` in a transaction and commits it.
  template <typename Body>
  void InTransaction(Body body) {
    auto tx = Begin();
    body(*tx);
    conformance::Must(tx->Commit());
  }

  Backend backend_;
  VirtualClock clock_{conformance::kStart};
  std::unique_ptr<Store> store_;
};

TYPED_TEST_SUITE_P(StoreConformanceTest);

using conformance::kDe;
using conformance::kStart;
using conformance::kUk;
using conformance::Must;
using conformance::OrderId;
using conformance::TestConfirmation;
using conformance::TestMapping;
using conformance::TestOrder;
using conformance::TestOrderPurchased;
using conformance::TestPublication;
using conformance::TestStock;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// --- Transactions ---------------------------------------------------------------

TYPED_TEST_P(StoreConformanceTest, UncommittedTransactionLeavesNothing) {
  {
    auto tx = this->Begin();
    Must(tx->UpsertOrder(TestOrder(OrderId(1))));
    Must(tx->SetWatermark("orders", "cursor"));
    Must(tx->EnqueueConfirmation(TestConfirmation("k1", OrderId(1), kStart)));
    Must(tx->AppendAudit({.at = kStart, .actor = "system", .action = "a", .subject = "s"}));
  }
  auto tx = this->Begin();
  EXPECT_EQ(tx->GetOrder(OrderId(1)).status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(Must(tx->FindWatermark("orders")).has_value());
  EXPECT_TRUE(Must(tx->CountConfirmationsByState()).empty());
  EXPECT_TRUE(Must(tx->ListAudit({})).empty());
}

TYPED_TEST_P(StoreConformanceTest, CommittedTransactionRefusesFurtherUse) {
  auto tx = this->Begin();
  Must(tx->SetWatermark("w", "1"));
  Must(tx->Commit());
  EXPECT_EQ(tx->Commit().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(tx->SetWatermark("w", "2").code(), StatusCode::kFailedPrecondition);
  tx.reset();
  auto read = this->Begin();
  EXPECT_EQ(Must(read->FindWatermark("w"))->value, "1");
}

TYPED_TEST_P(StoreConformanceTest, ReadOnlyTransactionReadsButRefusesWrites) {
  this->InTransaction([](Transaction& tx) { Must(tx.SetWatermark("w", "1")); });
  auto tx = Must(this->store_->BeginReadOnly());
  EXPECT_EQ(Must(tx->FindWatermark("w"))->value, "1");
  EXPECT_EQ(tx->SetWatermark("w", "2").code(), StatusCode::kFailedPrecondition);
  Must(tx->Commit());
  tx.reset();
  // The connection it used is writable again for the next transaction.
  this->InTransaction([](Transaction& next) { Must(next.SetWatermark("w", "3")); });
  // The mode follows each transaction, however often it changes.
  for (int round = 0; round < 3; ++round) {
    auto reader = Must(this->store_->BeginReadOnly());
    EXPECT_EQ(Must(reader->FindWatermark("w"))->value, round == 0 ? "3" : "x");
    EXPECT_EQ(reader->SetWatermark("w", "r").code(), StatusCode::kFailedPrecondition);
    Must(reader->Commit());
    reader.reset();
    this->InTransaction([](Transaction& next) { Must(next.SetWatermark("w", "x")); });
  }
}

TYPED_TEST_P(StoreConformanceTest, TransactionsFromManyThreadsAllCommit) {
  constexpr int kThreads = 4;
  constexpr int kEach = 10;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  std::atomic<int> failures = 0;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto tx = this->store_->Begin();
        if (!tx.ok() || !(*tx)->AppendAudit({.at = kStart, .actor = std::to_string(t)}).ok() ||
            !(*tx)->Commit().ok()) {
          ++failures;
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(failures, 0);
  auto tx = this->Begin();
  EXPECT_EQ(Must(tx->ListAudit({.limit = 1000})).size(), size_t{kThreads} * kEach);
}

TYPED_TEST_P(StoreConformanceTest, CommittedDataSurvivesReopening) {
  if constexpr (!TypeParam::kPersistent) {
    GTEST_SKIP() << "the backend keeps nothing across opens";
  }
  this->InTransaction([](Transaction& tx) { Must(tx.UpsertOrder(TestOrder(OrderId(1)))); });
  this->Open();
  auto tx = this->Begin();
  EXPECT_EQ(Must(tx->GetOrder(OrderId(1))).order, TestOrder(OrderId(1)));
}

// --- Orders ---------------------------------------------------------------------

TYPED_TEST_P(StoreConformanceTest, OrderWithLinesRoundTripsExactly) {
  const domain::Order order = TestOrder(OrderId(1), 3);
  this->InTransaction([&](Transaction& tx) { Must(tx.UpsertOrder(order)); });
  auto tx = this->Begin();
  const StoredOrder stored = Must(tx->GetOrder(OrderId(1)));
  EXPECT_EQ(stored.order, order);
  EXPECT_EQ(stored.sync.state, SyncState::kNew);
  EXPECT_EQ(stored.sync.clarus_goods_out_id, "");
  EXPECT_EQ(stored.updated_at, kStart);
}

TYPED_TEST_P(StoreConformanceTest, OrderWithoutOptionalFieldsRoundTrips) {
  domain::OrderData data = *TestOrder(OrderId(1), 1);
  data.earliest_ship_date.reset();
  data.latest_ship_date.reset();
  data.shipping_address.reset();
  data.lines[0].item_price.reset();
  const domain::Order order = Must(domain::Order::Create(data));
  this->InTransaction([&](Transaction& tx) { Must(tx.UpsertOrder(order)); });
  auto tx = this->Begin();
  EXPECT_EQ(Must(tx->GetOrder(OrderId(1))).order, order);
}

TYPED_TEST_P(StoreConformanceTest, UpsertReplacesOrderAndItsLinesAndKeepsSyncState) {
  this->InTransaction([](Transaction& tx) {
    Must(tx.UpsertOrder(TestOrder(OrderId(1), 3)));
    Must(tx.SetOrderSyncState(OrderId(1), SyncState::kSentToClarus, "GO-1"));
  });
  domain::OrderData data = *TestOrder(OrderId(1), 1);
  data.status = domain::OrderStatus::kShipped;
  data.lines[0].order_item_id = "99";
  data.lines[0].quantity_shipped = 2;
  const domain::Order replacement = Must(domain::Order::Create(data));
  this->clock_.Advance(minutes{1});
  this->InTransaction([&](Transaction& tx) { Must(tx.UpsertOrder(replacement)); });

  auto tx = this->Begin();
  const StoredOrder stored = Must(tx->GetOrder(OrderId(1)));
  EXPECT_EQ(stored.order, replacement);
  EXPECT_EQ(stored.sync.state, SyncState::kSentToClarus);
  EXPECT_EQ(stored.sync.clarus_goods_out_id, "GO-1");
  EXPECT_EQ(stored.updated_at, kStart + minutes{1});
}

TYPED_TEST_P(StoreConformanceTest, GetOrderOfUnknownIdIsNotFound) {
  auto tx = this->Begin();
  EXPECT_EQ(tx->GetOrder(OrderId(404)).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(tx->GetOrderSyncState(OrderId(404)).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(tx->SetOrderSyncState(OrderId(404), SyncState::kHeld, std::nullopt).code(),
            StatusCode::kNotFound);
}

TYPED_TEST_P(StoreConformanceTest, SetSyncStateKeepsGoodsOutIdUnlessGiven) {
  this->InTransaction([](Transaction& tx) { Must(tx.UpsertOrder(TestOrder(OrderId(1)))); });
  this->clock_.Advance(minutes{5});
  this->InTransaction([](Transaction& tx) {
    Must(tx.SetOrderSyncState(OrderId(1), SyncState::kSentToClarus, "GO-7"));
  });
  this->clock_.Advance(minutes{5});
  this->InTransaction([](Transaction& tx) {
    Must(tx.SetOrderSyncState(OrderId(1), SyncState::kDispatched, std::nullopt));
  });
  auto tx = this->Begin();
  EXPECT_EQ(Must(tx->GetOrderSyncState(OrderId(1))),
            (OrderSyncState{.state = SyncState::kDispatched,
                            .clarus_goods_out_id = "GO-7",
                            .updated_at = kStart + minutes{10}}));
}

TYPED_TEST_P(StoreConformanceTest, ListOrdersFiltersAndOrdersByUpdateTime) {
  // Orders 3, 1, 2 are stored a minute apart, in that order.
  for (const int n : {3, 1, 2}) {
    this->InTransaction([&](Transaction& tx) { Must(tx.UpsertOrder(TestOrder(OrderId(n)))); });
    this->clock_.Advance(minutes{1});
  }
  this->InTransaction([](Transaction& tx) {
    Must(tx.SetOrderSyncState(OrderId(3), SyncState::kHeld, std::nullopt));
  });
  auto ids = [](const std::vector<StoredOrder>& orders) {
    std::vector<std::string> out;
    out.reserve(orders.size());
    for (const auto& stored : orders) {
      out.push_back(stored.order->amazon_order_id);
    }
    return out;
  };
  auto tx = this->Begin();
  EXPECT_EQ(ids(Must(tx->ListOrders({}))),
            (std::vector<std::string>{OrderId(1), OrderId(2), OrderId(3)}));
  EXPECT_EQ(ids(Must(tx->ListOrders({.sync_state = SyncState::kNew}))),
            (std::vector<std::string>{OrderId(1), OrderId(2)}));
  EXPECT_EQ(ids(Must(tx->ListOrders({.updated_since = kStart + minutes{2}}))),
            (std::vector<std::string>{OrderId(2), OrderId(3)}));
  EXPECT_EQ(ids(Must(tx->ListOrders({.limit = 1}))), (std::vector<std::string>{OrderId(1)}));
  EXPECT_TRUE(Must(tx->ListOrders({.status = domain::OrderStatus::kShipped})).empty());
  EXPECT_EQ(Must(tx->ListOrders({.status = domain::OrderStatus::kUnshipped})).size(), 3U);
  EXPECT_EQ(tx->ListOrders({.limit = 0}).status().code(), StatusCode::kInvalidArgument);
}

TYPED_TEST_P(StoreConformanceTest, PurgeRemovesAddressesOfOrdersDispatchedOrClosedBeforeCutoff) {
  this->InTransaction([](Transaction& tx) {
    for (int n = 1; n <= 5; ++n) {
      Must(tx.UpsertOrder(TestOrder(OrderId(n))));
    }
    Must(tx.SetOrderSyncState(OrderId(1), SyncState::kDispatched, std::nullopt));
    Must(tx.SetOrderSyncState(OrderId(2), SyncState::kClosed, std::nullopt));
    Must(tx.SetOrderSyncState(OrderId(3), SyncState::kSentToClarus, std::nullopt));
  });
  this->clock_.Advance(hours{1});
  // Dispatched after the cutoff: kept.
  this->InTransaction([](Transaction& tx) {
    Must(tx.SetOrderSyncState(OrderId(4), SyncState::kDispatched, std::nullopt));
  });
  const TimePoint cutoff = kStart + minutes{30};
  this->InTransaction([&](Transaction& tx) { EXPECT_EQ(Must(tx.PurgeBuyerData(cutoff)), 2); });
  this->InTransaction([&](Transaction& tx) { EXPECT_EQ(Must(tx.PurgeBuyerData(cutoff)), 0); });

  auto tx = this->Begin();
  for (const int n : {1, 2}) {
    const StoredOrder stored = Must(tx->GetOrder(OrderId(n)));
    EXPECT_FALSE(stored.order->shipping_address.has_value()) << n;
    EXPECT_EQ(stored.order->lines.size(), 2U) << n;
  }
  for (const int n : {3, 4, 5}) {
    EXPECT_TRUE(Must(tx->GetOrder(OrderId(n))).order->shipping_address.has_value()) << n;
  }
}

// --- Watermarks -----------------------------------------------------------------

TYPED_TEST_P(StoreConformanceTest, WatermarkIsAbsentUntilSetThenOverwritten) {
  this->InTransaction([](Transaction& tx) {
    EXPECT_FALSE(Must(tx.FindWatermark("orders.last_updated_after")).has_value());
    Must(tx.SetWatermark("orders.last_updated_after", "2026-11-27T07:00:00.000Z"));
  });
  this->clock_.Advance(minutes{1});
  this->InTransaction([](Transaction& tx) {
    Must(tx.SetWatermark("orders.last_updated_after", "2026-11-27T08:00:00.000Z"));
  });
  auto tx = this->Begin();
  EXPECT_EQ(Must(tx->FindWatermark("orders.last_updated_after")),
            (Watermark{.name = "orders.last_updated_after",
                       .value = "2026-11-27T08:00:00.000Z",
                       .updated_at = kStart + minutes{1}}));
}

// --- Outbox -----------------------------------------------------------------------

TYPED_TEST_P(StoreConformanceTest, EnqueuedConfirmationRoundTrips) {
  const NewConfirmation confirmation = TestConfirmation("key-1", OrderId(1), kStart + hours{5});
  std::int64_t id = 0;
  this->InTransaction([&](Transaction& tx) {
    const EnqueueOutcome outcome = Must(tx.EnqueueConfirmation(confirmation));
    EXPECT_TRUE(outcome.created);
    id = outcome.id;
  });
  auto tx = this->Begin();
  EXPECT_EQ(Must(tx->GetConfirmation(id)),
            (OutboxEntry{.id = id,
                         .idempotency_key = "key-1",
                         .amazon_order_id = OrderId(1),
                         .marketplace_id = std::string(conformance::kUk),
                         .parcel = confirmation.parcel,
                         .deadline = kStart + hours{5},
                         .state = ConfirmationState::kPending,
                         .attempts = 0,
                         .next_attempt_at = kStart,
                         .last_error = "",
                         .created_at = kStart}));
  EXPECT_EQ(tx->GetConfirmation(id + 1000).status().code(), StatusCode::kNotFound);
}

TYPED_TEST_P(StoreConformanceTest, EnqueueWithExistingKeyReturnsExistingEntryAndChangesNothing) {
  std::int64_t first = 0;
  this->InTransaction([&](Transaction& tx) {
    first = Must(tx.EnqueueConfirmation(TestConfirmation("key-1", OrderId(1), kStart))).id;
  });
  this->clock_.Advance(minutes{1});
  this->InTransaction([&](Transaction& tx) {
    NewConfirmation again = TestConfirmation("key-1", OrderId(2), kStart + hours{9});
    again.parcel.tracking_number = "OTHER";
    const EnqueueOutcome outcome = Must(tx.EnqueueConfirmation(again));
    EXPECT_FALSE(outcome.created);
    EXPECT_EQ(outcome.id, first);
  });
  auto tx = this->Begin();
  const OutboxEntry entry = Must(tx->GetConfirmation(first));
  EXPECT_EQ(entry.amazon_order_id, OrderId(1));
  EXPECT_EQ(entry.parcel.tracking_number, "PC123456789GB");
  EXPECT_EQ(entry.created_at, kStart);
  EXPECT_EQ(Must(tx->CountConfirmationsByState()).at(ConfirmationState::kPending), 1);
}

TYPED_TEST_P(StoreConformanceTest, DueConfirmationsComeEarliestDeadlineFirstThenById) {
  std::vector<std::int64_t> ids;
  this->InTransaction([&](Transaction& tx) {
    // Deadlines: +3h, +1h, +2h, +1h, and one not due yet, one not pending.
    for (const int h : {3, 1, 2, 1, 0, 0}) {
      ids.push_back(Must(tx.EnqueueConfirmation(TestConfirmation(
                             "key-" + std::to_string(ids.size()), OrderId(1), kStart + hours{h})))
                        .id);
    }
    Must(tx.UpdateConfirmation(ids[4], {.state = ConfirmationState::kPending,
                                        .attempts = 1,
                                        .next_attempt_at = kStart + minutes{10}}));
    Must(tx.UpdateConfirmation(
        ids[5], {.state = ConfirmationState::kSending, .attempts = 1, .next_attempt_at = kStart}));
  });
  auto due_ids = [](const std::vector<OutboxEntry>& entries) {
    std::vector<std::int64_t> out;
    out.reserve(entries.size());
    for (const auto& entry : entries) {
      out.push_back(entry.id);
    }
    return out;
  };
  auto tx = this->Begin();
  EXPECT_EQ(due_ids(Must(tx->ListDueConfirmations(kStart, 10))),
            (std::vector<std::int64_t>{ids[1], ids[3], ids[2], ids[0]}));
  EXPECT_EQ(due_ids(Must(tx->ListDueConfirmations(kStart, 2))),
            (std::vector<std::int64_t>{ids[1], ids[3]}));
  EXPECT_EQ(due_ids(Must(tx->ListDueConfirmations(kStart + minutes{10}, 10))),
            (std::vector<std::int64_t>{ids[4], ids[1], ids[3], ids[2], ids[0]}));
  EXPECT_EQ(tx->ListDueConfirmations(kStart, 0).status().code(), StatusCode::kInvalidArgument);
}

TYPED_TEST_P(StoreConformanceTest, UpdateConfirmationWritesFieldsAndStampsOutcomeTimes) {
  std::int64_t id = 0;
  this->InTransaction([&](Transaction& tx) {
    id = Must(tx.EnqueueConfirmation(TestConfirmation("k", OrderId(1), kStart))).id;
  });
  this->clock_.Advance(minutes{1});
  this->InTransaction([&](Transaction& tx) {
    Must(tx.UpdateConfirmation(id, {.state = ConfirmationState::kPending,
                                    .attempts = 1,
                                    .next_attempt_at = kStart + minutes{3},
                                    .last_error = "429 QuotaExceeded"}));
  });
  auto read = [&] { return Must(this->Begin()->GetConfirmation(id)); };
  OutboxEntry entry = read();
  EXPECT_EQ(entry.attempts, 1);
  EXPECT_EQ(entry.next_attempt_at, kStart + minutes{3});
  EXPECT_EQ(entry.last_error, "429 QuotaExceeded");
  EXPECT_FALSE(entry.accepted_at.has_value());

  this->clock_.Advance(minutes{2});
  this->InTransaction([&](Transaction& tx) {
    Must(tx.UpdateConfirmation(id, {.state = ConfirmationState::kAccepted,
                                    .attempts = 2,
                                    .next_attempt_at = kStart + minutes{3}}));
  });
  this->clock_.Advance(minutes{2});
  this->InTransaction([&](Transaction& tx) {
    Must(tx.UpdateConfirmation(id, {.state = ConfirmationState::kVerified,
                                    .attempts = 2,
                                    .next_attempt_at = kStart + minutes{3}}));
  });
  entry = read();
  EXPECT_EQ(entry.state, ConfirmationState::kVerified);
  EXPECT_EQ(entry.last_error, "");
  EXPECT_EQ(entry.accepted_at, kStart + minutes{3});
  EXPECT_EQ(entry.verified_at, kStart + minutes{5});

  auto tx = this->Begin();
  EXPECT_EQ(tx->UpdateConfirmation(id + 1000, {}).code(), StatusCode::kNotFound);
}

TYPED_TEST_P(StoreConformanceTest, CountsConfirmationsByState) {
  this->InTransaction([](Transaction& tx) {
    std::int64_t last = 0;
    for (int i = 0; i < 4; ++i) {
      last = Must(tx.EnqueueConfirmation(
                      TestConfirmation("k" + std::to_string(i), OrderId(1), kStart)))
                 .id;
    }
    Must(tx.UpdateConfirmation(last, {.state = ConfirmationState::kFailed}));
  });
  auto tx = this->Begin();
  const auto counts = Must(tx->CountConfirmationsByState());
  const auto listed = Must(tx->ListDueConfirmations(kStart, 10));
  ASSERT_EQ(listed.size(), 3U);
  EXPECT_EQ(counts, (std::map<ConfirmationState, std::int64_t>{{ConfirmationState::kPending, 3},
                                                               {ConfirmationState::kFailed, 1}}));
}

// --- Stock --------------------------------------------------------------------------

TYPED_TEST_P(StoreConformanceTest, StockLevelUpsertKeepsLatestPerSku) {
  this->InTransaction([](Transaction& tx) {
    Must(tx.UpsertStockLevel(TestStock("SKU-B", 5)));
    Must(tx.UpsertStockLevel(TestStock("SKU-A", 7)));
    Must(tx.UpsertStockLevel(TestStock("SKU-B", -2)));
  });
  auto tx = this->Begin();
  EXPECT_EQ(Must(tx->GetStockLevel("SKU-B")), TestStock("SKU-B", -2));
  EXPECT_EQ(tx->GetStockLevel("SKU-C").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Must(tx->ListStockLevels()),
            (std::vector<domain::StockLevel>{TestStock("SKU-A", 7), TestStock("SKU-B", -2)}));
}

TYPED_TEST_P(StoreConformanceTest, LatestStockPublicationIsNewestPerSku) {
  const StockPublication a1{.sku = "SKU-A",
                            .quantity = 3,
                            .published_at = kStart,
                            .lane = "bulk",
                            .transport = "feed",
                            .reference = "F1"};
  StockPublication a2 = a1;
  a2.quantity = 0;
  a2.published_at = kStart + minutes{1};
  a2.lane = "fast";
  a2.transport = "patch";
  a2.reference = "";
  StockPublication b1 = a1;
  b1.sku = "SKU-B";
  this->InTransaction([&](Transaction& tx) {
    Must(tx.RecordStockPublication(a2));
    Must(tx.RecordStockPublication(a1));  // Recorded later, published earlier.
    Must(tx.RecordStockPublication(b1));
    EXPECT_EQ(tx.RecordStockPublication({.sku = ""}).code(), StatusCode::kInvalidArgument);
  });
  auto tx = this->Begin();
  EXPECT_EQ(Must(tx->FindLatestStockPublication("SKU-A")), a2);
  EXPECT_FALSE(Must(tx->FindLatestStockPublication("SKU-C")).has_value());
  EXPECT_EQ(Must(tx->ListLatestStockPublications()), (std::vector<StockPublication>{a2, b1}));
}

TYPED_TEST_P(StoreConformanceTest, UpsertStockLevelsWritesEachInTurn) {
  this->InTransaction([](Transaction& tx) {
    Must(tx.UpsertStockLevel(TestStock("SKU-C", 9)));
    Must(tx.UpsertStockLevels({TestStock("SKU-B", 5), TestStock("SKU-C", 1), TestStock("SKU-A", 7),
                               TestStock("SKU-B", 0)}));
    Must(tx.UpsertStockLevels({}));
  });
  auto tx = this->Begin();
  EXPECT_EQ(Must(tx->ListStockLevels()),
            (std::vector<domain::StockLevel>{TestStock("SKU-A", 7), TestStock("SKU-B", 0),
                                             TestStock("SKU-C", 1)}));
}

TYPED_TEST_P(StoreConformanceTest, LatestStockPublicationIsNewestPerSkuAndMarketplace) {
  const StockPublication a_uk_old = TestPublication("SKU-A", kUk, 5, kStart);
  const StockPublication a_uk_new = TestPublication("SKU-A", kUk, 4, kStart + minutes{2});
  const StockPublication a_de = TestPublication("SKU-A", kDe, 8, kStart + minutes{1});
  const StockPublication b_uk = TestPublication("SKU-B", kUk, 1, kStart + minutes{3});
  // Published at the same time as b_de_first, recorded later: it is the latest.
  const StockPublication b_de_first = TestPublication("SKU-B", kDe, 2, kStart);
  const StockPublication b_de_second = TestPublication("SKU-B", kDe, 3, kStart);
  this->InTransaction([&](Transaction& tx) {
    Must(tx.RecordStockPublications({b_uk, a_uk_new, b_de_first}));
    Must(tx.RecordStockPublication(a_uk_old));
    Must(tx.RecordStockPublications({a_de, b_de_second}));
  });
  auto tx = this->Begin();
  const auto latest = Must(tx->ListLatestStockPublications());
  // By SKU, then by marketplace id: kUk's sorts before kDe's.
  EXPECT_EQ(latest, (std::vector<StockPublication>{a_uk_new, a_de, b_uk, b_de_second}));
  ASSERT_FALSE(latest.empty());
  EXPECT_EQ(latest[0].changed_at, kStart + minutes{2} - seconds{40});
  // Across marketplaces, the SKU's latest of all.
  EXPECT_EQ(Must(tx->FindLatestStockPublication("SKU-A")), a_uk_new);
  EXPECT_EQ(Must(tx->FindLatestStockPublication("SKU-B")), b_uk);
}

TYPED_TEST_P(StoreConformanceTest, RecordStockPublicationsWithAnInvalidSkuRecordsNothing) {
  auto tx = this->Begin();
  Must(tx->RecordStockPublications({}));
  const Status status = tx->RecordStockPublications({TestPublication("SKU-A", kUk, 1, kStart),
                                                     TestPublication(" BAD", kUk, 2, kStart),
                                                     TestPublication("SKU-C", kUk, 3, kStart)});
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("' BAD'"), std::string::npos) << status;
  EXPECT_TRUE(Must(tx->ListLatestStockPublications()).empty());
}

TYPED_TEST_P(StoreConformanceTest, RecordStockPublicationsTakesTensOfThousandsAtOnce) {
  constexpr int kCount = 25000;
  std::vector<StockPublication> publications;
  publications.reserve(kCount);
  for (int i = 0; i < kCount; ++i) {
    publications.push_back(TestPublication("SKU-" + std::to_string(i), kUk, i, kStart));
  }
  this->InTransaction([&](Transaction& tx) { Must(tx.RecordStockPublications(publications)); });
  auto tx = this->Begin();
  const auto latest = Must(tx->ListLatestStockPublications());
  ASSERT_EQ(latest.size(), size_t{kCount});
  EXPECT_EQ(Must(tx->FindLatestStockPublication("SKU-24999")), publications.back());
}

TYPED_TEST_P(StoreConformanceTest, PurgeStockPublicationsKeepsTheLatestOfEachPair) {
  const StockPublication a_uk_0 = TestPublication("SKU-A", kUk, 1, kStart);
  const StockPublication a_uk_1 = TestPublication("SKU-A", kUk, 2, kStart + minutes{1});
  const StockPublication a_uk_2 = TestPublication("SKU-A", kUk, 3, kStart + minutes{2});
  const StockPublication a_de_0 = TestPublication("SKU-A", kDe, 4, kStart);
  const StockPublication b_uk_0 = TestPublication("SKU-B", kUk, 5, kStart);
  const StockPublication b_uk_late = TestPublication("SKU-B", kUk, 6, kStart + hours{1});
  const StockPublication b_uk_later = TestPublication("SKU-B", kUk, 7, kStart + hours{2});
  // Same time, recorded first: the other is the latest, so this one goes.
  const StockPublication c_uk_tie = TestPublication("SKU-C", kUk, 8, kStart);
  const StockPublication c_uk_kept = TestPublication("SKU-C", kUk, 9, kStart);
  this->InTransaction([&](Transaction& tx) {
    Must(tx.RecordStockPublications(
        {a_uk_2, a_uk_0, a_uk_1, a_de_0, b_uk_0, b_uk_late, b_uk_later, c_uk_tie, c_uk_kept}));
  });
  auto tx = this->Begin();
  // a_uk_0, a_uk_1, b_uk_0 and c_uk_tie; b_uk_late is not older than the cutoff.
  EXPECT_EQ(Must(tx->PurgeStockPublications(kStart + hours{1})), 4);
  EXPECT_EQ(Must(tx->PurgeStockPublications(kStart + hours{1})), 0);
  EXPECT_EQ(Must(tx->ListLatestStockPublications()),
            (std::vector<StockPublication>{a_uk_2, a_de_0, b_uk_later, c_uk_kept}));
  // Only b_uk_late is left that is not the latest of its pair.
  EXPECT_EQ(Must(tx->PurgeStockPublications(kStart + hours{10})), 1);
  EXPECT_EQ(Must(tx->ListLatestStockPublications()),
            (std::vector<StockPublication>{a_uk_2, a_de_0, b_uk_later, c_uk_kept}));
  EXPECT_EQ(Must(tx->PurgeStockPublications(kStart + hours{10})), 0);
}

TYPED_TEST_P(StoreConformanceTest, StockFeedsAreRecordedUpdatedAndListed) {
  const StockFeed early{.feed_id = "F-EARLY",
                        .submitted_at = kStart - hours{1},
                        .status = "IN_QUEUE",
                        .messages = 2,
                        .content = R"({"messages":[1,2]})"};
  StockFeed first = early;
  first.feed_id = "F-1";
  first.submitted_at = kStart;
  first.messages = 3;
  first.content = R"({"messages":[1,2,3]})";
  StockFeed second = early;
  second.feed_id = "F-2";
  second.submitted_at = kStart + minutes{1};
  second.content = R"({"messages":[4]})";
  this->InTransaction([&](Transaction& tx) {
    Must(tx.RecordStockFeed(second));
    Must(tx.RecordStockFeed(first));
    Must(tx.RecordStockFeed(early));
    EXPECT_EQ(tx.RecordStockFeed(first).code(), StatusCode::kAlreadyExists);
    StockFeed unnamed = first;
    unnamed.feed_id = "";
    EXPECT_EQ(tx.RecordStockFeed(unnamed).code(), StatusCode::kInvalidArgument);
  });
  {
    auto tx = this->Begin();
    EXPECT_EQ(Must(tx->ListOpenStockFeeds()), (std::vector<StockFeed>{early, first, second}));
  }

  // Status, finished_at and problem change; messages and content stay.
  StockFeed first_done = first;
  first_done.status = "FATAL";
  first_done.finished_at = kStart + minutes{5};
  first_done.problem = "the processing report lists 3 errors";
  StockFeed first_update = first_done;
  first_update.messages = 99;
  first_update.submitted_at = kStart + hours{5};
  first_update.content = "replaced";
  StockFeed early_progress = early;
  early_progress.status = "IN_PROGRESS";
  StockFeed early_update = early_progress;
  early_update.content = "replaced";
  this->InTransaction([&](Transaction& tx) {
    Must(tx.UpdateStockFeed(first_update));
    Must(tx.UpdateStockFeed(early_update));
    StockFeed unknown = first_update;
    unknown.feed_id = "F-UNKNOWN";
    EXPECT_EQ(tx.UpdateStockFeed(unknown).code(), StatusCode::kNotFound);
  });
  auto tx = this->Begin();
  EXPECT_EQ(Must(tx->ListOpenStockFeeds()), (std::vector<StockFeed>{early_progress, second}));
  StockFeed first_listed = first_done;
  first_listed.content.clear();
  StockFeed second_listed = second;
  second_listed.content.clear();
  EXPECT_EQ(Must(tx->ListStockFeeds(kStart)),
            (std::vector<StockFeed>{first_listed, second_listed}));
  EXPECT_EQ(Must(tx->ListStockFeeds(kStart - hours{2})).size(), 3U);
  EXPECT_TRUE(Must(tx->ListStockFeeds(kStart + hours{1})).empty());
}

TYPED_TEST_P(StoreConformanceTest, StockChecksAreListedSinceFilteredByDriftAndPurged) {
  const StockCheck steady{.sku = "SKU-A",
                          .marketplace_id = std::string(kUk),
                          .checked_at = kStart,
                          .expected = 4,
                          .seen = 4};
  const StockCheck missing{.sku = "SKU-B",
                           .marketplace_id = std::string(kDe),
                           .checked_at = kStart + minutes{1},
                           .expected = 2,
                           .drifted = true};
  const StockCheck drifted{.sku = "SKU-A",
                           .marketplace_id = std::string(kDe),
                           .checked_at = kStart + minutes{2},
                           .expected = 0,
                           .seen = 3,
                           .drifted = true};
  const StockCheck old{.sku = "SKU-C",
                       .marketplace_id = std::string(kUk),
                       .checked_at = kStart - hours{1},
                       .expected = 1,
                       .seen = 5,
                       .drifted = true};
  this->InTransaction([&](Transaction& tx) {
    Must(tx.RecordStockCheck(drifted));
    Must(tx.RecordStockCheck(steady));
    Must(tx.RecordStockCheck(missing));
    Must(tx.RecordStockCheck(old));
    StockCheck invalid = steady;
    invalid.sku = "";
    EXPECT_EQ(tx.RecordStockCheck(invalid).code(), StatusCode::kInvalidArgument);
  });
  auto tx = this->Begin();
  EXPECT_EQ(Must(tx->ListStockChecks(kStart, false)),
            (std::vector<StockCheck>{steady, missing, drifted}));
  EXPECT_EQ(Must(tx->ListStockChecks(kStart, true)), (std::vector<StockCheck>{missing, drifted}));
  EXPECT_EQ(Must(tx->ListStockChecks(kStart - hours{2}, true)),
            (std::vector<StockCheck>{old, missing, drifted}));
  EXPECT_EQ(Must(tx->PurgeStockChecks(kStart + minutes{1})), 2);
  EXPECT_EQ(Must(tx->PurgeStockChecks(kStart + minutes{1})), 0);
  EXPECT_EQ(Must(tx->ListStockChecks(kStart - hours{2}, false)),
            (std::vector<StockCheck>{missing, drifted}));
}

TYPED_TEST_P(StoreConformanceTest, CountsUnitsOrderedBySkuSinceAPurchaseDate) {
  using domain::OrderStatus;
  // TestOrder's lines: SKU-0 orders 2, SKU-1 orders 3, SKU-2 orders 4, ….
  this->InTransaction([](Transaction& tx) {
    Must(tx.UpsertOrder(
        TestOrderPurchased(OrderId(1), 3, kStart - hours{30}, kUk, OrderStatus::kUnshipped)));
    Must(tx.UpsertOrder(
        TestOrderPurchased(OrderId(2), 2, kStart - hours{20}, kDe, OrderStatus::kShipped)));
    Must(tx.UpsertOrder(
        TestOrderPurchased(OrderId(3), 1, kStart - hours{10}, kUk, OrderStatus::kCancelled)));
    // Exactly at the boundary: counted.
    Must(tx.UpsertOrder(
        TestOrderPurchased(OrderId(4), 1, kStart - hours{24}, kDe, OrderStatus::kUnshipped)));
    // Before it: not counted.
    Must(tx.UpsertOrder(
        TestOrderPurchased(OrderId(5), 4, kStart - hours{25}, kUk, OrderStatus::kShipped)));
  });
  auto tx = this->Begin();
  EXPECT_EQ(Must(tx->CountUnitsOrderedBySku(kStart - hours{24})),
            (std::map<std::string, std::int64_t>{{"SKU-0", 6}, {"SKU-1", 3}}));
  EXPECT_EQ(Must(tx->CountUnitsOrderedBySku(kStart - hours{40})),
            (std::map<std::string, std::int64_t>{
                {"SKU-0", 10}, {"SKU-1", 9}, {"SKU-2", 8}, {"SKU-3", 5}}));
  EXPECT_TRUE(Must(tx->CountUnitsOrderedBySku(kStart)).empty());
}

// --- Ship-method mappings -------------------------------------------------------------

TYPED_TEST_P(StoreConformanceTest, ShipMethodMappingPutReplacesOnKeyAndDeletes) {
  const auto standard = TestMapping("Std UK Dom_1", "", "", "48");
  const auto replaced = TestMapping("Std UK Dom_1", "", "", "24");
  const auto automated = TestMapping("", "Royal Mail", "Tracked 48", "T48");
  this->InTransaction([&](Transaction& tx) {
    Must(tx.PutShipMethodMapping(standard));
    Must(tx.PutShipMethodMapping(automated));
    Must(tx.PutShipMethodMapping(replaced));
  });
  auto tx = this->Begin();
  EXPECT_EQ(Must(tx->ListShipMethodMappings()),
            (std::vector<domain::ShipMethodMapping>{automated, replaced}));
  Must(tx->DeleteShipMethodMapping(KeyOf(automated)));
  EXPECT_EQ(tx->DeleteShipMethodMapping(KeyOf(automated)).code(), StatusCode::kNotFound);
  EXPECT_EQ(Must(tx->ListShipMethodMappings()), (std::vector<domain::ShipMethodMapping>{replaced}));
}

TYPED_TEST_P(StoreConformanceTest, FindMappingPrefersAutomatedCarrierThenServiceLevel) {
  const auto by_level = TestMapping("Std UK Dom_1", "", "", "48");
  const auto automated = TestMapping("", "Royal Mail", "Tracked 48", "T48");
  this->InTransaction([&](Transaction& tx) { Must(tx.PutShipMethodMapping(by_level)); });

  ShipMethodKey order_key{.marketplace_id = std::string(conformance::kUk),
                          .ship_service_level = "Std UK Dom_1",
                          .automated_carrier = "Royal Mail",
                          .automated_ship_method = "Tracked 48"};
  {
    auto tx = this->Begin();
    EXPECT_EQ(Must(tx->FindShipMethodMapping(order_key)), by_level);
    Must(tx->PutShipMethodMapping(automated));
    EXPECT_EQ(Must(tx->FindShipMethodMapping(order_key)), automated);
    ShipMethodKey prime = order_key;
    prime.is_prime = true;
    EXPECT_FALSE(Must(tx->FindShipMethodMapping(prime)).has_value());
    ShipMethodKey other_level = order_key;
    other_level.automated_carrier.clear();
    other_level.automated_ship_method.clear();
    other_level.ship_service_level = "Exp UK Dom_1";
    EXPECT_FALSE(Must(tx->FindShipMethodMapping(other_level)).has_value());
  }
}

// --- Exceptions -------------------------------------------------------------------------

TYPED_TEST_P(StoreConformanceTest, HoldingAgainCountsAttemptsKeepsFirstSeenAndReopens) {
  std::int64_t id = 0;
  this->InTransaction([&](Transaction& tx) {
    id = Must(tx.HoldException({.kind = "order",
                                .subject_id = OrderId(1),
                                .reason = "no mapping for Std UK Dom_1",
                                .suggested_fix = "add a mapping"}));
  });
  this->clock_.Advance(minutes{1});
  this->InTransaction([&](Transaction& tx) {
    Must(tx.ResolveException(id, "ops:alice", "mapping added"));
    EXPECT_EQ(tx.ResolveException(id, "ops:bob", "").code(), StatusCode::kFailedPrecondition);
  });
  {
    auto tx = this->Begin();
    const HeldException resolved = Must(tx->GetException(id));
    EXPECT_FALSE(resolved.IsOpen());
    EXPECT_EQ(resolved.resolved_at, kStart + minutes{1});
    EXPECT_EQ(resolved.resolved_by, "ops:alice");
    EXPECT_EQ(resolved.resolution_note, "mapping added");
  }
  this->clock_.Advance(minutes{1});
  this->InTransaction([&](Transaction& tx) {
    EXPECT_EQ(Must(tx.HoldException(
                  {.kind = "order", .subject_id = OrderId(1), .reason = "unknown SKU SKU-9"})),
              id);
  });
  auto tx = this->Begin();
  EXPECT_EQ(Must(tx->GetException(id)), (HeldException{.id = id,
                                                       .kind = "order",
                                                       .subject_id = OrderId(1),
                                                       .reason = "unknown SKU SKU-9",
                                                       .suggested_fix = "",
                                                       .first_seen = kStart,
                                                       .last_seen = kStart + minutes{2},
                                                       .attempts = 2}));
  EXPECT_EQ(tx->GetException(id + 1000).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(tx->ResolveException(id + 1000, "x", "").code(), StatusCode::kNotFound);
  EXPECT_EQ(tx->HoldException({.kind = "order"}).status().code(), StatusCode::kInvalidArgument);
}

TYPED_TEST_P(StoreConformanceTest, ListExceptionsFiltersOpenAndKind) {
  std::int64_t resolved = 0;
  this->InTransaction([&](Transaction& tx) {
    Must(tx.HoldException({.kind = "order", .subject_id = "a", .reason = "r"}));
    resolved = Must(tx.HoldException({.kind = "order", .subject_id = "b", .reason = "r"}));
    Must(tx.HoldException({.kind = "stock", .subject_id = "SKU-1", .reason = "r"}));
    Must(tx.ResolveException(resolved, "ops", ""));
  });
  auto subjects = [](const std::vector<HeldException>& list) {
    std::vector<std::string> out;
    out.reserve(list.size());
    for (const auto& held : list) {
      out.push_back(held.subject_id);
    }
    return out;
  };
  auto tx = this->Begin();
  EXPECT_EQ(subjects(Must(tx->ListExceptions({}))), (std::vector<std::string>{"a", "SKU-1"}));
  EXPECT_EQ(subjects(Must(tx->ListExceptions({.open_only = false}))),
            (std::vector<std::string>{"a", "b", "SKU-1"}));
  EXPECT_EQ(subjects(Must(tx->ListExceptions({.open_only = false, .kind = "order"}))),
            (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(subjects(Must(tx->ListExceptions({.kind = "stock"}))),
            (std::vector<std::string>{"SKU-1"}));
}

// --- Audit log ---------------------------------------------------------------------------

TYPED_TEST_P(StoreConformanceTest, AuditLogListsNewestFirstOrAfterAnId) {
  std::vector<std::int64_t> ids;
  this->InTransaction([&](Transaction& tx) {
    for (int i = 0; i < 4; ++i) {
      ids.push_back(Must(tx.AppendAudit({.at = kStart + minutes{i},
                                         .actor = "ops:alice",
                                         .action = "mapping.put",
                                         .subject = "m" + std::to_string(i),
                                         .details = R"({"n":1})"})));
    }
  });
  auto tx = this->Begin();
  const auto newest = Must(tx->ListAudit({.limit = 2}));
  ASSERT_EQ(newest.size(), 2U);
  EXPECT_EQ(newest[0], (AuditEntry{.id = ids[3],
                                   .at = kStart + minutes{3},
                                   .actor = "ops:alice",
                                   .action = "mapping.put",
                                   .subject = "m3",
                                   .details = R"({"n":1})"}));
  EXPECT_EQ(newest[1].id, ids[2]);
  const auto after = Must(tx->ListAudit({.after_id = ids[1], .limit = 10}));
  ASSERT_EQ(after.size(), 2U);
  EXPECT_EQ(after[0].id, ids[2]);
  EXPECT_EQ(after[1].id, ids[3]);
}

TYPED_TEST_P(StoreConformanceTest, AuditLogRefusesUpdateAndDelete) {
  this->InTransaction([](Transaction& tx) {
    Must(tx.AppendAudit({.at = kStart, .actor = "system", .action = "a", .subject = "s"}));
  });
  {
    auto tx = this->Begin();
    EXPECT_FALSE(tx->ExecuteSqlForTest("UPDATE audit_log SET actor = 'mallory'").ok());
  }
  {
    auto tx = this->Begin();
    EXPECT_FALSE(tx->ExecuteSqlForTest("DELETE FROM audit_log").ok());
  }
  auto tx = this->Begin();
  const auto entries = Must(tx->ListAudit({}));
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_EQ(entries[0].actor, "system");
}

// --- Schema migrations ------------------------------------------------------------------------

TYPED_TEST_P(StoreConformanceTest, MigrationsAreRecordedOnceAcrossReopens) {
  auto versions = [&] {
    std::vector<int> out;
    for (const auto& applied : Must(this->Begin()->ListAppliedMigrations())) {
      out.push_back(applied.version);
      EXPECT_EQ(applied.applied_at, kStart);
    }
    return out;
  };
  // Whatever the backend's list, versions run 1, 2, 3, … and all are applied.
  const std::vector<int> expected = versions();
  ASSERT_FALSE(expected.empty());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(expected[i], static_cast<int>(i) + 1);
  }
  if constexpr (TypeParam::kPersistent) {
    this->clock_.Advance(hours{1});
    this->Open();
    EXPECT_EQ(versions(), expected);
  }
}

TYPED_TEST_P(StoreConformanceTest, DatabaseFromNewerVersionIsRefused) {
  if constexpr (!TypeParam::kPersistent) {
    GTEST_SKIP() << "the backend keeps nothing across opens";
  }
  this->InTransaction([](Transaction& tx) {
    Must(
        tx.ExecuteSqlForTest("INSERT INTO schema_migrations (version, name, applied_at) "
                             "VALUES (100000, 'from the future', '2030-01-01T00:00:00.000Z')"));
  });
  this->store_.reset();
  const auto reopened = OpenStore(this->backend_.Url(), &this->clock_);
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(reopened.status().message().find("100000"), std::string::npos) << reopened.status();
}

// --- Labels, quarantine, counts ----------------------------------------------------

TYPED_TEST_P(StoreConformanceTest, OrderLabelRoundTripsAndNeedsItsOrder) {
  const OrderLabel label{.amazon_order_id = OrderId(1),
                         .state = LabelState::kBought,
                         .shipment_id = "SHIP-1",
                         .tracking_id = "TT123456789GB",
                         .carrier_name = "Royal Mail",
                         .service_id = "ROYAL_MAIL_24",
                         .service_name = "Royal Mail 24",
                         .label_format = "PDF",
                         .file_type = "application/pdf",
                         .contents = "H4sIAAAA",
                         .clarus_shipment_id = ""};
  this->InTransaction([&](Transaction& tx) {
    EXPECT_EQ(tx.PutOrderLabel(label).code(), StatusCode::kNotFound);
    EXPECT_FALSE(Must(tx.FindOrderLabel(OrderId(1))).has_value());
    Must(tx.UpsertOrder(TestOrder(OrderId(1))));
    Must(tx.PutOrderLabel(label));
  });
  this->clock_.Advance(minutes{1});
  OrderLabel attached = label;
  attached.state = LabelState::kAttached;
  attached.clarus_shipment_id = "77";
  this->InTransaction([&](Transaction& tx) { Must(tx.PutOrderLabel(attached)); });
  auto tx = this->Begin();
  attached.updated_at = kStart + minutes{1};
  EXPECT_EQ(Must(tx->FindOrderLabel(OrderId(1))), attached);
  Must(tx->DeleteOrderLabel(OrderId(1)));
  EXPECT_FALSE(Must(tx->FindOrderLabel(OrderId(1))).has_value());
}

TYPED_TEST_P(StoreConformanceTest, PurgeRemovesLabelContentsAndQuarantinedDocuments) {
  this->InTransaction([](Transaction& tx) {
    for (const int n : {1, 2}) {
      Must(tx.UpsertOrder(TestOrder(OrderId(n))));
      Must(tx.PutOrderLabel({.amazon_order_id = OrderId(n),
                             .state = LabelState::kAttached,
                             .shipment_id = "SHIP",
                             .contents = "label"}));
    }
    Must(tx.SetOrderSyncState(OrderId(1), SyncState::kCancelled, std::nullopt));
    Must(tx.QuarantineOrder({.subject_id = "old", .problem = "bad", .document = "{}"}));
  });
  this->clock_.Advance(hours{2});
  this->InTransaction([](Transaction& tx) {
    Must(tx.QuarantineOrder({.subject_id = "new", .problem = "bad", .document = "{}"}));
  });
  this->InTransaction(
      [](Transaction& tx) { EXPECT_EQ(Must(tx.PurgeBuyerData(kStart + hours{1})), 1); });
  auto tx = this->Begin();
  EXPECT_FALSE(Must(tx->GetOrder(OrderId(1))).order->shipping_address.has_value());
  EXPECT_FALSE(Must(tx->FindOrderLabel(OrderId(1)))->contents.has_value());
  EXPECT_EQ(Must(tx->FindOrderLabel(OrderId(2)))->contents, "label");
  const auto quarantined = Must(tx->ListQuarantinedOrders(10));
  ASSERT_EQ(quarantined.size(), 2U);
  EXPECT_EQ(quarantined[0].subject_id, "old");
  EXPECT_FALSE(quarantined[0].document.has_value());
  EXPECT_EQ(quarantined[1].document, "{}");
}

TYPED_TEST_P(StoreConformanceTest, QuarantineKeepsFirstSeenAndReplacesProblem) {
  this->InTransaction([](Transaction& tx) {
    EXPECT_EQ(tx.QuarantineOrder({.subject_id = "", .problem = "x"}).code(),
              StatusCode::kInvalidArgument);
    Must(tx.QuarantineOrder({.subject_id = OrderId(9), .problem = "no items", .document = "{1}"}));
  });
  this->clock_.Advance(minutes{5});
  this->InTransaction([](Transaction& tx) {
    Must(tx.QuarantineOrder({.subject_id = OrderId(9), .problem = "bad SKU", .document = "{2}"}));
  });
  auto tx = this->Begin();
  EXPECT_EQ(Must(tx->ListQuarantinedOrders(10)),
            (std::vector<QuarantinedOrder>{{.subject_id = OrderId(9),
                                            .problem = "bad SKU",
                                            .document = "{2}",
                                            .first_seen = kStart,
                                            .last_seen = kStart + minutes{5}}}));
  EXPECT_EQ(tx->ListQuarantinedOrders(0).status().code(), StatusCode::kInvalidArgument);
}

TYPED_TEST_P(StoreConformanceTest, CountsOrdersBySyncStateAndFindsExceptionBySubject) {
  this->InTransaction([](Transaction& tx) {
    for (int n = 1; n <= 4; ++n) {
      Must(tx.UpsertOrder(TestOrder(OrderId(n))));
    }
    Must(tx.SetOrderSyncState(OrderId(1), SyncState::kHeld, std::nullopt));
    Must(tx.SetOrderSyncState(OrderId(2), SyncState::kUpdatePending, "42"));
    Must(tx.HoldException({.kind = "order", .subject_id = OrderId(1), .reason = "unmapped"}));
  });
  auto tx = this->Begin();
  EXPECT_EQ(Must(tx->CountOrdersBySyncState()),
            (std::map<SyncState, std::int64_t>{
                {SyncState::kNew, 2}, {SyncState::kHeld, 1}, {SyncState::kUpdatePending, 1}}));
  EXPECT_EQ(Must(tx->GetOrderSyncState(OrderId(2))).state, SyncState::kUpdatePending);
  const auto found = Must(tx->FindException("order", OrderId(1)));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->reason, "unmapped");
  EXPECT_FALSE(Must(tx->FindException("order", OrderId(2))).has_value());
  EXPECT_FALSE(Must(tx->FindException("stock", OrderId(1))).has_value());
}

TYPED_TEST_P(StoreConformanceTest, ListConfirmationsFiltersAndKeepsTransportFeedAndResends) {
  std::vector<std::int64_t> ids;
  this->InTransaction([&](Transaction& tx) {
    for (int i = 0; i < 4; ++i) {
      NewConfirmation c =
          TestConfirmation("k" + std::to_string(i), OrderId(i % 2 + 1), kStart + hours{4 - i});
      c.clarus_shipment_id = "S" + std::to_string(i);
      c.transport = i == 3 ? ConfirmationTransport::kLabel : ConfirmationTransport::kApi;
      ids.push_back(Must(tx.EnqueueConfirmation(c)).id);
    }
    Must(tx.UpdateConfirmation(ids[0], {.state = ConfirmationState::kSending,
                                        .attempts = 1,
                                        .next_attempt_at = kStart + minutes{5},
                                        .transport = ConfirmationTransport::kFeed,
                                        .feed_id = "F1"}));
    Must(tx.UpdateConfirmation(ids[1], {.state = ConfirmationState::kAccepted,
                                        .attempts = 1,
                                        .next_attempt_at = kStart + minutes{1},
                                        .resends = 1}));
  });
  auto tx = this->Begin();
  const auto list = [&](const ConfirmationFilter& filter) {
    std::vector<std::int64_t> out;
    for (const OutboxEntry& e : Must(tx->ListConfirmations(filter))) {
      out.push_back(e.id);
    }
    return out;
  };
  using V = std::vector<std::int64_t>;
  EXPECT_EQ(list({}), (V{ids[3], ids[2], ids[1], ids[0]}));  // Earliest deadline first.
  EXPECT_EQ(list({.state = ConfirmationState::kPending}), (V{ids[3], ids[2]}));
  EXPECT_EQ(list({.due_by = kStart + minutes{2}}), (V{ids[3], ids[2], ids[1]}));
  EXPECT_EQ(list({.amazon_order_id = OrderId(1)}), (V{ids[2], ids[0]}));
  EXPECT_EQ(list({.feed_id = "F1"}), (V{ids[0]}));
  EXPECT_EQ(list({.transport = ConfirmationTransport::kLabel}), (V{ids[3]}));
  EXPECT_EQ(list({.state = ConfirmationState::kPending, .limit = 1}), (V{ids[3]}));
  EXPECT_EQ(tx->ListConfirmations({.limit = 0}).status().code(), StatusCode::kInvalidArgument);

  const OutboxEntry fed = Must(tx->GetConfirmation(ids[0]));
  EXPECT_EQ(fed.transport, ConfirmationTransport::kFeed);
  EXPECT_EQ(fed.feed_id, "F1");
  EXPECT_EQ(fed.clarus_shipment_id, "S0");
  EXPECT_EQ(fed.resends, 0);
  // Fields left unset in an update keep their stored values.
  Must(tx->UpdateConfirmation(
      ids[0], {.state = ConfirmationState::kAccepted, .attempts = 1, .next_attempt_at = kStart}));
  EXPECT_EQ(Must(tx->GetConfirmation(ids[0])).feed_id, "F1");
  EXPECT_EQ(Must(tx->GetConfirmation(ids[1])).resends, 1);
}

TYPED_TEST_P(StoreConformanceTest, ParcelIsReplacedOnlyBeforeAmazonHasIt) {
  std::int64_t pending = 0;
  std::int64_t accepted = 0;
  this->InTransaction([&](Transaction& tx) {
    pending = Must(tx.EnqueueConfirmation(TestConfirmation("a", OrderId(1), kStart))).id;
    accepted = Must(tx.EnqueueConfirmation(TestConfirmation("b", OrderId(2), kStart))).id;
    Must(tx.UpdateConfirmation(accepted, {.state = ConfirmationState::kAccepted}));
  });
  auto tx = this->Begin();
  domain::Parcel parcel = TestConfirmation("a", OrderId(1), kStart).parcel;
  parcel.tracking_number = "PC999999999GB";
  Must(tx->ReplaceConfirmationParcel(pending, parcel));
  EXPECT_EQ(Must(tx->GetConfirmation(pending)).parcel, parcel);
  EXPECT_EQ(tx->ReplaceConfirmationParcel(accepted, parcel).code(),
            StatusCode::kFailedPrecondition);
  domain::Parcel renumbered = parcel;
  renumbered.package_reference_id = "2";
  EXPECT_EQ(tx->ReplaceConfirmationParcel(pending, renumbered).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(tx->ReplaceConfirmationParcel(pending + 1000, parcel).code(), StatusCode::kNotFound);
}

TYPED_TEST_P(StoreConformanceTest, ConfirmationTimingsSinceAGivenTime) {
  this->InTransaction([](Transaction& tx) {
    Must(tx.EnqueueConfirmation(TestConfirmation("a", OrderId(1), kStart)));
  });
  this->clock_.Advance(minutes{10});
  std::int64_t second = 0;
  this->InTransaction([&](Transaction& tx) {
    second = Must(tx.EnqueueConfirmation(TestConfirmation("b", OrderId(2), kStart))).id;
  });
  this->clock_.Advance(seconds{3});
  this->InTransaction([&](Transaction& tx) {
    Must(tx.UpdateConfirmation(second, {.state = ConfirmationState::kAccepted}));
  });
  auto tx = this->Begin();
  EXPECT_EQ(Must(tx->ListConfirmationTimings(kStart - minutes{1})).size(), 2U);
  const std::vector<ConfirmationTiming> recent =
      Must(tx->ListConfirmationTimings(kStart + minutes{5}));
  ASSERT_EQ(recent.size(), 1U);
  EXPECT_EQ(recent[0].shipped_at, kStart - minutes{5});
  EXPECT_EQ(recent[0].seen_at, kStart + minutes{10});
  EXPECT_EQ(recent[0].accepted_at, kStart + minutes{10} + seconds{3});
  EXPECT_FALSE(recent[0].verified_at.has_value());
}

TYPED_TEST_P(StoreConformanceTest, DispatchHintsAreDedupedListedAndMarkedUpToAnId) {
  std::vector<std::int64_t> ids;
  this->InTransaction([](Transaction& tx) {
    EXPECT_TRUE(Must(tx.RecordDispatchHint({"e1", "G1", "webhook"})));
    EXPECT_FALSE(Must(tx.RecordDispatchHint({"e1", "G1", "webhook"})));
    EXPECT_TRUE(Must(tx.RecordDispatchHint({"e2", "G2", "sweep"})));
    EXPECT_TRUE(Must(tx.RecordDispatchHint({"e3", "G1", "sweep"})));
    EXPECT_EQ(tx.RecordDispatchHint({"", "G1", "sweep"}).status().code(),
              StatusCode::kInvalidArgument);
    EXPECT_EQ(tx.RecordDispatchHint({"e4", "", "sweep"}).status().code(),
              StatusCode::kInvalidArgument);
  });
  {
    auto tx = this->Begin();
    const std::vector<PendingDispatchHint> pending = Must(tx->ListPendingDispatchHints(10));
    ASSERT_EQ(pending.size(), 3U);
    EXPECT_EQ(pending[0].dedupe_key, "e1");
    EXPECT_EQ(pending[0].goods_out_id, "G1");
    EXPECT_EQ(pending[0].source, "webhook");
    EXPECT_EQ(pending[0].received_at, kStart);
    EXPECT_EQ(pending[2].dedupe_key, "e3");
    EXPECT_EQ(Must(tx->ListPendingDispatchHints(1)).size(), 1U);
    EXPECT_EQ(tx->ListPendingDispatchHints(0).status().code(), StatusCode::kInvalidArgument);
    for (const auto& h : pending) {
      ids.push_back(h.id);
    }
    // Only G1's hints up to the first: the later one came after the re-read.
    Must(tx->MarkDispatchHintsProcessed("G1", ids[0]));
    Must(tx->Commit());
  }
  this->clock_.Advance(hours{1});
  this->InTransaction([&](Transaction& tx) {
    std::vector<std::string> keys;
    for (const auto& h : Must(tx.ListPendingDispatchHints(10))) {
      keys.push_back(h.dedupe_key);
    }
    EXPECT_EQ(keys, (std::vector<std::string>{"e2", "e3"}));
    // A processed hint still dedupes.
    EXPECT_FALSE(Must(tx.RecordDispatchHint({"e1", "G1", "webhook"})));
    Must(tx.MarkDispatchHintsProcessed("G1", ids[2]));
    EXPECT_EQ(Must(tx.PurgeProcessedDispatchHints(kStart + minutes{1})), 2);
    EXPECT_EQ(Must(tx.PurgeProcessedDispatchHints(kStart + minutes{1})), 0);
    EXPECT_EQ(Must(tx.ListPendingDispatchHints(10)).size(), 1U);
  });
}

// --- API tokens --------------------------------------------------------------------

TYPED_TEST_P(StoreConformanceTest, ApiTokensAreFoundByHashListedRevokedAndTouched) {
  this->InTransaction([this](Transaction& tx) {
    const std::int64_t alice = Must(tx.CreateApiToken(
        {.name = "alice", .role = "ops", .token_hash = "aa11", .created_by = "cli"}));
    const std::int64_t scraper = Must(tx.CreateApiToken(
        {.name = "prometheus", .role = "ops", .token_hash = "bb22", .created_by = "cli"}));
    EXPECT_LT(alice, scraper);
    EXPECT_EQ(
        tx.CreateApiToken({.name = "again", .role = "admin", .token_hash = "aa11"}).status().code(),
        StatusCode::kAlreadyExists);
    EXPECT_EQ(
        tx.CreateApiToken({.name = "", .role = "admin", .token_hash = "cc33"}).status().code(),
        StatusCode::kInvalidArgument);

    const std::optional<ApiToken> found = Must(tx.FindApiTokenByHash("aa11"));
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->id, alice);
    EXPECT_EQ(found->name, "alice");
    EXPECT_EQ(found->role, "ops");
    EXPECT_EQ(found->created_by, "cli");
    EXPECT_EQ(found->created_at, this->clock_.Now());
    EXPECT_TRUE(found->IsActive());
    EXPECT_FALSE(found->last_used_at.has_value());
    EXPECT_FALSE(Must(tx.FindApiTokenByHash("AA11")).has_value());

    this->clock_.Advance(std::chrono::minutes{5});
    Must(tx.TouchApiToken(alice));
    Must(tx.RevokeApiToken(scraper));
    EXPECT_EQ(tx.RevokeApiToken(scraper).code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(tx.RevokeApiToken(999).code(), StatusCode::kNotFound);

    const std::vector<ApiToken> tokens = Must(tx.ListApiTokens());
    ASSERT_EQ(tokens.size(), 2U);
    EXPECT_EQ(tokens[0].last_used_at, this->clock_.Now());
    EXPECT_TRUE(tokens[0].IsActive());
    EXPECT_EQ(tokens[1].revoked_at, this->clock_.Now());
    EXPECT_FALSE(tokens[1].IsActive());
  });
}

TYPED_TEST_P(StoreConformanceTest, AuditLogAndExceptionsFilterBySubject) {
  this->InTransaction([](Transaction& tx) {
    for (const char* subject : {"order-1", "order-2", "order-1"}) {
      Must(tx.AppendAudit({.at = kStart, .actor = "system", .action = "a", .subject = subject}));
    }
    Must(tx.HoldException({.kind = "order", .subject_id = "order-1", .reason = "r"}));
    Must(tx.HoldException({.kind = "confirmation", .subject_id = "order-1", .reason = "r"}));
    Must(tx.HoldException({.kind = "order", .subject_id = "order-2", .reason = "r"}));
    const std::vector<AuditEntry> newest = Must(tx.ListAudit({.subject = "order-1"}));
    ASSERT_EQ(newest.size(), 2U);
    EXPECT_GT(newest[0].id, newest[1].id);
    EXPECT_EQ(Must(tx.ListAudit({.after_id = newest[1].id, .subject = "order-1"})).size(), 1U);
    EXPECT_EQ(Must(tx.ListAudit({})).size(), 3U);
    Must(tx.UpsertOrder(TestOrder(OrderId(3))));
    Must(tx.AppendAudit({.at = kStart + hours{2},
                         .actor = "system",
                         .action = "order.sent_to_clarus",
                         .subject = OrderId(3)}));
    const auto releases = Must(tx.ListOrderReleaseTimings(kStart));
    ASSERT_EQ(releases.size(), 1U);
    EXPECT_EQ(releases[0].first, TestOrder(OrderId(3))->purchase_date);
    EXPECT_EQ(releases[0].second, kStart + hours{2});
    EXPECT_TRUE(Must(tx.ListOrderReleaseTimings(kStart + hours{3})).empty());
    const std::vector<HeldException> held =
        Must(tx.ListExceptions({.open_only = false, .subject_id = "order-1"}));
    ASSERT_EQ(held.size(), 2U);
    EXPECT_EQ(held[0].subject_id, "order-1");
    EXPECT_EQ(held[1].subject_id, "order-1");
  });
}

TYPED_TEST_P(StoreConformanceTest, SettlementReportKeepsItsDocumentAndRecordsOutcomes) {
  // Bytes that are not UTF-8 (Windows-1252 "ü", a NUL) must come back unchanged.
  const std::string document(
      "settlement-id\tcurrency\r\nM\xfc"
      "nchen\t\0EUR\r\n",
      30);
  this->InTransaction([&](Transaction& tx) {
    SettlementReport report{.report_id = "50000000001",
                            .document_id = "amzn1.spdoc.1.4.eu.x",
                            .marketplace_id = "A1PA6795UKMFR9",
                            .created_time = kStart,
                            .document = document};
    EXPECT_TRUE(Must(tx.AddSettlementReport(report)));
    report.document = "other";
    EXPECT_FALSE(Must(tx.AddSettlementReport(report)));
    EXPECT_EQ(tx.AddSettlementReport({.report_id = ""}).status().code(),
              StatusCode::kInvalidArgument);
    Must(tx.AddSettlementReport(
        {.report_id = "50000000002", .created_time = kStart + hours{24}, .document = "x"}));

    std::optional<SettlementReport> found = Must(tx.FindSettlementReport("50000000001"));
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->document, document);
    EXPECT_EQ(found->fetched_at, this->clock_.Now());
    EXPECT_EQ(found->state, SettlementState::kReceived);
    EXPECT_EQ(found->problems, "[]");
    EXPECT_FALSE(Must(tx.FindSettlementReport("59999999999")).has_value());

    this->clock_.Advance(std::chrono::minutes{1});
    SettlementReport outcome = *found;
    outcome.document = "never written";
    outcome.state = SettlementState::kNeedsAttention;
    outcome.settlement_id = "12345678901";
    outcome.currency = "EUR";
    outcome.total_minor = -1234;
    outcome.start = kStart;
    outcome.end = kStart + hours{24 * 14};
    outcome.deposit_date = kStart + hours{24 * 17};
    outcome.difference_minor = 99;
    outcome.problems = R"([{"line":3,"message":"bad"}])";
    outcome.journals = "{}";
    outcome.parsed_at = this->clock_.Now();
    Must(tx.UpdateSettlementOutcome(outcome));
    EXPECT_EQ(tx.UpdateSettlementOutcome({.report_id = "59999999999"}).code(),
              StatusCode::kNotFound);
    found = Must(tx.FindSettlementReport("50000000001"));
    ASSERT_TRUE(found.has_value());
    outcome.document = document;
    EXPECT_EQ(*found, outcome);

    const std::vector<SettlementReport> all = Must(tx.ListSettlementReports({}));
    ASSERT_EQ(all.size(), 2U);
    EXPECT_EQ(all[0].report_id, "50000000002");
    EXPECT_TRUE(all[0].document.empty());
    EXPECT_EQ(all[1].settlement_id, "12345678901");
    const auto attention =
        Must(tx.ListSettlementReports({.state = SettlementState::kNeedsAttention}));
    ASSERT_EQ(attention.size(), 1U);
    EXPECT_EQ(attention[0].report_id, "50000000001");
    EXPECT_EQ(Must(tx.ListSettlementReports({.created_since = kStart + hours{1}})).size(), 1U);
    EXPECT_EQ(Must(tx.ListSettlementReports({.limit = 1})).size(), 1U);
  });
}

TYPED_TEST_P(StoreConformanceTest, FinanceRulesPostingsAndReturnsRoundTrip) {
  this->InTransaction([this](Transaction& tx) {
    EXPECT_TRUE(Must(tx.ListFinanceAccountRules()).empty());
    const std::vector<FinanceAccountRule> rules = {
        {"Order", "ItemPrice", "Principal", "4000", "Amazon sales"},
        {"*", "ItemFees", "*", "6000", "Amazon fees"}};
    Must(tx.ReplaceFinanceAccountRules(rules));
    Must(tx.ReplaceFinanceAccountRules({rules[1], rules[0]}));
    EXPECT_EQ(Must(tx.ListFinanceAccountRules()),
              (std::vector<FinanceAccountRule>{rules[1], rules[0]}));
    EXPECT_EQ(tx.ReplaceFinanceAccountRules({rules[0], rules[0]}).code(),
              StatusCode::kInvalidArgument);

    EXPECT_FALSE(Must(tx.FindJournalPosting("123", "2026-10", "xero")).has_value());
    JournalPosting posting{.settlement_id = "123",
                           .period = "2026-10",
                           .sink = "xero",
                           .last_error = "503",
                           .attempts = 1};
    Must(tx.PutJournalPosting(posting));
    this->clock_.Advance(std::chrono::minutes{2});
    posting.posted = true;
    posting.external_id = "journal-1";
    posting.last_error.clear();
    posting.attempts = 2;
    Must(tx.PutJournalPosting(posting));
    Must(tx.PutJournalPosting({.settlement_id = "123", .period = "2026-11", .sink = "xero"}));
    posting.updated_at = this->clock_.Now();
    EXPECT_EQ(Must(tx.FindJournalPosting("123", "2026-10", "xero")), posting);
    const auto postings = Must(tx.ListJournalPostings("123"));
    ASSERT_EQ(postings.size(), 2U);
    EXPECT_EQ(postings[1].period, "2026-11");
    EXPECT_TRUE(Must(tx.ListJournalPostings("456")).empty());

    const ReturnReceipt receipt{
        .amazon_order_id = "202-1", .received_at = kStart, .source = "import:r.csv"};
    EXPECT_TRUE(Must(tx.RecordReturnReceipt(receipt)));
    EXPECT_FALSE(Must(tx.RecordReturnReceipt({.amazon_order_id = "202-1", .source = "again"})));
    EXPECT_EQ(tx.RecordReturnReceipt({}).status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(Must(tx.FindReturnReceipt("202-1")), receipt);
    EXPECT_FALSE(Must(tx.FindReturnReceipt("202-2")).has_value());
  });
}

REGISTER_TYPED_TEST_SUITE_P(
    StoreConformanceTest, UncommittedTransactionLeavesNothing,
    CommittedTransactionRefusesFurtherUse, ReadOnlyTransactionReadsButRefusesWrites,
    TransactionsFromManyThreadsAllCommit, CommittedDataSurvivesReopening,
    OrderWithLinesRoundTripsExactly, OrderWithoutOptionalFieldsRoundTrips,
    UpsertReplacesOrderAndItsLinesAndKeepsSyncState, GetOrderOfUnknownIdIsNotFound,
    SetSyncStateKeepsGoodsOutIdUnlessGiven, ListOrdersFiltersAndOrdersByUpdateTime,
    PurgeRemovesAddressesOfOrdersDispatchedOrClosedBeforeCutoff,
    WatermarkIsAbsentUntilSetThenOverwritten, EnqueuedConfirmationRoundTrips,
    EnqueueWithExistingKeyReturnsExistingEntryAndChangesNothing,
    DueConfirmationsComeEarliestDeadlineFirstThenById,
    UpdateConfirmationWritesFieldsAndStampsOutcomeTimes, CountsConfirmationsByState,
    StockLevelUpsertKeepsLatestPerSku, LatestStockPublicationIsNewestPerSku,
    UpsertStockLevelsWritesEachInTurn, LatestStockPublicationIsNewestPerSkuAndMarketplace,
    RecordStockPublicationsWithAnInvalidSkuRecordsNothing,
    RecordStockPublicationsTakesTensOfThousandsAtOnce,
    PurgeStockPublicationsKeepsTheLatestOfEachPair, StockFeedsAreRecordedUpdatedAndListed,
    StockChecksAreListedSinceFilteredByDriftAndPurged, CountsUnitsOrderedBySkuSinceAPurchaseDate,
    ShipMethodMappingPutReplacesOnKeyAndDeletes, FindMappingPrefersAutomatedCarrierThenServiceLevel,
    HoldingAgainCountsAttemptsKeepsFirstSeenAndReopens, ListExceptionsFiltersOpenAndKind,
    AuditLogListsNewestFirstOrAfterAnId, AuditLogRefusesUpdateAndDelete,
    MigrationsAreRecordedOnceAcrossReopens, DatabaseFromNewerVersionIsRefused,
    OrderLabelRoundTripsAndNeedsItsOrder, PurgeRemovesLabelContentsAndQuarantinedDocuments,
    QuarantineKeepsFirstSeenAndReplacesProblem, CountsOrdersBySyncStateAndFindsExceptionBySubject,
    ListConfirmationsFiltersAndKeepsTransportFeedAndResends, ParcelIsReplacedOnlyBeforeAmazonHasIt,
    ConfirmationTimingsSinceAGivenTime, DispatchHintsAreDedupedListedAndMarkedUpToAnId,
    ApiTokensAreFoundByHashListedRevokedAndTouched, AuditLogAndExceptionsFilterBySubject,
    SettlementReportKeepsItsDocumentAndRecordsOutcomes, FinanceRulesPostingsAndReturnsRoundTrip);

}  // namespace sellerbridge::store
