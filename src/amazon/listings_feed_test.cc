// The JSON listings feed for quantities: the document against Amazon's
// schema, the processing report, and both against the Amazon emulator over
// loopback HTTP.
#include "amazon/listings_feed.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "amazon/connector_test_fixture.h"
#include "amazon/feeds_api.h"

namespace sellerbridge::amazon {
namespace {

using nlohmann::json;
using std::chrono::minutes;

// A file of Amazon's models as JSON (discarded when it cannot be read).
json AmazonModel(const std::string& name) {
  std::ifstream in(SELLERBRIDGE_SOURCE_DIR "/../shared/amazon/spapi-models/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
}

bool HasType(const json& value, const std::string& type) {
  if (type == "object") {
    return value.is_object();
  }
  if (type == "array") {
    return value.is_array();
  }
  if (type == "string") {
    return value.is_string();
  }
  if (type == "integer") {
    return value.is_number_integer();
  }
  if (type == "number") {
    return value.is_number();
  }
  if (type == "boolean") {
    return value.is_boolean();
  }
  return false;
}

// Appends to `violations` where `value` breaks `schema`, for the draft-07
// keywords Amazon's listings feed schema uses. With `strict`, a member the
// schema does not declare is a violation too (unless additionalProperties is
// true), so that a misspelt field name is caught although the schema does not
// forbid it; the branches of oneOf declare only what they constrain, so they
// are checked without.
void Validate(const json& value, const json& schema, const std::string& path, bool strict,
              std::vector<std::string>& violations) {
  if (schema.is_boolean()) {
    if (!schema.get<bool>()) {
      violations.push_back(path + ": not allowed");
    }
    return;
  }
  if (schema.contains("type") && !HasType(value, schema["type"].get<std::string>())) {
    violations.push_back(path + ": is not " + schema["type"].get<std::string>());
    return;
  }
  if (schema.contains("const") && value != schema["const"]) {
    violations.push_back(path + ": is not " + schema["const"].dump());
  }
  if (schema.contains("enum") &&
      std::find(schema["enum"].begin(), schema["enum"].end(), value) == schema["enum"].end()) {
    violations.push_back(path + ": " + value.dump() + " is not in " + schema["enum"].dump());
  }
  if (value.is_number()) {
    if (schema.contains("minimum") && value < schema["minimum"]) {
      violations.push_back(path + ": below the minimum");
    }
    if (schema.contains("maximum") && value > schema["maximum"]) {
      violations.push_back(path + ": above the maximum");
    }
  }
  if (value.is_string() && schema.contains("minLength") &&
      value.get<std::string>().size() < schema["minLength"].get<std::size_t>()) {
    violations.push_back(path + ": too short");
  }
  if (value.is_array()) {
    if (schema.contains("minItems") && value.size() < schema["minItems"].get<std::size_t>()) {
      violations.push_back(path + ": too few items");
    }
    if (schema.contains("maxItems") && value.size() > schema["maxItems"].get<std::size_t>()) {
      violations.push_back(path + ": too many items");
    }
    if (schema.contains("items")) {
      for (std::size_t i = 0; i < value.size(); ++i) {
        Validate(value[i], schema["items"], path + "[" + std::to_string(i) + "]", strict,
                 violations);
      }
    }
  }
  if (value.is_object()) {
    const json properties = schema.value("properties", json::object());
    for (const json& name : schema.value("required", json::array())) {
      if (!value.contains(name)) {
        violations.push_back(fmt::format("{}: {} is missing", path, name.get<std::string>()));
      }
    }
    for (const auto& [name, member] : value.items()) {
      if (properties.contains(name)) {
        Validate(member, properties[name], fmt::format("{}/{}", path, name), strict, violations);
      } else if (strict && schema.value("additionalProperties", json(false)) != true) {
        violations.push_back(fmt::format("{}/{}: not declared by the schema", path, name));
      }
    }
  }
  if (schema.contains("oneOf")) {
    int matched = 0;
    for (const json& branch : schema["oneOf"]) {
      std::vector<std::string> ignored;
      Validate(value, branch, path, /*strict=*/false, ignored);
      matched += ignored.empty() ? 1 : 0;
    }
    if (matched != 1) {
      violations.push_back(path + ": matches " + std::to_string(matched) + " branches of oneOf");
    }
  }
}

std::vector<std::string> FeedViolations(const json& feed) {
  static const json kSchema = AmazonModel("schema-feed-listings-feed-schema-v2.json");
  EXPECT_FALSE(kSchema.is_discarded());
  std::vector<std::string> violations;
  Validate(feed, kSchema, "", /*strict=*/true, violations);
  return violations;
}

std::string Joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) {
    out += line + "\n";
  }
  return out;
}

TEST(ListingsFeedSchemaTest, TheCheckerAcceptsAmazonsExampleAndCatchesMistakes) {
  json example = AmazonModel("schema-feed-listings-feed-schema-v2.example.json");
  ASSERT_FALSE(example.is_discarded());
  // Amazon's example uses every operation type; only the header's and
  // messages' declared members are checked strictly.
  EXPECT_TRUE(FeedViolations(example).empty()) << Joined(FeedViolations(example));
  json wrong = example;
  wrong["messages"][4]["patches"][0]["op"] = "upsert";
  EXPECT_FALSE(FeedViolations(wrong).empty());
  wrong = example;
  wrong["messages"][4]["messageID"] = 5;
  EXPECT_FALSE(FeedViolations(wrong).empty());
  wrong = example;
  wrong["messages"][4].erase("productType");
  EXPECT_FALSE(FeedViolations(wrong).empty());
  wrong = example;
  wrong["header"]["version"] = "2";
  EXPECT_FALSE(FeedViolations(wrong).empty());
}

TEST(ListingsFeedTest, BuildsOnePatchMessageMergingTheDefaultChannelEach) {
  const std::string text = BuildListingsQuantityFeed(
      "A2SELLER", {{.message_id = 1, .sku = "SB-MUG-001", .quantity = 7},
                   {.message_id = 2, .sku = "SB-TEE-002", .quantity = 0, .handling_days = 3}});
  EXPECT_EQ(text,
            R"({"header":{"sellerId":"A2SELLER","version":"2.0"},"messages":[)"
            R"({"messageId":1,"sku":"SB-MUG-001","operationType":"PATCH","productType":"PRODUCT",)"
            R"("patches":[{"op":"merge","path":"/attributes/fulfillment_availability",)"
            R"("value":[{"fulfillment_channel_code":"DEFAULT","quantity":7}]}]},)"
            R"({"messageId":2,"sku":"SB-TEE-002","operationType":"PATCH","productType":"PRODUCT",)"
            R"("patches":[{"op":"merge","path":"/attributes/fulfillment_availability",)"
            R"("value":[{"fulfillment_channel_code":"DEFAULT","quantity":0,)"
            R"("lead_time_to_ship_max_days":3}]}]}]})");
}

TEST(ListingsFeedTest, MatchesAmazonsSchemaAndItsMergeExample) {
  std::vector<ListingsFeedQuantity> messages;
  for (int i = 1; i <= 30; ++i) {
    messages.push_back({.message_id = i * 7,
                        .sku = "SKU-" + std::to_string(i),
                        .quantity = i % 4 == 0 ? 0 : i * 10,
                        .handling_days = i % 3 == 0 ? std::optional<int>(i % 5) : std::nullopt});
  }
  const json feed = json::parse(BuildListingsQuantityFeed("A2SELLER", messages));
  EXPECT_TRUE(FeedViolations(feed).empty()) << Joined(FeedViolations(feed)) << feed.dump(2);
  ASSERT_EQ(feed["messages"].size(), messages.size());
  EXPECT_EQ(feed["header"], (json{{"sellerId", "A2SELLER"}, {"version", "2.0"}}));

  // Amazon's own "merge" quantity message, with our SKU, product type and
  // quantity, is exactly what we send.
  const json example = AmazonModel("schema-feed-listings-feed-schema-v2.example.json");
  ASSERT_FALSE(example.is_discarded());
  json expected = example["messages"][4];
  ASSERT_EQ(expected["patches"][0]["op"], "merge");
  expected["messageId"] = 7;
  expected["sku"] = "SKU-1";
  expected["productType"] = "PRODUCT";
  expected["patches"][0]["value"][0]["quantity"] = 10;
  EXPECT_EQ(feed["messages"][0], expected);
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const json& value = feed["messages"][i]["patches"][0]["value"][0];
    EXPECT_EQ(feed["messages"][i]["messageId"], messages[i].message_id);
    EXPECT_EQ(value["quantity"], messages[i].quantity);
    EXPECT_EQ(value.contains("lead_time_to_ship_max_days"), messages[i].handling_days.has_value());
    if (messages[i].handling_days) {
      EXPECT_EQ(value["lead_time_to_ship_max_days"], *messages[i].handling_days);
    }
  }
}

