#include "adapters/store/sqlite_audit_log.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <SQLiteCpp/VariadicBind.h>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <functional>
#include <optional>

#include "adapters/store/audit_rows.hpp"
#include "adapters/store/invitation_rows.hpp"
#include "adapters/store/key_digest.hpp"
#include "adapters/store/sqlite_file.hpp"

namespace collab::store {
namespace {

// migrations[i] brings the schema from version i to version i + 1. Never edit one that has shipped:
// add the next.
constexpr std::array<std::string_view, 6> migrations{
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
    )sql",
    // The invitations sent through the bot, until the watch has told what became of them.
    R"sql(
    CREATE TABLE invitations (
        database_name   TEXT NOT NULL,
        email_key       TEXT NOT NULL,
        email           TEXT NOT NULL,
        collaborator_id TEXT NOT NULL,
        platform        TEXT NOT NULL,
        team            TEXT NOT NULL,
        channel         TEXT NOT NULL,
        user_id         TEXT NOT NULL,
        user_name       TEXT NOT NULL,
        inviter_email   TEXT NOT NULL,
        invited_at_ms   INTEGER NOT NULL,
        fate            TEXT NOT NULL DEFAULT '',
        settled_at_ms   INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (database_name, email_key)
    );
    CREATE INDEX invitations_pending ON invitations (platform, invited_at_ms) WHERE fate = '';
    )sql",
    // Used confirmations and access requests, decided or open, so that a restart does not undo them.
    R"sql(
    CREATE TABLE used_tokens (
        key           TEXT PRIMARY KEY,
        used_at_ms    INTEGER NOT NULL,
        used_by       TEXT NOT NULL,
        keep_until_ms INTEGER NOT NULL
    );
    CREATE INDEX used_tokens_by_deadline ON used_tokens (keep_until_ms);
    )sql",
    // The proposals Discord's buttons name by a short key, so that the buttons outlive a restart.
    R"sql(
    CREATE TABLE kept_values (
        key           TEXT PRIMARY KEY,
        value         TEXT NOT NULL,
        keep_until_ms INTEGER NOT NULL
    );
    CREATE INDEX kept_values_by_deadline ON kept_values (keep_until_ms);
    )sql",
    // A removal settles the invitation of the collaborator it removed: found by the id, not by a scan
    // of every invitation kept.
    R"sql(
    CREATE INDEX invitations_by_collaborator ON invitations (database_name, collaborator_id);
    )sql",
    // Which marks were used behind (a signature's): those a process reads back into memory at start.
    // HTTP mode's, made before this version by use_once, are those.
    R"sql(
    ALTER TABLE used_tokens ADD COLUMN written_behind INTEGER NOT NULL DEFAULT 0;
    UPDATE used_tokens SET written_behind = 1 WHERE key LIKE 'slack-request' || char(10) || '%';
    )sql"};

// A WAL holding more frames than this, and more at each pass, is being filled by a stream of commits.
constexpr int busy_wal_frames = 1024;

// Checkpoints are the checkpoint thread's (see the header), but for one case. SQLite starts the WAL
// over at a commit only after a checkpoint that reached its last frame, which the checkpoint thread's
// never does while commits keep coming (HTTP mode marks every request's signature used): the file grew
// by gigabytes, and its index in memory with it. Past 4,096 frames (16 MiB of pages), the committing
// connection checkpoints what is left itself after its commit, and the next commit starts the WAL
// over. Should the checkpoint thread be in the middle of a pass then, that checkpoint is skipped
// (SQLite lets one run at a time) and tried again after the next commit.
SQLite::Database open_audit_file(const std::filesystem::path& file) {
    SQLite::Database db = open_state_file(file, "audit trail", migrations);
    db.exec("PRAGMA wal_autocheckpoint = 4096");
    // What a WAL started over keeps of its file: the 4,096 frames and their headers, so that it is
    // not cut back at every start only to grow again.
    db.exec("PRAGMA journal_size_limit = 17825792");
    // Entries are appended and read back a page at a time; the operating system caches the file
    // anyway. SQLite's default (2 MB a connection) would only grow with the trail, in the process.
    db.exec("PRAGMA cache_size = -256");
    return db;
}

