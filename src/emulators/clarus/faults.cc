#include "emulators/clarus/faults.h"

#include <fmt/format.h>

#include <array>
#include <utility>

namespace sellerbridge::emulators::clarus {
namespace {

constexpr std::array<std::pair<FaultKind, std::string_view>, 6> kNames = {{
    {FaultKind::kRateLimited, "rate_limited"},
    {FaultKind::kServerError, "server_error"},
    {FaultKind::kSlow, "slow"},
    {FaultKind::kExpiredToken, "expired_token"},
    {FaultKind::kSessionEnded, "session_ended"},
    {FaultKind::kResponseLost, "response_lost"},
}};

}  // namespace

std::string_view FaultKindName(FaultKind kind) {
  for (const auto& [k, name] : kNames) {
    if (k == kind) {
      return name;
    }
  }
  return "unknown";
}

Result<FaultKind> ParseFaultKind(std::string_view name) {
  for (const auto& [k, n] : kNames) {
    if (n == name) {
      return k;
    }
  }
  return InvalidArgumentError(fmt::format(
      "unknown fault '{}' (rate_limited, server_error, slow, expired_token, session_ended, "
      "response_lost)",
      name));
}

FaultInjector::FaultInjector(FaultRates rates, std::uint64_t seed) : rates_(rates), rng_(seed) {}

void FaultInjector::Inject(FaultSpec spec) {
  std::lock_guard lock(mu_);
  queue_.push_back(std::move(spec));
}

void FaultInjector::Clear() {
  std::lock_guard lock(mu_);
  queue_.clear();
  rates_.rate_limited = 0;
  rates_.server_error = 0;
  rates_.slow = 0;
}

void FaultInjector::SetRates(FaultRates rates) {
  std::lock_guard lock(mu_);
  rates_ = rates;
}

std::optional<FaultSpec> FaultInjector::Next(std::string_view method, std::string_view path,
                                             bool is_write) {
  std::lock_guard lock(mu_);
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    const bool matches = (it->method.empty() || it->method == method) &&
                         path.substr(0, it->path_prefix.size()) == it->path_prefix &&
                         (it->kind != FaultKind::kResponseLost || is_write);
    if (matches) {
      FaultSpec spec = *it;
      if (--it->count <= 0) {
        queue_.erase(it);
      }
      return spec;
    }
  }
  // Draw only for rates that can fire, so that a rate of zero leaves the
  // random stream of the others unchanged.
  const auto draw = [this](double rate) {
    return rate > 0 && static_cast<double>(rng_() >> 11U) * 0x1.0p-53 < rate;
  };
  if (draw(rates_.rate_limited)) {
    FaultSpec spec{FaultKind::kRateLimited};
    spec.retry_after = rates_.retry_after;
    return spec;
  }
  if (draw(rates_.server_error)) {
    return FaultSpec{FaultKind::kServerError};
  }
  if (draw(rates_.slow)) {
    FaultSpec spec{FaultKind::kSlow};
    spec.delay = rates_.slow_delay;
    return spec;
  }
  return std::nullopt;
}

void FaultInjector::Wait(std::chrono::milliseconds how_long) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, how_long, [this] { return stopped_; });
}

void FaultInjector::Stop() {
  std::lock_guard lock(mu_);
  stopped_ = true;
  cv_.notify_all();
}

}  // namespace sellerbridge::emulators::clarus
