// Every way Scalingo can answer badly, as the person in the chat reads it.

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "../run_coroutine.hpp"
#include "adapters/scalingo/scalingo_api.hpp"
#include "adapters/security/hmac_signer.hpp"
#include "core/render.hpp"
#include "core/replies.hpp"
#include "core/service.hpp"
#include "loopback_server.hpp"

namespace collab::scalingo {
namespace {
namespace asio = boost::asio;
namespace http = boost::beast::http;
using net::test::LoopbackServer;
using net::test::ServerRequest;
using net::test::ServerResponse;
using namespace std::chrono_literals;

const std::string api_token = "tk-us-errors-test-token-0123456789";

std::string jwt_valid_for(std::chrono::seconds lifetime) {
    const auto exp = std::chrono::duration_cast<std::chrono::seconds>((Clock::now() + lifetime).time_since_epoch());
    return security::base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." +
           security::base64url_encode(R"({"exp":)" + std::to_string(exp.count()) + "}") + ".";
}

ServerResponse json(http::status status, std::string body) {
    ServerResponse response{status, 11};
    response.set(http::field::content_type, "application/json");
    response.body() = std::move(body);
    response.prepare_payload();
    return response;
}

// A Scalingo whose token exchange works and whose every other answer is `canned`.
struct CannedScalingo {
    explicit CannedScalingo(std::function<ServerResponse(const ServerRequest&)> canned) : server(options(canned)) {}

    static net::test::HttpServerOptions options(std::function<ServerResponse(const ServerRequest&)> canned) {
        net::test::HttpServerOptions options;
        options.handler = [canned](const ServerRequest& request, int) -> std::optional<ServerResponse> {
            if (request.target() == "/v1/tokens/exchange")
                return json(http::status::ok, R"({"token":")" + jwt_valid_for(1h) + R"("})");
            return canned(request);
        };
        return options;
    }

    ScalingoSettings settings() const {
        ScalingoSettings s;
        s.api_url = server.url("");
        s.auth_url = server.url("");
        s.api_token = api_token;
        s.backoff = {10ms, 50ms, 2};
        s.longest_wait = 2s;
        return s;
    }

