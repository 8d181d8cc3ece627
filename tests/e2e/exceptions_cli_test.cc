// `sellerbridge exceptions` as an operator runs it, against a store file the test fills first:
// what it prints, its exit codes, and what it changes in the store.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "base/clock.h"
#include "domain/order.h"
#include "e2e/subprocess.h"
#include "store/store.h"

namespace sellerbridge {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using testing::RunProcess;

const std::string kExe = SELLERBRIDGE_EXE;
const std::string kExample = std::string(SELLERBRIDGE_SOURCE_DIR) + "/sellerbridge.example.toml";
constexpr std::string_view kOrderId = "203-1234567-1234567";

// The actor the command audits as, from the environment it inherits.
std::string ExpectedActor() {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): nothing in the test sets the environment.
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? std::string("cli:") + user : "cli";
}

class ExceptionsCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sellerbridge-exceptions-cli-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    url_ = "sqlite://" + (dir_ / "store.db").string();

    std::ifstream in(kExample);
    std::stringstream text;
    text << in.rdbuf();
    std::string config = text.str();
    const std::string from = "sqlite:///var/lib/sellerbridge/sellerbridge.db";
    const auto at = config.find(from);
    ASSERT_NE(at, std::string::npos);
    config.replace(at, from.size(), url_);
    config_ = (dir_ / "sellerbridge.toml").string();
    std::ofstream(config_) << config;

    auto opened = store::OpenStore(url_, SystemClock::Get());
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(opened).value();
    domain::OrderData data;
    data.amazon_order_id = std::string(kOrderId);
    data.marketplace_id = "A1F83G8C2ARO7P";
    data.status = domain::OrderStatus::kUnshipped;
    data.purchase_date = SystemClock::Get()->Now();
    data.last_update_date = data.purchase_date;
    data.lines = {{.order_item_id = "11", .sku = "SKU-1", .quantity_ordered = 1}};
    {
      auto txn = Begin();
      ASSERT_TRUE(txn->UpsertOrder(*domain::Order::Create(std::move(data))).ok());
      ASSERT_TRUE(txn->SetOrderSyncState(kOrderId, store::SyncState::kSentToClarus, "GO-5").ok());
      auto enqueued =
          txn->EnqueueConfirmation({.idempotency_key = "confirm-1",
                                    .amazon_order_id = std::string(kOrderId),
                                    .marketplace_id = "A1F83G8C2ARO7P",
                                    .parcel = {.package_reference_id = "1",
                                               .carrier_code = "Royal Mail",
                                               .tracking_number = "AB12345678",
                                               .ship_date = SystemClock::Get()->Now(),
                                               .items = {{.order_item_id = "11", .quantity = 1}}},
                                    .deadline = SystemClock::Get()->Now()});
      ASSERT_TRUE(enqueued.ok()) << enqueued.status();
      entry_id_ = enqueued->id;
      ASSERT_TRUE(txn->UpdateConfirmation(entry_id_, {.state = store::ConfirmationState::kFailed,
                                                      .attempts = 2,
                                                      .next_attempt_at = SystemClock::Get()->Now(),
                                                      .last_error = "InvalidInput"})
                      .ok());
      ASSERT_TRUE(txn->Commit().ok());
    }
    confirmation_ = Hold("confirmation", std::to_string(entry_id_), "Amazon refused the tracking");
    order_ = Hold("order", kOrderId, "no ship-method mapping for Std UK Dom_1");
  }

  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<store::Transaction> Begin() {
    auto txn = store_->Begin();
    EXPECT_TRUE(txn.ok()) << txn.status();
    return std::move(txn).value();
  }

  std::int64_t Hold(std::string_view kind, std::string_view subject_id, std::string_view reason) {
    auto txn = Begin();
    auto id = txn->HoldException({.kind = std::string(kind),
                                  .subject_id = std::string(subject_id),
                                  .reason = std::string(reason),
                                  .suggested_fix = "fix it"});
    EXPECT_TRUE(id.ok()) << id.status();
    EXPECT_TRUE(txn->Commit().ok());
    return id.ok() ? *id : 0;
  }

  testing::ProcessResult Exceptions(std::vector<std::string> args) {
    args.insert(args.begin(), {kExe, "exceptions"});
    args.insert(args.end(), {"--config", config_});
    return RunProcess(args);
  }

  store::HeldException Exception(std::int64_t id) {
    auto txn = store_->BeginReadOnly();
    EXPECT_TRUE(txn.ok());
    auto held = (*txn)->GetException(id);
    EXPECT_TRUE(held.ok()) << held.status();
    return held.ok() ? *held : store::HeldException{};
  }

  store::OutboxEntry Entry() {
    auto txn = store_->BeginReadOnly();
    EXPECT_TRUE(txn.ok());
    auto entry = (*txn)->GetConfirmation(entry_id_);
    EXPECT_TRUE(entry.ok()) << entry.status();
    return entry.ok() ? *entry : store::OutboxEntry{};
  }

  std::vector<store::AuditEntry> Audit() {
    auto txn = store_->BeginReadOnly();
    EXPECT_TRUE(txn.ok());
    auto entries = (*txn)->ListAudit({.limit = 100});
    EXPECT_TRUE(entries.ok()) << entries.status();
    return entries.ok() ? *entries : std::vector<store::AuditEntry>{};
  }

  std::filesystem::path dir_;
  std::string url_;
  std::string config_;
  std::unique_ptr<store::Store> store_;
  std::int64_t entry_id_ = 0;
  std::int64_t confirmation_ = 0;
  std::int64_t order_ = 0;
};

