#pragma once

#include "base/clock.h"
#include "emulators/amazon/api_support.h"
#include "emulators/amazon/feed_store.h"
#include "http/server.h"

namespace sellerbridge::emulators::amazon {

// Registers Feeds 2021-06-30 (createFeedDocument, getFeedDocument,
// createFeed, getFeed, getFeeds, cancelFeed) on `server`, behind `gate`, and
// the presigned document URLs those hand out, which stand in for S3 on the
// emulator's own host: PUT /_upload/{documentId} stores a feed document and
// GET /_download/{documentId} serves one. These need no access token; a
// signature in the URL, valid FeedStore::kUrlLifetime, authorises them (403
// with an S3 XML error when it is wrong or expired). Everything passed must
// outlive the server.
void RegisterFeedsApi(http::Server& server, const ApiGate& gate, FeedStore* feeds, Clock* clock);

}  // namespace sellerbridge::emulators::amazon
