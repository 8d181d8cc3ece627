#include "cli/mapping_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "config/config.h"
#include "server/mapping_json.h"
#include "store/store.h"
#include "sync/carrier_catalog.h"
#include "sync/connections.h"
#include "sync/ship_method_mappings.h"

namespace sellerbridge::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitBadInput = 2;

// Says plainly what failed; Clarus's errors are those the catalog returns while reading it.
void PrintFailure(std::ostream& err, std::string_view doing, const Status& status,
                  const config::Config& config) {
  switch (status.code()) {
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
      err << fmt::format("sellerbridge mapping {}: Clarus could not be reached at {}: {}\n", doing,
                         config.clarus.graphql_url, status.message());
      return;
    case StatusCode::kUnauthenticated:
    case StatusCode::kPermissionDenied:
      err << fmt::format(
          "sellerbridge mapping {}: Clarus refused the configured credentials ([clarus] client_id "
          "and client_secret): {}\n",
          doing, status.message());
      return;
    default:
      err << fmt::format("sellerbridge mapping {}: {}\n", doing, status.ToString());
  }
}

void PrintTable(std::ostream& out, const std::vector<domain::ShipMethodMapping>& mappings) {
  if (mappings.empty()) {
    out << "no ship-method mappings\n";
    return;
  }
  const std::array<std::string, 6> header = {"MARKETPLACE", "ORDERS ASKING FOR", "PRIME",
                                             "CLARUS",      "AMAZON CARRIER",    "AMAZON METHOD"};
  std::vector<std::array<std::string, 6>> rows = {header};
  for (const domain::ShipMethodMapping& m : mappings) {
    rows.push_back({m->marketplace_id,
                    m->ship_service_level.empty()
                        ? fmt::format("{} / {}", m->automated_carrier, m->automated_ship_method)
                        : m->ship_service_level,
                    m->is_prime ? "yes" : "no",
                    fmt::format("{} {}", m->clarus_carrier, m->clarus_service),
                    m->amazon_carrier_name.empty()
                        ? m->amazon_carrier_code
                        : fmt::format("{} ({})", m->amazon_carrier_code, m->amazon_carrier_name),
                    m->amazon_shipping_method});
  }
  std::array<std::size_t, 6> widths{};
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += i + 1 == row.size() ? row[i] : fmt::format("{:<{}}  ", row[i], widths[i]);
    }
    out << line << "\n";
  }
}

}  // namespace

std::string Actor() {
  const std::optional<std::string> user = config::SystemEnv()("USER");
  return user.has_value() && !user->empty() ? "cli:" + *user : "cli";
}

CommandStore OpenCommandStore(std::string_view command, const std::string& config_path,
                              std::ostream& err) {
  CommandStore opened;
  config::LoadedConfig loaded = config::LoadConfigFile(config_path);
  if (!loaded.problems.empty()) {
    for (const config::ConfigProblem& problem : loaded.problems) {
      err << config::FormatProblem(problem) << "\n";
    }
    err << fmt::format("{}: {} problem{}\n", config_path, loaded.problems.size(),
                       loaded.problems.size() == 1 ? "" : "s");
    opened.exit_code = kExitBadInput;
    return opened;
  }
  opened.config = std::move(loaded.config);
  auto store = store::OpenStore(opened.config.store.url, SystemClock::Get());
  if (!store.ok()) {
    err << fmt::format("sellerbridge {}: cannot open the store: {}\n", command,
                       store.status().ToString());
    opened.exit_code =
        store.status().code() == StatusCode::kInvalidArgument ? kExitBadInput : kExitFailure;
    return opened;
  }
  opened.store = std::move(store).value();
  return opened;
}

void MappingCommand::AddTo(CLI::App& app) {
  command_ = app.add_subcommand(
      "mapping",
      "Manage the ship-method mappings (Amazon ship method -> Clarus carrier and service, Amazon "
      "carrier code); see docs/mappings.md");
  command_->require_subcommand(1);
  const auto add_config = [this](CLI::App* sub) {
    sub->add_option("--config", config_path_, "The TOML configuration file")
        ->required()
        ->check(CLI::ExistingFile);
  };
  list_ = command_->add_subcommand("list", "Print the stored mappings");
  add_config(list_);
  list_->add_flag("--json", json_, "Print them as JSON");
  import_ = command_->add_subcommand(
      "import",
      "Check every row of a CSV file against Amazon's carrier codes and Clarus's carriers, then "
      "store them all, or nothing if any row is wrong");
  import_->add_option("FILE", file_, "The CSV file")->required();
  add_config(import_);
  import_->add_flag("--replace", replace_, "Also delete the stored mappings the file leaves out");
  export_ = command_->add_subcommand("export", "Write the stored mappings as CSV to stdout");
  add_config(export_);
}

bool MappingCommand::Parsed() const { return command_ != nullptr && command_->parsed(); }

int MappingCommand::Run(std::ostream& out, std::ostream& err) const {
  const CommandStore opened = OpenCommandStore("mapping", config_path_, err);
  if (opened.exit_code != kExitOk) {
    return opened.exit_code;
  }
  const config::Config& config = opened.config;
  Clock* clock = SystemClock::Get();
  const std::unique_ptr<sync::Connections> connections = sync::Connections::Create(config, clock);
  sync::CarrierCatalog catalog(connections->carriers.get(), clock);
  sync::ShipMethodMappings mappings(opened.store.get(), &catalog, clock);

  if (import_->parsed()) {
    std::ifstream file(file_, std::ios::binary);
    std::ostringstream text;
    if (file.is_open()) {
      text << file.rdbuf();
    }
    if (!file.is_open() || file.bad()) {
      err << fmt::format("{}: cannot read the file\n", file_);
      return kExitBadInput;
    }
    const Result<sync::MappingImportReport> report =
        mappings.Import(text.str(), file_, Actor(), replace_);
    if (report.status().code() == StatusCode::kInvalidArgument) {
      const std::string& message = report.status().message();
      err << message << "\n";
      const auto count = std::count(message.begin(), message.end(), '\n') + 1;
      err << fmt::format("{}: {} problem{}; nothing was imported\n", file_, count,
                         count == 1 ? "" : "s");
      return kExitBadInput;
    }
    if (!report.ok()) {
      PrintFailure(err, "import", report.status(), config);
      err << "nothing was imported\n";
      return kExitFailure;
    }
    out << fmt::format("{}: {} added, {} changed, {} unchanged", file_, report->added,
                       report->changed, report->unchanged);
    if (replace_) {
      out << fmt::format(", {} removed", report->removed);
    }
    out << "\n";
    return kExitOk;
  }

  const Result<std::vector<domain::ShipMethodMapping>> listed = mappings.List();
  if (!listed.ok()) {
    PrintFailure(err, export_->parsed() ? "export" : "list", listed.status(), config);
    return kExitFailure;
  }
  if (export_->parsed()) {
    out << sync::ShipMethodMappings::ExportCsv(*listed);
  } else if (json_) {
    nlohmann::json array = nlohmann::json::array();
    for (const domain::ShipMethodMapping& mapping : *listed) {
      array.push_back(server::MappingToJson(mapping));
    }
    out << nlohmann::json{{"mappings", std::move(array)}}.dump(
               2, ' ', false, nlohmann::json::error_handler_t::replace)
        << "\n";
  } else {
    PrintTable(out, *listed);
  }
  return out.good() ? kExitOk : kExitFailure;
}

}  // namespace sellerbridge::cli
