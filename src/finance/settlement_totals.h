#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "finance/settlement_file.h"

namespace sellerbridge::finance {

// The sum of a settlement's rows that share a transaction-type, amount-type,
// amount-description and calendar month of posting (UTC, as Amazon's
// posted-date is).
struct SettlementTotal {
  std::string transaction_type;
  std::string amount_type;
  std::string amount_description;
  int year = 0;
  int month = 0;  // 1–12.
  std::int64_t amount_minor = 0;
  std::int64_t rows = 0;

  friend bool operator==(const SettlementTotal&, const SettlementTotal&) = default;
};

// Aggregates rows as they stream past. Memory grows with the number of
// distinct keys and months, never with the number of rows. Not thread-safe.
class SettlementTotals {
 public:
  SettlementTotals();
  ~SettlementTotals();
  SettlementTotals(const SettlementTotals&) = delete;
  SettlementTotals& operator=(const SettlementTotals&) = delete;

  void Add(const SettlementRow& row);

  // Every total, by month, then transaction-type, amount-type and
  // amount-description.
  std::vector<SettlementTotal> Totals() const;
  std::int64_t SumMinor() const;  // Of every row added.
  std::int64_t RowCount() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sellerbridge::finance
