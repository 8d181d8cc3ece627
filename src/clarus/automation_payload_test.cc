// Automation (webhook) payloads: real deliveries of the Clarus emulator's
// dispatcher to a receiver on loopback, and malformed ones.
#include "clarus/automation_payload.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>

#include "clarus/connector_test_fixture.h"
#include "http/server.h"

namespace sellerbridge::clarus {
namespace {

using nlohmann::json;

// A webhook receiver on 127.0.0.1 that keeps every delivery.
class Receiver {
 public:
  struct Delivery {
    http::Headers headers;
    std::string body;
  };

  Receiver() {
    server_.Route("POST", "/hooks/clarus", [this](const http::Request& request) {
      std::lock_guard lock(mu_);
      deliveries_.push_back({request.headers, request.body});
      cv_.notify_all();
      return http::Response::Empty(204);
    });
    EXPECT_TRUE(server_.Start("127.0.0.1", 0).ok());
  }

  std::string Url() const {
    return fmt::format("http://127.0.0.1:{}/hooks/clarus", server_.Port());
  }

  // The first `count` deliveries, once they have come (the dispatcher posts
  // from its own thread); fewer if they do not come within a generous bound.
  std::vector<Delivery> Await(std::size_t count) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds{10}, [&] { return deliveries_.size() >= count; });
    return deliveries_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Delivery> deliveries_;  // Guarded by mu_.
  http::Server server_;
};

class AutomationPayloadTest : public ClarusConnectorTest {
 protected:
  void SetUp() override {
    ClarusConnectorTest::SetUp();
    emulator::WebhookOptions options = emulator_->Webhooks().Options();
    options.url = receiver_.Url();
    options.automation_id = "77";
    options.integration_id = "5";
    emulator_->Webhooks().SetOptions(options);
  }

  // The dispatcher stops before the receiver goes.
  void TearDown() override { emulator_->Stop(); }

  Receiver receiver_;
};

http::Headers GoodHeaders() {
  return {{"X-ClarusWMS-Domain", "acme.claruswms.co.uk"},
          {"X-ClarusWMS-API-Domain", "clarus-api.com"},
          {"x-claruswms-subdomain", "acme"},
          {"X-ClarusWMS-Automation-ID", "9"},
          {"X-ClarusWMS-Integration-ID", "1"}};
}

json GoodGoodsOutBody() {
  return {{"resource_name", "goods_out"},
          {"event", "completed"},
          {"automation_id", "9"},
          {"triggered_at", "2026-11-27T17:00:00.000Z"},
          {"something_new", {{"nested", true}}},
          {"data",
           {{"id", "12"},
            {"reference", "203-5555555-0000001"},
            {"status", "COMPLETED"},
            {"updated_at", "2026-11-27T17:00:00.000Z"},
            {"goods_out_lines", json::array()}}}};
}

TEST_F(AutomationPayloadTest, ParsesRealDeliveriesOfEveryEventAsHintsToReRead) {
  const std::string order = CreateOrder("203-5555555-0000002");
  CompleteNow(order);
  ASSERT_TRUE(emulator_->GetWarehouse().AdjustStock(2, 1, 3, "found").ok());
  ASSERT_TRUE(emulator_->GetWarehouse().HoldStock(3, 1, 4).ok());
  ASSERT_TRUE(emulator_->GetWarehouse().ReleaseStock(3, 1, 4).ok());
  emulator_->Sync();

  const auto deliveries = receiver_.Await(4);
  ASSERT_EQ(deliveries.size(), 4U);
  std::vector<AutomationEvent> events;
  for (const Receiver::Delivery& delivery : deliveries) {
    auto event = ParseAutomationPayload(delivery.headers, delivery.body);
    ASSERT_TRUE(event.ok()) << event.status() << "\n" << delivery.body;
    EXPECT_TRUE(VerifyAutomationSource(event->headers, {.subdomain = GetScenario().subdomain,
                                                        .automation_ids = {"77"},
                                                        .integration_id = "5"})
                    .ok());
    EXPECT_EQ(event->triggered_at, Now());
    events.push_back(*std::move(event));
  }
  EXPECT_EQ(events[0].kind, AutomationEventKind::kGoodsOutCompleted);
  EXPECT_EQ(events[0].goods_out_id, order);
  EXPECT_EQ(events[0].goods_out_reference, "203-5555555-0000002");
  EXPECT_TRUE(events[0].product_id.empty());
  EXPECT_EQ(events[0].headers.subdomain, GetScenario().subdomain);
  EXPECT_EQ(events[0].headers.automation_id, "77");
  EXPECT_EQ(events[0].headers.integration_id, "5");
  EXPECT_FALSE(events[0].headers.domain.empty());

  EXPECT_EQ(events[1].kind, AutomationEventKind::kStockAdjusted);
  EXPECT_EQ(events[1].product_id, "2");
  EXPECT_EQ(events[1].sku, "SKU-002");
  EXPECT_EQ(events[1].warehouse_id, WarehouseId());
  EXPECT_EQ(events[1].account_id, AccountId());
  EXPECT_TRUE(events[1].goods_out_id.empty());
  EXPECT_EQ(events[2].kind, AutomationEventKind::kStockHeld);
  EXPECT_EQ(events[2].product_id, "3");
  EXPECT_EQ(events[3].kind, AutomationEventKind::kStockReleased);
  EXPECT_EQ(events[3].product_id, "3");
  EXPECT_EQ(events[3].record_id, events[2].record_id) << "the same balance";

  // The hint leads to the state: the goods-out re-read is the dispatched one.
  const auto reread = goods_outs_->Read(events[0].goods_out_id);
  ASSERT_TRUE(reread.ok()) << reread.status();
  EXPECT_EQ(reread->status, "COMPLETED");
  EXPECT_EQ(reread->updated_at, events[0].record_updated_at);
}

TEST_F(AutomationPayloadTest, DuplicateDeliveriesShareADedupeKeyAndLaterChangesDoNot) {
  emulator_->Webhooks().ForceNext(emulator::DeliveryFault::kDuplicate, 1);
  ASSERT_TRUE(emulator_->GetWarehouse().HoldStock(1, 1, 1).ok());
  Advance(std::chrono::seconds{1});
  ASSERT_TRUE(emulator_->GetWarehouse().HoldStock(1, 1, 1).ok());
  emulator_->Sync();
  const auto deliveries = receiver_.Await(3);
  ASSERT_EQ(deliveries.size(), 3U);
  // The duplicate may come before or after the second event.
  std::map<std::string, int> deliveries_by_key;
  for (const Receiver::Delivery& delivery : deliveries) {
    auto event = ParseAutomationPayload(delivery.headers, delivery.body);
    ASSERT_TRUE(event.ok()) << event.status();
    ++deliveries_by_key[event->dedupe_key];
  }
  ASSERT_EQ(deliveries_by_key.size(), 2U);
  EXPECT_EQ(deliveries_by_key.begin()->second, 2) << "the first hold, delivered twice";
  EXPECT_EQ(deliveries_by_key.rbegin()->second, 1);
}

TEST(AutomationPayloadParseTest, ToleratesExtraFields) {
  const auto event = ParseAutomationPayload(GoodHeaders(), GoodGoodsOutBody().dump());
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->kind, AutomationEventKind::kGoodsOutCompleted);
  EXPECT_EQ(event->goods_out_id, "12");
  EXPECT_EQ(event->headers.subdomain, "acme") << "header names in any case";
  EXPECT_EQ(event->dedupe_key, "goods_out/completed/12@2026-11-27T17:00:00.000Z");
}