TEST_F(ExceptionsCliTest, ListPrintsTheOpenExceptionsAsATable) {
  const auto result = Exceptions({"list"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("ID"));
  EXPECT_THAT(result.out, HasSubstr("SUGGESTED FIX"));
  EXPECT_THAT(result.out, HasSubstr("Amazon refused the tracking"));
  EXPECT_THAT(result.out, HasSubstr("no ship-method mapping for Std UK Dom_1"));
  EXPECT_THAT(result.out, Not(HasSubstr("RESOLVED")));

  const auto orders = Exceptions({"list", "--kind", "order"});
  ASSERT_EQ(orders.exit_code, 0) << orders.err;
  EXPECT_THAT(orders.out, HasSubstr("no ship-method mapping"));
  EXPECT_THAT(orders.out, Not(HasSubstr("Amazon refused the tracking")));
  EXPECT_EQ(Exceptions({"list", "--kind", "stock"}).out, "no open exceptions\n");
}

TEST_F(ExceptionsCliTest, ListShowsResolvedOnesWithAllAndJsonInTheApiFormat) {
  {
    auto txn = Begin();
    ASSERT_TRUE(txn->ResolveException(order_, "api", "mapped it").ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  const auto open = Exceptions({"list", "--json"});
  ASSERT_EQ(open.exit_code, 0) << open.err;
  const auto json = nlohmann::json::parse(open.out);
  ASSERT_EQ(json.at("exceptions").size(), 1U);
  EXPECT_EQ(json["exceptions"][0]["id"], confirmation_);
  EXPECT_EQ(json["exceptions"][0]["kind"], "confirmation");
  EXPECT_EQ(json["exceptions"][0]["subject_id"], std::to_string(entry_id_));
  EXPECT_EQ(json["exceptions"][0]["resolved_at"], nullptr);

  const auto all = Exceptions({"list", "--all"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_THAT(all.out, HasSubstr("RESOLVED"));
  EXPECT_THAT(all.out, HasSubstr("by api: mapped it"));
  EXPECT_EQ(nlohmann::json::parse(Exceptions({"list", "--all", "--json"}).out)["exceptions"].size(),
            2U);
}

TEST_F(ExceptionsCliTest, RetrySendsTheConfirmationAgainAsTheUser) {
  const auto result = Exceptions({"retry", std::to_string(confirmation_)});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr(fmt::format("exception {} retried", confirmation_)));
  EXPECT_EQ(Entry().state, store::ConfirmationState::kPending);
  const store::HeldException held = Exception(confirmation_);
  EXPECT_FALSE(held.IsOpen());
  EXPECT_EQ(held.resolved_by, ExpectedActor());
  const auto audit = Audit();
  ASSERT_EQ(audit.size(), 1U);
  EXPECT_EQ(audit[0].action, "exception.retry");
  EXPECT_EQ(audit[0].actor, ExpectedActor());

  const auto again = Exceptions({"retry", std::to_string(confirmation_)});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("already resolved"));
}

TEST_F(ExceptionsCliTest, RetryOfAnOrderSaysToFixTheCause) {
  const auto result = Exceptions({"retry", std::to_string(order_)});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("judges held orders again on every pass"));
  EXPECT_TRUE(Exception(order_).IsOpen());
}

TEST_F(ExceptionsCliTest, ResolveNeedsANote) {
  const auto missing = Exceptions({"resolve", std::to_string(order_)});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("--note"));
  const auto empty = Exceptions({"resolve", std::to_string(order_), "--note", " "});
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_THAT(empty.err, HasSubstr("needs a note"));
  EXPECT_TRUE(Exception(order_).IsOpen());

  const auto resolved =
      Exceptions({"resolve", std::to_string(order_), "--note", "cancelled in Seller Central"});
  ASSERT_EQ(resolved.exit_code, 0) << resolved.err;
  EXPECT_EQ(resolved.out, fmt::format("exception {} resolved\n", order_));
  const store::HeldException held = Exception(order_);
  EXPECT_EQ(held.resolution_note, "cancelled in Seller Central");
  EXPECT_EQ(held.resolved_by, ExpectedActor());
}

TEST_F(ExceptionsCliTest, EditCorrectsTheTrackingNumberOrSaysWhyNot) {
  const auto bad = Exceptions({"edit", std::to_string(confirmation_), "--tracking", "AB12"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("Royal Mail"));
  EXPECT_EQ(Entry().parcel.tracking_number, "AB12345678");
  const auto other_kind =
      Exceptions({"edit", std::to_string(order_), "--tracking", "AB123456789GB"});
  EXPECT_EQ(other_kind.exit_code, 1);
  EXPECT_THAT(other_kind.err, HasSubstr("kind 'order'"));
  EXPECT_THAT(Audit(), IsEmpty());

  const auto edited =
      Exceptions({"edit", std::to_string(confirmation_), "--tracking", "AB123456789GB"});
  ASSERT_EQ(edited.exit_code, 0) << edited.err;
  EXPECT_EQ(Entry().parcel.tracking_number, "AB123456789GB");
  EXPECT_EQ(Entry().state, store::ConfirmationState::kPending);
  const auto audit = Audit();
  ASSERT_EQ(audit.size(), 1U);
  EXPECT_EQ(audit[0].action, "exception.edit_tracking");
}

TEST_F(ExceptionsCliTest, UnknownIdsAndMissingArgumentsAreBadInput) {
  const auto unknown = Exceptions({"retry", "9999"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("no exception 9999"));
  EXPECT_EQ(Exceptions({"retry", "abc"}).exit_code, 2);
  EXPECT_EQ(Exceptions({"edit", std::to_string(confirmation_)}).exit_code, 2);
  EXPECT_EQ(RunProcess({kExe, "exceptions", "list"}).exit_code, 2);
  EXPECT_EQ(RunProcess({kExe, "exceptions"}).exit_code, 2);
}

}  // namespace
}  // namespace sellerbridge
