#include "clarus/goods_outs.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "base/status_macros.h"
#include "clarus/node_reader.h"

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

// How many ids one `in` filter carries.
constexpr std::size_t kIdsPerQuery = 50;

std::string DetailSelection() {
  return fmt::format(
      "id reference status external_system_reference1 account_id warehouse_id carrier_id "
      "carrier_service_id priority expected_date_of_dispatch delivery_notes dispatch_date "
      "created_at updated_at address {{ name address_1 address_2 address_3 address_4 postcode "
      "country_code email_address phone_number }} goods_out_lines {{ id product_id product_code "
      "order_quantity allocated_quantity pick_quantity dispatch_quantity short_status "
      "alt_line_reference alt_product_code carrier_service_id updated_at }} shipments {{ {} }}",
      kShipmentSelection);
}

Result<GoodsOutDetail> DetailOf(const json& node) {
  NodeReader r(node, fmt::format("clarus goods-out {}", NodeReader::IdOf(node)));
  GoodsOutDetail d;
  d.id = r.Id("id");
  d.reference = r.String("reference");
  d.status = r.String("status");
  d.external_system_reference1 = r.OptionalString("external_system_reference1");
  d.account_id = r.OptionalId("account_id");
  d.warehouse_id = r.OptionalId("warehouse_id");
  d.carrier_id = r.OptionalId("carrier_id");
  d.carrier_service_id = r.OptionalId("carrier_service_id");
  d.priority = r.OptionalInt("priority").value_or(0);
  d.expected_date_of_dispatch = r.OptionalString("expected_date_of_dispatch");
  d.delivery_notes = r.OptionalString("delivery_notes");
  if (const json& address = r.Object("address"); !address.is_null()) {
    NodeReader a(address, fmt::format("clarus goods-out {} address", d.id));
    d.address = {.name = a.OptionalString("name"),
                 .address_1 = a.OptionalString("address_1"),
                 .address_2 = a.OptionalString("address_2"),
                 .address_3 = a.OptionalString("address_3"),
                 .address_4 = a.OptionalString("address_4"),
                 .postcode = a.OptionalString("postcode"),
                 .country_code = a.OptionalString("country_code"),
                 .email_address = a.OptionalString("email_address"),
                 .phone_number = a.OptionalString("phone_number")};
    RETURN_IF_ERROR(a.status());
  }
  d.dispatch_date = r.OptionalTime("dispatch_date");
  d.created_at = r.OptionalTime("created_at");
  d.updated_at = r.Time("updated_at");
  for (const json& line_node : r.List("goods_out_lines")) {
    NodeReader l(line_node, fmt::format("clarus goods-out {} line", d.id));
    GoodsOutLine line;
    line.id = l.Id("id");
    line.product_id = l.Id("product_id");
    line.sku = l.OptionalString("product_code");
    line.alt_line_reference = l.OptionalString("alt_line_reference");
    line.alt_product_code = l.OptionalString("alt_product_code");
    line.carrier_service_id = l.OptionalId("carrier_service_id");
    line.ordered = l.Int("order_quantity");
    line.allocated = l.Int("allocated_quantity");
    line.picked = l.Int("pick_quantity");
    line.dispatched = l.Int("dispatch_quantity");
    line.shorted = l.OptionalString("short_status") == "SHORT";
    line.updated_at = l.OptionalTime("updated_at");
    RETURN_IF_ERROR(l.status());
    d.lines.push_back(std::move(line));
  }
  for (const json& shipment_node : r.List("shipments")) {
    ASSIGN_OR_RETURN(Shipment shipment, ShipmentFromNode(shipment_node));
    d.shipments.push_back(std::move(shipment));
  }
  RETURN_IF_ERROR(r.status());
  return d;
}

}  // namespace

json AddressJson(const Address& address) {
  return {{"name", address.name},
          {"address_1", address.address_1},
          {"address_2", address.address_2},
          {"address_3", address.address_3},
          {"address_4", address.address_4},
          {"postcode", address.postcode},
          {"country_code", address.country_code},
          {"email_address", address.email_address},
          {"phone_number", address.phone_number}};
}

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
                     {"addresses", json::array({AddressJson(request.address)})},
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

