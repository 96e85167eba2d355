#pragma once
// What the invitee does in the tests of the acceptance notice: accepts the invitation the sandbox keeps
// for them, with `collab-bot sandbox invitations` and `collab-bot sandbox accept`, as a person would
// follow the link in Scalingo's e-mail.

#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "bot_process.hpp"

namespace collab::e2e {

// Accepts the pending invitation of `email` to `database` in the sandbox of `state`; false (the test
// failed, saying why) when there is none.
inline bool accept_invitation(const StateDir& state, const std::string& email, const std::string& database) {
    const BotRun outbox = run_bot({"sandbox", "invitations", "--state-dir", state.path().string()}, "", state);
    const auto literal = [](const std::string& text) {
        return std::regex_replace(text, std::regex(R"([.\-+])"), R"(\$&)");
    };
    const std::regex row(literal(email) + " +│ " + literal(database) + " │ pending .*│ ([0-9a-f]{32}) │");
    std::smatch invitation;
    if (!std::regex_search(outbox.out, invitation, row)) {
        ADD_FAILURE() << "no pending invitation of " << email << " to " << database << ":\n" << outbox.out;
        return false;
    }
    const BotRun accepted =
        run_bot({"sandbox", "accept", invitation[1].str(), "--state-dir", state.path().string()}, "", state);
    EXPECT_EQ(accepted.exit_code, 0) << accepted.out << accepted.err;
    return accepted.exit_code == 0;
}

}  // namespace collab::e2e
