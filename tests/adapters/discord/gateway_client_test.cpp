// The bot's Discord side against the emulated Discord, over the real gateway websocket and REST on
// loopback: what a person in a guild sees for each command, the button flow, a slow upstream, a
// reconnect, a fatal close.

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "bot_replies.hpp"
#include "discord_bot_harness.hpp"

namespace collab::discord::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class DiscordGatewayClientTest : public ::testing::Test {
protected:
    void start(HarnessOptions options = {}) {
        bot_ = std::make_unique<DiscordBotHarness>(discord_, options);
        bot_->start();
        ASSERT_TRUE(discord_.wait_for_sessions_ready(1)) << bot_->logs();
    }

    std::vector<BotReply> replies_to(const std::string& id, std::size_t count) {
        return test::replies_to(discord_, id, count);
    }

    BotReply type(const std::string& id, std::string sub_command,
                  std::vector<std::pair<std::string, std::string>> options, std::string_view user = owner_id) {
        discord_.dispatch_interaction(slash_command(id, sub_command, options, user));
        auto replies = replies_to(id, 1);
        if (replies.empty()) {
            ADD_FAILURE() << "no answer to " << sub_command << "\n" << bot_->logs();
            return BotReply{};
        }
        return replies.front();
    }

    void TearDown() override { EXPECT_EQ(discord_.violations(), std::vector<std::string>{}); }

    DiscordEmulator discord_;
    std::unique_ptr<DiscordBotHarness> bot_;
};

TEST_F(DiscordGatewayClientTest, ListIsAnsweredInItsCallbackForTheAskerOnly) {
    start();
    const BotReply reply = type("4001", "list", {{"database", "my-dedicated-db"}});
    ASSERT_EQ(reply.route, "callback");
    EXPECT_EQ(reply.status, 204u);
    EXPECT_EQ(type_of(reply), 4);
    EXPECT_TRUE(ephemeral(data_of(reply)));
    EXPECT_NE(content_of(data_of(reply)).find("user2@example.com"), std::string::npos) << content_of(data_of(reply));
    EXPECT_NE(content_of(data_of(reply)).find("```"), std::string::npos) << "the table is a code block";
    ASSERT_EQ(discord_.command_sets().size(), 1u) << "/collab is registered at the first READY";
    EXPECT_EQ(discord_.command_sets()[0].first, "") << "globally, without a guild";
}

TEST_F(DiscordGatewayClientTest, AddIsPostedInTheChannel) {
    start();
    const BotReply reply = type("4002", "add", {{"database", "my-dedicated-db"}, {"emails", "new@example.com"}});
    ASSERT_EQ(reply.route, "callback");
    EXPECT_EQ(type_of(reply), 4);
    EXPECT_FALSE(ephemeral(data_of(reply)));
    EXPECT_NE(content_of(data_of(reply)).find("new@example.com has been invited"), std::string::npos)
        << content_of(data_of(reply));
    EXPECT_TRUE(has_collaborator(bot_->collaborators("my-dedicated-db"), "new@example.com"));
}

TEST_F(DiscordGatewayClientTest, ACommandsConfiguredVisibilityDecidesWhoSeesItsAnswer) {
    HarnessOptions options;
    options.visibility.by_command["list"] = chat::Visibility::in_channel;
    options.visibility.by_command["add"] = chat::Visibility::ephemeral;
    start(options);
    const BotReply listed = type("4020", "list", {{"database", "my-dedicated-db"}});
    EXPECT_EQ(type_of(listed), 4);
    EXPECT_FALSE(ephemeral(data_of(listed))) << "list is configured in the channel";
    EXPECT_NE(content_of(data_of(listed)).find("user2@example.com"), std::string::npos);
    const BotReply added = type("4021", "add", {{"database", "my-dedicated-db"}, {"emails", "quiet@example.com"}});
    EXPECT_EQ(type_of(added), 4);
    EXPECT_TRUE(ephemeral(data_of(added))) << "add is configured for the asker alone";
    EXPECT_TRUE(has_collaborator(bot_->collaborators("my-dedicated-db"), "quiet@example.com"));
    const BotReply whoami = type("4022", "whoami", {});
    EXPECT_TRUE(ephemeral(data_of(whoami))) << "what is not configured keeps its default";
}

