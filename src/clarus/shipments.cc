#include "clarus/shipments.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/status_macros.h"
#include "clarus/node_reader.h"

namespace sellerbridge::clarus {
namespace {

using nlohmann::json;

// Standard base64 with padding: what Amazon's label APIs return.
bool IsBase64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) {
    return false;
  }
  const std::size_t data_end = text.find_last_not_of('=');
  if (data_end == std::string_view::npos || text.size() - data_end - 1 > 2) {
    return false;
  }
  return std::all_of(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(data_end) + 1,
                     [](char c) {
                       return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                              (c >= '0' && c <= '9') || c == '+' || c == '/';
                     });
}

Status ValidateRequest(const ShipmentRequest& request) {
  const auto bad = [&](std::string_view what) {
    return InvalidArgumentError(fmt::format("clarus shipment '{}' for goods-out '{}': {}",
                                            request.reference, request.goods_out_id, what));
  };
  if (request.reference.empty()) {
    return bad("a reference is required (it keeps the create idempotent)");
  }
  if (request.goods_out_id.empty()) {
    return bad("goods_out_id is required");
  }
  if (request.carrier_service_id.empty()) {
    return bad("carrier_service_id is required");
  }
  if (!request.label_base64.empty() && !IsBase64(request.label_base64)) {
    return bad("label_base64 is not base64 (standard alphabet, padded)");
  }
  return Status::Ok();
}

json CreateBody(const ShipmentRequest& request) {
  json attributes = {{"goods_out_id", request.goods_out_id},
                     {"carrier_service_id", request.carrier_service_id},
                     {"reference", request.reference}};
  if (!request.carrier_id.empty()) {
    attributes["carrier_id"] = request.carrier_id;
  }
  if (request.packages.empty()) {
    if (!request.tracking_number.empty()) {
      attributes["tracking_number"] = request.tracking_number;
    }
  } else {
    json packages = json::array();
    for (const ShipmentPackageRequest& package : request.packages) {
      json entry = {{"storage_unit_type", package.storage_unit_type}};
      if (!package.tracking_number.empty()) {
        entry["tracking_number"] = package.tracking_number;
      }
      packages.push_back(std::move(entry));
    }
    attributes["packages"] = std::move(packages);
  }
  if (!request.label_filename.empty()) {
    attributes["label_filename"] = request.label_filename;
  }
  if (!request.label_base64.empty()) {
    attributes["label_data"] = request.label_base64;
  }
  return {{"data", {{"type", "shipments"}, {"attributes", std::move(attributes)}}}};
}

}  // namespace

const char* const kShipmentSelection =
    "id goods_out_id reference status carrier_id carrier_service_id collection_datetime "
    "label_filename created_at updated_at carrier { code name } carrier_service { code name } "
    "packages { id tracking_number storage_unit_type }";

Result<Shipment> ShipmentFromNode(const json& node) {
  NodeReader r(node, fmt::format("clarus shipment {}", NodeReader::IdOf(node)));
  Shipment s;
  s.id = r.Id("id");
  s.goods_out_id = r.Id("goods_out_id");
  s.reference = r.OptionalString("reference");
  s.status = r.String("status");
  s.carrier_id = r.OptionalId("carrier_id");
  s.carrier_service_id = r.OptionalId("carrier_service_id");
  s.collection_datetime = r.OptionalTime("collection_datetime");
  s.label_filename = r.OptionalString("label_filename");
  s.created_at = r.OptionalTime("created_at");
  s.updated_at = r.Time("updated_at");
  if (const json& carrier = r.Object("carrier"); !carrier.is_null()) {
    NodeReader c(carrier, "clarus shipment " + s.id + " carrier");
    s.carrier_code = c.String("code");
    s.carrier_name = c.OptionalString("name");
    RETURN_IF_ERROR(c.status());
  }
  if (const json& service = r.Object("carrier_service"); !service.is_null()) {
    NodeReader c(service, "clarus shipment " + s.id + " carrier_service");
    s.service_code = c.String("code");
    s.service_name = c.OptionalString("name");
    RETURN_IF_ERROR(c.status());
  }
  for (const json& package_node : r.List("packages")) {
    NodeReader p(package_node, "clarus shipment " + s.id + " package");
    Package package;
    package.id = p.Id("id");
    package.tracking_number = p.MaybeString("tracking_number");
    if (package.tracking_number && package.tracking_number->empty()) {
      package.tracking_number.reset();
    }
    package.storage_unit_type = p.OptionalString("storage_unit_type");
    RETURN_IF_ERROR(p.status());
    s.packages.push_back(std::move(package));
  }
  RETURN_IF_ERROR(r.status());
  return s;
}

Result<std::vector<Shipment>> Shipments::Query(const json& filter, int page_size) {
  ASSIGN_OR_RETURN(std::vector<json> nodes,
                   client_->GraphqlAll("shipments", kShipmentSelection, filter, page_size));
  std::vector<Shipment> out;
  out.reserve(nodes.size());
  for (const json& node : nodes) {
    ASSIGN_OR_RETURN(Shipment shipment, ShipmentFromNode(node));
    out.push_back(std::move(shipment));
  }
  return out;
}

