#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "emulators/amazon/emulator_test_fixture.h"
#include "emulators/amazon/encoding.h"

namespace sellerbridge::emulators::amazon {
namespace {

using nlohmann::json;

constexpr std::string_view kSettlementType = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2";
constexpr std::string_view kSettlementsQuery =
    "/reports/2021-06-30/reports?reportTypes=GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2";

using Row = std::vector<std::string>;

std::vector<Row> ParseTsv(const std::string& text) {
  std::vector<Row> rows;
  std::stringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    Row row;
    std::size_t start = 0;
    for (;;) {
      const std::size_t tab = line.find('\t', start);
      row.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
      if (tab == std::string::npos) {
        break;
      }
      start = tab + 1;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// "-12.34" or "-12,34" → -1234.
std::int64_t Minor(const std::string& amount) {
  const bool negative = !amount.empty() && amount[0] == '-';
  std::int64_t value = 0;
  for (const char c : amount) {
    if (c >= '0' && c <= '9') {
      value = value * 10 + (c - '0');
    }
  }
  return negative ? -value : value;
}

class SettlementReportTest : public EmulatorTest {
 protected:
  void SetUp() override {
    StartEmulator(R"(
marketplace_ids = ["A1F83G8C2ARO7P", "A1PA6795UKMFR9"]
[[catalogue]]
sku = "SB-MUG-001"
quantity = 500
price = "12.99"
[[catalogue]]
sku = "SB-BAG-003"
quantity = 500
price = "59.99"
)");
    for (const char* operation : {"getReports", "getReport", "getReportDocument", "createReport",
                                  "createShipment", "getEligibleShipmentServices"}) {
      ASSERT_TRUE(emulator_->SetRateLimit(operation, 100, 100).ok());
    }
  }

  std::string PlaceIn(const std::string& marketplace_id,
                      const std::vector<std::pair<std::string, int>>& lines) {
    NewOrder order;
    order.marketplace_id = marketplace_id;
    for (const auto& [sku, quantity] : lines) {
      order.lines.push_back({.sku = sku, .quantity = quantity});
    }
    auto id = emulator_->AddOrder(order);
    EXPECT_TRUE(id.ok()) << id.status();
    return id.ok() ? *id : "";
  }

  void Ship(const std::string& order_id) {
    const auto result = Confirm(order_id, ConfirmBody(order_id));
    ASSERT_TRUE(result);
    ASSERT_EQ(result->status, 204) << result->body;
  }

  // Buys a Royal Mail Tracked 48 label for every unit of the order.
  void BuyLabel(const std::string& order_id) {
    const auto order = emulator_->GetOrder(order_id);
    json items = json::array();
    for (const OrderLine& line : order->lines) {
      items.push_back({{"OrderItemId", line.order_item_id}, {"Quantity", line.quantity_ordered}});
    }
    const json body = {{"ShipmentRequestDetails",
                        {{"AmazonOrderId", order_id},
                         {"ItemList", items},
                         {"ShipFromAddress",
                          {{"Name", "Sellerbridge Ltd"},
                           {"AddressLine1", "1 Dock Road"},
                           {"Email", "dispatch@seller.example"},
                           {"City", "Leeds"},
                           {"PostalCode", "LS1 1AA"},
                           {"CountryCode", "GB"},
                           {"Phone", "+44 113 496 0000"}}},
                         {"PackageDimensions",
                          {{"Length", 20}, {"Width", 15}, {"Height", 10}, {"Unit", "centimeters"}}},
                         {"Weight", {{"Value", 800}, {"Unit", "g"}}},
                         {"ShippingServiceOptions",
                          {{"DeliveryExperience", "DeliveryConfirmationWithoutSignature"},
                           {"CarrierWillPickUp", false}}}}},
                       {"ShippingServiceId", "ROYAL_MAIL_TRACKED_48"}};
    const auto result = Call("POST", "/mfn/v0/shipments", body.dump());
    ASSERT_TRUE(result);
    ASSERT_EQ(result->status, 200) << result->body;
  }

  json Settlements() {
    const auto result = Call("GET", std::string(kSettlementsQuery) + "&processingStatuses=DONE");
    EXPECT_TRUE(result);
    EXPECT_EQ(result->status, 200) << result->body;
    return JsonOf(result)["reports"];
  }

  // Follows a document URL the way a client would: a plain GET, no token.
  httplib::Result Download(const std::string& url) {
    const std::string prefix = "http://";
    EXPECT_EQ(url.rfind(prefix, 0), 0U) << url;
    const std::size_t path = url.find('/', prefix.size());
    return client_->Get(url.substr(path));
  }

  // The settlement report document of `report`, gunzipped and split.
  std::vector<Row> Document(const json& report) {
    const auto document = Call(
        "GET", "/reports/2021-06-30/documents/" + report["reportDocumentId"].get<std::string>());
    EXPECT_EQ(document->status, 200) << document->body;
    const json body = JsonOf(document);
    EXPECT_EQ(body["compressionAlgorithm"], "GZIP");
    const auto bytes = Download(body["url"]);
    EXPECT_TRUE(bytes);
    EXPECT_EQ(bytes->status, 200) << bytes->body;
    const auto text = Gunzip(bytes->body);
    EXPECT_TRUE(text.has_value());
    return ParseTsv(text.value_or(""));
  }
};

TEST_F(SettlementReportTest, ListsASettlementOnceFourteenDaysHavePassed) {
  const std::string id = PlaceIn("A1F83G8C2ARO7P", {{"SB-MUG-001", 2}});
  Ship(id);
  clock_.Advance(std::chrono::days(13));
  EXPECT_TRUE(Settlements().empty());
  clock_.Advance(std::chrono::days(1) + std::chrono::minutes(1));
  const json reports = Settlements();
  ASSERT_EQ(reports.size(), 1U);
  const json& report = reports[0];
  EXPECT_EQ(report["reportType"], kSettlementType);
  EXPECT_EQ(report["processingStatus"], "DONE");
  EXPECT_EQ(report["dataStartTime"], "2026-11-25T10:00:00.000Z");
  EXPECT_EQ(report["dataEndTime"], "2026-12-09T10:00:00.000Z");
  EXPECT_EQ(report["marketplaceIds"], json::array({"A1F83G8C2ARO7P"}));
  const auto single =
      Call("GET", "/reports/2021-06-30/reports/" + report["reportId"].get<std::string>());
  ASSERT_EQ(single->status, 200) << single->body;
  EXPECT_EQ(JsonOf(single), report);
  EXPECT_EQ(emulator_->Settlements().size(), 1U);
}

TEST_F(SettlementReportTest, ShippingChargesAndPromotionsHaveTheirOwnRowsAndAreRefunded) {
  NewOrder order;
  order.marketplace_id = "A1F83G8C2ARO7P";
  order.lines.push_back(
      {.sku = "SB-MUG-001", .quantity = 2, .shipping_minor = 299, .promotion_percent = 10});
  auto id = emulator_->AddOrder(order);
  ASSERT_TRUE(id.ok()) << id.status();
  Ship(*id);
  clock_.Advance(std::chrono::days(1));
  ASSERT_TRUE(emulator_->RefundOrder(*id).ok());
  clock_.Advance(std::chrono::days(14));

  const json reports = Settlements();
  ASSERT_EQ(reports.size(), 1U);
  const std::vector<Row> rows = Document(reports[0]);
  std::map<std::string, std::int64_t> by_kind;
  std::int64_t sum = 0;
  for (std::size_t i = 2; i < rows.size(); ++i) {
    by_kind[rows[i][6] + "/" + rows[i][12] + "/" + rows[i][13]] += Minor(rows[i][14]);
    sum += Minor(rows[i][14]);
  }
  EXPECT_EQ(by_kind["Order/ItemPrice/Principal"], 2 * 1299);
  EXPECT_EQ(by_kind["Order/ItemPrice/Shipping"], 299);
  EXPECT_EQ(by_kind["Order/Promotion/Principal"], -259);  // 10% of 25.98, rounded down.
  EXPECT_EQ(by_kind["Refund/ItemPrice/Shipping"], -299);
  EXPECT_EQ(by_kind["Refund/Promotion/Principal"], 259);
  EXPECT_EQ(sum, Minor(rows[1][4]));
  // The order total the buyer paid includes shipping, less the promotion.
  EXPECT_EQ(emulator_->GetOrder(*id)->TotalMinor(), 2 * 1299 + 299 - 259);
}

TEST_F(SettlementReportTest, DocumentHasTheColumnsTheSummaryFirstAndRowsThatAddUp) {
  const std::string shipped = PlaceIn("A1F83G8C2ARO7P", {{"SB-MUG-001", 2}, {"SB-BAG-003", 1}});
  Ship(shipped);
  const std::string labelled = PlaceIn("A1F83G8C2ARO7P", {{"SB-MUG-001", 1}});
  BuyLabel(labelled);
  const std::string refunded = PlaceIn("A1F83G8C2ARO7P", {{"SB-BAG-003", 1}});
  Ship(refunded);
  clock_.Advance(std::chrono::days(2));
  ASSERT_TRUE(emulator_->RefundOrder(refunded).ok());
  EXPECT_FALSE(emulator_->RefundOrder(refunded).ok());
  clock_.Advance(std::chrono::days(12) + std::chrono::seconds(1));

  const json reports = Settlements();
  ASSERT_EQ(reports.size(), 1U);
  const std::vector<Row> rows = Document(reports[0]);
  ASSERT_GE(rows.size(), 3U);
  EXPECT_EQ(rows[0], (Row{"settlement-id",
                          "settlement-start-date",
                          "settlement-end-date",
                          "deposit-date",
                          "total-amount",
                          "currency",
                          "transaction-type",
                          "order-id",
                          "merchant-order-id",
                          "adjustment-id",
                          "shipment-id",
                          "marketplace-name",
                          "amount-type",
                          "amount-description",
                          "amount",
                          "fulfillment-id",
                          "posted-date",
                          "posted-date-time",
                          "order-item-code",
                          "merchant-order-item-id",
                          "merchant-adjustment-item-id",
                          "sku",
                          "quantity-purchased"}));
  const Row& summary = rows[1];
  ASSERT_EQ(summary.size(), 23U);
  EXPECT_FALSE(summary[0].empty());
  EXPECT_EQ(summary[1], "2026-11-25 10:00:00 UTC");
  EXPECT_EQ(summary[2], "2026-12-09 10:00:00 UTC");
  EXPECT_EQ(summary[3], "2026-12-12 10:00:00 UTC");
  EXPECT_EQ(summary[5], "GBP");
  for (std::size_t column = 6; column < 23; ++column) {
    EXPECT_TRUE(summary[column].empty()) << column;
  }

  std::int64_t sum = 0;
  std::map<std::string, std::int64_t> by_kind;
  for (std::size_t i = 2; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), 23U);
    EXPECT_EQ(rows[i][0], summary[0]);
    EXPECT_TRUE(rows[i][4].empty());
    sum += Minor(rows[i][14]);
    by_kind[rows[i][6] + "/" + rows[i][12] + "/" + rows[i][13]] += Minor(rows[i][14]);
  }
  EXPECT_EQ(sum, Minor(summary[4]));
  EXPECT_EQ(emulator_->Settlements()[0].total_minor, Minor(summary[4]));
  // Shipped: 2 × 12.99 + 59.99 + 12.99 (label) + 59.99 (later refunded).
  EXPECT_EQ(by_kind["Order/ItemPrice/Principal"], 2 * 1299 + 5999 + 1299 + 5999);
  EXPECT_EQ(by_kind["Order/ItemFees/Commission"], -(390 + 900 + 195 + 900));
  EXPECT_EQ(by_kind["Refund/ItemPrice/Principal"], -5999);
  EXPECT_EQ(by_kind["Refund/ItemFees/Commission"], 900);
  EXPECT_EQ(by_kind["Refund/ItemFees/RefundCommission"], -180);
  EXPECT_LT(by_kind["other-transaction/ShipmentFees/Shipping label purchase"], 0);
  EXPECT_EQ(by_kind["ServiceFee/Cost of Advertising/TransactionTotalAmount"], -2500);
  const std::int64_t reserve =
      by_kind["other-transaction/other-transaction/Current Reserve Amount"];
  EXPECT_LT(reserve, 0);
  EXPECT_EQ(by_kind.count("other-transaction/other-transaction/Previous Reserve Amount Balance"),
            0U);
  // Order rows name the order, item, SKU and quantity, as MFN rows.
  const auto principal = std::find_if(rows.begin() + 2, rows.end(), [&](const Row& row) {
    return row[7] == shipped && row[13] == "Principal" && row[21] == "SB-BAG-003";
  });
  ASSERT_NE(principal, rows.end());
  EXPECT_EQ((*principal)[11], "Amazon.co.uk");
  EXPECT_EQ((*principal)[14], "59.99");
  EXPECT_EQ((*principal)[15], "MFN");
  EXPECT_EQ((*principal)[22], "1");
  EXPECT_FALSE((*principal)[18].empty());

  // The next settlement releases the reserve held in this one.
  Ship(PlaceIn("A1F83G8C2ARO7P", {{"SB-MUG-001", 1}}));
  clock_.Advance(std::chrono::days(14));
  const json later = Settlements();
  ASSERT_EQ(later.size(), 2U);
  EXPECT_EQ(later[0]["dataStartTime"], "2026-12-09T10:00:00.000Z");
  std::int64_t released = 0;
  for (const Row& row : Document(later[0])) {
    if (row.size() > 13 && row[13] == "Previous Reserve Amount Balance") {
      released += Minor(row[14]);
    }
  }
  EXPECT_EQ(released, -reserve);
}

TEST_F(SettlementReportTest, GermanSettlementWritesAmountsWithDecimalCommas) {
  Ship(PlaceIn("A1PA6795UKMFR9", {{"SB-MUG-001", 1}}));
  clock_.Advance(std::chrono::hours(3));
  const auto generated = client_->Post("/_emulator/settlements/generate", "", "application/json");
  ASSERT_EQ(generated->status, 200) << generated->body;
  const json closed = JsonOf(generated)["settlements"];
  ASSERT_EQ(closed.size(), 1U);
  EXPECT_EQ(closed[0]["marketplaceId"], "A1PA6795UKMFR9");
  EXPECT_EQ(closed[0]["currency"], "EUR");
  EXPECT_EQ(closed[0]["endDate"], "2026-11-25T13:00:00.000Z");
  const auto listed = client_->Get("/_emulator/settlements");
  ASSERT_EQ(listed->status, 200);
  EXPECT_EQ(JsonOf(listed)["settlements"], closed);

  const json reports = Settlements();
  ASSERT_EQ(reports.size(), 1U);
  EXPECT_EQ(reports[0]["reportId"], closed[0]["reportId"]);
  const std::vector<Row> rows = Document(reports[0]);
  ASSERT_GE(rows.size(), 4U);
  EXPECT_EQ(rows[1][5], "EUR");
  EXPECT_NE(rows[1][4].find(','), std::string::npos) << rows[1][4];
  for (std::size_t i = 2; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i][14].find('.'), std::string::npos) << rows[i][14];
    EXPECT_NE(rows[i][14].find(','), std::string::npos) << rows[i][14];
    EXPECT_EQ(rows[i][11], "Amazon.de");
  }
  EXPECT_EQ(rows[2][14], "12,99");
  // Nothing moved since: closing again makes no settlement.
  EXPECT_TRUE(emulator_->CloseSettlementPeriod().empty());
}

