#include "emulators/clarus/warehouse.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <tuple>

#include "base/status_macros.h"

namespace sellerbridge::emulators::clarus {
namespace {

// The steps of the simulation, in the order an order meets them.
enum class Step { kAllocate, kShortTimeout, kPickStart, kPickEnd, kPackEnd, kCollect, kTracking };

struct Pending {
  TimePoint at;
  std::uint64_t seq = 0;  // Breaks ties in scheduling order, for determinism.
  Step step = Step::kAllocate;
  std::int64_t target = 0;  // A goods-out id, or a shipment id for kCollect and kTracking.
  std::uint64_t stage = 0;  // The order's stage when scheduled; stale events are skipped.

  bool operator<(const Pending& other) const {
    return std::tie(at, seq) < std::tie(other.at, other.seq);
  }
};

// What the simulation keeps about one goods-out beyond its record.
struct OrderSim {
  std::uint64_t stage = 0;  // Bumped whenever scheduled work for the order becomes invalid.
  bool allocation_attempted = false;
  bool picked = false;
  std::optional<TimePoint> part_allocated_since;
  Duration pick_duration{};
  int split_shipments = 0;        // 0: decided by the split rate.
  int packages_per_shipment = 0;  // 0: decided by the multi-parcel rate.
};

Duration Hours(double hours) {
  return std::chrono::duration_cast<Duration>(
      std::chrono::duration<double, std::ratio<3600>>(hours));
}

bool IsIsoCountry(const std::string& code) {
  return code.size() == 2 && std::isupper(static_cast<unsigned char>(code[0])) != 0 &&
         std::isupper(static_cast<unsigned char>(code[1])) != 0;
}

}  // namespace

struct Warehouse::Impl {
  Impl(Scenario s, Clock* c, std::uint64_t seed) : scenario(std::move(s)), clock(c), rng(seed) {}

  const Scenario scenario;
  Clock* const clock;
  std::mutex mu;
  // Everything below is guarded by mu.
  WarehouseState state;
  std::mt19937_64 rng;
  EventSink sink;
  TimePoint now;  // The simulation's present: an event's time while it runs.
  std::set<Pending> queue;
  std::uint64_t next_seq = 0;
  std::map<std::int64_t, OrderSim> sims;
  std::set<std::int64_t> waiting;  // Orders short of stock after their first allocation.
  std::map<std::int64_t, TimePoint> picker_free;  // Per warehouse: when its pick queue empties.
  std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t> balance_ids;  // (product, wh).
  std::set<std::string> used_tracking;
  std::int64_t next_product = 1, next_balance = 1, next_goods_out = 1, next_line = 1,
               next_shipment = 1, next_package = 1;

  double Uniform() { return static_cast<double>(rng() >> 11U) * 0x1.0p-53; }

  // Draws only when the rate can fire, so that runs without faults keep the
  // same random stream whatever the rates of other faults.
  bool Chance(double rate) { return rate > 0 && Uniform() < rate; }

  void Schedule(Step step, TimePoint at, std::int64_t target) {
    queue.insert({at, next_seq++, step, target, sims[target].stage});
  }
  void ScheduleShipment(Step step, TimePoint at, std::int64_t shipment_id) {
    queue.insert({at, next_seq++, step, shipment_id, 0});
  }

  void Emit(WarehouseEvent event) {
    if (sink) {
      event.at = now;
      sink(event);
    }
  }

  void Advance() {
    const TimePoint target = clock->Now();
    while (!queue.empty() && queue.begin()->at <= target) {
      const Pending event = *queue.begin();
      queue.erase(queue.begin());
      now = std::max(now, event.at);
      Run(event);
    }
    now = std::max(now, target);
  }

  void Run(const Pending& event) {
    if (event.step == Step::kCollect || event.step == Step::kTracking) {
      std::int64_t id = event.target;
      // A cancelled shipment hands its collection to its replacement.
      while (state.shipments.count(id) != 0 && state.shipments.at(id).replaced_by) {
        id = *state.shipments.at(id).replaced_by;
      }
      auto it = state.shipments.find(id);
      if (it == state.shipments.end()) {
        return;
      }
      if (event.step == Step::kCollect) {
        if (it->second.status == ShipmentStatus::kPacked) {
          Collect(it->second);
        }
      } else {
        AssignTracking(it->second);
      }
      return;
    }
    auto it = state.goods_outs.find(event.target);
    if (it == state.goods_outs.end() || sims[event.target].stage != event.stage) {
      return;
    }
    GoodsOut& order = it->second;
    switch (event.step) {
      case Step::kAllocate:
        if (order.status == GoodsOutStatus::kPending ||
            order.status == GoodsOutStatus::kPartAllocated) {
          TryAllocate(order);
        }
        break;
      case Step::kShortTimeout:
        if (order.status == GoodsOutStatus::kPartAllocated) {
          ShortUnallocated(order);
          StartPicking(order);
        }
        break;
      case Step::kPickStart:
        if (order.status == GoodsOutStatus::kAllocated) {
          order.status = GoodsOutStatus::kPick;
          order.updated_at = now;
          Schedule(Step::kPickEnd, now + sims[order.id].pick_duration, order.id);
        }
        break;
      case Step::kPickEnd:
        if (order.status == GoodsOutStatus::kPick && !sims[order.id].picked) {
          Pick(order, {});
          SchedulePack(order);
        }
        break;
      case Step::kPackEnd:
        if (order.status == GoodsOutStatus::kPick) {
          Pack(order, false);
        }
        break;
      case Step::kCollect:
      case Step::kTracking:
        break;
    }
  }

  const Account& AccountOf(const GoodsOut& order) const {
    return state.accounts.at(order.account_id);
  }

  StockBalance& Balance(std::int64_t product_id, std::int64_t warehouse_id) {
    const auto key = std::make_pair(product_id, warehouse_id);
    auto it = balance_ids.find(key);
    if (it == balance_ids.end()) {
      StockBalance balance;
      balance.id = next_balance++;
      balance.product_id = product_id;
      balance.account_id = state.products.at(product_id).account_id;
      balance.warehouse_id = warehouse_id;
      balance.updated_at = now;
      it = balance_ids.emplace(key, balance.id).first;
      state.balances.emplace(balance.id, balance);
    }
    return state.balances.at(it->second);
  }

