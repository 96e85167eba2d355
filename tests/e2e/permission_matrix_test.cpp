// The permission matrix of the newer commands (tests/permission_matrix.hpp) through the built binary on
// every platform (the shell, Slack over Socket Mode, Discord's gateway, Mattermost's slash commands and
// buttons), each on the sandbox in-process and through the Scalingo client against `collab-bot sandbox
// serve`: what each person is shown, end to end.

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <sstream>
#include <string_view>
#include <thread>

#include "../permission_matrix.hpp"
#include "adapters/chat/discord/commands.hpp"
#include "bot_process.hpp"
#include "discord_emulator.hpp"
#include "mattermost_emulator.hpp"
#include "slack_bot_process.hpp"

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

// Waits up to 5 s for `found` to give something other than "".
std::string waited_for(const std::function<std::string()>& found) {
    for (int i = 0; i < 250; ++i) {
        if (std::string value = found(); !value.empty()) return value;
        std::this_thread::sleep_for(20ms);
    }
    return {};
}

// Every matrix test runs on one platform, once per upstream.
class PermissionMatrix : public ::testing::TestWithParam<Upstream> {
protected:
    PermissionMatrix() : upstream_(GetParam()) {}

    // The bot's arguments and environment on this test's upstream, then `args` and `environment`.
    std::vector<std::string> bot_args(const std::vector<std::string>& args) const {
        std::vector<std::string> all = upstream_.args();
        all.insert(all.end(), args.begin(), args.end());
        return all;
    }
    Environment bot_environment(const Environment& environment) const {
        Environment all = upstream_.environment();
        all.insert(all.end(), environment.begin(), environment.end());
        return all;
    }

    BotUpstream upstream_;
    StateDir state_;
};

using PermissionMatrixOnTheShell = PermissionMatrix;
using PermissionMatrixOnSlack = PermissionMatrix;
using PermissionMatrixOnDiscord = PermissionMatrix;
using PermissionMatrixOnMattermost = PermissionMatrix;

// ---- The shell ------------------------------------------------------------------------------------------------

// One run of the binary per command, as the asker (--as). The shell has a single channel, `shell`, which
// the channel rules bind like any other: the rows of another channel cannot happen there and are left out.
class ShellMatrix : public testing::MatrixDriver {
public:
    ShellMatrix(std::vector<std::string> args, Environment environment, const StateDir& state)
        : args_(std::move(args)), environment_(std::move(environment)), state_(state) {}

    std::string type(Asker asker, const std::string& command, const std::string&) override {
        return as(testing::email_of(asker), command);
    }
    std::string ask(std::size_t n, bool, const std::string&) override {
        const std::string shown = as(testing::newcomer_email(n), "request my-dedicated-db");
        std::smatch token;
        EXPECT_TRUE(std::regex_search(shown, token, std::regex("/collab approve ([A-Za-z0-9_.-]+)"))) << shown;
        tokens_[n] = token.size() > 1 ? token[1].str() : "";
        return shown;
    }
    std::string click(Asker asker, std::size_t n, bool deny, const std::string&) override {
        return as(testing::email_of(asker), (deny ? "deny " : "approve ") + tokens_[n]);
    }
    std::string told(std::size_t, const std::string&) override { return {}; }  // no row asks it here
    std::string ops_channel() const override { return "shell"; }
    bool has_channels() const override { return false; }

private:
    std::string as(const std::string& email, const std::string& command) {
        std::vector<std::string> args = args_;
        args.insert(args.end(), {"--as", email});
        const BotRun run = run_bot(args, "/collab " + command + "\n", state_, environment_);
        EXPECT_EQ(run.exit_code, 0) << command << "\n" << run.err;
        return run.out;
    }

    std::vector<std::string> args_;
    Environment environment_;
    const StateDir& state_;
    std::map<std::size_t, std::string> tokens_;
};

