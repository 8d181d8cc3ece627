#pragma once

#include <cstdint>
#include <ostream>
#include <string>

namespace CLI {  // NOLINT(readability-identifier-naming): CLI11's namespace.
class App;
}  // namespace CLI

namespace sellerbridge::cli {

// `sellerbridge exceptions list|retry|resolve|edit`: the items held for a person, from the command
// line (see sync::ExceptionDesk).
//   exceptions list --config FILE [--kind KIND] [--all] [--json]
//                                        the open exceptions (all with --all), a table or JSON
//   exceptions retry ID --config FILE    has the flow try the exception's subject again now
//   exceptions resolve ID --note TEXT --config FILE
//                                        marks it handled, saying how
//   exceptions edit ID --tracking NUMBER --config FILE
//                                        corrects a refused confirmation's tracking number and
//                                        sends it again
// Changes are audited as Actor() says ("cli:<$USER>").
class ExceptionsCommand {
 public:
  // At most this many exceptions are listed, oldest first.
  static constexpr int kListLimit = 1000;

  // Registers the command and its subcommands on `app`, which must outlive this.
  void AddTo(CLI::App& app);

  // Whether the command line chose this command.
  bool Parsed() const;

  // Runs the chosen subcommand, writing results to `out` and messages to `err`. Returns 0 on
  // success; 2 for bad input (a bad configuration, an unknown exception id, an empty note, a
  // tracking number that does not fit the carrier); 1 for other failures, e.g. an exception that
  // is already resolved or cannot be retried, or a store that cannot be opened.
  int Run(std::ostream& out, std::ostream& err) const;

 private:
  CLI::App* command_ = nullptr;
  CLI::App* list_ = nullptr;
  CLI::App* retry_ = nullptr;
  CLI::App* resolve_ = nullptr;
  CLI::App* edit_ = nullptr;
  std::string config_path_;
  std::string kind_;
  bool all_ = false;
  bool json_ = false;
  std::int64_t id_ = 0;
  std::string note_;
  std::string tracking_number_;
};

}  // namespace sellerbridge::cli
