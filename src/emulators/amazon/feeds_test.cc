#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <array>

#include "emulators/amazon/emulator_test_fixture.h"

namespace sellerbridge::emulators::amazon {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

constexpr std::string_view kXml = "text/xml; charset=UTF-8";
constexpr std::string_view kJson = "application/json; charset=UTF-8";
constexpr const char* kFeeds = "/feeds/2021-06-30/feeds";
constexpr const char* kDocuments = "/feeds/2021-06-30/documents";

// Decompresses a gzip stream, independently of the emulator's code.
std::string Gunzip(const std::string& data) {
  z_stream stream{};
  EXPECT_EQ(inflateInit2(&stream, 15 + 16), Z_OK);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  std::string out;
  std::array<char, 4096> buffer{};
  int result = Z_OK;
  while (result == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer.data());
    stream.avail_out = static_cast<uInt>(buffer.size());
    result = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer.data(), buffer.size() - stream.avail_out);
  }
  inflateEnd(&stream);
  EXPECT_EQ(result, Z_STREAM_END) << "not a gzip stream";
  return out;
}

std::string FulfillmentFeed(const std::string& messages) {
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">
  <Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>A2EMULATORSELLER</MerchantIdentifier></Header>
  <MessageType>OrderFulfillment</MessageType>)" +
         messages + "\n</AmazonEnvelope>\n";
}

std::string FulfillmentMessage(int id, const std::string& order_id,
                               const std::string& carrier = "Royal Mail",
                               const std::string& tracking = "AB123456789GB",
                               const std::string& items = "") {
  return "<Message><MessageID>" + std::to_string(id) +
         "</MessageID><OrderFulfillment><AmazonOrderID>" + order_id +
         "</AmazonOrderID><FulfillmentDate>2026-11-25T09:30:00Z</FulfillmentDate>"
         "<FulfillmentData><CarrierCode>" +
         carrier + "</CarrierCode><ShippingMethod>Tracked 24</ShippingMethod>" +
         "<ShipperTrackingNumber>" + tracking + "</ShipperTrackingNumber></FulfillmentData>" +
         items + "</OrderFulfillment></Message>";
}

json QuantityMessage(int id, const std::string& sku, int quantity) {
  return {{"messageId", id},
          {"sku", sku},
          {"operationType", "PATCH"},
          {"productType", "PRODUCT"},
          {"patches",
           {{{"op", "replace"},
             {"path", "/attributes/fulfillment_availability"},
             {"value", {{{"fulfillment_channel_code", "DEFAULT"}, {"quantity", quantity}}}}}}}};
}

std::string ListingsFeed(const json& messages) {
  return json{{"header", {{"sellerId", "A2EMULATORSELLER"}, {"version", "2.0"}}},
              {"messages", messages}}
      .dump();
}

class FeedsTest : public EmulatorTest {
 protected:
  void SetUp() override { Restart(""); }

  void Restart(const std::string& extra_toml) {
    StartEmulator(R"(marketplace_ids = ["A1F83G8C2ARO7P", "ATVPDKIKX0DER"]
)" + extra_toml);
    for (const char* operation : {"createFeedDocument", "createFeed", "getFeed", "getFeeds",
                                  "getFeedDocument", "cancelFeed"}) {
      ASSERT_TRUE(emulator_->SetRateLimit(operation, 100, 100).ok());
    }
  }

  std::string Base() const { return "http://127.0.0.1:" + std::to_string(emulator_->Port()); }

  // The path and query of a URL on the emulator's host.
  std::string Target(const std::string& url) {
    EXPECT_TRUE(url.starts_with(Base() + "/")) << url;
    return url.substr(Base().size());
  }

  // createFeedDocument; returns {feedDocumentId, upload URL}.
  std::pair<std::string, std::string> CreateDocument(std::string_view content_type) {
    const auto result = Call("POST", kDocuments, json{{"contentType", content_type}}.dump());
    EXPECT_EQ(result->status, 201) << result->body;
    const json body = JsonOf(result);
    return {body.value("feedDocumentId", ""), body.value("url", "")};
  }

  httplib::Result Put(const std::string& url, const std::string& content,
                      std::string_view content_type) {
    return client_->Put(Target(url), content, std::string(content_type));
  }

