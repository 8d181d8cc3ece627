#include "emulators/clarus/graphql_executor.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>
#include <utility>
#include <variant>

#include "base/time_format.h"
#include "emulators/clarus/graphql_parser.h"
#include "emulators/clarus/record_json.h"

namespace sellerbridge::emulators::clarus {
namespace {

using graphql::Field;
using graphql::Location;
using graphql::Value;
using nlohmann::json;

// A node of the object graph a query walks.
using Node = std::variant<std::monostate, const GoodsOut*, const GoodsOutLine*, const Shipment*,
                          const Package*, const StockBalance*, const StockRow*, const Carrier*,
                          const CarrierService*, const Product*, const Account*,
                          const WarehouseInfo*, const Address*>;

enum class Shape { kScalar, kObject, kList, kConnection };

struct FieldSpec {
  Shape shape = Shape::kScalar;
  std::string type;  // The node type of objects, lists and connections.
};

using TypeSpec = std::map<std::string, FieldSpec, std::less<>>;
using Schema = std::map<std::string, TypeSpec, std::less<>>;

struct RootSpec {
  std::string_view field;
  std::string_view node_type;
};

constexpr std::array<RootSpec, 11> kRoots = {{
    {"goods_outs", "GoodsOut"},
    {"goods_out_lines", "GoodsOutLine"},
    {"shipments", "Shipment"},
    {"packages", "Package"},
    {"stock_balances", "StockBalance"},
    {"stocks", "Stock"},
    {"carriers", "Carrier"},
    {"carrier_services", "CarrierService"},
    {"products", "Product"},
    {"accounts", "Account"},
    {"warehouses", "Warehouse"},
}};

// Filter names that differ from the field they filter.
std::string_view FilterField(std::string_view name) {
  if (name == "sku") {
    return "product_code";
  }
  if (name == "account") {
    return "account_id";
  }
  if (name == "warehouse") {
    return "warehouse_id";
  }
  return name;
}

bool IsTimeField(std::string_view name) {
  return name.ends_with("_at") || name.ends_with("_date") || name.ends_with("datetime");
}

// The schema: scalar fields come from the record views themselves, so that
// REST, webhooks and GraphQL cannot disagree on names.
const Schema& GetSchema() {
  static const Schema kSchema = [] {
    Schema s;
    const auto node = [&s](const std::string& name, const json& sample,
                           const std::vector<std::pair<std::string, FieldSpec>>& objects) {
      TypeSpec& type = s[name];
      for (const auto& [key, value] : sample.items()) {
        type[key] = {Shape::kScalar, ""};
      }
      for (const auto& [key, spec] : objects) {
        type[key] = spec;
      }
      type["__typename"] = {Shape::kScalar, ""};
    };
    const WarehouseState empty;
    const StockBalance balance;
    node("GoodsOut", GoodsOutJson(GoodsOut{}),
         {{"account", {Shape::kObject, "Account"}},
          {"warehouse", {Shape::kObject, "Warehouse"}},
          {"carrier", {Shape::kObject, "Carrier"}},
          {"carrier_service", {Shape::kObject, "CarrierService"}},
          {"address", {Shape::kObject, "Address"}},
          {"goods_out_lines", {Shape::kList, "GoodsOutLine"}},
          {"shipments", {Shape::kList, "Shipment"}}});
    node("GoodsOutLine", GoodsOutLineJson(GoodsOutLine{}, empty.products),
         {{"goods_out", {Shape::kObject, "GoodsOut"}},
          {"product", {Shape::kObject, "Product"}},
          {"carrier", {Shape::kObject, "Carrier"}},
          {"carrier_service", {Shape::kObject, "CarrierService"}}});
    node("Shipment", ShipmentJson(Shipment{}),
         {{"goods_out", {Shape::kObject, "GoodsOut"}},
          {"carrier", {Shape::kObject, "Carrier"}},
          {"carrier_service", {Shape::kObject, "CarrierService"}},
          {"packages", {Shape::kList, "Package"}}});
    node("Package", PackageJson(Package{}), {{"shipment", {Shape::kObject, "Shipment"}}});
    node("StockBalance", StockBalanceJson(balance, empty),
         {{"product", {Shape::kObject, "Product"}},
          {"account", {Shape::kObject, "Account"}},
          {"warehouse", {Shape::kObject, "Warehouse"}}});
    node("Stock", StockRowJson(StockRow{0, &balance, "", 0, ""}, empty),
         {{"product", {Shape::kObject, "Product"}},
          {"account", {Shape::kObject, "Account"}},
          {"warehouse", {Shape::kObject, "Warehouse"}}});
    node("Carrier", CarrierJson(Carrier{}),
         {{"carrier_services", {Shape::kList, "CarrierService"}}});
    node("CarrierService", CarrierServiceJson(CarrierService{}),
         {{"carrier", {Shape::kObject, "Carrier"}}});
    node("Product", ProductJson(Product{}), {{"account", {Shape::kObject, "Account"}}});
    node("Account", AccountJson(Account{}), {});
    node("Warehouse", WarehouseJson(WarehouseInfo{}), {});
    node("Address", AddressJson(Address{}), {});
    s["PageInfo"] = {{"hasNextPage", {}},
                     {"hasPreviousPage", {}},
                     {"startCursor", {}},
                     {"endCursor", {}},
                     {"__typename", {}}};
    TypeSpec& query = s["Query"];
    query["__typename"] = {};
    for (const RootSpec& root : kRoots) {
      const std::string node_type(root.node_type);
      s[node_type + "Edge"] = {
          {"cursor", {}}, {"node", {Shape::kObject, node_type}}, {"__typename", {}}};
      s[node_type + "Connection"] = {{"edges", {Shape::kList, node_type + "Edge"}},
                                     {"pageInfo", {Shape::kObject, "PageInfo"}},
                                     {"totalCount", {}},
                                     {"__typename", {}}};
      s[node_type + "Query"] = {{"all", {Shape::kConnection, node_type}}, {"__typename", {}}};
      query[std::string(root.field)] = {Shape::kObject, node_type + "Query"};
    }
    return s;
  }();
  return kSchema;
}

std::string Base64(std::string_view in) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : in) {
    buffer = (buffer << 8U) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(buffer >> static_cast<unsigned>(bits)) & 0x3FU];
    }
  }
  if (bits > 0) {
    out += kAlphabet[(buffer << static_cast<unsigned>(6 - bits)) & 0x3FU];
  }
  while (out.size() % 4 != 0) {
    out += '=';
  }
  return out;
}

