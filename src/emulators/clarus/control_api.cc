#include "emulators/clarus/control_api.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "base/time_format.h"
#include "emulators/clarus/record_json.h"

namespace sellerbridge::emulators::clarus {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;

Response Reply(int status, const json& body) {
  return Response::Json(status, body.dump(-1, ' ', false, json::error_handler_t::replace));
}

Response Fail(const Status& status) {
  const int code = status.code() == StatusCode::kNotFound             ? 404
                   : status.code() == StatusCode::kFailedPrecondition ? 409
                                                                      : 400;
  return Reply(code, {{"error", status.message()}});
}

Result<json> Body(const Request& request) {
  if (request.body.empty()) {
    return json::object();
  }
  json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return InvalidArgumentError("the body must be a JSON object");
  }
  return body;
}

// Reads an integer field, failing on a wrong type. Missing: `fallback`.
Result<std::int64_t> IntField(const json& body, const char* key,
                              std::optional<std::int64_t> fallback) {
  if (!body.contains(key)) {
    if (fallback) {
      return *fallback;
    }
    return InvalidArgumentError(fmt::format("\"{}\" is required", key));
  }
  if (!body[key].is_number_integer()) {
    return InvalidArgumentError(fmt::format("\"{}\" must be an integer", key));
  }
  return body[key].get<std::int64_t>();
}

Result<Duration> DurationField(const json& body, const char* key, Duration fallback) {
  if (!body.contains(key)) {
    return fallback;
  }
  if (!body[key].is_string()) {
    return InvalidArgumentError(fmt::format(R"("{}" must be a duration such as "30s")", key));
  }
  return ParseDuration(body[key].get<std::string>());
}

