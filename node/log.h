// A tiny logger: one line per call to stderr, "2026-12-03T19:58:10.123Z INFO message".
// Thread-safe: lines from concurrent callers never interleave.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace node {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// Parses "debug", "info", "warn" (or "warning"), "error" in any case; `fallback` otherwise.
LogLevel ParseLogLevel(std::string_view text, LogLevel fallback);

// The current threshold: read once from env CLOUDSCHOOL_LOG (default info) unless SetLogLevel was
// called.
LogLevel CurrentLogLevel();
void SetLogLevel(LogLevel level);
inline bool LogEnabled(LogLevel level) { return level >= CurrentLogLevel(); }

// The line Log writes, newline included: RFC 3339 UTC time with milliseconds, level, message.
// Control characters in `msg` (e.g. a CR/LF from a peer's request line) are escaped as \xNN.
std::string FormatLogLine(LogLevel level, std::string_view msg,
                          std::chrono::system_clock::time_point when);

// Writes one line to stderr when `level` is at or above the threshold.
void Log(LogLevel level, std::string_view msg);

}  // namespace node