std::optional<std::string> Unbase64(std::string_view in) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : in) {
    if (c == '=') {
      break;
    }
    int v = -1;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '+') {
      v = 62;
    } else if (c == '/') {
      v = 63;
    } else {
      return std::nullopt;
    }
    buffer = (buffer << 6U) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> static_cast<unsigned>(bits)) & 0xFFU);
    }
  }
  return out;
}

std::string Cursor(std::int64_t id) { return Base64(fmt::format("cursor:{}", id)); }

std::optional<std::int64_t> ParseCursor(std::string_view cursor) {
  const auto text = Unbase64(cursor);
  if (!text || !text->starts_with("cursor:")) {
    return std::nullopt;
  }
  try {
    std::size_t used = 0;
    const std::int64_t id = std::stoll(text->substr(7), &used);
    return used == text->size() - 7 ? std::optional(id) : std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// SQL LIKE: '%' any run, '_' any one character.
bool Like(std::string_view text, std::string_view pattern, bool fold_case) {
  const auto same = [fold_case](char a, char b) {
    return fold_case ? std::tolower(static_cast<unsigned char>(a)) ==
                           std::tolower(static_cast<unsigned char>(b))
                     : a == b;
  };
  std::size_t t = 0;
  std::size_t p = 0;
  std::size_t star = std::string_view::npos;
  std::size_t mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() &&
        (pattern[p] == '_' || (pattern[p] != '%' && same(pattern[p], text[t])))) {
      ++t;
      ++p;
    } else if (p < pattern.size() && pattern[p] == '%') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '%') {
    ++p;
  }
  return p == pattern.size();
}

// A filter or field value made comparable: times as times, integers (ids
// are strings of digits) as numbers, anything else as text.
struct Key {
  enum class Kind { kNull, kNumber, kTime, kText } kind = Kind::kNull;
  double number = 0;
  TimePoint time;
  std::string text;
};

std::optional<Key> MakeKey(const json& value, bool is_time) {
  Key key;
  if (value.is_null()) {
    return key;
  }
  if (is_time && value.is_string()) {
    auto t = ParseIso8601(value.get<std::string>());
    if (!t.ok()) {
      return std::nullopt;
    }
    key.kind = Key::Kind::kTime;
    key.time = *t;
    return key;
  }
  if (value.is_number()) {
    key.kind = Key::Kind::kNumber;
    key.number = value.get<double>();
    key.text = value.dump();
    return key;
  }
  if (value.is_boolean()) {
    key.kind = Key::Kind::kText;
    key.text = value.get<bool>() ? "true" : "false";
    return key;
  }
  if (!value.is_string()) {
    return std::nullopt;
  }
  key.text = value.get<std::string>();
  const bool integer = !key.text.empty() && key.text.size() < 16 &&
                       std::all_of(key.text.begin(), key.text.end(), [](char c) {
                         return std::isdigit(static_cast<unsigned char>(c));
                       });
  key.kind = integer ? Key::Kind::kNumber : Key::Kind::kText;
  key.number = integer ? std::stod(key.text) : 0;
  return key;
}

