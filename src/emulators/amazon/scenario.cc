#include "emulators/amazon/scenario.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <fstream>
#include <set>
#include <sstream>

#include "base/marketplace.h"
#include "base/status_macros.h"

namespace sellerbridge::emulators::amazon {
namespace {

// Reads typed values out of one TOML table, naming the full key in errors.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string prefix, std::string_view source)
      : table_(table), prefix_(std::move(prefix)), source_(source) {}

  Status String(std::string_view key, std::string& out) const {
    const toml::node* node = table_.get(key);
    if (node == nullptr) {
      return Status::Ok();
    }
    const auto value = node->value<std::string>();
    if (!node->is_string() || !value) {
      return Error(key, *node, "must be a string");
    }
    out = *value;
    return Status::Ok();
  }

  Status Int(std::string_view key, int& out, std::int64_t min, std::int64_t max) const {
    const toml::node* node = table_.get(key);
    if (node == nullptr) {
      return Status::Ok();
    }
    const auto value = node->value<std::int64_t>();
    if (!node->is_integer() || !value || *value < min || *value > max) {
      return Error(key, *node, fmt::format("must be an integer from {} to {}", min, max));
    }
    out = static_cast<int>(*value);
    return Status::Ok();
  }

  Status Double(std::string_view key, double& out, double min, double max) const {
    const toml::node* node = table_.get(key);
    if (node == nullptr) {
      return Status::Ok();
    }
    const auto value = node->value<double>();
    if (!(node->is_number()) || !value || *value < min || *value > max) {
      return Error(key, *node, fmt::format("must be a number from {} to {}", min, max));
    }
    out = *value;
    return Status::Ok();
  }

  Status Bool(std::string_view key, bool& out) const {
    const toml::node* node = table_.get(key);
    if (node == nullptr) {
      return Status::Ok();
    }
    const auto value = node->value<bool>();
    if (!node->is_boolean() || !value) {
      return Error(key, *node, "must be true or false");
    }
    out = *value;
    return Status::Ok();
  }

  Status Strings(std::string_view key, std::vector<std::string>& out) const {
    const toml::node* node = table_.get(key);
    if (node == nullptr) {
      return Status::Ok();
    }
    const toml::array* array = node->as_array();
    if (array == nullptr) {
      return Error(key, *node, "must be an array of strings");
    }
    std::vector<std::string> values;
    for (const toml::node& element : *array) {
      const auto value = element.value<std::string>();
      if (!element.is_string() || !value) {
        return Error(key, element, "must be an array of strings");
      }
      values.push_back(*value);
    }
    out = std::move(values);
    return Status::Ok();
  }

  Status Error(std::string_view key, const toml::node& node, std::string_view what) const {
    return InvalidArgumentError(
        fmt::format("{}:{}: {}{}: {}", source_, node.source().begin.line, prefix_, key, what));
  }

  std::string Key(std::string_view key) const { return prefix_ + std::string(key); }