TEST(ListingsFeedTest, EscapesSkusSoAmazonReadsThemBack) {
  const std::vector<std::string> skus = {R"(MUG "Large" \ 1)", "TAB\tNEW\nLINE\r",
                                         std::string("NUL\0ONE\x01", 8), "Café-Ø-😀",
                                         "</script>&<>'"};
  std::vector<ListingsFeedQuantity> messages;
  messages.reserve(skus.size());
  for (const std::string& sku : skus) {
    messages.push_back(
        {.message_id = static_cast<int>(messages.size()) + 1, .sku = sku, .quantity = 1});
  }
  const std::string text = BuildListingsQuantityFeed("A2SELLER", messages);
  EXPECT_EQ(text.find('\n'), std::string::npos) << text;
  const json feed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(feed.is_discarded()) << text;
  EXPECT_TRUE(FeedViolations(feed).empty()) << Joined(FeedViolations(feed));
  for (std::size_t i = 0; i < skus.size(); ++i) {
    EXPECT_EQ(feed["messages"][i]["sku"], skus[i]);
  }
  // UTF-8 is written as it is.
  EXPECT_NE(text.find("Café-Ø-😀"), std::string::npos) << text;
}

TEST(ListingsFeedTest, ReplacesBytesThatAreNotUtf8) {
  const std::string text = BuildListingsQuantityFeed(
      "A2SELLER", {{.message_id = 1, .sku = "BAD-\xFF-\xC3", .quantity = 2}});
  const json feed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(feed.is_discarded()) << text;
  EXPECT_EQ(feed["messages"][0]["sku"], "BAD-\xEF\xBF\xBD-\xEF\xBF\xBD");
}

