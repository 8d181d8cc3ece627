#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace sellerbridge::server {

// What an API token may do is decided by its role alone:
// - ops: the warehouse's operations team; orders, exceptions (and acting on them), the at-risk
//   list, alerts, jobs, quota, account health;
// - ecommerce: the marketplace team; orders, mappings and stock policies (and changing them), the
//   at-risk list, alerts, account health, exceptions (reading);
// - finance: orders, exceptions (reading), account health;
// - admin: everything, and the only role that manages tokens and reads the audit log.
// Every role may scrape /metrics.
enum class Role { kOps, kEcommerce, kFinance, kAdmin };

// "ops", "ecommerce", "finance", "admin".
std::string_view RoleName(Role role);
// Parses a name RoleName returns; InvalidArgument naming the roles otherwise.
Result<Role> ParseRole(std::string_view name);

// The parts of the API a role may be allowed into (see docs/api.md for the table).
enum class Area {
  kMetrics,
  kOrders,
  kAtRisk,
  kAlerts,
  kAccountHealth,
  kExceptionsRead,
  kExceptionsChange,
  kMappingsRead,
  kMappingsChange,
  kStockRead,
  kStockChange,
  kQuota,
  kJobs,
  kTokens,
  kAuditLog,
  kFinanceRead,    // Settlements, journals, account rules.
  kFinanceChange,  // Account rules, re-analysis.
};

// Whether `role` may use `area`.
bool RoleMay(Role role, Area area);

// A new API token: "sbt_" and 43 characters (32 bytes from the operating system's random source,
// base64url without padding). Unavailable when no randomness can be had.
Result<std::string> GenerateApiToken();

// The lower-case hexadecimal SHA-256 of `token`: what the store keeps instead of the token. The
// tokens carry 256 random bits, so an unsalted fast hash is enough: nothing can be guessed from it.
std::string HashApiToken(std::string_view token);

}  // namespace sellerbridge::server