 private:
  const toml::table& table_;
  std::string prefix_;
  std::string_view source_;
};

// "12.34" → 1234. Two decimals at most, no sign.
Result<std::int64_t> ParsePrice(std::string_view text) {
  std::int64_t units = 0;
  std::int64_t fraction = 0;
  int fraction_digits = -1;
  for (const char c : text) {
    if (c == '.' && fraction_digits < 0) {
      fraction_digits = 0;
    } else if (c >= '0' && c <= '9' && fraction_digits < 0 && units < 1'000'000'000) {
      units = units * 10 + (c - '0');
    } else if (c >= '0' && c <= '9' && fraction_digits >= 0 && fraction_digits < 2) {
      fraction = fraction * 10 + (c - '0');
      ++fraction_digits;
    } else {
      return InvalidArgumentError(fmt::format(R"("{}" is not a price such as "12.99")", text));
    }
  }
  if (text.empty() || fraction_digits == 0) {
    return InvalidArgumentError(fmt::format(R"("{}" is not a price such as "12.99")", text));
  }
  if (fraction_digits == 1) {
    fraction *= 10;
  }
  return units * 100 + fraction;
}

Status ReadCatalogue(const toml::array& array, std::string_view source, Scenario& scenario) {
  std::set<std::string> seen;
  scenario.catalogue.clear();
  int index = 0;
  for (const toml::node& node : array) {
    const toml::table* table = node.as_table();
    const std::string prefix = fmt::format("catalogue[{}].", index++);
    if (table == nullptr) {
      return InvalidArgumentError(
          fmt::format("{}:{}: {} must be a table", source, node.source().begin.line, prefix));
    }
    const TableReader reader(*table, prefix, source);
    CatalogueItem item;
    RETURN_IF_ERROR(reader.String("sku", item.sku));
    RETURN_IF_ERROR(reader.String("asin", item.asin));
    RETURN_IF_ERROR(reader.String("title", item.title));
    RETURN_IF_ERROR(reader.String("product_type", item.product_type));
    RETURN_IF_ERROR(reader.String("category", item.category));
    RETURN_IF_ERROR(reader.Int("quantity", item.quantity, 0, 1'000'000'000));
    std::string price;
    RETURN_IF_ERROR(reader.String("price", price));
    if (!price.empty()) {
      auto minor = ParsePrice(price);
      if (!minor.ok()) {
        return reader.Error("price", *table->get("price"), minor.status().message());
      }
      item.price_minor = *minor;
    }
    if (item.sku.empty() || !seen.insert(item.sku).second) {
      return InvalidArgumentError(fmt::format("{}:{}: {}sku must be present and unique", source,
                                              table->source().begin.line, prefix));
    }
    if (item.asin.empty()) {
      item.asin = fmt::format("B0EMU{:05d}", seen.size());
    }
    if (item.title.empty()) {
      item.title = item.sku;
    }
    scenario.catalogue.push_back(std::move(item));
  }
  return Status::Ok();
}

Status ReadGenerator(const toml::table& table, std::string_view source, GeneratorOptions& out) {
  const TableReader reader(table, "generator.", source);
  RETURN_IF_ERROR(reader.Bool("enabled", out.enabled));
  RETURN_IF_ERROR(reader.Double("orders_per_day", out.orders_per_day, 0, 10'000'000));
  RETURN_IF_ERROR(reader.Double("mean_lines_per_order", out.mean_lines_per_order, 1, 20));
  RETURN_IF_ERROR(reader.Int("max_quantity_per_line", out.max_quantity_per_line, 1, 100));
  RETURN_IF_ERROR(reader.Double("prime_share", out.prime_share, 0, 1));
  RETURN_IF_ERROR(reader.Double("buyer_cancel_share", out.buyer_cancel_share, 0, 1));
  RETURN_IF_ERROR(reader.Int("pending_seconds", out.pending_seconds, 0, std::int64_t{7} * 86400));
  RETURN_IF_ERROR(reader.Int("handling_days", out.handling_days, 0, 30));
  RETURN_IF_ERROR(reader.Int("cutoff_hour", out.cutoff_hour, 0, 24));
  if (const toml::node* node = table.get("service_levels"); node != nullptr) {
    const toml::array* array = node->as_array();
    if (array == nullptr) {
      return reader.Error("service_levels", *node, "must be an array of tables");
    }
    out.service_levels.clear();
    for (const toml::node& element : *array) {
      const toml::table* level_table = element.as_table();
      if (level_table == nullptr) {
        return reader.Error("service_levels", element, "must be an array of tables");
      }
      const TableReader level_reader(*level_table, "generator.service_levels.", source);
      ServiceLevel level;
      RETURN_IF_ERROR(level_reader.String("name", level.name));
      RETURN_IF_ERROR(level_reader.String("category", level.category));
      RETURN_IF_ERROR(level_reader.Double("share", level.share, 0, 1e9));
      if (level.name.empty() || level.category.empty()) {
        return reader.Error("service_levels", element, "each needs a name and a category");
      }
      out.service_levels.push_back(std::move(level));
    }
  }
  return Status::Ok();
}

Status ReadPerOperation(const toml::table& root, std::string_view source, Scenario& scenario) {
  if (const toml::table* limits = root["rate_limits"].as_table(); limits != nullptr) {
    for (const auto& [key, node] : *limits) {
      const toml::table* table = node.as_table();
      const std::string prefix = fmt::format("rate_limits.{}.", key.str());
      if (table == nullptr) {
        return InvalidArgumentError(
            fmt::format("{}:{}: {} must be a table", source, node.source().begin.line, prefix));
      }
      const TableReader reader(*table, prefix, source);
      RateOverride limit{.rate_per_second = 1, .burst = 1};
      RETURN_IF_ERROR(reader.Double("rate", limit.rate_per_second, 0, 1e9));
      RETURN_IF_ERROR(reader.Int("burst", limit.burst, 1, 1'000'000'000));
      scenario.rate_overrides[std::string(key.str())] = limit;
    }
  }
  if (const toml::table* faults = root["faults"].as_table(); faults != nullptr) {
    for (const auto& [key, node] : *faults) {
      const toml::table* table = node.as_table();
      const std::string prefix = fmt::format("faults.{}.", key.str());
      if (table == nullptr) {
        return InvalidArgumentError(
            fmt::format("{}:{}: {} must be a table", source, node.source().begin.line, prefix));
      }
      const TableReader reader(*table, prefix, source);
      OperationFaults fault;
      RETURN_IF_ERROR(reader.Double("error_rate", fault.error_rate, 0, 1));
      RETURN_IF_ERROR(reader.Double("timeout_rate", fault.timeout_rate, 0, 1));
      RETURN_IF_ERROR(reader.Double("timeout_seconds", fault.timeout_seconds, 0, 600));
      RETURN_IF_ERROR(reader.Double("silent_drop_rate", fault.silent_drop_rate, 0, 1));
      RETURN_IF_ERROR(reader.Double("stuck_feed_rate", fault.stuck_feed_rate, 0, 1));
      scenario.faults[std::string(key.str())] = fault;
    }
  }
  return Status::Ok();
}

}  // namespace

Scenario DefaultScenario() {
  Scenario scenario;
  scenario.catalogue = {
      {.sku = "SB-MUG-001",
       .asin = "B0EMU00001",
       .title = "Enamel mug",
       .product_type = "DRINKING_CUP",
       .category = "Kitchen",
       .quantity = 250,
       .price_minor = 1299},
      {.sku = "SB-TEE-002",
       .asin = "B0EMU00002",
       .title = "Cotton T-shirt",
       .product_type = "SHIRT",
       .category = "Apparel",
       .quantity = 400,
       .price_minor = 1999},
      {.sku = "SB-BAG-003",
       .asin = "B0EMU00003",
       .title = "Weekend bag",
       .product_type = "LUGGAGE",
       .category = "Luggage",
       .quantity = 60,
       .price_minor = 5999},
  };
  scenario.generator.service_levels = {
      {.name = "Std UK Dom_1", .category = "Standard", .share = 0.8},
      {.name = "Exp UK Dom_1", .category = "Expedited", .share = 0.15},
      {.name = "NextDay UK Dom_1", .category = "NextDay", .share = 0.05},
  };
  return scenario;
}

Result<Scenario> ParseScenario(std::string_view toml_text, std::string_view source_name) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& error) {
    return InvalidArgumentError(
        fmt::format("{}:{}: {}", source_name, error.source().begin.line, error.description()));
  }
  Scenario scenario = DefaultScenario();
  const TableReader reader(root, "", source_name);
  RETURN_IF_ERROR(reader.String("seller_id", scenario.seller_id));
  RETURN_IF_ERROR(reader.Strings("marketplace_ids", scenario.marketplace_ids));
  RETURN_IF_ERROR(
      reader.Int("listing_processing_seconds", scenario.listing_processing_seconds, 0, 86400));
  if (scenario.seller_id.empty()) {
    return InvalidArgumentError(fmt::format("{}: seller_id must not be empty", source_name));
  }
  if (scenario.marketplace_ids.empty()) {
    return InvalidArgumentError(fmt::format("{}: marketplace_ids must not be empty", source_name));
  }
  for (const std::string& id : scenario.marketplace_ids) {
    if (FindMarketplace(id) == nullptr) {
      return InvalidArgumentError(
          fmt::format("{}: marketplace_ids: \"{}\" is not an Amazon marketplace", source_name, id));
    }
  }
  if (const toml::table* lwa = root["lwa"].as_table(); lwa != nullptr) {
    const TableReader lwa_reader(*lwa, "lwa.", source_name);
    RETURN_IF_ERROR(lwa_reader.String("client_id", scenario.lwa_client_id));
    RETURN_IF_ERROR(lwa_reader.String("client_secret", scenario.lwa_client_secret));
    RETURN_IF_ERROR(lwa_reader.Strings("refresh_tokens", scenario.refresh_tokens));
  }
  if (const toml::node* catalogue = root.get("catalogue"); catalogue != nullptr) {
    const toml::array* array = catalogue->as_array();
    if (array == nullptr) {
      return reader.Error("catalogue", *catalogue, "must be an array of tables ([[catalogue]])");
    }
    RETURN_IF_ERROR(ReadCatalogue(*array, source_name, scenario));
  }
  if (const toml::table* generator = root["generator"].as_table(); generator != nullptr) {
    RETURN_IF_ERROR(ReadGenerator(*generator, source_name, scenario.generator));
  }
  RETURN_IF_ERROR(ReadPerOperation(root, source_name, scenario));
  if (const toml::table* feeds = root["feeds"].as_table(); feeds != nullptr) {
    const TableReader feeds_reader(*feeds, "feeds.", source_name);
    FeedProcessing& out = scenario.feeds;
    RETURN_IF_ERROR(feeds_reader.Int("queue_seconds", out.queue_seconds, 0, 86400));
    RETURN_IF_ERROR(
        feeds_reader.Int("min_processing_seconds", out.min_processing_seconds, 0, 86400));
    RETURN_IF_ERROR(
        feeds_reader.Int("max_processing_seconds", out.max_processing_seconds, 0, 86400));
    RETURN_IF_ERROR(feeds_reader.Bool("compress_results", out.compress_results));
    if (out.min_processing_seconds > out.max_processing_seconds) {
      return InvalidArgumentError(fmt::format(
          "{}: feeds.min_processing_seconds must not exceed feeds.max_processing_seconds",
          source_name));
    }
  }
  return scenario;
}

Result<Scenario> LoadScenarioFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return NotFoundError(fmt::format("cannot read scenario file {}", path.string()));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseScenario(text.str(), path.string());
}

}  // namespace sellerbridge::emulators::amazon
