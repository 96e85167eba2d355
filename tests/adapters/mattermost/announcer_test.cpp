// The Mattermost announcer through the real REST client against the emulated server: a post in a
// channel or a thread, a card whose buttons come back to the bot's action URL, a channel that refuses
// the bot, a direct message, and a 429 waited out.

#include "adapters/chat/mattermost/announcer.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <functional>

#include "core/access_request.hpp"
#include "mattermost_emulator.hpp"
#include "with_http_client.hpp"

namespace collab::mattermost {
namespace {
namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;
using testing::EmulatorSettings;
using testing::MattermostEmulator;

using testing::owner;
using testing::stranger;

const std::string action_url = "http://127.0.0.1:3001/mattermost/action";

Reply notice(std::string text) {
    Reply reply;
    reply.kind = ReplyKind::change;
    reply.lines.push_back(Line{LineStyle::done, std::move(text)});
    return reply;
}

// The emulated server's team.
const std::string team = EmulatorSettings{}.team_id;

Actor person(const std::string& user_id) {
    return Actor{"mattermost", team, user_id, "c1ops", std::nullopt, "user-" + user_id};
}

Conversation in_channel(const std::string& channel, const std::string& root = {}) {
    return Conversation{"mattermost", team, channel, root};
}

// A channel the emulated server knows by name.
const std::string named_channel = "c2bound0000000000000000000";

class MattermostAnnouncerTest : public ::testing::Test {
protected:
    // Runs `say` with an announcer on the emulated server's REST API, on a fresh io_context.
    template <typename T>
    T announce(std::function<asio::awaitable<T>(MattermostAnnouncer&)> say) {
        return collab::testing::with_http_client<T>([&](net::HttpClient& http) -> asio::awaitable<T> {
            const RestSettings settings{mattermost_.url(), EmulatorSettings{}.bot_token};
            RestClient rest(http, settings);
            MattermostAnnouncer announcer(rest, action_url);
            co_return co_await say(announcer);
        });
    }

    ApiResult<void> post(Conversation where, Reply reply) {
        return announce<ApiResult<void>>([&](MattermostAnnouncer& announcer) -> asio::awaitable<ApiResult<void>> {
            co_return co_await announcer.post(where, reply);
        });
    }

    std::vector<testing::Post> bot_posts() const { return mattermost_.wait_for_bot_posts(0, 0ms); }

