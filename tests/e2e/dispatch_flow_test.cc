// The dispatch flow end to end: parcels leaving the emulated warehouse,
// seen through faulty webhooks and the sweep, confirmed on the emulated
// Amazon through faults, and verified by reading the orders back.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "e2e/world.h"
#include "http/server.h"

namespace sellerbridge::e2e {
namespace {

namespace amazon_emulator = ::sellerbridge::emulators::amazon;
namespace clarus_emulator = ::sellerbridge::emulators::clarus;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using store::ConfirmationState;

constexpr std::string_view kBadCarrierService = "RM24";

class DispatchFlowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sellerbridge-dispatch-flow-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto world = World::Create(
        {.dir = dir_,
         .seed = 7,
         .lift_rate_limits = true,
         .confirmer = {.batch = 500, .initial_backoff = seconds{5}, .verify_after = seconds{30}}});
    ASSERT_TRUE(world.ok()) << world.status();
    world_ = std::move(world).value();
    // Clarus automations reach the intake as the daemon's endpoint passes them on.
    hooks_.Route("POST", "/hooks", [this](const http::Request& request) {
      auto outcome = world_->Intake().Deliver(request.headers, request.body);
      if (!outcome.ok()) {
        ++refused_deliveries_;
        return http::Response::Json(
            outcome.status().code() == StatusCode::kPermissionDenied ? 403 : 400, "{}");
      }
      return http::Response::Json(200, "{}");
    });
    ASSERT_TRUE(hooks_.Start("127.0.0.1", 0).ok());
  }

