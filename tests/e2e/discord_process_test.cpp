// The built binary as an admin starts it for Discord: `collab-bot --adapter discord`, the token and
// the Discord address in the environment, against the Discord emulator.

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <thread>

#include "bot_process.hpp"
#include "discord_emulator.hpp"
#include "http_get.hpp"
#include "postgres_test_server.hpp"

namespace collab::e2e {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using discord::test::DiscordEmulator;

class DiscordBot : public RunningBot {
public:
    DiscordBot(const DiscordEmulator& discord, const StateDir& state, const std::vector<std::string>& extra_args = {})
        : RunningBot(state.path() / "bot.log",
                     {{"DISCORD_BOT_TOKEN", discord.options().bot_token}, {"DISCORD_API_URL", discord.api_url()}},
                     with_args(state, extra_args)) {}

private:
    static std::vector<std::string> with_args(const StateDir& state, const std::vector<std::string>& extra_args) {
        std::vector<std::string> args{"--adapter", "discord", "--state-dir", state.path().string()};
        args.insert(args.end(), extra_args.begin(), extra_args.end());
        return args;
    }
};

// The interaction's first reply, once it came.
json::object answer_to(DiscordEmulator& discord, const std::string& id) {
    for (int i = 0; i < 500; ++i) {
        for (const auto& reply : discord.replies())
            if (reply.interaction_id == id) return reply.body;
        std::this_thread::sleep_for(10ms);
    }
    ADD_FAILURE() << "no answer to " << id;
    return {};
}

// What Discord shows of a markdown text: the characters escaped for it, as they appear.
std::string shown(std::string_view markdown) {
    std::string text;
    for (std::size_t i = 0; i < markdown.size(); ++i) {
        if (markdown[i] == '\\' && i + 1 < markdown.size() && std::ispunct(static_cast<unsigned char>(markdown[i + 1])))
            ++i;
        text += markdown[i];
    }
    return text;
}

std::string content_of(const json::object& callback) {
    const auto* data = callback.if_contains("data");
    const auto* content = data && data->is_object() ? data->as_object().if_contains("content") : nullptr;
    return content && content->is_string() ? std::string(content->as_string()) : "";
}

TEST(DiscordProcess, RunsWithNoConfigurationOnTheSandboxAndStopsCleanlyOnSigterm) {
    DiscordEmulator discord;
    StateDir state;
    DiscordBot bot(discord, state);
    ASSERT_TRUE(discord.wait_for_sessions_ready(1, 10s)) << bot.log();
    discord.dispatch_interaction(discord::test::slash_command("6001", "whoami", {}));
    const json::object whoami = answer_to(discord, "6001");
    EXPECT_EQ(whoami.at("type"), 4) << bot.log();
    EXPECT_FALSE(content_of(whoami).empty());
    for (int i = 0; i < 200 && discord.command_sets().empty(); ++i) std::this_thread::sleep_for(10ms);
    EXPECT_EQ(discord.command_sets().size(), 1u) << "/collab is registered";

    bot.signal(SIGTERM);
    EXPECT_EQ(bot.wait(), 0);
    ASSERT_TRUE(discord.wait_for_closed(0));
    EXPECT_EQ(discord.client_close_code(0), std::optional<std::uint16_t>{1000});
    EXPECT_EQ(bot.log().find(discord.options().bot_token), std::string::npos) << "the token leaked into the log";
    EXPECT_EQ(discord.violations(), std::vector<std::string>{});
}

TEST(DiscordProcess, TheMetricsTimeEachInteractionsCallback) {
    DiscordEmulator discord;
    StateDir state;
    const auto config = state.path() / "discord.toml";
    std::ofstream(config) << "[health]\nlisten = \"127.0.0.1:0\"\n";
    DiscordBot bot(discord, state, {"--config", config.string()});
    const std::string base = from_log(bot, "health and metrics at (http://127\\.0\\.0\\.1:[0-9]+)/healthz");
    ASSERT_TRUE(discord.wait_for_sessions_ready(1, 10s)) << bot.log();
    discord.dispatch_interaction(discord::test::slash_command("6010", "whoami", {}));
    EXPECT_EQ(answer_to(discord, "6010").at("type"), 4) << bot.log();
    const std::string counted = "collab_ack_latency_seconds_count{platform=\"discord\"} 1";
    const std::string metrics = metrics_holding(base, counted);
    EXPECT_NE(metrics.find(counted), std::string::npos) << metrics;
}

TEST(DiscordProcess, AMappedPersonSeesTheTableAndASlackMappingOfTheSameIdIdentifiesNoOne) {
    DiscordEmulator discord;
    StateDir state;
    const auto config = state.path() / "discord.toml";
    // The second id is mapped for Slack only (a bare id is Slack's), and the same id for Slack explicitly.
    std::ofstream(config) << "[identities]\n"
                             "\"discord:53908232506183680\" = \"user1@example.com\"\n"
                             "53908232506183681 = \"user2@example.com\"\n"
                             "\"slack:53908232506183682\" = \"user2@example.com\"\n";
    DiscordBot bot(discord, state, {"--config", config.string()});
    ASSERT_TRUE(discord.wait_for_sessions_ready(1, 10s)) << bot.log();
    const std::vector<std::pair<std::string, std::string>> database{{"database", "my-dedicated-db"}};
    discord.dispatch_interaction(discord::test::slash_command("6002", "list", database));
    EXPECT_NE(content_of(answer_to(discord, "6002")).find("user2@example.com"), std::string::npos) << bot.log();

    for (const std::string user : {"53908232506183681", "53908232506183682"}) {
        const std::string id = "6003" + user.substr(user.size() - 1);
        discord.dispatch_interaction(discord::test::slash_command(id, "list", database, user));
        const json::object refusal = answer_to(discord, id);
        EXPECT_EQ(shown(content_of(refusal)),
                  "`!` Your chat identity (discord:" + user +
                      ") is not linked to a Scalingo account: the bot has no e-mail address for it. Ask an admin of "
                      "the bot to add \"discord:" +
                      user + "\" = \"you@example.com\" (your Scalingo account's e-mail) under [identities].")
            << bot.log();
        EXPECT_EQ(refusal.at("data").at("flags"), 64) << "a refusal is for the person alone";
    }
}

TEST(DiscordProcess, ARefusedTokenStopsTheBotNamingTheVariable) {
    DiscordEmulator discord;
    StateDir state;
    DiscordBot bot(discord, state);
    ASSERT_TRUE(discord.wait_for_sessions_ready(1, 10s)) << bot.log();
    discord.close_connection(4004);
    EXPECT_EQ(bot.wait(), 1);
    EXPECT_NE(bot.log().find("DISCORD_BOT_TOKEN"), std::string::npos) << bot.log();
}

// The interactions endpoint instead of the gateway: Discord POSTs signed interactions to the bot.
TEST(DiscordProcess, InHttpModeAnswersSignedInteractionsRefusesForgeriesAndOpensNoGateway) {
    DiscordEmulator discord;
    StateDir state;
    const auto config = state.path() / "discord.toml";
    std::ofstream(config) << "[discord]\nmode = \"http\"\n\n[health]\nlisten = \"127.0.0.1:0\"\n\n[identities]\n"
                             "\"discord:53908232506183680\" = \"user1@example.com\"\n";
    RunningBot bot(state.path() / "bot.log",
                   {{"DISCORD_BOT_TOKEN", discord.options().bot_token},
                    {"DISCORD_API_URL", discord.api_url()},
                    {"DISCORD_PUBLIC_KEY", discord.public_key()},
                    {"COLLAB_DISCORD_LISTEN", "127.0.0.1:0"}},
                   {"--adapter", "discord", "--config", config.string(), "--state-dir", state.path().string()});
    const std::string url =
        from_log(bot, "interactions endpoint URL (http://127\\.0\\.0\\.1:[0-9]+/discord/interactions)");
    ASSERT_FALSE(url.empty());

    const json::object ping{
        {"type", 1}, {"id", "6100"}, {"token", "ping-token"}, {"application_id", discord.options().application_id}};
    const auto pong = discord.post_interaction(url, ping);
    EXPECT_EQ(pong.status, 200u) << pong.body << bot.log();
    EXPECT_EQ(json::serialize(pong.callback.value_or(json::object{})), R"({"type":1})");

    const auto list =
        discord.post_interaction(url, discord::test::slash_command("6101", "list", {{"database", "my-dedicated-db"}}));
    ASSERT_EQ(list.status, 200u) << list.body << bot.log();
    EXPECT_EQ(list.callback->at("type"), 4);
    EXPECT_NE(content_of(*list.callback).find("user2@example.com"), std::string::npos) << list.body;
    // The command's callback, written as the response, is timed; the PING's is no one's request.
    const std::string base = from_log(bot, "health and metrics at (http://127\\.0\\.0\\.1:[0-9]+)/healthz");
    const std::string counted = "collab_ack_latency_seconds_count{platform=\"discord\"} 1";
    const std::string metrics = metrics_holding(base, counted);
    EXPECT_NE(metrics.find(counted), std::string::npos) << metrics;

    const auto typed =
        discord.post_interaction(url, discord::test::autocomplete("6102", "list", {{"database", "my"}}, "database"));
    ASSERT_EQ(typed.status, 200u) << typed.body << bot.log();
    EXPECT_EQ(json::serialize(*typed.callback),
              R"({"type":8,"data":{"choices":[{"name":"my-dedicated-db","value":"my-dedicated-db"}]}})");

    const std::string forged = json::serialize(discord::test::slash_command("6103", "whoami", {}));
    auto headers = discord.signature_headers(forged, 1'700'000'000);
    const auto refused = discord.post(url, forged, headers);
    EXPECT_EQ(refused.status, 401u) << refused.body;

    for (int i = 0; i < 200 && discord.command_sets().empty(); ++i) std::this_thread::sleep_for(10ms);
    EXPECT_EQ(discord.command_sets().size(), 1u) << "/collab is registered at start\n" << bot.log();
    bot.signal(SIGTERM);
    EXPECT_EQ(bot.wait(), 0);
    EXPECT_EQ(discord.connections(), 0) << "no gateway in HTTP mode";
    EXPECT_EQ(bot.log().find(discord.options().bot_token), std::string::npos) << "the token leaked into the log";
    EXPECT_EQ(discord.violations(), std::vector<std::string>{});
}

// A bot in HTTP mode: the interactions endpoint on a free port, health on another, the owner of
// my-dedicated-db mapped; `environment` over that.
class HttpModeBot : public RunningBot {
public:
    HttpModeBot(const DiscordEmulator& discord, const StateDir& state, const Environment& environment = {},
                const std::vector<std::string>& extra_args = {})
        : RunningBot(state.path() / "bot.log", with(discord, environment), args(state, extra_args)) {}

    // The Interactions Endpoint URL and the health base URL, once the bot said them.
    std::string endpoint() {
        return from_log(*this, "interactions endpoint URL (http://127\\.0\\.0\\.1:[0-9]+/discord/interactions)");
    }
    std::string health() { return from_log(*this, "health and metrics at (http://127\\.0\\.0\\.1:[0-9]+)/healthz"); }

private:
    static Environment with(const DiscordEmulator& discord, const Environment& environment) {
        Environment all{{"DISCORD_BOT_TOKEN", discord.options().bot_token},
                        {"DISCORD_API_URL", discord.api_url()},
                        {"DISCORD_PUBLIC_KEY", discord.public_key()},
                        {"COLLAB_DISCORD_LISTEN", "127.0.0.1:0"}};
        all.insert(all.end(), environment.begin(), environment.end());
        return all;
    }
    static std::vector<std::string> args(const StateDir& state, const std::vector<std::string>& extra_args) {
        const auto config = state.path() / "discord.toml";
        std::ofstream(config) << "[discord]\nmode = \"http\"\n\n[health]\nlisten = \"127.0.0.1:0\"\n\n[identities]\n"
                                 "\"discord:53908232506183680\" = \"user1@example.com\"\n";
        std::vector<std::string> all{"--adapter",     "discord",     "--config",
                                     config.string(), "--state-dir", state.path().string()};
        all.insert(all.end(), extra_args.begin(), extra_args.end());
        return all;
    }
};

// The owner proposing to remove user2@example.com from my-dedicated-db at `url`: the Confirm button's
// custom_id ("" when no proposal came back).
std::string propose_removal(DiscordEmulator& discord, const std::string& url, const std::string& id) {
    const auto proposal = discord.post_interaction(
        url,
        discord::test::slash_command(id, "remove", {{"database", "my-dedicated-db"}, {"email", "user2@example.com"}}));
    const auto* data = proposal.callback ? proposal.callback->if_contains("data") : nullptr;
    const auto* rows = data && data->is_object() ? data->as_object().if_contains("components") : nullptr;
    if (proposal.status != 200 || rows == nullptr || !rows->is_array() || rows->as_array().empty()) {
        ADD_FAILURE() << "no proposal: " << proposal.status << " " << proposal.body;
        return {};
    }
    return std::string(rows->as_array()[0].at("components").at(0).at("custom_id").as_string());
}

// In HTTP mode the way back to Discord is its REST API: /healthz follows it.
TEST(DiscordProcess, InHttpModeHealthFollowsTheRestApi) {
    DiscordEmulator discord;
    StateDir state;
    HttpModeBot bot(discord, state);
    const std::string url = bot.endpoint();
    const std::string base = bot.health();
    ASSERT_FALSE(url.empty() || base.empty()) << bot.log();
    for (int i = 0; i < 200 && discord.command_sets().empty(); ++i) std::this_thread::sleep_for(10ms);
    ASSERT_EQ(discord.command_sets().size(), 1u) << bot.log();
    EXPECT_EQ(wait_for_status(base + "/healthz", 200).status, 200u) << bot.log();

    const std::string button = propose_removal(discord, url, "6201");
    ASSERT_FALSE(button.empty()) << bot.log();
    // Discord's REST API stops answering: the confirmation's announcement in the channel goes nowhere.
    discord.stop_answering("", 1'000);
    const auto confirmed = discord.post_interaction(url, discord::test::button_click("6202", button));
    ASSERT_EQ(confirmed.status, 200u) << confirmed.body << bot.log();
    EXPECT_EQ(confirmed.callback->at("type"), 7) << "the click itself is answered in the response";
    const auto down = wait_for_status(base + "/healthz", 503);
    EXPECT_EQ(down.status, 503u) << bot.log();
    EXPECT_NE(down.body.find("REST API: unreachable"), std::string::npos) << down.body;
    bot.signal(SIGTERM);
    EXPECT_EQ(bot.wait(), 0);
}

// Several instances behind one Interactions Endpoint URL (a load balancer) on one PostgreSQL database
// and one Scalingo (the sandbox served over HTTP): an interaction delivered to both is carried out
// once, and either completes the other's proposal.
TEST(DiscordProcess, InHttpModeTwoInstancesHandleNoInteractionTwiceAndCompleteEachOthersClicks) {
    if (testing::postgres_admin_url().empty()) GTEST_FAIL() << testing::postgres_missing_message();
    testing::TestDatabase database;
    DiscordEmulator discord;
    StateDir sandbox_state;
    ServedSandbox scalingo(sandbox_state);
    Environment shared = scalingo_environment(scalingo);
    shared.emplace_back("COLLAB_STORE_URL", database.url());
    const std::vector<std::string> on_scalingo{"--provider", "scalingo"};
    StateDir first_state;
    HttpModeBot first(discord, first_state, shared, on_scalingo);
    const std::string first_url = first.endpoint();
    ASSERT_FALSE(first_url.empty()) << first.log();
    // The same confirmation key: either instance can check the other's buttons.
    StateDir second_state;
    std::filesystem::copy_file(first_state.path() / "confirmation.key", second_state.path() / "confirmation.key");
    HttpModeBot second(discord, second_state, shared, on_scalingo);
    const std::string second_url = second.endpoint();
    ASSERT_FALSE(second_url.empty()) << second.log();

    const auto add =
        discord::test::slash_command("6301", "add", {{"database", "my-dedicated-db"}, {"emails", "once@example.com"}});
    const auto added = discord.post_interaction(first_url, add);
    ASSERT_EQ(added.status, 200u) << added.body << first.log();
    EXPECT_NE(content_of(*added.callback).find("has been invited"), std::string::npos) << added.body;
    const auto again = discord.post_interaction(second_url, add);
    EXPECT_EQ(again.status, 409u) << "taken in already by the other instance: " << again.body << second.log();

    const std::string button = propose_removal(discord, first_url, "6302");
    ASSERT_FALSE(button.empty()) << first.log();
    const auto confirmed = discord.post_interaction(second_url, discord::test::button_click("6303", button));
    ASSERT_EQ(confirmed.status, 200u) << confirmed.body << second.log();
    EXPECT_EQ(confirmed.callback->at("type"), 7) << confirmed.body;
    EXPECT_NE(shown(content_of(*confirmed.callback)).find("user2@example.com has been removed"), std::string::npos)
        << confirmed.body;
    for (int i = 0; i < 200 && discord.replies().size() < 4; ++i) std::this_thread::sleep_for(10ms);
    const auto replies = discord.replies();
    EXPECT_EQ(
        std::count_if(replies.begin(), replies.end(),
                      [](const auto& reply) { return reply.route == "follow_up" && reply.interaction_id == "6303"; }),
        1)
        << "the change announced in the channel once";
    for (auto* bot : {&first, &second}) {
        bot->signal(SIGTERM);
        EXPECT_EQ(bot->wait(), 0) << bot->log();
    }
    EXPECT_EQ(discord.violations(), std::vector<std::string>{});
}

TEST(DiscordProcess, HttpModeWithoutThePublicKeyStopsAtStartNamingIt) {
    DiscordEmulator discord;
    StateDir state;
    const auto config = state.path() / "discord.toml";
    std::ofstream(config) << "[discord]\nmode = \"http\"\n";
    RunningBot bot(state.path() / "bot.log",
                   {{"DISCORD_BOT_TOKEN", discord.options().bot_token},
                    {"DISCORD_API_URL", discord.api_url()},
                    {"DISCORD_PUBLIC_KEY", ""}},
                   {"--adapter", "discord", "--config", config.string(), "--state-dir", state.path().string()});
    EXPECT_EQ(bot.wait(), 2) << "a configuration mistake, as a missing bot token";
    EXPECT_NE(bot.log().find("DISCORD_PUBLIC_KEY"), std::string::npos) << bot.log();
}

TEST(DiscordProcess, AMissingTokenIsNamedAtStartUp) {
    DiscordEmulator discord;
    StateDir state;
    RunningBot bot(state.path() / "bot.log", {{"DISCORD_BOT_TOKEN", ""}, {"DISCORD_API_URL", discord.api_url()}},
                   {"--adapter", "discord", "--state-dir", state.path().string()});
    EXPECT_EQ(bot.wait(), 2);
    EXPECT_NE(bot.log().find("DISCORD_BOT_TOKEN"), std::string::npos) << bot.log();
}

}  // namespace
}  // namespace collab::e2e