TEST_F(SettlementReportTest, GetReportsValidatesItsParameters) {
  const std::string base = "/reports/2021-06-30/reports";
  for (const std::string& query : std::vector<std::string>{
           "",
           "?processingStatuses=DONE",
           std::string("?reportTypes=") + std::string(kSettlementType) +
               "&processingStatuses=READY",
           std::string(kSettlementsQuery.substr(base.size())) + "&pageSize=0",
           std::string(kSettlementsQuery.substr(base.size())) + "&pageSize=101",
           std::string(kSettlementsQuery.substr(base.size())) + "&pageSize=ten",
           std::string(kSettlementsQuery.substr(base.size())) + "&marketplaceIds=XX",
           std::string(kSettlementsQuery.substr(base.size())) + "&createdSince=yesterday",
           std::string(kSettlementsQuery.substr(base.size())) +
               "&createdSince=2026-11-20T00:00:00Z&createdUntil=2026-11-10T00:00:00Z",
           "?reportTypes=A,B,C,D,E,F,G,H,I,J,K",
           "?nextToken=unknown",
           std::string(kSettlementsQuery.substr(base.size())) + "&nextToken=abc",
       }) {
    const auto result = Call("GET", base + query);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 400) << query << "\n" << result->body;
    EXPECT_EQ(JsonOf(result)["errors"][0]["code"], "InvalidInput") << query;
  }
  const auto fine = Call("GET", std::string(kSettlementsQuery) +
                                    "&marketplaceIds=A1F83G8C2ARO7P&pageSize=100"
                                    "&createdSince=2026-11-01T00:00:00Z");
  EXPECT_EQ(fine->status, 200) << fine->body;
  EXPECT_EQ(Call("GET", base + "/abc")->status, 400);
  EXPECT_EQ(Call("GET", base + "/12345678901")->status, 404);
  EXPECT_EQ(Call("GET", "/reports/2021-06-30/documents/not-a-document")->status, 400);
  EXPECT_EQ(Call("GET", "/reports/2021-06-30/documents/amzn1.spdoc.1.4.eu.unknown")->status, 404);
}

