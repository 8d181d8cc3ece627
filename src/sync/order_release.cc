#include "sync/order_release.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

#include "base/local_time.h"
#include "base/marketplace.h"
#include "base/status_macros.h"
#include "base/time_format.h"
#include "http/base64.h"
#include "http/gzip.h"

namespace sellerbridge::sync {
namespace {

using store::SyncState;

// One reason an order cannot go to the warehouse yet. `category` is the
// stable part ("ship method not mapped"), which summaries count by.
struct Problem {
  std::string category;
  std::string detail;
  std::string fix;
};

// Whether a failed Merchant Fulfillment purchase certainly bought nothing:
// Amazon refused it before doing any work.
bool CertainlyNotBought(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kPermissionDenied:
    case StatusCode::kUnauthenticated:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kResourceExhausted:
    case StatusCode::kCancelled:
      return true;
    default:
      return false;
  }
}

// Clarus's priority from the time left to ship: 1 ships today, 2 tomorrow,
// 3 later.
int PriorityFor(Duration left) {
  if (left <= std::chrono::hours{12}) {
    return 1;
  }
  if (left <= std::chrono::hours{36}) {
    return 2;
  }
  return 3;
}

// Amazon's delivery address as Clarus holds one: four address lines (city
// and region after the street lines), postcode, country and phone.
clarus::Address ClarusAddress(const domain::Address& address) {
  std::vector<std::string> lines;
  for (const std::string* part :
       {&address.line1, &address.line2, &address.line3, &address.city, &address.state_or_region}) {
    if (!part->empty()) {
      lines.push_back(*part);
    }
  }
  clarus::Address out{.name = address.name,
                      .postcode = address.postal_code,
                      .country_code = address.country_code,
                      .phone_number = address.phone};
  std::string* slots[] = {&out.address_1, &out.address_2, &out.address_3, &out.address_4};
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string& slot = *slots[std::min<size_t>(i, 3)];
    slot += (slot.empty() ? "" : ", ") + lines[i];
  }
  return out;
}

// How an order names its ship method, for people.
std::string ShipMethodText(const domain::Order& order) {
  const Marketplace* marketplace = FindMarketplace(order->marketplace_id);
  const std::string where =
      marketplace == nullptr ? order->marketplace_id : std::string(marketplace->country_code);
  const std::string prime = order->is_prime ? "Prime" : "not Prime";
  if (!order->automated_carrier.empty()) {
    return fmt::format("'{} / {}' (shipping automation; {}, {})", order->automated_carrier,
                       order->automated_ship_method, where, prime);
  }
  return fmt::format("'{}' ({}, {})", order->ship_service_level, where, prime);
}

std::string ReasonOf(const std::vector<Problem>& problems) {
  std::string reason;
  for (const Problem& problem : problems) {
    reason += fmt::format("{}{}: {}", reason.empty() ? "" : "; ", problem.category, problem.detail);
  }
  return reason;
}

std::string FixOf(const std::vector<Problem>& problems) {
  std::string fix;
  for (const Problem& problem : problems) {
    fix += (fix.empty() ? "" : " ") + problem.fix;
  }
  return fix;
}

std::string LabelExtension(std::string_view file_type) {
  if (file_type == "application/zpl") {
    return ".zpl";
  }
  if (file_type == "image/png") {
    return ".png";
  }
  return ".pdf";
}

// The offer the rule picks: the cheapest that delivers by the promise (or
// the cheapest, without a promise), or the fastest. When no offer keeps the
// promise, the fastest is the best there is.
const amazon::ShippingServiceOffer& ChooseOffer(
    const std::vector<amazon::ShippingServiceOffer>& offers, config::LabelRule rule,
    std::optional<TimePoint> promise) {
  const auto arrives = [](const amazon::ShippingServiceOffer& offer) {
    return offer.latest_delivery.value_or(TimePoint::max());
  };
  const auto fastest =
      std::min_element(offers.begin(), offers.end(), [&](const auto& a, const auto& b) {
        return arrives(a) != arrives(b) ? arrives(a) < arrives(b)
                                        : a.rate.MinorUnits() < b.rate.MinorUnits();
      });
  if (rule == config::LabelRule::kFastest) {
    return *fastest;
  }
  const amazon::ShippingServiceOffer* best = nullptr;
  for (const amazon::ShippingServiceOffer& offer : offers) {
    const bool keeps = !promise || (offer.latest_delivery && *offer.latest_delivery <= *promise);
    if (keeps && (best == nullptr || offer.rate.MinorUnits() < best->rate.MinorUnits())) {
      best = &offer;
    }
  }
  return best != nullptr ? *best : *fastest;
}

domain::Address ShipFromAddress(const config::ShipFromConfig& from) {
  return {.name = from.name,
          .line1 = from.line1,
          .line2 = from.line2,
          .city = from.city,
          .state_or_region = from.state_or_region,
          .postal_code = from.postal_code,
          .country_code = from.country_code,
          .phone = from.phone};
}

}  // namespace

