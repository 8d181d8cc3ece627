#pragma once

#include <string>

#include "emulators/clarus/auth.h"
#include "emulators/clarus/faults.h"
#include "emulators/clarus/graphql_executor.h"
#include "emulators/clarus/warehouse.h"
#include "http/server.h"

namespace sellerbridge::emulators::clarus {

// What the Clarus-facing routes work on. Everything must outlive the server.
struct ApiContext {
  std::string subdomain;
  std::string api_prefix;  // "/api" or "/api/v1".
  Warehouse* warehouse = nullptr;
  TokenIssuer* tokens = nullptr;
  FaultInjector* faults = nullptr;
  GraphqlExecutor* graphql = nullptr;
};

// Adds the Clarus API to `server`: POST /oauth/token (client credentials,
// form or JSON body, or HTTP Basic), POST /graphql, and the JSON:API REST
// resources under the prefix: products (POST, GET list with
// filter[product_code], GET one), goods_outs (POST, GET, PATCH, POST
// {id}/cancel), goods_out_processes/short_order_lines (POST), shipments
// (POST, GET, POST {id}/cancel). Every call but the token endpoint needs a
// known X-Clarus-Subdomain and a live bearer token (401 otherwise); faults
// apply before the handler, and a lost response after the write commits.
// Validation failures are 422 with JSON:API errors pointing at the field.
void AddClarusRoutes(http::Server& server, const ApiContext& context);

}  // namespace sellerbridge::emulators::clarus
