#include "cli/emulated_config.h"

#include <utility>

namespace sellerbridge::cli {

config::Config ConfigForEmulators(const emulators::amazon::AmazonEmulator& amazon,
                                  const emulators::clarus::ClarusEmulator& clarus,
                                  std::string store_url) {
  config::Config config;
  config.store.url = std::move(store_url);
  const std::string amazon_url = "http://127.0.0.1:" + std::to_string(amazon.Port());
  const emulators::amazon::Scenario& seller = amazon.GetScenario();
  config.amazon.endpoint = amazon_url;
  config.amazon.lwa_endpoint = amazon_url + "/auth/o2/token";
  config.amazon.seller_id = seller.seller_id;
  config.amazon.region = "EU";
  config.amazon.marketplaces = seller.marketplace_ids;
  config.amazon.client_id = config::Secret(seller.lwa_client_id);
  config.amazon.client_secret = config::Secret(seller.lwa_client_secret);
  config.amazon.refresh_token = config::Secret(seller.refresh_tokens.front());
  const emulators::clarus::Scenario& tenant = clarus.GetScenario();
  config.clarus.api_base = clarus.BaseUrl() + clarus.ApiPrefix();
  config.clarus.graphql_url = clarus.BaseUrl() + "/graphql";
  config.clarus.token_url = clarus.BaseUrl() + "/oauth/token";
  config.clarus.subdomain = tenant.subdomain;
  config.clarus.client_id = config::Secret(tenant.credentials.front().client_id);
  config.clarus.client_secret = config::Secret(tenant.credentials.front().client_secret);
  config.clarus.account = tenant.accounts.front().code;
  config.clarus.warehouses = {tenant.warehouses.front().code};
  config.orders.ship_from = {.name = "Sellerbridge Demo Warehouse",
                             .line1 = "Unit 4, Dock Road",
                             .city = "Leeds",
                             .postal_code = "LS1 1AA",
                             .country_code = "GB",
                             .email = "warehouse@example.com",
                             .phone = "+44 113 496 0000"};
  return config;
}

}  // namespace sellerbridge::cli
