// The Web API client against the Slack emulator: Slack's ok:false answers become error codes, a 429
// is waited out when its Retry-After is reasonable, and the right token goes to the right method.

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <string>
#include <vector>

#include "adapters/chat/slack/web_api.hpp"
#include "run_coroutine.hpp"
#include "slack_emulator.hpp"

namespace collab::slack::test {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

class WebApiTest : public ::testing::Test {
protected:
    // Runs one call of a fresh client, the way the bot's thread would.
    template <typename Call>
    auto call(Call body, WebApiSettings settings = {}) {
        if (settings.api_url == WebApiSettings{}.api_url) settings.api_url = slack_.api_url();
        if (settings.app_token.empty()) settings.app_token = EmulatorOptions{}.app_token;
        if (settings.bot_token.empty()) settings.bot_token = EmulatorOptions{}.bot_token;
        boost::asio::io_context io;
        net::HttpClient http(io.get_executor(), {});
        WebApi api(http, settings);
        auto result = boost::asio::co_spawn(io, body(api), boost::asio::use_future);
        io.run();
        counters_ = api.counters();
        return result.get();
    }

    SlackEmulator slack_{[] {
        EmulatorOptions options;
        options.emails = {{"U111", "user1@example.com"}, {"UBOT", ""}};
        return options;
    }()};
    WebApiCounters counters_;
};

json::object hello_message() {
    return json::object{{"response_type", "in_channel"}, {"text", "hello"}};
}

TEST_F(WebApiTest, PostMessageSendsTheChannelAndNoResponseType) {
    auto posted = call([](WebApi& api) { return api.post_message("C111", hello_message()); });
    ASSERT_TRUE(posted.has_value());
    const auto posts = slack_.posts("chat.postMessage");
    ASSERT_EQ(posts.size(), 1u);
    EXPECT_EQ(posts[0].body.at("channel"), "C111");
    EXPECT_EQ(posts[0].body.at("text"), "hello");
    EXPECT_FALSE(posts[0].body.contains("response_type"));
}

TEST_F(WebApiTest, AHostThatDoesNotExistIsNotRetriedAndTheSettingIsNamed) {
    WebApiSettings settings;
    settings.api_url = "http://no-such-host.invalid/api/";
    auto email = call([](WebApi& api) { return api.user_email("U111"); }, settings);
    ASSERT_FALSE(email.has_value());
    if (email.error().error == "unreachable") GTEST_SKIP() << "this machine's resolver cannot answer at all";
    EXPECT_TRUE(email.error().error.starts_with("unreachable: http://no-such-host.invalid:80: cannot resolve the host"))
        << email.error().error;
    EXPECT_TRUE(email.error().error.ends_with("; check SLACK_API_URL ([slack] api_url)")) << email.error().error;
    EXPECT_EQ(counters_.retries, 0) << "a name that does not exist is not looked up again";
}

TEST_F(WebApiTest, ARateLimitIsWaitedOutThenTheCallGoesThrough) {
    slack_.rate_limit("chat.postEphemeral", 1, 1);
    const auto begin = std::chrono::steady_clock::now();
    auto posted = call([](WebApi& api) { return api.post_ephemeral("C111", "U111", hello_message()); });
    EXPECT_TRUE(posted.has_value());
    EXPECT_GE(std::chrono::steady_clock::now() - begin, 1s);
    EXPECT_EQ(counters_.rate_limited, 1);
    EXPECT_EQ(slack_.posts("chat.postEphemeral").size(), 1u);
}

TEST_F(WebApiTest, ARetryAfterTooLongToWaitIsReturnedWithItsWait) {
    slack_.rate_limit("chat.postMessage", 1, 120);
    const auto begin = std::chrono::steady_clock::now();
    auto posted = call([](WebApi& api) { return api.post_message("C111", hello_message()); });
    ASSERT_FALSE(posted.has_value());
    EXPECT_EQ(posted.error().error, "ratelimited");
    EXPECT_EQ(posted.error().retry_after, std::chrono::seconds{120});
    EXPECT_LT(std::chrono::steady_clock::now() - begin, 1s);
}

TEST_F(WebApiTest, ProfileEmailsAndSlacksErrorCodes) {
    EXPECT_EQ(call([](WebApi& api) { return api.user_email("U111"); }).value(), "user1@example.com");
    EXPECT_EQ(call([](WebApi& api) { return api.user_email("UBOT"); }).value(), std::nullopt);
    EXPECT_EQ(call([](WebApi& api) { return api.user_email("UNOBODY"); }).error().error, "user_not_found");
    WebApiSettings wrong;
    wrong.bot_token = "xoxb-revoked";
    EXPECT_EQ(call([](WebApi& api) { return api.user_email("U111"); }, wrong).error().error, "invalid_auth");
}

TEST_F(WebApiTest, AnExpiredResponseUrlIsReportedAsSuch) {
    slack_.refuse_response_urls("expired_url", 1);
    const std::string url = slack_.response_url("old");
    auto sent = call([&url](WebApi& api) { return api.respond(url, hello_message()); });
    ASSERT_FALSE(sent.has_value());
    EXPECT_EQ(sent.error().error, "expired_url");
    EXPECT_TRUE(call([&url](WebApi& api) { return api.respond(url, hello_message()); }).has_value());
}

TEST_F(WebApiTest, ConnectionsOpenUsesTheAppTokenAndARefusalIsPermanent) {
    auto url = call([](WebApi& api) { return api.open_connection(); });
    ASSERT_TRUE(url.has_value());
    EXPECT_TRUE(url->starts_with("ws://127.0.0.1:")) << *url;
    WebApiSettings wrong;
    wrong.app_token = EmulatorOptions{}.bot_token;  // a bot token where the app-level one belongs
    auto refused = call([](WebApi& api) { return api.open_connection(); }, wrong);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().error, "not_allowed_token_type");
    EXPECT_TRUE(refused.error().permanent);
}

