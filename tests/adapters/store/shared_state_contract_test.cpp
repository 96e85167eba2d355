// What instances of the bot must agree on, run against each backend: memory (one instance, where the
// "two instances" are the one object), the same with its used tokens in its SQLite file, and PostgreSQL (two store
// objects on one database, as two processes would have).

#include <gtest/gtest.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "adapters/store/marks_in_memory.hpp"
#include "run_coroutine.hpp"
#include "store_backends.hpp"

namespace collab::testing {
namespace {

using Wait = std::optional<std::chrono::milliseconds>;

using store::ClaimState;

// Claims `key` as instance `owner`, leaving `work`; a test failure (and answered) when the store fails.
ClaimState claim(store::SharedState& state, std::string key, std::string owner = "instance-1",
                 std::chrono::milliseconds lease = 10s, std::string work = "work") {
    const auto claimed = run(state.claim(std::move(key), std::move(owner), std::move(work), lease));
    if (!claimed) {
        ADD_FAILURE() << claimed.error().message;
        return ClaimState::answered;
    }
    return *claimed;
}

bool renew(store::SharedState& state, std::string key, std::string owner, std::chrono::milliseconds lease) {
    const auto renewed = run(state.renew(std::move(key), std::move(owner), lease));
    if (!renewed) {
        ADD_FAILURE() << renewed.error().message;
        return false;
    }
    return *renewed;
}

void complete(store::SharedState& state, std::string key) {
    const auto completed = run(state.complete(std::move(key)));
    if (!completed) ADD_FAILURE() << completed.error().message;
}

// The keys taken over, with their work, sorted.
std::vector<std::pair<std::string, std::string>> sorted(const std::vector<store::Orphan>& orphans) {
    std::vector<std::pair<std::string, std::string>> keys;
    for (const auto& orphan : orphans) keys.emplace_back(orphan.key, orphan.work);
    std::sort(keys.begin(), keys.end());
    return keys;
}

std::vector<store::Orphan> take_over(store::SharedState& state, std::string owner, std::chrono::milliseconds lease,
                                     int limit = 100) {
    const auto taken = run(state.take_over_lapsed(std::move(owner), lease, limit));
    if (!taken) {
        ADD_FAILURE() << taken.error().message;
        return {};
    }
    return *taken;
}

Wait take(store::SharedState& state, std::string account, int per_minute) {
    const auto taken = run(state.take_request(std::move(account), per_minute));
    if (!taken) {
        ADD_FAILURE() << taken.error().message;
        return std::chrono::milliseconds{-1};
    }
    return *taken;
}

int left(store::SharedState& state, std::string account, int per_minute) {
    const auto counted = run(state.requests_left(std::move(account), per_minute));
    if (!counted) {
        ADD_FAILURE() << counted.error().message;
        return -1;
    }
    return *counted;
}

// Now, at a whole millisecond (what PostgreSQL keeps): the store deletes marks whose deadline has passed.
const TimePoint t0 = std::chrono::floor<std::chrono::milliseconds>(Clock::now());

// A mark made before the answer (use_once), or one that may be written behind (a signature's).
enum class Marking { before_answer, written_behind };
constexpr std::array<Marking, 2> markings{Marking::before_answer, Marking::written_behind};
// Keys of the tests that mark both ways, apart for each way.
std::string key_of(Marking marking, std::string_view key) {
    return (marking == Marking::before_answer ? "before-" : "behind-") + std::string(key);
}

boost::asio::awaitable<ApiResult<std::optional<TokenUse>>> use_once(store::SharedState& state, std::string key,
                                                                    TokenUse use, TimePoint keep_until,
                                                                    Marking marking) {
    if (marking == Marking::written_behind)
        return state.use_once_written_behind(std::move(key), std::move(use), keep_until);
    return state.use_once(std::move(key), std::move(use), keep_until);
}

// The earlier use of `key`, or nothing when this one is the first.
std::optional<TokenUse> use(store::SharedState& state, std::string key, std::string by, TimePoint at,
                            TimePoint keep_until, Marking marking = Marking::before_answer) {
    TokenUse used{at, std::move(by)};
    const auto earlier = run(use_once(state, std::move(key), std::move(used), keep_until, marking));
    if (!earlier) {
        ADD_FAILURE() << earlier.error().message;
        return TokenUse{};
    }
    return *earlier;
}

template <typename Backend>
class StoreSharedStateContract : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_NO_FATAL_FAILURE(backend_.start()); }
    Backend backend_;
};

using StateBackends = ::testing::Types<LocalBackend, LocalOnSqliteBackend, PostgresBackend>;
TYPED_TEST_SUITE(StoreSharedStateContract, StateBackends, BackendName);

TYPED_TEST(StoreSharedStateContract, only_the_first_claim_of_a_key_wins) {
    auto state = this->backend_.open_shared_state();
    EXPECT_EQ(claim(*state, "Ev01"), ClaimState::won);
    EXPECT_EQ(claim(*state, "Ev01"), ClaimState::running);
    EXPECT_EQ(claim(*state, "Ev01", "instance-2"), ClaimState::running);
    EXPECT_EQ(claim(*state, "Ev02"), ClaimState::won);
    complete(*state, "Ev01");
    EXPECT_EQ(claim(*state, "Ev01", "instance-2"), ClaimState::answered);
}

