#include "finance/settlements.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "base/status_macros.h"
#include "base/time_format.h"
#include "finance/journal_export.h"

namespace sellerbridge::finance {
namespace {

constexpr std::string_view kSinceWatermark = "settlements:since";
constexpr std::string_view kActor = "system";
// Far more settlements than Amazon keeps (90 days of fortnightly reports per
// marketplace).
constexpr int kAllSettlements = 100'000;

std::string ProblemsJson(const SettlementAnalysis& analysis) {
  nlohmann::json problems = nlohmann::json::array();
  for (const RowProblem& problem : analysis.problems) {
    problems.push_back({{"line", problem.line}, {"message", problem.message}});
  }
  return problems.dump();
}

// One sentence per kind of trouble, for the person the settlement is held for.
std::string AttentionReason(const SettlementAnalysis& analysis) {
  const SettlementJournals& journals = analysis.journals;
  std::vector<std::string> parts;
  if (analysis.problem_count > 0) {
    std::string first;
    if (!analysis.problems.empty()) {
      first = fmt::format(" (first: line {}: {})", analysis.problems.front().line,
                          analysis.problems.front().message);
    }
    parts.push_back(fmt::format("{} row{} could not be read{}", analysis.problem_count,
                                analysis.problem_count == 1 ? "" : "s", first));
  }
  if (!journals.unmapped.empty()) {
    std::string keys;
    for (const std::string& key : journals.unmapped) {
      keys += keys.empty() ? key : "; " + key;
    }
    parts.push_back(fmt::format("no account rule for {}", keys));
  }
  if (journals.difference_minor != 0) {
    parts.push_back(fmt::format("the rows add up to {} {}, the deposit is {} (difference {})",
                                FormatMinor(journals.rows_sum_minor, journals.minor_digits),
                                journals.currency,
                                FormatMinor(journals.deposit_minor, journals.minor_digits),
                                FormatMinor(journals.difference_minor, journals.minor_digits)));
  }
  std::string reason = fmt::format("settlement {}: ", analysis.summary.settlement_id);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    reason += (i == 0 ? "" : "; ") + parts[i];
  }
  return reason;
}

// Whether a failed post is the finance system refusing the journal, which
// retrying will not change.
bool Refused(const Status& status) {
  return status.code() == StatusCode::kInvalidArgument ||
         status.code() == StatusCode::kPermissionDenied ||
         status.code() == StatusCode::kUnauthenticated;
}

std::size_t JournalCount(const std::string& journals_json) {
  const nlohmann::json parsed = nlohmann::json::parse(journals_json, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("journals") || !parsed["journals"].is_array()) {
    return 0;
  }
  return parsed["journals"].size();
}

}  // namespace

Result<AccountMap> LoadAccountMap(store::Transaction& tx) {
  ASSIGN_OR_RETURN(const std::vector<store::FinanceAccountRule> rules,
                   tx.ListFinanceAccountRules());
  if (rules.empty()) {
    return AccountMap::Defaults();
  }
  return AccountMap::FromRules(FromStoreRules(rules));
}

Result<store::SettlementReport> FindSettlementReport(store::Transaction& tx, std::string_view id) {
  ASSIGN_OR_RETURN(std::optional<store::SettlementReport> report, tx.FindSettlementReport(id));
  if (report) {
    return std::move(*report);
  }
  ASSIGN_OR_RETURN(const std::vector<store::SettlementReport> all,
                   tx.ListSettlementReports({.limit = kAllSettlements}));
  for (const store::SettlementReport& candidate : all) {
    if (candidate.settlement_id == id) {
      ASSIGN_OR_RETURN(report, tx.FindSettlementReport(candidate.report_id));
      if (report) {
        return std::move(*report);
      }
    }
  }
  return NotFoundError(fmt::format("no stored settlement report or settlement '{}'", id));
}

Result<SettlementAnalysis> AnalyseStoredSettlement(store::Transaction& tx, std::string_view id,
                                                   const config::FinanceConfig& config) {
  ASSIGN_OR_RETURN(const store::SettlementReport report, FindSettlementReport(tx, id));
  ASSIGN_OR_RETURN(const AccountMap accounts, LoadAccountMap(tx));
  ASSIGN_OR_RETURN(const ParseOptions options, ParseOptionsFor(config));
  return AnalyseSettlement(report.document, accounts, options);
}