TEST_F(WebApiTest, AuthTestTellsWhoTheBotTokenBelongsTo) {
    auto identity = call([](WebApi& api) { return api.auth_test(); });
    ASSERT_TRUE(identity.has_value()) << identity.error().error;
    EXPECT_EQ(identity->team_id, "T111");
    EXPECT_EQ(identity->user, "collab-bot");
    EXPECT_EQ(slack_.auth_test_calls(), 1);
}

// A revoked bot token is reported once per refused call, whichever call met it, with Slack's code.
TEST_F(WebApiTest, ARefusedBotTokenIsReportedWhicheverCallMeetsIt) {
    std::vector<std::string> refusals;
    WebApiSettings settings;
    settings.on_bot_token_refused = [&refusals](const std::string& error) { refusals.push_back(error); };
    ASSERT_TRUE(call([](WebApi& api) { return api.auth_test(); }, settings).has_value());
    EXPECT_TRUE(refusals.empty());

    slack_.refuse_bot_token("token_revoked");
    auto email = call([](WebApi& api) { return api.user_email("U111"); }, settings);
    ASSERT_FALSE(email.has_value());
    EXPECT_EQ(email.error().error, "token_revoked");
    auto posted = call([](WebApi& api) { return api.post_message("C111", hello_message()); }, settings);
    ASSERT_FALSE(posted.has_value());
    EXPECT_EQ(refusals, (std::vector<std::string>{"token_revoked", "token_revoked"}));

    // Other refusals are the call's own business.
    slack_.refuse_bot_token("");
    slack_.refuse_users_info("user_not_found");
    EXPECT_FALSE(call([](WebApi& api) { return api.user_email("U111"); }, settings).has_value());
    EXPECT_EQ(refusals.size(), 2u);
}

}  // namespace
}  // namespace collab::slack::test
