#include "sync/dispatch_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "base/time_format.h"

namespace sellerbridge::sync {
namespace {

constexpr std::string_view kDispatched = "DISPATCHED";
constexpr std::string_view kCompleted = "COMPLETED";

// Clarus ids are decimal strings: shorter is smaller.
bool IdLess(const std::string& a, const std::string& b) {
  return a.size() != b.size() ? a.size() < b.size() : a < b;
}

std::string Trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return "";
  }
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

// Units of each order item, in order-line order.
using Units = std::vector<std::pair<std::string, std::int64_t>>;

// Deals `units` out over `parts` shares, in order, an equal share each (the
// first shares get one unit fewer when it does not divide).
std::vector<Units> Deal(const Units& units, std::size_t parts) {
  std::vector<Units> shares(parts);
  std::int64_t total = 0;
  for (const auto& [item, quantity] : units) {
    total += quantity;
  }
  std::int64_t dealt = 0;
  for (const auto& [item, quantity] : units) {
    for (std::int64_t u = 0; u < quantity; ++u, ++dealt) {
      Units& share = shares[static_cast<std::size_t>(dealt * static_cast<std::int64_t>(parts) /
                                                     std::max<std::int64_t>(total, 1))];
      if (share.empty() || share.back().first != item) {
        share.emplace_back(item, 0);
      }
      ++share.back().second;
    }
  }
  return shares;
}

// The mapping whose Clarus carrier and service shipped `shipment` for an
// order of `order`'s marketplace, preferring the order's own mapping.
const domain::ShipMethodMapping* MappingFor(const DispatchInputs& in,
                                            const clarus::Shipment& shipment) {
  const domain::ShipMethodMapping* found = nullptr;
  const store::ShipMethodKey own = store::KeyOf(*in.order);
  for (const domain::ShipMethodMapping& mapping : in.mappings) {
    if (mapping->marketplace_id != (*in.order)->marketplace_id ||
        mapping->clarus_carrier != shipment.carrier_code ||
        mapping->clarus_service != shipment.service_code) {
      continue;
    }
    if (store::KeyOf(mapping) == own) {
      return &mapping;
    }
    if (found == nullptr) {
      found = &mapping;
    }
  }
  return found;
}

TimePoint DeadlineOf(const domain::Order& order) {
  // Without a ship-by date (Amazon always sends one for merchant orders),
  // the order goes after every order that has one.
  return order->latest_ship_date.value_or(order->purchase_date + std::chrono::days{30});
}

std::optional<TimePoint> ShipDateOf(const clarus::Shipment& shipment,
                                    const clarus::GoodsOutDetail& goods_out) {
  for (const std::string* text : {&shipment.collection_datetime, &goods_out.dispatch_date}) {
    if (auto parsed = ParseIso8601(*text); !text->empty() && parsed.ok()) {
      return *parsed;
    }
  }
  return std::nullopt;
}

void PlanLabel(const DispatchInputs& in, DispatchPlan& plan) {
  const bool left = std::any_of(in.goods_out->shipments.begin(), in.goods_out->shipments.end(),
                                [](const clarus::Shipment& s) { return s.status == kDispatched; });
  const bool known =
      std::any_of(in.existing.begin(), in.existing.end(), [](const store::OutboxEntry& e) {
        return e.transport == store::ConfirmationTransport::kLabel;
      });
  if (!left || known) {
    return;
  }
  const store::OrderLabel& label = *in.label;
  domain::Parcel parcel{.package_reference_id = label.shipment_id,
                        .carrier_code = label.carrier_name,
                        .shipping_method = label.service_name,
                        .tracking_number = label.tracking_id,
                        .ship_date = label.updated_at};
  for (const domain::OrderLine& line : (*in.order)->lines) {
    parcel.items.push_back(
        {.order_item_id = line.order_item_id, .quantity = line.quantity_ordered});
  }
  plan.confirmations.push_back(
      {.idempotency_key = fmt::format("amazon-label:{}", label.shipment_id),
       .amazon_order_id = (*in.order)->amazon_order_id,
       .marketplace_id = (*in.order)->marketplace_id,
       .parcel = std::move(parcel),
       .deadline = DeadlineOf(*in.order),
       .clarus_shipment_id = label.clarus_shipment_id,
       .transport = store::ConfirmationTransport::kLabel});
}

}  // namespace

