// What every audit trail backend must do, run against each: SQLite in a temporary directory and
// PostgreSQL in a database of the test's own. /collab audit shows what these tests read.

#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "run_coroutine.hpp"
#include "store_backends.hpp"

namespace collab::testing {
namespace {

AuditEntry entry(std::string database, std::string target, AuditOutcome outcome = AuditOutcome::executed) {
    AuditEntry e;
    e.at = TimePoint{std::chrono::milliseconds{1'795'000'000'000}};
    e.platform = "shell";
    e.channel = "terminal";
    e.user_id = "local";
    e.email = "user1@example.com";
    e.action = "remove";
    e.database = std::move(database);
    e.target = std::move(target);
    e.outcome = outcome;
    return e;
}

void record(AuditLog& log, AuditEntry e) {
    const auto written = run(log.record(std::move(e)));
    ASSERT_TRUE(written.has_value()) << written.error().message;
}

std::vector<AuditEntry> read(AuditLog& log, AuditQuery query) {
    auto read = run(log.recent(std::move(query)));
    if (!read) {
        ADD_FAILURE() << read.error().message;
        return {};
    }
    return std::move(*read);
}

std::vector<AuditEntry> recent(AuditLog& log, std::string database, int limit) {
    return read(log, AuditQuery{std::move(database), std::nullopt, std::nullopt, limit});
}

std::vector<std::string> targets_of(const std::vector<AuditEntry>& entries) {
    std::vector<std::string> targets;
    for (const auto& e : entries) targets.push_back(e.target);
    return targets;
}

template <typename Backend>
class StoreAuditLogContract : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_NO_FATAL_FAILURE(backend_.start()); }
    Backend backend_;
};

using AuditBackends = ::testing::Types<SqliteBackend, PostgresBackend>;
TYPED_TEST_SUITE(StoreAuditLogContract, AuditBackends, BackendName);

TYPED_TEST(StoreAuditLogContract, recent_lists_records_newest_first) {
    auto log = this->backend_.open_audit_log();
    for (std::string target : {"a@example.com", "b@example.com", "c@example.com"})
        record(*log, entry("my-dedicated-db", target));
    EXPECT_EQ(targets_of(recent(*log, "my-dedicated-db", 10)),
              (std::vector<std::string>{"c@example.com", "b@example.com", "a@example.com"}));
}

// A confirmed change is filed under who confirmed it, and its detail names who proposed it (as the
// service writes it), in every store.
TYPED_TEST(StoreAuditLogContract, a_confirmed_change_keeps_who_proposed_and_who_confirmed_it) {
    auto log = this->backend_.open_audit_log();
    AuditEntry confirmed = entry("my-dedicated-db", "user2@example.com", AuditOutcome::confirmed);
    confirmed.platform = "slack";
    confirmed.user_id = "U2";
    confirmed.action = "offboard";
    confirmed.detail = "proposed by slack:U1";
    record(*log, confirmed);
    const auto read = recent(*log, "my-dedicated-db", 1);
    ASSERT_EQ(read.size(), 1u);
    EXPECT_EQ(read[0].outcome, AuditOutcome::confirmed);
    EXPECT_EQ(qualified_id(read[0].platform, read[0].user_id), "slack:U2");
    EXPECT_EQ(read[0].detail, "proposed by slack:U1");
    EXPECT_EQ(read[0].action, "offboard");
}

TYPED_TEST(StoreAuditLogContract, recent_returns_at_most_the_limit) {
    auto log = this->backend_.open_audit_log();
    for (int i = 1; i <= 5; ++i) record(*log, entry("my-dedicated-db", "user" + std::to_string(i) + "@example.com"));
    EXPECT_EQ(targets_of(recent(*log, "my-dedicated-db", 2)),
              (std::vector<std::string>{"user5@example.com", "user4@example.com"}));
    EXPECT_TRUE(recent(*log, "my-dedicated-db", 0).empty());
}

TYPED_TEST(StoreAuditLogContract, recent_shows_one_database_only) {
    auto log = this->backend_.open_audit_log();
    record(*log, entry("my-dedicated-db", "a@example.com"));
    record(*log, entry("analytics-db", "other@example.com"));
    record(*log, entry("my-dedicated-db", "b@example.com"));
    EXPECT_EQ(targets_of(recent(*log, "my-dedicated-db", 10)),
              (std::vector<std::string>{"b@example.com", "a@example.com"}));
    EXPECT_EQ(targets_of(recent(*log, "analytics-db", 10)), (std::vector<std::string>{"other@example.com"}));
    EXPECT_TRUE(recent(*log, "no-such-db", 10).empty());
}

TYPED_TEST(StoreAuditLogContract, every_outcome_round_trips) {
    auto log = this->backend_.open_audit_log();
    const std::vector<AuditOutcome> outcomes{AuditOutcome::allowed,   AuditOutcome::denied,   AuditOutcome::proposed,
                                             AuditOutcome::confirmed, AuditOutcome::executed, AuditOutcome::failed};
    for (auto outcome : outcomes) record(*log, entry("my-dedicated-db", std::string(to_string(outcome)), outcome));

    const auto read = recent(*log, "my-dedicated-db", 10);
    ASSERT_EQ(read.size(), outcomes.size());
    for (std::size_t i = 0; i < outcomes.size(); ++i)
        EXPECT_EQ(read[outcomes.size() - 1 - i].outcome, outcomes[i]) << read[outcomes.size() - 1 - i].target;
}

