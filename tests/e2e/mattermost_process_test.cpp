// The built binary as an admin starts it for Mattermost: `collab-bot --adapter mattermost` with no
// configuration file, the tokens, the server's address and the listen address in the environment,
// against the Mattermost emulator, on the embedded sandbox.

#include <gtest/gtest.h>

#include <csignal>
#include <fstream>

#include "bot_process.hpp"
#include "http_get.hpp"
#include "mattermost_emulator.hpp"

namespace collab::e2e {
namespace {

using namespace std::chrono_literals;
using mattermost::testing::EmulatorSettings;
using mattermost::testing::Exchange;
using mattermost::testing::MattermostEmulator;

const std::string owner =
    "u1owner0000000000000000000";  // user1@example.com in the sandbox's seed, owner of my-dedicated-db

// `collab-bot --adapter mattermost` with the tokens, the server and the listen address in the environment,
// and `args` after those.
class MattermostBot : public RunningBot {
public:
    MattermostBot(const MattermostEmulator& mattermost, const EmulatorSettings& server, const StateDir& state,
                  const std::vector<std::string>& args = {})
        : RunningBot(state.path() / "bot.log",
                     {{"MATTERMOST_URL", mattermost.url()},
                      {"MATTERMOST_COMMAND_TOKEN", server.command_token},
                      {"MATTERMOST_BOT_TOKEN", server.bot_token},
                      {"COLLAB_MATTERMOST_LISTEN", "127.0.0.1:0"}},
                     with_state(state, args)) {}

private:
    static std::vector<std::string> with_state(const StateDir& state, const std::vector<std::string>& args) {
        std::vector<std::string> all{"--adapter", "mattermost", "--state-dir", state.path().string()};
        all.insert(all.end(), args.begin(), args.end());
        return all;
    }
};

std::string text_of(const Exchange& exchange) {
    if (!exchange.answer || !exchange.answer->contains("text")) return {};
    return std::string(exchange.answer->at("text").as_string());
}

TEST(MattermostProcess, AnswersTheSlashCommandRefusesAForgedTokenAndStopsCleanlyOnSigterm) {
    const EmulatorSettings server{.emails = {{owner, "user1@example.com"}}};
    MattermostEmulator mattermost(server);
    StateDir state;
    MattermostBot bot(mattermost, server, state);
    const std::string url = from_log(bot, "request URL (http://127\\.0\\.0\\.1:[0-9]+)/mattermost/command");
    ASSERT_FALSE(url.empty());

    const Exchange list = mattermost.run_command(url, owner, "c1ops", "list my-dedicated-db");
    EXPECT_EQ(list.status, 200u) << list.body << bot.log();
    EXPECT_NE(text_of(list).find("user2@example.com"), std::string::npos) << list.body;

    const Exchange forged = mattermost.run_command(url, owner, "c1ops", "list my-dedicated-db", "Token forged");
    EXPECT_EQ(forged.status, 401u) << forged.body;
    EXPECT_EQ(forged.body.find("user2@example.com"), std::string::npos) << forged.body;

    bot.signal(SIGTERM);
    EXPECT_EQ(bot.wait(), 0);
    const std::string log = bot.log();
    EXPECT_EQ(log.find(server.command_token), std::string::npos) << "the command token leaked into the log";
    EXPECT_EQ(log.find(server.bot_token), std::string::npos) << "the bot token leaked into the log";
    EXPECT_EQ(mattermost.violations(), std::vector<std::string>{});
}

TEST(MattermostProcess, TheMetricsTimeEachSlashCommandsAnswer) {
    const EmulatorSettings server{.emails = {{owner, "user1@example.com"}}};
    MattermostEmulator mattermost(server);
    StateDir state;
    const auto config = state.path() / "mattermost.toml";
    std::ofstream(config) << "[health]\nlisten = \"127.0.0.1:0\"\n";
    MattermostBot bot(mattermost, server, state, {"--config", config.string()});
    const std::string base = from_log(bot, "health and metrics at (http://127\\.0\\.0\\.1:[0-9]+)/healthz");
    const std::string url = from_log(bot, "request URL (http://127\\.0\\.0\\.1:[0-9]+)/mattermost/command");
    ASSERT_FALSE(url.empty());
    EXPECT_EQ(mattermost.run_command(url, owner, "c1ops", "whoami").status, 200u) << bot.log();
    const std::string counted = "collab_ack_latency_seconds_count{platform=\"mattermost\"} 1";
    const std::string metrics = metrics_holding(base, counted);
    EXPECT_NE(metrics.find(counted), std::string::npos) << metrics;
}

// Where custom slash commands are not allowed: the bot reads the server's websocket and answers a
// mention in the channel it was made in.
TEST(MattermostProcess, AnswersAMentionInAChannelThroughTheWebsocket) {
    const EmulatorSettings server{.emails = {{owner, "user1@example.com"}}};
    MattermostEmulator mattermost(server);
    StateDir state;
    const auto config = state.path() / "mattermost.toml";
    std::ofstream(config) << "[mattermost]\nwebsocket = true\n";
    MattermostBot bot(mattermost, server, state, {"--config", config.string()});
    ASSERT_TRUE(mattermost.wait_for_websockets(1, 10s)) << bot.log();
    mattermost.say(owner, mattermost::testing::Where{"c1ops"}, "@collab-bot list my-dedicated-db");
    const auto answers = mattermost.wait_for_ephemerals(owner, 1, 10s);
    ASSERT_EQ(answers.size(), 1u) << bot.log();
    EXPECT_EQ(answers[0].channel_id, "c1ops");
    EXPECT_NE(answers[0].message.find("user2@example.com"), std::string::npos) << answers[0].message;
    bot.signal(SIGTERM);
    EXPECT_EQ(bot.wait(), 0);
    EXPECT_EQ(bot.log().find(server.bot_token), std::string::npos) << "the bot token leaked into the log";
    EXPECT_EQ(mattermost.violations(), std::vector<std::string>{});
}

TEST(MattermostProcess, ABotTokenTheServerRefusesStopsTheBot) {
    const EmulatorSettings server{};
    MattermostEmulator mattermost(server);
    StateDir state;
    RunningBot bot(state.path() / "bot.log",
                   {{"MATTERMOST_URL", mattermost.url()},
                    {"MATTERMOST_COMMAND_TOKEN", server.command_token},
                    {"MATTERMOST_BOT_TOKEN", "revoked-token"},
                    {"COLLAB_MATTERMOST_LISTEN", "127.0.0.1:0"}},
                   {"--adapter", "mattermost", "--state-dir", state.path().string()});
    EXPECT_EQ(bot.wait(), 1);
    const std::string log = bot.log();
    EXPECT_NE(log.find("refused MATTERMOST_BOT_TOKEN"), std::string::npos) << log;
    EXPECT_EQ(log.find("revoked-token"), std::string::npos) << "the bot token leaked into the log";
}

}  // namespace
}  // namespace collab::e2e
