#include "emulators/amazon/formats/carrier_codes.h"

#include "emulators/amazon/formats/reference_data.h"

namespace sellerbridge::emulators::amazon {
namespace {

std::unordered_set<std::string> ParseCarrierCodes(std::string_view text) {
  std::unordered_set<std::string> codes;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    // Only a Windows line end is stripped: trailing spaces would be part of a
    // code, since Amazon compares codes byte for byte.
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (line.empty() || line.front() == '#') {
      continue;
    }
    codes.emplace(line);
  }
  return codes;
}

}  // namespace

const std::unordered_set<std::string>& CarrierCodes() {
  // A function-local static is initialised once, and thread-safely, on first use.
  static const std::unordered_set<std::string> kCodes = ParseCarrierCodes(CarrierCodesTxt());
  return kCodes;
}

bool IsCarrierCode(std::string_view code) { return CarrierCodes().contains(std::string(code)); }

}  // namespace sellerbridge::emulators::amazon
