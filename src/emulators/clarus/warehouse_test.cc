#include "emulators/clarus/warehouse.h"

#include <gtest/gtest.h>

#include <regex>

#include "base/time_format.h"

namespace sellerbridge::emulators::clarus {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

constexpr std::int64_t kRm24 = 1;
constexpr std::int64_t kEvri48 = 8;

class WarehouseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto created = Warehouse::Create(Scenario::Default(), &clock_, 7);
    ASSERT_TRUE(created.ok()) << created.status();
    warehouse_ = std::move(*created);
    warehouse_->SetEventSink([this](const WarehouseEvent& e) { events_.push_back(e); });
  }

  GoodsOut Order(const std::string& reference,
                 const std::vector<std::pair<std::int64_t, std::int64_t>>& lines,
                 std::int64_t service = kRm24, bool draft = false) {
    GoodsOutInput input;
    input.reference = reference;
    input.account_id = 1;
    input.warehouse_id = 1;
    input.carrier_service_id = service;
    input.address = Address{
        .name = "A Buyer", .address_1 = "1 High St", .postcode = "SW1A 1AA", .country_code = "GB"};
    if (draft) {
      input.status = GoodsOutStatus::kDraft;
    }
    for (const auto& [product, quantity] : lines) {
      LineChange change;
      change.product_id = product;
      change.order_quantity = quantity;
      input.lines_changes.push_back(change);
    }
    std::vector<FieldError> errors;
    auto order = warehouse_->CreateGoodsOut(input, &errors);
    EXPECT_TRUE(order.ok()) << order.status() << (errors.empty() ? "" : errors[0].pointer);
    return order.ok() ? *order : GoodsOut{};
  }

  GoodsOut Get(std::int64_t id) {
    GoodsOut order;
    warehouse_->Read([&](const WarehouseState& s) { order = s.goods_outs.at(id); });
    return order;
  }

  std::vector<Shipment> ShipmentsOf(std::int64_t id) {
    std::vector<Shipment> out;
    warehouse_->Read([&](const WarehouseState& s) {
      for (const auto& [sid, shipment] : s.shipments) {
        if (shipment.goods_out_id == id) {
          out.push_back(shipment);
        }
      }
    });
    return out;
  }

  StockBalance BalanceOf(std::int64_t product) {
    StockBalance balance;
    warehouse_->Read([&](const WarehouseState& s) {
      for (const auto& [id, b] : s.balances) {
        if (b.product_id == product) {
          balance = b;
        }
      }
    });
    return balance;
  }

  // 08:00 on a Friday; Royal Mail collects at 17:00, Evri at 15:00.
  VirtualClock clock_{*ParseIso8601("2026-11-27T08:00:00Z")};
  std::unique_ptr<Warehouse> warehouse_;
  std::vector<WarehouseEvent> events_;
};

TEST_F(WarehouseTest, OrderMovesThroughEveryStatusAndCompletesAtTheCarrierCollection) {
  const GoodsOut busy = Order("BIG", {{3, 60}});  // Six minutes of picking.
  const GoodsOut order = Order("SO-1", {{1, 2}});
  EXPECT_EQ(order.status, GoodsOutStatus::kPending);
  clock_.Advance(minutes{1});
  EXPECT_EQ(Get(busy.id).status, GoodsOutStatus::kPick);
  EXPECT_EQ(Get(order.id).status, GoodsOutStatus::kAllocated);
  EXPECT_EQ(BalanceOf(1).allocated, 2);
  EXPECT_EQ(BalanceOf(1).available, 98);
  clock_.Advance(minutes{7});
  EXPECT_EQ(Get(order.id).status, GoodsOutStatus::kPick);
  clock_.Advance(minutes{5});
  EXPECT_EQ(Get(order.id).lines[0].pick_quantity, 2);
  EXPECT_EQ(BalanceOf(1).picked, 2);
  ASSERT_EQ(ShipmentsOf(order.id).size(), 1U);
  EXPECT_EQ(ShipmentsOf(order.id)[0].status, ShipmentStatus::kPacked);
  EXPECT_EQ(Get(order.id).status, GoodsOutStatus::kPick);  // Waits for the 17:00 collection.

  clock_.AdvanceTo(*ParseIso8601("2026-11-27T17:00:00Z"));
  const GoodsOut done = Get(order.id);
  EXPECT_EQ(done.status, GoodsOutStatus::kCompleted);
  EXPECT_EQ(done.lines[0].dispatch_quantity, 2);
  EXPECT_EQ(FormatIso8601(*done.dispatch_date), "2026-11-27T17:00:00.000Z");
  const Shipment shipment = ShipmentsOf(order.id)[0];
  EXPECT_EQ(shipment.status, ShipmentStatus::kDispatched);
  EXPECT_TRUE(
      std::regex_match(*shipment.packages[0].tracking_number, std::regex("[A-Z]{2}[0-9]{9}GB")));
  EXPECT_EQ(BalanceOf(1).picked, 0);
  EXPECT_EQ(BalanceOf(1).dispatched, 2);
  ASSERT_EQ(events_.size(), 2U);
  EXPECT_EQ(events_[1].kind, WarehouseEvent::Kind::kGoodsOutCompleted);
  EXPECT_EQ(events_[1].goods_out->id, order.id);
}