TEST_F(SettlementReportTest, PagesNewestFirstWithNextTokenAsTheOnlyParameter) {
  for (int i = 0; i < 3; ++i) {
    Ship(PlaceIn("A1F83G8C2ARO7P", {{"SB-MUG-001", 1}}));
    clock_.Advance(std::chrono::days(14));
  }
  const auto first = Call("GET", std::string(kSettlementsQuery) + "&pageSize=2");
  ASSERT_EQ(first->status, 200) << first->body;
  const json page = JsonOf(first);
  ASSERT_EQ(page["reports"].size(), 2U);
  EXPECT_GT(page["reports"][0]["createdTime"], page["reports"][1]["createdTime"]);
  ASSERT_TRUE(page.contains("nextToken"));
  const auto second =
      Call("GET", "/reports/2021-06-30/reports?nextToken=" + page["nextToken"].get<std::string>());
  ASSERT_EQ(second->status, 200) << second->body;
  const json rest = JsonOf(second);
  ASSERT_EQ(rest["reports"].size(), 1U);
  EXPECT_FALSE(rest.contains("nextToken"));
  EXPECT_EQ(rest["reports"][0]["dataStartTime"], "2026-11-25T10:00:00.000Z");
  // Reports are kept 90 days (createdSince defaults to 90 days ago).
  clock_.Advance(std::chrono::days(80));
  EXPECT_EQ(Settlements().size(), 1U);
}