// -1, 0, 1; nullopt when the two cannot be compared.
std::optional<int> Compare(const Key& a, const Key& b) {
  if (a.kind == Key::Kind::kNull || b.kind == Key::Kind::kNull) {
    return std::nullopt;
  }
  if (a.kind == Key::Kind::kTime && b.kind == Key::Kind::kTime) {
    return a.time < b.time ? -1 : (a.time > b.time ? 1 : 0);
  }
  if (a.kind == Key::Kind::kNumber && b.kind == Key::Kind::kNumber) {
    return a.number < b.number ? -1 : (a.number > b.number ? 1 : 0);
  }
  return a.text < b.text ? -1 : (a.text > b.text ? 1 : 0);
}

constexpr std::array<std::string_view, 12> kOperators = {
    "eq", "in", "ilike", "like", "between", "gt", "gteq", "lt", "lteq", "from", "to", "filled"};

// A cheap first look, before a node is turned into JSON: a record whose id,
// goods_out_id or reference differs from the filter's `{eq: …}` on it
// cannot match. Lookups by reference (every create checks one first), by
// id and by goods-out then cost a comparison per record rather than a
// serialisation, and a lookup by id costs one map search.
struct QuickFilter {
  std::optional<std::int64_t> id;
  std::optional<std::vector<std::int64_t>> ids;  // `id: {in: […]}`, sorted.
  std::optional<std::int64_t> goods_out_id;
  const std::string* reference = nullptr;
  // `updated_at: {gteq | gt | from: …}`: nothing updated before it matches.
  std::optional<TimePoint> updated_from;
  // The page starts after this id (the `after` cursor).
  std::optional<std::int64_t> after_id;

  explicit QuickFilter(const json& filter) {
    if (!filter.is_object()) {
      return;
    }
    id = IdOf(Operand(filter, "id", "eq"));
    goods_out_id = IdOf(Operand(filter, "goods_out_id", "eq"));
    if (const json* eq = Operand(filter, "reference", "eq"); eq != nullptr && eq->is_string()) {
      reference = &eq->get_ref<const std::string&>();
    }
    if (const json* in = Operand(filter, "id", "in"); in != nullptr && in->is_array()) {
      std::vector<std::int64_t> list;
      for (const json& item : *in) {
        const std::optional<std::int64_t> parsed = IdOf(&item);
        if (!parsed) {
          return;  // Left to the full comparison.
        }
        list.push_back(*parsed);
      }
      std::sort(list.begin(), list.end());
      list.erase(std::unique(list.begin(), list.end()), list.end());
      ids = std::move(list);
    }
    for (const char* op : {"gteq", "gt", "from"}) {
      if (const json* from = Operand(filter, "updated_at", op);
          from != nullptr && from->is_string()) {
        if (auto parsed = ParseIso8601(from->get_ref<const std::string&>()); parsed.ok()) {
          updated_from = updated_from ? std::max(*updated_from, *parsed) : *parsed;
        }
      }
    }
  }

  static const json* Operand(const json& filter, const char* field, const char* op) {
    const auto ops = filter.find(field);
    if (ops == filter.end() || !ops->is_object()) {
      return nullptr;
    }
    const auto it = ops->find(op);
    return it == ops->end() ? nullptr : &*it;
  }

  // Ids are strings of digits, compared as numbers (MakeKey); any other
  // operand is left to the full comparison.
  static std::optional<std::int64_t> IdOf(const json* operand) {
    if (operand == nullptr || !operand->is_string()) {
      return std::nullopt;
    }
    const auto& text = operand->get_ref<const std::string&>();
    std::int64_t wanted = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), wanted);
    if (error != std::errc() || end != text.data() + text.size() || text.empty() ||
        text.front() == '-' || text.size() >= 16) {
      return std::nullopt;
    }
    return wanted;
  }

  template <typename Record>
  bool MayMatch(const Record& record) const {
    if constexpr (requires { record.id; }) {
      if ((id && *id != record.id) || (after_id && record.id <= *after_id)) {
        return false;
      }
      if (ids && !std::binary_search(ids->begin(), ids->end(), record.id)) {
        return false;
      }
    }
    if constexpr (requires { record.updated_at; }) {
      // The JSON shows updated_at to the millisecond, never later than this.
      if (updated_from && record.updated_at < *updated_from) {
        return false;
      }
    }
    if constexpr (requires { record.goods_out_id; }) {
      if (goods_out_id && *goods_out_id != record.goods_out_id) {
        return false;
      }
    }
    if constexpr (requires { record.reference; }) {
      if (reference != nullptr && record.reference != *reference) {
        return false;
      }
    }
    return true;
  }
};

// One request's execution: errors, variables and the state being read.
class Run {
 public:
  Run(const WarehouseState& state, json variables, int max_page_size)
      : state_(state), variables_(std::move(variables)), max_page_size_(max_page_size) {}

