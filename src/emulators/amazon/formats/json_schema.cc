#include "emulators/amazon/formats/json_schema.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cassert>
#include <cmath>
#include <cstdint>
#include <mutex>
#include <optional>
#include <regex>
#include <unordered_map>

#include "base/time_format.h"

namespace sellerbridge::emulators::amazon {
namespace {

using nlohmann::json;

// Far beyond any real schema's nesting; stops a "$ref" cycle that consumes no
// input (a schema referring to itself) from exhausting the stack.
constexpr int kMaxDepth = 256;

// A value as error messages quote it: compact, and cut short when long, so one
// bad field cannot flood a report.
std::string Quote(const json& value) {
  constexpr size_t kMaxLength = 80;
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > kMaxLength) {
    text.resize(kMaxLength);
    text += "...";
  }
  return text;
}

// Appends one reference token to a JSON pointer, escaped as RFC 6901 requires.
void AppendToken(std::string& pointer, std::string_view token) {
  pointer.push_back('/');
  for (const char c : token) {
    if (c == '~') {
      pointer += "~0";
    } else if (c == '/') {
      pointer += "~1";
    } else {
      pointer.push_back(c);
    }
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// "$ref" values are URI fragments, so they may carry percent-escapes (a key
// with a space is written "%20") on top of the pointer's own ~0 / ~1.
bool PercentDecode(std::string_view text, std::string& out) {
  out.clear();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) {
      return false;
    }
    const int high = HexValue(text[i + 1]);
    const int low = HexValue(text[i + 2]);
    if (high < 0 || low < 0) {
      return false;
    }
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return true;
}

// Resolves `ref` ("#", "#/definitions/Order", or the same without '#') in
// `document`; nullptr when it names nothing.
const json* Resolve(const json& document, std::string_view ref) {
  if (!ref.empty() && ref.front() == '#') {
    ref.remove_prefix(1);
  }
  std::string pointer;
  if (!PercentDecode(ref, pointer)) {
    return nullptr;
  }
  const json* node = &document;
  if (pointer.empty()) {
    return node;
  }
  if (pointer.front() != '/') {
    return nullptr;
  }
  size_t pos = 1;
  while (true) {
    const size_t slash = pointer.find('/', pos);
    const std::string_view raw =
        std::string_view(pointer).substr(pos, slash == std::string::npos ? slash : slash - pos);
    std::string token;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '~' && i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
        token.push_back(raw[i + 1] == '0' ? '~' : '/');
        ++i;
      } else if (raw[i] == '~') {
        return nullptr;
      } else {
        token.push_back(raw[i]);
      }
    }
    if (node->is_object()) {
      const auto it = node->find(token);
      if (it == node->end()) {
        return nullptr;
      }
      node = &*it;
    } else if (node->is_array()) {
      // RFC 6901: an array index is "0" or digits without a leading zero.
      if (token.empty() || token.size() > 9 || (token.size() > 1 && token.front() == '0') ||
          token.find_first_not_of("0123456789") != std::string::npos) {
        return nullptr;
      }
      const size_t index = std::stoul(token);
      if (index >= node->size()) {
        return nullptr;
      }
      node = &(*node)[index];
    } else {
      return nullptr;
    }
    if (slash == std::string::npos) {
      return node;
    }
    pos = slash + 1;
  }
}

// Compiled `pattern` regexes, shared by every schema: compiling is far more
// expensive than matching, and models repeat the same few patterns. A null
// entry records a pattern that does not compile.
std::shared_ptr<const std::regex> CompiledPattern(const std::string& pattern) {
  static std::mutex mu;
  static std::unordered_map<std::string, std::shared_ptr<const std::regex>>
      cache;  // Guarded by mu.
  const std::lock_guard lock(mu);
  const auto it = cache.find(pattern);
  if (it != cache.end()) {
    return it->second;
  }
  std::shared_ptr<const std::regex> compiled;
  try {
    compiled = std::make_shared<const std::regex>(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error&) {
    compiled = nullptr;
  }
  cache.emplace(pattern, compiled);
  return compiled;
}

size_t CodePoints(const std::string& text) {
  size_t count = 0;
  for (const char c : text) {
    // Every UTF-8 byte except a continuation byte (10xxxxxx) starts a code point.
    if ((static_cast<unsigned char>(c) & 0xC0U) != 0x80U) {
      ++count;
    }
  }
  return count;
}

std::string_view TypeName(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::string:
      return "string";
    case json::value_t::array:
      return "array";
    case json::value_t::object:
      return "object";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "integer";
    case json::value_t::number_float:
      return "number";
    default:
      return "value";
  }
}