TEST_F(DiscordGatewayClientTest, WhoamiShowsTheAskersMentionAndNameBeforeTheirIds) {
    start();
    const BotReply reply = type("4023", "whoami", {});
    // Discord shows <@id> as the person's name (pinging nobody: no mention is allowed); the fixture's
    // username is "Mason".
    EXPECT_NE(content_of(data_of(reply))
                  .find("Chat identity: <@53908232506183680>, discord user Mason (53908232506183680) in "),
              std::string::npos)
        << content_of(data_of(reply));
    EXPECT_NE(content_of(data_of(reply)).find("Scalingo account: user1@example.com"), std::string::npos);
}

TEST_F(DiscordGatewayClientTest, ASlowAnswerIsDeferredThenCompletedInPlace) {
    start({.answer_budget = 200ms});
    bot_->upstream().set_delay(500ms);
    discord_.dispatch_interaction(slash_command("4003", "list", {{"database", "my-dedicated-db"}}));
    const auto replies = replies_to("4003", 2);
    ASSERT_EQ(replies.size(), 2u) << bot_->logs();
    EXPECT_EQ(replies[0].route, "callback");
    EXPECT_EQ(type_of(replies[0]), 5);
    EXPECT_TRUE(ephemeral(data_of(replies[0])));
    EXPECT_LT(replies[0].after, 3000ms);
    EXPECT_EQ(replies[1].route, "edit_original");
    EXPECT_NE(content_of(replies[1].body).find("user2@example.com"), std::string::npos);
}

TEST_F(DiscordGatewayClientTest, AChannelAnswerDiscordRefusedLeavesANoticeInPlaceOfThePlaceholder) {
    start({.answer_budget = 200ms});
    bot_->upstream().set_delay(500ms);
    discord_.fail("webhooks/", 1, 403);
    discord_.dispatch_interaction(
        slash_command("4010", "add", {{"database", "my-dedicated-db"}, {"emails", "late@example.com"}}));
    const auto replies = replies_to("4010", 2);
    ASSERT_EQ(replies.size(), 2u) << bot_->logs();
    EXPECT_EQ(type_of(replies[0]), 5);
    EXPECT_EQ(replies[1].route, "edit_original") << "the placeholder is not removed: nothing would show in its place";
    EXPECT_NE(content_of(replies[1].body).find("could not be posted in the channel"), std::string::npos)
        << content_of(replies[1].body);
    std::this_thread::sleep_for(200ms);
    const auto all = discord_.replies();
    EXPECT_EQ(
        std::count_if(all.begin(), all.end(), [](const BotReply& reply) { return reply.interaction_id == "4010"; }), 2)
        << "no removal after the notice";
}

TEST_F(DiscordGatewayClientTest, RemovalIsConfirmedByTheProposersClick) {
    start();
    const BotReply proposal = type("4004", "remove", {{"database", "my-dedicated-db"}, {"email", "user2@example.com"}});
    EXPECT_TRUE(ephemeral(data_of(proposal)));
    const std::string button = confirm_button(proposal);
    ASSERT_TRUE(button.starts_with("collab:confirm:")) << json::serialize(proposal.body);
    EXPECT_EQ(data_of(proposal).at("components").at(0).at("components").at(0).at("style"), 4);
    EXPECT_TRUE(has_collaborator(bot_->collaborators("my-dedicated-db"), "user2@example.com"));

    discord_.dispatch_interaction(button_click("4005", button));
    const auto replies = replies_to("4005", 2);
    ASSERT_EQ(replies.size(), 2u) << bot_->logs();
    EXPECT_EQ(replies[0].route, "callback");
    EXPECT_EQ(type_of(replies[0]), 7) << "the proposal is replaced";
    EXPECT_NE(content_of(data_of(replies[0])).find("user2@example.com"), std::string::npos);
    EXPECT_FALSE(data_of(replies[0]).contains("components") && !data_of(replies[0]).at("components").as_array().empty())
        << "no button left to click";
    EXPECT_EQ(replies[1].route, "follow_up");
    EXPECT_FALSE(ephemeral(replies[1].body)) << "the team sees the change";
    EXPECT_FALSE(has_collaborator(bot_->collaborators("my-dedicated-db"), "user2@example.com"));
}

