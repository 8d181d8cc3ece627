#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "config/config.h"

namespace sellerbridge::monitor {

struct SmtpOptions {
  // "smtp://host[:port]" or "smtps://host[:port]" (TLS from the start).
  std::string url;
  // Upgrade an smtp:// connection with STARTTLS, and fail if the server
  // cannot.
  bool starttls = false;
  std::string username;     // Empty: no authentication.
  config::Secret password;  // With username.
  // A CA bundle to verify the server with instead of the system's.
  // Verification itself cannot be turned off.
  std::string ca_bundle;
  Duration connect_timeout = std::chrono::seconds{10};
  Duration total_timeout = std::chrono::seconds{60};
};

// The options of [alerts.email].
SmtpOptions SmtpOptionsFromConfig(const config::EmailConfig& email);

// One e-mail message, plain UTF-8 text.
struct EmailMessage {
  std::string from;             // The sender's address, local@domain.
  std::vector<std::string> to;  // The recipients' addresses, at least one.
  std::string subject;          // One line; line breaks become spaces.
  std::string body;             // Lines end in \n or \r\n.
};

// Sends e-mail over SMTP with libcurl: smtp:// or smtps://, STARTTLS when
// asked, TLS verification always on, optional AUTH with username and
// password. Thread-safe: each Send uses a connection of its own.
class SmtpClient {
 public:
  // `clock` dates the messages and must outlive the client.
  SmtpClient(SmtpOptions options, Clock* clock);

  // Sends `message` with the headers From, To, Subject, Date, Message-ID,
  // MIME-Version and Content-Type (text/plain; charset=UTF-8; the subject
  // encoded as RFC 2047 when it is not ASCII, body lines broken at 998
  // octets). Errors name the server URL (never the password):
  // InvalidArgument for a message without sender or recipients or with an
  // address that is not local@domain; Unavailable when the server cannot be
  // reached, drops the connection or answers 4xx; DeadlineExceeded on a
  // timeout; Unauthenticated when it refuses the login; FailedPrecondition
  // when TLS fails (certificate, STARTTLS refused) or it answers 5xx to the
  // sender, a recipient or the message.
  Status Send(const EmailMessage& message);

 private:
  const SmtpOptions options_;
  Clock* const clock_;
};

}  // namespace sellerbridge::monitor
