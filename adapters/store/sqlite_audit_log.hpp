#pragma once
// The audit trail in a SQLite file of the state directory.
//
// The file is written on a thread of its own, so that a slow disk never holds up the bot's event
// loop, and records that arrive together are committed in one transaction (group commit): one WAL
// append for a burst of commands instead of one each. A record() completes only once its
// transaction is committed, so "recorded before the change" still holds. Checkpoints (copying the
// WAL back into the database file, with an fsync) run on a third thread with its own connection,
// never in the way of a commit: done by the committing connection, they held commands up by tens of
// milliseconds after a burst.

#include <SQLiteCpp/Database.h>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>
#include <variant>

#include "core/ports.hpp"

namespace collab::store {

class SqliteAuditLog final : public AuditLog {
public:
    explicit SqliteAuditLog(const std::filesystem::path& file);  // throws StateError
    ~SqliteAuditLog() override;                                  // writes what is queued, then stops the thread
    SqliteAuditLog(const SqliteAuditLog&) = delete;
    SqliteAuditLog& operator=(const SqliteAuditLog&) = delete;

    boost::asio::awaitable<ApiResult<void>> record(AuditEntry entry) override;
    boost::asio::awaitable<ApiResult<std::vector<AuditEntry>>> recent(std::string database, int limit) override;

private:
    // A request waiting for the file's thread. The waiting coroutine owns `done` and `result`; the
    // thread fills the result in, then cancels the timer on the coroutine's executor to wake it.
    template <typename Result>
    struct Waiter {
        boost::asio::any_io_executor executor;
        boost::asio::steady_timer* done;
        Result* result;
    };
    struct Write {
        AuditEntry entry;
        Waiter<ApiResult<void>> waiter;
    };
    struct Read {
        std::string database;
        int limit;
        Waiter<ApiResult<std::vector<AuditEntry>>> waiter;
    };
    using Job = std::variant<Write, Read>;

    void enqueue(Job job, boost::asio::any_io_executor executor);
    void run();
    void write_all(std::vector<Write>& writes);
    void checkpoint_every(std::chrono::milliseconds period, std::filesystem::path file);
    ApiResult<std::vector<AuditEntry>> read(const Read& read);

    SQLite::Database db_;  // used on the file's thread only
    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable stop_checkpoints_;
    std::deque<Job> queue_;
    bool stopping_ = false;
    bool wake_scheduled_ = false;
    std::thread thread_;
    std::thread checkpoints_;
};

}  // namespace collab::store
