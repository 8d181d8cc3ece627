#include <gtest/gtest.h>

#include "emulators/amazon/emulator_test_fixture.h"
#include "emulators/amazon/encoding.h"
#include "emulators/amazon/formats/tracking_numbers.h"

namespace sellerbridge::emulators::amazon {
namespace {

using nlohmann::json;

class MfnTest : public EmulatorTest {
 protected:
  void SetUp() override {
    StartEmulator(R"(
marketplace_ids = ["A1F83G8C2ARO7P", "ATVPDKIKX0DER"]
[[catalogue]]
sku = "SB-MUG-001"
quantity = 100
price = "12.99"
)");
    for (const char* operation :
         {"getEligibleShipmentServices", "createShipment", "getShipment", "cancelShipment"}) {
      ASSERT_TRUE(emulator_->SetRateLimit(operation, 100, 100).ok());
    }
  }

  // ShipmentRequestDetails for every unit of `order_id`, shipped from Leeds.
  json Details(const std::string& order_id, double grams = 800) {
    const auto order = emulator_->GetOrder(order_id);
    json items = json::array();
    for (const OrderLine& line : order->lines) {
      items.push_back({{"OrderItemId", line.order_item_id}, {"Quantity", line.quantity_ordered}});
    }
    return {{"AmazonOrderId", order_id},
            {"ItemList", items},
            {"ShipFromAddress",
             {{"Name", "Sellerbridge Ltd"},
              {"AddressLine1", "1 Dock Road"},
              {"Email", "dispatch@seller.example"},
              {"City", "Leeds"},
              {"PostalCode", "LS1 1AA"},
              {"CountryCode", "GB"},
              {"Phone", "+44 113 496 0000"}}},
            {"PackageDimensions",
             {{"Length", 20}, {"Width", 15}, {"Height", 10}, {"Unit", "centimeters"}}},
            {"Weight", {{"Value", grams}, {"Unit", "g"}}},
            {"ShippingServiceOptions",
             {{"DeliveryExperience", "DeliveryConfirmationWithoutSignature"},
              {"CarrierWillPickUp", false}}}};
  }

  httplib::Result Eligible(const json& details) {
    return Call("POST", "/mfn/v0/eligibleShippingServices",
                json{{"ShipmentRequestDetails", details}}.dump());
  }

  httplib::Result Create(const json& details, const std::string& service_id,
                         const std::optional<std::string>& offer_id = {}) {
    json body = {{"ShipmentRequestDetails", details}, {"ShippingServiceId", service_id}};
    if (offer_id) {
      body["ShippingServiceOfferId"] = *offer_id;
    }
    return Call("POST", "/mfn/v0/shipments", body.dump());
  }

  // The fixture's Call sends no DELETE; this one does, with the same checks.
  httplib::Result Delete(const std::string& path) {
    httplib::Result result = client_->Delete(path, Auth(token_));
    if (result) {
      EXPECT_FALSE(result->get_header_value("x-amzn-RequestId").empty());
      EXPECT_EQ(ExpectMatchesModel("DELETE", path, result->status, result->body), 1);
    }
    return result;
  }

