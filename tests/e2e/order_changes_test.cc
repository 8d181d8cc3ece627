// What happens to orders after they are imported: changes on Amazon that the
// warehouse must follow, addresses fixed by the buyer, unreadable orders, and
// label purchases cut short. Both emulators on loopback.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "e2e/world.h"

namespace sellerbridge::e2e {
namespace {

namespace amazon_emulator = ::sellerbridge::emulators::amazon;
namespace clarus_emulator = ::sellerbridge::emulators::clarus;
using std::chrono::minutes;
using store::SyncState;

class OrderChangesTest : public ::testing::Test {
 protected:
  void SetUp() override { Start({}); }

  void Start(std::vector<std::string> extra_skus) {
    world_.reset();
    dir_ = std::filesystem::temp_directory_path() /
           ("sellerbridge-order-changes-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto world = World::Create({.dir = dir_,
                                .seed = 3,
                                .lift_rate_limits = true,
                                .extra_amazon_skus = std::move(extra_skus)});
    ASSERT_TRUE(world.ok()) << world.status();
    world_ = std::move(world).value();
    ASSERT_TRUE(world_->MapShipMethods().ok());
  }

  void TearDown() override {
    world_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string Place(bool prime = false, bool without_postal_code = false,
                    std::string sku = std::string(kSkus[0])) {
    auto id = world_->PlaceOrder({.sku = std::move(sku),
                                  .quantity = 2,
                                  .prime = prime,
                                  .without_postal_code = without_postal_code});
    EXPECT_TRUE(id.ok()) << id.status();
    return id.ok() ? *id : std::string();
  }

  sync::ReleasePass Pass() {
    auto imported = world_->Import();
    EXPECT_TRUE(imported.ok()) << imported.status();
    auto released = world_->Release();
    EXPECT_TRUE(released.ok()) << released.status();
    return released.ok() ? *released : sync::ReleasePass{};
  }

  // Three minutes on, so that what Amazon changed now can be searched.
  sync::ReleasePass PassLater() {
    world_->Advance(minutes{3});
    return Pass();
  }

  store::StoredOrder Stored(const std::string& id) {
    auto tx = world_->Store().BeginReadOnly();
    EXPECT_TRUE(tx.ok());
    auto order = (*tx)->GetOrder(id);
    EXPECT_TRUE(order.ok()) << order.status();
    return std::move(order).value();
  }

  std::optional<store::HeldException> Exception(const std::string& kind, const std::string& id) {
    auto tx = world_->Store().BeginReadOnly();
    EXPECT_TRUE(tx.ok());
    auto found = (*tx)->FindException(kind, id);
    EXPECT_TRUE(found.ok()) << found.status();
    return found.ok() ? *found : std::nullopt;
  }

  // The goods-out of `reference` as the emulated warehouse holds it.
  std::optional<clarus_emulator::GoodsOut> GoodsOut(const std::string& reference) {
    std::optional<clarus_emulator::GoodsOut> found;
    world_->Clarus().GetWarehouse().Read([&](const clarus_emulator::WarehouseState& state) {
      for (const auto& [id, goods_out] : state.goods_outs) {
        if (goods_out.reference == reference) {
          found = goods_out;
        }
      }
    });
    return found;
  }

  std::filesystem::path dir_;
  std::unique_ptr<World> world_;
};

TEST_F(OrderChangesTest, NewAddressBeforePickingUpdatesTheGoodsOut) {
  const std::string id = Place();
  ASSERT_EQ(Pass().sent_to_clarus, 1);
  const clarus_emulator::Address before = GoodsOut(id)->address;

  ASSERT_TRUE(world_->Amazon().ChangeAddress(id).ok());
  const sync::ReleasePass pass = PassLater();
  EXPECT_EQ(pass.goods_outs_updated, 1);
  const store::StoredOrder stored = Stored(id);
  EXPECT_EQ(stored.sync.state, SyncState::kSentToClarus);
  const auto goods_out = GoodsOut(id);
  ASSERT_TRUE(goods_out.has_value());
  EXPECT_EQ(goods_out->address.address_1, stored.order->shipping_address->line1);
  EXPECT_EQ(goods_out->address.postcode, stored.order->shipping_address->postal_code);
  EXPECT_NE(goods_out->address.name + goods_out->address.address_1 + goods_out->address.postcode,
            before.name + before.address_1 + before.postcode);
  EXPECT_FALSE(Exception("order", id).has_value());
}

TEST_F(OrderChangesTest, NewAddressAfterPickingIsHeldForTheWarehouse) {
  const std::string id = Place();
  ASSERT_EQ(Pass().sent_to_clarus, 1);
  const std::int64_t goods_out_id = GoodsOut(id)->id;
  ASSERT_TRUE(world_->Clarus().GetWarehouse().AllocateNow(goods_out_id).ok());
  ASSERT_TRUE(world_->Clarus().GetWarehouse().PickNow(goods_out_id, {}).ok());
  const clarus_emulator::Address picked_with = GoodsOut(id)->address;

  ASSERT_TRUE(world_->Amazon().ChangeAddress(id).ok());
  const sync::ReleasePass pass = PassLater();
  EXPECT_EQ(pass.goods_outs_updated, 0);
  EXPECT_EQ(pass.held, 1);
  const auto held = Exception("order", id);
  ASSERT_TRUE(held.has_value());
  EXPECT_TRUE(held->IsOpen());
  EXPECT_EQ(held->reason.rfind("address changed after picking: ", 0), 0U) << held->reason;
  EXPECT_EQ(Stored(id).sync.state, SyncState::kSentToClarus);
  EXPECT_EQ(GoodsOut(id)->address.address_1, picked_with.address_1);
}

TEST_F(OrderChangesTest, CancellationCancelsTheGoodsOutWhileClarusAllowsIt) {
  const std::string waiting = Place();
  const std::string dispatched = Place();
  ASSERT_EQ(Pass().sent_to_clarus, 2);
  ASSERT_TRUE(world_->Clarus().GetWarehouse().CompleteNow(GoodsOut(dispatched)->id).ok());

  for (const std::string& id : {waiting, dispatched}) {
    ASSERT_TRUE(world_->Amazon().CancelOrder(id, amazon_emulator::Canceller::kBuyer).ok());
  }
  const sync::ReleasePass pass = PassLater();
  EXPECT_EQ(pass.goods_outs_cancelled, 1);
  EXPECT_EQ(Stored(waiting).sync.state, SyncState::kCancelled);
  const auto cancelled = GoodsOut(waiting);
  EXPECT_TRUE(!cancelled || cancelled->status == clarus_emulator::GoodsOutStatus::kCancelled);

  // Too late for Clarus: the warehouse must intercept the parcel.
  const auto held = Exception("order", dispatched);
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(held->reason.rfind("cancelled after dispatch: ", 0), 0U) << held->reason;
  EXPECT_EQ(GoodsOut(dispatched)->status, clarus_emulator::GoodsOutStatus::kCompleted);
}

TEST_F(OrderChangesTest, IncompleteAddressIsHeldUntilTheBuyerFixesIt) {
  const std::string id = Place(/*prime=*/false, /*without_postal_code=*/true);
  sync::ReleasePass pass = Pass();
  EXPECT_EQ(pass.held, 1);
  auto held = Exception("order", id);
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(held->reason, "address incomplete: the delivery address has no postal_code");
  EXPECT_FALSE(GoodsOut(id).has_value());

  ASSERT_TRUE(world_->Amazon().ChangeAddress(id).ok());
  pass = PassLater();
  EXPECT_EQ(pass.released, 1);
  EXPECT_EQ(Stored(id).sync.state, SyncState::kSentToClarus);
  held = Exception("order", id);
  ASSERT_TRUE(held.has_value());
  EXPECT_FALSE(held->IsOpen());
  EXPECT_EQ(held->resolved_by, "system");
  ASSERT_TRUE(GoodsOut(id).has_value());
}

TEST_F(OrderChangesTest, AnUnreadableOrderIsQuarantinedAloneAndTheRestFlows) {
  const std::string bad_sku = std::string("BAD") + '\x01' + "SKU";
  Start({bad_sku});
  const std::string good = Place();
  const std::string poison = Place(false, false, bad_sku);
  const std::string after = Place();

  const auto imported = world_->Import();
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(imported->quarantined, 1);
  EXPECT_EQ(imported->orders_new, 2);
  ASSERT_TRUE(imported->watermark.has_value());
  ASSERT_EQ(world_->Release()->sent_to_clarus, 2);
  EXPECT_TRUE(GoodsOut(good).has_value());
  EXPECT_TRUE(GoodsOut(after).has_value());
  EXPECT_FALSE(GoodsOut(poison).has_value());

  const auto held = Exception("order", poison);
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(held->reason.rfind("order unreadable: ", 0), 0U) << held->reason;
  auto tx = world_->Store().BeginReadOnly();
  ASSERT_TRUE(tx.ok());
  const auto quarantined = (*tx)->ListQuarantinedOrders(10);
  ASSERT_TRUE(quarantined.ok());
  ASSERT_EQ(quarantined->size(), 1U);
  EXPECT_EQ((*quarantined)[0].subject_id, poison);
  ASSERT_TRUE((*quarantined)[0].document.has_value());
  EXPECT_NE((*quarantined)[0].document->find(poison), std::string::npos);
}

TEST_F(OrderChangesTest, ClarusDownLosesNothingAndTheNextPassCatchesUp) {
  constexpr int kOrders = 40;
  std::vector<std::string> ids;
  ids.reserve(kOrders);
  for (int i = 0; i < kOrders; ++i) {
    ids.push_back(Place());
  }
  world_->Clarus().Faults().Inject(
      {.kind = clarus_emulator::FaultKind::kServerError, .count = 1000000, .status = 503});
  const sync::ReleasePass down = Pass();
  EXPECT_EQ(down.sent_to_clarus, 0);
  EXPECT_EQ(down.held, 0);
  EXPECT_GT(down.retry_later, 0);
  // It stops trying once it is clear that Clarus is down.
  EXPECT_GT(down.not_attempted, 0);
  EXPECT_EQ(down.retry_later + down.not_attempted, kOrders);
  EXPECT_EQ(down.first_error.code(), StatusCode::kUnavailable) << down.first_error;
  for (const std::string& id : ids) {
    EXPECT_EQ(Stored(id).sync.state, SyncState::kNew) << id;
  }

  world_->Clarus().Faults().Clear();
  const sync::ReleasePass back = Pass();
  EXPECT_EQ(back.sent_to_clarus, kOrders);
  EXPECT_EQ(back.retry_later, 0);
  const std::map<std::string, int> goods_outs = world_->GoodsOutsByReference();
  for (const std::string& id : ids) {
    EXPECT_EQ(goods_outs.count(id) > 0 ? goods_outs.at(id) : 0, 1) << id;
  }
}

TEST_F(OrderChangesTest, PrimeOrderGetsItsAmazonLabelAsAClarusShipment) {
  const std::string id = Place(/*prime=*/true);
  const sync::ReleasePass pass = Pass();
  EXPECT_EQ(pass.sent_to_clarus, 1);
  EXPECT_EQ(pass.labels_bought, 1);
  auto tx = world_->Store().BeginReadOnly();
  ASSERT_TRUE(tx.ok());
  const auto label = (*tx)->FindOrderLabel(id);
  ASSERT_TRUE(label.ok() && label->has_value());
  EXPECT_EQ((*label)->state, store::LabelState::kAttached);
  EXPECT_FALSE((*label)->tracking_id.empty());
  std::string tracking;
  std::string filename;
  world_->Clarus().GetWarehouse().Read([&](const clarus_emulator::WarehouseState& state) {
    for (const auto& [shipment_id, shipment] : state.shipments) {
      if (std::to_string(shipment_id) == (*label)->clarus_shipment_id) {
        tracking = shipment.packages.at(0).tracking_number.value_or("");
        filename = shipment.label_filename.value_or("");
      }
    }
  });
  EXPECT_EQ(tracking, (*label)->tracking_id);
  EXPECT_EQ(filename, "amazon-" + (*label)->shipment_id + ".pdf");
  EXPECT_NE(GoodsOut(id)->delivery_notes.find("Amazon label"), std::string::npos);
}

// A purchase marked as started, as a crash between the two store writes
// leaves it.
void MarkPurchaseStarted(World& world, const std::string& id) {
  auto tx = world.Store().Begin();
  ASSERT_TRUE(tx.ok());
  ASSERT_TRUE(
      (*tx)->PutOrderLabel({.amazon_order_id = id, .state = store::LabelState::kBuying}).ok());
  ASSERT_TRUE((*tx)->Commit().ok());
}

TEST_F(OrderChangesTest, PurchaseCutShortBeforeAmazonSoldTheLabelIsMadeOnce) {
  const std::string id = Place(/*prime=*/true);
  ASSERT_TRUE(world_->Import().ok());
  MarkPurchaseStarted(*world_, id);
  const auto released = world_->Release();
  ASSERT_TRUE(released.ok()) << released.status();
  EXPECT_EQ(released->labels_bought, 1);
  EXPECT_EQ(world_->AmazonLabelsByOrder()[id], 1);
  EXPECT_EQ(world_->LabelShipmentsByOrder()[id], 1);
  EXPECT_FALSE(Exception("label", id).has_value());
}

TEST_F(OrderChangesTest, PurchaseCutShortAfterAmazonSoldTheLabelIsNotBoughtAgain) {
  const std::string id = Place(/*prime=*/true);
  ASSERT_TRUE(world_->Import().ok());
  MarkPurchaseStarted(*world_, id);
  // The purchase that happened before the crash.
  amazon::MerchantFulfillmentApi& mfn = *world_->GetConnections().merchant_fulfillment;
  const amazon::LabelRequest request{
      .amazon_order_id = id,
      .items = {{.order_item_id = Stored(id).order->lines[0].order_item_id, .quantity = 2}},
      .ship_from = {.name = "E2E",
                    .line1 = "1 Dock Road",
                    .city = "Leeds",
                    .postal_code = "LS1 1AA",
                    .country_code = "GB",
                    .phone = "+44 113 496 0000"},
      .ship_from_email = "dock@example.com",
      .length_cm = 30,
      .width_cm = 20,
      .height_cm = 10,
      .weight_g = 1000};
  const auto offers = mfn.EligibleServices(request, {});
  ASSERT_TRUE(offers.ok() && !offers->empty()) << offers.status();
  const auto bought = mfn.BuyLabel(request, offers->front(), {});
  ASSERT_TRUE(bought.ok()) << bought.status();

  const auto released = world_->Release();
  ASSERT_TRUE(released.ok()) << released.status();
  EXPECT_EQ(released->sent_to_clarus, 1);
  EXPECT_EQ(released->labels_bought, 0);
  EXPECT_EQ(world_->AmazonLabelsByOrder()[id], 1);
  EXPECT_EQ(world_->LabelShipmentsByOrder()[id], 1);
  const auto lost = Exception("label", id);
  ASSERT_TRUE(lost.has_value());
  EXPECT_NE(lost->reason.find(bought->tracking_id), std::string::npos) << lost->reason;
  auto tx = world_->Store().BeginReadOnly();
  ASSERT_TRUE(tx.ok());
  const auto label = (*tx)->FindOrderLabel(id);
  ASSERT_TRUE(label.ok() && label->has_value());
  EXPECT_EQ((*label)->state, store::LabelState::kAttached);
  EXPECT_EQ((*label)->tracking_id, bought->tracking_id);
}

}  // namespace
}  // namespace sellerbridge::e2e
