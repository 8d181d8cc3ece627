// Shipments with Amazon-bought labels against the Clarus emulator over
// loopback.
#include "clarus/shipments.h"

#include <gtest/gtest.h>

#include <set>

#include "clarus/connector_test_fixture.h"

namespace sellerbridge::clarus {
namespace {

// "%PDF-1.4 label" in base64, as Amazon returns label documents.
constexpr const char* kLabel = "JVBERi0xLjQgbGFiZWw=";

class ShipmentsTest : public ClarusConnectorTest {
 protected:
  void SetUp() override {
    ClarusConnectorTest::SetUp();
    shipments_ = std::make_unique<Shipments>(client_.get());
  }

  ShipmentRequest LabelRequest(const std::string& goods_out_id, const std::string& reference) {
    ShipmentRequest request;
    request.reference = reference;
    request.goods_out_id = goods_out_id;
    request.carrier_service_id = std::to_string(ServiceId("RM24"));
    request.carrier_id = std::to_string(CarrierIdOfService(ServiceId("RM24")));
    request.packages = {{.tracking_number = "AB123456789GB"}, {.tracking_number = "AB987654321GB"}};
    request.label_filename = "amazon-" + reference + ".pdf";
    request.label_base64 = kLabel;
    return request;
  }

  int ShipmentsWithReference(const std::string& reference) {
    int count = 0;
    emulator_->GetWarehouse().Read([&](const emulator::WarehouseState& state) {
      for (const auto& [id, shipment] : state.shipments) {
        count += shipment.reference == reference ? 1 : 0;
      }
    });
    return count;
  }

  static std::set<std::string> TrackingNumbers(const Shipment& shipment) {
    std::set<std::string> out;
    for (const Package& package : shipment.packages) {
      if (package.tracking_number) {
        out.insert(*package.tracking_number);
      }
    }
    return out;
  }

  std::unique_ptr<Shipments> shipments_;
};

TEST_F(ShipmentsTest, CreatesAShipmentWithAnAmazonLabelOnce) {
  const std::string order = CreateOrder("203-2222222-0000001");
  const auto created = shipments_->Create(LabelRequest(order, "AMZ-SHIP-1"));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_FALSE(created->already_existed);
  const Shipment& shipment = created->shipment;
  EXPECT_EQ(shipment.goods_out_id, order);
  EXPECT_EQ(shipment.reference, "AMZ-SHIP-1");
  EXPECT_EQ(shipment.carrier_code, "ROYALMAIL");
  EXPECT_EQ(shipment.service_code, "RM24");
  EXPECT_EQ(shipment.label_filename, "amazon-AMZ-SHIP-1.pdf");
  EXPECT_EQ(TrackingNumbers(shipment), (std::set<std::string>{"AB123456789GB", "AB987654321GB"}));

  const auto again = shipments_->Create(LabelRequest(order, "AMZ-SHIP-1"));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->already_existed);
  EXPECT_EQ(again->shipment.id, shipment.id);
  EXPECT_EQ(ShipmentsWithReference("AMZ-SHIP-1"), 1);

  const auto listed = shipments_->ForGoodsOut(order);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 1U);
  EXPECT_EQ(listed->front().id, shipment.id);
}

TEST_F(ShipmentsTest, ATimeoutAfterCommitIsResolvedWithoutADuplicate) {
  const std::string order = CreateOrder("203-2222222-0000002");
  emulator_->Faults().Inject({.kind = emulator::FaultKind::kResponseLost,
                              .method = "POST",
                              .path_prefix = emulator_->ApiPrefix() + "/shipments",
                              .delay = std::chrono::milliseconds{3000}});
  http::CurlHttpClient impatient({.total_timeout = std::chrono::milliseconds{500}});
  const auto client = MakeClient(&impatient);
  Shipments shipments(client.get());
  const auto created = shipments.Create(LabelRequest(order, "AMZ-SHIP-2"));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_TRUE(created->already_existed) << "found by reference, not sent twice";
  EXPECT_EQ(created->shipment.reference, "AMZ-SHIP-2");
  EXPECT_EQ(ShipmentsWithReference("AMZ-SHIP-2"), 1);
}

TEST_F(ShipmentsTest, AGatewayErrorOnACreateIsNotSentAgain) {
  const std::string order = CreateOrder("203-2222222-0000003");
  // A 504 may follow a commit: the client must not repeat the POST, even
  // though this one was refused before it reached the warehouse.
  emulator_->Faults().Inject({.kind = emulator::FaultKind::kServerError,
                              .method = "POST",
                              .path_prefix = emulator_->ApiPrefix() + "/shipments",
                              .status = 504});
  const auto first = shipments_->Create(LabelRequest(order, "AMZ-SHIP-3"));
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.status().code(), StatusCode::kFailedPrecondition) << first.status();
  EXPECT_EQ(ShipmentsWithReference("AMZ-SHIP-3"), 0);

  const auto second = shipments_->Create(LabelRequest(order, "AMZ-SHIP-3"));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_FALSE(second->already_existed);
  EXPECT_EQ(ShipmentsWithReference("AMZ-SHIP-3"), 1);
}