  std::vector<json> errors;

  void Error(std::string message, Location location, const json& path) {
    json error = {
        {"message", std::move(message)},
        {"locations", json::array({{{"line", location.line}, {"column", location.column}}})}};
    if (!path.empty()) {
      error["path"] = path;
    }
    errors.push_back(std::move(error));
  }

  void DefineVariables(const std::vector<graphql::VariableDefinition>& definitions) {
    for (const auto& definition : definitions) {
      defined_.insert(definition.name);
      if (!variables_.contains(definition.name)) {
        if (definition.default_value) {
          variables_[definition.name] = Resolve(*definition.default_value, {});
        } else if (definition.type.ends_with("!")) {
          Error(fmt::format("Variable ${} of required type {} was not provided.", definition.name,
                            definition.type),
                definition.location, {});
        }
      }
    }
  }

  // Static checks of a selection set against the schema.
  void Validate(const std::string& type_name, const std::vector<Field>& selections,
                const json& path) {
    const Schema& schema = GetSchema();
    const TypeSpec& type = schema.at(type_name);
    for (const Field& field : selections) {
      auto it = type.find(field.name);
      if (it == type.end()) {
        Error(fmt::format("Field '{}' doesn't exist on type '{}'", field.name, type_name),
              field.location, path);
        continue;
      }
      const FieldSpec& spec = it->second;
      for (const auto& argument : field.arguments) {
        const bool known =
            spec.shape == Shape::kConnection &&
            (argument.name == "first" || argument.name == "after" || argument.name == "filter");
        if (!known) {
          Error(fmt::format("Field '{}' doesn't accept argument '{}'", field.name, argument.name),
                argument.location, path);
        }
        CheckVariables(argument.value);
      }
      json child = path;
      child.push_back(field.ResponseKey());
      if (spec.shape == Shape::kScalar) {
        if (!field.selections.empty()) {
          Error(fmt::format("Selections can't be made on scalars (field '{}' on type '{}')",
                            field.name, type_name),
                field.location, path);
        }
        continue;
      }
      if (field.selections.empty()) {
        Error(fmt::format("Field '{}' of type '{}' must have a selection of subfields", field.name,
                          spec.type),
              field.location, path);
        continue;
      }
      const std::string target =
          spec.shape == Shape::kConnection ? spec.type + "Connection" : spec.type;
      Validate(target, field.selections, child);
    }
  }

  json ExecuteQuery(const std::vector<Field>& selections) {
    json data = json::object();
    for (const Field& field : selections) {
      if (field.name == "__typename") {
        data[field.ResponseKey()] = "Query";
        continue;
      }
      const std::string node_type = GetSchema().at("Query").at(field.name).type;
      json object = json::object();
      for (const Field& inner : field.selections) {
        if (inner.name == "__typename") {
          object[inner.ResponseKey()] = node_type;
        } else {
          const std::string type = node_type.substr(0, node_type.size() - 5);
          object[inner.ResponseKey()] =
              Connection(type, inner, json::array({field.ResponseKey(), inner.ResponseKey()}));
        }
      }
      data[field.ResponseKey()] = std::move(object);
    }
    return data;
  }

 private:
  void CheckVariables(const Value& value) {
    if (value.kind == Value::Kind::kVariable && defined_.count(value.text) == 0) {
      Error(fmt::format("Variable \"${}\" is not defined.", value.text), value.location, {});
    }
    for (const Value& item : value.list) {
      CheckVariables(item);
    }
  }

  json Resolve(const Value& value, const json& path) {
    switch (value.kind) {
      case Value::Kind::kNull:
        return nullptr;
      case Value::Kind::kInt:
        try {
          return std::stoll(value.text);
        } catch (const std::exception&) {
          Error(fmt::format("Int cannot represent {}", value.text), value.location, path);
          return nullptr;
        }
      case Value::Kind::kFloat:
        return std::stod(value.text);
      case Value::Kind::kString:
      case Value::Kind::kEnum:
        return value.text;
      case Value::Kind::kBoolean:
        return value.boolean;
      case Value::Kind::kVariable:
        return variables_.contains(value.text) ? variables_.at(value.text) : json(nullptr);
      case Value::Kind::kList: {
        json list = json::array();
        for (const Value& item : value.list) {
          list.push_back(Resolve(item, path));
        }
        return list;
      }
      case Value::Kind::kObject: {
        json object = json::object();
        for (std::size_t i = 0; i < value.field_names.size(); ++i) {
          object[value.field_names[i]] = Resolve(value.list[i], path);
        }
        return object;
      }
    }
    return nullptr;
  }