struct OrderRelease::Outcome {
  enum class Kind {
    kSent,          // Goods-out created: SentToClarus.
    kHeld,          // Held for a person.
    kCancelled,     // Cancelled on Amazon (and in Clarus, if it was there).
    kClosed,        // Shipped on Amazon outside sellerbridge.
    kWaiting,       // Nothing to do yet.
    kRetry,         // A remote failure; the order stays as it was.
    kUpdated,       // The goods-out follows Amazon again.
    kFollowUpHeld,  // The goods-out cannot follow; held for the warehouse.
  };
  Kind kind = Kind::kWaiting;
  std::string order_id;
  SyncState previous = SyncState::kNew;
  std::string goods_out_id;
  std::vector<Problem> problems;
  Status error;
  bool label_bought = false;
  std::string label_to_void;     // Amazon's shipment id of a label bought for a cancelled order.
  std::string label_to_reprint;  // Tracking number of a label whose document was lost.
  std::string details;           // For the audit log.
};

struct OrderRelease::Validated {
  std::vector<Problem> problems;
  ClarusServiceRef service;
  std::string account_id;
  std::string warehouse_id;
  std::map<std::string, clarus::Product> products;
};

OrderRelease::OrderRelease(OrderReleaseOptions options, OrderReleaseDeps deps)
    : options_(std::move(options)), deps_(deps) {}

bool OrderRelease::NeedsAmazonLabel(const domain::Order& order) const {
  const auto& levels = options_.orders.buy_shipping_service_levels;
  return order->is_prime ||
         std::find(levels.begin(), levels.end(), order->ship_service_level) != levels.end();
}

Result<ReleasePass> OrderRelease::RunOnce(const std::stop_token& stop) {
  std::vector<store::StoredOrder> work;
  {
    ASSIGN_OR_RETURN(auto tx, deps_.store->BeginReadOnly());
    for (const SyncState state : {SyncState::kUpdatePending, SyncState::kNew, SyncState::kHeld}) {
      ASSIGN_OR_RETURN(
          std::vector<store::StoredOrder> orders,
          tx->ListOrders({.sync_state = state, .limit = options_.max_orders_per_pass}));
      std::move(orders.begin(), orders.end(), std::back_inserter(work));
    }
  }
  // Earliest deadline first, so that a backlog reaches the floor in the
  // order it must leave it.
  std::stable_sort(work.begin(), work.end(), [](const auto& a, const auto& b) {
    return a.order->latest_ship_date.value_or(TimePoint::max()) <
           b.order->latest_ship_date.value_or(TimePoint::max());
  });

  ReleasePass pass;
  pass.examined = static_cast<int>(work.size());
  std::mutex mu;
  Status store_error;  // Guarded by mu.
  std::atomic<size_t> next{0};
  // When a remote system is down every order fails the same slow way: after
  // this many failures in a row, the rest wait for the next pass.
  constexpr int kGiveUpAfter = 16;
  std::atomic<int> failures_in_a_row{0};
  const auto worker = [&] {
    std::vector<Outcome> batch;
    const auto flush = [&] {
      if (batch.empty()) {
        return;
      }
      const std::lock_guard lock(mu);
      if (Status recorded = Record(batch, pass); !recorded.ok() && store_error.ok()) {
        store_error = std::move(recorded);
      }
      batch.clear();
    };
    while (!stop.stop_requested() && failures_in_a_row < kGiveUpAfter) {
      const size_t i = next++;
      if (i >= work.size()) {
        break;
      }
      const store::StoredOrder& stored = work[i];
      batch.push_back(stored.sync.state == SyncState::kUpdatePending ? FollowChange(stored)
                                                                     : Release(stored, stop));
      if (batch.back().kind == Outcome::Kind::kRetry) {
        ++failures_in_a_row;
      } else {
        failures_in_a_row = 0;
      }
      if (static_cast<int>(batch.size()) >= options_.commit_batch) {
        flush();
      }
    }
    flush();
  };
  const size_t threads =
      std::min(work.size(), static_cast<size_t>(std::max(1, options_.orders.clarus_workers)));
  {
    std::vector<std::jthread> pool;
    pool.reserve(threads);
    for (size_t t = 0; t < threads; ++t) {
      pool.emplace_back(worker);
    }
  }
  if (!store_error.ok()) {
    return store_error;
  }
  pass.not_attempted = static_cast<int>(work.size() - std::min(work.size(), next.load()));
  return pass;
}