  void TryAllocate(GoodsOut& order) {
    OrderSim& sim = sims[order.id];
    sim.allocation_attempted = true;
    bool changed = false;
    bool complete = true;
    std::int64_t total = 0;
    for (GoodsOutLine& line : order.lines) {
      const std::int64_t need = line.order_quantity - line.allocated_quantity;
      if (!line.shorted && need > 0) {
        StockBalance& balance = Balance(line.product_id, order.warehouse_id);
        const std::int64_t take = std::min(need, balance.available);
        if (take > 0) {
          balance.available -= take;
          balance.allocated += take;
          balance.updated_at = now;
          line.allocated_quantity += take;
          line.updated_at = now;
          changed = true;
        }
        complete = complete && take == need;
      }
      total += line.allocated_quantity;
    }
    const GoodsOutStatus before = order.status;
    if (complete) {
      waiting.erase(order.id);
      order.status = GoodsOutStatus::kAllocated;
      StartPicking(order);
    } else {
      waiting.insert(order.id);
      if (total > 0) {
        order.status = GoodsOutStatus::kPartAllocated;
        if (!sim.part_allocated_since && AccountOf(order).is_short_pickable) {
          sim.part_allocated_since = now;
          Schedule(Step::kShortTimeout, now + scenario.rates.short_after, order.id);
        }
      }
    }
    if (changed || before != order.status) {
      order.updated_at = now;
    }
  }

  void ShortUnallocated(GoodsOut& order) {
    for (GoodsOutLine& line : order.lines) {
      if (line.allocated_quantity < line.order_quantity && !line.shorted) {
        line.shorted = true;
        line.updated_at = now;
      }
    }
    waiting.erase(order.id);
    order.status = GoodsOutStatus::kAllocated;
    order.updated_at = now;
  }

  // Queues an ALLOCATED order on its warehouse's single pick queue.
  void StartPicking(GoodsOut& order) {
    std::int64_t units = 0;
    for (const GoodsOutLine& line : order.lines) {
      units += line.allocated_quantity;
    }
    OrderSim& sim = sims[order.id];
    sim.pick_duration = Hours(static_cast<double>(units) / scenario.rates.pick_units_per_hour);
    TimePoint& free = picker_free[order.warehouse_id];
    const TimePoint start = std::max(now, free);
    free = start + sim.pick_duration;
    Schedule(Step::kPickStart, start, order.id);
  }

  // Turns allocations into picks; units short-picked (at the short-pick rate
  // or as asked) are lost stock, as when a picker finds the location empty.
  void Pick(GoodsOut& order, const std::map<std::int64_t, std::int64_t>& short_by_line) {
    const bool short_pickable = AccountOf(order).is_short_pickable;
    for (GoodsOutLine& line : order.lines) {
      std::int64_t missing = 0;
      if (auto it = short_by_line.find(line.id); it != short_by_line.end()) {
        missing = std::min(it->second, line.allocated_quantity);
      } else if (short_pickable && line.allocated_quantity > 0 &&
                 Chance(scenario.rates.short_pick_rate)) {
        missing = 1;
      }
      StockBalance& balance = Balance(line.product_id, order.warehouse_id);
      line.pick_quantity = line.allocated_quantity - missing;
      balance.allocated -= line.allocated_quantity;
      balance.picked += line.pick_quantity;
      balance.updated_at = now;
      if (line.pick_quantity < line.order_quantity) {
        line.shorted = true;
      }
      line.updated_at = now;
    }
    sims[order.id].picked = true;
    order.status = GoodsOutStatus::kPick;
    order.updated_at = now;
  }

  void SchedulePack(const GoodsOut& order) {
    Schedule(Step::kPackEnd, now + Hours(1.0 / scenario.rates.pack_orders_per_hour), order.id);
  }

  std::int64_t DefaultServiceId(const GoodsOut& order) const {
    if (order.carrier_service_id) {
      return *order.carrier_service_id;
    }
    for (const auto& [id, service] : state.carrier_services) {
      if (!order.carrier_id || service.carrier_id == *order.carrier_id) {
        return id;
      }
    }
    return 0;
  }

  TimePoint NextCollection(const Carrier& carrier, TimePoint after) const {
    const auto day = std::chrono::floor<std::chrono::days>(after);
    TimePoint collection = day + carrier.collection_time;
    if (collection <= after) {
      collection += std::chrono::days{1};
    }
    return collection;
  }

  std::string NewTrackingNumber(const Carrier& carrier) {
    static constexpr std::string_view kLetters = "ABCDEFGHJKLMNPQRSTUVWXYZ";
    static constexpr std::string_view kDigits = "0123456789";
    for (;;) {
      std::string number;
      for (const char c : carrier.tracking_format) {
        if (c == '#') {
          number += kDigits[rng() % kDigits.size()];
        } else if (c == 'A') {
          number += kLetters[rng() % kLetters.size()];
        } else if (c == 'X') {
          const auto pick = rng() % (kDigits.size() + kLetters.size());
          number += pick < kDigits.size() ? kDigits[pick] : kLetters[pick - kDigits.size()];
        } else {
          number += c;
        }
      }
      if (used_tracking.insert(number).second) {
        return number;
      }
    }
  }

  void AssignTracking(Shipment& shipment) {
    if (shipment.status == ShipmentStatus::kCancelled) {
      return;
    }
    const Carrier& carrier = state.carriers.at(shipment.carrier_id);
    for (Package& package : shipment.packages) {
      if (!package.tracking_number) {
        package.tracking_number = NewTrackingNumber(carrier);
        shipment.updated_at = now;
      }
    }
  }

  Shipment& NewShipment(const GoodsOut& order, std::int64_t service_id, int packages,
                        std::vector<ShipmentLine> lines) {
    Shipment shipment;
    shipment.id = next_shipment++;
    shipment.goods_out_id = order.id;
    shipment.carrier_service_id = service_id;
    shipment.carrier_id = state.carrier_services.at(service_id).carrier_id;
    int count = 0;
    for (const auto& [id, other] : state.shipments) {
      count += other.goods_out_id == order.id ? 1 : 0;
    }
    shipment.reference = fmt::format("{}-{}", order.reference, count + 1);
    shipment.label_filename = fmt::format("label-{}.pdf", shipment.id);
    shipment.lines = std::move(lines);
    shipment.created_at = now;
    shipment.updated_at = now;
    for (int i = 0; i < packages; ++i) {
      Package package;
      package.id = next_package++;
      package.shipment_id = shipment.id;
      shipment.packages.push_back(package);
    }
    Shipment& stored = state.shipments.emplace(shipment.id, std::move(shipment)).first->second;
    if (state.carriers.at(stored.carrier_id).tracking_delay == Duration::zero()) {
      AssignTracking(stored);
    }
    return stored;
  }

