#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"

namespace sellerbridge::amazon {

// Readers for the fields of Amazon's JSON that sellerbridge relies on: strict
// about those (missing or mistyped is InvalidArgument naming `where` and the
// key), silent about every other field, so that fields Amazon adds later
// change nothing. Never throw.

// Parses `body`; InvalidArgument naming `where` when it is not a JSON object.
Result<nlohmann::json> ParseObject(std::string_view body, std::string_view where);

Result<std::string> RequiredString(const nlohmann::json& object, std::string_view key,
                                   std::string_view where);
// Empty when absent or null; InvalidArgument when present with another type.
Result<std::string> OptionalString(const nlohmann::json& object, std::string_view key,
                                   std::string_view where);
Result<std::int64_t> RequiredInteger(const nlohmann::json& object, std::string_view key,
                                     std::string_view where);
// False when absent or null; InvalidArgument when present with another type.
Result<bool> OptionalBool(const nlohmann::json& object, std::string_view key,
                          std::string_view where);
Result<TimePoint> RequiredTime(const nlohmann::json& object, std::string_view key,
                               std::string_view where);
Result<std::optional<TimePoint>> OptionalTime(const nlohmann::json& object, std::string_view key,
                                              std::string_view where);
// The member `key` when it is an object, else null (absent) or
// InvalidArgument (another type).
Result<const nlohmann::json*> OptionalObject(const nlohmann::json& object, std::string_view key,
                                             std::string_view where);
// The member `key` when it is an array; an empty array's pointer when absent.
Result<const nlohmann::json*> OptionalArray(const nlohmann::json& object, std::string_view key,
                                            std::string_view where);

}  // namespace sellerbridge::amazon
