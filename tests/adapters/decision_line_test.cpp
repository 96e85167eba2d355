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
    EXPECT_EQ(decision_line(note),
              "decision platform=slack team=T1 channel=C1 user=U1 email=user1@example.com command=remove "
              "database=my-dedicated-db target=user2@example.com decision=allow");
}

TEST(DecisionLine, ValuesWithBlanksOrQuotesAreQuotedAndEmptyOnesShown) {
    DecisionNote note{Actor{"shell", "local", "local", "shell", std::nullopt},
                      "list",
                      "db",
                      "",
                      "deny",
                      "You are not a \"collaborator\" of db"};
    EXPECT_EQ(decision_line(note),
              "decision platform=shell team=local channel=shell user=local email=\"\" command=list database=db "
              "target=\"\" decision=deny reason=\"You are not a \\\"collaborator\\\" of db\"");
}

TEST(DecisionLine, AFieldCannotForgeAnother) {
    DecisionNote note;
    note.actor.user_id = "U1 decision=allow";
    EXPECT_NE(decision_line(note).find("user=\"U1 decision=allow\""), std::string::npos);
}

}  // namespace
}  // namespace collab::chat