  // Units picked but on no live shipment yet, per line.
  std::map<std::int64_t, std::int64_t> Unshipped(const GoodsOut& order) const {
    std::map<std::int64_t, std::int64_t> left;
    for (const GoodsOutLine& line : order.lines) {
      left[line.id] = line.pick_quantity;
    }
    for (const auto& [id, shipment] : state.shipments) {
      if (shipment.goods_out_id == order.id && shipment.status != ShipmentStatus::kCancelled) {
        for (const ShipmentLine& l : shipment.lines) {
          left[l.goods_out_line_id] -= l.quantity;
        }
      }
    }
    return left;
  }

  // Packs the unshipped picked units: one shipment per carrier service (line
  // overrides first), the first possibly split over later collections.
  // `collect_now` dispatches them at once instead of at the carrier's cut-off.
  void Pack(GoodsOut& order, bool collect_now) {
    const OrderSim& sim = sims[order.id];
    std::map<std::int64_t, std::vector<ShipmentLine>> by_service;
    const auto left = Unshipped(order);
    for (const GoodsOutLine& line : order.lines) {
      if (left.at(line.id) > 0) {
        by_service[line.carrier_service_id.value_or(DefaultServiceId(order))].push_back(
            {line.id, left.at(line.id)});
      }
    }
    bool first = true;
    for (auto& [service_id, lines] : by_service) {
      std::int64_t units = 0;
      for (const ShipmentLine& l : lines) {
        units += l.quantity;
      }
      int parts = 1;
      if (first) {
        parts = sim.split_shipments > 0 ? sim.split_shipments
                                        : (Chance(scenario.rates.split_rate) ? 2 : 1);
        parts = static_cast<int>(std::min<std::int64_t>(parts, units));
      }
      first = false;
      // Deal the units out in line order, an equal share per part.
      std::vector<std::vector<ShipmentLine>> split(static_cast<std::size_t>(parts));
      std::int64_t dealt = 0;
      for (const ShipmentLine& l : lines) {
        for (std::int64_t u = 0; u < l.quantity; ++u, ++dealt) {
          auto& part = split[static_cast<std::size_t>(dealt * parts / units)];
          if (part.empty() || part.back().goods_out_line_id != l.goods_out_line_id) {
            part.push_back({l.goods_out_line_id, 0});
          }
          ++part.back().quantity;
        }
      }
      for (std::size_t k = 0; k < split.size(); ++k) {
        const int packages =
            sim.packages_per_shipment > 0
                ? sim.packages_per_shipment
                : (Chance(scenario.rates.multi_parcel_rate) ? 2 + static_cast<int>(rng() % 2) : 1);
        Shipment& shipment = NewShipment(order, service_id, packages, std::move(split[k]));
        if (collect_now) {
          Collect(shipment);
        } else {
          const Carrier& carrier = state.carriers.at(shipment.carrier_id);
          ScheduleShipment(Step::kCollect,
                           NextCollection(carrier, now) + std::chrono::days{static_cast<int>(k)},
                           shipment.id);
        }
      }
    }
    MaybeComplete(order);
  }

  void Collect(Shipment& shipment) {
    shipment.status = ShipmentStatus::kDispatched;
    shipment.collection_datetime = now;
    shipment.updated_at = now;
    GoodsOut& order = state.goods_outs.at(shipment.goods_out_id);
    for (const ShipmentLine& l : shipment.lines) {
      auto line = std::find_if(order.lines.begin(), order.lines.end(),
                               [&](const GoodsOutLine& x) { return x.id == l.goods_out_line_id; });
      line->dispatch_quantity += l.quantity;
      line->updated_at = now;
      StockBalance& balance = Balance(line->product_id, order.warehouse_id);
      balance.picked -= l.quantity;
      balance.dispatched += l.quantity;
      balance.updated_at = now;
    }
    order.updated_at = now;
    const Duration delay = state.carriers.at(shipment.carrier_id).tracking_delay;
    if (delay > Duration::zero()) {
      ScheduleShipment(Step::kTracking, now + delay, shipment.id);
    }
    MaybeComplete(order);
  }

  // COMPLETED once every picked unit has left and no parcel waits.
  void MaybeComplete(GoodsOut& order) {
    if (order.status != GoodsOutStatus::kPick) {
      return;
    }
    for (const GoodsOutLine& line : order.lines) {
      if (line.dispatch_quantity < line.pick_quantity) {
        return;
      }
    }
    order.status = GoodsOutStatus::kCompleted;
    order.dispatch_date = now;
    order.updated_at = now;
    WarehouseEvent event;
    event.kind = WarehouseEvent::Kind::kGoodsOutCompleted;
    event.goods_out = order;
    for (const GoodsOutLine& line : order.lines) {
      event.products[line.product_id] = state.products.at(line.product_id);
    }
    for (const auto& [id, shipment] : state.shipments) {
      if (shipment.goods_out_id == order.id && shipment.status != ShipmentStatus::kCancelled) {
        event.shipments.push_back(shipment);
      }
    }
    Emit(std::move(event));
  }

  void RetryWaiting() {
    for (const std::int64_t id : waiting) {
      if (sims[id].allocation_attempted) {
        Schedule(Step::kAllocate, now, id);
      }
    }
  }

  void ValidateCarrier(const std::optional<std::int64_t>& carrier_id,
                       const std::optional<std::int64_t>& service_id, const std::string& base,
                       std::vector<FieldError>& errors) const {
    if (carrier_id && state.carriers.count(*carrier_id) == 0) {
      errors.push_back(
          {base + "/carrier_id", fmt::format("carrier {} does not exist", *carrier_id)});
    }
    if (service_id) {
      auto it = state.carrier_services.find(*service_id);
      if (it == state.carrier_services.end()) {
        errors.push_back({base + "/carrier_service_id",
                          fmt::format("carrier service {} does not exist", *service_id)});
      } else if (carrier_id && it->second.carrier_id != *carrier_id) {
        errors.push_back({base + "/carrier_service_id",
                          fmt::format("carrier service {} is not a service of carrier {}",
                                      *service_id, *carrier_id)});
      }
    }
  }

