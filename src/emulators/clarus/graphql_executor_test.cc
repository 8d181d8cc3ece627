#include "emulators/clarus/graphql_executor.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/time_format.h"

namespace sellerbridge::emulators::clarus {
namespace {

using nlohmann::json;
using std::chrono::minutes;

class GraphqlExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Scenario scenario = Scenario::Default();
    scenario.max_page_size = 3;
    warehouse_ = std::move(*Warehouse::Create(scenario, &clock_, 1));
    executor_ = std::make_unique<GraphqlExecutor>(warehouse_.get(), scenario.max_page_size);
    // Seven orders a minute apart: SO-1 .. SO-7, SO-k ordering k of SKU-001,
    // the even ones then completed.
    for (int k = 1; k <= 7; ++k) {
      GoodsOutInput input;
      input.reference = "SO-" + std::to_string(k);
      input.account_id = 1;
      input.warehouse_id = 1;
      input.address = Address{.name = "n", .address_1 = "a", .postcode = "p", .country_code = "GB"};
      LineChange change;
      change.product_id = 1;
      change.order_quantity = k;
      input.lines_changes.push_back(change);
      std::vector<FieldError> errors;
      ids_.push_back(warehouse_->CreateGoodsOut(input, &errors)->id);
      clock_.Advance(minutes{1});
    }
    for (int k = 2; k <= 7; k += 2) {
      ASSERT_TRUE(warehouse_->CompleteNow(ids_[static_cast<std::size_t>(k - 1)]).ok());
    }
  }

  json Query(const std::string& query, const json& variables = json::object()) {
    const GraphqlReply reply =
        executor_->Execute(json{{"query", query}, {"variables", variables}}.dump());
    EXPECT_EQ(reply.status, 200);
    return json::parse(reply.body);
  }

  std::vector<std::string> References(const json& connection) {
    std::vector<std::string> out;
    for (const json& edge : connection["edges"]) {
      out.push_back(edge["node"]["reference"]);
    }
    return out;
  }

  std::vector<std::string> Filtered(const std::string& filter) {
    const json reply = Query("{ goods_outs { all(first: 3, filter: " + filter +
                             ") { totalCount edges { node { reference } } } } }");
    EXPECT_FALSE(reply.contains("errors")) << reply.dump();
    std::vector<std::string> refs = References(reply["data"]["goods_outs"]["all"]);
    refs.insert(refs.begin(),
                std::to_string(reply["data"]["goods_outs"]["all"]["totalCount"].get<int>()));
    return refs;
  }

  VirtualClock clock_{*ParseIso8601("2026-11-27T08:00:00Z")};
  std::unique_ptr<Warehouse> warehouse_;
  std::unique_ptr<GraphqlExecutor> executor_;
  std::vector<std::int64_t> ids_;
};

TEST_F(GraphqlExecutorTest, PagesWithRelayCursorsCappedAtTheMaximumPageSize) {
  const std::string query = R"(
    query Page($after: String) {
      goods_outs { all(first: 100, after: $after) {
        edges { cursor node { id reference } }
        pageInfo { hasNextPage endCursor hasPreviousPage }
      } }
    })";
  std::vector<std::string> seen;
  json after = nullptr;
  int pages = 0;
  for (;;) {
    const json reply = Query(query, {{"after", after}});
    ASSERT_FALSE(reply.contains("errors")) << reply.dump();
    const json& all = reply["data"]["goods_outs"]["all"];
    EXPECT_LE(all["edges"].size(), 3U);
    EXPECT_EQ(all["pageInfo"]["hasPreviousPage"], pages > 0);
    for (const auto& r : References(all)) {
      seen.push_back(r);
    }
    ++pages;
    if (!all["pageInfo"]["hasNextPage"].get<bool>()) {
      break;
    }
    EXPECT_EQ(all["pageInfo"]["endCursor"], all["edges"].back()["cursor"]);
    after = all["pageInfo"]["endCursor"];
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen,
            (std::vector<std::string>{"SO-1", "SO-2", "SO-3", "SO-4", "SO-5", "SO-6", "SO-7"}));
}