TYPED_TEST(StoreAuditLogContract, every_field_round_trips_in_utf8) {
    auto log = this->backend_.open_audit_log();
    AuditEntry written;
    // Sub-millisecond digits are dropped: the trail keeps milliseconds.
    written.at = TimePoint{std::chrono::nanoseconds{1'795'000'000'123'456'789}};
    written.platform = "slack";
    written.team = "T0123";
    written.channel = "C0123ABCD";
    written.user_id = "U0123ABCD";
    written.email = "zoë@example.com";
    written.action = "leave";
    written.database = "base-données-日本";
    written.target = "josé@example.com";
    written.outcome = AuditOutcome::denied;
    written.detail = "the owner cannot leave 🙂 — «ça» 'quoted' \"double\" \\ back-slash; DROP TABLE audit; --";
    record(*log, written);

    const auto read = recent(*log, "base-données-日本", 1);
    ASSERT_EQ(read.size(), 1u);
    const AuditEntry& e = read[0];
    EXPECT_EQ(e.at, TimePoint{std::chrono::milliseconds{1'795'000'000'123}});
    EXPECT_EQ(e.platform, "slack");
    EXPECT_EQ(e.team, "T0123");
    EXPECT_EQ(e.channel, "C0123ABCD");
    EXPECT_EQ(e.user_id, "U0123ABCD");
    EXPECT_EQ(e.email, "zoë@example.com");
    EXPECT_EQ(e.action, "leave");
    EXPECT_EQ(e.database, "base-données-日本");
    EXPECT_EQ(e.target, "josé@example.com");
    EXPECT_EQ(e.outcome, AuditOutcome::denied);
    EXPECT_EQ(e.detail, written.detail);
}

TYPED_TEST(StoreAuditLogContract, records_made_at_once_are_all_kept) {
    auto log = this->backend_.open_audit_log();
    std::vector<boost::asio::awaitable<ApiResult<void>>> writes;
    std::set<std::string> targets;
    for (int i = 0; i < 40; ++i) {
        std::string target = "user" + std::to_string(i) + "@example.com";
        targets.insert(target);
        AuditEntry e = entry("my-dedicated-db", target);
        writes.push_back(log->record(std::move(e)));
    }
    for (const auto& written : run_together(std::move(writes)))
        EXPECT_TRUE(written.has_value()) << written.error().message;
    const auto read = targets_of(recent(*log, "my-dedicated-db", 100));
    EXPECT_EQ(std::set<std::string>(read.begin(), read.end()), targets);
    EXPECT_EQ(read.size(), targets.size());
}

// A change's outcome is noted after the fact, without waiting for the write: the next read has it.
TYPED_TEST(StoreAuditLogContract, a_noted_entry_is_in_the_next_read) {
    auto log = this->backend_.open_audit_log();
    record(*log, entry("my-dedicated-db", "a@example.com", AuditOutcome::allowed));
    AuditEntry executed = entry("my-dedicated-db", "a@example.com", AuditOutcome::executed);
    run(log->note(std::move(executed)));
    const auto read = recent(*log, "my-dedicated-db", 10);
    ASSERT_EQ(read.size(), 2u);
    EXPECT_EQ(read[0].outcome, AuditOutcome::executed);
    EXPECT_EQ(read[1].outcome, AuditOutcome::allowed);
}

TYPED_TEST(StoreAuditLogContract, the_trail_outlives_the_store_object) {
    {
        auto log = this->backend_.open_audit_log();
        record(*log, entry("my-dedicated-db", "a@example.com"));
    }
    auto log = this->backend_.open_audit_log();
    record(*log, entry("my-dedicated-db", "b@example.com"));
    EXPECT_EQ(targets_of(recent(*log, "my-dedicated-db", 10)),
              (std::vector<std::string>{"b@example.com", "a@example.com"}));
}

// /collab audit <db> by <email> <action>: each filter alone and both, the e-mail without regard to case.
TYPED_TEST(StoreAuditLogContract, recent_narrows_by_who_and_by_action) {
    auto log = this->backend_.open_audit_log();
    const auto by = [](std::string email, std::string action, std::string target, std::string database) {
        AuditEntry e = entry(std::move(database), std::move(target));
        e.email = std::move(email);
        e.action = std::move(action);
        return e;
    };
    record(*log, by("user1@example.com", "add", "a@example.com", "my-dedicated-db"));
    record(*log, by("User2@Example.com", "add", "b@example.com", "my-dedicated-db"));
    record(*log, by("user2@example.com", "remove", "c@example.com", "my-dedicated-db"));
    record(*log, by("user2@example.com", "remove", "d@example.com", "analytics-db"));
    record(*log, by("user1@example.com", "remove", "e@example.com", "my-dedicated-db"));

    const auto query = [](std::optional<std::string> email, std::optional<std::string> action, int limit = 10) {
        return AuditQuery{"my-dedicated-db", std::move(email), std::move(action), limit};
    };
    EXPECT_EQ(targets_of(read(*log, query("USER2@example.com", std::nullopt))),
              (std::vector<std::string>{"c@example.com", "b@example.com"}));
    EXPECT_EQ(targets_of(read(*log, query(std::nullopt, "remove"))),
              (std::vector<std::string>{"e@example.com", "c@example.com"}));
    EXPECT_EQ(targets_of(read(*log, query("user2@example.com", "add"))), (std::vector<std::string>{"b@example.com"}));
    EXPECT_EQ(targets_of(read(*log, query("user1@example.com", std::nullopt, 1))),
              (std::vector<std::string>{"e@example.com"}));
    EXPECT_TRUE(read(*log, query("nobody@example.com", std::nullopt)).empty());
    EXPECT_TRUE(read(*log, query(std::nullopt, "leave")).empty());
    // A filter is a value, never SQL.
    EXPECT_TRUE(read(*log, query("x' OR '1'='1", std::nullopt)).empty());
}

}  // namespace
}  // namespace collab::testing
