// The invitation watch end to end on the in-process sandbox: invitations sent through the service are
// remembered in a real SQLite state file (and a real PostgreSQL), and each acceptance or revocation is
// announced once, in the channel the invitation was made in, naming the inviter.

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <iostream>
#include <thread>

#include "adapters/chat/watcher.hpp"
#include "adapters/store/local_state.hpp"
#include "adapters/store/postgres_store.hpp"
#include "adapters/store/sqlite_audit_log.hpp"
#include "postgres_test_server.hpp"
#include "watch_harness.hpp"

namespace collab::testing {
namespace {
namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr std::string_view accepted_text =
    "user4@example.com accepted the invitation to my-dedicated-db (invited by user1 less than a minute ago)";

class WatchOnSqlite : public ::testing::Test {
protected:
    std::filesystem::path state_file() const { return sandbox_.dir() / "state.sqlite"; }
    std::unique_ptr<store::SqliteAuditLog> open_state() {
        return std::make_unique<store::SqliteAuditLog>(state_file());
    }
    WatchRound round(InvitationLog& log) {
        InvitationWatch watch(sandbox_.api(), log, announcer_, sandbox_.clock(), "slack");
        auto done = run(watch.round());
        EXPECT_TRUE(done) << done.error().message;
        return done.value_or(WatchRound{});
    }

