#pragma once

#include <string>
#include <string_view>
#include <unordered_set>

namespace sellerbridge::emulators::amazon {

// Amazon's CarrierCode values, parsed once from the embedded
// carrier-codes.txt (blank lines and '#' comment lines skipped; values are
// case- and space-sensitive). Thread-safe.
const std::unordered_set<std::string>& CarrierCodes();

// Whether `code` is one of CarrierCodes(), exactly as written.
bool IsCarrierCode(std::string_view code);

}  // namespace sellerbridge::emulators::amazon
