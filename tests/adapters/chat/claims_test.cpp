// The claims a platform takes on the requests it works on: on stop, the instance waits until what it
// answered is marked done, so that no other instance takes it over and answers it a second time.

#include "adapters/chat/claims.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "adapters/store/local_state.hpp"

namespace collab::chat {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

std::shared_ptr<spdlog::logger> quiet() {
    return std::make_shared<spdlog::logger>("claims-test", std::make_shared<spdlog::sinks::null_sink_mt>());
}

TEST(Claims, SettlingWaitsUntilTheWorkInProgressIsMarkedDone) {
    asio::io_context io;
    store::LocalState shared;
    Claims claims(io.get_executor(), shared, ClaimSettings{"this-instance"}, quiet());
    store::ClaimState seen_by_another = store::ClaimState::won;
    bool settled = false;
    auto scenario = [&]() -> asio::awaitable<void> {
        std::string key = "env-1", work = "the envelope";
        EXPECT_EQ(co_await claims.take(key, work), Delivery::first);
        // The answer takes a moment; the stop begins meanwhile.
        auto answer_then_finish = [&]() -> asio::awaitable<void> {
            asio::steady_timer answering(io, 100ms);
            co_await answering.async_wait(asio::use_awaitable);
            std::string finished = "env-1";
            co_await claims.finish(finished);
        };
        asio::co_spawn(io, answer_then_finish, asio::detached);
        claims.stop();
        settled = co_await claims.settle(5s);
        // What another instance finds once this one settled: answered, not work to take over.
        std::string same_key = "env-1", other = "another-instance", no_work;
        auto found = co_await shared.claim(same_key, other, no_work, 2s);
        if (found) seen_by_another = *found;
    };
    asio::co_spawn(io, scenario, asio::use_future);
    io.run();
    EXPECT_TRUE(settled);
    EXPECT_EQ(seen_by_another, store::ClaimState::answered);
}

TEST(Claims, SettlingGivesUpAtItsLimit) {
    asio::io_context io;
    store::LocalState shared;
    Claims claims(io.get_executor(), shared, ClaimSettings{"this-instance"}, quiet());
    std::optional<bool> settled;
    auto scenario = [&]() -> asio::awaitable<void> {
        std::string key = "env-2", work = "the envelope";
        co_await claims.take(key, work);
        claims.stop();
        settled = co_await claims.settle(50ms);
        std::string finished = "env-2";
        co_await claims.finish(finished);
    };
    asio::co_spawn(io, scenario, asio::use_future);
    io.run();
    EXPECT_EQ(settled, false) << "never finished within the limit";
}

}  // namespace
}  // namespace collab::chat
