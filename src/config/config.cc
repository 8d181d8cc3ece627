#include "config/config.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>
#include <utility>

#include "base/marketplace.h"
#include "base/redact.h"
#include "base/time_format.h"
#include "domain/order.h"

namespace sellerbridge::config {
namespace {

using std::chrono::days;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr std::array<std::string_view, 12> kSections = {
    "store",     "amazon", "clarus", "server", "schedules", "logging",
    "retention", "orders", "stock",  "alerts", "monitor",   "finance"};

// The cadence of one job and the range it must lie in.
struct Cadence {
  std::string_view job;
  Duration SchedulesConfig::*field;
  Duration min;
  Duration max;
};

constexpr std::array<Cadence, 10> kCadences = {{
    {"order_import", &SchedulesConfig::order_import, seconds{1}, days{7}},
    {"dispatch_sweep", &SchedulesConfig::dispatch_sweep, seconds{1}, days{7}},
    {"confirmer", &SchedulesConfig::confirmer, milliseconds{100}, minutes{1}},
    {"verifier", &SchedulesConfig::verifier, seconds{1}, days{7}},
    {"stock_changes", &SchedulesConfig::stock_changes, seconds{1}, days{7}},
    {"stock_snapshot", &SchedulesConfig::stock_snapshot, seconds{1}, days{7}},
    {"drift_check", &SchedulesConfig::drift_check, seconds{1}, days{7}},
    {"settlements", &SchedulesConfig::settlements, seconds{1}, days{7}},
    {"monitor", &SchedulesConfig::monitor, seconds{1}, days{7}},
    {"retention", &SchedulesConfig::retention, seconds{1}, days{7}},
}};

// SP-API endpoints by region, from Amazon's "SP-API endpoints" page.
constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kRegionEndpoints = {{
    {"NA", "https://sellingpartnerapi-na.amazon.com"},
    {"EU", "https://sellingpartnerapi-eu.amazon.com"},
    {"FE", "https://sellingpartnerapi-fe.amazon.com"},
}};

constexpr std::array<std::string_view, 5> kLogLevels = {"trace", "debug", "info", "warn", "error"};

enum class Need { kOptional, kRequired };

std::string_view TypeName(toml::node_type type) {
  switch (type) {
    case toml::node_type::none:
      return "nothing";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
  }
  return "an unknown type";
}

bool IsSpaceOrControl(char c) { return static_cast<unsigned char>(c) <= ' ' || c == '\x7f'; }

// Returns why `url` is not an absolute http(s) URL with a host, or "" if it is one.
std::string HttpUrlProblem(std::string_view url) {
  if (std::any_of(url.begin(), url.end(), IsSpaceOrControl)) {
    return "it contains a space or control character";
  }
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return "it is not an absolute URL such as https://host/path";
  }
  const std::string_view scheme = url.substr(0, scheme_end);
  if (scheme != "https" && scheme != "http") {
    return fmt::format("the scheme is '{}', not http or https", scheme);
  }
  const std::string_view rest = url.substr(scheme_end + 3);
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) {
    return "it contains user credentials";
  }
  std::string_view host = authority;
  std::string_view port;
  bool has_port = false;
  if (authority.starts_with('[')) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return "the IPv6 address has no closing ']'";
    }
    host = authority.substr(1, close - 1);
    in6_addr address{};
    if (inet_pton(AF_INET6, std::string(host).c_str(), &address) != 1) {
      return fmt::format("'{}' is not an IPv6 address", host);
    }
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after[0] != ':') {
      return "unexpected text after the IPv6 address";
    }
    has_port = !after.empty();
    port = has_port ? after.substr(1) : after;
  } else {
    const size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    has_port = colon != std::string_view::npos;
    port = has_port ? authority.substr(colon + 1) : std::string_view();
    if (host.empty()) {
      return "it has no host";
    }
    const bool host_ok = std::all_of(host.begin(), host.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '-' || c == '.' || c == '_';
    });
    if (!host_ok) {
      return fmt::format("'{}' is not a host name", host);
    }
  }
  if (has_port) {
    int number = 0;
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), number);
    if (error != std::errc() || end != port.data() + port.size() || number < 1 || number > 65535) {
      return fmt::format("'{}' is not a port (1..65535)", port);
    }
  }
  return "";
}

// Returns why `url` is not a store URL, or "" if it is one. Mirrors what
// store::OpenStore() accepts, so that check-config catches what would fail at start-up.
std::string StoreUrlProblem(std::string_view url) {
  if (std::any_of(url.begin(), url.end(), IsSpaceOrControl)) {
    return "it contains a space or control character";
  }
  constexpr std::string_view kSqlite = "sqlite:";
  if (url.starts_with(kSqlite)) {
    const std::string_view rest = url.substr(kSqlite.size());
    if (rest == ":memory:") {
      return "";
    }
    if (rest.starts_with("//") && !rest.starts_with("///")) {
      return "a SQLite URL names no host; use sqlite:///absolute/path.db";
    }
    const std::string_view path = rest.starts_with("//") ? rest.substr(2) : rest;
    if (path.empty() || path.back() == '/') {
      return "it names no database file; use sqlite:///absolute/path.db, sqlite:relative.db or "
             "sqlite::memory:";
    }
    return "";
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return "";
  }
  return "unknown scheme; expected sqlite:///absolute/path.db, sqlite:relative.db, "
         "sqlite::memory: or postgresql://";
}

// The password in the authority of `url` ("postgresql://user:password@host/db"),
// or "" if it has none.
std::string_view UrlPassword(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return {};
  }
  const std::string_view rest = url.substr(scheme_end + 3);
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  const size_t at = authority.rfind('@');
  if (at == std::string_view::npos) {
    return {};
  }
  const size_t colon = authority.substr(0, at).find(':');
  if (colon == std::string_view::npos) {
    return {};
  }
  return authority.substr(colon + 1, at - colon - 1);
}

bool IsIpAddress(std::string_view text) {
  const std::string copy(text);
  in_addr v4{};
  in6_addr v6{};
  return inet_pton(AF_INET, copy.c_str(), &v4) == 1 || inet_pton(AF_INET6, copy.c_str(), &v6) == 1;
}

// ParseDuration converts to nanoseconds in 64 bits, which overflows for counts
// far beyond any cadence. Returns true for such counts, which are out of every
// cadence's range whatever their unit.
bool CountTooLargeForAnyCadence(std::string_view text) {
  const size_t digits_end = std::min(text.find_first_not_of("0123456789"), text.size());
  const size_t first_significant = std::min(text.find_first_not_of('0'), digits_end);
  const size_t significant_digits = digits_end - first_significant;
  const std::string_view unit = text.substr(digits_end);
  // 90d, the longest maximum, is 7776000000ms (10 digits) and 129600m (6
  // digits); 6 digits of hours or days would overflow.
  const size_t max_digits = unit == "ms" ? 10 : unit == "s" ? 9 : unit == "m" ? 6 : 5;
  return significant_digits > max_digits;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) {
    if (!out.empty()) {
      out += ", ";
    }
    out += name;
  }
  return out;
}

