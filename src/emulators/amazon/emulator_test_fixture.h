#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/time_format.h"
#include "emulators/amazon/amazon_emulator.h"
#include "emulators/amazon/formats/json_schema.h"

namespace sellerbridge::emulators::amazon {

// The models every response is checked against.
inline const std::vector<std::string>& ModelFiles() {
  static const std::vector<std::string> kFiles = {
      "orders_2026-01-01.json",        "ordersV0.json",         "tokens_2021-03-01.json",
      "listingsItems_2021-08-01.json", "feeds_2021-06-30.json", "reports_2021-06-30.json",
      "merchantFulfillmentV0.json"};
  return kFiles;
}

inline const nlohmann::json& Model(const std::string& file) {
  static std::mutex mu;
  static std::map<std::string, nlohmann::json> models;
  std::lock_guard lock(mu);
  auto it = models.find(file);
  if (it == models.end()) {
    std::ifstream in(std::string(SELLERBRIDGE_SOURCE_DIR) + "/../shared/amazon/spapi-models/" +
                     file);
    std::stringstream text;
    text << in.rdbuf();
    it = models.emplace(file, nlohmann::json::parse(text.str(), nullptr, false)).first;
  }
  return it->second;
}

inline bool TemplateMatches(const std::string& pattern, const std::string& path) {
  std::vector<std::string> want;
  std::vector<std::string> have;
  for (auto [text, out] : {std::pair{&pattern, &want}, std::pair{&path, &have}}) {
    std::stringstream in(*text);
    std::string part;
    while (std::getline(in, part, '/')) {
      if (!part.empty()) {
        out->push_back(part);
      }
    }
  }
  if (want.size() != have.size()) {
    return false;
  }
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i].front() != '{' && want[i] != have[i]) {
      return false;
    }
  }
  return true;
}

// Checks `body` against the schema the official model declares for `method`
// `path` answering `status`. Returns the number of responses checked (0 when
// no model covers the path, as for /auth/o2/token and /_emulator/).
inline int ExpectMatchesModel(const std::string& method, const std::string& path, int status,
                              const std::string& body) {
  std::string lower_method = method;
  for (char& c : lower_method) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  for (const std::string& file : ModelFiles()) {
    const nlohmann::json& model = Model(file);
    const std::string* best = nullptr;
    int best_literals = -1;
    for (const auto& [pattern, operations] : model["paths"].items()) {
      if (!operations.contains(lower_method) || !TemplateMatches(pattern, path)) {
        continue;
      }
      const int literals = static_cast<int>(std::count(pattern.begin(), pattern.end(), '/')) -
                           static_cast<int>(std::count(pattern.begin(), pattern.end(), '{'));
      if (literals > best_literals) {
        best_literals = literals;
        best = &pattern;
      }
    }
    if (best == nullptr) {
      continue;
    }
    const nlohmann::json& responses = model["paths"][*best][lower_method]["responses"];
    const std::string code = std::to_string(status);
    EXPECT_TRUE(responses.contains(code))
        << method << " " << path << ": status " << status << " is not declared by " << file;
    if (!responses.contains(code) || !responses[code].contains("schema")) {
      EXPECT_TRUE(body.empty()) << method << " " << path << " " << status
                                << " has a body: " << body;
      return 1;
    }
    const std::string ref = responses[code]["schema"]["$ref"].get<std::string>();
    auto schema = JsonSchema::Create(model, ref);
    EXPECT_TRUE(schema.ok()) << ref;
    const auto value = nlohmann::json::parse(body, nullptr, false);
    EXPECT_FALSE(value.is_discarded()) << method << " " << path << ": not JSON: " << body;
    if (schema.ok() && !value.is_discarded()) {
      const std::vector<std::string> violations = schema->Validate(value);
      std::string all;
      for (const std::string& violation : violations) {
        all += violation + "\n";
      }
      EXPECT_TRUE(violations.empty())
          << method << " " << path << " " << status << " against " << file << " " << ref << ":\n"
          << all << body.substr(0, 2000);
    }
    return 1;
  }
  return 0;
}

// The emulator on loopback over a VirtualClock, with helpers that call it the
// way a client would and check every answer against the official models.
class EmulatorTest : public ::testing::Test {
 protected:
  // Wednesday 25 November 2026, 10:00 UTC (10:00 in London).
  static TimePoint Start() { return *ParseIso8601("2026-11-25T10:00:00Z"); }