DispatchPlan PlanDispatch(const DispatchInputs& in) {
  DispatchPlan plan;
  const domain::Order& order = *in.order;
  const clarus::GoodsOutDetail& goods_out = *in.goods_out;
  plan.completed = goods_out.status == kCompleted;

  // What Clarus dispatched per order item, from the lines.
  std::map<std::string, std::int64_t> ordered;
  for (const domain::OrderLine& line : order->lines) {
    ordered[line.order_item_id] = line.quantity_ordered;
  }
  std::map<std::string, std::int64_t> dispatched;
  for (const clarus::GoodsOutLine& line : goods_out.lines) {
    if (!ordered.contains(line.alt_line_reference)) {
      plan.problems.emplace_back(fmt::format(
          "goods-out {} line {} (SKU {}) names order item '{}', which order {} does not have",
          goods_out.id, line.id, line.sku, line.alt_line_reference, order->amazon_order_id));
      plan.fixes.emplace_back("check the goods-out's lines in Clarus against the Amazon order");
      continue;
    }
    dispatched[line.alt_line_reference] += line.dispatched;
  }
  for (const domain::OrderLine& line : order->lines) {
    const std::int64_t sent = dispatched[line.order_item_id];
    if (sent > line.quantity_ordered) {
      plan.problems.emplace_back(fmt::format(
          "Clarus dispatched {} × {} (item {}) but the order asks for {}; only {} will be "
          "confirmed",
          sent, line.sku, line.order_item_id, line.quantity_ordered, line.quantity_ordered));
      plan.fixes.emplace_back("check what left the warehouse for this order");
    } else if (plan.completed && sent < line.quantity_ordered) {
      plan.problems.emplace_back(fmt::format(
          "short: goods-out {} completed with {} of {} × {} (item {}) not dispatched; Amazon "
          "still expects them",
          goods_out.id, line.quantity_ordered - sent, line.quantity_ordered, line.sku,
          line.order_item_id));
      plan.fixes.emplace_back(
          "dispatch the rest on a new goods-out, or cancel the missing units on Amazon, then "
          "resolve this exception");
    }
  }

  if (in.label) {
    // A purchase in doubt (kBuying) is settled by the order release first:
    // until then nothing is confirmed, lest the order ship twice on Amazon.
    if (in.label->state != store::LabelState::kBuying) {
      PlanLabel(in, plan);
    }
    return plan;
  }

  // What earlier confirmations of the order carry, and which shipments they came from.
  std::map<std::string, std::int64_t> assigned;
  std::set<std::string> known_shipments;
  for (const store::OutboxEntry& entry : in.existing) {
    if (entry.transport == store::ConfirmationTransport::kLabel) {
      continue;
    }
    known_shipments.insert(entry.clarus_shipment_id);
    for (const domain::ParcelItem& item : entry.parcel.items) {
      assigned[item.order_item_id] += item.quantity;
    }
  }
  std::vector<const clarus::Shipment*> fresh;
  for (const clarus::Shipment& shipment : goods_out.shipments) {
    if (shipment.status == kDispatched && !known_shipments.contains(shipment.id)) {
      fresh.push_back(&shipment);
    }
  }
  if (fresh.empty()) {
    return plan;
  }
  std::sort(fresh.begin(), fresh.end(), [](const clarus::Shipment* a, const clarus::Shipment* b) {
    return IdLess(a->id, b->id);
  });

  // Units dispatched but not yet confirmed, capped at what the order asks.
  Units unconfirmed;
  for (const domain::OrderLine& line : order->lines) {
    const std::int64_t cap = line.quantity_ordered - assigned[line.order_item_id];
    const std::int64_t open =
        std::min(dispatched[line.order_item_id] - assigned[line.order_item_id], cap);
    if (open > 0) {
      unconfirmed.emplace_back(line.order_item_id, open);
    }
  }
  const std::vector<Units> per_shipment = Deal(unconfirmed, fresh.size());
  for (std::size_t s = 0; s < fresh.size(); ++s) {
    const clarus::Shipment& shipment = *fresh[s];
    if (per_shipment[s].empty()) {
      continue;
    }
    std::vector<const clarus::Package*> packages;
    for (const clarus::Package& package : shipment.packages) {
      packages.push_back(&package);
    }
    std::sort(
        packages.begin(), packages.end(),
        [](const clarus::Package* a, const clarus::Package* b) { return IdLess(a->id, b->id); });
    const bool tracked =
        !packages.empty() &&
        std::all_of(packages.begin(), packages.end(), [](const clarus::Package* p) {
          return p->tracking_number && !Trimmed(*p->tracking_number).empty();
        });
    if (!tracked) {
      ++plan.waiting_for_tracking;
      continue;
    }
    const domain::ShipMethodMapping* mapping = MappingFor(in, shipment);
    if (mapping == nullptr) {
      plan.problems.emplace_back(fmt::format(
          "shipment {} left with Clarus carrier {} service {}, which no ship-method mapping of "
          "marketplace {} names, so its Amazon carrier code is unknown",
          shipment.id, shipment.carrier_code, shipment.service_code, order->marketplace_id));
      plan.fixes.emplace_back(fmt::format(
          "add a mapping to Clarus {}/{} with its Amazon carrier code, then retry this exception",
          shipment.carrier_code, shipment.service_code));
      continue;
    }
    const std::optional<TimePoint> ship_date = ShipDateOf(shipment, goods_out);
    if (!ship_date) {
      plan.problems.emplace_back(
          fmt::format("shipment {} is DISPATCHED without a readable collection time", shipment.id));
      plan.fixes.emplace_back("check the shipment in Clarus, then retry this exception");
      continue;
    }
    const std::vector<Units> per_package = Deal(per_shipment[s], packages.size());
    for (std::size_t p = 0; p < packages.size(); ++p) {
      if (per_package[p].empty()) {
        continue;
      }
      domain::Parcel parcel{.package_reference_id = packages[p]->id,
                            .carrier_code = (*mapping)->amazon_carrier_code,
                            .carrier_name = (*mapping)->amazon_carrier_name,
                            .shipping_method = (*mapping)->amazon_shipping_method,
                            .tracking_number = Trimmed(*packages[p]->tracking_number),
                            .ship_date = *ship_date};
      for (const auto& [item, quantity] : per_package[p]) {
        parcel.items.push_back(
            {.order_item_id = item, .quantity = static_cast<std::int32_t>(quantity)});
      }
      plan.confirmations.push_back(
          {.idempotency_key = fmt::format("clarus-package:{}", packages[p]->id),
           .amazon_order_id = order->amazon_order_id,
           .marketplace_id = order->marketplace_id,
           .parcel = std::move(parcel),
           .deadline = DeadlineOf(order),
           .clarus_shipment_id = shipment.id});
    }
  }
  return plan;
}

}  // namespace sellerbridge::sync