    LoopbackServer server;
};

// What the chat shows for a failed call on my-dedicated-db.
std::string chat_text(const ApiError& error) {
    return to_plain_text(replies::api_error(error, "my-dedicated-db"));
}

template <typename T>
ApiError failure_of(ApiResult<T> result) {
    EXPECT_FALSE(result.has_value());
    return result ? ApiError{ApiErrorKind::malformed, "unexpected success"} : result.error();
}

ApiError list_error(CannedScalingo& scalingo, net::HttpClientOptions options = {}) {
    return testing::run([&]() -> asio::awaitable<ApiError> {
        const auto executor = co_await asio::this_coro::executor;
        net::HttpClient http(executor, options);
        ScalingoApi api(http, scalingo.settings());
        co_return failure_of(co_await api.list_collaborators("my-dedicated-db"));
    }());
}

ApiError invite_error(CannedScalingo& scalingo, const std::string& email) {
    return testing::run([&]() -> asio::awaitable<ApiError> {
        const auto executor = co_await asio::this_coro::executor;
        net::HttpClient http(executor, net::HttpClientOptions{});
        ScalingoApi api(http, scalingo.settings());
        co_return failure_of(co_await api.invite("my-dedicated-db", email));
    }());
}

TEST(ScalingoErrors, Unauthorized) {
    CannedScalingo scalingo(
        [](const ServerRequest&) { return json(http::status::unauthorized, R"({"error":"not authorized"})"); });
    auto error = list_error(scalingo);
    EXPECT_EQ(error.kind, ApiErrorKind::unauthorized);
    EXPECT_EQ(chat_text(error),
              " !     The bot's Scalingo account has no access to this, or its API token is no longer valid; an admin "
              "of the bot should check the account and SCALINGO_API_TOKEN.\n");
    EXPECT_EQ(scalingo.server.requests(), 2) << "a 401 right after an exchange is not worth a second exchange";
}

TEST(ScalingoErrors, Forbidden) {
    CannedScalingo scalingo([](const ServerRequest&) {
        return json(http::status::forbidden, R"({"error":"free trial ended","code":"trial-ended"})");
    });
    EXPECT_EQ(chat_text(list_error(scalingo)),
              " !     Scalingo does not allow the bot's account to do this (free trial ended).\n");
}

TEST(ScalingoErrors, NotFound) {
    CannedScalingo scalingo([](const ServerRequest&) {
        return json(http::status::not_found, R"({"resource":"app","error":"not found"})");
    });
    EXPECT_EQ(chat_text(list_error(scalingo)),
              " !     There is no database named \"my-dedicated-db\" (or the bot's account cannot see it).\n");
}

TEST(ScalingoErrors, ValidationShowsTheFieldMessages) {
    CannedScalingo scalingo([](const ServerRequest&) {
        return json(http::status::unprocessable_entity, R"({"errors":{"email":["is invalid"]}})");
    });
    auto error = invite_error(scalingo, "x@y.z");
    EXPECT_EQ(chat_text(error), " !     Scalingo refused it: email is invalid.\n");
}

TEST(ScalingoErrors, AConflictOnAnInvitationMeansAlreadyThere) {
    CannedScalingo scalingo(
        [](const ServerRequest&) { return json(http::status::conflict, R"({"error":"already invited"})"); });
    auto error = invite_error(scalingo, "user3@example.com");
    EXPECT_EQ(error.kind, ApiErrorKind::already_member);
    EXPECT_EQ(scalingo.server.requests(), 2) << "one exchange and the invitation, not sent again";
}

TEST(ScalingoErrors, AConflictElsewhereSaysSo) {
    CannedScalingo scalingo(
        [](const ServerRequest&) { return json(http::status::conflict, R"({"error":"app is being updated"})"); });
    EXPECT_EQ(chat_text(list_error(scalingo)),
              " !     Scalingo reported a conflicting change (app is being updated); try again in a moment.\n");
}

// A client whose API URL is `api_url`, the rest from `scalingo`: the error of listing, and the retries spent.
std::pair<ApiError, std::size_t> list_error_at(CannedScalingo& scalingo, std::string api_url) {
    return testing::run([&]() -> asio::awaitable<std::pair<ApiError, std::size_t>> {
        const auto executor = co_await asio::this_coro::executor;
        net::HttpClient http(executor, net::HttpClientOptions{});
        ScalingoSettings settings = scalingo.settings();
        settings.api_url = api_url;
        ScalingoApi api(http, settings);
        ApiError error = failure_of(co_await api.list_collaborators("my-dedicated-db"));
        co_return std::pair{std::move(error), api.counters().retries};
    }());
}

TEST(ScalingoErrors, AMalformedApiUrlFailsAtOnceNamingTheSetting) {
    CannedScalingo scalingo([](const ServerRequest&) { return json(http::status::ok, R"({"collaborators":[]})"); });
    auto [error, retries] = list_error_at(scalingo, "htp://api.example.com");
    EXPECT_EQ(chat_text(error),
              " !     The bot cannot reach Scalingo (not a usable http(s) URL: the scheme must be http or https); an "
              "admin of the bot should check SCALINGO_API_URL ([scalingo] api_url, or region).\n");
    EXPECT_EQ(retries, 0u);
}

TEST(ScalingoErrors, AHostThatDoesNotExistFailsAtOnceNamingTheSetting) {
    CannedScalingo scalingo([](const ServerRequest&) { return json(http::status::ok, R"({"collaborators":[]})"); });
    auto [error, retries] = list_error_at(scalingo, "http://no-such-host.invalid");
    if (error.message.find("again") != std::string::npos)
        GTEST_SKIP() << "this machine's resolver cannot answer at all: " << error.message;
    EXPECT_TRUE(
        error.message.starts_with("The bot cannot reach Scalingo (http://no-such-host.invalid:80: cannot "
                                  "resolve the host"))
        << error.message;
    EXPECT_NE(error.message.find("should check SCALINGO_API_URL"), std::string::npos) << error.message;
    EXPECT_EQ(retries, 0u) << "a name that does not exist is not looked up three times";
}

TEST(ScalingoErrors, ValidationWithoutFieldsIsMalformed) {
    CannedScalingo scalingo(
        [](const ServerRequest&) { return json(http::status::unprocessable_entity, R"({"errors":{}})"); });
    auto error = list_error(scalingo);
    EXPECT_EQ(error.kind, ApiErrorKind::malformed);
}

TEST(ScalingoErrors, RateLimitedSaysWhenToRetry) {
    CannedScalingo scalingo([](const ServerRequest&) {
        auto response = json(http::status::too_many_requests, R"({"error":"Retry later"})");
        response.set(http::field::retry_after, "30");
        return response;
    });
    auto error = list_error(scalingo);
    EXPECT_EQ(error.kind, ApiErrorKind::rate_limited);
    EXPECT_EQ(chat_text(error),
              " !     Scalingo is receiving too many requests from the bot. Try again in 30 seconds.\n");
    // 30 s is beyond what the bot waits out: one try, no retry.
    EXPECT_EQ(scalingo.server.requests(), 2);
}

TEST(ScalingoErrors, HugeRetryAfterIsNotWaitedOutNorRetried) {
    // 9223372036854776 s wraps to a negative wait in milliseconds if converted unchecked.
    CannedScalingo scalingo([](const ServerRequest&) {
        auto response = json(http::status::too_many_requests, R"({"error":"Retry later"})");
        response.set(http::field::retry_after, "9223372036854776");
        return response;
    });
    auto error = list_error(scalingo);
    EXPECT_EQ(error.kind, ApiErrorKind::rate_limited);
    EXPECT_EQ(chat_text(error),
              " !     Scalingo is receiving too many requests from the bot. Try again in 60 minutes.\n");
    EXPECT_EQ(scalingo.server.requests(), 2) << "one exchange and one call: no retry without a wait";
}

TEST(ScalingoErrors, ShortRetryAfterIsWaitedOut) {
    int calls = 0;
    CannedScalingo scalingo([&](const ServerRequest&) {
        if (++calls == 1) {
            auto response = json(http::status::too_many_requests, "Retry later");
            response.set(http::field::retry_after, "1");
            return response;
        }
        return json(http::status::ok, R"({"collaborators":[]})");
    });
    auto result = testing::run([&]() -> asio::awaitable<ApiResult<std::vector<Collaborator>>> {
        const auto executor = co_await asio::this_coro::executor;
        net::HttpClient http(executor, net::HttpClientOptions{});
        ScalingoApi api(http, scalingo.settings());
        co_return co_await api.list_collaborators("my-dedicated-db");
    }());
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(calls, 2);
}

TEST(ScalingoErrors, ServerErrorsAreRetriedThenReported) {
    CannedScalingo scalingo([](const ServerRequest&) { return json(http::status::service_unavailable, ""); });
    auto error = list_error(scalingo);
    EXPECT_EQ(chat_text(error), " !     Scalingo had a problem (HTTP 503); try again in a moment.\n");
    EXPECT_EQ(scalingo.server.requests(), 1 + 3) << "one exchange, the call and two bounded retries";
}

TEST(ScalingoErrors, WritesAreNotRetriedAfterAServerError) {
    CannedScalingo scalingo([](const ServerRequest&) { return json(http::status::internal_server_error, ""); });
    auto error = invite_error(scalingo, "user@example.com");
    EXPECT_EQ(error.kind, ApiErrorKind::transient);
    EXPECT_EQ(scalingo.server.requests(), 2) << "an invitation that may have been sent is not sent again";
}

TEST(ScalingoErrors, GarbageJsonIsMalformed) {
    CannedScalingo scalingo(
        [](const ServerRequest&) { return json(http::status::ok, "{\"collaborators\": [ {\"id\": "); });
    EXPECT_EQ(
        chat_text(list_error(scalingo)),
        " !     Scalingo sent a collaborator list of my-dedicated-db the bot could not understand; try again later.\n");
}

TEST(ScalingoErrors, UnexpectedStatusIsAnError) {
    CannedScalingo scalingo([](const ServerRequest&) {
        return json(http::status::ok, R"({"collaborator":{"id":"co-1","email":"a@b.co","status":"pending"}})");
    });
    auto error = invite_error(scalingo, "a@b.co");
    EXPECT_EQ(chat_text(error),
              " !     Scalingo answered HTTP 200 where HTTP 201 was expected; nothing can be assumed about the "
              "outcome.\n");
}

TEST(ScalingoErrors, StalledServerTimesOut) {
    LoopbackServer stalled([](asio::ip::tcp::socket socket) -> asio::awaitable<void> {
        std::array<char, 1024> data{};
        for (;;) {
            auto [error, read] =
                co_await socket.async_read_some(asio::buffer(data), asio::as_tuple(asio::use_awaitable));
            if (error) co_return;
        }
    });
    auto error = testing::run([&]() -> asio::awaitable<ApiError> {
        net::HttpClientOptions options;
        options.timeouts.request = 200ms;
        const auto executor = co_await asio::this_coro::executor;
        net::HttpClient http(executor, options);
        ScalingoSettings settings;
        settings.api_url = settings.auth_url = stalled.url("");
        settings.api_token = api_token;
        ScalingoApi api(http, settings);
        co_return failure_of(co_await api.list_collaborators("my-dedicated-db"));
    }());
    EXPECT_EQ(chat_text(error), " !     Scalingo did not answer in time; try again in a moment.\n");
}

TEST(ScalingoErrors, ResetConnectionIsTransient) {
    LoopbackServer resetting([](asio::ip::tcp::socket socket) -> asio::awaitable<void> {
        std::string head;
        co_await asio::async_read_until(socket, asio::dynamic_buffer(head), "\r\n\r\n",
                                        asio::as_tuple(asio::use_awaitable));
        boost::system::error_code ignored;
        socket.set_option(asio::socket_base::linger(true, 0), ignored);
        socket.close(ignored);
    });
    auto error = testing::run([&]() -> asio::awaitable<ApiError> {
        const auto executor = co_await asio::this_coro::executor;
        net::HttpClient http(executor, net::HttpClientOptions{});
        ScalingoSettings settings;
        settings.api_url = settings.auth_url = resetting.url("");
        settings.api_token = api_token;
        settings.backoff = {10ms, 50ms, 2};
        ScalingoApi api(http, settings);
        co_return failure_of(co_await api.list_collaborators("my-dedicated-db"));
    }());
    EXPECT_EQ(error.kind, ApiErrorKind::transient);
    EXPECT_TRUE(chat_text(error).starts_with(" !     Cannot reach Scalingo (reset)")) << chat_text(error);
    EXPECT_EQ(chat_text(error).find(api_token), std::string::npos);
}

TEST(ScalingoErrors, TheBudgetRefusesBeforeScalingoWould) {
    CannedScalingo scalingo([](const ServerRequest&) { return json(http::status::ok, R"({"collaborators":[]})"); });
    auto settings = scalingo.settings();
    settings.requests_per_minute = 3;
    settings.collaborators_ttl = 0s;
    auto error = testing::run([&]() -> asio::awaitable<ApiError> {
        const auto executor = co_await asio::this_coro::executor;
        net::HttpClient http(executor, net::HttpClientOptions{});
        ScalingoApi api(http, settings);
        for (int i = 0; i < 2; ++i) EXPECT_TRUE(co_await api.list_collaborators("my-dedicated-db"));
        co_return failure_of(co_await api.list_collaborators("my-dedicated-db"));
    }());
    EXPECT_EQ(error.kind, ApiErrorKind::rate_limited);
    EXPECT_EQ(chat_text(error),
              " !     The bot has used its Scalingo request allowance for this minute. Try again in 1 minute.\n");
    EXPECT_EQ(scalingo.server.requests(), 3) << "one exchange and two lists: the third list never left";
}

}  // namespace
}  // namespace collab::scalingo
