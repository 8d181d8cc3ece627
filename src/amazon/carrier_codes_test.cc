#include "amazon/carrier_codes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sellerbridge::amazon {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

TEST(CarrierCodesTest, KnowsAmazonsCodesExactlyAsWritten) {
  EXPECT_TRUE(IsAmazonCarrierCode("Royal Mail"));
  EXPECT_TRUE(IsAmazonCarrierCode("Hermes UK"));
  EXPECT_TRUE(IsAmazonCarrierCode("Other"));
  EXPECT_TRUE(IsAmazonCarrierCode("DPD"));
  EXPECT_FALSE(IsAmazonCarrierCode("royal mail"));
  EXPECT_FALSE(IsAmazonCarrierCode("Royal Mail "));
  EXPECT_FALSE(IsAmazonCarrierCode(" Royal Mail"));
  EXPECT_FALSE(IsAmazonCarrierCode("RoyalMail"));
  EXPECT_FALSE(IsAmazonCarrierCode("Evri"));
  EXPECT_FALSE(IsAmazonCarrierCode(""));
}

TEST(CarrierCodesTest, CommentAndBlankLinesAreNotCodes) {
  for (const std::string& code : AmazonCarrierCodes()) {
    EXPECT_FALSE(code.empty());
    EXPECT_NE(code.front(), '#') << code;
    EXPECT_NE(code.back(), '\r') << code;
  }
  EXPECT_FALSE(IsAmazonCarrierCode("# Amazon CarrierCode values"));
  EXPECT_GT(AmazonCarrierCodes().size(), 300U);
}

TEST(CarrierCodesTest, ParsesTheListLayout) {
  EXPECT_THAT(ParseCarrierCodes("# heading\r\nUPS\r\n\r\nRoyal Mail\n#UPS\nUPS\nDHL "),
              ElementsAre("UPS", "Royal Mail", "DHL "));
  EXPECT_THAT(ParseCarrierCodes(""), IsEmpty());
}

TEST(CarrierCodesTest, SuggestsTheCodeWrittenWithOtherCaseOrSpacing) {
  EXPECT_EQ(SuggestCarrierCodes("ROYALMAIL").at(0), "Royal Mail");
  EXPECT_EQ(SuggestCarrierCodes("royal mail").at(0), "Royal Mail");
  EXPECT_EQ(SuggestCarrierCodes("Royal Mail ").at(0), "Royal Mail");
  EXPECT_EQ(SuggestCarrierCodes("royal-mail").at(0), "Royal Mail");
  EXPECT_THAT(SuggestCarrierCodes("Dpd"), ElementsAre("DPD"));
}

TEST(CarrierCodesTest, SuggestsCodesByPrefix) {
  EXPECT_EQ(SuggestCarrierCodes("Royal").at(0), "Royal Mail");
  EXPECT_EQ(SuggestCarrierCodes("Parcel Force Worldwide").at(0), "Parcelforce");
}

TEST(CarrierCodesTest, SuggestsCodesAFewMistakesAway) {
  EXPECT_EQ(SuggestCarrierCodes("Royl Mial").at(0), "Royal Mail");
  EXPECT_EQ(SuggestCarrierCodes("Hremes UK").at(0), "Hermes UK");
}

TEST(CarrierCodesTest, SuggestsAtMostThreeAndNothingForNonsense) {
  EXPECT_THAT(SuggestCarrierCodes("DHL Gl"), SizeIs(3));
  EXPECT_THAT(SuggestCarrierCodes("Zzqxv Kkwpl"), IsEmpty());
  EXPECT_THAT(SuggestCarrierCodes("X"), IsEmpty());
  EXPECT_THAT(SuggestCarrierCodes("  "), IsEmpty());
}

}  // namespace
}  // namespace sellerbridge::amazon
