#include "core/format.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace collab {
namespace {

// The calendar fields in UTC: fmt 9 formats a time_point in local time, a std::tm as it is.
std::tm utc_fields(std::chrono::sys_seconds at) {
    return fmt::gmtime(std::chrono::system_clock::to_time_t(at));
}

}  // namespace

std::string format_utc(TimePoint at) {
    return fmt::format("{:%Y-%m-%d %H:%M:%S} UTC", utc_fields(std::chrono::floor<std::chrono::seconds>(at)));
}

std::string format_rfc3339(TimePoint at) {
    const auto seconds = std::chrono::floor<std::chrono::seconds>(at);
    const auto milliseconds = std::chrono::floor<std::chrono::milliseconds>(at - seconds).count();
    return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", utc_fields(seconds), milliseconds);
}

std::string format_seconds(std::chrono::milliseconds duration) {
    return fmt::format("{:.1f} s", std::chrono::duration<double>(duration).count());
}

std::string format_ms(std::chrono::milliseconds duration) {
    return fmt::format("{} ms", duration.count());
}

}  // namespace collab