    Sandboxed sandbox_;
    RecordingAnnouncer announcer_;
};

TEST_F(WatchOnSqlite, AnAcceptedInvitationIsAnnouncedOnceInItsChannelNamingTheInviter) {
    auto state = open_state();
    ASSERT_EQ(sandbox_.invite(*state, "my-dedicated-db", "user4@example.com"),
              "-----> user4@example.com has been invited to collaborate to my-dedicated-db (by user1)\n");
    EXPECT_EQ(round(*state).databases, 1u);
    EXPECT_TRUE(announcer_.said().empty()) << "still pending: nothing to say";

    sandbox_.accept("user4@example.com");
    EXPECT_EQ(round(*state).accepted, 1u);
    EXPECT_EQ(round(*state).databases, 0u) << "announced: no longer watched";
    const auto said = announcer_.said();
    ASSERT_EQ(said.size(), 1u);
    EXPECT_EQ(said[0].where, "C111");
    EXPECT_EQ(said[0].text, "-----> " + std::string(accepted_text) + "\n");
    EXPECT_EQ(said[0].mentioned, "U111");
}

TEST_F(WatchOnSqlite, ARevokedInvitationIsReportedAsRevokedOrExpiredNotAsAccepted) {
    auto state = open_state();
    sandbox_.invite(*state, "my-dedicated-db", "user4@example.com");
    sandbox_.revoke("my-dedicated-db", "user4@example.com");
    EXPECT_EQ(round(*state).vanished, 1u);
    const auto said = announcer_.said();
    ASSERT_EQ(said.size(), 1u);
    EXPECT_EQ(said[0].where, "C111");
    EXPECT_EQ(said[0].text,
              " !     The invitation of user4@example.com to my-dedicated-db was revoked or expired before it was "
              "accepted (invited by user1 less than a minute ago)\n");
}

TEST_F(WatchOnSqlite, ARestartLosesNothingAndAnnouncesNothingTwice) {
    sandbox_.invite(*open_state(), "my-dedicated-db", "user4@example.com");
    // The bot is down while the invitation is accepted.
    sandbox_.accept("user4@example.com");
    EXPECT_EQ(round(*open_state()).accepted, 1u);
    EXPECT_EQ(round(*open_state()).accepted, 0u) << "started again after announcing it";
    EXPECT_EQ(announcer_.said().size(), 1u);
}

TEST_F(WatchOnSqlite, WhenTheBotMayNotPostInTheChannelTheInviterIsToldDirectly) {
    auto state = open_state();
    announcer_.closed_channels = {"C111"};
    sandbox_.invite(*state, "my-dedicated-db", "user4@example.com");
    sandbox_.accept("user4@example.com");
    round(*state);
    const auto said = announcer_.said();
    ASSERT_EQ(said.size(), 1u);
    EXPECT_EQ(said[0].where, "dm:U111");
    EXPECT_EQ(said[0].text, "-----> " + std::string(accepted_text) + "\n");
}

TEST_F(WatchOnSqlite, NothingToWatchAsksNothingUpstream) {
    auto state = open_state();
    for (int i = 0; i < 5; ++i) EXPECT_EQ(round(*state).databases, 0u);
    EXPECT_EQ(sandbox_.api().lists.load(), 0);
    // An invitation the bot did not send (the seed's user3 is pending) is none of its business either.
    EXPECT_TRUE(announcer_.said().empty());
}

TEST_F(WatchOnSqlite, OnlyTheDatabasesWithPendingInvitationsAreReadOneRequestEach) {
    auto state = open_state();
    sandbox_.invite(*state, "my-dedicated-db", "user4@example.com");
    sandbox_.invite(*state, "my-dedicated-db", "user5@example.com");
    const int before = sandbox_.api().lists.load();
    EXPECT_EQ(round(*state).databases, 1u);
    EXPECT_EQ(sandbox_.api().lists.load() - before, 1);
}

TEST_F(WatchOnSqlite, InvitationsMadeOnAnotherPlatformAreLeftToThatPlatformsWatch) {
    auto state = open_state();
    sandbox_.invite(*state, "my-dedicated-db", "user4@example.com");
    sandbox_.accept("user4@example.com");
    InvitationWatch shell_watch(sandbox_.api(), *state, announcer_, sandbox_.clock(), "shell");
    EXPECT_EQ(run(shell_watch.round())->databases, 0u);
    EXPECT_TRUE(announcer_.said().empty());
    EXPECT_EQ(round(*state).accepted, 1u);
}

// Several instances on one PostgreSQL database: each notice goes out once.
TEST(WatchOnPostgres, SeveralInstancesAnnounceEachAcceptanceOnce) {
    if (postgres_admin_url().empty()) GTEST_FAIL() << postgres_missing_message();
    TestDatabase database;
    store::PostgresOptions options;
    options.url = database.url();
    store::PostgresStore first(options), second(options), third(options);
    Sandboxed sandbox;
    sandbox.invite(first, "my-dedicated-db", "user4@example.com");
    sandbox.accept("user4@example.com");

    RecordingAnnouncer announcer;
    InvitationWatch a(sandbox.api(), first, announcer, sandbox.clock(), "slack");
    InvitationWatch b(sandbox.api(), second, announcer, sandbox.clock(), "slack");
    InvitationWatch c(sandbox.api(), third, announcer, sandbox.clock(), "slack");
    std::vector<asio::awaitable<ApiResult<WatchRound>>> rounds;
    rounds.push_back(a.round());
    rounds.push_back(b.round());
    rounds.push_back(c.round());
    asio::io_context io;
    std::vector<std::future<ApiResult<WatchRound>>> done;
    for (auto& task : rounds) done.push_back(asio::co_spawn(io, std::move(task), asio::use_future));
    io.run();
    std::size_t accepted = 0;
    for (auto& result : done) {
        auto round = result.get();
        ASSERT_TRUE(round) << round.error().message;
        accepted += round->accepted;
    }
    EXPECT_EQ(accepted, 1u);
    const auto said = announcer.said();
    ASSERT_EQ(said.size(), 1u);
    EXPECT_EQ(said[0].text, "-----> " + std::string(accepted_text) + "\n");

    // The invitation survives a restart of every instance, settled: nothing more to say.
    store::PostgresStore restarted(options);
    InvitationWatch again(sandbox.api(), restarted, announcer, sandbox.clock(), "slack");
    EXPECT_EQ(run(again.round())->databases, 0u);
}

// Watchers of several instances run side by side: one holds the lease and watches; when it stops,
// another takes over.
TEST(WatchOnPostgres, OneInstanceWatchesAtATimeAndAnotherTakesOver) {
    if (postgres_admin_url().empty()) GTEST_FAIL() << postgres_missing_message();
    TestDatabase database;
    store::PostgresOptions options;
    options.url = database.url();
    store::PostgresStore first_store(options), second_store(options);
    Sandboxed sandbox;
    RecordingAnnouncer announcer;
    InvitationWatch first_watch(sandbox.api(), first_store, announcer, sandbox.clock(), "slack");
    InvitationWatch second_watch(sandbox.api(), second_store, announcer, sandbox.clock(), "slack");
    auto logger = std::make_shared<spdlog::logger>("watch");
    asio::io_context io;
    chat::WatcherSettings settings{.interval = 50ms, .upstream_per_minute = 0, .instance = "first"};
    chat::Watcher first(io.get_executor(), first_watch, first_store, "slack", settings, logger);
    settings.instance = "second";
    chat::Watcher second(io.get_executor(), second_watch, second_store, "slack", settings, logger);
    asio::co_spawn(io, first.run(), asio::detached);
    bool first_watched_alone = false;
    bool second_took_over = false;
    auto script = [&]() -> asio::awaitable<void> {
        asio::steady_timer wait(io, 300ms);
        co_await wait.async_wait(asio::use_awaitable);
        asio::co_spawn(io, second.run(), asio::detached);
        wait.expires_after(300ms);
        co_await wait.async_wait(asio::use_awaitable);
        first_watched_alone = first.watching() && !second.watching() && second.rounds() == 0;
        first.stop();
        co_await first.stopped(5s);
        wait.expires_after(500ms);
        co_await wait.async_wait(asio::use_awaitable);
        second_took_over = second.watching() && second.rounds() > 0;
        second.stop();
        co_await second.stopped(5s);
    };
    asio::co_spawn(io, script, asio::detached);
    io.run();
    EXPECT_TRUE(first_watched_alone);
    EXPECT_TRUE(second_took_over);
}

// Named: g++ 12 destroys a temporary of class type passed to a coroutine twice.
const std::chrono::hours an_hour{1};
const std::chrono::hours no_time{0};

// How many settled invitations a call forgot (none when it failed, saying why).
std::size_t forgotten(boost::asio::awaitable<ApiResult<std::size_t>> forgetting) {
    auto done = run(std::move(forgetting));
    EXPECT_TRUE(done) << done.error().message;
    return done.value_or(0);
}

// What a Watcher did to a store in which user4's invitation was settled (accepted and announced) a moment
// ago and user5's is still pending.
struct Retention {
    std::size_t rounds = 0;
    bool watching = false;         // whether it held the lease when it stopped
    int upstream_reads = 0;        // collaborator lists it asked for
    std::size_t left_settled = 0;  // settled invitations it left unforgotten
};

// The watch over each store the bot keeps its invitations in.
enum class Backend { sqlite, postgres };

class InvitationsOnEachStore : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override {
        if (GetParam() == Backend::sqlite) {
            state_ = std::make_unique<store::SqliteAuditLog>(sandbox_.dir() / "state.sqlite");
            return;
        }
        if (postgres_admin_url().empty()) GTEST_FAIL() << postgres_missing_message();
        database_ = std::make_unique<TestDatabase>();
        store::PostgresOptions options;
        options.url = database_->url();
        state_ = std::make_unique<store::PostgresStore>(options);
    }
    InvitationLog& state() { return dynamic_cast<InvitationLog&>(*state_); }
    WatchRound round() {
        InvitationWatch watch(sandbox_.api(), state(), announcer_, sandbox_.clock(), "slack");
        auto done = run(watch.round());
        EXPECT_TRUE(done) << done.error().message;
        return done.value_or(WatchRound{});
    }

