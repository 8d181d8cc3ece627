// Stock balances and carriers against the Clarus emulator over loopback.
#include "clarus/stock.h"

#include <gtest/gtest.h>

#include <map>

#include "clarus/carriers.h"
#include "clarus/connector_test_fixture.h"

namespace sellerbridge::clarus {
namespace {

class StockTest : public ClarusConnectorTest {
 protected:
  // Adds `count` products, each with stock in the warehouse.
  void AddStockedProducts(int count) {
    for (int i = 0; i < count; ++i) {
      std::vector<emulator::FieldError> errors;
      auto product = emulator_->GetWarehouse().CreateProduct(
          {.account_id = 1, .product_code = "STK-" + std::to_string(i), .name = "Stocked"},
          &errors);
      ASSERT_TRUE(product.ok()) << product.status();
      ASSERT_TRUE(emulator_->GetWarehouse().ReceiveStock(product->id, 1, 10 + i).ok());
    }
  }

  // The emulator's balances, by id.
  std::map<std::string, emulator::StockBalance> Truth() {
    std::map<std::string, emulator::StockBalance> out;
    emulator_->GetWarehouse().Read([&](const emulator::WarehouseState& state) {
      for (const auto& [id, balance] : state.balances) {
        out[std::to_string(id)] = balance;
      }
    });
    return out;
  }
};

TEST_F(StockTest, ASnapshotPagesThroughEveryBalance) {
  AddStockedProducts(23);
  // Some stock allocated, picked and held, so every quantity is exercised.
  CreateOrder("203-4444444-0000001", 4);
  Advance(std::chrono::minutes{2});
  ASSERT_TRUE(emulator_->GetWarehouse().HoldStock(2, 1, 5).ok());

  Stock stock(client_.get());
  const auto snapshot = stock.Snapshot(4);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  const auto truth = Truth();
  ASSERT_EQ(snapshot->size(), truth.size());
  ASSERT_GT(truth.size(), 4U * 5);
  for (const StockBalance& balance : *snapshot) {
    const emulator::StockBalance& want = truth.at(balance.id);
    EXPECT_EQ(balance.product_id, std::to_string(want.product_id));
    EXPECT_EQ(balance.account_id, std::to_string(want.account_id));
    EXPECT_EQ(balance.warehouse_id, std::to_string(want.warehouse_id));
    EXPECT_EQ(balance.available, want.available) << balance.sku;
    EXPECT_EQ(balance.allocated, want.allocated) << balance.sku;
    EXPECT_EQ(balance.picked, want.picked) << balance.sku;
    EXPECT_EQ(balance.held, want.held) << balance.sku;
  }
  const StockBalance& mug = snapshot->front();
  EXPECT_EQ(mug.sku, "SKU-001");
  EXPECT_EQ(mug.available + mug.allocated + mug.picked, 100) << "the order's 4 units moved";
  EXPECT_GT(mug.allocated + mug.picked, 0);
  EXPECT_EQ(snapshot->at(1).held, 5);
}

TEST_F(StockTest, ChangedSinceReturnsOnlyWhatMovedAfterTheWatermark) {
  AddStockedProducts(9);
  Advance(std::chrono::minutes{1});
  const std::string watermark = Now();
  Advance(std::chrono::minutes{1});
  ASSERT_TRUE(emulator_->GetWarehouse().AdjustStock(3, 1, -7, "damaged").ok());
  ASSERT_TRUE(emulator_->GetWarehouse().HoldStock(1, 1, 2).ok());

  Stock stock(client_.get());
  const auto changed = stock.ChangedSince(watermark, 1);
  ASSERT_TRUE(changed.ok()) << changed.status();
  ASSERT_EQ(changed->size(), 2U);
  EXPECT_EQ(changed->at(0).sku, "SKU-001");
  EXPECT_EQ(changed->at(0).held, 2);
  EXPECT_EQ(changed->at(1).sku, "SKU-003");
  EXPECT_EQ(changed->at(1).available, 193);
  EXPECT_GE(changed->at(1).updated_at, watermark);

  const auto later = stock.ChangedSince(FormatIso8601(clock_.Now() + std::chrono::seconds{1}));
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_TRUE(later->empty());
}

TEST_F(StockTest, ListsEveryCarrierWithItsServices) {
  Carriers carriers(client_.get());
  const auto listed = carriers.List(2);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), GetScenario().carriers.size());
  std::size_t services = 0;
  for (const Carrier& carrier : *listed) {
    services += carrier.services.size();
    for (const CarrierService& service : carrier.services) {
      EXPECT_EQ(service.carrier_id, carrier.id);
    }
  }
  EXPECT_EQ(services, GetScenario().carrier_services.size());
  const Carrier& royal_mail = listed->front();
  EXPECT_EQ(royal_mail.code, "ROYALMAIL");
  ASSERT_EQ(royal_mail.services.size(), 3U);
  EXPECT_EQ(royal_mail.services[2].code, "RM1CLS");
  EXPECT_EQ(royal_mail.services[2].name, "Royal Mail 1st Class");
}

}  // namespace
}  // namespace sellerbridge::clarus
