#pragma once
// Opening a SQLite state file the same way everywhere, with errors an admin can act on.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace collab::store {

// A state file that cannot be used; what() says which file and what to do about it.
class StateError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// SQLite's process-wide settings, before its first use (main's first step; where SQLite is already in
// use, it keeps its settings): a connection's page cache grows a page at a time as it is used, rather
// than from the 20 pages (about 90 KB) each connection otherwise takes at its first transaction. The
// bot's files are small and it keeps three connections.
void configure_sqlite();

// Opens (creating if needed) and checks that the file really is a SQLite database, then applies the
// migrations it has not seen yet: migrations[i] brings the schema from version i to version i + 1.
SQLite::Database open_state_file(const std::filesystem::path& file, std::string_view what,
                                 std::span<const std::string_view> migrations);

// A kept statement, reset when the caller is done with it: a statement left mid-result would keep its
// read transaction open, and the connection would stop seeing what other connections commit.
class KeptStatement {
public:
    explicit KeptStatement(SQLite::Statement& statement) : statement_(statement) {}
    // tryReset: reset() throws again the error of a step that failed, and this runs while that
    // error's exception unwinds the stack.
    ~KeptStatement() {
        statement_.tryReset();
        statement_.clearBindings();
    }
    KeptStatement(const KeptStatement&) = delete;
    KeptStatement& operator=(const KeptStatement&) = delete;
    SQLite::Statement* operator->() const { return &statement_; }
    SQLite::Statement& operator*() const { return statement_; }

private:
    SQLite::Statement& statement_;
};

// A state file's connection and its statements, each prepared on its first use and kept: preparing
// one costs more than running it. Used by one thread at a time; it may move.
class StateConnection {
public:
    explicit StateConnection(SQLite::Database db) : db_(std::move(db)) {}
    StateConnection(StateConnection&&) = default;
    StateConnection& operator=(StateConnection&&) = delete;

    SQLite::Database& db() { return db_; }
    KeptStatement statement(std::string_view sql);

private:
    struct Hash : std::hash<std::string_view> {
        using is_transparent = void;
    };
    SQLite::Database db_;
    // After db_: finalised before the connection closes.
    std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>, Hash, std::equal_to<>> statements_;
};

}  // namespace collab::store
