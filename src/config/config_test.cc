#include "config/config.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "base/redact.h"

namespace sellerbridge::config {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

// Every required key and nothing else.
constexpr std::string_view kMinimal = R"([store]
url = "sqlite::memory:"

[amazon]
client_id = "amzn-client-id-1"
client_secret = "amzn-client-secret-1"
refresh_token = "amzn-refresh-token-1"
seller_id = "A3SELLER"
region = "EU"
marketplaces = ["A1F83G8C2ARO7P"]

[clarus]
api_base = "http://127.0.0.1:9001/api"
graphql_url = "http://127.0.0.1:9001/graphql"
token_url = "http://127.0.0.1:9001/oauth/token"
subdomain = "acme"
client_id = "clarus-client-id-1"
client_secret = "clarus-client-secret-1"
account = "ACME"
warehouses = ["MAIN"]
)";

EnvLookup NoEnv() {
  return [](std::string_view) { return std::optional<std::string>(); };
}

EnvLookup FakeEnv(std::map<std::string, std::string, std::less<>> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) {
      return std::nullopt;
    }
    return it->second;
  };
}

// `text` with the first occurrence of `from` replaced by `to`.
std::string Replace(std::string_view text, std::string_view from, std::string_view to) {
  std::string out(text);
  const size_t pos = out.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) {
    out.replace(pos, from.size(), to);
  }
  return out;
}

// The 1-based line of the first occurrence of `needle` in `text`.
int LineOf(std::string_view text, std::string_view needle) {
  const size_t pos = text.find(needle);
  EXPECT_NE(pos, std::string_view::npos) << needle;
  return 1 +
         static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(pos), '\n'));
}

LoadedConfig Load(std::string_view text) { return LoadConfigString(text, "test.toml", NoEnv()); }

std::vector<std::string> Formatted(const LoadedConfig& loaded) {
  std::vector<std::string> lines;
  for (const ConfigProblem& problem : loaded.problems) {
    lines.push_back(FormatProblem(problem));
  }
  return lines;
}

// Loads `text`, expecting exactly one problem, and returns it.
ConfigProblem OnlyProblem(std::string_view text) {
  const LoadedConfig loaded = Load(text);
  EXPECT_THAT(Formatted(loaded), SizeIs(1));
  return loaded.problems.empty() ? ConfigProblem{} : loaded.problems.front();
}

class ConfigTest : public ::testing::Test {
 protected:
  void TearDown() override { ClearSecretsForTest(); }
};

TEST_F(ConfigTest, ExampleFileLoadsWithoutProblems) {
  const LoadedConfig loaded =
      LoadConfigFile(SELLERBRIDGE_SOURCE_DIR "/sellerbridge.example.toml", NoEnv());
  EXPECT_THAT(Formatted(loaded), IsEmpty());
  EXPECT_EQ(loaded.config.amazon.region, "EU");
  EXPECT_THAT(loaded.config.amazon.marketplaces, ElementsAre("A1F83G8C2ARO7P", "A1PA6795UKMFR9"));
}

TEST_F(ConfigTest, ExampleStockRulesLoadWhenUncommented) {
  std::ifstream in(SELLERBRIDGE_SOURCE_DIR "/sellerbridge.example.toml");
  std::string text;
  bool in_rules = false;
  for (std::string line; std::getline(in, line);) {
    in_rules = in_rules || line == "# [[stock.rules]]";
    if (in_rules && line.starts_with('#')) {
      line.erase(0, line.starts_with("# ") ? 2 : 1);
    }
    text += line + '\n';
  }
  ASSERT_TRUE(in_rules);
  const LoadedConfig loaded = Load(text);
  EXPECT_THAT(Formatted(loaded), IsEmpty());
  ASSERT_THAT(loaded.config.stock.rules, SizeIs(2));
  EXPECT_EQ(loaded.config.stock.rules[0].sku, "MUG-RED-1");
  EXPECT_EQ(loaded.config.stock.rules[1].velocity_class, domain::VelocityClass::kA);
}

TEST_F(ConfigTest, MinimalFileLoadsWithoutProblems) {
  const LoadedConfig loaded = Load(kMinimal);
  EXPECT_THAT(Formatted(loaded), IsEmpty());
  EXPECT_EQ(loaded.config.store.url, "sqlite::memory:");
  EXPECT_EQ(loaded.config.amazon.client_secret.Reveal(), "amzn-client-secret-1");
  EXPECT_EQ(loaded.config.amazon.seller_id, "A3SELLER");
  EXPECT_EQ(loaded.config.clarus.api_base, "http://127.0.0.1:9001/api");
  EXPECT_EQ(loaded.config.clarus.account, "ACME");
  EXPECT_THAT(loaded.config.clarus.warehouses, ElementsAre("MAIN"));
}

TEST_F(ConfigTest, AppliesDefaultsToOptionalKeys) {
  const Config config = Load(kMinimal).config;
  EXPECT_EQ(config.amazon.endpoint, "https://sellingpartnerapi-eu.amazon.com");
  EXPECT_EQ(config.amazon.lwa_endpoint, "https://api.amazon.com/auth/o2/token");
  EXPECT_EQ(config.server.listen, "127.0.0.1");
  EXPECT_EQ(config.server.port, 8085);
  EXPECT_TRUE(config.server.api_token.empty());
  EXPECT_EQ(config.schedules.order_import, seconds{60});
  EXPECT_EQ(config.schedules.dispatch_sweep, seconds{30});
  EXPECT_EQ(config.schedules.confirmer, seconds{1});
  EXPECT_EQ(config.schedules.verifier, seconds{60});
  EXPECT_EQ(config.schedules.stock_changes, minutes{1});
  EXPECT_EQ(config.schedules.stock_snapshot, hours{24});
  EXPECT_EQ(config.schedules.drift_check, minutes{5});
  EXPECT_EQ(config.schedules.settlements, hours{1});
  EXPECT_EQ(config.schedules.monitor, minutes{1});
  EXPECT_EQ(config.schedules.retention, hours{1});
  EXPECT_EQ(config.logging.format, LogFormat::kText);
  EXPECT_EQ(config.logging.level, spdlog::level::info);
  EXPECT_EQ(config.retention.buyer_data_days, 30);
}

TEST_F(ConfigTest, ReadsOptionalKeysWhenSet) {
  const std::string text = std::string(kMinimal) + R"(
[server]
listen = "::1"
port = 9000
api_token = "server-api-token-1"

[schedules]
confirmer = "250ms"
stock_snapshot = "7d"

[logging]
format = "json"
level = "debug"

[retention]
buyer_data_days = 90
)";
  const LoadedConfig loaded = Load(text);
  ASSERT_THAT(Formatted(loaded), IsEmpty());
  EXPECT_EQ(loaded.config.server.listen, "::1");
  EXPECT_EQ(loaded.config.server.port, 9000);
  EXPECT_EQ(loaded.config.server.api_token.Reveal(), "server-api-token-1");
  EXPECT_EQ(loaded.config.schedules.confirmer, milliseconds{250});
  EXPECT_EQ(loaded.config.schedules.stock_snapshot, hours{24 * 7});
  EXPECT_EQ(loaded.config.logging.format, LogFormat::kJson);
  EXPECT_EQ(loaded.config.logging.level, spdlog::level::debug);
  EXPECT_EQ(loaded.config.retention.buyer_data_days, 90);
}

TEST_F(ConfigTest, DefaultEndpointFollowsRegion) {
  const std::string text = Replace(Replace(kMinimal, R"(region = "EU")", R"(region = "NA")"),
                                   "A1F83G8C2ARO7P", "ATVPDKIKX0DER");
  const LoadedConfig loaded = Load(text);
  ASSERT_THAT(Formatted(loaded), IsEmpty());
  EXPECT_EQ(loaded.config.amazon.endpoint, "https://sellingpartnerapi-na.amazon.com");
}

TEST_F(ConfigTest, ExplicitEndpointOverridesRegionDefault) {
  const std::string text = Replace(kMinimal, R"(region = "EU")",
                                   "region = \"EU\"\nendpoint = \"http://127.0.0.1:9002\"");
  const LoadedConfig loaded = Load(text);
  ASSERT_THAT(Formatted(loaded), IsEmpty());
  EXPECT_EQ(loaded.config.amazon.endpoint, "http://127.0.0.1:9002");
}

TEST_F(ConfigTest, ReportsEveryMistakeWithItsLine) {
  std::string text = Replace(kMinimal, R"(seller_id = "A3SELLER")",
                             "seller_id = \"A3SELLER\"\nsellr_id = \"typo\"");
  text = Replace(text, R"(marketplaces = ["A1F83G8C2ARO7P"])",
                 R"(marketplaces = ["A1F83G8C2ARO7P", "NOTAMARKET"])");
  text += "\n[server]\nport = \"8085\"\n";
  const LoadedConfig loaded = Load(text);
  EXPECT_THAT(Formatted(loaded),
              ElementsAre(fmt::format("test.toml:{}:1: [amazon] sellr_id: unknown key; expected "
                                      "one of: region, endpoint, lwa_endpoint, client_id, "
                                      "client_secret, refresh_token, seller_id, marketplaces, "
                                      "client_secret_expires",
                                      LineOf(text, "sellr_id")),
                          fmt::format("test.toml:{}:35: [amazon] marketplaces: unknown "
                                      "marketplace id 'NOTAMARKET'",
                                      LineOf(text, "NOTAMARKET")),
                          fmt::format("test.toml:{}:8: [server] port: expected an integer, found "
                                      "a string",
                                      LineOf(text, "port = "))));
}

