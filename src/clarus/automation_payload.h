#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "http/server.h"

namespace sellerbridge::clarus {

// The identifying headers Clarus sends with every automation (webhook)
// delivery. Clarus signs nothing: these name the sender, they do not prove it.
struct AutomationHeaders {
  std::string domain;          // X-ClarusWMS-Domain, "<tenant>.claruswms.co.uk"
  std::string api_domain;      // X-ClarusWMS-API-Domain, "clarus-api.com"
  std::string subdomain;       // X-ClarusWMS-Subdomain, the tenant. Required.
  std::string automation_id;   // X-ClarusWMS-Automation-ID. Required.
  std::string integration_id;  // X-ClarusWMS-Integration-ID
};

// The automations sellerbridge subscribes to.
enum class AutomationEventKind {
  kGoodsOutCompleted,  // goods_out / completed: fully picked and dispatched.
  kStockAdjusted,      // stock / adjusted (+ or -).
  kStockHeld,          // stock / held.
  kStockReleased,      // stock / released.
};

// "goods_out/completed", "stock/adjusted", "stock/held", "stock/released".
std::string_view AutomationEventName(AutomationEventKind kind);

// One delivery, read as a hint of what to re-read, never as the state
// itself: Clarus delivers late, twice, out of order or not at all, and the
// body is an undocumented snapshot. Quantities and statuses in the body are
// therefore not kept.
struct AutomationEvent {
  AutomationEventKind kind = AutomationEventKind::kGoodsOutCompleted;
  AutomationHeaders headers;
  std::string triggered_at;  // When Clarus fired it (ISO 8601).
  std::string record_id;     // data.id: the goods-out, or the stock balance.
  // data.updated_at: the version of the record the body shows. A record
  // already read at this time or later need not be read again.
  std::string record_updated_at;

  // What to re-read. kGoodsOutCompleted: the goods-out (GoodsOuts::Read),
  // with its reference. Stock events: the product's balances (in that
  // warehouse and account).
  std::string goods_out_id;
  std::string goods_out_reference;
  std::string product_id;
  std::string sku;
  std::string account_id;
  std::string warehouse_id;

  // The same for every delivery of one event (duplicates), different for
  // different events of one record: kind, record id and record_updated_at.
  std::string dedupe_key;
};

// Reads the X-ClarusWMS-* headers (names in any case). InvalidArgument naming
// the header when the subdomain or automation id is missing or empty.
Result<AutomationHeaders> ParseAutomationHeaders(const http::Headers& headers);

// Reads one delivery: its headers and JSON body {resource_name, event,
// automation_id, triggered_at, data: {full record}}. Strict about what
// sellerbridge relies on (the headers above, resource_name and event of a
// kind above, triggered_at, data.id and data.updated_at, and data.reference
// of a goods-out or data.product_id and data.warehouse_id of stock), tolerant
// of every other field. InvalidArgument naming what is wrong: a body that is
// not JSON, a missing or mistyped field, an event we do not subscribe to, an
// automation id in the body that differs from the header's.
Result<AutomationEvent> ParseAutomationPayload(const http::Headers& headers, std::string_view body);

// Who may deliver to us: our tenant, and the automations we configured.
struct AutomationSource {
  std::string subdomain;                    // Required.
  std::vector<std::string> automation_ids;  // Empty: any.
  std::string integration_id;               // Empty: any.
};

// Checks a delivery's headers against `expected` (Clarus defines no
// signature, so this is the verification there is; pair it with a secret
// path and HTTPS). PermissionDenied naming the header that does not match.
Status VerifyAutomationSource(const AutomationHeaders& headers, const AutomationSource& expected);

}  // namespace sellerbridge::clarus
