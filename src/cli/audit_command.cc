#include "cli/audit_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "cli/mapping_command.h"
#include "monitor/audit.h"
#include "store/store.h"

namespace sellerbridge::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;

}  // namespace

void AuditCommand::AddTo(CLI::App& app) {
  command_ = app.add_subcommand(
      "audit",
      "Audit the whole system at once: unmapped ship methods, SKUs unknown on either side, stale "
      "stock, stuck orders, confirmations and feeds, expiring credentials, slow jobs; exit 1 when "
      "anything is critical (see docs/audit.md)");
  command_->add_option("--config", config_path_, "The TOML configuration file")
      ->required()
      ->check(CLI::ExistingFile);
  command_->add_flag("--json", json_, "Print the report as JSON");
}

bool AuditCommand::Parsed() const { return command_ != nullptr && command_->parsed(); }

int AuditCommand::Run(std::ostream& out, std::ostream& err) const {
  const CommandStore opened = OpenCommandStore("audit", config_path_, err);
  if (opened.exit_code != kExitOk) {
    return opened.exit_code;
  }
  // One snapshot, so that the checks agree with each other, without holding up the daemon.
  auto tx = opened.store->BeginReadOnly();
  if (!tx.ok()) {
    err << fmt::format("sellerbridge audit: cannot read the store: {}\n", tx.status().ToString());
    return kExitFailure;
  }
  const Result<monitor::AuditReport> report =
      monitor::RunAudit(**tx, opened.config, {}, SystemClock::Get()->Now());
  if (!report.ok()) {
    err << fmt::format("sellerbridge audit: {}\n", report.status().ToString());
    return kExitFailure;
  }
  if (json_) {
    out << monitor::AuditReportToJson(*report).dump(2, ' ', false,
                                                    nlohmann::json::error_handler_t::replace)
        << "\n";
  } else {
    out << monitor::FormatAuditReport(*report);
  }
  if (!out.good()) {
    return kExitFailure;
  }
  return report->HasCritical() ? kExitFailure : kExitOk;
}

}  // namespace sellerbridge::cli
