// The gate a stop waits on: it wakes when the last piece of work leaves, not at the next poll, and
// refuses work once closed.

#include "adapters/net/gate.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <optional>
#include <thread>

namespace collab::net {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// What one close() said, and how long it took.
struct Closing {
    std::optional<bool> emptied;
    Clock::duration took{};
};

void close_gate(asio::io_context& io, Gate& gate, Clock::duration limit, Closing& closing) {
    auto close = [&gate, limit, &closing]() -> asio::awaitable<void> {
        const auto began = Clock::now();
        closing.emptied = co_await gate.close(limit);
        closing.took = Clock::now() - began;
    };
    asio::co_spawn(io, close, asio::detached);
}

// The holder lives in the coroutine's frame until the work ends.
asio::awaitable<void> hold(Gate::Holder, Clock::duration held) {
    asio::steady_timer timer(co_await asio::this_coro::executor, held);
    co_await timer.async_wait(asio::use_awaitable);
}

// Holds the gate for `held`, as a piece of work would.
void work_for(asio::io_context& io, Gate& gate, Clock::duration held) {
    auto holder = gate.try_enter();
    ASSERT_TRUE(holder);
    asio::co_spawn(io, hold(std::move(*holder), held), asio::detached);
}

TEST(Gate, AnEmptyGateClosesAtOnce) {
    asio::io_context io;
    Gate gate(io.get_executor());
    Closing closing;
    close_gate(io, gate, 10s, closing);
    io.run();
    EXPECT_EQ(closing.emptied, true);
    EXPECT_LT(closing.took, 1s) << "far below the 10 s limit: it did not wait";
    EXPECT_TRUE(gate.closed());
}

TEST(Gate, CloseWakesWhenTheLastPieceOfWorkLeaves) {
    asio::io_context io;
    Gate gate(io.get_executor());
    work_for(io, gate, 50ms);
    work_for(io, gate, 150ms);
    EXPECT_EQ(gate.count(), 2u);
    Closing closing;
    close_gate(io, gate, 10s, closing);
    io.run();
    EXPECT_EQ(closing.emptied, true);
    EXPECT_GE(closing.took, 140ms) << "it waited for the slower one";
    EXPECT_LT(closing.took, 1s) << "and no longer: it was woken, not left to the limit";
    EXPECT_EQ(gate.count(), 0u);
}

// A socket can be closed by its replacement and by the stop at once: the second close must not
// cut the first one's wait short.
TEST(Gate, ASecondCloseWaitsWithTheFirstInsteadOfEndingIt) {
    asio::io_context io;
    Gate gate(io.get_executor());
    work_for(io, gate, 150ms);
    Closing first, second;
    close_gate(io, gate, 10s, first);
    close_gate(io, gate, 10s, second);
    io.run();
    EXPECT_EQ(first.emptied, true);
    EXPECT_EQ(second.emptied, true);
    EXPECT_GE(first.took, 140ms) << "the first close still waited for the work";
    EXPECT_GE(second.took, 140ms);
    EXPECT_LT(second.took, 1s);
}

TEST(Gate, AClosedGateRefusesNewWork) {
    asio::io_context io;
    Gate gate(io.get_executor());
    work_for(io, gate, 50ms);
    Closing closing;
    close_gate(io, gate, 10s, closing);
    io.poll();  // close() has begun waiting
    EXPECT_TRUE(gate.closed());
    EXPECT_FALSE(gate.try_enter());
    EXPECT_EQ(gate.count(), 1u);
    io.run();
    EXPECT_EQ(closing.emptied, true);
}

TEST(Gate, CloseGivesUpAtTheLimitAndTheLateWorkStillLeavesCleanly) {
    asio::io_context io;
    std::optional<Gate> gate(std::in_place, io.get_executor());
    work_for(io, *gate, 300ms);
    Closing closing;
    close_gate(io, *gate, 50ms, closing);
    io.run_for(150ms);
    EXPECT_EQ(closing.emptied, false);
    EXPECT_LT(closing.took, 250ms);
    EXPECT_EQ(gate->count(), 1u);
    gate.reset();  // the work outlives its gate: leaving must not touch freed memory
    io.run();
}

TEST(Gate, AHolderMovedLeavesOnce) {
    asio::io_context io;
    Gate gate(io.get_executor());
    {
        auto first = gate.try_enter();
        auto second = gate.try_enter();
        ASSERT_TRUE(first && second);
        Gate::Holder moved = std::move(*first);
        *second = std::move(moved);
        EXPECT_EQ(gate.count(), 2u);
    }
    EXPECT_EQ(gate.count(), 0u);
}

TEST(Gate, WorkOnAnotherThreadWakesTheClose) {
    asio::io_context io;
    Gate gate(io.get_executor());
    auto holder = gate.try_enter();
    Closing closing;
    close_gate(io, gate, 10s, closing);
    std::thread worker([held = std::move(*holder)]() mutable {
        std::this_thread::sleep_for(50ms);
        Gate::Holder leaving = std::move(held);
    });
    holder.reset();
    io.run();
    worker.join();
    EXPECT_EQ(closing.emptied, true);
    EXPECT_LT(closing.took, 1s);
}

}  // namespace
}  // namespace collab::net
