#pragma once

#include <cassert>
#include <optional>
#include <type_traits>
#include <utility>

#include "base/status.h"

namespace sellerbridge {

// Either a value of type T or a non-ok Status, in the manner of absl::StatusOr.
// Reading the value of an error Result is a bug and asserts.
template <typename T>
class [[nodiscard]] Result {
 public:
  // An error. `status` must not be ok.
  Result(Status status)  // NOLINT(google-explicit-constructor): implicit, as absl::StatusOr.
      : status_(std::move(status)) {
    assert(!status_.ok() && "Result constructed from an ok Status without a value");
    if (status_.ok()) {
      status_ = InternalError("Result constructed from an ok Status without a value");
    }
  }

  // A value.
  template <typename U = T,
            typename = std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                        !std::is_same_v<std::decay_t<U>, Status> &&
                                        !std::is_same_v<std::decay_t<U>, Result<T>>>>
  Result(U&& value)  // NOLINT(google-explicit-constructor,bugprone-forwarding-reference-overload)
      : value_(std::forward<U>(value)) {}

  bool ok() const { return status_.ok(); }
  const Status& status() const& { return status_; }
  Status status() && { return std::move(status_); }

  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T& value() & {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }

  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  // The value, or `fallback` for an error.
  template <typename U>
  T value_or(U&& fallback) const& {  // NOLINT(readability-identifier-naming): std-shaped.
    return ok() ? *value_ : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace sellerbridge