ApiError storage_error(std::string_view doing, const std::exception& e, std::string_view what = "The audit trail") {
    return ApiError{ApiErrorKind::unavailable,
                    std::string(what) + " cannot be " + std::string(doing) + " right now (" + e.what() + ")."};
}

constexpr std::string_view invitations_kept = "The invitations sent through the bot";
constexpr std::string_view uses_kept = "The confirmations and access requests used";
constexpr std::string_view proposals_kept = "The proposals awaiting a click";

int64_t milliseconds_of(TimePoint at) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}

// Remembers `invitation` (again: the same database and address replaces what was kept, pending anew).
void keep_invitation(StateConnection& connection, const Invitation& invitation) {
    static const std::string sql = "INSERT OR REPLACE INTO invitations (email_key, " + std::string(invitation_columns) +
                                   ") VALUES (?,?,?,?,?,?,?,?,?,?,?)";
    auto insert = connection.statement(sql);
    insert->bind(1, email_key(invitation.email));
    int column = 2;
    for (const std::string& value : invitation_values(invitation)) insert->bind(column++, value);
    insert->exec();
}

// Settles a pending invitation: true when this call did (of two callers, one settles it).
bool settle_invitation(StateConnection& connection, const std::string& database, const std::string& collaborator_id,
                       InvitationFate fate, TimePoint at) {
    auto update = connection.statement(
        "UPDATE invitations SET fate = ?, settled_at_ms = ? "
        "WHERE database_name = ? AND collaborator_id = ? AND fate = ''");
    SQLite::bind(*update, std::string(fate_name(fate)), milliseconds_of(at), database, collaborator_id);
    return update->exec() == 1;
}

// Past their deadline the marks guard nothing (the token or signature is refused by then).
void forget_expired_marks(StateConnection& connection, TimePoint now) {
    auto expired = connection.statement("DELETE FROM used_tokens WHERE keep_until_ms <= ?");
    expired->bind(1, milliseconds_of(now));
    expired->exec();
}

// Marks `key` used unless it already is: true when this call did.
bool mark_used(StateConnection& connection, const std::string& key, const TokenUse& use, TimePoint keep_until,
               bool written_behind) {
    auto insert = connection.statement(
        "INSERT OR IGNORE INTO used_tokens (key, used_at_ms, used_by, keep_until_ms, written_behind) "
        "VALUES (?,?,?,?,?)");
    SQLite::bind(*insert, key, milliseconds_of(use.at), use.by, milliseconds_of(keep_until), written_behind ? 1 : 0);
    return insert->exec() == 1;
}

// Holds in `marks` the keys used behind that can still be presented, as an earlier process left them,
// the longest-lived first: returns until when a key not held may be marked in the file (those that did
// not fit, the soonest let go).
TimePoint hold_marks_written_behind(StateConnection& connection, MarksInMemory& marks,
                                    const std::filesystem::path& file) {
    const TimePoint now = Clock::now();
    TimePoint not_held_until{};
    try {
        auto live = connection.statement(
            "SELECT key, keep_until_ms FROM used_tokens WHERE written_behind = 1 AND keep_until_ms > ? "
            "ORDER BY keep_until_ms DESC");
        live->bind(1, milliseconds_of(now));
        while (live->executeStep()) {
            const TimePoint keep_until{std::chrono::milliseconds{live->getColumn(1).getInt64()}};
            if (!marks.take(digest_of(live->getColumn(0).getString()), keep_until, now))
                not_held_until = std::max(not_held_until, keep_until);
        }
    } catch (const std::exception& error) {
        throw StateError("cannot read the requests used in " + file.string() + ": " + error.what());
    }
    return not_held_until;
}

