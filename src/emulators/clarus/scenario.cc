#include "emulators/clarus/scenario.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <fstream>
#include <set>
#include <sstream>

#include "base/status_macros.h"
#include "base/time_format.h"

namespace sellerbridge::emulators::clarus {
namespace {

// Reads one TOML table, remembering which keys were used so that a misspelt
// key is reported instead of silently ignored.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string where, std::string_view file)
      : table_(table), where_(std::move(where)), file_(file) {}

  Status String(std::string_view key, std::string& out) {
    const toml::node* node = Use(key);
    if (node == nullptr) {
      return Status::Ok();
    }
    const auto* value = node->as_string();
    if (value == nullptr) {
      return Error(*node, key, "must be a string");
    }
    out = value->get();
    return Status::Ok();
  }

  Status Int(std::string_view key, std::int64_t& out) {
    const toml::node* node = Use(key);
    if (node == nullptr) {
      return Status::Ok();
    }
    const auto* value = node->as_integer();
    if (value == nullptr) {
      return Error(*node, key, "must be an integer");
    }
    out = value->get();
    return Status::Ok();
  }

  Status Bool(std::string_view key, bool& out) {
    const toml::node* node = Use(key);
    if (node == nullptr) {
      return Status::Ok();
    }
    const auto* value = node->as_boolean();
    if (value == nullptr) {
      return Error(*node, key, "must be true or false");
    }
    out = value->get();
    return Status::Ok();
  }

  // A number in [0, 1] when `probability`, else any non-negative number.
  Status Number(std::string_view key, double& out, bool probability) {
    const toml::node* node = Use(key);
    if (node == nullptr) {
      return Status::Ok();
    }
    double value = 0;
    if (const auto* f = node->as_floating_point()) {
      value = f->get();
    } else if (const auto* i = node->as_integer()) {
      value = static_cast<double>(i->get());
    } else {
      return Error(*node, key, "must be a number");
    }
    if (value < 0 || (probability && value > 1)) {
      return Error(*node, key, probability ? "must be between 0 and 1" : "must not be negative");
    }
    out = value;
    return Status::Ok();
  }

  template <typename D>
  Status Time(std::string_view key, D& out) {
    const toml::node* node = Use(key);
    if (node == nullptr) {
      return Status::Ok();
    }
    const auto* value = node->as_string();
    if (value == nullptr) {
      return Error(*node, key, "must be a duration such as \"30s\"");
    }
    auto parsed = ParseDuration(value->get());
    if (!parsed.ok()) {
      return Error(*node, key, parsed.status().message());
    }
    out = std::chrono::duration_cast<D>(*parsed);
    return Status::Ok();
  }

  // The array of tables under `key`, or null when absent.
  Result<const toml::array*> Tables(std::string_view key) {
    const toml::node* node = Use(key);
    if (node == nullptr) {
      return static_cast<const toml::array*>(nullptr);
    }
    const auto* array = node->as_array();
    if (array == nullptr || !array->is_array_of_tables()) {
      return Error(*node, key, "must be an array of tables ([[...]])");
    }
    return array;
  }

  Result<const toml::table*> Table(std::string_view key) {
    const toml::node* node = Use(key);
    if (node == nullptr) {
      return static_cast<const toml::table*>(nullptr);
    }
    const auto* table = node->as_table();
    if (table == nullptr) {
      return Error(*node, key, "must be a table");
    }
    return table;
  }

  // InvalidArgument for the first key that no reader asked for.
  Status CheckAllUsed() const {
    for (const auto& [key, node] : table_) {
      if (used_.count(std::string(key.str())) == 0) {
        return Error(node, key.str(), "is not a known key");
      }
    }
    return Status::Ok();
  }

  const std::string& Where() const { return where_; }

 private:
  const toml::node* Use(std::string_view key) {
    used_.insert(std::string(key));
    return table_.get(key);
  }

