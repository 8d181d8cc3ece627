#include "emulators/clarus/webhooks.h"

#include <fmt/format.h>
#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <utility>

#include "base/time_format.h"
#include "emulators/clarus/record_json.h"

namespace sellerbridge::emulators::clarus {
namespace {

using nlohmann::json;

constexpr std::array<std::pair<DeliveryFault, std::string_view>, 5> kFaultNames = {{
    {DeliveryFault::kNone, "none"},
    {DeliveryFault::kDuplicate, "duplicate"},
    {DeliveryFault::kOutOfOrder, "out_of_order"},
    {DeliveryFault::kLate, "late"},
    {DeliveryFault::kDrop, "drop"},
}};

constexpr auto kPollInterval = std::chrono::milliseconds{20};

std::string EventBody(const WarehouseEvent& event, const std::string& automation_id) {
  json body;
  body["automation_id"] = automation_id;
  body["triggered_at"] = FormatIso8601(event.at);
  switch (event.kind) {
    case WarehouseEvent::Kind::kGoodsOutCompleted:
      body["resource_name"] = "goods_out";
      body["event"] = "completed";
      body["data"] = GoodsOutRecordJson(*event.goods_out, event.shipments, event.products);
      break;
    case WarehouseEvent::Kind::kStockAdjusted:
    case WarehouseEvent::Kind::kStockHeld:
    case WarehouseEvent::Kind::kStockReleased: {
      body["resource_name"] = "stock";
      body["event"] = event.kind == WarehouseEvent::Kind::kStockAdjusted ? "adjusted"
                      : event.kind == WarehouseEvent::Kind::kStockHeld   ? "held"
                                                                         : "released";
      std::map<std::int64_t, Product> products;
      products[event.product->id] = *event.product;
      WarehouseState state;
      state.products = std::move(products);
      json data = StockBalanceJson(*event.balance, state);
      data["quantity"] = event.quantity;
      data["reason"] = event.reason;
      body["data"] = std::move(data);
      break;
    }
  }
  return body.dump();
}

}  // namespace

std::string_view DeliveryFaultName(DeliveryFault fault) {
  for (const auto& [f, name] : kFaultNames) {
    if (f == fault) {
      return name;
    }
  }
  return "unknown";
}

Result<DeliveryFault> ParseDeliveryFault(std::string_view name) {
  for (const auto& [f, n] : kFaultNames) {
    if (n == name) {
      return f;
    }
  }
  return InvalidArgumentError(
      fmt::format("unknown delivery fault '{}' (none, duplicate, out_of_order, late, drop)", name));
}

WebhookDispatcher::WebhookDispatcher(WebhookOptions options, std::string subdomain, Clock* clock,
                                     std::uint64_t seed)
    : clock_(clock), subdomain_(std::move(subdomain)), options_(std::move(options)), rng_(seed) {}

WebhookDispatcher::~WebhookDispatcher() { Stop(); }

void WebhookDispatcher::Start() {
  thread_ = std::jthread([this](const std::stop_token& stop) { Run(stop); });
}

void WebhookDispatcher::Stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    cv_.notify_all();
    thread_.join();
  }
}

void WebhookDispatcher::SetOptions(WebhookOptions options) {
  std::lock_guard lock(mu_);
  options_ = std::move(options);
}

WebhookOptions WebhookDispatcher::Options() const {
  std::lock_guard lock(mu_);
  return options_;
}

void WebhookDispatcher::ForceNext(DeliveryFault fault, int count) {
  std::lock_guard lock(mu_);
  for (int i = 0; i < count; ++i) {
    forced_.push_back(fault);
  }
}

void WebhookDispatcher::Enqueue(const WarehouseEvent& event) {
  std::lock_guard lock(mu_);
  if (options_.url.empty()) {
    return;
  }
  ++stats_.events;
  DeliveryFault fault = DeliveryFault::kNone;
  if (!forced_.empty()) {
    fault = forced_.front();
    forced_.pop_front();
  } else {
    // Draw only for rates that can fire (see FaultInjector::Next).
    const auto draw = [this](double rate) {
      return rate > 0 && static_cast<double>(rng_() >> 11U) * 0x1.0p-53 < rate;
    };
    if (draw(options_.drop_rate)) {
      fault = DeliveryFault::kDrop;
    } else if (draw(options_.late_rate)) {
      fault = DeliveryFault::kLate;
    } else if (draw(options_.out_of_order_rate)) {
      fault = DeliveryFault::kOutOfOrder;
    } else if (draw(options_.duplicate_rate)) {
      fault = DeliveryFault::kDuplicate;
    }
  }
  if (fault == DeliveryFault::kDrop) {
    ++stats_.dropped;
    return;
  }
  Delivery delivery;
  delivery.seq = next_seq_++;
  delivery.body = EventBody(event, options_.automation_id);
  delivery.due = event.at;
  if (fault == DeliveryFault::kLate) {
    delivery.due += options_.late_delay;
  } else if (fault == DeliveryFault::kOutOfOrder) {
    delivery.held = true;
    delivery.due += options_.out_of_order_window;
  }
  delivery.duplicate = fault == DeliveryFault::kDuplicate;
  queue_.push_back(std::move(delivery));
  wake_ = true;
  cv_.notify_all();
}