  // createFeedDocument, the upload and createFeed; returns the feed id.
  std::string Submit(const std::string& feed_type, const std::string& content,
                     std::string_view content_type = kXml) {
    const auto [document_id, url] = CreateDocument(content_type);
    const auto uploaded = Put(url, content, content_type);
    EXPECT_EQ(uploaded->status, 200) << uploaded->body;
    const auto created = Call("POST", kFeeds,
                              json{{"feedType", feed_type},
                                   {"marketplaceIds", {"A1F83G8C2ARO7P"}},
                                   {"inputFeedDocumentId", document_id}}
                                  .dump());
    EXPECT_EQ(created->status, 202) << created->body;
    return JsonOf(created).value("feedId", "");
  }

  json GetFeed(const std::string& feed_id) {
    const auto result = Call("GET", std::string(kFeeds) + "/" + feed_id);
    EXPECT_EQ(result->status, 200) << result->body;
    return JsonOf(result);
  }

  // Advances the clock until the feed has finished (DONE or FATAL).
  json AwaitFeed(const std::string& feed_id) {
    clock_.Advance(std::chrono::minutes(3));
    return GetFeed(feed_id);
  }

  // getFeedDocument, then the download, decompressed as the answer says.
  std::string Download(const std::string& document_id) {
    const auto result = Call("GET", std::string(kDocuments) + "/" + document_id);
    EXPECT_EQ(result->status, 200) << result->body;
    const json body = JsonOf(result);
    const auto downloaded = client_->Get(Target(body["url"]));
    EXPECT_EQ(downloaded->status, 200) << downloaded->body;
    return body.value("compressionAlgorithm", "") == "GZIP" ? Gunzip(downloaded->body)
                                                            : downloaded->body;
  }

  // A DELETE, checked against the model like Call().
  httplib::Result Delete(const std::string& path) {
    auto result = client_->Delete(path, Auth(token_));
    if (result) {
      ExpectMatchesModel("DELETE", path, result->status, result->body);
    }
    return result;
  }

  static TimePoint Time(const json& value) { return *ParseIso8601(value.get<std::string>()); }
};

TEST_F(FeedsTest, FulfillmentFeedGoesThroughEveryStepOverHttp) {
  const std::string order_id = PlaceOrder({{"SB-MUG-001", 2}});
  const auto order = emulator_->GetOrder(order_id);
  const std::string item = "<Item><AmazonOrderItemCode>" + order->lines[0].order_item_id +
                           "</AmazonOrderItemCode><Quantity>2</Quantity></Item>";
  const auto [document_id, url] = CreateDocument(kXml);
  EXPECT_THAT(url, HasSubstr("X-Amz-Expires=300"));
  EXPECT_THAT(url, HasSubstr("X-Amz-Signature="));
  // The upload is authorised by the URL alone, as S3 does.
  const auto uploaded = Put(
      url, FulfillmentFeed(FulfillmentMessage(1, order_id, "Royal Mail", "AB123456789GB", item)),
      kXml);
  ASSERT_EQ(uploaded->status, 200) << uploaded->body;
  const TimePoint submitted = clock_.Now();
  const auto created = Call("POST", kFeeds,
                            json{{"feedType", "POST_ORDER_FULFILLMENT_DATA"},
                                 {"marketplaceIds", {"A1F83G8C2ARO7P"}},
                                 {"inputFeedDocumentId", document_id}}
                                .dump());
  ASSERT_EQ(created->status, 202) << created->body;
  EXPECT_FALSE(created->get_header_value("x-amzn-RateLimit-Limit").empty());
  const std::string feed_id = JsonOf(created)["feedId"];

  json feed = GetFeed(feed_id);
  EXPECT_EQ(feed["processingStatus"], "IN_QUEUE");
  EXPECT_EQ(Time(feed["createdTime"]), submitted);
  EXPECT_FALSE(feed.contains("processingStartTime"));
  clock_.Advance(std::chrono::seconds(29));
  EXPECT_EQ(GetFeed(feed_id)["processingStatus"], "IN_QUEUE");
  clock_.Advance(std::chrono::seconds(1));
  feed = GetFeed(feed_id);
  EXPECT_EQ(feed["processingStatus"], "IN_PROGRESS");
  EXPECT_EQ(Time(feed["processingStartTime"]), submitted + std::chrono::seconds(30));
  clock_.Advance(std::chrono::seconds(59));
  EXPECT_EQ(GetFeed(feed_id)["processingStatus"], "IN_PROGRESS");
  EXPECT_EQ(emulator_->GetOrder(order_id)->status, OrderStatus::kUnshipped);
  clock_.Advance(std::chrono::seconds(61));
  feed = GetFeed(feed_id);
  ASSERT_EQ(feed["processingStatus"], "DONE") << feed.dump();
  const TimePoint end = Time(feed["processingEndTime"]);
  EXPECT_GE(end, submitted + std::chrono::seconds(90));
  EXPECT_LE(end, submitted + std::chrono::seconds(150));

  const auto document =
      Call("GET", std::string(kDocuments) + "/" + feed["resultFeedDocumentId"].get<std::string>());
  ASSERT_EQ(document->status, 200);
  EXPECT_EQ(JsonOf(document)["compressionAlgorithm"], "GZIP");
  const auto downloaded = client_->Get(Target(JsonOf(document)["url"]));
  ASSERT_EQ(downloaded->status, 200);
  const std::string report = Gunzip(downloaded->body);
  EXPECT_THAT(report, HasSubstr("<DocumentTransactionID>" + feed_id + "</DocumentTransactionID>"));
  EXPECT_THAT(report, HasSubstr("<MessagesProcessed>1</MessagesProcessed>"));
  EXPECT_THAT(report, HasSubstr("<MessagesSuccessful>1</MessagesSuccessful>"));
  EXPECT_THAT(report, HasSubstr("<MessagesWithError>0</MessagesWithError>"));

  const auto shipped = emulator_->GetOrder(order_id);
  EXPECT_EQ(shipped->status, OrderStatus::kShipped);
  ASSERT_EQ(shipped->packages.size(), 1U);
  EXPECT_EQ(shipped->packages[0].tracking_number, "AB123456789GB");
  EXPECT_EQ(shipped->packages[0].carrier_code, "Royal Mail");
  // The confirmation reached Amazon when the feed was processed, not when it was sent
  // or when the client asked.
  EXPECT_EQ(shipped->packages[0].arrival_time, end);
  EXPECT_EQ(shipped->packages[0].ship_date, *ParseIso8601("2026-11-25T09:30:00Z"));
}

