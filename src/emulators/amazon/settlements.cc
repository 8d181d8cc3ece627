#include "emulators/amazon/settlements.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>

#include "base/marketplace.h"
#include "base/status_macros.h"
#include "base/time_format.h"
#include "emulators/amazon/order_json.h"

namespace sellerbridge::emulators::amazon {
namespace {

// A share of `amount` in basis points, rounded half away from zero.
std::int64_t Share(std::int64_t amount, int basis_points) {
  const std::int64_t scaled = amount * basis_points;
  return scaled >= 0 ? (scaled + 5000) / 10000 : -((-scaled + 5000) / 10000);
}

// Amazon's refund administration fee: 20 % of the referral fee refunded, at
// most 5.00 in the marketplace currency.
constexpr int kRefundCommissionBasisPoints = 2000;
constexpr std::int64_t kRefundCommissionCapMinor = 500;

Status ReadInt(const toml::table& table, std::string_view key, std::string_view source, int min,
               int max, int& out) {
  const toml::node* node = table.get(key);
  if (node == nullptr) {
    return Status::Ok();
  }
  const auto value = node->value<std::int64_t>();
  if (!node->is_integer() || !value || *value < min || *value > max) {
    return InvalidArgumentError(
        fmt::format("{}:{}: settlements.{} must be an integer from {} to {}", source,
                    node->source().begin.line, key, min, max));
  }
  out = static_cast<int>(*value);
  return Status::Ok();
}

Status ReadNumber(const toml::table& table, std::string_view key, std::string_view source,
                  double max, double& out) {
  const toml::node* node = table.get(key);
  if (node == nullptr) {
    return Status::Ok();
  }
  const auto value = node->value<double>();
  if (!value || *value < 0 || *value > max) {
    return InvalidArgumentError(fmt::format("{}:{}: settlements.{} must be a number from 0 to {}",
                                            source, node->source().begin.line, key, max));
  }
  out = *value;
  return Status::Ok();
}

}  // namespace

Result<SettlementOptions> ParseSettlementOptions(std::string_view toml_text,
                                                 std::string_view source_name) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& error) {
    return InvalidArgumentError(
        fmt::format("{}:{}: {}", source_name, error.source().begin.line, error.description()));
  }
  SettlementOptions options;
  const toml::node* node = root.get("settlements");
  if (node == nullptr) {
    return options;
  }
  const toml::table* table = node->as_table();
  if (table == nullptr) {
    return InvalidArgumentError(
        fmt::format("{}:{}: settlements must be a table", source_name, node->source().begin.line));
  }
  if (const toml::node* anchor = table->get("anchor"); anchor != nullptr) {
    const auto text = anchor->value<std::string>();
    auto parsed = text ? ParseIso8601(*text) : Result<TimePoint>(InvalidArgumentError(""));
    if (!parsed.ok()) {
      return InvalidArgumentError(
          fmt::format("{}:{}: settlements.anchor must be an ISO 8601 "
                      "date-time string",
                      source_name, anchor->source().begin.line));
    }
    options.anchor = *parsed;
  }
  RETURN_IF_ERROR(ReadInt(*table, "period_days", source_name, 1, 366, options.period_days));
  RETURN_IF_ERROR(
      ReadInt(*table, "deposit_delay_days", source_name, 0, 30, options.deposit_delay_days));
  double commission = options.commission_basis_points / 100.0;
  double reserve = options.reserve_basis_points / 100.0;
  double advertising = static_cast<double>(options.advertising_minor) / 100.0;
  RETURN_IF_ERROR(ReadNumber(*table, "commission_percent", source_name, 100, commission));
  RETURN_IF_ERROR(ReadNumber(*table, "reserve_percent", source_name, 100, reserve));
  RETURN_IF_ERROR(ReadNumber(*table, "advertising", source_name, 1e9, advertising));
  options.commission_basis_points = static_cast<int>(std::lround(commission * 100));
  options.reserve_basis_points = static_cast<int>(std::lround(reserve * 100));
  options.advertising_minor = std::llround(advertising * 100);
  return options;
}

Result<SettlementOptions> LoadSettlementOptions(const std::optional<std::filesystem::path>& file,
                                                const std::optional<std::string>& text) {
  if (file) {
    std::ifstream in(*file, std::ios::binary);
    if (!in) {
      return NotFoundError(fmt::format("cannot read scenario file {}", file->string()));
    }
    std::ostringstream contents;
    contents << in.rdbuf();
    return ParseSettlementOptions(contents.str(), file->string());
  }
  if (text) {
    return ParseSettlementOptions(*text, "scenario");
  }
  return SettlementOptions{};
}

std::string SettlementDocument(const SettlementRecord& record) {
  return WriteSettlementFlatFile(record.settlement, NumberFormatOf(record.marketplace_id));
}

SettlementLedger::SettlementLedger(SellerState* state, std::uint64_t seed, Clock* clock)
    : state_(state),
      clock_(clock),
      rng_(seed * 0x2545F4914F6CDD1DULL + 3),
      period_start_(clock->Now()) {}