Result<Shipment> Shipments::Get(const std::string& id) {
  ASSIGN_OR_RETURN(std::vector<Shipment> found, Query(json{{"id", {{"eq", id}}}}));
  if (found.empty()) {
    return NotFoundError(fmt::format("clarus shipment {} does not exist", id));
  }
  return std::move(found.front());
}

Result<std::optional<Shipment>> Shipments::FindByReference(const std::string& reference) {
  ASSIGN_OR_RETURN(std::vector<Shipment> found, Query(json{{"reference", {{"eq", reference}}}}));
  for (Shipment& shipment : found) {
    // A cancelled one keeps its reference but is no longer the shipment.
    if (shipment.status != "CANCELLED") {
      return std::optional<Shipment>(std::move(shipment));
    }
  }
  return std::optional<Shipment>();
}

Result<std::vector<Shipment>> Shipments::ForGoodsOut(const std::string& goods_out_id) {
  return Query(json{{"goods_out_id", {{"eq", goods_out_id}}}});
}

Result<std::vector<Shipment>> Shipments::UpdatedSince(const std::string& since, int page_size) {
  return Query(json{{"updated_at", {{"gteq", since}}}}, page_size);
}

Result<CreatedShipment> Shipments::Create(const ShipmentRequest& request) {
  RETURN_IF_ERROR(ValidateRequest(request));
  const auto existing_or_conflict =
      [&](std::optional<Shipment> found) -> std::optional<Result<CreatedShipment>> {
    if (!found) {
      return std::nullopt;
    }
    if (found->goods_out_id != request.goods_out_id) {
      return Result<CreatedShipment>(AlreadyExistsError(fmt::format(
          "clarus shipment reference '{}' is used by shipment {} of goods-out {}, not {}",
          request.reference, found->id, found->goods_out_id, request.goods_out_id)));
    }
    return Result<CreatedShipment>(CreatedShipment{*std::move(found), true});
  };
  ASSIGN_OR_RETURN(std::optional<Shipment> before, FindByReference(request.reference));
  if (auto done = existing_or_conflict(std::move(before))) {
    return *std::move(done);
  }
  auto created = client_->Rest("POST", "/shipments", CreateBody(request), /*idempotent=*/false);
  if (created.ok()) {
    const json data_node = created->is_object() ? created->value("data", json()) : json();
    NodeReader data(data_node, "clarus POST /shipments answer data");
    const std::string id = data.Id("id");
    RETURN_IF_ERROR(data.status());
    // Read back through GraphQL, so that a created shipment looks like every
    // other one (carrier and service codes included).
    ASSIGN_OR_RETURN(Shipment shipment, Get(id));
    return CreatedShipment{std::move(shipment), false};
  }
  const StatusCode code = created.status().code();
  if (code != StatusCode::kDeadlineExceeded && code != StatusCode::kUnavailable) {
    return created.status();
  }
  // The create may have committed before the answer was lost: read, do not resend.
  auto after = FindByReference(request.reference);
  if (after.ok()) {
    if (auto done = existing_or_conflict(*std::move(after))) {
      return *std::move(done);
    }
  }
  return FailedPreconditionError(fmt::format(
      "clarus shipment '{}' for goods-out {}: the create's outcome is unknown ({}) and it is not "
      "visible yet; it will be looked up again before any new attempt",
      request.reference, request.goods_out_id, created.status().message()));
}

Result<ShipmentCancellation> Shipments::Cancel(const std::string& id) {
  ASSIGN_OR_RETURN(Shipment shipment, Get(id));
  if (shipment.status != "CANCELLED") {
    auto cancelled = client_->Rest("POST", fmt::format("/shipments/{}/cancel", id), json(),
                                   /*idempotent=*/true);
    if (!cancelled.ok()) {
      // A retry after a lost answer meets "already cancelled": read to tell.
      ASSIGN_OR_RETURN(shipment, Get(id));
      if (shipment.status != "CANCELLED") {
        return cancelled.status().code() == StatusCode::kInvalidArgument
                   ? FailedPreconditionError(cancelled.status().message())
                   : cancelled.status();
      }
    } else {
      ASSIGN_OR_RETURN(shipment, Get(id));
    }
  }
  ShipmentCancellation out;
  ASSIGN_OR_RETURN(std::vector<Shipment> siblings,
                   Query(json{{"goods_out_id", {{"eq", shipment.goods_out_id}}},
                              {"created_at", {{"gteq", shipment.updated_at}}}}));
  for (Shipment& sibling : siblings) {
    if (sibling.id != shipment.id && sibling.status != "CANCELLED") {
      out.replacements.push_back(std::move(sibling));
    }
  }
  out.cancelled = std::move(shipment);
  return out;
}

}  // namespace sellerbridge::clarus
