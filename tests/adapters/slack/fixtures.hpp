#pragma once
// Slack's recorded payloads, copied into tests/fixtures/slack (origins in tests/fixtures/SOURCES.md), and
// the form encoding Slack posts with.

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace collab::slack::testing {

inline std::string fixture(const std::string& name) {
    std::ifstream in(std::string(COLLAB_FIXTURES_DIR) + "/slack/" + name, std::ios::binary);
    EXPECT_TRUE(in) << "missing fixture " << name;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Form encoding as Slack's servers do it: unreserved characters as they are, a space as '+'.
inline std::string form(const std::vector<std::pair<std::string, std::string>>& fields) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const auto& [name, value] : fields) {
        if (!out.empty()) out += '&';
        out += name + '=';
        for (unsigned char c : value) {
            if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
                out += static_cast<char>(c);
            } else if (c == ' ') {
                out += '+';
            } else {
                out += '%';
                out += hex[c >> 4];
                out += hex[c & 0x0F];
            }
        }
    }
    return out;
}

}  // namespace collab::slack::testing
