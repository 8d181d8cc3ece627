#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace sellerbridge::http {

// The data of a gzip stream (RFC 1952; concatenated members included), as
// Amazon compresses report and feed result documents. InvalidArgument for
// data that is not gzip or is cut short, and when the result would exceed
// `max_size` bytes (a guard against decompression bombs). Thread-safe.
Result<std::string> Gunzip(std::string_view data, std::size_t max_size = 1ULL << 30U);

}  // namespace sellerbridge::http
