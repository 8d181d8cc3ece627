// Goods-out operations against the Clarus emulator over loopback.
#include "clarus/goods_outs.h"

#include <gtest/gtest.h>

#include "clarus/connector_test_fixture.h"
#include "emulators/clarus/clarus_emulator.h"

namespace sellerbridge::clarus {
namespace {

namespace emulator = ::sellerbridge::emulators::clarus;
using nlohmann::json;

class GoodsOutsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto created = emulator::ClarusEmulator::Create({.seed = 5}, SystemClock::Get());
    ASSERT_TRUE(created.ok()) << created.status();
    emulator_ = std::move(created).value();
    ASSERT_TRUE(emulator_->Start("127.0.0.1", 0).ok());
    const emulator::Scenario& scenario = emulator_->GetScenario();
    http::OAuthGrant grant = http::ClientCredentialsGrant(
        "clarus", emulator_->BaseUrl() + "/oauth/token", scenario.credentials[0].client_id,
        scenario.credentials[0].client_secret);
    grant.headers.emplace("X-Clarus-Subdomain", scenario.subdomain);
    tokens_ = std::make_unique<http::OAuthTokenProvider>(grant, &http_, SystemClock::Get());
    client_ = MakeClient(&http_);
    goods_outs_ = std::make_unique<GoodsOuts>(client_.get());
  }

  std::unique_ptr<ClarusClient> MakeClient(http::HttpClient* http) {
    return std::make_unique<ClarusClient>(
        ClarusClientOptions{.api_base = emulator_->BaseUrl() + emulator_->ApiPrefix(),
                            .graphql_url = emulator_->BaseUrl() + "/graphql",
                            .subdomain = emulator_->GetScenario().subdomain,
                            .initial_backoff = std::chrono::milliseconds{1},
                            .max_backoff = std::chrono::milliseconds{5}},
        http, tokens_.get(), SystemClock::Get());
  }

  GoodsOutRequest Request(const std::string& reference) {
    const emulator::Scenario& scenario = emulator_->GetScenario();
    GoodsOutRequest request;
    request.reference = reference;
    request.account_id = std::to_string(scenario.accounts.at(0).id);
    request.warehouse_id = std::to_string(scenario.warehouses.at(0).id);
    request.carrier_service_id = std::to_string(scenario.carrier_services.at(0).id);
    request.carrier_id = std::to_string(scenario.carrier_services.at(0).carrier_id);
    request.expected_date_of_dispatch = "2026-12-01";
    request.address = {.name = "J Doe",
                       .address_1 = "1 High St",
                       .address_2 = "Leeds",
                       .postcode = "LS1 1AA",
                       .country_code = "GB"};
    emulator_->GetWarehouse().Read([&](const emulator::WarehouseState& state) {
      const emulator::Product& product = state.products.begin()->second;
      request.lines.push_back({.product_id = std::to_string(product.id),
                               .quantity = 1,
                               .alt_line_reference = "11111111111111",
                               .alt_product_code = product.product_code});
    });
    return request;
  }

  int GoodsOutsWithReference(const std::string& reference) {
    int count = 0;
    emulator_->GetWarehouse().Read([&](const emulator::WarehouseState& state) {
      for (const auto& [id, order] : state.goods_outs) {
        count += order.reference == reference ? 1 : 0;
      }
    });
    return count;
  }

  std::unique_ptr<emulator::ClarusEmulator> emulator_;
  http::CurlHttpClient http_;
  std::unique_ptr<http::OAuthTokenProvider> tokens_;
  std::unique_ptr<ClarusClient> client_;
  std::unique_ptr<GoodsOuts> goods_outs_;
};

TEST_F(GoodsOutsTest, CreatesOnceAndFindsItByReference) {
  const auto first = goods_outs_->Create(Request("203-1111111-0000001"));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(first->already_existed);
  const auto second = goods_outs_->Create(Request("203-1111111-0000001"));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE(second->already_existed);
  EXPECT_EQ(second->id, first->id);
  EXPECT_EQ(GoodsOutsWithReference("203-1111111-0000001"), 1);
  const auto found = goods_outs_->FindByReference("203-1111111-0000001");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->id, first->id);
  EXPECT_EQ((*found)->status, "PENDING");
}

TEST_F(GoodsOutsTest, ATimeoutAfterCommitIsResolvedByLookupWithoutADuplicate) {
  emulator_->Faults().Inject({.kind = emulator::FaultKind::kResponseLost,
                              .method = "POST",
                              .path_prefix = emulator_->ApiPrefix() + "/goods_outs",
                              .delay = std::chrono::milliseconds{3000}});
  http::CurlHttpClient impatient({.total_timeout = std::chrono::milliseconds{500}});
  const auto client = MakeClient(&impatient);
  GoodsOuts goods_outs(client.get());
  const auto created = goods_outs.Create(Request("203-1111111-0000002"));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_TRUE(created->already_existed);
  EXPECT_EQ(GoodsOutsWithReference("203-1111111-0000002"), 1);
}

