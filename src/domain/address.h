#pragma once

#include <string>
#include <vector>

namespace sellerbridge::domain {

// A delivery address. Buyer personal data: never logged, purged after the
// retention period.
struct Address {
  std::string name;
  std::string line1;
  std::string line2;
  std::string line3;
  std::string city;
  std::string state_or_region;
  std::string postal_code;
  std::string country_code;  // ISO 3166-1 alpha-2, e.g. "GB".
  std::string phone;

  friend bool operator==(const Address&, const Address&) = default;
};

// The names of the fields a carrier needs that `address` lacks: "name",
// "line1", "city", "postal_code" (except where the country has none) and
// "country_code" (two letters). Empty when the address is complete.
std::vector<std::string> MissingAddressFields(const Address& address);

}  // namespace sellerbridge::domain