  // Applies `input` to `order` (a copy), collecting every validation error.
  void ApplyInput(GoodsOut& order, const GoodsOutInput& input, bool creating,
                  std::vector<FieldError>& errors) {
    const std::string base = "/data/attributes";
    const bool lines_open = creating || order.status == GoodsOutStatus::kDraft ||
                            order.status == GoodsOutStatus::kPending;
    if (input.reference) {
      if (input.reference->empty()) {
        errors.push_back({base + "/reference", "can't be blank"});
      } else if (scenario.unique_reference && *input.reference != order.reference) {
        for (const auto& [id, other] : state.goods_outs) {
          if (other.reference == *input.reference) {
            errors.push_back({base + "/reference", "has already been taken"});
            break;
          }
        }
      }
      order.reference = *input.reference;
    } else if (creating) {
      errors.push_back({base + "/reference", "can't be blank"});
    }
    if (input.account_id || creating) {
      if (!lines_open && input.account_id && *input.account_id != order.account_id) {
        errors.push_back({base + "/account_id", "cannot change once allocated"});
      } else if (!input.account_id || state.accounts.count(*input.account_id) == 0) {
        errors.push_back(
            {base + "/account_id", input.account_id
                                       ? fmt::format("account {} does not exist", *input.account_id)
                                       : "can't be blank"});
      } else {
        order.account_id = *input.account_id;
      }
    }
    if (input.warehouse_id || creating) {
      if (!lines_open && input.warehouse_id && *input.warehouse_id != order.warehouse_id) {
        errors.push_back({base + "/warehouse_id", "cannot change once allocated"});
      } else if (!input.warehouse_id || state.warehouses.count(*input.warehouse_id) == 0) {
        errors.push_back({base + "/warehouse_id",
                          input.warehouse_id
                              ? fmt::format("warehouse {} does not exist", *input.warehouse_id)
                              : "can't be blank"});
      } else {
        order.warehouse_id = *input.warehouse_id;
      }
    }
    ValidateCarrier(input.carrier_id ? input.carrier_id : order.carrier_id,
                    input.carrier_service_id, base, errors);
    if (input.carrier_id) {
      ValidateCarrier(input.carrier_id, std::nullopt, base, errors);
      order.carrier_id = input.carrier_id;
    }
    if (input.carrier_service_id) {
      order.carrier_service_id = input.carrier_service_id;
    }
    if (input.goods_out_type) {
      order.goods_out_type = *input.goods_out_type;
    }
    if (input.priority) {
      order.priority = *input.priority;
    }
    if (input.expected_date_of_dispatch) {
      order.expected_date_of_dispatch = *input.expected_date_of_dispatch;
    }
    if (input.delivery_notes) {
      order.delivery_notes = *input.delivery_notes;
    }
    if (input.dispatch_strategy) {
      order.dispatch_strategy = *input.dispatch_strategy;
    }
    for (std::size_t i = 0; i < 3; ++i) {
      if (input.external_system_references[i]) {
        order.external_system_references[i] = *input.external_system_references[i];
      }
    }
    if (input.address) {
      const Address& a = *input.address;
      const std::string& p = input.address_pointer;
      if (a.name.empty()) {
        errors.push_back({p + "/name", "can't be blank"});
      }
      if (a.address_1.empty()) {
        errors.push_back({p + "/address_1", "can't be blank"});
      }
      if (a.postcode.empty()) {
        errors.push_back({p + "/postcode", "can't be blank"});
      }
      if (!IsIsoCountry(a.country_code)) {
        errors.push_back({p + "/country_code", "must be an ISO 3166-1 alpha-2 code"});
      }
      order.address = a;
    } else if (creating) {
      errors.push_back({input.address_pointer, "a delivery address is required"});
    }
    if (input.status) {
      if (!lines_open) {
        errors.push_back({base + "/status", "can only change while DRAFT or PENDING"});
      } else {
        order.status = *input.status;
      }
    }
    if (!input.lines_changes.empty() && !lines_open) {
      errors.push_back({base + "/lines_changes", "lines can only change while DRAFT or PENDING"});
      return;
    }
    for (const LineChange& change : input.lines_changes) {
      ApplyLineChange(order, change, errors);
    }
    if (order.lines.empty()) {
      errors.push_back({base + "/lines_changes", "a goods-out needs at least one line"});
    }
  }

  void ApplyLineChange(GoodsOut& order, const LineChange& change, std::vector<FieldError>& errors) {
    const std::string base = change.pointer + "/attributes";
    auto existing = order.lines.end();
    if (change.kind != LineChange::Kind::kAdd) {
      existing = std::find_if(order.lines.begin(), order.lines.end(), [&](const GoodsOutLine& l) {
        return change.id && l.id == *change.id;
      });
      if (existing == order.lines.end()) {
        errors.push_back({base + "/id", "no such line on this goods-out"});
        return;
      }
      if (change.kind == LineChange::Kind::kDestroy) {
        order.lines.erase(existing);
        return;
      }
    }
    GoodsOutLine line;
    if (existing != order.lines.end()) {
      line = *existing;
    } else {
      line.goods_out_id = order.id;
    }
    if (change.product_id) {
      auto product = state.products.find(*change.product_id);
      if (product == state.products.end()) {
        errors.push_back(
            {base + "/product_id", fmt::format("product {} does not exist", *change.product_id)});
      } else if (product->second.account_id != order.account_id) {
        errors.push_back({base + "/product_id", fmt::format("product {} belongs to another account",
                                                            *change.product_id)});
      }
      line.product_id = *change.product_id;
    } else if (change.kind == LineChange::Kind::kAdd) {
      errors.push_back({base + "/product_id", "can't be blank"});
    }
    if (change.order_quantity) {
      if (*change.order_quantity < 1) {
        errors.push_back({base + "/order_quantity", "must be greater than 0"});
      }
      line.order_quantity = *change.order_quantity;
    } else if (change.kind == LineChange::Kind::kAdd) {
      errors.push_back({base + "/order_quantity", "can't be blank"});
    }
    ValidateCarrier(change.carrier_id, change.carrier_service_id, base, errors);
    if (change.carrier_id) {
      line.carrier_id = change.carrier_id;
    }
    if (change.carrier_service_id) {
      line.carrier_service_id = change.carrier_service_id;
    }
    line.alt_line_number = change.alt_line_number.value_or(line.alt_line_number);
    line.alt_line_reference = change.alt_line_reference.value_or(line.alt_line_reference);
    line.alt_product_code = change.alt_product_code.value_or(line.alt_product_code);
    line.updated_at = now;
    if (existing != order.lines.end()) {
      *existing = line;
    } else {
      order.lines.push_back(line);
    }
  }

