// Listings stock against the Amazon emulator over loopback HTTP.
#include "amazon/listings_api.h"

#include <gtest/gtest.h>

#include "amazon/connector_test_fixture.h"

namespace sellerbridge::amazon {
namespace {

class ListingsApiTest : public AmazonConnectorTest {
 protected:
  void SetUp() override {
    AmazonConnectorTest::SetUp();
    api_ = std::make_unique<ListingsApi>(client_.get(), emulator_->GetScenario().seller_id);
    sku_ = emulator_->GetScenario().catalogue.front().sku;
  }

  std::unique_ptr<ListingsApi> api_;
  std::string sku_;
  CallOptions options_{.lane = Lane::kStock};
};

TEST_F(ListingsApiTest, QuantityIsAcceptedThenAppliedAfterAmazonsProcessingDelay) {
  const int before = emulator_->GetListing(sku_)->quantity;
  auto read = api_->GetAvailability(sku_, "A1F83G8C2ARO7P", options_);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->quantity, before);

  auto submitted = api_->SetQuantity(
      {.sku = sku_, .marketplace_id = "A1F83G8C2ARO7P", .quantity = before + 7}, options_);
  ASSERT_TRUE(submitted.ok()) << submitted.status();
  EXPECT_EQ(submitted->status, "ACCEPTED");
  EXPECT_FALSE(submitted->submission_id.empty());
  EXPECT_EQ(api_->GetAvailability(sku_, "A1F83G8C2ARO7P", options_)->quantity, before);

  ASSERT_TRUE(emulator_->AdvanceClock(std::chrono::minutes{5}).ok());
  EXPECT_EQ(api_->GetAvailability(sku_, "A1F83G8C2ARO7P", options_)->quantity, before + 7);
}

TEST_F(ListingsApiTest, UnknownSkuIsNotFoundOnReadAndInvalidOnWrite) {
  const auto read = api_->GetAvailability("NO-SUCH-SKU", "A1F83G8C2ARO7P", options_);
  EXPECT_EQ(read.status().code(), StatusCode::kNotFound) << read.status();

  const auto written = api_->SetQuantity(
      {.sku = "NO-SUCH-SKU", .marketplace_id = "A1F83G8C2ARO7P", .quantity = 3}, options_);
  ASSERT_EQ(written.status().code(), StatusCode::kInvalidArgument) << written.status();
  EXPECT_NE(written.status().message().find("NO-SUCH-SKU"), std::string::npos);
}

}  // namespace
}  // namespace sellerbridge::amazon
