#include <gtest/gtest.h>

#include "emulators/amazon/emulator_test_fixture.h"

namespace sellerbridge::emulators::amazon {
namespace {

using nlohmann::json;

class AuthTest : public EmulatorTest {
 protected:
  static constexpr const char* kForm =
      "grant_type=refresh_token&refresh_token=Atzr%7Cemulator-refresh-token"
      "&client_id=amzn1.application-oa2-client.emulator&client_secret=emulator-client-secret";
};

TEST_F(AuthTest, ExchangesARefreshTokenFromAFormBody) {
  const auto result =
      client_->Post("/auth/o2/token", kForm, "application/x-www-form-urlencoded;charset=UTF-8");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  const json body = JsonOf(result);
  EXPECT_EQ(body["token_type"], "bearer");
  EXPECT_EQ(body["expires_in"], 3600);
  EXPECT_EQ(body["refresh_token"], "Atzr|emulator-refresh-token");
  const std::string token = body["access_token"];
  EXPECT_EQ(token.rfind("Atza|", 0), 0U);
  const std::string id = PlaceOrder({{"SB-MUG-001", 1}});
  EXPECT_EQ(Call("GET", "/orders/2026-01-01/orders/" + id, "", token)->status, 200);
}

TEST_F(AuthTest, ExchangesARefreshTokenFromAJsonBody) {
  const json request = {{"grant_type", "refresh_token"},
                        {"refresh_token", "Atzr|emulator-refresh-token"},
                        {"client_id", "amzn1.application-oa2-client.emulator"},
                        {"client_secret", "emulator-client-secret"}};
  const auto result =
      client_->Post("/auth/o2/token", request.dump(), "application/json; charset=utf-8");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(JsonOf(result)["expires_in"], 3600);
}

TEST_F(AuthTest, RejectsBadGrantsWithOAuthErrors) {
  const auto wrong_secret =
      client_->Post("/auth/o2/token",
                    "grant_type=refresh_token&refresh_token=Atzr%7Cemulator-refresh-token&client_"
                    "id=amzn1.application-oa2-client.emulator&client_secret=x",
                    "application/x-www-form-urlencoded");
  EXPECT_EQ(wrong_secret->status, 401);
  EXPECT_EQ(JsonOf(wrong_secret)["error"], "invalid_client");
  const auto wrong_refresh =
      client_->Post("/auth/o2/token",
                    "grant_type=refresh_token&refresh_token=Atzr%7Cother&client_id=amzn1."
                    "application-oa2-client.emulator&client_secret=emulator-client-secret",
                    "application/x-www-form-urlencoded");
  EXPECT_EQ(wrong_refresh->status, 400);
  EXPECT_EQ(JsonOf(wrong_refresh)["error"], "invalid_grant");
  const auto wrong_grant =
      client_->Post("/auth/o2/token", "grant_type=password", "application/x-www-form-urlencoded");
  EXPECT_EQ(JsonOf(wrong_grant)["error"], "unsupported_grant_type");
  const auto missing = client_->Post("/auth/o2/token", "", "application/x-www-form-urlencoded");
  EXPECT_EQ(JsonOf(missing)["error"], "invalid_request");
}

TEST_F(AuthTest, MissingUnknownAndExpiredTokensGet403WithAmazonsEnvelope) {
  const std::string id = PlaceOrder({{"SB-MUG-001", 1}});
  const std::string path = "/orders/2026-01-01/orders/" + id;
  const auto missing = client_->Get(path);
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 403);
  EXPECT_FALSE(missing->get_header_value("x-amzn-RequestId").empty());
  ExpectMatchesModel("GET", path, missing->status, missing->body);
  EXPECT_EQ(JsonOf(missing)["errors"][0]["code"], "Unauthorized");
  const auto unknown = Call("GET", path, "", std::string("Atza|not-a-token"));
  EXPECT_EQ(unknown->status, 403);
  EXPECT_NE(unknown->body.find("invalid"), std::string::npos);
  clock_.Advance(std::chrono::seconds(3599));
  EXPECT_EQ(Call("GET", path, "", token_)->status, 200);
  clock_.Advance(std::chrono::seconds(1));
  const auto expired = Call("GET", path, "", token_);
  EXPECT_EQ(expired->status, 403);
  EXPECT_NE(expired->body.find("expired"), std::string::npos);
  const auto confirm =
      Call("POST", "/orders/v0/orders/" + id + "/shipmentConfirmation", "{}", token_);
  EXPECT_EQ(confirm->status, 403);
}

TEST_F(AuthTest, PersonalDataOnlyWithARestrictedDataToken) {
  const std::string id = PlaceOrder({{"SB-MUG-001", 1}});
  clock_.Advance(std::chrono::minutes(5));
  const std::string list =
      "/orders/v0/orders?MarketplaceIds=A1F83G8C2ARO7P&CreatedAfter=2026-11-01T00:00:00Z";
  const auto plain = Call("GET", list);
  ASSERT_EQ(plain->status, 200);
  const json plain_order = JsonOf(plain)["payload"]["Orders"][0];
  EXPECT_EQ(plain_order["AmazonOrderId"], id);
  EXPECT_FALSE(plain_order.contains("BuyerInfo"));
  EXPECT_TRUE(plain_order["ShippingAddress"].contains("PostalCode"));
  EXPECT_FALSE(plain_order["ShippingAddress"].contains("Name"));
  EXPECT_FALSE(plain_order["ShippingAddress"].contains("AddressLine1"));

  const json request = {{"restrictedResources",
                         {{{"method", "GET"},
                           {"path", "/orders/v0/orders"},
                           {"dataElements", {"buyerInfo", "shippingAddress"}}}}}};
  const auto rdt_response = Call("POST", "/tokens/2021-03-01/restrictedDataToken", request.dump());
  ASSERT_EQ(rdt_response->status, 200);
  EXPECT_EQ(JsonOf(rdt_response)["expiresIn"], 3600);
  const std::string rdt = JsonOf(rdt_response)["restrictedDataToken"];
  const auto restricted = Call("GET", list, "", rdt);
  ASSERT_EQ(restricted->status, 200);
  const json full_order = JsonOf(restricted)["payload"]["Orders"][0];
  EXPECT_TRUE(full_order["ShippingAddress"].contains("Name"));
  EXPECT_TRUE(full_order["ShippingAddress"].contains("AddressLine1"));
  EXPECT_TRUE(full_order["BuyerInfo"].contains("BuyerEmail"));

  // The RDT opens only what it names, and expires after an hour.
  EXPECT_EQ(Call("GET", "/orders/v0/orders/" + id, "", rdt)->status, 403);
  EXPECT_EQ(Call("GET", "/orders/2026-01-01/orders/" + id, "", rdt)->status, 403);
  clock_.Advance(std::chrono::hours(1));
  EXPECT_EQ(Call("GET", list, "", rdt)->status, 403);
}

TEST_F(AuthTest, RestrictedDataTokenForOneOrderPath) {
  const std::string id = PlaceOrder({{"SB-MUG-001", 1}});
  const json request = {{"restrictedResources",
                         {{{"method", "GET"},
                           {"path", "/orders/v0/orders/" + id},
                           {"dataElements", {"shippingAddress"}}}}}};
  const auto response = Call("POST", "/tokens/2021-03-01/restrictedDataToken", request.dump());
  ASSERT_EQ(response->status, 200);
  const std::string rdt = JsonOf(response)["restrictedDataToken"];
  const auto order = Call("GET", "/orders/v0/orders/" + id, "", rdt);
  ASSERT_EQ(order->status, 200);
  EXPECT_TRUE(JsonOf(order)["payload"]["ShippingAddress"].contains("Name"));
  EXPECT_FALSE(JsonOf(order)["payload"].contains("BuyerInfo"));
}

TEST_F(AuthTest, CreateRestrictedDataTokenValidatesItsRequest) {
  for (
      const std::string& body :
      {std::string("{}"), std::string(R"({"restrictedResources":[]})"),
       std::string(
           R"({"restrictedResources":[{"method":"","path":"/orders/v1/orders/902-1845936-5435065/address"}]})"),
       std::string(
           R"({"restrictedResources":[{"method":"GET","path":"/orders/v0/orders/1/address","dataElements":["buyerInfo"]}]})"),
       std::string(
           R"({"restrictedResources":[{"method":"GET","path":"/orders/v0/orders","dataElements":["ssn"]}]})"),
       std::string("not json")}) {
    SCOPED_TRACE(body);
    const auto result = Call("POST", "/tokens/2021-03-01/restrictedDataToken", body);
    EXPECT_EQ(result->status, 400);
    EXPECT_EQ(JsonOf(result)["errors"][0]["code"], "InvalidRequest");
  }
}

}  // namespace
}  // namespace sellerbridge::emulators::amazon
