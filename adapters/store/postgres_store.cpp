#include "adapters/store/postgres_store.hpp"

#include <spdlog/logger.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <utility>
#include <vector>

#include "adapters/store/audit_rows.hpp"
#include "adapters/store/invitation_rows.hpp"
#include "adapters/store/libpq.hpp"
#include "adapters/store/postgres_migrations.hpp"

namespace collab::store {

namespace asio = boost::asio;

namespace {

std::string interval_of(std::chrono::milliseconds duration) {
    return std::to_string(duration.count()) + " milliseconds";
}

std::int64_t milliseconds_of(TimePoint at) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}

// One multi-row INSERT is one round trip and one transaction; libpq allows 65535 parameters.
constexpr std::size_t audit_rows_per_statement = 1000;

}  // namespace

PostgresStore::PostgresStore(PostgresOptions options, std::shared_ptr<spdlog::logger> logger)
    : options_(std::move(options)),
      logger_(logger ? std::move(logger) : std::make_shared<spdlog::logger>("postgres")),
      next_cleanup_(SteadyClock::now()),
      link_(options_, logger_,
            [this](PostgresSession& session) {
                auto migrated = migrate(session);
                // Expired rows are deleted right after each connection.
                if (migrated) next_cleanup_ = SteadyClock::now();
                return migrated;
            }),
      worker_(*this, "collab-postgres",
              ApiError{ApiErrorKind::unavailable, "The request to the bot's database was cancelled."},
              audit_rows_per_statement) {}

PostgresStore::~PostgresStore() = default;

// ---- the callers' side ----

template <typename T>
asio::awaitable<ApiResult<T>> PostgresStore::call(std::function<ApiResult<T>(PostgresSession&)> work) {
    // Fail fast while the connection is down: the worker's thread is busy reconnecting.
    if (!link_.connected()) co_return std::unexpected(unreachable_error(link_.server()));
    co_return co_await worker_.call(std::move(work));
}

asio::awaitable<ApiResult<void>> PostgresStore::execute(const char* statement, std::string key) {
    std::function<ApiResult<void>(PostgresSession&)> work =
        [this, statement, key = std::move(key)](PostgresSession& session) -> ApiResult<void> {
        const auto done = session.exec(statement, {key});
        if (!done) return std::unexpected(failure_of(link_.server(), done.error()));
        return {};
    };
    co_return co_await call(std::move(work));
}

asio::awaitable<ApiResult<void>> PostgresStore::record(AuditEntry entry) {
    if (!link_.connected()) co_return std::unexpected(unreachable_error(link_.server()));
    co_return co_await worker_.write(std::move(entry));
}

asio::awaitable<void> PostgresStore::note(AuditEntry entry) {
    // Dropped while the connection is down, as record() would fail it.
    if (link_.connected()) co_await worker_.write_later(std::move(entry));
}