// The first use of a marked key; an unknown one when its mark is not in the file.
TokenUse first_use(StateConnection& connection, const std::string& key) {
    auto earlier = connection.statement("SELECT used_at_ms, used_by FROM used_tokens WHERE key = ?");
    earlier->bind(1, key);
    if (!earlier->executeStep()) return TokenUse{};
    return TokenUse{TimePoint{std::chrono::milliseconds{earlier->getColumn(0).getInt64()}},
                    earlier->getColumn(1).getString()};
}

void append_entry(StateConnection& connection, const AuditEntry& e) {
    static const std::string sql =
        "INSERT INTO audit (" + std::string(audit_columns) + ") VALUES (?,?,?,?,?,?,?,?,?,?,?)";
    auto insert = connection.statement(sql);
    SQLite::bind(*insert, milliseconds_of(e.at), e.platform, e.team, e.channel, e.user_id, e.email, e.action,
                 e.database, e.target, std::string(to_string(e.outcome)), e.detail);
    insert->exec();
}

}  // namespace

SqliteAuditLog::SqliteAuditLog(const std::filesystem::path& file, std::size_t marks_in_memory)
    : connection_(open_audit_file(file)),
      marks_(marks_in_memory),
      // Read before the threads start: the connection is this thread's until then.
      file_marks_live_until_(hold_marks_written_behind(connection_, marks_, file)),
      checkpoints_([this, file] { checkpoint_every(std::chrono::seconds{1}, file); }),
      worker_(*this, "collab-audit",
              ApiError{ApiErrorKind::unavailable, "The request to the audit trail was cancelled."}) {}

SqliteAuditLog::~SqliteAuditLog() {
    {
        std::lock_guard lock(checkpoint_mutex_);
        stopping_ = true;
    }
    stop_checkpoints_.notify_one();
    checkpoints_.join();
}

void SqliteAuditLog::checkpoint_every(std::chrono::milliseconds period, std::filesystem::path file) {
    become_background_thread("collab-checkpt");
    try {
        SQLite::Database db(file.string(), SQLite::OPEN_READWRITE, 5000);
        int last_frames = 0;
        bool filling = false;
        for (;;) {
            {
                // While a stream of commits fills the WAL, ten times as often: what is left for the
                // committing connection to checkpoint when the WAL passes its bound (see
                // open_audit_file) is then a tenth of a period's commits, not a whole period's.
                const auto wait = filling ? period / 10 : period;
                std::unique_lock lock(checkpoint_mutex_);
                if (stop_checkpoints_.wait_for(lock, wait, [this] { return stopping_; })) return;
            }
            // PASSIVE: copies what it can without waiting for, or blocking, the writer. The WAL's
            // frames come back as -1 when another checkpoint was running.
            SQLite::Statement passive(db, "PRAGMA wal_checkpoint(PASSIVE)");
            const int frames = passive.executeStep() ? passive.getColumn(1).getInt() : -1;
            filling = frames > busy_wal_frames && frames != last_frames;
            last_frames = frames;
        }
    } catch (const std::exception&) {
        // The committing connection's own checkpoints still bound the WAL; commits are unaffected.
    }
}

boost::asio::awaitable<ApiResult<void>> SqliteAuditLog::record(AuditEntry entry) {
    AuditFileWrite write{std::make_unique<const AuditEntry>(std::move(entry))};
    co_return co_await worker_.write(std::move(write));
}

boost::asio::awaitable<void> SqliteAuditLog::note(AuditEntry entry) {
    AuditFileWrite write{std::make_unique<const AuditEntry>(std::move(entry))};
    co_await worker_.write_later(std::move(write));
}