// The problems found in one file.
class Problems {
 public:
  explicit Problems(std::string_view file) : file_(file) {}

  void Add(const toml::source_region& where, std::string key, std::string message) {
    AddAt(static_cast<int>(where.begin.line), static_cast<int>(where.begin.column), std::move(key),
          std::move(message));
  }

  void AddAt(int line, int column, std::string key, std::string message) {
    problems_.push_back({file_, line, column, std::move(key), std::move(message)});
  }

  // The problems, ordered by position.
  std::vector<ConfigProblem> Take() && {
    std::stable_sort(problems_.begin(), problems_.end(),
                     [](const ConfigProblem& a, const ConfigProblem& b) {
                       return std::pair(a.line, a.column) < std::pair(b.line, b.column);
                     });
    return std::move(problems_);
  }

 private:
  std::string file_;
  std::vector<ConfigProblem> problems_;
};

// A string element of an array, with its node for reporting.
struct ListItem {
  std::string value;
  const toml::node* node;
};

// Reads the keys of one section, remembers which were asked for, and reports
// problems with the section's keys.
class Section {
 public:
  // `node` is the section's value in the root table, or nullptr if absent.
  Section(Problems& problems, std::string_view name, const toml::node* node)
      : problems_(problems), name_(name) {
    if (node == nullptr) {
      return;
    }
    table_ = node->as_table();
    if (table_ == nullptr) {
      malformed_ = true;
      problems_.Add(node->source(), name_,
                    fmt::format("expected a table, found {}", TypeName(node->type())));
    }
  }

  // The value of `key`, or nullptr if absent. Marks `key` as known.
  const toml::node* Get(std::string_view key) {
    if (std::find(known_.begin(), known_.end(), key) == known_.end()) {
      known_.emplace_back(key);
    }
    return table_ == nullptr ? nullptr : table_->get(key);
  }

  std::string Key(std::string_view key) const { return fmt::format("{}.{}", name_, key); }

  // Reports a problem with the value of `key`, which must be present.
  void Report(std::string_view key, std::string message) {
    const toml::node* node = Get(key);
    if (node != nullptr) {
      problems_.Add(node->source(), Key(key), std::move(message));
    }
  }

  // Reports a problem with one element of an array.
  void ReportItem(const ListItem& item, std::string_view key, std::string message) {
    problems_.Add(item.node->source(), Key(key), std::move(message));
  }

  // Reports that required `key` is absent: at the section header, or at line 0
  // if the section is absent. Silent if the section is not a table, which is
  // reported already.
  void ReportMissing(std::string_view key, std::string message) {
    if (malformed_) {
      return;
    }
    if (table_ == nullptr) {
      problems_.AddAt(0, 0, Key(key),
                      fmt::format("{}; the file has no [{}] section", message, name_));
      return;
    }
    problems_.Add(table_->source(), Key(key), std::move(message));
  }

  // The string at `key`. Returns nullopt if it is absent (a problem when
  // required), not a string or empty (problems).
  std::optional<std::string> String(std::string_view key, Need need) {
    const toml::node* node = Get(key);
    if (node == nullptr) {
      if (need == Need::kRequired) {
        ReportMissing(key, "missing required value");
      }
      return std::nullopt;
    }
    const auto* value = node->as_string();
    if (value == nullptr) {
      Report(key, fmt::format("expected a string, found {}", TypeName(node->type())));
      return std::nullopt;
    }
    if (value->get().empty()) {
      Report(key, "must not be empty");
      return std::nullopt;
    }
    return value->get();
  }

  // The absolute http(s) URL at `key`, as String().
  std::optional<std::string> Url(std::string_view key, Need need) {
    std::optional<std::string> url = String(key, need);
    if (!url) {
      return std::nullopt;
    }
    const std::string problem = HttpUrlProblem(*url);
    if (!problem.empty()) {
      Report(key, fmt::format("'{}' is not a valid URL: {}", *url, problem));
      return std::nullopt;
    }
    return url;
  }

  // The integer at `key`, within [min, max]; nullopt if absent or a problem.
  std::optional<std::int64_t> Integer(std::string_view key, std::int64_t min, std::int64_t max) {
    const toml::node* node = Get(key);
    if (node == nullptr) {
      return std::nullopt;
    }
    const auto* value = node->as_integer();
    if (value == nullptr) {
      Report(key, fmt::format("expected an integer, found {}", TypeName(node->type())));
      return std::nullopt;
    }
    if (value->get() < min || value->get() > max) {
      Report(key, fmt::format("{} is out of range {}..{}", value->get(), min, max));
      return std::nullopt;
    }
    return value->get();
  }

  // The boolean at `key`; nullopt if absent or not a boolean (a problem).
  std::optional<bool> Boolean(std::string_view key) {
    const toml::node* node = Get(key);
    if (node == nullptr) {
      return std::nullopt;
    }
    const auto* value = node->as_boolean();
    if (value == nullptr) {
      Report(key, fmt::format("expected a boolean, found {}", TypeName(node->type())));
      return std::nullopt;
    }
    return value->get();
  }

  // The number at `key`, written as an integer or a floating-point number;
  // nullopt if absent or a problem (another type, NaN or infinity).
  std::optional<double> Number(std::string_view key) {
    const toml::node* node = Get(key);
    if (node == nullptr) {
      return std::nullopt;
    }
    if (const auto* integer = node->as_integer()) {
      return static_cast<double>(integer->get());
    }
    const auto* value = node->as_floating_point();
    if (value == nullptr) {
      Report(key, fmt::format("expected a number, found {}", TypeName(node->type())));
      return std::nullopt;
    }
    if (!std::isfinite(value->get())) {
      Report(key, fmt::format("{} is not a finite number", value->get()));
      return std::nullopt;
    }
    return value->get();
  }

  // Reports a problem with the whole section, at its header. Silent if the
  // section is absent or not a table.
  void ReportSection(std::string message) {
    if (table_ != nullptr) {
      problems_.Add(table_->source(), name_, std::move(message));
    }
  }