Status SettlementLedger::Configure(const SettlementOptions& options) {
  if (options.period_days < 1 || options.deposit_delay_days < 0 ||
      options.commission_basis_points < 0 || options.reserve_basis_points < 0 ||
      options.reserve_basis_points > 10000 || options.advertising_minor < 0) {
    return InvalidArgumentError(
        "settlement periods last at least a day; rates and amounts are not negative");
  }
  std::lock_guard lock(mu_);
  if (!records_.empty()) {
    return FailedPreconditionError("a settlement has already been closed");
  }
  options_ = options;
  if (options.anchor) {
    period_start_ = *options.anchor;
  }
  return Status::Ok();
}

std::string SettlementLedger::DigitsLocked(int count) {
  std::uniform_int_distribution<int> digit(0, 9);
  std::string out = std::to_string(1 + digit(rng_) % 9);
  while (static_cast<int>(out.size()) < count) {
    out += static_cast<char>('0' + digit(rng_));
  }
  return out;
}

void SettlementLedger::CloseLocked(TimePoint end) {
  const TimePoint start = period_start_;
  period_start_ = end;
  const std::vector<Order> orders = state_->OrdersWithActivity(start, end);
  const auto within = [start, end](TimePoint t) { return t >= start && t < end; };
  for (const std::string& marketplace_id : state_->MarketplaceIds()) {
    const Marketplace* marketplace = FindMarketplace(marketplace_id);
    const std::string marketplace_name(MarketplaceName(marketplace_id));
    std::vector<SettlementLine> lines;
    const auto add = [&](SettlementLine line) {
      line.marketplace_name = marketplace_name;
      line.fulfillment_id = line.order_id.empty() ? "" : "MFN";
      lines.push_back(std::move(line));
    };
    bool sales = false;
    for (const Order& order : orders) {
      if (order.marketplace_id != marketplace_id) {
        continue;
      }
      for (const Package& package : order.packages) {
        if (!within(package.arrival_time)) {
          continue;
        }
        for (const auto& [item_id, quantity] : package.items) {
          const OrderLine* line = order.FindLine(item_id);
          if (line == nullptr) {
            continue;
          }
          sales = true;
          const std::int64_t principal = line->unit_price_minor * quantity;
          SettlementLine row{.transaction_type = "Order",
                             .order_id = order.order_id,
                             .amount_type = "ItemPrice",
                             .amount_description = "Principal",
                             .amount_minor = principal,
                             .posted_date = package.arrival_time,
                             .order_item_code = item_id,
                             .sku = line->sku,
                             .quantity_purchased = quantity};
          add(row);
          row.quantity_purchased = 0;
          if (const std::int64_t shipping = line->ShareFor(line->shipping_minor, quantity);
              shipping != 0) {
            row.amount_description = "Shipping";
            row.amount_minor = shipping;
            add(row);
          }
          if (const std::int64_t promotion = line->ShareFor(line->promotion_minor, quantity);
              promotion != 0) {
            row.amount_type = "Promotion";
            row.amount_description = "Principal";
            row.promotion_id = "Emulator promotion 10% off";
            row.amount_minor = -promotion;
            add(row);
            row.promotion_id.clear();
          }
          row.amount_type = "ItemFees";
          row.amount_description = "Commission";
          row.amount_minor = -Share(principal, options_.commission_basis_points);
          add(row);
        }
      }
      if (order.refunded_at && within(*order.refunded_at)) {
        const std::string adjustment_id = DigitsLocked(11);
        for (const OrderLine& line : order.lines) {
          if (line.quantity_shipped == 0) {
            continue;
          }
          const std::int64_t principal = line.unit_price_minor * line.quantity_shipped;
          const std::int64_t commission = Share(principal, options_.commission_basis_points);
          SettlementLine row{.transaction_type = "Refund",
                             .order_id = order.order_id,
                             .adjustment_id = adjustment_id,
                             .amount_type = "ItemPrice",
                             .amount_description = "Principal",
                             .amount_minor = -principal,
                             .posted_date = *order.refunded_at,
                             .order_item_code = line.order_item_id,
                             .sku = line.sku};
          add(row);
          if (const std::int64_t shipping =
                  line.ShareFor(line.shipping_minor, line.quantity_shipped);
              shipping != 0) {
            row.amount_description = "Shipping";
            row.amount_minor = -shipping;
            add(row);
          }
          if (const std::int64_t promotion =
                  line.ShareFor(line.promotion_minor, line.quantity_shipped);
              promotion != 0) {
            row.amount_type = "Promotion";
            row.amount_description = "Principal";
            row.promotion_id = "Emulator promotion 10% off";
            row.amount_minor = promotion;
            add(row);
            row.promotion_id.clear();
          }
          row.amount_type = "ItemFees";
          row.amount_description = "Commission";
          row.amount_minor = commission;
          add(row);
          row.amount_description = "RefundCommission";
          row.amount_minor =
              -std::min(kRefundCommissionCapMinor, Share(commission, kRefundCommissionBasisPoints));
          add(row);
        }
      }
      for (const AmazonLabel& label : order.amazon_labels) {
        SettlementLine row{.transaction_type = "other-transaction",
                           .order_id = order.order_id,
                           .shipment_id = label.shipment_id,
                           .amount_type = "ShipmentFees",
                           .amount_description = "Shipping label purchase",
                           .amount_minor = -label.rate_minor,
                           .posted_date = label.purchased};
        if (within(label.purchased)) {
          add(row);
        }
        if (label.cancelled && within(*label.cancelled + kLabelRefundDelay)) {
          row.amount_description = "Shipping label refund";
          row.amount_minor = label.rate_minor;
          row.posted_date = *label.cancelled + kLabelRefundDelay;
          add(row);
        }
      }
    }
    std::stable_sort(lines.begin(), lines.end(),
                     [](const auto& a, const auto& b) { return a.posted_date < b.posted_date; });
    const TimePoint last_second = end - std::chrono::seconds(1);
    if (sales && options_.advertising_minor > 0) {
      add({.transaction_type = "ServiceFee",
           .amount_type = "Cost of Advertising",
           .amount_description = "TransactionTotalAmount",
           .amount_minor = -options_.advertising_minor,
           .posted_date = last_second});
    }
    std::int64_t net = 0;
    for (const SettlementLine& line : lines) {
      net += line.amount_minor;
    }
    auto held = std::find_if(reserves_.begin(), reserves_.end(),
                             [&](const auto& entry) { return entry.first == marketplace_id; });
    if (held != reserves_.end() && held->second > 0) {
      add({.transaction_type = "other-transaction",
           .amount_type = "other-transaction",
           .amount_description = "Previous Reserve Amount Balance",
           .amount_minor = held->second,
           .posted_date = start});
    }
    const std::int64_t reserve = net > 0 ? Share(net, options_.reserve_basis_points) : 0;
    if (reserve > 0) {
      add({.transaction_type = "other-transaction",
           .amount_type = "other-transaction",
           .amount_description = "Current Reserve Amount",
           .amount_minor = -reserve,
           .posted_date = last_second});
    }
    if (held == reserves_.end()) {
      reserves_.emplace_back(marketplace_id, reserve);
    } else {
      held->second = reserve;
    }
    if (lines.empty()) {
      continue;
    }
    SettlementRecord record;
    record.marketplace_id = marketplace_id;
    record.settlement.settlement_id = DigitsLocked(11);
    record.settlement.start_date = start;
    record.settlement.end_date = end;
    record.settlement.deposit_date = end + std::chrono::days(options_.deposit_delay_days);
    record.settlement.currency =
        marketplace != nullptr ? std::string(marketplace->currency) : std::string("GBP");
    for (const SettlementLine& line : lines) {
      record.total_minor += line.amount_minor;
    }
    record.settlement.lines = std::move(lines);
    record.report_id = DigitsLocked(11);
    std::string region = marketplace != nullptr ? std::string(marketplace->region) : "eu";
    std::transform(region.begin(), region.end(), region.begin(),
                   [](char c) { return static_cast<char>(std::tolower(c)); });
    const std::uint64_t high = rng_();
    const std::uint64_t low = rng_();
    record.report_document_id =
        fmt::format("amzn1.spdoc.1.4.{}.{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", region, high >> 32U,
                    (high >> 16U) & 0xffffU, high & 0xfffU, 0x8000U | (low >> 48U & 0x3fffU),
                    low & 0xffffffffffffULL);
    record.created = end;
    records_.push_back(std::move(record));
  }
}

