#include "http/gzip.h"

#include <fmt/format.h>
#include <zlib.h>

#include <array>

namespace sellerbridge::http {

Result<std::string> Gunzip(std::string_view data, std::size_t max_size) {
  z_stream stream{};
  // 16 + MAX_WBITS: a gzip header and trailer, not raw zlib.
  constexpr int kGzipWindowBits = 16 + MAX_WBITS;
  if (inflateInit2(&stream, kGzipWindowBits) != Z_OK) {
    return InternalError("gunzip: zlib could not start");
  }
  std::string out;
  constexpr std::size_t kChunk = std::size_t{64} * 1024;
  std::array<char, kChunk> buffer{};
  // zlib's interface is not const-correct; it does not write to its input.
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  int result = Z_OK;
  while (true) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer.data());
    stream.avail_out = static_cast<uInt>(buffer.size());
    result = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer.data(), buffer.size() - stream.avail_out);
    if (out.size() > max_size) {
      inflateEnd(&stream);
      return InvalidArgumentError(fmt::format("gunzip: more than {} bytes", max_size));
    }
    if (result == Z_STREAM_END && stream.avail_in > 0) {
      // Another member follows.
      if (inflateReset(&stream) != Z_OK) {
        break;
      }
      continue;
    }
    if (result != Z_OK) {
      break;
    }
  }
  inflateEnd(&stream);
  if (result != Z_STREAM_END) {
    return InvalidArgumentError(
        fmt::format("gunzip: not a complete gzip stream ({} of {} bytes read)",
                    data.size() - stream.avail_in, data.size()));
  }
  return out;
}

}  // namespace sellerbridge::http
