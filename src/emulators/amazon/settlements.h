#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "emulators/amazon/formats/settlement_report.h"
#include "emulators/amazon/seller_state.h"

namespace sellerbridge::emulators::amazon {

// A row added to every settlement with sales, posted at the period's last
// second, as Amazon adds reimbursements and fees the emulator does not model.
struct ExtraSettlementRow {
  std::string transaction_type;    // e.g. "other-transaction", "Liquidations".
  std::string amount_type;         // e.g. "FBA Inventory Reimbursement".
  std::string amount_description;  // e.g. "WAREHOUSE_LOST".
  double amount = 0;               // In the currency's major units; negative for a charge.
  std::string order_id;            // Usually empty.
};

// How Amazon settles the seller's account.
struct SettlementOptions {
  std::optional<TimePoint> anchor;  // Start of the first period; default: the emulator's start.
  int period_days = 14;
  int deposit_delay_days = 3;             // deposit-date = settlement-end-date + this.
  int commission_basis_points = 1500;     // Referral fee on the item price (15 %).
  int reserve_basis_points = 1000;        // Held from a settlement's net, released in the next.
  std::int64_t advertising_minor = 2500;  // "Cost of Advertising" per settlement with sales.
  std::vector<ExtraSettlementRow> extra_rows;
  // How documents are written, for every marketplace (damaged_lines unused:
  // malformed_rows chooses them).
  SettlementFileStyle style;
  // In each settlement, this many rows have their amount written unreadable:
  // the ItemFees/Commission rows first, then the others, in file order.
  int malformed_rows = 0;
};

// Reads the optional [settlements] table of a scenario (see
// docs/emulators.md); keys not given keep the defaults. InvalidArgument
// naming the key and its line for a malformed value, or for a byte-order
// mark asked for with another encoding than UTF-8. Thread-safe.
Result<SettlementOptions> ParseSettlementOptions(std::string_view toml_text,
                                                 std::string_view source_name);
// The [settlements] options of the scenario file, else of the scenario text,
// else the defaults. NotFound if the file cannot be read.
Result<SettlementOptions> LoadSettlementOptions(const std::optional<std::filesystem::path>& file,
                                                const std::optional<std::string>& text);

// A row of a settlement document whose amount was written unreadable.
struct DamagedLine {
  int line = 0;                   // 1-based line of the document; the header is line 1.
  std::int64_t amount_minor = 0;  // Its real amount, counted in total-amount.

  friend bool operator==(const DamagedLine&, const DamagedLine&) = default;
};

// The promotion-id the emulator writes on Promotion rows of
// `marketplace_id`: the seller's promotion name in the marketplace's
// language, "Größen-Aktion 10 % Rabatt" (DE), "Promotion 10 % de réduction"
// (FR), "Sconto del 10 % già incluso" (IT), "Promoción 10 % de descuento"
// (ES), "セール10%オフ" (JP), else "Emulator promotion 10% off".
std::string_view PromotionName(std::string_view marketplace_id);

// One closed settlement and the GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2
// report Amazon lists it under.
struct SettlementRecord {
  Settlement settlement;
  std::string marketplace_id;
  std::string report_id;                   // 11 digits.
  std::string report_document_id;          // amzn1.spdoc.1.4.<region>.<uuid>
  TimePoint created;                       // The end of the period: when the report appears.
  std::int64_t total_minor = 0;            // The sum of every line: the summary's total-amount.
  SettlementFileStyle style;               // How its document is written.
  std::vector<DamagedLine> damaged_lines;  // Ascending by line.
};

// The report document of a settlement: the flat file in its marketplace's
// number format and the record's style. Thread-safe.
std::string SettlementDocument(const SettlementRecord& record);

// Amazon's settlement cycle for one seller: every period_days of the
// emulator clock it closes a settlement per marketplace that had money
// movements, built from the order history: ItemPrice/Principal and
// ItemFees/Commission per shipped item, Refund rows (Principal, Commission
// returned, RefundCommission), ShipmentFees for labels bought on Amazon (and
// their refunds), Cost of Advertising, and the Previous / Current Reserve
// rows, and the options' extra rows. Promotion rows carry a promotion name
// in the marketplace's language (see PromotionName). Periods close lazily
// when a call arrives. Settlements older than 90 days are dropped, as Amazon
// retains reports for 90 days. Thread-safe.
class SettlementLedger {
 public:
  static constexpr std::chrono::hours kRetention{90 * 24};

  // `state` and `clock` must outlive the ledger.
  SettlementLedger(SellerState* state, std::uint64_t seed, Clock* clock);

  // Replaces the options. InvalidArgument for a period below one day, a
  // negative amount, rate or malformed_rows, an extra row without
  // transaction_type, amount_type or amount_description, or a byte-order
  // mark with another encoding than UTF-8; FailedPrecondition once a
  // settlement was closed.
  Status Configure(const SettlementOptions& options);

  // Every retained settlement, oldest first, after closing each period that
  // has ended.
  std::vector<SettlementRecord> Settlements();

  // Closes the current period now; the next one starts now. Returns the
  // settlements it closed (none when nothing moved).
  std::vector<SettlementRecord> CloseCurrentPeriod();

  // The retained settlement listed as report `report_id`, or with document
  // `document_id`.
  std::optional<SettlementRecord> FindReport(std::string_view report_id);
  std::optional<SettlementRecord> FindDocument(std::string_view document_id);

 private:
  void SyncLocked(TimePoint now);
  void CloseLocked(TimePoint end);
  std::string DigitsLocked(int count);

  SellerState* const state_;
  Clock* const clock_;
  std::mutex mu_;
  std::mt19937_64 rng_;                                         // Guarded by mu_.
  SettlementOptions options_;                                   // Guarded by mu_.
  TimePoint period_start_;                                      // Guarded by mu_.
  std::vector<std::pair<std::string, std::int64_t>> reserves_;  // Guarded by mu_. Held now.
  std::vector<SettlementRecord> records_;                       // Guarded by mu_. Oldest first.
};

}  // namespace sellerbridge::emulators::amazon
