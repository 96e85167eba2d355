// The JSON log line: one object, the request id lifted out of the message, everything escaped.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "bot/logging.hpp"

namespace collab::bot {
namespace {

TEST(JsonLogLine, LiftsTheRequestIdOutOfTheMessage) {
    const auto line = json_log_line("2026-12-01T12:00:00.000Z", "info", "[1d3c79ab-0ffb] slack: /collab list by U1");
    const auto object = boost::json::parse(line).as_object();
    EXPECT_EQ(object.at("request_id"), "1d3c79ab-0ffb");
    EXPECT_EQ(object.at("message"), "slack: /collab list by U1");
    EXPECT_EQ(object.at("level"), "info");
    EXPECT_EQ(object.at("time"), "2026-12-01T12:00:00.000Z");
}

TEST(JsonLogLine, AMessageWithoutAnIdHasNoIdField) {
    const auto object = boost::json::parse(json_log_line("t", "warn", "[not an id] at all")).as_object();
    EXPECT_FALSE(object.contains("request_id"));
    EXPECT_EQ(object.at("message"), "[not an id] at all");
}

TEST(JsonLogLine, QuotesAndLineBreaksStayInsideOneLine) {
    const auto line = json_log_line("t", "error", "a \"quoted\"\nsecond line\\");
    EXPECT_EQ(line.find('\n'), std::string::npos);
    EXPECT_EQ(boost::json::parse(line).as_object().at("message"), "a \"quoted\"\nsecond line\\");
}

}  // namespace
}  // namespace collab::bot