TEST_F(SettlementReportTest, DocumentUrlExpiresAfterFiveMinutes) {
  Ship(PlaceIn("A1F83G8C2ARO7P", {{"SB-MUG-001", 1}}));
  clock_.Advance(std::chrono::days(15));
  const json report = Settlements()[0];
  const auto document =
      Call("GET", "/reports/2021-06-30/documents/" + report["reportDocumentId"].get<std::string>());
  ASSERT_EQ(document->status, 200);
  const std::string url = JsonOf(document)["url"];
  EXPECT_NE(url.find("X-Amz-Expires=300"), std::string::npos) << url;
  EXPECT_NE(url.find(report["reportDocumentId"].get<std::string>()), std::string::npos);
  clock_.Advance(std::chrono::minutes(4));
  EXPECT_EQ(Download(url)->status, 200);
  std::string tampered = url;
  tampered.back() = tampered.back() == '0' ? '1' : '0';
  const auto forged = Download(tampered);
  EXPECT_EQ(forged->status, 403);
  EXPECT_NE(forged->body.find("SignatureDoesNotMatch"), std::string::npos);
  clock_.Advance(std::chrono::minutes(1) + std::chrono::seconds(1));
  const auto expired = Download(url);
  EXPECT_EQ(expired->status, 403);
  EXPECT_NE(expired->body.find("Request has expired"), std::string::npos) << expired->body;
  // A new getReportDocument gives a fresh URL.
  const auto again =
      Call("GET", "/reports/2021-06-30/documents/" + report["reportDocumentId"].get<std::string>() +
                      "?enableContentEncodingUrlHeader=true");
  ASSERT_EQ(again->status, 200);
  client_->set_decompress(false);
  const auto encoded = Download(JsonOf(again)["url"]);
  ASSERT_EQ(encoded->status, 200);
  EXPECT_EQ(encoded->get_header_value("Content-Encoding"), "gzip");
  EXPECT_TRUE(Gunzip(encoded->body).has_value());
}

