#include "emulators/amazon/formats/tracking_numbers.h"

#include <gtest/gtest.h>

#include "emulators/amazon/formats/carrier_codes.h"

namespace sellerbridge::emulators::amazon {
namespace {

struct Case {
  const char* carrier;
  const char* number;
};

TEST(TrackingNumbersTest, AcceptsEachCarriersFormats) {
  for (const Case& c : std::initializer_list<Case>{
           {"Royal Mail", "AB123456789GB"},
           {"Royal Mail", "ab123456789gb"},
           {"Royal Mail", "021115C902CF0C99"},
           {"Royal Mail", "0B014648800003598B01"},
           {"Royal Mail", "320019254000221BB4EFC"},
           {"Parcelforce", "AA1234567"},
           {"Parcelforce", "AAAA1234567890"},
           {"Parcelforce", "AA123456789GB"},
           {"Parcelforce", "123456789012"},
           {"DPD", "15501234567890"},
           {"DPD Local", "15501234567890"},
           {"Hermes UK", "1234567890123456"},
           {"Hermes UK", "H00QJA0012345678"},
           {"Yodel", "JD0002251234567890"},
           {"Yodel", "YOD12345"},
           {"UPS", "1Z999AA10123456784"},
           {"DHL", "1234567890"},
           {"DHL", "JJD000390007584936781"},
           {"DHL Parcel UK", "JJD000390007584936781"},
           {"FedEx", "123456789012"},
           {"FedEx", "123456789012345"},
           {"Amazon Shipping", "TBA123456789012"},
           {"AMZL_UK", "TBA123456789012"},
           {"USPS", "9400111899223344556677"},
           {"USPS", "94001118992233445566"},
           {"USPS", "EA123456785US"},
           {"Other", "XYZ123"},
           {"Correos", "PQ4F6P0000000000"},
       }) {
    EXPECT_TRUE(IsValidTrackingNumber(c.carrier, c.number)) << c.carrier << " " << c.number;
  }
}

TEST(TrackingNumbersTest, RejectsNumbersOfTheWrongShape) {
  for (const Case& c : std::initializer_list<Case>{
           {"Royal Mail", "AB123456789US"},
           {"Royal Mail", "AB12345678GB"},
           {"Royal Mail", "AB 123 456 789 GB"},
           {"Royal Mail", "12345"},
           {"Parcelforce", "A12345678"},
           {"DPD", "1550123456789"},
           {"DPD", "155012345678901"},
           {"Hermes UK", "123456789012345"},
           {"Hermes UK", "X00QJA0012345678"},
           {"Yodel", "JD-12345"},
           {"Yodel", "JD00022512345678901"},
           {"UPS", "1Z999AA1012345678"},
           {"UPS", "2Z999AA10123456784"},
           {"DHL", "123456789"},
           {"DHL", "JJD00039000758493678"},
           {"FedEx", "1234567890123"},
           {"Amazon Shipping", "TBA12345678901"},
           {"Amazon Shipping", "TBB123456789012"},
           {"USPS", "9400111899223344556"},
           {"USPS", "EA123456785GB"},
           {"Other", "AB12"},
           {"Other", "AB12-34567"},
           {"Other", ""},
           {"Some Unlisted Carrier", "12345678901234567890123456789012345678901"},
       }) {
    EXPECT_FALSE(IsValidTrackingNumber(c.carrier, c.number)) << c.carrier << " " << c.number;
  }
}

TEST(TrackingNumbersTest, GeneratedNumbersAreValidForTheirCarrier) {
  std::mt19937_64 rng(42);
  for (const char* carrier :
       {"Royal Mail", "ROYAL_MAIL", "Parcelforce", "DPD", "DPD Local", "Hermes UK", "Yodel", "UPS",
        "DHL", "DHL Express", "DHL Parcel UK", "FedEx", "Amazon Shipping", "AMZL_UK", "AMZL",
        "USPS", "Other", "GLS", "Not A Carrier"}) {
    for (int i = 0; i < 20; ++i) {
      const std::string number = MakeTrackingNumber(carrier, rng);
      EXPECT_TRUE(IsValidTrackingNumber(carrier, number)) << carrier << " " << number;
    }
  }
}

TEST(TrackingNumbersTest, GeneratedRoyalMailNumbersCarryTheS10CheckDigit) {
  std::mt19937_64 rng(7);
  const std::string number = MakeTrackingNumber("Royal Mail", rng);
  ASSERT_EQ(number.size(), 13U);
  EXPECT_EQ(number.substr(11), "GB");
  constexpr int kWeights[] = {8, 6, 4, 2, 3, 5, 9, 7};
  int sum = 0;
  for (size_t i = 0; i < 8; ++i) {
    sum += (number[2 + i] - '0') * kWeights[i];
  }
  int check = 11 - sum % 11;
  check = check == 10 ? 0 : (check == 11 ? 5 : check);
  EXPECT_EQ(number[10], '0' + check);
}

TEST(TrackingNumbersTest, GenerationIsDeterministicForASeed) {
  std::mt19937_64 a(1);
  std::mt19937_64 b(1);
  EXPECT_EQ(MakeTrackingNumber("UPS", a), MakeTrackingNumber("UPS", b));
}

TEST(TrackingNumbersTest, KnownCarriersUseAmazonCodes) {
  for (const char* carrier : {"Royal Mail", "ROYAL_MAIL", "Parcelforce", "DPD", "DPD Local",
                              "Hermes UK", "Yodel", "UPS", "DHL", "DHL Express", "DHL Parcel UK",
                              "FedEx", "Amazon Shipping", "AMZL_UK", "AMZL", "USPS"}) {
    EXPECT_TRUE(IsCarrierCode(carrier)) << carrier;
  }
}

}  // namespace
}  // namespace sellerbridge::emulators::amazon
