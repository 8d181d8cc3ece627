#include "clarus/carriers.h"

#include <fmt/format.h>

#include "base/status_macros.h"
#include "clarus/node_reader.h"

namespace sellerbridge::clarus {

using nlohmann::json;

Result<std::vector<Carrier>> Carriers::List(int page_size) {
  ASSIGN_OR_RETURN(
      std::vector<json> nodes,
      client_->GraphqlAll("carriers", "id code name carrier_services { id carrier_id code name }",
                          nullptr, page_size));
  std::vector<Carrier> out;
  out.reserve(nodes.size());
  for (const json& node : nodes) {
    NodeReader r(node, "clarus carrier");
    Carrier carrier;
    carrier.id = r.Id("id");
    carrier.code = r.String("code");
    carrier.name = r.OptionalString("name");
    for (const json& service_node : r.List("carrier_services")) {
      NodeReader s(service_node, fmt::format("clarus carrier {} service", carrier.code));
      CarrierService service;
      service.id = s.Id("id");
      service.carrier_id = s.OptionalId("carrier_id");
      if (service.carrier_id.empty()) {
        service.carrier_id = carrier.id;
      }
      service.code = s.String("code");
      service.name = s.OptionalString("name");
      RETURN_IF_ERROR(s.status());
      carrier.services.push_back(std::move(service));
    }
    RETURN_IF_ERROR(r.status());
    out.push_back(std::move(carrier));
  }
  return out;
}

}  // namespace sellerbridge::clarus