bool HasType(const json& value, std::string_view type) {
  if (type == "object") {
    return value.is_object();
  }
  if (type == "array") {
    return value.is_array();
  }
  if (type == "string") {
    return value.is_string();
  }
  if (type == "boolean") {
    return value.is_boolean();
  }
  if (type == "null") {
    return value.is_null();
  }
  if (type == "number") {
    return value.is_number();
  }
  if (type == "integer") {
    // Since draft 6 a float with no fractional part (1.0) is an integer.
    if (value.is_number_integer()) {
      return true;
    }
    if (value.is_number_float()) {
      const double d = value.get<double>();
      return std::isfinite(d) && std::floor(d) == d;
    }
    return false;
  }
  // Swagger's "file" and other names JSON Schema does not define constrain
  // nothing that a JSON value can show.
  return true;
}

bool IsRfc3339DateTime(const std::string& text) {
  // ParseIso8601 also takes a space between date and time; RFC 3339's
  // date-time production, which JSON Schema's format names, does not.
  return text.size() > 10 && (text[10] == 'T' || text[10] == 't') && ParseIso8601(text).ok();
}

std::string FormatNumber(double d) { return fmt::format("{}", d); }

class Validator {
 public:
  explicit Validator(const json& document) : document_(document) {}

  void Validate(const json& schema, const json& value, std::string& pointer,
                std::vector<std::string>& errors, int depth) const {
    if (depth > kMaxDepth) {
      errors.push_back(pointer + ": schema nesting too deep (a $ref cycle?)");
      return;
    }
    if (schema.is_boolean()) {
      if (!schema.get<bool>()) {
        errors.push_back(pointer + ": is not allowed here");
      }
      return;
    }
    if (!schema.is_object()) {
      return;
    }
    // "$ref" is applied together with its siblings (the 2019-09 rule); in the
    // older drafts and Swagger models the siblings are only annotations.
    if (const auto ref = schema.find("$ref"); ref != schema.end() && ref->is_string()) {
      const auto& target = ref->get_ref<const std::string&>();
      const json* resolved = target.starts_with('#') ? Resolve(document_, target) : nullptr;
      if (resolved == nullptr) {
        errors.push_back(pointer + ": cannot resolve $ref '" + target + "'");
      } else {
        Validate(*resolved, value, pointer, errors, depth + 1);
      }
    }
    CheckType(schema, value, pointer, errors);
    CheckEnumAndConst(schema, value, pointer, errors);
    if (value.is_number()) {
      CheckNumber(schema, value.get<double>(), pointer, errors);
    } else if (value.is_string()) {
      CheckString(schema, value.get_ref<const std::string&>(), pointer, errors);
    } else if (value.is_array()) {
      CheckArray(schema, value, pointer, errors, depth);
    } else if (value.is_object()) {
      CheckObject(schema, value, pointer, errors, depth);
    }
    CheckCombinators(schema, value, pointer, errors, depth);
  }

 private:
  static void CheckType(const json& schema, const json& value, const std::string& pointer,
                        std::vector<std::string>& errors) {
    const auto type = schema.find("type");
    if (type == schema.end()) {
      return;
    }
    if (type->is_string()) {
      if (!HasType(value, type->get_ref<const std::string&>())) {
        errors.push_back(fmt::format("{}: is {} {}, expected {}", pointer,
                                     TypeName(value) == "integer" ? "an" : "a", TypeName(value),
                                     type->get_ref<const std::string&>()));
      }
      return;
    }
    if (!type->is_array()) {
      return;
    }
    std::string names;
    for (const json& name : *type) {
      if (name.is_string() && HasType(value, name.get_ref<const std::string&>())) {
        return;
      }
      names += (names.empty() ? "" : ", ") + Quote(name);
    }
    errors.push_back(fmt::format("{}: is {} {}, expected one of [{}]", pointer,
                                 TypeName(value) == "integer" ? "an" : "a", TypeName(value),
                                 names));
  }

