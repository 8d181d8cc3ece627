#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace sellerbridge::emulators::amazon {

// Validates JSON values against a JSON Schema, covering what Amazon's models
// use: Swagger 2.0 documents (schemas under "#/definitions") and JSON Schema
// drafts 4 to 2019-09 ("$defs", "$ref" within the same document, type
// (single or list), properties, required, additionalProperties (boolean or
// schema), items, enum, const, minimum/maximum and their exclusive forms,
// minLength/maxLength, pattern, minItems/maxItems, format date-time,
// allOf/anyOf/oneOf/not). Unknown keywords are ignored. Immutable and
// thread-safe once created.
class JsonSchema {
 public:
  // `document` is a whole schema document; `pointer` names the schema in it to
  // apply ("#" for the root, "#/definitions/GetOrderResponse"). InvalidArgument
  // if the pointer does not resolve.
  static Result<JsonSchema> Create(nlohmann::json document, std::string_view pointer = "#");

  // Every violation, each "<JSON pointer of the value>: <what is wrong>";
  // empty when `value` is valid.
  std::vector<std::string> Validate(const nlohmann::json& value) const;

 private:
  JsonSchema(std::shared_ptr<const nlohmann::json> document, std::string pointer)
      : document_(std::move(document)), pointer_(std::move(pointer)) {}

  std::shared_ptr<const nlohmann::json> document_;
  std::string pointer_;
};

}  // namespace sellerbridge::emulators::amazon
