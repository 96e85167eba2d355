// The built binary as an admin starts it for Mattermost: `collab-bot --adapter mattermost` with no
// configuration file, the tokens, the server's address and the listen address in the environment,
// against the Mattermost emulator, on the embedded sandbox. Also what the bot says on its own there:
// an access request's card in the channel its database is bound to, and the acceptance notice.

#include <gtest/gtest.h>

#include <csignal>
#include <fstream>

#include "bot_process.hpp"
#include "http_get.hpp"
#include "mattermost_emulator.hpp"
#include "sandbox_invitations.hpp"

namespace collab::e2e {
namespace {

using mattermost::testing::EmulatorSettings;
using mattermost::testing::Exchange;
using mattermost::testing::MattermostEmulator;
using mattermost::testing::member;
using mattermost::testing::owner;
using mattermost::testing::stranger;

using namespace std::chrono_literals;

std::string text_of(const Exchange& exchange) {
    if (!exchange.answer || !exchange.answer->contains("text")) return {};
    return std::string(exchange.answer->at("text").as_string());
}

// Markdown as a reader sees it: the escapes gone.
std::string shown(std::string message) {
    std::erase(message, '\\');
    return message;
}

// The bot, for Mattermost, with `config` and the emulator's tokens.
class MattermostBot : public RunningBot {
public:
    MattermostBot(const MattermostEmulator& mattermost, const EmulatorSettings& server, const StateDir& state,
                  const std::filesystem::path& config)
        : RunningBot(state.path() / "bot.log",
                     {{"MATTERMOST_URL", mattermost.url()},
                      {"MATTERMOST_COMMAND_TOKEN", server.command_token},
                      {"MATTERMOST_BOT_TOKEN", server.bot_token},
                      {"COLLAB_MATTERMOST_LISTEN", "127.0.0.1:0"}},
                     {"--adapter", "mattermost", "--config", config.string(), "--state-dir", state.path().string()}),
          url(from_log(*this, "request URL (http://127\\.0\\.0\\.1:[0-9]+)/mattermost/command")) {}

