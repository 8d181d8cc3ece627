#include "store/store.h"

#include <fmt/format.h>

#include <array>
#include <filesystem>
#include <system_error>
#include <utility>

#include "base/redact.h"
#include "store/sqlite/sqlite_store.h"

namespace sellerbridge::store {
namespace {

constexpr std::array<std::pair<SyncState, std::string_view>, 7> kSyncStateNames = {{
    {SyncState::kNew, "New"},
    {SyncState::kHeld, "Held"},
    {SyncState::kSentToClarus, "SentToClarus"},
    {SyncState::kUpdatePending, "UpdatePending"},
    {SyncState::kCancelled, "Cancelled"},
    {SyncState::kDispatched, "Dispatched"},
    {SyncState::kClosed, "Closed"},
}};

constexpr std::array<std::pair<ConfirmationState, std::string_view>, 5> kConfirmationStateNames = {{
    {ConfirmationState::kPending, "Pending"},
    {ConfirmationState::kSending, "Sending"},
    {ConfirmationState::kAccepted, "Accepted"},
    {ConfirmationState::kVerified, "Verified"},
    {ConfirmationState::kFailed, "Failed"},
}};

constexpr std::array<std::pair<ConfirmationTransport, std::string_view>, 3>
    kConfirmationTransportNames = {{
        {ConfirmationTransport::kApi, "api"},
        {ConfirmationTransport::kFeed, "feed"},
        {ConfirmationTransport::kLabel, "label"},
    }};

constexpr std::array<std::pair<LabelState, std::string_view>, 3> kLabelStateNames = {{
    {LabelState::kBuying, "Buying"},
    {LabelState::kBought, "Bought"},
    {LabelState::kAttached, "Attached"},
}};

constexpr std::array<std::pair<SettlementState, std::string_view>, 3> kSettlementStateNames = {{
    {SettlementState::kReceived, "Received"},
    {SettlementState::kBalanced, "Balanced"},
    {SettlementState::kNeedsAttention, "NeedsAttention"},
}};

template <typename Enum, size_t N>
std::string_view NameOf(const std::array<std::pair<Enum, std::string_view>, N>& names, Enum value) {
  for (const auto& [candidate, name] : names) {
    if (candidate == value) {
      return name;
    }
  }
  return "Unknown";
}

template <typename Enum, size_t N>
Result<Enum> Parse(const std::array<std::pair<Enum, std::string_view>, N>& names,
                   std::string_view text, std::string_view what) {
  for (const auto& [value, name] : names) {
    if (name == text) {
      return value;
    }
  }
  return InvalidArgumentError(fmt::format("unknown {} '{}'", what, text));
}

Result<std::unique_ptr<Store>> OpenSqliteUrl(std::string_view url, std::string_view rest,
                                             Clock* clock) {
  if (rest == ":memory:") {
    return OpenSqliteStore(":memory:", clock);
  }
  std::string path;
  if (rest.starts_with("//")) {
    // sqlite:///abs/path: an empty authority followed by an absolute path.
    if (!rest.starts_with("///")) {
      return InvalidArgumentError(
          fmt::format("store url '{}': a SQLite url names no host; use sqlite:///absolute/path.db",
                      MaskUrlPassword(url)));
    }
    path = std::string(rest.substr(2));
  } else {
    path = std::string(rest);
  }
  if (path.empty() || path.back() == '/') {
    return InvalidArgumentError(
        fmt::format("store url '{}' names no database file", MaskUrlPassword(url)));
  }
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code error;
    std::filesystem::create_directories(parent, error);
    if (error) {
      return FailedPreconditionError(fmt::format("store url '{}': cannot create directory '{}': {}",
                                                 MaskUrlPassword(url), parent.string(),
                                                 error.message()));
    }
  }
  return OpenSqliteStore(path, clock);
}

}  // namespace

std::string_view SyncStateName(SyncState state) { return NameOf(kSyncStateNames, state); }

Result<SyncState> ParseSyncState(std::string_view name) {
  return Parse(kSyncStateNames, name, "sync state");
}

std::string_view ConfirmationStateName(ConfirmationState state) {
  return NameOf(kConfirmationStateNames, state);
}

Result<ConfirmationState> ParseConfirmationState(std::string_view name) {
  return Parse(kConfirmationStateNames, name, "confirmation state");
}

std::string_view ConfirmationTransportName(ConfirmationTransport transport) {
  return NameOf(kConfirmationTransportNames, transport);
}

Result<ConfirmationTransport> ParseConfirmationTransport(std::string_view name) {
  return Parse(kConfirmationTransportNames, name, "confirmation transport");
}

std::string_view LabelStateName(LabelState state) { return NameOf(kLabelStateNames, state); }

Result<LabelState> ParseLabelState(std::string_view name) {
  return Parse(kLabelStateNames, name, "label state");
}

std::string_view SettlementStateName(SettlementState state) {
  return NameOf(kSettlementStateNames, state);
}

Result<SettlementState> ParseSettlementState(std::string_view name) {
  return Parse(kSettlementStateNames, name, "settlement state");
}

ShipMethodKey KeyOf(const domain::ShipMethodMapping& mapping) {
  return {.marketplace_id = mapping->marketplace_id,
          .ship_service_level = mapping->ship_service_level,
          .automated_carrier = mapping->automated_carrier,
          .automated_ship_method = mapping->automated_ship_method,
          .is_prime = mapping->is_prime};
}

ShipMethodKey KeyOf(const domain::Order& order) {
  return {.marketplace_id = order->marketplace_id,
          .ship_service_level = order->ship_service_level,
          .automated_carrier = order->automated_carrier,
          .automated_ship_method = order->automated_ship_method,
          .is_prime = order->is_prime};
}

std::string MaskUrlPassword(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return std::string(url);
  }
  const size_t authority_begin = scheme_end + 3;
  const size_t authority_end = url.find_first_of("/?#", authority_begin);
  const std::string_view authority = url.substr(
      authority_begin, authority_end == std::string_view::npos ? std::string_view::npos
                                                               : authority_end - authority_begin);
  const size_t at = authority.rfind('@');
  if (at == std::string_view::npos) {
    return std::string(url);
  }
  const size_t colon = authority.substr(0, at).find(':');
  if (colon == std::string_view::npos) {
    return std::string(url);
  }
  const size_t password_begin = authority_begin + colon + 1;
  const size_t password_end = authority_begin + at;
  return fmt::format("{}{}{}", url.substr(0, password_begin), kRedacted, url.substr(password_end));
}

Result<std::unique_ptr<Store>> OpenStore(std::string_view url, Clock* clock) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (url.starts_with(kSqlite)) {
    return OpenSqliteUrl(url, url.substr(kSqlite.size()), clock);
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return FailedPreconditionError(fmt::format(
        "store url '{}': the PostgreSQL backend is not built yet", MaskUrlPassword(url)));
  }
  return InvalidArgumentError(
      fmt::format("store url '{}': unknown scheme; expected sqlite:///abs/path.db, "
                  "sqlite:relative.db, sqlite::memory: or postgresql://…",
                  MaskUrlPassword(url)));
}

}  // namespace sellerbridge::store
