#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace sellerbridge::emulators::clarus::graphql {

// A position in the query text, 1-based, as GraphQL errors report it.
struct Location {
  int line = 1;
  int column = 1;
};

// A literal or variable in argument position.
struct Value {
  enum class Kind { kNull, kInt, kFloat, kString, kBoolean, kEnum, kList, kObject, kVariable };
  Kind kind = Kind::kNull;
  std::string text;  // The number's digits, the string, the enum or variable name.
  bool boolean = false;
  std::vector<Value> list;               // A list's items; an object's field values.
  std::vector<std::string> field_names;  // An object's field names, in source order.
  Location location;
};

struct Argument {
  std::string name;
  Value value;
  Location location;
};

struct Field {
  std::string alias;  // Empty if none.
  std::string name;
  std::vector<Argument> arguments;
  std::vector<Field> selections;  // Empty for a leaf.
  Location location;

  // The key of this field in the response: the alias, else the name.
  const std::string& ResponseKey() const { return alias.empty() ? name : alias; }
};

struct VariableDefinition {
  std::string name;
  std::string type;  // As written, e.g. "[String!]!".
  std::optional<Value> default_value;
  Location location;
};

struct Operation {
  std::string type = "query";  // "query", "mutation" or "subscription".
  std::string name;            // Empty if anonymous.
  std::vector<VariableDefinition> variables;
  std::vector<Field> selections;
  Location location;
};

struct Document {
  std::vector<Operation> operations;
};

// Parses an executable GraphQL document (operations with selection sets,
// fields, aliases, arguments with every literal kind and $variables).
// Fragments and directives are not supported and are reported as such. On a
// syntax error returns InvalidArgument "Syntax Error: ..." and sets
// `error_location`.
Result<Document> ParseDocument(std::string_view text, Location* error_location);

}  // namespace sellerbridge::emulators::clarus::graphql
