#include "monitor/smtp_client.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <string_view>
#include <utility>

#include "http/base64.h"

namespace sellerbridge::monitor {
namespace {

// RFC 5322 allows 998 octets per line, CRLF excluded.
constexpr std::size_t kMaxLineOctets = 998;
// Subject text per RFC 2047 encoded word: 45 octets are 60 Base64
// characters, which keeps each word within the 75 the RFC allows.
constexpr std::size_t kEncodedWordOctets = 45;

// libcurl must be initialised once per process before any handle exists; it
// counts initialisations, so this may run besides the HTTP client's.
void GlobalInit() {
  static const bool kInitialised = [] {
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  }();
  (void)kInitialised;
}

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U; }

// Whether `text` is local@domain with nothing that could break out of an SMTP
// command or a header.
bool IsAddress(std::string_view text) {
  const std::size_t at = text.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == text.size() ||
      text.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  return std::none_of(text.begin(), text.end(), [](char c) {
    return static_cast<unsigned char>(c) <= ' ' || c == '\x7f' || c == '<' || c == '>' ||
           c == ',' || c == '"';
  });
}

// "Tue, 03 Nov 2026 08:14:23 +0000", spelt out in English whatever the locale.
std::string MessageDate(TimePoint t) {
  static constexpr std::array<std::string_view, 7> kWeekdays = {"Sun", "Mon", "Tue", "Wed",
                                                                "Thu", "Fri", "Sat"};
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day date(day);
  const std::chrono::hh_mm_ss time(std::chrono::floor<std::chrono::seconds>(t - day));
  return fmt::format(
      "{}, {:02} {} {} {:02}:{:02}:{:02} +0000", kWeekdays[std::chrono::weekday(day).c_encoding()],
      static_cast<unsigned>(date.day()), kMonths[static_cast<unsigned>(date.month()) - 1],
      static_cast<int>(date.year()), time.hours().count(), time.minutes().count(),
      time.seconds().count());
}

// A Message-ID unique across processes: the time, a random number drawn once
// per process, and a counter.
std::string MessageId(TimePoint t, std::string_view from) {
  static const std::uint64_t kProcessRandom = [] {
    std::random_device device;
    return (std::uint64_t{device()} << 32U) | device();
  }();
  static std::atomic<std::uint64_t> counter{0};
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  return fmt::format("<{}.{:016x}.{}@{}>", millis, kProcessRandom, ++counter,
                     from.substr(from.find('@') + 1));
}

// The subject as a header value: line breaks become spaces; text that is not
// ASCII becomes RFC 2047 encoded words, split between characters and folded.
std::string EncodeSubject(std::string_view subject) {
  std::string text(subject);
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  const bool ascii = std::all_of(text.begin(), text.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) {
    return text;
  }
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = std::min(start + kEncodedWordOctets, text.size());
    while (end < text.size() && end > start + 1 && IsContinuationByte(text[end])) {
      --end;
    }
    if (!out.empty()) {
      out += "\r\n ";
    }
    out += fmt::format("=?UTF-8?B?{}?=",
                       http::Base64Encode(std::string_view(text).substr(start, end - start)));
    start = end;
  }
  return out;
}

// The body with CRLF line ends and no line longer than RFC 5322 allows
// (broken between characters).
std::string NormaliseBody(std::string_view body) {
  std::string out;
  out.reserve(body.size() + body.size() / 32);
  std::size_t line_start = 0;
  while (line_start <= body.size()) {
    std::size_t line_end = body.find('\n', line_start);
    const bool last = line_end == std::string_view::npos;
    if (last) {
      line_end = body.size();
    }
    std::string_view line = body.substr(line_start, line_end - line_start);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    while (line.size() > kMaxLineOctets) {
      std::size_t cut = kMaxLineOctets;
      while (cut > 1 && IsContinuationByte(line[cut])) {
        --cut;
      }
      out.append(line.substr(0, cut));
      out += "\r\n";
      line.remove_prefix(cut);
    }
    out.append(line);
    if (last) {
      break;
    }
    out += "\r\n";
    line_start = line_end + 1;
  }
  if (!out.empty() && !out.ends_with("\r\n")) {
    out += "\r\n";
  }
  return out;
}