  // The secret at `key`: the non-empty value of environment variable
  // `env_var` if there is one, else the file's value. Registers it for
  // redaction. Problems with the file's value are reported even when the
  // environment supplies the secret.
  Secret ReadSecret(std::string_view key, std::string_view env_var, Need need,
                    const EnvLookup& env) {
    std::optional<std::string> value = String(key, Need::kOptional);
    std::optional<std::string> from_env = env ? env(env_var) : std::nullopt;
    if (from_env && !from_env->empty()) {
      value = std::move(from_env);
    }
    if (!value) {
      if (need == Need::kRequired && Get(key) == nullptr) {
        ReportMissing(key, fmt::format("missing required value (set it here or in {})", env_var));
      }
      return {};
    }
    RegisterSecret(*value);
    return Secret(std::move(*value));
  }

  // The array of strings at `key`: at least one, non-empty, no duplicates.
  // Returns the valid elements; nullopt if absent (a problem when required)
  // or not an array.
  std::optional<std::vector<ListItem>> StringList(std::string_view key, Need need) {
    const toml::node* node = Get(key);
    if (node == nullptr) {
      if (need == Need::kRequired) {
        ReportMissing(key, "missing required value");
      }
      return std::nullopt;
    }
    const auto* array = node->as_array();
    if (array == nullptr) {
      Report(key, fmt::format("expected an array of strings, found {}", TypeName(node->type())));
      return std::nullopt;
    }
    if (array->empty()) {
      Report(key, "must list at least one value");
      return std::nullopt;
    }
    std::vector<ListItem> items;
    std::set<std::string, std::less<>> seen;
    for (const toml::node& element : *array) {
      const auto* value = element.as_string();
      if (value == nullptr) {
        problems_.Add(element.source(), Key(key),
                      fmt::format("expected a string, found {}", TypeName(element.type())));
      } else if (value->get().empty()) {
        problems_.Add(element.source(), Key(key), "must not contain an empty string");
      } else if (!seen.insert(value->get()).second) {
        problems_.Add(element.source(), Key(key),
                      fmt::format("'{}' is listed twice", value->get()));
      } else {
        items.push_back({value->get(), &element});
      }
    }
    return items;
  }

  // Reports every key of the section that was never passed to Get(); `noun`
  // names what such a key is ("key", "job").
  void ReportUnknownKeys(std::string_view noun) {
    if (table_ == nullptr) {
      return;
    }
    for (const auto& [key, value] : *table_) {
      if (std::find(known_.begin(), known_.end(), key.str()) == known_.end()) {
        problems_.Add(key.source(), Key(key.str()),
                      fmt::format("unknown {}; expected one of: {}", noun, JoinNames(known_)));
      }
    }
  }

 private:
  Problems& problems_;
  std::string name_;
  const toml::table* table_ = nullptr;
  bool malformed_ = false;
  std::vector<std::string> known_;  // In the order asked for, for messages.
};

void ReadStore(Section& section, StoreConfig& out) {
  if (std::optional<std::string> url = section.String("url", Need::kRequired)) {
    RegisterSecret(UrlPassword(*url));
    const std::string problem = StoreUrlProblem(*url);
    if (problem.empty()) {
      out.url = *url;
    } else {
      section.Report("url", fmt::format("'{}' is not a store URL: {}", *url, problem));
    }
  }
  section.ReportUnknownKeys("key");
}

// Parses "yyyy-mm-dd"; nullopt for any other text (the calendar is checked
// by the caller).
std::optional<std::chrono::year_month_day> ParseDate(std::string_view text) {
  constexpr std::string_view kShape = "dddd-dd-dd";
  if (text.size() != kShape.size()) {
    return std::nullopt;
  }
  for (size_t i = 0; i < text.size(); ++i) {
    const bool digit = text[i] >= '0' && text[i] <= '9';
    if (kShape[i] == 'd' ? !digit : text[i] != '-') {
      return std::nullopt;
    }
  }
  auto number = [&](size_t from, size_t size) {
    unsigned value = 0;
    std::from_chars(text.data() + from, text.data() + from + size, value);
    return value;
  };
  return std::chrono::year{static_cast<int>(number(0, 4))} / std::chrono::month{number(5, 2)} /
         std::chrono::day{number(8, 2)};
}

// The date at `key`, a TOML date (2027-03-31) or a string ("2027-03-31"),
// into `out`; a problem otherwise.
void ReadDate(Section& section, std::string_view key,
              std::optional<std::chrono::year_month_day>& out) {
  const toml::node* node = section.Get(key);
  if (node == nullptr) {
    return;
  }
  std::optional<std::chrono::year_month_day> date;
  std::string text;
  if (const auto* value = node->as_date()) {
    const toml::date& d = value->get();
    date = std::chrono::year{d.year} / std::chrono::month{d.month} / std::chrono::day{d.day};
    text = fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day);
  } else if (const auto* string = node->as_string()) {
    text = string->get();
    date = ParseDate(text);
  } else {
    section.Report(
        key, fmt::format("expected a date such as 2027-03-31, found {}", TypeName(node->type())));
    return;
  }
  if (!date || !date->ok()) {
    section.Report(key, fmt::format("'{}' is not a date such as 2027-03-31", text));
    return;
  }
  if (date->year() < std::chrono::year{2000} || date->year() > std::chrono::year{2199}) {
    section.Report(key, fmt::format("'{}' is out of range 2000-01-01..2199-12-31", text));
    return;
  }
  out = date;
}

void ReadMarketplaces(Section& section, AmazonConfig& out) {
  std::optional<std::vector<ListItem>> items = section.StringList("marketplaces", Need::kRequired);
  if (!items) {
    return;
  }
  for (const ListItem& item : *items) {
    const Marketplace* marketplace = FindMarketplace(item.value);
    if (marketplace == nullptr) {
      std::string message = fmt::format("unknown marketplace id '{}'", item.value);
      for (const Marketplace& m : AllMarketplaces()) {
        if (m.country_code == item.value) {
          message += fmt::format("; the id of the {} marketplace is {}", m.country_code, m.id);
        }
      }
      section.ReportItem(item, "marketplaces", std::move(message));
    } else if (!out.region.empty() && marketplace->region != out.region) {
      section.ReportItem(
          item, "marketplaces",
          fmt::format("marketplace {} ({}) belongs to region {}, not {}", marketplace->id,
                      marketplace->country_code, marketplace->region, out.region));
    } else {
      out.marketplaces.push_back(item.value);
    }
  }
}

