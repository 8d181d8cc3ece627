#pragma once

#include <spdlog/formatter.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string_view>

#include "base/result.h"

namespace sellerbridge {

// How log lines look: text for people, JSON lines for log collectors.
enum class LogFormat { kText, kJson };

// Parses "text" or "json".
Result<LogFormat> ParseLogFormat(std::string_view name);

// Parses "trace", "debug", "info", "warn", "error" or "off".
Result<spdlog::level::level_enum> ParseLogLevel(std::string_view name);

// Returns a formatter that writes one line per message in `format`, with the
// message passed through Redact(). JSON lines carry "time" (ISO 8601 UTC),
// "level", "logger" and "msg".
std::unique_ptr<spdlog::formatter> MakeLogFormatter(LogFormat format);

// Sets up the process-wide default logger: lines to stderr in `format`, at
// `level` and above, every one redacted. Call once at start-up, before any
// thread logs. Components log through spdlog's free functions
// (spdlog::info(...)).
void InitLogging(LogFormat format, spdlog::level::level_enum level);

}  // namespace sellerbridge
