#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "emulators/amazon/faults.h"
#include "emulators/amazon/scenario.h"

namespace sellerbridge::emulators::amazon {

class SellerState;

// The clock the seller state reads: the emulator's clock, except on a thread
// that is applying a feed, which sees the feed's processing time. Feeds are
// processed lazily, on the first call after their processing time, and this
// gives their effects (a shipment's arrival, a listing change) the time they
// would have had on Amazon. Thread-safe.
class FeedProcessingClock final : public Clock {
 public:
  // `base` must outlive this clock.
  explicit FeedProcessingClock(Clock* base) : base_(base) {}

  TimePoint Now() const override;
  bool SleepUntil(TimePoint deadline, std::stop_token stop) override;

  // While it lives, `clock`->Now() on the constructing thread returns `at`.
  class Pin {
   public:
    Pin(const FeedProcessingClock* clock, TimePoint at);
    ~Pin();
    Pin(const Pin&) = delete;
    Pin& operator=(const Pin&) = delete;

   private:
    const FeedProcessingClock* previous_clock_;
    TimePoint previous_at_;
  };

 private:
  Clock* const base_;
};

// getFeed's processingStatus.
enum class FeedStatus { kInQueue, kInProgress, kDone, kFatal, kCancelled };

// "IN_QUEUE", "IN_PROGRESS", "DONE", "FATAL", "CANCELLED".
std::string_view FeedStatusName(FeedStatus status);
std::optional<FeedStatus> ParseFeedStatus(std::string_view name);

// One feed as Amazon holds it, with what processing made of its messages.
struct FeedInfo {
  std::string feed_id;
  std::string feed_type;
  std::vector<std::string> marketplace_ids;
  std::map<std::string, std::string> options;  // feedOptions.
  std::string input_document_id;
  TimePoint created;
  FeedStatus status = FeedStatus::kInQueue;
  std::optional<TimePoint> processing_start;  // Set once IN_PROGRESS.
  std::optional<TimePoint> processing_end;    // Set once DONE, FATAL or CANCELLED.
  std::optional<std::string> result_document_id;
  bool stuck = false;  // An injected fault: never leaves IN_PROGRESS.
  int messages_processed = 0;
  int messages_successful = 0;
  int messages_with_error = 0;
  int messages_with_warning = 0;
  std::string fatal_reason;  // Why a FATAL feed failed.
};

// What createFeed (or the in-process facade) asks for.
struct FeedSubmission {
  std::string feed_type;
  std::vector<std::string> marketplace_ids;
  std::string input_document_id;
  std::map<std::string, std::string> options;
  std::optional<std::string> feed_id;  // In-process only: a chosen id (e.g. a sandbox id).
};

// A getFeeds query after validation.
struct FeedQuery {
  std::vector<std::string> feed_types;
  std::vector<FeedStatus> statuses;          // Empty: any.
  std::vector<std::string> marketplace_ids;  // Empty: any.
  TimePoint created_since;
  TimePoint created_until;
  int page_size = 10;
};

struct FeedPage {
  std::vector<FeedInfo> feeds;  // Newest first.
  std::optional<std::string> next_token;
};

// A feed document as the document URLs serve it.
struct FeedDocumentContent {
  std::string content_type;
  std::string bytes;  // As stored: GZIP-compressed when `gzip`.
  bool gzip = false;
};

// How a presigned document URL fared.
enum class PresignedCheck { kValid, kExpired, kSignatureMismatch };

// The Feeds API's state for one seller: feed documents (uploaded inputs and
// processing reports), presigned URLs for them, and feeds moving IN_QUEUE →
// IN_PROGRESS → DONE or FATAL on the emulator clock. Processing is lazy:
// every call first processes the feeds whose time has come, in the order
// they finish, applying POST_ORDER_FULFILLMENT_DATA messages through
// SellerState::ConfirmShipment and JSON_LISTINGS_FEED quantities through
// SellerState::QueueAvailability at the feed's processing end time (through
// `state_clock`). Legacy XML and flat-file listings feeds end FATAL, as on
// Amazon since 31 July 2025. Thread-safe: one mutex guards the store; it is
// held while the seller state is called, never the other way round.
class FeedStore {
 public:
  static constexpr std::chrono::minutes kUrlLifetime{5};
  static constexpr std::chrono::hours kRetention{90 * 24};

  // Every pointer must outlive the store; `state` must read `state_clock`.
  FeedStore(const FeedProcessing& processing, std::uint64_t seed, SellerState* state,
            const FeedProcessingClock* state_clock, Faults* faults, Clock* clock);