TYPED_TEST(StoreSharedStateContract, a_key_claimed_by_one_instance_is_taken_for_the_other) {
    auto first = this->backend_.open_shared_state();
    auto second = this->backend_.open_shared_state();
    EXPECT_EQ(claim(*first, "Ev01", "instance-1"), ClaimState::won);
    EXPECT_EQ(claim(*second, "Ev01", "instance-2"), ClaimState::running);
    EXPECT_EQ(claim(*second, "Ev02", "instance-2"), ClaimState::won);
    EXPECT_EQ(claim(*first, "Ev02", "instance-1"), ClaimState::running);
}

TYPED_TEST(StoreSharedStateContract, claims_racing_from_two_instances_have_one_winner_each) {
    auto first = this->backend_.open_shared_state();
    auto second = this->backend_.open_shared_state();
    constexpr int keys = 30;
    std::vector<boost::asio::awaitable<ApiResult<ClaimState>>> claims;
    for (int i = 0; i < keys; ++i) {
        std::string key = "Ev" + std::to_string(i);
        std::string same_key = key;
        std::string owner = "instance-1", other_owner = "instance-2";
        std::string work = "work", other_work = "work";
        claims.push_back(first->claim(std::move(key), std::move(owner), std::move(work), 10s));
        claims.push_back(second->claim(std::move(same_key), std::move(other_owner), std::move(other_work), 10s));
    }
    const auto results = run_together(std::move(claims));
    for (int i = 0; i < keys; ++i) {
        const auto& a = results[static_cast<std::size_t>(2 * i)];
        const auto& b = results[static_cast<std::size_t>(2 * i + 1)];
        ASSERT_TRUE(a.has_value() && b.has_value());
        EXPECT_EQ((*a == ClaimState::won) + (*b == ClaimState::won), 1)
            << "key Ev" << i << ": exactly one instance must win it";
        EXPECT_TRUE(*a == ClaimState::running || *b == ClaimState::running) << "key Ev" << i;
    }
}

TYPED_TEST(StoreSharedStateContract, a_lapsed_lease_is_taken_over_at_once_and_a_live_or_answered_one_never) {
    auto first = this->backend_.open_shared_state();
    auto second = this->backend_.open_shared_state();
    ASSERT_EQ(claim(*first, "Ev-abandoned", "instance-1", 300ms), ClaimState::won);
    ASSERT_EQ(claim(*first, "Ev-answered", "instance-1", 300ms), ClaimState::won);
    complete(*first, "Ev-answered");
    EXPECT_EQ(claim(*second, "Ev-abandoned", "instance-2", 300ms), ClaimState::running)
        << "taken over while its instance may still answer";
    std::this_thread::sleep_for(400ms);
    EXPECT_EQ(claim(*second, "Ev-abandoned", "instance-2", 10s), ClaimState::taken_over)
        << "an instance that died keeps its envelope";
    EXPECT_EQ(claim(*first, "Ev-abandoned", "instance-3", 10s), ClaimState::running) << "taken over twice";
    EXPECT_EQ(claim(*second, "Ev-answered", "instance-2", 10s), ClaimState::answered)
        << "an answered envelope ran again";
}

TYPED_TEST(StoreSharedStateContract, a_renewed_lease_keeps_the_claim_and_only_its_owner_renews_it) {
    auto first = this->backend_.open_shared_state();
    auto second = this->backend_.open_shared_state();
    ASSERT_EQ(claim(*first, "Ev01", "instance-1", 300ms), ClaimState::won);
    for (int i = 0; i < 5; ++i) {
        std::this_thread::sleep_for(100ms);
        EXPECT_TRUE(renew(*first, "Ev01", "instance-1", 300ms));
    }
    // Half a second after the claim, past its first lease: still the owner's.
    EXPECT_EQ(claim(*second, "Ev01", "instance-2", 300ms), ClaimState::running);
    EXPECT_FALSE(renew(*second, "Ev01", "instance-2", 300ms)) << "renewed by an instance that does not own it";
    EXPECT_FALSE(renew(*second, "Ev-unknown", "instance-2", 300ms));
    std::this_thread::sleep_for(400ms);
    ASSERT_EQ(claim(*second, "Ev01", "instance-2", 10s), ClaimState::taken_over);
    EXPECT_FALSE(renew(*first, "Ev01", "instance-1", 300ms)) << "the first owner kept a claim taken over from it";
    complete(*second, "Ev01");
    EXPECT_FALSE(renew(*second, "Ev01", "instance-2", 300ms)) << "an answered claim renewed";
}