  static void CheckEnumAndConst(const json& schema, const json& value, const std::string& pointer,
                                std::vector<std::string>& errors) {
    if (const auto allowed = schema.find("enum"); allowed != schema.end() && allowed->is_array()) {
      bool found = false;
      for (const json& candidate : *allowed) {
        found = found || candidate == value;
      }
      if (!found) {
        errors.push_back(
            fmt::format("{}: {} is not one of {}", pointer, Quote(value), Quote(*allowed)));
      }
    }
    if (const auto expected = schema.find("const");
        expected != schema.end() && *expected != value) {
      errors.push_back(fmt::format("{}: {} is not {}", pointer, Quote(value), Quote(*expected)));
    }
  }

  static void CheckNumber(const json& schema, double number, const std::string& pointer,
                          std::vector<std::string>& errors) {
    auto bound = [&](const char* keyword) -> std::optional<double> {
      const auto it = schema.find(keyword);
      if (it == schema.end() || !it->is_number()) {
        return std::nullopt;
      }
      return it->get<double>();
    };
    // Draft 4 writes exclusiveness as a boolean beside minimum/maximum;
    // draft 6 and later make exclusiveMinimum/exclusiveMaximum the bound itself.
    auto draft4_exclusive = [&](const char* keyword) {
      const auto it = schema.find(keyword);
      return it != schema.end() && it->is_boolean() && it->get<bool>();
    };
    const std::string shown = FormatNumber(number);
    if (const auto minimum = bound("minimum")) {
      if (draft4_exclusive("exclusiveMinimum") ? number <= *minimum : number < *minimum) {
        errors.push_back(fmt::format("{}: {} is less than the minimum {}{}", pointer, shown,
                                     FormatNumber(*minimum),
                                     draft4_exclusive("exclusiveMinimum") ? " (exclusive)" : ""));
      }
    }
    if (const auto maximum = bound("maximum")) {
      if (draft4_exclusive("exclusiveMaximum") ? number >= *maximum : number > *maximum) {
        errors.push_back(fmt::format("{}: {} is greater than the maximum {}{}", pointer, shown,
                                     FormatNumber(*maximum),
                                     draft4_exclusive("exclusiveMaximum") ? " (exclusive)" : ""));
      }
    }
    if (const auto minimum = bound("exclusiveMinimum"); minimum && number <= *minimum) {
      errors.push_back(fmt::format("{}: {} is not greater than the exclusive minimum {}", pointer,
                                   shown, FormatNumber(*minimum)));
    }
    if (const auto maximum = bound("exclusiveMaximum"); maximum && number >= *maximum) {
      errors.push_back(fmt::format("{}: {} is not less than the exclusive maximum {}", pointer,
                                   shown, FormatNumber(*maximum)));
    }
  }

  static std::optional<size_t> Count(const json& schema, const char* keyword) {
    const auto it = schema.find(keyword);
    if (it == schema.end() || !it->is_number_integer() || it->get<std::int64_t>() < 0) {
      return std::nullopt;
    }
    return it->get<size_t>();
  }