void SettlementLedger::SyncLocked(TimePoint now) {
  const Duration period = std::chrono::days(options_.period_days);
  while (period_start_ + period <= now) {
    CloseLocked(period_start_ + period);
  }
  std::erase_if(records_, [now](const SettlementRecord& record) {
    return record.created + kRetention <= now;
  });
}

std::vector<SettlementRecord> SettlementLedger::Settlements() {
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  SyncLocked(now);
  return records_;
}

std::vector<SettlementRecord> SettlementLedger::CloseCurrentPeriod() {
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  SyncLocked(now);
  const std::size_t before = records_.size();
  if (now > period_start_) {
    CloseLocked(now);
  }
  return {records_.begin() + static_cast<std::ptrdiff_t>(before), records_.end()};
}

std::optional<SettlementRecord> SettlementLedger::FindReport(std::string_view report_id) {
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  SyncLocked(now);
  for (const SettlementRecord& record : records_) {
    if (record.report_id == report_id) {
      return record;
    }
  }
  return std::nullopt;
}

std::optional<SettlementRecord> SettlementLedger::FindDocument(std::string_view document_id) {
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  SyncLocked(now);
  for (const SettlementRecord& record : records_) {
    if (record.report_document_id == document_id) {
      return record;
    }
  }
  return std::nullopt;
}

}  // namespace sellerbridge::emulators::amazon
