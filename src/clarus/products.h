#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "clarus/clarus_client.h"

namespace sellerbridge::clarus {

// A product of the Clarus catalogue.
struct Product {
  std::string id;  // Clarus's id, which goods-out lines name.
  std::string account_id;
  std::string sku;  // Clarus's product_code.
  std::string name;
};

// Looks products up by SKU (product_code) through GraphQL, Clarus's read
// path, with a small cache.
//
// The cache rule: only products that were found are kept, for `ttl` on
// `clock`; a SKU that was not found is asked again every time, so a product
// created in Clarus is usable at once. Invalidate() a SKU when Clarus rejects
// its product id (a product deleted and created again gets a new id), and
// InvalidateAll() after a catalogue import. A ttl of zero turns the cache off.
// Thread-safe.
class Products {
 public:
  // `client` and `clock` must outlive this.
  Products(ClarusClient* client, Clock* clock, Duration ttl = std::chrono::minutes{10});

  // The product whose product_code is `sku` in account `account_id` (Clarus
  // id; "" for any account). NotFound naming the SKU (and account);
  // FailedPrecondition when no account is given and several accounts hold
  // the SKU (a 3PL's clients may share codes).
  Result<Product> FindBySku(const std::string& sku, const std::string& account_id = "");

  // The products of every SKU in `skus`, keyed by SKU, read in as few
  // requests as the page size allows. NotFound naming every SKU that is
  // missing; FailedPrecondition as for FindBySku.
  Result<std::map<std::string, Product>> FindBySkus(const std::vector<std::string>& skus,
                                                    const std::string& account_id = "");

  // Forgets cached products with product_code `sku`, in every account.
  void Invalidate(const std::string& sku);
  void InvalidateAll();

 private:
  struct Entry {
    Product product;
    TimePoint fetched_at;
  };
  using Key = std::pair<std::string, std::string>;  // (account id or "", sku).

  ClarusClient* const client_;
  Clock* const clock_;
  const Duration ttl_;
  std::mutex mu_;
  std::map<Key, Entry> cache_;  // Guarded by mu_.
};

}  // namespace sellerbridge::clarus