TEST_F(FeedsTest, ShipmentsArriveWhenTheFeedIsProcessedSoASlowFeedIsLate) {
  NewOrder order;
  order.lines.push_back({.sku = "SB-TEE-002", .quantity = 1});
  order.latest_ship_date = clock_.Now() + std::chrono::seconds(60);
  const std::string order_id = *emulator_->AddOrder(order);
  const std::string feed_id =
      Submit("POST_ORDER_FULFILLMENT_DATA", FulfillmentFeed(FulfillmentMessage(1, order_id)));
  const json feed = AwaitFeed(feed_id);
  ASSERT_EQ(feed["processingStatus"], "DONE");
  const auto shipped = emulator_->GetOrder(order_id);
  ASSERT_EQ(shipped->packages.size(), 1U);
  EXPECT_EQ(shipped->packages[0].arrival_time, Time(feed["processingEndTime"]));
  EXPECT_EQ(*shipped->first_confirmation, Time(feed["processingEndTime"]));
  EXPECT_TRUE(shipped->IsLate());
}

TEST_F(FeedsTest, BadMessagesAreReportedAndDoNotStopTheGoodOnes) {
  const std::string first = PlaceOrder({{"SB-MUG-001", 1}});
  const std::string second = PlaceOrder({{"SB-TEE-002", 1}, {"SB-BAG-003", 1}});
  const auto second_order = emulator_->GetOrder(second);
  const std::string one_item = "<Item><AmazonOrderItemCode>" +
                               second_order->lines[1].order_item_id +
                               "</AmazonOrderItemCode></Item>";
  const std::string feed_id = Submit(
      "POST_ORDER_FULFILLMENT_DATA",
      FulfillmentFeed(FulfillmentMessage(1, first) +
                      FulfillmentMessage(2, "203-0000000-0000000", "Royal Mail", "AB000000001GB") +
                      FulfillmentMessage(3, first, "Evri", "H01ABC1234567890") +
                      FulfillmentMessage(4, second, "DPD", "15501234567890", one_item)));
  const json feed = AwaitFeed(feed_id);
  ASSERT_EQ(feed["processingStatus"], "DONE");
  const std::string report = Download(feed["resultFeedDocumentId"]);
  EXPECT_THAT(report, HasSubstr("<MessagesProcessed>4</MessagesProcessed>"));
  EXPECT_THAT(report, HasSubstr("<MessagesSuccessful>2</MessagesSuccessful>"));
  EXPECT_THAT(report, HasSubstr("<MessagesWithError>2</MessagesWithError>"));
  EXPECT_THAT(report, HasSubstr("<AmazonOrderID>203-0000000-0000000</AmazonOrderID>"));
  EXPECT_THAT(report, HasSubstr("Evri"));
  EXPECT_EQ(emulator_->GetOrder(first)->status, OrderStatus::kShipped);
  const auto partial = emulator_->GetOrder(second);
  EXPECT_EQ(partial->status, OrderStatus::kPartiallyShipped);
  EXPECT_EQ(partial->packages.at(0).carrier_code, "DPD");

  const json control = json::parse(client_->Get("/_emulator/feeds")->body);
  ASSERT_EQ(control["feeds"].size(), 1U);
  EXPECT_EQ(control["feeds"][0]["feedId"], feed_id);
  EXPECT_EQ(control["feeds"][0]["processingStatus"], "DONE");
  EXPECT_EQ(control["feeds"][0]["messages"]["processed"], 4);
  EXPECT_EQ(control["feeds"][0]["messages"]["successful"], 2);
  EXPECT_EQ(control["feeds"][0]["messages"]["withError"], 2);
  EXPECT_EQ(emulator_->Feeds().at(0).messages_with_error, 2);
}

