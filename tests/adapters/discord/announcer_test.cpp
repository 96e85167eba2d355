// The Discord Announcer against the Discord emulator on loopback: what the bot says on its own
// initiative lands where it was meant to, as Discord would show it, or says why it could not.

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include <functional>

#include "adapters/chat/discord/announcer.hpp"
#include "adapters/chat/discord/messages.hpp"
#include "adapters/store/local_state.hpp"
#include "bot_replies.hpp"
#include "discord_emulator.hpp"
#include "rest_runner.hpp"
#include "run_coroutine.hpp"

namespace collab::discord {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;
using test::ChannelMessage;
using test::DiscordEmulator;

constexpr std::string_view guild = "290926798626357999";
constexpr std::string_view channel = "1096147298201649253";
constexpr std::string_view person = "53908232506183681";

Reply notice() {
    Reply reply;
    reply.kind = ReplyKind::change;
    Mention inviter{"discord", std::string(person), "", "user2@example.com"};
    // What is echoed from outside (here a name's `@everyone`) pings nobody, as in an answer.
    reply.lines.push_back(Line{LineStyle::done,
                               "user3@example.com accepted the invitation to my-dedicated-db (invited by ", inviter,
                               ") @everyone"});
    reply.table = Table{{"Email", "Status"}, {{"user3@example.com", "accepted"}}, {false}};
    return reply;
}

Reply card(std::string token) {
    Reply reply;
    reply.kind = ReplyKind::change;
    reply.lines.push_back(Line{LineStyle::plain, "", Mention{"discord", std::string(person), "", ""},
                               " asks for access to my-dedicated-db (as stranger@example.com)."});
    reply.proposal = Proposal{"Invite stranger@example.com to my-dedicated-db?", "Approve", std::move(token),
                              Clock::now() + 15min, ProposalKind::access_request};
    return reply;
}

Conversation in_channel(std::string_view thread = {}) {
    return Conversation{"discord", std::string(guild), std::string(channel), std::string(thread)};
}

// The messages Discord took, in order.
std::vector<ChannelMessage> shown(const DiscordEmulator& discord) {
    std::vector<ChannelMessage> taken;
    for (auto& message : discord.channel_messages())
        if (message.status == 200) taken.push_back(std::move(message));
    return taken;
}

std::vector<std::string> custom_ids(const ChannelMessage& message) {
    std::vector<std::string> ids;
    const json::value* rows = message.body.if_contains("components");
    if (rows == nullptr) return ids;
    for (const auto& row : rows->as_array())
        for (const auto& button : row.at("components").as_array()) ids.emplace_back(button.at("custom_id").as_string());
    return ids;
}

// An announcer pointed at the emulator, with the shelf its cards' buttons name their proposals in.
class DiscordAnnouncerTest : public ::testing::Test {
protected:
    // Runs `body` with the announcer, on an io_context of its own.
    template <typename T>
    T announce(std::function<asio::awaitable<T>(DiscordAnnouncer&)> body) {
        return test::with_client<T>(discord_, [&](RestClient& rest) -> asio::awaitable<T> {
            DiscordAnnouncer announcer(rest, shelf_);
            co_return co_await body(announcer);
        });
    }
    // The arguments are named: g++ 12 destroys a temporary passed to a coroutine twice.
    ApiResult<void> post(const Conversation& where, const Reply& reply) {
        return announce<ApiResult<void>>([&](DiscordAnnouncer& announcer) { return announcer.post(where, reply); });
    }

    DiscordEmulator discord_;
    store::LocalState shared_;
    ProposalShelf shelf_{shared_};
};

TEST_F(DiscordAnnouncerTest, ANoticeLandsInTheChannelAsAnAnswerWouldAndPingsOnlyTheInviter) {
    const auto posted = post(in_channel(), notice());
    ASSERT_TRUE(posted.has_value()) << posted.error().message;
    const auto messages = shown(discord_);
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0].channel, channel);
    EXPECT_EQ(messages[0].body, message_of(notice(), chat::Visibility::in_channel)) << "the answer's own rendering";
    const std::string text = test::content_of(messages[0].body);
    EXPECT_NE(text.find("accepted the invitation to my-dedicated-db (invited by <@53908232506183681>) @everyone"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("```"), std::string::npos) << "the table in a code block: " << text;
    EXPECT_EQ(json::serialize(messages[0].body.at("allowed_mentions")), R"({"parse":[],"users":["53908232506183681"]})")
        << "the inviter hears of it; the echoed @everyone pings nobody";
    EXPECT_FALSE(messages[0].body.contains("flags")) << "a channel message is for everyone";
    EXPECT_EQ(discord_.violations(), std::vector<std::string>{});
}

TEST_F(DiscordAnnouncerTest, AMessageForAThreadIsPostedInTheThread) {
    const auto posted = post(in_channel("1096147298201649999"), notice());
    ASSERT_TRUE(posted.has_value()) << posted.error().message;
    const auto messages = shown(discord_);
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0].channel, "1096147298201649999") << "a thread is a channel of its own";
}

