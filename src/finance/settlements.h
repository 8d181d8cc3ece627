#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "amazon/reports_api.h"
#include "base/clock.h"
#include "base/result.h"
#include "config/config.h"
#include "finance/accounts.h"
#include "finance/analysis.h"
#include "finance/journal_sink.h"
#include "finance/settlement_file.h"
#include "store/store.h"

namespace sellerbridge::finance {

// The exception kind a settlement needing attention is held under; its
// subject is the report id.
inline constexpr std::string_view kSettlementExceptionKind = "settlement";
// The exception kind of a journal a finance system refused; its subject is
// "<sink>/<idempotency key>".
inline constexpr std::string_view kJournalExceptionKind = "journal";

// The account map finance keeps in the store, or the defaults while it keeps
// none. InvalidArgument when the stored rules are inconsistent.
Result<AccountMap> LoadAccountMap(store::Transaction& tx);

// The stored report `id` names: a report id, else a settlement id; the
// document included. NotFound naming `id` when neither matches.
Result<store::SettlementReport> FindSettlementReport(store::Transaction& tx, std::string_view id);

// The stored settlement `id` names (FindSettlementReport), analysed under the
// account rules in force. NotFound for an unknown id; InvalidArgument when
// its document is not a settlement file.
Result<SettlementAnalysis> AnalyseStoredSettlement(store::Transaction& tx, std::string_view id,
                                                   const config::FinanceConfig& config);

// A stored settlement report without its document and journals: ids,
// state, times (ISO 8601), currency, total and difference in minor units,
// and the problems as a JSON array.
nlohmann::json SettlementReportToJson(const store::SettlementReport& report);

// Account rules as the store keeps them, and back.
std::vector<store::FinanceAccountRule> ToStoreRules(const std::vector<AccountRule>& rules);
std::vector<AccountRule> FromStoreRules(const std::vector<store::FinanceAccountRule>& rules);

// The parse options [finance] asks for. InvalidArgument for an unknown
// encoding.
Result<ParseOptions> ParseOptionsFor(const config::FinanceConfig& config);

// What one run of the finance job did.
struct SettlementRun {
  int stored = 0;           // New settlement reports kept.
  int balanced = 0;         // Analysed and balanced.
  int needs_attention = 0;  // Analysed and held for a person.
  int posted = 0;           // Journals handed to a finance system.
  int post_failures = 0;    // Journals that failed to post this run (retried next run).
};

// The money flow: finds new settlement reports on Amazon, keeps each
// document unchanged, analyses it into journals under finance's account map,
// holds the ones needing attention for a person, and posts the balanced
// ones' journals to every configured sink once per settlement and month.
// Thread-compatible: the daemon runs it from one job.
class SettlementBook {
 public:
  // Everything must outlive the book. `reports` may be null: then nothing is
  // fetched (an offline store).
  SettlementBook(config::FinanceConfig config, store::Store* store, Clock* clock,
                 amazon::ReportsApi* reports, std::vector<std::unique_ptr<JournalSink>> sinks);

  // Fetch, then Post. A failure to fetch does not stop posting; the first
  // error is returned after both ran.
  Result<SettlementRun> RunOnce(const std::stop_token& stop);

  // Lists DONE settlement reports created since the last one seen (at first
  // since [finance] first_search ago), downloads each one not stored yet,
  // stores it unchanged and analyses it. The watermark "settlements:since"
  // moves only past reports that are stored. Reports stored but never
  // analysed (a run stopped in between) are analysed too.
  Result<SettlementRun> Fetch(const std::stop_token& stop);

  // Analyses stored report `report_id` with the current account map and
  // records the outcome. A settlement needing attention is held as an
  // exception naming every problem; one that balances now has its exception
  // resolved. NotFound for an unknown report.
  Result<store::SettlementReport> Analyse(std::string_view report_id);

  // Analyses again every report needing attention, e.g. after finance
  // changed the account rules. Returns how many balance now.
  Result<int> Reanalyse();

  // Posts each balanced settlement's journals that a sink does not have yet,
  // oldest settlement first. A journal that fails stays due and is tried
  // again on the next run; one the finance system refuses (4xx) is also
  // held as an exception.
  Result<SettlementRun> Post(const std::stop_token& stop);

 private:
  // Stores a downloaded document and moves the watermark past its report, in
  // one transaction. Returns whether it was new.
  Result<bool> Keep(const amazon::ReportInfo& report, std::string document);
  Status PostSettlement(const store::SettlementReport& report, const std::stop_token& stop,
                        SettlementRun& run);

  const config::FinanceConfig config_;
  store::Store* const store_;
  Clock* const clock_;
  amazon::ReportsApi* const reports_;
  const std::vector<std::unique_ptr<JournalSink>> sinks_;
};

}  // namespace sellerbridge::finance
