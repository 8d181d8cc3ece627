#include "http/status_mapping.h"

#include <utility>

namespace sellerbridge::http {

Status StatusForHttpStatus(int status, std::string message) {
  if (status >= 200 && status < 300) {
    return Status::Ok();
  }
  switch (status) {
    case 400:
    case 413:
    case 415:
    case 422:
      return InvalidArgumentError(std::move(message));
    case 401:
      return UnauthenticatedError(std::move(message));
    case 403:
      return PermissionDeniedError(std::move(message));
    case 404:
      return NotFoundError(std::move(message));
    case 409:
      return AlreadyExistsError(std::move(message));
    case 429:
      return ResourceExhaustedError(std::move(message));
    default:
      break;
  }
  if (status >= 500 && status < 600) {
    return UnavailableError(std::move(message));
  }
  return InternalError(std::move(message));
}

}  // namespace sellerbridge::http
