#include "adapters/store/sqlite_file.hpp"

#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>

namespace collab::store {

void configure_sqlite() {
    // No buffer, no bulk allocation: pages come from the allocator one by one.
    sqlite3_config(SQLITE_CONFIG_PAGECACHE, nullptr, 0, 0);
}

SQLite::Database open_state_file(const std::filesystem::path& file, std::string_view what,
                                 std::span<const std::string_view> migrations) {
    const int schema_version = static_cast<int>(migrations.size());
    const std::string name = std::string(what) + " " + file.string();
    try {
        // Another process (the sandbox command line, a second instance) may hold the lock briefly.
        SQLite::Database db(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, 5000);
        const int version = db.execAndGet("PRAGMA user_version").getInt();
        if (version > schema_version)
            throw StateError("the " + name + " was written by a newer collab-bot (schema " + std::to_string(version) +
                             "); upgrade collab-bot or point it at another state directory");
        db.exec("PRAGMA journal_mode = WAL");
        // In WAL mode, NORMAL keeps every commit through a crash of the bot and spares an fsync per
        // commit (one per command, which capped the bot at a few hundred commands a second); only a
        // power cut can take back the last commits. Several instances use PostgreSQL instead.
        db.exec("PRAGMA synchronous = NORMAL");
        db.exec("PRAGMA foreign_keys = ON");
        if (version < schema_version) {
            // IMMEDIATE takes the write lock first, so two processes starting at once migrate one after
            // the other, and the second sees the version the first reached.
            SQLite::Transaction migration(db, SQLite::TransactionBehavior::IMMEDIATE);
            for (int next = db.execAndGet("PRAGMA user_version").getInt(); next < schema_version; ++next) {
                db.exec(std::string(migrations[static_cast<std::size_t>(next)]));
                db.exec("PRAGMA user_version = " + std::to_string(next + 1));
            }
            migration.commit();
        }
        return db;
    } catch (const SQLite::Exception& e) {
        const int code = e.getErrorCode();
        if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT)
            throw StateError("the " + name + " is damaged or is not a SQLite database (" + e.what() +
                             "); move it away and collab-bot will start a new one");
        if (code == SQLITE_CANTOPEN || code == SQLITE_READONLY || code == SQLITE_PERM || code == SQLITE_IOERR)
            throw StateError("cannot open the " + name + " for writing (" + e.what() +
                             "); check that its directory exists and is writable by the bot");
        throw StateError("cannot use the " + name + ": " + e.what());
    }
}

KeptStatement StateConnection::statement(std::string_view sql) {
    auto found = statements_.find(sql);
    if (found == statements_.end())
        found = statements_.emplace(std::string(sql), std::make_unique<SQLite::Statement>(db_, std::string(sql))).first;
    return KeptStatement(*found->second);
}

}  // namespace collab::store