Result<OrderRelease::Validated> OrderRelease::Validate(const store::StoredOrder& stored,
                                                       bool has_label) {
  const domain::Order& order = stored.order;
  Validated out;
  const TimePoint now = deps_.clock->Now();
  const Marketplace* marketplace = FindMarketplace(order->marketplace_id);
  if (!order->latest_ship_date) {
    out.problems.push_back({"no ship-by date", "Amazon gave the order no latest ship date",
                            "Check the order in Seller Central."});
  } else if (*order->latest_ship_date < now && !has_label) {
    const auto local = FormatLocalTime(*order->latest_ship_date, marketplace->time_zone);
    out.problems.push_back(
        {"ship-by date passed",
         fmt::format("the order had to ship by {}", local.ok() ? *local : "its deadline"),
         "Ship it outside sellerbridge and confirm it in Seller Central, or cancel it there; "
         "then resolve this exception."});
  }

  std::optional<domain::ShipMethodMapping> mapping;
  {
    ASSIGN_OR_RETURN(auto tx, deps_.store->BeginReadOnly());
    ASSIGN_OR_RETURN(mapping, tx->FindShipMethodMapping(store::KeyOf(order)));
  }
  if (!mapping) {
    const std::string method = order->automated_carrier.empty() ? order->ship_service_level
                                                                : order->automated_carrier + " / " +
                                                                      order->automated_ship_method;
    out.problems.push_back(
        {"ship method not mapped", fmt::format("nothing maps {}", ShipMethodText(order)),
         fmt::format("Map '{}' to a Clarus carrier and service (sellerbridge mapping import, or "
                     "PUT /api/v1/mappings).",
                     method)});
  } else {
    Result<ClarusServiceRef> service =
        deps_.carriers->Find((*mapping)->clarus_carrier, (*mapping)->clarus_service);
    if (service.ok()) {
      out.service = *service;
    } else if (service.status().code() == StatusCode::kNotFound) {
      out.problems.push_back(
          {"Clarus service missing",
           fmt::format("the mapping {} names a Clarus service Clarus does not have: {}",
                       mapping->Key(), service.status().message()),
           "Correct the mapping, or add the carrier service in Clarus."});
    } else {
      return service.status();
    }
  }

  ASSIGN_OR_RETURN(out.account_id, deps_.tenant->AccountId(options_.clarus_account));
  ASSIGN_OR_RETURN(out.warehouse_id, deps_.tenant->WarehouseId(options_.clarus_warehouse));
  std::vector<std::string> skus;
  for (const domain::OrderLine& line : order->lines) {
    if (std::find(skus.begin(), skus.end(), line.sku) == skus.end()) {
      skus.push_back(line.sku);
    }
  }
  Result<std::map<std::string, clarus::Product>> products =
      deps_.products->FindBySkus(skus, out.account_id);
  if (products.ok()) {
    out.products = std::move(*products);
  } else if (products.status().code() == StatusCode::kNotFound) {
    out.problems.push_back({"SKU not in Clarus", std::string(products.status().message()),
                            "Create the product in Clarus with the Amazon SKU as its product "
                            "code, or correct the SKU on Amazon."});
  } else {
    return products.status();
  }

  if (!order->shipping_address) {
    out.problems.push_back({"address missing", "Amazon sent no delivery address",
                            "Check the order in Seller Central; sellerbridge reads it again when "
                            "Amazon changes it."});
  } else if (const std::vector<std::string> missing =
                 domain::MissingAddressFields(*order->shipping_address);
             !missing.empty()) {
    out.problems.push_back(
        {"address incomplete",
         fmt::format("the delivery address has no {}", fmt::join(missing, ", ")),
         "Ask the buyer through Seller Central to correct the address; sellerbridge picks up the "
         "change on its next import."});
  }
  if (NeedsAmazonLabel(order) && !options_.orders.ship_from.IsComplete() && !has_label) {
    out.problems.push_back({"label settings missing",
                            "the order's label is bought on Amazon, which needs the sender's "
                            "address, and [orders] ship_from_* is incomplete",
                            "Set ship_from_name, _line1, _city, _postal_code, _country_code, "
                            "_email and _phone in [orders] and restart sellerbridge."});
  }
  return out;
}