    MattermostEmulator mattermost_{EmulatorSettings{.channel_names = {{named_channel, "db-owners"}}}};
};

TEST_F(MattermostAnnouncerTest, APostLandsInTheChannelAsTheBotWithEchoedInputEscaped) {
    const Conversation where = in_channel("c1ops");
    const auto posted = post(where, notice("user3@example.com accepted the invitation to *db* @all"));
    ASSERT_TRUE(posted) << posted.error().message;
    const auto posts = bot_posts();
    ASSERT_EQ(posts.size(), 1u);
    EXPECT_EQ(posts[0].channel_id, "c1ops");
    EXPECT_EQ(posts[0].root_id, "");
    EXPECT_NE(posts[0].message.find("user3@example.com accepted the invitation to \\*db\\*"), std::string::npos)
        << posts[0].message;
    EXPECT_EQ(posts[0].message.find("@all"), std::string::npos) << "no mention of everyone: " << posts[0].message;
    EXPECT_TRUE(mattermost_.violations().empty());
}

TEST_F(MattermostAnnouncerTest, APostInAThreadAnswersItsRoot) {
    const std::string root = mattermost_.say(owner, testing::Where{"c1ops"}, "@collab-bot add my-dedicated-db x");
    const Conversation where = in_channel("c1ops", root);
    ASSERT_TRUE(post(where, notice("in the thread")));
    const auto posts = bot_posts();
    ASSERT_EQ(posts.size(), 1u);
    EXPECT_EQ(posts[0].root_id, root);
    EXPECT_TRUE(mattermost_.violations().empty());
}

TEST_F(MattermostAnnouncerTest, ACardCarriesApproveAndDenyThatPostTheirClickToTheBot) {
    const RequestClaims claims{"mattermost",       team,      stranger,
                               "user-" + stranger, "c1ops",   "stranger@example.com",
                               "my-dedicated-db",  "c2bound", Clock::now() + 15min};
    const Conversation where = in_channel("c2bound");
    ASSERT_TRUE(post(where, replies::request_card(claims, "sealed-token")));
    const auto posts = bot_posts();
    ASSERT_EQ(posts.size(), 1u);
    EXPECT_EQ(posts[0].channel_id, "c2bound");
    EXPECT_NE(posts[0].message.find("asks for access to my\\-dedicated\\-db"), std::string::npos) << posts[0].message;
    const json::array& actions = posts[0].props.at("attachments").at(0).at("actions").as_array();
    ASSERT_EQ(actions.size(), 2u);
    EXPECT_EQ(actions[0].at("name").as_string(), "Approve");
    EXPECT_EQ(actions[1].at("name").as_string(), "Deny");

    // The server routes a click on it to the bot's action URL, with the sealed token and the team.
    const auto click = mattermost_.click_form(owner, posts[0].id, "confirm");
    ASSERT_TRUE(click);
    EXPECT_EQ(click->url, action_url);
    const json::value context = json::parse(click->body).at("context");
    EXPECT_EQ(context.at("action").as_string(), "confirm");
    EXPECT_EQ(context.at("token").as_string(), "sealed-token");
    EXPECT_EQ(context.at("team_id").as_string(), claims.team);
    EXPECT_TRUE(mattermost_.violations().empty());
}

TEST_F(MattermostAnnouncerTest, AChannelThatRefusesTheBotIsForbidden) {
    mattermost_.refuse_posts_in("c3private");
    const Conversation where = in_channel("c3private");
    const auto posted = post(where, notice("nobody reads this"));
    ASSERT_FALSE(posted);
    EXPECT_EQ(posted.error().kind, ApiErrorKind::forbidden);
    EXPECT_NE(posted.error().message.find("You do not have the appropriate permissions"), std::string::npos)
        << posted.error().message;
    EXPECT_TRUE(bot_posts().empty());
}

TEST_F(MattermostAnnouncerTest, AChannelIsLinkedByTheNameTheServerGivesElseByItsId) {
    const auto linked = announce<std::vector<Mention>>(
        [&](MattermostAnnouncer& announcer) -> asio::awaitable<std::vector<Mention>> {
            std::vector<Mention> links;
            const std::vector<std::string> channels{named_channel, "c9unknown00000000000000000", "../users/me"};
            for (const std::string& channel : channels) {
                const Conversation where = in_channel(channel);
                links.push_back(co_await announcer.link_to(where));
            }
            co_return links;
        });
    ASSERT_EQ(linked.size(), 3u);
    EXPECT_EQ(linked[0].name, "db-owners");
    EXPECT_EQ(linked[0].kind, Mentioned::channel);
    // Not found, and no channel id at all (never sent): the id is all there is to show.
    EXPECT_EQ(linked[1].shown(), "c9unknown00000000000000000");
    EXPECT_EQ(linked[2].shown(), "../users/me");
}

TEST_F(MattermostAnnouncerTest, ToldDirectlyThePersonGetsAPostInTheirDirectChannelWithTheBot) {
    const auto told = announce<std::vector<ApiResult<void>>>(
        [&](MattermostAnnouncer& announcer) -> asio::awaitable<std::vector<ApiResult<void>>> {
            // Named: g++ 12 destroys a temporary passed to a coroutine twice.
            const Actor requester = person(stranger);
            const Reply approved = notice("Your request was approved.");
            const Reply again = notice("Once more.");
            std::vector<ApiResult<void>> results;
            results.push_back(co_await announcer.tell(requester, approved));
            // Signed in already: the bot's id comes from there.
            announcer.identify("b0tuser0000000000000000000");
            results.push_back(co_await announcer.tell(requester, again));
            co_return results;
        });
    ASSERT_EQ(told.size(), 2u);
    ASSERT_TRUE(told[0]) << told[0].error().message;
    ASSERT_TRUE(told[1]) << told[1].error().message;
    const auto direct = mattermost_.direct_channel(stranger);
    ASSERT_TRUE(direct) << "the direct channel was opened";
    const auto posts = bot_posts();
    ASSERT_EQ(posts.size(), 2u);
    EXPECT_EQ(posts[0].channel_id, *direct);
    EXPECT_EQ(posts[1].channel_id, *direct) << "the same channel, asked again";
    EXPECT_NE(posts[0].message.find("Your request was approved."), std::string::npos) << posts[0].message;
    EXPECT_EQ(mattermost_.sign_ins(), 1) << "the bot's own id was asked for once, before it was known";
    EXPECT_TRUE(mattermost_.violations().empty());
}

TEST_F(MattermostAnnouncerTest, ARateLimitIsWaitedOutAsTheServerAsks) {
    mattermost_.rate_limit_next(1);
    const auto started = std::chrono::steady_clock::now();
    const Conversation where = in_channel("c1ops");
    const auto posted = post(where, notice("after the wait"));
    ASSERT_TRUE(posted) << posted.error().message;
    EXPECT_GE(std::chrono::steady_clock::now() - started, 1s) << "the Retry-After was honoured";
    EXPECT_EQ(bot_posts().size(), 1u);
}

}  // namespace
}  // namespace collab::mattermost
