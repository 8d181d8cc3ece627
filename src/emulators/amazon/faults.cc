#include "emulators/amazon/faults.h"

namespace sellerbridge::emulators::amazon {

Faults::Faults(const std::map<std::string, OperationFaults>& per_operation, std::uint64_t seed,
               Clock* clock)
    : clock_(clock),
      per_operation_(per_operation.begin(), per_operation.end()),
      rng_(seed ^ 0xfa017ULL) {}

FaultDecision Faults::Decide(std::string_view operation) {
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  FaultDecision decision;
  for (const std::string_view key : {operation, std::string_view("*")}) {
    const auto storm = storms_.find(key);
    if (storm != storms_.end() && now < storm->second) {
      decision.throttle = true;
      return decision;
    }
  }
  auto it = per_operation_.find(operation);
  if (it == per_operation_.end()) {
    it = per_operation_.find(std::string_view("*"));
  }
  if (it == per_operation_.end()) {
    return decision;
  }
  const OperationFaults& faults = it->second;
  std::uniform_real_distribution<double> unit(0, 1);
  if (faults.error_rate > 0 && unit(rng_) < faults.error_rate) {
    decision.server_error = unit(rng_) < 0.5 ? 500 : 503;
    return decision;
  }
  if (faults.timeout_rate > 0 && unit(rng_) < faults.timeout_rate) {
    decision.delay =
        std::chrono::milliseconds(static_cast<std::int64_t>(faults.timeout_seconds * 1000));
  }
  if (faults.silent_drop_rate > 0 && unit(rng_) < faults.silent_drop_rate) {
    decision.silent_drop = true;
  }
  return decision;
}

bool Faults::StickFeed(std::string_view feed_type) {
  std::lock_guard lock(mu_);
  for (const std::string_view key :
       {feed_type, std::string_view("createFeed"), std::string_view("*")}) {
    const auto it = per_operation_.find(key);
    if (it == per_operation_.end()) {
      continue;
    }
    const double rate = it->second.stuck_feed_rate;
    return rate > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < rate;
  }
  return false;
}

bool Faults::LwaDown() const {
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  return lwa_outage_until_.has_value() && now < *lwa_outage_until_;
}

void Faults::SetOperation(const std::string& operation, const OperationFaults& faults) {
  std::lock_guard lock(mu_);
  per_operation_[operation] = faults;
}

void Faults::StartThrottlingStorm(const std::string& operation, TimePoint until) {
  std::lock_guard lock(mu_);
  storms_[operation] = until;
}

void Faults::StartLwaOutage(TimePoint until) {
  std::lock_guard lock(mu_);
  lwa_outage_until_ = until;
}

void Faults::Clear() {
  std::lock_guard lock(mu_);
  per_operation_.clear();
  storms_.clear();
  lwa_outage_until_.reset();
}

Faults::Snapshot Faults::Get() const {
  std::lock_guard lock(mu_);
  Snapshot snapshot;
  for (const auto& [name, faults] : per_operation_) {
    snapshot.per_operation[name] = faults;
  }
  for (const auto& [name, until] : storms_) {
    snapshot.storms[name] = until;
  }
  snapshot.lwa_outage_until = lwa_outage_until_;
  return snapshot;
}

}  // namespace sellerbridge::emulators::amazon
