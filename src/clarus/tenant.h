#pragma once

#include <map>
#include <mutex>
#include <string>

#include "base/result.h"
#include "clarus/clarus_client.h"

namespace sellerbridge::clarus {

// The ids of the tenant's accounts and warehouses by their codes, as the
// configuration names them, read once through GraphQL and kept (ids never
// change). Thread-safe.
class Tenant {
 public:
  // `client` must outlive this.
  explicit Tenant(ClarusClient* client) : client_(client) {}

  // The Clarus id of account `code`. NotFound naming the code (and the codes
  // that exist) when Clarus has no such account.
  Result<std::string> AccountId(const std::string& code);

  // The Clarus id of warehouse `code`. NotFound as for AccountId.
  Result<std::string> WarehouseId(const std::string& code);

 private:
  // The id of `code` among the nodes of `root` ("accounts", "warehouses").
  Result<std::string> IdOf(const std::string& root, const std::string& what,
                           const std::string& code);

  ClarusClient* const client_;
  std::mutex mu_;
  std::map<std::pair<std::string, std::string>, std::string> ids_;  // Guarded by mu_.
};

}  // namespace sellerbridge::clarus