void ReadAmazon(Section& section, const EnvLookup& env, AmazonConfig& out) {
  if (std::optional<std::string> region = section.String("region", Need::kRequired)) {
    const auto* it = std::find_if(kRegionEndpoints.begin(), kRegionEndpoints.end(),
                                  [&](const auto& entry) { return entry.first == *region; });
    if (it == kRegionEndpoints.end()) {
      section.Report("region", fmt::format("'{}' is not a region; expected NA, EU or FE", *region));
    } else {
      out.region = *region;
      out.endpoint = std::string(it->second);
    }
  }
  if (std::optional<std::string> url = section.Url("endpoint", Need::kOptional)) {
    out.endpoint = *url;
  }
  if (std::optional<std::string> url = section.Url("lwa_endpoint", Need::kOptional)) {
    out.lwa_endpoint = *url;
  }
  out.client_id =
      section.ReadSecret("client_id", "SELLERBRIDGE_AMAZON_CLIENT_ID", Need::kRequired, env);
  out.client_secret = section.ReadSecret("client_secret", "SELLERBRIDGE_AMAZON_CLIENT_SECRET",
                                         Need::kRequired, env);
  out.refresh_token = section.ReadSecret("refresh_token", "SELLERBRIDGE_AMAZON_REFRESH_TOKEN",
                                         Need::kRequired, env);
  out.seller_id = section.String("seller_id", Need::kRequired).value_or("");
  ReadMarketplaces(section, out);
  ReadDate(section, "client_secret_expires", out.client_secret_expires);
  section.ReportUnknownKeys("key");
}

void ReadClarus(Section& section, const EnvLookup& env, ClarusConfig& out) {
  out.api_base = section.Url("api_base", Need::kRequired).value_or("");
  out.graphql_url = section.Url("graphql_url", Need::kRequired).value_or("");
  out.token_url = section.Url("token_url", Need::kRequired).value_or("");
  out.subdomain = section.String("subdomain", Need::kRequired).value_or("");
  out.client_id =
      section.ReadSecret("client_id", "SELLERBRIDGE_CLARUS_CLIENT_ID", Need::kRequired, env);
  out.client_secret = section.ReadSecret("client_secret", "SELLERBRIDGE_CLARUS_CLIENT_SECRET",
                                         Need::kRequired, env);
  out.account = section.String("account", Need::kRequired).value_or("");
  if (std::optional<std::vector<ListItem>> items =
          section.StringList("warehouses", Need::kRequired)) {
    for (ListItem& item : *items) {
      out.warehouses.push_back(std::move(item.value));
    }
  }
  if (std::optional<std::vector<ListItem>> items =
          section.StringList("automation_ids", Need::kOptional)) {
    for (ListItem& item : *items) {
      out.automation_ids.push_back(std::move(item.value));
    }
  }
  ReadDate(section, "client_secret_expires", out.client_secret_expires);
  section.ReportUnknownKeys("key");
}

void ReadServer(Section& section, const EnvLookup& env, ServerConfig& out) {
  if (std::optional<std::string> listen = section.String("listen", Need::kOptional)) {
    if (IsIpAddress(*listen)) {
      out.listen = *listen;
    } else {
      section.Report("listen", fmt::format("'{}' is not an IP address such as 127.0.0.1, 0.0.0.0 "
                                           "or ::1",
                                           *listen));
    }
  }
  if (std::optional<std::int64_t> port = section.Integer("port", 1, 65535)) {
    out.port = static_cast<std::uint16_t>(*port);
  }
  out.api_token =
      section.ReadSecret("api_token", "SELLERBRIDGE_SERVER_API_TOKEN", Need::kOptional, env);
  out.webhook_token = section.ReadSecret("webhook_token", "SELLERBRIDGE_SERVER_WEBHOOK_TOKEN",
                                         Need::kOptional, env);
  constexpr std::size_t kMinWebhookToken = 24;
  const std::string& webhook = out.webhook_token.Reveal();
  if (!webhook.empty() && (webhook.size() < kMinWebhookToken ||
                           !std::all_of(webhook.begin(), webhook.end(), [](char c) {
                             return std::isalnum(static_cast<unsigned char>(c)) || c == '-' ||
                                    c == '_';
                           }))) {
    section.Report("webhook_token",
                   fmt::format("must be at least {} letters, digits, '-' or '_' (it is the secret "
                               "part of the webhook URL)",
                               kMinWebhookToken));
  }
  section.ReportUnknownKeys("key");
}

// The duration at `key` within [min, max], into `out`; a problem otherwise.
void ReadDuration(Section& section, std::string_view key, Duration min, Duration max,
                  Duration& out) {
  std::optional<std::string> text = section.String(key, Need::kOptional);
  if (!text) {
    return;
  }
  const std::string range = fmt::format("{}..{}", FormatDuration(min), FormatDuration(max));
  if (CountTooLargeForAnyCadence(*text)) {
    section.Report(key, fmt::format("'{}' is out of range {}", *text, range));
    return;
  }
  Result<Duration> duration = ParseDuration(*text);
  if (!duration.ok()) {
    section.Report(key, duration.status().message());
  } else if (*duration < min || *duration > max) {
    section.Report(key, fmt::format("'{}' is out of range {}", *text, range));
  } else {
    out = *duration;
  }
}

void ReadSchedules(Section& section, SchedulesConfig& out) {
  for (const Cadence& cadence : kCadences) {
    ReadDuration(section, cadence.job, cadence.min, cadence.max, out.*cadence.field);
  }
  section.ReportUnknownKeys("job");
}

void ReadLogging(Section& section, LoggingConfig& out) {
  if (std::optional<std::string> format = section.String("format", Need::kOptional)) {
    Result<LogFormat> parsed = ParseLogFormat(*format);
    if (parsed.ok()) {
      out.format = *parsed;
    } else {
      section.Report("format",
                     fmt::format("'{}' is not a log format; expected text or json", *format));
    }
  }
  if (std::optional<std::string> level = section.String("level", Need::kOptional)) {
    const bool allowed =
        std::find(kLogLevels.begin(), kLogLevels.end(), *level) != kLogLevels.end();
    Result<spdlog::level::level_enum> parsed = ParseLogLevel(*level);
    if (allowed && parsed.ok()) {
      out.level = *parsed;
    } else {
      section.Report("level", fmt::format("'{}' is not a log level; expected trace, debug, info, "
                                          "warn or error",
                                          *level));
    }
  }
  section.ReportUnknownKeys("key");
}

void ReadRetention(Section& section, RetentionConfig& out) {
  if (std::optional<std::int64_t> days_kept = section.Integer("buyer_data_days", 1, 3650)) {
    out.buyer_data_days = static_cast<int>(*days_kept);
  }
  section.ReportUnknownKeys("key");
}

