#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "emulators/amazon/api_support.h"
#include "emulators/amazon/seller_state.h"
#include "http/server.h"

namespace sellerbridge::emulators::amazon {

// Merchant Fulfillment v0 (Amazon's Buy Shipping for seller-fulfilled
// orders): getEligibleShipmentServices offers the carriers of the order's
// marketplace with rates by weight; createShipment buys a label (a
// gzip-compressed, Base64 PDF or ZPL with an MD5 checksum) with a tracking
// number in the carrier's format, and ships the items with it in
// SellerState; getShipment and cancelShipment (label refund: RefundPending,
// then RefundApplied after a day). Thread-safe.
class MfnApi {
 public:
  // `state` and `clock` must outlive the API and the server it is registered on.
  MfnApi(SellerState* state, std::uint64_t seed, Clock* clock);

  // Registers the four operations on `server` behind `gate`.
  void Register(http::Server& server, const ApiGate& gate);

 private:
  // An offer getEligibleShipmentServices made: createShipment must use it
  // for the same order and service.
  struct Offer {
    std::string order_id;
    std::string service_id;
  };
  // A bought label, kept as the Shipment JSON (without status) it answers.
  struct StoredShipment {
    std::string order_id;
    std::string shipment_json;
    TimePoint created;
    std::optional<TimePoint> cancelled;
  };

  http::Response GetEligibleShipmentServices(const http::Request& request);
  http::Response CreateShipment(const http::Request& request);
  http::Response GetShipment(const http::Request& request);
  http::Response CancelShipment(const http::Request& request);
  http::Response ShipmentResponse(const StoredShipment& shipment, TimePoint now) const;

  SellerState* const state_;
  Clock* const clock_;
  std::mutex mu_;
  std::mt19937_64 rng_;                                           // Guarded by mu_.
  std::map<std::string, Offer, std::less<>> offers_;              // Guarded by mu_.
  std::map<std::string, StoredShipment, std::less<>> shipments_;  // Guarded by mu_.
};

}  // namespace sellerbridge::emulators::amazon
