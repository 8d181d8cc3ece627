#include "finance/journal_sink.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "finance/journal_export.h"
#include "http/server.h"

namespace sellerbridge::finance {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

constexpr std::string_view kToken = "xero-access-t0ken-s3cret";
constexpr std::string_view kQuerySecret = "api_key=q5ecret-in-query";

Journal NovemberJournal() {
  const SettlementSummary summary{
      .settlement_id = "12345678901",
      .start = std::chrono::sys_days{std::chrono::year{2026} / 10 / 25},
      .end = std::chrono::sys_days{std::chrono::year{2026} / 11 / 8},
      .deposit_date = std::chrono::sys_days{std::chrono::year{2026} / 11 / 10},
      .total_minor = 10000 - 1234,
      .currency = "GBP",
      .minor_digits = 2};
  const std::vector<SettlementTotal> totals = {
      {"Order", "ItemPrice", "Principal", 2026, 11, 10000, 4},
      {"Order", "ItemFees", "Commission", 2026, 11, -1234, 4},
  };
  return BuildJournals(summary, totals, AccountMap::Defaults()).journals.at(0);
}

// What the loopback finance system received.
struct Received {
  std::string path;
  std::string body;
  http::Headers headers;
  std::string query;
};

// A loopback finance system: records each POST and answers with `status_`
// and `answer_`.
class JournalSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Route("POST", "/api.xro/2.0/ManualJournals",
                  [this](const http::Request& request) { return Record(request); });
    server_.Route("POST", "/journals",
                  [this](const http::Request& request) { return Record(request); });
    ASSERT_TRUE(server_.Start("127.0.0.1", 0).ok());
  }

  // The client goes first: a connection it keeps alive would hold Stop up.
  void TearDown() override {
    client_.reset();
    server_.Stop();
  }

  http::Response Record(const http::Request& request) {
    std::lock_guard lock(mu_);
    received_.push_back({.path = request.path,
                         .body = request.body,
                         .headers = request.headers,
                         .query = request.Query("api_key").value_or("")});
    http::Response response = http::Response::Json(status_, answer_);
    if (!retry_after_.empty()) {
      response.WithHeader("Retry-After", retry_after_);
    }
    return response;
  }

  void Answer(int status, std::string answer) {
    std::lock_guard lock(mu_);
    status_ = status;
    answer_ = std::move(answer);
  }

  std::vector<Received> AllReceived() {
    std::lock_guard lock(mu_);
    return received_;
  }

  config::JournalSinkConfig XeroConfig() {
    config::JournalSinkConfig config;
    config.name = "xero";
    config.url = fmt::format("http://127.0.0.1:{}/api.xro/2.0/ManualJournals", server_.Port());
    config.format = config::JournalFormat::kXero;
    config.token = config::Secret(std::string(kToken));
    config.tenant_id = "tenant-0001";
    config.journal_status = "DRAFT";
    return config;
  }

  config::JournalSinkConfig GenericConfig() {
    config::JournalSinkConfig config;
    config.name = "ledger";
    config.url = fmt::format("http://127.0.0.1:{}/journals?{}", server_.Port(), kQuerySecret);
    config.format = config::JournalFormat::kJson;
    return config;
  }

  http::Server server_;
  std::unique_ptr<http::CurlHttpClient> client_ = std::make_unique<http::CurlHttpClient>();
  std::mutex mu_;
  int status_ = 200;                // Guarded by mu_.
  std::string answer_ = "{}";       // Guarded by mu_.
  std::string retry_after_;         // Guarded by mu_.
  std::vector<Received> received_;  // Guarded by mu_.
};

TEST_F(JournalSinkTest, PostsXeroManualJournalWithHeadersAndReturnsItsId) {
  Answer(200, R"({"Id":"x","Status":"OK","ManualJournals":[{"ManualJournalID":"8c2f-77",
                 "Status":"DRAFT"}]})");
  const JournalSink sink(XeroConfig(), client_.get());
  EXPECT_EQ(sink.Name(), "xero");
  const Journal journal = NovemberJournal();
  const Result<std::string> id = sink.Post(journal);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(*id, "8c2f-77");

  const std::vector<Received> received = AllReceived();
  ASSERT_THAT(received, SizeIs(1));
  const http::Headers& headers = received[0].headers;
  const auto header = [&](std::string_view name) {
    const auto found = headers.find(name);
    return found == headers.end() ? std::string("(none)") : found->second;
  };
  EXPECT_EQ(header("Authorization"), fmt::format("Bearer {}", kToken));
  EXPECT_EQ(header("xero-tenant-id"), "tenant-0001");
  EXPECT_EQ(header("Idempotency-Key"), "amazon-settlement-12345678901-2026-11");
  EXPECT_EQ(header("Content-Type"), "application/json");
  EXPECT_EQ(header("Accept"), "application/json");

  const json body = json::parse(received[0].body);
  ASSERT_THAT(body["ManualJournals"], SizeIs(1));
  const json& manual = body["ManualJournals"][0];
  EXPECT_EQ(manual, XeroManualJournal(journal, "DRAFT"));
  EXPECT_EQ(manual["Date"], "2026-11-10");
  EXPECT_EQ(manual["Status"], "DRAFT");
  std::int64_t sum_minor = 0;
  for (const json& line : manual["JournalLines"]) {
    const double amount = line["LineAmount"].get<double>();
    // Two decimals at most: the amount times 100 is a whole number.
    EXPECT_DOUBLE_EQ(amount * 100, std::round(amount * 100));
    sum_minor += std::llround(amount * 100);
  }
  EXPECT_THAT(manual["JournalLines"], SizeIs(journal.lines.size()));
  EXPECT_EQ(sum_minor, 0);
}

