// Settlement file throughput: SettlementParser feeding SettlementTotals on
// one thread, against a plain Python csv.DictReader script doing the same
// aggregation (bench/settlement_dictreader.py).
//
// Writes a realistic GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2 file of
// --size-mb MiB (and a second of --small-size-mb, to show that the parser's
// memory does not grow with the file) into a fresh directory under --dir:
// Order, Refund, ServiceFee and other-transaction rows over about three
// months, dot decimals (or comma decimals with --comma), with the optional
// trailing promotion-id column. Generation streams through a 1 MiB buffer;
// the summary row's total is written last, into a fixed-width slot.
//
// Each parse runs in a forked child that resets its peak RSS
// (/proc/self/clear_refs) before reading, so the peak reported is the
// parse's: the file is read with 1 MiB read() calls and fed to the parser.
// Files are read from the page cache, which generation has just filled, so
// the figure is the CPU cost of parsing, not the disk's. Then the Python
// script reads the large file; the driver checks that it saw the same rows
// and the same sum, and prints the ratio. Exits 1 when the two disagree or a
// parse fails. Generated files are deleted at the end. See RESULTS.md.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "finance/settlement_file.h"
#include "finance/settlement_totals.h"

#ifndef SELLERBRIDGE_BENCH_DIR
#error "SELLERBRIDGE_BENCH_DIR must name the bench source directory"
#endif

namespace {

namespace finance = sellerbridge::finance;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kBufferBytes = std::size_t{1} << 20;
constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;
// The summary's total-amount is written as a sign and this many characters
// of zero-padded digits, then overwritten once the rows are known.
constexpr int kTotalWidth = 19;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Writes the benchmark's settlement file through a fixed buffer.
class Generator {
 public:
  Generator(std::uint64_t seed, bool comma) : random_(seed), comma_(comma) {}

  // Writes at least `size_bytes` bytes to `path`; returns the rows written
  // and their sum, or nullopt when the file cannot be written.
  struct Written {
    std::uint64_t bytes = 0;
    std::int64_t rows = 0;
    std::int64_t sum_minor = 0;
  };
  std::optional<Written> Write(const fs::path& path, std::uint64_t size_bytes) {
    std::FILE* file = std::fopen(path.c_str(), "wb");
    if (file == nullptr) {
      return std::nullopt;
    }
    Written written;
    // About 225 bytes a row; three months of rows, a few seconds apart.
    const auto expected_rows = static_cast<std::int64_t>(size_bytes / 225) + 1;
    step_ = std::chrono::nanoseconds(std::chrono::hours(24 * 92)) / expected_rows;
    posted_ = std::chrono::sys_days{std::chrono::year{2026} / 8 / 20};

    buffer_.clear();
    fmt::format_to(std::back_inserter(buffer_),
                   "settlement-id\tsettlement-start-date\tsettlement-end-date\tdeposit-date\t"
                   "total-amount\tcurrency\ttransaction-type\torder-id\tmerchant-order-id\t"
                   "adjustment-id\tshipment-id\tmarketplace-name\tamount-type\t"
                   "amount-description\tamount\tfulfillment-id\tposted-date\tposted-date-time\t"
                   "order-item-code\tmerchant-order-item-id\tmerchant-adjustment-item-id\tsku\t"
                   "quantity-purchased\tpromotion-id\n");
    fmt::format_to(
        std::back_inserter(buffer_),
        "{}\t2026-08-20 00:00:00 UTC\t2026-11-20 00:00:00 UTC\t2026-11-22 00:00:00 UTC\t",
        kSettlementId);
    const std::size_t total_offset = buffer_.size();
    buffer_.append(static_cast<std::size_t>(kTotalWidth) + 1, '0');
    fmt::format_to(std::back_inserter(buffer_), "\t{}{}\n", comma_ ? "EUR" : "GBP",
                   std::string(18, '\t'));

    while (written.bytes + buffer_.size() < size_bytes) {
      Event(written);
      if (buffer_.size() >= kBufferBytes) {
        written.bytes += std::fwrite(buffer_.data(), 1, buffer_.size(), file);
        buffer_.clear();
      }
    }
    written.bytes += std::fwrite(buffer_.data(), 1, buffer_.size(), file);
    buffer_.clear();

    const std::uint64_t magnitude = written.sum_minor < 0
                                        ? 0 - static_cast<std::uint64_t>(written.sum_minor)
                                        : static_cast<std::uint64_t>(written.sum_minor);
    const std::string total =
        fmt::format("{}{:0{}}{}{:02}", written.sum_minor < 0 ? '-' : '0', magnitude / 100,
                    kTotalWidth - 3, comma_ ? ',' : '.', magnitude % 100);
    const bool ok = std::fseek(file, static_cast<long>(total_offset), SEEK_SET) == 0 &&
                    std::fwrite(total.data(), 1, total.size(), file) == total.size();
    if (std::fclose(file) != 0 || !ok) {
      return std::nullopt;
    }
    return written;
  }

