#include "domain/address.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

namespace sellerbridge::domain {
namespace {

// Countries whose addresses commonly have no postal code.
constexpr std::array<std::string_view, 4> kNoPostalCode = {"IE", "AE", "HK", "QA"};

bool IsBlank(const std::string& s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
}

}  // namespace

std::vector<std::string> MissingAddressFields(const Address& address) {
  std::vector<std::string> missing;
  if (IsBlank(address.name)) {
    missing.emplace_back("name");
  }
  if (IsBlank(address.line1)) {
    missing.emplace_back("line1");
  }
  if (IsBlank(address.city)) {
    missing.emplace_back("city");
  }
  const bool postal_optional = std::find(kNoPostalCode.begin(), kNoPostalCode.end(),
                                         address.country_code) != kNoPostalCode.end();
  if (IsBlank(address.postal_code) && !postal_optional) {
    missing.emplace_back("postal_code");
  }
  const bool country_ok =
      address.country_code.size() == 2 &&
      std::all_of(address.country_code.begin(), address.country_code.end(),
                  [](char c) { return std::isupper(static_cast<unsigned char>(c)) != 0; });
  if (!country_ok) {
    missing.emplace_back("country_code");
  }
  return missing;
}

}  // namespace sellerbridge::domain