OrderRelease::Outcome OrderRelease::Release(const store::StoredOrder& stored,
                                            const std::stop_token& stop) {
  const domain::Order& order = stored.order;
  Outcome outcome{.order_id = order->amazon_order_id, .previous = stored.sync.state};
  const auto retry = [&](Status error) {
    outcome.kind = Outcome::Kind::kRetry;
    outcome.error = std::move(error);
    return outcome;
  };
  const auto hold = [&](std::vector<Problem> problems) {
    outcome.kind = Outcome::Kind::kHeld;
    outcome.problems = std::move(problems);
    return outcome;
  };

  std::optional<store::OrderLabel> label;
  {
    auto tx = deps_.store->BeginReadOnly();
    if (!tx.ok()) {
      return retry(tx.status());
    }
    auto found = (*tx)->FindOrderLabel(order->amazon_order_id);
    if (!found.ok()) {
      return retry(found.status());
    }
    label = std::move(*found);
  }
  const bool has_label = label && label->state != store::LabelState::kBuying;

  switch (order->status) {
    case domain::OrderStatus::kCancelled: {
      // A goods-out may exist already (an order held after its creation, or
      // a run cut short before the store learnt of it): cancel it too.
      std::string goods_out_id = stored.sync.clarus_goods_out_id;
      if (goods_out_id.empty()) {
        auto found = deps_.goods_outs->FindByReference(order->amazon_order_id);
        if (!found.ok()) {
          return retry(found.status());
        }
        goods_out_id = *found ? (*found)->id : "";
      }
      if (!goods_out_id.empty()) {
        store::StoredOrder with_goods_out = stored;
        with_goods_out.sync.clarus_goods_out_id = goods_out_id;
        return FollowChange(with_goods_out);
      }
      outcome.kind = Outcome::Kind::kCancelled;
      if (has_label) {
        outcome.label_to_void = label->shipment_id;
      }
      return outcome;
    }
    case domain::OrderStatus::kPending:
    case domain::OrderStatus::kPendingAvailability:
      outcome.kind = Outcome::Kind::kWaiting;
      return outcome;
    case domain::OrderStatus::kShipped:
    case domain::OrderStatus::kPartiallyShipped:
      // Buying a label on Amazon ships the order there; carry on with it.
      if (!label) {
        outcome.kind = Outcome::Kind::kClosed;
        outcome.details = "shipped on Amazon before it reached the warehouse";
        return outcome;
      }
      break;
    case domain::OrderStatus::kUnfulfillable:
      return hold({{"unfulfillable", "Amazon marks the order unfulfillable",
                    "Check the order in Seller Central; then resolve this exception."}});
    case domain::OrderStatus::kUnshipped:
      break;
  }

  Result<Validated> validated = Validate(stored, has_label);
  if (!validated.ok()) {
    return retry(validated.status());
  }
  if (!validated->problems.empty()) {
    return hold(std::move(validated->problems));
  }

  const Marketplace* marketplace = FindMarketplace(order->marketplace_id);
  clarus::GoodsOutRequest request;
  request.reference = order->amazon_order_id;
  request.account_id = validated->account_id;
  request.warehouse_id = validated->warehouse_id;
  request.carrier_id = validated->service.carrier_id;
  request.carrier_service_id = validated->service.service_id;
  auto dispatch_date = LocalDate(*order->latest_ship_date, marketplace->time_zone);
  if (!dispatch_date.ok()) {
    return retry(dispatch_date.status());
  }
  request.expected_date_of_dispatch = *dispatch_date;
  request.priority = PriorityFor(*order->latest_ship_date - deps_.clock->Now());
  if (NeedsAmazonLabel(order)) {
    request.delivery_notes =
        fmt::format("Amazon {}: ship only with the Amazon label attached to this order",
                    order->is_prime ? "Prime" : "Buy Shipping");
  }
  request.address = ClarusAddress(*order->shipping_address);
  for (const domain::OrderLine& line : order->lines) {
    // Amazon counts units as shipped once their label is bought.
    const std::int32_t quantity =
        has_label ? line.quantity_ordered : line.quantity_ordered - line.quantity_shipped;
    if (quantity <= 0) {
      continue;
    }
    request.lines.push_back({.product_id = validated->products.at(line.sku).id,
                             .quantity = quantity,
                             .alt_line_reference = line.order_item_id,
                             .alt_product_code = line.sku});
  }
  Result<clarus::CreatedGoodsOut> created = deps_.goods_outs->Create(request);
  if (!created.ok()) {
    if (created.status().code() == StatusCode::kInvalidArgument) {
      return hold({{"rejected by Clarus", std::string(created.status().message()),
                    "Correct what Clarus names (on Amazon or in the mapping); then resolve this "
                    "exception."}});
    }
    return retry(created.status());
  }
  outcome.goods_out_id = created->id;

  if (NeedsAmazonLabel(order)) {
    auto ensured = EnsureLabel(order, stop, outcome);
    if (!ensured.ok()) {
      return retry(ensured.status());
    }
    if (!*ensured) {
      return outcome;  // Held by EnsureLabel, with the goods-out id.
    }
    label = std::move(*ensured);
    if (label->state != store::LabelState::kAttached) {
      if (Status attached = AttachLabel(*label, created->id, validated->service, outcome);
          !attached.ok()) {
        return retry(attached);
      }
      if (outcome.kind == Outcome::Kind::kHeld) {
        return outcome;
      }
    }
  }
  outcome.kind = Outcome::Kind::kSent;
  outcome.details = fmt::format("goods-out {}{}", created->id,
                                created->already_existed ? " (found by reference)" : "");
  if (label) {
    outcome.details += fmt::format(", Amazon label {} ({} {})", label->shipment_id,
                                   label->carrier_name, label->tracking_id);
  }
  return outcome;
}

