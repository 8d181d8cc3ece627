#include "emulators/clarus/rest_api.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "emulators/clarus/record_json.h"

namespace sellerbridge::emulators::clarus {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;

Response JsonResponse(int status, const json& body) {
  return Response::Json(status, body.dump(-1, ' ', false, json::error_handler_t::replace));
}

Response ApiError(int status, std::string_view title, const std::string& detail) {
  return JsonResponse(
      status,
      {{"errors", {{{"status", std::to_string(status)}, {"title", title}, {"detail", detail}}}}});
}

Response FieldErrors(const std::vector<FieldError>& errors) {
  json list = json::array();
  for (const FieldError& e : errors) {
    list.push_back({{"status", "422"},
                    {"title", "Unprocessable Entity"},
                    {"detail", e.detail},
                    {"source", {{"pointer", e.pointer}}}});
  }
  return JsonResponse(422, {{"errors", list}});
}

// Maps a failed warehouse call to its HTTP answer.
Response StatusResponse(const Status& status, const std::vector<FieldError>& errors) {
  if (!errors.empty()) {
    return FieldErrors(errors);
  }
  switch (status.code()) {
    case StatusCode::kNotFound:
      return ApiError(404, "Not Found", status.message());
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
      return ApiError(422, "Unprocessable Entity", status.message());
    default:
      return ApiError(500, "Internal Server Error", status.message());
  }
}

// Reads JSON:API attributes into typed fields, recording type mismatches as
// field errors.
class Attributes {
 public:
  Attributes(const json& object, std::string pointer, std::vector<FieldError>& errors)
      : object_(object), pointer_(std::move(pointer)), errors_(errors) {}

  std::optional<std::string> String(const std::string& key) {
    if (!object_.contains(key) || object_[key].is_null()) {
      return std::nullopt;
    }
    if (!object_[key].is_string()) {
      errors_.push_back({pointer_ + "/" + key, "must be a string"});
      return std::nullopt;
    }
    return object_[key].get<std::string>();
  }

  // An integer or a string of digits (ids travel as strings in JSON:API).
  std::optional<std::int64_t> Int(const std::string& key) {
    if (!object_.contains(key) || object_[key].is_null()) {
      return std::nullopt;
    }
    const json& v = object_[key];
    if (v.is_number_integer()) {
      return v.get<std::int64_t>();
    }
    if (v.is_string()) {
      try {
        std::size_t used = 0;
        const std::string text = v.get<std::string>();
        const std::int64_t n = std::stoll(text, &used);
        if (used == text.size()) {
          return n;
        }
      } catch (const std::exception&) {
        // Reported below.
      }
    }
    errors_.push_back({pointer_ + "/" + key, "must be an integer"});
    return std::nullopt;
  }

