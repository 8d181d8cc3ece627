#pragma once

#include <span>
#include <string_view>

namespace sellerbridge {

// An Amazon marketplace as the Selling Partner API names it.
struct Marketplace {
  std::string_view id;            // "A1F83G8C2ARO7P"
  std::string_view country_code;  // Amazon's code: "UK", not "GB".
  std::string_view region;        // SP-API region: "NA", "EU" or "FE".
  std::string_view time_zone;     // IANA zone that deadlines are reckoned in.
  std::string_view currency;      // ISO 4217.
};

// Every marketplace sellerbridge knows, in Amazon's order of regions.
std::span<const Marketplace> AllMarketplaces();

// The marketplace with `id`, or nullptr if Amazon has no such marketplace.
const Marketplace* FindMarketplace(std::string_view id);

}  // namespace sellerbridge
