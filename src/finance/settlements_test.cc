// The finance job against the Amazon emulator over loopback HTTP: settlement
// reports found, kept unchanged, analysed, held or balanced, and their
// journals posted once to a loopback finance system.
#include "finance/settlements.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "amazon/connector_test_fixture.h"
#include "amazon/orders_api.h"
#include "emulators/amazon/settlements.h"
#include "http/server.h"
#include "store/store.h"

namespace sellerbridge::finance {
namespace {

using std::chrono::hours;
using ::testing::HasSubstr;
using ::testing::SizeIs;

// A finance system on loopback: records every journal posted and answers
// with the status a test sets.
class FakeLedger {
 public:
  FakeLedger() {
    server_.Route("POST", "/journals", [this](const http::Request& request) {
      std::lock_guard lock(mu_);
      requests_.push_back(request);
      if (status_ != 201) {
        return http::Response::Json(status_, R"({"message":"ledger is down"})");
      }
      return http::Response::Json(
          201, nlohmann::json{{"id", "J" + std::to_string(requests_.size())}}.dump());
    });
    EXPECT_TRUE(server_.Start("127.0.0.1", 0).ok());
  }
  std::string Url() const {
    return "http://127.0.0.1:" + std::to_string(server_.Port()) + "/journals";
  }
  void Answer(int status) {
    std::lock_guard lock(mu_);
    status_ = status;
  }
  std::vector<http::Request> Requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  http::Server server_{http::ServerOptions{.worker_threads = 2}};
  std::mutex mu_;
  std::vector<http::Request> requests_;  // Guarded by mu_.
  int status_ = 201;                     // Guarded by mu_.
};

class SettlementBookTest : public amazon::AmazonConnectorTest {
 protected:
  void SetUp() override {
    AmazonConnectorTest::SetUp();
    reports_ = std::make_unique<amazon::ReportsApi>(client_.get(), &http_);
    orders_ = std::make_unique<amazon::OrdersApi>(client_.get(), rdts_.get());
    auto opened = store::OpenStore("sqlite::memory:", &clock_);
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(opened).value();
  }

  std::unique_ptr<SettlementBook> MakeBook(bool with_sink = true) {
    std::vector<std::unique_ptr<JournalSink>> sinks;
    if (with_sink) {
      sinks.push_back(std::make_unique<JournalSink>(
          config::JournalSinkConfig{.name = "ledger", .url = ledger_.Url()}, &http_));
    }
    config::FinanceConfig config;
    config.first_search = hours{24 * 30};
    return std::make_unique<SettlementBook>(config, store_.get(), &clock_, reports_.get(),
                                            std::move(sinks));
  }

  // Places and ships an order of `quantity` units.
  std::string ShipOrder(int quantity) {
    const std::string id = PlaceOrder(quantity);
    auto order = orders_->GetOrder(id, false, {});
    EXPECT_TRUE(order.ok()) << order.status();
    if (!order.ok()) {
      return id;
    }
    const Status confirmed =
        orders_->ConfirmShipment(id,
                                 {.marketplace_id = "A1F83G8C2ARO7P",
                                  .package_reference_id = "1",
                                  .carrier_code = "Royal Mail",
                                  .tracking_number = "AB123456785GB",
                                  .ship_date = emulator_clock_.Now(),
                                  .items = {{order->order->lines[0].order_item_id, quantity}}},
                                 {});
    EXPECT_TRUE(confirmed.ok()) << confirmed;
    return id;
  }

  // Ships two orders, refunds one, and closes Amazon's settlement period.
  void SettleOnce() {
    ShipOrder(2);
    const std::string refunded = ShipOrder(1);
    ASSERT_TRUE(emulator_->RefundOrder(refunded).ok());
    ASSERT_TRUE(emulator_->AdvanceClock(hours{24 * 15}).ok());
    clock_.Advance(hours{24 * 15});
  }

  std::vector<store::SettlementReport> Stored() {
    auto tx = store_->BeginReadOnly();
    EXPECT_TRUE(tx.ok());
    auto listed = (*tx)->ListSettlementReports({});
    EXPECT_TRUE(listed.ok()) << listed.status();
    return listed.ok() ? *listed : std::vector<store::SettlementReport>{};
  }

  std::optional<store::HeldException> Held(std::string_view kind, std::string_view subject) {
    auto tx = store_->BeginReadOnly();
    auto held = (*tx)->FindException(kind, subject);
    EXPECT_TRUE(held.ok()) << held.status();
    return held.ok() ? *held : std::nullopt;
  }

