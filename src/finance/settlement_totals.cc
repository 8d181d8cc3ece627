#include "finance/settlement_totals.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>

namespace sellerbridge::finance {
namespace {

struct KeyView {
  std::string_view transaction_type;
  std::string_view amount_type;
  std::string_view amount_description;
  int year = 0;
  int month = 0;
};

struct Key {
  std::string transaction_type;
  std::string amount_type;
  std::string amount_description;
  int year = 0;
  int month = 0;

  KeyView View() const { return {transaction_type, amount_type, amount_description, year, month}; }
};

struct Sum {
  std::int64_t amount_minor = 0;
  std::int64_t rows = 0;
};

// Hash and equality over both key shapes, so that a row is looked up by the
// views it carries and strings are copied only for a key not seen before.
struct KeyHash {
  using is_transparent = void;  // NOLINT(readability-identifier-naming): the standard's name.

  std::size_t operator()(const KeyView& key) const {
    const std::hash<std::string_view> hash;
    std::size_t h = hash(key.transaction_type);
    h = h * 31 + hash(key.amount_type);
    h = h * 31 + hash(key.amount_description);
    return h * 31 + static_cast<std::size_t>(key.year * 12 + key.month);
  }
  std::size_t operator()(const Key& key) const { return (*this)(key.View()); }
};

struct KeyEqual {
  using is_transparent = void;  // NOLINT(readability-identifier-naming): the standard's name.

  static bool Equal(const KeyView& a, const KeyView& b) {
    return a.year == b.year && a.month == b.month && a.transaction_type == b.transaction_type &&
           a.amount_type == b.amount_type && a.amount_description == b.amount_description;
  }
  bool operator()(const Key& a, const Key& b) const { return Equal(a.View(), b.View()); }
  bool operator()(const KeyView& a, const Key& b) const { return Equal(a, b.View()); }
  bool operator()(const Key& a, const KeyView& b) const { return Equal(a.View(), b); }
};

// Adds modulo 2^64: a sum of int64 amounts is far from overflowing in any real
// settlement, and wrapping keeps a hostile file from being undefined behaviour.
std::int64_t WrappingAdd(std::int64_t a, std::int64_t b) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}

}  // namespace

class SettlementTotals::Impl {
 public:
  void Add(const SettlementRow& row) {
    if (row.posted < month_begin_ || row.posted >= month_end_) {
      SetMonth(row.posted);
    }
    const KeyView view{row.transaction_type, row.amount_type, row.amount_description, year_,
                       month_};
    auto it = sums_.find(view);
    if (it == sums_.end()) {
      it = sums_
               .emplace(Key{std::string(row.transaction_type), std::string(row.amount_type),
                            std::string(row.amount_description), year_, month_},
                        Sum{})
               .first;
    }
    it->second.amount_minor = WrappingAdd(it->second.amount_minor, row.amount_minor);
    ++it->second.rows;
    sum_minor_ = WrappingAdd(sum_minor_, row.amount_minor);
    ++row_count_;
  }

  std::vector<SettlementTotal> Totals() const {
    std::vector<SettlementTotal> totals;
    totals.reserve(sums_.size());
    for (const auto& [key, sum] : sums_) {
      totals.push_back({key.transaction_type, key.amount_type, key.amount_description, key.year,
                        key.month, sum.amount_minor, sum.rows});
    }
    std::sort(totals.begin(), totals.end(), [](const SettlementTotal& a, const SettlementTotal& b) {
      return std::tie(a.year, a.month, a.transaction_type, a.amount_type, a.amount_description) <
             std::tie(b.year, b.month, b.transaction_type, b.amount_type, b.amount_description);
    });
    return totals;
  }

  std::int64_t SumMinor() const { return sum_minor_; }
  std::int64_t RowCount() const { return row_count_; }

 private:
  // Rows come in runs of the same month, so the month's bounds are kept and
  // the calendar is consulted only when a row falls outside them.
  void SetMonth(TimePoint posted) {
    const std::chrono::year_month_day day{std::chrono::floor<std::chrono::days>(posted)};
    const std::chrono::year_month first = day.year() / day.month();
    year_ = static_cast<int>(day.year());
    month_ = static_cast<int>(static_cast<unsigned>(day.month()));
    month_begin_ = std::chrono::sys_days{first / 1};
    month_end_ = std::chrono::sys_days{(first + std::chrono::months{1}) / 1};
  }

  std::unordered_map<Key, Sum, KeyHash, KeyEqual> sums_;
  TimePoint month_begin_ = TimePoint::max();  // The month of the last row: [begin, end).
  TimePoint month_end_ = TimePoint::min();
  int year_ = 0;
  int month_ = 0;
  std::int64_t sum_minor_ = 0;
  std::int64_t row_count_ = 0;
};

SettlementTotals::SettlementTotals() : impl_(std::make_unique<Impl>()) {}
SettlementTotals::~SettlementTotals() = default;

void SettlementTotals::Add(const SettlementRow& row) { impl_->Add(row); }
std::vector<SettlementTotal> SettlementTotals::Totals() const { return impl_->Totals(); }
std::int64_t SettlementTotals::SumMinor() const { return impl_->SumMinor(); }
std::int64_t SettlementTotals::RowCount() const { return impl_->RowCount(); }

}  // namespace sellerbridge::finance
