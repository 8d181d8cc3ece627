#include "http/client.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <array>
#include <atomic>
#include <mutex>
#include <vector>

namespace sellerbridge::http {
namespace {

// libcurl must be initialised once per process before any handle exists.
void GlobalInit() {
  static const bool kInitialised = [] {
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  }();
  (void)kInitialised;
}

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t WriteHeader(char* data, size_t size, size_t count, void* user) {
  auto* headers = static_cast<Headers*>(user);
  const std::string_view line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();  // A new response (after a redirect or 100 Continue).
    return size * count;
  }
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    auto trim = [](std::string_view s) {
      while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
      }
      while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' ')) {
        s.remove_suffix(1);
      }
      return s;
    };
    headers->emplace(std::string(trim(line.substr(0, colon))),
                     std::string(trim(line.substr(colon + 1))));
  }
  return size * count;
}

Status MapCurlError(CURLcode code, const ClientRequest& request, const char* detail) {
  const std::string what =
      fmt::format("{} {}: {} ({})", request.method, request.url, curl_easy_strerror(code), detail);
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return DeadlineExceededError(what);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return InvalidArgumentError(what);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      return FailedPreconditionError(what);
    default:
      return UnavailableError(what);
  }
}

}  // namespace

std::optional<std::string> ClientResponse::Header(std::string_view name) const {
  const auto it = headers.find(name);
  if (it == headers.end()) {
    return std::nullopt;
  }
  return it->second;
}

struct CurlHttpClient::Impl {
  HttpClientOptions options;
  std::mutex mu;
  std::vector<CURL*> idle;  // Guarded by mu. Handles keep their connections.
  std::atomic<long> connections{0};

  CURL* Acquire() {
    {
      std::lock_guard lock(mu);
      if (!idle.empty()) {
        CURL* handle = idle.back();
        idle.pop_back();
        return handle;
      }
    }
    return curl_easy_init();
  }

  void Release(CURL* handle) {
    std::lock_guard lock(mu);
    idle.push_back(handle);
  }
};

CurlHttpClient::CurlHttpClient(HttpClientOptions options) : impl_(std::make_unique<Impl>()) {
  GlobalInit();
  impl_->options = std::move(options);
}

CurlHttpClient::~CurlHttpClient() {
  for (CURL* handle : impl_->idle) {
    curl_easy_cleanup(handle);
  }
}

long CurlHttpClient::ConnectionsOpenedForTest() const { return impl_->connections; }

Result<ClientResponse> CurlHttpClient::Send(const ClientRequest& request) {
  CURL* handle = impl_->Acquire();
  if (handle == nullptr) {
    return InternalError("curl_easy_init failed");
  }
  // Options from the previous use of this handle must not leak into this one.
  curl_easy_reset(handle);
  const HttpClientOptions& options = impl_->options;
  const auto ms = [](Duration d) {
    return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
  };
  ClientResponse response;
  std::array<char, CURL_ERROR_SIZE> error{};
  curl_easy_setopt(handle, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options.ca_bundle.empty()) {
    curl_easy_setopt(handle, CURLOPT_CAINFO, options.ca_bundle.c_str());
  }
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, ms(options.connect_timeout));
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, ms(request.timeout.value_or(options.total_timeout)));
  curl_easy_setopt(handle, CURLOPT_USERAGENT, options.user_agent.c_str());
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error.data());
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, &WriteHeader);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &response.headers);
  curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method == "HEAD") {
    curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
  }
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
      request.method == "PATCH") {
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }
  curl_slist* header_list = nullptr;
  bool has_expect = false;
  for (const auto& [name, value] : request.headers) {
    header_list = curl_slist_append(header_list, fmt::format("{}: {}", name, value).c_str());
    const CaseInsensitiveLess less;
    has_expect = has_expect || (!less(name, "Expect") && !less("Expect", name));
  }
  if (!has_expect) {
    // libcurl would otherwise wait for "100 Continue" before large bodies.
    header_list = curl_slist_append(header_list, "Expect:");
  }
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, header_list);

  const CURLcode code = curl_easy_perform(handle);
  curl_slist_free_all(header_list);
  long connects = 0;
  curl_easy_getinfo(handle, CURLINFO_NUM_CONNECTS, &connects);
  impl_->connections += connects;
  if (code != CURLE_OK) {
    // A broken connection must not be reused.
    curl_easy_cleanup(handle);
    return MapCurlError(code, request, error.data());
  }
  long status = 0;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  impl_->Release(handle);
  return response;
}

std::string UrlEncode(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 3);
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += fmt::format("%{:02X}", u);
    }
  }
  return out;
}

}  // namespace sellerbridge::http
