#include "adapters/store/postgres_store.hpp"

#include <libpq-fe.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <spdlog/logger.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <map>
#include <random>
#include <span>
#include <vector>

#include "adapters/store/sqlite_file.hpp"
#include "adapters/store/worker_thread.hpp"
#include "core/format.hpp"

namespace collab::store {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

namespace {

// migrations[i] brings the schema from version i to version i + 1. Never edit one that has shipped:
// add the next.
constexpr std::array<std::string_view, 3> migrations{
    R"sql(
    CREATE TABLE audit (
        seq           bigserial PRIMARY KEY,
        at_ms         bigint NOT NULL,
        platform      text NOT NULL,
        team          text NOT NULL,
        channel       text NOT NULL,
        user_id       text NOT NULL,
        email         text NOT NULL,
        action        text NOT NULL,
        database_name text NOT NULL,
        target        text NOT NULL,
        outcome       text NOT NULL,
        detail        text NOT NULL
    );
    CREATE INDEX audit_by_database ON audit (database_name, seq);
    CREATE INDEX audit_by_time ON audit (at_ms);

    CREATE TABLE deliveries (
        key        text PRIMARY KEY,
        claimed_at timestamptz NOT NULL DEFAULT now(),
        done       boolean NOT NULL DEFAULT false
    );
    CREATE INDEX deliveries_by_time ON deliveries (claimed_at);

    CREATE TABLE request_log (
        account text NOT NULL,
        sent_at timestamptz NOT NULL
    );
    CREATE INDEX request_log_by_account ON request_log (account, sent_at);

    -- One request from an account's allowance of per_minute in any rolling window, counted across
    -- instances: NULL when granted, else the milliseconds until the oldest request leaves the window.
    -- The advisory lock serialises the instances taking from one account, for this transaction only.
    CREATE FUNCTION collab_take_request(p_account text, p_per_minute integer, p_window interval)
    RETURNS bigint LANGUAGE plpgsql AS $$
    DECLARE
        v_now    timestamptz;
        v_used   integer;
        v_oldest timestamptz;
    BEGIN
        PERFORM pg_advisory_xact_lock(hashtext(p_account));
        -- The clock now, not at the start of the transaction: the lock may have been waited for.
        v_now := clock_timestamp();
        DELETE FROM request_log WHERE account = p_account AND sent_at <= v_now - p_window;
        SELECT count(*), min(sent_at) INTO v_used, v_oldest FROM request_log WHERE account = p_account;
        IF v_used < p_per_minute THEN
            INSERT INTO request_log (account, sent_at) VALUES (p_account, v_now);
            RETURN NULL;
        END IF;
        RETURN greatest(1, ceil(extract(epoch FROM v_oldest + p_window - v_now) * 1000))::bigint;
    END
    $$;
    )sql",
    // Confirmations and signed requests already used: a proposal completes once, a request is not replayed.
    R"sql(
    CREATE TABLE used_tokens (
        key           text PRIMARY KEY,
        used_at_ms    bigint NOT NULL,
        used_by       text NOT NULL,
        keep_until_ms bigint NOT NULL
    );
    CREATE INDEX used_tokens_by_deadline ON used_tokens (keep_until_ms);
    )sql",
    // Claims with an owner and a lease it renews while it works, and what another instance needs to
    // finish the work when the lease lapses. Claims made before have no work left to finish.
    R"sql(
    ALTER TABLE deliveries
        ADD COLUMN owner       text NOT NULL DEFAULT '',
        ADD COLUMN lease_until timestamptz NOT NULL DEFAULT now(),
        ADD COLUMN work        text NOT NULL DEFAULT '';
    CREATE INDEX deliveries_unfinished ON deliveries (lease_until) WHERE NOT done;
    )sql"};

// Serialises migrations between instances. Above the 32-bit range, so that it never meets the lock
// of an account (hashtext is 32-bit).
constexpr std::string_view migration_lock = "7165303936275259717";

constexpr std::array outcomes{AuditOutcome::allowed,   AuditOutcome::denied,   AuditOutcome::proposed,
                              AuditOutcome::confirmed, AuditOutcome::executed, AuditOutcome::failed};

AuditOutcome outcome_from(std::string_view text) {
    for (auto outcome : outcomes)
        if (to_string(outcome) == text) return outcome;
    return AuditOutcome::failed;
}

struct ConnectionDeleter {
    void operator()(PGconn* conn) const { PQfinish(conn); }
};
using Connection = std::unique_ptr<PGconn, ConnectionDeleter>;

