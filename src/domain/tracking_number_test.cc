#include "domain/tracking_number.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

namespace sellerbridge::domain {
namespace {

struct Example {
  const char* carrier;
  const char* number;
};

TEST(TrackingNumberTest, AcceptsEachCarriersFormats) {
  for (const Example& e : std::initializer_list<Example>{
           {"Royal Mail", "AB123456789GB"},
           {"Royal Mail", "021115C902CF0C99"},
           {"Royal Mail", "0B014648800003598B01"},
           {"Royal Mail", "320019254000221BB4EFC"},
           {"ROYAL_MAIL", "JV123456785GB"},
           {"Parcelforce", "PB1234567"},
           {"Parcelforce", "PBAA1234567890"},
           {"Parcelforce", "CP123456789GB"},
           {"Parcelforce", "123456789012"},
           {"DPD", "15501234567890"},
           {"DPD Local", "15501234567890"},
           {"Hermes UK", "1234567890123456"},
           {"Hermes UK", "H00QJA0012345678"},
           {"Yodel", "JD0002251234567890"},
           {"Yodel", "YOD12345"},
           {"Yodel", "ABCDEFGHIJ12345678"},
           {"UPS", "1Z999AA10123456784"},
           {"DHL", "1234567890"},
           {"DHL", "JJD000390007584936781"},
           {"DHL Express", "1234567890"},
           {"DHL Parcel UK", "JJD000390007584936781"},
           {"FedEx", "123456789012"},
           {"FedEx", "123456789012345"},
           {"Amazon Shipping", "TBA123456789012"},
           {"AMZL_UK", "TBA123456789012"},
           {"AMZL", "TBA123456789012"},
           {"USPS", "9400111899223344556677"},
           {"USPS", "940011189922334455667"},
           {"USPS", "94001118992233445566"},
           {"USPS", "EA123456785US"},
           {"Other", "XYZ123"},
           {"Other", "A234567890123456789012345678901234567890"},
           {"GLS", "ZX9KQ2"},
           {"Not A Carrier Code", "123456"},
       }) {
    const Status status = CheckTrackingNumber(e.carrier, e.number);
    EXPECT_TRUE(status.ok()) << e.carrier << " " << e.number << ": " << status;
  }
}

TEST(TrackingNumberTest, RejectsNumbersOfTheWrongShape) {
  for (const Example& e : std::initializer_list<Example>{
           {"Royal Mail", "AB123456789US"},
           {"Royal Mail", "AB12345678GB"},
           {"Royal Mail", "0B014648800003598"},  // Between the 16 and the 20–21 formats.
           {"Royal Mail", "0B01464880000359801"},
           {"Royal Mail", "320019254000221BB4EFC0"},
           {"ROYAL_MAIL", "12345"},
           {"Parcelforce", "A12345678"},
           {"Parcelforce", "PBA1234567890"},
           {"DPD", "1550123456789"},
           {"DPD", "155012345678901"},
           {"DPD Local", "1550123456789A"},
           {"Hermes UK", "123456789012345"},
           {"Hermes UK", "X00QJA0012345678"},
           {"Yodel", "JD-12345"},
           {"Yodel", "JD00022512345678901"},
           {"Yodel", "YOD1234"},
           {"UPS", "1Z999AA1012345678"},
           {"UPS", "2Z999AA10123456784"},
           {"DHL", "123456789"},
           {"DHL", "JJD00039000758493678"},
           {"DHL Express", "12345678901"},
           {"DHL Parcel UK", "JJX000390007584936781"},
           {"FedEx", "1234567890123"},
           {"FedEx", "12345678901A"},
           {"Amazon Shipping", "TBA12345678901"},
           {"Amazon Shipping", "TBB123456789012"},
           {"AMZL_UK", "TBA12345678901A"},
           {"AMZL", "123456789012345"},
           {"USPS", "9400111899223344556"},
           {"USPS", "94001118992233445566778"},
           {"USPS", "EA123456785GB"},
           {"Other", "AB12"},
           {"Other", "AB12-34567"},
           {"Other", "A2345678901234567890123456789012345678901"},
           {"Some Unlisted Carrier", "12345"},
       }) {
    const Status status = CheckTrackingNumber(e.carrier, e.number);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << e.carrier << " " << e.number;
  }
}

TEST(TrackingNumberTest, AcceptsLowerCaseLettersIncludingFixedOnes) {
  for (const Example& e : std::initializer_list<Example>{
           {"Royal Mail", "ab123456789gb"},
           {"Royal Mail", "Ab123456789Gb"},
           {"Parcelforce", "pbaa1234567890"},
           {"Hermes UK", "h00qja0012345678"},
           {"Yodel", "jd0002251234567890"},
           {"UPS", "1z999aa10123456784"},
           {"DHL Parcel UK", "jjd000390007584936781"},
           {"Amazon Shipping", "tba123456789012"},
           {"USPS", "ea123456785us"},
           {"Other", "abcdef"},
       }) {
    const Status status = CheckTrackingNumber(e.carrier, e.number);
    EXPECT_TRUE(status.ok()) << e.carrier << " " << e.number << ": " << status;
  }
}

TEST(TrackingNumberTest, RejectsWhitespaceInsideOrAroundTheNumber) {
  for (const char* number : {" AB123456789GB", "AB123456789GB ", "AB 123 456 789 GB",
                             "AB123456789GB\n", "\tAB123456789GB", "AB123456789\r\nGB"}) {
    const Status status = CheckTrackingNumber("Royal Mail", number);
    ASSERT_EQ(status.code(), StatusCode::kInvalidArgument) << number;
    EXPECT_NE(status.message().find("it contains whitespace"), std::string::npos) << status;
  }
  EXPECT_FALSE(CheckTrackingNumber("Other", "XYZ 123").ok());
  EXPECT_FALSE(CheckTrackingNumber("Other", " XYZ123").ok());
  EXPECT_FALSE(CheckTrackingNumber("DPD", "1550 1234 5678 90").ok());
}

TEST(TrackingNumberTest, RejectsAnEmptyNumberForEveryCarrier) {
  for (const char* carrier : {"Royal Mail", "DPD", "UPS", "Other", "GLS"}) {
    const Status status = CheckTrackingNumber(carrier, "");
    ASSERT_EQ(status.code(), StatusCode::kInvalidArgument) << carrier;
    EXPECT_EQ(status.message().find(fmt::format("tracking number for {} is empty", carrier)), 0U)
        << status;
  }
}

TEST(TrackingNumberTest, OtherTakesSixToFortyLettersAndDigits) {
  EXPECT_FALSE(CheckTrackingNumber("Other", "A2345").ok());
  EXPECT_TRUE(CheckTrackingNumber("Other", "A23456").ok());
  EXPECT_TRUE(CheckTrackingNumber("Other", std::string(40, '7')).ok());
  EXPECT_FALSE(CheckTrackingNumber("Other", std::string(41, '7')).ok());
  EXPECT_FALSE(CheckTrackingNumber("Other", "ABC_123").ok());
  EXPECT_EQ(CheckTrackingNumber("Other", "AB12").message(),
            "tracking number 'AB12' does not fit Other: expected 6–40 letters and digits");
}

TEST(TrackingNumberTest, CarrierCodesMatchExactly) {
  // "royal mail" is not Amazon's code, so it is checked as an unknown carrier.
  EXPECT_TRUE(CheckTrackingNumber("royal mail", "ABC123").ok());
  EXPECT_FALSE(CheckTrackingNumber("Royal Mail", "ABC123").ok());
}

TEST(TrackingNumberTest, MessageNamesTheCarrierAndTheFormatsExpected) {
  EXPECT_EQ(CheckTrackingNumber("Royal Mail", "AB12").message(),
            "tracking number 'AB12' does not fit Royal Mail: expected 2 letters, 9 digits, 'GB' "
            "(AB123456789GB), 16 letters and digits, or 20–21 letters and digits");
  EXPECT_EQ(CheckTrackingNumber("DPD", "123").message(),
            "tracking number '123' does not fit DPD: expected 14 digits");
  EXPECT_EQ(CheckTrackingNumber("FedEx", "123").message(),
            "tracking number '123' does not fit FedEx: expected 12 digits or 15 digits");
  EXPECT_EQ(CheckTrackingNumber("UPS", "1Z12").message(),
            "tracking number '1Z12' does not fit UPS: expected '1Z', 16 letters and digits "
            "(1Z999AA10123456784)");
  EXPECT_EQ(CheckTrackingNumber("USPS", "EA12").message(),
            "tracking number 'EA12' does not fit USPS: expected 20–22 digits or 2 letters, 9 "
            "digits, 'US' (EA123456785US)");
}

TEST(TrackingNumberTest, MessageNamesACharacterThatIsNotALetterOrDigit) {
  EXPECT_EQ(CheckTrackingNumber("DPD", "1550-1234567890").message(),
            "tracking number '1550-1234567890' does not fit DPD: '-' is not a letter or digit; "
            "expected 14 digits");
  const Status status = CheckTrackingNumber("Other",
                                            "ABC\xC3\xA9"
                                            "123");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("a character other than the letters A–Z and the digits 0–9"),
            std::string::npos)
      << status;
}

}  // namespace
}  // namespace sellerbridge::domain
