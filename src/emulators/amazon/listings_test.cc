#include <gtest/gtest.h>

#include "emulators/amazon/emulator_test_fixture.h"

namespace sellerbridge::emulators::amazon {
namespace {

using nlohmann::json;

class ListingsTest : public EmulatorTest {
 protected:
  static std::string Item(const std::string& sku,
                          const std::string& query = "marketplaceIds=A1F83G8C2ARO7P") {
    return "/listings/2021-08-01/items/A2EMULATORSELLER/" + sku + "?" + query;
  }
  static json QuantityPatch(const std::string& op, int quantity) {
    return {{"productType", "DRINKING_CUP"},
            {"patches",
             {{{"op", op},
               {"path", "/attributes/fulfillment_availability"},
               {"value", {{{"fulfillment_channel_code", "DEFAULT"}, {"quantity", quantity}}}}}}}};
  }
};

TEST_F(ListingsTest, GetListingsItemReturnsTheRequestedData) {
  const auto summary = Call("GET", Item("SB-MUG-001"));
  ASSERT_EQ(summary->status, 200);
  const json body = JsonOf(summary);
  EXPECT_EQ(body["sku"], "SB-MUG-001");
  EXPECT_EQ(body["summaries"][0]["asin"], "B0EMU00001");
  EXPECT_FALSE(body.contains("fulfillmentAvailability"));
  const auto full = Call("GET", Item("SB-MUG-001",
                                     "marketplaceIds=A1F83G8C2ARO7P&includedData=summaries,"
                                     "attributes,issues,fulfillmentAvailability"));
  const json full_body = JsonOf(full);
  EXPECT_EQ(full_body["fulfillmentAvailability"][0]["fulfillmentChannelCode"], "DEFAULT");
  EXPECT_EQ(full_body["fulfillmentAvailability"][0]["quantity"], 250);
  EXPECT_EQ(full_body["attributes"]["fulfillment_availability"][0]["quantity"], 250);
  EXPECT_EQ(Call("GET", Item("NO-SUCH-SKU"))->status, 404);
  EXPECT_EQ(Call("GET", Item("SB-MUG-001", ""))->status, 400);
  EXPECT_EQ(
      Call("GET", "/listings/2021-08-01/items/OTHERSELLER/SB-MUG-001?marketplaceIds=A1F83G8C2ARO7P")
          ->status,
      403);
}

TEST_F(ListingsTest, ReplaceAppliesAfterTheProcessingDelay) {
  const auto result = Call("PATCH", Item("SB-MUG-001"), QuantityPatch("replace", 10).dump());
  ASSERT_EQ(result->status, 200);
  const json body = JsonOf(result);
  EXPECT_EQ(body["status"], "ACCEPTED");
  EXPECT_EQ(body["sku"], "SB-MUG-001");
  EXPECT_TRUE(body["issues"].empty());
  EXPECT_FALSE(body["submissionId"].get<std::string>().empty());
  EXPECT_EQ(emulator_->GetListing("SB-MUG-001")->quantity, 250);
  clock_.Advance(std::chrono::seconds(119));
  EXPECT_EQ(emulator_->GetListing("SB-MUG-001")->quantity, 250);
  clock_.Advance(std::chrono::seconds(1));
  const auto listing = emulator_->GetListing("SB-MUG-001");
  EXPECT_EQ(listing->quantity, 10);
  EXPECT_EQ(listing->history.back().source, "patchListingsItem");
  EXPECT_EQ(listing->history.back().time, clock_.Now());
  const json control = json::parse(client_->Get("/_emulator/listings/SB-MUG-001")->body);
  EXPECT_EQ(control["quantity"], 10);
  EXPECT_EQ(control["history"].size(), 2U);
}

TEST_F(ListingsTest, MergeKeepsMembersItDoesNotSendAndReplaceDropsThem) {
  json with_lead = QuantityPatch("replace", 5);
  with_lead["patches"][0]["value"][0]["lead_time_to_ship_max_days"] = 3;
  ASSERT_EQ(Call("PATCH", Item("SB-MUG-001"), with_lead.dump())->status, 200);
  ASSERT_EQ(Call("PATCH", Item("SB-MUG-001"), QuantityPatch("merge", 7).dump())->status, 200);
  clock_.Advance(std::chrono::minutes(5));
  auto listing = emulator_->GetListing("SB-MUG-001");
  EXPECT_EQ(listing->quantity, 7);
  EXPECT_EQ(listing->lead_time_to_ship_max_days, 3);
  ASSERT_EQ(Call("PATCH", Item("SB-MUG-001"), QuantityPatch("replace", 8).dump())->status, 200);
  clock_.Advance(std::chrono::minutes(5));
  listing = emulator_->GetListing("SB-MUG-001");
  EXPECT_EQ(listing->quantity, 8);
  EXPECT_FALSE(listing->lead_time_to_ship_max_days.has_value());
}

TEST_F(ListingsTest, UnknownSkuIsInvalidWithAnIssue) {
  const auto result = Call("PATCH", Item("NO-SUCH-SKU"), QuantityPatch("replace", 1).dump());
  ASSERT_EQ(result->status, 200);
  const json body = JsonOf(result);
  EXPECT_EQ(body["status"], "INVALID");
  ASSERT_EQ(body["issues"].size(), 1U);
  EXPECT_EQ(body["issues"][0]["severity"], "ERROR");
}

TEST_F(ListingsTest, ValidationPreviewChangesNothing) {
  const auto result = Call(
      "PATCH",
      Item("SB-MUG-001",
           "marketplaceIds=A1F83G8C2ARO7P&mode=VALIDATION_PREVIEW&includedData=identifiers,issues"),
      QuantityPatch("replace", 1).dump());
  ASSERT_EQ(result->status, 200);
  EXPECT_EQ(JsonOf(result)["status"], "VALID");
  EXPECT_EQ(JsonOf(result)["identifiers"][0]["asin"], "B0EMU00001");
  clock_.Advance(std::chrono::hours(1));
  EXPECT_EQ(emulator_->GetListing("SB-MUG-001")->quantity, 250);
}

TEST_F(ListingsTest, MalformedPatchesAreRejected) {
  ASSERT_TRUE(emulator_->SetRateLimit("patchListingsItem", 100, 100).ok());
  for (
      const std::string& body :
      {std::string("nope"), std::string(R"({"patches":[]})"),
       std::string(R"({"productType":"X","patches":[]})"),
       std::string(R"({"productType":"X","patches":[{"op":"move","path":"/attributes/x"}]})"),
       std::string(
           R"({"productType":"X","patches":[{"op":"replace","path":"/attributes/x","value":5}]})")}) {
    SCOPED_TRACE(body);
    EXPECT_EQ(Call("PATCH", Item("SB-MUG-001"), body)->status, 400);
  }
  json negative = QuantityPatch("replace", -1);
  const auto result = Call("PATCH", Item("SB-MUG-001"), negative.dump());
  EXPECT_EQ(JsonOf(result)["status"], "INVALID");
}

TEST_F(ListingsTest, OrdersReduceTheQuantity) {
  PlaceOrder({{"SB-MUG-001", 3}});
  EXPECT_EQ(emulator_->GetListing("SB-MUG-001")->quantity, 247);
  EXPECT_EQ(emulator_->GetListing("SB-MUG-001")->history.back().source, "order");
}

TEST_F(ListingsTest, OrdersWithinTheQuantityOversellNothing) {
  PlaceOrder({{"SB-BAG-003", 20}, {"SB-MUG-001", 1}});
  PlaceOrder({{"SB-BAG-003", 40}});
  EXPECT_EQ(emulator_->GetListing("SB-BAG-003")->quantity, 0);
  EXPECT_TRUE(emulator_->UnitsOversold().empty());
  EXPECT_EQ(emulator_->UnitsOrdered(),
            (std::map<std::string, std::int64_t>{{"SB-BAG-003", 60}, {"SB-MUG-001", 1}}));
}

TEST_F(ListingsTest, OrdersAboveTheQuantityCountTheUnitsOversold) {
  PlaceOrder({{"SB-BAG-003", 58}});
  PlaceOrder({{"SB-BAG-003", 5}});
  EXPECT_EQ(emulator_->GetListing("SB-BAG-003")->quantity, 0);
  EXPECT_EQ(emulator_->UnitsOversold(), (std::map<std::string, std::int64_t>{{"SB-BAG-003", 3}}));
  // Two lines of one SKU: the second sees what the first left.
  PlaceOrder({{"SB-MUG-001", 249}, {"SB-MUG-001", 4}});
  // An order on an empty listing oversells every unit.
  PlaceOrder({{"SB-BAG-003", 2}});
  const std::string cancelled = PlaceOrder({{"SB-TEE-002", 401}});
  ASSERT_TRUE(emulator_->CancelOrder(cancelled, Canceller::kSeller).ok());
  EXPECT_EQ(emulator_->UnitsOversold(),
            (std::map<std::string, std::int64_t>{
                {"SB-BAG-003", 5}, {"SB-MUG-001", 3}, {"SB-TEE-002", 1}}));
  EXPECT_EQ(emulator_->UnitsOrdered(),
            (std::map<std::string, std::int64_t>{
                {"SB-BAG-003", 65}, {"SB-MUG-001", 253}, {"SB-TEE-002", 401}}));
}

TEST_F(ListingsTest, GeneratedOrdersNeverOversell) {
  StartEmulator(R"(
[[catalogue]]
sku = "SB-A"
quantity = 7
[[catalogue]]
sku = "SB-B"
quantity = 3
[[catalogue]]
sku = "SB-C"
quantity = 1
[generator]
enabled = true
orders_per_day = 2000
mean_lines_per_order = 3
max_quantity_per_line = 5
buyer_cancel_share = 0.5
)");
  // The generator takes what the listings show until nothing is left.
  EXPECT_FALSE(emulator_->GenerateOrders(100).empty());
  for (const Listing& listing : emulator_->Listings()) {
    EXPECT_EQ(listing.quantity, 0) << listing.item.sku;
  }
  EXPECT_TRUE(emulator_->UnitsOversold().empty());
  EXPECT_EQ(emulator_->UnitsOrdered(),
            (std::map<std::string, std::int64_t>{{"SB-A", 7}, {"SB-B", 3}, {"SB-C", 1}}));
  // Buyer cancellations put units back, and the order flow sells them again.
  clock_.Advance(std::chrono::hours(48));
  EXPECT_TRUE(emulator_->UnitsOversold().empty());
  const std::map<std::string, std::int64_t> ordered = emulator_->UnitsOrdered();
  EXPECT_GT(ordered.at("SB-A") + ordered.at("SB-B") + ordered.at("SB-C"), 11);
}

}  // namespace
}  // namespace sellerbridge::emulators::amazon
