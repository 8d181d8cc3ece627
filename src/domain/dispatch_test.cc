#include "domain/dispatch.h"

#include <gtest/gtest.h>

namespace sellerbridge::domain {
namespace {

DispatchData Valid() {
  DispatchData data;
  data.amazon_order_id = "203-1234567-1234567";
  data.clarus_goods_out_id = "9001";
  data.parcels = {{.package_reference_id = "1",
                   .carrier_code = "Royal Mail",
                   .shipping_method = "Tracked 24",
                   .tracking_number = "AB123456789GB",
                   .items = {{.order_item_id = "11", .quantity = 1}}}};
  return data;
}

void ExpectRejected(const DispatchData& data, const std::string& fragment) {
  const auto dispatch = Dispatch::Create(data);
  ASSERT_FALSE(dispatch.ok());
  EXPECT_NE(dispatch.status().message().find(fragment), std::string::npos) << dispatch.status();
}

TEST(DispatchTest, AcceptsSoundDispatch) { EXPECT_TRUE(Dispatch::Create(Valid()).ok()); }

TEST(DispatchTest, PackageReferenceMustBePositiveNumeric) {
  EXPECT_TRUE(IsPackageReferenceId("42"));
  EXPECT_FALSE(IsPackageReferenceId("0"));
  EXPECT_FALSE(IsPackageReferenceId("A1"));
  EXPECT_FALSE(IsPackageReferenceId(""));
  DispatchData data = Valid();
  data.parcels[0].package_reference_id = "P1";
  ExpectRejected(data, "package reference id");
}

TEST(DispatchTest, PackageReferencesAreUniqueInTheDispatch) {
  DispatchData data = Valid();
  data.parcels.push_back(data.parcels[0]);
  ExpectRejected(data, "unique");
}

TEST(DispatchTest, OtherCarrierNeedsName) {
  DispatchData data = Valid();
  data.parcels[0].carrier_code = "Other";
  ExpectRejected(data, "without a carrier name");
  data.parcels[0].carrier_name = "Local Courier Ltd";
  EXPECT_TRUE(Dispatch::Create(data).ok());
}

TEST(DispatchTest, RejectsParcelsWithoutTrackingOrItems) {
  DispatchData data = Valid();
  data.parcels[0].tracking_number.clear();
  ExpectRejected(data, "no tracking number");
  data = Valid();
  data.parcels[0].items[0].quantity = 0;
  ExpectRejected(data, "quantity 0");
  data = Valid();
  data.parcels.clear();
  ExpectRejected(data, "no parcels");
}

}  // namespace
}  // namespace sellerbridge::domain
