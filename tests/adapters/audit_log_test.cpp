// The audit trail on a SQLite file: what /collab audit shows, and that it outlives the process.

#include <gtest/gtest.h>

#include <SQLiteCpp/Database.h>

#include <string>
#include <vector>

#include "adapters/store/sqlite_audit_log.hpp"
#include "adapters/store/sqlite_file.hpp"
#include "run_coroutine.hpp"
#include "temp_dir.hpp"

namespace collab::store {
namespace {

using testing::run;
using testing::TempDir;

AuditEntry entry(std::string database, std::string target, AuditOutcome outcome = AuditOutcome::executed) {
    AuditEntry e;
    e.at = TimePoint{std::chrono::milliseconds{1'795'000'000'000}};
    e.platform = "shell";
    e.team = "";
    e.channel = "terminal";
    e.user_id = "local";
    e.email = "user1@example.com";
    e.action = "remove";
    e.database = std::move(database);
    e.target = std::move(target);
    e.outcome = outcome;
    e.detail = "";
    return e;
}

void record(SqliteAuditLog& log, AuditEntry e) {
    const auto written = run(log.record(std::move(e)));
    ASSERT_TRUE(written.has_value()) << written.error().message;
}

std::vector<AuditEntry> recent(SqliteAuditLog& log, const std::string& database, int limit) {
    auto read = run(log.recent(database, limit));
    if (!read) {
        ADD_FAILURE() << read.error().message;
        return {};
    }
    return std::move(*read);
}

std::vector<std::string> targets_of(const std::vector<AuditEntry>& entries) {
    std::vector<std::string> targets;
    for (const auto& e : entries) targets.push_back(e.target);
    return targets;
}

class AuditLogTest : public ::testing::Test {
protected:
    TempDir dir_;
    std::filesystem::path file_ = dir_ / "audit.sqlite";
};

TEST_F(AuditLogTest, recent_is_newest_first_limited_and_per_database) {
    SqliteAuditLog log(file_);
    record(log, entry("my-dedicated-db", "a@example.com"));
    record(log, entry("analytics-db", "other@example.com"));
    record(log, entry("my-dedicated-db", "b@example.com"));
    record(log, entry("my-dedicated-db", "c@example.com"));

    EXPECT_EQ(targets_of(recent(log, "my-dedicated-db", 10)),
              (std::vector<std::string>{"c@example.com", "b@example.com", "a@example.com"}));
    EXPECT_EQ(targets_of(recent(log, "my-dedicated-db", 2)),
              (std::vector<std::string>{"c@example.com", "b@example.com"}));
    EXPECT_EQ(targets_of(recent(log, "analytics-db", 10)), (std::vector<std::string>{"other@example.com"}));
    EXPECT_TRUE(recent(log, "no-such-db", 10).empty());
}

TEST_F(AuditLogTest, every_field_round_trips) {
    SqliteAuditLog log(file_);
    AuditEntry written;
    // Sub-millisecond digits are dropped: the trail keeps milliseconds.
    written.at = TimePoint{std::chrono::nanoseconds{1'795'000'000'123'456'789}};
    written.platform = "slack";
    written.team = "T0123";
    written.channel = "C0123ABCD";
    written.user_id = "U0123ABCD";
    written.email = "user1@example.com";
    written.action = "leave";
    written.database = "my-dedicated-db";
    written.target = "josé@example.com";
    written.outcome = AuditOutcome::denied;
    written.detail = "the owner cannot leave 🙂";
    record(log, written);

    const auto read = recent(log, "my-dedicated-db", 1);
    ASSERT_EQ(read.size(), 1u);
    const AuditEntry& e = read[0];
    EXPECT_EQ(e.at, TimePoint{std::chrono::milliseconds{1'795'000'000'123}});
    EXPECT_EQ(e.platform, "slack");
    EXPECT_EQ(e.team, "T0123");
    EXPECT_EQ(e.channel, "C0123ABCD");
    EXPECT_EQ(e.user_id, "U0123ABCD");
    EXPECT_EQ(e.email, "user1@example.com");
    EXPECT_EQ(e.action, "leave");
    EXPECT_EQ(e.database, "my-dedicated-db");
    EXPECT_EQ(e.target, "josé@example.com");
    EXPECT_EQ(e.outcome, AuditOutcome::denied);
    EXPECT_EQ(e.detail, "the owner cannot leave 🙂");
}

TEST_F(AuditLogTest, every_outcome_round_trips) {
    SqliteAuditLog log(file_);
    const std::vector<AuditOutcome> outcomes{AuditOutcome::allowed,   AuditOutcome::denied,
                                             AuditOutcome::proposed,  AuditOutcome::confirmed,
                                             AuditOutcome::executed,  AuditOutcome::failed};
    for (auto outcome : outcomes) record(log, entry("my-dedicated-db", std::string(to_string(outcome)), outcome));

    const auto read = recent(log, "my-dedicated-db", 10);
    ASSERT_EQ(read.size(), outcomes.size());
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
        const AuditEntry& e = read[outcomes.size() - 1 - i];  // newest first
        EXPECT_EQ(e.outcome, outcomes[i]) << e.target;
    }
}

TEST_F(AuditLogTest, the_trail_survives_a_restart) {
    {
        SqliteAuditLog log(file_);
        record(log, entry("my-dedicated-db", "a@example.com"));
    }
    SqliteAuditLog log(file_);
    record(log, entry("my-dedicated-db", "b@example.com"));
    EXPECT_EQ(targets_of(recent(log, "my-dedicated-db", 10)),
              (std::vector<std::string>{"b@example.com", "a@example.com"}));
}

TEST_F(AuditLogTest, a_damaged_file_is_a_clear_error) {
    testing::write_file(file_, std::string(4096, '\x5a'));
    try {
        SqliteAuditLog log(file_);
        FAIL() << "a damaged audit file was accepted";
    } catch (const StateError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("audit trail " + file_.string()), std::string::npos) << message;
        EXPECT_NE(message.find("damaged"), std::string::npos) << message;
    }
}

TEST_F(AuditLogTest, a_file_from_a_newer_version_is_refused_untouched) {
    {
        SQLite::Database newer(file_.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        newer.exec("PRAGMA user_version = 99");
    }
    try {
        SqliteAuditLog log(file_);
        FAIL() << "a file of schema 99 was opened";
    } catch (const StateError& e) {
        EXPECT_NE(std::string(e.what()).find("written by a newer collab-bot (schema 99)"), std::string::npos)
            << e.what();
    }
    SQLite::Database after(file_.string(), SQLite::OPEN_READONLY);
    EXPECT_EQ(after.execAndGet("PRAGMA user_version").getInt(), 99);
}

}  // namespace
}  // namespace collab::store
