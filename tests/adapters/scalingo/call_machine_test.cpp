// A call to Scalingo as a table: the shared retry rules, plus Scalingo's one re-exchange on a 401.

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "adapters/scalingo/call_machine.hpp"

namespace collab::scalingo {
namespace {

using namespace std::chrono_literals;

// As ScalingoSettings' defaults: two retries from 500 ms, Retry-After waited up to 10 s.
const net::RetryPolicy policy{{500ms, 8'000ms, 2}, 10s, 100ms, 60s};

struct CallCase {
    std::string name;
    CallState before;
    CallEvent event;
    CallAction action;
    CallState after;
};

const CallState read{{true, true, 0}, true, false};
const CallState write{{false, true, 0}, true, false};
const CallState read_exchanged{{true, true, 1}, true, true};
const CallState read_at_limit{{true, true, 2}, true, false};
const CallState exchange{{false, true, 0}, false, false};  // the token exchange itself, with the API token

CallEvent answer(unsigned status, bool fresh_bearer = false) {
    return CallEvent{net::Attempt{net::Outcome::answered, status, std::nullopt}, fresh_bearer};
}
CallEvent rate_limited(std::chrono::milliseconds retry_after) {
    return CallEvent{net::Attempt{net::Outcome::answered, 429, retry_after}, false};
}
CallEvent failure(net::Outcome outcome) {
    return CallEvent{net::Attempt{outcome, 0, std::nullopt}, false};
}
CallState resent(CallState state, bool exchanged_again = false) {
    ++state.retry.resent;
    state.exchanged_again = state.exchanged_again || exchanged_again;
    return state;
}

const CallAction stop{};
const CallAction exchange_and_send{CallStep::exchange_and_send, {}, std::nullopt};
CallAction again(std::chrono::milliseconds shortest, std::chrono::milliseconds longest) {
    return CallAction{CallStep::send_again, {shortest, longest}, std::nullopt};
}

std::vector<CallCase> table() {
    return {
        {"ok", read, answer(200), stop, read},
        // The bearer may have expired early or been revoked: exchanged once more.
        {"unauthorized_stale_bearer", read, answer(401), exchange_and_send, resent(read, true)},
        {"unauthorized_stale_bearer_on_a_write", write, answer(401), exchange_and_send, resent(write, true)},
        {"unauthorized_stale_bearer_at_limit", read_at_limit, answer(401), exchange_and_send,
         resent(read_at_limit, true)},
        // Once only: never in a loop.
        {"unauthorized_again_after_exchanging", read_exchanged, answer(401), stop, read_exchanged},
        // A bearer exchanged for this very call is refused for want of rights, not for being stale.
        {"unauthorized_fresh_bearer", read, answer(401, true), stop, read},
        // The exchange itself refused: the API token is wrong.
        {"unauthorized_exchange", exchange, answer(401), stop, exchange},

        // Otherwise the shared retry rules.
        {"forbidden", read, answer(403), stop, read},
        {"rate_limited_write", write, rate_limited(2s), again(2s, 2'100ms), resent(write)},
        {"rate_limited_too_long", read, rate_limited(30s), CallAction{CallStep::stop, {}, 30s}, read},
        {"server_error_read", read, answer(503), again(0ms, 500ms), resent(read)},
        {"server_error_after_exchanging", read_exchanged, answer(503), again(0ms, 1'000ms), resent(read_exchanged)},
        {"server_error_write", write, answer(500), stop, write},
        {"server_error_at_limit", read_at_limit, answer(503), stop, read_at_limit},
        {"lost_read", read, failure(net::Outcome::lost), again(0ms, 500ms), resent(read)},
        {"lost_write", write, failure(net::Outcome::lost), stop, write},
        {"timed_out_read", read, failure(net::Outcome::timed_out), stop, read},
        {"unusable_read", read, failure(net::Outcome::unusable), stop, read},
    };
}

void PrintTo(const CallCase& c, std::ostream* os) {
    *os << c.name;
}

class CallTable : public ::testing::TestWithParam<CallCase> {};

TEST_P(CallTable, Transition) {
    const auto& c = GetParam();
    CallState state = c.before;
    const CallAction action = next(policy, state, c.event);
    EXPECT_EQ(action.step, c.action.step);
    EXPECT_EQ(action.wait.shortest, c.action.wait.shortest);
    EXPECT_EQ(action.wait.longest, c.action.wait.longest);
    EXPECT_EQ(action.come_back_after, c.action.come_back_after);
    EXPECT_EQ(state, c.after);
}

INSTANTIATE_TEST_SUITE_P(CallTimesAnswer, CallTable, ::testing::ValuesIn(table()),
                         [](const auto& info) { return info.param.name; });

TEST(CallMachine, ARevokedBearerCostsOneExchangeThenTheRefusalIsReported) {
    CallState state = read;
    EXPECT_EQ(next(policy, state, answer(401)).step, CallStep::exchange_and_send);
    EXPECT_EQ(next(policy, state, answer(401, true)).step, CallStep::stop);
}

}  // namespace
}  // namespace collab::scalingo