struct ResultDeleter {
    void operator()(PGresult* result) const { PQclear(result); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

struct ConninfoDeleter {
    void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};

// libpq's messages end with a newline and continue on tab-indented lines: one line for a log or a chat.
std::string one_line(const char* text) {
    std::string line;
    for (const char* c = text ? text : ""; *c != '\0'; ++c) {
        if (*c == '\n' || *c == '\t' || *c == '\r') {
            if (!line.empty() && line.back() != ' ') line += ' ';
        } else {
            line += *c;
        }
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return line;
}

std::string error_of(PGconn* conn) {
    return one_line(PQerrorMessage(conn));
}

// The parameters a URL (or key=value string) sets, as libpq reads it; nullopt when it cannot.
std::optional<std::map<std::string, std::string>> parameters_of(std::string_view url) {
    char* error = nullptr;
    std::unique_ptr<PQconninfoOption, ConninfoDeleter> options(PQconninfoParse(std::string(url).c_str(), &error));
    // The parse error may quote the URL, password included: never shown.
    if (error != nullptr) PQfreemem(error);
    if (!options) return std::nullopt;
    std::map<std::string, std::string> values;
    for (const PQconninfoOption* option = options.get(); option->keyword != nullptr; ++option)
        if (option->val != nullptr && *option->val != '\0') values[option->keyword] = option->val;
    return values;
}

std::vector<std::string> split_commas(const std::string& text) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        const auto comma = text.find(',', start);
        parts.push_back(text.substr(start, comma - start));
        if (comma == std::string::npos) return parts;
        start = comma + 1;
    }
}

// poll() until `deadline` (time_point::max(): no deadline), through signals; 0 when the time is up.
int poll_until(std::span<pollfd> fds, SteadyClock::time_point deadline) {
    for (;;) {
        int timeout = -1;
        if (deadline != SteadyClock::time_point::max()) {
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - SteadyClock::now()).count();
            timeout = static_cast<int>(std::clamp<long long>(left, 0, INT_MAX));
        }
        const int ready = ::poll(fds.data(), fds.size(), timeout);
        if (ready >= 0 || errno != EINTR) return ready;
    }
}

std::string interval_of(std::chrono::milliseconds duration) {
    return std::to_string(duration.count()) + " milliseconds";
}

}  // namespace

namespace detail {

// What a statement ran into, when it did not succeed.
struct DbError {
    bool lost = false;     // the connection is gone, or the server stopped answering: nothing more goes through it
    std::string sqlstate;  // the server's error code, when it answered with an error
    std::string message;
};

// One connection to the server, driven without blocking past a deadline: a server that stops
// answering costs a bounded wait, not a stuck thread.
class PostgresSession {
public:
    PostgresSession(Connection conn, std::chrono::milliseconds patience)
        : conn_(std::move(conn)), patience_(patience) {}

    int socket() const { return PQsocket(conn_.get()); }
    // Why the connection is unusable, once it is.
    const std::optional<std::string>& lost() const { return lost_; }

    // Runs `sql` (with $1… bound to `params` as text; without params it may hold several statements)
    // and returns its last result.
    std::expected<Result, DbError> exec(const std::string& sql, const std::vector<std::string>& params = {}) {
        PGconn* conn = conn_.get();
        if (lost_) return std::unexpected(DbError{true, "", *lost_});
        const auto deadline = SteadyClock::now() + patience_;
        std::vector<const char*> values;
        for (const auto& param : params) values.push_back(param.c_str());
        const int sent = params.empty() ? PQsendQuery(conn, sql.c_str())
                                        : PQsendQueryParams(conn, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                                            values.data(), nullptr, nullptr, 0);
        if (sent == 0) return broken(error_of(conn));
        // Non-blocking: push the query out, reading meanwhile so that neither side waits on the other.
        for (;;) {
            const int flushed = PQflush(conn);
            if (flushed < 0) return broken(error_of(conn));
            if (flushed == 0) break;
            if (!wait(POLLIN | POLLOUT, deadline)) return broken(no_answer());
            if (PQconsumeInput(conn) == 0) return broken(error_of(conn));
        }
        Result last;
        std::optional<DbError> error;
        for (;;) {
            while (PQisBusy(conn) != 0) {
                if (!wait(POLLIN, deadline)) return broken(no_answer());
                if (PQconsumeInput(conn) == 0) return broken(error ? error->message : error_of(conn));
            }
            Result result(PQgetResult(conn));
            if (!result) break;
            const auto status = PQresultStatus(result.get());
            if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
                last = std::move(result);
            } else if (!error) {
                const char* sqlstate = PQresultErrorField(result.get(), PG_DIAG_SQLSTATE);
                error = DbError{false, sqlstate ? sqlstate : "", one_line(PQresultErrorMessage(result.get()))};
            }
        }
        // Class 08 (connection exception) and 57P (the server shutting down, this backend terminated):
        // the socket may not be closed yet, but nothing more will go through it.
        if (PQstatus(conn) == CONNECTION_BAD ||
            (error && (error->sqlstate.starts_with("08") || error->sqlstate.starts_with("57P"))))
            return broken(error ? error->message : error_of(conn));
        if (error) return std::unexpected(*error);
        return last;
    }