TEST_P(PermissionMatrixOnTheShell, EveryRowButThoseOfAnotherChannel) {
    const auto config = state_.path() / "shell.toml";
    std::ofstream(config) << policy("shell", "shell", testing::email_of(Asker::admin));
    ShellMatrix driver(bot_args({"--config", config.string(), "--state-dir", state_.path().string()}),
                       bot_environment({}), state_);
    const auto& rows = testing::permission_matrix();
    const auto elsewhere = std::count_if(rows.begin(), rows.end(), [](const testing::Expectation& row) {
        return row.asker == Asker::wrong_channel || row.command == testing::approve_click_from_elsewhere ||
               row.command == testing::deny_click_from_elsewhere;
    });
    EXPECT_EQ(testing::run_permission_matrix(driver), rows.size() - static_cast<std::size_t>(elsewhere));
}

// ---- Slack ----------------------------------------------------------------------------------------------------

const std::string slack_ops = "C0OPS0001";
const std::string slack_other = "C0OTHER01";

std::string slack_id(Asker asker) {
    const std::map<Asker, std::string> ids = {{Asker::owner, "U1OWNER"},       {Asker::wrong_channel, "U1OWNER"},
                                              {Asker::accepted, "U2MEMBER"},   {Asker::pending, "U3PENDING"},
                                              {Asker::stranger, "U9STRANGER"}, {Asker::admin, "U8ADMIN"}};
    return ids.at(asker);
}

std::string slack_newcomer(std::size_t n) {
    return "U7NEWCOMER" + std::to_string(n);
}

// What Slack shows of a message: its blocks' texts (the top-level text is only the notification's).
void slack_texts(const json::value& value, std::string& out) {
    if (const json::object* object = value.if_object()) {
        for (const auto& [key, member] : *object) {
            if (key == "text" && member.is_string())
                out += std::string(member.get_string()) + "\n";
            else
                slack_texts(member, out);
        }
    } else if (const json::array* array = value.if_array()) {
        for (const auto& item : *array) slack_texts(item, out);
    }
}

bool posted_in(const slack::test::Post& post, const std::string& channel) {
    const json::value* where = post.body.if_contains("channel");
    return where && where->is_string() && where->get_string() == std::string_view(channel);
}

std::string slack_shown(const json::object& message) {
    std::string out;
    if (const json::value* blocks = message.if_contains("blocks"))
        slack_texts(*blocks, out);
    else if (const json::value* text = message.if_contains("text"); text && text->is_string())
        out = std::string(text->get_string()) + "\n";
    return out;
}

class SlackMatrix : public testing::MatrixDriver {
public:
    explicit SlackMatrix(slack::test::SlackEmulator& slack) : slack_(slack) {}

    std::string type(Asker asker, const std::string& command, const std::string& wanted) override {
        const std::string id = command_by(slack_id(asker), channel_of(asker), command);
        return shown_once_holding([&] { return answers_to(id); }, wanted);
    }
    std::string ask(std::size_t n, bool elsewhere, const std::string& wanted) override {
        const std::size_t posted = slack_.posts("chat.postMessage").size();
        const std::string id =
            command_by(slack_newcomer(n), elsewhere ? slack_other : slack_ops, "request my-dedicated-db");
        const std::string shown = shown_once_holding([&] { return answers_to(id); }, wanted);
        // The card: in the answer when asked in the ops channel, else a message the bot posted there.
        tokens_[n] = waited_for([&] {
            std::vector<json::object> messages;
            if (elsewhere) {
                const auto posts = slack_.posts("chat.postMessage");
                for (std::size_t i = posted; i < posts.size(); ++i)
                    if (posted_in(posts[i], slack_ops)) messages.push_back(posts[i].body);
            } else {
                messages = messages_of(id);
            }
            for (const auto& message : messages)
                if (auto token = slack::test::button_value(message, "collab_confirm"); !token.empty()) return token;
            return std::string();
        });
        EXPECT_FALSE(tokens_[n].empty()) << "no card for " << testing::newcomer_email(n) << "\n" << shown;
        return shown;
    }
    std::string click(Asker asker, std::size_t n, bool deny, const std::string& wanted) override {
        const std::string id = "env-" + std::to_string(++envelopes_);
        slack::test::ButtonClickFields fields;
        fields.envelope_id = id;
        fields.action_id = deny ? "collab_cancel" : "collab_confirm";
        fields.value = tokens_[n];
        fields.user_id = slack_id(asker);
        // For the wrong channel, a click that says it came from another channel than the card's: refused.
        fields.channel_id = channel_of(asker);
        fields.response_url = slack_.response_url(id);
        EXPECT_GE(slack_.deliver(slack::test::button_click_envelope(fields)), 0);
        return shown_once_holding([&] { return answers_to(id); }, wanted);
    }
    std::string told(std::size_t n, const std::string& wanted) override {
        return shown_once_holding(
            [&] {
                std::string text;
                for (const auto& post : slack_.posts("chat.postMessage"))
                    if (posted_in(post, "D" + slack_newcomer(n))) text += slack_shown(post.body);
                return text;
            },
            wanted);
    }
    // A link to the channel, which Slack shows by its name.
    std::string ops_channel() const override { return "<#" + slack_ops + ">"; }

private:
    static std::string channel_of(Asker asker) { return asker == Asker::wrong_channel ? slack_other : slack_ops; }