void WebhookDispatcher::Notify() {
  std::lock_guard lock(mu_);
  wake_ = true;
  cv_.notify_all();
}

WebhookStats WebhookDispatcher::Stats() const {
  std::lock_guard lock(mu_);
  WebhookStats stats = stats_;
  stats.pending = static_cast<int>(queue_.size());
  return stats;
}

void WebhookDispatcher::Run(const std::stop_token& stop) {
  std::unique_lock lock(mu_);
  while (!stop.stop_requested()) {
    cv_.wait_for(lock, stop, kPollInterval, [this] { return wake_; });
    wake_ = false;
    const TimePoint now = clock_->Now();
    // The earliest due delivery; among equals, the first queued.
    auto next = queue_.end();
    for (auto it = queue_.begin(); it != queue_.end(); ++it) {
      if (it->due <= now &&
          (next == queue_.end() || std::tie(it->due, it->seq) < std::tie(next->due, next->seq))) {
        next = it;
      }
    }
    if (next == queue_.end()) {
      continue;
    }
    Delivery delivery = std::move(*next);
    queue_.erase(next);
    const WebhookOptions options = options_;
    ++stats_.attempts;
    ++delivery.attempts;
    lock.unlock();
    const int status = Post(delivery.body, options);
    lock.lock();
    Settle(std::move(delivery), status, clock_->Now());
    wake_ = true;  // More may be due already.
  }
}

void WebhookDispatcher::Settle(Delivery delivery, int status, TimePoint now) {
  if (status >= 200 && status < 300) {
    ++stats_.delivered;
    if (!delivery.held) {
      // Whatever was held back goes right after the delivery that overtook it.
      for (Delivery& other : queue_) {
        if (other.held) {
          other.held = false;
          other.due = now;
        }
      }
    }
    if (delivery.duplicate) {
      delivery.duplicate = false;
      delivery.held = false;
      delivery.due = now;
      delivery.seq = next_seq_++;
      queue_.push_back(std::move(delivery));
    }
    return;
  }
  if ((status == 0 || status >= 500) && delivery.attempts < options_.max_attempts) {
    ++stats_.retried;
    delivery.due = now + options_.retry_delay;
    delivery.held = false;
    queue_.push_back(std::move(delivery));
    return;
  }
  ++stats_.abandoned;
  spdlog::warn("clarus emulator: webhook delivery abandoned after {} attempts (last status {})",
               delivery.attempts, status);
}

int WebhookDispatcher::Post(const std::string& body, const WebhookOptions& options) {
  // "http://host:port/path" → client base and path.
  const std::size_t scheme_end = options.url.find("://");
  const std::size_t path_start =
      options.url.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
  const std::string base = options.url.substr(0, path_start);
  const std::string path = path_start == std::string::npos ? "/" : options.url.substr(path_start);
  httplib::Client client(base);
  const auto timeout = std::chrono::duration_cast<std::chrono::microseconds>(options.timeout);
  client.set_connection_timeout(timeout);
  client.set_read_timeout(timeout);
  client.set_write_timeout(timeout);
  const httplib::Headers headers = {
      {"X-ClarusWMS-Domain", subdomain_ + ".claruswms.co.uk"},
      {"X-ClarusWMS-API-Domain", "clarus-api.com"},
      {"X-ClarusWMS-Subdomain", subdomain_},
      {"X-ClarusWMS-Automation-ID", options.automation_id},
      {"X-ClarusWMS-Integration-ID", options.integration_id},
  };
  const auto result = client.Post(path, headers, body, "application/json");
  return result ? result->status : 0;
}

}  // namespace sellerbridge::emulators::clarus
