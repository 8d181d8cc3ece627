#include "sync/carrier_catalog.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "base/status_macros.h"

namespace sellerbridge::sync {
namespace {

// "(it has: A, B, C)", sorted, or "(it has none)".
std::string Existing(std::vector<std::string> codes) {
  if (codes.empty()) {
    return "(it has none)";
  }
  std::sort(codes.begin(), codes.end());
  return fmt::format("(it has: {})", fmt::join(codes, ", "));
}

Result<ClarusServiceRef> Lookup(const std::vector<clarus::Carrier>& carriers,
                                const std::string& carrier_code, const std::string& service_code) {
  const auto carrier =
      std::find_if(carriers.begin(), carriers.end(),
                   [&](const clarus::Carrier& c) { return c.code == carrier_code; });
  if (carrier == carriers.end()) {
    std::vector<std::string> codes;
    codes.reserve(carriers.size());
    for (const clarus::Carrier& c : carriers) {
      codes.push_back(c.code);
    }
    return NotFoundError(
        fmt::format("Clarus has no carrier '{}' {}", carrier_code, Existing(std::move(codes))));
  }
  std::vector<std::string> codes;
  for (const clarus::CarrierService& service : carrier->services) {
    if (service.code == service_code) {
      return ClarusServiceRef{.carrier_id = service.carrier_id, .service_id = service.id};
    }
    codes.push_back(service.code);
  }
  return NotFoundError(fmt::format("Clarus carrier '{}' has no service '{}' {}", carrier_code,
                                   service_code, Existing(std::move(codes))));
}

}  // namespace

CarrierCatalog::CarrierCatalog(clarus::Carriers* carriers, Clock* clock, Duration ttl)
    : carriers_source_(carriers), clock_(clock), ttl_(ttl) {}

Result<ClarusServiceRef> CarrierCatalog::Find(const std::string& carrier_code,
                                              const std::string& service_code) {
  const std::lock_guard lock(mu_);
  bool just_read = false;
  if (!carriers_.has_value() || clock_->Now() - loaded_at_ >= ttl_) {
    RETURN_IF_ERROR(LoadLocked());
    just_read = true;
  }
  Result<ClarusServiceRef> found = Lookup(*carriers_, carrier_code, service_code);
  if (found.ok() || found.status().code() != StatusCode::kNotFound || just_read) {
    return found;
  }
  RETURN_IF_ERROR(LoadLocked());
  return Lookup(*carriers_, carrier_code, service_code);
}

void CarrierCatalog::Invalidate() {
  const std::lock_guard lock(mu_);
  carriers_.reset();
}

Status CarrierCatalog::LoadLocked() {
  Result<CarrierList> listed = carriers_source_->List();
  if (!listed.ok()) {
    return listed.status().WithContext("reading the carriers from Clarus");
  }
  carriers_ = std::move(listed).value();
  loaded_at_ = clock_->Now();
  return Status::Ok();
}

}  // namespace sellerbridge::sync