  // The records of `type` that may match `quick`, in id order.
  std::vector<Node> Candidates(const std::string& type, const QuickFilter& quick) {
    std::vector<Node> nodes;
    const auto add = [&nodes, &quick](const auto& record) {
      if (quick.MayMatch(record)) {
        nodes.emplace_back(&record);
      }
    };
    const auto all = [&add, &quick](const auto& map) {
      if (quick.id) {
        if (auto it = map.find(*quick.id); it != map.end()) {
          add(it->second);
        }
        return;
      }
      if (quick.ids) {
        for (const std::int64_t id : *quick.ids) {
          if (auto it = map.find(id); it != map.end()) {
            add(it->second);
          }
        }
        return;
      }
      for (auto it = quick.after_id ? map.upper_bound(*quick.after_id) : map.begin();
           it != map.end(); ++it) {
        add(it->second);
      }
    };
    if (type == "GoodsOut") {
      all(state_.goods_outs);
    } else if (type == "GoodsOutLine") {
      for (const auto& [id, order] : state_.goods_outs) {
        if (!quick.goods_out_id || *quick.goods_out_id == id) {
          for (const GoodsOutLine& line : order.lines) {
            add(line);
          }
        }
      }
    } else if (type == "Shipment") {
      all(state_.shipments);
    } else if (type == "Package") {
      for (const auto& [id, shipment] : state_.shipments) {
        for (const Package& package : shipment.packages) {
          add(package);
        }
      }
    } else if (type == "StockBalance") {
      all(state_.balances);
    } else if (type == "Stock") {
      stock_rows_ = StockRows(state_);
      for (const StockRow& row : stock_rows_) {
        add(row);
      }
    } else if (type == "Carrier") {
      all(state_.carriers);
    } else if (type == "CarrierService") {
      all(state_.carrier_services);
    } else if (type == "Product") {
      all(state_.products);
    } else if (type == "Account") {
      all(state_.accounts);
    } else if (type == "Warehouse") {
      all(state_.warehouses);
    }
    // Maps iterate by id already; only rows gathered from several records
    // (lines, packages, stock rows) may need sorting.
    const auto by_id = [](const Node& a, const Node& b) { return IdOf(a) < IdOf(b); };
    if (!std::is_sorted(nodes.begin(), nodes.end(), by_id)) {
      std::stable_sort(nodes.begin(), nodes.end(), by_id);
    }
    return nodes;
  }

  static std::int64_t IdOf(const Node& node) {
    return std::visit(
        [](const auto& record) -> std::int64_t {
          using T = std::decay_t<decltype(record)>;
          if constexpr (std::is_same_v<T, std::monostate> || std::is_same_v<T, const Address*>) {
            return 0;
          } else {
            return record->id;
          }
        },
        node);
  }

  json Scalars(const Node& node) const {
    struct Visitor {
      const WarehouseState& state;
      json operator()(std::monostate) const { return json::object(); }
      json operator()(const GoodsOut* r) const { return GoodsOutJson(*r); }
      json operator()(const GoodsOutLine* r) const { return GoodsOutLineJson(*r, state.products); }
      json operator()(const Shipment* r) const { return ShipmentJson(*r); }
      json operator()(const Package* r) const { return PackageJson(*r); }
      json operator()(const StockBalance* r) const { return StockBalanceJson(*r, state); }
      json operator()(const StockRow* r) const { return StockRowJson(*r, state); }
      json operator()(const Carrier* r) const { return CarrierJson(*r); }
      json operator()(const CarrierService* r) const { return CarrierServiceJson(*r); }
      json operator()(const Product* r) const { return ProductJson(*r); }
      json operator()(const Account* r) const { return AccountJson(*r); }
      json operator()(const WarehouseInfo* r) const { return WarehouseJson(*r); }
      json operator()(const Address* r) const { return AddressJson(*r); }
    };
    return std::visit(Visitor{state_}, node);
  }

  template <typename Map>
  static Node Find(const Map& map, std::optional<std::int64_t> id) {
    if (!id) {
      return {};
    }
    auto it = map.find(*id);
    return it == map.end() ? Node{} : Node{&it->second};
  }