// Pages that ask neither totalCount nor hasPreviousPage are cut short in the
// emulator; what they show must not change.
TEST_F(GraphqlExecutorTest, FilteredPagesWithoutCountsWalkEveryMatch) {
  const std::string query = R"(
    query Page($after: String) {
      goods_outs { all(first: 2, after: $after, filter: {reference: {like: "SO-%"}, id: {gteq: 2}}) {
        edges { node { reference } }
        pageInfo { hasNextPage endCursor }
      } }
    })";
  std::vector<std::string> seen;
  json after = nullptr;
  for (int pages = 1;; ++pages) {
    const json reply = Query(query, {{"after", after}});
    ASSERT_FALSE(reply.contains("errors")) << reply.dump();
    const json& all = reply["data"]["goods_outs"]["all"];
    for (const auto& r : References(all)) {
      seen.push_back(r);
    }
    if (!all["pageInfo"]["hasNextPage"].get<bool>()) {
      EXPECT_EQ(pages, 3);
      break;
    }
    ASSERT_LT(pages, 10);
    after = all["pageInfo"]["endCursor"];
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"SO-2", "SO-3", "SO-4", "SO-5", "SO-6", "SO-7"}));
}

TEST_F(GraphqlExecutorTest, CursorsStayValidWhenNewRecordsArrive) {
  const json first = Query("{ goods_outs { all(first: 2) { pageInfo { endCursor } } } }");
  const std::string cursor = first["data"]["goods_outs"]["all"]["pageInfo"]["endCursor"];
  ASSERT_TRUE(warehouse_->CancelGoodsOut(ids_[0]).ok());  // SO-1 leaves the results.
  const json next = Query("{ goods_outs { all(first: 1, after: \"" + cursor +
                          "\") { edges { node { reference } } } } }");
  EXPECT_EQ(References(next["data"]["goods_outs"]["all"]), std::vector<std::string>{"SO-3"});
}

TEST_F(GraphqlExecutorTest, FiltersWithEveryDocumentedOperator) {
  using V = std::vector<std::string>;
  EXPECT_EQ(Filtered("{status: {eq: \"COMPLETED\"}}"), (V{"3", "SO-2", "SO-4", "SO-6"}));
  EXPECT_EQ(Filtered("{status: {eq: COMPLETED}, reference: {in: [\"SO-4\", \"SO-5\"]}}"),
            (V{"1", "SO-4"}));
  EXPECT_EQ(Filtered("{reference: {ilike: \"so-_\"}, id: {gt: 5}}"), (V{"2", "SO-6", "SO-7"}));
  EXPECT_EQ(Filtered("{reference: {like: \"so-%\"}}"), (V{"0"}));
  EXPECT_EQ(Filtered("{id: {between: [\"2\", 3]}}"), (V{"2", "SO-2", "SO-3"}));
  EXPECT_EQ(Filtered("{id: {gteq: 6}}"), (V{"2", "SO-6", "SO-7"}));
  EXPECT_EQ(Filtered("{id: {lt: 2}}"), (V{"1", "SO-1"}));
  EXPECT_EQ(Filtered("{id: {lteq: 1}}"), (V{"1", "SO-1"}));
  EXPECT_EQ(
      Filtered("{created_at: {from: \"2026-11-27T08:05:00Z\", to: \"2026-11-27T09:06:00+01:00\"}}"),
      (V{"2", "SO-6", "SO-7"}));
  EXPECT_EQ(Filtered("{dispatch_date: {filled: true}, status: {in: [PICK, COMPLETED]}}"),
            (V{"3", "SO-2", "SO-4", "SO-6"}));
  EXPECT_EQ(Filtered("{dispatch_date: {filled: false}, account: {eq: 1}, warehouse: {eq: \"1\"}}"),
            (V{"4", "SO-1", "SO-3", "SO-5"}));
  EXPECT_EQ(Filtered("{created_at: {lt: \"2026-11-27T08:00:30Z\"}}"), (V{"1", "SO-1"}));
  // Equalities on id and reference (narrowed before any record is serialised)
  // keep the documented semantics: ids compare as numbers, every condition holds.
  EXPECT_EQ(Filtered("{reference: {eq: \"SO-3\"}}"), (V{"1", "SO-3"}));
  EXPECT_EQ(Filtered("{id: {eq: \"4\"}}"), (V{"1", "SO-4"}));
  EXPECT_EQ(Filtered("{id: {eq: \"004\"}}"), (V{"1", "SO-4"}));
  EXPECT_EQ(Filtered("{id: {eq: 4}}"), (V{"1", "SO-4"}));
  EXPECT_EQ(Filtered("{id: {eq: \"4\"}, reference: {eq: \"SO-5\"}}"), (V{"0"}));
  EXPECT_EQ(Filtered("{id: {eq: \"99\"}}"), (V{"0"}));
  EXPECT_EQ(Filtered("{reference: {eq: \"SO-6\"}, status: {eq: PENDING}}"), (V{"0"}));
  EXPECT_EQ(Filtered("{id: {in: [\"4\", \"002\", \"99\"]}}"), (V{"2", "SO-2", "SO-4"}));
  EXPECT_EQ(Filtered("{id: {in: [\"2\", 7]}}"), (V{"2", "SO-2", "SO-7"}));
  EXPECT_EQ(Filtered("{id: {in: [\"5\", \"6\"]}, status: {eq: COMPLETED}}"), (V{"1", "SO-6"}));
  // The even orders were completed last; SO-7 was allocated after its creation.
  EXPECT_EQ(Filtered("{updated_at: {gteq: \"2026-11-27T08:06:00Z\"}}"),
            (V{"4", "SO-2", "SO-4", "SO-6"}));
  EXPECT_EQ(Filtered("{updated_at: {gt: \"2026-11-27T08:06:00Z\"}}"),
            (V{"4", "SO-2", "SO-4", "SO-6"}));
  EXPECT_EQ(Filtered("{updated_at: {gteq: \"2026-11-27T09:00:00Z\"}}"), (V{"0"}));
  EXPECT_EQ(Filtered("{updated_at: {from: \"2026-11-27T09:06:00+01:00\"}, id: {lt: 7}}"),
            (V{"3", "SO-2", "SO-4", "SO-6"}));
}