TYPED_TEST(StoreSharedStateContract, lapsed_work_is_taken_over_once_with_what_its_owner_left) {
    auto first = this->backend_.open_shared_state();
    auto second = this->backend_.open_shared_state();
    auto third = this->backend_.open_shared_state();
    std::vector<std::pair<std::string, std::string>> lapsed;
    for (int i = 0; i < 6; ++i) {
        const std::string key = "Ev-lapsed-" + std::to_string(i);
        lapsed.emplace_back(key, "{\"work\":" + std::to_string(i) + "}");
        ASSERT_EQ(claim(*first, key, "instance-1", 200ms, lapsed.back().second), ClaimState::won);
    }
    ASSERT_EQ(claim(*first, "Ev-nothing-to-do", "instance-1", 200ms, ""), ClaimState::won);
    ASSERT_EQ(claim(*first, "Ev-answered", "instance-1", 200ms), ClaimState::won);
    complete(*first, "Ev-answered");
    ASSERT_EQ(claim(*first, "Ev-live", "instance-1", 10s), ClaimState::won);
    EXPECT_TRUE(take_over(*second, "instance-2", 10s).empty()) << "work taken over before its lease lapsed";
    std::this_thread::sleep_for(300ms);

    // Two instances sweep at the same moment: each lapsed claim goes to exactly one of them.
    std::vector<boost::asio::awaitable<ApiResult<std::vector<store::Orphan>>>> sweeps;
    std::string owner = "instance-2", other_owner = "instance-3";
    sweeps.push_back(second->take_over_lapsed(std::move(owner), 10s, 100));
    sweeps.push_back(third->take_over_lapsed(std::move(other_owner), 10s, 100));
    std::vector<store::Orphan> taken;
    for (auto& swept : run_together(std::move(sweeps))) {
        ASSERT_TRUE(swept.has_value()) << swept.error().message;
        taken.insert(taken.end(), swept->begin(), swept->end());
    }
    EXPECT_EQ(sorted(taken), lapsed);
    // The takers hold them now; once answered they are never taken again, and their work is forgotten.
    EXPECT_TRUE(take_over(*first, "instance-1", 10s).empty()) << "taken over twice";
    EXPECT_EQ(claim(*first, lapsed[0].first, "instance-1", 10s), ClaimState::running);
    for (const auto& [key, work] : lapsed) complete(*second, key);
    std::this_thread::sleep_for(300ms);
    EXPECT_TRUE(take_over(*first, "instance-1", 10s).empty());
}

TYPED_TEST(StoreSharedStateContract, a_sweep_takes_no_more_than_asked) {
    auto first = this->backend_.open_shared_state();
    auto second = this->backend_.open_shared_state();
    for (int i = 0; i < 5; ++i)
        ASSERT_EQ(claim(*first, "Ev" + std::to_string(i), "instance-1", 100ms), ClaimState::won);
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(take_over(*second, "instance-2", 10s, 3).size(), 3u);
    EXPECT_EQ(take_over(*second, "instance-2", 10s, 3).size(), 2u);
}

TYPED_TEST(StoreSharedStateContract, the_allowance_is_shared_between_instances) {
    auto first = this->backend_.open_shared_state();
    auto second = this->backend_.open_shared_state();
    EXPECT_EQ(take(*first, "account-1", 4), std::nullopt);
    EXPECT_EQ(take(*second, "account-1", 4), std::nullopt);
    EXPECT_EQ(take(*first, "account-1", 4), std::nullopt);
    EXPECT_EQ(take(*second, "account-1", 4), std::nullopt);
    EXPECT_NE(take(*first, "account-1", 4), std::nullopt) << "a fifth request in the minute was granted";
    EXPECT_NE(take(*second, "account-1", 4), std::nullopt) << "a fifth request in the minute was granted";
    // Another account has an allowance of its own.
    EXPECT_EQ(take(*second, "account-2", 4), std::nullopt);
}

TYPED_TEST(StoreSharedStateContract, requests_racing_from_several_instances_get_no_more_than_the_allowance) {
    std::vector<std::shared_ptr<store::SharedState>> instances;
    for (int i = 0; i < 4; ++i) instances.push_back(this->backend_.open_shared_state());
    constexpr int allowance = 25;
    std::vector<boost::asio::awaitable<ApiResult<Wait>>> takes;
    for (int i = 0; i < 60; ++i) {
        std::string account = "account-1";
        takes.push_back(instances[static_cast<std::size_t>(i % 4)]->take_request(std::move(account), allowance));
    }
    int granted = 0;
    for (const auto& taken : run_together(std::move(takes))) {
        ASSERT_TRUE(taken.has_value()) << taken.error().message;
        if (!taken->has_value()) ++granted;
    }
    EXPECT_EQ(granted, allowance);
    EXPECT_EQ(left(*instances[0], "account-1", allowance), 0);
}

TYPED_TEST(StoreSharedStateContract, a_spent_allowance_says_how_long_to_wait) {
    auto state = this->backend_.open_shared_state();
    for (int i = 0; i < 3; ++i) ASSERT_EQ(take(*state, "account-1", 3), std::nullopt);
    const auto wait = take(*state, "account-1", 3);
    ASSERT_TRUE(wait.has_value());
    // The oldest request leaves the window a minute after it was sent, which was just now.
    EXPECT_GT(*wait, 50s);
    EXPECT_LE(*wait, 60s);
}

