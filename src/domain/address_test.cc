#include "domain/address.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sellerbridge::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Address Complete() {
  return {.name = "J Doe",
          .line1 = "1 High St",
          .city = "Leeds",
          .postal_code = "LS1 1AA",
          .country_code = "GB"};
}

TEST(AddressTest, CompleteAddressLacksNothing) {
  EXPECT_THAT(MissingAddressFields(Complete()), IsEmpty());
}

TEST(AddressTest, NamesEveryMissingField) {
  Address a;
  a.country_code = "gb";
  EXPECT_THAT(MissingAddressFields(a),
              ElementsAre("name", "line1", "city", "postal_code", "country_code"));
}

TEST(AddressTest, BlankCountsAsMissing) {
  Address a = Complete();
  a.line1 = "   ";
  EXPECT_THAT(MissingAddressFields(a), ElementsAre("line1"));
}

TEST(AddressTest, PostalCodeOptionalWhereCountryHasNone) {
  Address a = Complete();
  a.postal_code.clear();
  a.country_code = "IE";
  EXPECT_THAT(MissingAddressFields(a), IsEmpty());
}

}  // namespace
}  // namespace sellerbridge::domain