Status OrderRelease::AttachLabel(store::OrderLabel& label, const std::string& goods_out_id,
                                 const ClarusServiceRef& service, Outcome& outcome) {
  const auto hold = [&](std::string category, std::string detail, std::string fix) {
    outcome.kind = Outcome::Kind::kHeld;
    outcome.problems.push_back({std::move(category), std::move(detail), std::move(fix)});
    return Status::Ok();
  };
  clarus::ShipmentRequest shipment{
      .reference = "amazon-label-" + (label.shipment_id.empty() ? "tracking-" + label.tracking_id
                                                                : label.shipment_id),
      .goods_out_id = goods_out_id,
      .carrier_id = service.carrier_id,
      .carrier_service_id = service.service_id,
      .tracking_number = label.tracking_id};
  if (label.contents) {
    const std::optional<std::string> compressed = http::Base64Decode(*label.contents);
    const Result<std::string> document =
        compressed ? http::Gunzip(*compressed) : Result<std::string>(DataLossError("not base64"));
    if (!document.ok()) {
      return hold("label unreadable",
                  fmt::format("Amazon's label {} cannot be decoded ({})", label.shipment_id,
                              document.status().message()),
                  "Reprint the label from Seller Central and give it to the warehouse; then "
                  "resolve this exception.");
    }
    shipment.label_filename = "amazon-" + label.shipment_id + LabelExtension(label.file_type);
    shipment.label_base64 = http::Base64Encode(*document);
  }
  Result<clarus::CreatedShipment> attached = deps_.shipments->Create(shipment);
  if (!attached.ok()) {
    if (attached.status().code() == StatusCode::kInvalidArgument ||
        attached.status().code() == StatusCode::kAlreadyExists) {
      return hold("label not attached", std::string(attached.status().message()),
                  "Attach Amazon's label to the goods-out in Clarus by hand; then resolve this "
                  "exception.");
    }
    return attached.status();
  }
  label.state = store::LabelState::kAttached;
  label.clarus_shipment_id = attached->shipment.id;
  ASSIGN_OR_RETURN(auto tx, deps_.store->Begin());
  RETURN_IF_ERROR(tx->PutOrderLabel(label));
  return tx->Commit();
}

