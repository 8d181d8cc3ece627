#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "clarus/clarus_client.h"

namespace sellerbridge::clarus {

// A service of a carrier, e.g. ROYALMAIL / RM24 "Royal Mail Tracked 24".
struct CarrierService {
  std::string id;
  std::string carrier_id;
  std::string code;
  std::string name;
};

struct Carrier {
  std::string id;
  std::string code;  // "ROYALMAIL"
  std::string name;
  std::vector<CarrierService> services;
};

// Lists the tenant's carriers and their services through GraphQL, for the
// ship-method mapping (Amazon ship method ↔ Clarus carrier and service).
// Thread-safe.
class Carriers {
 public:
  // `client` must outlive this.
  explicit Carriers(ClarusClient* client) : client_(client) {}

  // Every carrier, oldest id first, each with every one of its services.
  // Internal if a carrier or service lacks an id or code.
  Result<std::vector<Carrier>> List(int page_size = 50);

 private:
  ClarusClient* const client_;
};

}  // namespace sellerbridge::clarus