TEST(ListingsFeedTest, TakesTheLargestFeedAmazonAllows) {
  std::vector<ListingsFeedQuantity> messages;
  for (int i = 1; i <= kMaxListingsFeedMessages; ++i) {
    messages.push_back({.message_id = i, .sku = "S" + std::to_string(i), .quantity = i % 50});
  }
  const json feed = json::parse(BuildListingsQuantityFeed("A2SELLER", messages));
  EXPECT_EQ(feed["messages"].size(), 25'000U);
  EXPECT_EQ(feed["messages"].back()["sku"], "S25000");
}

TEST(ListingsFeedReportTest, ParsesAmazonsExampleReport) {
  const json example =
      AmazonModel("schema-feed-listings-feed-processing-report-schema-v2.example.json");
  ASSERT_FALSE(example.is_discarded());
  auto report = ParseListingsFeedProcessingReport(example.dump());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->errors, 3);
  EXPECT_EQ(report->warnings, 0);
  EXPECT_EQ(report->messages_processed, 4);
  EXPECT_EQ(report->messages_accepted, 2);
  EXPECT_EQ(report->messages_invalid, 2);
  ASSERT_EQ(report->issues.size(), 3U);
  EXPECT_EQ(report->issues[0].message_id, 4);
  EXPECT_EQ(report->issues[0].code, "90220");
  EXPECT_EQ(report->issues[0].severity, "ERROR");
  EXPECT_EQ(report->issues[0].message, "'[batteries_required]' is required but not supplied.");
  EXPECT_TRUE(report->issues[0].attribute_names.empty());
  EXPECT_EQ(report->issues[2].message_id, 5);
  EXPECT_EQ(report->issues[2].code, "99022");
  EXPECT_EQ(report->issues[2].attribute_names,
            (std::vector<std::string>{"purchasable_offer.our_price"}));
  EXPECT_FALSE(report->Accepted(4));
  EXPECT_FALSE(report->Accepted(5));
  EXPECT_TRUE(report->Accepted(1));
  EXPECT_TRUE(report->Accepted(2));
}

