#include "monitor/smtp_client.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "http/base64.h"
#include "monitor/notifiers.h"

namespace sellerbridge::monitor {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;

const TimePoint kStart = TimePoint{} + hours{24 * 20000};

// What one SMTP client told the server.
struct SmtpSession {
  std::string ehlo;
  std::string auth;  // The AUTH PLAIN credentials, decoded.
  std::string mail_from;
  std::vector<std::string> rcpt_to;
  std::string data;  // The message, dot-stuffing undone.
};

// A loopback SMTP server, one connection at a time, on a thread of its own:
// EHLO, AUTH PLAIN, MAIL FROM, RCPT TO, DATA, RSET, NOOP and QUIT.
class FakeSmtpServer {
 public:
  FakeSmtpServer() {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof(address);
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API.
    auto* generic = reinterpret_cast<sockaddr*>(&address);
    EXPECT_EQ(bind(listen_fd_, generic, size), 0);
    EXPECT_EQ(listen(listen_fd_, 4), 0);
    EXPECT_EQ(getsockname(listen_fd_, generic, &size), 0);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }

  ~FakeSmtpServer() {
    shutdown(listen_fd_, SHUT_RDWR);
    thread_.join();
    close(listen_fd_);
  }

  FakeSmtpServer(const FakeSmtpServer&) = delete;
  FakeSmtpServer& operator=(const FakeSmtpServer&) = delete;

  int Port() const { return port_; }
  std::string Url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

  // The reply to every RCPT TO, "250 OK" by default.
  void SetRcptReply(std::string reply) {
    std::lock_guard lock(mu_);
    rcpt_reply_ = std::move(reply);
  }

  // The sessions so far, once at least `count` have ended (waiting up to 10
  // seconds of real time for the server thread to record them).
  std::vector<SmtpSession> Sessions(size_t count = 0) {
    std::unique_lock lock(mu_);
    ended_.wait_for(lock, std::chrono::seconds{10}, [&] { return sessions_.size() >= count; });
    return sessions_;
  }

 private:
  void Serve() {
    while (true) {
      const int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) {
        return;  // Shut down.
      }
      SmtpSession session = Converse(fd);
      close(fd);
      std::lock_guard lock(mu_);
      sessions_.push_back(std::move(session));
      ended_.notify_all();
    }
  }

