#pragma once

#include <string>
#include <string_view>

#include "emulators/clarus/warehouse.h"

namespace sellerbridge::emulators::clarus {

// An HTTP answer of the GraphQL endpoint.
struct GraphqlReply {
  int status = 200;
  std::string body;
};

// Runs read queries of the Clarus GraphQL API against the warehouse.
//
// Each root field (goods_outs, goods_out_lines, shipments, packages,
// stock_balances, stocks, carriers, carrier_services, products, accounts,
// warehouses) holds a relay connection `all(first, after, filter)` with
// `edges { cursor node { ... } }`, `pageInfo { hasNextPage hasPreviousPage
// startCursor endCursor }` and `totalCount`. Nodes come in id order; pages
// hold at most `max_page_size` nodes (a larger `first` is cut down). A filter
// is an object of field → {operator: value} with the operators eq, in, ilike,
// like, between, gt, gteq, lt, lteq, from, to and filled, on any scalar field
// of the node (plus `sku` for product_code, `account` for account_id and
// `warehouse` for warehouse_id).
//
// Bad documents (syntax errors, unknown fields or arguments, bad argument
// values, undefined variables) get GraphQL errors with HTTP 200 and no data;
// a body that is not a JSON request gets 400. Mutations are refused: Clarus
// writes go through REST. Thread-safe (reads under the warehouse lock).
class GraphqlExecutor {
 public:
  // `warehouse` must outlive the executor.
  GraphqlExecutor(Warehouse* warehouse, int max_page_size);

  // Executes one POST body {"query", "variables", "operationName"}.
  GraphqlReply Execute(std::string_view request_body);

 private:
  Warehouse* const warehouse_;
  const int max_page_size_;
};

}  // namespace sellerbridge::emulators::clarus