  // The offer of `service_id` in a getEligibleShipmentServices answer.
  static json Offer(const json& answer, const std::string& service_id) {
    for (const json& service : answer["payload"]["ShippingServiceList"]) {
      if (service["ShippingServiceId"] == service_id) {
        return service;
      }
    }
    return nullptr;
  }
};

TEST_F(MfnTest, EligibleServicesOfferTheMarketplacesCarriersWithRates) {
  const std::string id = PlaceOrder({{"SB-MUG-001", 2}});
  const auto result = Eligible(Details(id));
  ASSERT_EQ(result->status, 200) << result->body;
  const json answer = JsonOf(result);
  std::vector<std::string> services;
  for (const json& service : answer["payload"]["ShippingServiceList"]) {
    services.push_back(service["ShippingServiceId"]);
    EXPECT_EQ(service["Rate"]["CurrencyCode"], "GBP");
    EXPECT_GT(service["Rate"]["Amount"].get<double>(), 0);
    EXPECT_FALSE(service["ShippingServiceOfferId"].get<std::string>().empty());
    EXPECT_EQ(service["ShipDate"], "2026-11-25T10:00:00.000Z");
  }
  EXPECT_EQ(services, (std::vector<std::string>{"ROYAL_MAIL_TRACKED_24", "ROYAL_MAIL_TRACKED_48",
                                                "DPD_UK_NEXT_DAY"}));
  EXPECT_DOUBLE_EQ(Offer(answer, "ROYAL_MAIL_TRACKED_24")["Rate"]["Amount"].get<double>(), 4.45);

  // 25 kg is beyond Royal Mail's limit but within DPD's.
  const json heavy = JsonOf(Eligible(Details(id, 25000)));
  ASSERT_EQ(heavy["payload"]["ShippingServiceList"].size(), 1U);
  EXPECT_EQ(heavy["payload"]["ShippingServiceList"][0]["ShippingServiceId"], "DPD_UK_NEXT_DAY");
  EXPECT_EQ(heavy["payload"]["RejectedShippingServiceList"].size(), 2U);

  NewOrder us;
  us.marketplace_id = "ATVPDKIKX0DER";
  us.lines.push_back({.sku = "SB-MUG-001", .quantity = 1});
  const std::string us_id = *emulator_->AddOrder(us);
  const json us_answer = JsonOf(Eligible(Details(us_id)));
  EXPECT_FALSE(Offer(us_answer, "UPS_PTP_GND").is_null());
  EXPECT_EQ(Offer(us_answer, "UPS_PTP_GND")["Rate"]["CurrencyCode"], "USD");
}

TEST_F(MfnTest, CreateShipmentBuysALabelAndShipsTheOrderWithItsTracking) {
  const std::string id = PlaceOrder({{"SB-MUG-001", 2}});
  clock_.Advance(std::chrono::minutes(10));
  const json offer = Offer(JsonOf(Eligible(Details(id))), "ROYAL_MAIL_TRACKED_24");
  const auto result = Create(Details(id), "ROYAL_MAIL_TRACKED_24",
                             offer["ShippingServiceOfferId"].get<std::string>());
  ASSERT_EQ(result->status, 200) << result->body;
  const json shipment = JsonOf(result)["payload"];
  const std::string shipment_id = shipment["ShipmentId"];
  const std::string tracking = shipment["TrackingId"];
  EXPECT_EQ(shipment["Status"], "Purchased");
  EXPECT_TRUE(IsValidTrackingNumber("Royal Mail", tracking)) << tracking;
  EXPECT_EQ(shipment["ShippingService"]["ShippingServiceName"], "Royal Mail Tracked 24");
  EXPECT_EQ(shipment["ShipToAddress"]["CountryCode"], "GB");

  const json& file = shipment["Label"]["FileContents"];
  EXPECT_EQ(file["FileType"], "application/pdf");
  EXPECT_EQ(shipment["Label"]["LabelFormat"], "PDF");
  const auto compressed = Base64Decode(file["Contents"].get<std::string>());
  ASSERT_TRUE(compressed.has_value());
  const auto pdf = Gunzip(*compressed);
  ASSERT_TRUE(pdf.has_value());
  EXPECT_EQ(pdf->rfind("%PDF-1.4", 0), 0U);
  EXPECT_NE(pdf->find(tracking), std::string::npos);
  EXPECT_NE(pdf->find("%%EOF"), std::string::npos);
  EXPECT_EQ(file["Checksum"], Base64Encode(Md5Digest(*pdf)));

  // Amazon now knows the order as shipped with a label it sold.
  const auto order = emulator_->GetOrder(id);
  EXPECT_EQ(order->status, OrderStatus::kShipped);
  ASSERT_EQ(order->amazon_labels.size(), 1U);
  EXPECT_EQ(order->amazon_labels[0].shipment_id, shipment_id);
  EXPECT_EQ(order->amazon_labels[0].tracking_number, tracking);
  EXPECT_EQ(order->amazon_labels[0].rate_minor, 445);
  ASSERT_EQ(order->packages.size(), 1U);
  EXPECT_EQ(order->packages[0].amazon_shipment_id, shipment_id);
  EXPECT_EQ(order->packages[0].carrier_code, "Royal Mail");
  EXPECT_EQ(order->packages[0].tracking_number, tracking);
  EXPECT_EQ(order->packages[0].arrival_time, clock_.Now());
  EXPECT_TRUE(order->packages[0].valid_tracking);
  EXPECT_EQ(JsonOf(Call("GET", "/orders/v0/orders/" + id))["payload"]["OrderStatus"], "Shipped");

  // The items are gone: another label, or a confirmation, for them is refused.
  EXPECT_EQ(Create(Details(id), "ROYAL_MAIL_TRACKED_24")->status, 400);
  EXPECT_EQ(Confirm(id, ConfirmBody(id))->status, 400);

  const auto fetched = Call("GET", "/mfn/v0/shipments/" + shipment_id);
  ASSERT_EQ(fetched->status, 200);
  EXPECT_EQ(JsonOf(fetched)["payload"]["TrackingId"], tracking);

  const auto cancelled = Delete("/mfn/v0/shipments/" + shipment_id);
  ASSERT_EQ(cancelled->status, 200) << cancelled->body;
  EXPECT_EQ(JsonOf(cancelled)["payload"]["Status"], "RefundPending");
  EXPECT_EQ(Delete("/mfn/v0/shipments/" + shipment_id)->status, 400);
  clock_.Advance(std::chrono::hours(25));
  EXPECT_EQ(JsonOf(Call("GET", "/mfn/v0/shipments/" + shipment_id))["payload"]["Status"],
            "RefundApplied");
  EXPECT_EQ(emulator_->GetOrder(id)->status, OrderStatus::kShipped);
  EXPECT_TRUE(emulator_->GetOrder(id)->amazon_labels[0].cancelled.has_value());
}

TEST_F(MfnTest, ZplLabelWhenTheRequestAsksForIt) {
  const std::string id = PlaceOrder({{"SB-MUG-001", 1}});
  json details = Details(id);
  details["ShippingServiceOptions"]["LabelFormat"] = "ZPL203";
  const auto result = Create(details, "DPD_UK_NEXT_DAY");
  ASSERT_EQ(result->status, 200) << result->body;
  const json shipment = JsonOf(result)["payload"];
  EXPECT_EQ(shipment["Label"]["FileContents"]["FileType"], "application/zpl");
  EXPECT_EQ(shipment["Label"]["LabelFormat"], "ZPL203");
  EXPECT_TRUE(IsValidTrackingNumber("DPD", shipment["TrackingId"].get<std::string>()));
  const auto zpl =
      Gunzip(*Base64Decode(shipment["Label"]["FileContents"]["Contents"].get<std::string>()));
  ASSERT_TRUE(zpl.has_value());
  EXPECT_EQ(zpl->rfind("^XA", 0), 0U);
  EXPECT_NE(zpl->find(shipment["TrackingId"].get<std::string>()), std::string::npos);
  EXPECT_EQ(emulator_->GetOrder(id)->packages[0].carrier_code, "DPD");
}

TEST_F(MfnTest, RefusesUnknownOrdersItemsCancelledOrdersAndServices) {
  const std::string id = PlaceOrder({{"SB-MUG-001", 2}});
  const auto expect_invalid = [this](const httplib::Result& result, const std::string& words) {
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 400) << result->body;
    const json error = JsonOf(result)["errors"][0];
    EXPECT_EQ(error["code"], "InvalidInput");
    EXPECT_NE(error["details"].get<std::string>().find(words), std::string::npos) << error.dump();
  };
  json unknown_order = Details(id);
  unknown_order["AmazonOrderId"] = "205-0000000-0000000";
  expect_invalid(Eligible(unknown_order), "is not an order of this seller");
  expect_invalid(Create(unknown_order, "ROYAL_MAIL_TRACKED_24"), "is not an order of this seller");