TEST_F(WarehouseTest, OrderPackedAfterTheCutOffLeavesOnTheNextDaysCollection) {
  clock_.AdvanceTo(*ParseIso8601("2026-11-27T16:59:00Z"));
  const GoodsOut order = Order("LATE", {{1, 1}});
  clock_.AdvanceTo(*ParseIso8601("2026-11-27T17:05:00Z"));
  EXPECT_EQ(Get(order.id).status, GoodsOutStatus::kPick);
  clock_.AdvanceTo(*ParseIso8601("2026-11-28T17:00:00Z"));
  EXPECT_EQ(Get(order.id).status, GoodsOutStatus::kCompleted);
}

TEST_F(WarehouseTest, CancelDeletesDraftAndPendingOrders) {
  const GoodsOut draft = Order("D", {{1, 1}}, kRm24, true);
  EXPECT_EQ(draft.status, GoodsOutStatus::kDraft);
  const GoodsOut pending = Order("P", {{1, 1}});
  for (const std::int64_t id : {draft.id, pending.id}) {
    auto cancelled = warehouse_->CancelGoodsOut(id);
    ASSERT_TRUE(cancelled.ok());
    EXPECT_FALSE(cancelled->has_value());
  }
  warehouse_->Read([](const WarehouseState& s) { EXPECT_TRUE(s.goods_outs.empty()); });
  EXPECT_EQ(warehouse_->CancelGoodsOut(draft.id).status().code(), StatusCode::kNotFound);
}

TEST_F(WarehouseTest, CancelDeallocatesAllocatedOrdersAndReturnsPicksOfPickingOrders) {
  Order("BIG", {{3, 60}});
  const GoodsOut allocated = Order("A", {{1, 5}});
  clock_.Advance(minutes{1});
  ASSERT_EQ(Get(allocated.id).status, GoodsOutStatus::kAllocated);
  auto cancelled = warehouse_->CancelGoodsOut(allocated.id);
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ((*cancelled)->status, GoodsOutStatus::kCancelled);
  EXPECT_EQ(BalanceOf(1).available, 100);
  EXPECT_EQ(BalanceOf(1).allocated, 0);

  const GoodsOut picking = Order("B", {{2, 4}});
  clock_.Advance(hours{1});
  ASSERT_EQ(Get(picking.id).status, GoodsOutStatus::kPick);
  ASSERT_EQ(BalanceOf(2).picked, 4);
  ASSERT_TRUE(warehouse_->CancelGoodsOut(picking.id).ok());
  EXPECT_EQ(BalanceOf(2).picked, 0);
  EXPECT_EQ(BalanceOf(2).available, 50);
  EXPECT_EQ(ShipmentsOf(picking.id)[0].status, ShipmentStatus::kCancelled);
  EXPECT_EQ(warehouse_->CancelGoodsOut(picking.id).status().code(),
            StatusCode::kFailedPrecondition);
  clock_.Advance(hours{24});
  EXPECT_EQ(Get(picking.id).status, GoodsOutStatus::kCancelled);  // Never collected.
}

