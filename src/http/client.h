#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"
#include "http/server.h"

namespace sellerbridge::http {

// An outgoing request.
struct ClientRequest {
  std::string method = "GET";
  std::string url;  // Absolute: "https://sellingpartnerapi-eu.amazon.com/orders/…".
  Headers headers;
  std::string body;
  // Overrides the client's total timeout for this request.
  std::optional<Duration> timeout;
};

// What came back. Every status, 4xx and 5xx included, is a response: mapping
// statuses to errors is each connector's business, in one place.
struct ClientResponse {
  int status = 0;
  Headers headers;
  std::string body;

  // The first value of header `name` (any case), if present.
  std::optional<std::string> Header(std::string_view name) const;
};

// The outside world of HTTP, as an interface that tests can replace.
class HttpClient {
 public:
  virtual ~HttpClient() = default;

  // Sends `request` and waits for the whole response. Transport failures are
  // errors: DeadlineExceeded for a timeout (the outcome of a non-idempotent
  // call is then unknown), Unavailable when the connection could not be made
  // or broke, FailedPrecondition for a TLS certificate that does not verify,
  // InvalidArgument for a malformed URL. Thread-safe.
  virtual Result<ClientResponse> Send(const ClientRequest& request) = 0;
};

struct HttpClientOptions {
  Duration connect_timeout = std::chrono::seconds{10};
  Duration total_timeout = std::chrono::seconds{60};
  // A CA bundle to verify servers with instead of the system's. Verification
  // itself cannot be turned off.
  std::string ca_bundle;
  std::string user_agent = "sellerbridge";
};

// An HttpClient over libcurl: TLS verification always on, connections kept
// alive and reused across calls (a small pool of handles shared by threads),
// connect and total timeouts, proxies from the environment (http_proxy,
// https_proxy, no_proxy), no signals. Thread-safe.
class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(HttpClientOptions options = {});
  ~CurlHttpClient() override;

  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  Result<ClientResponse> Send(const ClientRequest& request) override;

  // How many connections libcurl opened so far (to check reuse in tests).
  long ConnectionsOpenedForTest() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Percent-encodes `text` for use in a URL query or form body (RFC 3986
// unreserved characters are kept).
std::string UrlEncode(std::string_view text);

}  // namespace sellerbridge::http