TEST_F(ConfigTest, ReportsUnknownSection) {
  const std::string text = std::string(kMinimal) + "\n[amazn]\nregion = \"EU\"\n";
  const ConfigProblem problem = OnlyProblem(text);
  EXPECT_EQ(problem.key, "amazn");
  EXPECT_EQ(problem.line, LineOf(text, "[amazn]"));
  EXPECT_THAT(problem.message, HasSubstr("unknown section"));
}

TEST_F(ConfigTest, ReportsSectionThatIsNotATable) {
  const ConfigProblem problem =
      OnlyProblem(Replace(kMinimal, "[store]", "retention = 30\n[store]"));
  EXPECT_EQ(problem.key, "retention");
  EXPECT_EQ(problem.line, 1);
  EXPECT_EQ(problem.message, "expected a table, found an integer");
}

TEST_F(ConfigTest, ReportsUnknownKey) {
  const std::string text = Replace(kMinimal, "[store]\n", "[store]\npath = \"x.db\"\n");
  const ConfigProblem problem = OnlyProblem(text);
  EXPECT_EQ(problem.key, "store.path");
  EXPECT_EQ(problem.line, 2);
  EXPECT_EQ(problem.column, 1);
  EXPECT_EQ(problem.message, "unknown key; expected one of: url");
}

TEST_F(ConfigTest, ReportsWrongType) {
  const std::string text = Replace(kMinimal, R"(warehouses = ["MAIN"])", R"(warehouses = "MAIN")");
  const ConfigProblem problem = OnlyProblem(text);
  EXPECT_EQ(problem.key, "clarus.warehouses");
  EXPECT_EQ(problem.line, LineOf(text, "warehouses"));
  EXPECT_EQ(problem.message, "expected an array of strings, found a string");
}

TEST_F(ConfigTest, ReportsWrongTypeInsideArray) {
  const std::string text =
      Replace(kMinimal, R"(warehouses = ["MAIN"])", R"(warehouses = ["MAIN", 7])");
  const ConfigProblem problem = OnlyProblem(text);
  EXPECT_EQ(problem.key, "clarus.warehouses");
  EXPECT_EQ(problem.column, 23);
  EXPECT_EQ(problem.message, "expected a string, found an integer");
}

TEST_F(ConfigTest, ReportsEmptyRequiredString) {
  const ConfigProblem problem = OnlyProblem(Replace(kMinimal, R"("ACME")", R"("")"));
  EXPECT_EQ(problem.key, "clarus.account");
  EXPECT_EQ(problem.message, "must not be empty");
}

TEST_F(ConfigTest, ReportsMissingRequiredValueAtSectionHeader) {
  const std::string text = Replace(kMinimal, "seller_id = \"A3SELLER\"\n", "");
  const ConfigProblem problem = OnlyProblem(text);
  EXPECT_EQ(problem.key, "amazon.seller_id");
  EXPECT_EQ(problem.line, LineOf(text, "[amazon]"));
  EXPECT_EQ(problem.column, 1);
  EXPECT_EQ(FormatProblem(problem),
            fmt::format("test.toml:{}:1: [amazon] seller_id: missing required value",
                        LineOf(text, "[amazon]")));
}

TEST_F(ConfigTest, ReportsMissingSecretNamingItsEnvironmentVariable) {
  const ConfigProblem problem =
      OnlyProblem(Replace(kMinimal, "refresh_token = \"amzn-refresh-token-1\"\n", ""));
  EXPECT_EQ(problem.key, "amazon.refresh_token");
  EXPECT_EQ(problem.message,
            "missing required value (set it here or in SELLERBRIDGE_AMAZON_REFRESH_TOKEN)");
}

TEST_F(ConfigTest, ReportsMissingSectionAtLineZero) {
  const std::string text = Replace(kMinimal, "[store]\nurl = \"sqlite::memory:\"\n", "");
  const ConfigProblem problem = OnlyProblem(text);
  EXPECT_EQ(problem.key, "store.url");
  EXPECT_EQ(problem.line, 0);
  EXPECT_EQ(FormatProblem(problem),
            "test.toml:0:0: [store] url: missing required value; the file has no [store] section");
}

TEST_F(ConfigTest, ReportsEveryRequiredKeyOfAnEmptyFile) {
  const LoadedConfig loaded = Load("");
  EXPECT_THAT(Formatted(loaded), SizeIs(15));
  for (const ConfigProblem& problem : loaded.problems) {
    EXPECT_EQ(problem.line, 0) << FormatProblem(problem);
  }
}