    std::string command_by(const std::string& user, const std::string& channel, const std::string& text) {
        const std::string id = "env-" + std::to_string(++envelopes_);
        slack::test::SlashCommandFields fields;
        fields.envelope_id = id;
        fields.text = text;
        fields.user_id = user;
        fields.channel_id = channel;
        fields.response_url = slack_.response_url(id);
        EXPECT_GE(slack_.deliver(slack::test::slash_command_envelope(fields)), 0);
        return id;
    }
    // The envelope's acknowledgement, then what came through its response_url.
    std::vector<json::object> messages_of(const std::string& id) const {
        std::vector<json::object> messages;
        for (const auto& ack : slack_.acks())
            if (ack.envelope_id == id && ack.carried_payload) messages.push_back(ack.payload);
        for (const auto& post : slack_.posts("respond/" + id)) messages.push_back(post.body);
        return messages;
    }
    std::string answers_to(const std::string& id) const {
        std::string text;
        for (const auto& message : messages_of(id)) text += slack_shown(message);
        return text;
    }

    slack::test::SlackEmulator& slack_;
    int envelopes_ = 0;
    std::map<std::size_t, std::string> tokens_;
};

TEST_P(PermissionMatrixOnSlack, EveryRow) {
    slack::test::EmulatorOptions workspace;
    for (const Asker asker : testing::every_asker) workspace.emails[slack_id(asker)] = testing::email_of(asker);
    for (std::size_t n = 0; n < testing::newcomers; ++n)
        workspace.emails[slack_newcomer(n)] = testing::newcomer_email(n);
    slack::test::SlackEmulator slack{workspace};
    const auto config = state_.path() / "slack.toml";
    std::ofstream(config) << policy("slack", slack_ops, slack_id(Asker::admin));
    SlackBot bot(slack, state_, bot_environment({}), bot_args({"--config", config.string()}));
    ASSERT_TRUE(slack.wait_for_open_sockets(1, 10s)) << bot.log();
    SlackMatrix driver(slack);
    EXPECT_EQ(testing::run_permission_matrix(driver), testing::permission_matrix().size());
}

// ---- Discord --------------------------------------------------------------------------------------------------

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

// The text of a message as Discord shows it (its markdown escapes stay: the normalisation undoes them).
std::string discord_content(const json::object& message) {
    const json::value* content = message.if_contains("content");
    return content && content->is_string() ? std::string(content->as_string()) + "\n" : std::string();
}

// The custom_id of a message's first (Approve) or second (Deny) button; "" when it has none.
std::string discord_button(const json::object& message, bool deny) {
    const json::value* rows = message.if_contains("components");
    if (!rows || !rows->is_array() || rows->as_array().empty()) return {};
    return std::string(rows->at(0).at("components").at(deny ? 1 : 0).at("custom_id").as_string());
}