TYPED_TEST(StoreSharedStateContract, requests_left_counts_down_for_every_instance) {
    auto first = this->backend_.open_shared_state();
    auto second = this->backend_.open_shared_state();
    EXPECT_EQ(left(*first, "account-1", 5), 5);
    ASSERT_EQ(take(*first, "account-1", 5), std::nullopt);
    ASSERT_EQ(take(*second, "account-1", 5), std::nullopt);
    EXPECT_EQ(left(*first, "account-1", 5), 3);
    EXPECT_EQ(left(*second, "account-1", 5), 3);
    for (int i = 0; i < 3; ++i) ASSERT_EQ(take(*second, "account-1", 5), std::nullopt);
    EXPECT_NE(take(*second, "account-1", 5), std::nullopt);
    EXPECT_EQ(left(*first, "account-1", 5), 0);
    EXPECT_EQ(left(*first, "account-2", 5), 5);
}

TYPED_TEST(StoreSharedStateContract, the_window_slides) {
    // A one-second window instead of a minute, so that the test can wait for the oldest to leave.
    auto first = this->backend_.open_shared_state(1s);
    auto second = this->backend_.open_shared_state(1s);
    ASSERT_EQ(take(*first, "account-1", 2), std::nullopt);
    std::this_thread::sleep_for(400ms);
    ASSERT_EQ(take(*second, "account-1", 2), std::nullopt);
    // Free again when the first request is a second old, some 600 ms from now.
    const auto wait = take(*first, "account-1", 2);
    ASSERT_TRUE(wait.has_value());
    EXPECT_GT(*wait, 0ms);
    EXPECT_LE(*wait, 600ms);
    std::this_thread::sleep_for(*wait + 50ms);
    // The first request has left the window, the second (400 ms younger) has not.
    EXPECT_EQ(left(*second, "account-1", 2), 1);
    EXPECT_EQ(take(*second, "account-1", 2), std::nullopt);
    EXPECT_NE(take(*first, "account-1", 2), std::nullopt);
}

TYPED_TEST(StoreSharedStateContract, an_allowance_of_nothing_is_refused) {
    auto state = this->backend_.open_shared_state();
    std::string account = "account-1";
    const auto taken = run(state->take_request(std::move(account), 0));
    ASSERT_FALSE(taken.has_value());
    EXPECT_EQ(taken.error().kind, ApiErrorKind::invalid_input);
}

TYPED_TEST(StoreSharedStateContract, ping_answers) {
    auto state = this->backend_.open_shared_state();
    const auto answered = run(state->ping());
    EXPECT_TRUE(answered.has_value()) << answered.error().message;
}

TYPED_TEST(StoreSharedStateContract, a_token_is_used_once_whichever_instance_is_asked) {
    auto first = this->backend_.open_shared_state();
    auto second = this->backend_.open_shared_state();
    for (const Marking marking : markings) {
        const std::string key = key_of(marking, "confirmation-1");
        EXPECT_EQ(use(*first, key, "user1@example.com", t0, t0 + 5min, marking), std::nullopt);
        for (auto* instance : {first.get(), second.get()}) {
            const auto earlier = use(*instance, key, "someone@example.com", t0 + 1min, t0 + 5min, marking);
            ASSERT_TRUE(earlier.has_value()) << key << ": a used token was accepted again";
            // When and by whom it was used first, to tell the person presenting it again.
            EXPECT_EQ(earlier->at, t0) << key;
            EXPECT_EQ(earlier->by, "user1@example.com") << key;
        }
        EXPECT_EQ(use(*second, key_of(marking, "confirmation-2"), "user1@example.com", t0 + 1min, t0 + 5min, marking),
                  std::nullopt);
    }
}

TYPED_TEST(StoreSharedStateContract, uses_racing_from_two_instances_have_one_winner_each) {
    auto first = this->backend_.open_shared_state();
    auto second = this->backend_.open_shared_state();
    constexpr int keys = 30;
    for (const Marking marking : markings) {
        std::vector<boost::asio::awaitable<ApiResult<std::optional<TokenUse>>>> uses;
        for (int i = 0; i < keys; ++i) {
            std::string key = key_of(marking, "confirmation-" + std::to_string(i));
            std::string same_key = key;
            TokenUse by_first{t0, "first"};
            TokenUse by_second{t0, "second"};
            uses.push_back(use_once(*first, std::move(key), std::move(by_first), t0 + 5min, marking));
            uses.push_back(use_once(*second, std::move(same_key), std::move(by_second), t0 + 5min, marking));
        }
        const auto results = run_together(std::move(uses));
        for (int i = 0; i < keys; ++i) {
            const auto& a = results[static_cast<std::size_t>(2 * i)];
            const auto& b = results[static_cast<std::size_t>(2 * i + 1)];
            ASSERT_TRUE(a.has_value() && b.has_value());
            EXPECT_NE(a->has_value(), b->has_value())
                << key_of(marking, std::to_string(i)) << ": exactly one use must be the first";
        }
    }
}

