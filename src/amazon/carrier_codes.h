#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sellerbridge::amazon {

// Amazon's CarrierCode values, the carriers a shipment confirmation (Orders
// v0 confirmShipment, the fulfilment feed) may name, in the order of the
// embedded carrier-codes.txt. Values are case- and space-sensitive. Parsed
// once; thread-safe.
const std::vector<std::string>& AmazonCarrierCodes();

// Whether `code` is one of AmazonCarrierCodes(), exactly as written (no case
// folding, no trimming). Thread-safe.
bool IsAmazonCarrierCode(std::string_view code);

// Up to three codes close to `wrong`, best first, for "did you mean …?":
// the codes equal to it when case, spaces and punctuation are ignored
// ("ROYALMAIL" → "Royal Mail") if there are any, and only those; otherwise
// codes it begins or that begin it (at least three letters), then codes a
// few typing mistakes away. Empty when nothing is close. Thread-safe.
std::vector<std::string> SuggestCarrierCodes(std::string_view wrong);

// Parses a list in carrier-codes.txt's layout: one code a line, LF or CRLF;
// blank lines and lines starting with '#' are skipped; every other line is a
// code, byte for byte. Repeated codes are kept once.
std::vector<std::string> ParseCarrierCodes(std::string_view text);

// The embedded carrier-codes.txt text.
std::string_view CarrierCodesTxt();

}  // namespace sellerbridge::amazon
