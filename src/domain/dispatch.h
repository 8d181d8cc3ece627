#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"

namespace sellerbridge::domain {

struct ParcelItem {
  std::string order_item_id;  // Amazon's order item id.
  std::int32_t quantity = 0;

  friend bool operator==(const ParcelItem&, const ParcelItem&) = default;
};

// One package that left the warehouse: what Amazon's confirmShipment calls a
// PackageDetail.
struct Parcel {
  // Amazon's packageReferenceId: positive numeric, unique per package within
  // the order, and the same across retries.
  std::string package_reference_id;
  std::string carrier_code;  // Amazon CarrierCode, e.g. "Royal Mail".
  std::string carrier_name;  // Required when carrier_code is "Other".
  std::string shipping_method;
  std::string tracking_number;
  TimePoint ship_date;
  std::vector<ParcelItem> items;

  friend bool operator==(const Parcel&, const Parcel&) = default;
};

struct DispatchData {
  std::string amazon_order_id;
  std::string clarus_goods_out_id;
  TimePoint dispatched_at;
  std::vector<Parcel> parcels;

  friend bool operator==(const DispatchData&, const DispatchData&) = default;
};

// A dispatch seen in Clarus: one or more parcels of one Amazon order. Every
// parcel has a positive numeric reference id unique in the dispatch, a
// carrier code (and a carrier name for "Other"), a tracking number and at
// least one item with a positive quantity. Immutable.
class Dispatch {
 public:
  // Returns InvalidArgument naming the first broken rule.
  static Result<Dispatch> Create(DispatchData data);

  const DispatchData& operator*() const { return data_; }
  const DispatchData* operator->() const { return &data_; }

  friend bool operator==(const Dispatch&, const Dispatch&) = default;

 private:
  explicit Dispatch(DispatchData data) : data_(std::move(data)) {}
  DispatchData data_;
};

// Whether `id` is a usable packageReferenceId ("Only positive numeric values
// are supported").
bool IsPackageReferenceId(std::string_view id);

}  // namespace sellerbridge::domain
