// Product lookups against the Clarus emulator over loopback.
#include "clarus/products.h"

#include <gtest/gtest.h>

#include "clarus/connector_test_fixture.h"

namespace sellerbridge::clarus {
namespace {

class ProductsTest : public ClarusConnectorTest {
 protected:
  // Adds a product to account `account` and returns its Clarus id.
  std::string AddProduct(const std::string& code, std::int64_t account = 1) {
    std::vector<emulator::FieldError> errors;
    auto product = emulator_->GetWarehouse().CreateProduct(
        {.account_id = account, .product_code = code, .name = "Product " + code}, &errors);
    EXPECT_TRUE(product.ok()) << product.status();
    return product.ok() ? std::to_string(product->id) : "";
  }
};

TEST_F(ProductsTest, FindsAProductBySkuWithItsClarusId) {
  const std::string id = AddProduct("MUG-XL");
  Products products(client_.get(), &clock_);
  const auto found = products.FindBySku("MUG-XL", AccountId());
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->id, id);
  EXPECT_EQ(found->sku, "MUG-XL");
  EXPECT_EQ(found->name, "Product MUG-XL");
  EXPECT_EQ(found->account_id, AccountId());
}

TEST_F(ProductsTest, AnUnknownSkuIsNotFoundNamingIt) {
  Products products(client_.get(), &clock_);
  const auto found = products.FindBySku("NO-SUCH-SKU");
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), StatusCode::kNotFound);
  EXPECT_NE(found.status().message().find("NO-SUCH-SKU"), std::string::npos) << found.status();
}

TEST_F(ProductsTest, FindsManySkusOverSeveralRequestsAndNamesEveryMissingOne) {
  std::vector<std::string> skus;
  for (int i = 0; i < 120; ++i) {
    skus.push_back("BULK-" + std::to_string(i));
    AddProduct(skus.back());
  }
  Products products(client_.get(), &clock_);
  const auto all = products.FindBySkus(skus, AccountId());
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 120U);
  EXPECT_EQ(all->at("BULK-77").sku, "BULK-77");

  skus.emplace_back("GONE-1");
  skus.emplace_back("GONE-2");
  products.InvalidateAll();
  const auto some = products.FindBySkus(skus, AccountId());
  ASSERT_FALSE(some.ok());
  EXPECT_EQ(some.status().code(), StatusCode::kNotFound);
  EXPECT_NE(some.status().message().find("'GONE-1', 'GONE-2'"), std::string::npos) << some.status();
  EXPECT_EQ(some.status().message().find("BULK-"), std::string::npos) << some.status();
}

TEST_F(ProductsTest, CachesFoundProductsUntilTheTtlButNeverAMiss) {
  Products products(client_.get(), &clock_, std::chrono::minutes{10});
  ASSERT_FALSE(products.FindBySku("LATE-1").ok());
  AddProduct("LATE-1");
  const int before = counting_.GraphqlRequests();
  ASSERT_TRUE(products.FindBySku("LATE-1").ok()) << "a miss is not cached";
  EXPECT_EQ(counting_.GraphqlRequests(), before + 1);

  ASSERT_TRUE(products.FindBySku("LATE-1").ok());
  EXPECT_EQ(counting_.GraphqlRequests(), before + 1) << "served from the cache";

  clock_.Advance(std::chrono::minutes{11});
  ASSERT_TRUE(products.FindBySku("LATE-1").ok());
  EXPECT_EQ(counting_.GraphqlRequests(), before + 2) << "read again after the ttl";

  products.Invalidate("LATE-1");
  ASSERT_TRUE(products.FindBySku("LATE-1").ok());
  EXPECT_EQ(counting_.GraphqlRequests(), before + 3) << "read again after Invalidate";
}

TEST_F(ProductsTest, ASkuHeldByTwoAccountsNeedsTheAccount) {
  emulator::Scenario scenario = emulator::Scenario::Default();
  scenario.accounts.push_back({2, "SELLER2", "Second Seller", false});
  emulator_.reset();
  StartEmulator(std::move(scenario));
  AddProduct("SHARED-1", 1);
  const std::string second = AddProduct("SHARED-1", 2);
  Products products(client_.get(), &clock_);

  const auto ambiguous = products.FindBySku("SHARED-1");
  ASSERT_FALSE(ambiguous.ok());
  EXPECT_EQ(ambiguous.status().code(), StatusCode::kFailedPrecondition) << ambiguous.status();

  const auto found = products.FindBySku("SHARED-1", "2");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->id, second);
}

}  // namespace
}  // namespace sellerbridge::clarus
