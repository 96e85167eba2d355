// The contract every chat platform shares, with a recording Outbox in place of a platform: what the
// acknowledgement carries, who sees it, and where a click's outcome goes.

#include "adapters/chat/desk.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <regex>
#include <string>
#include <vector>

#include "adapters/observability/metrics.hpp"
#include "desk_fixture.hpp"

namespace collab::chat {
namespace {

TEST_F(DeskTest, AQuickAnswerTravelsInTheAcknowledgementWithItsCommandsVisibility) {
    const Answer listed = command("U1", "list my-dedicated-db");
    EXPECT_EQ(listed.reply->kind, ReplyKind::result);
    EXPECT_EQ(listed.visibility, Visibility::in_channel) << "list is set to be seen by the channel";
    const Answer help = command("U1", "help");
    EXPECT_EQ(help.visibility, Visibility::ephemeral);
    EXPECT_TRUE(outbox_.sent.empty()) << "nothing travels later";
    EXPECT_EQ(desk_.counters().answered_in_ack, 2);
    EXPECT_EQ(desk_.in_flight(), 0u);
}

TEST_F(DeskTest, AClickIsAConfirmationWhoseOutcomeReplacesTheProposal) {
    const Answer proposed = command("U1", "remove my-dedicated-db user2@example.com");
    ASSERT_TRUE(proposed.reply->proposal.has_value()) << to_plain_text(proposed.reply);
    const std::string token = proposed.reply->proposal->token;

    click("U2", token);
    ASSERT_EQ(outbox_.sent.size(), 1u);
    EXPECT_EQ(outbox_.sent[0].route, "post_beside") << "someone else's click leaves the proposal alone";
    EXPECT_EQ(outbox_.sent[0].answer.visibility, Visibility::ephemeral);
    EXPECT_EQ(outbox_.sent[0].answer.reply->kind, ReplyKind::denied);

    click("U1", token);
    ASSERT_EQ(outbox_.sent.size(), 3u);
    EXPECT_EQ(outbox_.sent[1].route, "replace_proposal");
    EXPECT_EQ(to_plain_text(outbox_.sent[1].answer.reply),
              "-----> user2@example.com has been removed from the collaborators of my-dedicated-db (by "
              "user1@example.com)\n");
    EXPECT_EQ(outbox_.sent[2].route, "post_beside") << "a change is announced to the channel";
    EXPECT_EQ(outbox_.sent[2].answer.visibility, Visibility::in_channel);
}

TEST_F(DeskTest, EachCommandLogsOneDecisionLineAndHowItsAnswerWent) {
    command("U1", "list my-dedicated-db");
    CommandRequest left_by_a_dead_instance{from("U2", "cmd-resumed"), "help"};
    Request resumed{std::move(left_by_a_dead_instance)};
    on_desk(desk_.resume(std::move(resumed)));
    const std::string log = log_.str();
    EXPECT_TRUE(std::regex_search(
        log,
        std::regex(R"(^\[cmd-1\] decision platform=test team=T1 channel=C1 user=U1 email=user1@example\.com )"
                   R"(command=list database=my-dedicated-db target="" decision=allow elapsed_ms=\d+\.\d via=ack\n)")))
        << log;
    EXPECT_TRUE(std::regex_search(log, std::regex(R"(\n\[cmd-resumed\] decision platform=test .* command=help .*)"
                                                  R"( elapsed_ms=\d+\.\d via=response_url resumed=true\n)")))
        << log;
}

TEST_F(DeskTest, CommandsAreCountedWithTheirPlatform) {
    observability::Registry metrics;
    desk_.count_into(metrics, "mattermost");
    command("U1", "list my-dedicated-db");
    command("U1", "leave my-dedicated-db");  // the owner cannot leave
    const std::string text = metrics.render();
    EXPECT_NE(text.find("collab_commands_total{kind=\"list\",outcome=\"answered\",platform=\"mattermost\"} 1\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("collab_decisions_denied_total{platform=\"mattermost\"} 1\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace collab::chat