TEST_F(ConfigTest, ReportsMalformedUrls) {
  const struct {
    std::string_view url;
    std::string_view message;
  } cases[] = {
      {"ftp://clarus-api.com/api", "the scheme is 'ftp', not http or https"},
      {"clarus-api.com/api", "it is not an absolute URL such as https://host/path"},
      {"https:///api", "it has no host"},
      {"https://clarus api.com", "it contains a space or control character"},
      {"https://clarus-api.com:99999/api", "'99999' is not a port (1..65535)"},
      {"https://clarus-api.com:/api", "'' is not a port (1..65535)"},
      {"https://user:pw@clarus-api.com/api", "it contains user credentials"},
      {"https://[::1/api", "the IPv6 address has no closing ']'"},
      {"https://cla$rus.com/api", "'cla$rus.com' is not a host name"},
  };
  for (const auto& c : cases) {
    const std::string text =
        Replace(kMinimal, R"("http://127.0.0.1:9001/api")", fmt::format("\"{}\"", c.url));
    const ConfigProblem problem = OnlyProblem(text);
    EXPECT_EQ(problem.key, "clarus.api_base");
    EXPECT_EQ(problem.line, LineOf(text, "api_base"));
    EXPECT_EQ(problem.message, fmt::format("'{}' is not a valid URL: {}", c.url, c.message));
  }
}

TEST_F(ConfigTest, AcceptsHttpUrlsWithIpv6AndPorts) {
  const std::string text =
      Replace(kMinimal, R"("http://127.0.0.1:9001/api")", R"("https://[::1]:8443/api/v1?x=1")");
  const LoadedConfig loaded = Load(text);
  EXPECT_THAT(Formatted(loaded), IsEmpty());
  EXPECT_EQ(loaded.config.clarus.api_base, "https://[::1]:8443/api/v1?x=1");
}

TEST_F(ConfigTest, AcceptsSqliteAndPostgresqlStoreUrls) {
  for (const std::string_view url :
       {"sqlite:///var/lib/sellerbridge/sellerbridge.db", "sqlite:relative/sellerbridge.db",
        "sqlite::memory:", "postgresql://sellerbridge@db.internal:5432/sellerbridge",
        "postgres://db.internal/sellerbridge"}) {
    const LoadedConfig loaded =
        Load(Replace(kMinimal, R"("sqlite::memory:")", fmt::format("\"{}\"", url)));
    EXPECT_THAT(Formatted(loaded), IsEmpty()) << url;
    EXPECT_EQ(loaded.config.store.url, url);
  }
}

TEST_F(ConfigTest, ReportsStoreUrlThatNamesNoDatabase) {
  const struct {
    std::string_view url;
    std::string_view message;
  } cases[] = {
      {"mysql://db/sellerbridge", "unknown scheme"},
      {"/var/lib/x.db", "unknown scheme"},
      {"sqlite:", "it names no database file"},
      {"sqlite:///var/lib/", "it names no database file"},
      {"sqlite://host/x.db", "a SQLite URL names no host"},
  };
  for (const auto& c : cases) {
    const ConfigProblem problem =
        OnlyProblem(Replace(kMinimal, R"("sqlite::memory:")", fmt::format("\"{}\"", c.url)));
    EXPECT_EQ(problem.key, "store.url");
    EXPECT_EQ(problem.line, 2);
    EXPECT_THAT(problem.message,
                HasSubstr(fmt::format("'{}' is not a store URL: {}", c.url, c.message)));
  }
}

TEST_F(ConfigTest, RegistersStorePasswordForRedaction) {
  const LoadedConfig loaded = Load(Replace(kMinimal, R"("sqlite::memory:")",
                                           R"("postgresql://sb:pg-password-1@db/sellerbridge")"));
  ASSERT_THAT(Formatted(loaded), IsEmpty());
  EXPECT_EQ(Redact("password pg-password-1 used"), "password [redacted] used");
}

TEST_F(ConfigTest, ReportsUnknownMarketplaceId) {
  const std::string text = Replace(kMinimal, R"(["A1F83G8C2ARO7P"])", R"(["UK"])");
  const ConfigProblem problem = OnlyProblem(text);
  EXPECT_EQ(problem.key, "amazon.marketplaces");
  EXPECT_EQ(problem.line, LineOf(text, "marketplaces"));
  EXPECT_EQ(problem.column, 17);
  EXPECT_EQ(problem.message,
            "unknown marketplace id 'UK'; the id of the UK marketplace is A1F83G8C2ARO7P");
}

TEST_F(ConfigTest, ReportsMarketplaceOfAnotherRegion) {
  const std::string text =
      Replace(kMinimal, R"(["A1F83G8C2ARO7P"])", R"(["A1F83G8C2ARO7P", "ATVPDKIKX0DER"])");
  const ConfigProblem problem = OnlyProblem(text);
  EXPECT_EQ(problem.key, "amazon.marketplaces");
  EXPECT_EQ(problem.column, 35);
  EXPECT_EQ(problem.message, "marketplace ATVPDKIKX0DER (US) belongs to region NA, not EU");
}

TEST_F(ConfigTest, ReportsEmptyAndDuplicateMarketplaces) {
  EXPECT_EQ(OnlyProblem(Replace(kMinimal, R"(["A1F83G8C2ARO7P"])", "[]")).message,
            "must list at least one value");
  EXPECT_EQ(OnlyProblem(Replace(kMinimal, R"(["A1F83G8C2ARO7P"])",
                                R"(["A1F83G8C2ARO7P", "A1F83G8C2ARO7P"])"))
                .message,
            "'A1F83G8C2ARO7P' is listed twice");
}

TEST_F(ConfigTest, ReportsUnknownRegion) {
  const std::string text = Replace(kMinimal, R"(region = "EU")", R"(region = "EUROPE")");
  const ConfigProblem problem = OnlyProblem(text);
  EXPECT_EQ(problem.key, "amazon.region");
  EXPECT_EQ(problem.line, LineOf(text, "region"));
  EXPECT_EQ(problem.message, "'EUROPE' is not a region; expected NA, EU or FE");
}

TEST_F(ConfigTest, ReportsCadenceOutOfRange) {
  const std::string text = std::string(kMinimal) +
                           "\n[schedules]\norder_import = \"500ms\"\nstock_snapshot = \"8d\"\n"
                           "confirmer = \"2m\"\ndrift_check = \"99999999999d\"\n";
  const LoadedConfig loaded = Load(text);
  EXPECT_THAT(
      Formatted(loaded),
      ElementsAre(
          fmt::format("test.toml:{}:16: [schedules] order_import: '500ms' is out of range 1s..7d",
                      LineOf(text, "order_import")),
          fmt::format("test.toml:{}:18: [schedules] stock_snapshot: '8d' is out of range 1s..7d",
                      LineOf(text, "stock_snapshot")),
          fmt::format("test.toml:{}:13: [schedules] confirmer: '2m' is out of range 100ms..1m",
                      LineOf(text, "confirmer")),
          fmt::format(
              "test.toml:{}:15: [schedules] drift_check: '99999999999d' is out of range 1s..7d",
              LineOf(text, "drift_check"))));
}

TEST_F(ConfigTest, AcceptsCadencesAtTheEdgesOfTheirRange) {
  const std::string text = std::string(kMinimal) +
                           "\n[schedules]\norder_import = \"1s\"\nverifier = \"7d\"\n"
                           "confirmer = \"100ms\"\nmonitor = \"604800000ms\"\n";
  const LoadedConfig loaded = Load(text);
  EXPECT_THAT(Formatted(loaded), IsEmpty());
  EXPECT_EQ(loaded.config.schedules.confirmer, milliseconds{100});
  EXPECT_EQ(loaded.config.schedules.monitor, hours{24 * 7});
}

TEST_F(ConfigTest, ReportsBadDurationString) {
  const std::string text = std::string(kMinimal) + "\n[schedules]\nverifier = \"1 minute\"\n";
  const ConfigProblem problem = OnlyProblem(text);
  EXPECT_EQ(problem.key, "schedules.verifier");
  EXPECT_EQ(problem.line, LineOf(text, "verifier"));
  EXPECT_THAT(problem.message, HasSubstr("'1 minute'"));
}

TEST_F(ConfigTest, ReportsDurationGivenAsNumber) {
  const ConfigProblem problem =
      OnlyProblem(std::string(kMinimal) + "\n[schedules]\nmonitor = 60\n");
  EXPECT_EQ(problem.key, "schedules.monitor");
  EXPECT_EQ(problem.message, "expected a string, found an integer");
}

TEST_F(ConfigTest, ReportsUnknownJob) {
  const std::string text = std::string(kMinimal) + "\n[schedules]\norder_imports = \"60s\"\n";
  const ConfigProblem problem = OnlyProblem(text);
  EXPECT_EQ(problem.key, "schedules.order_imports");
  EXPECT_EQ(problem.line, LineOf(text, "order_imports"));
  EXPECT_THAT(problem.message, HasSubstr("unknown job; expected one of: order_import, "));
}

TEST_F(ConfigTest, ReportsBadPort) {
  for (const std::string_view port : {"0", "65536", "-1"}) {
    const std::string text = std::string(kMinimal) + fmt::format("\n[server]\nport = {}\n", port);
    const ConfigProblem problem = OnlyProblem(text);
    EXPECT_EQ(problem.key, "server.port");
    EXPECT_EQ(problem.line, LineOf(text, "port ="));
    EXPECT_EQ(problem.message, fmt::format("{} is out of range 1..65535", port));
  }
}

TEST_F(ConfigTest, ReadsWebhookTokenAndAutomationIds) {
  const std::string text = Replace(std::string(kMinimal), "[clarus]\n",
                                   "[clarus]\nautomation_ids = [\"41\", \"42\"]\n") +
                           "\n[server]\nwebhook_token = \"Zq3-hooks_0123456789abcdef\"\n";
  const LoadedConfig loaded = Load(text);
  ASSERT_THAT(Formatted(loaded), IsEmpty());
  EXPECT_EQ(loaded.config.server.webhook_token.Reveal(), "Zq3-hooks_0123456789abcdef");
  EXPECT_EQ(loaded.config.clarus.automation_ids, (std::vector<std::string>{"41", "42"}));
  EXPECT_TRUE(Load(kMinimal).config.server.webhook_token.empty());
}

TEST_F(ConfigTest, ReportsGuessableWebhookToken) {
  for (const std::string_view token :
       {"short", "has spaces in it 0123456789", "a/b0123456789012345678901"}) {
    const std::string text =
        std::string(kMinimal) + fmt::format("\n[server]\nwebhook_token = \"{}\"\n", token);
    const ConfigProblem problem = OnlyProblem(text);
    EXPECT_EQ(problem.key, "server.webhook_token");
    EXPECT_THAT(problem.message, HasSubstr("at least 24 letters, digits"));
    EXPECT_THAT(problem.message, Not(HasSubstr(std::string(token))));
  }
}

TEST_F(ConfigTest, ReportsBadListenAddress) {
  const ConfigProblem problem =
      OnlyProblem(std::string(kMinimal) + "\n[server]\nlisten = \"localhost\"\n");
  EXPECT_EQ(problem.key, "server.listen");
  EXPECT_THAT(problem.message, HasSubstr("'localhost' is not an IP address"));
}

TEST_F(ConfigTest, ReportsBadLoggingValues) {
  const LoadedConfig loaded =
      Load(std::string(kMinimal) + "\n[logging]\nformat = \"xml\"\nlevel = \"off\"\n");
  ASSERT_THAT(Formatted(loaded), SizeIs(2));
  EXPECT_EQ(loaded.problems[0].message, "'xml' is not a log format; expected text or json");
  EXPECT_EQ(loaded.problems[1].message,
            "'off' is not a log level; expected trace, debug, info, warn or error");
}

TEST_F(ConfigTest, ReportsRetentionOutOfRange) {
  const ConfigProblem problem =
      OnlyProblem(std::string(kMinimal) + "\n[retention]\nbuyer_data_days = 3651\n");
  EXPECT_EQ(problem.key, "retention.buyer_data_days");
  EXPECT_EQ(problem.message, "3651 is out of range 1..3650");
}

TEST_F(ConfigTest, ReadsOrdersSectionAndDefaults) {
  const Config defaults = Load(kMinimal).config;
  EXPECT_EQ(defaults.orders.lookback, std::chrono::days{3});
  EXPECT_EQ(defaults.orders.overlap, minutes{5});
  EXPECT_EQ(defaults.orders.label_rule, LabelRule::kCheapest);
  EXPECT_FALSE(defaults.orders.ship_from.IsComplete());

  const LoadedConfig loaded = Load(std::string(kMinimal) + R"(
[orders]
lookback = "12h"
overlap = "0s"
label_rule = "fastest"
buy_shipping_service_levels = ["Std UK Dom_1"]
ship_from_name = "Depot"
ship_from_line1 = "1 Dock Road"
ship_from_city = "Leeds"
ship_from_postal_code = "LS1 1AA"
ship_from_country_code = "GB"
ship_from_email = "depot@example.com"
ship_from_phone = "+44 113 496 0000"
parcel_weight_g = 250
clarus_workers = 2
)");
  ASSERT_THAT(Formatted(loaded), IsEmpty());
  const OrdersConfig& orders = loaded.config.orders;
  EXPECT_EQ(orders.lookback, hours{12});
  EXPECT_EQ(orders.overlap, Duration::zero());
  EXPECT_EQ(orders.label_rule, LabelRule::kFastest);
  EXPECT_EQ(orders.buy_shipping_service_levels, std::vector<std::string>{"Std UK Dom_1"});
  EXPECT_TRUE(orders.ship_from.IsComplete());
  EXPECT_EQ(orders.parcel_weight_g, 250);
  EXPECT_EQ(orders.clarus_workers, 2);
}

TEST_F(ConfigTest, ReportsEveryBadOrdersKey) {
  const LoadedConfig loaded = Load(std::string(kMinimal) + R"(
[orders]
lookback = "90d"
label_rule = "slowest"
ship_from_country_code = "uk"
clarus_workers = 0
colour = "red"
)");
  ASSERT_THAT(Formatted(loaded), SizeIs(5));
  EXPECT_EQ(loaded.problems[0].key, "orders.lookback");
  EXPECT_EQ(loaded.problems[0].message, "'90d' is out of range 1m..30d");
  EXPECT_EQ(loaded.problems[1].message,
            "'slowest' is not a label rule; expected cheapest or fastest");
  EXPECT_EQ(loaded.problems[2].key, "orders.ship_from_country_code");
  EXPECT_EQ(loaded.problems[3].message, "0 is out of range 1..64");
  EXPECT_EQ(loaded.problems[4].key, "orders.colour");
}

TEST_F(ConfigTest, StockSectionDefaults) {
  const StockConfig stock = Load(kMinimal).config.stock;
  EXPECT_TRUE(stock.enabled);
  EXPECT_THAT(stock.warehouses, IsEmpty());
  EXPECT_THAT(stock.accounts, IsEmpty());
  EXPECT_FALSE(stock.unified_quantity);
  EXPECT_EQ(stock.low_stock_threshold, 3);
  EXPECT_EQ(stock.class_a_units_per_hour, 1.0);
  EXPECT_EQ(stock.velocity_window, hours{24});
  EXPECT_EQ(stock.cadence_a, minutes{1});
  EXPECT_EQ(stock.cadence_b, minutes{15});
  EXPECT_EQ(stock.cadence_c, hours{1});
  EXPECT_EQ(stock.feed_threshold, 500);
  EXPECT_EQ(stock.feed_stuck_after, minutes{30});
  EXPECT_EQ(stock.drift_sample, 100);
  EXPECT_EQ(stock.drift_delay, minutes{15});
  EXPECT_EQ(stock.default_policy, domain::StockPolicy{});
  EXPECT_THAT(stock.rules, IsEmpty());
}

TEST_F(ConfigTest, ReadsFullStockSection) {
  const LoadedConfig loaded = Load(std::string(kMinimal) + R"(
[stock]
enabled = false
warehouses = ["1", "2"]
accounts = ["ACME"]
unified_quantity = true
low_stock_threshold = 0
class_a_units_per_hour = 2.5
velocity_window = "7d"
cadence_a = "10s"
cadence_b = "5m"
cadence_c = "1d"
feed_threshold = 25000
feed_stuck_after = "1m"
drift_sample = 0
drift_delay = "0s"

[stock.default]
buffer = "velocity"
buffer_units = 1
buffer_percent = 0
zero_at_or_below = 2
min_quantity = 1
max_quantity = 1000

[[stock.rules]]
sku = "MUG-RED-1"
buffer = "none"
max_quantity = 5

[[stock.rules]]
sku_pattern = "MUG-*"
class = "a"
buffer = "percent"
buffer_percent = 12.5
)");
  ASSERT_THAT(Formatted(loaded), IsEmpty());
  const StockConfig& stock = loaded.config.stock;
  EXPECT_FALSE(stock.enabled);
  EXPECT_THAT(stock.warehouses, ElementsAre("1", "2"));
  EXPECT_THAT(stock.accounts, ElementsAre("ACME"));
  EXPECT_TRUE(stock.unified_quantity);
  EXPECT_EQ(stock.low_stock_threshold, 0);
  EXPECT_EQ(stock.class_a_units_per_hour, 2.5);
  EXPECT_EQ(stock.velocity_window, hours{24 * 7});
  EXPECT_EQ(stock.cadence_a, seconds{10});
  EXPECT_EQ(stock.cadence_b, minutes{5});
  EXPECT_EQ(stock.cadence_c, hours{24});
  EXPECT_EQ(stock.feed_threshold, 25000);
  EXPECT_EQ(stock.feed_stuck_after, minutes{1});
  EXPECT_EQ(stock.drift_sample, 0);
  EXPECT_EQ(stock.drift_delay, Duration::zero());
  const domain::StockPolicy base{.buffer = domain::BufferKind::kVelocity,
                                 .buffer_units = 1,
                                 .zero_at_or_below = 2,
                                 .min_quantity = 1,
                                 .max_quantity = 1000};
  EXPECT_EQ(stock.default_policy, base);
  domain::StockPolicy exact = base;
  exact.buffer = domain::BufferKind::kNone;
  exact.max_quantity = 5;
  domain::StockPolicy mugs = base;
  mugs.buffer = domain::BufferKind::kPercent;
  mugs.buffer_percent = 12.5;
  EXPECT_THAT(stock.rules,
              ElementsAre(domain::StockPolicyRule{.sku = "MUG-RED-1", .policy = exact},
                          domain::StockPolicyRule{.sku_pattern = "MUG-*",
                                                  .velocity_class = domain::VelocityClass::kA,
                                                  .policy = mugs}));
}

TEST_F(ConfigTest, StockRulesKeepTheirOrderAndInheritFromALaterDefault) {
  const LoadedConfig loaded = Load(std::string(kMinimal) + R"(
[[stock.rules]]
sku_pattern = "Z-*"
min_quantity = 4

[[stock.rules]]
class = "C"
buffer = "none"

[[stock.rules]]
sku_pattern = "A-*"
buffer_units = 7

[stock]
low_stock_threshold = 5

[stock.default]
buffer = "fixed"
buffer_units = 2
max_quantity = 50
)");
  ASSERT_THAT(Formatted(loaded), IsEmpty());
  const StockConfig& stock = loaded.config.stock;
  EXPECT_EQ(stock.low_stock_threshold, 5);
  const domain::StockPolicy base{
      .buffer = domain::BufferKind::kFixed, .buffer_units = 2, .max_quantity = 50};
  EXPECT_EQ(stock.default_policy, base);
  ASSERT_THAT(stock.rules, SizeIs(3));
  EXPECT_EQ(stock.rules[0].sku_pattern, "Z-*");
  EXPECT_EQ(stock.rules[0].policy, (domain::StockPolicy{.buffer = domain::BufferKind::kFixed,
                                                        .buffer_units = 2,
                                                        .min_quantity = 4,
                                                        .max_quantity = 50}));
  EXPECT_EQ(stock.rules[1].velocity_class, domain::VelocityClass::kC);
  EXPECT_EQ(stock.rules[1].policy,
            (domain::StockPolicy{
                .buffer = domain::BufferKind::kNone, .buffer_units = 2, .max_quantity = 50}));
  EXPECT_EQ(stock.rules[2].sku_pattern, "A-*");
  EXPECT_EQ(stock.rules[2].policy.buffer_units, 7);
  EXPECT_EQ(stock.rules[2].policy.buffer, domain::BufferKind::kFixed);
}

TEST_F(ConfigTest, ReportsUnknownStockKeysInEveryTable) {
  const std::string text = std::string(kMinimal) + R"(
[stock]
cadence_d = "1h"

[stock.default]
bufer = "fixed"

[[stock.rules]]
sku = "MUG-1"
max_qty = 3
)";
  const LoadedConfig loaded = Load(text);
  EXPECT_THAT(
      Formatted(loaded),
      ElementsAre(
          fmt::format("test.toml:{}:1: [stock] cadence_d: unknown key; expected one of: enabled, "
                      "warehouses, accounts, unified_quantity, low_stock_threshold, "
                      "class_a_units_per_hour, velocity_window, cadence_a, cadence_b, cadence_c, "
                      "feed_threshold, feed_stuck_after, drift_sample, drift_delay, default, "
                      "rules",
                      LineOf(text, "cadence_d")),
          fmt::format("test.toml:{}:1: [stock] default.bufer: unknown key; expected one of: "
                      "buffer, buffer_percent, buffer_units, zero_at_or_below, min_quantity, "
                      "max_quantity",
                      LineOf(text, "bufer")),
          fmt::format("test.toml:{}:1: [stock] rules.max_qty: unknown key; expected one of: "
                      "sku, sku_pattern, class, buffer, buffer_percent, buffer_units, "
                      "zero_at_or_below, min_quantity, max_quantity",
                      LineOf(text, "max_qty"))));
}

TEST_F(ConfigTest, ReportsWrongStockTypes) {
  const std::string text = std::string(kMinimal) + R"(
[stock]
enabled = "yes"
low_stock_threshold = 3.5
class_a_units_per_hour = "1"
warehouses = "1"
cadence_a = 60

[stock.default]
buffer_percent = "10"
max_quantity = true

[[stock.rules]]
sku = 12
)";
  const LoadedConfig loaded = Load(text);
  ASSERT_THAT(Formatted(loaded), SizeIs(8));
  EXPECT_EQ(loaded.problems[0].key, "stock.enabled");
  EXPECT_EQ(loaded.problems[0].message, "expected a boolean, found a string");
  EXPECT_EQ(loaded.problems[1].key, "stock.low_stock_threshold");
  EXPECT_EQ(loaded.problems[1].message, "expected an integer, found a floating-point number");
  EXPECT_EQ(loaded.problems[2].key, "stock.class_a_units_per_hour");
  EXPECT_EQ(loaded.problems[2].message, "expected a number, found a string");
  EXPECT_EQ(loaded.problems[3].key, "stock.warehouses");
  EXPECT_EQ(loaded.problems[4].key, "stock.cadence_a");
  EXPECT_EQ(loaded.problems[4].message, "expected a string, found an integer");
  EXPECT_EQ(loaded.problems[5].key, "stock.default.buffer_percent");
  EXPECT_EQ(loaded.problems[5].line, LineOf(text, "buffer_percent"));
  EXPECT_EQ(loaded.problems[6].key, "stock.default.max_quantity");
  EXPECT_EQ(loaded.problems[6].message, "expected an integer, found a boolean");
  EXPECT_EQ(loaded.problems[7].key, "stock.rules.sku");
  EXPECT_EQ(loaded.problems[7].message, "expected a string, found an integer");
}

TEST_F(ConfigTest, ReportsStockTablesOfTheWrongShape) {
  const std::string text = std::string(kMinimal) + R"(
[stock]
default = 1
rules = [{ sku = "MUG-1" }, 2]
)";
  const LoadedConfig loaded = Load(text);
  EXPECT_THAT(Formatted(loaded),
              ElementsAre(fmt::format("test.toml:{}:11: [stock] default: expected a table, found "
                                      "an integer",
                                      LineOf(text, "default =")),
                          fmt::format("test.toml:{}:29: [stock] rules: expected a table, found an "
                                      "integer",
                                      LineOf(text, "rules ="))));
  EXPECT_THAT(loaded.config.stock.rules, SizeIs(1));

  const ConfigProblem problem =
      OnlyProblem(std::string(kMinimal) + "\n[stock.rules]\nsku = \"MUG-1\"\n");
  EXPECT_EQ(problem.key, "stock.rules");
  EXPECT_EQ(problem.message, "expected an array of tables ([[stock.rules]]), found a table");
}

TEST_F(ConfigTest, ReportsStockValuesOutOfRange) {
  const struct {
    std::string_view line;
    std::string_view key;
    std::string_view message;
  } cases[] = {
      {"low_stock_threshold = -1", "stock.low_stock_threshold", "-1 is out of range 0..1000000"},
      {"low_stock_threshold = 1000001", "stock.low_stock_threshold",
       "1000001 is out of range 0..1000000"},
      {"class_a_units_per_hour = 0", "stock.class_a_units_per_hour", "0 is not above 0"},
      {"class_a_units_per_hour = -0.5", "stock.class_a_units_per_hour", "-0.5 is not above 0"},
      {"class_a_units_per_hour = inf", "stock.class_a_units_per_hour",
       "inf is not a finite number"},
      {"velocity_window = \"59m\"", "stock.velocity_window", "'59m' is out of range 1h..30d"},
      {"velocity_window = \"31d\"", "stock.velocity_window", "'31d' is out of range 1h..30d"},
      {"cadence_a = \"9s\"", "stock.cadence_a", "'9s' is out of range 10s..1d"},
      {"cadence_b = \"25h\"", "stock.cadence_b", "'25h' is out of range 10s..1d"},
      {"cadence_c = \"2d\"", "stock.cadence_c", "'2d' is out of range 10s..1d"},
      {"feed_threshold = 0", "stock.feed_threshold", "0 is out of range 1..25000"},
      {"feed_threshold = 25001", "stock.feed_threshold", "25001 is out of range 1..25000"},
      // 2^32 + 500 would narrow to 500 in an int.
      {"feed_threshold = 4294967796", "stock.feed_threshold",
       "4294967796 is out of range 1..25000"},
      {"feed_stuck_after = \"59s\"", "stock.feed_stuck_after", "'59s' is out of range 1m..1d"},
      {"drift_sample = -1", "stock.drift_sample", "-1 is out of range 0..10000"},
      {"drift_sample = 10001", "stock.drift_sample", "10001 is out of range 0..10000"},
      {"drift_delay = \"2d\"", "stock.drift_delay", "'2d' is out of range 0s..1d"},
  };
  for (const auto& c : cases) {
    const std::string text = std::string(kMinimal) + fmt::format("\n[stock]\n{}\n", c.line);
    const ConfigProblem problem = OnlyProblem(text);
    EXPECT_EQ(problem.key, c.key) << c.line;
    EXPECT_EQ(problem.line, LineOf(text, c.line)) << c.line;
    EXPECT_EQ(problem.message, c.message) << c.line;
  }
}

TEST_F(ConfigTest, AcceptsStockValuesAtTheEdgesOfTheirRange) {
  const LoadedConfig loaded = Load(std::string(kMinimal) + R"(
[stock]
low_stock_threshold = 1000000
class_a_units_per_hour = 0.001
velocity_window = "2592000000ms"
cadence_a = "1d"
feed_threshold = 1
feed_stuck_after = "1d"
drift_sample = 10000
drift_delay = "1d"

[stock.default]
buffer = "percent"
buffer_percent = 100
max_quantity = 0
)");
  ASSERT_THAT(Formatted(loaded), IsEmpty());
  EXPECT_EQ(loaded.config.stock.velocity_window, hours{24 * 30});
  EXPECT_EQ(loaded.config.stock.default_policy.buffer_percent, 100);
  EXPECT_EQ(loaded.config.stock.default_policy.max_quantity, 0);
}

TEST_F(ConfigTest, ReportsUnknownBufferKindAndVelocityClass) {
  const std::string text = std::string(kMinimal) + R"(
[stock.default]
buffer = "Fixed"

[[stock.rules]]
class = "D"
buffer = "dynamic"
)";
  const LoadedConfig loaded = Load(text);
  EXPECT_THAT(Formatted(loaded),
              ElementsAre(fmt::format("test.toml:{}:10: [stock] default.buffer: 'Fixed' is not a "
                                      "buffer kind; expected none, fixed, percent or velocity",
                                      LineOf(text, "\"Fixed\"")),
                          fmt::format("test.toml:{}:9: [stock] rules.class: 'D' is not a velocity "
                                      "class; expected A, B or C",
                                      LineOf(text, "\"D\"")),
                          fmt::format("test.toml:{}:10: [stock] rules.buffer: 'dynamic' is not a "
                                      "buffer kind; expected none, fixed, percent or velocity",
                                      LineOf(text, "dynamic"))));
}

