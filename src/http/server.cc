#include "http/server.h"

#include <fmt/format.h>
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <thread>

namespace sellerbridge::http {
namespace {

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t slash = path.find('/', start);
    const size_t end = slash == std::string_view::npos ? path.size() : slash;
    if (end > start) {
      segments.push_back(path.substr(start, end - start));
    }
    if (slash == std::string_view::npos) {
      break;
    }
    start = slash + 1;
  }
  return segments;
}

struct RouteEntry {
  std::string method;
  std::vector<std::string> segments;  // "{name}" for parameters.
  int literal_count = 0;
  Handler handler;
};

bool IsParameter(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

bool CaseInsensitiveLess::operator()(std::string_view a, std::string_view b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) <
           std::tolower(static_cast<unsigned char>(y));
  });
}

std::optional<std::string> Request::Header(std::string_view name) const {
  const auto it = headers.find(name);
  if (it == headers.end()) {
    return std::nullopt;
  }
  return it->second;
}

std::optional<std::string> Request::Query(std::string_view name) const {
  const auto it = query.find(std::string(name));
  if (it == query.end()) {
    return std::nullopt;
  }
  return it->second;
}

std::vector<std::string> Request::QueryAll(std::string_view name) const {
  std::vector<std::string> values;
  const auto [first, last] = query.equal_range(std::string(name));
  for (auto it = first; it != last; ++it) {
    values.push_back(it->second);
  }
  return values;
}

Response Response::Json(int status, std::string body) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

Response Response::Empty(int status) {
  Response response;
  response.status = status;
  response.content_type.clear();
  return response;
}

Response& Response::WithHeader(std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

std::string UrlDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 2 < text.size() + 0 && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::multimap<std::string, std::string> ParseFormBody(std::string_view body) {
  std::multimap<std::string, std::string> fields;
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find('&', start);
    if (end == std::string_view::npos) {
      end = body.size();
    }
    const std::string_view pair = body.substr(start, end - start);
    if (!pair.empty()) {
      const size_t eq = pair.find('=');
      const std::string_view name = pair.substr(0, eq);
      const std::string_view value =
          eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
      fields.emplace(UrlDecode(name, true), UrlDecode(value, true));
    }
    start = end + 1;
  }
  return fields;
}

struct Server::Impl {
  ServerOptions options;
  httplib::Server server;
  std::vector<RouteEntry> routes;
  Handler not_found = [](const Request& request) {
    return Response::Json(
        404, fmt::format(R"({{"error":"no route for {} {}"}})", request.method, request.path));
  };
  std::function<void(const Request&, Response&)> hook;
  std::thread thread;
  std::atomic<int> port{0};
  bool started = false;

  Response Dispatch(Request& request) const {
    const std::vector<std::string_view> segments = Segments(request.path);
    const RouteEntry* best = nullptr;
    for (const RouteEntry& route : routes) {
      if (route.method != request.method || route.segments.size() != segments.size()) {
        continue;
      }
      bool match = true;
      for (size_t i = 0; i < segments.size() && match; ++i) {
        match = IsParameter(route.segments[i]) || route.segments[i] == segments[i];
      }
      if (match && (best == nullptr || route.literal_count > best->literal_count)) {
        best = &route;
      }
    }
    if (best == nullptr) {
      return not_found(request);
    }
    for (size_t i = 0; i < segments.size(); ++i) {
      if (IsParameter(best->segments[i])) {
        const std::string& name = best->segments[i];
        request.path_params[name.substr(1, name.size() - 2)] = std::string(segments[i]);
      }
    }
    return best->handler(request);
  }
};

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
}

Server::~Server() { Stop(); }

void Server::Route(std::string method, std::string_view pattern, Handler handler) {
  RouteEntry route;
  route.method = std::move(method);
  for (const std::string_view segment : Segments(pattern)) {
    route.segments.emplace_back(segment);
    if (!IsParameter(segment)) {
      ++route.literal_count;
    }
  }
  route.handler = std::move(handler);
  impl_->routes.push_back(std::move(route));
}

void Server::SetNotFound(Handler handler) { impl_->not_found = std::move(handler); }

void Server::SetResponseHook(std::function<void(const Request&, Response&)> hook) {
  impl_->hook = std::move(hook);
}

Status Server::Start(const std::string& host, int port) {
  if (impl_->started) {
    return FailedPreconditionError("the HTTP server has already started");
  }
  httplib::Server& server = impl_->server;
  const int threads = std::max(1, impl_->options.worker_threads);
  server.new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<size_t>(threads));
  };
  // Responses go out as several writes; without this, Nagle and delayed ACKs
  // hold each one back about 40 ms.
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(static_cast<size_t>(impl_->options.keep_alive_max_requests));
  server.set_read_timeout(impl_->options.read_timeout_seconds, 0);
  server.set_write_timeout(impl_->options.write_timeout_seconds, 0);
  server.set_payload_max_length(impl_->options.max_body_bytes);
  Impl* impl = impl_.get();
  // Plain handlers (not the pre-routing hook) so that httplib has read the
  // body before we route.
  const auto handle = [impl](const httplib::Request& in, httplib::Response& out) {
    Request request;
    request.method = in.method;
    request.path = in.path;
    request.body = in.body;
    request.remote_addr = in.remote_addr;
    for (const auto& [name, value] : in.params) {
      request.query.emplace(name, value);
    }
    for (const auto& [name, value] : in.headers) {
      request.headers.emplace(name, value);
    }
    Response response = impl->Dispatch(request);
    if (impl->hook) {
      impl->hook(request, response);
    }
    out.status = response.status;
    for (const auto& [name, value] : response.headers) {
      out.set_header(name, value);
    }
    if (!response.body.empty() || !response.content_type.empty()) {
      out.set_content(response.body, response.content_type);
    }
  };
  constexpr const char* kAnyPath = ".*";
  server.Get(kAnyPath, handle);
  server.Post(kAnyPath, handle);
  server.Put(kAnyPath, handle);
  server.Patch(kAnyPath, handle);
  server.Delete(kAnyPath, handle);
  server.Options(kAnyPath, handle);
  const int bound =
      port == 0 ? server.bind_to_any_port(host) : (server.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    return UnavailableError(fmt::format("cannot listen on {}:{}", host, port));
  }
  impl_->port = bound;
  impl_->started = true;
  impl_->thread = std::thread([impl] { impl->server.listen_after_bind(); });
  // Stop() is a no-op until the listener runs, so wait for it here.
  while (!server.is_running()) {
    std::this_thread::yield();
  }
  return Status::Ok();
}

int Server::Port() const { return impl_->port; }

void Server::Stop() {
  if (!impl_ || !impl_->started) {
    return;
  }
  impl_->server.stop();
  if (impl_->thread.joinable()) {
    impl_->thread.join();
  }
  impl_->started = false;
}

}  // namespace sellerbridge::http