TEST_F(JournalSinkTest, PostsGenericJsonWithoutAuthorizationWhenNoToken) {
  Answer(201, R"({"id": 4711})");
  const JournalSink sink(GenericConfig(), client_.get());
  const Journal journal = NovemberJournal();
  const Result<std::string> id = sink.Post(journal);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(*id, "4711");
  const std::vector<Received> received = AllReceived();
  ASSERT_THAT(received, SizeIs(1));
  EXPECT_EQ(received[0].path, "/journals");
  EXPECT_EQ(received[0].query, "q5ecret-in-query");
  EXPECT_EQ(received[0].headers.count("Authorization"), 0U);
  EXPECT_EQ(received[0].headers.count("xero-tenant-id"), 0U);
  EXPECT_EQ(received[0].headers.find("Idempotency-Key")->second, journal.idempotency_key);
  EXPECT_EQ(json::parse(received[0].body), JournalToJson(journal));
}

TEST_F(JournalSinkTest, AnswerWithoutAnIdIsStillSuccess) {
  Answer(200, "accepted");
  const JournalSink sink(GenericConfig(), client_.get());
  const Result<std::string> id = sink.Post(NovemberJournal());
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(*id, "");
}

struct StatusCase {
  int http_status;
  StatusCode code;
};

TEST_F(JournalSinkTest, MapsHttpStatusesToCodes) {
  const std::vector<StatusCase> cases = {
      {500, StatusCode::kUnavailable},       {503, StatusCode::kUnavailable},
      {429, StatusCode::kResourceExhausted}, {401, StatusCode::kUnauthenticated},
      {403, StatusCode::kPermissionDenied},  {400, StatusCode::kInvalidArgument},
      {404, StatusCode::kInvalidArgument},   {409, StatusCode::kInvalidArgument},
      {422, StatusCode::kInvalidArgument},
  };
  const JournalSink sink(XeroConfig(), client_.get());
  for (const StatusCase& c : cases) {
    Answer(c.http_status, R"({"Title":"Refused","Detail":"because"})");
    const Result<std::string> id = sink.Post(NovemberJournal());
    ASSERT_FALSE(id.ok()) << c.http_status;
    EXPECT_EQ(id.status().code(), c.code) << c.http_status << ": " << id.status();
    EXPECT_THAT(id.status().message(), HasSubstr(fmt::format("HTTP {}", c.http_status)));
    EXPECT_THAT(id.status().message(), HasSubstr("finance sink xero"));
    EXPECT_THAT(id.status().message(), Not(HasSubstr(kToken)));
  }
}

TEST_F(JournalSinkTest, QuotesXeroValidationErrors) {
  Answer(400, R"({"ErrorNumber":10,"Type":"ValidationException",
                  "Message":"A validation exception occurred",
                  "Elements":[{"Narration":"n","ValidationErrors":[
                    {"Message":"Account code '9999' is not a valid code for this document."},
                    {"Message":"The total debits must equal total credits."}]}]})");
  const JournalSink sink(XeroConfig(), client_.get());
  const Result<std::string> id = sink.Post(NovemberJournal());
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(id.status().message(),
              HasSubstr("HTTP 400: A validation exception occurred; Account code '9999' is not a "
                        "valid code for this document.; The total debits must equal total "
                        "credits."));
  EXPECT_THAT(id.status().message(), HasSubstr("amazon-settlement-12345678901-2026-11"));
}

TEST_F(JournalSinkTest, ErrorsNeverHoldTheTokenOrTheQuery) {
  // A remote end that echoes what it was sent.
  Answer(400, fmt::format(R"({{"message":"bad request from Bearer {} to /journals?{}"}})", kToken,
                          kQuerySecret));
  config::JournalSinkConfig config = GenericConfig();
  config.token = config::Secret(std::string(kToken));
  const JournalSink sink(config, client_.get());
  const Result<std::string> id = sink.Post(NovemberJournal());
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(id.status().message(), HasSubstr("bad request from"));
  EXPECT_THAT(id.status().message(),
              HasSubstr(fmt::format("POST http://127.0.0.1:{}/journals ", server_.Port())));
  EXPECT_THAT(id.status().message(), Not(HasSubstr(kToken)));
  EXPECT_THAT(id.status().message(), Not(HasSubstr("q5ecret")));
}

TEST_F(JournalSinkTest, ThrottlingSaysWhenToRetry) {
  {
    std::lock_guard lock(mu_);
    retry_after_ = "37";
  }
  Answer(429, R"({"Title":"Too Many Requests"})");
  const JournalSink sink(XeroConfig(), client_.get());
  const Result<std::string> id = sink.Post(NovemberJournal());
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(id.status().message(), HasSubstr("retry after 37 s"));
  EXPECT_TRUE(IsRetryable(id.status().code()));
}

TEST_F(JournalSinkTest, UnreachableSystemIsUnavailableWithoutTheQuery) {
  config::JournalSinkConfig config = GenericConfig();
  config.token = config::Secret(std::string(kToken));
  http::Server closed;
  ASSERT_TRUE(closed.Start("127.0.0.1", 0).ok());
  const int port = closed.Port();
  closed.Stop();
  config.url = fmt::format("http://127.0.0.1:{}/journals?{}", port, kQuerySecret);
  const JournalSink sink(config, client_.get());
  const Result<std::string> id = sink.Post(NovemberJournal());
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), StatusCode::kUnavailable) << id.status();
  EXPECT_THAT(id.status().message(), HasSubstr("the request did not complete"));
  EXPECT_THAT(id.status().message(), Not(HasSubstr("q5ecret")));
  EXPECT_THAT(id.status().message(), Not(HasSubstr(kToken)));
}

}  // namespace
}  // namespace sellerbridge::finance