// The same from two threads at once, as HTTP mode's connections may ask.
TYPED_TEST(StoreSharedStateContract, uses_racing_from_two_threads_have_one_winner_each) {
    auto first = this->backend_.open_shared_state();
    auto second = this->backend_.open_shared_state();
    constexpr int keys = 200;
    for (const Marking marking : markings) {
        std::array<std::vector<bool>, 2> won;
        auto race = [&](store::SharedState& state, std::vector<bool>& firsts) {
            for (int i = 0; i < keys; ++i) {
                const auto earlier =
                    use(state, key_of(marking, "signature-" + std::to_string(i)), "racer", t0, t0 + 5min, marking);
                firsts.push_back(!earlier.has_value());
            }
        };
        std::thread one([&] { race(*first, won[0]); });
        std::thread other([&] { race(*second, won[1]); });
        one.join();
        other.join();
        ASSERT_EQ(won[0].size(), static_cast<std::size_t>(keys));
        ASSERT_EQ(won[1].size(), static_cast<std::size_t>(keys));
        for (int i = 0; i < keys; ++i)
            EXPECT_NE(won[0][static_cast<std::size_t>(i)], won[1][static_cast<std::size_t>(i)])
                << key_of(marking, std::to_string(i)) << ": exactly one use must be the first";
    }
}

TYPED_TEST(StoreSharedStateContract, a_use_is_kept_until_its_deadline) {
    auto first = this->backend_.open_shared_state();
    auto second = this->backend_.open_shared_state();
    for (const Marking marking : markings) {
        const std::string key = key_of(marking, "confirmation-1");
        EXPECT_EQ(use(*first, key, "user1@example.com", t0, t0 + 5min, marking), std::nullopt);
        // Other tokens come and go meanwhile.
        EXPECT_EQ(use(*second, key_of(marking, "confirmation-2"), "user1@example.com", t0 + 4min, t0 + 9min, marking),
                  std::nullopt);
        EXPECT_TRUE(use(*second, key, "user1@example.com", t0 + 5min - 1s, t0 + 5min, marking).has_value()) << key;
    }
}

TYPED_TEST(StoreSharedStateContract, a_forgotten_use_can_be_made_again) {
    auto first = this->backend_.open_shared_state();
    auto second = this->backend_.open_shared_state();
    for (const Marking marking : markings) {
        const std::string key = key_of(marking, "confirmation-1");
        EXPECT_EQ(use(*first, key, "user1@example.com", t0, t0 + 5min, marking), std::nullopt);
        const auto forgotten = run(first->forget(key));
        ASSERT_TRUE(forgotten.has_value()) << forgotten.error().message;
        EXPECT_EQ(use(*second, key, "user1@example.com", t0 + 1min, t0 + 5min, marking), std::nullopt) << key;
        EXPECT_TRUE(use(*first, key, "user1@example.com", t0 + 2min, t0 + 5min, marking).has_value()) << key;
    }
    // Forgetting what was never used is no error.
    EXPECT_TRUE(run(second->forget("never-used")).has_value());
}

std::optional<std::string> recall(store::SharedState& state, std::string key, TimePoint now) {
    const auto recalled = run(state.recall(std::move(key), now));
    if (!recalled) {
        ADD_FAILURE() << recalled.error().message;
        return std::nullopt;
    }
    return *recalled;
}

TYPED_TEST(StoreSharedStateContract, a_kept_value_is_recalled_by_any_instance_until_its_deadline) {
    auto first = this->backend_.open_shared_state();
    auto second = this->backend_.open_shared_state();
    ASSERT_TRUE(run(first->keep("proposal-1", "token-1", t0 + 5min)).has_value());
    EXPECT_EQ(recall(*second, "proposal-1", t0 + 1min), "token-1");
    EXPECT_EQ(recall(*first, "proposal-1", t0 + 5min - 1ms), "token-1");
    // A key kept again keeps its first value.
    ASSERT_TRUE(run(second->keep("proposal-1", "token-2", t0 + 10min)).has_value());
    EXPECT_EQ(recall(*first, "proposal-1", t0 + 2min), "token-1");
    EXPECT_EQ(recall(*second, "never-kept", t0), std::nullopt);
    EXPECT_EQ(recall(*second, "proposal-1", t0 + 5min), std::nullopt);
}

TEST(StoreLocalState, used_tokens_are_let_go_after_their_deadline) {
    store::LocalState state;
    EXPECT_EQ(use(state, "confirmation-1", "user1@example.com", t0, t0 + 5min), std::nullopt);
    EXPECT_TRUE(use(state, "confirmation-1", "user1@example.com", t0 + 5min - 1s, t0 + 5min).has_value());
    // Past it the token itself is refused: the mark guards nothing and need not take memory.
    EXPECT_EQ(use(state, "confirmation-1", "user1@example.com", t0 + 5min, t0 + 10min), std::nullopt);
}