  // One line without its CRLF; nullopt when the client hung up.
  std::optional<std::string> ReadLine(int fd) {
    while (true) {
      const size_t end = buffer_.find("\r\n");
      if (end != std::string::npos) {
        std::string line = buffer_.substr(0, end);
        buffer_.erase(0, end + 2);
        return line;
      }
      char chunk[4096];
      const ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
      if (n <= 0) {
        return std::nullopt;
      }
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

  static void Write(int fd, std::string_view text) {
    while (!text.empty()) {
      const ssize_t n = send(fd, text.data(), text.size(), MSG_NOSIGNAL);
      if (n <= 0) {
        return;
      }
      text.remove_prefix(static_cast<size_t>(n));
    }
  }

  SmtpSession Converse(int fd) {
    SmtpSession session;
    buffer_.clear();
    Write(fd, "220 fake ESMTP ready\r\n");
    while (std::optional<std::string> line = ReadLine(fd)) {
      const std::string command = line->substr(0, line->find(' '));
      if (command == "EHLO" || command == "HELO") {
        session.ehlo = line->substr(5);
        Write(fd, "250-fake\r\n250-8BITMIME\r\n250-AUTH PLAIN\r\n250 SIZE 1000000\r\n");
      } else if (command == "AUTH") {
        std::string credentials = line->size() > 11 ? line->substr(11) : "";
        if (credentials.empty()) {
          Write(fd, "334 \r\n");
          credentials = ReadLine(fd).value_or("");
        }
        session.auth = http::Base64Decode(credentials).value_or("(not base64)");
        Write(fd, "235 2.7.0 Authentication successful\r\n");
      } else if (command == "MAIL") {
        // The address, without parameters such as SIZE=.
        session.mail_from = line->substr(10, line->find('>') - 9);
        Write(fd, "250 OK\r\n");
      } else if (command == "RCPT") {
        session.rcpt_to.push_back(line->substr(8));
        std::lock_guard lock(mu_);
        Write(fd, rcpt_reply_ + "\r\n");
      } else if (command == "DATA") {
        Write(fd, "354 End data with <CR><LF>.<CR><LF>\r\n");
        while (std::optional<std::string> data = ReadLine(fd)) {
          if (*data == ".") {
            break;
          }
          session.data += (data->starts_with("..") ? data->substr(1) : *data) + "\r\n";
        }
        Write(fd, "250 OK queued\r\n");
      } else if (command == "QUIT") {
        Write(fd, "221 Bye\r\n");
        break;
      } else if (command == "RSET" || command == "NOOP") {
        Write(fd, "250 OK\r\n");
      } else {
        Write(fd, "502 Command not implemented\r\n");
      }
    }
    return session;
  }

  int listen_fd_ = -1;
  int port_ = 0;
  std::string buffer_;  // Used by the server thread only.
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable ended_;
  std::string rcpt_reply_ = "250 OK";  // Guarded by mu_.
  std::vector<SmtpSession> sessions_;  // Guarded by mu_.
};

// The value of header `name` in `message`, unfolded; "" if absent.
std::string HeaderOf(const std::string& message, const std::string& name) {
  const std::string prefix = name + ": ";
  size_t start = message.starts_with(prefix) ? 0 : message.find("\r\n" + prefix);
  if (start == std::string::npos) {
    return "";
  }
  start += start == 0 ? prefix.size() : prefix.size() + 2;
  size_t end = message.find("\r\n", start);
  while (end != std::string::npos && message.compare(end, 3, "\r\n ") == 0) {
    end = message.find("\r\n", end + 2);
  }
  std::string value = message.substr(start, end - start);
  for (size_t fold = value.find("\r\n"); fold != std::string::npos; fold = value.find("\r\n")) {
    value.erase(fold, 2);
  }
  return value;
}

// The text of a header made of RFC 2047 Base64 words separated by spaces.
std::string DecodeWords(const std::string& header) {
  std::string text;
  std::istringstream words(header);
  std::string word;
  while (words >> word) {
    EXPECT_THAT(word, StartsWith("=?UTF-8?B?"));
    EXPECT_LE(word.size(), 75U);
    text += http::Base64Decode(word.substr(10, word.size() - 12)).value_or("(not base64)");
  }
  return text;
}

std::string BodyOf(const std::string& message) {
  const size_t end = message.find("\r\n\r\n");
  return end == std::string::npos ? "" : message.substr(end + 4);
}

class SmtpClientTest : public ::testing::Test {
 protected:
  SmtpOptions Options() const {
    SmtpOptions options;
    options.url = server_.Url();
    options.total_timeout = seconds{10};
    return options;
  }

  static EmailMessage Message() {
    return {.from = "sellerbridge@example.com",
            .to = {"ops@example.com", "lead@example.com"},
            .subject = "Feed 50012 stuck",
            .body = "First line\n.hidden starts with a dot\nLast line"};
  }

  VirtualClock clock_{kStart};
  FakeSmtpServer server_;
};

TEST_F(SmtpClientTest, SendsEnvelopeAndMessage) {
  SmtpClient client(Options(), &clock_);
  const Status status = client.Send(Message());
  ASSERT_TRUE(status.ok()) << status;
  const std::vector<SmtpSession> sessions = server_.Sessions(1);
  ASSERT_THAT(sessions, SizeIs(1));
  const SmtpSession& session = sessions[0];
  EXPECT_EQ(session.mail_from, "<sellerbridge@example.com>");
  EXPECT_THAT(session.rcpt_to, ElementsAre("<ops@example.com>", "<lead@example.com>"));
  EXPECT_EQ(session.auth, "");
  EXPECT_EQ(HeaderOf(session.data, "From"), "sellerbridge@example.com");
  EXPECT_EQ(HeaderOf(session.data, "To"), "ops@example.com, lead@example.com");
  EXPECT_EQ(HeaderOf(session.data, "Subject"), "Feed 50012 stuck");
  EXPECT_EQ(HeaderOf(session.data, "Date"), "Fri, 04 Oct 2024 00:00:00 +0000");
  EXPECT_THAT(HeaderOf(session.data, "Message-ID"), MatchesRegex("<[0-9a-f.]+@example\\.com>"));
  EXPECT_EQ(HeaderOf(session.data, "Content-Type"), "text/plain; charset=UTF-8");
  EXPECT_EQ(BodyOf(session.data), "First line\r\n.hidden starts with a dot\r\nLast line\r\n");
}

TEST_F(SmtpClientTest, MessageIdsDiffer) {
  SmtpClient client(Options(), &clock_);
  ASSERT_TRUE(client.Send(Message()).ok());
  ASSERT_TRUE(client.Send(Message()).ok());
  const std::vector<SmtpSession> sessions = server_.Sessions(2);
  ASSERT_THAT(sessions, SizeIs(2));
  EXPECT_NE(HeaderOf(sessions[0].data, "Message-ID"), HeaderOf(sessions[1].data, "Message-ID"));
}

TEST_F(SmtpClientTest, EncodesUtf8SubjectAndBreaksOverlongLines) {
  SmtpClient client(Options(), &clock_);
  EmailMessage message = Message();
  message.subject = "Auftrag 303-1 verspätet\r\nBcc: evil@example.com";
  message.body = std::string(1500, 'x') + "\nGrüße";
  ASSERT_TRUE(client.Send(message).ok());
  const std::vector<SmtpSession> sessions = server_.Sessions(1);
  ASSERT_THAT(sessions, SizeIs(1));
  const std::string subject = HeaderOf(sessions[0].data, "Subject");
  EXPECT_EQ(DecodeWords(subject), "Auftrag 303-1 verspätet  Bcc: evil@example.com");
  EXPECT_EQ(HeaderOf(sessions[0].data, "Bcc"), "");
  EXPECT_EQ(BodyOf(sessions[0].data),
            std::string(998, 'x') + "\r\n" + std::string(502, 'x') + "\r\nGrüße\r\n");
}

TEST_F(SmtpClientTest, LogsInWithUsernameAndPassword) {
  SmtpOptions options = Options();
  options.username = "sellerbridge";
  options.password = config::Secret("smtp-pass-1");
  SmtpClient client(options, &clock_);
  const Status status = client.Send(Message());
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_THAT(server_.Sessions(1), SizeIs(1));
  EXPECT_EQ(server_.Sessions()[0].auth, std::string("\0sellerbridge\0smtp-pass-1", 25));
}

TEST_F(SmtpClientTest, RefusedConnectionIsUnavailableAndNamesTheServer) {
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof(address);
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API.
  auto* generic = reinterpret_cast<sockaddr*>(&address);
  ASSERT_EQ(bind(listener, generic, size), 0);
  ASSERT_EQ(getsockname(listener, generic, &size), 0);
  close(listener);  // Bound, never listening: nothing accepts on the port now.
  SmtpOptions options = Options();
  options.url = "smtp://127.0.0.1:" + std::to_string(ntohs(address.sin_port));
  SmtpClient client(options, &clock_);
  const Status status = client.Send(Message());
  EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status;
  EXPECT_THAT(status.message(), HasSubstr(options.url));
}

TEST_F(SmtpClientTest, RejectedRecipientIsAClearError) {
  server_.SetRcptReply("550 5.1.1 No such user");
  SmtpClient client(Options(), &clock_);
  const Status status = client.Send(Message());
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(status.message(), HasSubstr("550"));
  EXPECT_THAT(status.message(), HasSubstr(server_.Url()));
}

TEST_F(SmtpClientTest, TemporaryRejectionIsRetryable) {
  server_.SetRcptReply("451 4.3.0 Try again later");
  SmtpClient client(Options(), &clock_);
  const Status status = client.Send(Message());
  EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status;
  EXPECT_THAT(status.message(), HasSubstr("451"));
}

TEST_F(SmtpClientTest, RequiredStarttlsThatTheServerLacksFails) {
  SmtpOptions options = Options();
  options.starttls = true;
  SmtpClient client(options, &clock_);
  const Status status = client.Send(Message());
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition) << status;
  for (const SmtpSession& session : server_.Sessions(1)) {
    EXPECT_EQ(session.mail_from, "");  // Nothing went out in clear text.
  }
}

TEST_F(SmtpClientTest, RefusesAddressesThatCouldInjectCommands) {
  SmtpClient client(Options(), &clock_);
  EmailMessage message = Message();
  message.to = {"ops@example.com>\r\nRCPT TO:<other@example.com"};
  EXPECT_EQ(client.Send(message).code(), StatusCode::kInvalidArgument);
  message.to.clear();
  EXPECT_EQ(client.Send(message).code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(server_.Sessions(), SizeIs(0));
}

TEST_F(SmtpClientTest, EmailNotifierSendsTheAlertFromTheConfiguration) {
  config::AlertsConfig alerts;
  alerts.email = config::EmailConfig{
      .smtp_url = server_.Url(), .from = "sellerbridge@example.com", .to = {"ops@example.com"}};
  http::CurlHttpClient http_client;
  std::vector<std::unique_ptr<Notifier>> notifiers = MakeNotifiers(alerts, &http_client, &clock_);
  ASSERT_THAT(notifiers, SizeIs(1));
  EXPECT_EQ(notifiers[0]->Name(), "email");
  const Alert alert{.key = "job_stalled:order_import",
                    .rule = "job_stalled",
                    .severity = Severity::kCritical,
                    .summary = "Job order_import has not succeeded since 2024-10-03T23:57:00.000Z",
                    .details = "3 consecutive failures.",
                    .since = kStart};
  Status status = notifiers[0]->Send({.event = NotificationEvent::kFiring, .alert = alert});
  ASSERT_TRUE(status.ok()) << status;
  status = notifiers[0]->Send(
      {.event = NotificationEvent::kResolved, .alert = alert, .resolved_at = kStart + hours{1}});
  ASSERT_TRUE(status.ok()) << status;
  const std::vector<SmtpSession> sessions = server_.Sessions(2);
  ASSERT_THAT(sessions, SizeIs(2));
  EXPECT_THAT(sessions[0].rcpt_to, ElementsAre("<ops@example.com>"));
  EXPECT_EQ(HeaderOf(sessions[0].data, "Subject"),
            "[sellerbridge] FIRING critical: Job order_import has not succeeded since "
            "2024-10-03T23:57:00.000Z");
  EXPECT_THAT(BodyOf(sessions[0].data), HasSubstr("3 consecutive failures."));
  EXPECT_THAT(BodyOf(sessions[0].data), HasSubstr("Key: job_stalled:order_import"));
  EXPECT_THAT(HeaderOf(sessions[1].data, "Subject"), StartsWith("[sellerbridge] RESOLVED"));
  EXPECT_THAT(BodyOf(sessions[1].data), HasSubstr("Resolved: 2024-10-04T01:00:00.000Z"));
  EXPECT_THAT(BodyOf(sessions[1].data), Not(HasSubstr("FIRING")));
}

TEST_F(SmtpClientTest, EmailNotifierErrorNamesTheTarget) {
  server_.SetRcptReply("550 5.1.1 No such user");
  EmailNotifier notifier(std::make_unique<SmtpClient>(Options(), &clock_),
                         "sellerbridge@example.com", {"ops@example.com"});
  const Status status =
      notifier.Send({.event = NotificationEvent::kFiring,
                     .alert = {.key = "k", .rule = "r", .summary = "s", .since = kStart}});
  EXPECT_THAT(status.message(), StartsWith("e-mail email: smtp "));
}

}  // namespace
}  // namespace sellerbridge::monitor
