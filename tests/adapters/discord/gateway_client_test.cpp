// The bot's Discord side against the emulated Discord, over the real gateway websocket and REST on
// loopback: what a person in a guild sees for each command, the button flow, a slow upstream, a
// reconnect, an invalid session, a zombie connection, the fatal closes, several shards, and two
// instances on one PostgreSQL database.

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "adapters/store/postgres_store.hpp"
#include "bot_replies.hpp"
#include "discord_bot_harness.hpp"
#include "postgres_test_server.hpp"

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

// A list asked again while the database is unchanged is the same answer (kept by its key, not
// rendered again); once someone is added, the next list shows them: a new key.
TEST_F(DiscordGatewayClientTest, AListAskedAgainIsTheSameUntilTheDatabaseChanges) {
    start();
    const BotReply first = type("4011", "list", {{"database", "my-dedicated-db"}});
    const BotReply again = type("4012", "list", {{"database", "my-dedicated-db"}});
    EXPECT_EQ(data_of(again), data_of(first));
    EXPECT_EQ(content_of(data_of(first)).find("fresh@example.com"), std::string::npos);
    const BotReply added = type("4013", "add", {{"database", "my-dedicated-db"}, {"emails", "fresh@example.com"}});
    EXPECT_NE(content_of(data_of(added)).find("fresh@example.com has been invited"), std::string::npos);
    const BotReply after = type("4014", "list", {{"database", "my-dedicated-db"}});
    EXPECT_NE(content_of(data_of(after)).find("fresh@example.com"), std::string::npos) << content_of(data_of(after));
    EXPECT_TRUE(ephemeral(data_of(after)));
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
    EXPECT_TRUE(discord_.target(1).starts_with("/resume/?v=10&encoding=json")) << "on READY's resume_gateway_url";
    ASSERT_TRUE(discord_.wait_for_closed(0));
    EXPECT_EQ(discord_.client_close_code(0), std::optional<std::uint16_t>{resumable_close_code})
        << "a close that keeps the session";
}

TEST_F(DiscordGatewayClientTest, AnInvalidSessionIsIdentifiedAnewOrResumedAsDiscordSays) {
    start();
    discord_.send_invalid_session(false);
    ASSERT_TRUE(discord_.wait_for_sessions_ready(2)) << bot_->logs();
    EXPECT_EQ(discord_.identifies(), 2) << "d:false: the session is gone, a new one is identified";
    EXPECT_EQ(discord_.resumes(), 0);
    EXPECT_TRUE(discord_.target(1).starts_with("/gateway/")) << discord_.target(1);
    EXPECT_EQ(type_of(type("4040", "whoami", {})), 4) << "answered on the new session";

    discord_.send_invalid_session(true);
    ASSERT_TRUE(discord_.wait_for_sessions_ready(3)) << bot_->logs();
    EXPECT_EQ(discord_.identifies(), 2);
    EXPECT_EQ(discord_.resumes(), 1) << "d:true: the session is resumed";
    EXPECT_TRUE(discord_.target(2).starts_with("/resume/")) << discord_.target(2);
    EXPECT_EQ(type_of(type("4041", "whoami", {})), 4) << "answered on the resumed session";
}

struct FatalClose {
    std::uint16_t code;
    std::string_view fix;  // what the log line must name
};

class DiscordFatalCloseTest : public DiscordGatewayClientTest, public ::testing::WithParamInterface<FatalClose> {};

TEST_P(DiscordFatalCloseTest, StopsTheBotWithExitCode1SayingWhatToFix) {
    start();
    discord_.close_connection(GetParam().code);
    EXPECT_EQ(bot_->wait_for_exit(5s), std::optional<int>{1});
    const std::string logs = bot_->logs();
    EXPECT_NE(logs.find("close code " + std::to_string(GetParam().code)), std::string::npos) << logs;
    EXPECT_NE(logs.find(GetParam().fix), std::string::npos) << logs;
    EXPECT_EQ(discord_.connections(), 1) << "no reconnection after a fatal close";
}

