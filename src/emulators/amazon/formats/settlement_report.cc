#include "emulators/amazon/formats/settlement_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>

#include "base/marketplace.h"

namespace sellerbridge::emulators::amazon {
namespace {

constexpr std::array<std::string_view, 23> kColumns = {"settlement-id",
                                                       "settlement-start-date",
                                                       "settlement-end-date",
                                                       "deposit-date",
                                                       "total-amount",
                                                       "currency",
                                                       "transaction-type",
                                                       "order-id",
                                                       "merchant-order-id",
                                                       "adjustment-id",
                                                       "shipment-id",
                                                       "marketplace-name",
                                                       "amount-type",
                                                       "amount-description",
                                                       "amount",
                                                       "fulfillment-id",
                                                       "posted-date",
                                                       "posted-date-time",
                                                       "order-item-code",
                                                       "merchant-order-item-id",
                                                       "merchant-adjustment-item-id",
                                                       "sku",
                                                       "quantity-purchased"};
// Some settlement files carry this trailing column; it is written only when a
// line has a promotion id, and readers find columns by header name.
constexpr std::string_view kPromotionColumn = "promotion-id";

// Marketplaces whose reports write "95,00" rather than "95.00".
constexpr std::array<std::string_view, 10> kCommaDecimalCountries = {"DE", "FR", "IT", "ES", "NL",
                                                                     "BE", "SE", "PL", "TR", "BR"};

// ISO 4217 currencies without minor units among Amazon's marketplaces.
constexpr std::array<std::string_view, 1> kZeroDecimalCurrencies = {"JPY"};

std::string FormatAmount(std::int64_t minor, std::string_view currency, NumberFormat format) {
  const bool zero_decimals = std::find(kZeroDecimalCurrencies.begin(), kZeroDecimalCurrencies.end(),
                                       currency) != kZeroDecimalCurrencies.end();
  if (zero_decimals) {
    return std::to_string(minor);
  }
  // Computed on the magnitude as unsigned, so that INT64_MIN has no overflow.
  const bool negative = minor < 0;
  const std::uint64_t magnitude =
      negative ? 0 - static_cast<std::uint64_t>(minor) : static_cast<std::uint64_t>(minor);
  return fmt::format("{}{}{}{:02}", negative ? "-" : "", magnitude / 100,
                     format == NumberFormat::kCommaDecimal ? ',' : '.', magnitude % 100);
}

// Amazon's settlement documentation gives "YYYY-MM-DD HH:MM:SS UTC" for
// date-times and "MM/DD/YY" for posted-date, and names only amounts as
// differing between marketplaces, so dates are the same in both formats.
struct CivilTime {
  int year;
  unsigned month;
  unsigned day;
  long long hours;
  long long minutes;
  long long seconds;
};

CivilTime ToCivil(TimePoint t) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(t);
  const auto day = std::chrono::floor<std::chrono::days>(seconds);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{seconds - day};
  return {static_cast<int>(ymd.year()),
          static_cast<unsigned>(ymd.month()),
          static_cast<unsigned>(ymd.day()),
          hms.hours().count(),
          hms.minutes().count(),
          hms.seconds().count()};
}

std::string FormatDateTime(TimePoint t) {
  const CivilTime c = ToCivil(t);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC", c.year, c.month, c.day, c.hours,
                     c.minutes, c.seconds);
}

std::string FormatPostedDate(TimePoint t) {
  const CivilTime c = ToCivil(t);
  return fmt::format("{:02}/{:02}/{:02}", c.month, c.day, ((c.year % 100) + 100) % 100);
}

// A tab or line break inside a value would shift every later column.
std::string Field(std::string_view text) {
  std::string field(text);
  for (char& c : field) {
    if (c == '\t' || c == '\n' || c == '\r') {
      c = ' ';
    }
  }
  return field;
}

void AppendRow(std::string& out, const std::vector<std::string>& fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) {
      out.push_back('\t');
    }
    out += fields[i];
  }
  out.push_back('\n');
}

}  // namespace

NumberFormat NumberFormatOf(std::string_view marketplace_id) {
  const Marketplace* marketplace = FindMarketplace(marketplace_id);
  if (marketplace == nullptr) {
    return NumberFormat::kDotDecimal;
  }
  const bool comma = std::find(kCommaDecimalCountries.begin(), kCommaDecimalCountries.end(),
                               marketplace->country_code) != kCommaDecimalCountries.end();
  return comma ? NumberFormat::kCommaDecimal : NumberFormat::kDotDecimal;
}

std::string WriteSettlementFlatFile(const Settlement& settlement, NumberFormat format) {
  bool has_promotions = false;
  std::int64_t total = 0;
  for (const SettlementLine& line : settlement.lines) {
    has_promotions = has_promotions || !line.promotion_id.empty();
    total += line.amount_minor;
  }
  const size_t width = kColumns.size() + (has_promotions ? 1 : 0);

  std::string out;
  std::vector<std::string> row(kColumns.begin(), kColumns.end());
  if (has_promotions) {
    row.emplace_back(kPromotionColumn);
  }
  AppendRow(out, row);

  row.assign(width, "");
  row[0] = Field(settlement.settlement_id);
  row[1] = FormatDateTime(settlement.start_date);
  row[2] = FormatDateTime(settlement.end_date);
  row[3] = FormatDateTime(settlement.deposit_date);
  row[4] = FormatAmount(total, settlement.currency, format);
  row[5] = Field(settlement.currency);
  AppendRow(out, row);

  for (const SettlementLine& line : settlement.lines) {
    row.assign(width, "");
    row[0] = Field(settlement.settlement_id);
    row[6] = Field(line.transaction_type);
    row[7] = Field(line.order_id);
    row[8] = Field(line.merchant_order_id);
    row[9] = Field(line.adjustment_id);
    row[10] = Field(line.shipment_id);
    row[11] = Field(line.marketplace_name);
    row[12] = Field(line.amount_type);
    row[13] = Field(line.amount_description);
    row[14] = FormatAmount(line.amount_minor, settlement.currency, format);
    row[15] = Field(line.fulfillment_id);
    row[16] = FormatPostedDate(line.posted_date);
    row[17] = FormatDateTime(line.posted_date);
    row[18] = Field(line.order_item_code);
    row[19] = Field(line.merchant_order_item_id);
    row[20] = Field(line.merchant_adjustment_item_id);
    row[21] = Field(line.sku);
    // Fee and transfer rows leave the quantity blank rather than writing 0.
    row[22] = line.quantity_purchased == 0 ? "" : std::to_string(line.quantity_purchased);
    if (has_promotions) {
      row[23] = Field(line.promotion_id);
    }
    AppendRow(out, row);
  }
  return out;
}

}  // namespace sellerbridge::emulators::amazon