  // The nodes behind an object or list field.
  std::vector<Node> Children(const Node& node, std::string_view name) const {
    const WarehouseState& s = state_;
    std::vector<Node> out;
    const auto one = [&out](Node n) {
      if (!std::holds_alternative<std::monostate>(n)) {
        out.push_back(n);
      }
    };
    if (const auto* const* o = std::get_if<const GoodsOut*>(&node)) {
      const GoodsOut& r = **o;
      if (name == "account") {
        one(Find(s.accounts, r.account_id));
      } else if (name == "warehouse") {
        one(Find(s.warehouses, r.warehouse_id));
      } else if (name == "carrier") {
        one(Find(s.carriers, r.carrier_id));
      } else if (name == "carrier_service") {
        one(Find(s.carrier_services, r.carrier_service_id));
      } else if (name == "address") {
        out.emplace_back(&r.address);
      } else if (name == "goods_out_lines") {
        for (const GoodsOutLine& line : r.lines) {
          out.emplace_back(&line);
        }
      } else if (name == "shipments") {
        for (const auto& [id, shipment] : s.shipments) {
          if (shipment.goods_out_id == r.id) {
            out.emplace_back(&shipment);
          }
        }
      }
    } else if (const auto* const* l = std::get_if<const GoodsOutLine*>(&node)) {
      const GoodsOutLine& r = **l;
      if (name == "goods_out") {
        one(Find(s.goods_outs, r.goods_out_id));
      } else if (name == "product") {
        one(Find(s.products, r.product_id));
      } else if (name == "carrier") {
        one(Find(s.carriers, r.carrier_id));
      } else if (name == "carrier_service") {
        one(Find(s.carrier_services, r.carrier_service_id));
      }
    } else if (const auto* const* sh = std::get_if<const Shipment*>(&node)) {
      const Shipment& r = **sh;
      if (name == "goods_out") {
        one(Find(s.goods_outs, r.goods_out_id));
      } else if (name == "carrier") {
        one(Find(s.carriers, r.carrier_id));
      } else if (name == "carrier_service") {
        one(Find(s.carrier_services, r.carrier_service_id));
      } else if (name == "packages") {
        for (const Package& package : r.packages) {
          out.emplace_back(&package);
        }
      }
    } else if (const auto* const* p = std::get_if<const Package*>(&node)) {
      one(Find(s.shipments, (*p)->shipment_id));
    } else if (const auto* const* b = std::get_if<const StockBalance*>(&node)) {
      BalanceChildren(**b, name, one);
    } else if (const auto* const* row = std::get_if<const StockRow*>(&node)) {
      BalanceChildren(*(*row)->balance, name, one);
    } else if (const auto* const* c = std::get_if<const Carrier*>(&node)) {
      for (const auto& [id, service] : s.carrier_services) {
        if (service.carrier_id == (*c)->id) {
          out.emplace_back(&service);
        }
      }
    } else if (const auto* const* cs = std::get_if<const CarrierService*>(&node)) {
      one(Find(s.carriers, (*cs)->carrier_id));
    } else if (const auto* const* pr = std::get_if<const Product*>(&node)) {
      one(Find(s.accounts, (*pr)->account_id));
    }
    return out;
  }

  template <typename Fn>
  void BalanceChildren(const StockBalance& b, std::string_view name, Fn& one) const {
    if (name == "product") {
      one(Find(state_.products, b.product_id));
    } else if (name == "account") {
      one(Find(state_.accounts, b.account_id));
    } else if (name == "warehouse") {
      one(Find(state_.warehouses, b.warehouse_id));
    }
  }

  json Object(const std::string& type_name, const Node& node,
              const std::vector<Field>& selections) {
    const TypeSpec& type = GetSchema().at(type_name);
    const json scalars = Scalars(node);
    json out = json::object();
    for (const Field& field : selections) {
      const FieldSpec& spec = type.at(field.name);
      if (field.name == "__typename") {
        out[field.ResponseKey()] = type_name;
      } else if (spec.shape == Shape::kScalar) {
        out[field.ResponseKey()] = scalars.at(field.name);
      } else {
        const std::vector<Node> children = Children(node, field.name);
        if (spec.shape == Shape::kList) {
          json list = json::array();
          for (const Node& child : children) {
            list.push_back(Object(spec.type, child, field.selections));
          }
          out[field.ResponseKey()] = std::move(list);
        } else {
          out[field.ResponseKey()] =
              children.empty() ? json(nullptr) : Object(spec.type, children[0], field.selections);
        }
      }
    }
    return out;
  }

  // Checks a filter argument; returns false (with an error) if it is bad.
  bool CheckFilter(const std::string& type_name, const json& filter, const Field& field,
                   const json& path) {
    const auto bad = [&](const std::string& why) {
      Error(
          fmt::format("Argument 'filter' on field '{}' has an invalid value: {}", field.name, why),
          field.location, path);
      return false;
    };
    if (filter.is_null()) {
      return true;
    }
    if (!filter.is_object()) {
      return bad("expected an input object");
    }
    const TypeSpec& type = GetSchema().at(type_name);
    for (const auto& [name, ops] : filter.items()) {
      const std::string_view target = FilterField(name);
      auto it = type.find(target);
      if (it == type.end() || it->second.shape != Shape::kScalar || target == "__typename") {
        return bad(fmt::format("'{}' is not a filterable field of {}", name, type_name));
      }
      if (!ops.is_object()) {
        return bad(fmt::format("'{}' needs an object of operators such as {{eq: ...}}", name));
      }
      for (const auto& [op, operand] : ops.items()) {
        if (std::find(kOperators.begin(), kOperators.end(), op) == kOperators.end()) {
          return bad(
              fmt::format("unknown operator '{}' (eq, in, ilike, like, between, gt, gteq, "
                          "lt, lteq, from, to, filled)",
                          op));
        }
        if (op == "filled" && !operand.is_boolean()) {
          return bad("'filled' takes true or false");
        }
        if (op == "in" && !operand.is_array()) {
          return bad("'in' takes a list");
        }
        if (op == "between" && !(operand.is_array() && operand.size() == 2)) {
          return bad("'between' takes a list of two values");
        }
        if ((op == "like" || op == "ilike") && !operand.is_string()) {
          return bad(fmt::format("'{}' takes a string pattern", op));
        }
        const bool time = IsTimeField(target);
        const auto check = [&](const json& v) { return v.is_null() || MakeKey(v, time); };
        const bool ok = operand.is_array() ? std::all_of(operand.begin(), operand.end(), check)
                                           : (op == "filled" || check(operand));
        if (!ok) {
          return bad(fmt::format("'{}' {} needs {}", name, op,
                                 time ? "ISO 8601 date-times" : "a string or number"));
        }
      }
    }
    return true;
  }

