#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "config/config.h"
#include "store/store.h"

namespace CLI {  // NOLINT(readability-identifier-naming): CLI11's namespace.
class App;
}  // namespace CLI

namespace sellerbridge::cli {

// Who a command run by a person acts as, for the audit log: "cli:<$USER>" ("cli" when USER is
// unset or empty).
std::string Actor();

// The configuration and store a command works on.
struct CommandStore {
  int exit_code = 0;  // 0 when both were opened; otherwise the exit code the command returns.
  config::Config config;
  std::unique_ptr<store::Store> store;
};

// Loads the configuration file `config_path` and opens the store it names, for `sellerbridge
// <command>`. On failure, writes why to `err` and sets exit_code: 2 for a bad configuration file
// (every problem on its own line, then a count) or a bad store url, 1 for another failure.
CommandStore OpenCommandStore(std::string_view command, const std::string& config_path,
                              std::ostream& err);

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
