#include "domain/money.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <limits>

namespace sellerbridge::domain {
namespace {

// ISO 4217 currencies whose minor unit is not the hundredth.
constexpr std::array<std::string_view, 17> kZeroDecimalCurrencies = {
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG",
    "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"};
constexpr std::array<std::string_view, 7> kThreeDecimalCurrencies = {"BHD", "IQD", "JOD", "KWD",
                                                                     "LYD", "OMR", "TND"};

bool IsCurrencyCode(std::string_view code) {
  return code.size() == 3 && std::all_of(code.begin(), code.end(), [](char c) {
           return std::isupper(static_cast<unsigned char>(c)) != 0;
         });
}

}  // namespace

int CurrencyExponent(std::string_view currency) {
  if (std::find(kZeroDecimalCurrencies.begin(), kZeroDecimalCurrencies.end(), currency) !=
      kZeroDecimalCurrencies.end()) {
    return 0;
  }
  if (std::find(kThreeDecimalCurrencies.begin(), kThreeDecimalCurrencies.end(), currency) !=
      kThreeDecimalCurrencies.end()) {
    return 3;
  }
  return 2;
}

Result<Money> Money::Create(std::int64_t minor_units, std::string_view currency) {
  if (!IsCurrencyCode(currency)) {
    return InvalidArgumentError(
        fmt::format("'{}' is not a currency code (three upper-case letters, e.g. GBP)", currency));
  }
  return Money(minor_units, std::string(currency));
}

Result<Money> Money::Parse(std::string_view decimal, std::string_view currency) {
  auto bad = [&](std::string_view why) {
    return InvalidArgumentError(
        fmt::format("'{}' is not an amount of {}: {}", decimal, currency, why));
  };
  std::string_view rest = decimal;
  bool negative = false;
  if (!rest.empty() && (rest.front() == '-' || rest.front() == '+')) {
    negative = rest.front() == '-';
    rest.remove_prefix(1);
  }
  const size_t dot = rest.find('.');
  const std::string_view whole = rest.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? "" : rest.substr(dot + 1);
  const int exponent = CurrencyExponent(currency);
  auto all_digits = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
  };
  if (whole.empty() || !all_digits(whole) || !all_digits(fraction) ||
      (dot != std::string_view::npos && fraction.empty())) {
    return bad("expected digits with an optional '.' and decimals");
  }
  if (fraction.size() > static_cast<size_t>(exponent)) {
    return bad(fmt::format("{} has {} decimals", currency, exponent));
  }
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max() / 10;
  std::int64_t units = 0;
  for (const char c : whole) {
    if (units > kMax - 9) {
      return bad("too large");
    }
    units = units * 10 + (c - '0');
  }
  for (int i = 0; i < exponent; ++i) {
    const auto index = static_cast<size_t>(i);
    const int digit = index < fraction.size() ? fraction[index] - '0' : 0;
    if (units > kMax - 9) {
      return bad("too large");
    }
    units = units * 10 + digit;
  }
  return Create(negative ? -units : units, currency);
}

Result<Money> Money::Add(const Money& other) const {
  if (currency_ != other.currency_) {
    return InvalidArgumentError(
        fmt::format("cannot add {} to {}: different currencies", other.ToString(), ToString()));
  }
  std::int64_t sum = 0;
  if (__builtin_add_overflow(minor_units_, other.minor_units_, &sum)) {
    return InvalidArgumentError(fmt::format("{} + {} overflows", ToString(), other.ToString()));
  }
  return Money(sum, currency_);
}

Result<Money> Money::Subtract(const Money& other) const { return Add(other.Negated()); }

Money Money::Negated() const { return {-minor_units_, currency_}; }

std::string Money::ToString() const {
  const int exponent = CurrencyExponent(currency_);
  if (exponent == 0) {
    return fmt::format("{} {}", minor_units_, currency_);
  }
  const std::uint64_t magnitude = minor_units_ < 0 ? 0U - static_cast<std::uint64_t>(minor_units_)
                                                   : static_cast<std::uint64_t>(minor_units_);
  std::uint64_t scale = 1;
  for (int i = 0; i < exponent; ++i) {
    scale *= 10;
  }
  return fmt::format("{}{}.{:0{}} {}", minor_units_ < 0 ? "-" : "", magnitude / scale,
                     magnitude % scale, exponent, currency_);
}

}  // namespace sellerbridge::domain
