#include "emulators/amazon/settlements.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>
#include <utility>

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

Status ReadBool(const toml::table& table, std::string_view key, std::string_view source,
                bool& out) {
  const toml::node* node = table.get(key);
  if (node == nullptr) {
    return Status::Ok();
  }
  const auto value = node->value_exact<bool>();
  if (!value) {
    return InvalidArgumentError(fmt::format("{}:{}: settlements.{} must be true or false", source,
                                            node->source().begin.line, key));
  }
  out = *value;
  return Status::Ok();
}

// Reads a string key that names one of `choices`.
template <typename T, size_t N>
Status ReadChoice(const toml::table& table, std::string_view key, std::string_view source,
                  const std::array<std::pair<std::string_view, T>, N>& choices, T& out) {
  const toml::node* node = table.get(key);
  if (node == nullptr) {
    return Status::Ok();
  }
  if (const auto text = node->value_exact<std::string>()) {
    for (const auto& [name, value] : choices) {
      if (*text == name) {
        out = value;
        return Status::Ok();
      }
    }
  }
  std::string names;
  for (const auto& choice : choices) {
    names += fmt::format("{}\"{}\"", names.empty() ? "" : ", ", choice.first);
  }
  return InvalidArgumentError(fmt::format("{}:{}: settlements.{} must be one of {}", source,
                                          node->source().begin.line, key, names));
}

constexpr std::array<std::pair<std::string_view, LineEnd>, 2> kLineEnds = {
    {{"lf", LineEnd::kLf}, {"crlf", LineEnd::kCrLf}}};
constexpr std::array<std::pair<std::string_view, DocumentEncoding>, 4> kEncodings = {
    {{"utf-8", DocumentEncoding::kUtf8},
     {"iso-8859-1", DocumentEncoding::kLatin1},
     {"windows-1252", DocumentEncoding::kWindows1252},
     {"shift_jis", DocumentEncoding::kShiftJis}}};
constexpr std::array<std::pair<std::string_view, SettlementDateFormat>, 3> kDateFormats = {
    {{"utc", SettlementDateFormat::kUtc},
     {"dotted", SettlementDateFormat::kDotted},
     {"iso8601", SettlementDateFormat::kIso8601}}};

// Reads [[settlements.extra_rows]].
Status ReadExtraRows(const toml::table& table, std::string_view source,
                     std::vector<ExtraSettlementRow>& out) {
  const toml::node* node = table.get("extra_rows");
  if (node == nullptr) {
    return Status::Ok();
  }
  const toml::array* rows = node->as_array();
  if (rows == nullptr || !rows->is_array_of_tables()) {
    return InvalidArgumentError(
        fmt::format("{}:{}: settlements.extra_rows must be an array of tables", source,
                    node->source().begin.line));
  }
  for (size_t i = 0; i < rows->size(); ++i) {
    const toml::table& row = *rows->get(i)->as_table();
    const auto fail = [&](std::string_view key, std::string_view what) {
      const toml::node* at = row.get(key);
      return InvalidArgumentError(fmt::format(
          "{}:{}: settlements.extra_rows[{}].{} must be {}", source,
          (at != nullptr ? at : static_cast<const toml::node*>(&row))->source().begin.line, i, key,
          what));
    };
    ExtraSettlementRow extra;
    for (auto [key, field] : {std::pair{"transaction_type", &extra.transaction_type},
                              std::pair{"amount_type", &extra.amount_type},
                              std::pair{"amount_description", &extra.amount_description}}) {
      const auto text = row[key].value_exact<std::string>();
      if (!text || text->empty()) {
        return fail(key, "a non-empty string");
      }
      *field = *text;
    }
    const toml::node* amount = row.get("amount");
    const auto value = amount != nullptr ? amount->value<double>() : std::nullopt;
    if (!value || !std::isfinite(*value) || std::fabs(*value) > 1e9) {
      return fail("amount", "a number from -1e9 to 1e9");
    }
    extra.amount = *value;
    if (const toml::node* order_id = row.get("order_id"); order_id != nullptr) {
      const auto text = order_id->value_exact<std::string>();
      if (!text) {
        return fail("order_id", "a string");
      }
      extra.order_id = *text;
    }
    out.push_back(std::move(extra));
  }
  return Status::Ok();
}

