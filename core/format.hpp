#pragma once
// Times and durations as the bot writes them, in replies, logs, error messages and the sandbox's API:
// one set of helpers, so that one time reads the same wherever it is shown.

#include <chrono>
#include <string>

#include "core/model.hpp"

namespace collab {

std::string format_utc(TimePoint at);      // "2026-11-28 12:44:32 UTC" (fractions of a second dropped)
std::string format_rfc3339(TimePoint at);  // "2026-11-28T12:44:32.123Z" (milliseconds), as Scalingo's API
std::string format_seconds(std::chrono::milliseconds duration);  // "2.5 s" (one decimal)
std::string format_ms(std::chrono::milliseconds duration);       // "250 ms"

}  // namespace collab
