#include "sync/exception_desk.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <memory>
#include <string>
#include <system_error>

#include "base/status_macros.h"
#include "base/time_format.h"
#include "domain/tracking_number.h"

namespace sellerbridge::sync {
namespace {

using store::ConfirmationState;
using store::HeldException;
using store::OutboxEntry;

constexpr std::string_view kConfirmation = "confirmation";
constexpr std::string_view kDispatch = "dispatch";
constexpr std::string_view kOrder = "order";
constexpr std::string_view kLabel = "label";

std::string_view Trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n\v\f";
  const std::size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) {
    return {};
  }
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

std::string AuditSubject(std::int64_t id) { return fmt::format("exception {}", id); }

// The exception `id`, as read in `txn`.
Result<HeldException> Read(store::Transaction& txn, std::int64_t id) {
  Result<HeldException> held = txn.GetException(id);
  if (held.status().code() == StatusCode::kNotFound) {
    return NotFoundError(fmt::format("no exception {}", id));
  }
  return held;
}

// The exception `id` if it is open; FailedPrecondition when it was resolved.
Result<HeldException> ReadOpen(store::Transaction& txn, std::int64_t id) {
  ASSIGN_OR_RETURN(HeldException held, Read(txn, id));
  if (!held.IsOpen()) {
    return FailedPreconditionError(
        fmt::format("exception {} was already resolved by {} at {} ({})", id, held.resolved_by,
                    FormatIso8601(*held.resolved_at), held.resolution_note));
  }
  return held;
}

// The outbox entry a "confirmation" exception names, which must be kFailed to be sent again.
Result<OutboxEntry> ReadFailedEntry(store::Transaction& txn, const HeldException& held) {
  std::int64_t entry_id = 0;
  const std::string& subject = held.subject_id;
  const auto [end, error] =
      std::from_chars(subject.data(), subject.data() + subject.size(), entry_id);
  if (error != std::errc() || end != subject.data() + subject.size()) {
    return DataLossError(fmt::format(
        "exception {} names outbox entry '{}', which is not an outbox id", held.id, subject));
  }
  Result<OutboxEntry> entry = txn.GetConfirmation(entry_id);
  if (entry.status().code() == StatusCode::kNotFound) {
    return FailedPreconditionError(fmt::format(
        "exception {} names outbox entry {}, which no longer exists; resolve the exception",
        held.id, entry_id));
  }
  RETURN_IF_ERROR(entry.status());
  if (entry->state != ConfirmationState::kFailed) {
    return FailedPreconditionError(fmt::format(
        "outbox entry {} of exception {} is {}, not Failed: only a failed confirmation is sent "
        "again",
        entry_id, held.id, store::ConfirmationStateName(entry->state)));
  }
  return entry;
}

// Puts a failed entry back in line, due now. Its feed, if it had one, is done with: the entry
// waits for a new one.
Status Requeue(store::Transaction& txn, const OutboxEntry& entry, TimePoint now) {
  return txn.UpdateConfirmation(entry.id, {.state = ConfirmationState::kPending,
                                           .attempts = entry.attempts,
                                           .next_attempt_at = now,
                                           .last_error = entry.last_error,
                                           .feed_id = std::string(),
                                           .resends = 0});
}

std::string RequeuedDetails(const OutboxEntry& entry) {
  return fmt::format(
      "outbox entry back to Pending, due now ({} attempt{} kept, {} resend{} reset to 0)",
      entry.attempts, entry.attempts == 1 ? "" : "s", entry.resends, entry.resends == 1 ? "" : "s");
}

// Why an exception of `held`'s kind cannot be retried, and what to do instead.
Status NotRetriable(const HeldException& held) {
  if (held.kind == kOrder) {
    return FailedPreconditionError(fmt::format(
        "exception {} (order {}) cannot be retried: the order release judges held orders again "
        "on every pass, so fix the cause it names (a ship-method mapping, a SKU, …) and the order "
        "is released by itself",
        held.id, held.subject_id));
  }
  if (held.kind == kLabel) {
    return FailedPreconditionError(fmt::format(
        "exception {} (label of order {}) cannot be retried: it asks a person to act in Seller "
        "Central as its suggested fix says; do that, then resolve the exception",
        held.id, held.subject_id));
  }
  return FailedPreconditionError(
      fmt::format("exception {} of kind '{}' cannot be retried: fix its cause, then resolve it",
                  held.id, held.kind));
}

}  // namespace

ExceptionDesk::ExceptionDesk(store::Store* store, Clock* clock) : store_(store), clock_(clock) {}

Result<std::vector<HeldException>> ExceptionDesk::List(const store::ExceptionFilter& filter) {
  ASSIGN_OR_RETURN(std::unique_ptr<store::Transaction> txn, store_->BeginReadOnly());
  return txn->ListExceptions(filter);
}

Result<HeldException> ExceptionDesk::Get(std::int64_t id) {
  ASSIGN_OR_RETURN(std::unique_ptr<store::Transaction> txn, store_->BeginReadOnly());
  return Read(*txn, id);
}

