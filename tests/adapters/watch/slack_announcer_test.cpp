// The watch's notices in Slack, through the real Web API client against the Slack emulator: in the
// channel the invitation was made in, with the inviter's mention; as a direct message to the inviter
// (conversations.open, then chat.postMessage) when Slack says the bot is not in that channel.

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "adapters/chat/slack/announcer.hpp"
#include "adapters/store/sqlite_audit_log.hpp"
#include "slack_emulator.hpp"
#include "watch_harness.hpp"
#include "with_http_client.hpp"

namespace collab::testing {
namespace {
namespace asio = boost::asio;
using slack::test::EmulatorOptions;
using slack::test::SlackEmulator;

class SlackNotice : public ::testing::Test {
protected:
    // One round of the watch, its notices sent through Slack's Web API.
    WatchRound round() {
        return with_http_client<WatchRound>([this](net::HttpClient& http) -> asio::awaitable<WatchRound> {
            slack::WebApiSettings settings;
            settings.api_url = slack_.api_url();
            settings.bot_token = EmulatorOptions{}.bot_token;
            slack::WebApi web(http, settings);
            slack::SlackAnnouncer announcer(web);
            InvitationWatch watch(sandbox_.api(), state_, announcer, sandbox_.clock(), "slack");
            auto done = co_await watch.round();
            co_return done.value_or(WatchRound{});
        });
    }
    std::string text_of(const slack::test::Post& post) const { return boost::json::serialize(post.body); }

    SlackEmulator slack_;
    Sandboxed sandbox_;
    store::SqliteAuditLog state_{sandbox_.dir() / "state.sqlite"};
};

TEST_F(SlackNotice, TheAcceptanceIsPostedInTheInvitationsChannelWithTheInvitersMention) {
    sandbox_.invite(state_, "my-dedicated-db", "user4@example.com");
    sandbox_.accept("user4@example.com");
    EXPECT_EQ(round().accepted, 1u);
    const auto posts = slack_.posts("chat.postMessage");
    ASSERT_EQ(posts.size(), 1u);
    EXPECT_EQ(posts[0].body.at("channel").as_string(), "C111");
    EXPECT_NE(
        text_of(posts[0]).find("user4@example.com accepted the invitation to my-dedicated-db (invited by <@U111>"),
        std::string::npos)
        << text_of(posts[0]);
    EXPECT_TRUE(slack_.posts("conversations.open").empty());
}

TEST_F(SlackNotice, NotInTheChannelTheInviterGetsADirectMessage) {
    slack_.close_channel("C111", "not_in_channel");
    sandbox_.invite(state_, "my-dedicated-db", "user4@example.com");
    sandbox_.accept("user4@example.com");
    const WatchRound done = round();
    EXPECT_EQ(done.accepted, 1u);
    EXPECT_EQ(done.undelivered, 0u);
    const auto opened = slack_.posts("conversations.open");
    ASSERT_EQ(opened.size(), 1u);
    EXPECT_EQ(opened[0].body.at("users").as_string(), "U111");
    const auto posts = slack_.posts("chat.postMessage");
    ASSERT_EQ(posts.size(), 1u);
    EXPECT_EQ(posts[0].body.at("channel").as_string(), "DU111");
    EXPECT_NE(text_of(posts[0]).find("accepted the invitation to my-dedicated-db"), std::string::npos);
    EXPECT_EQ(round().accepted, 0u) << "told once";
}

}  // namespace
}  // namespace collab::testing
