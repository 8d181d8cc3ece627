#include "server/stock_metrics.h"

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <string_view>

namespace sellerbridge::server {
namespace {

std::string_view LaneName(std::size_t lane) {
  return sync::StockLaneName(static_cast<sync::StockLane>(lane));
}

void Counter(std::string& out, std::string_view name, std::string_view help, std::int64_t value) {
  out += fmt::format("# HELP {} {}\n# TYPE {} counter\n{} {}\n", name, help, name, name, value);
}

void PerLane(std::string& out, std::string_view name, std::string_view type, std::string_view help,
             const std::array<std::int64_t, sync::kStockLanes>& values) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  for (std::size_t lane = 0; lane < values.size(); ++lane) {
    out += fmt::format("{}{{lane=\"{}\"}} {}\n", name, LaneName(lane), values[lane]);
  }
}

}  // namespace

std::string StockMetricsText(const sync::StockFigures& figures) {
  std::string out;
  constexpr std::string_view kStaleness = "sellerbridge_stock_staleness_seconds";
  out += fmt::format(
      "# HELP {} Clarus stock change to Amazon accepting the quantity, over the last hour.\n"
      "# TYPE {} summary\n",
      kStaleness, kStaleness);
  for (std::size_t lane = 0; lane < figures.staleness.size(); ++lane) {
    const sync::StalenessFigures& s = figures.staleness[lane];
    for (const auto& [quantile, value] : std::array<std::pair<std::string_view, double>, 3>{
             {{"0.5", s.p50}, {"0.95", s.p95}, {"0.99", s.p99}}}) {
      out += fmt::format("{}{{lane=\"{}\",quantile=\"{}\"}} {}\n", kStaleness, LaneName(lane),
                         quantile, value);
    }
    out += fmt::format("{}_count{{lane=\"{}\"}} {}\n", kStaleness, LaneName(lane), s.samples);
  }
  PerLane(out, "sellerbridge_stock_published_total", "counter",
          "Quantities Amazon accepted, by lane.", figures.published);
  PerLane(out, "sellerbridge_stock_queue_depth", "gauge",
          "Listings whose quantity waits to go out, by lane.", figures.queued);
  out += fmt::format(
      "# HELP sellerbridge_stock_in_feeds Listings in JSON_LISTINGS_FEEDs not finished yet.\n"
      "# TYPE sellerbridge_stock_in_feeds gauge\nsellerbridge_stock_in_feeds {}\n"
      "# HELP sellerbridge_stock_skus SKUs Clarus holds for the seller.\n"
      "# TYPE sellerbridge_stock_skus gauge\nsellerbridge_stock_skus {}\n",
      figures.in_feeds, figures.skus);
  Counter(out, "sellerbridge_stock_patches_total", "patchListingsItem calls.", figures.patches);
  Counter(out, "sellerbridge_stock_feeds_total", "JSON_LISTINGS_FEED submissions.", figures.feeds);
  Counter(out, "sellerbridge_stock_stuck_feeds_total",
          "Feeds given up as stuck; their listings went by patch.", figures.stuck_feeds);
  Counter(out, "sellerbridge_stock_coalesced_total",
          "Changes overtaken by a newer one before going out.", figures.coalesced);
  Counter(out, "sellerbridge_stock_failures_total", "Retryable failures, sent again later.",
          figures.failures);
  Counter(out, "sellerbridge_stock_refused_total", "Quantities Amazon refused: held.",
          figures.refused);
  Counter(out, "sellerbridge_stock_drift_checks_total", "Listings read back from Amazon.",
          figures.drift_checks);
  Counter(out, "sellerbridge_stock_drift_found_total",
          "Listings Amazon showed otherwise than published.", figures.drift_found);
  return out;
}

}  // namespace sellerbridge::server
