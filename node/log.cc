#include "node/log.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>

namespace node {
namespace {

constexpr int kUnset = -1;
std::atomic<int> g_level{kUnset};

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "DEBUG";
    case LogLevel::kInfo: return "INFO";
    case LogLevel::kWarn: return "WARN";
    case LogLevel::kError: return "ERROR";
  }
  return "?";
}

std::mutex& OutputMutex() {
  static std::mutex mu;
  return mu;
}

}  // namespace

LogLevel ParseLogLevel(std::string_view text, LogLevel fallback) {
  std::string lower;
  for (char c : text) lower += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  if (lower == "debug") return LogLevel::kDebug;
  if (lower == "info") return LogLevel::kInfo;
  if (lower == "warn" || lower == "warning") return LogLevel::kWarn;
  if (lower == "error") return LogLevel::kError;
  return fallback;
}

LogLevel CurrentLogLevel() {
  int level = g_level.load(std::memory_order_relaxed);
  if (level == kUnset) {
    const char* env = std::getenv("CLOUDSCHOOL_LOG");
    level = static_cast<int>(env ? ParseLogLevel(env, LogLevel::kInfo) : LogLevel::kInfo);
    int expected = kUnset;
    // A concurrent SetLogLevel wins over the environment.
    if (!g_level.compare_exchange_strong(expected, level)) level = expected;
  }
  return static_cast<LogLevel>(level);
}

void SetLogLevel(LogLevel level) { g_level.store(static_cast<int>(level)); }

std::string FormatLogLine(LogLevel level, std::string_view msg,
                          std::chrono::system_clock::time_point when) {
  using namespace std::chrono;
  int64_t millis = duration_cast<milliseconds>(when.time_since_epoch()).count();
  time_t seconds = static_cast<time_t>(millis / 1000);
  struct tm tm;
  gmtime_r(&seconds, &tm);
  char stamp[64];
  snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
           tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
           static_cast<int>(millis % 1000));
  std::string line = stamp;
  line += ' ';
  line += LevelName(level);
  line += ' ';
  for (char c : msg) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      char esc[8];
      snprintf(esc, sizeof esc, "\\x%02x", u);
      line += esc;
    } else {
      line += c;
    }
  }
  line += '\n';
  return line;
}

void Log(LogLevel level, std::string_view msg) {
  if (!LogEnabled(level)) return;
  std::string line = FormatLogLine(level, msg, std::chrono::system_clock::now());
  std::lock_guard<std::mutex> lock(OutputMutex());
  fwrite(line.data(), 1, line.size(), stderr);
  fflush(stderr);
}

}  // namespace node
