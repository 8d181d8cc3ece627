#pragma once

#include "base/result.h"
#include "base/status.h"

// Evaluates `expr`, a Status; returns it from the enclosing function if it is
// not ok.
#define RETURN_IF_ERROR(expr)                                \
  do {                                                       \
    ::sellerbridge::Status sb_status_macro_status_ = (expr); \
    if (!sb_status_macro_status_.ok()) {                     \
      return sb_status_macro_status_;                        \
    }                                                        \
  } while (false)

#define SB_STATUS_MACROS_CONCAT_INNER(x, y) x##y
#define SB_STATUS_MACROS_CONCAT(x, y) SB_STATUS_MACROS_CONCAT_INNER(x, y)

// Evaluates `rexpr`, a Result<T>; returns its status from the enclosing
// function if it is an error, otherwise moves its value into `lhs`, which may
// be a declaration (`auto x`) or an existing variable.
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  SB_ASSIGN_OR_RETURN_IMPL(SB_STATUS_MACROS_CONCAT(sb_result_, __LINE__), lhs, rexpr)

// `lhs` may be a declaration, so it cannot be parenthesised.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define SB_ASSIGN_OR_RETURN_IMPL(result, lhs, rexpr) \
  auto result = (rexpr);                             \
  if (!result.ok()) {                                \
    return std::move(result).status();               \
  }                                                  \
  lhs = std::move(result).value()
// NOLINTEND(bugprone-macro-parentheses)
