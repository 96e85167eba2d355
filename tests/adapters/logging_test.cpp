// The log lines: the JSON one (one object, the request id lifted out of the message, everything
// escaped) and the text one, on a real standard error, with nothing from outside written raw.

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "bot/logging.hpp"
#include "temp_dir.hpp"

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

TEST(JsonLogLine, BidiAndControlCharactersAreMadeVisible) {
    const auto line = json_log_line("t", "info", "user \u202egnp.exe\x1b]0;x\x07");
    const auto message = boost::json::parse(line).as_object().at("message");
    EXPECT_EQ(message, "user \\u202egnp.exe\\x1b]0;x\\x07");
    EXPECT_EQ(line.find("\u202e"), std::string::npos);
}

// What a logger made by make_logger writes to file descriptor 2, pointed at a file meanwhile.
std::string logged_to_stderr(const std::string& format, const std::string& message) {
    testing::TempDir dir;
    const auto file = dir.path() / "stderr";
    std::fflush(stderr);
    const int saved = ::dup(STDERR_FILENO);
    std::FILE* capture = std::fopen(file.c_str(), "w");
    ::dup2(::fileno(capture), STDERR_FILENO);
    {
        auto logger = make_logger("info", format, true);
        logger->info("{}", message);
        logger->flush();
    }
    ::dup2(saved, STDERR_FILENO);
    ::close(saved);
    std::fclose(capture);
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

TEST(TextLogLine, ControlSequencesAndBidiCharactersNeverReachStandardErrorRaw) {
    // A username an upstream sent, quoted in a log line: clear screen, window title, right-to-left.
    const std::string line =
        logged_to_stderr("text", "[req-1] user \x1b[2J\x1b]0;pwned\x07\u009b\u202eevil\nFAKE line");
    EXPECT_EQ(line.find('\x1b'), std::string::npos) << line;
    EXPECT_EQ(line.find('\x07'), std::string::npos) << line;
    EXPECT_EQ(line.find("\u009b"), std::string::npos) << line;
    EXPECT_EQ(line.find("\u202e"), std::string::npos) << line;
    EXPECT_NE(line.find(" info [req-1] user \\x1b[2J\\x1b]0;pwned\\x07\\x9b\\u202eevil\\x0aFAKE line\n"),
              std::string::npos)
        << line;
    EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1) << "one message, one line";
}

TEST(TextLogLine, OrdinaryMessagesAreWrittenAsTheyAre) {
    const std::string line = logged_to_stderr("text", "sandbox: serving at http://127.0.0.1:8080 — Zoë");
    EXPECT_NE(line.find(" info sandbox: serving at http://127.0.0.1:8080 — Zoë\n"), std::string::npos) << line;
}

}  // namespace
}  // namespace collab::bot
