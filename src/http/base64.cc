#include "http/base64.h"

#include <array>
#include <cstdint>

namespace sellerbridge::http {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// The value of each byte as a Base64 digit, or -1.
constexpr std::array<std::int8_t, 256> MakeDigits() {
  std::array<std::int8_t, 256> digits{};
  digits.fill(-1);
  for (size_t i = 0; i < kAlphabet.size(); ++i) {
    digits[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
  }
  return digits;
}

constexpr std::array<std::int8_t, 256> kDigits = MakeDigits();

}  // namespace

std::string Base64Encode(std::string_view data) {
  std::string out;
  out.reserve(4 * ((data.size() + 2) / 3));
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const std::uint32_t group = (std::uint32_t{static_cast<unsigned char>(data[i])} << 16U) |
                                (std::uint32_t{static_cast<unsigned char>(data[i + 1])} << 8U) |
                                std::uint32_t{static_cast<unsigned char>(data[i + 2])};
    out += kAlphabet[(group >> 18U) & 63U];
    out += kAlphabet[(group >> 12U) & 63U];
    out += kAlphabet[(group >> 6U) & 63U];
    out += kAlphabet[group & 63U];
  }
  const size_t rest = data.size() - i;
  if (rest > 0) {
    std::uint32_t group = std::uint32_t{static_cast<unsigned char>(data[i])} << 16U;
    if (rest == 2) {
      group |= std::uint32_t{static_cast<unsigned char>(data[i + 1])} << 8U;
    }
    out += kAlphabet[(group >> 18U) & 63U];
    out += kAlphabet[(group >> 12U) & 63U];
    out += rest == 2 ? kAlphabet[(group >> 6U) & 63U] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) {
    return std::nullopt;
  }
  std::string out;
  out.reserve(3 * (text.size() / 4));
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    int padding = 0;
    std::uint32_t group = 0;
    for (size_t j = 0; j < 4; ++j) {
      const char c = text[i + j];
      if (c == '=' && last && j >= 2 && (j == 3 || text[i + 3] == '=')) {
        ++padding;
        group <<= 6U;
        continue;
      }
      const std::int8_t digit = kDigits[static_cast<unsigned char>(c)];
      if (digit < 0 || padding > 0) {
        return std::nullopt;
      }
      group = (group << 6U) | static_cast<std::uint32_t>(digit);
    }
    out += static_cast<char>((group >> 16U) & 0xffU);
    if (padding < 2) {
      out += static_cast<char>((group >> 8U) & 0xffU);
    }
    if (padding < 1) {
      out += static_cast<char>(group & 0xffU);
    }
  }
  return out;
}

}  // namespace sellerbridge::http
