#include "emulators/clarus/records.h"

namespace sellerbridge::emulators::clarus {

std::string_view GoodsOutStatusName(GoodsOutStatus status) {
  switch (status) {
    case GoodsOutStatus::kDraft:
      return "DRAFT";
    case GoodsOutStatus::kPending:
      return "PENDING";
    case GoodsOutStatus::kPartAllocated:
      return "PART_ALLOCATED";
    case GoodsOutStatus::kAllocated:
      return "ALLOCATED";
    case GoodsOutStatus::kPick:
      return "PICK";
    case GoodsOutStatus::kCompleted:
      return "COMPLETED";
    case GoodsOutStatus::kCancelled:
      return "CANCELLED";
  }
  return "UNKNOWN";
}

std::string_view ShipmentStatusName(ShipmentStatus status) {
  switch (status) {
    case ShipmentStatus::kPacked:
      return "PACKED";
    case ShipmentStatus::kDispatched:
      return "DISPATCHED";
    case ShipmentStatus::kCancelled:
      return "CANCELLED";
  }
  return "UNKNOWN";
}

}  // namespace sellerbridge::emulators::clarus