TEST(ListingsFeedReportTest, AcceptsMessagesWithWarningsOnly) {
  auto report = ParseListingsFeedProcessingReport(R"({
    "header": {"sellerId": "A2SELLER", "version": "2.0", "feedId": "50001"},
    "issues": [
      {"messageId": 2, "sku": "SB-TEE-002", "code": "18448", "severity": "WARNING",
       "message": "Attributes are incomplete.", "attributeNames": ["item_weight", "theme"]},
      {"messageId": 3, "sku": "SB-BAG-003", "code": "100", "severity": "INFO",
       "message": "Noted.", "attributeName": "fulfillment_availability"}
    ],
    "summary": {"errors": 0, "warnings": 1, "messagesProcessed": 3, "messagesAccepted": 3,
                "messagesInvalid": 0}
  })");
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->warnings, 1);
  EXPECT_EQ(report->messages_accepted, 3);
  ASSERT_EQ(report->issues.size(), 2U);
  EXPECT_EQ(report->issues[0].attribute_names, (std::vector<std::string>{"item_weight", "theme"}));
  EXPECT_EQ(report->issues[1].severity, "INFO");
  EXPECT_EQ(report->issues[1].attribute_names,
            (std::vector<std::string>{"fulfillment_availability"}));
  for (int id = 1; id <= 3; ++id) {
    EXPECT_TRUE(report->Accepted(id)) << id;
  }
}

TEST(ListingsFeedReportTest, PerMessageErrorsRejectOnlyTheirMessage) {
  auto report = ParseListingsFeedProcessingReport(R"({
    "header": {"sellerId": "A2SELLER", "version": "2.0", "feedId": "50002"},
    "issues": [
      {"messageId": 2, "sku": "NO-SUCH-SKU", "code": "8541", "severity": "ERROR",
       "message": "SKU not found."},
      {"messageId": 3, "severity": "WARNING", "message": "No code for this one."}
    ],
    "summary": {"errors": 1, "warnings": 1, "messagesProcessed": 3, "messagesAccepted": 2,
                "messagesInvalid": 1}
  })");
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->Accepted(1));
  EXPECT_FALSE(report->Accepted(2));
  EXPECT_TRUE(report->Accepted(3));
  // Amazon's schema makes the code optional.
  EXPECT_EQ(report->issues[1].code, "");
}

TEST(ListingsFeedReportTest, AFeedLevelErrorRejectsEveryMessage) {
  auto report = ParseListingsFeedProcessingReport(R"({
    "header": {"sellerId": "A2SELLER", "version": "2.0", "feedId": "50003"},
    "issues": [{"code": "4000003", "severity": "ERROR",
                "message": "The feed does not conform to the JSON schema."}],
    "summary": {"errors": 1, "warnings": 0, "messagesProcessed": 0, "messagesAccepted": 0,
                "messagesInvalid": 0}
  })");
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->issues.size(), 1U);
  EXPECT_EQ(report->issues[0].message_id, 0);
  EXPECT_FALSE(report->Accepted(1));
  EXPECT_FALSE(report->Accepted(0));
}