ApiResult<void> SqliteAuditLog::commit(StateConnection& connection, std::span<const AuditFileWrite> writes) {
    try {
        SQLite::Transaction transaction(connection.db());
        // Nobody waits for an invitation's row, a mark written behind or the clean-up of expired
        // marks, and its own failure must not fail the entries beside it: not kept, a remembered
        // invitation goes unannounced, a withdrawn one is later reported revoked or expired, a mark is
        // remembered as lost (see lose()). A failure that took the whole transaction back (a full disk,
        // an I/O error) fails the batch, as it would an entry. False when the step failed.
        const auto unawaited = [&connection](const auto& step) {
            try {
                step();
                return true;
            } catch (const SQLite::Exception&) {
                if (sqlite3_get_autocommit(connection.db().getHandle()) != 0) throw;
                return false;
            }
        };
        std::optional<TimePoint> latest_mark;
        for (const AuditFileWrite& write : writes) {
            if (const auto* entry = std::get_if<std::unique_ptr<const AuditEntry>>(&write)) {
                append_entry(connection, **entry);
            } else if (const auto* invitation = std::get_if<std::unique_ptr<const Invitation>>(&write)) {
                unawaited([&] { keep_invitation(connection, **invitation); });
            } else if (const auto* mark = std::get_if<TokenMark>(&write)) {
                latest_mark = std::max(latest_mark.value_or(mark->use.at), mark->use.at);
                if (!unawaited([&] { mark_used(connection, mark->key, mark->use, mark->keep_until, true); }))
                    lose(*mark);
            } else {
                const auto& withdrawal = std::get<Withdrawal>(write);
                unawaited([&] {
                    settle_invitation(connection, withdrawal.database, withdrawal.collaborator_id,
                                      InvitationFate::withdrawn, withdrawal.at);
                });
            }
        }
        if (latest_mark) unawaited([&] { forget_expired_marks(connection, *latest_mark); });
        transaction.commit();
    } catch (const std::exception& error) {
        for (const AuditFileWrite& write : writes)
            if (const auto* mark = std::get_if<TokenMark>(&write)) lose(*mark);
        return std::unexpected(storage_error("written", error));
    }
    return {};
}

void SqliteAuditLog::lose(const TokenMark& mark) {
    std::erase_if(lost_marks_, [&](const auto& lost) { return lost.second <= mark.use.at; });
    auto [lost, first] = lost_marks_.try_emplace(digest_of(mark.key), mark.keep_until);
    if (!first) lost->second = std::max(lost->second, mark.keep_until);
}

boost::asio::awaitable<ApiResult<std::vector<AuditEntry>>> SqliteAuditLog::recent(AuditQuery query) {
    using Entries = std::vector<AuditEntry>;
    std::function<ApiResult<Entries>(StateConnection&)> work =
        [query = std::move(query)](StateConnection& connection) -> ApiResult<Entries> {
        Entries entries;
        try {
            const AuditSelect select = audit_select(query, "?");
            auto read = connection.statement(select.sql);
            int index = 0;
            for (const auto& value : select.parameters) read->bind(++index, value);
            read->bind(++index, query.limit);
            while (read->executeStep()) {
                entries.push_back(AuditEntry{
                    TimePoint{std::chrono::milliseconds{read->getColumn(0).getInt64()}}, read->getColumn(1).getString(),
                    read->getColumn(2).getString(), read->getColumn(3).getString(), read->getColumn(4).getString(),
                    read->getColumn(5).getString(), read->getColumn(6).getString(), read->getColumn(7).getString(),
                    read->getColumn(8).getString(), outcome_from(read->getColumn(9).getString()),
                    read->getColumn(10).getString()});
            }
        } catch (const std::exception& error) {
            return std::unexpected(storage_error("read", error));
        }
        return entries;
    };
    co_return co_await worker_.call(std::move(work));
}

boost::asio::awaitable<void> SqliteAuditLog::remember(Invitation invitation) {
    AuditFileWrite write{std::make_unique<const Invitation>(std::move(invitation))};
    co_await worker_.write_later(std::move(write));
}

