#include "base/logging.h"

#include <fmt/format.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "base/redact.h"
#include "base/time_format.h"

namespace sellerbridge {
namespace {

class RedactingFormatter final : public spdlog::formatter {
 public:
  explicit RedactingFormatter(LogFormat format)
      : format_(format),
        text_(std::make_unique<spdlog::pattern_formatter>("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ [%n] %v",
                                                          spdlog::pattern_time_type::utc)) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const std::string payload = Redact(std::string_view(msg.payload.data(), msg.payload.size()));
    if (format_ == LogFormat::kText) {
      spdlog::details::log_msg copy = msg;
      copy.payload = payload;
      text_->format(copy, dest);
      return;
    }
    nlohmann::json line = {
        {"time", FormatIso8601(std::chrono::time_point_cast<Duration>(msg.time))},
        {"level", std::string(spdlog::level::to_string_view(msg.level).data(),
                              spdlog::level::to_string_view(msg.level).size())},
        {"logger", std::string(msg.logger_name.data(), msg.logger_name.size())},
        {"msg", payload},
    };
    const std::string text =
        line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    dest.append(text.data(), text.data() + text.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<RedactingFormatter>(format_);
  }

 private:
  LogFormat format_;
  std::unique_ptr<spdlog::pattern_formatter> text_;
};

}  // namespace

Result<LogFormat> ParseLogFormat(std::string_view name) {
  if (name == "text") {
    return LogFormat::kText;
  }
  if (name == "json") {
    return LogFormat::kJson;
  }
  return InvalidArgumentError(fmt::format("unknown log format '{}': use text or json", name));
}

Result<spdlog::level::level_enum> ParseLogLevel(std::string_view name) {
  for (const auto level : {spdlog::level::trace, spdlog::level::debug, spdlog::level::info,
                           spdlog::level::warn, spdlog::level::err, spdlog::level::off}) {
    const auto level_name = spdlog::level::to_string_view(level);
    if (name == std::string_view(level_name.data(), level_name.size())) {
      return level;
    }
  }
  if (name == "error") {
    return spdlog::level::err;
  }
  return InvalidArgumentError(
      fmt::format("unknown log level '{}': use trace, debug, info, warn, error or off", name));
}

std::unique_ptr<spdlog::formatter> MakeLogFormatter(LogFormat format) {
  return std::make_unique<RedactingFormatter>(format);
}

void InitLogging(LogFormat format, spdlog::level::level_enum level) {
  auto logger = spdlog::stderr_color_mt("sellerbridge");
  logger->set_formatter(MakeLogFormatter(format));
  logger->set_level(level);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace sellerbridge