TEST_F(FeedsTest, AFeedThatIsNotXmlEndsFatalWithAReport) {
  const std::string feed_id = Submit("POST_ORDER_FULFILLMENT_DATA", "order 123, shipped");
  const json feed = AwaitFeed(feed_id);
  EXPECT_EQ(feed["processingStatus"], "FATAL");
  ASSERT_TRUE(feed.contains("resultFeedDocumentId"));
  const std::string report = Download(feed["resultFeedDocumentId"]);
  EXPECT_THAT(report, HasSubstr("<ResultMessageCode>5001</ResultMessageCode>"));
  EXPECT_THAT(report, HasSubstr("XML Parsing"));
}

TEST_F(FeedsTest, ListingsFeedChangesQuantitiesAndReportsIssues) {
  json invalid = QuantityMessage(3, "SB-BAG-003", 1);
  invalid.erase("productType");
  const std::string feed_id = Submit("JSON_LISTINGS_FEED",
                                     ListingsFeed({QuantityMessage(1, "SB-MUG-001", 10),
                                                   QuantityMessage(2, "NO-SUCH-SKU", 5), invalid}),
                                     kJson);
  const json feed = AwaitFeed(feed_id);
  ASSERT_EQ(feed["processingStatus"], "DONE") << feed.dump();
  const TimePoint end = Time(feed["processingEndTime"]);
  const json report = json::parse(Download(feed["resultFeedDocumentId"]));
  EXPECT_EQ(report["header"]["feedId"], feed_id);
  EXPECT_EQ(report["summary"]["messagesProcessed"], 3);
  EXPECT_EQ(report["summary"]["messagesAccepted"], 1);
  EXPECT_EQ(report["summary"]["messagesInvalid"], 2);
  const auto schema =
      JsonSchema::Create(Model("schema-feed-listings-feed-processing-report-schema-v2.json"), "#");
  ASSERT_TRUE(schema.ok());
  EXPECT_TRUE(schema->Validate(report).empty()) << report.dump(2);

  // Listing changes apply the listing processing delay after the feed is processed.
  clock_.Advance(std::chrono::minutes(5));
  const auto listing = emulator_->GetListing("SB-MUG-001");
  EXPECT_EQ(listing->quantity, 10);
  EXPECT_EQ(listing->history.back().source, "JSON_LISTINGS_FEED");
  EXPECT_EQ(listing->history.back().time, end + std::chrono::seconds(120));
  EXPECT_EQ(emulator_->GetListing("SB-BAG-003")->quantity, 60);
}

TEST_F(FeedsTest, LegacyInventoryFeedIsAcceptedButEndsFatal) {
  const std::string feed_id = Submit("POST_INVENTORY_AVAILABILITY_DATA", R"(<?xml version="1.0"?>
<AmazonEnvelope><Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>A2EMULATORSELLER</MerchantIdentifier></Header>
<MessageType>Inventory</MessageType><Message><MessageID>1</MessageID><OperationType>Update</OperationType>
<Inventory><SKU>SB-MUG-001</SKU><Quantity>3</Quantity></Inventory></Message></AmazonEnvelope>)");
  const json feed = AwaitFeed(feed_id);
  EXPECT_EQ(feed["processingStatus"], "FATAL");
  EXPECT_THAT(Download(feed["resultFeedDocumentId"]), HasSubstr("no longer supported"));
  clock_.Advance(std::chrono::minutes(10));
  EXPECT_EQ(emulator_->GetListing("SB-MUG-001")->quantity, 250);
}