void ReadOrders(Section& section, OrdersConfig& out) {
  ReadDuration(section, "lookback", minutes{1}, days{30}, out.lookback);
  ReadDuration(section, "overlap", Duration::zero(), days{1}, out.overlap);
  if (std::optional<std::string> rule = section.String("label_rule", Need::kOptional)) {
    if (*rule == "cheapest") {
      out.label_rule = LabelRule::kCheapest;
    } else if (*rule == "fastest") {
      out.label_rule = LabelRule::kFastest;
    } else {
      section.Report("label_rule",
                     fmt::format("'{}' is not a label rule; expected cheapest or fastest", *rule));
    }
  }
  if (std::optional<std::vector<ListItem>> items =
          section.StringList("buy_shipping_service_levels", Need::kOptional)) {
    for (ListItem& item : *items) {
      out.buy_shipping_service_levels.push_back(std::move(item.value));
    }
  }
  const std::array<std::pair<std::string_view, std::string ShipFromConfig::*>, 9> ship_from = {{
      {"ship_from_name", &ShipFromConfig::name},
      {"ship_from_line1", &ShipFromConfig::line1},
      {"ship_from_line2", &ShipFromConfig::line2},
      {"ship_from_city", &ShipFromConfig::city},
      {"ship_from_state_or_region", &ShipFromConfig::state_or_region},
      {"ship_from_postal_code", &ShipFromConfig::postal_code},
      {"ship_from_country_code", &ShipFromConfig::country_code},
      {"ship_from_email", &ShipFromConfig::email},
      {"ship_from_phone", &ShipFromConfig::phone},
  }};
  for (const auto& [key, field] : ship_from) {
    if (std::optional<std::string> value = section.String(key, Need::kOptional)) {
      out.ship_from.*field = std::move(*value);
    }
  }
  const std::string& country = out.ship_from.country_code;
  if (!country.empty() &&
      (country.size() != 2 ||
       !std::all_of(country.begin(), country.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))) {
    section.Report("ship_from_country_code",
                   fmt::format("'{}' is not an ISO 3166-1 alpha-2 code such as GB", country));
  }
  const std::array<std::tuple<std::string_view, int OrdersConfig::*, std::int64_t>, 5> numbers = {{
      {"parcel_length_cm", &OrdersConfig::parcel_length_cm, 300},
      {"parcel_width_cm", &OrdersConfig::parcel_width_cm, 300},
      {"parcel_height_cm", &OrdersConfig::parcel_height_cm, 300},
      {"parcel_weight_g", &OrdersConfig::parcel_weight_g, 70000},
      {"clarus_workers", &OrdersConfig::clarus_workers, 64},
  }};
  for (const auto& [key, field, max] : numbers) {
    if (std::optional<std::int64_t> value = section.Integer(key, 1, max)) {
      out.*field = static_cast<int>(*value);
    }
  }
  section.ReportUnknownKeys("key");
}

// Units in a stock policy: up to a billion, far beyond any shelf, so that no
// arithmetic on them comes near overflowing.
constexpr std::int64_t kMaxPolicyUnits = 1'000'000'000;

// Reads the stock policy keys of `section` over `out`, which holds the values
// of the keys left out.
void ReadStockPolicy(Section& section, domain::StockPolicy& out) {
  if (std::optional<std::string> buffer = section.String("buffer", Need::kOptional)) {
    Result<domain::BufferKind> kind = domain::ParseBufferKind(*buffer);
    if (kind.ok()) {
      out.buffer = *kind;
    } else {
      section.Report("buffer", fmt::format("'{}' is not a buffer kind; expected none, fixed, "
                                           "percent or velocity",
                                           *buffer));
    }
  }
  if (std::optional<double> percent = section.Number("buffer_percent")) {
    if (*percent < 0 || *percent > 100) {
      section.Report("buffer_percent", fmt::format("{} is out of range 0..100", *percent));
    } else {
      out.buffer_percent = *percent;
    }
  }
  const std::array<std::pair<std::string_view, std::int64_t domain::StockPolicy::*>, 3> units = {{
      {"buffer_units", &domain::StockPolicy::buffer_units},
      {"zero_at_or_below", &domain::StockPolicy::zero_at_or_below},
      {"min_quantity", &domain::StockPolicy::min_quantity},
  }};
  for (const auto& [key, field] : units) {
    if (std::optional<std::int64_t> value = section.Integer(key, 0, kMaxPolicyUnits)) {
      out.*field = *value;
    }
  }
  if (std::optional<std::int64_t> max = section.Integer("max_quantity", 0, kMaxPolicyUnits)) {
    out.max_quantity = *max;
  }
  if (out.max_quantity && *out.max_quantity < out.min_quantity) {
    // Reported where the section sets one of the two; when it inherits both,
    // [stock.default] reports it.
    const std::string message = fmt::format("max_quantity {} is below min_quantity {}",
                                            *out.max_quantity, out.min_quantity);
    if (section.Get("max_quantity") != nullptr) {
      section.Report("max_quantity", message);
    } else if (section.Get("min_quantity") != nullptr) {
      section.Report("min_quantity", message);
    }
  }
}

// Reads the [[stock.rules]] in `node` (nullptr when there are none) into
// `out`; policy keys a rule leaves out take their value from `base`.
void ReadStockRules(Problems& problems, const toml::node* node, const domain::StockPolicy& base,
                    std::vector<domain::StockPolicyRule>& out) {
  if (node == nullptr) {
    return;
  }
  const auto* array = node->as_array();
  if (array == nullptr) {
    problems.Add(node->source(), "stock.rules",
                 fmt::format("expected an array of tables ([[stock.rules]]), found {}",
                             TypeName(node->type())));
    return;
  }
  std::map<std::string, int, std::less<>> sku_lines;  // Each exact SKU's first rule.
  for (const toml::node& element : *array) {
    Section section(problems, "stock.rules", &element);
    if (element.as_table() == nullptr) {
      continue;
    }
    domain::StockPolicyRule rule;
    rule.policy = base;
    if (std::optional<std::string> sku = section.String("sku", Need::kOptional)) {
      const int line = static_cast<int>(section.Get("sku")->source().begin.line);
      if (!domain::IsValidSku(*sku)) {
        section.Report("sku", fmt::format("'{}' is not a valid SKU (1 to 40 characters, no "
                                          "control characters, no leading or trailing space)",
                                          *sku));
      } else if (const auto [it, added] = sku_lines.emplace(*sku, line); !added) {
        section.Report("sku",
                       fmt::format("SKU '{}' has a rule already, at line {}", *sku, it->second));
      } else {
        rule.sku = std::move(*sku);
      }
    }
    if (std::optional<std::string> pattern = section.String("sku_pattern", Need::kOptional)) {
      rule.sku_pattern = std::move(*pattern);
    }
    if (std::optional<std::string> text = section.String("class", Need::kOptional)) {
      Result<domain::VelocityClass> velocity_class = domain::ParseVelocityClass(*text);
      if (velocity_class.ok()) {
        rule.velocity_class = *velocity_class;
      } else {
        section.Report("class",
                       fmt::format("'{}' is not a velocity class; expected A, B or C", *text));
      }
    }
    const bool has_sku = section.Get("sku") != nullptr;
    const bool has_pattern = section.Get("sku_pattern") != nullptr;
    if (has_sku && has_pattern) {
      section.Report("sku_pattern", "a rule takes sku or sku_pattern, not both");
    } else if (!has_sku && !has_pattern && section.Get("class") == nullptr) {
      section.ReportSection("a rule needs sku, sku_pattern or class");
    }
    ReadStockPolicy(section, rule.policy);
    section.ReportUnknownKeys("key");
    // A rule whose every condition was unreadable would match every SKU.
    if (!rule.sku.empty() || !rule.sku_pattern.empty() || rule.velocity_class) {
      out.push_back(std::move(rule));
    }
  }
}