  static void CheckString(const json& schema, const std::string& text, const std::string& pointer,
                          std::vector<std::string>& errors) {
    const size_t length = CodePoints(text);
    if (const auto min_length = Count(schema, "minLength"); min_length && length < *min_length) {
      errors.push_back(fmt::format("{}: is {} characters long, shorter than minLength {}", pointer,
                                   length, *min_length));
    }
    if (const auto max_length = Count(schema, "maxLength"); max_length && length > *max_length) {
      errors.push_back(fmt::format("{}: is {} characters long, longer than maxLength {}", pointer,
                                   length, *max_length));
    }
    if (const auto pattern = schema.find("pattern");
        pattern != schema.end() && pattern->is_string()) {
      const auto& source = pattern->get_ref<const std::string&>();
      const std::shared_ptr<const std::regex> regex = CompiledPattern(source);
      if (regex == nullptr) {
        errors.push_back(
            fmt::format("{}: the schema's pattern '{}' is not a valid regex", pointer, source));
      } else {
        bool matched = false;
        try {
          // JSON Schema patterns are unanchored: a match anywhere counts.
          matched = std::regex_search(text, *regex);
        } catch (const std::regex_error&) {
          errors.push_back(
              fmt::format("{}: pattern '{}' is too complex to apply", pointer, source));
          matched = true;
        }
        if (!matched) {
          errors.push_back(
              fmt::format("{}: {} does not match pattern '{}'", pointer, Quote(text), source));
        }
      }
    }
    if (const auto format = schema.find("format");
        format != schema.end() && *format == "date-time" && !IsRfc3339DateTime(text)) {
      errors.push_back(fmt::format("{}: {} is not an RFC 3339 date-time", pointer, Quote(text)));
    }
  }

  void CheckArray(const json& schema, const json& array, std::string& pointer,
                  std::vector<std::string>& errors, int depth) const {
    if (const auto min_items = Count(schema, "minItems"); min_items && array.size() < *min_items) {
      errors.push_back(fmt::format("{}: has {} items, fewer than minItems {}", pointer,
                                   array.size(), *min_items));
    }
    if (const auto max_items = Count(schema, "maxItems"); max_items && array.size() > *max_items) {
      errors.push_back(fmt::format("{}: has {} items, more than maxItems {}", pointer, array.size(),
                                   *max_items));
    }
    if (const auto unique = schema.find("uniqueItems"); unique != schema.end() && *unique == true) {
      for (size_t i = 1; i < array.size(); ++i) {
        for (size_t j = 0; j < i; ++j) {
          if (array[i] == array[j]) {
            errors.push_back(fmt::format("{}: items {} and {} are equal, but uniqueItems is set",
                                         pointer, j, i));
          }
        }
      }
    }
    const auto items = schema.find("items");
    if (items == schema.end()) {
      return;
    }
    const size_t length = pointer.size();
    for (size_t i = 0; i < array.size(); ++i) {
      // Drafts 4 to 7 also allow a list of schemas, one per position.
      const json* item_schema = &*items;
      if (items->is_array()) {
        if (i >= items->size()) {
          break;
        }
        item_schema = &(*items)[i];
      }
      AppendToken(pointer, std::to_string(i));
      Validate(*item_schema, array[i], pointer, errors, depth + 1);
      pointer.resize(length);
    }
  }

  void CheckObject(const json& schema, const json& object, std::string& pointer,
                   std::vector<std::string>& errors, int depth) const {
    const size_t length = pointer.size();
    if (const auto required = schema.find("required");
        required != schema.end() && required->is_array()) {
      for (const json& name : *required) {
        if (name.is_string() && !object.contains(name.get_ref<const std::string&>())) {
          AppendToken(pointer, name.get_ref<const std::string&>());
          errors.push_back(pointer + ": required property is missing");
          pointer.resize(length);
        }
      }
    }
    if (const auto min = Count(schema, "minProperties"); min && object.size() < *min) {
      errors.push_back(fmt::format("{}: has {} properties, fewer than minProperties {}", pointer,
                                   object.size(), *min));
    }
    if (const auto max = Count(schema, "maxProperties"); max && object.size() > *max) {
      errors.push_back(fmt::format("{}: has {} properties, more than maxProperties {}", pointer,
                                   object.size(), *max));
    }
    const auto properties = schema.find("properties");
    const auto pattern_properties = schema.find("patternProperties");
    const auto additional = schema.find("additionalProperties");
    for (const auto& [key, member] : object.items()) {
      AppendToken(pointer, key);
      bool matched = false;
      if (properties != schema.end() && properties->is_object()) {
        if (const auto property = properties->find(key); property != properties->end()) {
          matched = true;
          Validate(*property, member, pointer, errors, depth + 1);
        }
      }
      if (pattern_properties != schema.end() && pattern_properties->is_object()) {
        for (const auto& [source, property] : pattern_properties->items()) {
          const std::shared_ptr<const std::regex> regex = CompiledPattern(source);
          bool hit = false;
          try {
            hit = regex != nullptr && std::regex_search(key, *regex);
          } catch (const std::regex_error&) {
            hit = false;
          }
          if (hit) {
            matched = true;
            Validate(property, member, pointer, errors, depth + 1);
          }
        }
      }
      if (!matched && additional != schema.end()) {
        if (*additional == false) {
          errors.push_back(pointer + ": is not an allowed property");
        } else {
          Validate(*additional, member, pointer, errors, depth + 1);
        }
      }
      pointer.resize(length);
    }
  }

