#include "http/gzip.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <array>

namespace sellerbridge::http {
namespace {

// Compresses with zlib's own gzip writer, independent of Gunzip.
std::string Compress(const std::string& data) {
  z_stream stream{};
  EXPECT_EQ(deflateInit2(&stream, Z_BEST_SPEED, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
            Z_OK);
  std::string out(deflateBound(&stream, data.size()) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

TEST(GunzipTest, RoundTripsLargeText) {
  std::string text;
  for (int i = 0; i < 20000; ++i) {
    text += "settlement-id\t" + std::to_string(i) + "\n";
  }
  const auto out = Gunzip(Compress(text));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, text);
}

TEST(GunzipTest, ReadsConcatenatedMembers) {
  const auto out = Gunzip(Compress("first,") + Compress("second"));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, "first,second");
}

TEST(GunzipTest, RejectsPlainTextAndCutShortStreams) {
  EXPECT_EQ(Gunzip("plain text").status().code(), StatusCode::kInvalidArgument);
  const std::string whole = Compress(std::string(5000, 'x'));
  const auto cut = Gunzip(whole.substr(0, whole.size() / 2));
  EXPECT_EQ(cut.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(cut.status().message().find("not a complete gzip stream"), std::string::npos);
}

TEST(GunzipTest, StopsAtTheSizeLimit) {
  const auto out = Gunzip(Compress(std::string(1 << 20, 'a')), 1000);
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sellerbridge::http