TEST_F(SettlementReportTest, SettlementReportsCannotBeRequestedOtherReportsEndCancelled) {
  const auto refused =
      Call("POST", "/reports/2021-06-30/reports",
           json{{"reportType", kSettlementType}, {"marketplaceIds", {"A1F83G8C2ARO7P"}}}.dump());
  ASSERT_EQ(refused->status, 400);
  EXPECT_EQ(JsonOf(refused)["errors"][0]["message"],
            "Request for report type 1118 is not allowed at this time");
  const auto created = Call(
      "POST", "/reports/2021-06-30/reports",
      json{{"reportType", "GET_MERCHANT_LISTINGS_ALL_DATA"}, {"marketplaceIds", {"A1F83G8C2ARO7P"}}}
          .dump());
  ASSERT_EQ(created->status, 202) << created->body;
  const std::string path =
      "/reports/2021-06-30/reports/" + JsonOf(created)["reportId"].get<std::string>();
  EXPECT_EQ(JsonOf(Call("GET", path))["processingStatus"], "IN_QUEUE");
  clock_.Advance(std::chrono::minutes(1));
  const json report = JsonOf(Call("GET", path));
  EXPECT_EQ(report["processingStatus"], "CANCELLED");
  EXPECT_FALSE(report.contains("reportDocumentId"));
}

