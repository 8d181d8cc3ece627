#include "emulators/amazon/formats/carrier_codes.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace sellerbridge::emulators::amazon {
namespace {

TEST(CarrierCodesTest, ContainsUkCarriersVerbatim) {
  for (const char* code : {"Royal Mail", "Parcelforce", "DPD", "DPD Local", "Hermes UK", "Yodel",
                           "UPS", "DHL", "Amazon Shipping", "AMZL_UK", "Other"}) {
    EXPECT_TRUE(IsCarrierCode(code)) << code;
  }
}

TEST(CarrierCodesTest, IsCaseAndSpaceSensitive) {
  EXPECT_FALSE(IsCarrierCode("royal mail"));
  EXPECT_FALSE(IsCarrierCode("Royal Mail "));
  EXPECT_FALSE(IsCarrierCode("RoyalMail"));
  EXPECT_FALSE(IsCarrierCode("Evri"));
  EXPECT_FALSE(IsCarrierCode(""));
}

TEST(CarrierCodesTest, SkipsCommentLinesAndKeepsNonAscii) {
  for (const std::string& code : CarrierCodes()) {
    EXPECT_FALSE(code.empty());
    EXPECT_NE(code.front(), '#') << code;
    EXPECT_NE(code.back(), '\r') << code;
  }
  EXPECT_TRUE(IsCarrierCode("Transaragonés"));
  // 377 values from amzn-base.xsd plus the newer third-party block.
  EXPECT_GE(CarrierCodes().size(), 377U);
}

TEST(CarrierCodesTest, FirstUseFromManyThreadsSeesOneTable) {
  std::vector<const std::unordered_set<std::string>*> seen(8);
  std::vector<std::thread> threads;
  threads.reserve(seen.size());
  for (const std::unordered_set<std::string>*& slot : seen) {
    threads.emplace_back([&slot] { slot = &CarrierCodes(); });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  for (const auto* table : seen) {
    EXPECT_EQ(table, seen.front());
  }
}

}  // namespace
}  // namespace sellerbridge::emulators::amazon