 private:
  static constexpr std::string_view kSettlementId = "24681357902";

  int Uniform(int low, int high) { return std::uniform_int_distribution<int>(low, high)(random_); }
  bool Chance(int percent) { return Uniform(1, 100) <= percent; }

  void Row(Written& written, std::string_view type, std::string_view order_id,
           std::string_view adjustment_id, std::string_view amount_type,
           std::string_view description, std::int64_t amount, std::string_view fulfillment,
           std::string_view item_code, std::string_view sku, int quantity,
           std::string_view promotion) {
    const auto seconds = std::chrono::floor<std::chrono::seconds>(posted_);
    const auto day = std::chrono::floor<std::chrono::days>(seconds);
    const std::chrono::year_month_day ymd{day};
    const std::chrono::hh_mm_ss hms{seconds - day};
    const int year = static_cast<int>(ymd.year());
    const auto month = static_cast<unsigned>(ymd.month());
    const auto mday = static_cast<unsigned>(ymd.day());
    const std::uint64_t magnitude =
        amount < 0 ? 0 - static_cast<std::uint64_t>(amount) : static_cast<std::uint64_t>(amount);
    fmt::format_to(std::back_inserter(buffer_),
                   "{}\t\t\t\t\t\t{}\t{}\t\t{}\t\t{}\t{}\t{}\t{}{}{}{:02}\t{}\t{:02}/{:02}/{:02}\t"
                   "{}-{:02}-{:02} {:02}:{:02}:{:02} UTC\t{}\t\t\t{}\t{}\t{}\n",
                   kSettlementId, type, order_id, adjustment_id,
                   comma_ ? "Amazon.de" : "Amazon.co.uk", amount_type, description,
                   amount < 0 ? "-" : "", magnitude / 100, comma_ ? ',' : '.', magnitude % 100,
                   fulfillment, month, mday, year % 100, year, month, mday, hms.hours().count(),
                   hms.minutes().count(), hms.seconds().count(), item_code, sku,
                   quantity == 0 ? std::string() : std::to_string(quantity), promotion);
    ++written.rows;
    written.sum_minor += amount;
  }

