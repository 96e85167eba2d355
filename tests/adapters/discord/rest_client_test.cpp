// The Discord REST client against the Discord emulator on loopback.

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <functional>
#include <thread>

#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

#include "adapters/chat/discord/application.hpp"
#include "adapters/chat/discord/commands.hpp"
#include "adapters/chat/discord/messages.hpp"
#include "adapters/chat/discord/rest_client.hpp"
#include "discord_emulator.hpp"
#include "rest_runner.hpp"

namespace collab::discord {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;
using test::DiscordEmulator;
using test::EmulatorOptions;
using test::with_client;

json::object answer_of(std::string_view text) {
    Reply reply;
    reply.lines.push_back({LineStyle::plain, std::string(text)});
    return message_of(reply, chat::Visibility::ephemeral);
}

TEST(DiscordRest, GatewayBotGivesTheUrlAndShards) {
    EmulatorOptions options;
    options.shards = 3;
    DiscordEmulator discord(options);
    auto gateway = with_client<RestResult<GatewayBot>>(discord, [](RestClient& c) { return c.gateway_bot(); });
    ASSERT_TRUE(gateway) << gateway.error().message;
    EXPECT_EQ(gateway->url, discord.gateway_url());
    EXPECT_EQ(gateway->shards, 3);
    EXPECT_EQ(discord.requests(), std::vector<std::string>{"gateway/bot"});
}

// Discord accepts /collab as the registration derives it from the core, globally and in a guild.
TEST(DiscordRest, TheCommandSetIsRegisteredByBulkOverwrite) {
    DiscordEmulator discord;
    const std::string app = discord.options().application_id;
    auto done = with_client<bool>(discord, [&](RestClient& c) -> asio::awaitable<bool> {
        std::string everywhere;
        std::string guild_id = "290926798626357999";
        json::array commands = registration_body(command_specs());
        json::array same_commands = commands;
        auto global = co_await c.overwrite_commands(app, everywhere, commands);
        auto guild = co_await c.overwrite_commands(app, guild_id, same_commands);
        co_return global.has_value() && guild.has_value();
    });
    EXPECT_TRUE(done);
    EXPECT_EQ(discord.violations(), std::vector<std::string>{});
    const auto sets = discord.command_sets();
    ASSERT_EQ(sets.size(), 2u);
    EXPECT_EQ(sets[0].first, "");
    EXPECT_EQ(sets[1].first, "290926798626357999");
    EXPECT_EQ(sets[1].second, registration_body(command_specs()));
}

TEST(DiscordRest, ARateLimitIsWaitedOutAsDiscordAsks) {
    DiscordEmulator discord;
    discord.rate_limit("gateway/bot", 1, 0.3, false);
    const auto started = std::chrono::steady_clock::now();
    auto gateway = with_client<RestResult<GatewayBot>>(discord, [](RestClient& c) { return c.gateway_bot(); });
    EXPECT_TRUE(gateway);
    // The body's 0.3 s, not the header's rounded-up second.
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_GE(took, 300ms);
    EXPECT_LT(took, 900ms);
    EXPECT_EQ(discord.requests().size(), 2u);
}

TEST(DiscordRest, AGlobalRateLimitPausesTheBotsRequests) {
    DiscordEmulator discord;
    discord.rate_limit("gateway/bot", 1, 0.4, true);
    const auto started = std::chrono::steady_clock::now();
    const std::string app = discord.options().application_id;
    auto done = with_client<bool>(discord, [&](RestClient& c) -> asio::awaitable<bool> {
        auto gateway = co_await c.gateway_bot();
        std::string everywhere;
        json::array command_set = registration_body(command_specs());
        auto commands = co_await c.overwrite_commands(app, everywhere, command_set);
        co_return gateway.has_value() && commands.has_value();
    });
    EXPECT_TRUE(done);
    EXPECT_GE(std::chrono::steady_clock::now() - started, 400ms);
}

TEST(DiscordRest, ARateLimitTooLongIsNotWaitedOut) {
    DiscordEmulator discord;
    discord.rate_limit("gateway/bot", 1, 120.5, false);
    RestSettings settings;
    settings.longest_wait = 30s;
    auto gateway = with_client<RestResult<GatewayBot>>(
        discord, [](RestClient& c) { return c.gateway_bot(); }, settings);
    ASSERT_FALSE(gateway);
    EXPECT_EQ(gateway.error().status, 429u);
    EXPECT_EQ(gateway.error().retry_after, std::chrono::seconds{121});
    EXPECT_EQ(discord.requests().size(), 1u);
}

TEST(DiscordRest, ARefusedTokenStopsTheBotNamingTheSetting) {
    DiscordEmulator discord;
    RestSettings settings;
    settings.bot_token = "revoked-token-value";
    std::string told;
    settings.on_token_refused = [&](const std::string& message) { told = message; };
    auto gateway = with_client<RestResult<GatewayBot>>(
        discord, [](RestClient& c) { return c.gateway_bot(); }, settings);
    ASSERT_FALSE(gateway);
    EXPECT_EQ(gateway.error().status, 401u);
    EXPECT_NE(told.find("DISCORD_BOT_TOKEN"), std::string::npos);
    EXPECT_EQ(told.find("revoked-token-value"), std::string::npos);
    EXPECT_EQ(gateway.error().message, told);
    EXPECT_EQ(discord.requests().size(), 1u);  // no retry can help
}

TEST(DiscordRest, ACallbackAnswersOnceWithinThreeSeconds) {
    DiscordEmulator discord;
    discord.dispatch_interaction(test::slash_command("1001", "whoami", {}));
    const auto received = std::chrono::steady_clock::now();
    auto results = with_client<std::pair<RestResult<void>, RestResult<void>>>(
        discord, [&](RestClient& c) -> asio::awaitable<std::pair<RestResult<void>, RestResult<void>>> {
            std::string id = "1001";
            std::string token = "interaction-token-1001";
            std::string hello = json::serialize(callback(CallbackType::message, answer_of("hello")));
            std::string again = json::serialize(callback(CallbackType::message, answer_of("again")));
            auto first = co_await c.callback(id, token, hello, received);
            auto second = co_await c.callback(id, token, again, received);
            co_return std::pair{first, second};
        });
    EXPECT_TRUE(results.first);
    ASSERT_FALSE(results.second);
    EXPECT_EQ(results.second.error().code, 40060);
    const auto replies = discord.replies();
    ASSERT_EQ(replies.size(), 2u);
    EXPECT_EQ(replies[0].route, "callback");
    EXPECT_EQ(replies[0].status, 204u);
    EXPECT_LT(replies[0].after, 3s);
}

TEST(DiscordRest, ALateCallbackIsAnUnknownInteraction) {
    EmulatorOptions options;
    options.interaction_window = 100ms;
    DiscordEmulator discord(options);
    discord.dispatch_interaction(test::slash_command("1002", "whoami", {}));
    const auto received = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(200ms);
    auto result = with_client<RestResult<void>>(discord, [&](RestClient& c) -> asio::awaitable<RestResult<void>> {
        std::string id = "1002";
        std::string token = "interaction-token-1002";
        std::string body = json::serialize(callback(CallbackType::message, answer_of("late")));
        co_return co_await c.callback(id, token, body, received);
    });
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().status, 404u);
    EXPECT_EQ(result.error().code, 10062);
}