  VirtualClock clock_{SystemClock::Get()->Now()};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<amazon::ReportsApi> reports_;
  std::unique_ptr<amazon::OrdersApi> orders_;
  FakeLedger ledger_;
};

TEST_F(SettlementBookTest, StoresEachSettlementDocumentUnchangedOnceAndBalancesIt) {
  SettleOnce();
  const auto book = MakeBook(false);
  const Result<SettlementRun> run = book->RunOnce({});
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->stored, 1);
  EXPECT_EQ(run->balanced, 1);
  EXPECT_EQ(run->needs_attention, 0);

  const std::vector<emulators::amazon::SettlementRecord> amazon = emulator_->Settlements();
  ASSERT_THAT(amazon, SizeIs(1));
  const std::vector<store::SettlementReport> stored = Stored();
  ASSERT_THAT(stored, SizeIs(1));
  EXPECT_EQ(stored[0].report_id, amazon[0].report_id);
  EXPECT_EQ(stored[0].state, store::SettlementState::kBalanced);
  EXPECT_EQ(stored[0].settlement_id, amazon[0].settlement.settlement_id);
  EXPECT_EQ(stored[0].total_minor, amazon[0].total_minor);
  EXPECT_EQ(stored[0].difference_minor, 0);
  auto tx = store_->BeginReadOnly();
  const auto document = (*tx)->FindSettlementReport(amazon[0].report_id);
  ASSERT_TRUE(document.ok() && document->has_value());
  EXPECT_EQ((*document)->document, emulators::amazon::SettlementDocument(amazon[0]));
  const auto watermark = (*tx)->FindWatermark("settlements:since");
  ASSERT_TRUE(watermark.ok() && watermark->has_value());
  tx->reset();

  // Listed again (createdSince is inclusive): neither downloaded nor stored twice.
  const Result<SettlementRun> again = book->RunOnce({});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->stored, 0);
  EXPECT_THAT(Stored(), SizeIs(1));
}

TEST_F(SettlementBookTest, PostsEachJournalOnceAndRetriesAFailedPostNextRun) {
  SettleOnce();
  const auto book = MakeBook();
  ledger_.Answer(503);
  const Result<SettlementRun> failed = book->RunOnce({});
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable) << failed.status();
  ASSERT_THAT(ledger_.Requests(), SizeIs(1));
  const std::string settlement_id = Stored().at(0).settlement_id;
  {
    auto tx = store_->BeginReadOnly();
    auto postings = (*tx)->ListJournalPostings(settlement_id);
    ASSERT_TRUE(postings.ok());
    ASSERT_THAT(*postings, SizeIs(1));
    EXPECT_FALSE((*postings)[0].posted);
    EXPECT_EQ((*postings)[0].attempts, 1);
    EXPECT_THAT((*postings)[0].last_error, HasSubstr("503"));
  }
  // A server error is not the ledger refusing the journal: nothing is held.
  {
    auto tx = store_->BeginReadOnly();
    auto held = (*tx)->ListExceptions({.kind = std::string(kJournalExceptionKind)});
    ASSERT_TRUE(held.ok());
    EXPECT_THAT(*held, SizeIs(0));
  }

  ledger_.Answer(201);
  const Result<SettlementRun> posted = book->RunOnce({});
  ASSERT_TRUE(posted.ok()) << posted.status();
  EXPECT_GE(posted->posted, 1);
  const std::vector<http::Request> requests = ledger_.Requests();
  ASSERT_THAT(requests, SizeIs(1 + posted->posted));
  // The retry carries the same idempotency key as the failed attempt.
  EXPECT_EQ(requests[0].Header("Idempotency-Key"), requests[1].Header("Idempotency-Key"));
  std::int64_t sum = 0;
  for (std::size_t i = 1; i < requests.size(); ++i) {
    const nlohmann::json journal = nlohmann::json::parse(requests[i].body);
    EXPECT_EQ(journal["settlement_id"], settlement_id);
    for (const nlohmann::json& line : journal["lines"]) {
      EXPECT_EQ(line["amount"].get<std::string>().find('e'), std::string::npos);
      sum += std::llround(std::stod(line["amount"].get<std::string>()) * 100);
    }
  }
  EXPECT_EQ(sum, 0);

  const Result<SettlementRun> third = book->RunOnce({});
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(third->posted, 0);
  EXPECT_THAT(ledger_.Requests(), SizeIs(requests.size()));
}