  Status Error(const toml::node& node, std::string_view key, std::string_view problem) const {
    return InvalidArgumentError(fmt::format("{}:{}: {}{}{}: {}", file_, node.source().begin.line,
                                            where_, where_.empty() ? "" : ".", key, problem));
  }

  const toml::table& table_;
  std::string where_;
  std::string_view file_;
  std::set<std::string> used_;
};

// "16:00" → 960 minutes.
Result<std::chrono::minutes> ParseTimeOfDay(const std::string& text) {
  int hours = 0;
  int minutes = 0;
  char colon = 0;
  std::istringstream in(text);
  in >> hours >> colon >> minutes;
  if (in.fail() || colon != ':' || hours < 0 || hours > 23 || minutes < 0 || minutes > 59) {
    return InvalidArgumentError(fmt::format("'{}' is not a time of day such as \"16:00\"", text));
  }
  return std::chrono::minutes{hours * 60 + minutes};
}

template <typename Fn>
Status ForEachTable(TableReader& parent, std::string_view key, std::string_view file, Fn fn) {
  ASSIGN_OR_RETURN(const toml::array* array, parent.Tables(key));
  if (array == nullptr) {
    return Status::Ok();
  }
  std::size_t index = 0;
  for (const toml::node& node : *array) {
    TableReader reader(*node.as_table(), fmt::format("{}[{}]", key, index++), file);
    RETURN_IF_ERROR(fn(reader));
    RETURN_IF_ERROR(reader.CheckAllUsed());
  }
  return Status::Ok();
}

Status ReadCarriers(TableReader& root, std::string_view file, Scenario& scenario) {
  ASSIGN_OR_RETURN(const toml::array* array, root.Tables("carriers"));
  if (array == nullptr) {
    return Status::Ok();
  }
  scenario.carriers.clear();
  scenario.carrier_services.clear();
  return ForEachTable(root, "carriers", file, [&](TableReader& r) -> Status {
    Carrier carrier;
    std::string collection = "16:00";
    RETURN_IF_ERROR(r.Int("id", carrier.id));
    RETURN_IF_ERROR(r.String("code", carrier.code));
    RETURN_IF_ERROR(r.String("name", carrier.name));
    RETURN_IF_ERROR(r.String("tracking_format", carrier.tracking_format));
    RETURN_IF_ERROR(r.String("collection_time", collection));
    RETURN_IF_ERROR(r.Time("tracking_delay", carrier.tracking_delay));
    ASSIGN_OR_RETURN(carrier.collection_time, ParseTimeOfDay(collection));
    if (carrier.id <= 0 || carrier.code.empty() || carrier.tracking_format.empty()) {
      return InvalidArgumentError(
          fmt::format("{}: {} needs a positive id, a code and a tracking_format", file, r.Where()));
    }
    if (Status each = ForEachTable(r, "services", file,
                                   [&](TableReader& s) -> Status {
                                     CarrierService service;
                                     service.carrier_id = carrier.id;
                                     RETURN_IF_ERROR(s.Int("id", service.id));
                                     RETURN_IF_ERROR(s.String("code", service.code));
                                     RETURN_IF_ERROR(s.String("name", service.name));
                                     if (service.id <= 0 || service.code.empty()) {
                                       return InvalidArgumentError(
                                           fmt::format("{}: {}.{} needs a positive id and a code",
                                                       file, r.Where(), s.Where()));
                                     }
                                     scenario.carrier_services.push_back(std::move(service));
                                     return Status::Ok();
                                   });
        !each.ok()) {
      return each;
    }
    scenario.carriers.push_back(std::move(carrier));
    return Status::Ok();
  });
}

Status ReadRoot(TableReader& root, std::string_view file, Scenario& scenario) {
  RETURN_IF_ERROR(root.String("subdomain", scenario.subdomain));
  RETURN_IF_ERROR(root.Time("token_lifetime", scenario.token_lifetime));
  std::string prefix;
  RETURN_IF_ERROR(root.String("api_prefix", prefix));
  if (!prefix.empty()) {
    scenario.api_prefix = prefix;
  }
  std::int64_t max_page_size = scenario.max_page_size;
  RETURN_IF_ERROR(root.Int("max_page_size", max_page_size));
  if (max_page_size < 1 || max_page_size > 1000) {
    return InvalidArgumentError(fmt::format("{}: max_page_size must be 1 to 1000", file));
  }
  scenario.max_page_size = static_cast<int>(max_page_size);
  RETURN_IF_ERROR(root.Bool("unique_reference", scenario.unique_reference));

  ASSIGN_OR_RETURN(const toml::array* credentials, root.Tables("credentials"));
  if (credentials != nullptr) {
    scenario.credentials.clear();
  }
  if (Status each = ForEachTable(root, "credentials", file,
                                 [&](TableReader& r) -> Status {
                                   ClientCredentials c;
                                   RETURN_IF_ERROR(r.String("client_id", c.client_id));
                                   RETURN_IF_ERROR(r.String("client_secret", c.client_secret));
                                   RETURN_IF_ERROR(r.String("user", c.user));
                                   scenario.credentials.push_back(std::move(c));
                                   return Status::Ok();
                                 });
      !each.ok()) {
    return each;
  }
  ASSIGN_OR_RETURN(const toml::array* accounts, root.Tables("accounts"));
  if (accounts != nullptr) {
    scenario.accounts.clear();
  }
  if (Status each =
          ForEachTable(root, "accounts", file,
                       [&](TableReader& r) -> Status {
                         Account a;
                         RETURN_IF_ERROR(r.Int("id", a.id));
                         RETURN_IF_ERROR(r.String("code", a.code));
                         RETURN_IF_ERROR(r.String("name", a.name));
                         RETURN_IF_ERROR(r.Bool("is_short_pickable", a.is_short_pickable));
                         scenario.accounts.push_back(std::move(a));
                         return Status::Ok();
                       });
      !each.ok()) {
    return each;
  }
  ASSIGN_OR_RETURN(const toml::array* warehouses, root.Tables("warehouses"));
  if (warehouses != nullptr) {
    scenario.warehouses.clear();
  }
  if (Status each = ForEachTable(root, "warehouses", file,
                                 [&](TableReader& r) -> Status {
                                   WarehouseInfo w;
                                   RETURN_IF_ERROR(r.Int("id", w.id));
                                   RETURN_IF_ERROR(r.String("code", w.code));
                                   RETURN_IF_ERROR(r.String("name", w.name));
                                   scenario.warehouses.push_back(std::move(w));
                                   return Status::Ok();
                                 });
      !each.ok()) {
    return each;
  }
  RETURN_IF_ERROR(ReadCarriers(root, file, scenario));
  ASSIGN_OR_RETURN(const toml::array* products, root.Tables("products"));
  if (products != nullptr) {
    scenario.products.clear();
  }
  if (Status each = ForEachTable(root, "products", file,
                                 [&](TableReader& r) -> Status {
                                   ScenarioProduct p;
                                   RETURN_IF_ERROR(r.Int("id", p.id));
                                   RETURN_IF_ERROR(r.String("account", p.account_code));
                                   RETURN_IF_ERROR(r.String("product_code", p.product_code));
                                   RETURN_IF_ERROR(r.String("name", p.name));
                                   scenario.products.push_back(std::move(p));
                                   return Status::Ok();
                                 });
      !each.ok()) {
    return each;
  }
  ASSIGN_OR_RETURN(const toml::array* stock, root.Tables("stock"));
  if (stock != nullptr) {
    scenario.stock.clear();
  }
  return ForEachTable(root, "stock", file, [&](TableReader& r) -> Status {
    ScenarioStock s;
    RETURN_IF_ERROR(r.String("product_code", s.product_code));
    RETURN_IF_ERROR(r.String("warehouse", s.warehouse_code));
    RETURN_IF_ERROR(r.Int("available", s.available));
    RETURN_IF_ERROR(r.Int("held", s.held));
    scenario.stock.push_back(std::move(s));
    return Status::Ok();
  });
}

Status ReadSections(TableReader& root, std::string_view file, Scenario& scenario) {
  ASSIGN_OR_RETURN(const toml::table* rates, root.Table("rates"));
  if (rates != nullptr) {
    TableReader r(*rates, "rates", file);
    WarehouseRates& w = scenario.rates;
    RETURN_IF_ERROR(r.Time("allocation_delay", w.allocation_delay));
    RETURN_IF_ERROR(r.Number("pick_units_per_hour", w.pick_units_per_hour, false));
    RETURN_IF_ERROR(r.Number("pack_orders_per_hour", w.pack_orders_per_hour, false));
    RETURN_IF_ERROR(r.Time("short_after", w.short_after));
    RETURN_IF_ERROR(r.Number("short_pick_rate", w.short_pick_rate, true));
    RETURN_IF_ERROR(r.Number("split_rate", w.split_rate, true));
    RETURN_IF_ERROR(r.Number("multi_parcel_rate", w.multi_parcel_rate, true));
    RETURN_IF_ERROR(r.CheckAllUsed());
    if (w.pick_units_per_hour <= 0 || w.pack_orders_per_hour <= 0) {
      return InvalidArgumentError(
          fmt::format("{}: rates: pick and pack rates must be positive", file));
    }
  }
  ASSIGN_OR_RETURN(const toml::table* faults, root.Table("faults"));
  if (faults != nullptr) {
    TableReader r(*faults, "faults", file);
    FaultRates& f = scenario.faults;
    RETURN_IF_ERROR(r.Number("rate_limited", f.rate_limited, true));
    RETURN_IF_ERROR(r.Number("server_error", f.server_error, true));
    RETURN_IF_ERROR(r.Number("slow", f.slow, true));
    RETURN_IF_ERROR(r.Time("slow_delay", f.slow_delay));
    RETURN_IF_ERROR(r.Time("retry_after", f.retry_after));
    RETURN_IF_ERROR(r.Time("lost_response_stall", f.lost_response_stall));
    RETURN_IF_ERROR(r.CheckAllUsed());
  }
  ASSIGN_OR_RETURN(const toml::table* webhooks, root.Table("webhooks"));
  if (webhooks != nullptr) {
    TableReader r(*webhooks, "webhooks", file);
    WebhookOptions& w = scenario.webhooks;
    std::int64_t max_attempts = w.max_attempts;
    RETURN_IF_ERROR(r.String("url", w.url));
    RETURN_IF_ERROR(r.String("automation_id", w.automation_id));
    RETURN_IF_ERROR(r.String("integration_id", w.integration_id));
    RETURN_IF_ERROR(r.Number("duplicate_rate", w.duplicate_rate, true));
    RETURN_IF_ERROR(r.Number("out_of_order_rate", w.out_of_order_rate, true));
    RETURN_IF_ERROR(r.Number("late_rate", w.late_rate, true));
    RETURN_IF_ERROR(r.Number("drop_rate", w.drop_rate, true));
    RETURN_IF_ERROR(r.Time("late_delay", w.late_delay));
    RETURN_IF_ERROR(r.Time("out_of_order_window", w.out_of_order_window));
    RETURN_IF_ERROR(r.Time("retry_delay", w.retry_delay));
    RETURN_IF_ERROR(r.Int("max_attempts", max_attempts));
    RETURN_IF_ERROR(r.Time("timeout", w.timeout));
    RETURN_IF_ERROR(r.CheckAllUsed());
    if (max_attempts < 1 || max_attempts > 100) {
      return InvalidArgumentError(fmt::format("{}: webhooks.max_attempts must be 1 to 100", file));
    }
    w.max_attempts = static_cast<int>(max_attempts);
  }
  return Status::Ok();
}

}  // namespace