nlohmann::json SettlementReportToJson(const store::SettlementReport& report) {
  const auto time = [](const std::optional<TimePoint>& t) {
    return t ? nlohmann::json(FormatIso8601(*t)) : nlohmann::json(nullptr);
  };
  const nlohmann::json problems = nlohmann::json::parse(report.problems, nullptr, false);
  return {{"report_id", report.report_id},
          {"settlement_id", report.settlement_id},
          {"marketplace_id", report.marketplace_id},
          {"state", store::SettlementStateName(report.state)},
          {"created_time", FormatIso8601(report.created_time)},
          {"fetched_at", FormatIso8601(report.fetched_at)},
          {"parsed_at", time(report.parsed_at)},
          {"start", time(report.start)},
          {"end", time(report.end)},
          {"deposit_date", time(report.deposit_date)},
          {"currency", report.currency},
          {"total_minor", report.total_minor},
          {"difference_minor", report.difference_minor},
          {"problems", problems.is_array() ? problems : nlohmann::json::array()}};
}

std::vector<store::FinanceAccountRule> ToStoreRules(const std::vector<AccountRule>& rules) {
  std::vector<store::FinanceAccountRule> out;
  out.reserve(rules.size());
  for (const AccountRule& rule : rules) {
    out.push_back({.transaction_type = rule.transaction_type,
                   .amount_type = rule.amount_type,
                   .amount_description = rule.amount_description,
                   .account_code = rule.account.code,
                   .account_name = rule.account.name});
  }
  return out;
}

std::vector<AccountRule> FromStoreRules(const std::vector<store::FinanceAccountRule>& rules) {
  std::vector<AccountRule> out;
  out.reserve(rules.size());
  for (const store::FinanceAccountRule& rule : rules) {
    out.push_back({.transaction_type = rule.transaction_type,
                   .amount_type = rule.amount_type,
                   .amount_description = rule.amount_description,
                   .account = {.code = rule.account_code, .name = rule.account_name}});
  }
  return out;
}

Result<ParseOptions> ParseOptionsFor(const config::FinanceConfig& config) {
  ASSIGN_OR_RETURN(const TextEncoding encoding, ParseTextEncoding(config.encoding));
  return ParseOptions{.encoding = encoding};
}

SettlementBook::SettlementBook(config::FinanceConfig config, store::Store* store, Clock* clock,
                               amazon::ReportsApi* reports,
                               std::vector<std::unique_ptr<JournalSink>> sinks)
    : config_(std::move(config)),
      store_(store),
      clock_(clock),
      reports_(reports),
      sinks_(std::move(sinks)) {}

Result<SettlementRun> SettlementBook::RunOnce(const std::stop_token& stop) {
  Result<SettlementRun> fetched = Fetch(stop);
  if (!fetched.ok()) {
    spdlog::warn("settlements: fetching from Amazon: {}", fetched.status().ToString());
  }
  ASSIGN_OR_RETURN(SettlementRun run, Post(stop));
  if (!fetched.ok()) {
    return fetched.status();
  }
  run.stored = fetched->stored;
  run.balanced = fetched->balanced;
  run.needs_attention = fetched->needs_attention;
  return run;
}