  // One order, refund, fee or other transaction: a handful of rows.
  void Event(Written& written) {
    posted_ += step_ * Uniform(1, 10);
    const std::string order_id = fmt::format("{:03}-{:07}-{:07}", Uniform(202, 408),
                                             Uniform(0, 9'999'999), Uniform(0, 9'999'999));
    const std::string item_code = fmt::format("{:014}", Uniform(0, 999'999'999) * 10'000LL + 1234);
    const std::string sku = fmt::format("SKU-{:05}", Uniform(1, 20'000));
    const std::string_view fulfillment = Chance(60) ? "AFN" : "MFN";
    const int kind = Uniform(1, 100);
    if (kind <= 70) {
      const int quantity = Chance(85) ? 1 : Uniform(2, 4);
      const std::int64_t price = std::int64_t{Uniform(299, 12'999)} * quantity;
      Row(written, "Order", order_id, "", "ItemPrice", "Principal", price, fulfillment, item_code,
          sku, quantity, "");
      Row(written, "Order", order_id, "", "ItemPrice", "Tax", price / 6, fulfillment, item_code,
          sku, 0, "");
      if (Chance(40)) {
        const int shipping = Uniform(199, 599);
        Row(written, "Order", order_id, "", "ItemPrice", "Shipping", shipping, fulfillment,
            item_code, sku, 0, "");
        Row(written, "Order", order_id, "", "ItemPrice", "ShippingTax", shipping / 6, fulfillment,
            item_code, sku, 0, "");
      }
      if (Chance(15)) {
        const std::string promotion = fmt::format("A{:012}", Uniform(0, 999'999'999));
        Row(written, "Order", order_id, "", "Promotion", "Principal", -price / 10, fulfillment,
            item_code, sku, 0, promotion);
      }
      Row(written, "Order", order_id, "", "ItemFees", "Commission", -price * 15 / 100, fulfillment,
          item_code, sku, 0, "");
      if (fulfillment == "AFN") {
        Row(written, "Order", order_id, "", "ItemFees", "FBAPerUnitFulfillmentFee",
            -Uniform(180, 540), fulfillment, item_code, sku, 0, "");
      }
    } else if (kind <= 82) {
      const std::string adjustment = fmt::format("{:014}", Uniform(0, 999'999'999) * 10'000LL);
      const std::int64_t price = Uniform(299, 12'999);
      Row(written, "Refund", order_id, adjustment, "ItemPrice", "Principal", -price, fulfillment,
          item_code, sku, 0, "");
      Row(written, "Refund", order_id, adjustment, "ItemPrice", "Tax", -price / 6, fulfillment,
          item_code, sku, 0, "");
      Row(written, "Refund", order_id, adjustment, "ItemFees", "Commission", price * 15 / 100,
          fulfillment, item_code, sku, 0, "");
      Row(written, "Refund", order_id, adjustment, "ItemFees", "RefundCommission", -price * 3 / 100,
          fulfillment, item_code, sku, 0, "");
    } else if (kind <= 90) {
      if (Chance(70)) {
        Row(written, "ServiceFee", "", "", "Cost of Advertising", "TransactionTotalAmount",
            -Uniform(500, 25'000), "", "", "", 0, "");
      } else {
        Row(written, "ServiceFee", "", "", "other-transaction", "Subscription Fee", -2500, "", "",
            "", 0, "");
      }
    } else {
      switch (Uniform(1, 4)) {
        case 1:
          Row(written, "other-transaction", "", "", "FBA Inventory Reimbursement", "WAREHOUSE_LOST",
              Uniform(500, 5'000), "AFN", "", sku, 1, "");
          break;
        case 2:
          Row(written, "other-transaction", "", "", "other-transaction", "Storage Fee",
              -Uniform(100, 9'000), "", "", "", 0, "");
          break;
        case 3:
          Row(written, "other-transaction", "", "", "other-transaction", "Current Reserve Amount",
              -Uniform(10'000, 90'000), "", "", "", 0, "");
          break;
        default:
          Row(written, "other-transaction", "", "", "other-transaction",
              "Previous Reserve Amount Balance", Uniform(10'000, 90'000), "", "", "", 0, "");
          break;
      }
    }
  }

  std::mt19937_64 random_;
  const bool comma_;
  std::string buffer_;
  std::chrono::nanoseconds step_{0};
  sellerbridge::TimePoint posted_;
};

// What a parse child reports through its pipe: plain data.
struct ParseReport {
  bool ok = false;
  double seconds = 0;
  std::int64_t bytes = 0;
  std::int64_t rows = 0;
  std::int64_t problems = 0;
  std::int64_t sum_minor = 0;
  std::int64_t summary_total_minor = 0;
  std::int64_t keys = 0;
  std::int64_t peak_rss_kib = 0;   // VmHWM after the parse.
  std::int64_t start_rss_kib = 0;  // VmRSS before it.
  bool peak_reset = false;         // Whether clear_refs reset VmHWM first.
  std::array<char, 256> error{};
};

std::int64_t StatusKib(std::string_view field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with(field)) {
      return std::stoll(line.substr(field.size()));
    }
  }
  return -1;
}

ParseReport ParseFile(const fs::path& path) {
  ParseReport report;
  {
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";
    clear.flush();
    report.peak_reset = static_cast<bool>(clear);
  }
  report.start_rss_kib = StatusKib("VmRSS:");
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    std::snprintf(report.error.data(), report.error.size(), "cannot open %s", path.c_str());
    return report;
  }
  posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);

  const Clock::time_point start = Clock::now();
  finance::SettlementTotals totals;
  finance::SettlementParser parser(
      {}, [&totals](const finance::SettlementRow& row) { totals.Add(row); });
  std::vector<char> buffer(kBufferBytes);
  sellerbridge::Status status;
  while (status.ok()) {
    const ssize_t n = read(fd, buffer.data(), buffer.size());
    if (n <= 0) {
      break;
    }
    status = parser.Feed(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
  }
  if (status.ok()) {
    status = parser.Finish();
  }
  const std::size_t keys = totals.Totals().size();
  report.seconds = SecondsSince(start);
  close(fd);

  report.ok = status.ok();
  std::snprintf(report.error.data(), report.error.size(), "%s", status.ToString().c_str());
  report.bytes = parser.BytesRead();
  report.rows = parser.RowCount();
  report.problems = parser.ProblemCount();
  report.sum_minor = totals.SumMinor();
  report.summary_total_minor = parser.Summary().total_minor;
  report.keys = static_cast<std::int64_t>(keys);
  report.peak_rss_kib = StatusKib("VmHWM:");
  return report;
}

// Parses `path` in a forked child, so that its peak RSS is the parse's alone.
std::optional<ParseReport> ParseInChild(const fs::path& path) {
  std::array<int, 2> pipe_fds{};
  if (pipe(pipe_fds.data()) != 0) {
    return std::nullopt;
  }
  const pid_t child = fork();
  if (child < 0) {
    return std::nullopt;
  }
  if (child == 0) {
    close(pipe_fds[0]);
    const ParseReport report = ParseFile(path);
    const bool sent =
        write(pipe_fds[1], &report, sizeof report) == static_cast<ssize_t>(sizeof report);
    _exit(sent ? 0 : 1);
  }
  close(pipe_fds[1]);
  ParseReport report;
  const ssize_t got = read(pipe_fds[0], &report, sizeof report);
  close(pipe_fds[0]);
  int wait_status = 0;
  waitpid(child, &wait_status, 0);
  if (got != static_cast<ssize_t>(sizeof report) || !WIFEXITED(wait_status) ||
      WEXITSTATUS(wait_status) != 0) {
    return std::nullopt;
  }
  return report;
}

struct PythonReport {
  double seconds = 0;
  std::string output;
  std::int64_t peak_rss_kib = 0;
};

std::optional<PythonReport> RunPython(const std::string& script, const fs::path& file) {
  std::array<int, 2> pipe_fds{};
  if (pipe(pipe_fds.data()) != 0) {
    return std::nullopt;
  }
  const Clock::time_point start = Clock::now();
  const pid_t child = fork();
  if (child < 0) {
    return std::nullopt;
  }
  if (child == 0) {
    dup2(pipe_fds[1], STDOUT_FILENO);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    std::string python = "python3";
    std::string file_arg = file.string();
    std::string script_arg = script;
    std::array<char*, 4> args = {python.data(), script_arg.data(), file_arg.data(), nullptr};
    execvp("python3", args.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  PythonReport report;
  std::array<char, 4096> chunk{};
  ssize_t n = 0;
  while ((n = read(pipe_fds[0], chunk.data(), chunk.size())) > 0) {
    report.output.append(chunk.data(), static_cast<std::size_t>(n));
  }
  close(pipe_fds[0]);
  int wait_status = 0;
  rusage usage{};
  wait4(child, &wait_status, 0, &usage);
  report.seconds = SecondsSince(start);
  report.peak_rss_kib = usage.ru_maxrss;
  if (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0) {
    return std::nullopt;
  }
  while (!report.output.empty() && report.output.back() == '\n') {
    report.output.pop_back();
  }
  return report;
}

double MiBPerSecond(std::int64_t bytes, double seconds) {
  return static_cast<double>(bytes) / static_cast<double>(kMiB) / seconds;
}
double MBPerSecond(std::int64_t bytes, double seconds) {
  return static_cast<double>(bytes) / 1e6 / seconds;
}

void PrintParse(std::string_view label, const ParseReport& r) {
  fmt::print(
      "parse+aggregate {}: {} bytes, {} rows, {} problems, {} keys in {:.2f} s = {:.0f} MB/s "
      "({:.0f} MiB/s); peak RSS {} KiB (RSS at start {} KiB{})\n",
      label, r.bytes, r.rows, r.problems, r.keys, r.seconds, MBPerSecond(r.bytes, r.seconds),
      MiBPerSecond(r.bytes, r.seconds), r.peak_rss_kib, r.start_rss_kib,
      r.peak_reset ? "" : "; VmHWM could not be reset, so it includes the parent's peak");
}

struct Options {
  std::uint64_t size_mb = 1024;
  std::uint64_t small_size_mb = 128;
  std::string dir = fs::temp_directory_path().string();
  bool comma = false;
  std::string script = std::string(SELLERBRIDGE_BENCH_DIR) + "/settlement_dictreader.py";
  bool skip_python = false;
  std::uint64_t seed = 1;
};

int Run(const Options& options) {
  const fs::path work = fs::path(options.dir) / fmt::format("settlement-bench-{}", getpid());
  std::error_code error;
  fs::create_directories(work, error);
  if (error) {
    fmt::print(stderr, "cannot create {}: {}\n", work.string(), error.message());
    return 1;
  }
  int exit_code = 0;
  std::optional<ParseReport> small;
  std::optional<ParseReport> large;
  std::optional<Generator::Written> large_written;
  std::optional<PythonReport> python;
  for (const std::uint64_t mb : {options.small_size_mb, options.size_mb}) {
    const fs::path file = work / fmt::format("settlement-{}mb.tsv", mb);
    const Clock::time_point start = Clock::now();
    Generator generator(options.seed, options.comma);
    const std::optional<Generator::Written> written = generator.Write(file, mb * kMiB);
    if (!written) {
      fmt::print(stderr, "cannot write {}\n", file.string());
      exit_code = 1;
      break;
    }
    fmt::print("generated {}: {} bytes, {} rows in {:.1f} s\n", file.string(), written->bytes,
               written->rows, SecondsSince(start));
    std::optional<ParseReport> report = ParseInChild(file);
    if (!report || !report->ok || report->rows != written->rows ||
        report->sum_minor != written->sum_minor ||
        report->summary_total_minor != written->sum_minor) {
      fmt::print(stderr, "parse of {} failed or disagrees with the generator: {}\n", file.string(),
                 report ? report->error.data() : "the child did not report");
      exit_code = 1;
      break;
    }
    PrintParse(fmt::format("{} MiB", mb), *report);
    if (mb == options.size_mb) {
      large = report;
      large_written = written;
      if (!options.skip_python) {
        python = RunPython(options.script, file);
        if (!python) {
          fmt::print(stderr, "python3 {} {} failed\n", options.script, file.string());
          exit_code = 1;
        }
      }
    } else {
      small = report;
    }
    fs::remove(file, error);
  }
  fs::remove_all(work, error);

  if (python && large && large_written) {
    const std::string expected =
        fmt::format("rows={} sum_minor={} keys={}", large->rows, large->sum_minor, large->keys);
    fmt::print("python csv.DictReader {} MiB: {} in {:.2f} s = {:.1f} MB/s; peak RSS {} KiB\n",
               options.size_mb, python->output, python->seconds,
               MBPerSecond(large->bytes, python->seconds), python->peak_rss_kib);
    if (python->output != expected) {
      fmt::print(stderr, "python saw '{}', the parser '{}'\n", python->output, expected);
      exit_code = 1;
    }
    fmt::print("ratio (python time / parser time): {:.1f}x\n", python->seconds / large->seconds);
  }
  if (small && large) {
    fmt::print("peak RSS {} MiB file: {} KiB; {} MiB file: {} KiB\n", options.small_size_mb,
               small->peak_rss_kib, options.size_mb, large->peak_rss_kib);
  }
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  // CLI11, std::filesystem and fmt report failures by throwing.
  try {
    Options options;
    CLI::App app{"settlement file parse benchmark (see bench/RESULTS.md)"};
    app.add_option("--size-mb", options.size_mb, "size of the large file, MiB")
        ->check(CLI::Range(1, 65536));
    app.add_option("--small-size-mb", options.small_size_mb, "size of the small file, MiB")
        ->check(CLI::Range(1, 65536));
    app.add_option("--dir", options.dir, "where to write the files (a fresh subdirectory)");
    app.add_flag("--comma", options.comma, "comma decimals (EUR, Amazon.de) instead of dots (GBP)");
    app.add_option("--python-script", options.script, "the csv.DictReader baseline");
    app.add_flag("--skip-python", options.skip_python, "do not run the Python baseline");
    app.add_option("--seed", options.seed);
    CLI11_PARSE(app, argc, argv);
    return Run(options);
  } catch (const std::exception& e) {
    fmt::print(stderr, "FAILED: {}\n", e.what());
    return 1;
  }
}