TEST(ListingsFeedReportTest, AReportWithoutIssuesAcceptsEverything) {
  auto report = ParseListingsFeedProcessingReport(
      R"({"header":{"sellerId":"A2SELLER","version":"2.0","feedId":"1"},"issues":[],)"
      R"("summary":{"errors":0,"warnings":0,"messagesProcessed":2,"messagesAccepted":2,)"
      R"("messagesInvalid":0}})");
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->messages_processed, 2);
  EXPECT_TRUE(report->issues.empty());
  EXPECT_TRUE(report->Accepted(1));
}

constexpr std::string_view kReport = R"({
  "header": {"sellerId": "A2SELLER", "version": "2.0", "feedId": "50004"},
  "issues": [
    {"messageId": 2, "code": "8541", "severity": "ERROR", "message": "SKU not found.",
     "attributeName": "sku"}
  ],
  "summary": {"errors": 1, "warnings": 0, "messagesProcessed": 2, "messagesAccepted": 1,
              "messagesInvalid": 1}
})";

// kReport with `from` (which must be there) replaced by `to`.
std::string ReportWith(std::string_view from, std::string_view to) {
  std::string text(kReport);
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) {
    text.replace(at, from.size(), to);
  }
  return text;
}

TEST(ListingsFeedReportTest, RejectsMalformedReportsNamingWhatIsWrong) {
  struct Case {
    std::string text;
    std::string_view expected;  // Part of the message.
  };
  ASSERT_TRUE(ParseListingsFeedProcessingReport(kReport).ok());
  const Case cases[] = {
      {"", "not valid JSON"},
      {std::string(kReport.substr(0, kReport.size() / 2)), "not valid JSON"},
      {"<AmazonEnvelope/>", "not valid JSON"},
      {"[]", "not a JSON object"},
      {ReportWith(R"("summary")", R"("Summary")"), "summary is missing"},
      {ReportWith(R"("summary": {)", R"("summary": 1, "x": {)"), "summary is not an object"},
      {ReportWith(R"("errors": 1, )", ""), "summary: errors is missing"},
      {ReportWith(R"("warnings": 0)", R"("warnings": -1)"),
       "summary: warnings -1 is not a non-negative integer"},
      {ReportWith(R"("messagesProcessed": 2)", R"("messagesProcessed": 2.5)"),
       "summary: messagesProcessed is not an integer"},
      {ReportWith(R"("messagesAccepted": 1)", R"("messagesAccepted": "1")"),
       "summary: messagesAccepted is not an integer"},
      {ReportWith(R"("messagesInvalid": 1)", R"("messagesInvalid": 99999999999)"),
       "summary: messagesInvalid 99999999999 is not a non-negative integer"},
      {ReportWith(R"("issues": [)", R"("issues": 7, "x": [)"), "issues is not an array"},
      {ReportWith(R"("issues": [)", R"("issues": ["oops", )"), "issues[0] is not an object"},
      {ReportWith(R"("severity": "ERROR", )", ""), "issues[0]: severity is missing"},
      {ReportWith(R"("severity": "ERROR")", R"("severity": "FATAL")"),
       "issues[0]: severity 'FATAL' is not ERROR, WARNING or INFO"},
      {ReportWith(R"("message": "SKU not found.",)", ""), "issues[0]: message is missing"},
      {ReportWith(R"("messageId": 2)", R"("messageId": 0)"),
       "issues[0]: messageId 0 is not a positive integer"},
      {ReportWith(R"("messageId": 2)", R"("messageId": "2")"),
       R"(issues[0]: messageId "2" is not a positive integer)"},
      {ReportWith(R"("messageId": 2)", R"("messageId": 2.5)"),
       "issues[0]: messageId 2.5 is not a positive integer"},
      {ReportWith(R"("messageId": 2)", R"("messageId": 4294967296)"),
       "issues[0]: messageId 4294967296 is not a positive integer"},
      {ReportWith(R"("code": "8541")", R"("code": 8541)"), "issues[0]: code is not a string"},
      {ReportWith(R"("attributeName": "sku")", R"("attributeName": ["sku"])"),
       "issues[0]: attributeName is not a string"},
      {ReportWith(R"("attributeName": "sku")", R"("attributeNames": ["sku", 1])"),
       "issues[0]: attributeNames holds 1, not a string"},
  };
  for (const Case& c : cases) {
    auto report = ParseListingsFeedProcessingReport(c.text);
    ASSERT_EQ(report.status().code(), StatusCode::kInvalidArgument) << c.text;
    EXPECT_NE(report.status().message().find(c.expected), std::string::npos)
        << report.status() << "\nexpected: " << c.expected;
    EXPECT_EQ(report.status().message().rfind("amazon JSON_LISTINGS_FEED processing report", 0), 0U)
        << report.status();
  }
}

