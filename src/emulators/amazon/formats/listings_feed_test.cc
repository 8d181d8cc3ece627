#include "emulators/amazon/formats/listings_feed.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "emulators/amazon/formats/json_schema.h"
#include "emulators/amazon/formats/reference_data.h"

namespace sellerbridge::emulators::amazon {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string ReadModel(const std::string& name) {
  std::ifstream in(SELLERBRIDGE_SOURCE_DIR "/../shared/amazon/spapi-models/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

json Feed(json messages) {
  return {{"header", {{"sellerId", "A1SELLER"}, {"version", "2.0"}}},
          {"messages", std::move(messages)}};
}

json QuantityPatch(int id, std::string sku, json value, std::string op = "replace") {
  return {{"messageId", id},
          {"sku", std::move(sku)},
          {"operationType", "PATCH"},
          {"productType", "PRODUCT"},
          {"patches",
           {{{"op", std::move(op)},
             {"path", "/attributes/fulfillment_availability"},
             {"value", std::move(value)}}}}};
}

ParsedListingsFeed ParseOk(const json& feed) {
  auto parsed = ParseListingsFeed(feed.dump());
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? *parsed : ParsedListingsFeed{};
}

TEST(ListingsFeedTest, ParsesAmazonsExampleFeed) {
  const ParsedListingsFeed feed =
      ParseOk(json::parse(ReadModel("schema-feed-listings-feed-schema-v2.example.json")));
  EXPECT_EQ(feed.seller_id, "AXXXXXXXXXXXX");
  EXPECT_EQ(feed.messages_seen, 5);
  EXPECT_THAT(feed.issues, IsEmpty());
  ASSERT_EQ(feed.messages.size(), 5U);

  EXPECT_EQ(feed.messages[0].message_id, 1);
  EXPECT_EQ(feed.messages[0].sku, "My-SKU-A");
  EXPECT_EQ(feed.messages[0].operation_type, "DELETE");
  EXPECT_EQ(feed.messages[0].quantity, std::nullopt);

  EXPECT_EQ(feed.messages[1].operation_type, "PARTIAL_UPDATE");
  EXPECT_EQ(feed.messages[1].quantity, 10);
  EXPECT_EQ(feed.messages[1].fulfillment_channel_code, "DEFAULT");

  EXPECT_EQ(feed.messages[2].operation_type, "UPDATE");
  EXPECT_EQ(feed.messages[2].quantity, 10);
  EXPECT_EQ(feed.messages[2].fulfillment_channel_code, "AMAZON_NA");

  EXPECT_EQ(feed.messages[3].operation_type, "PATCH");
  EXPECT_EQ(feed.messages[3].sku, "My-SKU-D");
  EXPECT_EQ(feed.messages[3].quantity, 10);
  EXPECT_EQ(feed.messages[3].fulfillment_channel_code, "DEFAULT");

  EXPECT_EQ(feed.messages[4].quantity, 10);  // The "merge" patch.
}

TEST(ListingsFeedTest, PrefersTheSellerFulfilledChannel) {
  const ParsedListingsFeed feed =
      ParseOk(Feed({QuantityPatch(1, "SKU-1",
                                  {{{"fulfillment_channel_code", "AMAZON_EU"}, {"quantity", 3}},
                                   {{"fulfillment_channel_code", "DEFAULT"}, {"quantity", 7}}})}));
  ASSERT_EQ(feed.messages.size(), 1U);
  EXPECT_EQ(feed.messages[0].quantity, 7);
  EXPECT_EQ(feed.messages[0].fulfillment_channel_code, "DEFAULT");
}

TEST(ListingsFeedTest, LastPatchOfTheAttributeWinsAndDeleteClearsIt) {
  json message =
      QuantityPatch(1, "SKU-1", {{{"fulfillment_channel_code", "DEFAULT"}, {"quantity", 4}}});
  message["patches"].push_back(
      {{"op", "merge"},
       {"path", "/attributes/fulfillment_availability"},
       {"value", {{{"fulfillment_channel_code", "DEFAULT"}, {"quantity", 0}}}}});
  message["patches"].push_back(
      {{"op", "replace"}, {"path", "/attributes/item_name"}, {"value", {{{"value", "Name"}}}}});
  json deleted = QuantityPatch(2, "SKU-2", json::array(), "delete");
  deleted["patches"][0].erase("value");
  const ParsedListingsFeed feed = ParseOk(Feed({message, deleted}));
  ASSERT_EQ(feed.messages.size(), 2U);
  EXPECT_EQ(feed.messages[0].quantity, 0);
  EXPECT_EQ(feed.messages[1].quantity, std::nullopt);
  EXPECT_EQ(feed.messages[1].fulfillment_channel_code, "");
}

TEST(ListingsFeedTest, AMessageBreakingTheSchemaBecomesAnIssue) {
  json patch_without_patches = QuantityPatch(2, "SKU-2", json::array());
  patch_without_patches.erase("patches");
  json delete_with_attributes = {{"messageId", 3},
                                 {"sku", "SKU-3"},
                                 {"operationType", "DELETE"},
                                 {"attributes", {{"fulfillment_availability", json::array()}}}};
  json bad_op = QuantityPatch(4, "SKU-4", json::array(), "remove");
  json no_sku = QuantityPatch(5, "", json::array());
  no_sku.erase("sku");
  const ParsedListingsFeed feed = ParseOk(
      Feed({QuantityPatch(1, "SKU-1", {{{"fulfillment_channel_code", "DEFAULT"}, {"quantity", 1}}}),
            patch_without_patches, delete_with_attributes, bad_op, no_sku}));
  EXPECT_EQ(feed.messages_seen, 5);
  ASSERT_EQ(feed.messages.size(), 1U);
  EXPECT_EQ(feed.messages[0].sku, "SKU-1");
  ASSERT_EQ(feed.issues.size(), 4U);

  EXPECT_EQ(feed.issues[0].message_id, 2);
  EXPECT_EQ(feed.issues[0].sku, "SKU-2");
  EXPECT_EQ(feed.issues[0].code, "4000001");
  EXPECT_EQ(feed.issues[0].severity, "ERROR");
  EXPECT_EQ(feed.issues[0].message,
            "The provided message is invalid: message: matches none of the oneOf schemas; "
            "/patches: required property is missing");

  EXPECT_EQ(feed.issues[1].message_id, 3);
  EXPECT_THAT(feed.issues[1].message, HasSubstr("/attributes: is not allowed here"));

  EXPECT_EQ(feed.issues[2].message_id, 4);
  EXPECT_THAT(feed.issues[2].message, HasSubstr("/patches/0/op: \"remove\" is not one of"));
  EXPECT_THAT(feed.issues[2].attribute_names, ElementsAre("fulfillment_availability"));

  EXPECT_EQ(feed.issues[3].message_id, 5);
  EXPECT_EQ(feed.issues[3].sku, "");
  EXPECT_THAT(feed.issues[3].message, HasSubstr("/sku: required property is missing"));
}

TEST(ListingsFeedTest, InvalidQuantitiesAreIssuesNamingTheAttribute) {
  const ParsedListingsFeed feed = ParseOk(
      Feed({QuantityPatch(1, "A", {{{"fulfillment_channel_code", "DEFAULT"}, {"quantity", -1}}}),
            QuantityPatch(2, "B", {{{"fulfillment_channel_code", "DEFAULT"}, {"quantity", "5"}}}),
            QuantityPatch(3, "C", {{{"quantity", 5}}}, "merge"),
            {{"messageId", 4},
             {"sku", "D"},
             {"operationType", "PARTIAL_UPDATE"},
             {"productType", "PRODUCT"},
             {"attributes",
              {{"fulfillment_availability",
                {{{"fulfillment_channel_code", "DEFAULT"}, {"quantity", 2.5}}}}}}}}));
  EXPECT_THAT(feed.messages, IsEmpty());
  ASSERT_EQ(feed.issues.size(), 4U);
  EXPECT_THAT(feed.issues[0].message, HasSubstr("quantity -1 is not a whole number"));
  EXPECT_THAT(feed.issues[0].attribute_names, ElementsAre("fulfillment_availability"));
  EXPECT_THAT(feed.issues[1].message, HasSubstr("quantity \"5\""));
  EXPECT_THAT(feed.issues[2].message, HasSubstr("needs a fulfillment_channel_code"));
  EXPECT_THAT(feed.issues[3].message, HasSubstr("quantity 2.5"));
}

TEST(ListingsFeedTest, DocumentLevelProblemsAreFatal) {
  EXPECT_EQ(ParseListingsFeed("{").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseListingsFeed("[]").status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(ParseListingsFeed(R"({"messages":[]})").status().message(),
              HasSubstr("/header: required property is missing"));
  EXPECT_THAT(ParseListingsFeed(R"({"header":{"sellerId":"A","version":"1.0"},"messages":[{}]})")
                  .status()
                  .message(),
              HasSubstr("/header/version: \"1.0\" is not \"2.0\""));
  EXPECT_THAT(
      ParseListingsFeed(R"({"header":{"version":"2.0"},"messages":[{}]})").status().message(),
      HasSubstr("/header/sellerId: required property is missing"));
  EXPECT_THAT(ParseListingsFeed(R"({"header":{"sellerId":"A","version":"2.0"},"messages":[]})")
                  .status()
                  .message(),
              HasSubstr("1 to 25000 messages"));
  EXPECT_EQ(ParseListingsFeed(R"({"header":{"sellerId":"A","version":"2.0"}})").status().code(),
            StatusCode::kInvalidArgument);
}

TEST(ListingsFeedTest, ANonObjectMessageIsAnIssueWithoutId) {
  const ParsedListingsFeed feed = ParseOk(Feed({42}));
  ASSERT_EQ(feed.issues.size(), 1U);
  EXPECT_EQ(feed.issues[0].message_id, 0);
  EXPECT_THAT(feed.issues[0].message, HasSubstr("message: is an integer, expected object"));
}

JsonSchema ReportSchema() {
  auto schema = JsonSchema::Create(json::parse(ListingsFeedProcessingReportSchemaJson()));
  EXPECT_TRUE(schema.ok());
  return *schema;
}

TEST(ListingsFeedTest, ProcessingReportIsValidAgainstAmazonsSchema) {
  const ParsedListingsFeed feed = ParseOk(Feed(
      {QuantityPatch(1, "A", {{{"fulfillment_channel_code", "DEFAULT"}, {"quantity", -1}}}),
       QuantityPatch(2, "B", {{{"fulfillment_channel_code", "DEFAULT"}, {"quantity", 1}}}), 42}));
  std::vector<ListingsFeedIssue> issues = feed.issues;
  issues.push_back({2,
                    "18448",
                    "Attributes tagged as relevant_attributes are incomplete.",
                    "WARNING",
                    {"item_weight", "theme"},
                    "B"});
  const json report =
      ListingsProcessingReport("A1SELLER", "50017018932", feed.messages_seen, issues);
  EXPECT_THAT(ReportSchema().Validate(report), IsEmpty()) << report.dump(2);

  EXPECT_EQ(report["header"],
            json({{"sellerId", "A1SELLER"}, {"version", "2.0"}, {"feedId", "50017018932"}}));
  EXPECT_EQ(report["summary"], json({{"errors", 2},
                                     {"warnings", 1},
                                     {"messagesProcessed", 3},
                                     {"messagesAccepted", 2},
                                     {"messagesInvalid", 1}}));
  ASSERT_EQ(report["issues"].size(), 3U);
  EXPECT_EQ(report["issues"][0]["messageId"], 1);
  EXPECT_EQ(report["issues"][0]["sku"], "A");
  EXPECT_EQ(report["issues"][0]["attributeName"], "fulfillment_availability");
  EXPECT_FALSE(report["issues"][1].contains("messageId"));
  EXPECT_FALSE(report["issues"][1].contains("sku"));
  EXPECT_EQ(report["issues"][2]["attributeName"], "item_weight, theme");
}

TEST(ListingsFeedTest, ProcessingReportForACleanFeedIsValid) {
  const json report = ListingsProcessingReport("S", "1", 4, {});
  EXPECT_THAT(ReportSchema().Validate(report), IsEmpty());
  EXPECT_EQ(report["issues"], json::array());
  EXPECT_EQ(report["summary"]["messagesAccepted"], 4);
}

TEST(ListingsFeedTest, ProcessingReportFillsFieldsTheSchemaRequires) {
  const json report = ListingsProcessingReport("S", "1", 0, {{0, "", "", "ERROR", {}, ""}});
  EXPECT_THAT(ReportSchema().Validate(report), IsEmpty()) << report.dump();
  EXPECT_EQ(report["summary"]["messagesAccepted"], 0);
}

}  // namespace
}  // namespace sellerbridge::emulators::amazon