    // Reads what arrived while no statement was running (a termination notice, the socket closing):
    // false when the connection is gone.
    bool still_up() {
        if (PQconsumeInput(conn_.get()) == 0 || PQstatus(conn_.get()) == CONNECTION_BAD) {
            lost_ = error_of(conn_.get());
            return false;
        }
        return true;
    }

private:
    std::unexpected<DbError> broken(std::string reason) {
        lost_ = reason;
        return std::unexpected(DbError{true, "", std::move(reason)});
    }
    std::string no_answer() const { return "no answer within " + format_seconds(patience_); }
    bool wait(short events, SteadyClock::time_point deadline) {
        std::array<pollfd, 1> fds{{{socket(), events, 0}}};
        return poll_until(fds, deadline) != 0;  // an error is left for libpq to report
    }

    Connection conn_;
    std::chrono::milliseconds patience_;
    std::optional<std::string> lost_;
};

}  // namespace detail

namespace {

using detail::DbError;
using Session = detail::PostgresSession;

ApiError unreachable_error(const std::string& server) {
    return ApiError{ApiErrorKind::unavailable, "The bot's database (PostgreSQL at " + server +
                                                   ") cannot be reached right now; try again in a moment."};
}

ApiError failure_of(const std::string& server, const DbError& error) {
    if (error.lost) return unreachable_error(server);
    // query_canceled: statement_timeout, most likely behind another instance's lock.
    if (error.sqlstate == "57014")
        return ApiError{ApiErrorKind::timeout, "The bot's database (PostgreSQL at " + server +
                                                   ") did not answer in time; try again in a moment."};
    return ApiError{ApiErrorKind::unavailable,
                    "The bot's database (PostgreSQL at " + server + ") refused the request (" + error.message + ")."};
}

void log_notice(void* logger, const PGresult* notice) {
    static_cast<spdlog::logger*>(logger)->debug("PostgreSQL says: {}", one_line(PQresultErrorMessage(notice)));
}

// Connects within the connect timeout. `on_wake` runs when `wake_fd` fires (-1: never); returning
// false abandons the attempt.
std::expected<std::unique_ptr<Session>, std::string> open_session(const PostgresOptions& options,
                                                                  spdlog::logger* logger, int wake_fd,
                                                                  const std::function<bool()>& on_wake) {
    const std::string timeout = std::to_string(std::max<long long>(options.connect_timeout.count(), 1));
    // The URL's own settings override application_name; ours override its connect_timeout.
    const std::array<const char*, 4> keys{"application_name", "dbname", "connect_timeout", nullptr};
    const std::array<const char*, 4> values{"collab-bot", options.url.c_str(), timeout.c_str(), nullptr};
    Connection conn(PQconnectStartParams(keys.data(), values.data(), 1));
    if (!conn) return std::unexpected("out of memory");
    if (PQstatus(conn.get()) == CONNECTION_BAD) return std::unexpected(error_of(conn.get()));
    // libpq leaves the timeout to whoever drives PQconnectPoll.
    const auto deadline = SteadyClock::now() + options.connect_timeout;
    for (auto polling = PGRES_POLLING_WRITING; polling != PGRES_POLLING_OK; polling = PQconnectPoll(conn.get())) {
        if (polling == PGRES_POLLING_FAILED) return std::unexpected(error_of(conn.get()));
        const short events = polling == PGRES_POLLING_READING ? POLLIN : POLLOUT;
        for (;;) {
            std::array<pollfd, 2> fds{{{PQsocket(conn.get()), events, 0}, {wake_fd, POLLIN, 0}}};
            const int ready = poll_until(fds, deadline);
            if (ready == 0) return std::unexpected("no answer within " + timeout + " s");
            if (ready > 0 && fds[1].revents != 0) {
                if (!on_wake()) return std::unexpected("stopped");
                if (fds[0].revents == 0) continue;
            }
            break;
        }
    }
    PQsetNoticeReceiver(conn.get(), log_notice, logger);
    if (PQsetnonblocking(conn.get(), 1) != 0) return std::unexpected(error_of(conn.get()));
    auto session = std::make_unique<Session>(std::move(conn), options.statement_timeout + std::chrono::seconds{2});
    const auto set = session->exec("SET statement_timeout = " + std::to_string(options.statement_timeout.count()));
    if (!set) return std::unexpected(set.error().message);
    return session;
}

// Brings the schema to this build's version, once across instances that start together; the error
// completes "The bot's database (...) ".
std::expected<void, std::string> migrate(Session& session) {
    const auto step = [&session](const std::string& sql, const std::vector<std::string>& params = {}) {
        return session.exec(sql, params);
    };
    const auto cannot = [](const DbError& error) { return std::unexpected("cannot be prepared: " + error.message); };

    if (auto begun = step("BEGIN"); !begun) return cannot(begun.error());
    // Held until COMMIT: a second instance waits here, then finds the schema up to date.
    if (auto locked = step("SELECT pg_advisory_xact_lock(" + std::string(migration_lock) + ")"); !locked)
        return cannot(locked.error());
    if (auto created = step("CREATE TABLE IF NOT EXISTS schema_version ("
                            "version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
        !created)
        return cannot(created.error());
    const auto current = step("SELECT coalesce(max(version), 0) FROM schema_version");
    if (!current) return cannot(current.error());
    const int version = std::atoi(PQgetvalue(current->get(), 0, 0));
    const int known = static_cast<int>(migrations.size());
    if (version > known) {
        (void)step("ROLLBACK");
        return std::unexpected("was written by a newer collab-bot (schema " + std::to_string(version) +
                               "); upgrade collab-bot or point it at another database");
    }
    for (int next = version; next < known; ++next) {
        if (auto applied = step(std::string(migrations[static_cast<std::size_t>(next)])); !applied)
            return cannot(applied.error());
        if (auto noted = step("INSERT INTO schema_version (version) VALUES ($1)", {std::to_string(next + 1)}); !noted)
            return cannot(noted.error());
    }
    if (auto committed = step("COMMIT"); !committed) return cannot(committed.error());
    return {};
}

}  // namespace

std::string postgres_server_of(std::string_view url) {
    const auto parameters = parameters_of(url);
    if (!parameters) return "an invalid URL";
    const auto value = [&](const char* key, std::string fallback) {
        const auto found = parameters->find(key);
        return found == parameters->end() ? fallback : found->second;
    };
    const auto hosts = split_commas(value("host", value("hostaddr", "localhost")));
    const auto ports = split_commas(value("port", "5432"));
    std::string server;
    for (std::size_t i = 0; i < hosts.size(); ++i) {
        if (i > 0) server += ',';
        const std::string& port = ports.size() == hosts.size() ? ports[i] : ports.front();
        server += hosts[i] + ":" + (port.empty() ? "5432" : port);
    }
    return server;
}

PostgresStore::PostgresStore(PostgresOptions options, std::shared_ptr<spdlog::logger> logger)
    : options_(std::move(options)),
      server_(postgres_server_of(options_.url)),
      logger_(logger ? std::move(logger) : std::make_shared<spdlog::logger>("postgres")) {
    const auto parameters = parameters_of(options_.url);
    if (!parameters)
        throw StateError(
            "the PostgreSQL URL of the bot's state is not valid; it has the form "
            "postgresql://user:password@host:port/database");
    std::string where = "The bot's database (PostgreSQL at " + server_;
    if (const auto database = parameters->find("dbname"); database != parameters->end())
        where += ", database " + database->second;
    where += ")";

    wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ < 0) throw StateError(where + " cannot be used: eventfd: " + std::strerror(errno));
    try {
        const std::function<bool()> never_woken = [] { return true; };
        auto opened = open_session(options_, logger_.get(), -1, never_woken);
        if (!opened)
            throw StateError(where + " cannot be reached: " + opened.error() +
                             "; check the state URL and that the server is running");
        session_ = std::move(*opened);
        if (auto migrated = migrate(*session_); !migrated) throw StateError(where + " " + migrated.error());
    } catch (...) {
        ::close(wake_fd_);
        throw;
    }
    connected_ = true;
    thread_ = std::thread([this] { run(); });
}