TEST_F(FeedsTest, UploadUrlExpiresAfterFiveMinutes) {
  const auto [early_id, early_url] = CreateDocument(kXml);
  clock_.Advance(std::chrono::seconds(300));
  EXPECT_EQ(Put(early_url, "<a/>", kXml)->status, 200);
  const auto [document_id, url] = CreateDocument(kXml);
  clock_.Advance(std::chrono::seconds(301));
  const auto expired = Put(url, "<a/>", kXml);
  EXPECT_EQ(expired->status, 403);
  EXPECT_THAT(expired->body, HasSubstr("<Code>AccessDenied</Code>"));
  EXPECT_THAT(expired->body, HasSubstr("Request has expired"));
  EXPECT_EQ(expired->get_header_value("Content-Type"), "application/xml");
}

TEST_F(FeedsTest, UploadWithAWrongSignatureOrContentTypeIsRefused) {
  const auto [document_id, url] = CreateDocument(kXml);
  std::string tampered = url;
  const size_t signature = tampered.find("X-Amz-Signature=") + 16;
  tampered[signature] = tampered[signature] == '0' ? '1' : '0';
  const auto refused = Put(tampered, "<a/>", kXml);
  EXPECT_EQ(refused->status, 403);
  EXPECT_THAT(refused->body, HasSubstr("<Code>SignatureDoesNotMatch</Code>"));
  // The signature covers the document: it does not open another one.
  const auto [other_id, other_url] = CreateDocument(kXml);
  std::string swapped = other_url;
  swapped.replace(swapped.find(other_id), other_id.size(), document_id);
  EXPECT_EQ(Put(swapped, "<a/>", kXml)->status, 403);
  EXPECT_EQ(Put(url, "<a/>", "application/json")->status, 403);
  EXPECT_EQ(Put(url, "<a/>", kXml)->status, 200);
}

TEST_F(FeedsTest, StuckFeedNeverLeavesInProgress) {
  ASSERT_EQ(
      client_->Put("/_emulator/faults/createFeed", R"({"stuckFeedRate": 1})", "application/json")
          ->status,
      204);
  const std::string order_id = PlaceOrder({{"SB-MUG-001", 1}});
  const std::string feed_id =
      Submit("POST_ORDER_FULFILLMENT_DATA", FulfillmentFeed(FulfillmentMessage(1, order_id)));
  clock_.Advance(std::chrono::hours(24));
  const json feed = GetFeed(feed_id);
  EXPECT_EQ(feed["processingStatus"], "IN_PROGRESS");
  EXPECT_FALSE(feed.contains("resultFeedDocumentId"));
  EXPECT_EQ(Delete(std::string(kFeeds) + "/" + feed_id)->status, 400);
  EXPECT_EQ(emulator_->GetOrder(order_id)->status, OrderStatus::kUnshipped);
  const json control = json::parse(client_->Get("/_emulator/feeds")->body);
  EXPECT_EQ(control["feeds"][0]["stuck"], true);
  const json faults = json::parse(client_->Get("/_emulator/faults")->body);
  EXPECT_EQ(faults["operations"]["createFeed"]["stuckFeedRate"], 1.0);
}

