#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace sellerbridge {

// The error vocabulary of the whole project. Connectors map remote outcomes to
// one of these codes in exactly one place; retry decisions read the code alone.
enum class StatusCode {
  kOk = 0,
  kCancelled,           // The work was abandoned, e.g. at shutdown.
  kInvalidArgument,     // Bad input: config, request, file. Not retryable.
  kNotFound,            // The named thing does not exist.
  kAlreadyExists,       // A create collided with an existing record.
  kFailedPrecondition,  // The system is not in a state that allows the call.
  kAborted,             // A conflict (e.g. a busy transaction); retry the whole unit.
  kUnauthenticated,     // Credentials missing, expired or rejected (HTTP 401).
  kPermissionDenied,    // Authenticated but not allowed (HTTP 403).
  kResourceExhausted,   // Throttled or out of quota (HTTP 429).
  kUnavailable,         // The remote end is down or reset (HTTP 5xx). Retryable.
  kDeadlineExceeded,    // Timed out; the outcome may be unknown.
  kDataLoss,            // Stored data is corrupt or unreadable.
  kInternal,            // A bug or an unexpected condition on our side.
};

// Returns the name of `code`, e.g. "InvalidArgument".
std::string_view StatusCodeName(StatusCode code);

// Whether an operation that failed with `code` may succeed if repeated unchanged.
bool IsRetryable(StatusCode code);

// The outcome of a fallible operation: a code and, for errors, a message that
// names what went wrong and where. Cheap to copy when ok.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message);

  static Status Ok() { return {}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "InvalidArgument: config.toml:12: [amazon] region: ..." or "OK".
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>". Ok stays ok.
  Status WithContext(std::string_view context) const;

  // Marks a status as deliberately not inspected.
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

std::ostream& operator<<(std::ostream& os, const Status& status);

Status CancelledError(std::string message);
Status InvalidArgumentError(std::string message);
Status NotFoundError(std::string message);
Status AlreadyExistsError(std::string message);
Status FailedPreconditionError(std::string message);
Status AbortedError(std::string message);
Status UnauthenticatedError(std::string message);
Status PermissionDeniedError(std::string message);
Status ResourceExhaustedError(std::string message);
Status UnavailableError(std::string message);
Status DeadlineExceededError(std::string message);
Status DataLossError(std::string message);
Status InternalError(std::string message);

}  // namespace sellerbridge