    const std::string url;
};

// The bot's posts in `channel` whose text, as shown, holds `text`; waits up to 5 s for the first.
std::vector<mattermost::testing::Post> bot_posts_in(const MattermostEmulator& mattermost, const std::string& channel,
                                                    const std::string& text) {
    std::vector<mattermost::testing::Post> found;
    for (int i = 0; i < 200 && found.empty(); ++i) {
        if (i > 0) std::this_thread::sleep_for(25ms);
        for (const auto& post : mattermost.wait_for_bot_posts(0, 0ms))
            if (post.channel_id == channel && shown(post.message).find(text) != std::string::npos)
                found.push_back(post);
    }
    return found;
}

// The direct channel between the bot and `user`, waiting up to 5 s for the bot to open it.
std::optional<std::string> direct_channel(const MattermostEmulator& mattermost, const std::string& user) {
    for (int i = 0; i < 200; ++i) {
        if (auto direct = mattermost.direct_channel(user)) return direct;
        std::this_thread::sleep_for(25ms);
    }
    return std::nullopt;
}

TEST(MattermostProcess, AnswersTheSlashCommandRefusesAForgedTokenAndStopsCleanlyOnSigterm) {
    const EmulatorSettings server{.emails = {{owner, "user1@example.com"}}};
    MattermostEmulator mattermost(server);
    StateDir state;
    RunningBot bot(state.path() / "bot.log",
                   {{"MATTERMOST_URL", mattermost.url()},
                    {"MATTERMOST_COMMAND_TOKEN", server.command_token},
                    {"MATTERMOST_BOT_TOKEN", server.bot_token},
                    {"COLLAB_MATTERMOST_LISTEN", "127.0.0.1:0"}},
                   {"--adapter", "mattermost", "--state-dir", state.path().string()});
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
    RunningBot bot(state.path() / "bot.log",
                   {{"MATTERMOST_URL", mattermost.url()},
                    {"MATTERMOST_COMMAND_TOKEN", server.command_token},
                    {"MATTERMOST_BOT_TOKEN", server.bot_token},
                    {"COLLAB_MATTERMOST_LISTEN", "127.0.0.1:0"}},
                   {"--adapter", "mattermost", "--config", config.string(), "--state-dir", state.path().string()});
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
    MattermostBot bot(mattermost, server, state, config);
    ASSERT_FALSE(bot.url.empty()) << bot.log();
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

namespace collab::e2e {
namespace {

// [policy.channels] binds my-dedicated-db to ~db-owners: a request typed in c1ops is decided there, and
// the requester is given the channel's link.
TEST(MattermostProcess, AnAccessRequestIsPostedInTheBoundChannelAndDecidedThereByAMember) {
    const std::string bound = "c2bound0000000000000000000";
    const EmulatorSettings server{
        .emails = {{owner, "user1@example.com"}, {member, "user2@example.com"}, {stranger, "stranger@example.com"}},
        .channel_names = {{bound, "db-owners"}}};
    MattermostEmulator mattermost(server);
    StateDir state;
    const auto config = state.path() / "mattermost.toml";
    std::ofstream(config) << "[policy.channels]\n\"mattermost:" << bound << "\" = [\"my-dedicated-db\"]\n";
    MattermostBot bot(mattermost, server, state, config);
    ASSERT_FALSE(bot.url.empty());

    const Exchange asked = mattermost.run_command(bot.url, stranger, "c1ops", "request my-dedicated-db");
    ASSERT_EQ(asked.status, 200u) << asked.body << bot.log();
    EXPECT_NE(text_of(asked).find("was posted in ~db-owners, where its owner and collaborators decide"),
              std::string::npos)
        << text_of(asked) << bot.log();
    const auto cards = bot_posts_in(mattermost, bound, "asks for access to my-dedicated-db");
    ASSERT_EQ(cards.size(), 1u) << bot.log();
    const std::string card = cards[0].id;
    EXPECT_NE(cards[0].message.find("@user-" + stranger), std::string::npos) << "names the requester";

    // The requester's own click: refused for them alone, the card left as it is.
    const std::size_t seen = mattermost.ephemerals(stranger).size();
    ASSERT_EQ(mattermost.click(stranger, card, "confirm").status, 200u);
    const auto refusals = mattermost.ephemerals(stranger);
    ASSERT_EQ(refusals.size(), seen + 1) << bot.log();
    EXPECT_NE(refusals.back().message.find("Only the owner or an accepted collaborator"), std::string::npos)
        << refusals.back().message;
    EXPECT_TRUE(mattermost.post(card)->props.contains("attachments"));

    // A member's click: the invitation goes, the card names who approved, the requester hears it directly.
    ASSERT_EQ(mattermost.click(member, card, "confirm").status, 200u);
    const auto decided = mattermost.post(card);
    EXPECT_FALSE(decided->props.contains("attachments")) << "no button is left to click twice";
    EXPECT_NE(shown(decided->message).find("Approved by @user-" + member), std::string::npos) << decided->message;
    EXPECT_NE(shown(decided->message).find("stranger@example.com has been invited"), std::string::npos)
        << decided->message;
    const auto direct = direct_channel(mattermost, stranger);
    ASSERT_TRUE(direct) << bot.log();
    const auto told = bot_posts_in(mattermost, *direct, "Your request for access to my-dedicated-db was approved by");
    ASSERT_EQ(told.size(), 1u) << bot.log();
    EXPECT_NE(told[0].message.find("@user-" + member), std::string::npos) << told[0].message;

    const Exchange listed = mattermost.run_command(bot.url, owner, bound, "list my-dedicated-db");
    EXPECT_NE(text_of(listed).find("stranger@example.com"), std::string::npos) << text_of(listed);
    bot.signal(SIGTERM);
    EXPECT_EQ(bot.wait(), 0);
    EXPECT_EQ(mattermost.violations(), std::vector<std::string>{});
}

// Invitations typed in c1ops and in c3private, where the bot may not post, accepted while the bot is
// down: announced in c1ops, and to the inviter directly for c3private.
TEST(MattermostProcess, AnAcceptedInvitationIsAnnouncedInItsChannelOrToTheInviterDirectly) {
    const EmulatorSettings server{.emails = {{owner, "user1@example.com"}}};
    MattermostEmulator mattermost(server);
    mattermost.refuse_posts_in("c3private");
    StateDir state;
    const auto config = state.path() / "watch.toml";
    std::ofstream(config) << "[watch]\ninterval_seconds = 1\n";
    {
        MattermostBot bot(mattermost, server, state, config);
        ASSERT_FALSE(bot.url.empty());
        for (const auto& [channel, email] :
             {std::pair{"c1ops", "user4@example.com"}, {"c3private", "user5@example.com"}}) {
            const Exchange added =
                mattermost.run_command(bot.url, owner, channel, std::string("add my-dedicated-db ") + email);
            ASSERT_NE(text_of(added).find(email), std::string::npos) << added.body << bot.log();
        }
        bot.signal(SIGTERM);
        ASSERT_EQ(bot.wait(), 0) << bot.log();
    }
    for (const std::string email : {"user4@example.com", "user5@example.com"})
        ASSERT_TRUE(accept_invitation(state, email, "my-dedicated-db"));

    MattermostBot bot(mattermost, server, state, config);
    const std::string accepted = " accepted the invitation to my-dedicated-db (invited by @user-" + owner;
    const auto in_channel = bot_posts_in(mattermost, "c1ops", "user4@example.com" + accepted);
    EXPECT_EQ(in_channel.size(), 1u) << bot.log();
    const auto direct = direct_channel(mattermost, owner);
    ASSERT_TRUE(direct) << bot.log();
    EXPECT_EQ(bot_posts_in(mattermost, *direct, "user5@example.com" + accepted).size(), 1u) << bot.log();
    for (const auto& post : mattermost.wait_for_bot_posts(0, 0ms))
        EXPECT_NE(post.channel_id, "c3private") << "nothing lands where the bot may not post";
    bot.signal(SIGTERM);
    EXPECT_EQ(bot.wait(), 0);
    EXPECT_EQ(mattermost.violations(), std::vector<std::string>{});
}

}  // namespace
}  // namespace collab::e2e
