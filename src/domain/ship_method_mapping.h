#pragma once

#include <string>

#include "base/result.h"

namespace sellerbridge::domain {

// How orders of one kind are shipped: what an Amazon order asks for (its
// marketplace, ship-service level or automated carrier and method, and
// whether it is Prime) → the Clarus carrier and service that ship it, and the
// Amazon carrier code and shipping method its confirmation carries.
struct ShipMethodMappingData {
  std::string marketplace_id;
  std::string ship_service_level;     // Amazon's, e.g. "Std UK Dom_1"; or empty when
  std::string automated_carrier;      // shipping automation names carrier
  std::string automated_ship_method;  // and method instead.
  bool is_prime = false;
  std::string clarus_carrier;
  std::string clarus_service;
  std::string amazon_carrier_code;  // From Amazon's CarrierCode list.
  std::string amazon_carrier_name;  // Required when the code is "Other".
  std::string amazon_shipping_method;

  friend bool operator==(const ShipMethodMappingData&, const ShipMethodMappingData&) = default;
};

// A mapping whose fields are consistent: a known marketplace, exactly one of
// ship-service level or automated carrier + method, Clarus carrier and
// service, an Amazon carrier code, and a carrier name with "Other". Whether
// the carrier code is on Amazon's list and the Clarus carrier exists is
// checked by the mapping service, which can see those lists. Immutable.
class ShipMethodMapping {
 public:
  // Returns InvalidArgument naming every missing or inconsistent field.
  static Result<ShipMethodMapping> Create(ShipMethodMappingData data);

  const ShipMethodMappingData& operator*() const { return data_; }
  const ShipMethodMappingData* operator->() const { return &data_; }

  // A readable key: "A1F83G8C2ARO7P / Std UK Dom_1 / standard".
  std::string Key() const;

  friend bool operator==(const ShipMethodMapping&, const ShipMethodMapping&) = default;

 private:
  explicit ShipMethodMapping(ShipMethodMappingData data) : data_(std::move(data)) {}
  ShipMethodMappingData data_;
};

}  // namespace sellerbridge::domain
