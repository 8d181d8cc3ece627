#pragma once

#include <string_view>

namespace sellerbridge::emulators::amazon {

// Amazon's reference material, compiled in from the shared Amazon folder at
// build time (see cmake/embed.cmake), so it is read from its source rather
// than retyped, and the binary runs anywhere.

// RATE-LIMITS.tsv: rate and burst per SP-API operation.
std::string_view RateLimitsTsv();
// carrier-codes.txt: Amazon's CarrierCode values, with '#' comment lines.
std::string_view CarrierCodesTxt();
// schema-feed-listings-feed-schema-v2.json: the JSON_LISTINGS_FEED schema.
std::string_view ListingsFeedSchemaJson();
// schema-feed-listings-feed-processing-report-schema-v2.json.
std::string_view ListingsFeedProcessingReportSchemaJson();

}  // namespace sellerbridge::emulators::amazon
