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

// How Amazon settles the seller's account.
struct SettlementOptions {
  std::optional<TimePoint> anchor;  // Start of the first period; default: the emulator's start.
  int period_days = 14;
  int deposit_delay_days = 3;             // deposit-date = settlement-end-date + this.
  int commission_basis_points = 1500;     // Referral fee on the item price (15 %).
  int reserve_basis_points = 1000;        // Held from a settlement's net, released in the next.
  std::int64_t advertising_minor = 2500;  // "Cost of Advertising" per settlement with sales.
};

// Reads the optional [settlements] table of a scenario (see
// docs/emulators.md); keys not given keep the defaults. InvalidArgument
// naming the key for a malformed value. Thread-safe.
Result<SettlementOptions> ParseSettlementOptions(std::string_view toml_text,
                                                 std::string_view source_name);
// The [settlements] options of the scenario file, else of the scenario text,
// else the defaults. NotFound if the file cannot be read.
Result<SettlementOptions> LoadSettlementOptions(const std::optional<std::filesystem::path>& file,
                                                const std::optional<std::string>& text);

// One closed settlement and the GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2
// report Amazon lists it under.
struct SettlementRecord {
  Settlement settlement;
  std::string marketplace_id;
  std::string report_id;           // 11 digits.
  std::string report_document_id;  // amzn1.spdoc.1.4.<region>.<uuid>
  TimePoint created;               // The end of the period: when the report appears.
  std::int64_t total_minor = 0;    // The sum of every line: the summary's total-amount.
};

// The report document of a settlement: the flat file in its marketplace's
// number format. Thread-safe.
std::string SettlementDocument(const SettlementRecord& record);

// Amazon's settlement cycle for one seller: every period_days of the
// emulator clock it closes a settlement per marketplace that had money
// movements, built from the order history: ItemPrice/Principal and
// ItemFees/Commission per shipped item, Refund rows (Principal, Commission
// returned, RefundCommission), ShipmentFees for labels bought on Amazon (and
// their refunds), Cost of Advertising, and the Previous / Current Reserve
// rows. Periods close lazily when a call arrives. Settlements older than 90
// days are dropped, as Amazon retains reports for 90 days. Thread-safe.
class SettlementLedger {
 public:
  static constexpr std::chrono::hours kRetention{90 * 24};

  // `state` and `clock` must outlive the ledger.
  SettlementLedger(SellerState* state, std::uint64_t seed, Clock* clock);

  // Replaces the options. InvalidArgument for a period below one day or a
  // negative amount or rate; FailedPrecondition once a settlement was closed.
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
