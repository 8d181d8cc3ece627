#include "http/server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>

namespace sellerbridge::http {
namespace {

class ServerTest : public ::testing::Test {
 protected:
  void StartServer() {
    ASSERT_TRUE(server_.Start("127.0.0.1", 0).ok());
    ASSERT_GT(server_.Port(), 0);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_.Port());
  }

  Server server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(ServerTest, RoutesByMethodAndPatternWithParameters) {
  server_.Route("GET", "/orders/v0/orders/{orderId}", [](const Request& r) {
    return Response::Json(200, R"({"id":")" + r.path_params.at("orderId") + R"("})");
  });
  server_.Route("GET", "/orders/v0/orders/{orderId}/orderItems", [](const Request& r) {
    return Response::Json(200, "items of " + r.path_params.at("orderId"));
  });
  server_.Route("POST", "/orders/v0/orders/{orderId}",
                [](const Request&) { return Response::Empty(204); });
  StartServer();
  auto get = client_->Get("/orders/v0/orders/203-1-2");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 200);
  EXPECT_EQ(get->body, R"({"id":"203-1-2"})");
  EXPECT_EQ(get->get_header_value("Content-Type"), "application/json");
  auto items = client_->Get("/orders/v0/orders/X/orderItems");
  ASSERT_TRUE(items);
  EXPECT_EQ(items->body, "items of X");
  auto post = client_->Post("/orders/v0/orders/X", "", "application/json");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 204);
  auto missing = client_->Get("/nowhere");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST_F(ServerTest, LiteralSegmentsWinOverParameters) {
  server_.Route("GET", "/items/{id}", [](const Request&) { return Response::Json(200, "param"); });
  server_.Route("GET", "/items/special", [](const Request&) { return Response::Json(200, "lit"); });
  StartServer();
  EXPECT_EQ(client_->Get("/items/special")->body, "lit");
  EXPECT_EQ(client_->Get("/items/other")->body, "param");
}

TEST_F(ServerTest, PassesQueryHeadersAndBody) {
  server_.Route("POST", "/echo", [](const Request& r) {
    const auto all = r.QueryAll("id");
    return Response::Json(200, r.Header("X-AMZ-ACCESS-TOKEN").value_or("none") + "|" +
                                   r.Query("q").value_or("none") + "|" +
                                   std::to_string(all.size()) + "|" + r.body);
  });
  StartServer();
  auto res = client_->Post("/echo?q=a%20b&id=1&id=2", {{"x-amz-access-token", "tok"}}, "payload",
                           "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, "tok|a b|2|payload");
}

TEST_F(ServerTest, ResponseHookSeesEveryResponse) {
  std::atomic<int> seen{0};
  server_.Route("GET", "/a", [](const Request&) { return Response::Json(200, "{}"); });
  server_.SetResponseHook([&](const Request&, Response& response) {
    ++seen;
    response.WithHeader("x-amzn-RequestId", "r-1");
  });
  StartServer();
  EXPECT_EQ(client_->Get("/a")->get_header_value("x-amzn-RequestId"), "r-1");
  EXPECT_EQ(client_->Get("/b")->get_header_value("x-amzn-RequestId"), "r-1");
  EXPECT_EQ(seen, 2);
}

TEST_F(ServerTest, StopIsIdempotentAndFreesThePort) {
  StartServer();
  const int port = server_.Port();
  server_.Stop();
  server_.Stop();
  Server again;
  EXPECT_TRUE(again.Start("127.0.0.1", port).ok());
}

TEST(FormTest, DecodesFormBodies) {
  const auto form = ParseFormBody("grant_type=refresh_token&refresh_token=Atzr%7Cabc&x=a+b&flag");
  EXPECT_EQ(form.find("refresh_token")->second, "Atzr|abc");
  EXPECT_EQ(form.find("x")->second, "a b");
  EXPECT_EQ(form.find("flag")->second, "");
  EXPECT_EQ(UrlDecode("%zz%41", false), "%zzA");
}

}  // namespace
}  // namespace sellerbridge::http