INSTANTIATE_TEST_SUITE_P(DiscordsFatalCodes, DiscordFatalCloseTest,
                         ::testing::Values(FatalClose{4004, "set DISCORD_BOT_TOKEN"},
                                           FatalClose{4010, "the shard count must be the one GET /gateway/bot gives"},
                                           FatalClose{4011, "restart the bot"}, FatalClose{4012, "upgrade collab-bot"},
                                           FatalClose{4013, "upgrade collab-bot"},
                                           FatalClose{4014, "enable it on the Bot page"}),
                         [](const auto& info) { return "Code" + std::to_string(info.param.code); });

TEST_F(DiscordGatewayClientTest, AStopClosesTheSessionAndEndsTheRun) {
    start();
    bot_->stop();
    EXPECT_EQ(bot_->wait_for_exit(5s), std::optional<int>{0}) << bot_->logs();
    ASSERT_TRUE(discord_.wait_for_closed(0));
    EXPECT_EQ(discord_.client_close_code(0), std::optional<std::uint16_t>{1000});
}

// How many replies an interaction got, once nothing more is on its way.
std::size_t settled_reply_count(const DiscordEmulator& discord, const std::string& id) {
    std::this_thread::sleep_for(300ms);
    const auto all = discord.replies();
    return static_cast<std::size_t>(
        std::count_if(all.begin(), all.end(), [&](const BotReply& reply) { return reply.interaction_id == id; }));
}

TEST(DiscordGatewayShards, AZombieConnectionIsLeftForAResumedSession) {
    DiscordEmulator discord(EmulatorOptions{.heartbeat_interval = 300ms});
    DiscordBotHarness bot(discord);
    bot.start();
    ASSERT_TRUE(discord.wait_for_sessions_ready(1)) << bot.logs();
    discord.stop_acknowledging_heartbeats();
    // Read on the zombie connection: answered there, and not again once the session is resumed.
    discord.dispatch_interaction(slash_command("4030", "list", {{"database", "my-dedicated-db"}}));
    const std::size_t beats = discord.heartbeats(0).size();
    ASSERT_TRUE(discord.wait_for_heartbeats(0, beats + 1)) << "a heartbeat left without its ACK";
    // Only the one connection is a zombie.
    discord.acknowledge_heartbeats_again();
    ASSERT_TRUE(discord.wait_for_closed(0)) << bot.logs();
    // Dispatched while the session changes connection: kept for the resume if it comes after.
    discord.dispatch_interaction(slash_command("4031", "whoami", {}));
    ASSERT_TRUE(discord.wait_for_sessions_ready(2)) << bot.logs();
    EXPECT_EQ(discord.client_close_code(0), std::optional<std::uint16_t>{resumable_close_code});
    EXPECT_TRUE(discord.target(1).starts_with("/resume/")) << discord.target(1);
    EXPECT_EQ(discord.resumes(), 1);
    EXPECT_EQ(discord.identifies(), 1);
    ASSERT_EQ(replies_to(discord, "4030", 1).size(), 1u) << bot.logs();
    ASSERT_EQ(replies_to(discord, "4031", 1).size(), 1u) << bot.logs();
    EXPECT_EQ(settled_reply_count(discord, "4030"), 1u) << "answered once";
    EXPECT_EQ(settled_reply_count(discord, "4031"), 1u) << "answered once";
    EXPECT_EQ(bot.logs().find("restarting"), std::string::npos) << "the shard never stopped:\n" << bot.logs();
    EXPECT_EQ(discord.violations(), std::vector<std::string>{});
}

