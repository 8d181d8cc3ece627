#include "clarus/automation_payload.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <utility>

#include "base/status_macros.h"
#include "clarus/node_reader.h"

namespace sellerbridge::clarus {
namespace {

using nlohmann::json;

struct KindName {
  AutomationEventKind kind;
  std::string_view resource_name;
  std::string_view event;
  std::string_view name;
};

constexpr std::array<KindName, 4> kKinds = {{
    {AutomationEventKind::kGoodsOutCompleted, "goods_out", "completed", "goods_out/completed"},
    {AutomationEventKind::kStockAdjusted, "stock", "adjusted", "stock/adjusted"},
    {AutomationEventKind::kStockHeld, "stock", "held", "stock/held"},
    {AutomationEventKind::kStockReleased, "stock", "released", "stock/released"},
}};

std::string HeaderValue(const http::Headers& headers, std::string_view name) {
  const auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

Status Mismatch(std::string_view header, std::string_view got, std::string_view want) {
  return PermissionDeniedError(
      fmt::format("clarus automation: {} is '{}', expected {}", header, got, want));
}

}  // namespace

std::string_view AutomationEventName(AutomationEventKind kind) {
  for (const KindName& k : kKinds) {
    if (k.kind == kind) {
      return k.name;
    }
  }
  return "unknown";
}

Result<AutomationHeaders> ParseAutomationHeaders(const http::Headers& headers) {
  AutomationHeaders out;
  out.domain = HeaderValue(headers, "X-ClarusWMS-Domain");
  out.api_domain = HeaderValue(headers, "X-ClarusWMS-API-Domain");
  out.subdomain = HeaderValue(headers, "X-ClarusWMS-Subdomain");
  out.automation_id = HeaderValue(headers, "X-ClarusWMS-Automation-ID");
  out.integration_id = HeaderValue(headers, "X-ClarusWMS-Integration-ID");
  if (out.subdomain.empty()) {
    return InvalidArgumentError("clarus automation: the X-ClarusWMS-Subdomain header is missing");
  }
  if (out.automation_id.empty()) {
    return InvalidArgumentError(
        "clarus automation: the X-ClarusWMS-Automation-ID header is missing");
  }
  return out;
}

Result<AutomationEvent> ParseAutomationPayload(const http::Headers& headers,
                                               std::string_view body) {
  AutomationEvent event;
  ASSIGN_OR_RETURN(event.headers, ParseAutomationHeaders(headers));
  const json document = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    return InvalidArgumentError("clarus automation: the body is not JSON");
  }
  const std::string context = fmt::format("clarus automation {}", event.headers.automation_id);
  NodeReader top(document, context, StatusCode::kInvalidArgument);
  const std::string resource_name = top.String("resource_name");
  const std::string event_name = top.String("event");
  RETURN_IF_ERROR(top.status());
  const auto kind = std::find_if(kKinds.begin(), kKinds.end(), [&](const KindName& k) {
    return k.resource_name == resource_name && k.event == event_name;
  });
  if (kind == kKinds.end()) {
    return InvalidArgumentError(fmt::format(
        "{}: {}/{} is not an event sellerbridge handles (goods_out/completed, stock/adjusted, "
        "stock/held, stock/released)",
        context, resource_name, event_name));
  }
  event.kind = kind->kind;
  event.triggered_at = top.Time("triggered_at");
  const std::string body_automation_id = top.OptionalId("automation_id");
  const json& data = top.Object("data");
  RETURN_IF_ERROR(top.status());
  if (!body_automation_id.empty() && body_automation_id != event.headers.automation_id) {
    return InvalidArgumentError(
        fmt::format("{}: the body's automation_id '{}' differs from X-ClarusWMS-Automation-ID",
                    context, body_automation_id));
  }
  if (data.is_null()) {
    return InvalidArgumentError(fmt::format("{} {}: data is missing", context, kind->name));
  }
  NodeReader r(data, fmt::format("{} {}", context, kind->name), StatusCode::kInvalidArgument,
               "data.");
  event.record_id = r.Id("id");
  event.record_updated_at = r.Time("updated_at");
  if (event.kind == AutomationEventKind::kGoodsOutCompleted) {
    event.goods_out_id = event.record_id;
    event.goods_out_reference = r.String("reference");
  } else {
    event.product_id = r.Id("product_id");
    event.warehouse_id = r.Id("warehouse_id");
    event.account_id = r.OptionalId("account_id");
    event.sku = r.OptionalString("product_code");
  }
  RETURN_IF_ERROR(r.status());
  event.dedupe_key = fmt::format("{}/{}@{}", kind->name, event.record_id, event.record_updated_at);
  return event;
}

Status VerifyAutomationSource(const AutomationHeaders& headers, const AutomationSource& expected) {
  if (headers.subdomain != expected.subdomain) {
    return Mismatch("X-ClarusWMS-Subdomain", headers.subdomain,
                    fmt::format("'{}'", expected.subdomain));
  }
  if (!expected.automation_ids.empty() &&
      std::find(expected.automation_ids.begin(), expected.automation_ids.end(),
                headers.automation_id) == expected.automation_ids.end()) {
    return Mismatch("X-ClarusWMS-Automation-ID", headers.automation_id,
                    fmt::format("one of '{}'", fmt::join(expected.automation_ids, "', '")));
  }
  if (!expected.integration_id.empty() && headers.integration_id != expected.integration_id) {
    return Mismatch("X-ClarusWMS-Integration-ID", headers.integration_id,
                    fmt::format("'{}'", expected.integration_id));
  }
  return Status::Ok();
}

}  // namespace sellerbridge::clarus
