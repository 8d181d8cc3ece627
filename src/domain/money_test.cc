#include "domain/money.h"

#include <gtest/gtest.h>

#include <limits>

namespace sellerbridge::domain {
namespace {

TEST(MoneyTest, RejectsMalformedCurrencyCodes) {
  EXPECT_TRUE(Money::Create(100, "GBP").ok());
  EXPECT_FALSE(Money::Create(100, "gbp").ok());
  EXPECT_FALSE(Money::Create(100, "POUND").ok());
  EXPECT_FALSE(Money::Create(100, "").ok());
}

TEST(MoneyTest, ParsesDecimalsIntoMinorUnits) {
  EXPECT_EQ(Money::Parse("12.34", "GBP")->MinorUnits(), 1234);
  EXPECT_EQ(Money::Parse("12.3", "EUR")->MinorUnits(), 1230);
  EXPECT_EQ(Money::Parse("-0.05", "EUR")->MinorUnits(), -5);
  EXPECT_EQ(Money::Parse("1000", "JPY")->MinorUnits(), 1000);
  EXPECT_EQ(Money::Parse("+7", "USD")->MinorUnits(), 700);
}

TEST(MoneyTest, RejectsAmountsThatAreNotPlainDecimals) {
  for (const char* bad : {"", "1,50", "1.234", "abc", "1e3", "1.", ".5", "--1", "1 000"}) {
    EXPECT_FALSE(Money::Parse(bad, "GBP").ok()) << bad;
  }
  EXPECT_FALSE(Money::Parse("10.5", "JPY").ok());
  EXPECT_FALSE(Money::Parse("999999999999999999999", "GBP").ok());
}

TEST(MoneyTest, AddsOnlyTheSameCurrency) {
  const Money a = *Money::Create(150, "GBP");
  const Money b = *Money::Create(-200, "GBP");
  EXPECT_EQ(a.Add(b)->MinorUnits(), -50);
  EXPECT_EQ(a.Subtract(b)->MinorUnits(), 350);
  const auto mixed = a.Add(*Money::Create(1, "EUR"));
  ASSERT_FALSE(mixed.ok());
  EXPECT_NE(mixed.status().message().find("different currencies"), std::string::npos);
}

TEST(MoneyTest, DetectsOverflow) {
  const Money big = *Money::Create(std::numeric_limits<std::int64_t>::max(), "USD");
  EXPECT_FALSE(big.Add(*Money::Create(1, "USD")).ok());
}

TEST(MoneyTest, FormatsWithTheCurrencysDecimals) {
  EXPECT_EQ(Money::Create(1234, "GBP")->ToString(), "12.34 GBP");
  EXPECT_EQ(Money::Create(-5, "EUR")->ToString(), "-0.05 EUR");
  EXPECT_EQ(Money::Create(1200, "JPY")->ToString(), "1200 JPY");
  EXPECT_EQ(Money::Create(-1234, "KWD")->ToString(), "-1.234 KWD");
  EXPECT_EQ(Money::Create(std::numeric_limits<std::int64_t>::min(), "GBP")->ToString(),
            "-92233720368547758.08 GBP");
}

}  // namespace
}  // namespace sellerbridge::domain