Result<std::optional<store::OrderLabel>> OrderRelease::EnsureLabel(const domain::Order& order,
                                                                   const std::stop_token& stop,
                                                                   Outcome& outcome) {
  const std::string& id = order->amazon_order_id;
  std::optional<store::OrderLabel> record;
  {
    ASSIGN_OR_RETURN(auto tx, deps_.store->BeginReadOnly());
    ASSIGN_OR_RETURN(record, tx->FindOrderLabel(id));
  }
  const auto hold = [&](std::string category, std::string detail, std::string fix) {
    outcome.kind = Outcome::Kind::kHeld;
    outcome.problems.push_back({std::move(category), std::move(detail), std::move(fix)});
    return std::optional<store::OrderLabel>();
  };
  const amazon::CallOptions call{.lane = amazon::Lane::kOrderImport, .stop = stop};
  if (record && record->state != store::LabelState::kBuying) {
    return record;
  }
  if (record) {
    // A purchase was cut short. Amazon ships an order the moment its label
    // is bought, so the order itself tells whether it happened.
    ASSIGN_OR_RETURN(const amazon::AmazonOrder current,
                     deps_.orders->GetOrder(id, /*with_recipient=*/false, call));
    if (!current.packages.empty()) {
      const amazon::ShippedPackage& package = current.packages.back();
      store::OrderLabel found{.amazon_order_id = id,
                              .state = store::LabelState::kBought,
                              .tracking_id = package.tracking_number,
                              .carrier_name = package.carrier,
                              .service_name = package.shipping_service};
      ASSIGN_OR_RETURN(auto tx, deps_.store->Begin());
      RETURN_IF_ERROR(tx->PutOrderLabel(found));
      RETURN_IF_ERROR(tx->Commit());
      outcome.label_to_reprint = package.tracking_number;
      spdlog::warn(
          "order {}: an Amazon label bought before sellerbridge stopped was found "
          "(tracking {}); its document must be reprinted",
          id, package.tracking_number);
      return found;
    }
    ASSIGN_OR_RETURN(auto tx, deps_.store->Begin());
    RETURN_IF_ERROR(tx->DeleteOrderLabel(id));
    RETURN_IF_ERROR(tx->Commit());
  }

  const config::OrdersConfig& settings = options_.orders;
  amazon::LabelRequest request{.amazon_order_id = id,
                               .ship_from = ShipFromAddress(settings.ship_from),
                               .ship_from_email = settings.ship_from.email,
                               .length_cm = static_cast<double>(settings.parcel_length_cm),
                               .width_cm = static_cast<double>(settings.parcel_width_cm),
                               .height_cm = static_cast<double>(settings.parcel_height_cm),
                               .weight_g = static_cast<double>(settings.parcel_weight_g)};
  for (const domain::OrderLine& line : order->lines) {
    if (line.quantity_ordered > line.quantity_shipped) {
      request.items.push_back({.order_item_id = line.order_item_id,
                               .quantity = line.quantity_ordered - line.quantity_shipped});
    }
  }
  Result<std::vector<amazon::ShippingServiceOffer>> offers =
      deps_.merchant_fulfillment->EligibleServices(request, call);
  if (!offers.ok()) {
    if (offers.status().code() == StatusCode::kInvalidArgument) {
      return hold("no Amazon label", std::string(offers.status().message()),
                  "Check the parcel settings in [orders], or buy the label in Seller Central and "
                  "attach it in Clarus; then resolve this exception.");
    }
    return offers.status();
  }
  if (offers->empty()) {
    return hold("no Amazon label", "Amazon offers no shipping service for this parcel",
                "Check the parcel settings in [orders], or buy the label in Seller Central and "
                "attach it in Clarus; then resolve this exception.");
  }
  const amazon::ShippingServiceOffer& offer =
      ChooseOffer(*offers, settings.label_rule, order->latest_delivery_date);
  if (order->latest_delivery_date &&
      (!offer.latest_delivery || *offer.latest_delivery > *order->latest_delivery_date)) {
    spdlog::warn(
        "order {}: no Amazon shipping service delivers by the promised date; buying "
        "the fastest, {}",
        id, offer.service_name);
  }

  store::OrderLabel label{.amazon_order_id = id, .state = store::LabelState::kBuying};
  {
    ASSIGN_OR_RETURN(auto tx, deps_.store->Begin());
    RETURN_IF_ERROR(tx->PutOrderLabel(label));
    RETURN_IF_ERROR(tx->Commit());
  }
  Result<amazon::BoughtLabel> bought = deps_.merchant_fulfillment->BuyLabel(request, offer, call);
  if (!bought.ok()) {
    if (!CertainlyNotBought(bought.status())) {
      // Left as kBuying: the next pass reads the order back to find out.
      return Status(bought.status().code(),
                    fmt::format("order {}: the Amazon label purchase may or may not have "
                                "happened ({}); the next pass reads the order back",
                                id, bought.status().message()));
    }
    ASSIGN_OR_RETURN(auto tx, deps_.store->Begin());
    RETURN_IF_ERROR(tx->DeleteOrderLabel(id));
    RETURN_IF_ERROR(tx->Commit());
    if (bought.status().code() == StatusCode::kInvalidArgument) {
      return hold("no Amazon label", std::string(bought.status().message()),
                  "Buy the label in Seller Central and attach it in Clarus, or correct what "
                  "Amazon names; then resolve this exception.");
    }
    return bought.status();
  }
  label = {.amazon_order_id = id,
           .state = store::LabelState::kBought,
           .shipment_id = bought->shipment_id,
           .tracking_id = bought->tracking_id,
           .carrier_name = bought->carrier_name,
           .service_id = bought->service_id,
           .service_name = bought->service_name,
           .label_format = bought->label_format,
           .file_type = bought->file_type,
           .contents = bought->contents};
  {
    ASSIGN_OR_RETURN(auto tx, deps_.store->Begin());
    RETURN_IF_ERROR(tx->PutOrderLabel(label));
    RETURN_IF_ERROR(tx->Commit());
  }
  outcome.label_bought = true;
  return label;
}

