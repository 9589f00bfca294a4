// The clock every time-dependent decision reads (signature windows, retries, backoff), so tests
// can control time. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace cs {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch.
  virtual int64_t NowMillis() const = 0;
  int64_t NowSeconds() const { return NowMillis() / 1000; }
};

// The real clock.
class SystemClock : public Clock {
 public:
  int64_t NowMillis() const override;
  static const SystemClock& Instance();
};

// A clock a test sets by hand.
class ManualClock : public Clock {
 public:
  explicit ManualClock(int64_t millis) : now_(millis) {}
  int64_t NowMillis() const override { return now_.load(); }
  void Set(int64_t millis) { now_.store(millis); }
  void Advance(int64_t millis) { now_.fetch_add(millis); }

 private:
  std::atomic<int64_t> now_;
};

// RFC 3339 UTC with seconds ("2026-12-03T19:58:10Z").
std::string FormatRfc3339(int64_t unix_seconds);
// RFC 3339 UTC with milliseconds ("2026-12-03T19:58:10.123Z"): for `updated`, so that two
// edits within one second still order.
std::string FormatRfc3339Millis(int64_t unix_millis);
// RFC 1123 / IMF-fixdate as used in HTTP Date headers ("Thu, 03 Dec 2026 19:58:10 GMT").
std::string FormatHttpDate(int64_t unix_seconds);
// Parses IMF-fixdate; returns -1 when it is not one.
int64_t ParseHttpDate(const std::string& text);
// Parses RFC 3339 / ISO 8601 ("2026-12-03T19:58:10Z", "+00:00" offsets, fractions); -1 on error.
int64_t ParseRfc3339(const std::string& text);
// The same, in milliseconds (fractions beyond the millisecond are dropped); -1 on error.
int64_t ParseRfc3339Millis(const std::string& text);

}  // namespace cs