TEST_F(SettlementReportTest, SellerPerformanceReportIsDoneWithTheHealthOfEachMarketplace) {
  const std::string on_time = PlaceIn("A1F83G8C2ARO7P", {{"SB-MUG-001", 1}});
  const std::string late = PlaceIn("A1F83G8C2ARO7P", {{"SB-MUG-001", 1}});
  const std::string cancelled = PlaceIn("A1F83G8C2ARO7P", {{"SB-BAG-003", 1}});
  const std::string german = PlaceIn("A1PA6795UKMFR9", {{"SB-MUG-001", 1}});
  Ship(on_time);
  Ship(german);
  ASSERT_TRUE(emulator_->CancelOrder(cancelled, Canceller::kSeller).ok());
  clock_.AdvanceTo(*ParseIso8601("2026-11-27T08:00:00Z"));
  // After latestShipDate, with a tracking number no carrier issues.
  const auto confirmed = Confirm(late, ConfirmBody(late, "1", "Royal Mail", "123"));
  ASSERT_EQ(confirmed->status, 204) << confirmed->body;

  const auto created = Call("POST", "/reports/2021-06-30/reports",
                            json{{"reportType", "GET_V2_SELLER_PERFORMANCE_REPORT"},
                                 {"marketplaceIds", {"A1F83G8C2ARO7P", "A1PA6795UKMFR9"}}}
                                .dump());
  ASSERT_EQ(created->status, 202) << created->body;
  const std::string path =
      "/reports/2021-06-30/reports/" + JsonOf(created)["reportId"].get<std::string>();
  EXPECT_EQ(JsonOf(Call("GET", path))["processingStatus"], "IN_QUEUE");
  clock_.Advance(std::chrono::seconds(15));
  EXPECT_EQ(JsonOf(Call("GET", path))["processingStatus"], "IN_PROGRESS");
  clock_.Advance(std::chrono::seconds(15));
  const json report = JsonOf(Call("GET", path));
  ASSERT_EQ(report["processingStatus"], "DONE") << report.dump();
  ASSERT_TRUE(report.contains("reportDocumentId")) << report.dump();
  // Orders changing after processing leave the document as it was.
  ASSERT_TRUE(
      emulator_->CancelOrder(PlaceIn("A1F83G8C2ARO7P", {{"SB-MUG-001", 1}}), Canceller::kSeller)
          .ok());

  const auto document =
      Call("GET", "/reports/2021-06-30/documents/" + report["reportDocumentId"].get<std::string>());
  ASSERT_EQ(document->status, 200) << document->body;
  const auto bytes = Download(JsonOf(document)["url"]);
  ASSERT_TRUE(bytes);
  ASSERT_EQ(bytes->status, 200) << bytes->body;
  const auto text = Gunzip(bytes->body);
  ASSERT_TRUE(text.has_value());
  const json health = json::parse(*text, nullptr, false);
  ASSERT_FALSE(health.is_discarded()) << *text;

  auto schema = JsonSchema::Create(Model("schema-report-accountHealthReport-2020-11-18.json"));
  ASSERT_TRUE(schema.ok()) << schema.status();
  std::string violations;
  for (const std::string& violation : schema->Validate(health)) {
    violations += violation + "\n";
  }
  EXPECT_TRUE(violations.empty()) << violations << health.dump(2);

  ASSERT_EQ(health["performanceMetrics"].size(), 2U);
  const json& uk = health["performanceMetrics"][0];
  EXPECT_EQ(uk["marketplaceId"], "A1F83G8C2ARO7P");
  EXPECT_EQ(uk["lateShipmentRate"]["orderCount"], 3);
  EXPECT_EQ(uk["lateShipmentRate"]["lateShipmentCount"], 1);
  EXPECT_EQ(uk["lateShipmentRate"]["status"], "BAD");
  EXPECT_EQ(uk["lateShipmentRate"]["targetCondition"], "LESS_THAN");
  EXPECT_EQ(uk["lateShipmentRate"]["reportingDateRange"]["reportingDateTo"], "2026-11-27T08:00Z");
  EXPECT_EQ(uk["lateShipmentRate"]["reportingDateRange"]["reportingDateFrom"], "2026-10-28T08:00Z");
  EXPECT_EQ(uk["preFulfillmentCancellationRate"]["orderCount"], 3);
  EXPECT_EQ(uk["preFulfillmentCancellationRate"]["cancellationCount"], 1);
  EXPECT_EQ(uk["validTrackingRate"]["shipmentCount"], 2);
  EXPECT_EQ(uk["validTrackingRate"]["validTrackingCount"], 1);
  EXPECT_DOUBLE_EQ(uk["validTrackingRate"]["rate"].get<double>(), 0.5);
  EXPECT_EQ(uk["validTrackingRate"]["targetCondition"], "GREATER_THAN");
  EXPECT_EQ(uk["accountHealthRating"]["ahrStatus"], "WARNED");
  const json& de = health["performanceMetrics"][1];
  EXPECT_EQ(de["marketplaceId"], "A1PA6795UKMFR9");
  EXPECT_EQ(de["lateShipmentRate"]["lateShipmentCount"], 0);
  EXPECT_EQ(de["validTrackingRate"]["validTrackingCount"], 1);
  EXPECT_EQ(de["preFulfillmentCancellationRate"]["status"], "GOOD");
  EXPECT_EQ(health["accountStatuses"],
            json::parse(R"([{"marketplaceId":"A1F83G8C2ARO7P","status":"AT_RISK"},
                            {"marketplaceId":"A1PA6795UKMFR9","status":"NORMAL"}])"));
}

