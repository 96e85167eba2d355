// The tasks a client starts and waits for: the wait ends when the last one does, however and whenever
// it ended.

#include "adapters/net/task_group.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <stdexcept>
#include <vector>

namespace collab::net {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

asio::awaitable<void> sleep(int milliseconds, std::vector<int>& ended, int id) {
    asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds{milliseconds});
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    ended.push_back(id);
}

asio::awaitable<void> fail_at_once() {
    throw std::runtime_error("a task that fails");
    co_return;
}

asio::awaitable<void> end_at_once() {
    co_return;
}

// Runs `body` on an io_context of its own; false when it did not finish within a second.
template <typename Body>
bool finishes(Body body) {
    asio::io_context io;
    bool finished = false;
    auto run = [&]() -> asio::awaitable<void> {
        co_await body(io);
        finished = true;
    };
    asio::co_spawn(io, run(), asio::detached);
    io.run_for(1s);
    return finished;
}

TEST(TaskGroup, TheWaitEndsWhenTheLastTaskDoes) {
    std::vector<int> ended;
    const bool finished = finishes([&](asio::io_context& io) -> asio::awaitable<void> {
        TaskGroup tasks(io.get_executor());
        tasks.spawn(sleep(30, ended, 1));
        tasks.spawn(sleep(10, ended, 2));
        EXPECT_EQ(tasks.running(), 2u);
        co_await tasks.wait();
        EXPECT_EQ(tasks.running(), 0u);
    });
    EXPECT_TRUE(finished);
    EXPECT_EQ(ended, (std::vector<int>{2, 1}));
}

TEST(TaskGroup, TasksThatEndedBeforeTheWaitDoNotKeepItWaiting) {
    const bool finished = finishes([](asio::io_context& io) -> asio::awaitable<void> {
        TaskGroup tasks(io.get_executor());
        tasks.spawn(end_at_once());
        // Let the task run and end before anyone waits, as a stop during start-up does.
        asio::steady_timer later(io, 5ms);
        co_await later.async_wait(asio::as_tuple(asio::use_awaitable));
        EXPECT_EQ(tasks.running(), 0u);
        co_await tasks.wait();
    });
    EXPECT_TRUE(finished);
}

TEST(TaskGroup, ATaskEndedByAnExceptionStillEnds) {
    const bool finished = finishes([](asio::io_context& io) -> asio::awaitable<void> {
        TaskGroup tasks(io.get_executor());
        tasks.spawn(fail_at_once());
        co_await tasks.wait();
    });
    EXPECT_TRUE(finished);
}

TEST(TaskGroup, WithNoTaskTheWaitEndsAtOnceAndNoneJoinsAfterIt) {
    std::vector<int> ended;
    const bool finished = finishes([&](asio::io_context& io) -> asio::awaitable<void> {
        TaskGroup tasks(io.get_executor());
        co_await tasks.wait();
        EXPECT_FALSE(tasks.spawn(sleep(1, ended, 1)));
    });
    EXPECT_TRUE(finished);
    EXPECT_TRUE(ended.empty());
}

}  // namespace
}  // namespace collab::net