  void TearDown() override {
    hooks_.Stop();
    world_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Imports and releases until every importable order has its goods-out.
  void ReleaseAll() {
    for (int pass = 0; pass < 5; ++pass) {
      ASSERT_TRUE(world_->Import().ok());
      auto released = world_->Release();
      ASSERT_TRUE(released.ok()) << released.status();
      if (released->sent_to_clarus == 0 && released->retry_later == 0) {
        return;
      }
    }
  }

  std::vector<std::int64_t> LineIds(std::int64_t goods_out) {
    std::vector<std::int64_t> ids;
    world_->Clarus().GetWarehouse().Read([&](const clarus_emulator::WarehouseState& state) {
      for (const clarus_emulator::GoodsOutLine& line : state.goods_outs.at(goods_out).lines) {
        ids.push_back(line.id);
      }
    });
    return ids;
  }

  std::int64_t ServiceId(std::string_view code) {
    std::int64_t id = 0;
    world_->Clarus().GetWarehouse().Read([&](const clarus_emulator::WarehouseState& state) {
      for (const auto& [service_id, service] : state.carrier_services) {
        if (service.code == code) {
          id = service_id;
        }
      }
    });
    return id;
  }

  // Units Clarus dispatched per Amazon order item of `goods_out`.
  std::map<std::string, int> Dispatched(std::int64_t goods_out) {
    std::map<std::string, int> units;
    world_->Clarus().GetWarehouse().Read([&](const clarus_emulator::WarehouseState& state) {
      for (const clarus_emulator::GoodsOutLine& line : state.goods_outs.at(goods_out).lines) {
        units[line.alt_line_reference] += static_cast<int>(line.dispatch_quantity);
      }
    });
    return units;
  }

  std::vector<store::OutboxEntry> Outbox() {
    auto tx = world_->Store().BeginReadOnly();
    EXPECT_TRUE(tx.ok());
    auto entries = (*tx)->ListConfirmations({.limit = 100000});
    EXPECT_TRUE(entries.ok()) << entries.status();
    return entries.ok() ? *entries : std::vector<store::OutboxEntry>{};
  }

  std::vector<store::HeldException> Exceptions(const std::string& kind) {
    auto tx = world_->Store().BeginReadOnly();
    EXPECT_TRUE(tx.ok());
    auto held = (*tx)->ListExceptions({.open_only = true, .kind = kind, .limit = 100000});
    EXPECT_TRUE(held.ok()) << held.status();
    return held.ok() ? *held : std::vector<store::HeldException>{};
  }

  // Runs the flow's jobs (hints, sweep every few rounds, confirmer,
  // verifier) with time moving on until the outbox has nothing in flight.
  void RunUntilSettled() {
    for (int round = 0; round < 60; ++round) {
      std::stop_source stop;
      ASSERT_TRUE(world_->Intake().ProcessHints(stop.get_token()).ok());
      if (round % 5 == 4) {
        ASSERT_TRUE(world_->Intake().Sweep(stop.get_token()).ok());
      }
      auto sent = world_->GetConfirmer().SendOnce(stop.get_token());
      ASSERT_TRUE(sent.ok()) << sent.status();
      world_->Advance(seconds{31});
      auto verified = world_->GetConfirmer().VerifyOnce(stop.get_token());
      ASSERT_TRUE(verified.ok()) << verified.status();
      bool in_flight = false;
      for (const store::OutboxEntry& entry : Outbox()) {
        in_flight = in_flight || (entry.state != ConfirmationState::kVerified &&
                                  entry.state != ConfirmationState::kFailed);
      }
      // Past the first sweeps, with webhooks still arriving late.
      if (!in_flight && round >= 10) {
        return;
      }
    }
    ADD_FAILURE() << "the outbox did not settle";
  }

  std::filesystem::path dir_;
  std::unique_ptr<World> world_;
  http::Server hooks_;
  std::atomic<int> refused_deliveries_ = 0;
};

TEST_F(DispatchFlowTest, TwoThousandDispatchesAreConfirmedOnceVerifiedAndNothingIsLost) {
  constexpr int kOrders = 2000;
  ASSERT_TRUE(world_->MapShipMethods().ok());
  // A mapping from before Amazon's carrier list was checked: its code is wrong.
  {
    auto tx = world_->Store().Begin();
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE((*tx)
                    ->PutShipMethodMapping(*domain::ShipMethodMapping::Create(
                        {.marketplace_id = std::string(kUk),
                         .automated_carrier = "Legacy",
                         .automated_ship_method = "Legacy 24",
                         .clarus_carrier = "ROYALMAIL",
                         .clarus_service = std::string(kBadCarrierService),
                         .amazon_carrier_code = "Royal Mial",
                         .amazon_shipping_method = "Tracked 24"}))
                    .ok());
    ASSERT_TRUE((*tx)->Commit().ok());
  }
  clarus_emulator::WebhookOptions hooks = world_->Clarus().Webhooks().Options();
  hooks.url = fmt::format("http://127.0.0.1:{}/hooks", hooks_.Port());
  hooks.duplicate_rate = 0.1;
  hooks.out_of_order_rate = 0.1;
  hooks.out_of_order_window = seconds{2};
  hooks.late_rate = 0.05;
  hooks.late_delay = seconds{3};
  hooks.drop_rate = 0.1;
  world_->Clarus().Webhooks().SetOptions(hooks);

  std::vector<std::string> ids;
  std::map<std::string, int> index;
  for (int i = 0; i < kOrders; ++i) {
    auto id = world_->PlaceOrder({.marketplace = i % 3 == 2 ? kDe : kUk,
                                  .sku = std::string(kSkus[static_cast<std::size_t>(i % 3)]),
                                  .quantity = 1 + i % 3,
                                  .prime = i % 50 == 0,
                                  .next_day = i % 4 == 1});
    ASSERT_TRUE(id.ok()) << id.status();
    index[*id] = i;
    ids.push_back(*id);
  }
  ReleaseAll();

  // The warehouse at work: splits, several parcels, shorts, one parcel on a
  // service whose mapping names a carrier code Amazon does not know.
  std::set<std::string> shorts;
  std::set<std::string> splits;
  std::string bad_carrier_order;
  std::vector<std::pair<std::int64_t, std::int64_t>> second_halves;  // Goods-out, line.
  for (const std::string& id : ids) {
    const int i = index[id];
    auto goods_out = world_->GoodsOutOf(id);
    ASSERT_TRUE(goods_out.ok()) << goods_out.status();
    clarus_emulator::Warehouse& warehouse = world_->Clarus().GetWarehouse();
    if (i % 50 == 0) {
      // Prime: the Amazon label's shipment is packed already; it leaves now.
      ASSERT_TRUE(warehouse.CompleteNow(*goods_out).ok());
      continue;
    }
    ASSERT_TRUE(warehouse.AllocateNow(*goods_out).ok());
    const std::int64_t line = LineIds(*goods_out).front();
    const int quantity = 1 + i % 3;
    clarus_emulator::DispatchRequest request;
    if (i % 33 == 7 && quantity >= 2) {
      ASSERT_TRUE(warehouse.PickNow(*goods_out, {{line, 1}}).ok());
      shorts.insert(id);
    } else {
      ASSERT_TRUE(warehouse.PickNow(*goods_out, {}).ok());
    }
    if (i % 20 == 4 && quantity >= 2 && !shorts.contains(id)) {
      request.quantity_by_line = {{line, 1}};
      second_halves.emplace_back(*goods_out, line);
      splits.insert(id);
    }
    if (i % 10 == 1) {
      request.packages = 2;
    }
    if (bad_carrier_order.empty() && i % 3 == 0 && i % 50 != 0 && i % 4 != 1 &&
        !splits.contains(id) && !shorts.contains(id)) {
      request.carrier_service_id = ServiceId(kBadCarrierService);
      bad_carrier_order = id;
    }
    auto shipped = warehouse.DispatchNow(*goods_out, request);
    ASSERT_TRUE(shipped.ok()) << id << ": " << shipped.status();
  }
  ASSERT_FALSE(bad_carrier_order.empty());
  ASSERT_GE(shorts.size(), 10U);
  ASSERT_GE(splits.size(), 10U);

  // One confirmation is answered 204 and silently dropped; then 5% of
  // confirmShipment calls fail with 5xx.
  std::stop_source stop;
  ASSERT_TRUE(world_->Intake().Sweep(stop.get_token()).ok());
  world_->Amazon().FaultInjector().SetOperation("confirmShipment", {.silent_drop_rate = 1.0});
  sync::Confirmer one_call({.batch = 1}, &world_->Store(), world_->GetConnections().orders.get(),
                           nullptr, world_->GetClock());
  auto dropped = one_call.SendOnce(stop.get_token());
  ASSERT_TRUE(dropped.ok()) << dropped.status();
  ASSERT_EQ(dropped->accepted, 1);
  world_->Amazon().FaultInjector().SetOperation("confirmShipment", {.error_rate = 0.05});

  RunUntilSettled();
  // The second parcels of the splits leave later.
  for (const auto& [goods_out, line] : second_halves) {
    ASSERT_TRUE(world_->Clarus().GetWarehouse().DispatchNow(goods_out, {}).ok());
  }
  RunUntilSettled();

  // Every parcel Clarus dispatched is on Amazon exactly once, verified, and
  // no order carries more than Clarus dispatched.
  std::map<std::string, std::vector<store::OutboxEntry>> by_order;
  int resent = 0;
  for (const store::OutboxEntry& entry : Outbox()) {
    by_order[entry.amazon_order_id].push_back(entry);
    resent += entry.resends;
    if (entry.amazon_order_id == bad_carrier_order) {
      EXPECT_EQ(entry.state, ConfirmationState::kFailed);
    } else {
      EXPECT_EQ(entry.state, ConfirmationState::kVerified)
          << entry.amazon_order_id << " " << entry.last_error;
    }
  }
  EXPECT_EQ(resent, 1);  // The dropped one, sent once more.
  for (const std::string& id : ids) {
    const std::optional<amazon_emulator::Order> amazon = world_->Amazon().GetOrder(id);
    ASSERT_TRUE(amazon.has_value());
    auto goods_out = world_->GoodsOutOf(id);
    ASSERT_TRUE(goods_out.ok());
    std::map<std::string, int> shipped;
    std::set<std::string> references;
    std::set<std::string> tracking;
    for (const amazon_emulator::Package& package : amazon->packages) {
      EXPECT_TRUE(references.insert(package.package_reference_id).second) << id;
      EXPECT_TRUE(tracking.insert(package.tracking_number).second) << id;
      for (const auto& [item, quantity] : package.items) {
        shipped[item] += quantity;
      }
    }
    if (id == bad_carrier_order) {
      EXPECT_TRUE(amazon->packages.empty());
      continue;
    }
    ASSERT_FALSE(by_order[id].empty()) << id << " has nothing in the outbox";
    if (index[id] % 50 == 0) {
      // Prime: the label bought on Amazon shipped it; the entry only verified that.
      EXPECT_EQ(by_order[id].size(), 1U);
      EXPECT_EQ(by_order[id][0].transport, store::ConfirmationTransport::kLabel);
      continue;
    }
    EXPECT_EQ(shipped, Dispatched(*goods_out)) << id;
    EXPECT_EQ(amazon->packages.size(), by_order[id].size()) << id;
  }

  // The bad carrier code waits for a person with Amazon's message; each
  // short is raised; nothing else is.
  const std::vector<store::HeldException> refused = Exceptions("confirmation");
  ASSERT_EQ(refused.size(), 1U);
  EXPECT_NE(refused[0].reason.find("Royal Mial"), std::string::npos) << refused[0].reason;
  EXPECT_NE(refused[0].suggested_fix.find("carrier code"), std::string::npos);
  std::set<std::string> short_orders;
  for (const store::HeldException& held : Exceptions("dispatch")) {
    EXPECT_NE(held.reason.find("short:"), std::string::npos) << held.reason;
    short_orders.insert(held.subject_id);
  }
  EXPECT_EQ(short_orders, shorts);
  EXPECT_EQ(refused_deliveries_, 0);
  const clarus_emulator::WebhookStats stats = world_->Clarus().Webhooks().Stats();
  EXPECT_GT(stats.dropped, 0);

  // Once every ship-by date has passed, Amazon counts no late shipment.
  world_->Advance(hours{24 * 8});
  const amazon_emulator::AccountHealth health = world_->Amazon().Health();
  EXPECT_EQ(health.late_shipment_10d.numerator, 0);
  EXPECT_GT(health.late_shipment_10d.denominator, kOrders / 2);
}

}  // namespace
}  // namespace sellerbridge::e2e