PostgresStore::~PostgresStore() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    const std::uint64_t one = 1;
    if (::write(wake_fd_, &one, sizeof one) < 0) {
        // Cannot happen with an eventfd short of overflow; the thread would still stop at its next wake-up.
    }
    thread_.join();
    session_.reset();
    ::close(wake_fd_);
}

std::optional<TimePoint> PostgresStore::disconnected_since() const {
    const auto lost_at = lost_at_ms_.load();
    if (lost_at == 0) return std::nullopt;
    return TimePoint{std::chrono::milliseconds{lost_at}};
}

// ---- the callers' side ----

void PostgresStore::enqueue(Job job, const asio::any_io_executor& executor) {
    bool first = false;
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(job));
        first = !wake_scheduled_;
        wake_scheduled_ = true;
    }
    // Woken once the event loop has queued what the current burst sends, not once per call: the
    // records of a burst then share one commit.
    if (first)
        asio::post(executor, [this] {
            {
                std::lock_guard lock(mutex_);
                wake_scheduled_ = false;
            }
            const std::uint64_t one = 1;
            if (::write(wake_fd_, &one, sizeof one) < 0) {
                // Only on overflow of the counter, and then the thread is awake anyway.
            }
        });
}

namespace {

ApiError cancelled_error() {
    return ApiError{ApiErrorKind::unavailable, "The request to the bot's database was cancelled."};
}

}  // namespace

