#include "emulators/amazon/amazon_emulator.h"

#include <fmt/format.h>
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <csignal>

#include "base/status_macros.h"
#include "emulators/amazon/api_support.h"
#include "emulators/amazon/control_api.h"
#include "emulators/amazon/feeds_api.h"
#include "emulators/amazon/listings_api.h"
#include "emulators/amazon/lwa_api.h"
#include "emulators/amazon/mfn_api.h"
#include "emulators/amazon/orders_api.h"
#include "emulators/amazon/rate_limiter.h"
#include "emulators/amazon/reports_api.h"
#include "emulators/amazon/seller_state.h"
#include "emulators/amazon/token_service.h"
#include "http/server.h"

namespace sellerbridge::emulators::amazon {

struct AmazonEmulator::Impl {
  Impl(int worker_threads, TokenService* tokens, RateLimiter* limiter, Faults* faults)
      : server(http::ServerOptions{.worker_threads = worker_threads}),
        gate(tokens, limiter, faults) {}

  http::Server server;
  ApiGate gate;
  std::atomic<std::uint64_t> request_counter{0};
  std::uint64_t request_salt = 0;
};

AmazonEmulator::AmazonEmulator(Scenario scenario, std::uint64_t seed, int worker_threads,
                               Clock* clock)
    : scenario_(std::move(scenario)),
      clock_(clock),
      state_clock_(std::make_unique<FeedProcessingClock>(clock)),
      state_(std::make_unique<SellerState>(scenario_, seed, state_clock_.get())),
      tokens_(std::make_unique<TokenService>(scenario_.seller_id, scenario_.lwa_client_id,
                                             scenario_.lwa_client_secret, scenario_.refresh_tokens,
                                             seed, clock)),
      limiter_(std::make_unique<RateLimiter>(DefaultRateLimits(), clock)),
      faults_(std::make_unique<Faults>(scenario_.faults, seed, clock)),
      feeds_(std::make_unique<FeedStore>(scenario_.feeds, seed, state_.get(), state_clock_.get(),
                                         faults_.get(), clock)),
      settlements_(std::make_unique<SettlementLedger>(state_.get(), seed, clock)),
      reports_(std::make_unique<ReportsApi>(settlements_.get(), state_.get(), seed, clock)),
      mfn_(std::make_unique<MfnApi>(state_.get(), seed, clock)),
      impl_(std::make_unique<Impl>(worker_threads, tokens_.get(), limiter_.get(), faults_.get())) {
  impl_->request_salt = seed * 0x9e3779b97f4a7c15ULL;
}

AmazonEmulator::~AmazonEmulator() { Stop(); }

Result<std::unique_ptr<AmazonEmulator>> AmazonEmulator::Create(AmazonEmulatorOptions options,
                                                               Clock* clock) {
  Scenario scenario = DefaultScenario();
  if (options.scenario_file) {
    auto loaded = LoadScenarioFile(*options.scenario_file);
    if (!loaded.ok()) {
      return loaded.status();
    }
    scenario = *std::move(loaded);
  } else if (options.scenario_toml) {
    auto parsed = ParseScenario(*options.scenario_toml, "scenario");
    if (!parsed.ok()) {
      return parsed.status();
    }
    scenario = *std::move(parsed);
  }
  std::unique_ptr<AmazonEmulator> emulator(
      new AmazonEmulator(std::move(scenario), options.seed, options.worker_threads, clock));
  for (const auto& [operation, limit] : emulator->scenario_.rate_overrides) {
    if (!emulator->limiter_->Override(operation, limit.rate_per_second, limit.burst)) {
      return InvalidArgumentError(
          fmt::format("scenario rate_limits.{}: no SP-API operation has that name", operation));
    }
  }
  auto settlement_options = LoadSettlementOptions(options.scenario_file, options.scenario_toml);
  if (!settlement_options.ok()) {
    return settlement_options.status();
  }
  RETURN_IF_ERROR(emulator->settlements_->Configure(*settlement_options));
  return emulator;
}

Status AmazonEmulator::Start(const std::string& host, int port) {
  http::Server& server = impl_->server;
  RegisterLwaApi(server, tokens_.get(), faults_.get());
  RegisterOrdersApi(server, impl_->gate, state_.get(), tokens_.get(), clock_);
  RegisterListingsApi(server, impl_->gate, state_.get());
  RegisterFeedsApi(server, impl_->gate, feeds_.get(), clock_);
  reports_->Register(server, impl_->gate);
  mfn_->Register(server, impl_->gate);
  RegisterControlApi(server, this);
  server.SetNotFound([](const http::Request&) {
    return ErrorResponse(404, "NotFound", "The requested resource was not found.");
  });
  Impl* impl = impl_.get();
  server.SetResponseHook([impl](const http::Request&, http::Response& response) {
    // Amazon's request ids look like UUIDs; these are unique per emulator run.
    const std::uint64_t n = ++impl->request_counter;
    const std::uint64_t mixed = (n + impl->request_salt) * 0xbf58476d1ce4e5b9ULL;
    response.WithHeader(
        "x-amzn-RequestId",
        fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", mixed >> 32U, (mixed >> 16U) & 0xffffU,
                    mixed & 0xffffU, n >> 48U, n & 0xffffffffffffULL));
  });
  RETURN_IF_ERROR(server.Start(host, port));
  spdlog::info("amazon emulator: serving seller {} on {}:{}", scenario_.seller_id, host,
               server.Port());
  return Status::Ok();
}