  static bool Matches(const json& scalars, const json& filter) {
    for (const auto& [name, ops] : filter.items()) {
      const std::string field(FilterField(name));
      const bool time = IsTimeField(field);
      const json& value = scalars.at(field);
      const Key key = *MakeKey(value, time);
      for (const auto& [op, operand] : ops.items()) {
        if (op == "filled") {
          const bool filled =
              !value.is_null() && !(value.is_string() && value.get<std::string>().empty());
          if (filled != operand.get<bool>()) {
            return false;
          }
          continue;
        }
        if (op == "like" || op == "ilike") {
          if (key.kind == Key::Kind::kNull ||
              !Like(value.is_string() ? value.get<std::string>() : value.dump(),
                    operand.get<std::string>(), op == "ilike")) {
            return false;
          }
          continue;
        }
        const auto cmp = [&](const json& v) { return Compare(key, *MakeKey(v, time)); };
        bool ok = false;
        if (op == "eq") {
          ok = cmp(operand) == 0 || (operand.is_null() && value.is_null());
        } else if (op == "in") {
          ok = std::any_of(operand.begin(), operand.end(),
                           [&](const json& v) { return cmp(v) == 0; });
        } else if (op == "between") {
          const auto lo = cmp(operand[0]);
          const auto hi = cmp(operand[1]);
          ok = lo && hi && *lo >= 0 && *hi <= 0;
        } else {
          const auto c = cmp(operand);
          ok = c && ((op == "gt" && *c > 0) || ((op == "gteq" || op == "from") && *c >= 0) ||
                     (op == "lt" && *c < 0) || ((op == "lteq" || op == "to") && *c <= 0));
        }
        if (!ok) {
          return false;
        }
      }
    }
    return true;
  }

