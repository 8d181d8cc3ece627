#include "emulators/clarus/graphql_parser.h"

#include <gtest/gtest.h>

namespace sellerbridge::emulators::clarus::graphql {
namespace {

TEST(GraphqlParserTest, ParsesNamedOperationWithVariablesAliasesAndNestedArguments) {
  Location where;
  auto document = ParseDocument(R"(
    # Completed orders since a watermark.
    query Completed($since: String!, $first: Int = 10) {
      orders: goods_outs {
        all(first: $first, after: "Y3Vyc29yOjE=",
            filter: {status: {in: [COMPLETED, "PICK"]}, updated_at: {gteq: $since},
                     priority: {between: [1, 2.5]}, reference: {filled: true, eq: null}}) {
          edges { cursor node { id goods_out_lines { order_quantity } } }
        }
      }
    })",
                                &where);
  ASSERT_TRUE(document.ok()) << document.status();
  ASSERT_EQ(document->operations.size(), 1U);
  const Operation& op = document->operations[0];
  EXPECT_EQ(op.type, "query");
  EXPECT_EQ(op.name, "Completed");
  ASSERT_EQ(op.variables.size(), 2U);
  EXPECT_EQ(op.variables[0].type, "String!");
  ASSERT_TRUE(op.variables[1].default_value.has_value());
  EXPECT_EQ(op.variables[1].default_value->text, "10");
  const Field& root = op.selections.at(0);
  EXPECT_EQ(root.alias, "orders");
  EXPECT_EQ(root.name, "goods_outs");
  const Field& all = root.selections.at(0);
  ASSERT_EQ(all.arguments.size(), 3U);
  EXPECT_EQ(all.arguments[0].value.kind, Value::Kind::kVariable);
  EXPECT_EQ(all.arguments[1].value.kind, Value::Kind::kString);
  const Value& filter = all.arguments[2].value;
  ASSERT_EQ(filter.kind, Value::Kind::kObject);
  ASSERT_EQ(filter.field_names.size(), 4U);
  EXPECT_EQ(filter.field_names[0], "status");
  const Value& in = filter.list[0].list[0];
  ASSERT_EQ(in.kind, Value::Kind::kList);
  EXPECT_EQ(in.list[0].kind, Value::Kind::kEnum);
  EXPECT_EQ(in.list[1].text, "PICK");
  EXPECT_EQ(filter.list[2].list[0].list[1].kind, Value::Kind::kFloat);
  EXPECT_EQ(filter.list[3].list[1].kind, Value::Kind::kNull);
  EXPECT_EQ(all.selections[0].selections[1].selections[1].name, "goods_out_lines");
}

TEST(GraphqlParserTest, AcceptsShorthandQueryAndSeveralOperations) {
  Location where;
  auto shorthand = ParseDocument("{ carriers { all { edges { node { code } } } } }", &where);
  ASSERT_TRUE(shorthand.ok()) << shorthand.status();
  EXPECT_EQ(shorthand->operations[0].type, "query");
  auto two = ParseDocument("query A { a } query B { b }", &where);
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->operations.size(), 2U);
}

TEST(GraphqlParserTest, DecodesStringEscapes) {
  Location where;
  auto document = ParseDocument(R"({ f(a: "x\"y\\z\u00e9\n") })", &where);
  ASSERT_TRUE(document.ok());
  EXPECT_EQ(document->operations[0].selections[0].arguments[0].value.text, "x\"y\\z\xC3\xA9\n");
}

TEST(GraphqlParserTest, ReportsSyntaxErrorsWithTheirLocation) {
  Location where;
  auto missing = ParseDocument("query {\n  goods_outs {\n    all(first: ) { x }\n  }\n}", &where);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("Syntax Error"), std::string::npos);
  EXPECT_EQ(where.line, 3);
  EXPECT_EQ(where.column, 16);

  EXPECT_FALSE(ParseDocument("{ a { b }", &where).ok());
  EXPECT_FALSE(ParseDocument("", &where).ok());
  EXPECT_FALSE(ParseDocument("{ a(x: \"open) }", &where).ok());
  EXPECT_FALSE(ParseDocument("{ a(x: 01) }", &where).ok());
  EXPECT_FALSE(ParseDocument("{ a(x: ?) }", &where).ok());
}

TEST(GraphqlParserTest, RejectsFragmentsAndDirectivesByName) {
  Location where;
  auto fragment = ParseDocument("{ a { ...F } } fragment F on A { b }", &where);
  ASSERT_FALSE(fragment.ok());
  EXPECT_NE(fragment.status().message().find("fragments are not supported"), std::string::npos);
  auto directive = ParseDocument("{ a @include(if: true) }", &where);
  ASSERT_FALSE(directive.ok());
  EXPECT_NE(directive.status().message().find("directives"), std::string::npos);
}

}  // namespace
}  // namespace sellerbridge::emulators::clarus::graphql
