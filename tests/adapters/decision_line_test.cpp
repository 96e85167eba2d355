// The one structured line logged per command decision, alike for every chat adapter.

#include "adapters/chat/decision_line.hpp"

#include <gtest/gtest.h>

namespace collab::chat {
namespace {

TEST(DecisionLine, NamesWhoWhatOnWhatAndTheDecision) {
    DecisionNote note{Actor{"slack", "T1", "U1", "C1", "user1@example.com"},
                      "remove",
                      "my-dedicated-db",
                      "user2@example.com",
                      "allow",
                      ""};
    EXPECT_EQ(decision_line("R1", note),
              "[R1] decision platform=slack team=T1 channel=C1 user=U1 email=user1@example.com command=remove "
              "database=my-dedicated-db target=user2@example.com decision=allow");
}

TEST(DecisionLine, ValuesWithBlanksOrQuotesAreQuotedAndEmptyOnesShown) {
    DecisionNote note{Actor{"shell", "local", "local", "shell", std::nullopt},
                      "list",
                      "db",
                      "",
                      "deny",
                      "You are not a \"collaborator\" of db"};
    EXPECT_EQ(decision_line("R2", note),
              "[R2] decision platform=shell team=local channel=shell user=local email=\"\" command=list database=db "
              "target=\"\" decision=deny reason=\"You are not a \\\"collaborator\\\" of db\"");
}

TEST(DecisionLine, AFieldCannotForgeAnother) {
    DecisionNote note;
    note.actor.user_id = "U1 decision=allow";
    EXPECT_NE(decision_line("R3", note).find("user=\"U1 decision=allow\""), std::string::npos);
}

TEST(DecisionLine, ElapsedTimeIsInMillisecondsToATenth) {
    const auto elapsed = [](long long microseconds) {
        std::string line;
        append_elapsed(line, std::chrono::microseconds{microseconds});
        return line;
    };
    EXPECT_EQ(elapsed(0), " elapsed_ms=0.0");
    EXPECT_EQ(elapsed(1234), " elapsed_ms=1.2");
    EXPECT_EQ(elapsed(1250), " elapsed_ms=1.3");
    EXPECT_EQ(elapsed(99'960), " elapsed_ms=100.0");
    EXPECT_EQ(elapsed(12'345'678), " elapsed_ms=12345.7");
}

}  // namespace
}  // namespace collab::chat
