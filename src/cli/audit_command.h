#pragma once

#include <ostream>
#include <string>

namespace CLI {  // NOLINT(readability-identifier-naming): CLI11's namespace.
class App;
}  // namespace CLI

namespace sellerbridge::cli {

// `sellerbridge audit --config FILE [--json]`: the system audit as one command (see
// monitor::RunAudit and docs/audit.md). Reads the store the configuration names; changes nothing.
class AuditCommand {
 public:
  // Registers the command on `app`, which must outlive this.
  void AddTo(CLI::App& app);

  // Whether the command line chose this command.
  bool Parsed() const;

  // Audits the store as of now and writes the report to `out` (readable text, or JSON with
  // --json) and messages to `err`. Returns 0 when nothing is critical (warnings included); 1 when
  // something is critical, or when the audit could not run (the store cannot be opened or read:
  // then `err` says why and `out` stays empty); 2 for a bad configuration file or store url.
  int Run(std::ostream& out, std::ostream& err) const;

 private:
  CLI::App* command_ = nullptr;
  std::string config_path_;
  bool json_ = false;
};

}  // namespace sellerbridge::cli