TEST_F(GoodsOutsTest, RejectedFieldsAreNamed) {
  GoodsOutRequest request = Request("203-1111111-0000003");
  request.lines[0].product_id = "999999";
  const auto created = goods_outs_->Create(request);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(created.status().message().find("lines_changes/0"), std::string::npos)
      << created.status();
}

TEST_F(GoodsOutsTest, CancelFollowsClarusRulesPerStatus) {
  const auto pending = goods_outs_->Create(Request("203-1111111-0000004"));
  ASSERT_TRUE(pending.ok()) << pending.status();
  EXPECT_TRUE(goods_outs_->Cancel(pending->id).ok());
  EXPECT_EQ(GoodsOutsWithReference("203-1111111-0000004"), 0);  // PENDING ones are deleted.

  const auto done = goods_outs_->Create(Request("203-1111111-0000005"));
  ASSERT_TRUE(done.ok()) << done.status();
  ASSERT_TRUE(emulator_->GetWarehouse().CompleteNow(std::stoll(done->id)).ok());
  const Status cancel = goods_outs_->Cancel(done->id);
  EXPECT_EQ(cancel.code(), StatusCode::kFailedPrecondition) << cancel;
}

TEST_F(GoodsOutsTest, ListsWhatChangedSinceAWatermark) {
  ASSERT_TRUE(goods_outs_->Create(Request("203-1111111-0000006")).ok());
  ASSERT_TRUE(goods_outs_->Create(Request("203-1111111-0000007")).ok());
  const auto changed = goods_outs_->UpdatedSince("2000-01-01T00:00:00Z", 1);
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_EQ(changed->size(), 2U);
  const auto none = goods_outs_->UpdatedSince("2200-01-01T00:00:00Z");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());
}

// Patch and full reads, on the emulator's virtual clock.
class GoodsOutReadsTest : public ClarusConnectorTest {
 protected:
  std::string StatusOf(const std::string& id) {
    std::string status;
    emulator_->GetWarehouse().Read([&](const emulator::WarehouseState& state) {
      status =
          std::string(emulator::GoodsOutStatusName(state.goods_outs.at(std::stoll(id)).status));
    });
    return status;
  }
};

TEST_F(GoodsOutReadsTest, PatchChangesTheAllowedAttributes) {
  const std::string id = CreateOrder("203-3333333-0000001");
  Advance(std::chrono::minutes{2});
  GoodsOutPatch patch;
  patch.priority = 9;
  patch.delivery_notes = "Leave with neighbour";
  patch.expected_date_of_dispatch = "2026-11-30";
  patch.carrier_service_id = std::to_string(ServiceId("RM48"));
  patch.address = Address{.name = "A N Other",
                          .address_1 = "2 Low Rd",
                          .address_2 = "York",
                          .postcode = "YO1 7HH",
                          .country_code = "GB"};
  const auto patched = goods_outs_->Patch(id, patch);
  ASSERT_TRUE(patched.ok()) << patched.status();
  EXPECT_EQ(patched->id, id);
  EXPECT_EQ(patched->updated_at, Now());

  const auto read = goods_outs_->Read(id);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->priority, 9);
  EXPECT_EQ(read->delivery_notes, "Leave with neighbour");
  EXPECT_EQ(read->expected_date_of_dispatch, "2026-11-30");
  EXPECT_EQ(read->carrier_service_id, std::to_string(ServiceId("RM48")));
  EXPECT_EQ(read->address.postcode, "YO1 7HH");
  EXPECT_EQ(read->address.name, "A N Other");
  EXPECT_EQ(read->address.address_2, "York");
  EXPECT_EQ(read->reference, "203-3333333-0000001") << "what was not patched stays";
}

