#include "finance/reconcile.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/time_format.h"
#include "finance/returns.h"
#include "store/store.h"

namespace sellerbridge::finance {
namespace {

using std::chrono::hours;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr std::string_view kShippedAndPaid = "202-0000001-0000001";
constexpr std::string_view kShippedNotPaid = "202-0000002-0000002";
constexpr std::string_view kPaidNotShipped = "202-0000003-0000003";
constexpr std::string_view kRefundedReturned = "202-0000004-0000004";
constexpr std::string_view kRefundedNotReturned = "202-0000005-0000005";
constexpr std::string_view kShippedTooRecently = "202-0000006-0000006";
constexpr std::string_view kFbaOrder = "202-0000007-0000007";
constexpr std::string_view kCancelledBeforeShipping = "202-0000008-0000008";

TimePoint At(std::string_view iso) { return *ParseIso8601(iso); }

SettledOrder Sold(std::string_view id, std::int64_t amount, TimePoint posted) {
  return {.amazon_order_id = std::string(id), .sold_minor = amount, .sold_posted = posted};
}

class ReconcileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    analysis_.summary = {.settlement_id = "11111111111",
                         .start = At("2026-10-01T00:00:00Z"),
                         .end = At("2026-10-15T00:00:00Z"),
                         .currency = "GBP"};
    const TimePoint posted = At("2026-10-05T12:00:00Z");
    for (const SettledOrder& order :
         {Sold(kShippedAndPaid, 1999, posted), Sold(kPaidNotShipped, 500, posted),
          Sold(kRefundedReturned, 700, posted), Sold(kRefundedNotReturned, 800, posted),
          Sold(kFbaOrder, 900, posted)}) {
      analysis_.orders[order.amazon_order_id] = order;
    }
    analysis_.orders[std::string(kFbaOrder)].merchant_fulfilled = false;
    for (const std::string_view id : {kRefundedReturned, kRefundedNotReturned}) {
      analysis_.orders[std::string(id)].refunded_minor = -700;
      analysis_.orders[std::string(id)].refund_posted = At("2026-10-09T00:00:00Z");
    }
    // Refunded before it ever shipped: nothing to return.
    analysis_.orders[std::string(kCancelledBeforeShipping)] = {
        .amazon_order_id = std::string(kCancelledBeforeShipping),
        .refunded_minor = -100,
        .refund_posted = posted};

    const TimePoint shipped = At("2026-10-04T09:00:00Z");
    warehouse_.dispatched = {{std::string(kShippedAndPaid), shipped},
                             {std::string(kShippedNotPaid), shipped},
                             {std::string(kRefundedReturned), shipped},
                             {std::string(kRefundedNotReturned), shipped},
                             {std::string(kShippedTooRecently), At("2026-11-20T09:00:00Z")},
                             // Before the settlement's period: another settlement's business.
                             {"202-0000009-0000009", At("2026-09-01T09:00:00Z")}};
    warehouse_.returned = {std::string(kRefundedReturned)};
  }

  SettlementAnalysis analysis_;
  WarehouseRecords warehouse_;
};

TEST_F(ReconcileTest, ReportsEachMismatchByKindAndNothingThatMatches) {
  const std::vector<Finding> findings =
      Reconcile({&analysis_}, warehouse_, At("2026-11-27T00:00:00Z"), hours{24 * 21});
  std::vector<std::pair<FindingKind, std::string>> got;
  for (const Finding& finding : findings) {
    got.emplace_back(finding.kind, finding.amazon_order_id);
  }
  EXPECT_THAT(
      got,
      ElementsAre(std::pair{FindingKind::kShippedNotSettled, std::string(kShippedNotPaid)},
                  std::pair{FindingKind::kSettledNotDispatched, std::string(kPaidNotShipped)},
                  std::pair{FindingKind::kRefundedNotReturned, std::string(kRefundedNotReturned)}));
  EXPECT_EQ(findings[1].amount_minor, 500);
  EXPECT_EQ(findings[1].settlement_id, "11111111111");
  EXPECT_EQ(findings[2].amount_minor, -700);
  EXPECT_EQ(findings[0].dispatched_at, At("2026-10-04T09:00:00Z"));
}

TEST_F(ReconcileTest, ShippedButUnsettledWaitsForTheWindow) {
  const std::vector<Finding> early =
      Reconcile({&analysis_}, warehouse_, At("2026-10-20T00:00:00Z"), hours{24 * 21});
  for (const Finding& finding : early) {
    EXPECT_NE(finding.kind, FindingKind::kShippedNotSettled) << finding.amazon_order_id;
  }
  // Without any settlement there is no period to judge by.
  EXPECT_THAT(Reconcile({}, warehouse_, At("2026-12-31T00:00:00Z"), hours{24}), IsEmpty());
}

