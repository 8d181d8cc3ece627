#include "amazon/sp_api_error.h"

#include <gtest/gtest.h>

namespace sellerbridge::amazon {
namespace {

http::ClientResponse Response(int status, std::string body) {
  http::ClientResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

TEST(SpApiErrorTest, SuccessIsOk) {
  EXPECT_TRUE(StatusFromSpApiResponse("amazon GET /x", Response(200, "{}")).ok());
  EXPECT_TRUE(StatusFromSpApiResponse("amazon POST /x", Response(204, "")).ok());
}

TEST(SpApiErrorTest, EachHttpOutcomeMapsToOneCode) {
  const std::pair<int, StatusCode> cases[] = {
      {400, StatusCode::kInvalidArgument},  {401, StatusCode::kUnauthenticated},
      {403, StatusCode::kPermissionDenied}, {404, StatusCode::kNotFound},
      {409, StatusCode::kAlreadyExists},    {413, StatusCode::kInvalidArgument},
      {415, StatusCode::kInvalidArgument},  {429, StatusCode::kResourceExhausted},
      {500, StatusCode::kUnavailable},      {503, StatusCode::kUnavailable},
      {418, StatusCode::kInternal},
  };
  for (const auto& [http_status, code] : cases) {
    EXPECT_EQ(StatusFromSpApiResponse("amazon GET /x", Response(http_status, "")).code(), code)
        << http_status;
  }
}

TEST(SpApiErrorTest, MessageCarriesAmazonsCodesAndTheCall) {
  const Status status = StatusFromSpApiResponse(
      "amazon POST /orders/v0/orders/203-1-1/shipmentConfirmation",
      Response(400, R"({"errors":[{"code":"InvalidInput","message":"Invalid carrier code",)"
                    R"("details":""},{"code":"Second","message":"More","details":"why"}]})"));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "amazon POST /orders/v0/orders/203-1-1/shipmentConfirmation: 400 InvalidInput: "
            "Invalid carrier code; Second: More (why)");
}

TEST(SpApiErrorTest, NonEnvelopeBodiesAreQuotedShortly) {
  const Status status =
      StatusFromSpApiResponse("amazon GET /x", Response(502, std::string(1000, 'x')));
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_LT(status.message().size(), 300U);
}

TEST(SpApiErrorTest, ReadsTheFirstErrorCode) {
  EXPECT_EQ(
      AmazonErrorCode(Response(429, R"({"errors":[{"code":"QuotaExceeded","message":"m"}]})")),
      "QuotaExceeded");
  EXPECT_EQ(AmazonErrorCode(Response(500, "not json")), "");
}

}  // namespace
}  // namespace sellerbridge::amazon