int AmazonEmulator::Port() const { return impl_->server.Port(); }

void AmazonEmulator::Stop() { impl_->server.Stop(); }

std::string AmazonEmulator::IssueAccessToken() { return tokens_->IssueAccessToken(); }

Result<std::string> AmazonEmulator::AddOrder(const NewOrder& order) {
  return state_->AddOrder(order);
}

std::vector<std::string> AmazonEmulator::GenerateOrders(int count) {
  return state_->GenerateOrders(count);
}

std::optional<Order> AmazonEmulator::GetOrder(std::string_view order_id) {
  return state_->GetOrder(order_id);
}

std::vector<Order> AmazonEmulator::Orders() { return state_->AllOrders(); }

std::size_t AmazonEmulator::OrderCount() { return state_->OrderCount(); }

Status AmazonEmulator::CancelOrder(std::string_view order_id, Canceller by) {
  return state_->CancelOrder(order_id, by);
}

Status AmazonEmulator::ChangeAddress(std::string_view order_id) {
  return state_->ChangeAddress(order_id);
}

std::optional<Listing> AmazonEmulator::GetListing(std::string_view sku) {
  return state_->GetListing(sku);
}

std::vector<Listing> AmazonEmulator::Listings() { return state_->Listings(); }

Status AmazonEmulator::QueueListingChange(std::string_view sku, const AvailabilityPatch& patch,
                                          std::string_view source) {
  return state_->QueueAvailability(sku, patch, source);
}

std::map<std::string, std::int64_t> AmazonEmulator::UnitsOrdered() {
  return state_->UnitsOrdered();
}

std::map<std::string, std::int64_t> AmazonEmulator::UnitsOversold() {
  return state_->UnitsOversold();
}

AccountHealth AmazonEmulator::Health() { return state_->Health(); }

std::vector<FeedInfo> AmazonEmulator::Feeds() { return feeds_->Feeds(); }

std::optional<FeedInfo> AmazonEmulator::GetFeed(std::string_view feed_id) {
  return feeds_->GetFeed(feed_id);
}

Result<std::string> AmazonEmulator::AddFeedDocument(std::string_view content_type,
                                                    std::string content,
                                                    std::optional<std::string> document_id) {
  return feeds_->AddDocument(content_type, std::move(content), std::move(document_id));
}

Result<std::string> AmazonEmulator::SubmitFeed(const FeedSubmission& submission) {
  return feeds_->CreateFeed(submission);
}

std::optional<std::string> AmazonEmulator::FeedDocumentText(std::string_view document_id) {
  return feeds_->DocumentText(document_id);
}

Status AmazonEmulator::SetRateLimit(std::string_view operation, double rate_per_second, int burst,
                                    bool report_rate) {
  if (rate_per_second < 0 || burst < 1) {
    return InvalidArgumentError("rate must be at least 0 and burst at least 1");
  }
  if (!limiter_->Override(operation, rate_per_second, burst, report_rate)) {
    return NotFoundError(fmt::format("no SP-API operation is called {}", operation));
  }
  return Status::Ok();
}

std::vector<RateLimit> AmazonEmulator::RateLimits() const { return limiter_->Limits(); }

std::vector<SettlementRecord> AmazonEmulator::Settlements() { return settlements_->Settlements(); }

std::vector<SettlementRecord> AmazonEmulator::CloseSettlementPeriod() {
  return settlements_->CloseCurrentPeriod();
}

Status AmazonEmulator::ConfigureSettlements(const SettlementOptions& options) {
  return settlements_->Configure(options);
}

Status AmazonEmulator::RefundOrder(std::string_view order_id) {
  return state_->RefundOrder(order_id);
}

Status AmazonEmulator::AdvanceClock(Duration by) {
  if (by < Duration::zero()) {
    return InvalidArgumentError("the clock only moves forward");
  }
  if (auto* offset = dynamic_cast<OffsetClock*>(clock_); offset != nullptr) {
    offset->Advance(by);
    return Status::Ok();
  }
  if (auto* virtual_clock = dynamic_cast<VirtualClock*>(clock_); virtual_clock != nullptr) {
    virtual_clock->Advance(by);
    return Status::Ok();
  }
  return FailedPreconditionError("the emulator's clock cannot be advanced");
}

int RunAmazonEmulatorCommand(int port, std::uint64_t seed,
                             const std::optional<std::string>& scenario_file) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigset_t previous;
  // Blocked before any thread starts, so only sigwait below ever sees them.
  pthread_sigmask(SIG_BLOCK, &signals, &previous);
  OffsetClock clock(SystemClock::Get());
  AmazonEmulatorOptions options;
  options.seed = seed;
  if (scenario_file) {
    options.scenario_file = *scenario_file;
  }
  int exit_code = 0;
  {
    auto emulator = AmazonEmulator::Create(options, &clock);
    if (!emulator.ok()) {
      spdlog::error("amazon emulator: {}", emulator.status().ToString());
      exit_code = 2;
    } else if (Status started = (*emulator)->Start("127.0.0.1", port); !started.ok()) {
      spdlog::error("amazon emulator: {}", started.ToString());
      exit_code = 1;
    } else {
      int received = 0;
      sigwait(&signals, &received);
      spdlog::info("amazon emulator: signal {}, stopping", received);
      (*emulator)->Stop();
    }
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return exit_code;
}

}  // namespace sellerbridge::emulators::amazon