std::string RenderMessage(const EmailMessage& message, TimePoint now) {
  std::string to;
  for (const std::string& address : message.to) {
    to += to.empty() ? address : ", " + address;
  }
  return fmt::format(
      "From: {}\r\nTo: {}\r\nSubject: {}\r\nDate: {}\r\nMessage-ID: {}\r\nMIME-Version: "
      "1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: "
      "8bit\r\n\r\n{}",
      message.from, to, EncodeSubject(message.subject), MessageDate(now),
      MessageId(now, message.from), NormaliseBody(message.body));
}

// The message as libcurl reads it.
struct Upload {
  std::string data;
  std::size_t offset = 0;
};

std::size_t ReadUpload(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const std::size_t n = std::min(size * count, upload->data.size() - upload->offset);
  std::copy_n(upload->data.begin() + static_cast<std::ptrdiff_t>(upload->offset), n, buffer);
  upload->offset += n;
  return n;
}

Status MapCurlError(CURLcode code, long reply, const std::string& url, const char* detail) {
  const std::string reply_text = reply > 0 ? fmt::format("; last reply {}", reply) : "";
  const std::string what =
      fmt::format("smtp {}: {} ({}){}", url, curl_easy_strerror(code), detail, reply_text);
  switch (code) {
    case CURLE_LOGIN_DENIED:
      return UnauthenticatedError(what);
    case CURLE_OPERATION_TIMEDOUT:
      return DeadlineExceededError(what);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return InvalidArgumentError(what);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_USE_SSL_FAILED:
      return FailedPreconditionError(what);
    default:
      break;
  }
  // A 5xx reply is the server's final word on this message; a 4xx one is
  // temporary by definition.
  if (reply >= 500) {
    return FailedPreconditionError(what);
  }
  return UnavailableError(what);
}

struct CurlDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

}  // namespace

SmtpOptions SmtpOptionsFromConfig(const config::EmailConfig& email) {
  SmtpOptions options;
  options.url = email.smtp_url;
  options.starttls = email.starttls;
  options.username = email.username;
  options.password = email.password;
  return options;
}

SmtpClient::SmtpClient(SmtpOptions options, Clock* clock)
    : options_(std::move(options)), clock_(clock) {
  GlobalInit();
}

Status SmtpClient::Send(const EmailMessage& message) {
  if (!IsAddress(message.from)) {
    return InvalidArgumentError(
        fmt::format("smtp {}: the sender '{}' is not an address", options_.url, message.from));
  }
  if (message.to.empty()) {
    return InvalidArgumentError(fmt::format("smtp {}: the message has no recipient", options_.url));
  }
  std::unique_ptr<curl_slist, CurlDeleter> recipients;
  for (const std::string& to : message.to) {
    if (!IsAddress(to)) {
      return InvalidArgumentError(
          fmt::format("smtp {}: the recipient '{}' is not an address", options_.url, to));
    }
    curl_slist* appended = curl_slist_append(recipients.get(), fmt::format("<{}>", to).c_str());
    if (appended == nullptr) {
      return InternalError(fmt::format("smtp {}: out of memory", options_.url));
    }
    (void)recipients.release();
    recipients.reset(appended);
  }
  std::unique_ptr<CURL, CurlDeleter> handle(curl_easy_init());
  if (!handle) {
    return InternalError(fmt::format("smtp {}: curl_easy_init failed", options_.url));
  }
  CURL* curl = handle.get();
  Upload upload{RenderMessage(message, clock_->Now())};
  const std::string mail_from = fmt::format("<{}>", message.from);
  std::array<char, CURL_ERROR_SIZE> error{};
  auto ms = [](Duration d) {
    return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
  };
  curl_easy_setopt(curl, CURLOPT_URL, options_.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options_.ca_bundle.empty()) {
    curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_bundle.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_USE_SSL,
                   static_cast<long>(options_.starttls ? CURLUSESSL_ALL : CURLUSESSL_NONE));
  if (!options_.username.empty()) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, options_.username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, options_.password.Reveal().c_str());
  }
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, ms(options_.connect_timeout));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, ms(options_.total_timeout));
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error.data());
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, &ReadUpload);
  curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(upload.data.size()));
  const CURLcode code = curl_easy_perform(curl);
  if (code == CURLE_OK) {
    return Status::Ok();
  }
  long reply = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply);
  return MapCurlError(code, reply, options_.url, error.data());
}

}  // namespace sellerbridge::monitor