TEST_F(DiscordGatewayClientTest, SomeoneElsesClickIsRefusedForThemAlone) {
    start();
    const BotReply proposal = type("4006", "remove", {{"database", "my-dedicated-db"}, {"email", "user2@example.com"}});
    const std::string button = confirm_button(proposal);
    ASSERT_FALSE(button.empty());
    discord_.dispatch_interaction(button_click("4007", button, colleague_id));
    const auto replies = replies_to("4007", 1);
    ASSERT_EQ(replies.size(), 1u) << bot_->logs();
    EXPECT_EQ(type_of(replies[0]), 4);
    EXPECT_TRUE(ephemeral(data_of(replies[0])));
    EXPECT_FALSE(content_of(data_of(replies[0])).empty());
    EXPECT_TRUE(has_collaborator(bot_->collaborators("my-dedicated-db"), "user2@example.com"));
}

TEST_F(DiscordGatewayClientTest, AReconnectResumesTheSessionWithNoInteractionLost) {
    start();
    discord_.send_reconnect();
    discord_.dispatch_interaction(slash_command("4008", "list", {{"database", "my-dedicated-db"}}));
    ASSERT_TRUE(discord_.wait_for_sessions_ready(2)) << bot_->logs();
    const auto replies = replies_to("4008", 1);
    ASSERT_EQ(replies.size(), 1u) << bot_->logs();
    EXPECT_EQ(type_of(replies[0]), 4);
    EXPECT_EQ(discord_.resumes(), 1);
    EXPECT_EQ(discord_.identifies(), 1);
    ASSERT_TRUE(discord_.wait_for_closed(0));
    EXPECT_EQ(discord_.client_close_code(0), std::optional<std::uint16_t>{resumable_close_code})
        << "a close that keeps the session";
}

TEST_F(DiscordGatewayClientTest, AFatalCloseStopsTheBotSayingWhatToFix) {
    start();
    discord_.close_connection(4004);
    EXPECT_EQ(bot_->wait_for_exit(5s), std::optional<int>{1});
    EXPECT_NE(bot_->logs().find("DISCORD_BOT_TOKEN"), std::string::npos) << bot_->logs();
    EXPECT_EQ(discord_.connections(), 1) << "no reconnection after a fatal close";
}

TEST_F(DiscordGatewayClientTest, AStopClosesTheSessionAndEndsTheRun) {
    start();
    bot_->stop();
    EXPECT_EQ(bot_->wait_for_exit(5s), std::optional<int>{0}) << bot_->logs();
    ASSERT_TRUE(discord_.wait_for_closed(0));
    EXPECT_EQ(discord_.client_close_code(0), std::optional<std::uint16_t>{1000});
}

TEST(DiscordGatewayShards, AZombieConnectionIsLeftForAResumedSession) {
    DiscordEmulator discord(EmulatorOptions{.heartbeat_interval = 300ms});
    DiscordBotHarness bot(discord);
    bot.start();
    ASSERT_TRUE(discord.wait_for_sessions_ready(1)) << bot.logs();
    discord.stop_acknowledging_heartbeats();
    ASSERT_TRUE(discord.wait_for_sessions_ready(2)) << bot.logs();
    EXPECT_EQ(discord.resumes(), 1);
    EXPECT_EQ(discord.client_close_code(0), std::optional<std::uint16_t>{resumable_close_code});
    EXPECT_EQ(bot.logs().find("restarting"), std::string::npos) << "the shard never stopped:\n" << bot.logs();
}

TEST(DiscordGatewayShards, HealthSaysSoWhileAShardHasNoSession) {
    DiscordEmulator discord(EmulatorOptions{.shards = 2});
    DiscordBotHarness bot(discord, {.identify_spacing = 1'500ms});
    bot.start();
    // What the bot says once it has read what the emulator sent.
    auto settled_health = [&bot](const std::optional<std::string>& expected) {
        for (int i = 0; i < 100 && bot.link_down() != expected; ++i) std::this_thread::sleep_for(10ms);
        return bot.link_down();
    };
    ASSERT_TRUE(discord.wait_for_sessions_ready(1)) << bot.logs();
    const std::optional<std::string> one_down = "1 of 2 gateway shard(s) without a ready session";
    EXPECT_EQ(settled_health(one_down), one_down) << "one shard up is not enough";
    EXPECT_EQ(discord.sessions_ready(), 1) << "the second shard was still waiting its turn";
    ASSERT_TRUE(discord.wait_for_sessions_ready(2)) << bot.logs();
    EXPECT_EQ(settled_health(std::nullopt), std::nullopt);
}

}  // namespace
}  // namespace collab::discord::test