  // Gives new lines their ids once a change is known to be valid.
  void NumberLines(GoodsOut& order) {
    for (GoodsOutLine& line : order.lines) {
      if (line.id == 0) {
        line.id = next_line++;
        line.goods_out_id = order.id;
      }
    }
  }

  Result<GoodsOut*> FindOrder(std::int64_t id) {
    auto it = state.goods_outs.find(id);
    if (it == state.goods_outs.end()) {
      return NotFoundError(fmt::format("goods-out {} does not exist", id));
    }
    return &it->second;
  }

  Result<StockBalance*> FindBalance(std::int64_t product_id, std::int64_t warehouse_id) {
    if (state.products.count(product_id) == 0) {
      return NotFoundError(fmt::format("product {} does not exist", product_id));
    }
    if (state.warehouses.count(warehouse_id) == 0) {
      return NotFoundError(fmt::format("warehouse {} does not exist", warehouse_id));
    }
    return &Balance(product_id, warehouse_id);
  }

  void EmitStock(WarehouseEvent::Kind kind, const StockBalance& balance, std::int64_t quantity,
                 std::string reason) {
    WarehouseEvent event;
    event.kind = kind;
    event.balance = balance;
    event.product = state.products.at(balance.product_id);
    event.quantity = quantity;
    event.reason = std::move(reason);
    Emit(std::move(event));
  }

