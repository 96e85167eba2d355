// The freshness rules of the snapshot cache and of the forms rendered from keyed replies.

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "core/form_cache.hpp"
#include "core/snapshots.hpp"

namespace collab {
namespace {

using namespace std::chrono_literals;
using SteadyClock = SnapshotCache::SteadyClock;

const std::string db = "my-dedicated-db";

DatabaseSnapshot seed_state() {
    return DatabaseSnapshot{Database{db, Account{"u1", "user1@example.com", "user1"}, true},
                            {Collaborator{"c2", "user2@example.com", "user2", Status::accepted, false}}};
}

DatabaseSnapshot with_invitee(std::string email) {
    DatabaseSnapshot state = seed_state();
    state.collaborators.push_back(Collaborator{"c9", std::move(email), "n/a", Status::pending, false});
    return state;
}

// A fetch as a provider makes it: ticket first, then what it read.
CachedSnapshot fetched(SnapshotCache& cache, DatabaseSnapshot state) {
    const auto ticket = cache.ticket(db);
    return cache.store(db, ticket, std::move(state));
}

TEST(SnapshotCache, AStoredSnapshotIsFoundUntilTheDatabaseChanges) {
    SnapshotCache cache;
    EXPECT_FALSE(cache.find(db));
    const CachedSnapshot stored = fetched(cache, seed_state());
    EXPECT_NE(stored.generation, 0u);
    auto found = cache.find(db);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->state, stored.state);
    EXPECT_EQ(found->generation, stored.generation);

    cache.changed(db);
    EXPECT_FALSE(cache.find(db));
}

TEST(SnapshotCache, AChangeShowsUpInTheNextReadUnderANewGeneration) {
    SnapshotCache cache;
    const CachedSnapshot before = fetched(cache, seed_state());
    cache.changed(db);
    const CachedSnapshot after = fetched(cache, with_invitee("new@example.com"));
    EXPECT_NE(after.generation, before.generation);
    auto found = cache.find(db);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->state->collaborators.size(), 2u);
    EXPECT_EQ(found->generation, after.generation);
}

TEST(SnapshotCache, AFetchBegunBeforeAChangeNeverStoresWhatItRead) {
    SnapshotCache cache;
    const auto stale_ticket = cache.ticket(db);
    cache.changed(db);  // an invitation made through the bot while the fetch was under way
    const CachedSnapshot stale = cache.store(db, stale_ticket, seed_state());
    // Its caller may use it, but nothing may be built on it, and the next reader fetches again.
    EXPECT_EQ(stale.generation, 0u);
    EXPECT_EQ(stale.state->collaborators.size(), 1u);
    EXPECT_FALSE(cache.find(db));

    const CachedSnapshot fresh = fetched(cache, with_invitee("new@example.com"));
    EXPECT_NE(fresh.generation, 0u);
    EXPECT_EQ(cache.find(db)->state->collaborators.size(), 2u);
}

TEST(SnapshotCache, AFetchBegunBeforeAChangeSeenByAWatchNeverStoresWhatItRead) {
    SnapshotCache cache;
    fetched(cache, seed_state());
    const auto stale_ticket = cache.ticket(db);
    cache.changed_all();
    EXPECT_FALSE(cache.find(db));
    EXPECT_EQ(cache.store(db, stale_ticket, seed_state()).generation, 0u);
    EXPECT_FALSE(cache.find(db));
}

TEST(SnapshotCache, OfTwoFetchesUnderWayTheOneThatEndsLastDoesNotOverwriteTheOther) {
    SnapshotCache cache;
    const auto older = cache.ticket(db);
    const auto newer = cache.ticket(db);
    const CachedSnapshot stored = cache.store(db, newer, with_invitee("new@example.com"));
    // The older fetch may have read before the newer one: what it read is not kept.
    EXPECT_EQ(cache.store(db, older, seed_state()).generation, 0u);
    EXPECT_EQ(cache.find(db)->generation, stored.generation);
    EXPECT_EQ(cache.find(db)->state->collaborators.size(), 2u);
}