Result<SettlementRun> SettlementBook::Fetch(const std::stop_token& stop) {
  SettlementRun run;
  if (reports_ == nullptr) {
    return run;
  }
  TimePoint since = clock_->Now() - config_.first_search;
  {
    ASSIGN_OR_RETURN(auto tx, store_->BeginReadOnly());
    ASSIGN_OR_RETURN(const std::optional<store::Watermark> mark,
                     tx->FindWatermark(kSinceWatermark));
    if (mark) {
      ASSIGN_OR_RETURN(since, ParseIso8601(mark->value));
    }
  }
  const amazon::CallOptions options{.lane = amazon::Lane::kFinance, .stop = stop};
  ASSIGN_OR_RETURN(
      std::vector<amazon::ReportInfo> reports,
      reports_->ListReports(amazon::kSettlementReportType, since, std::nullopt, options, "DONE"));
  std::sort(reports.begin(), reports.end(),
            [](const amazon::ReportInfo& a, const amazon::ReportInfo& b) {
              return a.created_time < b.created_time;
            });
  for (const amazon::ReportInfo& report : reports) {
    if (stop.stop_requested()) {
      break;
    }
    if (report.processing_status != "DONE" || !report.report_document_id) {
      continue;
    }
    bool stored = false;
    {
      ASSIGN_OR_RETURN(auto tx, store_->BeginReadOnly());
      ASSIGN_OR_RETURN(const auto existing, tx->FindSettlementReport(report.report_id));
      stored = existing.has_value();
    }
    if (!stored) {
      ASSIGN_OR_RETURN(std::string document,
                       reports_->Download(*report.report_document_id, options));
      ASSIGN_OR_RETURN(const bool added, Keep(report, std::move(document)));
      if (added) {
        ++run.stored;
        ASSIGN_OR_RETURN(const store::SettlementReport outcome, Analyse(report.report_id));
        ++(outcome.state == store::SettlementState::kBalanced ? run.balanced : run.needs_attention);
      }
      continue;
    }
    ASSIGN_OR_RETURN(auto tx, store_->Begin());
    RETURN_IF_ERROR(tx->SetWatermark(kSinceWatermark, FormatIso8601(report.created_time)));
    RETURN_IF_ERROR(tx->Commit());
  }
  // A report stored by a run that stopped before analysing it.
  std::vector<store::SettlementReport> unread;
  {
    ASSIGN_OR_RETURN(auto tx, store_->BeginReadOnly());
    ASSIGN_OR_RETURN(unread, tx->ListSettlementReports({.state = store::SettlementState::kReceived,
                                                        .limit = kAllSettlements}));
  }
  for (const store::SettlementReport& report : unread) {
    ASSIGN_OR_RETURN(const store::SettlementReport outcome, Analyse(report.report_id));
    ++(outcome.state == store::SettlementState::kBalanced ? run.balanced : run.needs_attention);
  }
  return run;
}

Result<bool> SettlementBook::Keep(const amazon::ReportInfo& report, std::string document) {
  ASSIGN_OR_RETURN(auto tx, store_->Begin());
  ASSIGN_OR_RETURN(
      const bool added,
      tx->AddSettlementReport(
          {.report_id = report.report_id,
           .document_id = report.report_document_id.value_or(""),
           .marketplace_id = report.marketplace_ids.empty() ? "" : report.marketplace_ids[0],
           .created_time = report.created_time,
           .document = std::move(document)}));
  RETURN_IF_ERROR(tx->AppendAudit({.at = clock_->Now(),
                                   .actor = std::string(kActor),
                                   .action = "settlement.stored",
                                   .subject = report.report_id,
                                   .details = report.report_document_id.value_or("")})
                      .status());
  RETURN_IF_ERROR(tx->SetWatermark(kSinceWatermark, FormatIso8601(report.created_time)));
  RETURN_IF_ERROR(tx->Commit());
  return added;
}