  // createFeedDocument: a new, empty input document for `content_type`.
  // Returns its id.
  std::string CreateDocument(std::string_view content_type);

  // Stores an input document with its content, as createFeedDocument and the
  // upload would. InvalidArgument for an empty content type or id;
  // AlreadyExists for a taken id. Returns the id.
  Result<std::string> AddDocument(std::string_view content_type, std::string content,
                                  std::optional<std::string> document_id);

  // Replaces an input document's content (the upload). NotFound for an
  // unknown document; PermissionDenied for a result document;
  // InvalidArgument when `content_type` is not the one the document was
  // created with (S3 signs it).
  Status Upload(std::string_view document_id, std::string_view content_type, std::string content);

  // Whether the document exists.
  bool HasDocument(std::string_view document_id);
  // The document's content, if it exists and has been uploaded or produced.
  std::optional<FeedDocumentContent> Document(std::string_view document_id);
  // The document's content decompressed, if it has any.
  std::optional<std::string> DocumentText(std::string_view document_id);

  // A presigned path and query for `method` ("PUT" uploads, "GET"
  // downloads) on the document, valid kUrlLifetime from now. With
  // `gzip_encoding` the download answers Content-Encoding: gzip.
  std::string PresignedTarget(std::string_view method, std::string_view document_id,
                              bool gzip_encoding) const;
  // Checks a request to a presigned target; `query` holds its decoded
  // query parameters.
  PresignedCheck CheckPresigned(std::string_view method, std::string_view document_id,
                                const std::multimap<std::string, std::string>& query) const;

  // createFeed. InvalidArgument (message for the caller) for an unsupported
  // feed type, no marketplace or more than 25, a marketplace that is not the
  // seller's, an unknown input document or a result document, a taken
  // feed_id. A stuck_feed_rate fault may make the feed stick IN_PROGRESS.
  Result<std::string> CreateFeed(const FeedSubmission& submission);

  // The feed as of now, if it exists.
  std::optional<FeedInfo> GetFeed(std::string_view feed_id);
  // Every feed as of now, newest first.
  std::vector<FeedInfo> Feeds();
  // cancelFeed. NotFound; FailedPrecondition unless the feed is IN_QUEUE.
  Status CancelFeed(std::string_view feed_id);

  // getFeeds from the start of `query`.
  FeedPage Search(const FeedQuery& query);
  // Continues a search. InvalidArgument for an unknown token.
  Result<FeedPage> Continue(std::string_view next_token);

  // Whether the feed type is one createFeed accepts.
  static bool IsSupportedFeedType(std::string_view feed_type);

 private:
  struct StoredDocument {
    std::string content_type;
    std::optional<std::string> bytes;  // Absent until uploaded.
    bool is_result = false;
    bool gzip = false;
  };
  struct Feed {
    FeedInfo info;
    TimePoint start_at;  // Planned: IN_QUEUE → IN_PROGRESS.
    TimePoint end_at;    // Planned: IN_PROGRESS → DONE or FATAL, unless stuck.
  };
  struct Cursor {
    FeedQuery query;
    std::size_t next = 0;  // The next page starts at feeds_[next - 1] and goes to older ones.
  };
  struct Outcome;

  void CatchUpLocked(TimePoint now);
  void ProcessLocked(Feed& feed);
  Outcome ProcessFulfillmentLocked(const FeedInfo& feed, const std::string& content);
  Outcome ProcessListingsLocked(const FeedInfo& feed, const std::string& content);
  std::string NewDocumentIdLocked();
  std::string Signature(std::string_view method, std::string_view document_id,
                        std::string_view date, std::string_view expires,
                        std::string_view encoding) const;
  FeedPage RunLocked(const FeedQuery& query, std::size_t from);

  const FeedProcessing processing_;
  const std::uint64_t url_key_;
  SellerState* const state_;
  const FeedProcessingClock* const state_clock_;
  Faults* const faults_;
  Clock* const clock_;

  std::mutex mu_;
  std::mt19937_64 rng_;                                           // Guarded by mu_.
  std::uint64_t next_feed_number_ = 1;                            // Guarded by mu_.
  std::vector<Feed> feeds_;                                       // Guarded by mu_. Oldest first.
  std::map<std::string, StoredDocument, std::less<>> documents_;  // Guarded by mu_.
  std::map<std::string, Cursor, std::less<>> cursors_;            // Guarded by mu_.
};

}  // namespace sellerbridge::emulators::amazon
