#include "amazon/json_fields.h"

#include <fmt/format.h>

#include "base/time_format.h"

namespace sellerbridge::amazon {
namespace {

using nlohmann::json;

const json* Member(const json& object, std::string_view key) {
  if (!object.is_object()) {
    return nullptr;
  }
  const auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

Status Missing(std::string_view where, std::string_view key) {
  return InvalidArgumentError(fmt::format("{}: {} is missing", where, key));
}

Status Mistyped(std::string_view where, std::string_view key, std::string_view want) {
  return InvalidArgumentError(fmt::format("{}: {} is not {}", where, key, want));
}

}  // namespace

Result<json> ParseObject(std::string_view body, std::string_view where) {
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) {
    return InvalidArgumentError(fmt::format("{}: the body is not a JSON object", where));
  }
  return parsed;
}

Result<std::string> RequiredString(const json& object, std::string_view key,
                                   std::string_view where) {
  const json* value = Member(object, key);
  if (value == nullptr) {
    return Missing(where, key);
  }
  if (!value->is_string()) {
    return Mistyped(where, key, "a string");
  }
  return value->get<std::string>();
}

Result<std::string> OptionalString(const json& object, std::string_view key,
                                   std::string_view where) {
  const json* value = Member(object, key);
  if (value == nullptr) {
    return std::string();
  }
  if (!value->is_string()) {
    return Mistyped(where, key, "a string");
  }
  return value->get<std::string>();
}

Result<std::int64_t> RequiredInteger(const json& object, std::string_view key,
                                     std::string_view where) {
  const json* value = Member(object, key);
  if (value == nullptr) {
    return Missing(where, key);
  }
  if (!value->is_number_integer()) {
    return Mistyped(where, key, "an integer");
  }
  return value->get<std::int64_t>();
}

Result<bool> OptionalBool(const json& object, std::string_view key, std::string_view where) {
  const json* value = Member(object, key);
  if (value == nullptr) {
    return false;
  }
  if (!value->is_boolean()) {
    return Mistyped(where, key, "true or false");
  }
  return value->get<bool>();
}

Result<TimePoint> RequiredTime(const json& object, std::string_view key, std::string_view where) {
  auto text = RequiredString(object, key, where);
  if (!text.ok()) {
    return text.status();
  }
  auto time = ParseIso8601(*text);
  if (!time.ok()) {
    return InvalidArgumentError(
        fmt::format("{}: {} is not an ISO 8601 date-time: {}", where, key, *text));
  }
  return *time;
}

Result<std::optional<TimePoint>> OptionalTime(const json& object, std::string_view key,
                                              std::string_view where) {
  if (Member(object, key) == nullptr) {
    return std::optional<TimePoint>();
  }
  auto time = RequiredTime(object, key, where);
  if (!time.ok()) {
    return time.status();
  }
  return std::optional<TimePoint>(*time);
}

Result<const json*> OptionalObject(const json& object, std::string_view key,
                                   std::string_view where) {
  const json* value = Member(object, key);
  if (value != nullptr && !value->is_object()) {
    return Mistyped(where, key, "an object");
  }
  return value;
}

Result<const json*> OptionalArray(const json& object, std::string_view key,
                                  std::string_view where) {
  static const json kEmpty = json::array();
  const json* value = Member(object, key);
  if (value == nullptr) {
    return &kEmpty;
  }
  if (!value->is_array()) {
    return Mistyped(where, key, "an array");
  }
  return value;
}

}  // namespace sellerbridge::amazon