TEST_F(ShipmentsTest, RejectsBadRequestsBeforeSendingAndNamesFieldsClarusRejects) {
  const std::string order = CreateOrder("203-2222222-0000004");
  ShipmentRequest request = LabelRequest(order, "AMZ-SHIP-4");
  request.label_base64 = "not base64!";
  const int before = counting_.Requests();
  const auto bad_label = shipments_->Create(request);
  ASSERT_FALSE(bad_label.ok());
  EXPECT_EQ(bad_label.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_label.status().message().find("label_base64"), std::string::npos);
  EXPECT_EQ(counting_.Requests(), before);

  request = LabelRequest(order, "AMZ-SHIP-4");
  request.reference.clear();
  EXPECT_EQ(shipments_->Create(request).status().code(), StatusCode::kInvalidArgument);

  request = LabelRequest(order, "AMZ-SHIP-4");
  request.carrier_service_id = "999";
  const auto rejected = shipments_->Create(request);
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(rejected.status().message().find("/data/attributes/carrier_service_id"),
            std::string::npos)
      << rejected.status();
}

TEST_F(ShipmentsTest, AReferenceUsedByAnotherGoodsOutIsAlreadyExists) {
  const std::string first = CreateOrder("203-2222222-0000005");
  const std::string second = CreateOrder("203-2222222-0000006");
  ASSERT_TRUE(shipments_->Create(LabelRequest(first, "AMZ-SHIP-5")).ok());
  const auto clash = shipments_->Create(LabelRequest(second, "AMZ-SHIP-5"));
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(clash.status().code(), StatusCode::kAlreadyExists) << clash.status();
}

TEST_F(ShipmentsTest, CancellingOurLabelVoidsItAndBooksNothingUntilANewLabel) {
  const std::string order = CreateOrder("203-2222222-0000007");
  const auto created = shipments_->Create(LabelRequest(order, "AMZ-SHIP-7"));
  ASSERT_TRUE(created.ok()) << created.status();

  const auto cancelled = shipments_->Cancel(created->shipment.id);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  EXPECT_EQ(cancelled->cancelled.status, "CANCELLED");
  EXPECT_EQ(cancelled->cancelled.label_filename, "") << "the label is voided";
  EXPECT_TRUE(cancelled->replacements.empty());
  const auto gone = shipments_->FindByReference("AMZ-SHIP-7");
  ASSERT_TRUE(gone.ok()) << gone.status();
  EXPECT_FALSE(gone->has_value());

  // A new label from Amazon is a new shipment with its own reference.
  ShipmentRequest relabel = LabelRequest(order, "AMZ-SHIP-7B");
  relabel.packages = {{.tracking_number = "CD111111111GB"}};
  const auto recreated = shipments_->Create(relabel);
  ASSERT_TRUE(recreated.ok()) << recreated.status();
  EXPECT_NE(recreated->shipment.id, created->shipment.id);

  const auto all = shipments_->ForGoodsOut(order);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 2U);
  EXPECT_EQ(all->at(0).status, "CANCELLED");
  EXPECT_NE(all->at(1).status, "CANCELLED");
}

TEST_F(ShipmentsTest, CancellingAWarehouseShipmentReportsItsRelabelWithNewTrackingNumbers) {
  const std::string order = CreateOrder("203-2222222-0000008");
  CompleteNow(order);
  const auto before = shipments_->ForGoodsOut(order);
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_EQ(before->size(), 1U);
  const Shipment original = before->front();
  ASSERT_FALSE(TrackingNumbers(original).empty());
  Advance(std::chrono::minutes{5});

  const auto cancelled = shipments_->Cancel(original.id);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  EXPECT_EQ(cancelled->cancelled.status, "CANCELLED");
  ASSERT_EQ(cancelled->replacements.size(), 1U);
  const Shipment& replacement = cancelled->replacements.front();
  EXPECT_NE(replacement.status, "CANCELLED");
  EXPECT_EQ(replacement.packages.size(), original.packages.size());
  EXPECT_FALSE(TrackingNumbers(replacement).empty());
  for (const std::string& number : TrackingNumbers(replacement)) {
    EXPECT_EQ(TrackingNumbers(original).count(number), 0U) << "new tracking numbers";
  }

  // Cancelling again changes nothing and reports the same replacement.
  const auto again = shipments_->Cancel(original.id);
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_EQ(again->replacements.size(), 1U);
  EXPECT_EQ(again->replacements.front().id, replacement.id);
}

TEST_F(ShipmentsTest, AnUnknownShipmentIsNotFound) {
  EXPECT_EQ(shipments_->Get("424242").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(shipments_->Cancel("424242").status().code(), StatusCode::kNotFound);
}

TEST_F(ShipmentsTest, ListsShipmentsUpdatedSinceAWatermarkAcrossPages) {
  for (int i = 0; i < 7; ++i) {
    const std::string order = CreateOrder("203-2222222-10000" + std::to_string(i));
    ASSERT_TRUE(shipments_->Create(LabelRequest(order, "AMZ-P-" + std::to_string(i))).ok());
  }
  Advance(std::chrono::minutes{1});
  const std::string late = CreateOrder("203-2222222-1000099");
  ASSERT_TRUE(shipments_->Create(LabelRequest(late, "AMZ-P-LATE")).ok());

  const auto all = shipments_->UpdatedSince("2000-01-01T00:00:00Z", 2);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->size(), 8U);
  const auto recent = shipments_->UpdatedSince(FormatIso8601(clock_.Now()), 2);
  ASSERT_TRUE(recent.ok()) << recent.status();
  ASSERT_EQ(recent->size(), 1U);
  EXPECT_EQ(recent->front().reference, "AMZ-P-LATE");
}

}  // namespace
}  // namespace sellerbridge::clarus