TEST_F(ConfigTest, ReportsBufferPercentOutsideZeroToHundred) {
  for (const std::string_view value : {"-1", "100.5", "1000", "nan"}) {
    const std::string text =
        std::string(kMinimal) + fmt::format("\n[stock.default]\nbuffer_percent = {}\n", value);
    const ConfigProblem problem = OnlyProblem(text);
    EXPECT_EQ(problem.key, "stock.default.buffer_percent") << value;
    EXPECT_EQ(problem.line, LineOf(text, "buffer_percent")) << value;
    EXPECT_THAT(problem.message, value == "nan" ? HasSubstr("is not a finite number")
                                                : HasSubstr("out of range 0..100"))
        << value;
  }
}

TEST_F(ConfigTest, ReportsNegativeUnits) {
  for (const std::string_view key :
       {"buffer_units", "zero_at_or_below", "min_quantity", "max_quantity"}) {
    for (const std::string_view table : {"[stock.default]", "[[stock.rules]]\nclass = \"B\""}) {
      const std::string text = std::string(kMinimal) + fmt::format("\n{}\n{} = -1\n", table, key);
      const ConfigProblem problem = OnlyProblem(text);
      EXPECT_THAT(problem.key, HasSubstr(key));
      EXPECT_EQ(problem.line, LineOf(text, " = -1"));
      EXPECT_EQ(problem.message, "-1 is out of range 0..1000000000");
    }
  }
}