TEST_F(FeedsTest, ScenarioSetsStuckFeedsPerFeedTypeAndProcessingTimes) {
  Restart(R"(
[feeds]
queue_seconds = 5
min_processing_seconds = 10
max_processing_seconds = 10
compress_results = false

[faults.JSON_LISTINGS_FEED]
stuck_feed_rate = 1.0
)");
  const std::string order_id = PlaceOrder({{"SB-MUG-001", 1}});
  const TimePoint submitted = clock_.Now();
  const std::string fulfilment =
      Submit("POST_ORDER_FULFILLMENT_DATA", FulfillmentFeed(FulfillmentMessage(1, order_id)));
  const std::string listings =
      Submit("JSON_LISTINGS_FEED", ListingsFeed({QuantityMessage(1, "SB-MUG-001", 1)}), kJson);
  clock_.Advance(std::chrono::seconds(15));
  const json done = GetFeed(fulfilment);
  EXPECT_EQ(done["processingStatus"], "DONE");
  EXPECT_EQ(Time(done["processingStartTime"]), submitted + std::chrono::seconds(5));
  EXPECT_EQ(Time(done["processingEndTime"]), submitted + std::chrono::seconds(15));
  const auto document =
      Call("GET", std::string(kDocuments) + "/" + done["resultFeedDocumentId"].get<std::string>());
  EXPECT_FALSE(JsonOf(document).contains("compressionAlgorithm"));
  EXPECT_THAT(client_->Get(Target(JsonOf(document)["url"]))->body,
              HasSubstr("<MessagesSuccessful>1</MessagesSuccessful>"));
  clock_.Advance(std::chrono::hours(1));
  EXPECT_EQ(GetFeed(listings)["processingStatus"], "IN_PROGRESS");
}

TEST_F(FeedsTest, CreateFeedRejectsBadBodiesWithTheErrorEnvelope) {
  const auto [document_id, url] = CreateDocument(kXml);
  ASSERT_EQ(Put(url, FulfillmentFeed(""), kXml)->status, 200);
  const json good = {{"feedType", "POST_ORDER_FULFILLMENT_DATA"},
                     {"marketplaceIds", {"A1F83G8C2ARO7P"}},
                     {"inputFeedDocumentId", document_id}};
  std::vector<json> bad;
  bad.emplace_back("not an object");
  for (const char* field : {"feedType", "marketplaceIds", "inputFeedDocumentId"}) {
    json missing = good;
    missing.erase(field);
    bad.push_back(missing);
  }
  for (const auto& [field, value] : std::vector<std::pair<std::string, json>>{
           {"inputFeedDocumentId", "amzn1.tortuga.4.eu.x"},
           {"marketplaceIds", json::array({"A1PA6795UKMFR9"})},
           {"marketplaceIds", json::array({"NOPE"})},
           {"marketplaceIds", json::array()},
           {"feedType", "POST_FLAT_FILE_FULFILLMENT_DATA"},
           {"feedType", "NO_SUCH_FEED"},
           {"feedOptions", json{{"a", 1}}}}) {
    json changed = good;
    changed[field] = value;
    bad.push_back(changed);
  }
  for (const json& body : bad) {
    const auto result = Call("POST", kFeeds, body.dump());
    EXPECT_EQ(result->status, 400) << body.dump();
    EXPECT_EQ(JsonOf(result)["errors"][0]["code"], "InvalidInput") << result->body;
  }
  EXPECT_EQ(Call("POST", kFeeds, "{")->status, 400);
  EXPECT_EQ(Call("POST", kFeeds, good.dump())->status, 202);
  EXPECT_EQ(Call("POST", kDocuments, "{}")->status, 400);
  EXPECT_EQ(Call("POST", kFeeds, good.dump(), "Atza|not-a-token")->status, 403);
}