TEST(DiscordRest, ACallbackIsSentAgainAfterA5xxWhileItCanStillArrive) {
    DiscordEmulator discord;
    discord.dispatch_interaction(test::slash_command("1003", "whoami", {}));
    discord.fail("interactions/1003", 1, 502);
    const auto received = std::chrono::steady_clock::now();
    auto result = with_client<RestResult<void>>(discord, [&](RestClient& c) -> asio::awaitable<RestResult<void>> {
        std::string id = "1003";
        std::string token = "interaction-token-1003";
        std::string body = json::serialize(deferral(chat::Visibility::ephemeral));
        co_return co_await c.callback(id, token, body, received);
    });
    EXPECT_TRUE(result);
    EXPECT_EQ(discord.requests().size(), 2u);
}

TEST(DiscordRest, NoCallbackIsSentOnceItsThreeSecondsArePast) {
    DiscordEmulator discord;
    discord.dispatch_interaction(test::slash_command("1004", "whoami", {}));
    discord.fail("interactions/1004", 10, 503);
    RestSettings settings;
    settings.callback_window = 300ms;
    const auto received = std::chrono::steady_clock::now();
    auto result = with_client<RestResult<void>>(
        discord,
        [&](RestClient& c) -> asio::awaitable<RestResult<void>> {
            std::string id = "1004";
            std::string token = "interaction-token-1004";
            std::string body = json::serialize(deferral(chat::Visibility::ephemeral));
            co_return co_await c.callback(id, token, body, received);
        },
        settings);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().status, 503u);
    EXPECT_LT(std::chrono::steady_clock::now() - received, 600ms);
}

