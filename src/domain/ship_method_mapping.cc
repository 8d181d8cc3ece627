#include "domain/ship_method_mapping.h"

#include <fmt/format.h>

#include <vector>

#include "base/marketplace.h"

namespace sellerbridge::domain {

Result<ShipMethodMapping> ShipMethodMapping::Create(ShipMethodMappingData data) {
  std::vector<std::string> problems;
  if (FindMarketplace(data.marketplace_id) == nullptr) {
    problems.push_back(fmt::format("unknown marketplace id '{}'", data.marketplace_id));
  }
  const bool by_level = !data.ship_service_level.empty();
  const bool by_automation = !data.automated_carrier.empty() || !data.automated_ship_method.empty();
  if (by_level == by_automation) {
    problems.emplace_back(
        "give either ship_service_level or automated_carrier and automated_ship_method");
  } else if (by_automation &&
             (data.automated_carrier.empty() || data.automated_ship_method.empty())) {
    problems.emplace_back("automated_carrier and automated_ship_method go together");
  }
  if (data.clarus_carrier.empty()) {
    problems.emplace_back("clarus_carrier is missing");
  }
  if (data.clarus_service.empty()) {
    problems.emplace_back("clarus_service is missing");
  }
  if (data.amazon_carrier_code.empty()) {
    problems.emplace_back("amazon_carrier_code is missing");
  }
  if (data.amazon_carrier_code == "Other" && data.amazon_carrier_name.empty()) {
    problems.emplace_back("amazon_carrier_name is required when amazon_carrier_code is Other");
  }
  if (!problems.empty()) {
    ShipMethodMapping partial(std::move(data));
    return InvalidArgumentError(
        fmt::format("ship-method mapping {}: {}", partial.Key(), fmt::join(problems, "; ")));
  }
  return ShipMethodMapping(std::move(data));
}

std::string ShipMethodMapping::Key() const {
  const std::string method =
      data_.ship_service_level.empty()
          ? fmt::format("{} {}", data_.automated_carrier, data_.automated_ship_method)
          : data_.ship_service_level;
  return fmt::format("{} / {} / {}", data_.marketplace_id, method,
                     data_.is_prime ? "prime" : "standard");
}

}  // namespace sellerbridge::domain
