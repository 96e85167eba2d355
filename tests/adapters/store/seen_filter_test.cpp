#include "adapters/store/seen_filter.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>

namespace collab::testing {
namespace {

std::uint64_t digest(const std::string& key) {
    return std::hash<std::string>{}(key);
}

TEST(SeenFilter, NeverForgetsWhatWasAddedAndRarelyClaimsWhatWasNot) {
    store::SeenFilter filter;
    EXPECT_FALSE(filter.may_contain(digest("never added"))) << "empty, it holds nothing";
    constexpr int added = 15'000;
    for (int i = 0; i < added; ++i) filter.add(digest("slack-request\nv0=" + std::to_string(i)));
    EXPECT_EQ(filter.added(), static_cast<std::size_t>(added));
    for (int i = 0; i < added; ++i)
        ASSERT_TRUE(filter.may_contain(digest("slack-request\nv0=" + std::to_string(i)))) << i;
    int false_yes = 0;
    for (int i = 0; i < 100'000; ++i) false_yes += filter.may_contain(digest("other\n" + std::to_string(i))) ? 1 : 0;
    EXPECT_LT(false_yes, 100) << "more than 0.1% of new keys taken for added ones";
}

TEST(SeenFilter, ClearedItHoldsNothing) {
    store::SeenFilter filter;
    filter.add(digest("a"));
    filter.clear();
    EXPECT_FALSE(filter.may_contain(digest("a")));
    EXPECT_EQ(filter.added(), 0u);
    filter.add(digest("b"));
    EXPECT_TRUE(filter.may_contain(digest("b")));
}

}  // namespace
}  // namespace collab::testing