TEST(DiscordRest, ADeferredAnswerIsCompletedByEditingTheOriginal) {
    DiscordEmulator discord;
    discord.dispatch_interaction(test::slash_command("1005", "list", {{"database", "my-db"}}));
    const auto received = std::chrono::steady_clock::now();
    const std::string app = discord.options().application_id;
    auto done = with_client<bool>(discord, [&](RestClient& c) -> asio::awaitable<bool> {
        std::string id = "1005";
        std::string token = "interaction-token-1005";
        std::string deferred_body = json::serialize(deferral(chat::Visibility::in_channel));
        std::string table = json::serialize(answer_of("the table"));
        std::string more = json::serialize(answer_of("and more"));
        auto deferred = co_await c.callback(id, token, deferred_body, received);
        auto edited = co_await c.edit_original(app, token, table);
        auto followed = co_await c.follow_up(app, token, more);
        co_return deferred.has_value() && edited.has_value() && followed.has_value();
    });
    EXPECT_TRUE(done);
    EXPECT_EQ(discord.violations(), std::vector<std::string>{});
    const auto replies = discord.replies();
    ASSERT_EQ(replies.size(), 3u);
    EXPECT_EQ(replies[1].route, "edit_original");
    EXPECT_EQ(replies[1].body.at("content"), "the table");
    EXPECT_EQ(replies[2].route, "follow_up");
}

// The emulator refuses what Discord refuses, so that a bot sending it fails the tests.
// HTTP mode's start: the application's id, asked again while Discord is out of reach, within bounds.
class DiscordApplicationLookup : public ::testing::Test {
protected:
    std::optional<std::string> learn() {
        RestSettings settings;
        settings.retry.max_attempts = 0;  // the lookup's own retries are the ones under test
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_);
        auto logger = std::make_shared<spdlog::logger>("discord-test", sink);
        ApplicationLookup lookup{.again = {10ms, 40ms, 3}};
        return with_client<std::optional<std::string>>(
            discord_, [&](RestClient& c) { return learn_application_id(c, lookup, logger); }, settings);
    }

    DiscordEmulator discord_;
    std::ostringstream log_;
};

TEST_F(DiscordApplicationLookup, DiscordOutOfReachOrFailingIsAskedAgainUntilItAnswers) {
    discord_.stop_answering("applications/@me", 1);
    discord_.fail("applications/@me", 1, 503);
    EXPECT_EQ(learn(), std::optional<std::string>{discord_.options().application_id}) << log_.str();
    EXPECT_EQ(discord_.requests().size(), 3u);
    EXPECT_NE(log_.str().find("asking again in"), std::string::npos) << log_.str();
}

TEST_F(DiscordApplicationLookup, DiscordNeverAnsweringStopsTheBotAfterBoundedAttempts) {
    discord_.fail("applications/@me", 100, 502);
    EXPECT_EQ(learn(), std::nullopt);
    EXPECT_EQ(discord_.requests().size(), 4u) << "the first try and 3 more";
    EXPECT_NE(log_.str().find("could not learn the application's id to register /collab (GET /applications/@me: "),
              std::string::npos)
        << log_.str();
    EXPECT_NE(log_.str().find("still failing after 4 attempts: check DISCORD_API_URL"), std::string::npos)
        << log_.str();
    EXPECT_NE(log_.str().find("Stopping."), std::string::npos) << log_.str();
}

TEST_F(DiscordApplicationLookup, AnAnswerThatWillNotChangeIsNotAskedAgain) {
    discord_.fail("applications/@me", 100, 403);
    EXPECT_EQ(learn(), std::nullopt);
    EXPECT_EQ(discord_.requests().size(), 1u);
    EXPECT_NE(log_.str().find("Stopping."), std::string::npos) << log_.str();
}

TEST(DiscordEmulator, RefusesMessagesDiscordWouldRefuse) {
    DiscordEmulator discord;
    discord.dispatch_interaction(test::slash_command("1006", "whoami", {}));
    const auto received = std::chrono::steady_clock::now();
    json::object bad{{"content", std::string(2001, 'x')}};
    auto result = with_client<RestResult<void>>(discord, [&](RestClient& c) -> asio::awaitable<RestResult<void>> {
        std::string id = "1006";
        std::string token = "interaction-token-1006";
        std::string body = json::serialize(callback(CallbackType::message, bad));
        co_return co_await c.callback(id, token, body, received);
    });
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().status, 400u);
    EXPECT_EQ(discord.violations(), (std::vector<std::string>{"content of 2001 characters",
                                                              "a message without allowed_mentions {\"parse\": []}"}));
}

}  // namespace
}  // namespace collab::discord