TEST_F(ConfigTest, ReportsMaxQuantityBelowMinQuantity) {
  const std::string in_default = std::string(kMinimal) + R"(
[stock.default]
min_quantity = 5
max_quantity = 4

[[stock.rules]]
class = "A"
buffer = "none"
)";
  // Reported once, at the default the rule inherits both from.
  const ConfigProblem problem = OnlyProblem(in_default);
  EXPECT_EQ(problem.key, "stock.default.max_quantity");
  EXPECT_EQ(problem.line, LineOf(in_default, "max_quantity"));
  EXPECT_EQ(problem.message, "max_quantity 4 is below min_quantity 5");

  // A rule that raises min_quantity above the default's max_quantity.
  const std::string in_rule = std::string(kMinimal) + R"(
[stock.default]
max_quantity = 10

[[stock.rules]]
sku_pattern = "BULK-*"
min_quantity = 20
)";
  const ConfigProblem inherited = OnlyProblem(in_rule);
  EXPECT_EQ(inherited.key, "stock.rules.min_quantity");
  EXPECT_EQ(inherited.line, LineOf(in_rule, "min_quantity"));
  EXPECT_EQ(inherited.message, "max_quantity 10 is below min_quantity 20");

  EXPECT_THAT(Formatted(Load(std::string(kMinimal) +
                             "\n[stock.default]\nmin_quantity = 5\nmax_quantity = 5\n")),
              IsEmpty());
}

