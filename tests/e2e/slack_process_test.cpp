// The built binary as an admin starts it for Slack: `collab-bot --adapter slack`, no configuration
// file, the tokens and the Slack address in the environment, against the Slack emulator.

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <thread>

#include "bot_process.hpp"
#include "slack_emulator.hpp"

namespace collab::e2e {
namespace {

namespace json = boost::json;
namespace bp = boost::process;
using namespace std::chrono_literals;
using slack::test::EmulatorOptions;
using slack::test::SlackEmulator;

EmulatorOptions workspace() {
    EmulatorOptions options;
    options.emails = {{"U111", "user1@example.com"}, {"U222", "user2@example.com"}};
    return options;
}

// collab-bot --adapter slack as a child process; standard error goes to a file.
class SlackBot {
public:
    SlackBot(const SlackEmulator& slack, const StateDir& state, Environment environment = {})
        : log_(state.path() / "bot.log") {
        bp::environment env = boost::this_process::environment();
        env["SLACK_APP_TOKEN"] = EmulatorOptions{}.app_token;
        env["SLACK_BOT_TOKEN"] = EmulatorOptions{}.bot_token;
        env["SLACK_API_URL"] = slack.api_url();
        for (const auto& [name, value] : environment) {
            if (value.empty())
                env.erase(name);
            else
                env[name] = value;
        }
        child_ = bp::child(COLLAB_BOT_BINARY, bp::args({"--adapter", "slack", "--state-dir", state.path().string()}),
                           bp::std_in < bp::null, bp::std_out > bp::null, bp::std_err > log_.string(), env);
    }
    ~SlackBot() {
        if (child_.running()) child_.terminate();
    }

    // The exit code, once the process ended within the timeout.
    std::optional<int> wait(std::chrono::seconds timeout = 10s) {
        if (!child_.wait_for(timeout)) return std::nullopt;
        return child_.exit_code();
    }
    void signal(int number) { ::kill(child_.id(), number); }
    std::string log() const { return slurp(log_); }

private:
    std::filesystem::path log_;
    bp::child child_;
};

std::string text_of(const json::object& message) {
    const auto* text = message.if_contains("text");
    return text && text->is_string() ? std::string(text->as_string()) : "";
}

slack::test::Ack type(SlackEmulator& slack, const std::string& id, const std::string& text) {
    slack::test::SlashCommandFields fields;
    fields.envelope_id = id;
    fields.text = text;
    fields.response_url = slack.response_url(id);
    EXPECT_GE(slack.deliver(slack::test::slash_command_envelope(fields)), 0);
    auto ack = slack.wait_for_ack(id);
    EXPECT_TRUE(ack.has_value());
    return ack.value_or(slack::test::Ack{});
}

TEST(SlackProcess, RunsWithNoConfigurationOnTheSandboxAndStopsCleanlyOnSigterm) {
    SlackEmulator slack{workspace()};
    StateDir state;
    SlackBot bot(slack, state);
    ASSERT_TRUE(slack.wait_for_open_sockets(1, 10s)) << bot.log();

    const auto list = type(slack, "env-1", "list my-dedicated-db");
    EXPECT_NE(text_of(list.payload).find("user2@example.com"), std::string::npos) << bot.log();
    EXPECT_LT(list.latency, 3s);
    const auto add = type(slack, "env-2", "add my-dedicated-db newcomer@example.com");
    EXPECT_EQ(add.payload.at("response_type"), "in_channel");
    EXPECT_NE(text_of(add.payload).find("newcomer@example.com has been invited"), std::string::npos);

    bot.signal(SIGTERM);
    EXPECT_EQ(bot.wait(), 0);
    EXPECT_TRUE(slack.wait_for_open_sockets(0)) << "the socket was closed";
    const std::string log = bot.log();
    EXPECT_NE(log.find("Socket Mode"), std::string::npos) << log;
    for (const auto& secret : {EmulatorOptions{}.app_token, EmulatorOptions{}.bot_token})
        EXPECT_EQ(log.find(secret), std::string::npos) << "a token leaked into the log";
}

TEST(SlackProcess, AMissingTokenIsNamedAtStartUp) {
    SlackEmulator slack{workspace()};
    StateDir state;
    SlackBot bot(slack, state, {{"SLACK_APP_TOKEN", ""}});
    EXPECT_EQ(bot.wait(), 2);
    EXPECT_NE(bot.log().find("SLACK_APP_TOKEN"), std::string::npos) << bot.log();
    EXPECT_EQ(slack.urls_handed_out(), 0);
}

TEST(SlackProcess, ARefusedAppTokenStopsWithAMessageNamingIt) {
    SlackEmulator slack{workspace()};
    StateDir state;
    SlackBot bot(slack, state, {{"SLACK_APP_TOKEN", "xapp-1-revoked-token"}});
    EXPECT_EQ(bot.wait(), 1);
    const std::string log = bot.log();
    EXPECT_NE(log.find("SLACK_APP_TOKEN"), std::string::npos) << log;
    EXPECT_NE(log.find("invalid_auth"), std::string::npos) << log;
    EXPECT_EQ(log.find("xapp-1-revoked-token"), std::string::npos);
}

TEST(SlackProcess, LinkDisabledStopsTheBot) {
    SlackEmulator slack{workspace()};
    StateDir state;
    SlackBot bot(slack, state);
    ASSERT_TRUE(slack.wait_for_open_sockets(1, 10s)) << bot.log();
    slack.disconnect(0, "link_disabled");
    EXPECT_EQ(bot.wait(), 1);
    EXPECT_NE(bot.log().find("link_disabled"), std::string::npos) << bot.log();
}

}  // namespace
}  // namespace collab::e2e
