// The audit trail on a SQLite file: what /collab audit shows, and that it outlives the process.

#include <gtest/gtest.h>

#include <SQLiteCpp/Database.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
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
    AuditQuery query{database, std::nullopt, std::nullopt, limit};
    auto read = run(log.recent(std::move(query)));
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

// Recording and reading back are the store contract (tests/adapters/store), run on SQLite too; what
// follows is only the SQLite file's own business.

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

// The invitations' rows share the audit entries' commit; one the file cannot keep (here its table is
// gone) fails no entry beside it.
TEST_F(AuditLogTest, an_invitation_the_file_cannot_keep_fails_no_entry_beside_it) {
    SqliteAuditLog log(file_);
    SQLite::Database(file_.string(), SQLite::OPEN_READWRITE).exec("DROP TABLE invitations");
    run([&]() -> boost::asio::awaitable<void> {
        // Queued in one go, as a change's entry and its invitation are: one batch, one commit.
        AuditEntry before = entry("my-dedicated-db", "before@example.com");
        Invitation invitation{"my-dedicated-db", "new@example.com", "c9", Actor{}, TimePoint{}};
        AuditEntry after = entry("my-dedicated-db", "after@example.com");
        co_await log.note(std::move(before));
        co_await log.remember(std::move(invitation));
        co_await log.note(std::move(after));
    }());
    EXPECT_EQ(targets_of(recent(log, "my-dedicated-db", 10)),
              (std::vector<std::string>{"after@example.com", "before@example.com"}));
    std::string platform = "slack";
    EXPECT_FALSE(run(log.pending(std::move(platform))).has_value()) << "reading the missing table says so";
}

// Every request of Slack's HTTP mode marks its signature used: a steady stream of commits, during
// which the checkpoint thread's passive checkpoints never reach the last frame, and the WAL was never
// started over (it grew by gigabytes in a benchmark).
TEST_F(AuditLogTest, the_write_ahead_log_stays_bounded_under_a_steady_stream_of_commits) {
    SqliteAuditLog log(file_);
    const std::filesystem::path wal = file_.string() + "-wal";
    // 17 MiB kept, and room for what commits add while a pass of the checkpoint thread holds up the
    // writer's own checkpoint.
    constexpr std::uintmax_t bound = 128u << 20;
    std::uintmax_t largest = 0;
    for (int n = 0; n < 30'000; ++n) {  // hundreds of MiB of WAL frames when it is never started over
        std::string key = "signature-" + std::to_string(n);
        TokenUse use{TimePoint{std::chrono::seconds{n}}, "U1"};
        const TimePoint keep_until = TimePoint{std::chrono::hours{1'000'000}};
        const auto used = run(log.use_once(std::move(key), std::move(use), keep_until));
        ASSERT_TRUE(used.has_value()) << used.error().message;
        std::error_code error;
        const std::uintmax_t size = std::filesystem::file_size(wal, error);
        ASSERT_FALSE(error) << error.message();
        largest = std::max(largest, size);
        if (largest > bound) break;
    }
    EXPECT_LE(largest, bound);
}

// A kept statement whose step failed (here a constraint) lets the error reach the caller, and the
// connection and the statement stay usable for the next call.
TEST(StateConnection, AFailedStepIsReportedAndTheStatementStaysUsable) {
    TempDir dir;
    StateConnection connection(
        SQLite::Database((dir.path() / "kept.sqlite").string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE));
    connection.db().exec("CREATE TABLE names (name TEXT PRIMARY KEY)");
    const auto insert = [&](const std::string& name) {
        auto statement = connection.statement("INSERT INTO names (name) VALUES (?)");
        statement->bind(1, name);
        statement->exec();
    };
    insert("user1");
    EXPECT_THROW(insert("user1"), SQLite::Exception);
    insert("user2");
    auto count = connection.statement("SELECT count(*) FROM names");
    ASSERT_TRUE(count->executeStep());
    EXPECT_EQ(count->getColumn(0).getInt(), 2);
}

}  // namespace
}  // namespace collab::store
