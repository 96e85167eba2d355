#include "adapters/store/postgres_session.hpp"

#include <poll.h>

#include <spdlog/logger.h>

#include <algorithm>
#include <array>
#include <map>

#include "adapters/store/libpq.hpp"
#include "adapters/store/sqlite_file.hpp"
#include "core/format.hpp"

namespace collab::store {
namespace {

struct ConninfoDeleter {
    void operator()(PQconninfoOption* options) const { pq().PQconninfoFree(options); }
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
    return one_line(pq().PQerrorMessage(conn));
}

// The parameters a URL (or key=value string) sets, as libpq reads it; nullopt when it cannot.
std::optional<std::map<std::string, std::string>> parameters_of(std::string_view url) {
    char* error = nullptr;
    std::unique_ptr<PQconninfoOption, ConninfoDeleter> options(pq().PQconninfoParse(std::string(url).c_str(), &error));
    // The parse error may quote the URL, password included: never shown.
    if (error != nullptr) pq().PQfreemem(error);
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

void log_notice(void* logger, const PGresult* notice) {
    static_cast<spdlog::logger*>(logger)->debug("PostgreSQL says: {}", one_line(pq().PQresultErrorMessage(notice)));
}

// Connects within the connect timeout. While it waits, `idle` (null: none) answers the work queued on
// the store's worker, and a stop of the worker abandons the attempt.
std::expected<std::unique_ptr<PostgresSession>, std::string> open_session(const PostgresOptions& options,
                                                                          spdlog::logger& logger, Idle* idle) {
    const std::string timeout = std::to_string(std::max<long long>(options.connect_timeout.count(), 1));
    // The URL's own settings override application_name; ours override its connect_timeout.
    const std::array<const char*, 4> keys{"application_name", "dbname", "connect_timeout", nullptr};
    const std::array<const char*, 4> values{"collab-bot", options.url.c_str(), timeout.c_str(), nullptr};
    std::unique_ptr<PGconn, PgConnDeleter> conn(pq().PQconnectStartParams(keys.data(), values.data(), 1));
    if (!conn) return std::unexpected("out of memory");
    if (pq().PQstatus(conn.get()) == CONNECTION_BAD) return std::unexpected(error_of(conn.get()));
    // libpq leaves the timeout to whoever drives PQconnectPoll.
    const auto deadline = SteadyClock::now() + options.connect_timeout;
    for (auto polling = PGRES_POLLING_WRITING; polling != PGRES_POLLING_OK; polling = pq().PQconnectPoll(conn.get())) {
        if (polling == PGRES_POLLING_FAILED) return std::unexpected(error_of(conn.get()));
        const short events = polling == PGRES_POLLING_READING ? POLLIN : POLLOUT;
        for (;;) {
            Idle::Woken woken = Idle::Woken::fd_ready;
            if (idle != nullptr) {
                woken = idle->wait(deadline, pq().PQsocket(conn.get()), events);
            } else {
                std::array<pollfd, 1> fds{{{pq().PQsocket(conn.get()), events, 0}}};
                if (poll_until(fds, deadline) == 0) woken = Idle::Woken::deadline;
            }
            if (woken == Idle::Woken::deadline) return std::unexpected("no answer within " + timeout + " s");
            if (woken == Idle::Woken::fd_ready) break;
            if (!idle->answer_queued()) return std::unexpected("stopped");
        }
    }
    pq().PQsetNoticeReceiver(conn.get(), log_notice, &logger);
    if (pq().PQsetnonblocking(conn.get(), 1) != 0) return std::unexpected(error_of(conn.get()));
    auto session =
        std::make_unique<PostgresSession>(std::move(conn), options.statement_timeout + std::chrono::seconds{2});
    const auto set = session->exec("SET statement_timeout = " + std::to_string(options.statement_timeout.count()));
    if (!set) return std::unexpected(set.error().message);
    return session;
}

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count();
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

void PgConnDeleter::operator()(PGconn* conn) const {
    pq().PQfinish(conn);
}

void PgResultDeleter::operator()(PGresult* result) const {
    pq().PQclear(result);
}

// ---- the session ----

PostgresSession::PostgresSession(std::unique_ptr<PGconn, PgConnDeleter> conn, std::chrono::milliseconds patience)
    : conn_(std::move(conn)), patience_(patience) {}

int PostgresSession::socket() const {
    return pq().PQsocket(conn_.get());
}

std::expected<PgResult, DbError> PostgresSession::exec(const std::string& sql, const std::vector<std::string>& params) {
    PGconn* conn = conn_.get();
    if (lost_) return std::unexpected(DbError{true, "", *lost_});
    const auto deadline = SteadyClock::now() + patience_;
    std::vector<const char*> values;
    for (const auto& param : params) values.push_back(param.c_str());
    const int sent = params.empty() ? pq().PQsendQuery(conn, sql.c_str())
                                    : pq().PQsendQueryParams(conn, sql.c_str(), static_cast<int>(values.size()),
                                                             nullptr, values.data(), nullptr, nullptr, 0);
    if (sent == 0) return broken(error_of(conn));
    const auto no_answer = [this] { return "no answer within " + format_seconds(patience_); };
    // Non-blocking: push the query out, reading meanwhile so that neither side waits on the other.
    for (;;) {
        const int flushed = pq().PQflush(conn);
        if (flushed < 0) return broken(error_of(conn));
        if (flushed == 0) break;
        if (!wait(POLLIN | POLLOUT, deadline)) return broken(no_answer());
        if (pq().PQconsumeInput(conn) == 0) return broken(error_of(conn));
    }
    PgResult last;
    std::optional<DbError> error;
    for (;;) {
        while (pq().PQisBusy(conn) != 0) {
            if (!wait(POLLIN, deadline)) return broken(no_answer());
            if (pq().PQconsumeInput(conn) == 0) return broken(error ? error->message : error_of(conn));
        }
        PgResult result(pq().PQgetResult(conn));
        if (!result) break;
        const auto status = pq().PQresultStatus(result.get());
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
            last = std::move(result);
        } else if (!error) {
            const char* sqlstate = pq().PQresultErrorField(result.get(), PG_DIAG_SQLSTATE);
            error = DbError{false, sqlstate ? sqlstate : "", one_line(pq().PQresultErrorMessage(result.get()))};
        }
    }
    // Class 08 (connection exception) and 57P (the server shutting down, this backend terminated):
    // the socket may not be closed yet, but nothing more will go through it.
    if (pq().PQstatus(conn) == CONNECTION_BAD ||
        (error && (error->sqlstate.starts_with("08") || error->sqlstate.starts_with("57P"))))
        return broken(error ? error->message : error_of(conn));
    if (error) return std::unexpected(*error);
    return last;
}

bool PostgresSession::still_up() {
    if (pq().PQconsumeInput(conn_.get()) == 0 || pq().PQstatus(conn_.get()) == CONNECTION_BAD) {
        lost_ = error_of(conn_.get());
        return false;
    }
    return true;
}

std::unexpected<DbError> PostgresSession::broken(std::string reason) {
    lost_ = reason;
    return std::unexpected(DbError{true, "", std::move(reason)});
}

bool PostgresSession::wait(short events, SteadyClock::time_point deadline) {
    std::array<pollfd, 1> fds{{{socket(), events, 0}}};
    return poll_until(fds, deadline) != 0;  // an error is left for libpq to report
}

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

// ---- the link ----

PostgresLink::PostgresLink(PostgresOptions options, std::shared_ptr<spdlog::logger> logger, Prepare prepare)
    : options_(std::move(options)),
      server_(postgres_server_of(options_.url)),
      logger_(std::move(logger)),
      prepare_(std::move(prepare)),
      jitter_(std::random_device{}()) {
    const auto parameters = parameters_of(options_.url);
    if (!parameters)
        throw StateError(
            "the PostgreSQL URL of the bot's state is not valid; it has the form "
            "postgresql://user:password@host:port/database");
    std::string where = "The bot's database (PostgreSQL at " + server_;
    if (const auto database = parameters->find("dbname"); database != parameters->end())
        where += ", database " + database->second;
    where += ")";
    auto opened = open_session(options_, *logger_, nullptr);
    if (!opened)
        throw StateError(where + " cannot be reached: " + opened.error() +
                         "; check the state URL and that the server is running");
    if (auto prepared = prepare_(**opened); !prepared) throw StateError(where + " " + prepared.error());
    session_ = std::move(*opened);
    connected_ = true;
}

PostgresLink::~PostgresLink() = default;

std::optional<TimePoint> PostgresLink::disconnected_since() const {
    const auto lost_at = lost_at_ms_.load();
    if (lost_at == 0) return std::nullopt;
    return TimePoint{std::chrono::milliseconds{lost_at}};
}

ApiResult<PostgresSession*> PostgresLink::session() {
    if (session_ && session_->lost()) lose_connection(*session_->lost());
    if (!session_) return std::unexpected(unreachable_error(server_));
    return session_.get();
}

void PostgresLink::keep_up(Idle& idle, SteadyClock::time_point until) {
    if (session_ && session_->lost()) lose_connection(*session_->lost());
    if (!session_) {
        // Pause before the attempt: calls that arrive meanwhile are answered (failed) at once.
        if (idle.wait(retry_at_) != Idle::Woken::deadline) return;
        if (reconnect(idle)) {
            attempt_ = 0;
        } else {
            retry_at_ = SteadyClock::now() + net::jittered_backoff(options_.reconnect, ++attempt_, jitter_);
        }
        return;
    }
    // Wait for calls, for the server to say something (it only does so to hang up), or for `until`.
    if (idle.wait(until, session_->socket(), POLLIN) == Idle::Woken::fd_ready && !session_->still_up())
        lose_connection(*session_->lost());
}

void PostgresLink::lose_connection(std::string reason) {  // by value: it may live in the session reset below
    session_.reset();
    lost_at_ms_ = std::max<std::int64_t>(now_ms(), 1);
    connected_ = false;
    attempt_ = 0;
    retry_at_ = SteadyClock::now() + net::jittered_backoff(options_.reconnect, attempt_, jitter_);
    logger_->warn("Lost the connection to the bot's database (PostgreSQL at {}): {}; reconnecting", server_, reason);
}

bool PostgresLink::reconnect(Idle& idle) {
    auto opened = open_session(options_, *logger_, &idle);
    if (!opened) {
        logger_->debug("Reconnection {} to PostgreSQL at {} failed: {}", attempt_ + 1, server_, opened.error());
        return false;
    }
    // The server may have come back from a backup, or be a new one: prepare it again.
    if (auto prepared = prepare_(**opened); !prepared) {
        logger_->error("The bot's database (PostgreSQL at {}) {}", server_, prepared.error());
        return false;
    }
    session_ = std::move(*opened);
    const auto lost_at = lost_at_ms_.load();
    connected_ = true;
    lost_at_ms_ = 0;
    logger_->info("Reconnected to the bot's database (PostgreSQL at {}) after {}", server_,
                  format_seconds(std::chrono::milliseconds{now_ms() - lost_at}));
    return true;
}

}  // namespace collab::store
