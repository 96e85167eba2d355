// The permission matrix of the newer commands (tests/permission_matrix.hpp) through the built binary on
// Discord (gateway, in-process sandbox) and on Mattermost (slash commands and button clicks, the Scalingo
// client against `collab-bot sandbox serve`): what each person is shown, end to end.

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <thread>

#include "../permission_matrix.hpp"
#include "adapters/chat/discord/commands.hpp"
#include "bot_process.hpp"
#include "discord_emulator.hpp"
#include "mattermost_emulator.hpp"

namespace collab::e2e {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using testing::Asker;

// The [policy] and [policy.channels] of the matrix on `platform`, with its admin.
std::string policy(const std::string& platform, const std::string& ops_channel, const std::string& admin_id) {
    return "[policy]\ndefault = \"deny\"\nadmins = [\"" + platform + ":" + admin_id + "\"]\n\n[policy.channels]\n\"" +
           platform + ":" + ops_channel + "\" = [\"my-dedicated-db\"]\n";
}

// Asks `shown` until its text holds `wanted` or 5 s passed; the last text.
std::string shown_once_holding(const std::function<std::string()>& shown, const std::string& wanted) {
    std::string text;
    for (int i = 0; i < 250; ++i) {
        text = shown();
        if (testing::normalised(text).find(testing::normalised(wanted)) != std::string::npos) break;
        std::this_thread::sleep_for(20ms);
    }
    return text;
}

// Runs every row of the table through `type` (a command typed by the asker, in the wrong channel when
// the row says so) and `click` (the asker's click on a card a newcomer asked for).
void run_matrix(const std::function<std::string(Asker, const std::string&, const std::string&)>& type,
                const std::function<std::string(Asker, std::size_t, bool, const std::string&)>& click) {
    std::size_t cards = 0;
    for (const auto& row : testing::permission_matrix()) {
        const bool clicked = row.command == testing::approve_click || row.command == testing::deny_click;
        const std::string shown = clicked ? click(row.asker, cards++, row.command == testing::deny_click, row.shown)
                                          : type(row.asker, row.command, row.shown);
        const std::string seen = testing::normalised(shown);
        EXPECT_NE(seen.find(testing::normalised(row.shown)), std::string::npos)
            << testing::name_of(row.asker) << ": " << row.command << "\n"
            << shown;
        if (!row.never.empty()) {
            EXPECT_EQ(seen.find(testing::normalised(row.never)), std::string::npos)
                << testing::name_of(row.asker) << ": " << row.command << "\n"
                << shown;
        }
    }
}

// ---- Discord ------------------------------------------------------------------------------------------------

const std::string discord_ops = "645027906669510667";  // the channel of Discord's documented interaction
const std::string discord_other = "645027906669510668";

std::string discord_id(Asker asker) {
    const std::map<Asker, std::string> ids = {
        {Asker::owner, "710000000000000001"},    {Asker::wrong_channel, "710000000000000001"},
        {Asker::accepted, "710000000000000002"}, {Asker::pending, "710000000000000003"},
        {Asker::stranger, "710000000000000009"}, {Asker::admin, "710000000000000008"}};
    return ids.at(asker);
}

std::string discord_newcomer(std::size_t n) {
    return "72000000000000000" + std::to_string(n % 10) + std::to_string(n / 10);
}

// The text of every message the interaction got, as Discord shows it (its markdown escapes stay: they
// are undone by the normalisation).
std::string discord_shown(const discord::test::DiscordEmulator& discord, const std::string& id) {
    std::string text;
    for (const auto& reply : discord.replies()) {
        if (reply.interaction_id != id) continue;
        const json::value* data = reply.body.if_contains("data");
        const json::object& message = data && data->is_object() ? data->as_object() : reply.body;
        if (const json::value* content = message.if_contains("content"); content && content->is_string())
            text += std::string(content->as_string()) + "\n";
    }
    return text;
}

// The custom_id of a card's first (Approve) or second (Deny) button.
std::string discord_button(const discord::test::DiscordEmulator& discord, const std::string& id, bool deny) {
    for (int i = 0; i < 250; ++i) {
        for (const auto& reply : discord.replies()) {
            if (reply.interaction_id != id) continue;
            const json::value* data = reply.body.if_contains("data");
            const json::value* rows = data && data->is_object() ? data->as_object().if_contains("components") : nullptr;
            if (rows && rows->is_array() && !rows->as_array().empty())
                return std::string(rows->at(0).at("components").at(deny ? 1 : 0).at("custom_id").as_string());
        }
        std::this_thread::sleep_for(20ms);
    }
    ADD_FAILURE() << "no card in the answer to " << id;
    return {};
}

// The row's words as the options of the sub-command, in the order of its usage.
std::vector<std::pair<std::string, std::string>> discord_options(const std::string& command, std::string& sub) {
    std::istringstream words(command);
    words >> sub;
    std::vector<std::pair<std::string, std::string>> options;
    const CommandSpec* spec = find_spec(sub);
    if (spec == nullptr) return options;
    const auto specs = discord::options_of(*spec);
    std::string word;
    for (std::size_t i = 0; words >> word && i < specs.size(); ++i) options.emplace_back(specs[i].name, word);
    return options;
}

TEST(PermissionMatrix, OnDiscord) {
    discord::test::DiscordEmulator discord;
    StateDir state;
    const auto config = state.path() / "discord.toml";
    {
        std::ofstream out(config);
        out << policy("discord", discord_ops, discord_id(Asker::admin)) << "\n[identities]\n";
        for (const Asker asker : testing::every_asker)
            if (asker != Asker::wrong_channel)  // the owner, mapped once
                out << "\"discord:" << discord_id(asker) << "\" = \"" << testing::email_of(asker) << "\"\n";
        for (std::size_t n = 0; n < testing::newcomers; ++n)
            out << "\"discord:" << discord_newcomer(n) << "\" = \"" << testing::newcomer_email(n) << "\"\n";
    }
    RunningBot bot(state.path() / "bot.log",
                   {{"DISCORD_BOT_TOKEN", discord.options().bot_token}, {"DISCORD_API_URL", discord.api_url()}},
                   {"--adapter", "discord", "--config", config.string(), "--state-dir", state.path().string()});
    ASSERT_TRUE(discord.wait_for_sessions_ready(1, 10s)) << bot.log();

    int next_id = 7000;
    auto dispatch = [&](json::object interaction, const std::string& channel) {
        const std::string id = std::to_string(++next_id);
        interaction["id"] = id;
        interaction["token"] = "interaction-token-" + id;
        interaction["channel_id"] = channel;
        discord.dispatch_interaction(std::move(interaction));
        return id;
    };
    auto channel_of = [](Asker asker) { return asker == Asker::wrong_channel ? discord_other : discord_ops; };
    auto type = [&](Asker asker, const std::string& command, const std::string& wanted) {
        std::string sub;
        const auto options = discord_options(command, sub);
        const std::string id =
            dispatch(discord::test::slash_command("0", sub, options, discord_id(asker)), channel_of(asker));
        return shown_once_holding([&] { return discord_shown(discord, id); }, wanted);
    };
    auto click = [&](Asker asker, std::size_t card, bool deny, const std::string& wanted) {
        const std::string asked = dispatch(
            discord::test::slash_command("0", "request", {{"database", "my-dedicated-db"}}, discord_newcomer(card)),
            discord_ops);
        const std::string button = discord_button(discord, asked, deny);
        // For the wrong channel, a click that says it came from another channel than the card's: refused.
        const std::string id = dispatch(discord::test::button_click("0", button, discord_id(asker)), channel_of(asker));
        return shown_once_holding([&] { return discord_shown(discord, id); }, wanted);
    };
    run_matrix(type, click);
    EXPECT_EQ(discord.violations(), std::vector<std::string>{});
}

// ---- Mattermost ---------------------------------------------------------------------------------------------

using mattermost::testing::EmulatorSettings;
using mattermost::testing::MattermostEmulator;

std::string mattermost_id(Asker asker) {
    const std::map<Asker, std::string> ids = {
        {Asker::owner, "u1owner0000000000000000000"},    {Asker::wrong_channel, "u1owner0000000000000000000"},
        {Asker::accepted, "u2member000000000000000000"}, {Asker::pending, "u3pending00000000000000000"},
        {Asker::stranger, "u9stranger0000000000000000"}, {Asker::admin, "u8admin0000000000000000000"}};
    return ids.at(asker);
}

std::string mattermost_newcomer(std::size_t n) {
    return "n" + std::to_string(n / 10) + std::to_string(n % 10) + "newcomer000000000000000";  // 26 characters
}

TEST(PermissionMatrix, OnMattermostThroughTheScalingoClient) {
    EmulatorSettings server;
    for (const Asker asker : testing::every_asker) server.emails[mattermost_id(asker)] = testing::email_of(asker);
    for (std::size_t n = 0; n < testing::newcomers; ++n)
        server.emails[mattermost_newcomer(n)] = testing::newcomer_email(n);
    MattermostEmulator mattermost(server);
    StateDir served_state;
    ServedSandbox served(served_state);
    StateDir state;
    const auto config = state.path() / "mattermost.toml";
    std::ofstream(config) << policy("mattermost", "c1ops", mattermost_id(Asker::admin));
    Environment environment = scalingo_environment(served);
    environment.insert(environment.end(), {{"MATTERMOST_URL", mattermost.url()},
                                           {"MATTERMOST_COMMAND_TOKEN", server.command_token},
                                           {"MATTERMOST_BOT_TOKEN", server.bot_token},
                                           {"COLLAB_MATTERMOST_LISTEN", "127.0.0.1:0"}});
    RunningBot bot(state.path() / "bot.log", environment,
                   {"--adapter", "mattermost", "--provider", "scalingo", "--config", config.string(), "--state-dir",
                    state.path().string()});
    const std::string url = from_log(bot, "request URL (http://127\\.0\\.0\\.1:[0-9]+)/mattermost/command");
    ASSERT_FALSE(url.empty());

    auto channel_of = [](Asker asker) { return asker == Asker::wrong_channel ? "c2other" : "c1ops"; };
    // What the person sees: the answer, the ephemerals they were sent since `seen`, a post's message.
    auto ephemerals_since = [&](const std::string& user, std::size_t seen) {
        std::string text;
        const auto all = mattermost.ephemerals(user);
        for (std::size_t i = seen; i < all.size(); ++i) text += all[i].message + "\n";
        return text;
    };
    auto type = [&](Asker asker, const std::string& command, const std::string& wanted) {
        const std::string user = mattermost_id(asker);
        const std::size_t seen = mattermost.ephemerals(user).size();
        const auto exchange = mattermost.run_command(url, user, channel_of(asker), command);
        std::string answer;
        if (exchange.answer && exchange.answer->contains("text"))
            answer = std::string(exchange.answer->at("text").as_string()) + "\n";
        return shown_once_holding([&] { return answer + ephemerals_since(user, seen); }, wanted);
    };
    auto click = [&](Asker asker, std::size_t card, bool deny, const std::string& wanted) {
        const auto asked = mattermost.run_command(url, mattermost_newcomer(card), "c1ops", "request my-dedicated-db");
        EXPECT_EQ(asked.status, 200u) << asked.body;
        const auto posts = mattermost.posts();
        if (posts.empty() || !posts.back().props.contains("attachments")) {
            ADD_FAILURE() << "no card for the request of " << testing::newcomer_email(card) << "\n" << asked.body;
            return std::string{};
        }
        const std::string post_id = posts.back().id;
        const std::string user = mattermost_id(asker);
        const std::size_t seen = mattermost.ephemerals(user).size();
        if (asker == Asker::wrong_channel) {
            // Mattermost sends a click with its post's channel: the card's token typed elsewhere instead.
            const json::value& context =
                posts.back().props.at("attachments").at(0).at("actions").at(0).at("integration").at("context");
            return type(asker, (deny ? "deny " : "approve ") + std::string(context.at("token").as_string()), wanted);
        }
        const auto clicked = mattermost.click(user, post_id, deny ? "cancel" : "confirm");
        EXPECT_EQ(clicked.status, 200u) << clicked.body;
        return shown_once_holding(
            [&] {
                return ephemerals_since(user, seen) +
                       mattermost.post(post_id).value_or(mattermost::testing::Post{}).message;
            },
            wanted);
    };
    run_matrix(type, click);
    EXPECT_EQ(mattermost.violations(), std::vector<std::string>{});
}

}  // namespace
}  // namespace collab::e2e