TEST_F(ConfigTest, ReportsRuleWithBothSkuAndPattern) {
  const std::string text =
      std::string(kMinimal) + "\n[[stock.rules]]\nsku = \"MUG-1\"\nsku_pattern = \"MUG-*\"\n";
  const ConfigProblem problem = OnlyProblem(text);
  EXPECT_EQ(problem.key, "stock.rules.sku_pattern");
  EXPECT_EQ(problem.line, LineOf(text, "sku_pattern"));
  EXPECT_EQ(problem.message, "a rule takes sku or sku_pattern, not both");
}

TEST_F(ConfigTest, ReportsRuleThatMatchesNothingInParticular) {
  const std::string text = std::string(kMinimal) + "\n[[stock.rules]]\nbuffer = \"none\"\n";
  const LoadedConfig loaded = Load(text);
  EXPECT_THAT(Formatted(loaded),
              ElementsAre(fmt::format("test.toml:{}:1: [stock] rules: a rule needs sku, "
                                      "sku_pattern or class",
                                      LineOf(text, "[[stock.rules]]"))));
  EXPECT_THAT(loaded.config.stock.rules, IsEmpty());
}

TEST_F(ConfigTest, ReportsInvalidRuleSku) {
  for (const std::string_view sku :
       {" MUG-1", "MUG-1 ", "MUG\\t1", "12345678901234567890123456789012345678901"}) {
    const std::string text =
        std::string(kMinimal) + fmt::format("\n[[stock.rules]]\nsku = \"{}\"\n", sku);
    const ConfigProblem problem = OnlyProblem(text);
    EXPECT_EQ(problem.key, "stock.rules.sku") << sku;
    EXPECT_EQ(problem.line, LineOf(text, "sku =")) << sku;
    EXPECT_THAT(problem.message, HasSubstr("is not a valid SKU")) << sku;
  }
  const ConfigProblem empty =
      OnlyProblem(std::string(kMinimal) + "\n[[stock.rules]]\nsku = \"\"\n");
  EXPECT_EQ(empty.message, "must not be empty");
}

TEST_F(ConfigTest, ReportsTwoRulesForTheSameSku) {
  const std::string text = std::string(kMinimal) + R"(
[[stock.rules]]
sku = "MUG-1"
buffer = "none"

[[stock.rules]]
sku_pattern = "MUG-*"

[[stock.rules]]
sku = "MUG-1"
class = "A"
)";
  const ConfigProblem problem = OnlyProblem(text);
  EXPECT_EQ(problem.key, "stock.rules.sku");
  EXPECT_EQ(problem.line, LineOf(text, "class = \"A\"") - 1);
  EXPECT_EQ(problem.message,
            fmt::format("SKU 'MUG-1' has a rule already, at line {}", LineOf(text, "MUG-1")));
}

TEST_F(ConfigTest, ReportsEmptyStockWarehousesAndAccounts) {
  const std::string text =
      std::string(kMinimal) + "\n[stock]\nwarehouses = [\"1\", \"\"]\naccounts = []\n";
  const LoadedConfig loaded = Load(text);
  ASSERT_THAT(Formatted(loaded), SizeIs(2));
  EXPECT_EQ(loaded.problems[0].key, "stock.warehouses");
  EXPECT_EQ(loaded.problems[0].message, "must not contain an empty string");
  EXPECT_EQ(loaded.problems[1].key, "stock.accounts");
  EXPECT_EQ(loaded.problems[1].message, "must list at least one value");
  EXPECT_THAT(loaded.config.stock.warehouses, ElementsAre("1"));
}

TEST_F(ConfigTest, ReportsSyntaxErrorAsOneProblemAtItsPosition) {
  const std::string text =
      Replace(kMinimal, R"(seller_id = "A3SELLER")", R"(seller_id = "A3SELLER)");
  const LoadedConfig loaded = Load(text);
  ASSERT_THAT(Formatted(loaded), SizeIs(1));
  EXPECT_EQ(loaded.problems[0].key, "");
  EXPECT_EQ(loaded.problems[0].line, LineOf(text, "seller_id"));
  EXPECT_GT(loaded.problems[0].column, 0);
  EXPECT_FALSE(loaded.problems[0].message.empty());
}

TEST_F(ConfigTest, ReportsRedefinedSectionAsSyntaxError) {
  const std::string text = std::string(kMinimal) + "\n[store]\nurl = \"sqlite::memory:\"\n";
  const LoadedConfig loaded = Load(text);
  ASSERT_THAT(Formatted(loaded), SizeIs(1));
  EXPECT_EQ(loaded.problems[0].line, LineOf(text, "\n[store]") + 1);
}

TEST_F(ConfigTest, EnvironmentOverridesSecretsInTheFile) {
  const LoadedConfig loaded =
      LoadConfigString(kMinimal, "test.toml",
                       FakeEnv({{"SELLERBRIDGE_AMAZON_CLIENT_ID", "env-amazon-id"},
                                {"SELLERBRIDGE_AMAZON_CLIENT_SECRET", "env-amazon-secret"},
                                {"SELLERBRIDGE_AMAZON_REFRESH_TOKEN", "env-amazon-refresh"},
                                {"SELLERBRIDGE_CLARUS_CLIENT_ID", "env-clarus-id"},
                                {"SELLERBRIDGE_CLARUS_CLIENT_SECRET", "env-clarus-secret"},
                                {"SELLERBRIDGE_SERVER_API_TOKEN", "env-api-token"}}));
  ASSERT_THAT(Formatted(loaded), IsEmpty());
  EXPECT_EQ(loaded.config.amazon.client_id.Reveal(), "env-amazon-id");
  EXPECT_EQ(loaded.config.amazon.client_secret.Reveal(), "env-amazon-secret");
  EXPECT_EQ(loaded.config.amazon.refresh_token.Reveal(), "env-amazon-refresh");
  EXPECT_EQ(loaded.config.clarus.client_id.Reveal(), "env-clarus-id");
  EXPECT_EQ(loaded.config.clarus.client_secret.Reveal(), "env-clarus-secret");
  EXPECT_EQ(loaded.config.server.api_token.Reveal(), "env-api-token");
}

TEST_F(ConfigTest, EnvironmentSuppliesSecretsMissingFromTheFile) {
  std::string text = Replace(kMinimal, "client_secret = \"amzn-client-secret-1\"\n", "");
  text = Replace(text, "client_secret = \"clarus-client-secret-1\"\n", "");
  const LoadedConfig loaded =
      LoadConfigString(text, "test.toml",
                       FakeEnv({{"SELLERBRIDGE_AMAZON_CLIENT_SECRET", "env-amazon-secret"},
                                {"SELLERBRIDGE_CLARUS_CLIENT_SECRET", "env-clarus-secret"}}));
  ASSERT_THAT(Formatted(loaded), IsEmpty());
  EXPECT_EQ(loaded.config.amazon.client_secret.Reveal(), "env-amazon-secret");
  EXPECT_EQ(loaded.config.clarus.client_secret.Reveal(), "env-clarus-secret");
}

TEST_F(ConfigTest, EmptyEnvironmentVariableDoesNotOverrideTheFile) {
  const LoadedConfig loaded =
      LoadConfigString(kMinimal, "test.toml", FakeEnv({{"SELLERBRIDGE_AMAZON_CLIENT_SECRET", ""}}));
  ASSERT_THAT(Formatted(loaded), IsEmpty());
  EXPECT_EQ(loaded.config.amazon.client_secret.Reveal(), "amzn-client-secret-1");
}

TEST_F(ConfigTest, RegistersEverySecretForRedaction) {
  const std::string text =
      std::string(kMinimal) + "\n[server]\napi_token = \"server-api-token-1\"\n";
  const LoadedConfig loaded = LoadConfigString(
      text, "test.toml", FakeEnv({{"SELLERBRIDGE_CLARUS_CLIENT_SECRET", "env-clarus-secret"}}));
  ASSERT_THAT(Formatted(loaded), IsEmpty());
  for (const std::string_view secret :
       {"amzn-client-id-1", "amzn-client-secret-1", "amzn-refresh-token-1", "clarus-client-id-1",
        "env-clarus-secret", "server-api-token-1"}) {
    EXPECT_EQ(Redact(fmt::format("sent {} now", secret)), "sent [redacted] now") << secret;
  }
  EXPECT_EQ(Redact("seller A3SELLER account ACME"), "seller A3SELLER account ACME");
}