Result<GoodsOutSummary> GoodsOuts::Patch(const std::string& id, const GoodsOutPatch& patch) {
  json attributes = json::object();
  if (patch.priority) {
    attributes["priority"] = *patch.priority;
  }
  if (patch.delivery_notes) {
    attributes["delivery_notes"] = *patch.delivery_notes;
  }
  if (patch.expected_date_of_dispatch) {
    attributes["expected_date_of_dispatch"] = *patch.expected_date_of_dispatch;
  }
  if (patch.carrier_id) {
    attributes["carrier_id"] = *patch.carrier_id;
  }
  if (patch.carrier_service_id) {
    attributes["carrier_service_id"] = *patch.carrier_service_id;
  }
  if (patch.address) {
    attributes["addresses"] = json::array({AddressJson(*patch.address)});
  }
  if (attributes.empty()) {
    return InvalidArgumentError(fmt::format("clarus PATCH goods-out {}: nothing to change", id));
  }
  const json body = {
      {"data", {{"type", "goods_outs"}, {"id", id}, {"attributes", std::move(attributes)}}}};
  // The same PATCH twice leaves the same order: safe to retry.
  auto patched = client_->Rest("PATCH", fmt::format("/goods_outs/{}", id), body,
                               /*idempotent=*/true);
  if (!patched.ok()) {
    const Status& status = patched.status();
    // A 422 that names no attribute is about the order, not the request.
    if (status.code() == StatusCode::kInvalidArgument &&
        status.message().find("/data/attributes") == std::string::npos) {
      return FailedPreconditionError(status.message());
    }
    return status;
  }
  const json data = patched->is_object() ? patched->value("data", json()) : json();
  NodeReader r(data, fmt::format("clarus PATCH goods-out {} answer", id));
  GoodsOutSummary summary;
  summary.id = r.Id("id");
  NodeReader a(r.Object("attributes"), fmt::format("clarus PATCH goods-out {} attributes", id));
  summary.reference = a.String("reference");
  summary.status = a.String("status");
  summary.updated_at = a.Time("updated_at");
  RETURN_IF_ERROR(r.status());
  RETURN_IF_ERROR(a.status());
  return summary;
}

Result<std::vector<GoodsOutDetail>> GoodsOuts::ReadWhere(const json& filter, int page_size) {
  ASSIGN_OR_RETURN(std::vector<json> nodes,
                   client_->GraphqlAll("goods_outs", DetailSelection(), filter, page_size));
  std::vector<GoodsOutDetail> out;
  out.reserve(nodes.size());
  for (const json& node : nodes) {
    ASSIGN_OR_RETURN(GoodsOutDetail detail, DetailOf(node));
    out.push_back(std::move(detail));
  }
  return out;
}

Result<GoodsOutDetail> GoodsOuts::Read(const std::string& id) {
  ASSIGN_OR_RETURN(std::vector<GoodsOutDetail> found, ReadWhere(json{{"id", {{"eq", id}}}}, 1));
  if (found.empty()) {
    return NotFoundError(fmt::format("clarus goods-out {} does not exist", id));
  }
  return std::move(found.front());
}

Result<std::vector<GoodsOutDetail>> GoodsOuts::ReadGoodsOuts(const std::string& since,
                                                             int page_size) {
  ASSIGN_OR_RETURN(std::vector<GoodsOutDetail> changed,
                   ReadWhere(json{{"updated_at", {{"gteq", since}}}}, page_size));
  std::set<std::string> seen;
  for (const GoodsOutDetail& detail : changed) {
    seen.insert(detail.id);
  }
  ASSIGN_OR_RETURN(std::vector<json> shipments,
                   client_->GraphqlAll("shipments", "id goods_out_id",
                                       json{{"updated_at", {{"gteq", since}}}}, page_size));
  std::vector<std::string> more;
  for (const json& node : shipments) {
    NodeReader r(node, "clarus shipment");
    std::string goods_out_id = r.Id("goods_out_id");
    RETURN_IF_ERROR(r.status());
    if (seen.insert(goods_out_id).second) {
      more.push_back(std::move(goods_out_id));
    }
  }
  for (std::size_t start = 0; start < more.size(); start += kIdsPerQuery) {
    const std::size_t end = std::min(more.size(), start + kIdsPerQuery);
    const json ids = std::vector<std::string>(more.begin() + static_cast<std::ptrdiff_t>(start),
                                              more.begin() + static_cast<std::ptrdiff_t>(end));
    ASSIGN_OR_RETURN(std::vector<GoodsOutDetail> extra,
                     ReadWhere(json{{"id", {{"in", ids}}}}, page_size));
    for (GoodsOutDetail& detail : extra) {
      changed.push_back(std::move(detail));
    }
  }
  std::sort(changed.begin(), changed.end(), [](const GoodsOutDetail& a, const GoodsOutDetail& b) {
    // Clarus ids are integers shown as strings: shorter is smaller.
    return std::make_pair(a.id.size(), a.id) < std::make_pair(b.id.size(), b.id);
  });
  return changed;
}

}  // namespace sellerbridge::clarus
