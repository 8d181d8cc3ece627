#pragma once

#include <cstdint>
#include <ostream>
#include <string>

namespace CLI {  // NOLINT(readability-identifier-naming): CLI11's namespace.
class App;
}  // namespace CLI

namespace sellerbridge::cli {

// `sellerbridge tokens create|list|revoke --config FILE`: the API tokens (see docs/api.md).
// - create --name NAME --role ops|ecommerce|finance|admin: prints the new token once; only its
//   SHA-256 is stored;
// - list [--json]: every token with its role, creator, last use and revocation, never a token
//   or a hash;
// - revoke ID: the token stops working at once.
// Changes are audited with the operator as actor ("cli:<user>").
class TokensCommand {
 public:
  // Registers the command on `app`, which must outlive this.
  void AddTo(CLI::App& app);

  // Whether the command line chose this command.
  bool Parsed() const;

  // Runs the chosen subcommand, writing results to `out` and problems to `err`. Returns 0 on
  // success, 1 when the store fails or the token to revoke is unknown or already revoked, 2 for
  // a bad configuration file or store url.
  int Run(std::ostream& out, std::ostream& err) const;

 private:
  int Create(std::ostream& out, std::ostream& err) const;
  int List(std::ostream& out, std::ostream& err) const;
  int Revoke(std::ostream& out, std::ostream& err) const;

  CLI::App* command_ = nullptr;
  CLI::App* create_ = nullptr;
  CLI::App* list_ = nullptr;
  CLI::App* revoke_ = nullptr;
  std::string config_path_;
  std::string name_;
  std::string role_;
  bool json_ = false;
  std::int64_t id_ = 0;
};

}  // namespace sellerbridge::cli
