#include "clarus/products.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <set>

#include "base/status_macros.h"
#include "clarus/node_reader.h"

namespace sellerbridge::clarus {
namespace {

using nlohmann::json;

// How many SKUs one `in` filter carries.
constexpr std::size_t kSkusPerQuery = 50;

std::string Describe(const std::vector<std::string>& skus) {
  return fmt::format("'{}'", fmt::join(skus, "', '"));
}

std::string InAccount(const std::string& account_id) {
  return account_id.empty() ? "" : fmt::format(" in account {}", account_id);
}

}  // namespace

Products::Products(ClarusClient* client, Clock* clock, Duration ttl)
    : client_(client), clock_(clock), ttl_(ttl) {}

Result<Product> Products::FindBySku(const std::string& sku, const std::string& account_id) {
  ASSIGN_OR_RETURN(auto found, FindBySkus({sku}, account_id));
  return std::move(found.begin()->second);
}

Result<std::map<std::string, Product>> Products::FindBySkus(const std::vector<std::string>& skus,
                                                            const std::string& account_id) {
  std::map<std::string, Product> out;
  std::vector<std::string> wanted;
  const TimePoint now = clock_->Now();
  {
    std::lock_guard lock(mu_);
    for (const std::string& sku : std::set<std::string>(skus.begin(), skus.end())) {
      auto it = cache_.find({account_id, sku});
      if (it != cache_.end() && now - it->second.fetched_at < ttl_) {
        out.emplace(sku, it->second.product);
      } else {
        wanted.push_back(sku);
      }
    }
  }
  // SKU → every product holding it (one per account).
  std::map<std::string, std::vector<Product>> matches;
  for (std::size_t start = 0; start < wanted.size(); start += kSkusPerQuery) {
    const std::size_t end = std::min(wanted.size(), start + kSkusPerQuery);
    const json batch = std::vector<std::string>(wanted.begin() + static_cast<std::ptrdiff_t>(start),
                                                wanted.begin() + static_cast<std::ptrdiff_t>(end));
    json filter = {{"product_code", {{"in", batch}}}};
    if (!account_id.empty()) {
      filter["account_id"] = {{"eq", account_id}};
    }
    ASSIGN_OR_RETURN(std::vector<json> nodes,
                     client_->GraphqlAll("products", "id account_id product_code name", filter));
    for (const json& node : nodes) {
      NodeReader r(node, "clarus product");
      Product product{.id = r.Id("id"),
                      .account_id = r.OptionalId("account_id"),
                      .sku = r.String("product_code"),
                      .name = r.OptionalString("name")};
      RETURN_IF_ERROR(r.status());
      matches[product.sku].push_back(std::move(product));
    }
  }
  std::vector<std::string> missing;
  for (const std::string& sku : wanted) {
    auto it = matches.find(sku);
    if (it == matches.end()) {
      missing.push_back(sku);
      continue;
    }
    if (it->second.size() > 1) {
      std::vector<std::string> accounts;
      for (const Product& product : it->second) {
        accounts.push_back(product.account_id);
      }
      return FailedPreconditionError(
          fmt::format("clarus product '{}' exists in several accounts ({}): name the account", sku,
                      fmt::join(accounts, ", ")));
    }
    out.emplace(sku, it->second.front());
  }
  if (!missing.empty()) {
    return NotFoundError(fmt::format("clarus has no product with SKU {}{}", Describe(missing),
                                     InAccount(account_id)));
  }
  if (ttl_ > Duration::zero()) {
    std::lock_guard lock(mu_);
    for (const std::string& sku : wanted) {
      cache_[{account_id, sku}] = Entry{out.at(sku), now};
    }
  }
  return out;
}

void Products::Invalidate(const std::string& sku) {
  std::lock_guard lock(mu_);
  std::erase_if(cache_, [&](const auto& entry) { return entry.first.second == sku; });
}

void Products::InvalidateAll() {
  std::lock_guard lock(mu_);
  cache_.clear();
}

}  // namespace sellerbridge::clarus