Status ExceptionDesk::Retry(std::int64_t id, std::string_view actor) {
  ASSIGN_OR_RETURN(std::unique_ptr<store::Transaction> txn, store_->Begin());
  ASSIGN_OR_RETURN(const HeldException held, ReadOpen(*txn, id));
  const TimePoint now = clock_->Now();
  std::string details;
  if (held.kind == kConfirmation) {
    ASSIGN_OR_RETURN(const OutboxEntry entry, ReadFailedEntry(*txn, held));
    RETURN_IF_ERROR(Requeue(*txn, entry, now));
    RETURN_IF_ERROR(txn->ResolveException(id, actor, "retried"));
    details = fmt::format("confirmation {} (order {}): {}", held.subject_id, entry.amazon_order_id,
                          RequeuedDetails(entry));
  } else if (held.kind == kDispatch) {
    Result<store::OrderSyncState> sync = txn->GetOrderSyncState(held.subject_id);
    if (sync.status().code() == StatusCode::kNotFound) {
      return FailedPreconditionError(
          fmt::format("exception {} names order {}, which is not stored; resolve the exception", id,
                      held.subject_id));
    }
    RETURN_IF_ERROR(sync.status());
    if (sync->clarus_goods_out_id.empty()) {
      return FailedPreconditionError(fmt::format(
          "exception {}: order {} has no Clarus goods-out, so there is no dispatch to read again",
          id, held.subject_id));
    }
    // A second retry within the same millisecond finds the first hint still pending: nothing more
    // to record.
    RETURN_IF_ERROR(
        txn->RecordDispatchHint({.dedupe_key = fmt::format("retry:{}:{}", id, FormatIso8601(now)),
                                 .goods_out_id = sync->clarus_goods_out_id,
                                 .source = "operator"})
            .status());
    details = fmt::format("dispatch {}: goods-out {} to be read again", held.subject_id,
                          sync->clarus_goods_out_id);
  } else {
    return NotRetriable(held);
  }
  RETURN_IF_ERROR(txn->AppendAudit({.at = now,
                                    .actor = std::string(actor),
                                    .action = "exception.retry",
                                    .subject = AuditSubject(id),
                                    .details = std::move(details)})
                      .status());
  RETURN_IF_ERROR(txn->Commit());
  spdlog::info("exception {} ({} {}) retried by {}", id, held.kind, held.subject_id, actor);
  return Status::Ok();
}

Status ExceptionDesk::Resolve(std::int64_t id, std::string_view actor, std::string_view note) {
  const std::string_view trimmed = Trim(note);
  if (trimmed.empty()) {
    return InvalidArgumentError(
        fmt::format("resolving exception {} needs a note saying how it was handled", id));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<store::Transaction> txn, store_->Begin());
  ASSIGN_OR_RETURN(const HeldException held, ReadOpen(*txn, id));
  RETURN_IF_ERROR(txn->ResolveException(id, actor, trimmed));
  RETURN_IF_ERROR(
      txn->AppendAudit({.at = clock_->Now(),
                        .actor = std::string(actor),
                        .action = "exception.resolve",
                        .subject = AuditSubject(id),
                        .details = fmt::format("{} {}: {}", held.kind, held.subject_id, trimmed)})
          .status());
  RETURN_IF_ERROR(txn->Commit());
  spdlog::info("exception {} ({} {}) resolved by {}", id, held.kind, held.subject_id, actor);
  return Status::Ok();
}

Status ExceptionDesk::EditTracking(std::int64_t id, std::string_view tracking_number,
                                   std::string_view actor) {
  const std::string_view number = Trim(tracking_number);
  if (number.empty()) {
    return InvalidArgumentError(fmt::format("editing exception {} needs a tracking number", id));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<store::Transaction> txn, store_->Begin());
  ASSIGN_OR_RETURN(const HeldException held, ReadOpen(*txn, id));
  if (held.kind != kConfirmation) {
    return FailedPreconditionError(fmt::format(
        "exception {} is of kind '{}': only a confirmation's tracking number can be edited", id,
        held.kind));
  }
  ASSIGN_OR_RETURN(const OutboxEntry entry, ReadFailedEntry(*txn, held));
  RETURN_IF_ERROR(domain::CheckTrackingNumber(entry.parcel.carrier_code, number));
  domain::Parcel parcel = entry.parcel;
  parcel.tracking_number = std::string(number);
  RETURN_IF_ERROR(txn->ReplaceConfirmationParcel(entry.id, parcel));
  const TimePoint now = clock_->Now();
  RETURN_IF_ERROR(Requeue(*txn, entry, now));
  RETURN_IF_ERROR(txn->ResolveException(id, actor, "retried"));
  RETURN_IF_ERROR(
      txn->AppendAudit(
             {.at = now,
              .actor = std::string(actor),
              .action = "exception.edit_tracking",
              .subject = AuditSubject(id),
              .details = fmt::format(
                  "confirmation {} (order {}): tracking number '{}' → '{}' ({}); then retried: {}",
                  held.subject_id, entry.amazon_order_id, entry.parcel.tracking_number, number,
                  entry.parcel.carrier_code, RequeuedDetails(entry))})
          .status());
  RETURN_IF_ERROR(txn->Commit());
  spdlog::info("exception {} (confirmation {}): tracking number edited and retried by {}", id,
               held.subject_id, actor);
  return Status::Ok();
}

}  // namespace sellerbridge::sync
