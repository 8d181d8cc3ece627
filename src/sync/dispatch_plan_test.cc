#include "sync/dispatch_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/time_format.h"

namespace sellerbridge::sync {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr std::string_view kUk = "A1F83G8C2ARO7P";
const TimePoint kBought = *ParseIso8601("2026-11-27T08:00:00Z");
const TimePoint kShipBy = *ParseIso8601("2026-11-28T23:59:59Z");

domain::Order TestOrder(const std::vector<std::pair<std::string, int>>& lines) {
  domain::OrderData data{.amazon_order_id = "203-1234567-1234567",
                         .marketplace_id = std::string(kUk),
                         .status = domain::OrderStatus::kUnshipped,
                         .purchase_date = kBought,
                         .last_update_date = kBought,
                         .latest_ship_date = kShipBy,
                         .ship_service_level = "Std UK Dom_1"};
  int n = 0;
  for (const auto& [item, quantity] : lines) {
    data.lines.push_back(
        {.order_item_id = item, .sku = "SKU-" + std::to_string(++n), .quantity_ordered = quantity});
  }
  return *domain::Order::Create(std::move(data));
}

domain::ShipMethodMapping Mapping(std::string level, std::string service, std::string code) {
  return *domain::ShipMethodMapping::Create({.marketplace_id = std::string(kUk),
                                             .ship_service_level = std::move(level),
                                             .clarus_carrier = "ROYALMAIL",
                                             .clarus_service = std::move(service),
                                             .amazon_carrier_code = std::move(code),
                                             .amazon_shipping_method = "Tracked 24"});
}

clarus::GoodsOutLine Line(const std::string& id, const std::string& item, std::int64_t ordered,
                          std::int64_t dispatched) {
  return {.id = id,
          .sku = "SKU-" + item,
          .alt_line_reference = item,
          .ordered = ordered,
          .picked = dispatched,
          .dispatched = dispatched};
}

clarus::Shipment Shipment(const std::string& id, const std::vector<std::string>& tracking,
                          std::string status = "DISPATCHED") {
  clarus::Shipment s{.id = id,
                     .status = std::move(status),
                     .carrier_code = "ROYALMAIL",
                     .service_code = "RM24",
                     .collection_datetime = "2026-11-27T16:00:00Z"};
  int n = 0;
  for (const std::string& t : tracking) {
    s.packages.push_back({.id = id + std::to_string(++n),
                          .tracking_number = t.empty() ? std::nullopt : std::optional(t)});
  }
  return s;
}

class DispatchPlanTest : public ::testing::Test {
 protected:
  DispatchPlan Plan(std::vector<store::OutboxEntry> existing = {}) {
    DispatchInputs in{.order = &order_, .goods_out = &goods_out_};
    in.existing = std::move(existing);
    in.mappings = mappings_;
    in.label = label_;
    return PlanDispatch(in);
  }

  // Outbox entries as the intake would have stored `plan`'s confirmations.
  static std::vector<store::OutboxEntry> Stored(const DispatchPlan& plan) {
    std::vector<store::OutboxEntry> out;
    for (const store::NewConfirmation& c : plan.confirmations) {
      out.push_back({.idempotency_key = c.idempotency_key,
                     .amazon_order_id = c.amazon_order_id,
                     .parcel = c.parcel,
                     .clarus_shipment_id = c.clarus_shipment_id,
                     .transport = c.transport});
    }
    return out;
  }

  static std::map<std::string, int> Units(const DispatchPlan& plan) {
    std::map<std::string, int> units;
    for (const store::NewConfirmation& c : plan.confirmations) {
      for (const domain::ParcelItem& item : c.parcel.items) {
        units[item.order_item_id] += item.quantity;
      }
    }
    return units;
  }

