#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "http/base64.h"

namespace sellerbridge::emulators::amazon {

// The encodings of Amazon's documents and labels. All thread-safe.

// `data` as a gzip member (RFC 1952), as report documents and label contents
// are compressed.
std::string Gzip(std::string_view data);
// The data of a gzip stream; nullopt if it is not one or is cut short.
std::optional<std::string> Gunzip(std::string_view data);

// Standard Base64 with padding (RFC 4648 §4), shared with the connectors.
using http::Base64Decode;
using http::Base64Encode;

// The 16-byte MD5 digest of `data`.
std::string Md5Digest(std::string_view data);
// HMAC-SHA256 of `data` under `key`, as 64 lower-case hex digits.
std::string HmacSha256Hex(std::string_view key, std::string_view data);

// `t` as S3's X-Amz-Date writes it in presigned URLs: "20261125T100000Z".
std::string AmzDate(TimePoint t);
// The time of an X-Amz-Date value; nullopt for anything else.
std::optional<TimePoint> ParseAmzDate(std::string_view text);

}  // namespace sellerbridge::emulators::amazon