Result<store::SettlementReport> SettlementBook::Analyse(std::string_view report_id) {
  ASSIGN_OR_RETURN(auto tx, store_->Begin());
  ASSIGN_OR_RETURN(std::optional<store::SettlementReport> found,
                   tx->FindSettlementReport(report_id));
  if (!found) {
    return NotFoundError(fmt::format("no settlement report {}", report_id));
  }
  store::SettlementReport report = std::move(*found);
  ASSIGN_OR_RETURN(const AccountMap accounts, LoadAccountMap(*tx));
  ASSIGN_OR_RETURN(const ParseOptions options, ParseOptionsFor(config_));
  const Result<SettlementAnalysis> analysis = AnalyseSettlement(report.document, accounts, options);
  std::string reason;
  report.parsed_at = clock_->Now();
  if (!analysis.ok()) {
    // Not a settlement file at all: kept, and held with what is wrong.
    report.state = store::SettlementState::kNeedsAttention;
    report.problems =
        nlohmann::json::array({{{"line", 0}, {"message", analysis.status().message()}}}).dump();
    report.journals.clear();
    reason = fmt::format("settlement report {}: {}", report_id, analysis.status().message());
  } else {
    const SettlementSummary& summary = analysis->summary;
    report.state = analysis->NeedsAttention() ? store::SettlementState::kNeedsAttention
                                              : store::SettlementState::kBalanced;
    report.settlement_id = summary.settlement_id;
    report.currency = summary.currency;
    report.total_minor = summary.total_minor;
    report.start = summary.start;
    report.end = summary.end;
    report.deposit_date = summary.deposit_date;
    report.difference_minor = analysis->journals.difference_minor;
    report.problems = ProblemsJson(*analysis);
    report.journals = JournalsToJson(analysis->journals).dump();
    if (analysis->NeedsAttention()) {
      reason = AttentionReason(*analysis);
    }
  }
  RETURN_IF_ERROR(tx->UpdateSettlementOutcome(report));
  ASSIGN_OR_RETURN(const std::optional<store::HeldException> held,
                   tx->FindException(kSettlementExceptionKind, report.report_id));
  if (report.state == store::SettlementState::kNeedsAttention) {
    RETURN_IF_ERROR(
        tx->HoldException({.kind = std::string(kSettlementExceptionKind),
                           .subject_id = report.report_id,
                           .reason = reason,
                           .suggested_fix =
                               "map the types with `sellerbridge finance accounts import`, or "
                               "check the rows named, then `sellerbridge finance reanalyse`"})
            .status());
  } else if (held && held->IsOpen()) {
    RETURN_IF_ERROR(tx->ResolveException(held->id, kActor, "the settlement balances now"));
  }
  RETURN_IF_ERROR(
      tx->AppendAudit({.at = clock_->Now(),
                       .actor = std::string(kActor),
                       .action = "settlement.analysed",
                       .subject = report.report_id,
                       .details = fmt::format("{} {}", report.settlement_id,
                                              store::SettlementStateName(report.state))})
          .status());
  RETURN_IF_ERROR(tx->Commit());
  if (!reason.empty()) {
    spdlog::warn("settlements: held for a person: {}", reason);
  }
  return report;
}

Result<int> SettlementBook::Reanalyse() {
  std::vector<store::SettlementReport> waiting;
  {
    ASSIGN_OR_RETURN(auto tx, store_->BeginReadOnly());
    ASSIGN_OR_RETURN(
        waiting, tx->ListSettlementReports(
                     {.state = store::SettlementState::kNeedsAttention, .limit = kAllSettlements}));
  }
  int balanced = 0;
  for (const store::SettlementReport& report : waiting) {
    ASSIGN_OR_RETURN(const store::SettlementReport outcome, Analyse(report.report_id));
    balanced += outcome.state == store::SettlementState::kBalanced ? 1 : 0;
  }
  return balanced;
}

Result<SettlementRun> SettlementBook::Post(const std::stop_token& stop) {
  SettlementRun run;
  if (sinks_.empty()) {
    return run;
  }
  std::vector<store::SettlementReport> balanced;
  {
    ASSIGN_OR_RETURN(auto tx, store_->BeginReadOnly());
    ASSIGN_OR_RETURN(balanced,
                     tx->ListSettlementReports(
                         {.state = store::SettlementState::kBalanced, .limit = kAllSettlements}));
  }
  std::reverse(balanced.begin(), balanced.end());  // Oldest first.
  Status first_error;
  for (const store::SettlementReport& report : balanced) {
    if (stop.stop_requested()) {
      break;
    }
    if (const Status posted = PostSettlement(report, stop, run); !posted.ok() && first_error.ok()) {
      first_error = posted;
    }
  }
  RETURN_IF_ERROR(first_error);
  return run;
}

