#include "cli/finance_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/clock.h"
#include "base/status_macros.h"
#include "base/time_format.h"
#include "cli/mapping_command.h"
#include "finance/accounts.h"
#include "finance/analysis.h"
#include "finance/journal_export.h"
#include "finance/reconcile.h"
#include "finance/returns.h"
#include "finance/settlements.h"
#include "store/store.h"

namespace sellerbridge::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitBadInput = 2;

constexpr int kAllSettlements = 100'000;

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return NotFoundError(fmt::format("cannot read {}", path));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

int ExitFor(const Status& status) {
  if (status.ok()) {
    return kExitOk;
  }
  return status.code() == StatusCode::kInvalidArgument || status.code() == StatusCode::kNotFound
             ? kExitBadInput
             : kExitFailure;
}

// Runs `body` on the store of the configuration, reporting a failure as
// "sellerbridge finance <command>: …".
template <typename Body>
int WithStore(std::string_view command, const std::string& config_path, std::ostream& err,
              Body body) {
  const CommandStore opened = OpenCommandStore(command, config_path, err);
  if (opened.exit_code != kExitOk) {
    return opened.exit_code;
  }
  const Status status = body(opened);
  if (!status.ok()) {
    err << fmt::format("sellerbridge {}: {}\n", command, status.ToString());
  }
  return ExitFor(status);
}

std::string OptionalDate(const std::optional<TimePoint>& t) {
  return t ? FormatIso8601(*t).substr(0, 10) : "-";
}

}  // namespace

void FinanceCommand::AddTo(CLI::App& app) {
  command_ = app.add_subcommand(
      "finance", "Settlements, journals and the ledger account rules (see docs/finance.md)");
  command_->require_subcommand(1);
  command_->add_option("--config", config_path_, "The TOML configuration file")
      ->required()
      ->check(CLI::ExistingFile);
  CLI::App* accounts = command_->add_subcommand("accounts", "The ledger account rules");
  accounts->require_subcommand(1);
  accounts_list_ = accounts->add_subcommand("list", "The rules in force (stored, or defaults)");
  accounts_list_->add_flag("--json", json_, "Print JSON");
  accounts_export_ = accounts->add_subcommand("export", "The rules in force as CSV on stdout");
  accounts_import_ = accounts->add_subcommand(
      "import",
      "Replace the rules with a CSV file's (all or nothing), then analyse again the "
      "settlements needing attention");
  accounts_import_->add_option("FILE", file_, "The CSV file")->required()->check(CLI::ExistingFile);
  settlements_ = command_->add_subcommand("settlements", "The stored settlement reports");
  settlements_->add_flag("--json", json_, "Print JSON");
  journals_ = command_->add_subcommand("journals", "One settlement's journals");
  journals_->add_option("REPORT", report_, "A report id or a settlement id")->required();
  journals_->add_option("--format", format_, "csv (default) or json")
      ->check(CLI::IsMember({"csv", "json"}));
  reanalyse_ = command_->add_subcommand(
      "reanalyse", "Analyse again every settlement needing attention with the current rules");
  CLI::App* returns = command_->add_subcommand("returns", "Returns received at the warehouse");
  returns->require_subcommand(1);
  returns_import_ = returns->add_subcommand(
      "import", "Record the returns of a CSV file (columns amazon_order_id, received_at)");
  returns_import_->add_option("FILE", file_, "The CSV file")->required()->check(CLI::ExistingFile);
}

bool FinanceCommand::Parsed() const { return command_ != nullptr && command_->parsed(); }

int FinanceCommand::Run(std::ostream& out, std::ostream& err) const {
  if (accounts_list_->parsed()) {
    return AccountsList(out, err);
  }
  if (accounts_export_->parsed()) {
    return AccountsExport(out, err);
  }
  if (accounts_import_->parsed()) {
    return AccountsImport(out, err);
  }
  if (settlements_->parsed()) {
    return Settlements(out, err);
  }
  if (journals_->parsed()) {
    return Journals(out, err);
  }
  if (reanalyse_->parsed()) {
    return Reanalyse(out, err);
  }
  return ReturnsImport(out, err);
}

