#include "adapters/store/sqlite_audit_log.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <SQLiteCpp/VariadicBind.h>

#include <array>
#include <functional>

#include "adapters/store/audit_rows.hpp"
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

// Checkpoints are the checkpoint thread's alone (see the header).
SQLite::Database open_audit_file(const std::filesystem::path& file) {
    SQLite::Database db = open_state_file(file, "audit trail", migrations);
    db.exec("PRAGMA wal_autocheckpoint = 0");
    // Entries are appended and read back a page at a time; the operating system caches the file
    // anyway. SQLite's default (2 MB a connection) would only grow with the trail, in the process.
    db.exec("PRAGMA cache_size = -256");
    return db;
}

ApiError storage_error(std::string_view doing, const std::exception& e) {
    return ApiError{ApiErrorKind::unavailable,
                    "The audit trail cannot be " + std::string(doing) + " right now (" + e.what() + ")."};
}

}  // namespace

SqliteAuditLog::SqliteAuditLog(const std::filesystem::path& file)
    : db_(open_audit_file(file)),
      checkpoints_([this, file] { checkpoint_every(std::chrono::seconds{1}, file); }),
      worker_(*this, ApiError{ApiErrorKind::unavailable, "The request to the audit trail was cancelled."}) {}

SqliteAuditLog::~SqliteAuditLog() {
    {
        std::lock_guard lock(checkpoint_mutex_);
        stopping_ = true;
    }
    stop_checkpoints_.notify_one();
    checkpoints_.join();
}

void SqliteAuditLog::checkpoint_every(std::chrono::milliseconds period, std::filesystem::path file) {
    try {
        SQLite::Database db(file.string(), SQLite::OPEN_READWRITE, 5000);
        for (;;) {
            {
                std::unique_lock lock(checkpoint_mutex_);
                if (stop_checkpoints_.wait_for(lock, period, [this] { return stopping_; })) return;
            }
            // PASSIVE: copies what it can without waiting for, or blocking, the writer.
            db.exec("PRAGMA wal_checkpoint(PASSIVE)");
        }
    } catch (const std::exception&) {
        // The WAL keeps growing until the next start, which checkpoints it; commits are unaffected.
    }
}

boost::asio::awaitable<ApiResult<void>> SqliteAuditLog::record(AuditEntry entry) {
    co_return co_await worker_.write(std::move(entry));
}

ApiResult<void> SqliteAuditLog::commit(SQLite::Database& db, std::span<const AuditEntry> entries) {
    try {
        SQLite::Transaction transaction(db);
        SQLite::Statement insert(
            db, "INSERT INTO audit (" + std::string(audit_columns) + ") VALUES (?,?,?,?,?,?,?,?,?,?,?)");
        for (const AuditEntry& e : entries) {
            const int64_t at_ms =
                std::chrono::duration_cast<std::chrono::milliseconds>(e.at.time_since_epoch()).count();
            SQLite::bind(insert, at_ms, e.platform, e.team, e.channel, e.user_id, e.email, e.action, e.database,
                         e.target, std::string(to_string(e.outcome)), e.detail);
            insert.exec();
            insert.reset();
        }
        transaction.commit();
    } catch (const std::exception& error) {
        return std::unexpected(storage_error("written", error));
    }
    return {};
}

boost::asio::awaitable<ApiResult<std::vector<AuditEntry>>> SqliteAuditLog::recent(AuditQuery query) {
    using Entries = std::vector<AuditEntry>;
    std::function<ApiResult<Entries>(SQLite::Database&)> work =
        [query = std::move(query)](SQLite::Database& db) -> ApiResult<Entries> {
        Entries entries;
        try {
            const AuditSelect select = audit_select(query, "?");
            SQLite::Statement read(db, select.sql);
            int index = 0;
            for (const auto& value : select.parameters) read.bind(++index, value);
            read.bind(++index, query.limit);
            while (read.executeStep()) {
                entries.push_back(AuditEntry{
                    TimePoint{std::chrono::milliseconds{read.getColumn(0).getInt64()}}, read.getColumn(1).getString(),
                    read.getColumn(2).getString(), read.getColumn(3).getString(), read.getColumn(4).getString(),
                    read.getColumn(5).getString(), read.getColumn(6).getString(), read.getColumn(7).getString(),
                    read.getColumn(8).getString(), outcome_from(read.getColumn(9).getString()),
                    read.getColumn(10).getString()});
            }
        } catch (const std::exception& error) {
            return std::unexpected(storage_error("read", error));
        }
        return entries;
    };
    co_return co_await worker_.call(std::move(work));
}

}  // namespace collab::store
