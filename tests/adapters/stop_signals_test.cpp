// The stop signals with the io thread held, as a request that keeps it busy would hold it: the second
// signal, and a first one the io thread does not take within 5 s, make the process leave with a line
// on standard error; a free io thread runs the stop. Each case is a child process (a death test): the
// signals are the process's.

#include "bot/service_life.hpp"

#include <gtest/gtest.h>

#include <spdlog/logger.h>
#include <boost/asio/executor_work_guard.hpp>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <thread>

namespace collab::bot {
namespace {
namespace asio = boost::asio;
using namespace std::chrono_literals;

std::shared_ptr<spdlog::logger> silent() { return std::make_shared<spdlog::logger>("stop-signals-test"); }

// The io_context is never run: nothing it is given is taken, as when its thread is busy.
[[noreturn]] void signalled_with_the_io_thread_held(int signals, std::chrono::seconds then_wait) {
    asio::io_context io;
    StopSignals stop_signals(io, silent(), [] {});
    for (int i = 0; i < signals; ++i) {
        std::raise(SIGTERM);
        std::this_thread::sleep_for(100ms);
    }
    std::this_thread::sleep_for(then_wait);
    std::_Exit(0);
}

TEST(StopSignalsDeathTest, ASecondSignalLeavesAtOnceWhileTheIoThreadIsHeld) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(signalled_with_the_io_thread_held(2, 3s), ::testing::ExitedWithCode(1),
                "collab-bot: second signal: leaving at once");
}

TEST(StopSignalsDeathTest, ASignalTheIoThreadDoesNotTakeWithinFiveSecondsLeaves) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(signalled_with_the_io_thread_held(1, 8s), ::testing::ExitedWithCode(1),
                "collab-bot: the signal was not taken within 5 s: leaving at once");
}

TEST(StopSignalsDeathTest, AFreeIoThreadRunsTheStopAndTheProcessGoesOn) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(
        {
            asio::io_context io;
            auto running = asio::make_work_guard(io);
            StopSignals stop_signals(io, silent(), [&] { running.reset(); });
            std::raise(SIGTERM);
            io.run_for(10s);
            // Past the 5 s bound: the signal was taken, so nothing makes the process leave.
            std::this_thread::sleep_for(6s);
            std::_Exit(running.owns_work() ? 2 : 0);
        },
        ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace collab::bot
