// A collaborator list, or a database's snapshot, fetched before an invitation or a removal never
// outlives it: not in the cache, not shared with callers who come after the change.

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <atomic>

#include "adapters/scalingo/scalingo_api.hpp"
#include "adapters/security/hmac_signer.hpp"
#include "loopback_server.hpp"

namespace collab::scalingo {
namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using namespace std::chrono_literals;

constexpr std::string_view fresh_list =
    R"({"collaborators":[{"id":"co-new","email":"new@example.com","username":"n/a","status":"pending","is_limited":false}]})";

// Scalingo where the first collaborator list is slow (300 ms) and predates the invitation; every
// later list has the invited person.
struct SlowFirstList {
    std::atomic<int> lists{0};
    std::atomic<int> invitations{0};

    asio::awaitable<void> serve(asio::ip::tcp::socket socket) {
        beast::flat_buffer buffer;
        for (;;) {
            http::request<http::string_body> request;
            auto [read_error, read] =
                co_await http::async_read(socket, buffer, request, asio::as_tuple(asio::use_awaitable));
            if (read_error) co_return;
            http::response<http::string_body> response{http::status::ok, 11};
            response.set(http::field::content_type, "application/json");
            const std::string target(request.target());
            if (target == "/v1/tokens/exchange") {
                response.body() = R"({"token":")" + security::base64url_encode(R"({"alg":"none"})") + "." +
                                  security::base64url_encode(R"({"exp":4102444800})") + R"(."})";
            } else if (!target.ends_with("/collaborators")) {
                response.body() =
                    R"({"app":{"name":"my-dedicated-db","owner":{"id":"us-1","email":"user1@example.com",)"
                    R"("username":"user1"},"flags":{"dedicated-database":true}}})";
            } else if (request.method() == http::verb::post) {
                ++invitations;
                response.result(http::status::created);
                response.body() =
                    R"({"collaborator":{"id":"co-new","email":"new@example.com","username":"n/a","status":"pending"}})";
            } else if (++lists == 1) {
                asio::steady_timer slow(co_await asio::this_coro::executor, 300ms);
                co_await slow.async_wait(asio::as_tuple(asio::use_awaitable));
                response.body() = R"({"collaborators":[]})";
            } else {
                response.body() = std::string(fresh_list);
            }
            response.prepare_payload();
            auto [write_error, written] =
                co_await http::async_write(socket, response, asio::as_tuple(asio::use_awaitable));
            if (write_error) co_return;
        }
    }
};

std::vector<std::string> emails(const ApiResult<std::vector<Collaborator>>& list) {
    std::vector<std::string> out;
    if (list)
        for (const auto& c : *list) out.push_back(c.email);
    return out;
}

std::vector<std::string> emails(const ApiResult<CachedSnapshot>& snapshot) {
    if (!snapshot) return {"(failed: " + snapshot.error().message + ")"};
    return emails(ApiResult<std::vector<Collaborator>>(snapshot->state->collaborators));
}

ScalingoSettings settings_for(const net::test::LoopbackServer& server) {
    ScalingoSettings settings;
    settings.api_url = settings.auth_url = server.url("");
    settings.api_token = "tk-us-staleness-test-token";
    settings.collaborators_ttl = 60s;  // long enough that a stale entry would be served by the cache
    return settings;
}

TEST(ScalingoStaleness, AListFetchedBeforeAnInvitationIsNeitherCachedNorShared) {
    SlowFirstList scalingo;
    net::test::LoopbackServer server(
        net::test::RawHandler{[&](asio::ip::tcp::socket socket) { return scalingo.serve(std::move(socket)); }});
    asio::io_context io;
    net::HttpClient http(io.get_executor(), net::HttpClientOptions{});
    ScalingoApi api(http, settings_for(server));

    ApiResult<std::vector<Collaborator>> before, joined_after, later;
    const std::string database = "my-dedicated-db";
    auto sequence = [&]() -> asio::awaitable<void> {
        // A list in flight when the invitation goes out...
        asio::co_spawn(
            io, [&]() -> asio::awaitable<void> { before = co_await api.list_collaborators(database); }, asio::detached);
        asio::steady_timer pause(io, 50ms);
        co_await pause.async_wait(asio::use_awaitable);
        const std::string email = "new@example.com";
        auto invited = co_await api.invite(database, email);
        EXPECT_TRUE(invited) << invited.error().message;
        // ...is not joined by a list asked for after the invitation, while it is still in flight...
        joined_after = co_await api.list_collaborators(database);
        pause.expires_after(400ms);
        co_await pause.async_wait(asio::use_awaitable);
        // ...and is not what the cache answers once it has arrived.
        later = co_await api.list_collaborators(database);
    };
    asio::co_spawn(io, sequence(), asio::detached);
    io.run();

    EXPECT_EQ(scalingo.invitations, 1);
    EXPECT_TRUE(emails(before).empty()) << "the first list predates the invitation";
    EXPECT_EQ(emails(joined_after), std::vector<std::string>{"new@example.com"});
    EXPECT_EQ(emails(later), std::vector<std::string>{"new@example.com"});
    EXPECT_EQ(scalingo.lists, 2) << "the fresh list is cached; the stale one is not";
}

TEST(ScalingoStaleness, ASnapshotReadBeforeAnInvitationIsNotKeptAndTheNextOneIs) {
    SlowFirstList scalingo;
    net::test::LoopbackServer server(
        net::test::RawHandler{[&](asio::ip::tcp::socket socket) { return scalingo.serve(std::move(socket)); }});
    asio::io_context io;
    net::HttpClient http(io.get_executor(), net::HttpClientOptions{});
    ScalingoApi api(http, settings_for(server));

    ApiResult<CachedSnapshot> before = std::unexpected(ApiError{ApiErrorKind::unavailable, "not run"});
    ApiResult<CachedSnapshot> after = before, later = before;
    const std::string database = "my-dedicated-db";
    auto sequence = [&]() -> asio::awaitable<void> {
        // A snapshot being read when the invitation goes out...
        asio::co_spawn(
            io, [&]() -> asio::awaitable<void> { before = co_await api.snapshot(database); }, asio::detached);
        asio::steady_timer pause(io, 50ms);
        co_await pause.async_wait(asio::use_awaitable);
        const std::string email = "new@example.com";
        auto invited = co_await api.invite(database, email);
        EXPECT_TRUE(invited) << invited.error().message;
        after = co_await api.snapshot(database);
        pause.expires_after(400ms);
        co_await pause.async_wait(asio::use_awaitable);
        // ...is not what is kept once it has arrived: the one read after the invitation is.
        later = co_await api.snapshot(database);
    };
    asio::co_spawn(io, sequence(), asio::detached);
    io.run();

    EXPECT_TRUE(emails(before).empty()) << "the first snapshot predates the invitation";
    ASSERT_TRUE(before.has_value());
    EXPECT_EQ(before->generation, 0u) << "nothing may be built on a snapshot that predates a change";
    EXPECT_EQ(emails(after), std::vector<std::string>{"new@example.com"});
    EXPECT_EQ(emails(later), std::vector<std::string>{"new@example.com"});
    ASSERT_TRUE(after.has_value() && later.has_value());
    EXPECT_NE(later->generation, 0u);
    EXPECT_EQ(later->state, after->state) << "the snapshot read after the invitation is kept";
    EXPECT_EQ(scalingo.lists, 2);
}

}  // namespace
}  // namespace collab::scalingo