template <typename T>
asio::awaitable<ApiResult<T>> PostgresStore::call(std::function<ApiResult<T>(Session&)> work) {
    // Fail fast while the connection is down: the thread is busy reconnecting.
    if (!connected_.load()) co_return std::unexpected(unreachable_error(server_));
    auto executor = co_await asio::this_coro::executor;
    auto pending = std::make_shared<ThreadAnswer<T>>(executor);
    Job job;
    job.finish = [pending, work = std::move(work)](Session* session, const ApiResult<void>& blocked) mutable {
        ApiResult<T> result = session != nullptr ? work(*session) : ApiResult<T>(std::unexpected(blocked.error()));
        ThreadAnswer<T>::answer(std::move(pending), std::move(result));
    };
    enqueue(std::move(job), executor);
    ApiError cancelled = cancelled_error();
    co_return co_await ThreadAnswer<T>::wait(std::move(pending), std::move(cancelled));
}

asio::awaitable<ApiResult<void>> PostgresStore::record(AuditEntry entry) {
    if (!connected_.load()) co_return std::unexpected(unreachable_error(server_));
    auto executor = co_await asio::this_coro::executor;
    auto pending = std::make_shared<ThreadAnswer<void>>(executor);
    Job job;
    job.entry = std::move(entry);
    job.finish = [pending](Session*, const ApiResult<void>& committed) mutable {
        ThreadAnswer<void>::answer(std::move(pending), committed);
    };
    enqueue(std::move(job), executor);
    ApiError cancelled = cancelled_error();
    co_return co_await ThreadAnswer<void>::wait(std::move(pending), std::move(cancelled));
}

asio::awaitable<ApiResult<std::vector<AuditEntry>>> PostgresStore::recent(std::string database, int limit) {
    std::function<ApiResult<std::vector<AuditEntry>>(Session&)> work =
        [this, database = std::move(database), limit](Session& session) -> ApiResult<std::vector<AuditEntry>> {
        const auto rows = session.exec(
            "SELECT at_ms, platform, team, channel, user_id, email, action, database_name, target, outcome, detail "
            "FROM audit WHERE database_name = $1 ORDER BY seq DESC LIMIT $2",
            {database, std::to_string(std::max(limit, 0))});
        if (!rows) return std::unexpected(failure_of(server_, rows.error()));
        PGresult* result = rows->get();
        std::vector<AuditEntry> entries;
        for (int row = 0; row < PQntuples(result); ++row) {
            const auto text = [&](int column) { return std::string(PQgetvalue(result, row, column)); };
            entries.push_back(AuditEntry{TimePoint{std::chrono::milliseconds{std::stoll(text(0))}}, text(1), text(2),
                                         text(3), text(4), text(5), text(6), text(7), text(8), outcome_from(text(9)),
                                         text(10)});
        }
        return entries;
    };
    co_return co_await call(std::move(work));
}

asio::awaitable<ApiResult<ClaimState>> PostgresStore::claim(std::string key, std::string owner, std::string work,
                                                            std::chrono::milliseconds lease) {
    std::function<ApiResult<ClaimState>(Session&)> work_on = [this, key = std::move(key), owner = std::move(owner),
                                                              work = std::move(work),
                                                              lease](Session& session) -> ApiResult<ClaimState> {
        // The primary key decides between instances: only the first insert of a key adds a row, unless
        // the claim was never completed and its owner stopped renewing its lease: it died, take it over.
        // xmax is 0 on a row this statement inserted, set on one it updated.
        const auto claimed = session.exec(
            "INSERT INTO deliveries (key, owner, lease_until, work) VALUES ($1, $2, now() + $3::interval, $4) "
            "ON CONFLICT (key) DO UPDATE SET owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until "
            "WHERE NOT deliveries.done AND deliveries.lease_until < now() "
            "RETURNING xmax = 0",
            {key, owner, interval_of(lease), work});
        if (!claimed) return std::unexpected(failure_of(server_, claimed.error()));
        if (PQntuples(claimed->get()) == 1)
            return std::string_view(PQgetvalue(claimed->get(), 0, 0)) == "t" ? ClaimState::won : ClaimState::taken_over;
        const auto found = session.exec("SELECT done FROM deliveries WHERE key = $1", {key});
        if (!found) return std::unexpected(failure_of(server_, found.error()));
        // Gone meanwhile (expired): it was done long ago.
        if (PQntuples(found->get()) == 0) return ClaimState::answered;
        return std::string_view(PQgetvalue(found->get(), 0, 0)) == "t" ? ClaimState::answered : ClaimState::running;
    };
    co_return co_await call(std::move(work_on));
}

asio::awaitable<ApiResult<bool>> PostgresStore::renew(std::string key, std::string owner,
                                                      std::chrono::milliseconds lease) {
    std::function<ApiResult<bool>(Session&)> work = [this, key = std::move(key), owner = std::move(owner),
                                                     lease](Session& session) -> ApiResult<bool> {
        const auto renewed = session.exec(
            "UPDATE deliveries SET lease_until = now() + $3::interval WHERE key = $1 AND owner = $2 AND NOT done",
            {key, owner, interval_of(lease)});
        if (!renewed) return std::unexpected(failure_of(server_, renewed.error()));
        return std::string_view(PQcmdTuples(renewed->get())) == "1";
    };
    co_return co_await call(std::move(work));
}

