#pragma once

// Both emulators on loopback and sellerbridge's order flow pointed at them, as
// the daemon wires it: for the end-to-end tests and the order benchmark.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "clarus/tenant.h"
#include "config/config.h"
#include "emulators/amazon/amazon_emulator.h"
#include "emulators/clarus/clarus_emulator.h"
#include "store/store.h"
#include "sync/carrier_catalog.h"
#include "sync/confirmer.h"
#include "sync/connections.h"
#include "sync/dispatch_intake.h"
#include "sync/order_import.h"
#include "sync/order_release.h"
#include "sync/ship_method_mappings.h"

namespace sellerbridge::e2e {

// The Amazon catalogue of the world's seller. Clarus holds every SKU but
// kSkuUnknownInClarus.
inline constexpr std::array<std::string_view, 3> kSkus = {"E2E-MUG-1", "E2E-TEE-2", "E2E-CAP-3"};
inline constexpr std::string_view kSkuUnknownInClarus = "E2E-LOST-9";

inline constexpr std::string_view kUk = "A1F83G8C2ARO7P";
inline constexpr std::string_view kDe = "A1PA6795UKMFR9";

// An order for World::PlaceOrder.
struct OrderSpec {
  std::string_view marketplace = kUk;
  std::string sku = std::string(kSkus[0]);
  int quantity = 1;
  bool prime = false;
  bool next_day = false;  // NEXT_DAY rather than STANDARD.
  // Bought this long ago; older than two minutes, it can be searched at once.
  Duration age = std::chrono::minutes{30};
  bool without_postal_code = false;
};

struct WorldOptions {
  std::filesystem::path dir;  // The store goes here.
  std::uint64_t seed = 1;
  // Raise every Amazon limit (emulator and broker) to 10,000/s.
  bool lift_rate_limits = false;
  int clarus_workers = 8;
  // More SKUs in the Amazon catalogue only (e.g. one sellerbridge cannot read).
  std::vector<std::string> extra_amazon_skus;
  // The warehouse waits to be driven by hand (Warehouse::AllocateNow, PickNow,
  // DispatchNow): the simulation allocates only after 30 days.
  bool manual_warehouse = false;
  // The confirmer's tuning (merchant id and quota come from the world).
  sync::ConfirmerOptions confirmer;
};

// Connector tuning for tests against the emulators: short backoffs, and with
// `lift_rate_limits` every Amazon limit raised to 10,000/s in `amazon` and in
// the quota broker's table.
Result<sync::ConnectionOptions> TestConnectionOptions(emulators::amazon::AmazonEmulator& amazon,
                                                      bool lift_rate_limits);

class World {
 public:
  static Result<std::unique_ptr<World>> Create(const WorldOptions& options);
  ~World();

  // The configuration a daemon would run with against this world.
  const config::Config& Config() const { return config_; }
  // The configuration as a TOML file, for `sellerbridge run` with its HTTP
  // API on `api_port`.
  std::string ConfigToml(int api_port) const;

  emulators::amazon::AmazonEmulator& Amazon() { return *amazon_; }
  emulators::clarus::ClarusEmulator& Clarus() { return *clarus_; }
  store::Store& Store() { return *store_; }
  sync::ShipMethodMappings& Mappings() { return *mappings_; }
  sync::Connections& GetConnections() { return *connections_; }

  // The mappings: every (marketplace, service level, Prime) for UK and DE,
  // except `unmapped` rows given as "MARKETPLACE/LEVEL/prime|standard".
  Status MapShipMethods(const std::vector<std::string>& unmapped = {});
  // Adds the mapping of one such row.
  Status Map(std::string_view marketplace, std::string_view level, bool prime);

  // Moves Amazon's time and sellerbridge's (one clock) forward; Clarus keeps
  // real time. Orders changed now become searchable two minutes later.
  void Advance(Duration by) { clock_.Advance(by); }
  Clock* GetClock() { return &clock_; }

  // Places `spec` on the emulated Amazon; returns its order id.
  Result<std::string> PlaceOrder(const OrderSpec& spec);

  // One pass of the order job: import, then release.
  Result<sync::ImportPass> Import();
  Result<sync::ReleasePass> Release();

  // Goods-outs in Clarus, counted by reference (cancelled ones included).
  std::map<std::string, int> GoodsOutsByReference();
  // Live Clarus shipments created through the API (Amazon labels), by the
  // reference of their goods-out.
  std::map<std::string, int> LabelShipmentsByOrder();
  // Labels bought on Amazon, by order.
  std::map<std::string, int> AmazonLabelsByOrder();

  // The dispatch flow, as the daemon wires it.
  sync::DispatchIntake& Intake() { return *intake_; }
  sync::Confirmer& GetConfirmer() { return *confirmer_; }
  // The Clarus goods-out id of a stored order; NotFound if it has none.
  Result<std::int64_t> GoodsOutOf(const std::string& order_id);

  // The stored order's sync state; NotFound if it is not stored.
  Result<store::SyncState> StateOf(const std::string& order_id);
  // The open order exception of `order_id`, if any.
  Result<std::optional<store::HeldException>> HoldOf(const std::string& order_id);

 private:
  World() = default;

  WorldOptions options_;
  OffsetClock clock_{SystemClock::Get()};
  std::unique_ptr<emulators::amazon::AmazonEmulator> amazon_;
  std::unique_ptr<emulators::clarus::ClarusEmulator> clarus_;
  config::Config config_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<sync::Connections> connections_;
  std::unique_ptr<clarus::Tenant> tenant_;
  std::unique_ptr<sync::CarrierCatalog> carriers_;
  std::unique_ptr<sync::ShipMethodMappings> mappings_;
  std::unique_ptr<sync::OrderImporter> importer_;
  std::unique_ptr<sync::OrderRelease> release_;
  std::unique_ptr<sync::DispatchIntake> intake_;
  std::unique_ptr<sync::Confirmer> confirmer_;
};

}  // namespace sellerbridge::e2e
