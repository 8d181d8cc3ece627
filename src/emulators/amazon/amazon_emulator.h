#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "emulators/amazon/account_health.h"
#include "emulators/amazon/faults.h"
#include "emulators/amazon/feed_store.h"
#include "emulators/amazon/formats/rate_limits.h"
#include "emulators/amazon/listing.h"
#include "emulators/amazon/order.h"
#include "emulators/amazon/order_generator.h"
#include "emulators/amazon/scenario.h"
#include "emulators/amazon/settlements.h"

namespace sellerbridge::emulators::amazon {

struct AmazonEmulatorOptions {
  std::uint64_t seed = 1;  // Drives every random choice: ids, tokens, generated orders, faults.
  std::optional<std::filesystem::path> scenario_file;  // TOML; see docs/emulators.md.
  std::optional<std::string> scenario_toml;            // Scenario text, when there is no file.
  int worker_threads = 8;                              // Requests served at once.
};

class SellerState;
class TokenService;
class RateLimiter;
class ApiGate;
class ReportsApi;
class MfnApi;

// A local Amazon Seller Central for one seller: Login with Amazon, Orders
// v2026-01-01 and v0 (with confirmShipment), Tokens, Listings Items, Feeds,
// Reports (settlements), Merchant Fulfillment, with Amazon's rate limits,
// error envelopes and headers, and a control API under /_emulator/. All its
// time comes from the Clock it is given. Every method is thread-safe; the
// in-process methods see the same state as HTTP callers.
class AmazonEmulator {
 public:
  // Loads the scenario (file, then text, else DefaultScenario()).
  // InvalidArgument / NotFound for a bad or missing scenario. `clock` must
  // outlive the emulator; when it is an OffsetClock or a VirtualClock, the
  // control API can advance it.
  static Result<std::unique_ptr<AmazonEmulator>> Create(AmazonEmulatorOptions options,
                                                        Clock* clock);

  ~AmazonEmulator();
  AmazonEmulator(const AmazonEmulator&) = delete;
  AmazonEmulator& operator=(const AmazonEmulator&) = delete;

  // Serves HTTP on host:port (0 picks a free port). Unavailable if it cannot
  // bind; FailedPrecondition if already started.
  Status Start(const std::string& host, int port);
  // The bound port, after Start.
  int Port() const;
  // Stops serving; the state stays readable. Idempotent.
  void Stop();

  // The scenario the emulator plays.
  const Scenario& GetScenario() const { return scenario_; }
  TimePoint Now() const { return clock_->Now(); }

  // An LWA access token for the scenario's seller, as /auth/o2/token issues.
  std::string IssueAccessToken();

  // Places an order (see SellerState::AddOrder for the errors).
  Result<std::string> AddOrder(const NewOrder& order);
  // Places `count` generated orders now; returns their ids.
  std::vector<std::string> GenerateOrders(int count);
  // What Amazon knows of an order: status, items, packages with tracking
  // numbers and confirmation arrival times, cancellation.
  std::optional<Order> GetOrder(std::string_view order_id);
  std::vector<Order> Orders();
  std::size_t OrderCount();
  // Cancels an unshipped order on behalf of the buyer or the seller.
  Status CancelOrder(std::string_view order_id, Canceller by);
  // The buyer changes the delivery address of an unshipped order.
  Status ChangeAddress(std::string_view order_id);

  // A listing with its quantity, pending changes and history.
  std::optional<Listing> GetListing(std::string_view sku);
  std::vector<Listing> Listings();
  // Changes a listing's availability after the processing delay, as Amazon
  // itself sometimes does (a feed applied late, a listing suppressed): for
  // drift tests. NotFound for an unknown SKU.
  Status QueueListingChange(std::string_view sku, const AvailabilityPatch& patch,
                            std::string_view source);
  // Units ordered per SKU, and those beyond what the listing showed when the
  // order was placed (see SellerState::UnitsOrdered and UnitsOversold).
  std::map<std::string, std::int64_t> UnitsOrdered();
  std::map<std::string, std::int64_t> UnitsOversold();

  // Late Shipment, Cancel and Valid Tracking rates as Amazon counts them now.
  AccountHealth Health();

  // Replaces rate and burst of `operation` (an operation name of
  // RATE-LIMITS.tsv, in every API that has it). With `report_rate` false,
  // answers leave x-amzn-RateLimit-Limit out. NotFound if no API has it.
  Status SetRateLimit(std::string_view operation, double rate_per_second, int burst,
                      bool report_rate = true);
  std::vector<RateLimit> RateLimits() const;

  // The fault injector (5xx, timeouts, storms, LWA outage, silent drops).
  Faults& FaultInjector() { return *faults_; }

  // Feeds 2021-06-30 as of now, newest first: type, status, times, result
  // document and per-message outcome counts.
  std::vector<FeedInfo> Feeds();
  std::optional<FeedInfo> GetFeed(std::string_view feed_id);
  // Stores a feed document as createFeedDocument and its upload would, under
  // `document_id` if given (e.g. an id from the model's sandbox examples).
  // Returns its id; InvalidArgument / AlreadyExists (see FeedStore).
  Result<std::string> AddFeedDocument(std::string_view content_type, std::string content,
                                      std::optional<std::string> document_id = {});
  // Submits a feed as createFeed does, with the same errors; returns its id.
  Result<std::string> SubmitFeed(const FeedSubmission& submission);
  // A feed document's bytes (a processing report decompressed), if it has any.
  std::optional<std::string> FeedDocumentText(std::string_view document_id);

  // Settlements Amazon has closed (oldest first, 90 days kept), after
  // closing every settlement period that has ended.
  std::vector<SettlementRecord> Settlements();
  // Closes the current settlement period now (one settlement per marketplace
  // with money movements); the next period starts now. Returns them.
  std::vector<SettlementRecord> CloseSettlementPeriod();
  // Replaces the settlement options (see SettlementLedger::Configure).
  Status ConfigureSettlements(const SettlementOptions& options);
  // Refunds every shipped unit of an order now (see SellerState::RefundOrder).
  Status RefundOrder(std::string_view order_id);

  // Moves the clock forward. FailedPrecondition unless the clock is an
  // OffsetClock or a VirtualClock; InvalidArgument for a negative duration.
  Status AdvanceClock(Duration by);

 private:
  AmazonEmulator(Scenario scenario, std::uint64_t seed, int worker_threads, Clock* clock);

  struct Impl;
  Scenario scenario_;
  Clock* clock_;
  std::unique_ptr<FeedProcessingClock> state_clock_;  // The clock state_ reads.
  std::unique_ptr<SellerState> state_;
  std::unique_ptr<TokenService> tokens_;
  std::unique_ptr<RateLimiter> limiter_;
  std::unique_ptr<Faults> faults_;
  std::unique_ptr<FeedStore> feeds_;
  std::unique_ptr<SettlementLedger> settlements_;
  std::unique_ptr<ReportsApi> reports_;
  std::unique_ptr<MfnApi> mfn_;
  std::unique_ptr<Impl> impl_;
};

// Runs the emulator standalone on 127.0.0.1:`port` on an OffsetClock over the
// system clock (the control API's clock advance moves it), until SIGINT or
// SIGTERM. It blocks both signals in the
// calling thread before starting any thread (so every server thread inherits
// the mask), waits for them with sigwait, and restores the previous mask
// before returning. Returns 0 after a signal, 2 for a bad scenario, 1 when
// the port cannot be bound.
int RunAmazonEmulatorCommand(int port, std::uint64_t seed,
                             const std::optional<std::string>& scenario_file);

}  // namespace sellerbridge::emulators::amazon
