#pragma once
// Mattermost's documented payloads, copied into tests/fixtures/mattermost (origins in tests/fixtures/SOURCES.md).

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace collab::mattermost::testing {

inline std::string fixture(const std::string& name) {
    std::ifstream in(std::string(COLLAB_FIXTURES_DIR) + "/mattermost/" + name, std::ios::binary);
    EXPECT_TRUE(in) << "missing fixture " << name;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The documented slash command request: its Authorization header's value and its form body. The
// documentation shows the body one field a line, and the mentions after it as prose: the body is the
// fields up to user_name, joined again.
struct RecordedCommand {
    std::string authorization;
    std::string body;
};

inline RecordedCommand recorded_command() {
    std::istringstream lines(fixture("mattermost_slash_command_http_request.txt"));
    RecordedCommand recorded;
    bool in_body = false;
    for (std::string line; std::getline(lines, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!in_body) {
            if (line.starts_with("Authorization: ")) recorded.authorization = line.substr(15);
            if (line.empty()) in_body = true;
            continue;
        }
        recorded.body += line;
        if (line.starts_with("user_name=")) break;
    }
    return recorded;
}

}  // namespace collab::mattermost::testing