OrderRelease::Outcome OrderRelease::FollowChange(const store::StoredOrder& stored) {
  const domain::Order& order = stored.order;
  const std::string& goods_out_id = stored.sync.clarus_goods_out_id;
  Outcome outcome{.order_id = order->amazon_order_id,
                  .previous = stored.sync.state,
                  .goods_out_id = goods_out_id};
  const auto follow_up = [&](std::string category, std::string detail, std::string fix) {
    outcome.kind = Outcome::Kind::kFollowUpHeld;
    outcome.problems.push_back({std::move(category), std::move(detail), std::move(fix)});
    return outcome;
  };
  const auto retry = [&](Status error) {
    outcome.kind = Outcome::Kind::kRetry;
    outcome.error = std::move(error);
    return outcome;
  };
  std::optional<store::OrderLabel> label;
  {
    auto tx = deps_.store->BeginReadOnly();
    auto found = tx.ok() ? (*tx)->FindOrderLabel(order->amazon_order_id)
                         : Result<std::optional<store::OrderLabel>>(tx.status());
    if (!found.ok()) {
      return retry(found.status());
    }
    label = std::move(*found);
  }

  Result<clarus::GoodsOutDetail> detail = deps_.goods_outs->Read(goods_out_id);
  const bool cancelled = order->status == domain::OrderStatus::kCancelled;
  if (!detail.ok() && detail.status().code() == StatusCode::kNotFound) {
    if (cancelled) {
      outcome.kind = Outcome::Kind::kCancelled;
      outcome.details = fmt::format("goods-out {} was already gone from Clarus", goods_out_id);
      return outcome;
    }
    return follow_up("goods-out missing",
                     fmt::format("goods-out {} is no longer in Clarus", goods_out_id),
                     "Check the order in Clarus; then resolve this exception.");
  }
  if (!detail.ok()) {
    return retry(detail.status());
  }
  const std::string& status = detail->status;
  if (cancelled) {
    if (label && label->state != store::LabelState::kBuying) {
      outcome.label_to_void = label->shipment_id;
    }
    if (status == "CANCELLED") {
      outcome.kind = Outcome::Kind::kCancelled;
      return outcome;
    }
    if (status == "COMPLETED") {
      return follow_up("cancelled after dispatch",
                       fmt::format("the buyer cancelled on Amazon after Clarus dispatched "
                                   "goods-out {}",
                                   goods_out_id),
                       "Ask the carrier to intercept the parcel, or refund the buyer when it "
                       "comes back; then resolve this exception.");
    }
    const Status cancel = deps_.goods_outs->Cancel(goods_out_id);
    if (cancel.code() == StatusCode::kFailedPrecondition) {
      return follow_up("cancellation refused by Clarus", std::string(cancel.message()),
                       fmt::format("Stop goods-out {} on the warehouse floor; then resolve this "
                                   "exception.",
                                   goods_out_id));
    }
    if (!cancel.ok() && cancel.code() != StatusCode::kNotFound) {
      return retry(cancel);
    }
    outcome.kind = Outcome::Kind::kCancelled;
    outcome.details =
        fmt::format("goods-out {} cancelled in Clarus (was {})", goods_out_id, status);
    return outcome;
  }

  if (!order->shipping_address) {
    outcome.kind = Outcome::Kind::kUpdated;
    return outcome;
  }
  const clarus::Address wanted = ClarusAddress(*order->shipping_address);
  if (clarus::AddressJson(wanted) == clarus::AddressJson(detail->address)) {
    outcome.kind = Outcome::Kind::kUpdated;
    return outcome;
  }
  static const std::set<std::string> kBeforePicking = {"DRAFT", "PENDING", "PART_ALLOCATED",
                                                       "ALLOCATED"};
  if (kBeforePicking.count(status) == 0) {
    return follow_up("address changed after picking",
                     fmt::format("the buyer's delivery address changed on Amazon after goods-out "
                                 "{} reached {}",
                                 goods_out_id, status),
                     "Put the new address (on the Amazon order) on the parcel before it leaves; "
                     "then resolve this exception.");
  }
  Result<clarus::GoodsOutSummary> patched =
      deps_.goods_outs->Patch(goods_out_id, {.address = wanted});
  if (!patched.ok()) {
    if (patched.status().code() == StatusCode::kFailedPrecondition ||
        patched.status().code() == StatusCode::kInvalidArgument) {
      return follow_up("address not updated", std::string(patched.status().message()),
                       "Correct the address of the goods-out in Clarus by hand; then resolve this "
                       "exception.");
    }
    return retry(patched.status());
  }
  outcome.kind = Outcome::Kind::kUpdated;
  outcome.details = fmt::format("goods-out {}: new delivery address applied", goods_out_id);
  return outcome;
}