TEST_F(FeedsTest, GetFeedsFiltersAndPagesNewestFirst) {
  const std::string first = Submit("POST_ORDER_FULFILLMENT_DATA", FulfillmentFeed(""));
  clock_.Advance(std::chrono::seconds(1));
  const std::string listings =
      Submit("JSON_LISTINGS_FEED", ListingsFeed({QuantityMessage(1, "SB-MUG-001", 1)}), kJson);
  clock_.Advance(std::chrono::seconds(1));
  const std::string second = Submit("POST_ORDER_FULFILLMENT_DATA", FulfillmentFeed(""));
  const auto page =
      Call("GET", std::string(kFeeds) + "?feedTypes=POST_ORDER_FULFILLMENT_DATA&pageSize=1");
  ASSERT_EQ(page->status, 200) << page->body;
  ASSERT_EQ(JsonOf(page)["feeds"].size(), 1U);
  EXPECT_EQ(JsonOf(page)["feeds"][0]["feedId"], second);
  const std::string token = JsonOf(page)["nextToken"];
  const auto next = Call("GET", std::string(kFeeds) + "?nextToken=" + token);
  ASSERT_EQ(next->status, 200) << next->body;
  ASSERT_EQ(JsonOf(next)["feeds"].size(), 1U);
  EXPECT_EQ(JsonOf(next)["feeds"][0]["feedId"], first);
  EXPECT_FALSE(JsonOf(next).contains("nextToken"));
  const auto both = Call("GET", std::string(kFeeds) +
                                    "?feedTypes=JSON_LISTINGS_FEED,POST_ORDER_FULFILLMENT_DATA"
                                    "&marketplaceIds=A1F83G8C2ARO7P");
  EXPECT_EQ(JsonOf(both)["feeds"].size(), 3U);
  EXPECT_EQ(JsonOf(both)["feeds"][1]["feedId"], listings);
  EXPECT_EQ(
      JsonOf(Call("GET", std::string(kFeeds) +
                             "?feedTypes=JSON_LISTINGS_FEED&marketplaceIds=ATVPDKIKX0DER"))["feeds"]
          .size(),
      0U);
  clock_.Advance(std::chrono::minutes(3));
  const auto done =
      Call("GET", std::string(kFeeds) +
                      "?feedTypes=POST_ORDER_FULFILLMENT_DATA&processingStatuses=DONE,FATAL"
                      "&createdSince=2026-11-25T10:00:01Z");
  ASSERT_EQ(JsonOf(done)["feeds"].size(), 1U);
  EXPECT_EQ(JsonOf(done)["feeds"][0]["feedId"], second);
  for (const std::string& query : std::vector<std::string>{
           "", "?pageSize=5", "?nextToken=" + token + "&pageSize=1", "?nextToken=unknown",
           "?feedTypes=X&processingStatuses=BAD_VALUE", "?feedTypes=X&pageSize=0",
           "?feedTypes=X&pageSize=101", "?feedTypes=X&createdSince=yesterday",
           "?feedTypes=X&createdSince=2026-11-25T10:00:00Z&createdUntil=2026-11-24T10:00:00Z",
           "?feedTypes=A,B,C,D,E,F,G,H,I,J,K"}) {
    EXPECT_EQ(Call("GET", std::string(kFeeds) + query)->status, 400) << query;
  }
}

TEST_F(FeedsTest, OnlyAQueuedFeedCanBeCancelled) {
  const std::string feed_id = Submit("POST_ORDER_FULFILLMENT_DATA", FulfillmentFeed(""));
  const auto cancelled = Delete(std::string(kFeeds) + "/" + feed_id);
  EXPECT_EQ(cancelled->status, 200);
  EXPECT_TRUE(cancelled->body.empty());
  clock_.Advance(std::chrono::minutes(5));
  const json feed = GetFeed(feed_id);
  EXPECT_EQ(feed["processingStatus"], "CANCELLED");
  EXPECT_FALSE(feed.contains("resultFeedDocumentId"));
  EXPECT_EQ(Delete(std::string(kFeeds) + "/" + feed_id)->status, 400);
  const std::string running = Submit("POST_ORDER_FULFILLMENT_DATA", FulfillmentFeed(""));
  clock_.Advance(std::chrono::seconds(30));
  EXPECT_EQ(Delete(std::string(kFeeds) + "/" + running)->status, 400);
  EXPECT_EQ(Delete(std::string(kFeeds) + "/12345678901")->status, 404);
  EXPECT_EQ(Call("GET", std::string(kFeeds) + "/12345678901")->status, 404);
  EXPECT_EQ(Call("GET", std::string(kDocuments) + "/amzn1.tortuga.4.eu.nothing")->status, 404);
}

TEST_F(FeedsTest, ContentEncodingUrlServesGzipForTheClientToUndo) {
  const std::string feed_id = Submit("POST_ORDER_FULFILLMENT_DATA", FulfillmentFeed(""));
  const json feed = AwaitFeed(feed_id);
  const std::string path = std::string(kDocuments) + "/" +
                           feed["resultFeedDocumentId"].get<std::string>() +
                           "?enableContentEncodingUrlHeader=true";
  const auto document = Call("GET", path);
  ASSERT_EQ(document->status, 200);
  EXPECT_EQ(JsonOf(document)["compressionAlgorithm"], "GZIP");
  const std::string url = JsonOf(document)["url"];
  EXPECT_THAT(url, HasSubstr("response-content-encoding=gzip"));
  const auto downloaded = client_->Get(Target(url));
  ASSERT_EQ(downloaded->status, 200);
  EXPECT_EQ(downloaded->get_header_value("Content-Encoding"), "gzip");
  // httplib undoes Content-Encoding itself.
  EXPECT_THAT(downloaded->body, HasSubstr("<MessagesProcessed>0</MessagesProcessed>"));
  EXPECT_EQ(
      Call("GET", std::string(kDocuments) + "/" + feed["resultFeedDocumentId"].get<std::string>() +
                      "?enableContentEncodingUrlHeader=maybe")
          ->status,
      400);
  EXPECT_EQ(
      emulator_->FeedDocumentText(feed["resultFeedDocumentId"].get<std::string>()).value_or(""),
      downloaded->body);
  clock_.Advance(std::chrono::minutes(6));
  EXPECT_EQ(client_->Get(Target(url))->status, 403);
}