TEST_F(GraphqlExecutorTest, FindsShipmentsByIdAndByGoodsOut) {
  const std::string goods_out = std::to_string(ids_[3]);  // SO-4, completed.
  const json by_order = Query(
      "query($g: ID) { shipments { all(filter: {goods_out_id: {eq: $g}}) { totalCount edges { "
      "node { id goods_out_id } } } } }",
      {{"g", goods_out}});
  ASSERT_FALSE(by_order.contains("errors")) << by_order.dump();
  const json& edges = by_order["data"]["shipments"]["all"]["edges"];
  ASSERT_EQ(edges.size(), 1U);
  EXPECT_EQ(edges[0]["node"]["goods_out_id"], goods_out);
  const std::string id = edges[0]["node"]["id"];
  const json by_id = Query(
      "query($i: ID) { shipments { all(filter: {id: {eq: $i}}) { edges { node { goods_out_id } } "
      "} } }",
      {{"i", id}});
  ASSERT_EQ(by_id["data"]["shipments"]["all"]["edges"].size(), 1U);
  EXPECT_EQ(by_id["data"]["shipments"]["all"]["edges"][0]["node"]["goods_out_id"], goods_out);
  const json none = Query(
      "query($i: ID, $g: ID) { shipments { all(filter: {id: {eq: $i}, goods_out_id: {eq: $g}}) "
      "{ totalCount } } }",
      {{"i", id}, {"g", std::to_string(ids_[1])}});
  EXPECT_EQ(none["data"]["shipments"]["all"]["totalCount"], 0);
}

TEST_F(GraphqlExecutorTest, ResolvesNestedLinesShipmentsPackagesAndStock) {
  const json reply = Query(R"({
    goods_outs { all(filter: {reference: {eq: "SO-2"}}) { edges { node {
      reference status
      goods_out_lines { order_quantity allocated_quantity pick_quantity dispatch_quantity
                        short_status product { product_code } }
      shipments { status carrier { code name } carrier_service { code name }
                  packages { tracking_number } }
    } } } }
    skus: stock_balances { all(filter: {sku: {eq: "SKU-001"}}) { edges { node {
      available allocated picked held product_code } } } }
    stocks { all(filter: {product_code: {eq: "SKU-003"}}) { edges { node { quantity status } } } }
    carriers { all(filter: {code: {eq: "ROYALMAIL"}}) { edges { node {
      __typename code carrier_services { code name } } } } }
  })");
  ASSERT_FALSE(reply.contains("errors")) << reply.dump();
  const json& order = reply["data"]["goods_outs"]["all"]["edges"][0]["node"];
  EXPECT_EQ(order["status"], "COMPLETED");
  EXPECT_EQ(order["goods_out_lines"][0]["dispatch_quantity"], 2);
  EXPECT_EQ(order["goods_out_lines"][0]["short_status"], "NONE");
  EXPECT_EQ(order["goods_out_lines"][0]["product"]["product_code"], "SKU-001");
  EXPECT_EQ(order["shipments"][0]["carrier"]["code"], "ROYALMAIL");
  EXPECT_TRUE(order["shipments"][0]["packages"][0]["tracking_number"].is_string());
  const json& balance = reply["data"]["skus"]["all"]["edges"][0]["node"];
  EXPECT_EQ(balance["available"].get<int>() + balance["allocated"].get<int>(), 100 - 12 - 9);
  EXPECT_EQ(reply["data"]["stocks"]["all"]["edges"][0]["node"]["quantity"], 200);
  const json& carrier = reply["data"]["carriers"]["all"]["edges"][0]["node"];
  EXPECT_EQ(carrier["__typename"], "Carrier");
  EXPECT_EQ(carrier["carrier_services"][0]["name"], "Royal Mail Tracked 24");
}

