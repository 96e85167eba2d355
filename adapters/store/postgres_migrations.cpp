#include "adapters/store/postgres_migrations.hpp"

#include <array>
#include <cstdlib>
#include <string_view>

#include "adapters/store/libpq.hpp"

namespace collab::store {
namespace {

// migrations[i] brings the schema from version i to version i + 1. Never edit one that has shipped:
// add the next.
constexpr std::array<std::string_view, 6> migrations{
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
    )sql",
    // Values any instance recalls by a short key until their deadline: the proposals a Discord button
    // names by its custom_id.
    R"sql(
    CREATE TABLE kept_values (
        key           text PRIMARY KEY,
        value         text NOT NULL,
        keep_until_ms bigint NOT NULL
    );
    CREATE INDEX kept_values_by_deadline ON kept_values (keep_until_ms);
    )sql",
    // The invitations sent through the bot, until the watch has told what became of them.
    R"sql(
    CREATE TABLE invitations (
        database_name   text NOT NULL,
        email_key       text NOT NULL,
        email           text NOT NULL,
        collaborator_id text NOT NULL,
        platform        text NOT NULL,
        team            text NOT NULL,
        channel         text NOT NULL,
        user_id         text NOT NULL,
        user_name       text NOT NULL,
        inviter_email   text NOT NULL,
        invited_at_ms   bigint NOT NULL,
        fate            text NOT NULL DEFAULT '',
        settled_at_ms   bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (database_name, email_key)
    );
    CREATE INDEX invitations_pending ON invitations (platform, invited_at_ms) WHERE fate = '';
    )sql",
    // A removal settles the invitation of the collaborator it removed: found by the id, not by a scan
    // of every invitation kept.
    R"sql(
    CREATE INDEX invitations_by_collaborator ON invitations (database_name, collaborator_id);
    )sql"};

// Serialises migrations between instances. Above the 32-bit range, so that it never meets the lock
// of an account (hashtext is 32-bit).
constexpr std::string_view migration_lock = "7165303936275259717";

}  // namespace

std::expected<void, std::string> migrate(PostgresSession& session) {
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
    const int version = std::atoi(pq().PQgetvalue(current->get(), 0, 0));
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

}  // namespace collab::store