  json Connection(const std::string& type_name, const Field& field, const json& path) {
    json first = nullptr;
    json after = nullptr;
    json filter = nullptr;
    for (const auto& argument : field.arguments) {
      const json value = Resolve(argument.value, path);
      if (argument.name == "first") {
        first = value;
      } else if (argument.name == "after") {
        after = value;
      } else {
        filter = value;
      }
    }
    std::int64_t limit = max_page_size_;
    if (!first.is_null()) {
      if (!first.is_number_integer() || first.get<std::int64_t>() < 0) {
        Error(fmt::format("Argument 'first' on field '{}' has an invalid value ({}). Expected type "
                          "'Int' (0 or more).",
                          field.name, first.dump()),
              field.location, path);
        return nullptr;
      }
      limit = std::min<std::int64_t>(first.get<std::int64_t>(), max_page_size_);
    }
    std::optional<std::int64_t> after_id;
    if (!after.is_null()) {
      after_id = after.is_string() ? ParseCursor(after.get<std::string>()) : std::nullopt;
      if (!after_id) {
        Error(fmt::format("Argument 'after' on field '{}' has an invalid value ({}): not a cursor "
                          "from this connection",
                          field.name, after.dump()),
              field.location, path);
        return nullptr;
      }
    }
    if (!CheckFilter(type_name, filter, field, path)) {
      return nullptr;
    }
    // Without totalCount or hasPreviousPage, a page needs only the records
    // after its cursor, and one more than it holds (for hasNextPage).
    bool need_all = false;
    for (const Field& f : field.selections) {
      need_all = need_all || f.name == "totalCount" ||
                 (f.name == "pageInfo" &&
                  std::any_of(f.selections.begin(), f.selections.end(),
                              [](const Field& p) { return p.name == "hasPreviousPage"; }));
    }
    QuickFilter quick(filter);
    if (!need_all) {
      quick.after_id = after_id;
    }
    std::vector<Node> matching;
    for (const Node& node : Candidates(type_name, quick)) {
      if (filter.is_null() || filter.empty() || Matches(Scalars(node), filter)) {
        matching.push_back(node);
        if (!need_all && std::cmp_greater(matching.size(), limit)) {
          break;
        }
      }
    }
    std::size_t start = 0;
    if (after_id) {
      while (start < matching.size() && IdOf(matching[start]) <= *after_id) {
        ++start;
      }
    }
    const std::size_t end = std::min(matching.size(), start + static_cast<std::size_t>(limit));
    json out = json::object();
    for (const Field& f : field.selections) {
      if (f.name == "__typename") {
        out[f.ResponseKey()] = type_name + "Connection";
      } else if (f.name == "totalCount") {
        out[f.ResponseKey()] = matching.size();
      } else if (f.name == "pageInfo") {
        json info = json::object();
        for (const Field& p : f.selections) {
          json v = nullptr;
          if (p.name == "hasNextPage") {
            v = end < matching.size();
          } else if (p.name == "hasPreviousPage") {
            v = start > 0;
          } else if (p.name == "startCursor" && start < end) {
            v = Cursor(IdOf(matching[start]));
          } else if (p.name == "endCursor" && start < end) {
            v = Cursor(IdOf(matching[end - 1]));
          } else if (p.name == "__typename") {
            v = "PageInfo";
          }
          info[p.ResponseKey()] = std::move(v);
        }
        out[f.ResponseKey()] = std::move(info);
      } else {
        json edges = json::array();
        for (std::size_t i = start; i < end; ++i) {
          json edge = json::object();
          for (const Field& e : f.selections) {
            if (e.name == "cursor") {
              edge[e.ResponseKey()] = Cursor(IdOf(matching[i]));
            } else if (e.name == "node") {
              edge[e.ResponseKey()] = Object(type_name, matching[i], e.selections);
            } else {
              edge[e.ResponseKey()] = type_name + "Edge";
            }
          }
          edges.push_back(std::move(edge));
        }
        out[f.ResponseKey()] = std::move(edges);
      }
    }
    return out;
  }

  const WarehouseState& state_;
  json variables_;
  const int max_page_size_;
  std::set<std::string> defined_;
  std::vector<StockRow> stock_rows_;
};

GraphqlReply Errors(const std::vector<json>& errors) {
  return {200, json{{"errors", errors}}.dump()};
}

GraphqlReply OneError(const std::string& message) { return Errors({json{{"message", message}}}); }

}  // namespace

GraphqlExecutor::GraphqlExecutor(Warehouse* warehouse, int max_page_size)
    : warehouse_(warehouse), max_page_size_(max_page_size) {}

GraphqlReply GraphqlExecutor::Execute(std::string_view request_body) {
  json request = json::parse(request_body, nullptr, false);
  if (request.is_discarded() || !request.is_object() || !request.contains("query") ||
      !request["query"].is_string()) {
    return {400, json{{"errors",
                       {{{"message",
                          "The body must be a JSON object with a \"query\" "
                          "string"}}}}}
                     .dump()};
  }
  json variables = request.value("variables", json::object());
  if (variables.is_null()) {
    variables = json::object();
  }
  if (!variables.is_object()) {
    return OneError("\"variables\" must be an object");
  }
  const std::string operation_name =
      request.contains("operationName") && request["operationName"].is_string()
          ? request["operationName"].get<std::string>()
          : "";
  Location error_location;
  auto document = graphql::ParseDocument(request["query"].get<std::string>(), &error_location);
  if (!document.ok()) {
    return Errors({json{{"message", document.status().message()},
                        {"locations", json::array({{{"line", error_location.line},
                                                    {"column", error_location.column}}})}}});
  }
  const graphql::Operation* operation = nullptr;
  for (const auto& candidate : document->operations) {
    if (operation_name.empty() ? document->operations.size() == 1
                               : candidate.name == operation_name) {
      operation = &candidate;
    }
  }
  if (operation == nullptr) {
    return OneError(operation_name.empty()
                        ? "An operation name is required when the document has several operations"
                        : fmt::format("Unknown operation named \"{}\".", operation_name));
  }
  if (operation->type != "query") {
    return OneError(
        fmt::format("{} is not supported: Clarus writes go through the REST API", operation->type));
  }
  GraphqlReply reply;
  warehouse_->Read([&](const WarehouseState& state) {
    Run run(state, variables, max_page_size_);
    run.DefineVariables(operation->variables);
    run.Validate("Query", operation->selections, json::array());
    if (!run.errors.empty()) {
      reply = Errors(run.errors);
      return;
    }
    json data = run.ExecuteQuery(operation->selections);
    reply = run.errors.empty() ? GraphqlReply{200, json{{"data", std::move(data)}}.dump()}
                               : Errors(run.errors);
  });
  return reply;
}

}  // namespace sellerbridge::emulators::clarus
