#include "clarus/node_reader.h"

#include <fmt/format.h>

#include "base/time_format.h"

namespace sellerbridge::clarus {

using nlohmann::json;

namespace {

const json& EmptyList() {
  static const json kEmpty = json::array();
  return kEmpty;
}

const json& Null() {
  static const json kNull;
  return kNull;
}

}  // namespace

NodeReader::NodeReader(const json& node, std::string context, StatusCode code, std::string path)
    : node_(node), context_(std::move(context)), code_(code), path_(std::move(path)) {
  if (!node_.is_object()) {
    const std::string_view name =
        path_.empty() ? std::string_view() : std::string_view(path_).substr(0, path_.size() - 1);
    status_ = Status(code_, fmt::format("{}: {}{}not a JSON object", context_, name,
                                        name.empty() ? "" : " is "));
  }
}

std::string NodeReader::IdOf(const json& node) {
  NodeReader reader(node, "");
  const std::string id = reader.OptionalId("id");
  return id.empty() ? "?" : id;
}

const json* NodeReader::Find(const char* key) const {
  if (!node_.is_object()) {
    return nullptr;
  }
  const auto it = node_.find(key);
  return it == node_.end() || it->is_null() ? nullptr : &*it;
}

void NodeReader::Fail(const char* key, const char* what) {
  if (status_.ok()) {
    status_ = Status(code_, fmt::format("{}: {}{} {}", context_, path_, key, what));
  }
}

std::string NodeReader::OptionalId(const char* key) {
  const json* value = Find(key);
  if (value == nullptr) {
    return "";
  }
  if (value->is_number_integer()) {
    return std::to_string(value->get<std::int64_t>());
  }
  if (value->is_string()) {
    return value->get<std::string>();
  }
  Fail(key, "is not an id (a string or an integer)");
  return "";
}

std::string NodeReader::Id(const char* key) {
  if (Find(key) == nullptr) {
    Fail(key, "is missing");
    return "";
  }
  std::string id = OptionalId(key);
  if (id.empty()) {
    Fail(key, "is empty");
  }
  return id;
}

std::optional<std::string> NodeReader::MaybeString(const char* key) {
  const json* value = Find(key);
  if (value == nullptr) {
    return std::nullopt;
  }
  if (!value->is_string()) {
    Fail(key, "is not a string");
    return std::nullopt;
  }
  return value->get<std::string>();
}

std::string NodeReader::OptionalString(const char* key) { return MaybeString(key).value_or(""); }

std::string NodeReader::String(const char* key) {
  if (Find(key) == nullptr) {
    Fail(key, "is missing");
    return "";
  }
  return OptionalString(key);
}

std::optional<std::int64_t> NodeReader::OptionalInt(const char* key) {
  const json* value = Find(key);
  if (value == nullptr) {
    return std::nullopt;
  }
  if (!value->is_number_integer()) {
    Fail(key, "is not an integer");
    return std::nullopt;
  }
  return value->get<std::int64_t>();
}

std::int64_t NodeReader::Int(const char* key) {
  if (Find(key) == nullptr) {
    Fail(key, "is missing");
    return 0;
  }
  return OptionalInt(key).value_or(0);
}

std::string NodeReader::OptionalTime(const char* key) {
  std::string text = OptionalString(key);
  if (!text.empty() && !ParseIso8601(text).ok()) {
    Fail(key, "is not an ISO 8601 date-time");
    return "";
  }
  return text;
}

std::string NodeReader::Time(const char* key) {
  if (Find(key) == nullptr) {
    Fail(key, "is missing");
    return "";
  }
  std::string text = OptionalTime(key);
  if (text.empty()) {
    Fail(key, "is empty");
  }
  return text;
}

const json& NodeReader::List(const char* key) {
  const json* value = Find(key);
  if (value == nullptr) {
    return EmptyList();
  }
  if (!value->is_array()) {
    Fail(key, "is not a list");
    return EmptyList();
  }
  return *value;
}

const json& NodeReader::Object(const char* key) {
  const json* value = Find(key);
  if (value == nullptr) {
    return Null();
  }
  if (!value->is_object()) {
    Fail(key, "is not an object");
    return Null();
  }
  return *value;
}

}  // namespace sellerbridge::clarus
