#include "http/oauth_token_provider.h"

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <thread>
#include <vector>

#include "http/server.h"

namespace sellerbridge::http {
namespace {

using std::chrono::seconds;

const TimePoint kStart = TimePoint{} + std::chrono::hours{24 * 20000};

// A stand-in for the LWA token endpoint on loopback that counts requests.
class OAuthTokenProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Route("POST", "/auth/o2/token", [this](const Request& request) {
      const int n = ++requests_;
      last_body_ = request.body;
      if (block_) {
        release_.wait();
      }
      if (status_ != 200) {
        return Response::Json(
            status_,
            R"({"error":"invalid_grant","error_description":"The request has an invalid grant parameter : refresh_token"})");
      }
      return Response::Json(
          200, R"({"access_token":"Atza|token-)" + std::to_string(n) +
                   R"(","token_type":"bearer","expires_in":3600,"refresh_token":"Atzr|same"})");
    });
    ASSERT_TRUE(server_.Start("127.0.0.1", 0).ok());
    grant_ = LwaRefreshTokenGrant(
        "http://127.0.0.1:" + std::to_string(server_.Port()) + "/auth/o2/token",
        "amzn1.application-oa2-client.abc", "client-secret-value-1", "Atzr|refresh-value-1");
  }

  void TearDown() override {
    release_.count_down();
    server_.Stop();
  }

  Server server_;
  CurlHttpClient http_;
  VirtualClock clock_{kStart};
  OAuthGrant grant_;
  std::atomic<int> requests_{0};
  std::atomic<int> status_{200};
  std::atomic<bool> block_{false};
  std::latch release_{1};
  std::string last_body_;
};

TEST_F(OAuthTokenProviderTest, CachesTheTokenUntilShortlyBeforeItExpires) {
  OAuthTokenProvider provider(grant_, &http_, &clock_, std::chrono::minutes{5});
  EXPECT_EQ(*provider.AccessToken(), "Atza|token-1");
  EXPECT_EQ(*provider.AccessToken(), "Atza|token-1");
  EXPECT_EQ(requests_, 1);
  EXPECT_EQ(provider.ExpiresAt(), kStart + seconds{3600});
  clock_.Advance(seconds{3600 - 301});
  EXPECT_EQ(*provider.AccessToken(), "Atza|token-1");
  clock_.Advance(seconds{2});  // Now inside the five-minute margin.
  EXPECT_EQ(*provider.AccessToken(), "Atza|token-2");
  EXPECT_EQ(provider.Refreshes(), 2);
}

TEST_F(OAuthTokenProviderTest, SendsTheRefreshTokenGrantFormEncoded) {
  OAuthTokenProvider provider(grant_, &http_, &clock_);
  ASSERT_TRUE(provider.AccessToken().ok());
  EXPECT_EQ(last_body_,
            "grant_type=refresh_token&refresh_token=Atzr%7Crefresh-value-1&client_id=amzn1."
            "application-oa2-client.abc&client_secret=client-secret-value-1");
}

TEST_F(OAuthTokenProviderTest, OnlyOneRefreshIsInFlight) {
  block_ = true;
  OAuthTokenProvider provider(grant_, &http_, &clock_);
  std::vector<std::string> tokens(8);
  {
    std::vector<std::jthread> callers;
    callers.reserve(tokens.size());
    for (std::string& token : tokens) {
      callers.emplace_back(
          [&provider, &token] { token = provider.AccessToken().value_or("error"); });
    }
    while (requests_ == 0) {
      std::this_thread::yield();
    }
    release_.count_down();
  }
  EXPECT_EQ(requests_, 1);
  for (const std::string& token : tokens) {
    EXPECT_EQ(token, "Atza|token-1");
  }
}

TEST_F(OAuthTokenProviderTest, InvalidateForcesARefresh) {
  OAuthTokenProvider provider(grant_, &http_, &clock_);
  const std::string first = *provider.AccessToken();
  provider.Invalidate("Atza|some-other-token");
  EXPECT_EQ(*provider.AccessToken(), first);
  provider.Invalidate(first);
  EXPECT_EQ(*provider.AccessToken(), "Atza|token-2");
}

TEST_F(OAuthTokenProviderTest, RejectedCredentialsAreUnauthenticatedWithoutSecrets) {
  status_ = 400;
  OAuthTokenProvider provider(grant_, &http_, &clock_);
  const auto token = provider.AccessToken();
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(token.status().message().find("invalid_grant"), std::string::npos);
  EXPECT_EQ(token.status().message().find("client-secret-value-1"), std::string::npos);
  EXPECT_EQ(token.status().message().find("refresh-value-1"), std::string::npos);
  EXPECT_EQ(provider.RefreshFailures(), 1);
}

TEST_F(OAuthTokenProviderTest, ClientCredentialsGrantSendsItsFieldsAndHeaders) {
  OAuthGrant grant = ClientCredentialsGrant("clarus", grant_.token_url, "client-1", "s3cret value");
  grant.headers.emplace("X-Clarus-Subdomain", "tenant");
  OAuthTokenProvider provider(grant, &http_, &clock_);
  ASSERT_TRUE(provider.AccessToken().ok());
  EXPECT_EQ(last_body_,
            "grant_type=client_credentials&client_id=client-1&client_secret=s3cret%20value");
}

TEST_F(OAuthTokenProviderTest, OutageIsUnavailable) {
  status_ = 503;
  OAuthTokenProvider provider(grant_, &http_, &clock_);
  EXPECT_EQ(provider.AccessToken().status().code(), StatusCode::kUnavailable);
  server_.Stop();
  EXPECT_EQ(provider.AccessToken().status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace sellerbridge::http