  domain::Order order_ = TestOrder({{"11", 2}, {"12", 1}});
  clarus::GoodsOutDetail goods_out_{.id = "900", .reference = "203-1234567-1234567"};
  std::vector<domain::ShipMethodMapping> mappings_ = {Mapping("Std UK Dom_1", "RM24", "Royal Mail"),
                                                      Mapping("Exp UK Dom_1", "RM1", "Royal Mail")};
  std::optional<store::OrderLabel> label_;
};

TEST_F(DispatchPlanTest, OneShipmentOnePackageCarriesEveryUnit) {
  goods_out_.status = "COMPLETED";
  goods_out_.lines = {Line("1", "11", 2, 2), Line("2", "12", 1, 1)};
  goods_out_.shipments = {Shipment("70", {"AB123456785GB"})};
  const DispatchPlan plan = Plan();
  ASSERT_THAT(plan.confirmations, SizeIs(1));
  const store::NewConfirmation& c = plan.confirmations[0];
  EXPECT_EQ(c.idempotency_key, "clarus-package:701");
  EXPECT_EQ(c.parcel.package_reference_id, "701");
  EXPECT_EQ(c.parcel.carrier_code, "Royal Mail");
  EXPECT_EQ(c.parcel.shipping_method, "Tracked 24");
  EXPECT_EQ(c.parcel.tracking_number, "AB123456785GB");
  EXPECT_EQ(c.parcel.ship_date, *ParseIso8601("2026-11-27T16:00:00Z"));
  EXPECT_EQ(c.deadline, kShipBy);
  EXPECT_EQ(c.clarus_shipment_id, "70");
  EXPECT_EQ(Units(plan), (std::map<std::string, int>{{"11", 2}, {"12", 1}}));
  EXPECT_TRUE(plan.completed);
  EXPECT_THAT(plan.problems, IsEmpty());
  // Read again with its confirmation stored: nothing new.
  EXPECT_THAT(Plan(Stored(plan)).confirmations, IsEmpty());
}

TEST_F(DispatchPlanTest, ShipmentsLeavingOneAtATimeGetExactlyTheirUnits) {
  goods_out_.status = "PICK";
  goods_out_.lines = {Line("1", "11", 2, 1), Line("2", "12", 1, 0)};
  goods_out_.shipments = {Shipment("70", {"AB123456785GB"}), Shipment("71", {"", ""}, "PACKED")};
  const DispatchPlan first = Plan();
  ASSERT_THAT(first.confirmations, SizeIs(1));
  EXPECT_EQ(Units(first), (std::map<std::string, int>{{"11", 1}}));
  EXPECT_FALSE(first.completed);

  goods_out_.status = "COMPLETED";
  goods_out_.lines = {Line("1", "11", 2, 2), Line("2", "12", 1, 1)};
  goods_out_.shipments[1] = Shipment("71", {"CD123456785GB", "EF123456785GB"});
  const DispatchPlan second = Plan(Stored(first));
  // The second shipment's two units over its two packages.
  ASSERT_THAT(second.confirmations, SizeIs(2));
  EXPECT_EQ(second.confirmations[0].parcel.package_reference_id, "711");
  EXPECT_EQ(second.confirmations[1].parcel.package_reference_id, "712");
  EXPECT_EQ(Units(second), (std::map<std::string, int>{{"11", 1}, {"12", 1}}));
  EXPECT_THAT(second.problems, IsEmpty());
}

TEST_F(DispatchPlanTest, ShipmentsSeenTogetherShareTheUnitsAndNeverExceedTheOrder) {
  goods_out_.status = "COMPLETED";
  // Clarus reports one unit too many on item 11.
  goods_out_.lines = {Line("1", "11", 2, 3), Line("2", "12", 1, 1)};
  goods_out_.shipments = {Shipment("71", {"CD123456785GB"}), Shipment("70", {"AB123456785GB"})};
  const DispatchPlan plan = Plan();
  ASSERT_THAT(plan.confirmations, SizeIs(2));
  EXPECT_EQ(plan.confirmations[0].clarus_shipment_id, "70");  // By id, not by list order.
  EXPECT_EQ(Units(plan), (std::map<std::string, int>{{"11", 2}, {"12", 1}}));
  ASSERT_THAT(plan.problems, SizeIs(1));
  EXPECT_THAT(plan.problems[0], HasSubstr("Clarus dispatched 3"));
}

TEST_F(DispatchPlanTest, ShortIsRaisedAndNeverConfirmed) {
  goods_out_.status = "COMPLETED";
  goods_out_.lines = {Line("1", "11", 2, 1), Line("2", "12", 1, 1)};
  goods_out_.shipments = {Shipment("70", {"AB123456785GB"})};
  const DispatchPlan plan = Plan();
  EXPECT_EQ(Units(plan), (std::map<std::string, int>{{"11", 1}, {"12", 1}}));
  ASSERT_THAT(plan.problems, SizeIs(1));
  EXPECT_THAT(plan.problems[0], HasSubstr("short: goods-out 900 completed with 1 of 2 × SKU-1"));
  EXPECT_THAT(plan.fixes[0], HasSubstr("cancel the missing units on Amazon"));
}

TEST_F(DispatchPlanTest, PackagesWithoutTrackingWait) {
  goods_out_.status = "COMPLETED";
  goods_out_.lines = {Line("1", "11", 2, 2), Line("2", "12", 1, 1)};
  goods_out_.shipments = {Shipment("70", {"AB123456785GB", ""})};
  const DispatchPlan plan = Plan();
  EXPECT_THAT(plan.confirmations, IsEmpty());
  EXPECT_EQ(plan.waiting_for_tracking, 1);
  EXPECT_THAT(plan.problems, IsEmpty());
}

TEST_F(DispatchPlanTest, CarrierNoMappingNamesIsHeldWithTheFix) {
  goods_out_.status = "COMPLETED";
  goods_out_.lines = {Line("1", "11", 2, 2), Line("2", "12", 1, 1)};
  goods_out_.shipments = {Shipment("70", {"AB123456785GB"})};
  goods_out_.shipments[0].service_code = "RM48";
  const DispatchPlan plan = Plan();
  EXPECT_THAT(plan.confirmations, IsEmpty());
  ASSERT_THAT(plan.problems, SizeIs(1));
  EXPECT_THAT(plan.problems[0], HasSubstr("Clarus carrier ROYALMAIL service RM48"));
  EXPECT_THAT(plan.fixes[0], HasSubstr("add a mapping to Clarus ROYALMAIL/RM48"));
}

TEST_F(DispatchPlanTest, PrefersTheOrdersOwnMappingForTheCarrierCode) {
  mappings_ = {Mapping("Exp UK Dom_1", "RM24", "DHL"), Mapping("Std UK Dom_1", "RM24", "DPD")};
  goods_out_.status = "COMPLETED";
  goods_out_.lines = {Line("1", "11", 2, 2), Line("2", "12", 1, 1)};
  goods_out_.shipments = {Shipment("70", {"AB123456785GB"})};
  ASSERT_THAT(Plan().confirmations, SizeIs(1));
  EXPECT_EQ(Plan().confirmations[0].parcel.carrier_code, "DPD");
}

TEST_F(DispatchPlanTest, MorePackagesThanUnitsConfirmsThoseWithUnits) {
  order_ = TestOrder({{"11", 1}});
  goods_out_.status = "COMPLETED";
  goods_out_.lines = {Line("1", "11", 1, 1)};
  goods_out_.shipments = {Shipment("70", {"AB123456785GB", "CD123456785GB"})};
  const DispatchPlan plan = Plan();
  ASSERT_THAT(plan.confirmations, SizeIs(1));
  EXPECT_EQ(Units(plan), (std::map<std::string, int>{{"11", 1}}));
}

TEST_F(DispatchPlanTest, LabelOrderIsOnlyVerified) {
  label_ = store::OrderLabel{.amazon_order_id = "203-1234567-1234567",
                             .state = store::LabelState::kAttached,
                             .shipment_id = "5551",
                             .tracking_id = "TBA123456789012",
                             .carrier_name = "Amazon Shipping",
                             .service_name = "Next Day",
                             .clarus_shipment_id = "69",
                             .updated_at = kBought};
  goods_out_.status = "COMPLETED";
  goods_out_.lines = {Line("1", "11", 2, 2), Line("2", "12", 1, 1)};
  goods_out_.shipments = {Shipment("69", {"TBA123456789012"}), Shipment("70", {"AB123456785GB"})};
  const DispatchPlan plan = Plan();
  ASSERT_THAT(plan.confirmations, SizeIs(1));
  EXPECT_EQ(plan.confirmations[0].transport, store::ConfirmationTransport::kLabel);
  EXPECT_EQ(plan.confirmations[0].parcel.tracking_number, "TBA123456789012");
  EXPECT_THAT(Plan(Stored(plan)).confirmations, IsEmpty());
}

TEST_F(DispatchPlanTest, LabelPurchaseInDoubtConfirmsNothingYet) {
  label_ = store::OrderLabel{.amazon_order_id = "203-1234567-1234567",
                             .state = store::LabelState::kBuying};
  goods_out_.status = "COMPLETED";
  goods_out_.lines = {Line("1", "11", 2, 2), Line("2", "12", 1, 1)};
  goods_out_.shipments = {Shipment("70", {"AB123456785GB"})};
  EXPECT_THAT(Plan().confirmations, IsEmpty());
}

TEST_F(DispatchPlanTest, LineOfAnotherOrderIsAProblem) {
  goods_out_.status = "PICK";
  goods_out_.lines = {Line("1", "11", 2, 0), Line("2", "99", 1, 0)};
  const DispatchPlan plan = Plan();
  ASSERT_THAT(plan.problems, SizeIs(1));
  EXPECT_THAT(plan.problems[0], HasSubstr("names order item '99'"));
}

}  // namespace
}  // namespace sellerbridge::sync