TEST_F(ReconcileTest, CsvAndJsonNameEveryFindingWithoutBuyerData) {
  const std::vector<Finding> findings =
      Reconcile({&analysis_}, warehouse_, At("2026-11-27T00:00:00Z"), hours{24 * 21});
  analysis_.problems = {{.line = 57, .message = "amount '12,3x' is not a number"}};
  analysis_.problem_count = 1;
  const std::string csv = ReconciliationToCsv(analysis_, findings);
  EXPECT_THAT(csv, HasSubstr("row_problem,11111111111,,57,"));
  EXPECT_THAT(csv, HasSubstr("settled_not_dispatched,11111111111," + std::string(kPaidNotShipped)));
  EXPECT_THAT(csv, HasSubstr(",5.00,GBP,"));
  const nlohmann::json json = ReconciliationToJson(analysis_, findings);
  EXPECT_EQ(json["findings"].size(), 3U);
  EXPECT_EQ(json["findings"][2]["kind"], "refunded_not_returned");
  EXPECT_EQ(json["findings"][2]["amount"], "-7.00");
  EXPECT_EQ(json["problems"][0]["line"], 57);
  EXPECT_TRUE(json["needs_attention"].get<bool>());
}

TEST(WarehouseRecordsTest, ComeFromTheOutboxAndTheReturnsReceived) {
  VirtualClock clock(At("2026-11-01T00:00:00Z"));
  auto store = store::OpenStore("sqlite::memory:", &clock);
  ASSERT_TRUE(store.ok()) << store.status();
  auto tx = (*store)->Begin();
  ASSERT_TRUE(tx.ok());
  for (const auto& [key, shipped] :
       {std::pair{"a", At("2026-10-02T10:00:00Z")}, std::pair{"b", At("2026-10-01T10:00:00Z")}}) {
    ASSERT_TRUE((*tx)
                    ->EnqueueConfirmation({.idempotency_key = key,
                                           .amazon_order_id = std::string(kShippedAndPaid),
                                           .marketplace_id = "A1F83G8C2ARO7P",
                                           .parcel = {.package_reference_id = "1",
                                                      .carrier_code = "Royal Mail",
                                                      .tracking_number = "AB123456785GB",
                                                      .ship_date = shipped},
                                           .deadline = shipped + hours{24}})
                    .ok());
  }
  ASSERT_TRUE((*tx)
                  ->RecordReturnReceipt({.amazon_order_id = std::string(kShippedAndPaid),
                                         .received_at = At("2026-10-20T10:00:00Z"),
                                         .source = "test"})
                  .ok());
  const Result<WarehouseRecords> records = LoadWarehouseRecords(**tx);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->dispatched.size(), 1U);
  EXPECT_EQ(records->dispatched.at(std::string(kShippedAndPaid)), At("2026-10-01T10:00:00Z"));
  EXPECT_TRUE(records->returned.contains(kShippedAndPaid));
}

TEST(ReturnsCsvTest, ReadsOrderIdsAndDatesAndNamesTheBadLine) {
  const Result<std::vector<store::ReturnReceipt>> receipts = ParseReturnsCsv(
      "\xEF\xBB\xBFreceived_at,amazon_order_id,note\r\n"
      "2026-10-20,202-0000001-0000001,\"torn, box\"\r\n"
      "2026-10-21T09:30:00Z,202-0000002-0000002,\r\n",
      "returns.csv");
  ASSERT_TRUE(receipts.ok()) << receipts.status();
  ASSERT_EQ(receipts->size(), 2U);
  EXPECT_EQ((*receipts)[0].amazon_order_id, "202-0000001-0000001");
  EXPECT_EQ((*receipts)[0].received_at, At("2026-10-20T00:00:00Z"));
  EXPECT_EQ((*receipts)[0].source, "import:returns.csv");
  EXPECT_EQ((*receipts)[1].received_at, At("2026-10-21T09:30:00Z"));

  const Result<std::vector<store::ReturnReceipt>> bad = ParseReturnsCsv(
      "amazon_order_id,received_at\n202-0000001-0000001,2026-10-20\nFBA15ABC,2026-10-20\n",
      "returns.csv");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("returns.csv:3"));
  EXPECT_THAT(bad.status().message(), HasSubstr("FBA15ABC"));
  EXPECT_THAT(ParseReturnsCsv("order,when\n", "r.csv").status().message(),
              HasSubstr("amazon_order_id"));
}

}  // namespace
}  // namespace sellerbridge::finance
