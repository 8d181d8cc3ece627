#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sellerbridge::http {

// Standard Base64 with padding (RFC 4648 §4), as Amazon's label and document
// APIs use it. Thread-safe.
std::string Base64Encode(std::string_view data);

// The bytes `text` encodes; nullopt for text that is not padded standard
// Base64 (wrong length, a character outside the alphabet, misplaced '=').
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace sellerbridge::http
