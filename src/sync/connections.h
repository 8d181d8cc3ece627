#pragma once

#include <memory>
#include <vector>

#include "amazon/feeds_api.h"
#include "amazon/listings_api.h"
#include "amazon/merchant_fulfillment_api.h"
#include "amazon/orders_api.h"
#include "amazon/quota_broker.h"
#include "amazon/rate_limit_table.h"
#include "amazon/reports_api.h"
#include "amazon/restricted_data_tokens.h"
#include "amazon/sp_api_client.h"
#include "base/clock.h"
#include "clarus/carriers.h"
#include "clarus/clarus_client.h"
#include "clarus/goods_outs.h"
#include "clarus/products.h"
#include "clarus/shipments.h"
#include "clarus/stock.h"
#include "config/config.h"
#include "http/client.h"
#include "http/oauth_token_provider.h"

namespace sellerbridge::sync {

// How the connectors are tuned. The defaults suit production; tests shorten
// the backoffs.
struct ConnectionOptions {
  Duration amazon_initial_backoff = std::chrono::seconds{1};
  Duration amazon_max_backoff = std::chrono::seconds{60};
  int amazon_max_attempts = 5;
  Duration clarus_initial_backoff = std::chrono::seconds{1};
  Duration clarus_max_backoff = std::chrono::seconds{30};
  int clarus_max_attempts = 4;
  http::HttpClientOptions http;
  // The quota broker's limits; empty for Amazon's documented ones.
  std::vector<amazon::OperationLimit> amazon_rate_limits;
};

// Both remote systems as the configuration names them: one HTTP client, the
// token providers, Amazon's quota broker (with Amazon's documented limits),
// the SP-API client and its typed operations, the Clarus client and its
// typed operations. Every member is thread-safe and lives as long as the
// Connections.
struct Connections {
  // Builds the stack for `config` (which must have passed validation) on
  // `clock`, which must outlive it. Nothing is sent until an operation is
  // called.
  static std::unique_ptr<Connections> Create(const config::Config& config, Clock* clock,
                                             const ConnectionOptions& options = {});

  Connections(const Connections&) = delete;
  Connections& operator=(const Connections&) = delete;
  ~Connections();

  std::unique_ptr<http::HttpClient> http;

  std::unique_ptr<http::OAuthTokenProvider> amazon_tokens;
  std::unique_ptr<amazon::QuotaBroker> broker;
  std::unique_ptr<amazon::SpApiClient> amazon;
  std::unique_ptr<amazon::RestrictedDataTokens> restricted_data_tokens;
  std::unique_ptr<amazon::OrdersApi> orders;
  std::unique_ptr<amazon::ListingsApi> listings;
  std::unique_ptr<amazon::FeedsApi> feeds;
  std::unique_ptr<amazon::ReportsApi> reports;
  std::unique_ptr<amazon::MerchantFulfillmentApi> merchant_fulfillment;

  std::unique_ptr<http::OAuthTokenProvider> clarus_tokens;
  std::unique_ptr<clarus::ClarusClient> clarus;
  std::unique_ptr<clarus::GoodsOuts> goods_outs;
  std::unique_ptr<clarus::Products> products;
  std::unique_ptr<clarus::Carriers> carriers;
  std::unique_ptr<clarus::Shipments> shipments;
  std::unique_ptr<clarus::Stock> stock;

 private:
  Connections() = default;
};

}  // namespace sellerbridge::sync
