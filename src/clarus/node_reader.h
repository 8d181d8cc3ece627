#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "base/status.h"

namespace sellerbridge::clarus {

// Reads the fields of one JSON object from Clarus (a GraphQL node, a REST
// resource's attributes, an automation payload), remembering the first field
// that is missing or of the wrong type. Required readers return an empty value
// after a problem, so that a caller reads every field and checks status()
// once. Ids are accepted as strings or integers and returned as strings, as
// Clarus shows them both ways. Not thread-safe; cheap to create.
class NodeReader {
 public:
  // `node` must outlive the reader. `context` starts every message
  // ("clarus goods_outs node 12"); `code` is the code of a problem: Internal
  // for answers of the API, InvalidArgument for payloads pushed to us.
  // `path` names the node inside its document in messages ("data." gives
  // "data.reference is missing").
  NodeReader(const nlohmann::json& node, std::string context,
             StatusCode code = StatusCode::kInternal, std::string path = "");

  // The id of `node` for messages: its "id" as text, or "?" without one.
  static std::string IdOf(const nlohmann::json& node);

  // An id: a non-empty string or an integer. Required.
  std::string Id(const char* key);
  // An id, or "" when absent or null.
  std::string OptionalId(const char* key);
  // A string. Required (may be empty).
  std::string String(const char* key);
  // A string, or "" when absent or null.
  std::string OptionalString(const char* key);
  // A string, or nullopt when absent or null.
  std::optional<std::string> MaybeString(const char* key);
  // An integer. Required.
  std::int64_t Int(const char* key);
  // An integer, or nullopt when absent or null.
  std::optional<std::int64_t> OptionalInt(const char* key);
  // An ISO 8601 date-time. Required.
  std::string Time(const char* key);
  // An ISO 8601 date-time, or "" when absent or null.
  std::string OptionalTime(const char* key);
  // A list, or an empty list when absent or null (a present non-list is a
  // problem).
  const nlohmann::json& List(const char* key);
  // An object, or null when absent or null (a present non-object is a
  // problem).
  const nlohmann::json& Object(const char* key);

  // OK, or the first problem: "<context>: <key> is missing" and the like.
  const Status& status() const { return status_; }

 private:
  // The value at `key` if present and not null.
  const nlohmann::json* Find(const char* key) const;
  void Fail(const char* key, const char* what);

  const nlohmann::json& node_;
  const std::string context_;
  const StatusCode code_;
  const std::string path_;
  Status status_;
};

}  // namespace sellerbridge::clarus
