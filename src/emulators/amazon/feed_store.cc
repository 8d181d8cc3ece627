#include "emulators/amazon/feed_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <cctype>
#include <set>

#include "base/marketplace.h"
#include "base/time_format.h"
#include "emulators/amazon/encoding.h"
#include "emulators/amazon/formats/fulfillment_feed.h"
#include "emulators/amazon/formats/listings_feed.h"
#include "emulators/amazon/seller_state.h"
#include "http/client.h"

namespace sellerbridge::emulators::amazon {
namespace {

thread_local const FeedProcessingClock* pinned_clock = nullptr;
thread_local TimePoint pinned_at;

constexpr std::string_view kOrderFulfillmentFeed = "POST_ORDER_FULFILLMENT_DATA";
constexpr std::string_view kListingsFeed = "JSON_LISTINGS_FEED";

// XML and flat-file listings feeds, which Amazon stopped processing on
// 31 July 2025: createFeed still takes them, and they end FATAL.
constexpr std::array<std::string_view, 13> kRetiredListingsFeeds = {
    "POST_INVENTORY_AVAILABILITY_DATA",
    "POST_PRODUCT_DATA",
    "POST_PRODUCT_PRICING_DATA",
    "POST_PRODUCT_OVERRIDES_DATA",
    "POST_PRODUCT_IMAGE_DATA",
    "POST_PRODUCT_RELATIONSHIP_DATA",
    "POST_FLAT_FILE_INVLOADER_DATA",
    "POST_FLAT_FILE_LISTINGS_DATA",
    "POST_FLAT_FILE_PRICEANDQUANTITYONLY_UPDATE_DATA",
    "POST_FLAT_FILE_BOOKLOADER_DATA",
    "POST_FLAT_FILE_CONVERGENCE_LISTINGS_DATA",
    "POST_UIEE_BOOKLOADER_DATA",
    "POST_STD_ACES_DATA",
};

bool IsRetired(std::string_view feed_type) {
  return std::find(kRetiredListingsFeeds.begin(), kRetiredListingsFeeds.end(), feed_type) !=
         kRetiredListingsFeeds.end();
}

constexpr std::string_view kXmlContentType = "text/xml; charset=UTF-8";
constexpr std::string_view kJsonContentType = "application/json; charset=UTF-8";

// Amazon's code for data that is incomplete or invalid.
constexpr std::string_view kInvalidDataCode = "18028";

// "text/xml; charset=UTF-8" and "text/xml;charset=utf-8" are the same type.
std::string NormalisedContentType(std::string_view type) {
  std::string out;
  for (const char c : type) {
    if (c != ' ' && c != '\t') {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

// A keyed 64-bit mix (splitmix64 over FNV-1a): enough to make URLs that a
// client cannot alter unnoticed. Not a cryptographic MAC.
std::uint64_t KeyedHash(std::uint64_t key, std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL ^ key;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  hash += 0x9e3779b97f4a7c15ULL;
  hash = (hash ^ (hash >> 30U)) * 0xbf58476d1ce4e5b9ULL;
  hash = (hash ^ (hash >> 27U)) * 0x94d049bb133111ebULL;
  return hash ^ (hash >> 31U);
}

std::string QueryValue(const std::multimap<std::string, std::string>& query,
                       const std::string& name) {
  const auto it = query.find(name);
  return it == query.end() ? std::string() : it->second;
}

}  // namespace

TimePoint FeedProcessingClock::Now() const {
  if (pinned_clock == this) {
    return pinned_at;
  }
  return base_->Now();
}

bool FeedProcessingClock::SleepUntil(TimePoint deadline, std::stop_token stop) {
  return base_->SleepUntil(deadline, std::move(stop));
}

FeedProcessingClock::Pin::Pin(const FeedProcessingClock* clock, TimePoint at)
    : previous_clock_(pinned_clock), previous_at_(pinned_at) {
  pinned_clock = clock;
  pinned_at = at;
}

FeedProcessingClock::Pin::~Pin() {
  pinned_clock = previous_clock_;
  pinned_at = previous_at_;
}

std::string_view FeedStatusName(FeedStatus status) {
  switch (status) {
    case FeedStatus::kInQueue:
      return "IN_QUEUE";
    case FeedStatus::kInProgress:
      return "IN_PROGRESS";
    case FeedStatus::kDone:
      return "DONE";
    case FeedStatus::kFatal:
      return "FATAL";
    case FeedStatus::kCancelled:
      return "CANCELLED";
  }
  return "";
}

std::optional<FeedStatus> ParseFeedStatus(std::string_view name) {
  for (const FeedStatus status : {FeedStatus::kInQueue, FeedStatus::kInProgress, FeedStatus::kDone,
                                  FeedStatus::kFatal, FeedStatus::kCancelled}) {
    if (FeedStatusName(status) == name) {
      return status;
    }
  }
  return std::nullopt;
}

// What processing made of a feed.
struct FeedStore::Outcome {
  bool fatal = false;
  std::string fatal_reason;
  std::string report;
  std::string_view report_content_type = kXmlContentType;
  int processed = 0;
  int with_error = 0;
  int with_warning = 0;
};

FeedStore::FeedStore(const FeedProcessing& processing, std::uint64_t seed, SellerState* state,
                     const FeedProcessingClock* state_clock, Faults* faults, Clock* clock)
    : processing_(processing),
      url_key_(KeyedHash(seed, "feed-document-urls")),
      state_(state),
      state_clock_(state_clock),
      faults_(faults),
      clock_(clock),
      rng_(seed ^ 0xfeed5ULL) {}

bool FeedStore::IsSupportedFeedType(std::string_view feed_type) {
  return feed_type == kOrderFulfillmentFeed || feed_type == kListingsFeed || IsRetired(feed_type);
}

std::string FeedStore::NewDocumentIdLocked() {
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  for (;;) {
    const std::uint64_t a = rng_();
    const std::uint64_t b = rng_();
    std::string suffix;
    for (int i = 0; i < 14; ++i) {
      suffix += kAlphabet[rng_() % kAlphabet.size()];
    }
    // Amazon's feed document ids look like this (a UUID and a suffix).
    std::string id = fmt::format("amzn1.tortuga.4.eu.{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}.T{}",
                                 a >> 32U, (a >> 16U) & 0xffffU, a & 0xfffU, (b >> 48U) | 0x8000U,
                                 b & 0xffffffffffffULL, suffix);
    if (!documents_.contains(id)) {
      return id;
    }
  }
}

std::string FeedStore::CreateDocument(std::string_view content_type) {
  std::lock_guard lock(mu_);
  std::string id = NewDocumentIdLocked();
  documents_[id] = StoredDocument{.content_type = std::string(content_type)};
  return id;
}

Result<std::string> FeedStore::AddDocument(std::string_view content_type, std::string content,
                                           std::optional<std::string> document_id) {
  if (content_type.empty()) {
    return InvalidArgumentError("a feed document needs a content type");
  }
  if (document_id && document_id->empty()) {
    return InvalidArgumentError("a feed document id must not be empty");
  }
  std::lock_guard lock(mu_);
  std::string id = document_id ? *document_id : NewDocumentIdLocked();
  if (documents_.contains(id)) {
    return AlreadyExistsError(fmt::format("feed document {} already exists", id));
  }
  documents_[id] =
      StoredDocument{.content_type = std::string(content_type), .bytes = std::move(content)};
  return id;
}

Status FeedStore::Upload(std::string_view document_id, std::string_view content_type,
                         std::string content) {
  std::lock_guard lock(mu_);
  const auto it = documents_.find(document_id);
  if (it == documents_.end()) {
    return NotFoundError(fmt::format("feed document {} does not exist", document_id));
  }
  if (it->second.is_result) {
    return PermissionDeniedError("a processing report cannot be overwritten");
  }
  if (NormalisedContentType(content_type) != NormalisedContentType(it->second.content_type)) {
    return InvalidArgumentError(
        fmt::format("Content-Type '{}' is not the '{}' the document was created with", content_type,
                    it->second.content_type));
  }
  it->second.bytes = std::move(content);
  return Status::Ok();
}

bool FeedStore::HasDocument(std::string_view document_id) {
  std::lock_guard lock(mu_);
  return documents_.contains(document_id);
}

std::optional<FeedDocumentContent> FeedStore::Document(std::string_view document_id) {
  std::lock_guard lock(mu_);
  const auto it = documents_.find(document_id);
  if (it == documents_.end() || !it->second.bytes) {
    return std::nullopt;
  }
  return FeedDocumentContent{
      .content_type = it->second.content_type, .bytes = *it->second.bytes, .gzip = it->second.gzip};
}

std::optional<std::string> FeedStore::DocumentText(std::string_view document_id) {
  std::optional<FeedDocumentContent> document = Document(document_id);
  if (!document) {
    return std::nullopt;
  }
  if (!document->gzip) {
    return std::move(document->bytes);
  }
  return Gunzip(document->bytes);
}

std::string FeedStore::Signature(std::string_view method, std::string_view document_id,
                                 std::string_view date, std::string_view expires,
                                 std::string_view encoding) const {
  const std::string canonical =
      fmt::format("{}\n{}\n{}\n{}\n{}", method, document_id, date, expires, encoding);
  std::string signature;
  for (std::uint64_t round = 0; round < 4; ++round) {
    signature += fmt::format("{:016x}", KeyedHash(url_key_ + round, canonical));
  }
  return signature;
}

std::string FeedStore::PresignedTarget(std::string_view method, std::string_view document_id,
                                       bool gzip_encoding) const {
  const TimePoint now = clock_->Now();
  const std::string date = AmzDate(now);
  const std::string expires =
      std::to_string(std::chrono::duration_cast<std::chrono::seconds>(kUrlLifetime).count());
  const std::string encoding = gzip_encoding ? "gzip" : "";
  const std::string signed_headers = method == "PUT" ? "content-type;host" : "host";
  std::string target = fmt::format(
      "/{}/{}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={}&X-Amz-Date={}&X-Amz-Expires={}"
      "&X-Amz-SignedHeaders={}",
      method == "PUT" ? "_upload" : "_download", http::UrlEncode(document_id),
      http::UrlEncode(
          fmt::format("AKIAEMULATORFEEDS/{}/eu-west-1/s3/aws4_request", date.substr(0, 8))),
      date, expires, http::UrlEncode(signed_headers));
  if (gzip_encoding) {
    target += "&response-content-encoding=gzip";
  }
  target += "&X-Amz-Signature=" + Signature(method, document_id, date, expires, encoding);
  return target;
}

PresignedCheck FeedStore::CheckPresigned(
    std::string_view method, std::string_view document_id,
    const std::multimap<std::string, std::string>& query) const {
  const std::string date = QueryValue(query, "X-Amz-Date");
  const std::string expires = QueryValue(query, "X-Amz-Expires");
  const std::string encoding = QueryValue(query, "response-content-encoding");
  if (QueryValue(query, "X-Amz-Signature") !=
      Signature(method, document_id, date, expires, encoding)) {
    return PresignedCheck::kSignatureMismatch;
  }
  // The signature covers date and lifetime, so both are as issued.
  const std::optional<TimePoint> issued = ParseAmzDate(date);
  if (!issued) {
    return PresignedCheck::kSignatureMismatch;
  }
  const TimePoint expiry = *issued + std::chrono::seconds(std::stoll(expires));
  return clock_->Now() > expiry ? PresignedCheck::kExpired : PresignedCheck::kValid;
}

Result<std::string> FeedStore::CreateFeed(const FeedSubmission& submission) {
  if (!IsSupportedFeedType(submission.feed_type)) {
    return InvalidArgumentError(fmt::format(
        "Invalid feedType: {} is not a feed type this API accepts", submission.feed_type));
  }
  if (submission.marketplace_ids.empty() || submission.marketplace_ids.size() > 25) {
    return InvalidArgumentError("marketplaceIds must hold 1 to 25 marketplace ids");
  }
  const std::vector<std::string>& own = state_->MarketplaceIds();
  for (const std::string& id : submission.marketplace_ids) {
    if (FindMarketplace(id) == nullptr || std::find(own.begin(), own.end(), id) == own.end()) {
      return InvalidArgumentError(fmt::format("Invalid marketplaceIds value: {}", id));
    }
  }
  const bool stuck = faults_->StickFeed(submission.feed_type);
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  CatchUpLocked(now);
  const auto document = documents_.find(submission.input_document_id);
  if (document == documents_.end() || document->second.is_result) {
    return InvalidArgumentError(
        fmt::format("Invalid inputFeedDocumentId: {}", submission.input_document_id));
  }
  std::string feed_id;
  if (submission.feed_id) {
    feed_id = *submission.feed_id;
    if (feed_id.empty() || std::any_of(feeds_.begin(), feeds_.end(), [&](const Feed& feed) {
          return feed.info.feed_id == feed_id;
        })) {
      return InvalidArgumentError(fmt::format("feed id '{}' is empty or taken", feed_id));
    }
  } else {
    // Amazon's feed ids are 11-digit numbers.
    feed_id = fmt::format("5{:07d}{:03d}", next_feed_number_++ % 10'000'000, rng_() % 1000);
  }
  Feed feed;
  feed.info.feed_id = feed_id;
  feed.info.feed_type = submission.feed_type;
  feed.info.marketplace_ids = submission.marketplace_ids;
  feed.info.options = submission.options;
  feed.info.input_document_id = submission.input_document_id;
  feed.info.created = now;
  feed.info.stuck = stuck;
  feed.start_at = now + std::chrono::seconds(processing_.queue_seconds);
  std::uniform_int_distribution<int> duration(processing_.min_processing_seconds,
                                              processing_.max_processing_seconds);
  feed.end_at = feed.start_at + std::chrono::seconds(duration(rng_));
  feeds_.push_back(std::move(feed));
  CatchUpLocked(now);
  return feed_id;
}

std::optional<FeedInfo> FeedStore::GetFeed(std::string_view feed_id) {
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  CatchUpLocked(now);
  for (const Feed& feed : feeds_) {
    if (feed.info.feed_id == feed_id) {
      return feed.info;
    }
  }
  return std::nullopt;
}

std::vector<FeedInfo> FeedStore::Feeds() {
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  CatchUpLocked(now);
  std::vector<FeedInfo> feeds;
  for (std::size_t i = feeds_.size(); i > 0; --i) {
    feeds.push_back(feeds_[i - 1].info);
  }
  return feeds;
}

Status FeedStore::CancelFeed(std::string_view feed_id) {
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  CatchUpLocked(now);
  for (Feed& feed : feeds_) {
    if (feed.info.feed_id != feed_id) {
      continue;
    }
    if (feed.info.status != FeedStatus::kInQueue) {
      return FailedPreconditionError(
          fmt::format("feed {} is {}; only feeds IN_QUEUE can be cancelled", feed_id,
                      FeedStatusName(feed.info.status)));
    }
    feed.info.status = FeedStatus::kCancelled;
    feed.info.processing_end = now;
    return Status::Ok();
  }
  return NotFoundError(fmt::format("feed {} does not exist", feed_id));
}

FeedPage FeedStore::Search(const FeedQuery& query) {
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  CatchUpLocked(now);
  return RunLocked(query, 0);
}

Result<FeedPage> FeedStore::Continue(std::string_view next_token) {
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  CatchUpLocked(now);
  const auto it = cursors_.find(next_token);
  if (it == cursors_.end()) {
    return InvalidArgumentError("Invalid nextToken");
  }
  const Cursor cursor = it->second;
  return RunLocked(cursor.query, cursor.next);
}

FeedPage FeedStore::RunLocked(const FeedQuery& query, std::size_t from) {
  const auto matches = [&](const FeedInfo& feed) {
    const auto has = [](const auto& list, const auto& value) {
      return list.empty() || std::find(list.begin(), list.end(), value) != list.end();
    };
    const bool marketplace =
        query.marketplace_ids.empty() ||
        std::any_of(feed.marketplace_ids.begin(), feed.marketplace_ids.end(),
                    [&](const std::string& id) { return has(query.marketplace_ids, id); });
    return has(query.feed_types, feed.feed_type) && has(query.statuses, feed.status) &&
           marketplace && feed.created >= query.created_since &&
           feed.created <= query.created_until;
  };
  FeedPage page;
  // Walks from the newest feed down; a cursor keeps the index it stopped at,
  // so feeds created while a client pages do not shift the pages to come.
  std::size_t i = from == 0 ? feeds_.size() : from;
  while (i > 0) {
    const FeedInfo& feed = feeds_[i - 1].info;
    if (matches(feed)) {
      if (static_cast<int>(page.feeds.size()) == query.page_size) {
        std::string token;
        static constexpr std::string_view kAlphabet =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        do {
          token.clear();
          for (int c = 0; c < 48; ++c) {
            token += kAlphabet[rng_() % kAlphabet.size()];
          }
        } while (cursors_.contains(token));
        cursors_[token] = Cursor{.query = query, .next = i};
        page.next_token = token;
        break;
      }
      page.feeds.push_back(feed);
    }
    --i;
  }
  return page;
}

void FeedStore::CatchUpLocked(TimePoint now) {
  std::vector<Feed*> finishing;
  for (Feed& feed : feeds_) {
    if (feed.info.status == FeedStatus::kInQueue && feed.start_at <= now) {
      feed.info.status = FeedStatus::kInProgress;
      feed.info.processing_start = feed.start_at;
    }
    if (feed.info.status == FeedStatus::kInProgress && !feed.info.stuck && feed.end_at <= now) {
      finishing.push_back(&feed);
    }
  }
  // Effects land in the order the feeds finish, each at its own end time.
  std::stable_sort(finishing.begin(), finishing.end(),
                   [](const Feed* a, const Feed* b) { return a->end_at < b->end_at; });
  for (Feed* feed : finishing) {
    ProcessLocked(*feed);
  }
}

void FeedStore::ProcessLocked(Feed& feed) {
  const FeedProcessingClock::Pin pin(state_clock_, feed.end_at);
  FeedInfo& info = feed.info;
  const auto input = documents_.find(info.input_document_id);
  Outcome outcome;
  if (input == documents_.end() || !input->second.bytes) {
    outcome.fatal = true;
    outcome.fatal_reason = "The feed document was never uploaded.";
  } else if (IsRetired(info.feed_type)) {
    outcome.fatal = true;
    outcome.fatal_reason = fmt::format(
        "The feed type {} is no longer supported: Amazon stopped processing XML and flat-file "
        "listings feeds on 31 July 2025. Use JSON_LISTINGS_FEED or the Listings Items API.",
        info.feed_type);
  } else if (info.feed_type == kOrderFulfillmentFeed) {
    outcome = ProcessFulfillmentLocked(info, *input->second.bytes);
  } else {
    outcome = ProcessListingsLocked(info, *input->second.bytes);
  }
  if (outcome.fatal && outcome.report.empty()) {
    if (info.feed_type == kListingsFeed) {
      outcome.report = ListingsProcessingReport(state_->SellerId(), info.feed_id, 0,
                                                {ListingsFeedIssue{.code = "4000000",
                                                                   .message = outcome.fatal_reason,
                                                                   .severity = "ERROR"}})
                           .dump(2);
      outcome.report_content_type = kJsonContentType;
    } else {
      outcome.report =
          FulfillmentProcessingReport(state_->SellerId(), info.feed_id, 0,
                                      {FeedResult{.message_id = 0,
                                                  .result_code = "Error",
                                                  .message_code = std::string(kInvalidDataCode),
                                                  .description = outcome.fatal_reason}});
    }
  }
  StoredDocument report{.content_type = std::string(outcome.report_content_type),
                        .is_result = true,
                        .gzip = processing_.compress_results};
  report.bytes = report.gzip ? Gzip(outcome.report) : std::move(outcome.report);
  const std::string report_id = NewDocumentIdLocked();
  documents_[report_id] = std::move(report);
  info.status = outcome.fatal ? FeedStatus::kFatal : FeedStatus::kDone;
  info.processing_end = feed.end_at;
  info.result_document_id = report_id;
  info.fatal_reason = outcome.fatal_reason;
  info.messages_processed = outcome.processed;
  info.messages_with_error = outcome.with_error;
  info.messages_with_warning = outcome.with_warning;
  info.messages_successful = std::max(0, outcome.processed - outcome.with_error);
}

FeedStore::Outcome FeedStore::ProcessFulfillmentLocked(const FeedInfo& feed,
                                                       const std::string& content) {
  Outcome outcome;
  auto parsed = ParseFulfillmentFeed(content);
  if (!parsed.ok()) {
    outcome.fatal = true;
    outcome.fatal_reason = std::string(parsed.status().message());
    outcome.report = FulfillmentProcessingReport(state_->SellerId(), feed.feed_id, 0,
                                                 {FeedResult{.message_id = 0,
                                                             .result_code = "Error",
                                                             .message_code = "5001",
                                                             .description = outcome.fatal_reason}});
    return outcome;
  }
  std::vector<FeedResult> results;
  for (const FeedMessageError& error : parsed->errors) {
    results.push_back({.message_id = error.message_id,
                       .result_code = "Error",
                       .message_code = error.code,
                       .description = error.description});
  }
  for (const FulfillmentMessage& message : parsed->messages) {
    const auto fail = [&](std::string description) {
      results.push_back({.message_id = message.message_id,
                         .result_code = "Error",
                         .message_code = std::string(kInvalidDataCode),
                         .description = std::move(description),
                         .amazon_order_id = message.amazon_order_id});
    };
    const std::optional<Order> order = state_->GetOrder(message.amazon_order_id);
    if (!order) {
      fail(fmt::format("We are unable to find order {} for this seller.", message.amazon_order_id));
      continue;
    }
    ShipmentConfirmation confirmation;
    confirmation.marketplace_id = order->marketplace_id;
    confirmation.carrier_code = message.carrier_code;
    confirmation.carrier_name = message.carrier_name;
    confirmation.shipping_method = message.shipping_method;
    confirmation.tracking_number = message.tracking_number;
    confirmation.ship_date = message.fulfillment_date;
    // A message names no package: the tracking number identifies a package
    // sent before (a resend or a correction); otherwise it is a new one.
    const Package* same = nullptr;
    for (const Package& package : order->packages) {
      if (!message.tracking_number.empty() && package.tracking_number == message.tracking_number) {
        same = &package;
      }
    }
    std::string problem;
    if (same != nullptr) {
      confirmation.package_reference_id = same->package_reference_id;
    } else {
      int number = static_cast<int>(order->packages.size()) + 1;
      while (order->FindPackage(std::to_string(number)) != nullptr) {
        ++number;
      }
      confirmation.package_reference_id = std::to_string(number);
    }
    if (message.items.empty() && same != nullptr) {
      confirmation.items = same->items;
    } else if (message.items.empty()) {
      // No Item elements: the whole order ships.
      for (const OrderLine& line : order->lines) {
        if (line.quantity_ordered > line.quantity_shipped) {
          confirmation.items.emplace_back(line.order_item_id,
                                          line.quantity_ordered - line.quantity_shipped);
        }
      }
      if (confirmation.items.empty()) {
        problem = fmt::format("Order {} has no unshipped items.", message.amazon_order_id);
      }
    } else {
      for (const FulfillmentItem& item : message.items) {
        const OrderLine* line = order->FindLine(item.amazon_order_item_code);
        int quantity = item.quantity.value_or(1);
        if (line != nullptr && !item.quantity) {
          quantity = line->quantity_ordered - line->quantity_shipped;
        }
        if (quantity < 1) {
          problem = fmt::format("AmazonOrderItemCode {} has no unshipped units.",
                                item.amazon_order_item_code);
          break;
        }
        confirmation.items.emplace_back(item.amazon_order_item_code, quantity);
      }
    }
    if (!problem.empty()) {
      fail(std::move(problem));
      continue;
    }
    const auto applied = state_->ConfirmShipment(message.amazon_order_id, confirmation, false);
    if (!applied.ok()) {
      fail(std::string(applied.status().message()));
    }
  }
  outcome.processed = parsed->messages_seen;
  outcome.with_error = static_cast<int>(results.size());
  outcome.report =
      FulfillmentProcessingReport(state_->SellerId(), feed.feed_id, outcome.processed, results);
  return outcome;
}

FeedStore::Outcome FeedStore::ProcessListingsLocked(const FeedInfo& feed,
                                                    const std::string& content) {
  Outcome outcome;
  outcome.report_content_type = kJsonContentType;
  auto parsed = ParseListingsFeed(content);
  if (!parsed.ok()) {
    outcome.fatal = true;
    outcome.fatal_reason = std::string(parsed.status().message());
    return outcome;
  }
  if (parsed->seller_id != state_->SellerId()) {
    outcome.fatal = true;
    outcome.fatal_reason =
        fmt::format("The sellerId {} in the header is not the seller that submitted the feed.",
                    parsed->seller_id);
    return outcome;
  }
  std::vector<ListingsFeedIssue> issues = parsed->issues;
  for (const ListingsFeedMessage& message : parsed->messages) {
    if (!state_->GetListing(message.sku)) {
      issues.push_back({.message_id = message.message_id,
                        .code = "4000001",
                        .message = fmt::format("The SKU '{}' does not exist for this seller; "
                                               "create the listing first.",
                                               message.sku),
                        .severity = "ERROR",
                        .sku = message.sku});
      continue;
    }
    if (message.operation_type == "DELETE" || !message.quantity ||
        message.fulfillment_channel_code != "DEFAULT") {
      continue;
    }
    AvailabilityPatch patch;
    patch.op = AvailabilityPatch::Op::kMerge;
    patch.quantity = message.quantity;
    state_->QueueAvailability(message.sku, patch, kListingsFeed).IgnoreError();
  }
  std::set<int> with_error;
  std::set<int> with_warning;
  for (const ListingsFeedIssue& issue : issues) {
    (issue.severity == "ERROR" ? with_error : with_warning).insert(issue.message_id);
  }
  outcome.processed = parsed->messages_seen;
  outcome.with_error = static_cast<int>(with_error.size());
  outcome.with_warning = static_cast<int>(with_warning.size());
  outcome.report =
      ListingsProcessingReport(state_->SellerId(), feed.feed_id, outcome.processed, issues).dump(2);
  return outcome;
}

}  // namespace sellerbridge::emulators::amazon