TEST(StoreLocalState, the_oldest_claims_are_forgotten_past_the_capacity) {
    store::LocalState state(store::LocalStateOptions{.claim_capacity = 3});
    for (std::string key : {"Ev1", "Ev2", "Ev3", "Ev4"}) EXPECT_EQ(claim(state, key), ClaimState::won);
    EXPECT_EQ(claim(state, "Ev4"), ClaimState::running);
    EXPECT_EQ(claim(state, "Ev2"), ClaimState::running);
    EXPECT_EQ(claim(state, "Ev1"), ClaimState::won) << "the oldest key was kept past the capacity";
}

TEST(StoreLocalState, answered_claims_are_let_go_a_generation_at_a_time_within_the_capacity) {
    store::LocalState state(store::LocalStateOptions{.claim_capacity = 4});
    auto answer = [&](const std::string& key) {
        EXPECT_EQ(claim(state, key), ClaimState::won) << key;
        ASSERT_TRUE(run(state.complete(key)).has_value());
    };
    answer("Ev1");
    answer("Ev2");
    answer("Ev3");  // the first two, half the capacity, are now the older generation
    EXPECT_EQ(claim(state, "Ev1"), ClaimState::answered) << "forgotten before half the capacity came after it";
    answer("Ev4");
    answer("Ev5");  // the older generation goes whole
    EXPECT_EQ(claim(state, "Ev2"), ClaimState::won) << "the older generation was not let go whole";
    EXPECT_EQ(claim(state, "Ev3"), ClaimState::answered);
    EXPECT_EQ(claim(state, "Ev5"), ClaimState::answered);
}

TEST(StoreLocalState, past_the_capacity_answered_claims_go_before_running_ones) {
    store::LocalState state(store::LocalStateOptions{.claim_capacity = 2});
    EXPECT_EQ(claim(state, "Ev1"), ClaimState::won);  // left running
    EXPECT_EQ(claim(state, "Ev2"), ClaimState::won);
    ASSERT_TRUE(run(state.complete("Ev2")).has_value());
    EXPECT_EQ(claim(state, "Ev3"), ClaimState::won);
    EXPECT_EQ(claim(state, "Ev1"), ClaimState::running) << "a running claim went before an answered one";
    EXPECT_EQ(claim(state, "Ev2"), ClaimState::won) << "the answered claim was kept past the capacity";
}

TEST(StoreLocalState, answered_claims_are_forgotten_after_their_time_but_running_ones_are_not) {
    store::LocalState state(store::LocalStateOptions{.remember_answered = 30ms});
    EXPECT_EQ(claim(state, "Ev1"), ClaimState::won);
    EXPECT_EQ(claim(state, "Ev2"), ClaimState::won);
    ASSERT_TRUE(run(state.complete("Ev1")).has_value());
    EXPECT_EQ(claim(state, "Ev1"), ClaimState::answered) << "a re-delivery within the time";
    std::this_thread::sleep_for(60ms);
    EXPECT_EQ(claim(state, "Ev3"), ClaimState::won);  // lets go of what is past its time
    EXPECT_EQ(claim(state, "Ev1"), ClaimState::won) << "an answered key was kept past its time";
    EXPECT_EQ(claim(state, "Ev2"), ClaimState::running) << "a claim not answered yet was forgotten";
}

// A single instance restarted on its state file: what was used stays used, until its deadline.
TEST(LocalOnSqlite, UsesOutliveARestart) {
    TempDir dir;
    for (const Marking marking : markings) {
        {
            store::SqliteAuditLog file(dir / "state.sqlite");
            store::LocalState state(store::LocalStateOptions{.durable_tokens = &file});
            EXPECT_EQ(
                use(state, key_of(marking, "request:my-dedicated-db"), "user1@example.com", t0, t0 + 5min, marking),
                std::nullopt);
            EXPECT_EQ(use(state, key_of(marking, "short-lived"), "user1@example.com", t0, t0 + 1s, marking),
                      std::nullopt);
        }
        store::SqliteAuditLog file(dir / "state.sqlite");
        store::LocalState restarted(store::LocalStateOptions{.durable_tokens = &file});
        const auto earlier = use(restarted, key_of(marking, "request:my-dedicated-db"), "user2@example.com", t0 + 1min,
                                 t0 + 5min, marking);
        ASSERT_TRUE(earlier) << key_of(marking, "a replay after a restart");
        EXPECT_EQ(earlier->by, "user1@example.com");
        EXPECT_EQ(earlier->at, t0);
        // Past its deadline, a mark guards nothing; one written behind may guard longer (see UsedTokens).
        if (marking == Marking::before_answer) {
            EXPECT_EQ(use(restarted, key_of(marking, "short-lived"), "user2@example.com", t0 + 1min, t0 + 5min),
                      std::nullopt)
                << "past its deadline, a mark guards nothing";
        }
    }
}

// The keys of the marks in `file`, read as another process would.
std::vector<std::string> marked_keys(const std::filesystem::path& file) {
    SQLite::Database db(file.string(), SQLite::OPEN_READONLY);
    SQLite::Statement keys(db, "SELECT key FROM used_tokens ORDER BY key");
    std::vector<std::string> found;
    while (keys.executeStep()) found.push_back(keys.getColumn(0).getString());
    return found;
}

