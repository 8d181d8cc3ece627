// Account and warehouse lookups against the Clarus emulator over loopback.
#include "clarus/tenant.h"

#include <gtest/gtest.h>

#include "clarus/connector_test_fixture.h"

namespace sellerbridge::clarus {
namespace {

using TenantTest = ClarusConnectorTest;

TEST_F(TenantTest, FindsAccountAndWarehouseIdsByCodeAndKeepsThem) {
  Tenant tenant(client_.get());
  EXPECT_EQ(tenant.AccountId("SELLER1").value(), AccountId());
  EXPECT_EQ(tenant.WarehouseId("MAIN").value(), WarehouseId());
  const int requests = counting_.Requests();
  EXPECT_EQ(tenant.AccountId("SELLER1").value(), AccountId());
  EXPECT_EQ(counting_.Requests(), requests);
}

TEST_F(TenantTest, AnUnknownCodeIsNotFoundNamingTheCodesThatExist) {
  Tenant tenant(client_.get());
  const auto account = tenant.AccountId("NOBODY");
  ASSERT_EQ(account.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(account.status().message(), "Clarus has no account 'NOBODY' (it has: SELLER1)");
  const auto warehouse = tenant.WarehouseId("SOUTH");
  ASSERT_EQ(warehouse.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(warehouse.status().message(), "Clarus has no warehouse 'SOUTH' (it has: MAIN)");
}

}  // namespace
}  // namespace sellerbridge::clarus