asio::awaitable<ApiResult<void>> PostgresStore::complete(std::string key) {
    std::function<ApiResult<void>(Session&)> work = [this, key = std::move(key)](Session& session) -> ApiResult<void> {
        // What was kept to finish the work (a response_url, a confirmation token) is not kept longer.
        const auto updated = session.exec("UPDATE deliveries SET done = true, work = '' WHERE key = $1", {key});
        if (!updated) return std::unexpected(failure_of(server_, updated.error()));
        return {};
    };
    co_return co_await call(std::move(work));
}

asio::awaitable<ApiResult<std::vector<Orphan>>> PostgresStore::take_over_lapsed(std::string owner,
                                                                                std::chrono::milliseconds lease,
                                                                                int limit) {
    std::function<ApiResult<std::vector<Orphan>>(Session&)> work =
        [this, owner = std::move(owner), lease, limit](Session& session) -> ApiResult<std::vector<Orphan>> {
        // SKIP LOCKED: instances sweeping at the same moment each get other rows, never the same one.
        const auto taken = session.exec(
            "UPDATE deliveries SET owner = $1, lease_until = now() + $2::interval WHERE key IN "
            "(SELECT key FROM deliveries WHERE NOT done AND work <> '' AND lease_until < now() "
            "ORDER BY lease_until LIMIT $3 FOR UPDATE SKIP LOCKED) "
            "AND NOT done AND lease_until < now() RETURNING key, work",
            {owner, interval_of(lease), std::to_string(std::max(limit, 0))});
        if (!taken) return std::unexpected(failure_of(server_, taken.error()));
        std::vector<Orphan> orphans;
        for (int row = 0; row < PQntuples(taken->get()); ++row)
            orphans.push_back(Orphan{PQgetvalue(taken->get(), row, 0), PQgetvalue(taken->get(), row, 1)});
        return orphans;
    };
    co_return co_await call(std::move(work));
}

namespace {

std::int64_t milliseconds_of(TimePoint at) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}

}  // namespace

asio::awaitable<ApiResult<std::optional<TokenUse>>> PostgresStore::use_once(std::string key, TokenUse use,
                                                                            TimePoint keep_until) {
    using Earlier = std::optional<TokenUse>;
    std::function<ApiResult<Earlier>(Session&)> work = [this, key = std::move(key), use = std::move(use),
                                                        keep_until](Session& session) -> ApiResult<Earlier> {
        // The primary key decides between instances: only one insert of a key adds a row.
        const auto inserted = session.exec(
            "INSERT INTO used_tokens (key, used_at_ms, used_by, keep_until_ms) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT (key) DO NOTHING",
            {key, std::to_string(milliseconds_of(use.at)), use.by, std::to_string(milliseconds_of(keep_until))});
        if (!inserted) return std::unexpected(failure_of(server_, inserted.error()));
        if (std::string_view(PQcmdTuples(inserted->get())) == "1") return Earlier{};
        const auto earlier = session.exec("SELECT used_at_ms, used_by FROM used_tokens WHERE key = $1", {key});
        if (!earlier) return std::unexpected(failure_of(server_, earlier.error()));
        // Taken back in between: used all the same, by whom is no longer known.
        if (PQntuples(earlier->get()) == 0) return Earlier{TokenUse{}};
        return Earlier{TokenUse{TimePoint{std::chrono::milliseconds{std::stoll(PQgetvalue(earlier->get(), 0, 0))}},
                                PQgetvalue(earlier->get(), 0, 1)}};
    };
    co_return co_await call(std::move(work));
}

asio::awaitable<ApiResult<void>> PostgresStore::forget(std::string key) {
    std::function<ApiResult<void>(Session&)> work = [this, key = std::move(key)](Session& session) -> ApiResult<void> {
        const auto deleted = session.exec("DELETE FROM used_tokens WHERE key = $1", {key});
        if (!deleted) return std::unexpected(failure_of(server_, deleted.error()));
        return {};
    };
    co_return co_await call(std::move(work));
}

namespace {

ApiError invalid_allowance(int per_minute) {
    return ApiError{ApiErrorKind::invalid_input,
                    "A request allowance of " + std::to_string(per_minute) + " a minute lets nothing through."};
}

}  // namespace

asio::awaitable<ApiResult<std::optional<std::chrono::milliseconds>>> PostgresStore::take_request(std::string account,
                                                                                                 int per_minute) {
    if (per_minute < 1) co_return std::unexpected(invalid_allowance(per_minute));
    using Wait = std::optional<std::chrono::milliseconds>;
    std::function<ApiResult<Wait>(Session&)> work = [this, account = std::move(account),
                                                     per_minute](Session& session) -> ApiResult<Wait> {
        const auto taken = session.exec("SELECT collab_take_request($1, $2, $3::interval)",
                                        {account, std::to_string(per_minute), interval_of(options_.request_window)});
        if (!taken) return std::unexpected(failure_of(server_, taken.error()));
        if (PQgetisnull(taken->get(), 0, 0) != 0) return Wait{};
        return Wait{std::chrono::milliseconds{std::stoll(PQgetvalue(taken->get(), 0, 0))}};
    };
    co_return co_await call(std::move(work));
}

