#include "clarus/goods_outs.h"

#include <fmt/format.h>

namespace sellerbridge::clarus {
namespace {

using nlohmann::json;

constexpr const char* kSummaryFields = "id reference status updated_at";

std::string Text(const json& node, const char* key) {
  return node.contains(key) && node[key].is_string() ? node[key].get<std::string>() : "";
}

GoodsOutSummary SummaryOf(const json& node) {
  return {Text(node, "id"), Text(node, "reference"), Text(node, "status"),
          Text(node, "updated_at")};
}

}  // namespace

Result<std::optional<GoodsOutSummary>> GoodsOuts::FindByReference(const std::string& reference) {
  auto nodes =
      client_->GraphqlAll("goods_outs", kSummaryFields, json{{"reference", {{"eq", reference}}}});
  if (!nodes.ok()) {
    return nodes.status();
  }
  for (const json& node : *nodes) {
    // CANCELLED ones stay readable; a live one wins over them.
    if (Text(node, "status") != "CANCELLED") {
      return std::optional<GoodsOutSummary>(SummaryOf(node));
    }
  }
  return std::optional<GoodsOutSummary>();
}

Result<CreatedGoodsOut> GoodsOuts::Create(const GoodsOutRequest& request) {
  auto existing = FindByReference(request.reference);
  if (!existing.ok()) {
    return existing.status();
  }
  if (*existing) {
    return CreatedGoodsOut{(*existing)->id, true};
  }
  json lines = json::array();
  for (const GoodsOutLineRequest& line : request.lines) {
    lines.push_back({{"type", "ADD"},
                     {"attributes",
                      {{"product_id", line.product_id},
                       {"order_quantity", line.quantity},
                       {"alt_line_reference", line.alt_line_reference},
                       {"alt_product_code", line.alt_product_code}}}});
  }
  json attributes = {{"goods_out_type", "sales_order"},
                     {"reference", request.reference},
                     {"external_system_reference1", request.reference},
                     {"account_id", request.account_id},
                     {"warehouse_id", request.warehouse_id},
                     {"expected_date_of_dispatch", request.expected_date_of_dispatch},
                     {"priority", request.priority},
                     {"addresses", json::array({request.address})},
                     {"lines_changes", lines}};
  if (!request.carrier_id.empty()) {
    attributes["carrier_id"] = request.carrier_id;
  }
  if (!request.carrier_service_id.empty()) {
    attributes["carrier_service_id"] = request.carrier_service_id;
  }
  if (!request.delivery_notes.empty()) {
    attributes["delivery_notes"] = request.delivery_notes;
  }
  const json body = {{"data", {{"type", "goods_outs"}, {"attributes", attributes}}}};
  auto created = client_->Rest("POST", "/goods_outs", body, /*idempotent=*/false);
  if (created.ok()) {
    if (created->contains("data") && (*created)["data"].contains("id")) {
      return CreatedGoodsOut{Text((*created)["data"], "id"), false};
    }
    return InternalError(
        fmt::format("clarus POST /goods_outs for {}: created without an id", request.reference));
  }
  const StatusCode code = created.status().code();
  if (code != StatusCode::kDeadlineExceeded && code != StatusCode::kUnavailable) {
    return created.status();
  }
  // The create may have committed before the answer was lost: read, do not resend.
  auto after = FindByReference(request.reference);
  if (after.ok() && *after) {
    return CreatedGoodsOut{(*after)->id, true};
  }
  return FailedPreconditionError(fmt::format(
      "clarus goods-out for {}: the create's outcome is unknown ({}) and it is not visible yet; "
      "it will be looked up again before any new attempt",
      request.reference, created.status().message()));
}

Status GoodsOuts::Cancel(const std::string& id) {
  auto cancelled =
      client_->Rest("POST", fmt::format("/goods_outs/{}/cancel", id), json(), /*idempotent=*/true);
  if (cancelled.ok() || cancelled.status().code() == StatusCode::kNotFound) {
    // DRAFT and PENDING orders are deleted by a cancel: gone is cancelled.
    return Status::Ok();
  }
  if (cancelled.status().code() == StatusCode::kInvalidArgument) {
    return FailedPreconditionError(cancelled.status().message());
  }
  return cancelled.status();
}

Result<std::vector<GoodsOutSummary>> GoodsOuts::UpdatedSince(const std::string& since,
                                                             int page_size) {
  auto nodes = client_->GraphqlAll("goods_outs", kSummaryFields,
                                   json{{"updated_at", {{"gteq", since}}}}, page_size);
  if (!nodes.ok()) {
    return nodes.status();
  }
  std::vector<GoodsOutSummary> out;
  out.reserve(nodes->size());
  for (const json& node : *nodes) {
    out.push_back(SummaryOf(node));
  }
  return out;
}

}  // namespace sellerbridge::clarus