  void SetUp() override { StartEmulator(""); }

  void StartEmulator(const std::string& scenario_toml) {
    if (emulator_) {
      emulator_->Stop();
      emulator_.reset();
    }
    AmazonEmulatorOptions options;
    options.seed = 7;
    options.worker_threads = 4;
    if (!scenario_toml.empty()) {
      options.scenario_toml = scenario_toml;
    }
    auto created = AmazonEmulator::Create(options, &clock_);
    ASSERT_TRUE(created.ok()) << created.status();
    emulator_ = *std::move(created);
    ASSERT_TRUE(emulator_->Start("127.0.0.1", 0).ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", emulator_->Port());
    client_->set_read_timeout(10, 0);
    token_ = emulator_->IssueAccessToken();
    token_issued_ = clock_.Now();
  }

  void TearDown() override {
    if (emulator_) {
      emulator_->Stop();
    }
  }

  httplib::Headers Auth(const std::string& token) const {
    return {{"x-amz-access-token", token}, {"user-agent", "sellerbridge-test/1.0"}};
  }

  // Sends a request with `token` (the fixture's LWA token by default) and
  // checks the answer against the model.
  httplib::Result Call(const std::string& method, const std::string& path_and_query,
                       const std::string& body = "", const std::optional<std::string>& token = {}) {
    // Like a real client, refresh the LWA token before its hour is up.
    if (!token && clock_.Now() - token_issued_ >= std::chrono::minutes(55)) {
      token_ = emulator_->IssueAccessToken();
      token_issued_ = clock_.Now();
    }
    const httplib::Headers headers = Auth(token.value_or(token_));
    httplib::Result result = [&] {
      if (method == "GET") {
        return client_->Get(path_and_query, headers);
      }
      if (method == "PATCH") {
        return client_->Patch(path_and_query, headers, body, "application/json");
      }
      return client_->Post(path_and_query, headers, body, "application/json");
    }();
    if (result) {
      EXPECT_FALSE(result->get_header_value("x-amzn-RequestId").empty()) << path_and_query;
      const std::string path = path_and_query.substr(0, path_and_query.find('?'));
      ExpectMatchesModel(method, path, result->status, result->body);
    }
    return result;
  }

  nlohmann::json JsonOf(const httplib::Result& result) {
    return nlohmann::json::parse(result->body, nullptr, false);
  }

  // Places an order through the in-process API; one line per (sku, quantity).
  std::string PlaceOrder(const std::vector<std::pair<std::string, int>>& lines,
                         bool prime = false) {
    NewOrder order;
    order.is_prime = prime;
    for (const auto& [sku, quantity] : lines) {
      order.lines.push_back({.sku = sku, .quantity = quantity});
    }
    auto id = emulator_->AddOrder(order);
    EXPECT_TRUE(id.ok()) << id.status();
    return id.ok() ? *id : "";
  }

  // A valid confirmShipment body for every unshipped unit of `order_id`.
  nlohmann::json ConfirmBody(const std::string& order_id, const std::string& package = "1",
                             const std::string& carrier = "Royal Mail",
                             const std::string& tracking = "AB123456789GB") {
    const auto order = emulator_->GetOrder(order_id);
    nlohmann::json items = nlohmann::json::array();
    for (const OrderLine& line : order->lines) {
      items.push_back({{"orderItemId", line.order_item_id},
                       {"quantity", line.quantity_ordered - line.quantity_shipped}});
    }
    return {{"marketplaceId", order->marketplace_id},
            {"packageDetail",
             {{"packageReferenceId", package},
              {"carrierCode", carrier},
              {"shippingMethod", "Tracked 24"},
              {"trackingNumber", tracking},
              {"shipDate", FormatIso8601(clock_.Now())},
              {"orderItems", items}}}};
  }

  httplib::Result Confirm(const std::string& order_id, const nlohmann::json& body) {
    return Call("POST", "/orders/v0/orders/" + order_id + "/shipmentConfirmation", body.dump());
  }

  VirtualClock clock_{Start()};
  std::unique_ptr<AmazonEmulator> emulator_;
  std::unique_ptr<httplib::Client> client_;
  std::string token_;
  TimePoint token_issued_;
};

}  // namespace sellerbridge::emulators::amazon
