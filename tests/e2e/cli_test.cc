// The sellerbridge binary as a user runs it: exit codes, messages, the demo,
// and a graceful stop of the daemon on SIGTERM.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "e2e/subprocess.h"
#include "http/client.h"
#include "http/server.h"

namespace sellerbridge {
namespace {

using testing::RunProcess;
using testing::Subprocess;

const std::string kExe = SELLERBRIDGE_EXE;
const std::string kExample = std::string(SELLERBRIDGE_SOURCE_DIR) + "/sellerbridge.example.toml";

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sellerbridge-cli-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes `text` to a file in the test's directory and returns its path.
  std::string Write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

  // The example configuration with its store moved into the test's directory.
  std::string GoodConfig() {
    std::ifstream in(kExample);
    std::stringstream text;
    text << in.rdbuf();
    std::string config = text.str();
    const std::string from = "sqlite:///var/lib/sellerbridge/sellerbridge.db";
    const auto at = config.find(from);
    EXPECT_NE(at, std::string::npos);
    config.replace(at, from.size(), "sqlite://" + (dir_ / "store.db").string());
    // A port of its own: tests run side by side.
    const std::string port = "port = 8085";
    const auto port_at = config.find(port);
    EXPECT_NE(port_at, std::string::npos);
    config.replace(port_at, port.size(), "port = " + std::to_string(testing::FreePort()));
    return Write("good.toml", config);
  }

  std::filesystem::path dir_;
};

TEST_F(CliTest, VersionPrintsTheVersion) {
  const auto result = RunProcess({kExe, "version"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out.rfind("sellerbridge ", 0), 0U) << result.out;
}

TEST_F(CliTest, HelpListsEveryCommand) {
  const auto result = RunProcess({kExe, "--help"});
  EXPECT_EQ(result.exit_code, 0);
  for (const char* command : {"run", "demo", "check-config", "version"}) {
    EXPECT_NE(result.out.find(command), std::string::npos) << command;
  }
}

TEST_F(CliTest, UnknownCommandIsBadInput) {
  EXPECT_EQ(RunProcess({kExe, "frobnicate"}).exit_code, 2);
  EXPECT_EQ(RunProcess({kExe}).exit_code, 2);
}

TEST_F(CliTest, CheckConfigAcceptsTheExample) {
  const auto result = RunProcess({kExe, "check-config", kExample});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("OK"), std::string::npos);
}

TEST_F(CliTest, CheckConfigReportsEveryMistakeWithItsLine) {
  std::ifstream in(kExample);
  std::stringstream text;
  text << in.rdbuf();
  std::string config = text.str();
  // Three different mistakes: a wrong type, an unknown marketplace, an unknown key.
  auto replace = [&](const std::string& from, const std::string& to) {
    const auto at = config.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    config.replace(at, from.size(), to);
  };
  replace("port = 8085", "port = \"8085\"");
  replace("\"A1PA6795UKMFR9\"", "\"A1PA6795UKMFRX\"");
  replace("[logging]\n", "[logging]\ncolour = \"blue\"\n");
  const std::string path = Write("bad.toml", config);
  auto line_of = [&](const std::string& needle) {
    const auto at = config.find(needle);
    return 1 + std::count(config.begin(), config.begin() + static_cast<std::ptrdiff_t>(at), '\n');
  };

  const auto result = RunProcess({kExe, "check-config", path});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find(path + ":" + std::to_string(line_of("port = \"8085\"")) + ":"),
            std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find(path + ":" + std::to_string(line_of("A1PA6795UKMFRX")) + ":"),
            std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find(path + ":" + std::to_string(line_of("colour")) + ":"),
            std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("3 problems"), std::string::npos) << result.err;
}

