#pragma once

#include <ostream>
#include <string>

namespace CLI {  // NOLINT(readability-identifier-naming): CLI11's namespace.
class App;
}  // namespace CLI

namespace sellerbridge::cli {

// `sellerbridge mapping list|import|export`: the ship-method mappings from the command line.
//   mapping list --config FILE [--json]             the stored mappings, a table or JSON
//   mapping import FILE.csv --config FILE [--replace]
//                                                   checks every row, then stores all or nothing
//   mapping export --config FILE                    the stored mappings as CSV on stdout
// Changes are audited as "cli:<$USER>" ("cli" when USER is unset).
class MappingCommand {
 public:
  // Registers the command and its subcommands on `app`, which must outlive this.
  void AddTo(CLI::App& app);

  // Whether the command line chose this command.
  bool Parsed() const;

  // Runs the chosen subcommand, writing results to `out` and messages to `err`. Returns 0 on
  // success; 2 for bad input (a bad configuration, an unreadable or invalid CSV file: every problem
  // on its own line of `err`); 1 for other failures, e.g. Clarus or the store unreachable.
  int Run(std::ostream& out, std::ostream& err) const;

 private:
  CLI::App* command_ = nullptr;
  CLI::App* list_ = nullptr;
  CLI::App* import_ = nullptr;
  CLI::App* export_ = nullptr;
  std::string config_path_;
  std::string file_;
  bool json_ = false;
  bool replace_ = false;
};

}  // namespace sellerbridge::cli
