// A proposal's token put away for its buttons and found again by their custom_id, in the shared state.

#include <gtest/gtest.h>

#include "adapters/chat/discord/messages.hpp"
#include "adapters/chat/discord/proposal_shelf.hpp"
#include "adapters/store/local_state.hpp"
#include "run_coroutine.hpp"

namespace collab::discord {
namespace {

using collab::testing::run;
using namespace std::chrono_literals;

const TimePoint t0 = std::chrono::floor<std::chrono::milliseconds>(Clock::now());
const TimePoint deadline = t0 + 5min;

std::string put_away(ProposalShelf& shelf, std::string token) {
    const auto id = run(shelf.put_away(token, deadline));
    EXPECT_TRUE(id.has_value());
    return id.value_or("");
}

std::optional<std::string> find(ProposalShelf& shelf, std::string id, TimePoint now) {
    const auto found = run(shelf.find(id, now));
    EXPECT_TRUE(found.has_value());
    return found.value_or(std::nullopt);
}

TEST(ProposalShelf, AButtonFindsItsProposalUntilItExpires) {
    store::LocalState shared;
    ProposalShelf shelf(shared);
    const std::string id = put_away(shelf, "sealed-token");
    // What the button carries is short enough for Discord, and reads back to the same id.
    EXPECT_LE(confirm_custom_id(id).size(), max_custom_id);
    const auto click = read_custom_id(confirm_custom_id(id));
    ASSERT_TRUE(click.has_value());
    EXPECT_EQ(find(shelf, click->proposal_id, t0 + 1min), "sealed-token");
    EXPECT_EQ(find(shelf, click->proposal_id, deadline), std::nullopt);
}

TEST(ProposalShelf, EveryProposalHasItsOwnId) {
    store::LocalState shared;
    ProposalShelf shelf(shared);
    const std::string first = put_away(shelf, "token-1");
    const std::string second = put_away(shelf, "token-2");
    EXPECT_NE(first, second);
    EXPECT_EQ(find(shelf, first, t0), "token-1");
    EXPECT_EQ(find(shelf, second, t0), "token-2");
    // An id nobody was given finds nothing.
    EXPECT_EQ(find(shelf, std::string(32, '0'), t0), std::nullopt);
}

}  // namespace
}  // namespace collab::discord
