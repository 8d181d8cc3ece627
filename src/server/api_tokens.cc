#include "server/api_tokens.h"

#include <fmt/format.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <cstddef>

namespace sellerbridge::server {

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kOps:
      return "ops";
    case Role::kEcommerce:
      return "ecommerce";
    case Role::kFinance:
      return "finance";
    case Role::kAdmin:
      return "admin";
  }
  return "admin";
}

Result<Role> ParseRole(std::string_view name) {
  for (const Role role : {Role::kOps, Role::kEcommerce, Role::kFinance, Role::kAdmin}) {
    if (RoleName(role) == name) {
      return role;
    }
  }
  return InvalidArgumentError(
      fmt::format("unknown role '{}': expected ops, ecommerce, finance or admin", name));
}

bool RoleMay(Role role, Area area) {
  switch (role) {
    case Role::kAdmin:
      return true;
    case Role::kOps:
      switch (area) {
        case Area::kMetrics:
        case Area::kOrders:
        case Area::kAtRisk:
        case Area::kAlerts:
        case Area::kAccountHealth:
        case Area::kExceptionsRead:
        case Area::kExceptionsChange:
        case Area::kMappingsRead:
        case Area::kStockRead:
        case Area::kQuota:
        case Area::kJobs:
          return true;
        default:
          return false;
      }
    case Role::kEcommerce:
      switch (area) {
        case Area::kMetrics:
        case Area::kOrders:
        case Area::kAtRisk:
        case Area::kAlerts:
        case Area::kAccountHealth:
        case Area::kExceptionsRead:
        case Area::kMappingsRead:
        case Area::kMappingsChange:
        case Area::kStockRead:
        case Area::kStockChange:
          return true;
        default:
          return false;
      }
    case Role::kFinance:
      switch (area) {
        case Area::kMetrics:
        case Area::kOrders:
        case Area::kAccountHealth:
        case Area::kExceptionsRead:
        case Area::kFinanceRead:
        case Area::kFinanceChange:
          return true;
        default:
          return false;
      }
  }
  return false;
}

Result<std::string> GenerateApiToken() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return UnavailableError("generate api token: the random source failed");
  }
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string token = "sbt_";
  // base64url without padding: 6 bits a character, 256 bits in 43 characters.
  unsigned int buffer = 0;
  int bits = 0;
  for (const unsigned char byte : bytes) {
    buffer = (buffer << 8U) | byte;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      token += kAlphabet[(buffer >> static_cast<unsigned int>(bits)) & 0x3FU];
    }
  }
  if (bits > 0) {
    token += kAlphabet[(buffer << static_cast<unsigned int>(6 - bits)) & 0x3FU];
  }
  return token;
}

std::string HashApiToken(std::string_view token) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest.data());
  std::string hex;
  hex.reserve(digest.size() * 2);
  for (const unsigned char byte : digest) {
    hex += fmt::format("{:02x}", byte);
  }
  return hex;
}

}  // namespace sellerbridge::server
