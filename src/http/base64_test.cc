#include "http/base64.h"

#include <gtest/gtest.h>

#include <string>

namespace sellerbridge::http {
namespace {

TEST(Base64Test, EncodesRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
}

TEST(Base64Test, DecodesWhatItEncodesForEveryByte) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) {
    bytes += static_cast<char>(i);
  }
  for (size_t length = 0; length <= bytes.size(); length += 37) {
    const std::string data = bytes.substr(0, length);
    EXPECT_EQ(Base64Decode(Base64Encode(data)), data) << length;
  }
  EXPECT_EQ(Base64Decode("Zm9vYg=="), "foob");
  EXPECT_EQ(Base64Decode("+/+/"), "\xfb\xff\xbf");
}

TEST(Base64Test, RefusesTextThatIsNotPaddedStandardBase64) {
  EXPECT_EQ(Base64Decode("Zm9"), std::nullopt);       // Length not a multiple of 4.
  EXPECT_EQ(Base64Decode("Zm9v-_=="), std::nullopt);  // URL-safe alphabet.
  EXPECT_EQ(Base64Decode("Z=9v"), std::nullopt);      // Padding in the middle.
  EXPECT_EQ(Base64Decode("Zg==Zm9v"), std::nullopt);  // Padding before the end.
  EXPECT_EQ(Base64Decode("Zm9=Yg=="), std::nullopt);
  EXPECT_EQ(Base64Decode("Zm=v"), std::nullopt);
  EXPECT_EQ(Base64Decode("Zm9v\n"), std::nullopt);
}

}  // namespace
}  // namespace sellerbridge::http