  json unknown_item = Details(id);
  unknown_item["ItemList"][0]["OrderItemId"] = "11111111111111";
  expect_invalid(Eligible(unknown_item), "is not an item of order");
  json too_many = Details(id);
  too_many["ItemList"][0]["Quantity"] = 3;
  expect_invalid(Create(too_many, "ROYAL_MAIL_TRACKED_24"), "exceeds");

  expect_invalid(Create(Details(id), "UPS_PTP_GND"), "is not offered for order");
  expect_invalid(Create(Details(id), "NO_SUCH_SERVICE"), "is not offered for order");
  const json offers = JsonOf(Eligible(Details(id)));
  expect_invalid(Create(Details(id), "ROYAL_MAIL_TRACKED_48",
                        Offer(offers, "DPD_UK_NEXT_DAY")["ShippingServiceOfferId"]),
                 "ShippingServiceOfferId");

  json no_address = Details(id);
  no_address.erase("ShipFromAddress");
  expect_invalid(Eligible(no_address), "ShipFromAddress");
  json bad_country = Details(id);
  bad_country["ShipFromAddress"]["CountryCode"] = "GBR";
  expect_invalid(Eligible(bad_country), "CountryCode");
  json bad_weight = Details(id);
  bad_weight["Weight"]["Unit"] = "kg";
  expect_invalid(Eligible(bad_weight), "Weight");
  json no_options = Details(id);
  no_options["ShippingServiceOptions"].erase("DeliveryExperience");
  expect_invalid(Create(no_options, "ROYAL_MAIL_TRACKED_24"), "DeliveryExperience");
  expect_invalid(
      Call("POST", "/mfn/v0/shipments", json{{"ShipmentRequestDetails", Details(id)}}.dump()),
      "ShippingServiceId");