asio::awaitable<ApiResult<int>> PostgresStore::requests_left(std::string account, int per_minute) {
    if (per_minute < 1) co_return std::unexpected(invalid_allowance(per_minute));
    std::function<ApiResult<int>(Session&)> work = [this, account = std::move(account),
                                                    per_minute](Session& session) -> ApiResult<int> {
        const auto counted = session.exec(
            "SELECT greatest(0, $2::integer - count(*))::integer FROM request_log "
            "WHERE account = $1 AND sent_at > clock_timestamp() - $3::interval",
            {account, std::to_string(per_minute), interval_of(options_.request_window)});
        if (!counted) return std::unexpected(failure_of(server_, counted.error()));
        return std::atoi(PQgetvalue(counted->get(), 0, 0));
    };
    co_return co_await call(std::move(work));
}

asio::awaitable<ApiResult<void>> PostgresStore::ping() {
    std::function<ApiResult<void>(Session&)> work = [this](Session& session) -> ApiResult<void> {
        const auto answered = session.exec("SELECT 1");
        if (!answered) return std::unexpected(failure_of(server_, answered.error()));
        return {};
    };
    co_return co_await call(std::move(work));
}

// ---- the store's thread ----

void PostgresStore::drain_wake() {
    std::uint64_t count = 0;
    while (::read(wake_fd_, &count, sizeof count) > 0) {
    }
}

void PostgresStore::fail_queued() {
    std::deque<Job> jobs;
    {
        std::lock_guard lock(mutex_);
        jobs.swap(queue_);
    }
    const ApiResult<void> unreachable = std::unexpected(unreachable_error(server_));
    for (auto& job : jobs) job.finish(nullptr, unreachable);
}

void PostgresStore::lose_connection(std::string reason) {  // by value: it may live in the session reset below
    session_.reset();
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch());
    lost_at_ms_ = std::max<std::int64_t>(now.count(), 1);
    connected_ = false;
    logger_->warn("Lost the connection to the bot's database (PostgreSQL at {}): {}; reconnecting", server_, reason);
}

bool PostgresStore::reconnect(int attempt) {
    const std::function<bool()> on_wake = [this] {
        // Calls that slipped in as the connection went down: answer them now, not after the attempt.
        drain_wake();
        fail_queued();
        std::lock_guard lock(mutex_);
        return !stopping_;
    };
    auto opened = open_session(options_, logger_.get(), wake_fd_, on_wake);
    if (!opened) {
        logger_->debug("Reconnection {} to PostgreSQL at {} failed: {}", attempt + 1, server_, opened.error());
        return false;
    }
    // The server may have come back from a backup, or be a new one: bring its schema up to date too.
    if (auto migrated = migrate(**opened); !migrated) {
        logger_->error("The bot's database (PostgreSQL at {}) {}", server_, migrated.error());
        return false;
    }
    session_ = std::move(*opened);
    const auto lost_at = lost_at_ms_.load();
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch());
    connected_ = true;
    lost_at_ms_ = 0;
    logger_->info("Reconnected to the bot's database (PostgreSQL at {}) after {}", server_,
                  format_seconds(std::chrono::milliseconds{now.count() - lost_at}));
    return true;
}

void PostgresStore::run() {
    std::minstd_rand jitter(std::random_device{}());
    auto next_cleanup = SteadyClock::now();  // right after connecting
    int attempt = 0;
    for (;;) {
        if (!session_) {
            fail_queued();
            const auto retry_at = SteadyClock::now() + net::jittered_backoff(options_.reconnect, attempt, jitter);
            // Pause before the attempt, answering calls that still arrive and stopping when asked.
            for (;;) {
                std::array<pollfd, 1> fds{{{wake_fd_, POLLIN, 0}}};
                if (poll_until(fds, retry_at) == 0) break;
                drain_wake();
                fail_queued();
                std::lock_guard lock(mutex_);
                if (stopping_) return;
            }
            {
                std::lock_guard lock(mutex_);
                if (stopping_) return;
            }
            if (reconnect(attempt)) {
                attempt = 0;
                next_cleanup = SteadyClock::now();
            } else {
                ++attempt;
            }
            continue;
        }

        // Idle: wait for calls, for the server to say something (it only does so to hang up), or
        // for the next clean-up.
        std::array<pollfd, 2> fds{{{wake_fd_, POLLIN, 0}, {session_->socket(), POLLIN, 0}}};
        poll_until(fds, next_cleanup);
        if (fds[1].revents != 0 && !session_->still_up()) {
            lose_connection(*session_->lost());
            continue;
        }
        if (fds[0].revents != 0) drain_wake();
        std::deque<Job> jobs;
        bool stopping = false;
        {
            std::lock_guard lock(mutex_);
            jobs.swap(queue_);
            stopping = stopping_;
        }
        work_through(jobs);
        if (stopping) {
            std::lock_guard lock(mutex_);
            if (queue_.empty()) return;
        }
        if (session_ && SteadyClock::now() >= next_cleanup) {
            clean_up();
            next_cleanup = SteadyClock::now() + options_.cleanup_every;
        }
    }
}

