#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "clarus/carriers.h"

namespace sellerbridge::sync {

struct ClarusServiceRef {
  std::string carrier_id;  // Clarus ids, as goods-outs and shipments name them.
  std::string service_id;
};

// The tenant's carriers and services (clarus::Carriers::List), cached for `ttl` on `clock`.
// Thread-safe; calls are answered one at a time, so a call that finds the cache stale reads Clarus
// once for every call waiting behind it.
class CarrierCatalog {
 public:
  // `carriers` and `clock` must outlive the catalog. A `ttl` of zero reads Clarus on every call.
  CarrierCatalog(clarus::Carriers* carriers, Clock* clock, Duration ttl = std::chrono::minutes{5});

  // The ids of service `service_code` of carrier `carrier_code` (Clarus codes, compared exactly).
  // NotFound with a message naming what is missing and what exists ("Clarus has no carrier 'DPDX'
  // (it has: DPD, EVRI, ROYALMAIL)", "Clarus carrier 'ROYALMAIL' has no service 'RM99' (it has:
  // RM24, RM48)"); errors of reading Clarus otherwise, with their code (Unavailable when Clarus
  // cannot be reached). A miss re-reads Clarus once before answering NotFound (a carrier just
  // added in Clarus is seen at once), unless this call has just read it.
  Result<ClarusServiceRef> Find(const std::string& carrier_code, const std::string& service_code);

  // Forgets what was read, so that the next call reads Clarus.
  void Invalidate();

 private:
  using CarrierList = std::vector<clarus::Carrier>;

  // Reads Clarus into carriers_. Needs mu_ held.
  Status LoadLocked();

  clarus::Carriers* const carriers_source_;
  Clock* const clock_;
  const Duration ttl_;

  std::mutex mu_;
  std::optional<CarrierList> carriers_;  // Guarded by mu_. Empty until read.
  TimePoint loaded_at_;                  // Guarded by mu_.
};

}  // namespace sellerbridge::sync
