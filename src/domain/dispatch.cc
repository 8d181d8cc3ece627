#include "domain/dispatch.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "domain/order.h"

namespace sellerbridge::domain {

bool IsPackageReferenceId(std::string_view id) {
  return !id.empty() && id.size() <= 18 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  }) && std::any_of(id.begin(), id.end(), [](char c) { return c != '0'; });
}

Result<Dispatch> Dispatch::Create(DispatchData data) {
  auto bad = [&](const std::string& why) {
    return InvalidArgumentError(fmt::format("dispatch of order '{}' (goods-out {}): {}",
                                            data.amazon_order_id, data.clarus_goods_out_id, why));
  };
  if (!IsAmazonOrderId(data.amazon_order_id)) {
    return bad("not an Amazon order id (3-7-7 digits)");
  }
  if (data.parcels.empty()) {
    return bad("has no parcels");
  }
  std::set<std::string> references;
  for (const Parcel& parcel : data.parcels) {
    if (!IsPackageReferenceId(parcel.package_reference_id) ||
        !references.insert(parcel.package_reference_id).second) {
      return bad(
          fmt::format("package reference id '{}' is not a positive number unique in the order",
                      parcel.package_reference_id));
    }
    if (parcel.carrier_code.empty()) {
      return bad(fmt::format("parcel {} has no carrier code", parcel.package_reference_id));
    }
    if (parcel.carrier_code == "Other" && parcel.carrier_name.empty()) {
      return bad(fmt::format("parcel {} has carrier code Other without a carrier name",
                             parcel.package_reference_id));
    }
    if (parcel.tracking_number.empty()) {
      return bad(fmt::format("parcel {} has no tracking number", parcel.package_reference_id));
    }
    if (parcel.items.empty()) {
      return bad(fmt::format("parcel {} has no items", parcel.package_reference_id));
    }
    for (const ParcelItem& item : parcel.items) {
      if (item.order_item_id.empty() || item.quantity <= 0) {
        return bad(fmt::format("parcel {} has item '{}' with quantity {}",
                               parcel.package_reference_id, item.order_item_id, item.quantity));
      }
    }
  }
  return Dispatch(std::move(data));
}

}  // namespace sellerbridge::domain