int FinanceCommand::AccountsList(std::ostream& out, std::ostream& err) const {
  return WithStore("finance accounts list", config_path_, err, [&](const CommandStore& opened) {
    ASSIGN_OR_RETURN(auto tx, opened.store->BeginReadOnly());
    ASSIGN_OR_RETURN(const std::vector<store::FinanceAccountRule> stored_rules,
                     tx->ListFinanceAccountRules());
    const bool stored = !stored_rules.empty();
    ASSIGN_OR_RETURN(const finance::AccountMap accounts, finance::LoadAccountMap(*tx));
    if (json_) {
      nlohmann::json rules = nlohmann::json::array();
      for (const finance::AccountRule& rule : accounts.Rules()) {
        rules.push_back({{"transaction_type", rule.transaction_type},
                         {"amount_type", rule.amount_type},
                         {"amount_description", rule.amount_description},
                         {"account_code", rule.account.code},
                         {"account_name", rule.account.name}});
      }
      out << nlohmann::json{{"source", stored ? "stored" : "defaults"}, {"rules", rules}}.dump(2)
          << "\n";
      return Status::Ok();
    }
    out << fmt::format("{} account rules ({}):\n", accounts.Rules().size(),
                       stored ? "stored" : "the defaults; none stored");
    out << fmt::format("{:<24} {:<30} {:<34} {:<8} {}\n", "transaction-type", "amount-type",
                       "amount-description", "code", "account");
    for (const finance::AccountRule& rule : accounts.Rules()) {
      out << fmt::format("{:<24} {:<30} {:<34} {:<8} {}\n", rule.transaction_type, rule.amount_type,
                         rule.amount_description, rule.account.code, rule.account.name);
    }
    return Status::Ok();
  });
}

int FinanceCommand::AccountsExport(std::ostream& out, std::ostream& err) const {
  return WithStore("finance accounts export", config_path_, err, [&](const CommandStore& opened) {
    ASSIGN_OR_RETURN(auto tx, opened.store->BeginReadOnly());
    ASSIGN_OR_RETURN(const finance::AccountMap accounts, finance::LoadAccountMap(*tx));
    out << finance::AccountRulesToCsv(accounts.Rules());
    return Status::Ok();
  });
}

int FinanceCommand::AccountsImport(std::ostream& out, std::ostream& err) const {
  return WithStore("finance accounts import", config_path_, err, [&](const CommandStore& opened) {
    ASSIGN_OR_RETURN(const std::string text, ReadFile(file_));
    ASSIGN_OR_RETURN(std::vector<finance::AccountRule> rules,
                     finance::ParseAccountRulesCsv(text, file_));
    // Validated as a whole before anything is stored.
    ASSIGN_OR_RETURN(const finance::AccountMap accounts, finance::AccountMap::FromRules(rules));
    {
      ASSIGN_OR_RETURN(auto tx, opened.store->Begin());
      RETURN_IF_ERROR(tx->ReplaceFinanceAccountRules(finance::ToStoreRules(accounts.Rules())));
      RETURN_IF_ERROR(tx->AppendAudit({.at = SystemClock::Get()->Now(),
                                       .actor = Actor(),
                                       .action = "finance.accounts_imported",
                                       .subject = "finance:accounts",
                                       .details = fmt::format("{} rules from {}",
                                                              accounts.Rules().size(), file_)})
                          .status());
      RETURN_IF_ERROR(tx->Commit());
    }
    finance::SettlementBook book(opened.config.finance, opened.store.get(), SystemClock::Get(),
                                 nullptr, {});
    ASSIGN_OR_RETURN(const int balanced, book.Reanalyse());
    out << fmt::format("stored {} account rules; {} settlement{} needing attention balance now\n",
                       accounts.Rules().size(), balanced, balanced == 1 ? "" : "s");
    return Status::Ok();
  });
}