TEST_F(ConfigTest, SecretNeverStreamsItsValue) {
  std::ostringstream out;
  out << Secret("amzn-client-secret-1") << " " << Secret();
  EXPECT_EQ(out.str(), "[redacted] (unset)");
}

TEST_F(ConfigTest, FormatsProblemsWithAndWithoutKeys) {
  EXPECT_EQ(FormatProblem({"a.toml", 3, 7, "amazon.region", "bad"}),
            "a.toml:3:7: [amazon] region: bad");
  EXPECT_EQ(FormatProblem({"a.toml", 9, 1, "amazn", "unknown section"}),
            "a.toml:9:1: [amazn]: unknown section");
  EXPECT_EQ(FormatProblem({"a.toml", 0, 0, "", "no such file"}), "a.toml:0:0: no such file");
}

TEST_F(ConfigTest, LoadConfigReturnsTheConfigOfAGoodFile) {
  const Result<Config> config =
      LoadConfig(SELLERBRIDGE_SOURCE_DIR "/sellerbridge.example.toml", NoEnv());
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->store.url, "sqlite:///var/lib/sellerbridge/sellerbridge.db");
}

TEST_F(ConfigTest, LoadConfigListsEveryProblemOnePerLine) {
  const std::filesystem::path path =
      std::filesystem::path(::testing::TempDir()) / "config_test_bad.toml";
  const std::string text =
      Replace(kMinimal, R"(region = "EU")", R"(region = "XX")") + "\n[server]\nport = 0\n";
  {
    std::ofstream out(path);
    out << text;
  }
  const Result<Config> config = LoadConfig(path, NoEnv());
  std::filesystem::remove(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  std::vector<std::string> lines;
  std::istringstream message(config.status().message());
  for (std::string line; std::getline(message, line);) {
    lines.push_back(line);
  }
  ASSERT_THAT(lines, SizeIs(2));
  EXPECT_THAT(lines[0], HasSubstr(fmt::format("config_test_bad.toml:{}:10: [amazon] region: 'XX'",
                                              LineOf(text, "region"))));
  EXPECT_THAT(lines[1], HasSubstr(": [server] port: 0 is out of range 1..65535"));
}

TEST_F(ConfigTest, ReportsUnreadableFileAtLineZero) {
  const LoadedConfig loaded = LoadConfigFile("/nonexistent/sellerbridge.toml", NoEnv());
  EXPECT_THAT(Formatted(loaded), ElementsAre("/nonexistent/sellerbridge.toml:0:0: no such file"));
}

TEST_F(ConfigTest, AlertsAndMonitorDefaults) {
  const Config config = Load(kMinimal).config;
  EXPECT_EQ(config.alerts.at_risk_within, hours{2});
  EXPECT_EQ(config.alerts.confirmation_p95, minutes{5});
  EXPECT_EQ(config.alerts.job_missed_cadences, 3);
  EXPECT_EQ(config.alerts.credential_expiry_warning, hours{24 * 14});
  EXPECT_THAT(config.alerts.webhooks, IsEmpty());
  EXPECT_FALSE(config.alerts.email.has_value());
  EXPECT_EQ(config.monitor.at_risk_margin, hours{4});
  EXPECT_EQ(config.monitor.verify_after, minutes{30});
  EXPECT_EQ(config.monitor.performance_report_every, hours{24});
  EXPECT_FALSE(config.amazon.client_secret_expires.has_value());
  EXPECT_FALSE(config.clarus.client_secret_expires.has_value());
}

TEST_F(ConfigTest, ReadsAlertsAndMonitorSections) {
  const std::string text =
      Replace(Replace(kMinimal, "region = \"EU\"",
                      "region = \"EU\"\nclient_secret_expires = 2027-03-31"),
              "account = \"ACME\"", "account = \"ACME\"\nclient_secret_expires = \"2027-09-01\"") +
      R"(
[alerts]
at_risk_within = "90m"
confirmation_p95 = "2m"
job_missed_cadences = 5
credential_expiry_warning = "30d"

[[alerts.webhooks]]
name = "ops-json"
url = "https://hooks.example.com/alerts"

[[alerts.webhooks]]
name = "slack"
url_env = "OPS_SLACK_URL"
format = "slack"

[alerts.email]
smtp_url = "smtp://mail.example.com:587"
from = "sellerbridge@example.com"
to = ["ops@example.com", "lead@example.com"]
username = "sellerbridge"
password_env = "OPS_SMTP_PASSWORD"
starttls = true

[monitor]
at_risk_margin = "6h"
verify_after = "45m"
performance_report_every = "12h"
)";
  const LoadedConfig loaded =
      LoadConfigString(text, "test.toml",
                       FakeEnv({{"OPS_SLACK_URL", "https://hooks.slack.com/services/T1/B2/xyz123"},
                                {"OPS_SMTP_PASSWORD", "smtp-password-1"}}));
  ASSERT_THAT(Formatted(loaded), IsEmpty());
  const Config& config = loaded.config;
  using std::chrono::day;
  using std::chrono::month;
  using std::chrono::year;
  EXPECT_EQ(config.amazon.client_secret_expires, year{2027} / month{3} / day{31});
  EXPECT_EQ(config.clarus.client_secret_expires, year{2027} / month{9} / day{1});
  EXPECT_EQ(config.alerts.at_risk_within, minutes{90});
  EXPECT_EQ(config.alerts.confirmation_p95, minutes{2});
  EXPECT_EQ(config.alerts.job_missed_cadences, 5);
  EXPECT_EQ(config.alerts.credential_expiry_warning, hours{24 * 30});
  ASSERT_THAT(config.alerts.webhooks, SizeIs(2));
  EXPECT_EQ(config.alerts.webhooks[0].name, "ops-json");
  EXPECT_EQ(config.alerts.webhooks[0].url.Reveal(), "https://hooks.example.com/alerts");
  EXPECT_EQ(config.alerts.webhooks[0].format, WebhookFormat::kJson);
  EXPECT_EQ(config.alerts.webhooks[1].name, "slack");
  EXPECT_EQ(config.alerts.webhooks[1].url.Reveal(),
            "https://hooks.slack.com/services/T1/B2/xyz123");
  EXPECT_EQ(config.alerts.webhooks[1].format, WebhookFormat::kSlack);
  ASSERT_TRUE(config.alerts.email.has_value());
  const EmailConfig& email = *config.alerts.email;
  EXPECT_EQ(email.smtp_url, "smtp://mail.example.com:587");
  EXPECT_EQ(email.from, "sellerbridge@example.com");
  EXPECT_THAT(email.to, ElementsAre("ops@example.com", "lead@example.com"));
  EXPECT_EQ(email.username, "sellerbridge");
  EXPECT_EQ(email.password.Reveal(), "smtp-password-1");
  EXPECT_TRUE(email.starttls);
  EXPECT_EQ(config.monitor.at_risk_margin, hours{6});
  EXPECT_EQ(config.monitor.verify_after, minutes{45});
  EXPECT_EQ(config.monitor.performance_report_every, hours{12});
  for (const std::string_view secret :
       {"https://hooks.slack.com/services/T1/B2/xyz123", "smtp-password-1"}) {
    EXPECT_EQ(Redact(fmt::format("sent {} now", secret)), "sent [redacted] now") << secret;
  }
}

TEST_F(ConfigTest, ReportsEveryBadAlertsKey) {
  const LoadedConfig loaded = Load(std::string(kMinimal) + R"(
[alerts]
at_risk_within = "30s"
confirmation_p95 = "5"
job_missed_cadences = 0
credential_expiry_warning = "91d"
snooze = "1h"

[monitor]
at_risk_margin = "8d"
verify_after = "30s"
performance_report_every = "30m"
)");
  ASSERT_THAT(Formatted(loaded), SizeIs(8));
  EXPECT_EQ(loaded.problems[0].key, "alerts.at_risk_within");
  EXPECT_EQ(loaded.problems[0].message, "'30s' is out of range 1m..7d");
  EXPECT_EQ(loaded.problems[1].key, "alerts.confirmation_p95");
  EXPECT_EQ(loaded.problems[2].message, "0 is out of range 1..1000");
  EXPECT_EQ(loaded.problems[3].message, "'91d' is out of range 1h..90d");
  EXPECT_EQ(loaded.problems[4].key, "alerts.snooze");
  EXPECT_THAT(loaded.problems[4].message, HasSubstr("unknown key"));
  EXPECT_EQ(loaded.problems[5].message, "'8d' is out of range 1m..7d");
  EXPECT_EQ(loaded.problems[6].key, "monitor.verify_after");
  EXPECT_EQ(loaded.problems[7].message, "'30m' is out of range 1h..7d");
}