  // Returns every unit the order holds to available stock.
  void ReleaseOrderStock(GoodsOut& order) {
    const bool picked = sims[order.id].picked;
    for (GoodsOutLine& line : order.lines) {
      StockBalance& balance = Balance(line.product_id, order.warehouse_id);
      if (picked) {
        const std::int64_t back = line.pick_quantity - line.dispatch_quantity;
        balance.picked -= back;
        balance.available += back;
      } else {
        balance.allocated -= line.allocated_quantity;
        balance.available += line.allocated_quantity;
      }
      balance.updated_at = now;
      line.updated_at = now;
    }
  }
};

Warehouse::Warehouse(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Warehouse::~Warehouse() = default;

Result<std::unique_ptr<Warehouse>> Warehouse::Create(const Scenario& scenario, Clock* clock,
                                                     std::uint64_t seed) {
  auto impl = std::make_unique<Impl>(scenario, clock, seed);
  Impl& w = *impl;
  w.now = clock->Now();
  WarehouseState& s = w.state;
  std::map<std::string, std::int64_t> accounts;
  std::map<std::string, std::int64_t> warehouses;
  std::map<std::string, std::int64_t> products;
  for (const Account& a : scenario.accounts) {
    s.accounts[a.id] = a;
    accounts[a.code] = a.id;
  }
  for (const WarehouseInfo& info : scenario.warehouses) {
    s.warehouses[info.id] = info;
    warehouses[info.code] = info.id;
  }
  for (const Carrier& c : scenario.carriers) {
    s.carriers[c.id] = c;
  }
  for (const CarrierService& c : scenario.carrier_services) {
    s.carrier_services[c.id] = c;
  }
  for (const ScenarioProduct& p : scenario.products) {
    if (accounts.count(p.account_code) == 0) {
      return InvalidArgumentError(
          fmt::format("scenario product {}: unknown account {}", p.product_code, p.account_code));
    }
    Product product;
    product.id = p.id > 0 ? p.id : w.next_product;
    product.account_id = accounts.at(p.account_code);
    product.product_code = p.product_code;
    product.name = p.name;
    product.created_at = w.now;
    product.updated_at = w.now;
    s.products[product.id] = product;
    products[p.product_code] = product.id;
    w.next_product = std::max(w.next_product, product.id + 1);
  }
  for (const ScenarioStock& st : scenario.stock) {
    if (products.count(st.product_code) == 0 || warehouses.count(st.warehouse_code) == 0) {
      return InvalidArgumentError(
          fmt::format("scenario stock {} in {}: unknown product or warehouse", st.product_code,
                      st.warehouse_code));
    }
    StockBalance& balance =
        w.Balance(products.at(st.product_code), warehouses.at(st.warehouse_code));
    balance.available += st.available;
    balance.held += st.held;
    balance.received += st.available + st.held;
  }
  return std::unique_ptr<Warehouse>(new Warehouse(std::move(impl)));
}

void Warehouse::SetEventSink(EventSink sink) {
  std::lock_guard lock(impl_->mu);
  impl_->sink = std::move(sink);
}

void Warehouse::AdvanceToNow() {
  std::lock_guard lock(impl_->mu);
  impl_->Advance();
}

void Warehouse::Read(const std::function<void(const WarehouseState&)>& reader) {
  std::lock_guard lock(impl_->mu);
  impl_->Advance();
  reader(impl_->state);
}

Result<Product> Warehouse::CreateProduct(const ProductInput& input,
                                         std::vector<FieldError>* errors) {
  std::lock_guard lock(impl_->mu);
  Impl& w = *impl_;
  w.Advance();
  if (!input.account_id || w.state.accounts.count(*input.account_id) == 0) {
    errors->push_back({"/data/attributes/account_id",
                       input.account_id
                           ? fmt::format("account {} does not exist", *input.account_id)
                           : "can't be blank"});
  }
  if (input.product_code.empty()) {
    errors->push_back({"/data/attributes/product_code", "can't be blank"});
  }
  for (const auto& [id, p] : w.state.products) {
    if (input.account_id && p.account_id == *input.account_id &&
        p.product_code == input.product_code) {
      errors->push_back({"/data/attributes/product_code", "has already been taken"});
    }
  }
  if (!errors->empty()) {
    return InvalidArgumentError("product is invalid");
  }
  Product product;
  product.id = w.next_product++;
  product.account_id = *input.account_id;
  product.product_code = input.product_code;
  product.name = input.name;
  product.barcode = input.barcode;
  product.created_at = w.now;
  product.updated_at = w.now;
  w.state.products[product.id] = product;
  return product;
}

Result<GoodsOut> Warehouse::CreateGoodsOut(const GoodsOutInput& input,
                                           std::vector<FieldError>* errors) {
  std::lock_guard lock(impl_->mu);
  Impl& w = *impl_;
  w.Advance();
  GoodsOut order;
  order.status = GoodsOutStatus::kPending;
  for (const LineChange& change : input.lines_changes) {
    if (change.kind != LineChange::Kind::kAdd) {
      errors->push_back({change.pointer + "/type", "only ADD is allowed on create"});
    }
  }
  if (errors->empty()) {
    // The account must be known before lines can be checked against it.
    if (input.account_id) {
      order.account_id = *input.account_id;
    }
    w.ApplyInput(order, input, true, *errors);
  }
  if (!errors->empty()) {
    return InvalidArgumentError("goods-out is invalid");
  }
  order.id = w.next_goods_out++;
  order.created_at = w.now;
  order.updated_at = w.now;
  w.NumberLines(order);
  GoodsOut& stored = w.state.goods_outs.emplace(order.id, std::move(order)).first->second;
  if (stored.status == GoodsOutStatus::kPending) {
    w.Schedule(Step::kAllocate, w.now + w.scenario.rates.allocation_delay, stored.id);
  }
  return stored;
}

Result<GoodsOut> Warehouse::UpdateGoodsOut(std::int64_t id, const GoodsOutInput& input,
                                           std::vector<FieldError>* errors) {
  std::lock_guard lock(impl_->mu);
  Impl& w = *impl_;
  w.Advance();
  ASSIGN_OR_RETURN(GoodsOut * order, w.FindOrder(id));
  if (order->status == GoodsOutStatus::kCompleted || order->status == GoodsOutStatus::kCancelled) {
    errors->push_back({"/data", fmt::format("a {} goods-out cannot be changed",
                                            GoodsOutStatusName(order->status))});
    return InvalidArgumentError("goods-out cannot be changed");
  }
  GoodsOut changed = *order;
  w.ApplyInput(changed, input, false, *errors);
  if (!errors->empty()) {
    return InvalidArgumentError("goods-out is invalid");
  }
  w.NumberLines(changed);
  const GoodsOutStatus before = order->status;
  changed.updated_at = w.now;
  *order = std::move(changed);
  if (before == GoodsOutStatus::kDraft && order->status == GoodsOutStatus::kPending) {
    w.Schedule(Step::kAllocate, w.now + w.scenario.rates.allocation_delay, id);
  } else if (before == GoodsOutStatus::kPending && order->status == GoodsOutStatus::kDraft) {
    ++w.sims[id].stage;
    w.waiting.erase(id);
  }
  return *order;
}

Result<std::optional<GoodsOut>> Warehouse::CancelGoodsOut(std::int64_t id) {
  std::lock_guard lock(impl_->mu);
  Impl& w = *impl_;
  w.Advance();
  ASSIGN_OR_RETURN(GoodsOut * order, w.FindOrder(id));
  switch (order->status) {
    case GoodsOutStatus::kCompleted:
      return FailedPreconditionError(
          fmt::format("goods-out {} is COMPLETED and cannot be cancelled", id));
    case GoodsOutStatus::kCancelled:
      return FailedPreconditionError(fmt::format("goods-out {} is already cancelled", id));
    case GoodsOutStatus::kDraft:
    case GoodsOutStatus::kPending:
      w.state.goods_outs.erase(id);
      w.sims.erase(id);
      w.waiting.erase(id);
      return std::optional<GoodsOut>();
    case GoodsOutStatus::kPartAllocated:
    case GoodsOutStatus::kAllocated:
    case GoodsOutStatus::kPick:
      break;
  }
  w.ReleaseOrderStock(*order);
  for (auto& [sid, shipment] : w.state.shipments) {
    if (shipment.goods_out_id == id && shipment.status == ShipmentStatus::kPacked) {
      shipment.status = ShipmentStatus::kCancelled;
      shipment.label_filename.reset();
      shipment.updated_at = w.now;
    }
  }
  ++w.sims[id].stage;
  w.waiting.erase(id);
  order->status = GoodsOutStatus::kCancelled;
  order->updated_at = w.now;
  w.RetryWaiting();
  return std::optional<GoodsOut>(*order);
}

Status Warehouse::ShortLines(const std::vector<std::int64_t>& line_ids,
                             std::vector<FieldError>* errors) {
  std::lock_guard lock(impl_->mu);
  Impl& w = *impl_;
  w.Advance();
  std::vector<std::pair<GoodsOut*, GoodsOutLine*>> found;
  for (std::size_t i = 0; i < line_ids.size(); ++i) {
    const std::string pointer = fmt::format("/data/attributes/goods_out_line_ids/{}", i);
    GoodsOutLine* match = nullptr;
    GoodsOut* owner = nullptr;
    for (auto& [id, order] : w.state.goods_outs) {
      for (GoodsOutLine& line : order.lines) {
        if (line.id == line_ids[i]) {
          match = &line;
          owner = &order;
        }
      }
    }
    if (match == nullptr) {
      errors->push_back({pointer, fmt::format("goods-out line {} does not exist", line_ids[i])});
    } else if (!w.AccountOf(*owner).is_short_pickable) {
      errors->push_back({pointer, "the account is not short pickable"});
    } else if (w.sims[owner->id].picked || owner->status == GoodsOutStatus::kDraft ||
               owner->status == GoodsOutStatus::kCompleted ||
               owner->status == GoodsOutStatus::kCancelled) {
      errors->push_back({pointer, fmt::format("cannot short a line of a {} goods-out",
                                              GoodsOutStatusName(owner->status))});
    } else {
      found.emplace_back(owner, match);
    }
  }
  if (!errors->empty()) {
    return InvalidArgumentError("lines cannot be shorted");
  }
  for (auto& [order, line] : found) {
    line->shorted = true;
    line->updated_at = w.now;
    order->updated_at = w.now;
  }
  for (auto& [order, line] : found) {
    if (order->status == GoodsOutStatus::kPending ||
        order->status == GoodsOutStatus::kPartAllocated) {
      ++w.sims[order->id].stage;
      w.TryAllocate(*order);
    }
  }
  return Status::Ok();
}

Result<Shipment> Warehouse::CreateShipment(const ShipmentInput& input,
                                           std::vector<FieldError>* errors) {
  std::lock_guard lock(impl_->mu);
  Impl& w = *impl_;
  w.Advance();
  const std::string base = "/data/attributes";
  if (!input.goods_out_id || w.state.goods_outs.count(*input.goods_out_id) == 0) {
    errors->push_back({base + "/goods_out_id",
                       input.goods_out_id
                           ? fmt::format("goods-out {} does not exist", *input.goods_out_id)
                           : "can't be blank"});
  }
  if (!input.carrier_service_id) {
    errors->push_back({base + "/carrier_service_id", "can't be blank"});
  }
  w.ValidateCarrier(input.carrier_id, input.carrier_service_id, base, *errors);
  if (!errors->empty()) {
    return InvalidArgumentError("shipment is invalid");
  }
  const GoodsOut& order = w.state.goods_outs.at(*input.goods_out_id);
  std::vector<PackageInput> packages = input.packages;
  if (packages.empty()) {
    packages.push_back({input.tracking_number, "PARCEL"});
  }
  Shipment shipment;
  shipment.id = w.next_shipment++;
  shipment.goods_out_id = order.id;
  shipment.carrier_service_id = *input.carrier_service_id;
  shipment.carrier_id = w.state.carrier_services.at(shipment.carrier_service_id).carrier_id;
  shipment.reference =
      input.reference.value_or(fmt::format("{}-S{}", order.reference, shipment.id));
  shipment.label_filename = input.label_filename.value_or(fmt::format("label-{}.pdf", shipment.id));
  shipment.created_by_api = true;
  shipment.created_at = w.now;
  shipment.updated_at = w.now;
  const Carrier& carrier = w.state.carriers.at(shipment.carrier_id);
  for (const PackageInput& p : packages) {
    Package package;
    package.id = w.next_package++;
    package.shipment_id = shipment.id;
    package.storage_unit_type = p.storage_unit_type;
    package.tracking_number = p.tracking_number ? *p.tracking_number : w.NewTrackingNumber(carrier);
    shipment.packages.push_back(std::move(package));
  }
  w.state.shipments[shipment.id] = shipment;
  return shipment;
}

Result<Shipment> Warehouse::CancelShipment(std::int64_t id) {
  std::lock_guard lock(impl_->mu);
  Impl& w = *impl_;
  w.Advance();
  auto it = w.state.shipments.find(id);
  if (it == w.state.shipments.end()) {
    return NotFoundError(fmt::format("shipment {} does not exist", id));
  }
  if (it->second.status == ShipmentStatus::kCancelled) {
    return FailedPreconditionError(fmt::format("shipment {} is already cancelled", id));
  }
  Shipment& old = it->second;
  const ShipmentStatus status = old.status;
  old.status = ShipmentStatus::kCancelled;
  old.label_filename.reset();
  old.updated_at = w.now;
  const bool had_tracking =
      std::any_of(old.packages.begin(), old.packages.end(),
                  [](const Package& p) { return p.tracking_number.has_value(); });
  if (!old.created_by_api) {
    // The warehouse re-books the parcels with the carrier: same contents, a
    // new label and new tracking numbers.
    const GoodsOut& order = w.state.goods_outs.at(old.goods_out_id);
    const std::int64_t service = old.carrier_service_id;
    const int packages = static_cast<int>(old.packages.size());
    const std::vector<ShipmentLine> lines = old.lines;
    const std::optional<TimePoint> collected = old.collection_datetime;
    Shipment& replacement = w.NewShipment(order, service, packages, lines);
    replacement.status = status;
    replacement.collection_datetime = collected;
    if (had_tracking) {
      w.AssignTracking(replacement);
    }
    w.state.shipments.at(id).replaced_by = replacement.id;
  }
  return w.state.shipments.at(id);
}

Result<StockBalance> Warehouse::AdjustStock(std::int64_t product_id, std::int64_t warehouse_id,
                                            std::int64_t delta, const std::string& reason) {
  std::lock_guard lock(impl_->mu);
  Impl& w = *impl_;
  w.Advance();
  ASSIGN_OR_RETURN(StockBalance * balance, w.FindBalance(product_id, warehouse_id));
  if (balance->available + delta < 0) {
    return FailedPreconditionError(fmt::format("cannot adjust product {} by {}: only {} available",
                                               product_id, delta, balance->available));
  }
  balance->available += delta;
  balance->updated_at = w.now;
  const StockBalance result = *balance;
  w.EmitStock(WarehouseEvent::Kind::kStockAdjusted, result, delta, reason);
  if (delta > 0) {
    w.RetryWaiting();
  }
  return result;
}

Result<StockBalance> Warehouse::HoldStock(std::int64_t product_id, std::int64_t warehouse_id,
                                          std::int64_t quantity) {
  std::lock_guard lock(impl_->mu);
  Impl& w = *impl_;
  w.Advance();
  ASSIGN_OR_RETURN(StockBalance * balance, w.FindBalance(product_id, warehouse_id));
  if (quantity <= 0 || quantity > balance->available) {
    return FailedPreconditionError(fmt::format("cannot hold {} of product {}: {} available",
                                               quantity, product_id, balance->available));
  }
  balance->available -= quantity;
  balance->held += quantity;
  balance->updated_at = w.now;
  const StockBalance result = *balance;
  w.EmitStock(WarehouseEvent::Kind::kStockHeld, result, quantity, "hold");
  return result;
}

Result<StockBalance> Warehouse::ReleaseStock(std::int64_t product_id, std::int64_t warehouse_id,
                                             std::int64_t quantity) {
  std::lock_guard lock(impl_->mu);
  Impl& w = *impl_;
  w.Advance();
  ASSIGN_OR_RETURN(StockBalance * balance, w.FindBalance(product_id, warehouse_id));
  if (quantity <= 0 || quantity > balance->held) {
    return FailedPreconditionError(fmt::format("cannot release {} of product {}: {} held", quantity,
                                               product_id, balance->held));
  }
  balance->held -= quantity;
  balance->available += quantity;
  balance->updated_at = w.now;
  const StockBalance result = *balance;
  w.EmitStock(WarehouseEvent::Kind::kStockReleased, result, quantity, "release");
  w.RetryWaiting();
  return result;
}

Result<StockBalance> Warehouse::ReceiveStock(std::int64_t product_id, std::int64_t warehouse_id,
                                             std::int64_t quantity) {
  std::lock_guard lock(impl_->mu);
  Impl& w = *impl_;
  w.Advance();
  ASSIGN_OR_RETURN(StockBalance * balance, w.FindBalance(product_id, warehouse_id));
  if (quantity <= 0) {
    return FailedPreconditionError("a receipt needs a positive quantity");
  }
  balance->available += quantity;
  balance->received += quantity;
  balance->updated_at = w.now;
  w.RetryWaiting();
  return *balance;
}

Status Warehouse::AllocateNow(std::int64_t id) {
  std::lock_guard lock(impl_->mu);
  Impl& w = *impl_;
  w.Advance();
  ASSIGN_OR_RETURN(GoodsOut * order, w.FindOrder(id));
  if (order->status != GoodsOutStatus::kPending &&
      order->status != GoodsOutStatus::kPartAllocated) {
    return FailedPreconditionError(fmt::format("goods-out {} is {}, not PENDING or PART_ALLOCATED",
                                               id, GoodsOutStatusName(order->status)));
  }
  ++w.sims[id].stage;
  w.TryAllocate(*order);
  return Status::Ok();
}

Status Warehouse::PickNow(std::int64_t id,
                          const std::map<std::int64_t, std::int64_t>& short_by_line) {
  std::lock_guard lock(impl_->mu);
  Impl& w = *impl_;
  w.Advance();
  ASSIGN_OR_RETURN(GoodsOut * order, w.FindOrder(id));
  const GoodsOutStatus status = order->status;
  const bool pickable =
      status == GoodsOutStatus::kAllocated ||
      (status == GoodsOutStatus::kPartAllocated && w.AccountOf(*order).is_short_pickable) ||
      (status == GoodsOutStatus::kPick && !w.sims[id].picked);
  if (!pickable) {
    return FailedPreconditionError(
        fmt::format("goods-out {} is {} and cannot be picked now", id, GoodsOutStatusName(status)));
  }
  for (const auto& entry : short_by_line) {
    const std::int64_t line_id = entry.first;
    const std::int64_t units = entry.second;
    const bool known = std::any_of(order->lines.begin(), order->lines.end(),
                                   [line_id](const GoodsOutLine& l) { return l.id == line_id; });
    if (!known || units < 0) {
      return InvalidArgumentError(fmt::format("goods-out {} has no line {}", id, line_id));
    }
    if (!short_by_line.empty() && !w.AccountOf(*order).is_short_pickable) {
      return FailedPreconditionError("the account is not short pickable");
    }
  }
  ++w.sims[id].stage;
  w.waiting.erase(id);
  w.Pick(*order, short_by_line);
  w.SchedulePack(*order);
  return Status::Ok();
}

Result<Shipment> Warehouse::DispatchNow(std::int64_t id, const DispatchRequest& request) {
  std::lock_guard lock(impl_->mu);
  Impl& w = *impl_;
  w.Advance();
  ASSIGN_OR_RETURN(GoodsOut * order, w.FindOrder(id));
  if (order->status != GoodsOutStatus::kPick || !w.sims[id].picked) {
    return FailedPreconditionError(fmt::format("goods-out {} has nothing picked to dispatch", id));
  }
  for (const auto& [sid, shipment] : w.state.shipments) {
    if (shipment.goods_out_id == id && shipment.status == ShipmentStatus::kPacked) {
      return FailedPreconditionError(
          fmt::format("goods-out {} is already packed and waits for its collection", id));
    }
  }
  const auto left = w.Unshipped(*order);
  std::vector<ShipmentLine> lines;
  for (const GoodsOutLine& line : order->lines) {
    std::int64_t quantity = left.at(line.id);
    if (!request.quantity_by_line.empty()) {
      auto it = request.quantity_by_line.find(line.id);
      quantity = it == request.quantity_by_line.end() ? 0 : it->second;
      if (quantity < 0 || quantity > left.at(line.id)) {
        return InvalidArgumentError(
            fmt::format("line {} has {} picked units left to dispatch", line.id, left.at(line.id)));
      }
    }
    if (quantity > 0) {
      lines.push_back({line.id, quantity});
    }
  }
  for (const auto& [line_id, quantity] : request.quantity_by_line) {
    if (left.count(line_id) == 0) {
      return InvalidArgumentError(fmt::format("goods-out {} has no line {}", id, line_id));
    }
  }
  if (lines.empty()) {
    return InvalidArgumentError("nothing to dispatch");
  }
  const std::int64_t service = request.carrier_service_id.value_or(w.DefaultServiceId(*order));
  if (w.state.carrier_services.count(service) == 0) {
    return InvalidArgumentError(fmt::format("carrier service {} does not exist", service));
  }
  ++w.sims[id].stage;
  Shipment& shipment = w.NewShipment(*order, service, std::max(1, request.packages), lines);
  w.Collect(shipment);
  return w.state.shipments.at(shipment.id);
}

Status Warehouse::CompleteNow(std::int64_t id) {
  std::lock_guard lock(impl_->mu);
  Impl& w = *impl_;
  w.Advance();
  ASSIGN_OR_RETURN(GoodsOut * order, w.FindOrder(id));
  if (order->status == GoodsOutStatus::kDraft || order->status == GoodsOutStatus::kCompleted ||
      order->status == GoodsOutStatus::kCancelled) {
    return FailedPreconditionError(fmt::format("goods-out {} is {} and cannot be completed", id,
                                               GoodsOutStatusName(order->status)));
  }
  OrderSim& sim = w.sims[id];
  if (order->status == GoodsOutStatus::kPending ||
      order->status == GoodsOutStatus::kPartAllocated) {
    w.TryAllocate(*order);
    if (order->status != GoodsOutStatus::kAllocated) {
      if (!w.AccountOf(*order).is_short_pickable) {
        return FailedPreconditionError(fmt::format(
            "goods-out {}: not enough stock and the account is not short pickable", id));
      }
      w.ShortUnallocated(*order);
    }
  }
  ++sim.stage;
  if (!sim.picked) {
    w.Pick(*order, {});
  }
  for (auto& [sid, shipment] : w.state.shipments) {
    if (shipment.goods_out_id == id && shipment.status == ShipmentStatus::kPacked) {
      w.Collect(shipment);
    }
  }
  w.Pack(*order, true);
  return Status::Ok();
}

Status Warehouse::PlanSplit(std::int64_t id, int shipments, int packages_per_shipment) {
  std::lock_guard lock(impl_->mu);
  Impl& w = *impl_;
  w.Advance();
  ASSIGN_OR_RETURN(GoodsOut * order, w.FindOrder(id));
  if (shipments < 1 || shipments > 10 || packages_per_shipment < 1 || packages_per_shipment > 10) {
    return InvalidArgumentError("shipments and packages_per_shipment must be 1 to 10");
  }
  for (const auto& [sid, shipment] : w.state.shipments) {
    if (shipment.goods_out_id == id) {
      return FailedPreconditionError(fmt::format("goods-out {} is already packed", id));
    }
  }
  if (order->status == GoodsOutStatus::kCompleted || order->status == GoodsOutStatus::kCancelled) {
    return FailedPreconditionError(
        fmt::format("goods-out {} is {}", id, GoodsOutStatusName(order->status)));
  }
  w.sims[id].split_shipments = shipments;
  w.sims[id].packages_per_shipment = packages_per_shipment;
  return Status::Ok();
}

}  // namespace sellerbridge::emulators::clarus
