#pragma once

#include <string>

#include "base/result.h"
#include "config/config.h"
#include "finance/journal.h"
#include "http/client.h"

namespace sellerbridge::finance {

// Posts journals to one finance system over HTTP: sellerbridge's generic
// JSON (JournalToJson) or Xero manual journals (XeroManualJournal), as the
// sink's configuration says. Thread-safe when the HttpClient is.
class JournalSink {
 public:
  // `http` must outlive the sink.
  JournalSink(config::JournalSinkConfig config, http::HttpClient* http);

  // The configured name, for logs, errors and posting records; never the URL
  // or the token.
  const std::string& Name() const { return config_.name; }

  // POSTs `journal` to the sink's URL with the headers Content-Type and
  // Accept application/json, Idempotency-Key: journal.idempotency_key (a
  // retry of the same journal is not booked twice by a system that honours
  // it, as Xero does), Authorization: Bearer <token> when a token is set, and
  // xero-tenant-id for Xero. Returns the finance system's id of the journal:
  // Xero's ManualJournals[0].ManualJournalID, or the generic answer's "id";
  // "" when the answer has none.
  //
  // Errors name the sink and the URL without its query or credentials, and
  // never hold the token: the client's error for a transport failure
  // (Unavailable, or DeadlineExceeded when the outcome is unknown);
  // Unavailable for 5xx; ResourceExhausted for 429; Unauthenticated for 401;
  // PermissionDenied for 403; InvalidArgument for any other 4xx, quoting the
  // system's message (Xero's Message and validation errors); Internal for any
  // other status.
  Result<std::string> Post(const Journal& journal) const;

 private:
  config::JournalSinkConfig config_;
  http::HttpClient* http_;
  std::string shown_url_;  // The URL as errors show it.
};

}  // namespace sellerbridge::finance
