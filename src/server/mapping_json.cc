#include "server/mapping_json.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

namespace sellerbridge::server {
namespace {

using nlohmann::json;
using Data = domain::ShipMethodMappingData;

// The text members, by name.
const std::array<std::pair<std::string_view, std::string Data::*>, 9> kTextFields = {{
    {"marketplace_id", &Data::marketplace_id},
    {"ship_service_level", &Data::ship_service_level},
    {"automated_carrier", &Data::automated_carrier},
    {"automated_ship_method", &Data::automated_ship_method},
    {"clarus_carrier", &Data::clarus_carrier},
    {"clarus_service", &Data::clarus_service},
    {"amazon_carrier_code", &Data::amazon_carrier_code},
    {"amazon_carrier_name", &Data::amazon_carrier_name},
    {"amazon_shipping_method", &Data::amazon_shipping_method},
}};

constexpr std::string_view kIsPrime = "is_prime";

}  // namespace

json MappingToJson(const domain::ShipMethodMapping& mapping) {
  json out = json::object();
  for (const std::string_view column : sync::kMappingCsvColumns) {
    if (column == kIsPrime) {
      out[std::string(column)] = mapping->is_prime;
      continue;
    }
    const auto field = std::find_if(kTextFields.begin(), kTextFields.end(),
                                    [&](const auto& f) { return f.first == column; });
    out[std::string(column)] = (*mapping).*(field->second);
  }
  return out;
}

json ImportReportToJson(const sync::MappingImportReport& report) {
  return {{"added", report.added},
          {"changed", report.changed},
          {"unchanged", report.unchanged},
          {"removed", report.removed}};
}

Data MappingDataFromJson(const json& object, std::vector<std::string>& problems) {
  Data data;
  if (!object.is_object()) {
    problems.emplace_back("the mapping must be a JSON object");
    return data;
  }
  for (const auto& item : object.items()) {
    const std::string& name = item.key();
    const json& value = item.value();
    if (name == kIsPrime) {
      if (value.is_boolean()) {
        data.is_prime = value.get<bool>();
      } else {
        problems.emplace_back("is_prime must be true or false");
      }
      continue;
    }
    const auto field = std::find_if(kTextFields.begin(), kTextFields.end(),
                                    [&](const auto& f) { return f.first == name; });
    if (field == kTextFields.end()) {
      problems.push_back(fmt::format("unknown member '{}' (the members are: {})", name,
                                     fmt::join(sync::kMappingCsvColumns, ", ")));
    } else if (value.is_string()) {
      data.*(field->second) = value.get<std::string>();
    } else if (!value.is_null()) {
      problems.push_back(fmt::format("{} must be a string", name));
    }
  }
  return data;
}

}  // namespace sellerbridge::server
