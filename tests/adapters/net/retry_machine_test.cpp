// The shared retry machine as a table: the request's kind and sends so far × what the send came to.

#include <gtest/gtest.h>

#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "adapters/net/retry_machine.hpp"

namespace collab::net {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

// Two retries, growing from 100 ms, waits up to 10 s asked for by the server.
const RetryPolicy policy{{100ms, 1'000ms, 2}, 10s, 100ms, 60s};

struct RetryCase {
    std::string name;
    RetryState before;
    Attempt attempt;
    RetryAction action;
};

const RetryState read{true, true, 0};
const RetryState write{false, true, 0};
const RetryState read_at_limit{true, true, 2};
const RetryState write_at_limit{false, true, 2};
const RetryState open_connection{false, false, 0};  // a 429 goes back to the caller, who waits itself

Attempt answer(unsigned status, std::optional<milliseconds> retry_after = std::nullopt) {
    return Attempt{Outcome::answered, status, retry_after};
}
Attempt failure(Outcome outcome) {
    return Attempt{outcome, 0, std::nullopt};
}
RetryAction again(milliseconds shortest, milliseconds longest) {
    return RetryAction{RetryStep::send_again, {shortest, longest}, std::nullopt};
}
const RetryAction stop{};
RetryAction come_back_after(std::chrono::seconds wait) {
    return RetryAction{RetryStep::stop, {}, wait};
}

std::vector<RetryCase> table() {
    return {
        {"ok", read, answer(200), stop},
        {"created", write, answer(201), stop},
        {"not_found", read, answer(404), stop},
        {"unauthorized", read, answer(401), stop},

        // A 429 was not carried out: waited out even for a write, after Retry-After plus jitter.
        {"rate_limited_read", read, answer(429, 2s), again(2s, 2'100ms)},
        {"rate_limited_write", write, answer(429, 2s), again(2s, 2'100ms)},
        {"rate_limited_as_long_as_waited", read, answer(429, 10s), again(10s, 10'100ms)},
        {"rate_limited_too_long", read, answer(429, 11s), come_back_after(11s)},
        {"rate_limited_without_retry_after", write, answer(429), again(0ms, 100ms)},
        {"rate_limited_without_retry_after_later", RetryState{true, true, 1}, answer(429), again(0ms, 200ms)},
        {"rate_limited_at_limit", read_at_limit, answer(429, 2s), come_back_after(2s)},
        {"rate_limited_at_limit_without_retry_after", write_at_limit, answer(429), come_back_after(60s)},
        {"rate_limited_not_waited_by_this_caller", open_connection, answer(429, 3s), come_back_after(3s)},
        {"rate_limited_wait_rounded_up", open_connection, answer(429, 1'500ms), come_back_after(2s)},

        // A 5xx may have been applied: only what is safe to repeat is sent again.
        {"server_error_read", read, answer(503), again(0ms, 100ms)},
        {"server_error_read_later", RetryState{true, true, 1}, answer(500), again(0ms, 200ms)},
        {"server_error_read_with_retry_after", read, answer(503, 3s), again(3s, 3'100ms)},
        {"server_error_read_retry_after_too_long", read, answer(503, 30s), stop},
        {"server_error_read_at_limit", read_at_limit, answer(502), stop},
        {"server_error_write", write, answer(500), stop},

        // Nothing reached the server: sending again cannot do anything twice.
        {"never_sent_write", write, failure(Outcome::never_sent), again(0ms, 100ms)},
        {"never_sent_read_later", RetryState{true, true, 1}, failure(Outcome::never_sent), again(0ms, 200ms)},
        {"never_sent_at_limit", write_at_limit, failure(Outcome::never_sent), stop},
        {"lost_read", read, failure(Outcome::lost), again(0ms, 100ms)},
        {"lost_write", write, failure(Outcome::lost), stop},
        {"lost_read_at_limit", read_at_limit, failure(Outcome::lost), stop},
        // The caller's time is spent.
        {"timed_out_read", read, failure(Outcome::timed_out), stop},
        {"timed_out_write", write, failure(Outcome::timed_out), stop},
        // A malformed URL, a host that does not exist, a refused certificate: no retry can help.
        {"unusable_read", read, failure(Outcome::unusable), stop},
        {"unusable_write", write, failure(Outcome::unusable), stop},
    };
}

void PrintTo(const RetryCase& c, std::ostream* os) {
    *os << c.name;
}

class RetryTable : public ::testing::TestWithParam<RetryCase> {};

TEST_P(RetryTable, Transition) {
    const auto& c = GetParam();
    RetryState state = c.before;
    const RetryAction action = next(policy, state, c.attempt);
    EXPECT_EQ(action.step, c.action.step);
    EXPECT_EQ(action.wait.shortest, c.action.wait.shortest);
    EXPECT_EQ(action.wait.longest, c.action.wait.longest);
    EXPECT_EQ(action.come_back_after, c.action.come_back_after);
    // Every send again is counted against the bound; nothing else changes.
    RetryState expected = c.before;
    if (action.step == RetryStep::send_again) ++expected.resent;
    EXPECT_EQ(state, expected);
}

INSTANTIATE_TEST_SUITE_P(RequestTimesOutcome, RetryTable, ::testing::ValuesIn(table()),
                         [](const auto& info) { return info.param.name; });

TEST(RetryTable, CoversEveryOutcomeForReadsAndWrites) {
    std::set<std::pair<bool, Outcome>> covered;
    for (const auto& c : table()) covered.insert({c.before.idempotent, c.attempt.outcome});
    for (bool idempotent : {false, true})
        for (Outcome outcome :
             {Outcome::answered, Outcome::never_sent, Outcome::lost, Outcome::timed_out, Outcome::unusable})
            EXPECT_TRUE(covered.contains({idempotent, outcome}))
                << "idempotent=" << idempotent << " outcome=" << static_cast<int>(outcome);
}

TEST(RetryMachine, AStubbornServerGetsTheFirstSendAndTwoMore) {
    RetryState state = read;
    int sends = 1;
    while (next(policy, state, answer(503)).step == RetryStep::send_again) ++sends;
    EXPECT_EQ(sends, 3);
}

TEST(Backoff, DoublesFromTheBaseUpToTheCap) {
    const BackoffPolicy backoff{250ms, 10s, 3};
    EXPECT_EQ(backoff_range(backoff, 0), (WaitRange{0ms, 250ms}));
    EXPECT_EQ(backoff_range(backoff, 1), (WaitRange{0ms, 500ms}));
    EXPECT_EQ(backoff_range(backoff, 5), (WaitRange{0ms, 8'000ms}));
    EXPECT_EQ(backoff_range(backoff, 6), (WaitRange{0ms, 10s}));
    EXPECT_EQ(backoff_range(backoff, 1'000), (WaitRange{0ms, 10s})) << "no overflow however many attempts";
}

}  // namespace
}  // namespace collab::net