    Sandboxed sandbox_;
    RecordingAnnouncer announcer_;
    std::unique_ptr<TestDatabase> database_;
    std::unique_ptr<AuditLog> state_;
    store::LocalState local_;  // what instances share, beside SQLite

    // Settles user4's invitation and leaves user5's pending, then runs a Watcher of this store with
    // `settings`, forgetting at once what was settled, for 200 ms.
    Retention watched_with(chat::WatcherSettings settings) {
        sandbox_.invite(state(), "my-dedicated-db", "user4@example.com");
        sandbox_.invite(state(), "my-dedicated-db", "user5@example.com");
        sandbox_.accept("user4@example.com");
        EXPECT_EQ(round().accepted, 1u);
        std::this_thread::sleep_for(5ms);
        settings.keep_settled = std::chrono::hours{0};
        store::SharedState& shared =
            database_ ? dynamic_cast<store::SharedState&>(*state_) : static_cast<store::SharedState&>(local_);
        InvitationWatch watch(sandbox_.api(), state(), announcer_, sandbox_.clock(), "slack");
        asio::io_context io;
        chat::Watcher watcher(io.get_executor(), watch, shared, "slack", settings,
                              std::make_shared<spdlog::logger>("w"));
        const int reads_before = sandbox_.api().lists;
        Retention done;
        asio::co_spawn(io, watcher.run(), asio::detached);
        auto script = [&]() -> asio::awaitable<void> {
            asio::steady_timer wait(io, 200ms);
            co_await wait.async_wait(asio::use_awaitable);
            done.watching = watcher.watching();
            watcher.stop();
            co_await watcher.stopped(5s);
        };
        asio::co_spawn(io, script, asio::detached);
        io.run();
        done.rounds = watcher.rounds();
        done.upstream_reads = sandbox_.api().lists - reads_before;
        done.left_settled = forgotten(watch.forget_settled(no_time));
        return done;
    }
};

INSTANTIATE_TEST_SUITE_P(Stores, InvitationsOnEachStore, ::testing::Values(Backend::sqlite, Backend::postgres),
                         [](const auto& info) { return info.param == Backend::sqlite ? "Sqlite" : "Postgres"; });

// What the bot revoked itself (a resend, a removal), it said so when it did it: the watch says nothing
// more of the old invitation, and announces the new one's acceptance once.
TEST_P(InvitationsOnEachStore, AResentInvitationIsNeverReportedRevokedAndItsAcceptanceIsAnnouncedOnce) {
    sandbox_.invite(state(), "my-dedicated-db", "user4@example.com");
    ASSERT_EQ(sandbox_.type(state(), "resend my-dedicated-db user4@example.com"),
              "-----> The invitation of user4@example.com to my-dedicated-db has been sent again (by user1)\n");
    const WatchRound after_resend = round();
    EXPECT_EQ(after_resend.vanished, 0u);
    EXPECT_EQ(after_resend.databases, 1u) << "the new invitation is watched";
    EXPECT_TRUE(announcer_.said().empty()) << announcer_.said().front().text;

    sandbox_.accept("user4@example.com");
    EXPECT_EQ(round().accepted, 1u);
    EXPECT_EQ(round().databases, 0u);
    const auto said = announcer_.said();
    ASSERT_EQ(said.size(), 1u);
    EXPECT_EQ(said[0].text, "-----> " + std::string(accepted_text) + "\n");
}

TEST_P(InvitationsOnEachStore, ARemovedInviteeIsNeverReportedRevoked) {
    sandbox_.invite(state(), "my-dedicated-db", "user4@example.com");
    const std::string proposal = sandbox_.type(state(), "remove my-dedicated-db user4@example.com");
    const auto token_at = proposal.find("/collab confirm ");
    ASSERT_NE(token_at, std::string::npos) << proposal;
    const std::string token = proposal.substr(token_at + 16, proposal.find('\n', token_at) - token_at - 16);
    const std::string removed = sandbox_.type(state(), "confirm " + token);
    ASSERT_NE(removed.find("user4@example.com has been removed"), std::string::npos) << removed;
    const WatchRound after = round();
    EXPECT_EQ(after.vanished, 0u);
    EXPECT_EQ(after.databases, 0u) << "nothing left to watch";
    EXPECT_TRUE(announcer_.said().empty());
}

// A withdrawal nobody waits for is seen by the next read, and settles the invitation once and for all.
TEST_P(InvitationsOnEachStore, AWithdrawnInvitationIsNoLongerPendingAndIsSettledOnce) {
    sandbox_.invite(state(), "my-dedicated-db", "user4@example.com");
    std::string platform = "slack";
    const auto before = run(state().pending(platform));
    ASSERT_TRUE(before.has_value()) << before.error().message;
    ASSERT_EQ(before->size(), 1u);
    std::string database = "my-dedicated-db";
    std::string collaborator_id = before->front().collaborator_id;
    const TimePoint at = sandbox_.clock().now();
    run(state().withdraw(database, collaborator_id, at));

    platform = "slack";
    const auto after = run(state().pending(platform));
    ASSERT_TRUE(after.has_value()) << after.error().message;
    EXPECT_TRUE(after->empty());
    const auto settled_again = run(state().settle(database, collaborator_id, InvitationFate::accepted, at));
    ASSERT_TRUE(settled_again.has_value()) << settled_again.error().message;
    EXPECT_FALSE(*settled_again) << "its fate was known already";
}

TEST_P(InvitationsOnEachStore, SettledInvitationsAreForgottenOnceKeptLongEnoughPendingOnesNever) {
    sandbox_.invite(state(), "my-dedicated-db", "user4@example.com");
    sandbox_.invite(state(), "my-dedicated-db", "user5@example.com");
    sandbox_.accept("user4@example.com");
    EXPECT_EQ(round().accepted, 1u);
    InvitationWatch watch(sandbox_.api(), state(), announcer_, sandbox_.clock(), "slack");
    EXPECT_EQ(forgotten(watch.forget_settled(an_hour)), std::size_t{0u}) << "settled just now";
    std::this_thread::sleep_for(5ms);
    EXPECT_EQ(forgotten(watch.forget_settled(no_time)), std::size_t{1u});
    EXPECT_EQ(forgotten(watch.forget_settled(no_time)), std::size_t{0u}) << "gone already";
    // user5's invitation, pending, is still watched; user4's acceptance is not announced again.
    EXPECT_EQ(round().databases, 1u);
    EXPECT_EQ(announcer_.said().size(), 1u);
}

// The instance that holds the watch forgets settled invitations after its rounds.
TEST_P(InvitationsOnEachStore, TheWatchingInstanceForgetsSettledInvitations) {
    const Retention done = watched_with(chat::WatcherSettings{.interval = 50ms, .instance = "one"});
    EXPECT_GT(done.rounds, 0u);
    EXPECT_TRUE(done.watching);
    EXPECT_EQ(done.left_settled, 0u) << "the watcher forgot it already";
}

// With the watch off ([watch] enabled = false), what was remembered before it was turned off is still
// forgotten in time, without rounds, without the lease and without a request upstream.
TEST_P(InvitationsOnEachStore, WithTheWatchOffSettledInvitationsAreStillForgottenAndNothingIsAsked) {
    const Retention done = watched_with(chat::WatcherSettings{.rounds = false, .interval = 50ms, .instance = "one"});
    EXPECT_EQ(done.rounds, 0u);
    EXPECT_FALSE(done.watching) << "the lease is left to instances that watch";
    EXPECT_EQ(done.upstream_reads, 0);
    EXPECT_EQ(done.left_settled, 0u) << "forgotten although nobody watches";
    EXPECT_EQ(round().databases, 1u) << "user5's pending invitation is kept for when the watch is back";
}

// What the watch costs upstream: one request per watched database per round, the rounds spaced so that
// the watch takes at most a quarter of Scalingo's allowance (60 a minute).
TEST(WatchCost, RequestsPerMinuteStayWithinAQuarterOfTheAllowance) {
    constexpr int allowance = 60;
    for (std::size_t databases : {1u, 5u, 15u, 16u, 60u, 500u}) {
        const auto interval = watch_interval(60s, databases, allowance);
        const double per_minute = static_cast<double>(databases) * 60'000.0 / static_cast<double>(interval.count());
        std::cout << "watch cost: " << databases << " watched database(s), a round every "
                  << static_cast<double>(interval.count()) / 1000.0 << " s: " << per_minute
                  << " requests a minute (share: " << allowance / 4 << ")\n";
        EXPECT_LE(per_minute, allowance / 4.0 + 1e-9) << databases;
    }
    EXPECT_EQ(watch_interval(60s, 15, allowance), 60s) << "within the share: the configured interval";
    EXPECT_EQ(watch_interval(10s, 500, 0), 10s) << "no allowance to share (the sandbox)";
}

}  // namespace
}  // namespace collab::testing
