// The request allowance, the backoff, and the coalescing of identical reads.

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <random>

#include "adapters/net/backoff.hpp"
#include "adapters/scalingo/single_flight.hpp"

namespace collab {
namespace {
namespace asio = boost::asio;
using namespace std::chrono_literals;

TEST(TokenBucket, SixtyInAnyMinuteThenSaysWhenToComeBack) {
    net::TokenBucket bucket(60, 1min);
    const auto start = net::TokenBucket::Clock::now();
    for (int i = 0; i < 60; ++i) ASSERT_FALSE(bucket.try_take(start + i * 100ms)) << "request " << i;
    // The allowance is counted over a rolling minute: the first send frees its place one minute later.
    auto wait = bucket.try_take(start + 30s);
    ASSERT_TRUE(wait);
    EXPECT_EQ(*wait, 30s);
    EXPECT_TRUE(bucket.try_take(start + 59s));
    EXPECT_FALSE(bucket.try_take(start + 60s));
    EXPECT_TRUE(bucket.try_take(start + 60s)) << "only one place came back";
}

TEST(Backoff, StaysUnderTheCapAndVaries) {
    net::BackoffPolicy policy{100ms, 1s, 5};
    std::minstd_rand rng(42);
    std::set<long long> seen;
    for (int attempt = 0; attempt < 12; ++attempt) {
        for (int i = 0; i < 20; ++i) {
            auto delay = net::jittered_backoff(policy, attempt, rng);
            EXPECT_GE(delay, 0ms);
            EXPECT_LE(delay, std::min<std::chrono::milliseconds>(1s, 100ms * (1 << attempt)));
            seen.insert(delay.count());
        }
    }
    EXPECT_GT(seen.size(), 50u) << "full jitter spreads the delays";
}

TEST(SingleFlight, ConcurrentCallersShareOneFetch) {
    asio::io_context io;
    scalingo::SingleFlight<int> flights{1s, -1};
    int fetches = 0;
    std::vector<int> results;
    scalingo::SingleFlight<int>::Fetch slow_fetch = [&]() -> asio::awaitable<int> {
        ++fetches;
        asio::steady_timer timer(co_await asio::this_coro::executor, 20ms);
        co_await timer.async_wait(asio::use_awaitable);
        co_return 42;
    };
    for (int i = 0; i < 5; ++i) {
        asio::co_spawn(
            io, [&]() -> asio::awaitable<void> { results.push_back(co_await flights.run("k", slow_fetch)); },
            asio::detached);
    }
    io.run();
    EXPECT_EQ(fetches, 1);
    EXPECT_EQ(results, std::vector<int>(5, 42));
    EXPECT_EQ(flights.in_flight(), 0u);
}

TEST(SingleFlight, DifferentKeysFetchSeparately) {
    asio::io_context io;
    scalingo::SingleFlight<int> flights{1s, -1};
    int fetches = 0;
    scalingo::SingleFlight<int>::Fetch fetch = [&]() -> asio::awaitable<int> { co_return ++fetches; };
    for (std::string key : {"a", "b"}) {
        asio::co_spawn(
            io, [&, key]() -> asio::awaitable<void> { co_await flights.run(key, fetch); }, asio::detached);
    }
    io.run();
    EXPECT_EQ(fetches, 2);
}

TEST(SingleFlight, WaitersGiveUpAfterTheWaitLimit) {
    // A fetch that hangs holds up its own caller only: the ones who joined it are told in time.
    asio::io_context io;
    scalingo::SingleFlight<int> flights{100ms, -1};
    scalingo::SingleFlight<int>::Fetch hanging_fetch = [&]() -> asio::awaitable<int> {
        asio::steady_timer timer(co_await asio::this_coro::executor, 2s);
        co_await timer.async_wait(asio::use_awaitable);
        co_return 42;
    };
    std::vector<std::pair<int, std::chrono::steady_clock::duration>> waited;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 3; ++i) {
        asio::co_spawn(
            io,
            [&]() -> asio::awaitable<void> {
                const int result = co_await flights.run("k", hanging_fetch);
                waited.emplace_back(result, std::chrono::steady_clock::now() - start);
            },
            asio::detached);
    }
    io.run();
    ASSERT_EQ(waited.size(), 3u);
    for (int i = 0; i < 2; ++i) {
        EXPECT_EQ(waited[i].first, -1) << "a waiter is told it timed out";
        EXPECT_LT(waited[i].second, 1s) << "a waiter does not wait for the hanging fetch";
    }
    EXPECT_EQ(waited[2].first, 42) << "the leader still gets its own answer";
    EXPECT_EQ(flights.in_flight(), 0u);
}

TEST(TtlCache, ExpiresAndErases) {
    scalingo::TtlCache<int> cache(10s);
    const auto now = scalingo::TtlCache<int>::Clock::now();
    cache.put("db", 1, now);
    EXPECT_EQ(cache.get("db", now + 9s), 1);
    EXPECT_FALSE(cache.get("db", now + 10s));
    cache.put("db", 2, now);
    cache.erase("db");
    EXPECT_FALSE(cache.get("db", now));
}

}  // namespace
}  // namespace collab
