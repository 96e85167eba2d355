#pragma once
// The backends the store contract runs against, behind one face: start() prepares a backend's storage
// (a fatal test failure when it cannot) and each open_…() makes one more store object on it, as another
// instance of the bot, or the same one after a restart, would.

#include <gtest/gtest.h>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "adapters/store/local_state.hpp"
#include "adapters/store/postgres_store.hpp"
#include "adapters/store/sqlite_audit_log.hpp"
#include "postgres_test_server.hpp"
#include "temp_dir.hpp"

namespace collab::testing {

using namespace std::chrono_literals;

class SqliteBackend {
public:
    static constexpr const char* name = "Sqlite";
    void start() {}
    std::shared_ptr<AuditLog> open_audit_log() {
        return std::make_shared<store::SqliteAuditLog>(dir_ / "audit.sqlite");
    }

private:
    TempDir dir_;
};

class LocalBackend {
public:
    static constexpr const char* name = "Local";
    void start() {}
    // One process, one state: every "instance" is the same object. The first call sets the window.
    std::shared_ptr<store::SharedState> open_shared_state(std::chrono::milliseconds request_window = 1min) {
        if (!state_)
            state_ = std::make_shared<store::LocalState>(store::LocalStateOptions{.request_window = request_window});
        return state_;
    }

private:
    std::shared_ptr<store::LocalState> state_;
};

// One instance on its SQLite state file: the shared state in memory, save the used tokens and the kept
// values, kept in the file so that they outlive a restart.
class LocalOnSqliteBackend {
public:
    static constexpr const char* name = "LocalOnSqlite";
    void start() {}
    std::shared_ptr<store::SharedState> open_shared_state(std::chrono::milliseconds request_window = 1min) {
        if (!state_) {
            file_ = std::make_shared<store::SqliteAuditLog>(dir_ / "state.sqlite");
            state_ = std::make_shared<store::LocalState>(store::LocalStateOptions{
                .request_window = request_window, .durable_tokens = file_.get(), .durable_values = file_.get()});
        }
        return state_;
    }

private:
    TempDir dir_;
    std::shared_ptr<store::SqliteAuditLog> file_;
    std::shared_ptr<store::LocalState> state_;
};

class PostgresBackend {
public:
    static constexpr const char* name = "Postgres";
    void start() {
        if (postgres_admin_url().empty()) GTEST_FAIL() << postgres_missing_message();
        try {
            database_ = std::make_unique<TestDatabase>();
        } catch (const std::exception& e) {
            GTEST_FAIL() << e.what();
        }
    }
    store::PostgresOptions options(std::chrono::milliseconds request_window = 1min) const {
        store::PostgresOptions options;
        options.url = database_->url();
        options.request_window = request_window;
        return options;
    }
    std::shared_ptr<store::PostgresStore> open(std::chrono::milliseconds request_window = 1min) {
        return std::make_shared<store::PostgresStore>(options(request_window));
    }
    std::shared_ptr<AuditLog> open_audit_log() { return open(); }
    std::shared_ptr<store::SharedState> open_shared_state(std::chrono::milliseconds request_window = 1min) {
        return open(request_window);
    }
    const TestDatabase& database() const { return *database_; }

private:
    std::unique_ptr<TestDatabase> database_;
};

// Type names in test names: StoreAuditLogContract/Postgres.…, so that ctest -R Postgres picks them.
struct BackendName {
    template <typename Backend>
    static std::string GetName(int) {
        return Backend::name;
    }
};

// Runs the coroutines at the same time on one event loop, as concurrent commands would, and returns
// their results in order.
template <typename T>
std::vector<T> run_together(std::vector<boost::asio::awaitable<T>> tasks) {
    boost::asio::io_context io;
    std::vector<std::future<T>> futures;
    for (auto& task : tasks) futures.push_back(boost::asio::co_spawn(io, std::move(task), boost::asio::use_future));
    io.run();
    std::vector<T> results;
    for (auto& future : futures) results.push_back(future.get());
    return results;
}

}  // namespace collab::testing
