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
#include "sandbox_invitations.hpp"

namespace collab::e2e {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using discord::test::ChannelMessage;
using discord::test::DiscordEmulator;

// Who is who: the emulator's default user owns my-dedicated-db; the stranger has no access to it.
constexpr std::string_view owner_id = "53908232506183680";
constexpr std::string_view stranger_id = "53908232506183683";
// The channel the interactions come from (Discord's documented sample), and another one.
constexpr std::string_view typed_in = "645027906669510667";
constexpr std::string_view ops_channel = "1096147298201649253";

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

// What an HTTP-mode bot's configuration holds besides the mode: health on a free port, the owner of
// my-dedicated-db mapped.
const std::string health_and_owner =
    "[health]\nlisten = \"127.0.0.1:0\"\n\n[identities]\n\"discord:53908232506183680\" = \"user1@example.com\"\n";

// A bot in HTTP mode: the interactions endpoint on a free port, `config` beside the mode, `environment`
// over Discord's.
class HttpModeBot : public RunningBot {
public:
    HttpModeBot(const DiscordEmulator& discord, const StateDir& state, const std::string& config = health_and_owner,
                const Environment& environment = {}, const std::vector<std::string>& extra_args = {})
        : RunningBot(state.path() / "bot.log", with(discord, environment), args(state, config, extra_args)) {}

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
    static std::vector<std::string> args(const StateDir& state, const std::string& config,
                                         const std::vector<std::string>& extra_args) {
        const auto file = state.path() / "discord.toml";
        std::ofstream(file) << "[discord]\nmode = \"http\"\n\n" << config;
        std::vector<std::string> all{"--adapter",   "discord",     "--config",
                                     file.string(), "--state-dir", state.path().string()};
        all.insert(all.end(), extra_args.begin(), extra_args.end());
        return all;
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

// What Discord shows of a channel message now, markdown escapes undone.
std::string shown_message(const ChannelMessage& message) {
    const auto* content = message.body.if_contains("content");
    return content && content->is_string() ? shown(content->as_string()) : "";
}

// The first message Discord took in `channel` whose text holds `text`, once one came.
std::optional<ChannelMessage> message_in(const DiscordEmulator& discord, std::string_view channel,
                                         std::string_view text, std::chrono::milliseconds within = 10s) {
    for (auto waited = 0ms; waited < within; waited += 20ms) {
        for (const auto& message : discord.channel_messages())
            if (message.status == 200 && message.channel == channel &&
                shown_message(message).find(text) != std::string::npos)
                return message;
        std::this_thread::sleep_for(20ms);
    }
    return std::nullopt;
}

std::string button(const ChannelMessage& message, std::size_t index) {
    const auto* rows = message.body.if_contains("components");
    if (rows == nullptr || rows->as_array().empty()) return {};
    return std::string(rows->as_array().at(0).at("components").at(index).at("custom_id").as_string());
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

// my-dedicated-db bound to the ops channel; its owner and a stranger known.
const std::string requests_bound_elsewhere =
    "[policy.channels]\n\"discord:" + std::string(ops_channel) +
    "\" = [\"my-dedicated-db\"]\n\n[identities]\n\"discord:" + std::string(owner_id) +
    "\" = \"user1@example.com\"\n\"discord:" + std::string(stranger_id) + "\" = \"stranger@example.com\"\n";

// A request typed in one channel for a database another channel is bound to: the card goes there,
// where a collaborator decides, and the requester hears the answer in a direct message.
TEST(DiscordProcess, AnAccessRequestIsPostedInTheBoundChannelAndApprovedThere) {
    DiscordEmulator discord;
    StateDir state;
    const auto config = state.path() / "discord.toml";
    std::ofstream(config) << requests_bound_elsewhere;
    DiscordBot bot(discord, state, {"--config", config.string()});
    ASSERT_TRUE(discord.wait_for_sessions_ready(1, 10s)) << bot.log();
    const std::vector<std::pair<std::string, std::string>> database{{"database", "my-dedicated-db"}};

    discord.dispatch_interaction(discord::test::slash_command("6200", "request", database, stranger_id));
    EXPECT_NE(shown(content_of(answer_to(discord, "6200")))
                  .find("Your request for access to my-dedicated-db was posted in <#" + std::string(ops_channel) + ">"),
              std::string::npos)
        << bot.log();
    const auto card = message_in(discord, ops_channel, "asks for access to my-dedicated-db");
    ASSERT_TRUE(card.has_value()) << bot.log();
    EXPECT_NE(shown_message(*card).find("<@" + std::string(stranger_id) +
                                        "> asks for access to my-dedicated-db (as stranger@example.com)"),
              std::string::npos)
        << shown_message(*card);
    const std::string approve = button(*card, 0);
    ASSERT_FALSE(approve.empty()) << boost::json::serialize(card->body);

    // The requester cannot approve their own request: refused for them alone, the card stays.
    discord.dispatch_interaction(discord::test::button_click_on("6201", *card, approve, stranger_id));
    const json::object own = answer_to(discord, "6201");
    EXPECT_EQ(own.at("type"), 4);
    EXPECT_EQ(own.at("data").at("flags"), 64);
    EXPECT_NE(shown(content_of(own)).find("Only the owner or an accepted collaborator of my-dedicated-db"),
              std::string::npos)
        << content_of(own);

    discord.dispatch_interaction(discord::test::button_click_on("6202", *card, approve, owner_id));
    const std::string approved =
        "Approved by <@" + std::string(owner_id) + ">: stranger@example.com has been invited to my-dedicated-db";
    const auto decided = message_in(discord, ops_channel, approved);
    ASSERT_TRUE(decided.has_value()) << bot.log();
    EXPECT_EQ(decided->id, card->id) << "the card itself is replaced by the outcome";
    EXPECT_EQ(button(*decided, 0), "") << "no button left to click";

    const std::string direct = discord.direct_channel(std::string(stranger_id));
    ASSERT_FALSE(direct.empty()) << "the requester was not written to\n" << bot.log();
    EXPECT_TRUE(message_in(discord, direct,
                           "Your request for access to my-dedicated-db was approved by <@" + std::string(owner_id) +
                               ">: an invitation was sent to stranger@example.com")
                    .has_value())
        << bot.log();
    discord.dispatch_interaction(discord::test::slash_command("6203", "list", database));
    EXPECT_NE(content_of(answer_to(discord, "6203")).find("stranger"), std::string::npos) << "invited";
    EXPECT_EQ(discord.violations(), std::vector<std::string>{});
}

// The same through the interactions endpoint: the card is posted over REST, its click comes to the
// endpoint and its update is the response.
TEST(DiscordProcess, InHttpModeAnAccessRequestIsPostedInTheBoundChannelAndApprovedThere) {
    DiscordEmulator discord;
    StateDir state;
    HttpModeBot bot(discord, state, requests_bound_elsewhere);
    const std::string url = bot.endpoint();
    ASSERT_FALSE(url.empty());

    const auto asked = discord.post_interaction(
        url, discord::test::slash_command("6400", "request", {{"database", "my-dedicated-db"}}, stranger_id));
    ASSERT_EQ(asked.status, 200u) << asked.body << bot.log();
    EXPECT_NE(shown(content_of(*asked.callback)).find("was posted in <#" + std::string(ops_channel) + ">"),
              std::string::npos)
        << asked.body;
    const auto card = message_in(discord, ops_channel, "asks for access to my-dedicated-db");
    ASSERT_TRUE(card.has_value()) << bot.log();
    const auto clicked = discord.post_interaction(url, discord::test::button_click_on("6401", *card, button(*card, 0)));
    ASSERT_EQ(clicked.status, 200u) << clicked.body << bot.log();
    EXPECT_TRUE(message_in(discord, ops_channel,
                           "Approved by <@" + std::string(owner_id) +
                               ">: stranger@example.com has been invited to my-dedicated-db")
                    .has_value())
        << clicked.body << bot.log();
    const std::string direct = discord.direct_channel(std::string(stranger_id));
    ASSERT_FALSE(direct.empty()) << bot.log();
    EXPECT_TRUE(message_in(discord, direct, "Your request for access to my-dedicated-db was approved").has_value());
    bot.signal(SIGTERM);
    EXPECT_EQ(bot.wait(), 0);
    EXPECT_EQ(discord.violations(), std::vector<std::string>{});
}

// A removal proposed on Discord, then the bot restarted on the same state file: the proposal's button,
// which names it by a short key, still completes the removal when its proposer clicks it.
TEST(DiscordProcess, AProposalsButtonStillWorksAfterARestart) {
    DiscordEmulator discord;
    StateDir state;
    const auto config = state.path() / "discord.toml";
    std::ofstream(config) << "[identities]\n\"discord:" << owner_id << "\" = \"user1@example.com\"\n";
    const std::vector<std::string> args{"--config", config.string()};
    const std::vector<std::pair<std::string, std::string>> database{{"database", "my-dedicated-db"}};
    std::string confirm;
    {
        DiscordBot bot(discord, state, args);
        ASSERT_TRUE(discord.wait_for_sessions_ready(1, 10s)) << bot.log();
        discord.dispatch_interaction(discord::test::slash_command(
            "6400", "remove", {{"database", "my-dedicated-db"}, {"email", "user2@example.com"}}));
        const json::object proposal = answer_to(discord, "6400");
        const auto* rows = proposal.at("data").as_object().if_contains("components");
        ASSERT_TRUE(rows && !rows->as_array().empty()) << json::serialize(proposal) << bot.log();
        confirm = std::string(rows->as_array().at(0).at("components").at(0).at("custom_id").as_string());
        bot.signal(SIGTERM);
        ASSERT_EQ(bot.wait(), 0) << bot.log();
    }

    DiscordBot bot(discord, state, args);
    ASSERT_TRUE(discord.wait_for_sessions_ready(2, 10s)) << bot.log();
    discord.dispatch_interaction(discord::test::button_click("6401", confirm, owner_id));
    const json::object done = answer_to(discord, "6401");
    EXPECT_EQ(done.at("type"), 7) << "the proposal is replaced by its outcome\n" << bot.log();
    EXPECT_NE(shown(content_of(done)).find("user2@example.com"), std::string::npos) << content_of(done);
    EXPECT_EQ(shown(content_of(done)).find("expired"), std::string::npos) << content_of(done);
    discord.dispatch_interaction(discord::test::slash_command("6402", "list", database));
    const std::string table = content_of(answer_to(discord, "6402"));
    EXPECT_NE(table.find("user1@example.com"), std::string::npos) << table;
    EXPECT_EQ(table.find("user2@example.com"), std::string::npos) << "user2 was not removed:\n" << table;
    EXPECT_EQ(discord.violations(), std::vector<std::string>{});
}

// /collab add on Discord, then the invitee accepts while the bot is down: the channel it was typed in
// hears it once the bot is back, or, when the bot may no longer post there, the inviter does directly.
void acceptance_is_announced(bool channel_refuses) {
    DiscordEmulator discord;
    StateDir state;
    const auto config = state.path() / "discord.toml";
    std::ofstream(config) << "[watch]\ninterval_seconds = 1\n\n[identities]\n\"discord:" << owner_id
                          << "\" = \"user1@example.com\"\n";
    const std::vector<std::string> args{"--config", config.string()};
    {
        DiscordBot bot(discord, state, args);
        ASSERT_TRUE(discord.wait_for_sessions_ready(1, 10s)) << bot.log();
        discord.dispatch_interaction(discord::test::slash_command(
            "6300", "add", {{"database", "my-dedicated-db"}, {"emails", "user4@example.com"}}));
        EXPECT_NE(shown(content_of(answer_to(discord, "6300"))).find("user4@example.com"), std::string::npos)
            << bot.log();
        bot.signal(SIGTERM);
        ASSERT_EQ(bot.wait(), 0) << bot.log();
    }
    ASSERT_TRUE(accept_invitation(state, "user4@example.com", "my-dedicated-db"));
    if (channel_refuses) discord.refuse_channel(std::string(typed_in));

    DiscordBot bot(discord, state, args);
    const std::string notice =
        "user4@example.com accepted the invitation to my-dedicated-db (invited by <@" + std::string(owner_id) + ">";
    if (!channel_refuses) {
        EXPECT_TRUE(message_in(discord, typed_in, notice).has_value()) << bot.log();
    } else {
        for (int i = 0; i < 500 && discord.direct_channel(std::string(owner_id)).empty(); ++i)
            std::this_thread::sleep_for(20ms);
        const std::string direct = discord.direct_channel(std::string(owner_id));
        ASSERT_FALSE(direct.empty()) << "the inviter was not written to\n" << bot.log();
        EXPECT_TRUE(message_in(discord, direct, notice).has_value()) << bot.log();
        const auto tried = discord.channel_messages();
        EXPECT_TRUE(std::any_of(tried.begin(), tried.end(), [](const ChannelMessage& m) {
            return m.channel == typed_in && m.status == 403;
        })) << "the channel was tried first";
    }
    std::this_thread::sleep_for(1500ms);  // a round more: nothing new to say
    bot.signal(SIGTERM);
    ASSERT_EQ(bot.wait(), 0) << bot.log();
    const auto said = discord.channel_messages();
    EXPECT_EQ(std::count_if(said.begin(), said.end(),
                            [&](const ChannelMessage& m) {
                                return m.status == 200 && shown_message(m).find(notice) != std::string::npos;
                            }),
              1)
        << "announced once";
    EXPECT_EQ(discord.violations(), std::vector<std::string>{});
}

TEST(DiscordProcess, AnAcceptedInvitationIsAnnouncedInTheChannelItWasMadeIn) {
    acceptance_is_announced(false);
}

TEST(DiscordProcess, AnAcceptedInvitationIsToldToTheInviterWhenTheChannelRefusesTheBot) {
    acceptance_is_announced(true);
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
    HttpModeBot bot(discord, state);
    const std::string url = bot.endpoint();
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
    const std::string base = bot.health();
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
    HttpModeBot first(discord, first_state, health_and_owner, shared, on_scalingo);
    const std::string first_url = first.endpoint();
    ASSERT_FALSE(first_url.empty()) << first.log();
    // The same confirmation key: either instance can check the other's buttons.
    StateDir second_state;
    std::filesystem::copy_file(first_state.path() / "confirmation.key", second_state.path() / "confirmation.key");
    HttpModeBot second(discord, second_state, health_and_owner, shared, on_scalingo);
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
    HttpModeBot bot(discord, state, "", {{"DISCORD_PUBLIC_KEY", ""}});
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
