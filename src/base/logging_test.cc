#include "base/logging.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "base/redact.h"

namespace sellerbridge {
namespace {

std::string LogOne(LogFormat format, const std::string& message) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  spdlog::logger logger("test", sink);
  logger.set_formatter(MakeLogFormatter(format));
  logger.info("{}", message);
  logger.flush();
  return out.str();
}

TEST(LoggingTest, TextLinesAreRedacted) {
  const std::string line = LogOne(LogFormat::kText, "lwa token Atza|secretpart issued");
  EXPECT_NE(line.find("lwa token Atza|[redacted] issued"), std::string::npos) << line;
  EXPECT_EQ(line.find("secretpart"), std::string::npos) << line;
  EXPECT_NE(line.find("info"), std::string::npos) << line;
}

TEST(LoggingTest, JsonLinesAreValidJsonAndRedacted) {
  RegisterSecret("my-client-secret");
  const std::string line =
      LogOne(LogFormat::kJson, "using my-client-secret for \"quoted\" call\nsecond line");
  ClearSecretsForTest();
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line per message";
  const auto json = nlohmann::json::parse(line);
  EXPECT_EQ(json.at("level"), "info");
  EXPECT_EQ(json.at("logger"), "test");
  EXPECT_EQ(json.at("msg"), "using [redacted] for \"quoted\" call\nsecond line");
  EXPECT_EQ(json.at("time").get<std::string>().back(), 'Z');
}

TEST(LoggingTest, ParsesFormatsAndLevels) {
  EXPECT_EQ(*ParseLogFormat("json"), LogFormat::kJson);
  EXPECT_EQ(*ParseLogFormat("text"), LogFormat::kText);
  EXPECT_FALSE(ParseLogFormat("xml").ok());
  EXPECT_EQ(*ParseLogLevel("debug"), spdlog::level::debug);
  EXPECT_EQ(*ParseLogLevel("error"), spdlog::level::err);
  EXPECT_FALSE(ParseLogLevel("loud").ok());
}

}  // namespace
}  // namespace sellerbridge
