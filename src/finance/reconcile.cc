#include "finance/reconcile.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/csv.h"
#include "base/status_macros.h"
#include "base/time_format.h"
#include "finance/journal_export.h"

namespace sellerbridge::finance {
namespace {

// Every confirmation the outbox ever held stands for a parcel that left
// Clarus; its ship date is when.
constexpr int kAllConfirmations = 10'000'000;

std::string OptionalTime(const std::optional<TimePoint>& t) {
  return t ? FormatIso8601(*t) : std::string();
}

nlohmann::json TimeOrNull(const std::optional<TimePoint>& t) {
  return t ? nlohmann::json(FormatIso8601(*t)) : nlohmann::json(nullptr);
}

std::string FindingDetail(const Finding& finding) {
  switch (finding.kind) {
    case FindingKind::kShippedNotSettled:
      return "dispatched, and no settlement has paid the sale within the expected window";
    case FindingKind::kSettledNotDispatched:
      return "Amazon settled the sale, but no dispatch from the warehouse is on record";
    case FindingKind::kRefundedNotReturned:
      return "refunded after dispatch, and no return was received";
  }
  return "";
}

void AppendCsvRow(std::string& out, const std::vector<std::string>& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    out += CsvField(fields[i]);
  }
  out += "\r\n";
}

}  // namespace

std::string_view FindingKindName(FindingKind kind) {
  switch (kind) {
    case FindingKind::kShippedNotSettled:
      return "shipped_not_settled";
    case FindingKind::kSettledNotDispatched:
      return "settled_not_dispatched";
    case FindingKind::kRefundedNotReturned:
      return "refunded_not_returned";
  }
  return "unknown";
}

Result<WarehouseRecords> LoadWarehouseRecords(store::Transaction& tx) {
  WarehouseRecords records;
  ASSIGN_OR_RETURN(const std::vector<store::OutboxEntry> entries,
                   tx.ListConfirmations({.limit = kAllConfirmations}));
  for (const store::OutboxEntry& entry : entries) {
    const auto [it, added] =
        records.dispatched.emplace(entry.amazon_order_id, entry.parcel.ship_date);
    if (!added && entry.parcel.ship_date < it->second) {
      it->second = entry.parcel.ship_date;
    }
  }
  for (const auto& [order_id, shipped] : records.dispatched) {
    ASSIGN_OR_RETURN(const std::optional<store::ReturnReceipt> receipt,
                     tx.FindReturnReceipt(order_id));
    if (receipt) {
      records.returned.insert(order_id);
    }
  }
  return records;
}

std::vector<Finding> Reconcile(const std::vector<const SettlementAnalysis*>& settlements,
                               const WarehouseRecords& warehouse, TimePoint now,
                               Duration settle_within) {
  std::vector<Finding> findings;
  std::set<std::string_view> settled;
  std::optional<TimePoint> earliest_start;
  for (const SettlementAnalysis* analysis : settlements) {
    const SettlementSummary& summary = analysis->summary;
    if (summary.start && (!earliest_start || *summary.start < *earliest_start)) {
      earliest_start = summary.start;
    }
    for (const auto& [order_id, order] : analysis->orders) {
      const auto dispatched = warehouse.dispatched.find(order_id);
      const std::optional<TimePoint> dispatched_at =
          dispatched == warehouse.dispatched.end() ? std::nullopt
                                                   : std::optional<TimePoint>(dispatched->second);
      Finding base{.amazon_order_id = order_id,
                   .settlement_id = summary.settlement_id,
                   .dispatched_at = dispatched_at,
                   .currency = summary.currency,
                   .minor_digits = summary.minor_digits};
      if (order.sold_posted) {
        settled.insert(order_id);
        if (!dispatched_at && order.merchant_fulfilled) {
          Finding finding = base;
          finding.kind = FindingKind::kSettledNotDispatched;
          finding.posted_at = order.sold_posted;
          finding.amount_minor = order.sold_minor;
          findings.push_back(std::move(finding));
        }
      }
      if (order.refund_posted && dispatched_at && order.merchant_fulfilled &&
          !warehouse.returned.contains(order_id)) {
        Finding finding = base;
        finding.kind = FindingKind::kRefundedNotReturned;
        finding.posted_at = order.refund_posted;
        finding.amount_minor = order.refunded_minor;
        findings.push_back(std::move(finding));
      }
    }
  }
  if (earliest_start) {
    const TimePoint cutoff = now - settle_within;
    for (const auto& [order_id, shipped] : warehouse.dispatched) {
      if (shipped >= *earliest_start && shipped <= cutoff && !settled.contains(order_id)) {
        findings.push_back({.kind = FindingKind::kShippedNotSettled,
                            .amazon_order_id = order_id,
                            .dispatched_at = shipped});
      }
    }
  }
  std::sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.kind, a.amazon_order_id, a.settlement_id) <
           std::tie(b.kind, b.amazon_order_id, b.settlement_id);
  });
  return findings;
}