Status SettlementBook::PostSettlement(const store::SettlementReport& report,
                                      const std::stop_token& stop, SettlementRun& run) {
  {
    ASSIGN_OR_RETURN(auto tx, store_->BeginReadOnly());
    ASSIGN_OR_RETURN(const std::vector<store::JournalPosting> postings,
                     tx->ListJournalPostings(report.settlement_id));
    const auto posted = static_cast<std::size_t>(
        std::count_if(postings.begin(), postings.end(),
                      [](const store::JournalPosting& posting) { return posting.posted; }));
    if (posted >= JournalCount(report.journals) * sinks_.size()) {
      return Status::Ok();
    }
  }
  // The journals are built again from the document, so that what is posted
  // is exactly what the current account map makes of it.
  std::optional<store::SettlementReport> stored;
  AccountMap accounts = AccountMap::Defaults();
  {
    ASSIGN_OR_RETURN(auto tx, store_->BeginReadOnly());
    ASSIGN_OR_RETURN(stored, tx->FindSettlementReport(report.report_id));
    ASSIGN_OR_RETURN(accounts, LoadAccountMap(*tx));
  }
  if (!stored) {
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(const ParseOptions options, ParseOptionsFor(config_));
  ASSIGN_OR_RETURN(const SettlementAnalysis analysis,
                   AnalyseSettlement(stored->document, accounts, options));
  if (analysis.NeedsAttention()) {
    // The account map changed since: hold it rather than post.
    return Analyse(report.report_id).status();
  }
  Status first_error;
  for (const std::unique_ptr<JournalSink>& sink : sinks_) {
    for (const Journal& journal : analysis.journals.journals) {
      if (stop.stop_requested()) {
        return first_error;
      }
      ASSIGN_OR_RETURN(auto read, store_->BeginReadOnly());
      ASSIGN_OR_RETURN(
          std::optional<store::JournalPosting> existing,
          read->FindJournalPosting(journal.settlement_id, journal.period, sink->Name()));
      read.reset();
      if (existing && existing->posted) {
        continue;
      }
      store::JournalPosting posting = existing.value_or(store::JournalPosting{
          .settlement_id = journal.settlement_id, .period = journal.period, .sink = sink->Name()});
      ++posting.attempts;
      const Result<std::string> sent = sink->Post(journal);
      const std::string subject = fmt::format("{}/{}", sink->Name(), journal.idempotency_key);
      ASSIGN_OR_RETURN(auto tx, store_->Begin());
      if (sent.ok()) {
        posting.posted = true;
        posting.external_id = *sent;
        posting.last_error.clear();
        ++run.posted;
        ASSIGN_OR_RETURN(const std::optional<store::HeldException> held,
                         tx->FindException(kJournalExceptionKind, subject));
        if (held && held->IsOpen()) {
          RETURN_IF_ERROR(tx->ResolveException(held->id, kActor, "posted"));
        }
        RETURN_IF_ERROR(tx->AppendAudit({.at = clock_->Now(),
                                         .actor = std::string(kActor),
                                         .action = "journal.posted",
                                         .subject = journal.idempotency_key,
                                         .details = fmt::format("{} {}", sink->Name(), *sent)})
                            .status());
      } else {
        posting.last_error = sent.status().ToString();
        ++run.post_failures;
        if (Refused(sent.status())) {
          RETURN_IF_ERROR(
              tx->HoldException({.kind = std::string(kJournalExceptionKind),
                                 .subject_id = subject,
                                 .reason = fmt::format("{} refused the journal of settlement {} "
                                                       "for {}: {}",
                                                       sink->Name(), journal.settlement_id,
                                                       journal.period, sent.status().message()),
                                 .suggested_fix = "check the account codes and the sink's "
                                                  "credentials; it is retried every run"})
                  .status());
        }
        if (first_error.ok()) {
          first_error = sent.status();
        }
      }
      RETURN_IF_ERROR(tx->PutJournalPosting(posting));
      RETURN_IF_ERROR(tx->Commit());
      if (!sent.ok()) {
        spdlog::warn("settlements: posting {} to {}: {}", journal.idempotency_key, sink->Name(),
                     sent.status().ToString());
        break;  // Later months wait for this one, so the ledger gets them in order.
      }
    }
  }
  return first_error;
}

}  // namespace sellerbridge::finance