boost::asio::awaitable<ApiResult<std::vector<Invitation>>> SqliteAuditLog::pending(std::string platform) {
    using Invitations = std::vector<Invitation>;
    std::function<ApiResult<Invitations>(StateConnection&)> work =
        [platform = std::move(platform)](StateConnection& connection) -> ApiResult<Invitations> {
        Invitations invitations;
        try {
            static const std::string sql = "SELECT " + std::string(invitation_columns) +
                                           " FROM invitations WHERE fate = '' AND platform = ? ORDER BY invited_at_ms";
            auto query = connection.statement(sql);
            query->bind(1, platform);
            while (query->executeStep()) {
                std::vector<std::string> values;
                for (int column = 0; column < query->getColumnCount(); ++column)
                    values.push_back(query->getColumn(column).getString());
                invitations.push_back(invitation_from(values));
            }
        } catch (const std::exception& error) {
            return std::unexpected(storage_error("read", error, invitations_kept));
        }
        return invitations;
    };
    co_return co_await worker_.call(std::move(work));
}

boost::asio::awaitable<ApiResult<bool>> SqliteAuditLog::settle(std::string database, std::string collaborator_id,
                                                               InvitationFate fate, TimePoint at) {
    std::function<ApiResult<bool>(StateConnection&)> work = [database = std::move(database),
                                                             collaborator_id = std::move(collaborator_id), fate,
                                                             at](StateConnection& connection) -> ApiResult<bool> {
        try {
            return settle_invitation(connection, database, collaborator_id, fate, at);
        } catch (const std::exception& error) {
            return std::unexpected(storage_error("written", error, invitations_kept));
        }
    };
    co_return co_await worker_.call(std::move(work));
}

boost::asio::awaitable<void> SqliteAuditLog::withdraw(std::string database, std::string collaborator_id, TimePoint at) {
    AuditFileWrite write{Withdrawal{std::move(database), std::move(collaborator_id), at}};
    co_await worker_.write_later(std::move(write));
}

boost::asio::awaitable<ApiResult<std::size_t>> SqliteAuditLog::forget_settled(TimePoint settled_before) {
    std::function<ApiResult<std::size_t>(StateConnection&)> work =
        [settled_before](StateConnection& connection) -> ApiResult<std::size_t> {
        try {
            auto forget = connection.statement("DELETE FROM invitations WHERE fate <> '' AND settled_at_ms < ?");
            forget->bind(1, milliseconds_of(settled_before));
            return static_cast<std::size_t>(forget->exec());
        } catch (const std::exception& error) {
            return std::unexpected(storage_error("written", error, invitations_kept));
        }
    };
    co_return co_await worker_.call(std::move(work));
}

boost::asio::awaitable<ApiResult<std::optional<TokenUse>>> SqliteAuditLog::use_once(std::string key, TokenUse use,
                                                                                    TimePoint keep_until) {
    return use_in_file(std::move(key), std::move(use), keep_until, false);
}

boost::asio::awaitable<ApiResult<std::optional<TokenUse>>> SqliteAuditLog::use_in_file(std::string key, TokenUse use,
                                                                                       TimePoint keep_until,
                                                                                       bool written_behind) {
    using Earlier = std::optional<TokenUse>;
    std::function<ApiResult<Earlier>(StateConnection&)> work =
        [this, key = std::move(key), use = std::move(use), keep_until,
         written_behind](StateConnection& connection) -> ApiResult<Earlier> {
        // Used, though the file lost its mark: when and by whom is unknown.
        if (written_behind)
            if (const auto lost = lost_marks_.find(digest_of(key)); lost != lost_marks_.end() && lost->second > use.at)
                return Earlier{TokenUse{}};
        try {
            // One transaction: one commit for the clean-up and the mark.
            SQLite::Transaction transaction(connection.db());
            forget_expired_marks(connection, use.at);
            Earlier found;
            if (!mark_used(connection, key, use, keep_until, written_behind)) found = first_use(connection, key);
            transaction.commit();
            return found;
        } catch (const std::exception& error) {
            return std::unexpected(storage_error("written", error, uses_kept));
        }
    };
    co_return co_await worker_.call(std::move(work));
}

