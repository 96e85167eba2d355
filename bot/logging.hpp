#pragma once
// The bot's logger: spdlog on standard error, as text for people or as one JSON object a line for a
// log collector. Lines about one command start with "[<request id>] "; the JSON form moves that id
// into a "request_id" field, so a collector can follow a command from envelope to reply.

#include <spdlog/logger.h>

#include <memory>
#include <string>

namespace collab::bot {

// `format` is "text" or "json"; `level` one of spdlog's level names. A `buffered` logger writes
// warnings and errors at once and the rest when its buffer fills or flush() is called (a service
// logging a line per command flushes every second rather than once a line); an unbuffered one,
// for a person at a terminal, writes every line at once.
std::shared_ptr<spdlog::logger> make_logger(const std::string& level, const std::string& format,
                                            bool buffered = false);

// The JSON line of one message, without the line break (exposed for tests).
std::string json_log_line(std::string_view time, std::string_view level, std::string_view message);

}  // namespace collab::bot
