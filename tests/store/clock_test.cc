// RFC 3339 times as they go out (`published` in seconds, `updated` in milliseconds) and as
// other servers write them (fractions of any length, offsets).
#include "store/clock.h"

#include <gtest/gtest.h>

namespace {

constexpr int64_t kNoon = 1796385600;  // 2026-12-04T12:00:00Z

TEST(Rfc3339, FormatsSecondsAndMilliseconds) {
  EXPECT_EQ(cs::FormatRfc3339(kNoon), "2026-12-04T12:00:00Z");
  EXPECT_EQ(cs::FormatRfc3339Millis(kNoon * 1000 + 7), "2026-12-04T12:00:00.007Z");
  EXPECT_EQ(cs::FormatRfc3339Millis(kNoon * 1000 + 999), "2026-12-04T12:00:00.999Z");
  EXPECT_EQ(cs::FormatRfc3339Millis(kNoon * 1000), "2026-12-04T12:00:00.000Z");
}

TEST(Rfc3339, ParsesWhatOtherServersWrite) {
  EXPECT_EQ(cs::ParseRfc3339("2026-12-04T12:00:00Z"), kNoon);
  EXPECT_EQ(cs::ParseRfc3339Millis("2026-12-04T12:00:00Z"), kNoon * 1000);
  EXPECT_EQ(cs::ParseRfc3339Millis("2026-12-04T12:00:00.5Z"), kNoon * 1000 + 500);
  EXPECT_EQ(cs::ParseRfc3339Millis("2026-12-04T12:00:00.123456789Z"), kNoon * 1000 + 123);
  EXPECT_EQ(cs::ParseRfc3339Millis("2026-12-04T13:00:00.250+01:00"), kNoon * 1000 + 250);
  EXPECT_EQ(cs::ParseRfc3339Millis("2026-12-04T11:30:00-00:30"), kNoon * 1000);
  EXPECT_EQ(cs::ParseRfc3339(cs::FormatRfc3339Millis(kNoon * 1000 + 42)), kNoon);
  EXPECT_EQ(cs::ParseRfc3339Millis(cs::FormatRfc3339Millis(kNoon * 1000 + 42)), kNoon * 1000 + 42);
}

TEST(Rfc3339, RefusesWhatIsNotATime) {
  for (const char* bad :
       {"", "yesterday", "2026-12-04", "2026-12-04T12:00:00", "2026-12-04T12:00:00.Z",
        "2026-12-04T12:00:00Zjunk", "2026-12-04T12:00:00+0100"})
    EXPECT_EQ(cs::ParseRfc3339Millis(bad), -1) << bad;
}

}  // namespace
