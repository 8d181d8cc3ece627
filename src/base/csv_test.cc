#include "base/csv.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sellerbridge {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(CsvTest, FieldIsQuotedOnlyWhenItMustBe) {
  EXPECT_EQ(CsvField("plain text"), "plain text");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField(" padded\t"), "\" padded\t\"");
  EXPECT_EQ(CsvField(""), "");
}

TEST(CsvTest, ReaderReadsQuotedFieldsAcrossLinesAndCountsLines) {
  const std::string text =
      "\xEF\xBB\xBF"
      "a,\"b,1\"\r\n\r\n\"multi\nline\",\"q\"\"\"\nlast,";
  CsvReader reader(text, "t.csv");
  auto first = reader.Next();
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->line, 1);
  EXPECT_THAT((*first)->fields, ElementsAre("a", "b,1"));
  auto second = reader.Next();
  ASSERT_TRUE(second.ok() && second->has_value());
  EXPECT_EQ((*second)->line, 3);
  EXPECT_THAT((*second)->fields, ElementsAre("multi\nline", "q\""));
  auto third = reader.Next();
  ASSERT_TRUE(third.ok() && third->has_value());
  EXPECT_EQ((*third)->line, 5);
  EXPECT_THAT((*third)->fields, ElementsAre("last", ""));
  auto end = reader.Next();
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(end->has_value());
}

TEST(CsvTest, ReaderNamesSourceAndLineOfBadQuoting) {
  for (const auto& [text, problem] :
       {std::pair{"ok\n\"never closed\n", "t.csv:2: a quoted field is never closed"},
        std::pair{"ok\n\"x\"y\n", "t.csv:2: text after a closing quote"},
        std::pair{"ok\nx\"y\n", "t.csv:2: a quote inside an unquoted field"}}) {
    CsvReader reader(text, "t.csv");
    ASSERT_TRUE(reader.Next().ok());
    const auto bad = reader.Next();
    EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(bad.status().message(), HasSubstr(problem));
  }
}

}  // namespace
}  // namespace sellerbridge