TEST(AutomationPayloadParseTest, MalformedPayloadsAreInvalidArgumentNamingWhatIsWrong) {
  struct Case {
    std::string name;
    std::function<void(json&)> spoil;
    std::string expected;  // In the message.
  };
  const std::vector<Case> cases = {
      {"no event", [](json& b) { b.erase("event"); }, "event is missing"},
      {"event not a string", [](json& b) { b["event"] = 3; }, "event is not a string"},
      {"unknown event", [](json& b) { b["event"] = "created"; }, "goods_out/created"},
      {"no triggered_at", [](json& b) { b.erase("triggered_at"); }, "triggered_at is missing"},
      {"bad triggered_at", [](json& b) { b["triggered_at"] = "yesterday"; },
       "triggered_at is not an ISO 8601"},
      {"no data", [](json& b) { b.erase("data"); }, "data is missing"},
      {"data not an object", [](json& b) { b["data"] = json::array(); }, "data is not an object"},
      {"no record id", [](json& b) { b["data"].erase("id"); }, "data.id is missing"},
      {"no reference", [](json& b) { b["data"].erase("reference"); }, "data.reference is missing"},
      {"no updated_at", [](json& b) { b["data"]["updated_at"] = nullptr; },
       "data.updated_at is missing"},
      {"other automation", [](json& b) { b["automation_id"] = "10"; }, "automation_id '10'"},
      {"stock without product",
       [](json& b) {
         b["resource_name"] = "stock";
         b["event"] = "held";
         b["data"] = {{"id", 4}, {"warehouse_id", "1"}, {"updated_at", "2026-11-27T17:00:00Z"}};
       },
       "data.product_id is missing"},
  };
  for (const Case& c : cases) {
    json body = GoodGoodsOutBody();
    c.spoil(body);
    const auto event = ParseAutomationPayload(GoodHeaders(), body.dump());
    ASSERT_FALSE(event.ok()) << c.name;
    EXPECT_EQ(event.status().code(), StatusCode::kInvalidArgument) << c.name;
    EXPECT_NE(event.status().message().find(c.expected), std::string::npos)
        << c.name << ": " << event.status();
  }

  const auto not_json = ParseAutomationPayload(GoodHeaders(), "{\"resource_name\":");
  EXPECT_EQ(not_json.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(not_json.status().message().find("not JSON"), std::string::npos);

  http::Headers no_tenant = GoodHeaders();
  no_tenant.erase("X-ClarusWMS-Subdomain");
  const auto anonymous = ParseAutomationPayload(no_tenant, GoodGoodsOutBody().dump());
  EXPECT_EQ(anonymous.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(anonymous.status().message().find("X-ClarusWMS-Subdomain"), std::string::npos);
}

TEST(AutomationPayloadParseTest, VerifyRejectsAnotherTenantOrAutomation) {
  const auto headers = ParseAutomationHeaders(GoodHeaders());
  ASSERT_TRUE(headers.ok()) << headers.status();
  EXPECT_TRUE(VerifyAutomationSource(*headers, {.subdomain = "acme"}).ok());
  EXPECT_TRUE(
      VerifyAutomationSource(*headers, {.subdomain = "acme", .automation_ids = {"8", "9"}}).ok());

  const Status tenant = VerifyAutomationSource(*headers, {.subdomain = "other"});
  EXPECT_EQ(tenant.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(tenant.message().find("X-ClarusWMS-Subdomain"), std::string::npos);
  const Status automation =
      VerifyAutomationSource(*headers, {.subdomain = "acme", .automation_ids = {"8"}});
  EXPECT_EQ(automation.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(automation.message().find("X-ClarusWMS-Automation-ID"), std::string::npos);
  const Status integration =
      VerifyAutomationSource(*headers, {.subdomain = "acme", .integration_id = "2"});
  EXPECT_EQ(integration.code(), StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace sellerbridge::clarus