TEST_F(WarehouseTest, CompletedOrdersCannotBeCancelled) {
  const GoodsOut order = Order("C", {{1, 1}});
  ASSERT_TRUE(warehouse_->CompleteNow(order.id).ok());
  EXPECT_EQ(Get(order.id).status, GoodsOutStatus::kCompleted);
  const auto result = warehouse_->CancelGoodsOut(order.id);
  EXPECT_EQ(result.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(result.status().message().find("COMPLETED"), std::string::npos);
}

TEST_F(WarehouseTest, AllocationRacingADownAdjustmentLeavesThePartUntilStockArrives) {
  const GoodsOut order = Order("R", {{2, 5}});
  ASSERT_TRUE(warehouse_->AdjustStock(2, 1, -47, "damaged").ok());  // Before allocation runs.
  clock_.Advance(minutes{1});
  EXPECT_EQ(Get(order.id).status, GoodsOutStatus::kPartAllocated);
  EXPECT_EQ(Get(order.id).lines[0].allocated_quantity, 3);
  EXPECT_EQ(warehouse_->AdjustStock(2, 1, -1, "x").status().code(),
            StatusCode::kFailedPrecondition);
  ASSERT_TRUE(warehouse_->ReceiveStock(2, 1, 2).ok());
  warehouse_->AdvanceToNow();
  EXPECT_EQ(Get(order.id).lines[0].allocated_quantity, 5);
  EXPECT_NE(Get(order.id).status, GoodsOutStatus::kPartAllocated);
  ASSERT_EQ(events_.size(), 1U);  // The refused adjustment and the receipt send nothing.
  EXPECT_EQ(events_[0].kind, WarehouseEvent::Kind::kStockAdjusted);
  EXPECT_EQ(events_[0].quantity, -47);
}

TEST_F(WarehouseTest, HoldsMoveStockOutOfReachOfAllocation) {
  ASSERT_TRUE(warehouse_->HoldStock(2, 1, 50).ok());
  const GoodsOut order = Order("H", {{2, 1}});
  clock_.Advance(minutes{1});
  EXPECT_EQ(Get(order.id).status, GoodsOutStatus::kPending);
  ASSERT_TRUE(warehouse_->ReleaseStock(2, 1, 10).ok());
  warehouse_->AdvanceToNow();
  EXPECT_EQ(Get(order.id).lines[0].allocated_quantity, 1);
  EXPECT_EQ(BalanceOf(2).held, 40);
  ASSERT_EQ(events_.size(), 2U);
  EXPECT_EQ(events_[0].kind, WarehouseEvent::Kind::kStockHeld);
  EXPECT_EQ(events_[1].kind, WarehouseEvent::Kind::kStockReleased);
}

TEST_F(WarehouseTest, ShortPickCompletesWithDispatchBelowOrderQuantity) {
  const GoodsOut order = Order("S", {{1, 3}, {2, 2}});
  ASSERT_TRUE(warehouse_->AllocateNow(order.id).ok());
  const std::int64_t line = Get(order.id).lines[0].id;
  ASSERT_TRUE(warehouse_->PickNow(order.id, {{line, 1}}).ok());
  ASSERT_TRUE(warehouse_->CompleteNow(order.id).ok());
  const GoodsOut done = Get(order.id);
  EXPECT_EQ(done.status, GoodsOutStatus::kCompleted);
  EXPECT_EQ(done.lines[0].dispatch_quantity, 2);
  EXPECT_TRUE(done.lines[0].shorted);
  EXPECT_EQ(done.lines[1].dispatch_quantity, 2);
  EXPECT_FALSE(done.lines[1].shorted);
}

TEST_F(WarehouseTest, ShortedLinesLetAStarvedOrderGoOn) {
  ASSERT_TRUE(warehouse_->AdjustStock(2, 1, -50, "count").ok());
  const GoodsOut order = Order("N", {{1, 1}, {2, 1}});
  clock_.Advance(minutes{1});
  ASSERT_EQ(Get(order.id).status, GoodsOutStatus::kPartAllocated);
  std::vector<FieldError> errors;
  ASSERT_TRUE(warehouse_->ShortLines({Get(order.id).lines[1].id}, &errors).ok());
  clock_.Advance(hours{24});
  const GoodsOut done = Get(order.id);
  EXPECT_EQ(done.status, GoodsOutStatus::kCompleted);
  EXPECT_EQ(done.lines[1].dispatch_quantity, 0);
}

TEST_F(WarehouseTest, SplitOrderLeavesAsPartialDispatchesOnTwoCollections) {
  const GoodsOut order = Order("SPLIT", {{1, 3}, {2, 1}});
  ASSERT_TRUE(warehouse_->PlanSplit(order.id, 2, 2).ok());
  clock_.AdvanceTo(*ParseIso8601("2026-11-27T17:00:00Z"));
  GoodsOut partial = Get(order.id);
  EXPECT_EQ(partial.status, GoodsOutStatus::kPick);
  EXPECT_EQ(partial.lines[0].dispatch_quantity, 2);
  EXPECT_EQ(partial.lines[1].dispatch_quantity, 0);
  clock_.AdvanceTo(*ParseIso8601("2026-11-28T17:00:00Z"));
  const GoodsOut done = Get(order.id);
  EXPECT_EQ(done.status, GoodsOutStatus::kCompleted);
  const auto shipments = ShipmentsOf(order.id);
  ASSERT_EQ(shipments.size(), 2U);
  for (const Shipment& s : shipments) {
    EXPECT_EQ(s.packages.size(), 2U);
    EXPECT_EQ(s.status, ShipmentStatus::kDispatched);
  }
  EXPECT_NE(shipments[0].collection_datetime, shipments[1].collection_datetime);
}

TEST_F(WarehouseTest, EvriTrackingNumbersAppearOnlyAfterCompletion) {
  const GoodsOut order = Order("EV", {{1, 1}}, kEvri48);
  clock_.AdvanceTo(*ParseIso8601("2026-11-27T15:00:00Z"));
  ASSERT_EQ(Get(order.id).status, GoodsOutStatus::kCompleted);
  EXPECT_FALSE(ShipmentsOf(order.id)[0].packages[0].tracking_number.has_value());
  ASSERT_FALSE(events_.empty());
  EXPECT_FALSE(events_.back().shipments[0].packages[0].tracking_number.has_value());
  clock_.Advance(hours{1});
  const auto tracking = ShipmentsOf(order.id)[0].packages[0].tracking_number;
  ASSERT_TRUE(tracking.has_value());
  EXPECT_TRUE(std::regex_match(*tracking, std::regex("H[0-9]{2}[0-9A-Z]{3}[0-9]{10}")));
}

TEST_F(WarehouseTest, ShipmentCancelRelabelsWithANewTrackingNumber) {
  const GoodsOut order = Order("RL", {{1, 1}});
  ASSERT_TRUE(warehouse_->CompleteNow(order.id).ok());
  const Shipment original = ShipmentsOf(order.id)[0];
  auto cancelled = warehouse_->CancelShipment(original.id);
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled->status, ShipmentStatus::kCancelled);
  EXPECT_FALSE(cancelled->label_filename.has_value());
  ASSERT_TRUE(cancelled->replaced_by.has_value());
  const auto shipments = ShipmentsOf(order.id);
  ASSERT_EQ(shipments.size(), 2U);
  EXPECT_EQ(shipments[1].status, ShipmentStatus::kDispatched);
  EXPECT_NE(shipments[1].packages[0].tracking_number, original.packages[0].tracking_number);
  EXPECT_EQ(warehouse_->CancelShipment(original.id).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(WarehouseTest, ValidationNamesEveryBadField) {
  GoodsOutInput input;
  input.reference = "V";
  input.account_id = 99;
  input.warehouse_id = 98;
  input.carrier_service_id = 97;
  LineChange change;
  change.pointer = "/data/attributes/lines_changes/0";
  change.product_id = 96;
  change.order_quantity = 0;
  input.lines_changes.push_back(change);
  std::vector<FieldError> errors;
  EXPECT_EQ(warehouse_->CreateGoodsOut(input, &errors).status().code(),
            StatusCode::kInvalidArgument);
  std::vector<std::string> pointers;
  pointers.reserve(errors.size());
  for (const FieldError& e : errors) {
    pointers.push_back(e.pointer);
  }
  for (const char* expected : {"/data/attributes/account_id", "/data/attributes/warehouse_id",
                               "/data/attributes/carrier_service_id", "/data/attributes/addresses",
                               "/data/attributes/lines_changes/0/attributes/product_id",
                               "/data/attributes/lines_changes/0/attributes/order_quantity"}) {
    EXPECT_NE(std::find(pointers.begin(), pointers.end(), expected), pointers.end()) << expected;
  }
}

TEST_F(WarehouseTest, SameSeedAndCallsGiveTheSameRun) {
  Scenario scenario = Scenario::Default();
  scenario.rates.split_rate = 0.5;
  scenario.rates.multi_parcel_rate = 0.5;
  const auto run = [&](std::uint64_t seed) {
    VirtualClock clock(*ParseIso8601("2026-11-27T08:00:00Z"));
    auto w = std::move(*Warehouse::Create(scenario, &clock, seed));
    for (int i = 0; i < 10; ++i) {
      GoodsOutInput input;
      input.reference = "R" + std::to_string(i);
      input.account_id = 1;
      input.warehouse_id = 1;
      input.address = Address{.name = "n", .address_1 = "a", .postcode = "p", .country_code = "GB"};
      LineChange change;
      change.product_id = 3;
      change.order_quantity = 4;
      input.lines_changes.push_back(change);
      std::vector<FieldError> errors;
      EXPECT_TRUE(w->CreateGoodsOut(input, &errors).ok());
    }
    clock.Advance(hours{72});
    std::string trace;
    w->Read([&](const WarehouseState& s) {
      for (const auto& [id, sh] : s.shipments) {
        trace += std::to_string(sh.goods_out_id) + ":" + std::to_string(sh.packages.size()) + ":" +
                 sh.packages[0].tracking_number.value_or("-") + ";";
      }
    });
    return trace;
  };
  EXPECT_EQ(run(5), run(5));
  EXPECT_NE(run(5), run(6));
}

}  // namespace
}  // namespace sellerbridge::emulators::clarus
