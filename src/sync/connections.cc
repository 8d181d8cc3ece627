#include "sync/connections.h"

#include <utility>

namespace sellerbridge::sync {

Connections::~Connections() = default;

std::unique_ptr<Connections> Connections::Create(const config::Config& config, Clock* clock,
                                                 const ConnectionOptions& options) {
  std::unique_ptr<Connections> c(new Connections());
  c->http = std::make_unique<http::CurlHttpClient>(options.http);

  c->amazon_tokens = std::make_unique<http::OAuthTokenProvider>(
      http::LwaRefreshTokenGrant(config.amazon.lwa_endpoint, config.amazon.client_id.Reveal(),
                                 config.amazon.client_secret.Reveal(),
                                 config.amazon.refresh_token.Reveal()),
      c->http.get(), clock);
  c->broker = std::make_unique<amazon::QuotaBroker>(clock, options.amazon_rate_limits.empty()
                                                               ? amazon::DocumentedRateLimits()
                                                               : options.amazon_rate_limits);
  c->amazon = std::make_unique<amazon::SpApiClient>(
      amazon::SpApiClientOptions{.endpoint = config.amazon.endpoint,
                                 .seller_id = config.amazon.seller_id,
                                 .region = config.amazon.region,
                                 .max_attempts = options.amazon_max_attempts,
                                 .initial_backoff = options.amazon_initial_backoff,
                                 .max_backoff = options.amazon_max_backoff},
      c->http.get(), c->amazon_tokens.get(), c->broker.get(), clock);
  c->restricted_data_tokens =
      std::make_unique<amazon::RestrictedDataTokens>(c->amazon.get(), clock);
  c->orders = std::make_unique<amazon::OrdersApi>(c->amazon.get(), c->restricted_data_tokens.get());
  c->listings = std::make_unique<amazon::ListingsApi>(c->amazon.get(), config.amazon.seller_id);
  c->feeds = std::make_unique<amazon::FeedsApi>(c->amazon.get(), c->http.get());
  c->reports = std::make_unique<amazon::ReportsApi>(c->amazon.get(), c->http.get());
  c->merchant_fulfillment = std::make_unique<amazon::MerchantFulfillmentApi>(
      c->amazon.get(), c->restricted_data_tokens.get());

  http::OAuthGrant clarus_grant = http::ClientCredentialsGrant(
      "clarus", config.clarus.token_url, config.clarus.client_id.Reveal(),
      config.clarus.client_secret.Reveal());
  clarus_grant.headers.emplace("X-Clarus-Subdomain", config.clarus.subdomain);
  c->clarus_tokens =
      std::make_unique<http::OAuthTokenProvider>(std::move(clarus_grant), c->http.get(), clock);
  c->clarus = std::make_unique<clarus::ClarusClient>(
      clarus::ClarusClientOptions{.api_base = config.clarus.api_base,
                                  .graphql_url = config.clarus.graphql_url,
                                  .subdomain = config.clarus.subdomain,
                                  .max_attempts = options.clarus_max_attempts,
                                  .initial_backoff = options.clarus_initial_backoff,
                                  .max_backoff = options.clarus_max_backoff},
      c->http.get(), c->clarus_tokens.get(), clock);
  c->goods_outs = std::make_unique<clarus::GoodsOuts>(c->clarus.get());
  c->products = std::make_unique<clarus::Products>(c->clarus.get(), clock);
  c->carriers = std::make_unique<clarus::Carriers>(c->clarus.get());
  c->shipments = std::make_unique<clarus::Shipments>(c->clarus.get());
  c->stock = std::make_unique<clarus::Stock>(c->clarus.get());
  return c;
}

}  // namespace sellerbridge::sync