TEST_F(ConfigTest, ReadsFinanceSectionWithSinks) {
  const Config defaults = Load(kMinimal).config;
  EXPECT_EQ(defaults.finance.encoding, "auto");
  EXPECT_EQ(defaults.finance.settle_within, hours{24 * 21});
  EXPECT_EQ(defaults.finance.first_search, hours{24 * 90});
  EXPECT_THAT(defaults.finance.sinks, IsEmpty());

  const LoadedConfig loaded =
      LoadConfigString(std::string(kMinimal) + R"(
[finance]
encoding = "windows-1252"
settle_within = "30d"
first_search = "14d"

[[finance.sinks]]
name = "ledger"
url = "https://finance.example.com/journals"

[[finance.sinks]]
name = "xero"
format = "xero"
url = "https://api.xero.com/api.xro/2.0/ManualJournals"
token_env = "XERO_TOKEN"
tenant_id = "b1f2c3d4"
journal_status = "POSTED"
)",
                       "test.toml", FakeEnv({{"XERO_TOKEN", "xero-access-token-77"}}));
  ASSERT_THAT(Formatted(loaded), IsEmpty());
  const FinanceConfig& finance = loaded.config.finance;
  EXPECT_EQ(finance.encoding, "windows-1252");
  EXPECT_EQ(finance.settle_within, hours{24 * 30});
  EXPECT_EQ(finance.first_search, hours{24 * 14});
  ASSERT_THAT(finance.sinks, SizeIs(2));
  EXPECT_EQ(finance.sinks[0].name, "ledger");
  EXPECT_EQ(finance.sinks[0].format, JournalFormat::kJson);
  EXPECT_TRUE(finance.sinks[0].token.empty());
  EXPECT_EQ(finance.sinks[0].journal_status, "DRAFT");
  EXPECT_EQ(finance.sinks[1].format, JournalFormat::kXero);
  EXPECT_EQ(finance.sinks[1].token.Reveal(), "xero-access-token-77");
  EXPECT_EQ(finance.sinks[1].tenant_id, "b1f2c3d4");
  EXPECT_EQ(finance.sinks[1].journal_status, "POSTED");
  EXPECT_EQ(Redact("token xero-access-token-77"), "token [redacted]");
}

TEST_F(ConfigTest, ReportsEveryBadFinanceKey) {
  const LoadedConfig loaded = Load(std::string(kMinimal) + R"(
[finance]
encoding = "ebcdic"
settle_within = "12h"

[[finance.sinks]]
name = "Ledger"
url = "ftp://finance.example.com/?key=s3cret"
format = "sage"

[[finance.sinks]]
name = "xero"
format = "xero"
url = "https://api.xero.com/api.xro/2.0/ManualJournals"
journal_status = "AUTHORISED"
)");
  const std::vector<std::string> problems = Formatted(loaded);
  ASSERT_THAT(problems, SizeIs(7)) << ::testing::PrintToString(problems);
  EXPECT_EQ(loaded.problems[0].key, "finance.encoding");
  EXPECT_THAT(loaded.problems[0].message, HasSubstr("'ebcdic' is not an encoding"));
  EXPECT_EQ(loaded.problems[1].message, "'12h' is out of range 1d..90d");
  EXPECT_EQ(loaded.problems[2].key, "finance.sinks.name");
  EXPECT_EQ(loaded.problems[3].key, "finance.sinks.url");
  EXPECT_EQ(loaded.problems[4].key, "finance.sinks.format");
  EXPECT_THAT(loaded.problems[5].message, HasSubstr("needs tenant_id"));
  EXPECT_EQ(loaded.problems[6].key, "finance.sinks.journal_status");
  for (const std::string& problem : problems) {
    EXPECT_THAT(problem, Not(HasSubstr("s3cret")));
  }
}

TEST_F(ConfigTest, ReportsBadWebhooksWithoutQuotingTheirUrls) {
  const std::string text = std::string(kMinimal) + R"(
[[alerts.webhooks]]
name = "Ops Channel"
url = "https://hooks.example.com/a"

[[alerts.webhooks]]
name = "ops"
url = "ftp://hooks.example.com/T9/very-secret-path"
format = "xml"

[[alerts.webhooks]]
name = "ops"
url = "https://hooks.example.com/b"
url_env = "OPS_URL"

[[alerts.webhooks]]
name = "nourl"

[[alerts.webhooks]]
name = "unset"
url_env = "NOT_SET_ANYWHERE"
channel = "#ops"
)";
  const LoadedConfig loaded = Load(text);
  const std::vector<std::string> lines = Formatted(loaded);
  ASSERT_THAT(lines, SizeIs(8)) << ::testing::PrintToString(lines);
  EXPECT_EQ(loaded.problems[0].key, "alerts.webhooks.name");
  EXPECT_EQ(loaded.problems[0].line, LineOf(text, "Ops Channel"));
  EXPECT_EQ(loaded.problems[1].key, "alerts.webhooks.url");
  EXPECT_EQ(loaded.problems[1].message,
            "the webhook URL is not valid: the scheme is 'ftp', not http or https");
  EXPECT_EQ(loaded.problems[2].message, "'xml' is not a webhook format; expected json or slack");
  EXPECT_EQ(loaded.problems[3].message, fmt::format("a webhook is named 'ops' already, at line {}",
                                                    LineOf(text, "name = \"ops\"")));
  EXPECT_EQ(loaded.problems[4].message, "a webhook takes url or url_env, not both");
  EXPECT_EQ(FormatProblem(loaded.problems[5]),
            fmt::format("test.toml:{}:1: [alerts] webhooks: a webhook needs url or url_env",
                        LineOf(text, "name = \"nourl\"") - 1));
  EXPECT_EQ(loaded.problems[6].message, "environment variable NOT_SET_ANYWHERE is not set");
  EXPECT_EQ(loaded.problems[7].key, "alerts.webhooks.channel");
  for (const std::string& line : lines) {
    EXPECT_THAT(line, Not(HasSubstr("very-secret-path")));
  }
  EXPECT_THAT(loaded.config.alerts.webhooks, IsEmpty());
}

TEST_F(ConfigTest, ReportsBadEmailSettings) {
  const std::string text = std::string(kMinimal) + R"(
[alerts.email]
smtp_url = "https://mail.example.com"
from = "sellerbridge"
to = ["ops@example.com", "Ops <ops2@example.com>"]
password_env = "NO_SUCH_PASSWORD_VAR"
port = 25
)";
  const LoadedConfig loaded = Load(text);
  const std::vector<std::string> lines = Formatted(loaded);
  ASSERT_THAT(lines, SizeIs(6)) << ::testing::PrintToString(lines);
  EXPECT_EQ(loaded.problems[0].key, "alerts.email.smtp_url");
  EXPECT_EQ(loaded.problems[0].message,
            "'https://mail.example.com' is not an SMTP URL: the scheme is 'https', not smtp or "
            "smtps");
  EXPECT_EQ(loaded.problems[1].message, "'sellerbridge' is not an e-mail address");
  EXPECT_EQ(loaded.problems[2].message, "'Ops <ops2@example.com>' is not an e-mail address");
  EXPECT_EQ(loaded.problems[3].message, "a password needs a username");
  EXPECT_EQ(loaded.problems[4].message, "environment variable NO_SUCH_PASSWORD_VAR is not set");
  EXPECT_EQ(loaded.problems[5].key, "alerts.email.port");
}

TEST_F(ConfigTest, ReportsMissingEmailKeysAndStarttlsOnSmtps) {
  const std::string text = std::string(kMinimal) + R"(
[alerts.email]
smtp_url = "smtps://mail.example.com:465"
starttls = true
)";
  const LoadedConfig loaded = Load(text);
  const std::vector<std::string> lines = Formatted(loaded);
  ASSERT_THAT(lines, SizeIs(3)) << ::testing::PrintToString(lines);
  EXPECT_EQ(loaded.problems[0].key, "alerts.email.from");
  EXPECT_EQ(loaded.problems[0].message, "missing required value");
  EXPECT_EQ(loaded.problems[1].key, "alerts.email.to");
  EXPECT_EQ(loaded.problems[2].key, "alerts.email.starttls");
}

TEST_F(ConfigTest, ReportsBadClientSecretExpiryDates) {
  for (const auto& [value, message] : std::vector<std::pair<std::string, std::string>>{
           {R"("2027-02-30")", "'2027-02-30' is not a date such as 2027-03-31"},
           {R"("31/03/2027")", "'31/03/2027' is not a date such as 2027-03-31"},
           {"1999-12-31", "'1999-12-31' is out of range 2000-01-01..2199-12-31"},
           {"20270331", "expected a date such as 2027-03-31, found an integer"},
           {"2027-03-31T00:00:00Z", "expected a date such as 2027-03-31, found a date-time"},
       }) {
    const ConfigProblem problem =
        OnlyProblem(Replace(kMinimal, "region = \"EU\"",
                            fmt::format("region = \"EU\"\nclient_secret_expires = {}", value)));
    EXPECT_EQ(problem.key, "amazon.client_secret_expires") << value;
    EXPECT_EQ(problem.message, message) << value;
  }
}

}  // namespace
}  // namespace sellerbridge::config
