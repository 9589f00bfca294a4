#include "store/clock.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace cs {

int64_t SystemClock::NowMillis() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

const SystemClock& SystemClock::Instance() {
  static const SystemClock clock;
  return clock;
}

std::string FormatRfc3339(int64_t unix_seconds) {
  time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string FormatRfc3339Millis(int64_t unix_millis) {
  int64_t ms = unix_millis % 1000;
  if (ms < 0) ms += 1000;
  std::string s = FormatRfc3339((unix_millis - ms) / 1000);
  char frac[8];
  snprintf(frac, sizeof frac, ".%03d", static_cast<int>(ms));
  s.insert(s.size() - 1, frac);  // before the 'Z'
  return s;
}

std::string FormatHttpDate(int64_t unix_seconds) {
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[40];
  snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday], tm.tm_mday,
           kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

int64_t ParseHttpDate(const std::string& text) {
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char wday[4] = {0}, mon[4] = {0}, zone[4] = {0};
  int day, year, h, m, s;
  if (sscanf(text.c_str(), "%3s, %d %3s %d %d:%d:%d %3s", wday, &day, mon, &year, &h, &m, &s,
             zone) != 8)
    return -1;
  if (strcmp(zone, "GMT") != 0) return -1;
  int month = -1;
  for (int i = 0; i < 12; ++i)
    if (strcmp(mon, kMonths[i]) == 0) month = i;
  if (month < 0 || day < 1 || day > 31 || h > 23 || m > 59 || s > 60) return -1;
  struct tm tm {};
  tm.tm_year = year - 1900;
  tm.tm_mon = month;
  tm.tm_mday = day;
  tm.tm_hour = h;
  tm.tm_min = m;
  tm.tm_sec = s;
  return static_cast<int64_t>(timegm(&tm));
}

int64_t ParseRfc3339(const std::string& text) {
  int64_t ms = ParseRfc3339Millis(text);
  if (ms < 0) return -1;
  return ms / 1000;
}

int64_t ParseRfc3339Millis(const std::string& text) {
  int year, mon, day, h, m, s;
  int consumed = 0;
  if (sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &mon, &day, &h, &m, &s,
             &consumed) != 6)
    return -1;
  const char* rest = text.c_str() + consumed;
  int millis = 0;
  if (*rest == '.') {
    ++rest;
    int digits = 0;
    for (; *rest >= '0' && *rest <= '9'; ++rest, ++digits)
      if (digits < 3) millis = millis * 10 + (*rest - '0');
    if (digits == 0) return -1;
    for (; digits < 3; ++digits) millis *= 10;
  }
  int offset = 0;
  if (*rest == 'Z' || *rest == 'z') {
    ++rest;
  } else if (*rest == '+' || *rest == '-') {
    int oh, om;
    if (sscanf(rest + 1, "%2d:%2d", &oh, &om) != 2) return -1;
    offset = (oh * 60 + om) * 60 * (*rest == '+' ? 1 : -1);
    rest += 6;
  } else {
    return -1;
  }
  if (*rest != '\0') return -1;
  struct tm tm {};
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = day;
  tm.tm_hour = h;
  tm.tm_min = m;
  tm.tm_sec = s;
  int64_t seconds = static_cast<int64_t>(timegm(&tm)) - offset;
  if (seconds < 0) return -1;
  return seconds * 1000 + millis;
}

}  // namespace cs
