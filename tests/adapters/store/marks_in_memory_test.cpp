// The keys a state file marks behind, as held in memory: what is taken in is recognised until its
// deadline, and the memory is let go as deadlines pass, a generation at a time, within a capacity.

#include <gtest/gtest.h>

#include <chrono>

#include "adapters/store/marks_in_memory.hpp"

namespace collab::store {
namespace {

using namespace std::chrono_literals;

const TimePoint t0 = TimePoint{std::chrono::milliseconds{1'795'000'000'000}};

TEST(MarksInMemory, a_key_taken_in_is_recognised_until_its_deadline) {
    MarksInMemory marks(100);
    ASSERT_TRUE(marks.take(digest_of("signature-1"), t0 + 10min, t0));
    EXPECT_TRUE(marks.may_hold(digest_of("signature-1"), t0 + 1min));
    EXPECT_FALSE(marks.may_hold(digest_of("signature-2"), t0 + 1min));
    EXPECT_TRUE(marks.may_hold(digest_of("signature-1"), t0 + 10min - 1ms));
    EXPECT_FALSE(marks.may_hold(digest_of("signature-1"), t0 + 10min)) << "held past its generation's deadline";
    EXPECT_EQ(marks.size(), 0u);
}

TEST(MarksInMemory, a_generation_is_let_go_once_its_last_deadline_has_passed) {
    MarksInMemory marks(100);
    ASSERT_TRUE(marks.take(digest_of("signature-1"), t0 + 10min, t0));
    ASSERT_TRUE(marks.take(digest_of("signature-2"), t0 + 11min, t0 + 1min));
    // The first deadline has passed: the generation spans a lifetime, and a newer one takes over.
    ASSERT_TRUE(marks.take(digest_of("signature-3"), t0 + 20min, t0 + 10min));
    EXPECT_TRUE(marks.may_hold(digest_of("signature-1"), t0 + 10min)) << "let go with its generation, not alone";
    EXPECT_TRUE(marks.may_hold(digest_of("signature-2"), t0 + 10min));
    ASSERT_TRUE(marks.take(digest_of("signature-4"), t0 + 21min, t0 + 11min));
    EXPECT_FALSE(marks.may_hold(digest_of("signature-1"), t0 + 11min));
    EXPECT_FALSE(marks.may_hold(digest_of("signature-2"), t0 + 11min));
    EXPECT_TRUE(marks.may_hold(digest_of("signature-3"), t0 + 11min));
    EXPECT_TRUE(marks.may_hold(digest_of("signature-4"), t0 + 11min));
    EXPECT_EQ(marks.size(), 2u);
}

TEST(MarksInMemory, past_the_capacity_nothing_is_taken_in_until_deadlines_pass) {
    MarksInMemory marks(4);  // two generations of two
    for (int i = 0; i < 4; ++i)
        ASSERT_TRUE(marks.take(digest_of("signature-" + std::to_string(i)), t0 + 10min, t0 + std::chrono::seconds{i}));
    EXPECT_FALSE(marks.take(digest_of("signature-4"), t0 + 10min, t0 + 5s));
    EXPECT_FALSE(marks.may_hold(digest_of("signature-4"), t0 + 5s));
    for (int i = 0; i < 4; ++i) EXPECT_TRUE(marks.may_hold(digest_of("signature-" + std::to_string(i)), t0 + 5s)) << i;
    // Once the deadlines have passed, there is room again.
    EXPECT_TRUE(marks.take(digest_of("signature-4"), t0 + 20min, t0 + 10min));
    EXPECT_TRUE(marks.may_hold(digest_of("signature-4"), t0 + 10min));
}

TEST(MarksInMemory, a_key_taken_in_again_is_held_until_its_later_deadline) {
    MarksInMemory marks(100);
    ASSERT_TRUE(marks.take(digest_of("signature-1"), t0 + 1min, t0));
    ASSERT_TRUE(marks.take(digest_of("signature-2"), t0 + 2min, t0));
    // The first deadline has passed: that generation becomes the older, let go at two minutes, and
    // the first key, taken in again, goes to the newer one.
    ASSERT_TRUE(marks.take(digest_of("signature-3"), t0 + 11min, t0 + 1min));
    ASSERT_TRUE(marks.take(digest_of("signature-1"), t0 + 12min, t0 + 1min));
    EXPECT_TRUE(marks.may_hold(digest_of("signature-2"), t0 + 2min - 1ms));
    EXPECT_FALSE(marks.may_hold(digest_of("signature-2"), t0 + 2min));
    EXPECT_TRUE(marks.may_hold(digest_of("signature-1"), t0 + 2min));
    EXPECT_EQ(marks.size(), 2u);
}

// While the older generation still holds keys, the newer keeps taking them past its first deadline.
TEST(MarksInMemory, the_newer_generation_waits_for_the_older_to_be_let_go) {
    MarksInMemory marks(100);
    ASSERT_TRUE(marks.take(digest_of("signature-1"), t0 + 10min, t0));
    ASSERT_TRUE(marks.take(digest_of("signature-2"), t0 + 25min, t0));
    // Ten minutes in, this generation becomes the older, until 25 minutes.
    ASSERT_TRUE(marks.take(digest_of("signature-3"), t0 + 20min, t0 + 10min));
    ASSERT_TRUE(marks.take(digest_of("signature-4"), t0 + 28min, t0 + 10min));
    // Past the newer's first deadline, with the older still there: the newer takes the key.
    ASSERT_TRUE(marks.take(digest_of("signature-5"), t0 + 31min, t0 + 21min));
    EXPECT_TRUE(marks.may_hold(digest_of("signature-1"), t0 + 25min - 1ms));
    EXPECT_FALSE(marks.may_hold(digest_of("signature-1"), t0 + 25min));
    // The older gone, the newer becomes the older, and is let go whole at 31 minutes.
    ASSERT_TRUE(marks.take(digest_of("signature-6"), t0 + 36min, t0 + 26min));
    EXPECT_TRUE(marks.may_hold(digest_of("signature-3"), t0 + 26min)) << "held with its generation";
    EXPECT_TRUE(marks.may_hold(digest_of("signature-5"), t0 + 31min - 1ms));
    EXPECT_FALSE(marks.may_hold(digest_of("signature-5"), t0 + 31min));
    EXPECT_TRUE(marks.may_hold(digest_of("signature-6"), t0 + 31min));
    EXPECT_EQ(marks.size(), 1u);
}

TEST(MarksInMemory, a_full_generation_still_takes_a_key_it_holds) {
    MarksInMemory marks(2);  // two generations of one
    ASSERT_TRUE(marks.take(digest_of("signature-1"), t0 + 10min, t0));
    ASSERT_TRUE(marks.take(digest_of("signature-2"), t0 + 10min, t0));
    EXPECT_TRUE(marks.take(digest_of("signature-2"), t0 + 11min, t0 + 1s));
    EXPECT_FALSE(marks.take(digest_of("signature-3"), t0 + 11min, t0 + 1s));
}

}  // namespace
}  // namespace collab::store
