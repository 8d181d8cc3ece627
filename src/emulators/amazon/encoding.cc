#include "emulators/amazon/encoding.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <zlib.h>

#include <array>
#include <cassert>
#include <chrono>

#include "base/time_format.h"
#include "http/gzip.h"

namespace sellerbridge::emulators::amazon {
namespace {

// zlib's windowBits for a gzip wrapper rather than a zlib one.
constexpr int kGzipWindowBits = 15 + 16;

const unsigned char* Bytes(std::string_view data) {
  return reinterpret_cast<const unsigned char*>(
      data.data());  // NOLINT: zlib and OpenSSL take bytes.
}

}  // namespace

std::string Gzip(std::string_view data) {
  z_stream stream{};
  [[maybe_unused]] const int init =
      deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY);
  assert(init == Z_OK);
  std::string out(deflateBound(&stream, static_cast<uLong>(data.size())), '\0');
  stream.next_in = const_cast<Bytef*>(Bytes(data));  // NOLINT: zlib's API is not const-correct.
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());  // NOLINT: zlib takes bytes.
  stream.avail_out = static_cast<uInt>(out.size());
  [[maybe_unused]] const int result = deflate(&stream, Z_FINISH);
  assert(result == Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

std::optional<std::string> Gunzip(std::string_view data) {
  auto out = http::Gunzip(data);
  return out.ok() ? std::optional<std::string>(*std::move(out)) : std::nullopt;
}

std::string Md5Digest(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  [[maybe_unused]] const int ok =
      EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_md5(), nullptr);
  assert(ok == 1);
  return {reinterpret_cast<const char*>(digest.data()), length};  // NOLINT: bytes as chars.
}

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), Bytes(data), data.size(),
       digest.data(), &length);
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4U];
    out += kHex[digest[i] & 0xfU];
  }
  return out;
}

std::string AmzDate(TimePoint t) {
  const std::string iso = FormatIso8601(std::chrono::floor<std::chrono::seconds>(t));
  std::string out;
  for (const char c : iso.substr(0, 19)) {
    if (c != '-' && c != ':') {
      out += c;
    }
  }
  return out + "Z";
}

std::optional<TimePoint> ParseAmzDate(std::string_view text) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') {
    return std::nullopt;
  }
  auto parsed = ParseIso8601(fmt::format("{}-{}-{}T{}:{}:{}Z", text.substr(0, 4), text.substr(4, 2),
                                         text.substr(6, 2), text.substr(9, 2), text.substr(11, 2),
                                         text.substr(13, 2)));
  if (!parsed.ok()) {
    return std::nullopt;
  }
  return *parsed;
}

}  // namespace sellerbridge::emulators::amazon
