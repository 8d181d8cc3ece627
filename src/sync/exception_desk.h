#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "store/store.h"

namespace sellerbridge::sync {

// What operators do with exceptions (items held for a person), for the CLI and the HTTP API:
// list them, retry them now, resolve them, and correct the tracking number of a confirmation that
// Amazon refused. The subject of an exception depends on its kind:
// - "confirmation": the id of an outbox entry (decimal), in ConfirmationState::kFailed;
// - "dispatch": an Amazon order id whose Clarus dispatch needs a person (a short, a carrier or
//   service with no ship-method mapping, …);
// - "order" and "label": an Amazon order id, held by the order release.
// Every change is one store transaction with its audit entry: the actor is who acted ("cli:alice",
// "api"), the subject "exception <id>", the action "exception.retry", "exception.resolve" or
// "exception.edit_tracking", and the details name the kind and subject (never an address).
// Errors: NotFound for an unknown id and FailedPrecondition for an exception already resolved,
// each naming the exception; store errors as the store returns them.
// Thread-safe: it keeps no state of its own.
class ExceptionDesk {
 public:
  // `store` and `clock` must outlive this. `clock` stamps the audit entries and retries.
  ExceptionDesk(store::Store* store, Clock* clock);

  // The exceptions matching `filter`, oldest first_seen first.
  Result<std::vector<store::HeldException>> List(const store::ExceptionFilter& filter);

  Result<store::HeldException> Get(std::int64_t id);

  // Makes the flow try the exception's subject again now:
  // - "confirmation": the outbox entry goes back to kPending, due now, with its attempts kept,
  //   its resends reset to 0 and no feed; the exception is resolved with the note "retried" (the
  //   confirmer holds it again if Amazon refuses again). FailedPrecondition when the entry is not
  //   kFailed (it is being sent, or Amazon has it).
  // - "dispatch": records a dispatch hint (source "operator") for the order's Clarus goods-out, so
  //   that the goods-out is read again; the exception stays open until the flow clears it.
  //   FailedPrecondition when the order is not stored or has no goods-out.
  // - "order", "label" and any other kind: FailedPrecondition saying what to do instead (the order
  //   release judges held orders again on every pass by itself).
  Status Retry(std::int64_t id, std::string_view actor);

  // Marks the exception resolved by `actor` with `note` (trimmed), which says how it was handled:
  // InvalidArgument when it is empty. A "confirmation" entry stays kFailed: resolving means a
  // person confirmed the shipment outside sellerbridge.
  Status Resolve(std::int64_t id, std::string_view actor, std::string_view note);

  // For a "confirmation" exception: replaces the tracking number of the entry's parcel with
  // `tracking_number` (trimmed), then retries it as Retry does, all in one transaction.
  // InvalidArgument naming the problem when the number is empty or does not fit the parcel's
  // carrier (domain::CheckTrackingNumber); FailedPrecondition for other kinds, or when the entry
  // is not kFailed.
  Status EditTracking(std::int64_t id, std::string_view tracking_number, std::string_view actor);

 private:
  store::Store* const store_;
  Clock* const clock_;
};

}  // namespace sellerbridge::sync
