#include "base/redact.h"

#include <gtest/gtest.h>

namespace sellerbridge {
namespace {

class RedactTest : public ::testing::Test {
 protected:
  void TearDown() override { ClearSecretsForTest(); }
};

TEST_F(RedactTest, MasksRegisteredSecretsAnywhere) {
  RegisterSecret("s3cr3t-value-123");
  EXPECT_EQ(Redact("connecting with s3cr3t-value-123 now"), "connecting with [redacted] now");
  EXPECT_EQ(Redact("x=s3cr3t-value-123s3cr3t-value-123"), "x=[redacted][redacted]");
}

TEST_F(RedactTest, IgnoresSecretsTooShortToBeSafe) {
  RegisterSecret("abc");
  EXPECT_EQ(Redact("abc def"), "abc def");
}

TEST_F(RedactTest, MasksAmazonTokensAndBearerValues) {
  EXPECT_EQ(Redact("token Atza|IwEBIJk9X-abc.def refreshed"), "token Atza|[redacted] refreshed");
  EXPECT_EQ(Redact("Atzr|IwEBIA_long+token/="), "Atzr|[redacted]");
  EXPECT_EQ(Redact("rdt Atz.sprdt|AYABeHl"), "rdt Atz.sprdt|[redacted]");
  EXPECT_EQ(Redact("Authorization: Bearer eyJhbGciOi.x.y"),
            "Authorization: [redacted] eyJhbGciOi.x.y");
  EXPECT_EQ(Redact("sent Bearer eyJhbGciOi.x.y"), "sent Bearer [redacted]");
  EXPECT_EQ(Redact("amzn1.oa2-cs.v1.0123abcd"), "amzn1.oa2-cs.[redacted]");
}

TEST_F(RedactTest, MasksSensitiveKeyValuePairs) {
  EXPECT_EQ(Redact("client_secret=abc&grant_type=refresh_token"),
            "client_secret=[redacted]&grant_type=refresh_token");
  EXPECT_EQ(Redact(R"({"refresh_token": "Atzr|x", "expires_in": 3600})"),
            R"({"refresh_token": "[redacted]", "expires_in": 3600})");
  EXPECT_EQ(Redact("password: hunter22 next"), "password: [redacted] next");
  EXPECT_EQ(Redact(R"({"BuyerEmail":"a@b.co","OrderId":"1"})"),
            R"({"BuyerEmail":"[redacted]","OrderId":"1"})");
}

TEST_F(RedactTest, MasksWholeJsonObjectsOfPersonalData) {
  EXPECT_EQ(Redact(R"({"ShippingAddress":{"Name":"Jane Doe","AddressLine1":"1 High St"},"n":2})"),
            R"({"ShippingAddress":[redacted],"n":2})");
  EXPECT_EQ(Redact(R"({"phone":["+44 20 7946 0958"]})"), R"({"phone":[redacted]})");
}

TEST_F(RedactTest, MasksEmailAddresses) {
  EXPECT_EQ(Redact("buyer xyz123@marketplace.amazon.co.uk wrote"), "buyer [redacted] wrote");
  EXPECT_EQ(Redact("an @ sign alone"), "an @ sign alone");
}

TEST_F(RedactTest, KeepsOrdinaryText) {
  const std::string text =
      "order 203-1234567-1234567 confirmed: carrier=Royal Mail tracking=AB123456789GB";
  EXPECT_EQ(Redact(text), text);
  EXPECT_EQ(Redact("job order_import took 120ms"), "job order_import took 120ms");
}

}  // namespace
}  // namespace sellerbridge
