#include "clarus/tenant.h"

#include <fmt/format.h>

#include <utility>
#include <vector>

#include "base/status_macros.h"

namespace sellerbridge::clarus {

Result<std::string> Tenant::AccountId(const std::string& code) {
  return IdOf("accounts", "account", code);
}

Result<std::string> Tenant::WarehouseId(const std::string& code) {
  return IdOf("warehouses", "warehouse", code);
}

Result<std::string> Tenant::IdOf(const std::string& root, const std::string& what,
                                 const std::string& code) {
  {
    const std::lock_guard lock(mu_);
    if (auto it = ids_.find({root, code}); it != ids_.end()) {
      return it->second;
    }
  }
  // The whole list: tenants have a handful, and a miss can then name them.
  ASSIGN_OR_RETURN(const std::vector<nlohmann::json> nodes,
                   client_->GraphqlAll(root, "id code", nullptr));
  std::vector<std::string> codes;
  std::string found;
  for (const nlohmann::json& node : nodes) {
    if (!node.contains("id") || !node.contains("code") || !node["code"].is_string()) {
      return InternalError(fmt::format("clarus {}: a node lacks its id or code", root));
    }
    const std::string node_code = node["code"].get<std::string>();
    const std::string id =
        node["id"].is_string() ? node["id"].get<std::string>() : node["id"].dump();
    codes.push_back(node_code);
    if (node_code == code) {
      found = id;
    }
  }
  if (found.empty()) {
    return NotFoundError(
        fmt::format("Clarus has no {} '{}' (it has: {})", what, code, fmt::join(codes, ", ")));
  }
  const std::lock_guard lock(mu_);
  ids_[{root, code}] = found;
  return found;
}

}  // namespace sellerbridge::clarus
