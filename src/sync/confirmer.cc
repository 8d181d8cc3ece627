#include "sync/confirmer.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "amazon/fulfillment_feed.h"
#include "base/status_macros.h"
#include "domain/tracking_number.h"

namespace sellerbridge::sync {
namespace {

using store::ConfirmationState;
using store::ConfirmationTransport;
using store::OutboxEntry;

constexpr std::string_view kConfirmationKind = "confirmation";
constexpr std::string_view kFeedType = "POST_ORDER_FULFILLMENT_DATA";
constexpr int kListLimit = 1000;

// Failures that pass by themselves: quota, outages, timeouts, credentials
// being refreshed. Everything else is about the data and needs a person.
bool Retryable(StatusCode code) {
  switch (code) {
    case StatusCode::kResourceExhausted:
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kAborted:
    case StatusCode::kInternal:
    case StatusCode::kUnauthenticated:
    case StatusCode::kPermissionDenied:
    case StatusCode::kCancelled:
      return true;
    default:
      return false;
  }
}

bool Mentions(std::string_view text, std::string_view word) {
  const auto it = std::search(text.begin(), text.end(), word.begin(), word.end(),
                              [](char a, char b) { return std::tolower(a) == std::tolower(b); });
  return it != text.end();
}

// What a person should do about Amazon's refusal `message`.
std::string FixFor(const Status& status) {
  const std::string_view message = status.message();
  if (status.code() == StatusCode::kNotFound) {
    return "Amazon does not know this order in this marketplace: check the goods-out's reference "
           "in Clarus, then resolve";
  }
  if (Mentions(message, "cancel")) {
    return "the order was cancelled on Amazon: stop the parcel if you still can, then resolve";
  }
  if (Mentions(message, "already")) {
    return "Amazon has this package with other data: compare Clarus with Seller Central, then "
           "resolve (or edit and retry)";
  }
  if (Mentions(message, "carrier")) {
    return "check the Amazon carrier code of the ship-method mapping against Amazon's list "
           "(sellerbridge mapping list), then retry";
  }
  if (Mentions(message, "item") || Mentions(message, "quantity")) {
    return "check the goods-out's lines against the Amazon order, then retry or resolve";
  }
  return "read Amazon's message, correct the data, then retry (sellerbridge exceptions retry)";
}

amazon::ShipmentConfirmation ToAmazon(const OutboxEntry& entry) {
  amazon::ShipmentConfirmation confirmation{
      .marketplace_id = entry.marketplace_id,
      .package_reference_id = entry.parcel.package_reference_id,
      .carrier_code = entry.parcel.carrier_code,
      .carrier_name = entry.parcel.carrier_name,
      .shipping_method = entry.parcel.shipping_method,
      .tracking_number = entry.parcel.tracking_number,
      .ship_date = entry.parcel.ship_date};
  for (const domain::ParcelItem& item : entry.parcel.items) {
    confirmation.items.push_back({.order_item_id = item.order_item_id, .quantity = item.quantity});
  }
  return confirmation;
}

// The package of `order` that stands for `entry`, if Amazon shows it: the
// one with its package reference id, else (labels and feeds, where Amazon
// numbers packages itself) the one with its tracking number.
const amazon::ShippedPackage* FindPackage(const amazon::AmazonOrder& order,
                                          const OutboxEntry& entry) {
  const amazon::ShippedPackage* by_tracking = nullptr;
  for (const amazon::ShippedPackage& package : order.packages) {
    if (entry.transport == ConfirmationTransport::kApi &&
        package.package_reference_id == entry.parcel.package_reference_id) {
      return &package;
    }
    if (package.tracking_number == entry.parcel.tracking_number) {
      by_tracking = &package;
    }
  }
  return by_tracking;
}

// Entries grouped by order, in the order first seen.
std::vector<std::vector<OutboxEntry>> ByOrder(std::vector<OutboxEntry> entries) {
  std::vector<std::vector<OutboxEntry>> groups;
  std::map<std::string, std::size_t> index;
  for (OutboxEntry& entry : entries) {
    auto [it, inserted] = index.emplace(entry.amazon_order_id, groups.size());
    if (inserted) {
      groups.emplace_back();
    }
    groups[it->second].push_back(std::move(entry));
  }
  return groups;
}

}  // namespace

Confirmer::Confirmer(ConfirmerOptions options, store::Store* store, amazon::OrdersApi* orders,
                     amazon::FeedsApi* feeds, Clock* clock)
    : options_(std::move(options)), store_(store), orders_(orders), feeds_(feeds), clock_(clock) {}

Duration Confirmer::Backoff(int attempts) const {
  Duration wait = options_.initial_backoff;
  for (int i = 1; i < attempts && wait < options_.max_backoff; ++i) {
    wait *= 2;
  }
  return std::min(wait, options_.max_backoff);
}

Status Confirmer::Update(std::int64_t id, const store::ConfirmationUpdate& update) {
  ASSIGN_OR_RETURN(auto tx, store_->Begin());
  RETURN_IF_ERROR(tx->UpdateConfirmation(id, update));
  return tx->Commit();
}

Status Confirmer::Fail(const OutboxEntry& entry, const std::string& reason,
                       const std::string& fix) {
  ASSIGN_OR_RETURN(auto tx, store_->Begin());
  RETURN_IF_ERROR(tx->UpdateConfirmation(entry.id, {.state = ConfirmationState::kFailed,
                                                    .attempts = entry.attempts,
                                                    .next_attempt_at = clock_->Now(),
                                                    .last_error = reason}));
  ASSIGN_OR_RETURN(
      const std::int64_t held,
      tx->HoldException({.kind = std::string(kConfirmationKind),
                         .subject_id = std::to_string(entry.id),
                         .reason = fmt::format("order {} package {}: {}", entry.amazon_order_id,
                                               entry.parcel.package_reference_id, reason),
                         .suggested_fix = fix}));
  RETURN_IF_ERROR(tx->Commit());
  spdlog::error("confirmation {} of order {} held for a person (exception {}): {}", entry.id,
                entry.amazon_order_id, held, reason);
  return Status::Ok();
}

Result<ConfirmerPass> Confirmer::SendOnce(const std::stop_token& stop) {
  ConfirmerPass pass;
  RETURN_IF_ERROR(SettleSending(stop, pass));
  if (feeds_ != nullptr && !options_.merchant_id.empty()) {
    RETURN_IF_ERROR(FollowFeeds(stop, pass));
    RETURN_IF_ERROR(PlanFeed(stop, pass));
  }
  std::vector<OutboxEntry> due;
  {
    ASSIGN_OR_RETURN(auto tx, store_->BeginReadOnly());
    ASSIGN_OR_RETURN(due, tx->ListDueConfirmations(clock_->Now(), options_.batch));
  }
  for (const OutboxEntry& entry : due) {
    if (stop.stop_requested()) {
      break;
    }
    RETURN_IF_ERROR(Send(entry, stop, pass));
  }
  return pass;
}

Status Confirmer::Send(const OutboxEntry& entry, const std::stop_token& stop, ConfirmerPass& pass) {
  if (Status fits =
          domain::CheckTrackingNumber(entry.parcel.carrier_code, entry.parcel.tracking_number);
      !fits.ok()) {
    ++pass.failed;
    return Fail(entry, std::string(fits.message()),
                fmt::format("correct it in Clarus or with: sellerbridge exceptions edit <id> "
                            "--tracking NUMBER (the exception's id)"));
  }
  const int attempts = entry.attempts + 1;
  // Committed before the call: if the outcome is lost, the order is read back.
  RETURN_IF_ERROR(Update(entry.id, {.state = ConfirmationState::kSending,
                                    .attempts = attempts,
                                    .next_attempt_at = clock_->Now() + options_.sending_timeout,
                                    .last_error = entry.last_error,
                                    .transport = ConfirmationTransport::kApi}));
  ++pass.sent;
  const Status sent = orders_->ConfirmShipment(
      entry.amazon_order_id, ToAmazon(entry),
      {.lane = amazon::Lane::kConfirmation, .deadline = TimePoint::max(), .stop = stop});
  if (sent.ok()) {
    ++pass.accepted;
    return Update(entry.id, {.state = ConfirmationState::kAccepted,
                             .attempts = attempts,
                             .next_attempt_at = clock_->Now() + options_.verify_after});
  }
  if (sent.code() == StatusCode::kDeadlineExceeded) {
    // Amazon may have applied it: the entry stays Sending and is settled by
    // reading the order back once sending_timeout has passed.
    ++pass.retry_later;
    return Update(entry.id, {.state = ConfirmationState::kSending,
                             .attempts = attempts,
                             .next_attempt_at = clock_->Now() + options_.sending_timeout,
                             .last_error = std::string(sent.message())});
  }
  if (Retryable(sent.code())) {
    ++pass.retry_later;
    return Update(entry.id, {.state = ConfirmationState::kPending,
                             .attempts = attempts,
                             .next_attempt_at = clock_->Now() + Backoff(attempts),
                             .last_error = std::string(sent.message())});
  }
  ++pass.failed;
  OutboxEntry failed = entry;
  failed.attempts = attempts;
  return Fail(failed, std::string(sent.message()), FixFor(sent));
}

Status Confirmer::SettleSending(const std::stop_token& stop, ConfirmerPass& pass) {
  std::vector<OutboxEntry> unknown;
  {
    ASSIGN_OR_RETURN(auto tx, store_->BeginReadOnly());
    ASSIGN_OR_RETURN(unknown, tx->ListConfirmations({.state = ConfirmationState::kSending,
                                                     .due_by = clock_->Now(),
                                                     .transport = ConfirmationTransport::kApi,
                                                     .limit = options_.batch}));
  }
  for (const std::vector<OutboxEntry>& group : ByOrder(std::move(unknown))) {
    if (stop.stop_requested()) {
      break;
    }
    auto order = orders_->GetOrder(group.front().amazon_order_id, /*with_recipient=*/false,
                                   {.lane = amazon::Lane::kConfirmation, .stop = stop});
    if (!order.ok() && Retryable(order.status().code())) {
      return Status::Ok();  // Amazon is not answering: settle on a later pass.
    }
    for (const OutboxEntry& entry : group) {
      ++pass.settled;
      const amazon::ShippedPackage* package = order.ok() ? FindPackage(*order, entry) : nullptr;
      if (package != nullptr && package->tracking_number == entry.parcel.tracking_number) {
        ++pass.verified;
        RETURN_IF_ERROR(Update(entry.id, {.state = ConfirmationState::kVerified,
                                          .attempts = entry.attempts,
                                          .next_attempt_at = clock_->Now()}));
        continue;
      }
      // Not there (or the order is unreadable): send again; the same package
      // reference id makes a repeat harmless.
      RETURN_IF_ERROR(Update(entry.id, {.state = ConfirmationState::kPending,
                                        .attempts = entry.attempts,
                                        .next_attempt_at = clock_->Now(),
                                        .last_error = entry.last_error}));
    }
  }
  return Status::Ok();
}

Result<ConfirmerPass> Confirmer::VerifyOnce(const std::stop_token& stop) {
  ConfirmerPass pass;
  std::vector<OutboxEntry> due;
  {
    ASSIGN_OR_RETURN(auto tx, store_->BeginReadOnly());
    ASSIGN_OR_RETURN(due, tx->ListConfirmations({.state = ConfirmationState::kAccepted,
                                                 .due_by = clock_->Now(),
                                                 .limit = options_.batch}));
  }
  for (const std::vector<OutboxEntry>& group : ByOrder(std::move(due))) {
    if (stop.stop_requested()) {
      break;
    }
    auto order = orders_->GetOrder(group.front().amazon_order_id, /*with_recipient=*/false,
                                   {.lane = amazon::Lane::kFinance, .stop = stop});
    if (!order.ok()) {
      if (Retryable(order.status().code())) {
        return pass;  // Read back on a later pass.
      }
      for (const OutboxEntry& entry : group) {
        RETURN_IF_ERROR(
            Fail(entry, fmt::format("the order cannot be read back: {}", order.status().message()),
                 FixFor(order.status())));
      }
      continue;
    }
    for (const OutboxEntry& entry : group) {
      const amazon::ShippedPackage* package = FindPackage(*order, entry);
      if (package != nullptr && package->tracking_number == entry.parcel.tracking_number) {
        ++pass.verified;
        RETURN_IF_ERROR(Update(entry.id, {.state = ConfirmationState::kVerified,
                                          .attempts = entry.attempts,
                                          .next_attempt_at = clock_->Now()}));
      } else if (package != nullptr) {
        RETURN_IF_ERROR(
            Fail(entry,
                 fmt::format("Amazon shows the package with tracking number {}, not {}",
                             package->tracking_number, entry.parcel.tracking_number),
                 "someone changed it on Amazon or in Clarus: decide which is right, then edit and "
                 "retry, or resolve"));
      } else if (entry.resends == 0 && entry.transport != ConfirmationTransport::kLabel) {
        // Accepted but not applied (Amazon answered 204 and dropped it): once more.
        ++pass.resent;
        spdlog::warn("confirmation {} of order {}: accepted but not on Amazon; sending again",
                     entry.id, entry.amazon_order_id);
        RETURN_IF_ERROR(Update(entry.id, {.state = ConfirmationState::kPending,
                                          .attempts = entry.attempts,
                                          .next_attempt_at = clock_->Now(),
                                          .last_error = "accepted but not shown by getOrder",
                                          .transport = ConfirmationTransport::kApi,
                                          .resends = entry.resends + 1}));
      } else {
        ++pass.not_applied;
        RETURN_IF_ERROR(Fail(
            entry,
            entry.transport == ConfirmationTransport::kLabel
                ? fmt::format("Amazon does not show the package of the label bought for it "
                              "(tracking {})",
                              entry.parcel.tracking_number)
                : fmt::format("Amazon accepted it {} times but does not show it",
                              entry.resends + 1),
            "confirm the shipment in Seller Central by hand, then resolve; if it happens often, "
            "tell Amazon Selling Partner Support"));
      }
    }
  }
  return pass;
}

Status Confirmer::PlanFeed(const std::stop_token& stop, ConfirmerPass& pass) {
  const TimePoint now = clock_->Now();
  if (last_feed_ && now - *last_feed_ < options_.feed_interval) {
    return Status::Ok();
  }
  std::vector<OutboxEntry> pending;
  {
    ASSIGN_OR_RETURN(auto tx, store_->BeginReadOnly());
    ASSIGN_OR_RETURN(pending, tx->ListConfirmations({.state = ConfirmationState::kPending,
                                                     .transport = ConfirmationTransport::kApi,
                                                     .limit = options_.backlog_window}));
  }
  // Earliest deadline first through the API at its quota: an entry that
  // would reach Amazon later than its deadline less the margin goes into the
  // feed instead, and leaves its API slot to the entries behind it.
  std::vector<OutboxEntry> slack;
  int api_slots = 0;
  for (OutboxEntry& entry : pending) {
    if (entry.attempts > 0) {
      // Tried before (by the API, or by a feed that failed it): it stays on
      // the API, so that a stuck feed is not retried with another feed.
      ++api_slots;
      continue;
    }
    const double wait_seconds =
        std::max(0, api_slots - options_.api_burst) / options_.api_rate_per_second;
    const TimePoint arrives =
        now + std::chrono::duration_cast<Duration>(std::chrono::duration<double>(wait_seconds));
    if (arrives > entry.deadline - options_.deadline_margin && entry.deadline > now) {
      slack.push_back(std::move(entry));
    } else {
      ++api_slots;
    }
  }
  if (slack.empty() || stop.stop_requested()) {
    return Status::Ok();
  }
  std::vector<amazon::FulfillmentFeedMessage> messages;
  std::set<std::string> marketplaces;
  for (const OutboxEntry& entry : slack) {
    amazon::FulfillmentFeedMessage message{.message_id = static_cast<int>(entry.id),
                                           .amazon_order_id = entry.amazon_order_id,
                                           .fulfillment_date = entry.parcel.ship_date,
                                           .carrier_code = entry.parcel.carrier_code,
                                           .carrier_name = entry.parcel.carrier_name,
                                           .shipping_method = entry.parcel.shipping_method,
                                           .tracking_number = entry.parcel.tracking_number};
    for (const domain::ParcelItem& item : entry.parcel.items) {
      message.items.emplace_back(item.order_item_id, item.quantity);
    }
    messages.push_back(std::move(message));
    marketplaces.insert(entry.marketplace_id);
  }
  last_feed_ = now;
  auto feed_id = feeds_->Submit(
      std::string(kFeedType), std::vector<std::string>(marketplaces.begin(), marketplaces.end()),
      amazon::BuildOrderFulfillmentFeed(options_.merchant_id, messages), "text/xml; charset=UTF-8",
      {.lane = amazon::Lane::kConfirmation, .stop = stop});
  if (!feed_id.ok()) {
    spdlog::warn("fulfilment feed for {} confirmations not submitted ({}); they stay on the API",
                 slack.size(), feed_id.status().message());
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(auto tx, store_->Begin());
  for (const OutboxEntry& entry : slack) {
    RETURN_IF_ERROR(
        tx->UpdateConfirmation(entry.id, {.state = ConfirmationState::kSending,
                                          .attempts = entry.attempts + 1,
                                          .next_attempt_at = now + options_.feed_stuck_after,
                                          .last_error = entry.last_error,
                                          .transport = ConfirmationTransport::kFeed,
                                          .feed_id = *feed_id}));
  }
  RETURN_IF_ERROR(tx->Commit());
  pass.fed += static_cast<int>(slack.size());
  spdlog::info("fulfilment feed {} carries {} confirmations the API quota could not send in time",
               *feed_id, slack.size());
  return Status::Ok();
}

Status Confirmer::FollowFeeds(const std::stop_token& stop, ConfirmerPass& pass) {
  std::vector<OutboxEntry> in_feeds;
  {
    ASSIGN_OR_RETURN(auto tx, store_->BeginReadOnly());
    ASSIGN_OR_RETURN(in_feeds, tx->ListConfirmations({.state = ConfirmationState::kSending,
                                                      .transport = ConfirmationTransport::kFeed,
                                                      .limit = kListLimit}));
  }
  std::map<std::string, std::vector<OutboxEntry>> by_feed;
  for (OutboxEntry& entry : in_feeds) {
    by_feed[entry.feed_id].push_back(std::move(entry));
  }
  const TimePoint now = clock_->Now();
  for (auto& feed : by_feed) {
    const std::string& feed_id = feed.first;
    const std::vector<OutboxEntry>& entries = feed.second;
    if (stop.stop_requested()) {
      break;
    }
    const amazon::CallOptions low{.lane = amazon::Lane::kFinance, .stop = stop};
    auto status = feeds_->GetFeed(feed_id, low);
    const bool stuck = std::all_of(entries.begin(), entries.end(),
                                   [&](const OutboxEntry& e) { return e.next_attempt_at <= now; });
    const auto back_to_api = [&](const std::string& why) -> Status {
      ASSIGN_OR_RETURN(auto tx, store_->Begin());
      for (const OutboxEntry& entry : entries) {
        RETURN_IF_ERROR(tx->UpdateConfirmation(entry.id, {.state = ConfirmationState::kPending,
                                                          .attempts = entry.attempts,
                                                          .next_attempt_at = now,
                                                          .last_error = why,
                                                          .transport = ConfirmationTransport::kApi,
                                                          .feed_id = ""}));
      }
      return tx->Commit();
    };
    if (!status.ok() || !status->Finished()) {
      if (stuck) {
        const std::string why = fmt::format(
            "feed {} not done after {} min ({}); sent through the API instead", feed_id,
            std::chrono::duration_cast<std::chrono::minutes>(options_.feed_stuck_after).count(),
            status.ok() ? status->processing_status : std::string(status.status().message()));
        spdlog::error("{}", why);
        RETURN_IF_ERROR(back_to_api(why));
      }
      continue;
    }
    if (status->processing_status != "DONE" || !status->result_document_id) {
      RETURN_IF_ERROR(back_to_api(fmt::format("feed {} ended {}; sent through the API instead",
                                              feed_id, status->processing_status)));
      continue;
    }
    auto text = feeds_->DownloadResult(*status->result_document_id, low);
    if (!text.ok()) {
      continue;  // Read again on a later pass.
    }
    auto report = amazon::ParseFulfillmentProcessingReport(*text);
    if (!report.ok()) {
      RETURN_IF_ERROR(back_to_api(fmt::format("feed {}: processing report unreadable ({})", feed_id,
                                              report.status().message())));
      continue;
    }
    std::map<int, const amazon::FulfillmentFeedResult*> errors;
    for (const amazon::FulfillmentFeedResult& result : report->results) {
      if (result.result_code == "Error") {
        errors[result.message_id] = &result;
      }
    }
    if (auto whole = errors.find(0); whole != errors.end()) {
      RETURN_IF_ERROR(
          back_to_api(fmt::format("feed {} was refused as a whole: {} {}", feed_id,
                                  whole->second->message_code, whole->second->description)));
      continue;
    }
    for (const OutboxEntry& entry : entries) {
      ++pass.feed_results;
      if (auto it = errors.find(static_cast<int>(entry.id)); it != errors.end()) {
        RETURN_IF_ERROR(Fail(entry,
                             fmt::format("feed {} message {}: {} {}", feed_id, entry.id,
                                         it->second->message_code, it->second->description),
                             FixFor(InvalidArgumentError(it->second->description))));
        continue;
      }
      RETURN_IF_ERROR(Update(entry.id, {.state = ConfirmationState::kAccepted,
                                        .attempts = entry.attempts,
                                        .next_attempt_at = now + options_.verify_after}));
    }
  }
  return Status::Ok();
}

}  // namespace sellerbridge::sync