std::optional<std::int64_t> PathId(const Request& request) {
  try {
    return std::stoll(request.path_params.at("id"));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

json StateJson(const WarehouseState& state) {
  json orders = json::array();
  for (const auto& [id, order] : state.goods_outs) {
    std::vector<Shipment> shipments;
    for (const auto& [sid, shipment] : state.shipments) {
      if (shipment.goods_out_id == id) {
        shipments.push_back(shipment);
      }
    }
    orders.push_back(GoodsOutRecordJson(order, shipments, state.products));
  }
  json shipments = json::array();
  for (const auto& [id, shipment] : state.shipments) {
    json s = ShipmentJson(shipment);
    json packages = json::array();
    for (const Package& p : shipment.packages) {
      packages.push_back(PackageJson(p));
    }
    s["packages"] = std::move(packages);
    s["replaced_by"] = IdJson(shipment.replaced_by);
    shipments.push_back(std::move(s));
  }
  json balances = json::array();
  for (const auto& [id, balance] : state.balances) {
    balances.push_back(StockBalanceJson(balance, state));
  }
  json products = json::array();
  for (const auto& [id, product] : state.products) {
    products.push_back(ProductJson(product));
  }
  return {{"goods_outs", orders},
          {"shipments", shipments},
          {"stock_balances", balances},
          {"products", products}};
}

class Control {
 public:
  explicit Control(ControlContext control_context) : context(std::move(control_context)) {}

  // Turns a handler that may fail into one that answers the failure.
  template <typename Fn>
  http::Handler Handle(Fn fn) const {
    return [this, fn](const Request& request) {
      context.warehouse->AdvanceToNow();
      context.webhooks->Notify();
      auto body = Body(request);
      if (!body.ok()) {
        return Fail(body.status());
      }
      Result<json> result = fn(request, *body);
      if (!result.ok()) {
        return Fail(result.status());
      }
      return Reply(200, *result);
    };
  }

  Result<std::int64_t> ProductId(const json& body) const {
    if (body.contains("product_code") && body["product_code"].is_string()) {
      const std::string code = body["product_code"].get<std::string>();
      std::optional<std::int64_t> id;
      context.warehouse->Read([&](const WarehouseState& state) {
        for (const auto& [pid, product] : state.products) {
          if (product.product_code == code) {
            id = pid;
          }
        }
      });
      if (!id) {
        return NotFoundError(fmt::format("no product with code {}", code));
      }
      return *id;
    }
    return IntField(body, "product_id", std::nullopt);
  }

  Result<json> Stock(const json& body, const std::string& action) const {
    auto product = ProductId(body);
    if (!product.ok()) {
      return product.status();
    }
    auto warehouse = IntField(body, "warehouse_id", 1);
    auto quantity = IntField(body, "quantity", std::nullopt);
    if (!warehouse.ok() || !quantity.ok()) {
      return !warehouse.ok() ? warehouse.status() : quantity.status();
    }
    Result<StockBalance> balance = InvalidArgumentError("unknown stock action");
    if (action == "adjust") {
      balance = context.warehouse->AdjustStock(*product, *warehouse, *quantity,
                                               body.value("reason", std::string("adjustment")));
    } else if (action == "hold") {
      balance = context.warehouse->HoldStock(*product, *warehouse, *quantity);
    } else if (action == "release") {
      balance = context.warehouse->ReleaseStock(*product, *warehouse, *quantity);
    } else {
      balance = context.warehouse->ReceiveStock(*product, *warehouse, *quantity);
    }
    if (!balance.ok()) {
      return balance.status();
    }
    json out;
    context.warehouse->Read(
        [&](const WarehouseState& state) { out = StockBalanceJson(*balance, state); });
    return out;
  }

  Result<json> Drive(const Request& request, const json& body) const {
    const auto id = PathId(request);
    if (!id) {
      return InvalidArgumentError("bad goods-out id");
    }
    const std::string& action = request.path_params.at("action");
    Status status;
    if (action == "allocate") {
      status = context.warehouse->AllocateNow(*id);
    } else if (action == "pick") {
      std::map<std::int64_t, std::int64_t> shorts;
      if (body.contains("short") && body["short"].is_object()) {
        for (const auto& [line, units] : body["short"].items()) {
          if (!units.is_number_integer()) {
            return InvalidArgumentError("\"short\" maps line ids to unit counts");
          }
          try {
            shorts[std::stoll(line)] = units.get<std::int64_t>();
          } catch (const std::exception&) {
            return InvalidArgumentError("\"short\" maps line ids to unit counts");
          }
        }
      }
      status = context.warehouse->PickNow(*id, shorts);
    } else if (action == "dispatch") {
      DispatchRequest dispatch;
      if (body.contains("lines") && body["lines"].is_object()) {
        for (const auto& [line, units] : body["lines"].items()) {
          try {
            dispatch.quantity_by_line[std::stoll(line)] = units.get<std::int64_t>();
          } catch (const std::exception&) {
            return InvalidArgumentError("\"lines\" maps line ids to unit counts");
          }
        }
      }
      auto packages = IntField(body, "packages", 1);
      if (!packages.ok()) {
        return packages.status();
      }
      dispatch.packages = static_cast<int>(std::clamp<std::int64_t>(*packages, 1, 10));
      if (body.contains("carrier_service_id")) {
        auto service = IntField(body, "carrier_service_id", std::nullopt);
        if (!service.ok()) {
          return service.status();
        }
        dispatch.carrier_service_id = *service;
      }
      auto shipment = context.warehouse->DispatchNow(*id, dispatch);
      status = shipment.status();
    } else if (action == "complete") {
      status = context.warehouse->CompleteNow(*id);
    } else if (action == "split") {
      auto shipments = IntField(body, "shipments", 2);
      auto packages = IntField(body, "packages_per_shipment", 1);
      if (!shipments.ok() || !packages.ok()) {
        return InvalidArgumentError("shipments and packages_per_shipment must be integers");
      }
      status = context.warehouse->PlanSplit(
          *id, static_cast<int>(std::clamp<std::int64_t>(*shipments, 0, 11)),
          static_cast<int>(std::clamp<std::int64_t>(*packages, 0, 11)));
    } else if (action == "short") {
      std::vector<std::int64_t> ids;
      context.warehouse->Read([&](const WarehouseState& state) {
        if (auto it = state.goods_outs.find(*id); it != state.goods_outs.end()) {
          for (const GoodsOutLine& line : it->second.lines) {
            ids.push_back(line.id);
          }
        }
      });
      if (body.contains("line_ids") && body["line_ids"].is_array()) {
        ids = body["line_ids"].get<std::vector<std::int64_t>>();
      }
      std::vector<FieldError> errors;
      status = context.warehouse->ShortLines(ids, &errors);
      if (!errors.empty()) {
        status = FailedPreconditionError(errors.front().detail);
      }
    } else {
      return NotFoundError(fmt::format("unknown action '{}'", action));
    }
    if (!status.ok()) {
      return status;
    }
    json out = nullptr;
    context.warehouse->Read([&](const WarehouseState& state) {
      if (auto it = state.goods_outs.find(*id); it != state.goods_outs.end()) {
        std::vector<Shipment> shipments;
        for (const auto& [sid, shipment] : state.shipments) {
          if (shipment.goods_out_id == *id) {
            shipments.push_back(shipment);
          }
        }
        out = GoodsOutRecordJson(it->second, shipments, state.products);
      }
    });
    return out;
  }

  Result<json> Fault(const json& body) const {
    if (!body.contains("kind") || !body["kind"].is_string()) {
      return InvalidArgumentError("\"kind\" is required");
    }
    auto kind = ParseFaultKind(body["kind"].get<std::string>());
    if (!kind.ok()) {
      return kind.status();
    }
    FaultSpec spec;
    spec.kind = *kind;
    auto count = IntField(body, "count", 1);
    auto status = IntField(body, "status", 503);
    auto retry_after = DurationField(body, "retry_after", std::chrono::seconds{30});
    auto delay = DurationField(body, "delay", std::chrono::seconds{2});
    if (!count.ok() || !status.ok() || !retry_after.ok() || !delay.ok()) {
      return InvalidArgumentError("count, status: integers; retry_after, delay: durations");
    }
    spec.count = static_cast<int>(std::clamp<std::int64_t>(*count, 1, 1000000));
    spec.status = static_cast<int>(std::clamp<std::int64_t>(*status, 500, 599));
    spec.retry_after = *retry_after;
    spec.delay = std::chrono::duration_cast<std::chrono::milliseconds>(*delay);
    spec.method = body.value("method", std::string());
    spec.path_prefix = body.value("path_prefix", std::string());
    context.faults->Inject(spec);
    return json{{"injected", FaultKindName(spec.kind)}, {"count", spec.count}};
  }

  Result<json> Webhooks(const json& body) const {
    WebhookOptions options = context.webhooks->Options();
    if (body.contains("url")) {
      options.url = body.value("url", std::string());
    }
    for (const auto& [key, rate] :
         {std::pair{"duplicate_rate", &options.duplicate_rate},
          std::pair{"out_of_order_rate", &options.out_of_order_rate},
          std::pair{"late_rate", &options.late_rate}, std::pair{"drop_rate", &options.drop_rate}}) {
      if (body.contains(key)) {
        if (!body[key].is_number() || body[key].get<double>() < 0 || body[key].get<double>() > 1) {
          return InvalidArgumentError(fmt::format("\"{}\" must be a number from 0 to 1", key));
        }
        *rate = body[key].get<double>();
      }
    }
    for (const auto& [key, duration] :
         {std::pair{"late_delay", &options.late_delay},
          std::pair{"retry_delay", &options.retry_delay},
          std::pair{"out_of_order_window", &options.out_of_order_window}}) {
      auto parsed = DurationField(body, key, *duration);
      if (!parsed.ok()) {
        return parsed.status();
      }
      *duration = *parsed;
    }
    context.webhooks->SetOptions(options);
    if (body.contains("force")) {
      const json& force = body["force"];
      if (!force.is_object() || !force.contains("fault") || !force["fault"].is_string()) {
        return InvalidArgumentError(R"("force" needs {"fault": ..., "count": n})");
      }
      auto fault = ParseDeliveryFault(force["fault"].get<std::string>());
      if (!fault.ok()) {
        return fault.status();
      }
      auto count = IntField(force, "count", 1);
      if (!count.ok()) {
        return count.status();
      }
      context.webhooks->ForceNext(*fault,
                                  static_cast<int>(std::clamp<std::int64_t>(*count, 1, 1000)));
    }
    return WebhookStatsJson();
  }

  json WebhookStatsJson() const {
    const WebhookStats s = context.webhooks->Stats();
    return {{"url", context.webhooks->Options().url},
            {"events", s.events},
            {"attempts", s.attempts},
            {"delivered", s.delivered},
            {"retried", s.retried},
            {"dropped", s.dropped},
            {"abandoned", s.abandoned},
            {"pending", s.pending}};
  }

  const ControlContext context;
};

}  // namespace

void AddControlRoutes(http::Server& server, const ControlContext& context) {
  auto control = std::make_shared<Control>(context);
  const Control& c = *control;
  const auto add = [&](const char* method, const char* pattern, http::Handler handler) {
    server.Route(method, pattern,
                 [control, handler = std::move(handler)](const Request& r) { return handler(r); });
  };
  add("GET", "/_emulator/state", c.Handle([&c](const Request&, const json&) -> Result<json> {
    json out;
    c.context.warehouse->Read([&](const WarehouseState& state) { out = StateJson(state); });
    return out;
  }));
  add("POST", "/_emulator/products",
      c.Handle([&c](const Request&, const json& body) -> Result<json> {
        ProductInput input;
        input.account_id = body.value("account_id", std::int64_t{1});
        input.product_code = body.value("product_code", std::string());
        input.name = body.value("name", std::string());
        input.barcode = body.value("barcode", std::string());
        std::vector<FieldError> errors;
        auto product = c.context.warehouse->CreateProduct(input, &errors);
        if (!product.ok()) {
          return InvalidArgumentError(errors.empty()
                                          ? product.status().message()
                                          : errors.front().pointer + ": " + errors.front().detail);
        }
        return ProductJson(*product);
      }));
  for (const char* action : {"adjust", "hold", "release", "receive"}) {
    add("POST", fmt::format("/_emulator/stock/{}", action).c_str(),
        c.Handle([&c, a = std::string(action)](const Request&, const json& body) {
          return c.Stock(body, a);
        }));
  }
  add("POST", "/_emulator/goods_outs/{id}/{action}",
      c.Handle([&c](const Request& r, const json& body) { return c.Drive(r, body); }));
  add("POST", "/_emulator/faults",
      c.Handle([&c](const Request&, const json& body) { return c.Fault(body); }));
  add("DELETE", "/_emulator/faults", c.Handle([&c](const Request&, const json&) -> Result<json> {
    c.context.faults->Clear();
    return json{{"cleared", true}};
  }));
  add("POST", "/_emulator/auth/end_session",
      c.Handle([&c](const Request&, const json& body) -> Result<json> {
        const int ended = body.contains("user") && body["user"].is_string()
                              ? c.context.tokens->EndSession(body["user"].get<std::string>())
                              : c.context.tokens->EndAllSessions();
        return json{{"revoked_tokens", ended}};
      }));
  add("POST", "/_emulator/webhooks",
      c.Handle([&c](const Request&, const json& body) { return c.Webhooks(body); }));
  add("GET", "/_emulator/webhooks",
      c.Handle([&c](const Request&, const json&) -> Result<json> { return c.WebhookStatsJson(); }));
  add("GET", "/_emulator/time", c.Handle([&c](const Request&, const json&) -> Result<json> {
    return json{{"now", FormatIso8601(c.context.clock->Now())}};
  }));
  add("POST", "/_emulator/time/advance",
      c.Handle([&c](const Request&, const json& body) -> Result<json> {
        auto by = DurationField(body, "by", Duration::zero());
        if (!by.ok()) {
          return by.status();
        }
        if (Status s = c.context.advance_time(*by); !s.ok()) {
          return s;
        }
        c.context.warehouse->AdvanceToNow();
        c.context.webhooks->Notify();
        return json{{"now", FormatIso8601(c.context.clock->Now())}};
      }));
}

}  // namespace sellerbridge::emulators::clarus
