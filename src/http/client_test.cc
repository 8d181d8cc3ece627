#include "http/client.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <future>
#include <latch>
#include <mutex>

namespace sellerbridge::http {
namespace {

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Route("GET", "/echo/{name}", [](const Request& r) {
      return Response::Json(200, r.path_params.at("name") + "|" + r.Query("q").value_or("") + "|" +
                                     r.Header("x-amz-access-token").value_or(""))
          .WithHeader("x-amzn-RequestId", "req-1")
          .WithHeader("x-amzn-RateLimit-Limit", "2.0");
    });
    for (const char* method : {"POST", "PUT", "PATCH", "DELETE"}) {
      server_.Route(method, "/body",
                    [](const Request& r) { return Response::Json(201, r.method + ":" + r.body); });
    }
    server_.Route("GET", "/missing", [](const Request&) {
      return Response::Json(404, R"({"errors":[{"code":"NotFound","message":"no"}]})");
    });
    server_.Route("GET", "/slow", [this](const Request&) {
      release_.wait();
      return Response::Json(200, "{}");
    });
    server_.SetNotFound([this](const Request& r) {
      std::lock_guard lock(mu_);
      unrouted_path_ = r.path;
      unrouted_host_ = r.Header("Host").value_or("");
      return Response::Json(404, "{}");
    });
    ASSERT_TRUE(server_.Start("127.0.0.1", 0).ok());
    base_ = "http://127.0.0.1:" + std::to_string(server_.Port());
  }

  void TearDown() override {
    release_.count_down();
    server_.Stop();
  }

  Server server_;
  std::string base_;
  std::latch release_{1};
  std::mutex mu_;
  std::string unrouted_path_;  // Guarded by mu_.
  std::string unrouted_host_;  // Guarded by mu_.
};

TEST_F(ClientTest, SendsHeadersAndQueryAndReadsResponseHeaders) {
  CurlHttpClient client;
  ClientRequest request;
  request.url = base_ + "/echo/orders?q=" + UrlEncode("a b&c");
  request.headers.emplace("x-amz-access-token", "Atza|t");
  const auto response = client.Send(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "orders|a b&c|Atza|t");
  EXPECT_EQ(response->Header("X-AMZN-REQUESTID"), "req-1");
  EXPECT_EQ(response->Header("x-amzn-ratelimit-limit"), "2.0");
}

TEST_F(ClientTest, SendsBodiesWithEveryMethod) {
  CurlHttpClient client;
  for (const char* method : {"POST", "PUT", "PATCH", "DELETE"}) {
    ClientRequest request{.method = method, .url = base_ + "/body", .body = "payload"};
    const auto response = client.Send(request);
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->status, 201);
    EXPECT_EQ(response->body, std::string(method) + ":payload");
  }
}

TEST_F(ClientTest, ErrorStatusesAreResponsesNotErrors) {
  CurlHttpClient client;
  const auto response = client.Send({.url = base_ + "/missing"});
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 404);
  EXPECT_NE(response->body.find("NotFound"), std::string::npos);
}

TEST_F(ClientTest, ReusesConnections) {
  CurlHttpClient client;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(client.Send({.url = base_ + "/echo/x"}).ok());
  }
  EXPECT_EQ(client.ConnectionsOpenedForTest(), 1);
}

TEST_F(ClientTest, TimeoutIsDeadlineExceeded) {
  CurlHttpClient client;
  ClientRequest request{.url = base_ + "/slow", .timeout = std::chrono::milliseconds{200}};
  const auto response = client.Send(request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_NE(response.status().message().find("/slow"), std::string::npos);
}

TEST_F(ClientTest, RefusedConnectionIsUnavailable) {
  const int port = server_.Port();
  server_.Stop();
  CurlHttpClient client;
  const auto response = client.Send({.url = "http://127.0.0.1:" + std::to_string(port) + "/x"});
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
}

TEST_F(ClientTest, TlsToAPlainServerFails) {
  CurlHttpClient client;
  const auto response =
      client.Send({.url = "https://127.0.0.1:" + std::to_string(server_.Port()) + "/echo/x"});
  EXPECT_FALSE(response.ok());
}

TEST_F(ClientTest, MalformedUrlIsInvalidArgument) {
  CurlHttpClient client;
  const auto response = client.Send({.url = "notascheme://x"});
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ClientTest, HonoursProxyFromTheEnvironment) {
  ::setenv("http_proxy", base_.c_str(), 1);  // NOLINT(concurrency-mt-unsafe): single-threaded here.
  CurlHttpClient client;
  const auto response = client.Send({.url = "http://orders.example.invalid/path?x=1"});
  ::unsetenv("http_proxy");  // NOLINT(concurrency-mt-unsafe)
  ASSERT_TRUE(response.ok()) << response.status();
  std::lock_guard lock(mu_);
  EXPECT_EQ(unrouted_host_, "orders.example.invalid");
}

TEST(UrlEncodeTest, KeepsUnreservedAndEscapesTheRest) {
  EXPECT_EQ(UrlEncode("Atzr|a b/c~d.e_f-g"), "Atzr%7Ca%20b%2Fc~d.e_f-g");
}

}  // namespace
}  // namespace sellerbridge::http