AuditEntry recorded_change() {
    AuditEntry entry;
    entry.at = t0;
    entry.platform = "slack";
    entry.action = "remove";
    entry.database = "my-dedicated-db";
    entry.target = "user2@example.com";
    entry.outcome = AuditOutcome::executed;
    return entry;
}

// A signature's mark is written behind the answer, but never behind what the request leads to: it is in
// the file once anything recorded after it is.
TEST(LocalOnSqlite, AMarkWrittenBehindIsOnDiskBeforeWhatIsRecordedAfterIt) {
    TempDir dir;
    store::SqliteAuditLog file(dir / "state.sqlite");
    store::LocalState state(store::LocalStateOptions{.durable_tokens = &file});
    EXPECT_EQ(use(state, "slack-request-1", "/slack/commands", t0, t0 + 10min, Marking::written_behind), std::nullopt);
    const auto recorded = run(file.record(recorded_change()));
    ASSERT_TRUE(recorded.has_value()) << recorded.error().message;
    EXPECT_EQ(marked_keys(dir / "state.sqlite"), std::vector<std::string>{"slack-request-1"});
}

// Past the memory's room, keys are marked in the file, as use_once does; a replay of one of them is
// refused, also once the keys that filled the memory are let go.
TEST(LocalOnSqlite, PastTheMemorysRoomMarksGoToTheFileAndStillGuard) {
    TempDir dir;
    store::SqliteAuditLog file(dir / "state.sqlite", 2);  // two generations of one key
    store::LocalState state(store::LocalStateOptions{.durable_tokens = &file});
    const auto behind = Marking::written_behind;
    EXPECT_EQ(use(state, "signature-1", "/slack/commands", t0, t0 + 1min, behind), std::nullopt);
    EXPECT_EQ(use(state, "signature-2", "/slack/commands", t0, t0 + 1min, behind), std::nullopt);
    EXPECT_EQ(use(state, "signature-3", "/slack/commands", t0 + 1s, t0 + 10min, behind), std::nullopt)
        << "no room in memory";
    // The first two are let go from memory at their deadline, and the third is asked about in the file.
    const auto replay = use(state, "signature-3", "/slack/events", t0 + 2min, t0 + 12min, behind);
    ASSERT_TRUE(replay.has_value()) << "a replay of a key marked in the file for want of room was accepted";
    EXPECT_EQ(replay->at, t0 + 1s);
    EXPECT_EQ(replay->by, "/slack/commands");
    EXPECT_EQ(use(state, "signature-4", "/slack/commands", t0 + 2min, t0 + 12min, behind), std::nullopt);
    EXPECT_TRUE(use(state, "signature-4", "/slack/commands", t0 + 3min, t0 + 13min, behind).has_value());
}

// Restarted with less room in memory than the marks an earlier process left: those not held are asked
// about in the file, and every replay is refused.
TEST(LocalOnSqlite, MarksBeyondTheMemorysRoomAtOpenStillGuard) {
    TempDir dir;
    constexpr int keys = 6;
    {
        store::SqliteAuditLog file(dir / "state.sqlite");
        store::LocalState state(store::LocalStateOptions{.durable_tokens = &file});
        for (int i = 0; i < keys; ++i)
            EXPECT_EQ(use(state, "signature-" + std::to_string(i), "/slack/commands", t0, t0 + 10min,
                          Marking::written_behind),
                      std::nullopt);
    }
    store::SqliteAuditLog file(dir / "state.sqlite", 2);
    store::LocalState restarted(store::LocalStateOptions{.durable_tokens = &file});
    for (int i = 0; i < keys; ++i)
        EXPECT_TRUE(use(restarted, "signature-" + std::to_string(i), "/slack/commands", t0 + 1min, t0 + 11min,
                        Marking::written_behind)
                        .has_value())
            << "signature-" << i << ": a replay after a restart was accepted";
    EXPECT_EQ(use(restarted, "signature-new", "/slack/commands", t0 + 1min, t0 + 11min, Marking::written_behind),
              std::nullopt);
}

// A state file from the version before marks were written behind: the signatures it marked are read
// back as marks written behind, and their replays refused.
TEST(LocalOnSqlite, SignaturesMarkedByTheVersionBeforeAreReadBack) {
    TempDir dir;
    const std::string key = "slack-request\nv0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    {
        store::SqliteAuditLog file(dir / "state.sqlite");
        TokenUse first{t0, "/slack/commands"};
        ASSERT_TRUE(run(file.use_once(key, std::move(first), t0 + 10min)).has_value());
        TokenUse confirmation{t0, "user1@example.com"};
        ASSERT_TRUE(run(file.use_once("confirmation-1", std::move(confirmation), t0 + 10min)).has_value());
    }
    {
        // What that version left: no column telling the marks apart, and schema version 5.
        SQLite::Database db((dir / "state.sqlite").string(), SQLite::OPEN_READWRITE);
        db.exec("ALTER TABLE used_tokens DROP COLUMN written_behind");
        db.exec("PRAGMA user_version = 5");
    }
    store::SqliteAuditLog file(dir / "state.sqlite");
    store::LocalState state(store::LocalStateOptions{.durable_tokens = &file});
    const auto replay = use(state, key, "/slack/commands", t0 + 1min, t0 + 11min, Marking::written_behind);
    ASSERT_TRUE(replay.has_value()) << "a replay of a request the version before took in was accepted";
    EXPECT_EQ(replay->at, t0);
    SQLite::Database db((dir / "state.sqlite").string(), SQLite::OPEN_READONLY);
    EXPECT_EQ(db.execAndGet("SELECT written_behind FROM used_tokens WHERE key = 'confirmation-1'").getInt(), 0)
        << "a confirmation's mark is not a signature's";
}

