// The acceptance notice through the built binary: collab-bot on Slack (the emulator) and the in-process
// sandbox; an invitation typed in a channel, accepted with `collab-bot sandbox accept`, is announced in
// that channel, once, naming the inviter, and still once after a restart.

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include <csignal>
#include <fstream>
#include <thread>

#include "sandbox_invitations.hpp"
#include "slack_bot_process.hpp"

namespace collab::e2e {
namespace {

using namespace std::chrono_literals;
using slack::test::EmulatorOptions;
using slack::test::SlackEmulator;

bool typed(SlackEmulator& slack, const std::string& id, const std::string& text) {
    slack::test::SlashCommandFields fields;
    fields.envelope_id = id;
    fields.text = text;
    fields.response_url = slack.response_url(id);
    return slack.deliver(slack::test::slash_command_envelope(fields)) >= 0 && slack.wait_for_ack(id).has_value();
}

std::vector<std::string> notices(const SlackEmulator& slack, const std::string& saying = "accepted the invitation") {
    std::vector<std::string> found;
    for (const auto& post : slack.posts("chat.postMessage")) {
        const std::string text = boost::json::serialize(post.body);
        if (text.find(saying) != std::string::npos)
            found.push_back(std::string(post.body.at("channel").as_string()) + " " + text);
    }
    return found;
}

// The bot's arguments for a watch that looks every second (or is turned off), its configuration written
// in `state`.
std::vector<std::string> watching_every_second(const StateDir& state, bool enabled = true) {
    const auto config = state.path() / (enabled ? "watch.toml" : "no-watch.toml");
    std::ofstream(config) << "[watch]\nenabled = " << (enabled ? "true" : "false") << "\ninterval_seconds = 1\n";
    return {"--config", config.string()};
}

TEST(WatchProcess, AnAcceptanceIsAnnouncedInTheChannelOnceAcrossARestart) {
    EmulatorOptions options;
    options.emails = {{"U111", "user1@example.com"}};
    SlackEmulator slack(options);
    StateDir state;
    const std::vector<std::string> args = watching_every_second(state);
    {
        SlackBot bot(slack, state, {}, args);
        ASSERT_TRUE(slack.wait_for_open_sockets(1, 10s)) << bot.log();
        ASSERT_TRUE(typed(slack, "env-1", "add my-dedicated-db user4@example.com")) << bot.log();
        bot.signal(SIGTERM);
        ASSERT_EQ(bot.wait(), 0) << bot.log();
    }
    // Accepted while the bot is down.
    ASSERT_TRUE(accept_invitation(state, "user4@example.com", "my-dedicated-db"));

    for (int start = 0; start < 2; ++start) {
        SlackBot bot(slack, state, {}, args);
        ASSERT_TRUE(slack.wait_for_open_sockets(1, 10s)) << bot.log();
        for (int i = 0; i < 100 && notices(slack).empty(); ++i) std::this_thread::sleep_for(50ms);
        std::this_thread::sleep_for(1500ms);  // a round more: nothing new to say
        bot.signal(SIGTERM);
        ASSERT_EQ(bot.wait(), 0) << bot.log();
        const auto said = notices(slack);
        ASSERT_EQ(said.size(), 1u) << bot.log();
        EXPECT_NE(said[0].find("C111 "), std::string::npos) << said[0];
        EXPECT_NE(said[0].find("user4@example.com accepted the invitation to my-dedicated-db (invited by <@U111>"),
                  std::string::npos)
            << said[0];
    }
}

// A resend revokes the pending invitation and sends a new one, saying so: the watch never reports the
// old one as revoked or expired, and announces the acceptance of the new one once.
TEST(WatchProcess, AResendIsNeverReportedAsARevocationAndTheNewInvitationsAcceptanceIsAnnouncedOnce) {
    EmulatorOptions options;
    options.emails = {{"U111", "user1@example.com"}};
    SlackEmulator slack(options);
    StateDir state;
    const std::vector<std::string> args = watching_every_second(state);
    {
        SlackBot bot(slack, state, {}, args);
        ASSERT_TRUE(slack.wait_for_open_sockets(1, 10s)) << bot.log();
        ASSERT_TRUE(typed(slack, "env-1", "add my-dedicated-db user4@example.com")) << bot.log();
        ASSERT_TRUE(typed(slack, "env-2", "resend my-dedicated-db user4@example.com")) << bot.log();
        std::this_thread::sleep_for(2500ms);  // two rounds of the watch at least
        bot.signal(SIGTERM);
        ASSERT_EQ(bot.wait(), 0) << bot.log();
    }
    EXPECT_EQ(notices(slack, "revoked or expired"), std::vector<std::string>{});
    ASSERT_TRUE(accept_invitation(state, "user4@example.com", "my-dedicated-db"));
    SlackBot bot(slack, state, {}, args);
    ASSERT_TRUE(slack.wait_for_open_sockets(1, 10s)) << bot.log();
    for (int i = 0; i < 100 && notices(slack).empty(); ++i) std::this_thread::sleep_for(50ms);
    std::this_thread::sleep_for(1500ms);  // a round more: nothing new to say
    bot.signal(SIGTERM);
    ASSERT_EQ(bot.wait(), 0) << bot.log();
    EXPECT_EQ(notices(slack).size(), 1u) << bot.log();
    EXPECT_EQ(notices(slack, "revoked or expired"), std::vector<std::string>{});
}

// With the watch off, the invitations sent are not remembered for it: their acceptance is not announced
// once the watch is turned on again (it would be news of something nobody was told to expect).
TEST(WatchProcess, AnInvitationSentWithTheWatchOffIsNotAnnouncedOnceTheWatchIsBack) {
    EmulatorOptions options;
    options.emails = {{"U111", "user1@example.com"}};
    SlackEmulator slack(options);
    StateDir state;
    {
        SlackBot bot(slack, state, {}, watching_every_second(state, false));
        ASSERT_TRUE(slack.wait_for_open_sockets(1, 10s)) << bot.log();
        ASSERT_TRUE(typed(slack, "env-1", "add my-dedicated-db user4@example.com")) << bot.log();
        bot.signal(SIGTERM);
        ASSERT_EQ(bot.wait(), 0) << bot.log();
    }
    ASSERT_TRUE(accept_invitation(state, "user4@example.com", "my-dedicated-db"));
    SlackBot bot(slack, state, {}, watching_every_second(state));
    ASSERT_TRUE(slack.wait_for_open_sockets(1, 10s)) << bot.log();
    std::this_thread::sleep_for(2500ms);  // two rounds at least
    bot.signal(SIGTERM);
    ASSERT_EQ(bot.wait(), 0) << bot.log();
    EXPECT_EQ(notices(slack), std::vector<std::string>{}) << bot.log();
}

}  // namespace
}  // namespace collab::e2e
