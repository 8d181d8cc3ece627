#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "clarus/clarus_client.h"

namespace sellerbridge::clarus {

// One parcel of a shipment.
struct Package {
  std::string id;
  // The carrier's tracking number; absent until the carrier assigns it (some
  // carriers do so only after collection).
  std::optional<std::string> tracking_number;
  std::string storage_unit_type;  // "PARCEL", …
};

// A Clarus shipment: what leaves the warehouse for one goods-out with one
// carrier service, in one or more packages.
struct Shipment {
  std::string id;
  std::string goods_out_id;
  std::string reference;
  std::string status;  // PACKED, DISPATCHED, CANCELLED.
  std::string carrier_id;
  std::string carrier_code;  // "ROYALMAIL"
  std::string carrier_name;
  std::string carrier_service_id;
  std::string service_code;  // "RM24"
  std::string service_name;
  // When the carrier collected it (ISO 8601), "" until it is dispatched.
  std::string collection_datetime;
  std::string label_filename;  // "" once the label is voided.
  std::vector<Package> packages;
  std::string created_at;
  std::string updated_at;
};

// The fields of a Shipment, as a GraphQL selection.
extern const char* const kShipmentSelection;

// Reads a shipment node selected with kShipmentSelection. Internal naming the
// field when a field we rely on is missing or mistyped.
Result<Shipment> ShipmentFromNode(const nlohmann::json& node);

struct ShipmentPackageRequest {
  std::string tracking_number;  // "" lets the carrier integration assign one.
  std::string storage_unit_type = "PARCEL";
};

// A shipment to record for a goods-out, typically with a label bought on
// Amazon (Merchant Fulfillment / Shipping v2) so that the warehouse prints
// Amazon's label. Ids are Clarus's.
struct ShipmentRequest {
  // Our key for this label purchase (e.g. Amazon's shipment id). It makes the
  // create idempotent: a live shipment with this reference is this one.
  // Required; a new label after a cancel needs a new reference.
  std::string reference;
  std::string goods_out_id;  // Required.
  std::string carrier_id;
  std::string carrier_service_id;  // Required.
  // One entry per parcel; when empty, one parcel with `tracking_number`.
  std::vector<ShipmentPackageRequest> packages;
  std::string tracking_number;
  std::string label_filename;  // e.g. "amazon-<shipment id>.pdf"
  // The label document as Amazon returns it, base64 (standard alphabet,
  // padded). Sent as the `label_data` attribute; the Clarus notes only name
  // `label_filename`, so check this attribute against a tenant.
  std::string label_base64;
};

// The outcome of Shipments::Create.
struct CreatedShipment {
  Shipment shipment;
  bool already_existed = false;  // Found by reference instead of created.
};

// The outcome of Shipments::Cancel.
struct ShipmentCancellation {
  Shipment cancelled;  // Status CANCELLED, label voided (label_filename "").
  // Live shipments of the same goods-out created at or after the cancel.
  // For a shipment the warehouse booked itself, Clarus re-books the same
  // parcels with the carrier at once: the replacement carries new tracking
  // numbers, and those (not the cancelled ones) are what goes to Amazon.
  // For a shipment created through Create (an Amazon-bought label) Clarus
  // books nothing: this is empty until the caller buys a new label and
  // creates a shipment with a new reference.
  std::vector<Shipment> replacements;
};

// Shipment operations over a ClarusClient: REST writes, GraphQL reads.
// Thread-safe.
class Shipments {
 public:
  // `client` must outlive this.
  explicit Shipments(ClarusClient* client) : client_(client) {}

  // The shipment with Clarus id `id`; NotFound naming it.
  Result<Shipment> Get(const std::string& id);

  // The live (not CANCELLED) shipment whose reference is `reference`, if any.
  Result<std::optional<Shipment>> FindByReference(const std::string& reference);

  // Every shipment of goods-out `goods_out_id`, cancelled ones included,
  // oldest first.
  Result<std::vector<Shipment>> ForGoodsOut(const std::string& goods_out_id);

  // Shipments (and so packages) updated at or after `since` (ISO 8601),
  // oldest id first: tracking numbers that appear after a goods-out has
  // completed change the shipment, not the goods-out.
  Result<std::vector<Shipment>> UpdatedSince(const std::string& since, int page_size = 50);

  // Records the shipment of `request` exactly once, as GoodsOuts::Create
  // does: looks it up by reference first; if absent, creates it; if the
  // create's outcome is unknown (a timeout, a lost answer, a gateway error)
  // looks it up again instead of sending it twice. Returns the shipment as
  // read back from Clarus. Errors: InvalidArgument for a request missing its
  // reference, goods-out or service, a label that is not base64, or fields
  // Clarus rejected (named); AlreadyExists when the reference is already used
  // by a live shipment of another goods-out; FailedPrecondition when the
  // outcome stays unknown (try again later: the lookup comes first).
  Result<CreatedShipment> Create(const ShipmentRequest& request);

  // Cancels shipment `id` with the carrier, voiding its label, and reports
  // what replaced it (see ShipmentCancellation). Cancelling a cancelled
  // shipment changes nothing and reports the same. NotFound for an unknown
  // shipment; FailedPrecondition (Clarus's message) when Clarus refuses.
  Result<ShipmentCancellation> Cancel(const std::string& id);

 private:
  // Every shipment matching `filter`, read with kShipmentSelection.
  Result<std::vector<Shipment>> Query(const nlohmann::json& filter, int page_size = 50);

  ClarusClient* const client_;
};

}  // namespace sellerbridge::clarus