 private:
  const json& object_;
  std::string pointer_;
  std::vector<FieldError>& errors_;
};

const json& Data(const json& body, std::vector<FieldError>& errors) {
  static const json kEmpty = json::object();
  if (!body.is_object() || !body.contains("data") || !body["data"].is_object()) {
    errors.push_back({"/data", "a JSON:API document with a data object is required"});
    return kEmpty;
  }
  return body["data"];
}

const json& AttributesOf(const json& data) {
  static const json kEmpty = json::object();
  return data.contains("attributes") && data["attributes"].is_object() ? data["attributes"]
                                                                       : kEmpty;
}

std::optional<Address> ParseAddress(const json& object, const std::string& pointer,
                                    std::vector<FieldError>& errors) {
  if (!object.is_object()) {
    errors.push_back({pointer, "must be an object"});
    return std::nullopt;
  }
  Attributes a(object, pointer, errors);
  Address address;
  address.name = a.String("name").value_or("");
  address.address_1 = a.String("address_1").value_or("");
  address.address_2 = a.String("address_2").value_or("");
  address.address_3 = a.String("address_3").value_or("");
  address.address_4 = a.String("address_4").value_or("");
  address.postcode = a.String("postcode").value_or("");
  address.country_code = a.String("country_code").value_or("");
  address.email_address = a.String("email_address").value_or("");
  address.phone_number = a.String("phone_number").value_or("");
  return address;
}

GoodsOutInput ParseGoodsOut(const json& body, std::vector<FieldError>& errors) {
  GoodsOutInput input;
  const json& data = Data(body, errors);
  const json& attributes = AttributesOf(data);
  Attributes a(attributes, "/data/attributes", errors);
  input.reference = a.String("reference");
  input.goods_out_type = a.String("goods_out_type");
  input.account_id = a.Int("account_id");
  input.warehouse_id = a.Int("warehouse_id");
  input.carrier_id = a.Int("carrier_id");
  input.carrier_service_id = a.Int("carrier_service_id");
  input.priority = a.Int("priority");
  input.expected_date_of_dispatch = a.String("expected_date_of_dispatch");
  input.delivery_notes = a.String("delivery_notes");
  input.dispatch_strategy = a.String("dispatch_strategy");
  for (std::size_t i = 0; i < 3; ++i) {
    input.external_system_references[i] =
        a.String(fmt::format("external_system_reference{}", i + 1));
  }
  if (auto status = a.String("status")) {
    if (*status == "DRAFT") {
      input.status = GoodsOutStatus::kDraft;
    } else if (*status == "PENDING") {
      input.status = GoodsOutStatus::kPending;
    } else {
      errors.push_back({"/data/attributes/status", "can only be set to DRAFT or PENDING"});
    }
  }
  // The address may come as an attribute (object or one-element list) or as
  // a related `addresses` resource with attributes.
  if (attributes.contains("addresses") || attributes.contains("address")) {
    const std::string key = attributes.contains("addresses") ? "addresses" : "address";
    const json& value = attributes[key];
    const bool list = value.is_array();
    input.address_pointer = "/data/attributes/" + key + (list ? "/0" : "");
    if (list && value.empty()) {
      errors.push_back({input.address_pointer, "a delivery address is required"});
    } else {
      input.address = ParseAddress(list ? value[0] : value, input.address_pointer, errors);
    }
  } else if (data.contains("relationships") && data["relationships"].contains("addresses")) {
    const json& related = data["relationships"]["addresses"];
    if (related.contains("data") && related["data"].is_array() && !related["data"].empty() &&
        related["data"][0].contains("attributes")) {
      input.address_pointer = "/data/relationships/addresses/data/0/attributes";
      input.address = ParseAddress(related["data"][0]["attributes"], input.address_pointer, errors);
    } else {
      errors.push_back(
          {"/data/relationships/addresses", "needs data: [{type: \"addresses\", attributes}]"});
    }
  }
  if (attributes.contains("lines_changes")) {
    const json& changes = attributes["lines_changes"];
    if (!changes.is_array()) {
      errors.push_back({"/data/attributes/lines_changes", "must be a list"});
      return input;
    }
    for (std::size_t i = 0; i < changes.size(); ++i) {
      LineChange change;
      change.pointer = fmt::format("/data/attributes/lines_changes/{}", i);
      const json& entry = changes[i];
      if (!entry.is_object()) {
        errors.push_back({change.pointer, "must be an object"});
        continue;
      }
      const std::string type = entry.value("type", "");
      if (type == "ADD") {
        change.kind = LineChange::Kind::kAdd;
      } else if (type == "UPDATE") {
        change.kind = LineChange::Kind::kUpdate;
      } else if (type == "DESTROY") {
        change.kind = LineChange::Kind::kDestroy;
      } else {
        errors.push_back({change.pointer + "/type", "must be ADD, UPDATE or DESTROY"});
        continue;
      }
      const json& line_attributes = entry.contains("attributes") && entry["attributes"].is_object()
                                        ? entry["attributes"]
                                        : json::object();
      Attributes l(line_attributes, change.pointer + "/attributes", errors);
      change.id = l.Int("id");
      if (!change.id && entry.contains("id")) {
        Attributes outer(entry, change.pointer, errors);
        change.id = outer.Int("id");
      }
      change.product_id = l.Int("product_id");
      change.order_quantity = l.Int("order_quantity");
      change.alt_line_number = l.String("alt_line_number");
      change.alt_line_reference = l.String("alt_line_reference");
      change.alt_product_code = l.String("alt_product_code");
      change.carrier_id = l.Int("carrier_id");
      change.carrier_service_id = l.Int("carrier_service_id");
      input.lines_changes.push_back(std::move(change));
    }
  }
  return input;
}

json Resource(std::string_view type, json attributes) {
  json id = attributes["id"];
  attributes.erase("id");
  return {{"type", type}, {"id", std::move(id)}, {"attributes", std::move(attributes)}};
}

json Ref(std::string_view type, std::optional<std::int64_t> id) {
  return id ? json{{"type", type}, {"id", std::to_string(*id)}} : json(nullptr);
}

json GoodsOutDocument(const GoodsOut& order, const std::map<std::int64_t, Product>& products) {
  json attributes = GoodsOutJson(order);
  attributes["address"] = AddressJson(order.address);
  json resource = Resource("goods_outs", std::move(attributes));
  json lines = json::array();
  json included = json::array();
  for (const GoodsOutLine& line : order.lines) {
    lines.push_back(Ref("goods_out_lines", line.id));
    included.push_back(Resource("goods_out_lines", GoodsOutLineJson(line, products)));
  }
  resource["relationships"] = {
      {"goods_out_lines", {{"data", lines}}},
      {"account", {{"data", Ref("accounts", order.account_id)}}},
      {"warehouse", {{"data", Ref("warehouses", order.warehouse_id)}}},
      {"carrier", {{"data", Ref("carriers", order.carrier_id)}}},
      {"carrier_service", {{"data", Ref("carrier_services", order.carrier_service_id)}}}};
  return {{"data", std::move(resource)}, {"included", std::move(included)}};
}

json ShipmentDocument(const Shipment& shipment) {
  json resource = Resource("shipments", ShipmentJson(shipment));
  json packages = json::array();
  json included = json::array();
  for (const Package& package : shipment.packages) {
    packages.push_back(Ref("packages", package.id));
    included.push_back(Resource("packages", PackageJson(package)));
  }
  resource["relationships"] = {
      {"packages", {{"data", packages}}},
      {"goods_out", {{"data", Ref("goods_outs", shipment.goods_out_id)}}},
      {"carrier", {{"data", Ref("carriers", shipment.carrier_id)}}},
      {"carrier_service", {{"data", Ref("carrier_services", shipment.carrier_service_id)}}}};
  return {{"data", std::move(resource)}, {"included", std::move(included)}};
}

std::optional<std::int64_t> PathId(const Request& request) {
  try {
    std::size_t used = 0;
    const std::string& text = request.path_params.at("id");
    const std::int64_t id = std::stoll(text, &used);
    return used == text.size() ? std::optional(id) : std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::map<std::int64_t, Product> Products(Warehouse& warehouse) {
  std::map<std::int64_t, Product> products;
  warehouse.Read([&](const WarehouseState& state) { products = state.products; });
  return products;
}

class Api {
 public:
  explicit Api(ApiContext api_context) : context(std::move(api_context)) {}

  using Member = Response (Api::*)(const Request&) const;

  // Runs `member` behind the checks every Clarus call goes through.
  Response Guarded(bool is_write, Member member, const Request& request) const {
    context.warehouse->AdvanceToNow();
    const auto subdomain = request.Header("X-Clarus-Subdomain");
    if (!subdomain || *subdomain != context.subdomain) {
      return ApiError(401, "Unauthorized",
                      subdomain ? fmt::format("unknown subdomain '{}'", *subdomain)
                                : "the X-Clarus-Subdomain header is required");
    }
    const std::string token = BearerToken(request);
    const auto fault = context.faults->Next(request.method, request.path, is_write);
    if (fault) {
      switch (fault->kind) {
        case FaultKind::kRateLimited: {
          const auto seconds =
              std::chrono::duration_cast<std::chrono::seconds>(fault->retry_after).count();
          return ApiError(429, "Too Many Requests", "rate limit exceeded")
              .WithHeader("Retry-After", std::to_string(std::max<std::int64_t>(1, seconds)));
        }
        case FaultKind::kServerError:
          return ApiError(fault->status, "Service Unavailable", "the server is busy");
        case FaultKind::kSlow:
          context.faults->Wait(fault->delay);
          break;
        case FaultKind::kExpiredToken:
          context.tokens->Expire(token);
          break;
        case FaultKind::kSessionEnded:
          if (auto user = context.tokens->Check(token); user.ok()) {
            context.tokens->EndSession(*user);
          }
          break;
        case FaultKind::kResponseLost:
          break;
      }
    }
    if (auto user = context.tokens->Check(token); !user.ok()) {
      return ApiError(401, "Unauthorized", user.status().message())
          .WithHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    }
    Response response = (this->*member)(request);
    if (fault && fault->kind == FaultKind::kResponseLost) {
      // The write has committed; the answer is held past the client's
      // timeout so that the client cannot know.
      context.faults->Wait(fault->delay);
      return ApiError(504, "Gateway Timeout", "the response was lost");
    }
    return response;
  }

  static std::string BearerToken(const Request& request) {
    const std::string header = request.Header("Authorization").value_or("");
    constexpr std::string_view kPrefix = "Bearer ";
    return header.size() > kPrefix.size() && header.compare(0, kPrefix.size(), kPrefix) == 0
               ? header.substr(kPrefix.size())
               : "";
  }

  Response Token(const Request& request) const {
    if (auto subdomain = request.Header("X-Clarus-Subdomain");
        subdomain && *subdomain != context.subdomain) {
      return JsonResponse(
          401, {{"error", "invalid_client"}, {"error_description", "unknown subdomain"}});
    }
    std::map<std::string, std::string> fields;
    const std::string type = request.Header("Content-Type").value_or("");
    if (type.find("json") != std::string::npos) {
      const json body = json::parse(request.body, nullptr, false);
      if (body.is_object()) {
        for (const auto& [key, value] : body.items()) {
          if (value.is_string()) {
            fields[key] = value.get<std::string>();
          }
        }
      }
    } else {
      for (const auto& [key, value] : http::ParseFormBody(request.body)) {
        fields.emplace(key, value);
      }
    }
    if (fields["grant_type"] != "client_credentials") {
      return JsonResponse(400, {{"error", "unsupported_grant_type"},
                                {"error_description", "only client_credentials is supported"}});
    }
    auto token = context.tokens->Issue(fields["client_id"], fields["client_secret"]);
    if (!token.ok()) {
      return JsonResponse(401, {{"error", "invalid_client"},
                                {"error_description", "Client authentication failed"}});
    }
    return JsonResponse(
        200,
        {{"access_token", token->access_token},
         {"token_type", "Bearer"},
         {"expires_in", std::chrono::duration_cast<std::chrono::seconds>(token->lifetime).count()},
         {"scope", "public"},
         {"created_at",
          std::chrono::duration_cast<std::chrono::seconds>(token->created_at.time_since_epoch())
              .count()}});
  }

  Response CreateProduct(const Request& request) const {
    std::vector<FieldError> errors;
    const json body = json::parse(request.body, nullptr, false);
    const json& data = Data(body, errors);
    Attributes a(AttributesOf(data), "/data/attributes", errors);
    ProductInput input;
    input.account_id = a.Int("account_id");
    input.product_code = a.String("product_code").value_or("");
    input.name = a.String("name").value_or("");
    input.barcode = a.String("barcode").value_or("");
    if (!errors.empty()) {
      return FieldErrors(errors);
    }
    auto product = context.warehouse->CreateProduct(input, &errors);
    if (!product.ok()) {
      return StatusResponse(product.status(), errors);
    }
    return JsonResponse(201, {{"data", Resource("products", ProductJson(*product))}});
  }

  Response ListProducts(const Request& request) const {
    const auto code = request.Query("filter[product_code]");
    json list = json::array();
    context.warehouse->Read([&](const WarehouseState& state) {
      for (const auto& [id, product] : state.products) {
        if (!code || product.product_code == *code) {
          list.push_back(Resource("products", ProductJson(product)));
        }
      }
    });
    return JsonResponse(200, {{"data", list}});
  }

  Response GetProduct(const Request& request) const {
    const auto id = PathId(request);
    json found = nullptr;
    context.warehouse->Read([&](const WarehouseState& state) {
      if (auto it = state.products.find(id.value_or(0)); it != state.products.end()) {
        found = Resource("products", ProductJson(it->second));
      }
    });
    return found.is_null() ? ApiError(404, "Not Found", "no such product")
                           : JsonResponse(200, {{"data", found}});
  }

  Response CreateGoodsOut(const Request& request) const {
    std::vector<FieldError> errors;
    const GoodsOutInput input = ParseGoodsOut(json::parse(request.body, nullptr, false), errors);
    if (!errors.empty()) {
      return FieldErrors(errors);
    }
    auto order = context.warehouse->CreateGoodsOut(input, &errors);
    if (!order.ok()) {
      return StatusResponse(order.status(), errors);
    }
    return JsonResponse(201, GoodsOutDocument(*order, Products(*context.warehouse)));
  }

  Response GetGoodsOut(const Request& request) const {
    const auto id = PathId(request);
    json found = nullptr;
    context.warehouse->Read([&](const WarehouseState& state) {
      if (auto it = state.goods_outs.find(id.value_or(0)); it != state.goods_outs.end()) {
        found = GoodsOutDocument(it->second, state.products);
      }
    });
    return found.is_null() ? ApiError(404, "Not Found", "no such goods-out")
                           : JsonResponse(200, found);
  }

  Response UpdateGoodsOut(const Request& request) const {
    std::vector<FieldError> errors;
    const GoodsOutInput input = ParseGoodsOut(json::parse(request.body, nullptr, false), errors);
    if (!errors.empty()) {
      return FieldErrors(errors);
    }
    auto order = context.warehouse->UpdateGoodsOut(PathId(request).value_or(0), input, &errors);
    if (!order.ok()) {
      return StatusResponse(order.status(), errors);
    }
    return JsonResponse(200, GoodsOutDocument(*order, Products(*context.warehouse)));
  }

  Response CancelGoodsOut(const Request& request) const {
    auto order = context.warehouse->CancelGoodsOut(PathId(request).value_or(0));
    if (!order.ok()) {
      return StatusResponse(order.status(), {});
    }
    if (!order->has_value()) {
      return JsonResponse(200, {{"data", nullptr}, {"meta", {{"deleted", true}}}});
    }
    return JsonResponse(200, GoodsOutDocument(**order, Products(*context.warehouse)));
  }

  Response ShortOrderLines(const Request& request) const {
    std::vector<FieldError> errors;
    const json body = json::parse(request.body, nullptr, false);
    const json& attributes = AttributesOf(Data(body, errors));
    std::vector<std::int64_t> ids;
    if (!attributes.contains("goods_out_line_ids") ||
        !attributes["goods_out_line_ids"].is_array()) {
      errors.push_back({"/data/attributes/goods_out_line_ids", "must be a list of line ids"});
    } else {
      const json& list = attributes["goods_out_line_ids"];
      for (const json& id : list) {
        const json entry = {{"id", id}};
        Attributes a(entry, "/data/attributes/goods_out_line_ids", errors);
        ids.push_back(a.Int("id").value_or(0));
      }
    }
    if (!errors.empty()) {
      return FieldErrors(errors);
    }
    if (Status s = context.warehouse->ShortLines(ids, &errors); !s.ok()) {
      return StatusResponse(s, errors);
    }
    return JsonResponse(200, {{"data", nullptr}, {"meta", {{"shorted", ids.size()}}}});
  }

  Response CreateShipment(const Request& request) const {
    std::vector<FieldError> errors;
    const json body = json::parse(request.body, nullptr, false);
    const json& attributes = AttributesOf(Data(body, errors));
    Attributes a(attributes, "/data/attributes", errors);
    ShipmentInput input;
    input.goods_out_id = a.Int("goods_out_id");
    input.carrier_id = a.Int("carrier_id");
    input.carrier_service_id = a.Int("carrier_service_id");
    input.reference = a.String("reference");
    input.tracking_number = a.String("tracking_number");
    input.label_filename = a.String("label_filename");
    if (attributes.contains("packages") && attributes["packages"].is_array()) {
      const json& packages = attributes["packages"];
      for (std::size_t i = 0; i < packages.size(); ++i) {
        const json package_attributes = packages[i].is_object() ? packages[i] : json::object();
        Attributes p(package_attributes, fmt::format("/data/attributes/packages/{}", i), errors);
        PackageInput package;
        package.tracking_number = p.String("tracking_number");
        package.storage_unit_type = p.String("storage_unit_type").value_or("PARCEL");
        input.packages.push_back(std::move(package));
      }
    }
    if (!errors.empty()) {
      return FieldErrors(errors);
    }
    auto shipment = context.warehouse->CreateShipment(input, &errors);
    if (!shipment.ok()) {
      return StatusResponse(shipment.status(), errors);
    }
    return JsonResponse(201, ShipmentDocument(*shipment));
  }

  Response GetShipment(const Request& request) const {
    const auto id = PathId(request);
    json found = nullptr;
    context.warehouse->Read([&](const WarehouseState& state) {
      if (auto it = state.shipments.find(id.value_or(0)); it != state.shipments.end()) {
        found = ShipmentDocument(it->second);
      }
    });
    return found.is_null() ? ApiError(404, "Not Found", "no such shipment")
                           : JsonResponse(200, found);
  }

  Response CancelShipment(const Request& request) const {
    auto shipment = context.warehouse->CancelShipment(PathId(request).value_or(0));
    if (!shipment.ok()) {
      return StatusResponse(shipment.status(), {});
    }
    return JsonResponse(200, ShipmentDocument(*shipment));
  }

  Response Graphql(const Request& request) const {
    const GraphqlReply reply = context.graphql->Execute(request.body);
    return Response::Json(reply.status, reply.body);
  }

  const ApiContext context;
};

}  // namespace

void AddClarusRoutes(http::Server& server, const ApiContext& context) {
  // The routes share one Api; the server keeps the handlers (and so the
  // Api) alive for as long as it lives.
  auto api = std::make_shared<Api>(context);
  const std::string& p = context.api_prefix;
  const auto route = [&](const std::string& method, const std::string& pattern, bool is_write,
                         Api::Member member) {
    server.Route(method, pattern, [api, is_write, member](const Request& r) {
      return api->Guarded(is_write, member, r);
    });
  };
  server.Route("POST", "/oauth/token", [api](const Request& r) { return api->Token(r); });
  route("POST", "/graphql", false, &Api::Graphql);
  route("POST", p + "/products", true, &Api::CreateProduct);
  route("GET", p + "/products", false, &Api::ListProducts);
  route("GET", p + "/products/{id}", false, &Api::GetProduct);
  route("POST", p + "/goods_outs", true, &Api::CreateGoodsOut);
  route("GET", p + "/goods_outs/{id}", false, &Api::GetGoodsOut);
  route("PATCH", p + "/goods_outs/{id}", true, &Api::UpdateGoodsOut);
  route("POST", p + "/goods_outs/{id}/cancel", true, &Api::CancelGoodsOut);
  route("POST", p + "/goods_out_processes/short_order_lines", true, &Api::ShortOrderLines);
  route("POST", p + "/shipments", true, &Api::CreateShipment);
  route("GET", p + "/shipments/{id}", false, &Api::GetShipment);
  route("POST", p + "/shipments/{id}/cancel", true, &Api::CancelShipment);
}

}  // namespace sellerbridge::emulators::clarus