  ASSERT_TRUE(emulator_->CancelOrder(id, Canceller::kBuyer).ok());
  expect_invalid(Create(Details(id), "ROYAL_MAIL_TRACKED_24"), "is cancelled");
  EXPECT_TRUE(emulator_->GetOrder(id)->amazon_labels.empty());
  expect_invalid(Call("GET", "/mfn/v0/shipments/9d0e1f2a-0000-4000-8000-000000000000"),
                 "not found");
}

TEST_F(MfnTest, OperationsHaveTheirUsagePlans) {
  ASSERT_TRUE(emulator_->SetRateLimit("getShipment", 1, 1).ok());
  const auto first = Call("GET", "/mfn/v0/shipments/9d0e1f2a-0000-4000-8000-000000000000");
  EXPECT_EQ(first->status, 400);
  EXPECT_EQ(first->get_header_value("x-amzn-RateLimit-Limit"), "1");
  EXPECT_EQ(Call("GET", "/mfn/v0/shipments/9d0e1f2a-0000-4000-8000-000000000000")->status, 429);
  bool found = false;
  for (const RateLimit& limit : emulator_->RateLimits()) {
    if (limit.api == "Merchant Fulfillment v0" && limit.operation == "createShipment") {
      found = true;
      EXPECT_EQ(limit.burst, 100);
    }
  }
  EXPECT_TRUE(found);
}

// The static sandbox requests of merchantFulfillmentV0.json. The 200 examples
// name an order that is placed here first; ShippingServiceOfferId and
// ShipmentId values are Amazon's own, so the emulator's are used instead.
TEST_F(MfnTest, SandboxRequestsGetTheirStatus) {
  const json& paths = Model("merchantFulfillmentV0.json")["paths"];
  const auto requests = [&](const std::string& path, const std::string& method,
                            const std::string& status) {
    std::vector<json> out;
    for (const json& entry :
         paths[path][method]["responses"][status]["x-amzn-api-sandbox"]["static"]) {
      out.push_back(entry["request"]["parameters"]);
    }
    return out;
  };
  NewOrder order;
  order.marketplace_id = "ATVPDKIKX0DER";
  order.order_id = "903-5563053-5647845";
  order.lines.push_back(
      {.sku = "SB-MUG-001", .quantity = 2, .order_item_id = std::string("52986411826454")});
  ASSERT_TRUE(emulator_->AddOrder(order).ok());

  std::string offer_id;
  for (const auto& [status, expected] : {std::pair{"200", 200}, std::pair{"400", 400}}) {
    for (const json& parameters : requests("/mfn/v0/eligibleShippingServices", "post", status)) {
      const auto result =
          Call("POST", "/mfn/v0/eligibleShippingServices", parameters["body"]["value"].dump());
      EXPECT_EQ(result->status, expected) << result->body;
      if (result->status == 200) {
        offer_id = Offer(JsonOf(result), "UPS_PTP_2ND_DAY_AIR")["ShippingServiceOfferId"];
      }
    }
  }
  ASSERT_FALSE(offer_id.empty());
  std::string shipment_id;
  for (const auto& [status, expected] : {std::pair{"200", 200}, std::pair{"400", 400}}) {
    for (const json& parameters : requests("/mfn/v0/shipments", "post", status)) {
      json body = parameters["body"]["value"];
      body["ShippingServiceOfferId"] = offer_id;
      const auto result = Call("POST", "/mfn/v0/shipments", body.dump());
      EXPECT_EQ(result->status, expected) << result->body;
      if (result->status == 200) {
        shipment_id = JsonOf(result)["payload"]["ShipmentId"];
        EXPECT_TRUE(IsValidTrackingNumber(
            "UPS", JsonOf(result)["payload"]["TrackingId"].get<std::string>()));
      }
    }
  }
  ASSERT_FALSE(shipment_id.empty());
  EXPECT_EQ(Call("GET", "/mfn/v0/shipments/" + shipment_id)->status, 200);
  for (const json& parameters : requests("/mfn/v0/shipments/{shipmentId}", "get", "400")) {
    EXPECT_EQ(
        Call("GET", "/mfn/v0/shipments/" + parameters["shipmentId"]["value"].get<std::string>())
            ->status,
        400);
  }
  EXPECT_EQ(Delete("/mfn/v0/shipments/" + shipment_id)->status, 200);
  for (const json& parameters : requests("/mfn/v0/shipments/{shipmentId}", "delete", "400")) {
    EXPECT_EQ(
        Delete("/mfn/v0/shipments/" + parameters["shipmentId"]["value"].get<std::string>())->status,
        400);
  }
}

}  // namespace
}  // namespace sellerbridge::emulators::amazon