boost::asio::awaitable<ApiResult<std::optional<TokenUse>>> SqliteAuditLog::use_once_written_behind(
    std::string key, TokenUse use, TimePoint keep_until) {
    const auto executor = co_await boost::asio::this_coro::executor;
    const KeyDigest digest = digest_of(key);
    bool ask_the_file = true;
    decltype(worker_)::WriteAnswer pending;
    {
        // One lock for the memory and the queue. Whatever the file answers, the key is held from here
        // until its deadline, or else keys not held are asked about in the file until then: so a key
        // once marked is always asked about (as long as it can be presented), and of two uses of a new
        // key, the first queues its mark and the second asks the file, after that mark is committed.
        std::lock_guard lock(marks_mutex_);
        const bool maybe_used = use.at < file_marks_live_until_ || marks_.may_hold(digest, use.at);
        const bool held = marks_.take(digest, keep_until, use.at);
        if (!held) file_marks_live_until_ = std::max(file_marks_live_until_, keep_until);
        ask_the_file = maybe_used || !held;
        if (!ask_the_file) {
            TokenMark mark{key, use, keep_until};
            // Past a backlog of writes nobody waits for, this one waits for its commit.
            pending = worker_.queue_write(AuditFileWrite{std::move(mark)}, executor, worker_.backlogged());
        }
    }
    if (ask_the_file) co_return co_await use_in_file(std::move(key), std::move(use), keep_until, true);
    if (pending) (void)co_await worker_.committed(std::move(pending));  // held in memory either way
    co_return std::optional<TokenUse>{};
}

boost::asio::awaitable<ApiResult<void>> SqliteAuditLog::forget(std::string key) {
    // A call runs after the writes queued before it are committed: after any mark of the key. Taken
    // back from the file, the key is asked about there, and found unused, while its fingerprint is held.
    std::function<ApiResult<void>(StateConnection&)> work =
        [this, key = std::move(key)](StateConnection& connection) -> ApiResult<void> {
        try {
            auto forget = connection.statement("DELETE FROM used_tokens WHERE key = ?");
            forget->bind(1, key);
            forget->exec();
            lost_marks_.erase(digest_of(key));
        } catch (const std::exception& error) {
            return std::unexpected(storage_error("written", error, uses_kept));
        }
        return {};
    };
    co_return co_await worker_.call(std::move(work));
}

boost::asio::awaitable<ApiResult<void>> SqliteAuditLog::keep(std::string key, std::string value, TimePoint keep_until) {
    std::function<ApiResult<void>(StateConnection&)> work =
        [key = std::move(key), value = std::move(value), keep_until](StateConnection& connection) -> ApiResult<void> {
        try {
            auto insert =
                connection.statement("INSERT OR IGNORE INTO kept_values (key, value, keep_until_ms) VALUES (?,?,?)");
            SQLite::bind(*insert, key, value, milliseconds_of(keep_until));
            insert->exec();
        } catch (const std::exception& error) {
            return std::unexpected(storage_error("written", error, proposals_kept));
        }
        return {};
    };
    co_return co_await worker_.call(std::move(work));
}

boost::asio::awaitable<ApiResult<std::optional<std::string>>> SqliteAuditLog::recall(std::string key, TimePoint now) {
    using Kept = std::optional<std::string>;
    std::function<ApiResult<Kept>(StateConnection&)> work = [key = std::move(key),
                                                             now](StateConnection& connection) -> ApiResult<Kept> {
        try {
            // One transaction: one commit for the clean-up and the read.
            SQLite::Transaction transaction(connection.db());
            // Past their deadline the values answer nobody: let them go.
            auto expired = connection.statement("DELETE FROM kept_values WHERE keep_until_ms <= ?");
            expired->bind(1, milliseconds_of(now));
            expired->exec();
            Kept kept;
            {
                auto found = connection.statement("SELECT value FROM kept_values WHERE key = ?");
                found->bind(1, key);
                if (found->executeStep()) kept = found->getColumn(0).getString();
            }
            transaction.commit();
            return kept;
        } catch (const std::exception& error) {
            return std::unexpected(storage_error("read", error, proposals_kept));
        }
    };
    co_return co_await worker_.call(std::move(work));
}

}  // namespace collab::store