TEST_F(CliTest, CheckConfigOfAMissingFileIsBadInput) {
  const auto result = RunProcess({kExe, "check-config", (dir_ / "nope.toml").string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("nope.toml"), std::string::npos) << result.err;
}

TEST_F(CliTest, DemoRunsForItsDurationAndPrintsAJsonSummary) {
  const auto result = RunProcess({kExe, "demo", "--duration", "1", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto summary = nlohmann::json::parse(result.out);
  EXPECT_GE(summary.at("uptime_seconds").get<double>(), 1.0);
  ASSERT_FALSE(summary.at("jobs").empty());
  EXPECT_GE(summary.at("jobs")[0].at("runs").get<int>(), 1);
  EXPECT_TRUE(summary.at("store").is_object());
  // Both emulated systems ran: the default Clarus tenant has its products.
  EXPECT_GE(summary.at("amazon").at("orders_created").get<int>(), 0);
  EXPECT_GT(summary.at("clarus").at("products").get<int>(), 0);
}

TEST_F(CliTest, RunStopsCleanlyOnSigterm) {
  const std::string config = GoodConfig();
  Subprocess daemon({kExe, "run", "--config", config});
  ASSERT_TRUE(daemon.WaitForStderr("running")) << daemon.Stderr();
  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.Wait(), 0) << daemon.Stderr();
  EXPECT_NE(daemon.Stderr().find("stopped cleanly"), std::string::npos) << daemon.Stderr();
  EXPECT_TRUE(std::filesystem::exists(dir_ / "store.db"));
}

TEST_F(CliTest, RunServesHealthOpenlyAndTheApiOnlyWithItsToken) {
  const std::string config = GoodConfig();
  std::ifstream in(config);
  std::stringstream text;
  text << in.rdbuf();
  const std::string toml = text.str();
  const auto port_at = toml.find("\nport = ");
  ASSERT_NE(port_at, std::string::npos);
  const int port = std::stoi(toml.substr(port_at + 8));
  Subprocess daemon({kExe, "run", "--config", config},
                    {"SELLERBRIDGE_SERVER_API_TOKEN=cli-test-token-7"});
  ASSERT_TRUE(daemon.WaitForStderr("running")) << daemon.Stderr();
  sellerbridge::http::CurlHttpClient http;
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  const auto health = http.Send({.url = base + "/healthz"});
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(health->status, 200);
  const auto anonymous = http.Send({.url = base + "/api/v1/mappings"});
  ASSERT_TRUE(anonymous.ok()) << anonymous.status();
  EXPECT_EQ(anonymous->status, 401);
  sellerbridge::http::ClientRequest with_token{.url = base + "/api/v1/mappings"};
  with_token.headers.emplace("Authorization", "Bearer cli-test-token-7");
  const auto listed = http.Send(with_token);
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(listed->status, 200) << listed->body;
  EXPECT_EQ(nlohmann::json::parse(listed->body).at("mappings").size(), 0U);
  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.Wait(), 0) << daemon.Stderr();
  EXPECT_EQ(daemon.Stderr().find("cli-test-token-7"), std::string::npos);
}

TEST_F(CliTest, RunWithJsonLogsWritesJsonLinesWithoutSecrets) {
  const std::string config = GoodConfig();
  Subprocess daemon({kExe, "--log-format", "json", "run", "--config", config},
                    {"SELLERBRIDGE_AMAZON_CLIENT_SECRET=env-secret-value-42"});
  ASSERT_TRUE(daemon.WaitForStderr("running")) << daemon.Stderr();
  daemon.Signal(SIGINT);
  EXPECT_EQ(daemon.Wait(), 0) << daemon.Stderr();
  std::istringstream lines(daemon.Stderr());
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    const auto json = nlohmann::json::parse(line);
    EXPECT_TRUE(json.contains("msg"));
    ++count;
  }
  EXPECT_GE(count, 2);
  EXPECT_EQ(daemon.Stderr().find("env-secret-value-42"), std::string::npos);
}

TEST_F(CliTest, EmulatorsServeUntilSignalled) {
  for (const std::string system : {"amazon", "clarus"}) {
    const int port = testing::FreePort();
    Subprocess emulator({kExe, "emulate", system, "--port", std::to_string(port), "--seed", "3"});
    ASSERT_TRUE(emulator.WaitForStderr("serving")) << emulator.Stderr();
    EXPECT_NE(emulator.Stderr().find(std::to_string(port)), std::string::npos);
    sellerbridge::http::CurlHttpClient http;
    const std::string clock_path = system == "amazon" ? "/_emulator/clock" : "/_emulator/time";
    const auto clock = http.Send({.url = "http://127.0.0.1:" + std::to_string(port) + clock_path});
    ASSERT_TRUE(clock.ok()) << clock.status();
    EXPECT_EQ(clock->status, 200) << system;
    emulator.Signal(SIGTERM);
    EXPECT_EQ(emulator.Wait(), 0) << emulator.Stderr();
  }
}

TEST_F(CliTest, EmulateNeedsAKnownSystemAndAPort) {
  EXPECT_EQ(RunProcess({kExe, "emulate", "ebay", "--port", "9"}).exit_code, 2);
  EXPECT_EQ(RunProcess({kExe, "emulate", "amazon"}).exit_code, 2);
}

TEST_F(CliTest, RunWithABadConfigIsBadInput) {
  const std::string path = Write("bad.toml", "[store]\nurl = 3\n");
  const auto result = RunProcess({kExe, "run", "--config", path});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("bad.toml:2:"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace sellerbridge
