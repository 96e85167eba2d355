// Times and durations as users and clients read them: in replies, /healthz, error messages and the
// sandbox's API.

#include "core/format.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <string>

namespace collab {
namespace {

using namespace std::chrono_literals;
using std::chrono::sys_days;
using std::chrono::year;

TimePoint at_utc(sys_days day, std::chrono::seconds time_of_day) {
    return TimePoint{day} + time_of_day;
}

TEST(FormatUtc, SecondsPrecisionInUtc) {
    EXPECT_EQ(format_utc(at_utc(sys_days{year{2026} / 11 / 28}, 12h + 44min + 32s)), "2026-11-28 12:44:32 UTC");
    EXPECT_EQ(format_utc(at_utc(sys_days{year{2026} / 1 / 5}, 3h + 4min + 5s)), "2026-01-05 03:04:05 UTC");
    EXPECT_EQ(format_utc(TimePoint{}), "1970-01-01 00:00:00 UTC");
    EXPECT_EQ(format_utc(at_utc(sys_days{year{2024} / 2 / 29}, 23h + 59min + 59s)), "2024-02-29 23:59:59 UTC");
}

TEST(FormatUtc, FractionsOfASecondAreDroppedNotRounded) {
    const TimePoint almost = at_utc(sys_days{year{2026} / 12 / 31}, 23h + 59min + 59s) + 999ms;
    EXPECT_EQ(format_utc(almost), "2026-12-31 23:59:59 UTC");
}

TEST(FormatUtc, BeforeTheEpoch) {
    EXPECT_EQ(format_utc(TimePoint{} - 1s), "1969-12-31 23:59:59 UTC");
}

TEST(FormatUtc, InUtcWhateverTheLocalTimeZone) {
    // fmt writes a time_point in local time; a zone 14 hours ahead of UTC (POSIX notation, no
    // time zone database needed) shows a slip at once.
    const char* previous = std::getenv("TZ");
    const std::string saved = previous ? previous : "";
    ::setenv("TZ", "XYZ-14", 1);
    ::tzset();
    const TimePoint at = at_utc(sys_days{year{2026} / 12 / 1}, 12h + 3s);
    const std::string utc = format_utc(at);
    const std::string rfc3339 = format_rfc3339(at);
    previous ? ::setenv("TZ", saved.c_str(), 1) : ::unsetenv("TZ");
    ::tzset();
    EXPECT_EQ(utc, "2026-12-01 12:00:03 UTC");
    EXPECT_EQ(rfc3339, "2026-12-01T12:00:03.000Z");
}

TEST(FormatRfc3339, MillisecondsAndAZ) {
    EXPECT_EQ(format_rfc3339(at_utc(sys_days{year{2026} / 11 / 28}, 12h + 44min + 32s) + 7ms),
              "2026-11-28T12:44:32.007Z");
    EXPECT_EQ(format_rfc3339(at_utc(sys_days{year{2026} / 12 / 31}, 23h + 59min + 59s) + 999999us),
              "2026-12-31T23:59:59.999Z");
    EXPECT_EQ(format_rfc3339(TimePoint{}), "1970-01-01T00:00:00.000Z");
}

TEST(FormatDurations, SecondsWithOneDecimalAndWholeMilliseconds) {
    EXPECT_EQ(format_seconds(2500ms), "2.5 s");
    EXPECT_EQ(format_seconds(10s), "10.0 s");
    EXPECT_EQ(format_seconds(40ms), "0.0 s");
    EXPECT_EQ(format_ms(250ms), "250 ms");
    EXPECT_EQ(format_ms(0ms), "0 ms");
}

}  // namespace
}  // namespace collab