TEST_F(SettlementReportTest, ScenarioAnchorSetsTheFirstPeriod) {
  StartEmulator(R"(
[settlements]
anchor = "2026-11-20T00:00:00Z"
period_days = 7
reserve_percent = 0
advertising = 0
)");
  ASSERT_TRUE(emulator_->SetRateLimit("getReports", 100, 100).ok());
  Ship(PlaceOrder({{"SB-MUG-001", 1}}));
  clock_.Advance(std::chrono::days(2));
  const json reports = Settlements();
  ASSERT_EQ(reports.size(), 1U);
  EXPECT_EQ(reports[0]["dataStartTime"], "2026-11-20T00:00:00.000Z");
  EXPECT_EQ(reports[0]["dataEndTime"], "2026-11-27T00:00:00.000Z");
  for (const Row& row : Document(reports[0])) {
    ASSERT_GT(row.size(), 13U);
    EXPECT_NE(row[13], "Current Reserve Amount");
    EXPECT_NE(row[12], "Cost of Advertising");
  }
  AmazonEmulatorOptions options;
  options.scenario_toml = "[settlements]\nperiod_days = 0\n";
  EXPECT_FALSE(AmazonEmulator::Create(options, &clock_).ok());
}

// The static sandbox requests of reports_2021-06-30.json. Ids in the 200
// examples are Amazon's own; the emulator answers for the ids it issued.
TEST_F(SettlementReportTest, ReportsSandboxRequestsGetTheirStatus) {
  const json& paths = Model("reports_2021-06-30.json")["paths"];
  const auto requests = [&](const std::string& path, const std::string& method,
                            const std::string& status) {
    std::vector<json> out;
    for (const json& entry :
         paths[path][method]["responses"][status]["x-amzn-api-sandbox"]["static"]) {
      out.push_back(entry["request"]["parameters"]);
    }
    return out;
  };
  for (const auto& [status, expected] : {std::pair{"200", 200}, std::pair{"400", 400}}) {
    for (const json& parameters : requests("/reports/2021-06-30/reports", "get", status)) {
      std::string query;
      for (const auto& [name, value] : parameters.items()) {
        std::string joined;
        for (const json& item : value["value"]) {
          joined += (joined.empty() ? "" : ",") + item.get<std::string>();
        }
        query += query.empty() ? '?' : '&';
        query += name;
        query += '=';
        query += joined;
      }
      const auto result = Call("GET", "/reports/2021-06-30/reports" + query);
      EXPECT_EQ(result->status, expected) << query << "\n" << result->body;
    }
  }
  std::vector<std::string> created_ids;
  for (const auto& [status, expected] : {std::pair{"202", 202}, std::pair{"400", 400}}) {
    for (const json& parameters : requests("/reports/2021-06-30/reports", "post", status)) {
      const auto result =
          Call("POST", "/reports/2021-06-30/reports", parameters["body"]["value"].dump());
      EXPECT_EQ(result->status, expected) << result->body;
      if (result->status == 202) {
        created_ids.push_back(JsonOf(result)["reportId"]);
      }
    }
  }
  ASSERT_EQ(created_ids.size(), 1U);
  EXPECT_EQ(Call("GET", "/reports/2021-06-30/reports/" + created_ids[0])->status, 200);
  for (const json& parameters : requests("/reports/2021-06-30/reports/{reportId}", "get", "400")) {
    const auto result = Call(
        "GET", "/reports/2021-06-30/reports/" + parameters["reportId"]["value"].get<std::string>());
    EXPECT_EQ(result->status, 400) << result->body;
  }
  for (const json& parameters :
       requests("/reports/2021-06-30/documents/{reportDocumentId}", "get", "400")) {
    const auto result = Call("GET", "/reports/2021-06-30/documents/" +
                                        parameters["reportDocumentId"]["value"].get<std::string>());
    EXPECT_EQ(result->status, 400) << result->body;
  }
  Ship(PlaceOrder({{"SB-MUG-001", 1}}));
  clock_.Advance(std::chrono::minutes(1));
  const auto closed = emulator_->CloseSettlementPeriod();
  ASSERT_EQ(closed.size(), 1U);
  EXPECT_EQ(Call("GET", "/reports/2021-06-30/documents/" + closed[0].report_document_id)->status,
            200);
}

}  // namespace
}  // namespace sellerbridge::emulators::amazon