  void CheckCombinators(const json& schema, const json& value, std::string& pointer,
                        std::vector<std::string>& errors, int depth) const {
    if (const auto all_of = schema.find("allOf"); all_of != schema.end() && all_of->is_array()) {
      for (const json& branch : *all_of) {
        Validate(branch, value, pointer, errors, depth + 1);
      }
    }
    for (const char* keyword : {"anyOf", "oneOf"}) {
      const auto branches = schema.find(keyword);
      if (branches == schema.end() || !branches->is_array() || branches->empty()) {
        continue;
      }
      std::vector<size_t> matching;
      std::vector<std::string> closest;
      for (size_t i = 0; i < branches->size(); ++i) {
        std::vector<std::string> branch_errors;
        Validate((*branches)[i], value, pointer, branch_errors, depth + 1);
        if (branch_errors.empty()) {
          matching.push_back(i);
        } else if (closest.empty() || branch_errors.size() < closest.size()) {
          closest = std::move(branch_errors);
        }
      }
      if (matching.empty()) {
        // The branch with the fewest violations is most likely the one the
        // author meant; its violations say what to fix.
        errors.push_back(fmt::format("{}: matches none of the {} schemas", pointer, keyword));
        errors.insert(errors.end(), closest.begin(), closest.end());
      } else if (std::string_view(keyword) == "oneOf" && matching.size() > 1) {
        errors.push_back(
            fmt::format("{}: matches {} of the oneOf schemas ({}), expected exactly one", pointer,
                        matching.size(), fmt::join(matching, ", ")));
      }
    }
    if (const auto negated = schema.find("not"); negated != schema.end()) {
      std::vector<std::string> branch_errors;
      Validate(*negated, value, pointer, branch_errors, depth + 1);
      if (branch_errors.empty()) {
        errors.push_back(pointer + ": matches the schema under 'not'");
      }
    }
  }

  const json& document_;
};

}  // namespace

Result<JsonSchema> JsonSchema::Create(nlohmann::json document, std::string_view pointer) {
  const json* schema = Resolve(document, pointer);
  if (schema == nullptr) {
    return InvalidArgumentError(
        fmt::format("JSON schema pointer '{}' does not resolve in the document", pointer));
  }
  if (!schema->is_object() && !schema->is_boolean()) {
    return InvalidArgumentError(fmt::format("JSON schema pointer '{}' names a {}, not a schema",
                                            pointer, TypeName(*schema)));
  }
  std::string normalized(pointer);
  if (!normalized.starts_with('#')) {
    normalized.insert(0, "#");
  }
  return JsonSchema(std::make_shared<const json>(std::move(document)), std::move(normalized));
}

std::vector<std::string> JsonSchema::Validate(const nlohmann::json& value) const {
  std::vector<std::string> errors;
  // Create checked that the pointer resolves, and the document is immutable.
  const json* schema = Resolve(*document_, pointer_);
  assert(schema != nullptr);
  std::string pointer;
  Validator(*document_).Validate(*schema, value, pointer, errors, 0);
  return errors;
}

}  // namespace sellerbridge::emulators::amazon