int FinanceCommand::Settlements(std::ostream& out, std::ostream& err) const {
  return WithStore("finance settlements", config_path_, err, [&](const CommandStore& opened) {
    ASSIGN_OR_RETURN(auto tx, opened.store->BeginReadOnly());
    ASSIGN_OR_RETURN(const std::vector<store::SettlementReport> reports,
                     tx->ListSettlementReports({.limit = kAllSettlements}));
    if (json_) {
      nlohmann::json list = nlohmann::json::array();
      for (const store::SettlementReport& report : reports) {
        list.push_back(finance::SettlementReportToJson(report));
      }
      out << nlohmann::json{{"settlements", std::move(list)}}.dump(2) << "\n";
      return Status::Ok();
    }
    out << fmt::format("{:<12} {:<12} {:<15} {:<23} {:>14} {:<4} {}\n", "report", "settlement",
                       "state", "period", "deposit", "", "difference");
    for (const store::SettlementReport& report : reports) {
      out << fmt::format(
          "{:<12} {:<12} {:<15} {:<23} {:>14} {:<4} {}\n", report.report_id, report.settlement_id,
          store::SettlementStateName(report.state),
          fmt::format("{}..{}", OptionalDate(report.start), OptionalDate(report.end)),
          finance::FormatMinor(report.total_minor, 2), report.currency,
          report.difference_minor == 0 ? std::string("-")
                                       : finance::FormatMinor(report.difference_minor, 2));
    }
    return Status::Ok();
  });
}

int FinanceCommand::Journals(std::ostream& out, std::ostream& err) const {
  return WithStore("finance journals", config_path_, err, [&](const CommandStore& opened) {
    ASSIGN_OR_RETURN(auto tx, opened.store->BeginReadOnly());
    ASSIGN_OR_RETURN(const finance::SettlementAnalysis analysis,
                     finance::AnalyseStoredSettlement(*tx, report_, opened.config.finance));
    out << (format_ == "json" ? finance::JournalsToJson(analysis.journals).dump(2) + "\n"
                              : finance::JournalsToCsv(analysis.journals));
    return Status::Ok();
  });
}

int FinanceCommand::Reanalyse(std::ostream& out, std::ostream& err) const {
  int still_waiting = 0;
  const int code =
      WithStore("finance reanalyse", config_path_, err, [&](const CommandStore& opened) {
        finance::SettlementBook book(opened.config.finance, opened.store.get(), SystemClock::Get(),
                                     nullptr, {});
        ASSIGN_OR_RETURN(const int balanced, book.Reanalyse());
        ASSIGN_OR_RETURN(auto tx, opened.store->BeginReadOnly());
        ASSIGN_OR_RETURN(const auto waiting, tx->ListSettlementReports(
                                                 {.state = store::SettlementState::kNeedsAttention,
                                                  .limit = kAllSettlements}));
        still_waiting = static_cast<int>(waiting.size());
        out << fmt::format("{} settlement{} balance now; {} still need{} attention\n", balanced,
                           balanced == 1 ? "" : "s", still_waiting, still_waiting == 1 ? "s" : "");
        return Status::Ok();
      });
  return code == kExitOk && still_waiting > 0 ? kExitFailure : code;
}

int FinanceCommand::ReturnsImport(std::ostream& out, std::ostream& err) const {
  return WithStore("finance returns import", config_path_, err, [&](const CommandStore& opened) {
    ASSIGN_OR_RETURN(const std::string text, ReadFile(file_));
    ASSIGN_OR_RETURN(const std::vector<store::ReturnReceipt> receipts,
                     finance::ParseReturnsCsv(text, file_));
    ASSIGN_OR_RETURN(auto tx, opened.store->Begin());
    int added = 0;
    for (const store::ReturnReceipt& receipt : receipts) {
      ASSIGN_OR_RETURN(const bool created, tx->RecordReturnReceipt(receipt));
      added += created ? 1 : 0;
    }
    RETURN_IF_ERROR(tx->AppendAudit({.at = SystemClock::Get()->Now(),
                                     .actor = Actor(),
                                     .action = "finance.returns_imported",
                                     .subject = "finance:returns",
                                     .details = fmt::format("{} new of {} from {}", added,
                                                            receipts.size(), file_)})
                        .status());
    RETURN_IF_ERROR(tx->Commit());
    out << fmt::format("recorded {} returns ({} already known)\n", added,
                       receipts.size() - static_cast<std::size_t>(added));
    return Status::Ok();
  });
}