TEST(SnapshotCache, ASnapshotExpiresAndAReadOfTheSameKeepsItsGeneration) {
    SnapshotCache cache(10s);
    const auto t0 = SteadyClock::now();
    const auto first = cache.store(db, cache.ticket(db), seed_state(), t0);
    EXPECT_TRUE(cache.find(db, t0 + 9s));
    EXPECT_FALSE(cache.find(db, t0 + 10s));
    // Read again: unchanged, so whatever was rendered from it still holds.
    const auto same = cache.store(db, cache.ticket(db), seed_state(), t0 + 10s);
    EXPECT_EQ(same.generation, first.generation);
    EXPECT_TRUE(cache.find(db, t0 + 15s));
    // Changed by someone else meanwhile: a new generation.
    const auto other = cache.store(db, cache.ticket(db), with_invitee("x@example.com"), t0 + 30s);
    EXPECT_NE(other.generation, first.generation);
}

TEST(SnapshotCache, GenerationsAreNotSharedBetweenDatabases) {
    SnapshotCache cache;
    const auto mine = fetched(cache, seed_state());
    DatabaseSnapshot other_state = seed_state();
    other_state.database.name = "other-db";
    const auto other = cache.store("other-db", cache.ticket("other-db"), other_state);
    EXPECT_NE(mine.generation, other.generation);
    cache.changed("other-db");
    EXPECT_TRUE(cache.find(db));
}

// ---- forms rendered from keyed replies --------------------------------------------------------------------------

Reply keyed(std::string subject, std::uint64_t generation) {
    Reply reply;
    reply.lines.push_back({LineStyle::plain, subject});
    reply.key = ReplyKey{std::move(subject), generation};
    return reply;
}

TEST(FormCache, AReplySeenAgainIsNotRenderedAgain) {
    FormCache<std::string> forms;
    int renders = 0;
    const auto render = [&](const Reply& reply) {
        ++renders;
        return "rendered " + reply.lines.front().text;
    };
    const auto first = forms.render(keyed("list my-dedicated-db", 7), "plain", render);
    const auto again = forms.render(keyed("list my-dedicated-db", 7), "plain", render);
    EXPECT_EQ(renders, 1);
    EXPECT_EQ(first, again);
    EXPECT_EQ(*again, "rendered list my-dedicated-db");
}

TEST(FormCache, FormsForDifferentAudiencesDoNotMix) {
    FormCache<std::string> forms;
    const Reply reply = keyed("list my-dedicated-db", 7);
    const auto ephemeral =
        forms.render(reply, "blocks ephemeral", [](const Reply&) { return std::string("only you"); });
    const auto channel = forms.render(reply, "blocks in_channel", [](const Reply&) { return std::string("everyone"); });
    EXPECT_EQ(*ephemeral, "only you");
    EXPECT_EQ(*channel, "everyone");
    EXPECT_EQ(*forms.render(reply, "blocks ephemeral", [](const Reply&) { return std::string("?"); }), "only you");
    EXPECT_EQ(forms.size(), 2u);
}

TEST(FormCache, ANewGenerationIsRenderedAgainAndReplacesTheOld) {
    FormCache<std::string> forms;
    forms.render(keyed("list my-dedicated-db", 7), "plain", [](const Reply&) { return std::string("old"); });
    const auto next =
        forms.render(keyed("list my-dedicated-db", 8), "plain", [](const Reply&) { return std::string("new"); });
    EXPECT_EQ(*next, "new");
    EXPECT_EQ(forms.size(), 1u);
}

TEST(FormCache, AReplyWithoutAKeyIsRenderedEveryTime) {
    FormCache<std::string> forms;
    int renders = 0;
    Reply reply;
    for (int i = 0; i < 3; ++i) forms.render(reply, "plain", [&](const Reply&) { return std::to_string(++renders); });
    EXPECT_EQ(renders, 3);
    EXPECT_EQ(forms.size(), 0u);
}

}  // namespace
}  // namespace collab
