#pragma once
// Discord's documented payloads, copied into tests/fixtures/discord (origins in tests/fixtures/SOURCES.md).

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace collab::discord::testing {

inline std::string fixture(const std::string& name) {
    std::ifstream in(std::string(COLLAB_FIXTURES_DIR) + "/discord/" + name, std::ios::binary);
    EXPECT_TRUE(in) << "missing fixture " << name;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace collab::discord::testing