void ReconcileCommand::AddTo(CLI::App& app) {
  command_ = app.add_subcommand(
      "reconcile",
      "Read a downloaded settlement file offline: its journals and what needs a person");
  command_->add_option("FILE", file_, "The settlement flat file (V2)")
      ->required()
      ->check(CLI::ExistingFile);
  command_->add_option("--format", format_, "csv (default) or json")
      ->check(CLI::IsMember({"csv", "json"}));
  command_
      ->add_option("--config", config_path_,
                   "The TOML configuration file: its account rules and the warehouse's "
                   "dispatch records are used")
      ->check(CLI::ExistingFile);
  command_->add_option("--journals", journals_path_, "Also write the journals as CSV to this file");
}

bool ReconcileCommand::Parsed() const { return command_ != nullptr && command_->parsed(); }

int ReconcileCommand::Run(std::ostream& out, std::ostream& err) const {
  const Result<std::string> text = ReadFile(file_);
  if (!text.ok()) {
    err << fmt::format("sellerbridge reconcile: {}\n", text.status().message());
    return kExitBadInput;
  }
  finance::AccountMap accounts = finance::AccountMap::Defaults();
  finance::ParseOptions options;
  finance::WarehouseRecords warehouse;
  Duration settle_within = config::FinanceConfig{}.settle_within;
  const bool with_store = !config_path_.empty();
  if (with_store) {
    const CommandStore opened = OpenCommandStore("reconcile", config_path_, err);
    if (opened.exit_code != kExitOk) {
      return opened.exit_code;
    }
    settle_within = opened.config.finance.settle_within;
    const Status loaded = [&]() -> Status {
      ASSIGN_OR_RETURN(options, finance::ParseOptionsFor(opened.config.finance));
      ASSIGN_OR_RETURN(auto tx, opened.store->BeginReadOnly());
      ASSIGN_OR_RETURN(accounts, finance::LoadAccountMap(*tx));
      ASSIGN_OR_RETURN(warehouse, finance::LoadWarehouseRecords(*tx));
      return Status::Ok();
    }();
    if (!loaded.ok()) {
      err << fmt::format("sellerbridge reconcile: {}\n", loaded.ToString());
      return ExitFor(loaded);
    }
  }
  const Result<finance::SettlementAnalysis> analysis =
      finance::AnalyseSettlement(*text, accounts, options);
  if (!analysis.ok()) {
    err << fmt::format("sellerbridge reconcile: {}: {}\n", file_, analysis.status().message());
    return kExitBadInput;
  }
  std::vector<finance::Finding> findings;
  if (with_store) {
    findings =
        finance::Reconcile({&*analysis}, warehouse, SystemClock::Get()->Now(), settle_within);
  }
  if (!journals_path_.empty()) {
    std::ofstream journals(journals_path_, std::ios::binary | std::ios::trunc);
    journals << finance::JournalsToCsv(analysis->journals);
    if (!journals) {
      err << fmt::format("sellerbridge reconcile: cannot write {}\n", journals_path_);
      return kExitFailure;
    }
  }
  out << (format_ == "json" ? finance::ReconciliationToJson(*analysis, findings).dump(2) + "\n"
                            : finance::ReconciliationToCsv(*analysis, findings));
  if (!out.good()) {
    return kExitFailure;
  }
  return analysis->NeedsAttention() || !findings.empty() ? kExitFailure : kExitOk;
}

}  // namespace sellerbridge::cli