TEST_F(GraphqlExecutorTest, BadQueriesGetGraphqlErrorsWithLocationsAndNoData) {
  const auto first_error = [&](const std::string& query) {
    const json reply = Query(query);
    EXPECT_FALSE(reply.contains("data")) << reply.dump();
    return reply["errors"][0];
  };
  const json syntax = first_error("{ goods_outs { all(first: ) { totalCount } } }");
  EXPECT_NE(syntax["message"].get<std::string>().find("Syntax Error"), std::string::npos);
  EXPECT_EQ(syntax["locations"][0]["column"], 27);

  const json unknown = first_error("{ goods_outs { all { edges { node { colour } } } } }");
  EXPECT_EQ(unknown["message"], "Field 'colour' doesn't exist on type 'GoodsOut'");
  EXPECT_EQ(unknown["path"], json({"goods_outs", "all", "edges", "node"}));

  EXPECT_NE(first_error("{ goods_outs { all(last: 2) { totalCount } } }")["message"]
                .get<std::string>()
                .find("argument 'last'"),
            std::string::npos);
  EXPECT_NE(first_error("{ goods_outs { all(first: -1) { totalCount } } }")["message"]
                .get<std::string>()
                .find("first"),
            std::string::npos);
  EXPECT_NE(first_error("{ goods_outs { all(after: \"nonsense\") { totalCount } } }")["message"]
                .get<std::string>()
                .find("after"),
            std::string::npos);
  EXPECT_NE(
      first_error("{ goods_outs { all(filter: {colour: {eq: 1}}) { totalCount } } }")["message"]
          .get<std::string>()
          .find("colour"),
      std::string::npos);
  EXPECT_NE(first_error("{ goods_outs { all(filter: {id: {near: 1}}) { totalCount } } }")["message"]
                .get<std::string>()
                .find("near"),
            std::string::npos);
  EXPECT_NE(first_error(
                "{ goods_outs { all(filter: {updated_at: {gt: \"yesterday\"}}) { totalCount } } }")
                ["message"]
                    .get<std::string>()
                    .find("ISO 8601"),
            std::string::npos);
  EXPECT_NE(first_error("{ goods_outs { all(first: $n) { totalCount } } }")["message"]
                .get<std::string>()
                .find("$n"),
            std::string::npos);
  EXPECT_NE(first_error("{ goods_outs }")["message"].get<std::string>().find("selection"),
            std::string::npos);
  EXPECT_NE(first_error("mutation { goods_outs { all { totalCount } } }")["message"]
                .get<std::string>()
                .find("REST"),
            std::string::npos);
  const GraphqlReply not_json = executor_->Execute("query { x }");
  EXPECT_EQ(not_json.status, 400);
}

TEST_F(GraphqlExecutorTest, PicksTheNamedOperation) {
  const json reply = Query(
      "query A { accounts { all { totalCount } } } "
      "query B { warehouses { all { edges { node { code } } } } }");
  EXPECT_TRUE(reply.contains("errors"));
  const GraphqlReply named = executor_->Execute(json{
      {"query",
       "query A { accounts { all { totalCount } } } "
       "query B { warehouses { all { edges { node { code } } } } }"},
      {"operationName", "B"}}.dump());
  EXPECT_EQ(json::parse(named.body)["data"]["warehouses"]["all"]["edges"][0]["node"]["code"],
            "MAIN");
}

}  // namespace
}  // namespace sellerbridge::emulators::clarus
