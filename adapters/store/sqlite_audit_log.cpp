#include "adapters/store/sqlite_audit_log.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/VariadicBind.h>

#include <array>

#include "adapters/store/sqlite_file.hpp"

namespace collab::store {
namespace {

constexpr std::array<std::string_view, 1> migrations{
    R"sql(
    CREATE TABLE audit (
        seq           INTEGER PRIMARY KEY AUTOINCREMENT,
        at_ms         INTEGER NOT NULL,
        platform      TEXT NOT NULL,
        team          TEXT NOT NULL,
        channel       TEXT NOT NULL,
        user_id       TEXT NOT NULL,
        email         TEXT NOT NULL,
        action        TEXT NOT NULL,
        database_name TEXT NOT NULL,
        target        TEXT NOT NULL,
        outcome       TEXT NOT NULL,
        detail        TEXT NOT NULL
    );
    CREATE INDEX audit_by_database ON audit (database_name, seq);
    )sql"};

constexpr std::array outcomes{AuditOutcome::allowed,   AuditOutcome::denied,   AuditOutcome::proposed,
                              AuditOutcome::confirmed, AuditOutcome::executed, AuditOutcome::failed};

AuditOutcome outcome_from(std::string_view text) {
    for (auto outcome : outcomes)
        if (to_string(outcome) == text) return outcome;
    return AuditOutcome::failed;
}

ApiError storage_error(std::string_view doing, const std::exception& e) {
    return ApiError{ApiErrorKind::unavailable,
                    "The audit trail cannot be " + std::string(doing) + " right now (" + e.what() + ")."};
}

}  // namespace

SqliteAuditLog::SqliteAuditLog(const std::filesystem::path& file)
    : db_(open_state_file(file, "audit trail", migrations)) {}

boost::asio::awaitable<ApiResult<void>> SqliteAuditLog::record(AuditEntry e) {
    try {
        SQLite::Statement insert(db_,
                                 "INSERT INTO audit (at_ms, platform, team, channel, user_id, email, action, "
                                 "database_name, target, outcome, detail) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
        const int64_t at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(e.at.time_since_epoch()).count();
        SQLite::bind(insert, at_ms, e.platform, e.team, e.channel, e.user_id, e.email, e.action, e.database, e.target,
                     std::string(to_string(e.outcome)), e.detail);
        insert.exec();
    } catch (const std::exception& error) {
        co_return std::unexpected(storage_error("written", error));
    }
    co_return ApiResult<void>{};
}

boost::asio::awaitable<ApiResult<std::vector<AuditEntry>>> SqliteAuditLog::recent(std::string database, int limit) {
    std::vector<AuditEntry> entries;
    try {
        SQLite::Statement query(db_,
                                "SELECT at_ms, platform, team, channel, user_id, email, action, database_name, target, "
                                "outcome, detail FROM audit WHERE database_name = ? ORDER BY seq DESC LIMIT ?");
        SQLite::bind(query, database, limit);
        while (query.executeStep()) {
            entries.push_back(AuditEntry{
                TimePoint{std::chrono::milliseconds{query.getColumn(0).getInt64()}}, query.getColumn(1).getString(),
                query.getColumn(2).getString(), query.getColumn(3).getString(), query.getColumn(4).getString(),
                query.getColumn(5).getString(), query.getColumn(6).getString(), query.getColumn(7).getString(),
                query.getColumn(8).getString(), outcome_from(query.getColumn(9).getString()),
                query.getColumn(10).getString()});
        }
    } catch (const std::exception& error) {
        co_return std::unexpected(storage_error("read", error));
    }
    co_return entries;
}

}  // namespace collab::store
