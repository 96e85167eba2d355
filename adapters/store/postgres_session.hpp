#pragma once
// One connection to PostgreSQL driven without blocking past a deadline (libpq's non-blocking API and
// poll()), and the link that keeps one up on a store's worker thread: when the connection is lost,
// every call fails at once with `unavailable` and a message a chat user can act on, while the link
// reconnects by itself (jittered, capped backoff).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/net/backoff.hpp"
#include "adapters/store/store_worker.hpp"
#include "core/ports.hpp"

extern "C" {
typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;
}

namespace spdlog {
class logger;
}

namespace collab::store {

struct PostgresOptions {
    // postgresql://user:password@host:port/database?options, or libpq's key=value form.
    std::string url;
    // For establishing a connection, at start and on each reconnection.
    std::chrono::seconds connect_timeout{5};
    // The server cancels any statement running longer (SET statement_timeout); a server that does
    // not answer at all is given up on a little after this and the connection counts as lost.
    std::chrono::milliseconds statement_timeout{5'000};
    // Audit entries older than this are deleted.
    int audit_retention_days = 365;
    // Envelope ids are remembered at least this long (Slack re-delivers within minutes).
    std::chrono::hours claim_retention{24};
    // How often expired rows are deleted (also right after each connection).
    std::chrono::milliseconds cleanup_every{std::chrono::hours{1}};
    // Waits between reconnection attempts: full jitter up to base * 2^attempt, capped.
    net::BackoffPolicy reconnect{std::chrono::milliseconds{200}, std::chrono::milliseconds{5'000}, 0};
    // The rolling window a request allowance is counted over (Scalingo counts per minute; shorter in tests).
    std::chrono::milliseconds request_window{std::chrono::minutes{1}};
};

// "host:port" of the server a URL names, for messages and logs: never the password.
std::string postgres_server_of(std::string_view url);

struct PgConnDeleter {
    void operator()(PGconn* conn) const;
};
struct PgResultDeleter {
    void operator()(PGresult* result) const;
};
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

// What a statement ran into, when it did not succeed.
struct DbError {
    bool lost = false;     // the connection is gone, or the server stopped answering: nothing more goes through it
    std::string sqlstate;  // the server's error code, when it answered with an error
    std::string message;
};

// One connection to the server: a server that stops answering costs a bounded wait, not a stuck thread.
class PostgresSession {
public:
    // `patience`: how long a statement may go unanswered before the connection counts as lost.
    PostgresSession(std::unique_ptr<PGconn, PgConnDeleter> conn, std::chrono::milliseconds patience);

    int socket() const;
    // Why the connection is unusable, once it is.
    const std::optional<std::string>& lost() const { return lost_; }

    // Runs `sql` (with $1… bound to `params` as text; without params it may hold several statements)
    // and returns its last result.
    std::expected<PgResult, DbError> exec(const std::string& sql, const std::vector<std::string>& params = {});

    // Reads what arrived while no statement was running (a termination notice, the socket closing):
    // false when the connection is gone.
    bool still_up();

private:
    std::unexpected<DbError> broken(std::string reason);
    bool wait(short events, SteadyClock::time_point deadline);

    std::unique_ptr<PGconn, PgConnDeleter> conn_;
    std::chrono::milliseconds patience_;
    std::optional<std::string> lost_;
};

// The failure of a call, in words a chat user can act on; `server` is "host:port".
ApiError unreachable_error(const std::string& server);
ApiError failure_of(const std::string& server, const DbError& error);

// A session kept up on a worker's thread. Each new session is prepared (the schema migrated) before use.
class PostgresLink {
public:
    // Completes "The bot's database (PostgreSQL at …) " when a session cannot be prepared.
    using Prepare = std::function<std::expected<void, std::string>(PostgresSession& session)>;

    // Connects and prepares at once; throws StateError naming the server when either fails. `logger`
    // is not null.
    PostgresLink(PostgresOptions options, std::shared_ptr<spdlog::logger> logger, Prepare prepare);
    ~PostgresLink();
    PostgresLink(const PostgresLink&) = delete;
    PostgresLink& operator=(const PostgresLink&) = delete;

    // On the worker's thread: the session, or `unavailable` while there is none.
    ApiResult<PostgresSession*> session();
    // On the worker's thread while no work is queued: notices a lost connection and reconnects, and
    // otherwise waits until work arrives or `until`.
    void keep_up(Idle& idle, SteadyClock::time_point until);

    // Whether the connection is up, and since when it is not.
    bool connected() const { return connected_.load(); }
    std::optional<TimePoint> disconnected_since() const;
    // "host:port", as the messages name it.
    const std::string& server() const { return server_; }

private:
    bool reconnect(Idle& idle);
    void lose_connection(std::string reason);

    PostgresOptions options_;
    std::string server_;
    std::shared_ptr<spdlog::logger> logger_;
    Prepare prepare_;
    std::unique_ptr<PostgresSession> session_;  // null while disconnected
    std::minstd_rand jitter_;
    int attempt_ = 0;  // reconnections failed since the loss
    SteadyClock::time_point retry_at_;
    std::atomic<bool> connected_{false};
    std::atomic<std::int64_t> lost_at_ms_{0};  // system clock, 0 while connected
};

}  // namespace collab::store
