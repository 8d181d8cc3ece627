#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace sellerbridge::http {

// Orders header names without regard to case, as HTTP does.
struct CaseInsensitiveLess {
  using is_transparent = void;  // NOLINT(readability-identifier-naming): the standard's name.
  bool operator()(std::string_view a, std::string_view b) const;
};

using Headers = std::multimap<std::string, std::string, CaseInsensitiveLess>;

// One HTTP request as a handler sees it.
struct Request {
  std::string method;                              // "GET", "POST", ...
  std::string path;                                // Decoded path without the query string.
  std::map<std::string, std::string> path_params;  // From "{name}" segments of the route.
  std::multimap<std::string, std::string> query;   // Decoded; repeated names kept in order.
  Headers headers;
  std::string body;
  std::string remote_addr;

  // The first value of header `name` (any case), if present.
  std::optional<std::string> Header(std::string_view name) const;
  // The first value of query parameter `name`, if present.
  std::optional<std::string> Query(std::string_view name) const;
  // Every value of query parameter `name`, in order.
  std::vector<std::string> QueryAll(std::string_view name) const;
};

// What a handler answers.
struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  // A response with `body` as its JSON text.
  static Response Json(int status, std::string body);
  // A response with no body (e.g. 204).
  static Response Empty(int status);

  // Adds a header (kept in order; names may repeat).
  Response& WithHeader(std::string name, std::string value);
};

using Handler = std::function<Response(const Request&)>;

struct ServerOptions {
  int worker_threads = 8;  // Requests served at once.
  int keep_alive_max_requests = 10000;
  int read_timeout_seconds = 30;
  int write_timeout_seconds = 30;
  std::size_t max_body_bytes = std::size_t{64} * 1024 * 1024;
};

// A small HTTP/1.1 server on top of cpp-httplib with path-pattern routing.
// Routes are set before Start; handlers run on the server's worker threads,
// several at once, so they must be thread-safe.
class Server {
 public:
  explicit Server(ServerOptions options = {});
  ~Server();

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Routes `method` requests whose path matches `pattern` to `handler`.
  // A pattern is a path whose segments are literals or "{name}", which matches
  // one non-empty segment and lands in Request::path_params. When several
  // routes match, the one with more literal segments wins. Before Start only.
  void Route(std::string method, std::string_view pattern, Handler handler);

  // Answers requests that no route matches (default: 404 with a JSON body).
  void SetNotFound(Handler handler);

  // Runs on every response, routed or not, before it is sent (e.g. to add a
  // request id header).
  void SetResponseHook(std::function<void(const Request&, Response&)> hook);

  // Starts listening on `host`:`port` (0 picks a free port) and serving on
  // background threads; returns once the socket is bound. Unavailable if the
  // address cannot be bound.
  Status Start(const std::string& host, int port);

  // The bound port, after Start.
  int Port() const;

  // Stops accepting, finishes requests in flight and joins the threads.
  // Idempotent.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Decodes %XX escapes (and '+' as space when `plus_is_space`).
std::string UrlDecode(std::string_view text, bool plus_is_space);

// Parses an application/x-www-form-urlencoded body.
std::multimap<std::string, std::string> ParseFormBody(std::string_view body);

}  // namespace sellerbridge::http
