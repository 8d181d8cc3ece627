#pragma once

#include <optional>
#include <string>
#include <vector>

#include "amazon/orders_api.h"
#include "amazon/restricted_data_tokens.h"
#include "amazon/sp_api_client.h"
#include "base/result.h"
#include "domain/address.h"
#include "domain/money.h"

namespace sellerbridge::amazon {

// What a label is bought for: one parcel of an order.
struct LabelRequest {
  std::string amazon_order_id;
  std::vector<PackageItem> items;
  domain::Address ship_from;
  std::string ship_from_email;
  double length_cm = 0;
  double width_cm = 0;
  double height_cm = 0;
  double weight_g = 0;
  // "DeliveryConfirmationWithoutSignature", "DeliveryConfirmationWithSignature", "NoTracking", …
  std::string delivery_experience = "DeliveryConfirmationWithoutSignature";
  bool carrier_will_pick_up = true;
  std::string label_format = "PDF";  // "PDF", "PNG", "ZPL203", "ZPL300", "ShippingServiceDefault".
};

// A service Amazon offers for the parcel.
struct ShippingServiceOffer {
  std::string service_id;  // e.g. "ROYAL_MAIL_24".
  std::string offer_id;
  std::string service_name;
  std::string carrier_name;
  domain::Money rate;
  TimePoint ship_date;
  std::optional<TimePoint> latest_delivery;
};

// A label bought on Amazon.
struct BoughtLabel {
  std::string shipment_id;
  std::string tracking_id;
  std::string carrier_name;
  std::string service_name;
  std::string service_id;
  std::string file_type;     // "application/pdf", "application/zpl", …
  std::string contents;      // As Amazon sends it: base64 of the gzip-compressed label.
  std::string checksum;      // Base64 MD5 of the contents.
  std::string label_format;  // "PDF", "ZPL203", …
};

// Merchant Fulfillment v0: getEligibleShipmentServices and createShipment,
// for Prime and SFP orders whose labels must be bought on Amazon. createShipment
// answers with the buyer's address, so it is sent with a restricted data
// token. Thread-safe.
class MerchantFulfillmentApi {
 public:
  // Both must outlive this.
  MerchantFulfillmentApi(SpApiClient* client, RestrictedDataTokens* restricted_data_tokens)
      : client_(client), rdts_(restricted_data_tokens) {}

  // The services Amazon offers, cheapest first. InvalidArgument carrying
  // Amazon's message for a request it rejects.
  Result<std::vector<ShippingServiceOffer>> EligibleServices(const LabelRequest& request,
                                                             const CallOptions& options);

  // Buys the label for `offer`. Not idempotent: a timeout is
  // DeadlineExceeded at once, for the caller to look for the shipment
  // before buying again.
  Result<BoughtLabel> BuyLabel(const LabelRequest& request, const ShippingServiceOffer& offer,
                               const CallOptions& options);

 private:
  SpApiClient* const client_;
  RestrictedDataTokens* const rdts_;
};

}  // namespace sellerbridge::amazon