TEST(DiscordGatewayShards, EachShardIdentifiesAsItselfAndEveryInteractionIsAnsweredOnce) {
    DiscordEmulator discord(EmulatorOptions{.shards = 2});
    DiscordBotHarness bot(discord);
    bot.start();
    ASSERT_TRUE(discord.wait_for_sessions_ready(2)) << bot.logs();
    auto shards = discord.identified_shards();
    std::sort(shards.begin(), shards.end());
    EXPECT_EQ(shards, (std::vector<std::pair<int, int>>{{0, 2}, {1, 2}}));
    // The fixture's guild is on shard 1 ((guild_id >> 22) % 2); the next guild id up is on shard 0.
    json::object on_shard_0 = slash_command("4050", "list", {{"database", "my-dedicated-db"}});
    on_shard_0["guild_id"] = "290926798630552303";
    discord.dispatch_interaction(std::move(on_shard_0));
    discord.dispatch_interaction(slash_command("4051", "list", {{"database", "my-dedicated-db"}}));
    for (const std::string id : {"4050", "4051"}) {
        const auto replies = replies_to(discord, id, 1);
        ASSERT_EQ(replies.size(), 1u) << id << "\n" << bot.logs();
        EXPECT_NE(content_of(data_of(replies[0])).find("user2@example.com"), std::string::npos);
        EXPECT_EQ(settled_reply_count(discord, id), 1u) << id;
    }
    EXPECT_EQ(discord.violations(), std::vector<std::string>{});
}

// Two instances, each with its own gateway session (so each receives every interaction), on one
// PostgreSQL database: each interaction is answered once, by either; when one stops, the other
// answers the click on a proposal the first made.
TEST(DiscordGatewayInstances, TwoInstancesOnPostgresAnswerEachInteractionOnceAndEitherTakesAClick) {
    if (collab::testing::postgres_admin_url().empty()) GTEST_FAIL() << collab::testing::postgres_missing_message();
    collab::testing::TestDatabase database;
    store::PostgresOptions store_options;
    store_options.url = database.url();
    store::PostgresStore first_state(store_options), second_state(store_options);
    DiscordEmulator discord;
    const std::string secret = "the-instances-confirmation-secret";
    const HarnessOptions options;
    auto first = std::make_unique<DiscordBotHarness>(discord, options, SharedInstance{first_state, "first", secret});
    DiscordBotHarness second(discord, options, SharedInstance{second_state, "second", secret});
    // A proposal the first instance makes while it is alone.
    first->start();
    ASSERT_TRUE(discord.wait_for_sessions_ready(1)) << first->logs();
    discord.dispatch_interaction(
        slash_command("4070", "remove", {{"database", "my-dedicated-db"}, {"email", "user2@example.com"}}));
    const auto proposal = replies_to(discord, "4070", 1);
    ASSERT_EQ(proposal.size(), 1u) << first->logs();
    const std::string button = confirm_button(proposal[0]);
    ASSERT_FALSE(button.empty());

    second.start();
    ASSERT_TRUE(discord.wait_for_sessions_ready(2)) << first->logs() << second.logs();
    for (int i = 0; i < 6; ++i)
        discord.dispatch_interaction(
            slash_command(std::to_string(4060 + i), "list", {{"database", "my-dedicated-db"}}));
    for (int i = 0; i < 6; ++i) {
        const std::string id = std::to_string(4060 + i);
        ASSERT_EQ(replies_to(discord, id, 1).size(), 1u) << id << "\n" << first->logs() << second.logs();
        EXPECT_EQ(settled_reply_count(discord, id), 1u) << id << " answered by one instance only";
    }

    first->stop();
    ASSERT_EQ(first->wait_for_exit(5s), std::optional<int>{0});
    first.reset();

    // Each harness has a sandbox of its own, so the second finds the collaborator changed since the
    // proposal: what this shows is that it found the proposal and trusted its button (an unknown or
    // forged one is refused without replacing it). tests/e2e checks the removal on one shared Scalingo.
    discord.dispatch_interaction(button_click("4071", button));
    const auto replies = replies_to(discord, "4071", 1);
    ASSERT_EQ(replies.size(), 1u) << second.logs();
    EXPECT_EQ(type_of(replies[0]), 7) << "the proposal is replaced: " << json::serialize(replies[0].body);
    EXPECT_NE(content_of(data_of(replies[0])).find("user2@example.com"), std::string::npos);
    EXPECT_TRUE(data_of(replies[0]).at("components").as_array().empty()) << "no button left to click";
    EXPECT_EQ(settled_reply_count(discord, "4071"), 1u);
    EXPECT_EQ(discord.violations(), std::vector<std::string>{});
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