void ReadStock(Problems& problems, Section& section, StockConfig& out) {
  if (std::optional<bool> enabled = section.Boolean("enabled")) {
    out.enabled = *enabled;
  }
  const std::array<std::pair<std::string_view, std::vector<std::string> StockConfig::*>, 2> lists =
      {{
          {"warehouses", &StockConfig::warehouses},
          {"accounts", &StockConfig::accounts},
      }};
  for (const auto& [key, field] : lists) {
    if (std::optional<std::vector<ListItem>> items = section.StringList(key, Need::kOptional)) {
      for (ListItem& item : *items) {
        (out.*field).push_back(std::move(item.value));
      }
    }
  }
  if (std::optional<bool> unified = section.Boolean("unified_quantity")) {
    out.unified_quantity = *unified;
  }
  if (std::optional<std::int64_t> low = section.Integer("low_stock_threshold", 0, 1'000'000)) {
    out.low_stock_threshold = *low;
  }
  if (std::optional<double> rate = section.Number("class_a_units_per_hour")) {
    if (*rate <= 0) {
      section.Report("class_a_units_per_hour", fmt::format("{} is not above 0", *rate));
    } else {
      out.class_a_units_per_hour = *rate;
    }
  }
  ReadDuration(section, "velocity_window", std::chrono::hours{1}, days{30}, out.velocity_window);
  ReadDuration(section, "cadence_a", seconds{10}, days{1}, out.cadence_a);
  ReadDuration(section, "cadence_b", seconds{10}, days{1}, out.cadence_b);
  ReadDuration(section, "cadence_c", seconds{10}, days{1}, out.cadence_c);
  if (std::optional<std::int64_t> threshold = section.Integer("feed_threshold", 1, 25'000)) {
    out.feed_threshold = static_cast<int>(*threshold);
  }
  ReadDuration(section, "feed_stuck_after", minutes{1}, days{1}, out.feed_stuck_after);
  if (std::optional<std::int64_t> sample = section.Integer("drift_sample", 0, 10'000)) {
    out.drift_sample = static_cast<int>(*sample);
  }
  ReadDuration(section, "drift_delay", Duration::zero(), days{1}, out.drift_delay);
  // The default first, whatever the order in the file: rules inherit from it.
  Section default_policy(problems, "stock.default", section.Get("default"));
  ReadStockPolicy(default_policy, out.default_policy);
  default_policy.ReportUnknownKeys("key");
  ReadStockRules(problems, section.Get("rules"), out.default_policy, out.rules);
  section.ReportUnknownKeys("key");
}

// Whether `text` looks like a plain e-mail address, local@domain, with
// nothing that could break out of an SMTP command or header.
bool IsEmailAddress(std::string_view text) {
  const size_t at = text.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == text.size() ||
      text.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  return std::none_of(text.begin(), text.end(), [](char c) {
    return IsSpaceOrControl(c) || c == '<' || c == '>' || c == ',' || c == '"';
  });
}

// Returns why `url` is not an smtp:// or smtps:// URL with a host, or "" if
// it is one.
std::string SmtpUrlProblem(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return "it is not an absolute URL such as smtp://mail.example.com:587";
  }
  const std::string_view scheme = url.substr(0, scheme_end);
  if (scheme != "smtp" && scheme != "smtps") {
    return fmt::format("the scheme is '{}', not smtp or smtps", scheme);
  }
  // Past the scheme, an SMTP URL has the shape of an HTTP one.
  return HttpUrlProblem(fmt::format("http{}", url.substr(scheme_end)));
}

// The value of environment variable `name`, as named by `key`, or nullopt (a
// problem) when it is unset or empty.
std::optional<std::string> NamedEnv(Section& section, std::string_view key, std::string_view name,
                                    const EnvLookup& env) {
  std::optional<std::string> value = env ? env(name) : std::nullopt;
  if (!value || value->empty()) {
    section.Report(key, fmt::format("environment variable {} is not set", name));
    return std::nullopt;
  }
  return value;
}

// Reads the `name` of one of an array's targets into `out`: lower-case
// letters, digits, '_' and '-', unique among `names` (each name's first
// line). False, having reported why, when it is missing, malformed or taken;
// `what` ("webhook", "sink") names the kind in the problem.
bool ReadTargetName(Section& section, std::string_view what,
                    std::map<std::string, int, std::less<>>& names, std::string& out) {
  std::optional<std::string> name = section.String("name", Need::kRequired);
  if (!name) {
    return false;
  }
  const int line = static_cast<int>(section.Get("name")->source().begin.line);
  const bool name_ok = !name->empty() && std::all_of(name->begin(), name->end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
  if (!name_ok) {
    section.Report(
        "name", fmt::format("'{}' is not a name of lower-case letters, digits, '_' or '-'", *name));
    return false;
  }
  if (const auto [it, added] = names.emplace(*name, line); !added) {
    section.Report("name",
                   fmt::format("a {} is named '{}' already, at line {}", what, *name, it->second));
    return false;
  }
  out = std::move(*name);
  return true;
}

// Reads the [[alerts.webhooks]] in `node` (nullptr when there are none) into
// `out`. A webhook URL is never quoted in a problem: it is a secret.
void ReadWebhooks(Problems& problems, const toml::node* node, const EnvLookup& env,
                  std::vector<WebhookTarget>& out) {
  if (node == nullptr) {
    return;
  }
  const auto* array = node->as_array();
  if (array == nullptr) {
    problems.Add(node->source(), "alerts.webhooks",
                 fmt::format("expected an array of tables ([[alerts.webhooks]]), found {}",
                             TypeName(node->type())));
    return;
  }
  std::map<std::string, int, std::less<>> name_lines;  // Each name's first webhook.
  for (const toml::node& element : *array) {
    Section section(problems, "alerts.webhooks", &element);
    if (element.as_table() == nullptr) {
      continue;
    }
    WebhookTarget target;
    bool ok = ReadTargetName(section, "webhook", name_lines, target.name);
    const bool has_url = section.Get("url") != nullptr;
    const bool has_url_env = section.Get("url_env") != nullptr;
    std::optional<std::string> url;
    std::string_view url_key = "url";
    if (has_url && has_url_env) {
      section.Report("url_env", "a webhook takes url or url_env, not both");
    } else if (has_url) {
      url = section.String("url", Need::kOptional);
    } else if (has_url_env) {
      url_key = "url_env";
      if (std::optional<std::string> var = section.String("url_env", Need::kOptional)) {
        url = NamedEnv(section, "url_env", *var, env);
      }
    } else {
      section.ReportSection("a webhook needs url or url_env");
    }
    if (url) {
      RegisterSecret(*url);
      const std::string problem = HttpUrlProblem(*url);
      if (!problem.empty()) {
        section.Report(url_key, fmt::format("the webhook URL is not valid: {}", problem));
        url.reset();
      }
    }
    ok = ok && url.has_value();
    if (url) {
      target.url = Secret(std::move(*url));
    }
    if (std::optional<std::string> format = section.String("format", Need::kOptional)) {
      if (*format == "json") {
        target.format = WebhookFormat::kJson;
      } else if (*format == "slack") {
        target.format = WebhookFormat::kSlack;
      } else {
        section.Report(
            "format", fmt::format("'{}' is not a webhook format; expected json or slack", *format));
      }
    }
    section.ReportUnknownKeys("key");
    if (ok) {
      out.push_back(std::move(target));
    }
  }
}

// Reads [alerts.email] from `section` into `out`, which stays unset when the
// table is absent.
void ReadEmail(Section& section, bool present, const EnvLookup& env,
               std::optional<EmailConfig>& out) {
  if (!present) {
    return;
  }
  EmailConfig email;
  if (std::optional<std::string> url = section.String("smtp_url", Need::kRequired)) {
    const std::string problem = SmtpUrlProblem(*url);
    if (problem.empty()) {
      email.smtp_url = std::move(*url);
    } else {
      section.Report("smtp_url", fmt::format("'{}' is not an SMTP URL: {}", *url, problem));
    }
  }
  if (std::optional<std::string> from = section.String("from", Need::kRequired)) {
    if (IsEmailAddress(*from)) {
      email.from = std::move(*from);
    } else {
      section.Report("from", fmt::format("'{}' is not an e-mail address", *from));
    }
  }
  if (std::optional<std::vector<ListItem>> items = section.StringList("to", Need::kRequired)) {
    for (ListItem& item : *items) {
      if (IsEmailAddress(item.value)) {
        email.to.push_back(std::move(item.value));
      } else {
        section.ReportItem(item, "to", fmt::format("'{}' is not an e-mail address", item.value));
      }
    }
  }
  if (std::optional<std::string> username = section.String("username", Need::kOptional)) {
    email.username = std::move(*username);
  }
  if (std::optional<std::string> var = section.String("password_env", Need::kOptional)) {
    if (email.username.empty() && section.Get("username") == nullptr) {
      section.Report("password_env", "a password needs a username");
    }
    if (std::optional<std::string> password = NamedEnv(section, "password_env", *var, env)) {
      RegisterSecret(*password);
      email.password = Secret(std::move(*password));
    }
  }
  if (std::optional<bool> starttls = section.Boolean("starttls")) {
    email.starttls = *starttls;
    if (*starttls && email.smtp_url.starts_with("smtps:")) {
      section.Report("starttls", "applies to smtp:// URLs only; smtps:// uses TLS from the start");
    }
  }
  section.ReportUnknownKeys("key");
  out = std::move(email);
}

void ReadAlerts(Problems& problems, Section& section, const EnvLookup& env, AlertsConfig& out) {
  using std::chrono::hours;
  ReadDuration(section, "at_risk_within", minutes{1}, days{7}, out.at_risk_within);
  ReadDuration(section, "confirmation_p95", seconds{1}, days{1}, out.confirmation_p95);
  if (std::optional<std::int64_t> cadences = section.Integer("job_missed_cadences", 1, 1000)) {
    out.job_missed_cadences = static_cast<int>(*cadences);
  }
  ReadDuration(section, "credential_expiry_warning", hours{1}, days{90},
               out.credential_expiry_warning);
  ReadWebhooks(problems, section.Get("webhooks"), env, out.webhooks);
  const toml::node* email_node = section.Get("email");
  Section email(problems, "alerts.email", email_node);
  ReadEmail(email, email_node != nullptr && email_node->as_table() != nullptr, env, out.email);
  section.ReportUnknownKeys("key");
}

void ReadMonitor(Section& section, MonitorConfig& out) {
  ReadDuration(section, "at_risk_margin", minutes{1}, days{7}, out.at_risk_margin);
  ReadDuration(section, "verify_after", minutes{1}, days{7}, out.verify_after);
  ReadDuration(section, "performance_report_every", std::chrono::hours{1}, days{7},
               out.performance_report_every);
  section.ReportUnknownKeys("key");
}

// Reads the [[finance.sinks]] in `node` (nullptr when there are none) into
// `out`. A token is never quoted in a problem.
void ReadJournalSinks(Problems& problems, const toml::node* node, const EnvLookup& env,
                      std::vector<JournalSinkConfig>& out) {
  if (node == nullptr) {
    return;
  }
  const auto* array = node->as_array();
  if (array == nullptr) {
    problems.Add(node->source(), "finance.sinks",
                 fmt::format("expected an array of tables ([[finance.sinks]]), found {}",
                             TypeName(node->type())));
    return;
  }
  std::map<std::string, int, std::less<>> name_lines;  // Each name's first sink.
  for (const toml::node& element : *array) {
    Section section(problems, "finance.sinks", &element);
    if (element.as_table() == nullptr) {
      continue;
    }
    JournalSinkConfig sink;
    bool ok = ReadTargetName(section, "sink", name_lines, sink.name);
    if (std::optional<std::string> url = section.String("url", Need::kRequired)) {
      const std::string problem = HttpUrlProblem(*url);
      if (problem.empty()) {
        sink.url = std::move(*url);
      } else {
        section.Report("url", fmt::format("the sink URL is not valid: {}", problem));
        ok = false;
      }
    } else {
      ok = false;
    }
    if (std::optional<std::string> format = section.String("format", Need::kOptional)) {
      if (*format == "json") {
        sink.format = JournalFormat::kJson;
      } else if (*format == "xero") {
        sink.format = JournalFormat::kXero;
      } else {
        section.Report("format",
                       fmt::format("'{}' is not a journal format; expected json or xero", *format));
        ok = false;
      }
    }
    const bool has_token = section.Get("token") != nullptr;
    if (has_token && section.Get("token_env") != nullptr) {
      section.Report("token_env", "a sink takes token or token_env, not both");
    } else if (has_token) {
      if (std::optional<std::string> token = section.String("token", Need::kOptional)) {
        RegisterSecret(*token);
        sink.token = Secret(std::move(*token));
      }
    } else if (std::optional<std::string> var = section.String("token_env", Need::kOptional)) {
      if (std::optional<std::string> token = NamedEnv(section, "token_env", *var, env)) {
        RegisterSecret(*token);
        sink.token = Secret(std::move(*token));
      }
    }
    if (std::optional<std::string> tenant = section.String("tenant_id", Need::kOptional)) {
      sink.tenant_id = std::move(*tenant);
    }
    if (sink.format == JournalFormat::kXero && sink.tenant_id.empty()) {
      section.ReportSection("a xero sink needs tenant_id (the organisation's xero-tenant-id)");
      ok = false;
    }
    if (std::optional<std::string> status = section.String("journal_status", Need::kOptional)) {
      if (*status == "DRAFT" || *status == "POSTED") {
        sink.journal_status = std::move(*status);
      } else {
        section.Report(
            "journal_status",
            fmt::format("'{}' is not a journal status; expected DRAFT or POSTED", *status));
      }
    }
    section.ReportUnknownKeys("key");
    if (ok) {
      out.push_back(std::move(sink));
    }
  }
}

void ReadFinance(Problems& problems, Section& section, const EnvLookup& env, FinanceConfig& out) {
  if (std::optional<std::string> encoding = section.String("encoding", Need::kOptional)) {
    constexpr std::array<std::string_view, 5> kEncodings = {"auto", "utf-8", "iso-8859-1",
                                                            "windows-1252", "shift_jis"};
    if (std::find(kEncodings.begin(), kEncodings.end(), *encoding) != kEncodings.end()) {
      out.encoding = std::move(*encoding);
    } else {
      section.Report("encoding", fmt::format("'{}' is not an encoding; expected auto, utf-8, "
                                             "iso-8859-1, windows-1252 or shift_jis",
                                             *encoding));
    }
  }
  ReadDuration(section, "settle_within", days{1}, days{90}, out.settle_within);
  ReadDuration(section, "first_search", days{1}, days{90}, out.first_search);
  ReadJournalSinks(problems, section.Get("sinks"), env, out.sinks);
  section.ReportUnknownKeys("key");
}

void ReadConfig(const toml::table& root, const EnvLookup& env, Problems& problems, Config& config) {
  for (const auto& [key, value] : root) {
    if (std::find(kSections.begin(), kSections.end(), key.str()) == kSections.end()) {
      std::vector<std::string> names(kSections.begin(), kSections.end());
      problems.Add(key.source(), std::string(key.str()),
                   fmt::format("unknown section; expected one of: {}", JoinNames(names)));
    }
  }
  auto section = [&](std::string_view name) { return Section(problems, name, root.get(name)); };
  Section store = section("store");
  ReadStore(store, config.store);
  Section amazon = section("amazon");
  ReadAmazon(amazon, env, config.amazon);
  Section clarus = section("clarus");
  ReadClarus(clarus, env, config.clarus);
  Section server = section("server");
  ReadServer(server, env, config.server);
  Section schedules = section("schedules");
  ReadSchedules(schedules, config.schedules);
  Section logging = section("logging");
  ReadLogging(logging, config.logging);
  Section retention = section("retention");
  ReadRetention(retention, config.retention);
  Section orders = section("orders");
  ReadOrders(orders, config.orders);
  Section stock = section("stock");
  ReadStock(problems, stock, config.stock);
  Section alerts = section("alerts");
  ReadAlerts(problems, alerts, env, config.alerts);
  Section monitor = section("monitor");
  ReadMonitor(monitor, config.monitor);
  Section finance = section("finance");
  ReadFinance(problems, finance, env, config.finance);
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const Secret& secret) {
  return os << (secret.empty() ? std::string_view("(unset)") : kRedacted);
}

std::string FormatProblem(const ConfigProblem& p) {
  const std::string where = fmt::format("{}:{}:{}: ", p.file, p.line, p.column);
  if (p.key.empty()) {
    return where + p.message;
  }
  const size_t dot = p.key.find('.');
  if (dot == std::string::npos) {
    return fmt::format("{}[{}]: {}", where, p.key, p.message);
  }
  return fmt::format("{}[{}] {}: {}", where, p.key.substr(0, dot), p.key.substr(dot + 1),
                     p.message);
}

EnvLookup SystemEnv() {
  return [](std::string_view name) -> std::optional<std::string> {
    // getenv races only with setenv and putenv, which sellerbridge never calls.
    // NOLINTNEXTLINE(concurrency-mt-unsafe)
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) {
      return std::nullopt;
    }
    return std::string(value);
  };
}

LoadedConfig LoadConfigString(std::string_view text, std::string_view file_name,
                              const EnvLookup& env) {
  LoadedConfig loaded;
  Problems problems(file_name);
  toml::table root;
  try {
    root = toml::parse(text, file_name);
  } catch (const toml::parse_error& error) {
    problems.Add(error.source(), "", std::string(error.description()));
    loaded.problems = std::move(problems).Take();
    return loaded;
  }
  ReadConfig(root, env, problems, loaded.config);
  loaded.problems = std::move(problems).Take();
  return loaded;
}

LoadedConfig LoadConfigFile(const std::filesystem::path& path, const EnvLookup& env) {
  const std::string file_name = path.string();
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    return {{}, {{file_name, 0, 0, "", "is a directory, not a configuration file"}}};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const bool exists = std::filesystem::exists(path, error);
    return {{}, {{file_name, 0, 0, "", exists ? "cannot be read" : "no such file"}}};
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return {{}, {{file_name, 0, 0, "", "cannot be read"}}};
  }
  return LoadConfigString(text.str(), file_name, env);
}

Result<Config> LoadConfig(const std::filesystem::path& path, const EnvLookup& env) {
  LoadedConfig loaded = LoadConfigFile(path, env);
  if (loaded.problems.empty()) {
    return std::move(loaded.config);
  }
  std::string message;
  for (const ConfigProblem& problem : loaded.problems) {
    if (!message.empty()) {
      message += '\n';
    }
    message += FormatProblem(problem);
  }
  return InvalidArgumentError(std::move(message));
}

}  // namespace sellerbridge::config