TEST_F(SettlementBookTest, JournalTheLedgerRefusesIsHeldUntilItIsPosted) {
  SettleOnce();
  const auto book = MakeBook();
  ledger_.Answer(422);
  const Result<SettlementRun> refused = book->RunOnce({});
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument) << refused.status();
  std::vector<store::HeldException> held;
  {
    auto tx = store_->BeginReadOnly();
    auto listed = (*tx)->ListExceptions({.kind = std::string(kJournalExceptionKind)});
    ASSERT_TRUE(listed.ok());
    held = *listed;
  }
  ASSERT_THAT(held, SizeIs(1));
  EXPECT_THAT(held[0].subject_id, HasSubstr("ledger/amazon-settlement-"));
  EXPECT_THAT(held[0].reason, HasSubstr("ledger is down"));

  ledger_.Answer(201);
  const Result<SettlementRun> posted = book->RunOnce({});
  ASSERT_TRUE(posted.ok()) << posted.status();
  EXPECT_GE(posted->posted, 1);
  EXPECT_FALSE(Held(kJournalExceptionKind, held[0].subject_id)->IsOpen());
}

TEST_F(SettlementBookTest, UnmappedTypeIsHeldUntilFinanceMapsItThenPosted) {
  SettleOnce();
  {
    // Finance's own rules, without one for Amazon's commission.
    auto tx = store_->Begin();
    ASSERT_TRUE(tx.ok());
    std::vector<AccountRule> rules = AccountMap::Defaults().Rules();
    std::erase_if(rules, [](const AccountRule& rule) { return rule.amount_type == "ItemFees"; });
    ASSERT_TRUE((*tx)->ReplaceFinanceAccountRules(ToStoreRules(rules)).ok());
    ASSERT_TRUE((*tx)->Commit().ok());
  }
  const auto book = MakeBook();
  const Result<SettlementRun> run = book->RunOnce({});
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->needs_attention, 1);
  EXPECT_EQ(run->posted, 0);
  EXPECT_THAT(ledger_.Requests(), SizeIs(0));
  const store::SettlementReport report = Stored().at(0);
  EXPECT_EQ(report.state, store::SettlementState::kNeedsAttention);
  const std::optional<store::HeldException> held = Held(kSettlementExceptionKind, report.report_id);
  ASSERT_TRUE(held.has_value());
  EXPECT_TRUE(held->IsOpen());
  EXPECT_THAT(held->reason, HasSubstr("Order / ItemFees / Commission"));
  EXPECT_THAT(held->reason, HasSubstr(report.settlement_id));

  {
    auto tx = store_->Begin();
    ASSERT_TRUE(
        (*tx)->ReplaceFinanceAccountRules(ToStoreRules(AccountMap::Defaults().Rules())).ok());
    ASSERT_TRUE((*tx)->Commit().ok());
  }
  const Result<int> balanced = book->Reanalyse();
  ASSERT_TRUE(balanced.ok()) << balanced.status();
  EXPECT_EQ(*balanced, 1);
  EXPECT_FALSE(Held(kSettlementExceptionKind, report.report_id)->IsOpen());
  const Result<SettlementRun> posted = book->RunOnce({});
  ASSERT_TRUE(posted.ok()) << posted.status();
  EXPECT_GE(posted->posted, 1);
}

TEST_F(SettlementBookTest, DocumentThatIsNotASettlementIsKeptAnalysedAndHeld) {
  {
    auto tx = store_->Begin();
    ASSERT_TRUE((*tx)
                    ->AddSettlementReport({.report_id = "50000000009",
                                           .created_time = clock_.Now(),
                                           .document = "<html>Service Unavailable</html>"})
                    .ok());
    ASSERT_TRUE((*tx)->Commit().ok());
  }
  const auto book = MakeBook(false);
  // Stored by a run that stopped before analysing it: the next run analyses it.
  const Result<SettlementRun> run = book->RunOnce({});
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->needs_attention, 1);
  const Result<store::SettlementReport> outcome = book->Analyse("50000000009");
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_EQ(outcome->state, store::SettlementState::kNeedsAttention);
  EXPECT_EQ(outcome->document, "<html>Service Unavailable</html>");
  const std::optional<store::HeldException> held = Held(kSettlementExceptionKind, "50000000009");
  ASSERT_TRUE(held.has_value());
  EXPECT_THAT(held->reason, HasSubstr("settlement-id"));
  EXPECT_EQ(book->Analyse("59999999999").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace sellerbridge::finance
