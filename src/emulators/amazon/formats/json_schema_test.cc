#include "emulators/amazon/formats/json_schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace sellerbridge::emulators::amazon {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr const char* kModels = SELLERBRIDGE_SOURCE_DIR "/../shared/amazon/spapi-models/";

json LoadModel(const std::string& name) {
  std::ifstream in(kModels + name);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

std::vector<std::string> Check(const json& schema, const json& value) {
  auto created = JsonSchema::Create(schema);
  EXPECT_TRUE(created.ok()) << created.status();
  return created->Validate(value);
}

TEST(JsonSchemaTest, ChecksTypes) {
  EXPECT_THAT(Check({{"type", "string"}}, "x"), IsEmpty());
  EXPECT_THAT(Check({{"type", "string"}}, 1), ElementsAre(": is an integer, expected string"));
  EXPECT_THAT(Check({{"type", "integer"}}, 1.0), IsEmpty());
  EXPECT_THAT(Check({{"type", "integer"}}, 1.5), ElementsAre(": is a number, expected integer"));
  EXPECT_THAT(Check({{"type", "number"}}, 3), IsEmpty());
  EXPECT_THAT(Check({{"type", "boolean"}}, nullptr), Not(IsEmpty()));
  EXPECT_THAT(Check({{"type", "null"}}, nullptr), IsEmpty());
  EXPECT_THAT(Check({{"type", "array"}}, json::object()), Not(IsEmpty()));
  EXPECT_THAT(Check({{"type", "object"}}, json::array()), Not(IsEmpty()));
  EXPECT_THAT(Check({{"type", {"string", "null"}}}, nullptr), IsEmpty());
  EXPECT_THAT(Check({{"type", {"string", "null"}}}, true),
              ElementsAre(": is a boolean, expected one of [\"string\", \"null\"]"));
  // Swagger 2.0's "file" is no JSON type; it constrains nothing.
  EXPECT_THAT(Check({{"type", "file"}}, 1), IsEmpty());
}

TEST(JsonSchemaTest, BooleanSchemas) {
  EXPECT_THAT(Check(true, 1), IsEmpty());
  EXPECT_THAT(Check(false, 1), ElementsAre(": is not allowed here"));
  EXPECT_THAT(Check({{"properties", {{"patches", false}}}}, {{"patches", json::array()}}),
              ElementsAre("/patches: is not allowed here"));
}

TEST(JsonSchemaTest, ObjectsRequiredPropertiesAndAdditionalProperties) {
  const json schema = {{"type", "object"},
                       {"required", {"a", "b"}},
                       {"properties", {{"a", {{"type", "integer"}}}, {"b", true}}},
                       {"additionalProperties", false}};
  EXPECT_THAT(Check(schema, {{"a", 1}, {"b", 2}}), IsEmpty());
  EXPECT_THAT(Check(schema, {{"a", "x"}, {"c", 1}}),
              ElementsAre("/b: required property is missing", "/a: is a string, expected integer",
                          "/c: is not an allowed property"));
  const json typed = {{"additionalProperties", {{"type", "string"}}}};
  EXPECT_THAT(Check(typed, {{"x", "y"}}), IsEmpty());
  EXPECT_THAT(Check(typed, {{"x", 1}}), ElementsAre("/x: is an integer, expected string"));
  const json sized = {{"minProperties", 1}, {"maxProperties", 2}};
  EXPECT_THAT(Check(sized, json::object()), ElementsAre(HasSubstr("fewer than minProperties 1")));
  EXPECT_THAT(Check(sized, {{"a", 1}, {"b", 1}, {"c", 1}}),
              ElementsAre(HasSubstr("more than maxProperties 2")));
}

TEST(JsonSchemaTest, PatternPropertiesCountAsDeclared) {
  const json schema = {{"patternProperties", {{"^x-", {{"type", "string"}}}}},
                       {"additionalProperties", false}};
  EXPECT_THAT(Check(schema, {{"x-a", "1"}}), IsEmpty());
  EXPECT_THAT(
      Check(schema, {{"x-a", 1}, {"y", 1}}),
      ElementsAre("/x-a: is an integer, expected string", "/y: is not an allowed property"));
}

TEST(JsonSchemaTest, PointersEscapeTildeAndSlash) {
  const json schema = {{"additionalProperties", {{"type", "integer"}}}};
  EXPECT_THAT(Check(schema, {{"a/b~c", "x"}}),
              ElementsAre("/a~1b~0c: is a string, expected integer"));
}

TEST(JsonSchemaTest, Arrays) {
  const json schema = {
      {"type", "array"}, {"minItems", 1}, {"maxItems", 2}, {"items", {{"type", "integer"}}}};
  EXPECT_THAT(Check(schema, {1, 2}), IsEmpty());
  EXPECT_THAT(Check(schema, json::array()), ElementsAre(": has 0 items, fewer than minItems 1"));
  EXPECT_THAT(Check(schema, {1, 2, 3}), ElementsAre(": has 3 items, more than maxItems 2"));
  EXPECT_THAT(Check(schema, {1, "x"}), ElementsAre("/1: is a string, expected integer"));
  const json tuple = {{"items", {{{"type", "string"}}, {{"type", "integer"}}}}};
  EXPECT_THAT(Check(tuple, {"a", 1, true}), IsEmpty());
  EXPECT_THAT(Check(tuple, {1}), ElementsAre("/0: is an integer, expected string"));
  EXPECT_THAT(Check({{"uniqueItems", true}}, {1, 2, 1}),
              ElementsAre(": items 0 and 2 are equal, but uniqueItems is set"));
}

TEST(JsonSchemaTest, EnumAndConst) {
  const json schema = {{"enum", {"UPDATE", "DELETE"}}};
  EXPECT_THAT(Check(schema, "DELETE"), IsEmpty());
  EXPECT_THAT(Check(schema, "PUT"), ElementsAre(": \"PUT\" is not one of [\"UPDATE\",\"DELETE\"]"));
  EXPECT_THAT(Check({{"const", "2.0"}}, "2.0"), IsEmpty());
  EXPECT_THAT(Check({{"const", "2.0"}}, "1.0"), ElementsAre(": \"1.0\" is not \"2.0\""));
  EXPECT_THAT(Check({{"enum", {1}}}, 1.0), IsEmpty());
}

TEST(JsonSchemaTest, NumericBoundsInEveryDraftsForm) {
  const json inclusive = {{"minimum", 1}, {"maximum", 10}};
  EXPECT_THAT(Check(inclusive, 1), IsEmpty());
  EXPECT_THAT(Check(inclusive, 10), IsEmpty());
  EXPECT_THAT(Check(inclusive, 0), ElementsAre(": 0 is less than the minimum 1"));
  EXPECT_THAT(Check(inclusive, 10.5), ElementsAre(": 10.5 is greater than the maximum 10"));
  const json draft4 = {
      {"minimum", 1}, {"exclusiveMinimum", true}, {"maximum", 10}, {"exclusiveMaximum", true}};
  EXPECT_THAT(Check(draft4, 1), ElementsAre(": 1 is less than the minimum 1 (exclusive)"));
  EXPECT_THAT(Check(draft4, 10), ElementsAre(": 10 is greater than the maximum 10 (exclusive)"));
  EXPECT_THAT(Check(draft4, 5), IsEmpty());
  const json draft6 = {{"exclusiveMinimum", 1}, {"exclusiveMaximum", 10}};
  EXPECT_THAT(Check(draft6, 1), ElementsAre(": 1 is not greater than the exclusive minimum 1"));
  EXPECT_THAT(Check(draft6, 10), ElementsAre(": 10 is not less than the exclusive maximum 10"));
  EXPECT_THAT(Check(draft6, 1.5), IsEmpty());
  EXPECT_THAT(Check({{"maximum", 2147483647}}, 2147483648LL), Not(IsEmpty()));
}

TEST(JsonSchemaTest, StringLengthCountsCharactersNotBytes) {
  const json schema = {{"minLength", 2}, {"maxLength", 3}};
  EXPECT_THAT(Check(schema, "éé"), IsEmpty());
  EXPECT_THAT(Check(schema, "é"), ElementsAre(": is 1 characters long, shorter than minLength 2"));
  EXPECT_THAT(Check(schema, "abcd"),
              ElementsAre(": is 4 characters long, longer than maxLength 3"));
}

TEST(JsonSchemaTest, PatternsAreUnanchoredEcmaScript) {
  const json schema = {{"pattern", R"(\d{3}-\d{7}-\d{7})"}};
  EXPECT_THAT(Check(schema, "203-1234567-1234567"), IsEmpty());
  EXPECT_THAT(Check(schema, "order 203-1234567-1234567"), IsEmpty());
  EXPECT_THAT(Check(schema, "203-123"),
              ElementsAre(": \"203-123\" does not match pattern '\\d{3}-\\d{7}-\\d{7}'"));
  EXPECT_THAT(Check({{"pattern", "^[A-Z]+$"}}, "abc"), Not(IsEmpty()));
  EXPECT_THAT(Check({{"pattern", "("}}, "abc"), ElementsAre(HasSubstr("is not a valid regex")));
  // Patterns apply to strings only.
  EXPECT_THAT(Check({{"pattern", "^a$"}}, 5), IsEmpty());
}

TEST(JsonSchemaTest, DateTimeFormat) {
  const json schema = {{"type", "string"}, {"format", "date-time"}};
  EXPECT_THAT(Check(schema, "2026-11-27T08:14:23Z"), IsEmpty());
  EXPECT_THAT(Check(schema, "2026-11-27T09:14:23.5+01:00"), IsEmpty());
  EXPECT_THAT(Check(schema, "2026-11-27 08:14:23Z"), Not(IsEmpty()));
  EXPECT_THAT(Check(schema, "2026-11-27"), Not(IsEmpty()));
  EXPECT_THAT(Check(schema, "2026-02-30T08:14:23Z"),
              ElementsAre(": \"2026-02-30T08:14:23Z\" is not an RFC 3339 date-time"));
  // Other formats are annotations only.
  EXPECT_THAT(Check({{"format", "email"}}, "not an email"), IsEmpty());
}

TEST(JsonSchemaTest, Combinators) {
  const json all_of = {{"allOf", {{{"type", "integer"}}, {{"minimum", 3}}}}};
  EXPECT_THAT(Check(all_of, 4), IsEmpty());
  EXPECT_THAT(Check(all_of, 2), ElementsAre(": 2 is less than the minimum 3"));

  const json any_of = {{"anyOf", {{{"type", "string"}}, {{"minimum", 3}}}}};
  EXPECT_THAT(Check(any_of, "x"), IsEmpty());
  EXPECT_THAT(Check(any_of, 5), IsEmpty());
  EXPECT_THAT(Check(any_of, 1), ElementsAre(": matches none of the anyOf schemas",
                                            ": is an integer, expected string"));

  const json one_of = {{"oneOf", {{{"type", "integer"}}, {{"minimum", 3}}}}};
  EXPECT_THAT(Check(one_of, 1), IsEmpty());
  EXPECT_THAT(Check(one_of, 3.5), IsEmpty());
  EXPECT_THAT(Check(one_of, 5),
              ElementsAre(": matches 2 of the oneOf schemas (0, 1), expected exactly one"));
  EXPECT_THAT(Check(one_of, 1.5), ElementsAre(": matches none of the oneOf schemas",
                                              ": is a number, expected integer"));

  const json negated = {{"not", {{"type", "string"}}}};
  EXPECT_THAT(Check(negated, 1), IsEmpty());
  EXPECT_THAT(Check(negated, "x"), ElementsAre(": matches the schema under 'not'"));
}

TEST(JsonSchemaTest, UnknownKeywordsAreIgnored) {
  EXPECT_THAT(Check({{"x-amzn-thing", 1}, {"description", "d"}, {"discriminator", "t"}}, 1),
              IsEmpty());
}

TEST(JsonSchemaTest, ResolvesRefsInDefinitionsAndDefs) {
  const json document = {
      {"definitions",
       {{"Order",
         {{"type", "object"},
          {"required", {"Id"}},
          {"properties", {{"Id", {{"$ref", "#/definitions/Id"}}}}}}},
        {"Id", {{"type", "string"}, {"minLength", 3}}},
        {"a/b", {{"type", "integer"}}},
        {"c~d", {{"type", "integer"}}},
        {"with space", {{"type", "integer"}}}}},
      {"$defs",
       {{"Tree", {{"type", "object"}, {"properties", {{"child", {{"$ref", "#/$defs/Tree"}}}}}}}}},
      {"list", {{{"type", "boolean"}}}}};
  auto order = JsonSchema::Create(document, "#/definitions/Order");
  ASSERT_TRUE(order.ok()) << order.status();
  EXPECT_THAT(order->Validate({{"Id", "abc"}}), IsEmpty());
  EXPECT_THAT(order->Validate({{"Id", "ab"}}),
              ElementsAre("/Id: is 2 characters long, shorter than minLength 3"));

  for (const char* pointer : {"#/definitions/a~1b", "#/definitions/c~0d",
                              "#/definitions/with%20space", "/definitions/a~1b"}) {
    auto schema = JsonSchema::Create(document, pointer);
    ASSERT_TRUE(schema.ok()) << pointer << ": " << schema.status();
    EXPECT_THAT(schema->Validate(1), IsEmpty()) << pointer;
    EXPECT_THAT(schema->Validate("1"), Not(IsEmpty())) << pointer;
  }
  auto by_index = JsonSchema::Create(document, "#/list/0");
  ASSERT_TRUE(by_index.ok());
  EXPECT_THAT(by_index->Validate(true), IsEmpty());

  auto tree = JsonSchema::Create(document, "#/$defs/Tree");
  ASSERT_TRUE(tree.ok());
  EXPECT_THAT(tree->Validate({{"child", {{"child", {{"child", 1}}}}}}),
              ElementsAre("/child/child/child: is an integer, expected object"));
}

TEST(JsonSchemaTest, CreateRejectsPointersThatDoNotResolve) {
  const json document = {{"definitions", {{"A", {{"type", "string"}}}, {"N", 5}}},
                         {"list", {true}}};
  for (const char* pointer :
       {"#/definitions/B", "#/definitions/A/type/x", "#/list/01", "#/list/1", "#/list/-",
        "#definitions", "#/definitions/A~2", "#/definitions/%zz", "#/definitions/N"}) {
    EXPECT_EQ(JsonSchema::Create(document, pointer).status().code(), StatusCode::kInvalidArgument)
        << pointer;
  }
}

TEST(JsonSchemaTest, ReportsUnresolvableAndCyclicRefs) {
  const json document = {{"definitions",
                          {{"Loop", {{"$ref", "#/definitions/Loop"}}},
                           {"Dangling", {{"$ref", "#/definitions/Nowhere"}}},
                           {"Remote", {{"$ref", "other.json#/definitions/X"}}}}}};
  auto loop = JsonSchema::Create(document, "#/definitions/Loop");
  ASSERT_TRUE(loop.ok());
  EXPECT_THAT(loop->Validate(1), ElementsAre(HasSubstr("too deep")));
  auto dangling = JsonSchema::Create(document, "#/definitions/Dangling");
  ASSERT_TRUE(dangling.ok());
  EXPECT_THAT(dangling->Validate(1), ElementsAre(": cannot resolve $ref '#/definitions/Nowhere'"));
  auto remote = JsonSchema::Create(document, "#/definitions/Remote");
  ASSERT_TRUE(remote.ok());
  EXPECT_THAT(remote->Validate(1), ElementsAre(HasSubstr("cannot resolve $ref")));
}

// The sandbox responses Amazon publishes in ordersV0.json are valid against
// the response schemas beside them.
TEST(JsonSchemaModelTest, OrdersSandboxResponsesMatchTheirSchemas) {
  const json model = LoadModel("ordersV0.json");
  int checked = 0;
  for (const auto& [path, operations] : model["paths"].items()) {
    for (const auto& [method, operation] : operations.items()) {
      if (!operation.is_object() || !operation.contains("responses")) {
        continue;
      }
      for (const auto& [code, response] : operation["responses"].items()) {
        if (!response.contains("schema") || !response.contains("x-amzn-api-sandbox")) {
          continue;
        }
        auto schema = JsonSchema::Create(model, response["schema"]["$ref"].get<std::string>());
        ASSERT_TRUE(schema.ok()) << schema.status();
        for (const json& example : response["x-amzn-api-sandbox"].value("static", json::array())) {
          if (!example.contains("response")) {
            continue;
          }
          EXPECT_THAT(schema->Validate(example["response"]), IsEmpty())
              << method << " " << path << " " << code;
          ++checked;
        }
      }
    }
  }
  EXPECT_GE(checked, 10);
}

TEST(JsonSchemaModelTest, MutatedGetOrdersResponseFails) {
  const json model = LoadModel("ordersV0.json");
  const json example = model["paths"]["/orders/v0/orders"]["get"]["responses"]["200"]
                            ["x-amzn-api-sandbox"]["static"][0]["response"];
  auto schema = JsonSchema::Create(model, "#/definitions/GetOrdersResponse");
  ASSERT_TRUE(schema.ok());
  ASSERT_THAT(schema->Validate(example), IsEmpty());

  json missing = example;
  missing["payload"]["Orders"][0].erase("AmazonOrderId");
  EXPECT_THAT(schema->Validate(missing),
              ElementsAre("/payload/Orders/0/AmazonOrderId: required property is missing"));

  json wrong_type = example;
  wrong_type["payload"]["Orders"][1]["NumberOfItemsShipped"] = "0";
  EXPECT_THAT(schema->Validate(wrong_type),
              ElementsAre("/payload/Orders/1/NumberOfItemsShipped: is a string, expected integer"));

  json bad_enum = example;
  bad_enum["payload"]["Orders"][0]["OrderStatus"] = "Dispatched";
  EXPECT_THAT(
      schema->Validate(bad_enum),
      ElementsAre(HasSubstr("/payload/Orders/0/OrderStatus: \"Dispatched\" is not one of")));

  // PurchaseDate is a plain string in the model; confirmShipment's shipDate
  // carries format date-time.
  auto confirm = JsonSchema::Create(model, "#/definitions/PackageDetail");
  ASSERT_TRUE(confirm.ok());
  const json package = {{"packageReferenceId", "1"},
                        {"carrierCode", "Royal Mail"},
                        {"trackingNumber", "AB123456789GB"},
                        {"shipDate", "2026-08-05T14:00:00Z"},
                        {"orderItems", {{{"orderItemId", "1"}, {"quantity", 1}}}}};
  EXPECT_THAT(confirm->Validate(package), IsEmpty());
  json bad_date = package;
  bad_date["shipDate"] = "05/08/2026";
  EXPECT_THAT(confirm->Validate(bad_date),
              ElementsAre("/shipDate: \"05/08/2026\" is not an RFC 3339 date-time"));
}

TEST(JsonSchemaModelTest, ListingsFeedExampleMatchesItsSchema) {
  auto schema = JsonSchema::Create(LoadModel("schema-feed-listings-feed-schema-v2.json"));
  ASSERT_TRUE(schema.ok());
  const json example = LoadModel("schema-feed-listings-feed-schema-v2.example.json");
  EXPECT_THAT(schema->Validate(example), IsEmpty());

  json no_seller = example;
  no_seller["header"].erase("sellerId");
  EXPECT_THAT(schema->Validate(no_seller),
              ElementsAre("/header/sellerId: required property is missing"));

  json wrong_version = example;
  wrong_version["header"]["version"] = 2;
  EXPECT_THAT(schema->Validate(wrong_version), Not(IsEmpty()));

  json patch_without_patches = example;
  patch_without_patches["messages"][3].erase("patches");
  EXPECT_THAT(schema->Validate(patch_without_patches),
              ElementsAre("/messages/3: matches none of the oneOf schemas",
                          "/messages/3/patches: required property is missing"));

  json delete_with_attributes = example;
  delete_with_attributes["messages"][0]["attributes"] = {{"x", 1}};
  EXPECT_THAT(schema->Validate(delete_with_attributes),
              testing::Contains("/messages/0/attributes: is not allowed here"));

  json bad_message_id = example;
  bad_message_id["messages"][1]["messageId"] = 0;
  EXPECT_THAT(schema->Validate(bad_message_id),
              ElementsAre("/messages/1/messageId: 0 is less than the minimum 1"));
}

TEST(JsonSchemaModelTest, ProcessingReportExampleMatchesItsSchema) {
  auto schema =
      JsonSchema::Create(LoadModel("schema-feed-listings-feed-processing-report-schema-v2.json"));
  ASSERT_TRUE(schema.ok());
  const json example =
      LoadModel("schema-feed-listings-feed-processing-report-schema-v2.example.json");
  EXPECT_THAT(schema->Validate(example), IsEmpty());
  json bad = example;
  bad["summary"].erase("messagesAccepted");
  bad["issues"][0]["severity"] = "FATAL";
  EXPECT_THAT(schema->Validate(bad), testing::SizeIs(2));
}

}  // namespace
}  // namespace sellerbridge::emulators::amazon
