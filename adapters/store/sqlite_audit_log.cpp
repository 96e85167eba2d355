#include "adapters/store/sqlite_audit_log.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <SQLiteCpp/VariadicBind.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

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

namespace {

template <typename Result>
boost::asio::awaitable<Result> wait_for(boost::asio::steady_timer& done, Result& result) {
    co_await done.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    co_return std::move(result);
}

}  // namespace

SqliteAuditLog::SqliteAuditLog(const std::filesystem::path& file)
    : db_(open_state_file(file, "audit trail", migrations)),
      thread_([this] { run(); }),
      checkpoints_([this, file] { checkpoint_every(std::chrono::seconds{1}, file); }) {
    db_.exec("PRAGMA wal_autocheckpoint = 0");
}

SqliteAuditLog::~SqliteAuditLog() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    stop_checkpoints_.notify_one();
    thread_.join();
    checkpoints_.join();
}

void SqliteAuditLog::checkpoint_every(std::chrono::milliseconds period, std::filesystem::path file) {
    try {
        SQLite::Database db(file.string(), SQLite::OPEN_READWRITE, 5000);
        for (;;) {
            {
                std::unique_lock lock(mutex_);
                if (stop_checkpoints_.wait_for(lock, period, [this] { return stopping_; })) return;
            }
            // PASSIVE: copies what it can without waiting for, or blocking, the writer.
            db.exec("PRAGMA wal_checkpoint(PASSIVE)");
        }
    } catch (const std::exception&) {
        // The WAL keeps growing until the next start, which checkpoints it; commits are unaffected.
    }
}

void SqliteAuditLog::enqueue(Job job, boost::asio::any_io_executor executor) {
    bool first = false;
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(job));
        first = !wake_scheduled_;
        wake_scheduled_ = true;
    }
    // The file's thread is woken once the event loop has queued what the current burst records, not
    // once per record: on a busy core that is one thread switch per batch instead of one per command.
    if (first)
        boost::asio::post(executor, [this] {
            {
                std::lock_guard lock(mutex_);
                wake_scheduled_ = false;
            }
            wake_.notify_one();
        });
}

boost::asio::awaitable<ApiResult<void>> SqliteAuditLog::record(AuditEntry entry) {
    auto executor = co_await boost::asio::this_coro::executor;
    boost::asio::steady_timer done(executor, boost::asio::steady_timer::time_point::max());
    ApiResult<void> result;
    Write write{std::move(entry), {executor, &done, &result}};
    enqueue(std::move(write), executor);
    co_return co_await wait_for(done, result);
}

boost::asio::awaitable<ApiResult<std::vector<AuditEntry>>> SqliteAuditLog::recent(std::string database, int limit) {
    auto executor = co_await boost::asio::this_coro::executor;
    boost::asio::steady_timer done(executor, boost::asio::steady_timer::time_point::max());
    ApiResult<std::vector<AuditEntry>> result;
    Read read{std::move(database), limit, {executor, &done, &result}};
    enqueue(std::move(read), executor);
    co_return co_await wait_for(done, result);
}

namespace {

template <typename Waiter, typename Result>
void complete(const Waiter& waiter, Result value) {
    *waiter.result = std::move(value);
    boost::asio::post(waiter.executor, [done = waiter.done] { done->cancel(); });
}

}  // namespace

void SqliteAuditLog::run() {
    for (;;) {
        std::deque<Job> jobs;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping, and nothing left to write
            // Let the event loop finish queueing what arrived with this record: a bigger batch, one commit.
            lock.unlock();
            std::this_thread::yield();
            lock.lock();
            jobs.swap(queue_);
        }
        // Consecutive writes share one transaction; a read sees every write queued before it.
        std::vector<Write> writes;
        for (auto& job : jobs) {
            if (auto* write = std::get_if<Write>(&job)) {
                writes.push_back(std::move(*write));
                continue;
            }
            write_all(writes);
            const auto& request = std::get<Read>(job);
            complete(request.waiter, read(request));
        }
        write_all(writes);
    }
}

void SqliteAuditLog::write_all(std::vector<Write>& writes) {
    if (writes.empty()) return;
    ApiResult<void> outcome;
    try {
        SQLite::Transaction transaction(db_);
        SQLite::Statement insert(db_,
                                 "INSERT INTO audit (at_ms, platform, team, channel, user_id, email, action, "
                                 "database_name, target, outcome, detail) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
        for (const auto& write : writes) {
            const AuditEntry& e = write.entry;
            const int64_t at_ms =
                std::chrono::duration_cast<std::chrono::milliseconds>(e.at.time_since_epoch()).count();
            SQLite::bind(insert, at_ms, e.platform, e.team, e.channel, e.user_id, e.email, e.action, e.database,
                         e.target, std::string(to_string(e.outcome)), e.detail);
            insert.exec();
            insert.reset();
        }
        transaction.commit();
    } catch (const std::exception& error) {
        outcome = std::unexpected(storage_error("written", error));
    }
    // One wake-up per event loop for the whole batch.
    std::vector<boost::asio::steady_timer*> done;
    for (std::size_t i = 0; i < writes.size(); ++i) {
        const auto& waiter = writes[i].waiter;
        *waiter.result = outcome;
        done.push_back(waiter.done);
        if (i + 1 == writes.size() || writes[i + 1].waiter.executor != waiter.executor) {
            boost::asio::post(waiter.executor, [done = std::move(done)] {
                for (auto* timer : done) timer->cancel();
            });
            done.clear();
        }
    }
    writes.clear();
}

ApiResult<std::vector<AuditEntry>> SqliteAuditLog::read(const Read& request) {
    std::vector<AuditEntry> entries;
    try {
        SQLite::Statement query(db_,
                                "SELECT at_ms, platform, team, channel, user_id, email, action, database_name, target, "
                                "outcome, detail FROM audit WHERE database_name = ? ORDER BY seq DESC LIMIT ?");
        SQLite::bind(query, request.database, request.limit);
        while (query.executeStep()) {
            entries.push_back(AuditEntry{
                TimePoint{std::chrono::milliseconds{query.getColumn(0).getInt64()}}, query.getColumn(1).getString(),
                query.getColumn(2).getString(), query.getColumn(3).getString(), query.getColumn(4).getString(),
                query.getColumn(5).getString(), query.getColumn(6).getString(), query.getColumn(7).getString(),
                query.getColumn(8).getString(), outcome_from(query.getColumn(9).getString()),
                query.getColumn(10).getString()});
        }
    } catch (const std::exception& error) {
        return std::unexpected(storage_error("read", error));
    }
    return entries;
}

}  // namespace collab::store
