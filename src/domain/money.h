#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace sellerbridge::domain {

// An amount of one currency in integer minor units (pence, cents; yen for
// JPY). Never floating point. Immutable; arithmetic checks currency and
// overflow.
class Money {
 public:
  // `currency` must be three upper-case letters (ISO 4217). Returns
  // InvalidArgument otherwise.
  static Result<Money> Create(std::int64_t minor_units, std::string_view currency);

  // Parses a plain decimal such as "12.34", "-0.5" or "1000" in `currency`,
  // with at most as many decimals as the currency has. No thousands
  // separators, no exponent. Returns InvalidArgument naming the text.
  static Result<Money> Parse(std::string_view decimal, std::string_view currency);

  std::int64_t MinorUnits() const { return minor_units_; }
  const std::string& Currency() const { return currency_; }

  // Sum and difference; InvalidArgument for different currencies,
  // OutOfRange as InvalidArgument on overflow.
  Result<Money> Add(const Money& other) const;
  Result<Money> Subtract(const Money& other) const;
  Money Negated() const;

  // "12.34 GBP", "-0.05 EUR", "1200 JPY".
  std::string ToString() const;

  friend bool operator==(const Money& a, const Money& b) = default;

 private:
  Money(std::int64_t minor_units, std::string currency)
      : minor_units_(minor_units), currency_(std::move(currency)) {}

  std::int64_t minor_units_;
  std::string currency_;
};

// The number of decimals of `currency` in ISO 4217: 0 (JPY, KRW, …), 3 (BHD,
// KWD, …) or 2.
int CurrencyExponent(std::string_view currency);

}  // namespace sellerbridge::domain
