#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "domain/ship_method_mapping.h"
#include "sync/ship_method_mappings.h"

namespace sellerbridge::server {

// The JSON form of a ship-method mapping, as the API and `mapping list --json` write it: an
// object with one member per CSV column (sync::kMappingCsvColumns), every one present, is_prime a
// boolean and the rest strings.
nlohmann::json MappingToJson(const domain::ShipMethodMapping& mapping);

// {"added": n, "changed": n, "unchanged": n, "removed": n}.
nlohmann::json ImportReportToJson(const sync::MappingImportReport& report);

// Reads a mapping's fields from `object`, the JSON form above; absent members are empty (is_prime
// false). Adds a problem to `problems` for a value that is not an object, an unknown member and a
// member of the wrong type; the fields it could read are returned all the same.
domain::ShipMethodMappingData MappingDataFromJson(const nlohmann::json& object,
                                                  std::vector<std::string>& problems);

}  // namespace sellerbridge::server
