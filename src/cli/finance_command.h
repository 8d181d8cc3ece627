#pragma once

#include <ostream>
#include <string>

namespace CLI {  // NOLINT(readability-identifier-naming): CLI11's namespace.
class App;
}  // namespace CLI

namespace sellerbridge::cli {

// `sellerbridge finance …`: what finance owns (see docs/finance.md).
//   finance accounts list --config FILE [--json]   the account rules in force (stored, or defaults)
//   finance accounts export --config FILE          the rules in force as CSV on stdout
//   finance accounts import FILE.csv --config FILE checks every rule, stores all or nothing, then
//                                                  analyses again the settlements needing attention
//   finance settlements --config FILE [--json]     the stored settlement reports and their state
//   finance journals REPORT --config FILE [--format csv|json]
//                                                  one settlement's journals (by report or
//                                                  settlement id)
//   finance reanalyse --config FILE                analyses again the settlements needing attention
//   finance returns import FILE.csv --config FILE  records returns received (amazon_order_id,
//                                                  received_at), for reconciliation
// Changes are audited as "cli:<$USER>".
class FinanceCommand {
 public:
  // Registers the command on `app`, which must outlive this.
  void AddTo(CLI::App& app);

  // Whether the command line chose this command.
  bool Parsed() const;

  // Runs the chosen subcommand. Returns 0 on success, 1 when the store fails
  // or a settlement still needs attention, 2 for bad input (a configuration
  // file, a CSV file, an unknown report).
  int Run(std::ostream& out, std::ostream& err) const;

 private:
  int AccountsList(std::ostream& out, std::ostream& err) const;
  int AccountsExport(std::ostream& out, std::ostream& err) const;
  int AccountsImport(std::ostream& out, std::ostream& err) const;
  int Settlements(std::ostream& out, std::ostream& err) const;
  int Journals(std::ostream& out, std::ostream& err) const;
  int Reanalyse(std::ostream& out, std::ostream& err) const;
  int ReturnsImport(std::ostream& out, std::ostream& err) const;

  CLI::App* command_ = nullptr;
  CLI::App* accounts_list_ = nullptr;
  CLI::App* accounts_export_ = nullptr;
  CLI::App* accounts_import_ = nullptr;
  CLI::App* settlements_ = nullptr;
  CLI::App* journals_ = nullptr;
  CLI::App* reanalyse_ = nullptr;
  CLI::App* returns_import_ = nullptr;
  std::string config_path_;
  std::string file_;
  std::string report_;
  std::string format_ = "csv";
  bool json_ = false;
};

// `sellerbridge reconcile FILE [--format csv|json] [--config FILE] [--journals OUT.csv]`:
// reads a downloaded settlement file offline, builds its journals and prints what needs a person
// (unreadable rows, unmapped types, a difference to the deposit, and, with --config, the orders
// that do not match the warehouse's dispatch and return records). Without --config it uses the
// default account rules and checks the file alone. Exits 0 when everything balances and matches,
// 1 when something needs attention, 2 for a file that is not a settlement file or a bad
// configuration.
class ReconcileCommand {
 public:
  void AddTo(CLI::App& app);
  bool Parsed() const;
  int Run(std::ostream& out, std::ostream& err) const;

 private:
  CLI::App* command_ = nullptr;
  std::string file_;
  std::string config_path_;
  std::string format_ = "csv";
  std::string journals_path_;
};

}  // namespace sellerbridge::cli