void PostgresStore::work_through(std::deque<Job>& jobs) {
    // Consecutive writes share one transaction; any other call sees every write queued before it.
    std::deque<Job*> writes;
    for (auto& job : jobs) {
        if (job.entry) {
            writes.push_back(&job);
            continue;
        }
        write_all(writes);
        if (!session_) {
            const ApiResult<void> unreachable = std::unexpected(unreachable_error(server_));
            job.finish(nullptr, unreachable);
            continue;
        }
        job.finish(session_.get(), {});
        if (session_->lost()) lose_connection(*session_->lost());
    }
    write_all(writes);
}

void PostgresStore::write_all(std::deque<Job*>& writes) {
    // One multi-row INSERT is one round trip and one transaction; libpq allows 65535 parameters.
    constexpr std::size_t columns = 11;
    constexpr std::size_t rows_per_statement = 1000;
    while (!writes.empty()) {
        const std::size_t rows = std::min(writes.size(), rows_per_statement);
        ApiResult<void> committed;
        if (!session_) {
            committed = std::unexpected(unreachable_error(server_));
        } else {
            std::string sql =
                "INSERT INTO audit (at_ms, platform, team, channel, user_id, email, action, database_name, target, "
                "outcome, detail) VALUES ";
            std::vector<std::string> params;
            params.reserve(rows * columns);
            for (std::size_t row = 0; row < rows; ++row) {
                const AuditEntry& e = *writes[row]->entry;
                sql += row == 0 ? "(" : ",(";
                for (std::size_t column = 0; column < columns; ++column)
                    sql += (column == 0 ? "$" : ",$") + std::to_string(row * columns + column + 1);
                sql += ")";
                const auto at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(e.at.time_since_epoch());
                for (std::string value :
                     {std::to_string(at_ms.count()), e.platform, e.team, e.channel, e.user_id, e.email, e.action,
                      e.database, e.target, std::string(to_string(e.outcome)), e.detail})
                    params.push_back(std::move(value));
            }
            // Success only once the server confirmed the commit; a lost answer counts as a failure.
            if (auto inserted = session_->exec(sql, params); !inserted)
                committed = std::unexpected(failure_of(server_, inserted.error()));
            if (session_->lost()) lose_connection(*session_->lost());
        }
        for (std::size_t row = 0; row < rows; ++row) writes[row]->finish(nullptr, committed);
        writes.erase(writes.begin(), writes.begin() + static_cast<std::ptrdiff_t>(rows));
    }
}

void PostgresStore::clean_up() {
    // In batches, so that no statement runs into the statement timeout after a long pause.
    const auto audit_cutoff = std::chrono::duration_cast<std::chrono::milliseconds>(
        (Clock::now() - std::chrono::days{options_.audit_retention_days}).time_since_epoch());
    const std::array<std::pair<std::string, std::string>, 4> expiries{{
        {"DELETE FROM audit WHERE seq IN (SELECT seq FROM audit WHERE at_ms < $1::bigint LIMIT 10000)",
         std::to_string(audit_cutoff.count())},
        {"DELETE FROM deliveries WHERE key IN "
         "(SELECT key FROM deliveries WHERE claimed_at < now() - $1::interval LIMIT 10000)",
         interval_of(options_.claim_retention)},
        {"DELETE FROM request_log WHERE ctid IN "
         "(SELECT ctid FROM request_log WHERE sent_at <= clock_timestamp() - $1::interval LIMIT 10000)",
         interval_of(options_.request_window)},
        {"DELETE FROM used_tokens WHERE key IN "
         "(SELECT key FROM used_tokens WHERE keep_until_ms < $1::bigint LIMIT 10000)",
         std::to_string(milliseconds_of(Clock::now()))},
    }};
    for (const auto& [sql, cutoff] : expiries) {
        for (;;) {
            const auto deleted = session_->exec(sql, {cutoff});
            if (!deleted) {
                logger_->warn("Could not delete expired rows from the bot's database (PostgreSQL at {}): {}", server_,
                              deleted.error().message);
                if (session_->lost()) lose_connection(*session_->lost());
                return;
            }
            if (std::atoi(PQcmdTuples(deleted->get())) < 10000) break;
        }
    }
}

}  // namespace collab::store