// The promotion names sellers give, by country; elsewhere the English one.
constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kPromotionNames = {{
    {"DE", "Größen-Aktion 10 % Rabatt"},
    {"FR", "Promotion 10 % de réduction"},
    {"IT", "Sconto del 10 % già incluso"},
    {"ES", "Promoción 10 % de descuento"},
    {"JP", "セール10%オフ"},
}};

// The rows of `lines` whose amounts a damaged file garbles: the referral fee
// rows first, as they are the most numerous, then the others; ascending.
std::vector<std::size_t> DamagedIndexes(const std::vector<SettlementLine>& lines, int count) {
  std::vector<std::size_t> indexes(lines.size());
  for (std::size_t i = 0; i < indexes.size(); ++i) {
    indexes[i] = i;
  }
  std::stable_partition(indexes.begin(), indexes.end(), [&](std::size_t i) {
    return lines[i].amount_type == "ItemFees" && lines[i].amount_description == "Commission";
  });
  indexes.resize(std::min(indexes.size(), static_cast<std::size_t>(count)));
  std::sort(indexes.begin(), indexes.end());
  return indexes;
}

}  // namespace

std::string_view PromotionName(std::string_view marketplace_id) {
  if (const Marketplace* marketplace = FindMarketplace(marketplace_id); marketplace != nullptr) {
    for (const auto& [country, name] : kPromotionNames) {
      if (marketplace->country_code == country) {
        return name;
      }
    }
  }
  return "Emulator promotion 10% off";
}

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
  RETURN_IF_ERROR(ReadExtraRows(*table, source_name, options.extra_rows));
  RETURN_IF_ERROR(ReadBool(*table, "byte_order_mark", source_name, options.style.byte_order_mark));
  RETURN_IF_ERROR(ReadChoice(*table, "line_ends", source_name, kLineEnds, options.style.line_end));
  RETURN_IF_ERROR(ReadChoice(*table, "encoding", source_name, kEncodings, options.style.encoding));
  RETURN_IF_ERROR(
      ReadChoice(*table, "date_format", source_name, kDateFormats, options.style.date_format));
  RETURN_IF_ERROR(
      ReadBool(*table, "thousands_separator", source_name, options.style.thousands_separator));
  RETURN_IF_ERROR(
      ReadInt(*table, "malformed_rows", source_name, 0, 1000000, options.malformed_rows));
  if (options.style.byte_order_mark && options.style.encoding != DocumentEncoding::kUtf8) {
    return InvalidArgumentError(
        fmt::format("{}:{}: settlements.byte_order_mark needs encoding \"utf-8\"", source_name,
                    table->get("byte_order_mark")->source().begin.line));
  }
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
  return WriteSettlementFlatFile(record.settlement, NumberFormatOf(record.marketplace_id),
                                 record.style);
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
  if (options.malformed_rows < 0) {
    return InvalidArgumentError("settlement malformed_rows must not be negative");
  }
  if (options.style.byte_order_mark && options.style.encoding != DocumentEncoding::kUtf8) {
    return InvalidArgumentError("a settlement byte-order mark needs the UTF-8 encoding");
  }
  for (const ExtraSettlementRow& row : options.extra_rows) {
    if (row.transaction_type.empty() || row.amount_type.empty() || row.amount_description.empty() ||
        !std::isfinite(row.amount)) {
      return InvalidArgumentError(
          "a settlement extra row needs transaction_type, amount_type, amount_description and a "
          "finite amount");
    }
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
    const std::string promotion_name(PromotionName(marketplace_id));
    const std::string currency =
        marketplace != nullptr ? std::string(marketplace->currency) : std::string("GBP");
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
            row.promotion_id = promotion_name;
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
            row.promotion_id = promotion_name;
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
    if (sales) {
      const double scale = std::pow(10.0, CurrencyDecimals(currency));
      for (const ExtraSettlementRow& extra : options_.extra_rows) {
        add({.transaction_type = extra.transaction_type,
             .order_id = extra.order_id,
             .amount_type = extra.amount_type,
             .amount_description = extra.amount_description,
             .amount_minor = std::llround(extra.amount * scale),
             .posted_date = last_second});
      }
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
    record.settlement.currency = currency;
    for (const SettlementLine& line : lines) {
      record.total_minor += line.amount_minor;
    }
    record.style = options_.style;
    record.style.damaged_lines = DamagedIndexes(lines, options_.malformed_rows);
    for (const std::size_t index : record.style.damaged_lines) {
      record.damaged_lines.push_back(
          {.line = SettlementFileLineOf(index), .amount_minor = lines[index].amount_minor});
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