TEST_F(GoodsOutReadsTest, PatchNamesTheFieldsClarusRejects) {
  const std::string id = CreateOrder("203-3333333-0000002");
  GoodsOutPatch patch;
  patch.carrier_service_id = "999";
  patch.address = Address{
      .name = "J Doe", .address_1 = "1 High St", .postcode = "LS1 1AA", .country_code = "GBR"};
  const auto patched = goods_outs_->Patch(id, patch);
  ASSERT_FALSE(patched.ok());
  EXPECT_EQ(patched.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(patched.status().message().find("/data/attributes/carrier_service_id"),
            std::string::npos)
      << patched.status();
  EXPECT_NE(patched.status().message().find("country_code"), std::string::npos) << patched.status();

  EXPECT_EQ(goods_outs_->Patch(id, GoodsOutPatch{}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(goods_outs_->Patch("424242", GoodsOutPatch{.priority = 1}).status().code(),
            StatusCode::kNotFound);
}

TEST_F(GoodsOutReadsTest, PatchOfACompletedOrderIsAFailedPrecondition) {
  const std::string id = CreateOrder("203-3333333-0000003");
  CompleteNow(id);
  const auto patched = goods_outs_->Patch(id, GoodsOutPatch{.delivery_notes = "too late"});
  ASSERT_FALSE(patched.ok());
  EXPECT_EQ(patched.status().code(), StatusCode::kFailedPrecondition) << patched.status();
}

TEST_F(GoodsOutReadsTest, ReadsEveryChangedOrderInFullPagingToTheEnd) {
  std::vector<std::string> ids;
  ids.reserve(7);
  for (int i = 0; i < 7; ++i) {
    ids.push_back(CreateOrder("203-3333333-100000" + std::to_string(i), 2));
  }
  ASSERT_TRUE(emulator_->GetWarehouse().PlanSplit(std::stoll(ids[0]), 2, 2).ok());
  CompleteNow(ids[0]);

  const auto all = goods_outs_->ReadGoodsOuts("2000-01-01T00:00:00Z", 2);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 7U);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ(all->at(i).id, ids[i]) << "oldest id first, each once";
  }
  const GoodsOutDetail& done = all->front();
  EXPECT_EQ(done.status, "COMPLETED");
  EXPECT_FALSE(done.dispatch_date.empty());
  EXPECT_EQ(done.external_system_reference1, done.reference);
  ASSERT_EQ(done.lines.size(), 1U);
  const GoodsOutLine& line = done.lines.front();
  EXPECT_EQ(line.sku, "SKU-001");
  EXPECT_EQ(line.alt_line_reference, "OI-" + done.reference);
  EXPECT_EQ(line.ordered, 2);
  EXPECT_EQ(line.allocated, 2);
  EXPECT_EQ(line.picked, 2);
  EXPECT_EQ(line.dispatched, 2);
  EXPECT_FALSE(line.shorted);
  ASSERT_EQ(done.shipments.size(), 2U) << "split in two";
  for (const Shipment& shipment : done.shipments) {
    EXPECT_EQ(shipment.status, "DISPATCHED");
    EXPECT_EQ(shipment.carrier_code, "ROYALMAIL");
    EXPECT_EQ(shipment.service_code, "RM24");
    EXPECT_FALSE(shipment.collection_datetime.empty());
    ASSERT_EQ(shipment.packages.size(), 2U);
    for (const Package& package : shipment.packages) {
      EXPECT_TRUE(package.tracking_number.has_value());
    }
  }
  const GoodsOutDetail& open = all->back();
  EXPECT_EQ(open.status, "PENDING");
  EXPECT_EQ(open.lines.front().dispatched, 0);
  EXPECT_TRUE(open.shipments.empty());

  const auto none =
      goods_outs_->ReadGoodsOuts(FormatIso8601(clock_.Now() + std::chrono::seconds{1}), 2);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());
}

TEST_F(GoodsOutReadsTest, ReadsShortLinesAsDispatchedBelowOrdered) {
  const std::string id = CreateOrder("203-3333333-0000004", 150);  // 100 in stock.
  CompleteNow(id);
  const auto read = goods_outs_->Read(id);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->status, "COMPLETED");
  ASSERT_EQ(read->lines.size(), 1U);
  EXPECT_TRUE(read->lines.front().shorted);
  EXPECT_EQ(read->lines.front().ordered, 150);
  EXPECT_EQ(read->lines.front().dispatched, 100);
}

TEST_F(GoodsOutReadsTest, SeesTrackingNumbersThatArriveAfterCompletion) {
  // Evri assigns tracking numbers an hour after collection.
  const std::string id = CreateOrder("203-3333333-0000005", 1, "EVRI48");
  CompleteNow(id);
  const auto completed = goods_outs_->Read(id);
  ASSERT_TRUE(completed.ok()) << completed.status();
  ASSERT_EQ(completed->shipments.size(), 1U);
  EXPECT_FALSE(completed->shipments.front().packages.front().tracking_number.has_value());

  Advance(std::chrono::minutes{1});
  const std::string watermark = Now();
  Advance(std::chrono::hours{2});
  const auto changed = goods_outs_->ReadGoodsOuts(watermark);
  ASSERT_TRUE(changed.ok()) << changed.status();
  ASSERT_EQ(changed->size(), 1U) << "the order did not change, its shipment did";
  EXPECT_EQ(changed->front().id, id);
  EXPECT_LT(changed->front().updated_at, watermark);
  const auto& tracking = changed->front().shipments.front().packages.front().tracking_number;
  ASSERT_TRUE(tracking.has_value());
  EXPECT_EQ(tracking->front(), 'H');
}

TEST_F(GoodsOutReadsTest, AnUnknownOrderIsNotFound) {
  EXPECT_EQ(goods_outs_->Read("424242").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace sellerbridge::clarus