class ListingsFeedConnectorTest : public AmazonConnectorTest {
 protected:
  void SetUp() override {
    AmazonConnectorTest::SetUp();
    feeds_ = std::make_unique<FeedsApi>(client_.get(), &http_);
  }

  // Submits `document`, moves Amazon's clock until the feed is finished and
  // returns its processing report as text.
  std::string SubmitAndAwaitReport(const std::string& document) {
    auto feed_id = feeds_->Submit("JSON_LISTINGS_FEED", {"A1F83G8C2ARO7P"}, document,
                                  "application/json; charset=UTF-8", {});
    EXPECT_TRUE(feed_id.ok()) << feed_id.status();
    if (!feed_id.ok()) {
      return {};
    }
    for (int i = 0; i < 20; ++i) {
      auto status = feeds_->GetFeed(*feed_id, {});
      EXPECT_TRUE(status.ok()) << status.status();
      if (!status.ok()) {
        return {};
      }
      if (status->Finished()) {
        EXPECT_EQ(status->processing_status, "DONE");
        auto report = feeds_->DownloadResult(status->result_document_id.value_or(""), {});
        EXPECT_TRUE(report.ok()) << report.status();
        return report.ok() ? *report : std::string();
      }
      EXPECT_TRUE(emulator_->AdvanceClock(minutes{1}).ok());
    }
    ADD_FAILURE() << "feed " << *feed_id << " never finished";
    return {};
  }

  std::unique_ptr<FeedsApi> feeds_;
};

TEST_F(ListingsFeedConnectorTest, AppliesKnownSkusAndReportsUnknownOnesByMessageId) {
  const std::vector<emulator::CatalogueItem>& catalogue = emulator_->GetScenario().catalogue;
  ASSERT_GE(catalogue.size(), 2U);
  const std::string text = SubmitAndAwaitReport(BuildListingsQuantityFeed(
      emulator_->GetScenario().seller_id,
      {{.message_id = 1, .sku = catalogue[0].sku, .quantity = 17, .handling_days = 2},
       {.message_id = 2, .sku = "NO-SUCH \"SKU\"", .quantity = 3},
       {.message_id = 3, .sku = catalogue[1].sku, .quantity = 0}}));

  auto report = ParseListingsFeedProcessingReport(text);
  ASSERT_TRUE(report.ok()) << report.status() << "\n" << text;
  EXPECT_EQ(report->messages_processed, 3) << text;
  EXPECT_EQ(report->messages_accepted, 2) << text;
  EXPECT_EQ(report->messages_invalid, 1) << text;
  EXPECT_TRUE(report->Accepted(1)) << text;
  EXPECT_FALSE(report->Accepted(2)) << text;
  EXPECT_TRUE(report->Accepted(3)) << text;

  ASSERT_TRUE(emulator_->AdvanceClock(minutes{10}).ok());
  const auto first = emulator_->GetListing(catalogue[0].sku);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->quantity, 17);
  EXPECT_EQ(emulator_->GetListing(catalogue[1].sku)->quantity, 0);
}

}  // namespace
}  // namespace sellerbridge::amazon