// The messages the interaction got, the callback's data as the message it makes.
std::vector<json::object> discord_answers(const discord::test::DiscordEmulator& discord, const std::string& id) {
    std::vector<json::object> messages;
    for (const auto& reply : discord.replies()) {
        if (reply.interaction_id != id) continue;
        const json::value* data = reply.body.if_contains("data");
        messages.push_back(data && data->is_object() ? data->as_object() : reply.body);
    }
    return messages;
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

class DiscordMatrix : public testing::MatrixDriver {
public:
    explicit DiscordMatrix(discord::test::DiscordEmulator& discord) : discord_(discord) {}

    std::string type(Asker asker, const std::string& command, const std::string& wanted) override {
        std::string sub;
        const auto options = discord_options(command, sub);
        const std::string id =
            dispatch(discord::test::slash_command("0", sub, options, discord_id(asker)), channel_of(asker));
        return shown_once_holding([&] { return shown_to(id); }, wanted);
    }
    std::string ask(std::size_t n, bool elsewhere, const std::string& wanted) override {
        const std::size_t posted = discord_.channel_messages().size();
        const std::string id = dispatch(
            discord::test::slash_command("0", "request", {{"database", "my-dedicated-db"}}, discord_newcomer(n)),
            elsewhere ? discord_other : discord_ops);
        const std::string shown = shown_once_holding([&] { return shown_to(id); }, wanted);
        // The card: the answer when asked in the ops channel, else a message the bot posted there.
        const bool found = !waited_for([&] {
                                if (elsewhere) {
                                    const auto messages = discord_.channel_messages();
                                    for (std::size_t i = posted; i < messages.size(); ++i) {
                                        if (messages[i].channel != discord_ops) continue;
                                        cards_[n] = {messages[i]};
                                        return discord_button(messages[i].body, false);
                                    }
                                    return std::string();
                                }
                                for (const auto& message : discord_answers(discord_, id))
                                    if (auto button = discord_button(message, false); !button.empty()) {
                                        cards_[n] = {std::nullopt, button, discord_button(message, true)};
                                        return button;
                                    }
                                return std::string();
                            }).empty();
        EXPECT_TRUE(found) << "no card for " << testing::newcomer_email(n) << "\n" << shown;
        return shown;
    }
    std::string click(Asker asker, std::size_t n, bool deny, const std::string& wanted) override {
        const Card& card = cards_[n];
        const std::string button = card.posted ? discord_button(card.posted->body, deny)
                                   : deny      ? card.deny
                                               : card.approve;
        json::object interaction = card.posted
                                       ? discord::test::button_click_on("0", *card.posted, button, discord_id(asker))
                                       : discord::test::button_click("0", button, discord_id(asker));
        // For the wrong channel, a click that says it came from another channel than the card's: refused.
        const std::string id = dispatch(std::move(interaction), channel_of(asker));
        return shown_once_holding([&] { return shown_to(id); }, wanted);
    }
    std::string told(std::size_t n, const std::string& wanted) override {
        return shown_once_holding(
            [&] {
                const std::string direct = discord_.direct_channel(discord_newcomer(n));
                std::string text;
                for (const auto& message : discord_.channel_messages())
                    if (!direct.empty() && message.channel == direct) text += discord_content(message.body);
                return text;
            },
            wanted);
    }
    // A link to the channel, which Discord shows by its name.
    std::string ops_channel() const override { return "<#" + discord_ops + ">"; }

private:
    // A card posted in the channel, or the buttons of one in an answer.
    struct Card {
        std::optional<discord::test::ChannelMessage> posted;
        std::string approve = {};
        std::string deny = {};
    };

    static std::string channel_of(Asker asker) { return asker == Asker::wrong_channel ? discord_other : discord_ops; }

    std::string dispatch(json::object interaction, const std::string& channel) {
        const std::string id = std::to_string(++next_id_);
        interaction["id"] = id;
        interaction["token"] = "interaction-token-" + id;
        interaction["channel_id"] = channel;
        discord_.dispatch_interaction(std::move(interaction));
        return id;
    }
    std::string shown_to(const std::string& id) const {
        std::string text;
        for (const auto& message : discord_answers(discord_, id)) text += discord_content(message);
        return text;
    }

    discord::test::DiscordEmulator& discord_;
    int next_id_ = 7000;
    std::map<std::size_t, Card> cards_;
};

TEST_P(PermissionMatrixOnDiscord, EveryRow) {
    discord::test::DiscordEmulator discord;
    const auto config = state_.path() / "discord.toml";
    {
        std::ofstream out(config);
        out << policy("discord", discord_ops, discord_id(Asker::admin)) << "\n[identities]\n";
        for (const Asker asker : testing::every_asker)
            if (asker != Asker::wrong_channel)  // the owner, mapped once
                out << "\"discord:" << discord_id(asker) << "\" = \"" << testing::email_of(asker) << "\"\n";
        for (std::size_t n = 0; n < testing::newcomers; ++n)
            out << "\"discord:" << discord_newcomer(n) << "\" = \"" << testing::newcomer_email(n) << "\"\n";
    }
    RunningBot bot(
        state_.path() / "bot.log",
        bot_environment({{"DISCORD_BOT_TOKEN", discord.options().bot_token}, {"DISCORD_API_URL", discord.api_url()}}),
        bot_args({"--adapter", "discord", "--config", config.string(), "--state-dir", state_.path().string()}));
    ASSERT_TRUE(discord.wait_for_sessions_ready(1, 10s)) << bot.log();
    DiscordMatrix driver(discord);
    EXPECT_EQ(testing::run_permission_matrix(driver), testing::permission_matrix().size());
    EXPECT_EQ(discord.violations(), std::vector<std::string>{});
}

// ---- Mattermost -----------------------------------------------------------------------------------------------

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

class MattermostMatrix : public testing::MatrixDriver {
public:
    MattermostMatrix(MattermostEmulator& mattermost, std::string url) : mattermost_(mattermost), url_(std::move(url)) {}

    std::string type(Asker asker, const std::string& command, const std::string& wanted) override {
        return command_by(mattermost_id(asker), channel_of(asker), command, wanted);
    }
    std::string ask(std::size_t n, bool elsewhere, const std::string& wanted) override {
        const std::string shown =
            command_by(mattermost_newcomer(n), elsewhere ? "c2other" : "c1ops", "request my-dedicated-db", wanted);
        // The card: the newcomer's post of the answer in the ops channel, or the bot's post there.
        cards_[n] = waited_for([&] {
            const auto posts = mattermost_.posts();
            for (auto post = posts.rbegin(); post != posts.rend(); ++post)
                if (post->channel_id == "c1ops" && post->props.contains("attachments") &&
                    post->message.find(testing::newcomer_email(n)) != std::string::npos)
                    return post->id;
            return std::string();
        });
        EXPECT_FALSE(cards_[n].empty()) << "no card for " << testing::newcomer_email(n) << "\n" << shown;
        return shown;
    }
    std::string click(Asker asker, std::size_t n, bool deny, const std::string& wanted) override {
        const std::string& post_id = cards_[n];
        const auto card = mattermost_.post(post_id);
        if (!card) return {};
        if (asker == Asker::wrong_channel) {
            // Mattermost sends a click with its post's channel: the card's token typed elsewhere instead.
            const json::value& context =
                card->props.at("attachments").at(0).at("actions").at(0).at("integration").at("context");
            return type(asker, (deny ? "deny " : "approve ") + std::string(context.at("token").as_string()), wanted);
        }
        const std::string user = mattermost_id(asker);
        const std::size_t seen = mattermost_.ephemerals(user).size();
        const auto clicked = mattermost_.click(user, post_id, deny ? "cancel" : "confirm");
        EXPECT_EQ(clicked.status, 200u) << clicked.body;
        return shown_once_holding(
            [&] {
                return ephemerals_since(user, seen) +
                       mattermost_.post(post_id).value_or(mattermost::testing::Post{}).message;
            },
            wanted);
    }
    std::string told(std::size_t n, const std::string& wanted) override {
        return shown_once_holding(
            [&] {
                const auto direct = mattermost_.direct_channel(mattermost_newcomer(n));
                std::string text;
                for (const auto& post : mattermost_.posts())
                    if (direct && post.channel_id == *direct) text += post.message + "\n";
                return text;
            },
            wanted);
    }
    // Mattermost links a channel by its name, which the bot asks the server for by the channel's id;
    // "c1ops" is no Mattermost id (26 characters), so it is never asked and the id is shown (the link is
    // in MattermostProcess.AnAccessRequestIsPostedInTheBoundChannelAndDecidedThereByAMember).
    std::string ops_channel() const override { return "c1ops"; }

private:
    static std::string channel_of(Asker asker) { return asker == Asker::wrong_channel ? "c2other" : "c1ops"; }

    // What the person sees: the answer, and the ephemerals they were sent since they typed.
    std::string command_by(const std::string& user, const std::string& channel, const std::string& command,
                           const std::string& wanted) {
        const std::size_t seen = mattermost_.ephemerals(user).size();
        const auto exchange = mattermost_.run_command(url_, user, channel, command);
        std::string answer;
        if (exchange.answer && exchange.answer->contains("text"))
            answer = std::string(exchange.answer->at("text").as_string()) + "\n";
        return shown_once_holding([&] { return answer + ephemerals_since(user, seen); }, wanted);
    }
    std::string ephemerals_since(const std::string& user, std::size_t seen) const {
        std::string text;
        const auto all = mattermost_.ephemerals(user);
        for (std::size_t i = seen; i < all.size(); ++i) text += all[i].message + "\n";
        return text;
    }

    MattermostEmulator& mattermost_;
    std::string url_;
    std::map<std::size_t, std::string> cards_;  // post ids
};

TEST_P(PermissionMatrixOnMattermost, EveryRow) {
    EmulatorSettings server;
    for (const Asker asker : testing::every_asker) server.emails[mattermost_id(asker)] = testing::email_of(asker);
    for (std::size_t n = 0; n < testing::newcomers; ++n)
        server.emails[mattermost_newcomer(n)] = testing::newcomer_email(n);
    MattermostEmulator mattermost(server);
    const auto config = state_.path() / "mattermost.toml";
    std::ofstream(config) << policy("mattermost", "c1ops", mattermost_id(Asker::admin));
    RunningBot bot(
        state_.path() / "bot.log",
        bot_environment({{"MATTERMOST_URL", mattermost.url()},
                         {"MATTERMOST_COMMAND_TOKEN", server.command_token},
                         {"MATTERMOST_BOT_TOKEN", server.bot_token},
                         {"COLLAB_MATTERMOST_LISTEN", "127.0.0.1:0"}}),
        bot_args({"--adapter", "mattermost", "--config", config.string(), "--state-dir", state_.path().string()}));
    const std::string url = from_log(bot, "request URL (http://127\\.0\\.0\\.1:[0-9]+)/mattermost/command");
    ASSERT_FALSE(url.empty());
    MattermostMatrix driver(mattermost, url);
    EXPECT_EQ(testing::run_permission_matrix(driver), testing::permission_matrix().size());
    EXPECT_EQ(mattermost.violations(), std::vector<std::string>{});
}

const auto upstreams = ::testing::Values(Upstream::in_process, Upstream::over_http);
INSTANTIATE_TEST_SUITE_P(Upstreams, PermissionMatrixOnTheShell, upstreams, upstream_name);
INSTANTIATE_TEST_SUITE_P(Upstreams, PermissionMatrixOnSlack, upstreams, upstream_name);
INSTANTIATE_TEST_SUITE_P(Upstreams, PermissionMatrixOnDiscord, upstreams, upstream_name);
INSTANTIATE_TEST_SUITE_P(Upstreams, PermissionMatrixOnMattermost, upstreams, upstream_name);

}  // namespace
}  // namespace collab::e2e