asio::awaitable<ApiResult<std::vector<AuditEntry>>> PostgresStore::recent(AuditQuery query) {
    std::function<ApiResult<std::vector<AuditEntry>>(PostgresSession&)> work =
        [this, query = std::move(query)](PostgresSession& session) -> ApiResult<std::vector<AuditEntry>> {
        AuditSelect select = audit_select(query, "$");
        select.parameters.push_back(std::to_string(std::max(query.limit, 0)));
        const auto rows = session.exec(select.sql, select.parameters);
        if (!rows) return std::unexpected(failure_of(link_.server(), rows.error()));
        PGresult* result = rows->get();
        std::vector<AuditEntry> entries;
        for (int row = 0; row < pq().PQntuples(result); ++row) {
            const auto text = [&](int column) { return std::string(pq().PQgetvalue(result, row, column)); };
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
    std::function<ApiResult<ClaimState>(PostgresSession&)> work_on =
        [this, key = std::move(key), owner = std::move(owner), work = std::move(work),
         lease](PostgresSession& session) -> ApiResult<ClaimState> {
        // The primary key decides between instances: only the first insert of a key adds a row, unless
        // the claim was never completed and its owner stopped renewing its lease: it died, take it over.
        // xmax is 0 on a row this statement inserted, set on one it updated.
        const auto claimed = session.exec(
            "INSERT INTO deliveries (key, owner, lease_until, work) VALUES ($1, $2, now() + $3::interval, $4) "
            "ON CONFLICT (key) DO UPDATE SET owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until "
            "WHERE NOT deliveries.done AND deliveries.lease_until < now() "
            "RETURNING xmax = 0",
            {key, owner, interval_of(lease), work});
        if (!claimed) return std::unexpected(failure_of(link_.server(), claimed.error()));
        if (pq().PQntuples(claimed->get()) == 1)
            return std::string_view(pq().PQgetvalue(claimed->get(), 0, 0)) == "t" ? ClaimState::won
                                                                                  : ClaimState::taken_over;
        const auto found = session.exec("SELECT done FROM deliveries WHERE key = $1", {key});
        if (!found) return std::unexpected(failure_of(link_.server(), found.error()));
        // Gone meanwhile (expired): it was done long ago.
        if (pq().PQntuples(found->get()) == 0) return ClaimState::answered;
        return std::string_view(pq().PQgetvalue(found->get(), 0, 0)) == "t" ? ClaimState::answered
                                                                            : ClaimState::running;
    };
    co_return co_await call(std::move(work_on));
}

asio::awaitable<ApiResult<bool>> PostgresStore::renew(std::string key, std::string owner,
                                                      std::chrono::milliseconds lease) {
    std::function<ApiResult<bool>(PostgresSession&)> work = [this, key = std::move(key), owner = std::move(owner),
                                                             lease](PostgresSession& session) -> ApiResult<bool> {
        const auto renewed = session.exec(
            "UPDATE deliveries SET lease_until = now() + $3::interval WHERE key = $1 AND owner = $2 AND NOT done",
            {key, owner, interval_of(lease)});
        if (!renewed) return std::unexpected(failure_of(link_.server(), renewed.error()));
        return std::string_view(pq().PQcmdTuples(renewed->get())) == "1";
    };
    co_return co_await call(std::move(work));
}

asio::awaitable<ApiResult<void>> PostgresStore::complete(std::string key) {
    // What was kept to finish the work (a response_url, a confirmation token) is not kept longer.
    co_return co_await execute("UPDATE deliveries SET done = true, work = '' WHERE key = $1", std::move(key));
}

asio::awaitable<ApiResult<std::vector<Orphan>>> PostgresStore::take_over_lapsed(std::string owner,
                                                                                std::chrono::milliseconds lease,
                                                                                int limit) {
    std::function<ApiResult<std::vector<Orphan>>(PostgresSession&)> work =
        [this, owner = std::move(owner), lease, limit](PostgresSession& session) -> ApiResult<std::vector<Orphan>> {
        // SKIP LOCKED: instances sweeping at the same moment each get other rows, never the same one.
        const auto taken = session.exec(
            "UPDATE deliveries SET owner = $1, lease_until = now() + $2::interval WHERE key IN "
            "(SELECT key FROM deliveries WHERE NOT done AND work <> '' AND lease_until < now() "
            "ORDER BY lease_until LIMIT $3 FOR UPDATE SKIP LOCKED) "
            "AND NOT done AND lease_until < now() RETURNING key, work",
            {owner, interval_of(lease), std::to_string(std::max(limit, 0))});
        if (!taken) return std::unexpected(failure_of(link_.server(), taken.error()));
        std::vector<Orphan> orphans;
        for (int row = 0; row < pq().PQntuples(taken->get()); ++row)
            orphans.push_back(Orphan{pq().PQgetvalue(taken->get(), row, 0), pq().PQgetvalue(taken->get(), row, 1)});
        return orphans;
    };
    co_return co_await call(std::move(work));
}

asio::awaitable<ApiResult<std::optional<TokenUse>>> PostgresStore::use_once(std::string key, TokenUse use,
                                                                            TimePoint keep_until) {
    using Earlier = std::optional<TokenUse>;
    std::function<ApiResult<Earlier>(PostgresSession&)> work =
        [this, key = std::move(key), use = std::move(use), keep_until](PostgresSession& session) -> ApiResult<Earlier> {
        // The primary key decides between instances: only one insert of a key adds a row.
        const auto inserted = session.exec(
            "INSERT INTO used_tokens (key, used_at_ms, used_by, keep_until_ms) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT (key) DO NOTHING",
            {key, std::to_string(milliseconds_of(use.at)), use.by, std::to_string(milliseconds_of(keep_until))});
        if (!inserted) return std::unexpected(failure_of(link_.server(), inserted.error()));
        if (std::string_view(pq().PQcmdTuples(inserted->get())) == "1") return Earlier{};
        const auto earlier = session.exec("SELECT used_at_ms, used_by FROM used_tokens WHERE key = $1", {key});
        if (!earlier) return std::unexpected(failure_of(link_.server(), earlier.error()));
        // Taken back in between: used all the same, by whom is no longer known.
        if (pq().PQntuples(earlier->get()) == 0) return Earlier{TokenUse{}};
        return Earlier{TokenUse{TimePoint{std::chrono::milliseconds{std::stoll(pq().PQgetvalue(earlier->get(), 0, 0))}},
                                pq().PQgetvalue(earlier->get(), 0, 1)}};
    };
    co_return co_await call(std::move(work));
}

asio::awaitable<ApiResult<void>> PostgresStore::forget(std::string key) {
    co_return co_await execute("DELETE FROM used_tokens WHERE key = $1", std::move(key));
}

asio::awaitable<ApiResult<void>> PostgresStore::keep(std::string key, std::string value, TimePoint keep_until) {
    std::function<ApiResult<void>(PostgresSession&)> work = [this, key = std::move(key), value = std::move(value),
                                                             keep_until](PostgresSession& session) -> ApiResult<void> {
        const auto kept = session.exec(
            "INSERT INTO kept_values (key, value, keep_until_ms) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING",
            {key, value, std::to_string(milliseconds_of(keep_until))});
        if (!kept) return std::unexpected(failure_of(link_.server(), kept.error()));
        return {};
    };
    co_return co_await call(std::move(work));
}

asio::awaitable<ApiResult<std::optional<std::string>>> PostgresStore::recall(std::string key, TimePoint now) {
    using Kept = std::optional<std::string>;
    std::function<ApiResult<Kept>(PostgresSession&)> work = [this, key = std::move(key),
                                                             now](PostgresSession& session) -> ApiResult<Kept> {
        const auto found = session.exec("SELECT value FROM kept_values WHERE key = $1 AND keep_until_ms > $2",
                                        {key, std::to_string(milliseconds_of(now))});
        if (!found) return std::unexpected(failure_of(link_.server(), found.error()));
        if (pq().PQntuples(found->get()) == 0) return Kept{};
        return Kept{pq().PQgetvalue(found->get(), 0, 0)};
    };
    co_return co_await call(std::move(work));
}

asio::awaitable<void> PostgresStore::remember(Invitation invitation) {
    std::function<ApiResult<void>(PostgresSession&)> work =
        [this, invitation = std::move(invitation)](PostgresSession& session) -> ApiResult<void> {
        std::vector<std::string> params{email_key(invitation.email)};
        for (std::string& value : invitation_values(invitation)) params.push_back(std::move(value));
        // A new invitation of the same person to the same database replaces the last, pending again.
        const auto kept = session.exec(
            "INSERT INTO invitations (email_key, " + std::string(invitation_columns) +
                ") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) ON CONFLICT (database_name, email_key) DO UPDATE SET "
                "email = EXCLUDED.email, collaborator_id = EXCLUDED.collaborator_id, platform = EXCLUDED.platform, "
                "team = EXCLUDED.team, channel = EXCLUDED.channel, user_id = EXCLUDED.user_id, "
                "user_name = EXCLUDED.user_name, inviter_email = EXCLUDED.inviter_email, "
                "invited_at_ms = EXCLUDED.invited_at_ms, fate = '', settled_at_ms = 0",
            params);
        if (!kept) return std::unexpected(failure_of(link_.server(), kept.error()));
        return {};
    };
    if (link_.connected()) co_await worker_.later(std::move(work));
}

asio::awaitable<ApiResult<std::vector<Invitation>>> PostgresStore::pending(std::string platform) {
    using Invitations = std::vector<Invitation>;
    std::function<ApiResult<Invitations>(PostgresSession&)> work =
        [this, platform = std::move(platform)](PostgresSession& session) -> ApiResult<Invitations> {
        const auto rows = session.exec("SELECT " + std::string(invitation_columns) +
                                           " FROM invitations WHERE fate = '' AND platform = $1 ORDER BY invited_at_ms",
                                       {platform});
        if (!rows) return std::unexpected(failure_of(link_.server(), rows.error()));
        PGresult* result = rows->get();
        Invitations invitations;
        for (int row = 0; row < pq().PQntuples(result); ++row) {
            std::vector<std::string> values;
            for (int column = 0; column < pq().PQnfields(result); ++column)
                values.emplace_back(pq().PQgetvalue(result, row, column));
            invitations.push_back(invitation_from(values));
        }
        return invitations;
    };
    co_return co_await call(std::move(work));
}

std::function<ApiResult<bool>(PostgresSession&)> PostgresStore::settling(std::string database,
                                                                         std::string collaborator_id,
                                                                         InvitationFate fate, TimePoint at) {
    return [this, database = std::move(database), collaborator_id = std::move(collaborator_id), fate,
            at](PostgresSession& session) -> ApiResult<bool> {
        // Only a pending row changes: of two instances, one settles it (the row lock decides).
        const auto settled = session.exec(
            "UPDATE invitations SET fate = $3, settled_at_ms = $4 "
            "WHERE database_name = $1 AND collaborator_id = $2 AND fate = ''",
            {database, collaborator_id, std::string(fate_name(fate)), std::to_string(milliseconds_of(at))});
        if (!settled) return std::unexpected(failure_of(link_.server(), settled.error()));
        return std::string_view(pq().PQcmdTuples(settled->get())) == "1";
    };
}

asio::awaitable<ApiResult<bool>> PostgresStore::settle(std::string database, std::string collaborator_id,
                                                       InvitationFate fate, TimePoint at) {
    // A named value: g++ 12 destroys a temporary passed to a coroutine twice.
    std::function<ApiResult<bool>(PostgresSession&)> work =
        settling(std::move(database), std::move(collaborator_id), fate, at);
    co_return co_await call(std::move(work));
}

asio::awaitable<void> PostgresStore::withdraw(std::string database, std::string collaborator_id, TimePoint at) {
    std::function<ApiResult<void>(PostgresSession&)> work =
        [withdrawal = settling(std::move(database), std::move(collaborator_id), InvitationFate::withdrawn, at)](
            PostgresSession& session) -> ApiResult<void> {
        (void)withdrawal(session);  // nobody waits for the outcome
        return {};
    };
    // Dropped while the connection is down, as remember() is: the watch then reports it revoked.
    if (link_.connected()) co_await worker_.later(std::move(work));
}

asio::awaitable<ApiResult<std::size_t>> PostgresStore::forget_settled(TimePoint settled_before) {
    std::function<ApiResult<std::size_t>(PostgresSession&)> work =
        [this, settled_before](PostgresSession& session) -> ApiResult<std::size_t> {
        const auto forgotten = session.exec("DELETE FROM invitations WHERE fate <> '' AND settled_at_ms < $1",
                                            {std::to_string(milliseconds_of(settled_before))});
        if (!forgotten) return std::unexpected(failure_of(link_.server(), forgotten.error()));
        return static_cast<std::size_t>(std::stoull(pq().PQcmdTuples(forgotten->get())));
    };
    co_return co_await call(std::move(work));
}

asio::awaitable<ApiResult<std::optional<std::chrono::milliseconds>>> PostgresStore::take_request(std::string account,
                                                                                                 int per_minute) {
    if (per_minute < 1) co_return std::unexpected(invalid_allowance(per_minute));
    using Wait = std::optional<std::chrono::milliseconds>;
    std::function<ApiResult<Wait>(PostgresSession&)> work = [this, account = std::move(account),
                                                             per_minute](PostgresSession& session) -> ApiResult<Wait> {
        const auto taken = session.exec("SELECT collab_take_request($1, $2, $3::interval)",
                                        {account, std::to_string(per_minute), interval_of(options_.request_window)});
        if (!taken) return std::unexpected(failure_of(link_.server(), taken.error()));
        if (pq().PQgetisnull(taken->get(), 0, 0) != 0) return Wait{};
        return Wait{std::chrono::milliseconds{std::stoll(pq().PQgetvalue(taken->get(), 0, 0))}};
    };
    co_return co_await call(std::move(work));
}

asio::awaitable<ApiResult<int>> PostgresStore::requests_left(std::string account, int per_minute) {
    if (per_minute < 1) co_return std::unexpected(invalid_allowance(per_minute));
    std::function<ApiResult<int>(PostgresSession&)> work = [this, account = std::move(account),
                                                            per_minute](PostgresSession& session) -> ApiResult<int> {
        const auto counted = session.exec(
            "SELECT greatest(0, $2::integer - count(*))::integer FROM request_log "
            "WHERE account = $1 AND sent_at > clock_timestamp() - $3::interval",
            {account, std::to_string(per_minute), interval_of(options_.request_window)});
        if (!counted) return std::unexpected(failure_of(link_.server(), counted.error()));
        return std::atoi(pq().PQgetvalue(counted->get(), 0, 0));
    };
    co_return co_await call(std::move(work));
}

asio::awaitable<ApiResult<void>> PostgresStore::ping() {
    std::function<ApiResult<void>(PostgresSession&)> work = [this](PostgresSession& session) -> ApiResult<void> {
        const auto answered = session.exec("SELECT 1");
        if (!answered) return std::unexpected(failure_of(link_.server(), answered.error()));
        return {};
    };
    co_return co_await call(std::move(work));
}

// ---- the worker's thread ----

void PostgresStore::idle(Idle& idle) {
    link_.keep_up(idle, next_cleanup_);
    if (SteadyClock::now() < next_cleanup_) return;
    if (auto session = link_.session()) {
        clean_up(**session);
        next_cleanup_ = SteadyClock::now() + options_.cleanup_every;
    }
}

ApiResult<void> PostgresStore::commit(PostgresSession& session, std::span<const AuditEntry> entries) {
    std::string sql = "INSERT INTO audit (" + std::string(audit_columns) + ") VALUES ";
    std::vector<std::string> params;
    params.reserve(entries.size() * audit_column_count);
    for (std::size_t row = 0; row < entries.size(); ++row) {
        const AuditEntry& e = entries[row];
        sql += row == 0 ? "(" : ",(";
        for (std::size_t column = 0; column < audit_column_count; ++column)
            sql += (column == 0 ? "$" : ",$") + std::to_string(row * audit_column_count + column + 1);
        sql += ")";
        for (std::string value : {std::to_string(milliseconds_of(e.at)), e.platform, e.team, e.channel, e.user_id,
                                  e.email, e.action, e.database, e.target, std::string(to_string(e.outcome)), e.detail})
            params.push_back(std::move(value));
    }
    // Success only once the server confirmed the commit; a lost answer counts as a failure.
    if (auto inserted = session.exec(sql, params); !inserted)
        return std::unexpected(failure_of(link_.server(), inserted.error()));
    return {};
}

void PostgresStore::clean_up(PostgresSession& session) {
    // In batches, so that no statement runs into the statement timeout after a long pause.
    const auto audit_cutoff = std::chrono::duration_cast<std::chrono::milliseconds>(
        (Clock::now() - std::chrono::days{options_.audit_retention_days}).time_since_epoch());
    const std::array<std::pair<std::string, std::string>, 5> expiries{{
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
        {"DELETE FROM kept_values WHERE key IN "
         "(SELECT key FROM kept_values WHERE keep_until_ms < $1::bigint LIMIT 10000)",
         std::to_string(milliseconds_of(Clock::now()))},
    }};
    for (const auto& [sql, cutoff] : expiries) {
        for (;;) {
            const auto deleted = session.exec(sql, {cutoff});
            if (!deleted) {
                logger_->warn("Could not delete expired rows from the bot's database (PostgreSQL at {}): {}",
                              link_.server(), deleted.error().message);
                return;
            }
            if (std::atoi(pq().PQcmdTuples(deleted->get())) < 10000) break;
        }
    }
}

}  // namespace collab::store