// The static sandbox requests of the Feeds model, sent to the emulator.
TEST_F(FeedsTest, SandboxRequestsOfTheModelGetTheirStatus) {
  ASSERT_TRUE(
      emulator_->AddFeedDocument(kXml, FulfillmentFeed(""), "3d4e42b5-1d6e-44e8-a89c-2abfca0625bb")
          .ok());
  ASSERT_TRUE(
      emulator_->AddFeedDocument(kXml, FulfillmentFeed(""), "0356cf79-b8b0-4226-b4b9-0ee058ea5760")
          .ok());
  for (const char* feed_id : {"feedId1", "ID1"}) {
    ASSERT_TRUE(emulator_
                    ->SubmitFeed({.feed_type = "POST_PRODUCT_DATA",
                                  .marketplace_ids = {"ATVPDKIKX0DER"},
                                  .input_document_id = "0356cf79-b8b0-4226-b4b9-0ee058ea5760",
                                  .feed_id = feed_id})
                    .ok());
  }
  int replayed = 0;
  for (const auto& [pattern, operations] : Model("feeds_2021-06-30.json")["paths"].items()) {
    for (const auto& [method, operation] : operations.items()) {
      if (method == "parameters") {
        continue;
      }
      for (const auto& [status, response] : operation["responses"].items()) {
        if (!response.contains("x-amzn-api-sandbox")) {
          continue;
        }
        for (const json& entry : response["x-amzn-api-sandbox"]["static"]) {
          std::string path = pattern;
          std::string query;
          std::string body;
          for (const auto& [name, parameter] : entry["request"]["parameters"].items()) {
            const json& value = parameter["value"];
            if (name == "body") {
              body = value.dump();
            } else if (const size_t at = path.find("{" + name + "}"); at != std::string::npos) {
              path.replace(at, name.size() + 2, value.get<std::string>());
            } else {
              std::string text;
              for (const json& item : value.is_array() ? value : json::array({value})) {
                text += text.empty() ? "" : ",";
                text += item.is_string() ? item.get<std::string>() : item.dump();
              }
              query += query.empty() ? "?" : "&";
              query += name;
              query += "=";
              query += text;
            }
          }
          SCOPED_TRACE(fmt::format("{} {}{} {}", method, path, query, body));
          const auto result = method == "delete" ? Delete(path)
                              : method == "get"  ? Call("GET", path + query)
                                                 : Call("POST", path, body);
          ASSERT_TRUE(result);
          EXPECT_EQ(std::to_string(result->status), status) << result->body;
          ++replayed;
        }
      }
    }
  }
  EXPECT_EQ(replayed, 12);
}

TEST(FeedScenarioTest, FeedKeysAreReadAndChecked) {
  auto parsed = ParseScenario(R"(
[feeds]
queue_seconds = 1
min_processing_seconds = 2
max_processing_seconds = 3
compress_results = false
[faults.POST_ORDER_FULFILLMENT_DATA]
stuck_feed_rate = 0.25
)",
                              "scenario");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->feeds.queue_seconds, 1);
  EXPECT_EQ(parsed->feeds.min_processing_seconds, 2);
  EXPECT_EQ(parsed->feeds.max_processing_seconds, 3);
  EXPECT_FALSE(parsed->feeds.compress_results);
  EXPECT_EQ(parsed->faults.at("POST_ORDER_FULFILLMENT_DATA").stuck_feed_rate, 0.25);
  EXPECT_FALSE(
      ParseScenario("[feeds]\nmin_processing_seconds = 9\nmax_processing_seconds = 8\n", "s").ok());
  EXPECT_FALSE(ParseScenario("[faults.createFeed]\nstuck_feed_rate = 2\n", "s").ok());
}

}  // namespace
}  // namespace sellerbridge::emulators::amazon
