#pragma once
// Seconds since the Unix epoch that came from outside (a request header, a JWT claim) as a TimePoint.
// A TimePoint counts nanoseconds, so a count past about the year 2262 overflows on conversion, which is
// undefined behaviour: every such number is range-checked here before any arithmetic.

#include <cstdint>
#include <optional>

#include "core/model.hpp"

namespace collab {

inline constexpr std::int64_t latest_epoch_seconds =
    std::chrono::duration_cast<std::chrono::seconds>(TimePoint::duration::max()).count();

// Nothing before the epoch or past what a TimePoint holds.
inline std::optional<TimePoint> from_epoch_seconds(std::int64_t seconds) {
    if (seconds < 0 || seconds > latest_epoch_seconds) return std::nullopt;
    return TimePoint{std::chrono::seconds{seconds}};
}

// The same for a JSON number that is not an integer (1e300, 1.5); NaN is out of range too.
inline std::optional<TimePoint> from_epoch_seconds(double seconds) {
    if (!(seconds >= 0 && seconds <= static_cast<double>(latest_epoch_seconds))) return std::nullopt;
    return from_epoch_seconds(static_cast<std::int64_t>(seconds));
}

}  // namespace collab