// A mark the file refuses (here a trigger; in life a full disk) fails no entry beside it, and this process
// still refuses the replay once the file takes marks again, though it cannot tell when the first use was.
TEST(LocalOnSqlite, AMarkTheFileLosesStillGuardsThisProcess) {
    TempDir dir;
    const auto path = (dir / "state.sqlite").string();
    { store::SqliteAuditLog created(dir / "state.sqlite"); }
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.exec(
        "CREATE TRIGGER lose_marks BEFORE INSERT ON used_tokens WHEN NEW.key LIKE 'lost-%' "
        "BEGIN SELECT RAISE(ABORT, 'no room on the disk'); END");
    store::SqliteAuditLog file(dir / "state.sqlite");
    store::LocalState state(store::LocalStateOptions{.durable_tokens = &file});
    EXPECT_EQ(use(state, "lost-signature", "/slack/commands", t0, t0 + 10min, Marking::written_behind), std::nullopt);
    const auto recorded = run(file.record(recorded_change()));
    ASSERT_TRUE(recorded.has_value()) << recorded.error().message;
    EXPECT_TRUE(marked_keys(dir / "state.sqlite").empty());
    db.exec("DROP TRIGGER lose_marks");
    const auto replay = use(state, "lost-signature", "/slack/commands", t0 + 1s, t0 + 10min, Marking::written_behind);
    ASSERT_TRUE(replay.has_value()) << "a replay was accepted";
    EXPECT_EQ(replay->at, TimePoint{});
}

// Two keys that share a fingerprint in memory: the second is asked about in the file, found new, and
// each is refused when it comes back.
TEST(LocalOnSqlite, KeysSharingAFingerprintAreToldApartByTheFile) {
    TempDir dir;
    store::SqliteAuditLog file(dir / "state.sqlite");
    store::LocalState state(store::LocalStateOptions{.durable_tokens = &file});
    // Two keys with one fingerprint: about 80,000 keys in, by the birthday bound.
    std::unordered_map<std::uint32_t, std::string> seen;
    std::string first, second;
    for (int i = 0; second.empty(); ++i) {
        std::string key = "signature-" + std::to_string(i);
        const auto [found, fresh] = seen.emplace(store::MarksInMemory::fingerprint_of(store::digest_of(key)), key);
        if (!fresh) {
            first = found->second;
            second = std::move(key);
        }
    }
    EXPECT_EQ(use(state, first, "/slack/commands", t0, t0 + 10min, Marking::written_behind), std::nullopt);
    EXPECT_EQ(use(state, second, "/slack/events", t0 + 1s, t0 + 10min, Marking::written_behind), std::nullopt);
    const auto replay = use(state, second, "/slack/events", t0 + 2s, t0 + 10min, Marking::written_behind);
    ASSERT_TRUE(replay.has_value());
    EXPECT_EQ(replay->at, t0 + 1s);
    EXPECT_TRUE(use(state, first, "/slack/commands", t0 + 3s, t0 + 10min, Marking::written_behind).has_value());
}

// A single instance restarted on its state file: the proposals its buttons name are still recalled, until
// their deadline, and a key kept again still keeps its first value.
TEST(LocalOnSqlite, KeptValuesOutliveARestart) {
    TempDir dir;
    {
        store::SqliteAuditLog file(dir / "state.sqlite");
        store::LocalState state(store::LocalStateOptions{.durable_values = &file});
        ASSERT_TRUE(run(state.keep("proposal-1", "token-1", t0 + 5min)).has_value());
        ASSERT_TRUE(run(state.keep("short-lived", "token-2", t0 + 1s)).has_value());
    }
    store::SqliteAuditLog file(dir / "state.sqlite");
    store::LocalState restarted(store::LocalStateOptions{.durable_values = &file});
    EXPECT_EQ(recall(restarted, "proposal-1", t0 + 1min), "token-1");
    ASSERT_TRUE(run(restarted.keep("proposal-1", "token-3", t0 + 10min)).has_value());
    EXPECT_EQ(recall(restarted, "proposal-1", t0 + 2min), "token-1");
    EXPECT_EQ(recall(restarted, "short-lived", t0 + 1min), std::nullopt) << "a value answered past its deadline";
    EXPECT_EQ(recall(restarted, "proposal-1", t0 + 5min), std::nullopt) << "a value answered past its deadline";
}

}  // namespace
}  // namespace collab::testing