// A sealed token is longer than a custom_id may be: the buttons carry the shelf's id, which finds it.
TEST_F(DiscordAnnouncerTest, ACardsButtonsFitDiscordAndFindTheSealedTokenAgain) {
    const std::string token(300, 't');
    const auto posted = post(in_channel(), card(token));
    ASSERT_TRUE(posted.has_value()) << posted.error().message;
    const auto messages = shown(discord_);
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_NE(test::content_of(messages[0].body).find("<@53908232506183681> asks for access to my-dedicated-db"),
              std::string::npos);
    const auto ids = custom_ids(messages[0]);
    ASSERT_EQ(ids.size(), 2u) << json::serialize(messages[0].body);
    const json::value& buttons = messages[0].body.at("components").at(0).at("components");
    EXPECT_EQ(buttons.at(0).at("label"), "Approve");
    EXPECT_EQ(buttons.at(1).at("label"), "Deny");
    for (const auto& id : ids) {
        EXPECT_LE(id.size(), max_custom_id);
        const auto click = read_custom_id(id);
        ASSERT_TRUE(click.has_value()) << id;
        const auto found = testing::run(shelf_.find(click->proposal_id, Clock::now()));
        ASSERT_TRUE(found.has_value());
        EXPECT_EQ(found->value_or(""), token);
    }
    EXPECT_EQ(discord_.violations(), std::vector<std::string>{});
}

// A refusal from Discord (its JSON error code), and what the announcer says of it.
struct Refusal {
    int code = 0;
    std::string why = {};
};

class DiscordAnnouncerRefused : public DiscordAnnouncerTest, public ::testing::WithParamInterface<Refusal> {};

TEST_P(DiscordAnnouncerRefused, AChannelThatRefusesTheBotIsForbiddenSayingWhy) {
    discord_.refuse_channel(std::string(channel), GetParam().code);
    const auto posted = post(in_channel(), notice());
    ASSERT_FALSE(posted.has_value());
    EXPECT_EQ(posted.error().kind, ApiErrorKind::forbidden);
    EXPECT_NE(posted.error().message.find(GetParam().why), std::string::npos) << posted.error().message;
    EXPECT_TRUE(shown(discord_).empty());
    EXPECT_EQ(discord_.requests().size(), 1u) << "a refusal is not sent again";
}

INSTANTIATE_TEST_SUITE_P(
    Codes, DiscordAnnouncerRefused,
    ::testing::Values(Refusal{50001, "the bot may not see that channel: Discord answered Missing Access"},
                      Refusal{50013,
                              "the bot may not send messages in that channel: Discord answered Missing Permissions"},
                      Refusal{10003, "there is no such channel: Discord answered Unknown Channel"}),
    [](const auto& info) { return std::to_string(info.param.code); });

TEST_F(DiscordAnnouncerTest, TellingSomeoneOpensTheirDirectChannelAndPostsThere) {
    const auto told = announce<ApiResult<void>>([](DiscordAnnouncer& announcer) {
        Actor someone{"discord", std::string(guild), std::string(person), std::string(channel), std::nullopt, ""};
        const Reply told = notice();
        return announcer.tell(someone, told);
    });
    ASSERT_TRUE(told.has_value()) << told.error().message;
    const std::string direct = discord_.direct_channel(std::string(person));
    ASSERT_FALSE(direct.empty()) << "no direct channel opened with the person";
    const auto messages = shown(discord_);
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0].channel, direct);
    EXPECT_NE(test::content_of(messages[0].body).find("accepted the invitation"), std::string::npos);
    EXPECT_EQ(discord_.violations(), std::vector<std::string>{});
}

TEST_F(DiscordAnnouncerTest, ARateLimitIsWaitedOutBeforeThePostGoesThrough) {
    discord_.rate_limit("channels/", 1, 0.3, false);
    const auto started = std::chrono::steady_clock::now();
    const auto posted = post(in_channel(), notice());
    ASSERT_TRUE(posted.has_value()) << posted.error().message;
    EXPECT_GE(std::chrono::steady_clock::now() - started, 300ms) << "posted before Discord's retry_after";
    EXPECT_EQ(discord_.requests().size(), 2u);
    EXPECT_EQ(shown(discord_).size(), 1u) << "posted once";
}

TEST_F(DiscordAnnouncerTest, ARateLimitTooLongToWaitComesBackAsRateLimited) {
    discord_.rate_limit("channels/", 1, 120, false);
    const auto posted = post(in_channel(), notice());
    ASSERT_FALSE(posted.has_value());
    EXPECT_EQ(posted.error().kind, ApiErrorKind::rate_limited);
    EXPECT_EQ(posted.error().retry_after, std::optional(std::chrono::seconds{120}));
}

}  // namespace
}  // namespace collab::discord