Status OrderRelease::Record(const std::vector<Outcome>& outcomes, ReleasePass& pass) {
  constexpr int kAttempts = 5;
  Status status;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    status = [&]() -> Status {
      ASSIGN_OR_RETURN(auto tx, deps_.store->Begin());
      const TimePoint now = deps_.clock->Now();
      const auto audit = [&](const Outcome& o, std::string_view action, std::string details) {
        return tx
            ->AppendAudit({.at = now,
                           .actor = "system",
                           .action = std::string(action),
                           .subject = o.order_id,
                           .details = std::move(details)})
            .status();
      };
      const auto resolve = [&](const Outcome& o, std::string_view note) -> Status {
        ASSIGN_OR_RETURN(const auto held, tx->FindException("order", o.order_id));
        if (held && held->IsOpen()) {
          RETURN_IF_ERROR(tx->ResolveException(held->id, "system", note));
        }
        return Status::Ok();
      };
      const auto hold = [&](const Outcome& o) {
        return tx
            ->HoldException({.kind = "order",
                             .subject_id = o.order_id,
                             .reason = ReasonOf(o.problems),
                             .suggested_fix = FixOf(o.problems)})
            .status();
      };
      for (const Outcome& o : outcomes) {
        switch (o.kind) {
          case Outcome::Kind::kSent:
            RETURN_IF_ERROR(
                tx->SetOrderSyncState(o.order_id, SyncState::kSentToClarus, o.goods_out_id));
            RETURN_IF_ERROR(resolve(o, "released: the cause was fixed"));
            RETURN_IF_ERROR(audit(o, "order.sent_to_clarus", o.details));
            if (!o.label_to_reprint.empty()) {
              RETURN_IF_ERROR(
                  tx->HoldException(
                        {.kind = "label",
                         .subject_id = o.order_id,
                         .reason = fmt::format("label document lost: the Amazon label with "
                                               "tracking {} was bought, but sellerbridge stopped "
                                               "before it stored the document",
                                               o.label_to_reprint),
                         .suggested_fix = fmt::format(
                             "Reprint the label from Seller Central and give it to the warehouse "
                             "for goods-out {}; then resolve this exception.",
                             o.goods_out_id)})
                      .status());
            }
            break;
          case Outcome::Kind::kHeld:
            RETURN_IF_ERROR(hold(o));
            if (o.previous != SyncState::kHeld || !o.goods_out_id.empty()) {
              RETURN_IF_ERROR(tx->SetOrderSyncState(
                  o.order_id, SyncState::kHeld,
                  o.goods_out_id.empty() ? std::nullopt
                                         : std::optional<std::string_view>(o.goods_out_id)));
            }
            if (o.previous != SyncState::kHeld) {
              RETURN_IF_ERROR(audit(o, "order.held", ReasonOf(o.problems)));
            }
            break;
          case Outcome::Kind::kCancelled:
            RETURN_IF_ERROR(tx->SetOrderSyncState(o.order_id, SyncState::kCancelled, std::nullopt));
            RETURN_IF_ERROR(resolve(o, "the order was cancelled on Amazon"));
            RETURN_IF_ERROR(
                audit(o, "order.cancelled", o.details.empty() ? "cancelled on Amazon" : o.details));
            if (!o.label_to_void.empty()) {
              RETURN_IF_ERROR(
                  tx->HoldException(
                        {.kind = "label",
                         .subject_id = o.order_id,
                         .reason = fmt::format("label bought for a cancelled order: Amazon "
                                               "shipment {}",
                                               o.label_to_void),
                         .suggested_fix = "Void the label in Seller Central (Manage Orders → "
                                          "the order → Cancel shipment) to be refunded; then "
                                          "resolve this exception."})
                      .status());
            }
            break;
          case Outcome::Kind::kClosed:
            RETURN_IF_ERROR(tx->SetOrderSyncState(o.order_id, SyncState::kClosed, std::nullopt));
            RETURN_IF_ERROR(resolve(o, "shipped on Amazon outside sellerbridge"));
            RETURN_IF_ERROR(audit(o, "order.closed", o.details));
            break;
          case Outcome::Kind::kUpdated:
            RETURN_IF_ERROR(
                tx->SetOrderSyncState(o.order_id, SyncState::kSentToClarus, std::nullopt));
            if (!o.details.empty()) {
              RETURN_IF_ERROR(audit(o, "order.goods_out_updated", o.details));
            }
            break;
          case Outcome::Kind::kFollowUpHeld:
            RETURN_IF_ERROR(hold(o));
            RETURN_IF_ERROR(
                tx->SetOrderSyncState(o.order_id, SyncState::kSentToClarus, std::nullopt));
            RETURN_IF_ERROR(audit(o, "order.change_not_applied", ReasonOf(o.problems)));
            break;
          case Outcome::Kind::kWaiting:
          case Outcome::Kind::kRetry:
            break;
        }
      }
      return tx->Commit();
    }();
    if (status.code() != StatusCode::kAborted) {
      break;
    }
  }
  if (!status.ok()) {
    return status;
  }
  for (const Outcome& o : outcomes) {
    pass.labels_bought += o.label_bought ? 1 : 0;
    switch (o.kind) {
      case Outcome::Kind::kSent:
        ++pass.sent_to_clarus;
        pass.released += o.previous == SyncState::kHeld ? 1 : 0;
        break;
      case Outcome::Kind::kHeld:
      case Outcome::Kind::kFollowUpHeld:
        ++pass.held;
        if (o.previous != SyncState::kHeld) {
          spdlog::warn("order {} held: {}", o.order_id, ReasonOf(o.problems));
        }
        break;
      case Outcome::Kind::kCancelled:
        ++(o.previous == SyncState::kUpdatePending ? pass.goods_outs_cancelled : pass.cancelled);
        break;
      case Outcome::Kind::kClosed:
        ++pass.closed;
        break;
      case Outcome::Kind::kWaiting:
        ++pass.waiting;
        break;
      case Outcome::Kind::kRetry:
        ++pass.retry_later;
        if (pass.first_error.ok()) {
          pass.first_error = o.error;
        }
        break;
      case Outcome::Kind::kUpdated:
        pass.goods_outs_updated += o.details.empty() ? 0 : 1;
        break;
    }
  }
  return Status::Ok();
}

}  // namespace sellerbridge::sync