nlohmann::json ReconciliationToJson(const SettlementAnalysis& analysis,
                                    const std::vector<Finding>& findings) {
  const SettlementSummary& summary = analysis.summary;
  nlohmann::json problems = nlohmann::json::array();
  for (const RowProblem& problem : analysis.problems) {
    problems.push_back({{"line", problem.line}, {"message", problem.message}});
  }
  nlohmann::json found = nlohmann::json::array();
  for (const Finding& finding : findings) {
    found.push_back({{"kind", FindingKindName(finding.kind)},
                     {"amazon_order_id", finding.amazon_order_id},
                     {"settlement_id", finding.settlement_id},
                     {"dispatched_at", TimeOrNull(finding.dispatched_at)},
                     {"posted_at", TimeOrNull(finding.posted_at)},
                     {"amount", FormatMinor(finding.amount_minor, finding.minor_digits)},
                     {"currency", finding.currency},
                     {"detail", FindingDetail(finding)}});
  }
  return {{"settlement_id", summary.settlement_id},
          {"start", TimeOrNull(summary.start)},
          {"end", TimeOrNull(summary.end)},
          {"deposit_date", TimeOrNull(summary.deposit_date)},
          {"currency", summary.currency},
          {"encoding", TextEncodingName(analysis.encoding)},
          {"rows", analysis.rows},
          {"rows_with_other_ids", analysis.rows_with_other_ids},
          {"needs_attention", analysis.NeedsAttention()},
          {"problem_count", analysis.problem_count},
          {"problems", std::move(problems)},
          {"journals", JournalsToJson(analysis.journals)},
          {"findings", std::move(found)}};
}

std::string ReconciliationToCsv(const SettlementAnalysis& analysis,
                                const std::vector<Finding>& findings) {
  const SettlementSummary& summary = analysis.summary;
  const SettlementJournals& journals = analysis.journals;
  std::string out;
  AppendCsvRow(out, {"kind", "settlement_id", "amazon_order_id", "line", "dispatched_at",
                     "posted_at", "amount", "currency", "detail"});
  for (const RowProblem& problem : analysis.problems) {
    AppendCsvRow(out, {"row_problem", summary.settlement_id, "", std::to_string(problem.line), "",
                       "", "", summary.currency, problem.message});
  }
  if (analysis.problem_count > static_cast<std::int64_t>(analysis.problems.size())) {
    AppendCsvRow(out, {"row_problem", summary.settlement_id, "", "", "", "", "", summary.currency,
                       fmt::format("{} more rows could not be read",
                                   analysis.problem_count -
                                       static_cast<std::int64_t>(analysis.problems.size()))});
  }
  for (const std::string& key : journals.unmapped) {
    AppendCsvRow(out, {"unmapped", summary.settlement_id, "", "", "", "", "", summary.currency,
                       fmt::format("no account rule for {}", key)});
  }
  if (journals.difference_minor != 0) {
    AppendCsvRow(out,
                 {"difference", summary.settlement_id, "", "", "", "",
                  FormatMinor(journals.difference_minor, journals.minor_digits), summary.currency,
                  fmt::format("the rows add up to {}, the deposit is {}",
                              FormatMinor(journals.rows_sum_minor, journals.minor_digits),
                              FormatMinor(journals.deposit_minor, journals.minor_digits))});
  }
  for (const Finding& finding : findings) {
    AppendCsvRow(out, {std::string(FindingKindName(finding.kind)), finding.settlement_id,
                       finding.amazon_order_id, "", OptionalTime(finding.dispatched_at),
                       OptionalTime(finding.posted_at),
                       finding.kind == FindingKind::kShippedNotSettled
                           ? ""
                           : FormatMinor(finding.amount_minor, finding.minor_digits),
                       finding.currency, FindingDetail(finding)});
  }
  return out;
}

}  // namespace sellerbridge::finance
