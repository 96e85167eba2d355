// The Discord Announcer against the Discord emulator on loopback: what the bot says on its own
// initiative lands where it was meant to, as Discord would show it, or says why it could not.

#include <gtest/gtest.h>

#include <boost/asio/this_coro.hpp>
#include <boost/json/serialize.hpp>

#include <functional>

#include "adapters/chat/discord/announcer.hpp"
#include "adapters/chat/discord/messages.hpp"
#include "adapters/store/local_state.hpp"
#include "bot_replies.hpp"
#include "discord_emulator.hpp"
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

// Runs `body` with an announcer pointed at the emulator, on an io_context of its own; the shelf stays
// for the test to look the cards' tokens up in.
template <typename T>
T with_announcer(DiscordEmulator& discord, ProposalShelf& shelf,
                 std::function<asio::awaitable<T>(DiscordAnnouncer&)> body) {
    return testing::run([&]() -> asio::awaitable<T> {
        // Named: g++ 12 destroys a temporary in an expression that suspends twice.
        const auto executor = co_await asio::this_coro::executor;
        const net::HttpClientOptions options;
        net::HttpClient http(executor, options);
        RestSettings settings;
        settings.api_url = discord.api_url();
        settings.bot_token = discord.options().bot_token;
        RestClient rest(http, settings);
        DiscordAnnouncer announcer(rest, shelf);
        co_return co_await body(announcer);
    }());
}

// Posts through an announcer; the arguments are named: g++ 12 destroys a temporary passed to a coroutine twice.
ApiResult<void> post(DiscordEmulator& discord, ProposalShelf& shelf, const Conversation& where, const Reply& reply) {
    return with_announcer<ApiResult<void>>(discord, shelf,
                                           [&](DiscordAnnouncer& announcer) { return announcer.post(where, reply); });
}

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

TEST(DiscordAnnouncer, ANoticeLandsInTheChannelAsAnAnswerWouldAndPingsOnlyTheInviter) {
    DiscordEmulator discord;
    store::LocalState shared;
    ProposalShelf shelf(shared);
    const auto posted = post(discord, shelf, in_channel(), notice());
    ASSERT_TRUE(posted.has_value()) << posted.error().message;
    const auto messages = shown(discord);
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
    EXPECT_EQ(discord.violations(), std::vector<std::string>{});
}

TEST(DiscordAnnouncer, AMessageForAThreadIsPostedInTheThread) {
    DiscordEmulator discord;
    store::LocalState shared;
    ProposalShelf shelf(shared);
    const auto posted = post(discord, shelf, in_channel("1096147298201649999"), notice());
    ASSERT_TRUE(posted.has_value()) << posted.error().message;
    const auto messages = shown(discord);
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0].channel, "1096147298201649999") << "a thread is a channel of its own";
}

// A sealed token is longer than a custom_id may be: the buttons carry the shelf's id, which finds it.
TEST(DiscordAnnouncer, ACardsButtonsFitDiscordAndFindTheSealedTokenAgain) {
    DiscordEmulator discord;
    store::LocalState shared;
    ProposalShelf shelf(shared);
    const std::string token(300, 't');
    const auto posted = post(discord, shelf, in_channel(), card(token));
    ASSERT_TRUE(posted.has_value()) << posted.error().message;
    const auto messages = shown(discord);
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
        const auto found = testing::run(shelf.find(click->proposal_id, Clock::now()));
        ASSERT_TRUE(found.has_value());
        EXPECT_EQ(found->value_or(""), token);
    }
    EXPECT_EQ(discord.violations(), std::vector<std::string>{});
}

TEST(DiscordAnnouncer, AChannelThatRefusesTheBotIsForbiddenSayingWhy) {
    const std::vector<std::pair<int, std::string>> refusals{
        {50001, "the bot may not see that channel: Discord answered Missing Access"},
        {50013, "the bot may not send messages in that channel: Discord answered Missing Permissions"},
        {10003, "there is no such channel: Discord answered Unknown Channel"}};
    for (const auto& [code, why] : refusals) {
        DiscordEmulator discord;
        discord.refuse_channel(std::string(channel), code);
        store::LocalState shared;
        ProposalShelf shelf(shared);
        const auto posted = post(discord, shelf, in_channel(), notice());
        ASSERT_FALSE(posted.has_value()) << code;
        EXPECT_EQ(posted.error().kind, ApiErrorKind::forbidden) << code;
        EXPECT_NE(posted.error().message.find(why), std::string::npos) << posted.error().message;
        EXPECT_TRUE(shown(discord).empty());
        EXPECT_EQ(discord.requests().size(), 1u) << "a refusal is not sent again";
    }
}

TEST(DiscordAnnouncer, TellingSomeoneOpensTheirDirectChannelAndPostsThere) {
    DiscordEmulator discord;
    store::LocalState shared;
    ProposalShelf shelf(shared);
    const auto told = with_announcer<ApiResult<void>>(discord, shelf, [](DiscordAnnouncer& announcer) {
        Actor someone{"discord", std::string(guild), std::string(person), std::string(channel), std::nullopt, ""};
        const Reply told = notice();
        return announcer.tell(someone, told);
    });
    ASSERT_TRUE(told.has_value()) << told.error().message;
    const std::string direct = discord.direct_channel(std::string(person));
    ASSERT_FALSE(direct.empty()) << "no direct channel opened with the person";
    const auto messages = shown(discord);
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0].channel, direct);
    EXPECT_NE(test::content_of(messages[0].body).find("accepted the invitation"), std::string::npos);
    EXPECT_EQ(discord.violations(), std::vector<std::string>{});
}

TEST(DiscordAnnouncer, ARateLimitIsWaitedOutBeforeThePostGoesThrough) {
    DiscordEmulator discord;
    discord.rate_limit("channels/", 1, 0.3, false);
    store::LocalState shared;
    ProposalShelf shelf(shared);
    const auto started = std::chrono::steady_clock::now();
    const auto posted = post(discord, shelf, in_channel(), notice());
    ASSERT_TRUE(posted.has_value()) << posted.error().message;
    EXPECT_GE(std::chrono::steady_clock::now() - started, 300ms) << "posted before Discord's retry_after";
    EXPECT_EQ(discord.requests().size(), 2u);
    EXPECT_EQ(shown(discord).size(), 1u) << "posted once";
}

TEST(DiscordAnnouncer, ARateLimitTooLongToWaitComesBackAsRateLimited) {
    DiscordEmulator discord;
    discord.rate_limit("channels/", 1, 120, false);
    store::LocalState shared;
    ProposalShelf shelf(shared);
    const auto posted = post(discord, shelf, in_channel(), notice());
    ASSERT_FALSE(posted.has_value());
    EXPECT_EQ(posted.error().kind, ApiErrorKind::rate_limited);
    EXPECT_EQ(posted.error().retry_after, std::optional(std::chrono::seconds{120}));
}

}  // namespace
}  // namespace collab::discord
