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
    EXPECT_TRUE(marks.contains(digest_of("signature-1"), t0 + 1min));
    EXPECT_FALSE(marks.contains(digest_of("signature-2"), t0 + 1min));
    EXPECT_TRUE(marks.contains(digest_of("signature-1"), t0 + 10min - 1ms));
    EXPECT_FALSE(marks.contains(digest_of("signature-1"), t0 + 10min)) << "held past its generation's deadline";
    EXPECT_EQ(marks.size(), 0u);
}

TEST(MarksInMemory, a_generation_is_let_go_once_its_last_deadline_has_passed) {
    MarksInMemory marks(100);
    ASSERT_TRUE(marks.take(digest_of("signature-1"), t0 + 10min, t0));
    ASSERT_TRUE(marks.take(digest_of("signature-2"), t0 + 11min, t0 + 1min));
    // The first deadline has passed: the generation spans a lifetime, and a newer one takes over.
    ASSERT_TRUE(marks.take(digest_of("signature-3"), t0 + 20min, t0 + 10min));
    EXPECT_TRUE(marks.contains(digest_of("signature-1"), t0 + 10min)) << "let go with its generation, not alone";
    EXPECT_TRUE(marks.contains(digest_of("signature-2"), t0 + 10min));
    ASSERT_TRUE(marks.take(digest_of("signature-4"), t0 + 21min, t0 + 11min));
    EXPECT_FALSE(marks.contains(digest_of("signature-1"), t0 + 11min));
    EXPECT_FALSE(marks.contains(digest_of("signature-2"), t0 + 11min));
    EXPECT_TRUE(marks.contains(digest_of("signature-3"), t0 + 11min));
    EXPECT_TRUE(marks.contains(digest_of("signature-4"), t0 + 11min));
    EXPECT_EQ(marks.size(), 2u);
}

TEST(MarksInMemory, past_the_capacity_nothing_is_taken_in_until_deadlines_pass) {
    MarksInMemory marks(4);  // two generations of two
    for (int i = 0; i < 4; ++i)
        ASSERT_TRUE(marks.take(digest_of("signature-" + std::to_string(i)), t0 + 10min, t0 + std::chrono::seconds{i}));
    EXPECT_FALSE(marks.take(digest_of("signature-4"), t0 + 10min, t0 + 5s));
    EXPECT_FALSE(marks.contains(digest_of("signature-4"), t0 + 5s));
    for (int i = 0; i < 4; ++i) EXPECT_TRUE(marks.contains(digest_of("signature-" + std::to_string(i)), t0 + 5s)) << i;
    // Once the older generation's deadlines have passed, there is room again.
    EXPECT_TRUE(marks.take(digest_of("signature-4"), t0 + 20min, t0 + 10min));
    EXPECT_TRUE(marks.contains(digest_of("signature-4"), t0 + 10min));
}

TEST(MarksInMemory, an_erased_key_is_no_longer_recognised) {
    MarksInMemory marks(100);
    ASSERT_TRUE(marks.take(digest_of("signature-1"), t0 + 10min, t0));
    ASSERT_TRUE(marks.take(digest_of("signature-2"), t0 + 10min, t0));
    marks.erase(digest_of("signature-1"));
    EXPECT_FALSE(marks.contains(digest_of("signature-1"), t0));
    EXPECT_TRUE(marks.contains(digest_of("signature-2"), t0));
    ASSERT_TRUE(marks.take(digest_of("signature-1"), t0 + 10min, t0 + 1s));
    EXPECT_TRUE(marks.contains(digest_of("signature-1"), t0 + 1s));
}

}  // namespace
}  // namespace collab::store