Scenario Scenario::Default() {
  using std::chrono::hours;
  using std::chrono::minutes;
  Scenario s;
  s.accounts = {{1, "SELLER1", "Sellerbridge Test Seller", true}};
  s.warehouses = {{1, "MAIN", "Main Warehouse"}};
  // Tracking formats follow each carrier's public numbering: Royal Mail S10
  // (2 letters, 9 digits, GB), DPD's 14-digit parcel number, Parcelforce's
  // 2 letters + 8 digits, Evri's 16 characters, UPS's 1Z numbers and DHL
  // Express's 10 digits.
  s.carriers = {
      {1, "ROYALMAIL", "Royal Mail", "AA#########GB", minutes{17 * 60}, {}},
      {2, "DPD", "DPD", "15############", minutes{18 * 60}, {}},
      {3, "PARCELFORCE", "Parcelforce Worldwide", "PB########", minutes{16 * 60}, {}},
      {4, "EVRI", "Evri", "H##XXX##########", minutes{15 * 60}, hours{1}},
      {5, "UPS", "UPS", "1ZXXXXXX##########", minutes{17 * 60}, {}},
      {6, "DHL", "DHL Express", "##########", minutes{16 * 60}, {}},
  };
  s.carrier_services = {
      {1, 1, "RM24", "Royal Mail Tracked 24"},
      {2, 1, "RM48", "Royal Mail Tracked 48"},
      {3, 1, "RM1CLS", "Royal Mail 1st Class"},
      {4, 2, "DPDNEXTDAY", "DPD Next Day"},
      {5, 2, "DPD12", "DPD by 12"},
      {6, 3, "PF24", "Parcelforce express24"},
      {7, 3, "PF48", "Parcelforce express48"},
      {8, 4, "EVRI48", "Evri Standard 48"},
      {9, 4, "EVRINEXT", "Evri Next Day"},
      {10, 5, "UPSSTD", "UPS Standard"},
      {11, 5, "UPSEXPSAVER", "UPS Express Saver"},
      {12, 6, "DHLEXP", "DHL Express Worldwide"},
      {13, 6, "DHLDOM", "DHL Express Domestic"},
  };
  s.products = {{1, "SELLER1", "SKU-001", "Blue Mug"},
                {2, "SELLER1", "SKU-002", "Red Teapot"},
                {3, "SELLER1", "SKU-003", "Green Coaster Set"}};
  s.stock = {{"SKU-001", "MAIN", 100, 0}, {"SKU-002", "MAIN", 50, 0}, {"SKU-003", "MAIN", 200, 0}};
  return s;
}

Result<Scenario> ParseScenario(std::string_view text, std::string_view name) {
  toml::table root;
  try {
    root = toml::parse(text, name);
  } catch (const toml::parse_error& error) {
    return InvalidArgumentError(
        fmt::format("{}:{}: {}", name, error.source().begin.line, error.description()));
  }
  Scenario scenario = Scenario::Default();
  TableReader reader(root, "", name);
  RETURN_IF_ERROR(ReadRoot(reader, name, scenario));
  RETURN_IF_ERROR(ReadSections(reader, name, scenario));
  RETURN_IF_ERROR(reader.CheckAllUsed());
  if (scenario.subdomain.empty() || scenario.credentials.empty() || scenario.accounts.empty() ||
      scenario.warehouses.empty()) {
    return InvalidArgumentError(fmt::format(
        "{}: a scenario needs a subdomain, credentials, an account and a warehouse", name));
  }
  return scenario;
}

Result<Scenario> LoadScenario(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return NotFoundError(fmt::format("cannot read scenario file {}", path.string()));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseScenario(text.str(), path.string());
}

}  // namespace sellerbridge::emulators::clarus
