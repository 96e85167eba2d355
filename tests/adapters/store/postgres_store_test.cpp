// What only the PostgreSQL store does: instances that start together, outages, retention, and
// messages that name the server without its password.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <latch>
#include <thread>

#include "adapters/store/sqlite_file.hpp"
#include "run_coroutine.hpp"
#include "store_backends.hpp"

namespace collab::testing {
namespace {

AuditEntry entry(std::string target, TimePoint at = Clock::now()) {
    AuditEntry e;
    e.at = at;
    e.platform = "slack";
    e.team = "T0123";
    e.channel = "C0123ABCD";
    e.user_id = "U0123ABCD";
    e.email = "user1@example.com";
    e.action = "invite";
    e.database = "my-dedicated-db";
    e.target = std::move(target);
    e.outcome = AuditOutcome::executed;
    return e;
}

std::vector<std::string> targets_in(store::PostgresStore& store) {
    AuditQuery query{"my-dedicated-db", std::nullopt, std::nullopt, 100};
    const auto read = run(store.recent(std::move(query)));
    if (!read) {
        ADD_FAILURE() << read.error().message;
        return {};
    }
    std::vector<std::string> targets;
    for (const auto& e : *read) targets.push_back(e.target);
    return targets;
}

// Polls `done` until it holds or `limit` has passed; whether it held.
template <typename Condition>
bool eventually(Condition done, std::chrono::milliseconds limit) {
    const auto give_up = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > give_up) return false;
        std::this_thread::sleep_for(50ms);
    }
    return true;
}

class StorePostgres : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_NO_FATAL_FAILURE(backend_.start()); }
    std::vector<std::vector<std::string>> in_database(const std::string& sql) {
        return query(backend_.database().url(), sql);
    }
    PostgresBackend backend_;
};

TEST_F(StorePostgres, instances_starting_together_apply_each_migration_once) {
    constexpr int instances = 3;
    std::latch ready(instances);
    std::vector<std::string> errors(instances);
    std::vector<std::thread> threads;
    for (int i = 0; i < instances; ++i)
        threads.emplace_back([&, i] {
            ready.arrive_and_wait();
            try {
                store::PostgresStore store(backend_.options());
            } catch (const std::exception& e) {
                errors[static_cast<std::size_t>(i)] = e.what();
            }
        });
    for (auto& thread : threads) thread.join();
    for (const auto& error : errors) EXPECT_EQ(error, "");

    const auto versions =
        in_database("SELECT count(*), count(DISTINCT version), min(version), max(version) FROM schema_version");
    ASSERT_EQ(versions.size(), 1u);
    EXPECT_EQ(versions[0][0], versions[0][3]) << "a migration was applied more than once";
    EXPECT_EQ(versions[0][1], versions[0][3]);
    EXPECT_EQ(versions[0][2], "1");
    EXPECT_EQ(in_database("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename IN "
                          "('audit', 'deliveries', 'request_log', 'schema_version')"),
              (std::vector<std::vector<std::string>>{{"4"}}));

    // A later start finds nothing to do.
    store::PostgresStore later(backend_.options());
    EXPECT_EQ(in_database("SELECT count(*) FROM schema_version"),
              (std::vector<std::vector<std::string>>{{versions[0][0]}}));
}

TEST_F(StorePostgres, a_removal_settles_its_invitation_through_the_index_on_the_collaborator) {
    store::PostgresStore store(backend_.options());
    // 2,000 pending invitations, so that the planner weighs a scan of them against the index.
    in_database(
        "INSERT INTO invitations (database_name, email_key, email, collaborator_id, platform, team, channel, "
        "user_id, user_name, inviter_email, invited_at_ms) SELECT 'db-' || i % 100, 'p' || i, "
        "'p' || i || '@example.com', 'c-' || i, 'slack', 'T1', 'C1', 'U1', 'owner', 'user1@example.com', i "
        "FROM generate_series(1, 2000) AS i; ANALYZE invitations");
    // The statement settle() runs.
    const auto plan = in_database(
        "EXPLAIN UPDATE invitations SET fate = 'revoked', settled_at_ms = 1 "
        "WHERE database_name = 'db-7' AND collaborator_id = 'c-7' AND fate = ''");
    std::string shown;
    for (const auto& row : plan) shown += row.at(0) + "\n";
    EXPECT_NE(shown.find("Index Scan using invitations_by_collaborator"), std::string::npos) << shown;
}

TEST_F(StorePostgres, a_schema_from_a_newer_version_is_refused) {
    { store::PostgresStore first(backend_.options()); }
    in_database("INSERT INTO schema_version (version) VALUES (999)");
    try {
        store::PostgresStore store(backend_.options());
        FAIL() << "a database of schema 999 was used";
    } catch (const store::StateError& e) {
        EXPECT_NE(std::string(e.what()).find("written by a newer collab-bot (schema 999)"), std::string::npos)
            << e.what();
    }
}

TEST_F(StorePostgres, an_outage_fails_calls_at_once_and_the_store_recovers_by_itself) {
    store::PostgresStore store(backend_.options());
    ASSERT_TRUE(store.connected());
    EXPECT_EQ(store.disconnected_since(), std::nullopt);
    ASSERT_TRUE(run(store.record(entry("before@example.com"))).has_value());

    // The outage: the database refuses new connections and the store's own is cut.
    const std::string& name = backend_.database().name();
    const std::string& admin = backend_.database().admin_url();
    query(admin, "ALTER DATABASE " + name + " ALLOW_CONNECTIONS false");
    query(admin, "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = '" + name + "'");

    const std::string message =
        "The bot's database (PostgreSQL at " + store.server() + ") cannot be reached right now; try again in a moment.";
    const auto during = run(store.record(entry("during@example.com")));
    ASSERT_FALSE(during.has_value()) << "a record was reported written while the server was unreachable";
    EXPECT_EQ(during.error().kind, ApiErrorKind::unavailable);
    EXPECT_EQ(during.error().message, message);
    EXPECT_NE(store.server().find("127.0.0.1:"), std::string::npos) << store.server();

    // Once the loss is known, every call fails at once instead of waiting on the server.
    ASSERT_TRUE(eventually([&] { return !store.connected(); }, 5s));
    ASSERT_TRUE(store.disconnected_since().has_value());
    EXPECT_LE(*store.disconnected_since(), Clock::now());
    const auto started = std::chrono::steady_clock::now();
    std::string key = "Ev01";
    std::string account = "account-1";
    std::string database = "my-dedicated-db";
    std::string owner = "instance-1";
    std::string work = "work";
    const auto claimed = run(store.claim(std::move(key), std::move(owner), std::move(work), 10s));
    const auto taken = run(store.take_request(std::move(account), 60));
    AuditQuery trail{std::move(database), std::nullopt, std::nullopt, 10};
    const auto read = run(store.recent(std::move(trail)));
    const auto pinged = run(store.ping());
    EXPECT_LT(std::chrono::steady_clock::now() - started, 500ms);
    ASSERT_FALSE(claimed.has_value());
    ASSERT_FALSE(taken.has_value());
    ASSERT_FALSE(read.has_value());
    ASSERT_FALSE(pinged.has_value());
    for (const auto& error : {claimed.error(), taken.error(), read.error(), pinged.error()}) {
        EXPECT_EQ(error.kind, ApiErrorKind::unavailable);
        EXPECT_EQ(error.message, message);
    }

    // The server is back: the same store object reconnects without help.
    query(admin, "ALTER DATABASE " + name + " ALLOW_CONNECTIONS true");
    EXPECT_TRUE(eventually([&] { return run(store.record(entry("after@example.com"))).has_value(); }, 15s))
        << "the store did not reconnect";
    EXPECT_TRUE(store.connected());
    EXPECT_EQ(store.disconnected_since(), std::nullopt);
    // Only what was reported written is in the trail.
    EXPECT_EQ(targets_in(store), (std::vector<std::string>{"after@example.com", "before@example.com"}));
    std::string same_key = "Ev01";
    std::string same_owner = "instance-1";
    std::string same_work = "work";
    const auto claimed_after = run(store.claim(std::move(same_key), std::move(same_owner), std::move(same_work), 10s));
    ASSERT_TRUE(claimed_after.has_value()) << claimed_after.error().message;
    EXPECT_EQ(*claimed_after, store::ClaimState::won);
}

TEST_F(StorePostgres, expired_rows_are_deleted) {
    auto options = backend_.options();
    options.audit_retention_days = 30;
    options.cleanup_every = 100ms;
    store::PostgresStore store(options);
    const auto now = Clock::now();
    ASSERT_TRUE(run(store.record(entry("expired@example.com", now - std::chrono::days{31}))).has_value());
    ASSERT_TRUE(run(store.record(entry("old@example.com", now - std::chrono::days{29}))).has_value());
    ASSERT_TRUE(run(store.record(entry("new@example.com", now))).has_value());
    const auto claim = [&store](std::string key) {
        std::string owner = "instance-1";
        std::string work = "work";
        return run(store.claim(std::move(key), std::move(owner), std::move(work), 10s))
            .value_or(store::ClaimState::answered);
    };
    ASSERT_EQ(claim("Ev-old"), store::ClaimState::won);
    ASSERT_EQ(claim("Ev-new"), store::ClaimState::won);
    // Claimed a day and an hour ago, past the 24 hours envelope ids are kept.
    in_database("UPDATE deliveries SET claimed_at = now() - interval '25 hours' WHERE key = 'Ev-old'");

    EXPECT_TRUE(eventually([&] { return targets_in(store).size() == 2; }, 10s));
    EXPECT_EQ(targets_in(store), (std::vector<std::string>{"new@example.com", "old@example.com"}));
    EXPECT_TRUE(eventually(
        [&] { return in_database("SELECT count(*) FROM deliveries WHERE key = 'Ev-old'")[0][0] == "0"; }, 10s));
    EXPECT_EQ(claim("Ev-old"), store::ClaimState::won) << "an expired key was not forgotten";
    EXPECT_EQ(claim("Ev-new"), store::ClaimState::running) << "a fresh key was forgotten";
}

// Makes the server refuse, stall on, or sleep through the insert of chosen targets, so that a test
// can make a commit fail or hang at the moment it wants.
void sabotage_audit_inserts(const std::string& url) {
    query(url, R"sql(
        CREATE FUNCTION sabotage() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.target = 'refused@example.com' THEN RAISE EXCEPTION 'refused on purpose'; END IF;
            IF NEW.target = 'slow@example.com' THEN PERFORM pg_sleep(3); END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER sabotage BEFORE INSERT ON audit FOR EACH ROW EXECUTE FUNCTION sabotage();
    )sql");
}

TEST_F(StorePostgres, a_write_the_server_refused_is_reported_as_failed) {
    store::PostgresStore store(backend_.options());
    sabotage_audit_inserts(backend_.database().url());
    const auto refused = run(store.record(entry("refused@example.com")));
    ASSERT_FALSE(refused.has_value()) << "a refused insert was reported written";
    EXPECT_EQ(refused.error().kind, ApiErrorKind::unavailable);
    EXPECT_NE(refused.error().message.find("refused on purpose"), std::string::npos) << refused.error().message;
    // The connection is still good for the next one.
    const auto next = run(store.record(entry("next@example.com")));
    EXPECT_TRUE(next.has_value()) << next.error().message;
    EXPECT_TRUE(store.connected());
    EXPECT_EQ(targets_in(store), (std::vector<std::string>{"next@example.com"}));
}

TEST_F(StorePostgres, a_write_cut_off_before_its_commit_is_reported_as_failed) {
    store::PostgresStore store(backend_.options());
    sabotage_audit_inserts(backend_.database().url());
    const std::string& name = backend_.database().name();
    // While the insert sleeps in its trigger, the connection is cut.
    std::thread cutter([&] {
        std::this_thread::sleep_for(500ms);
        query(backend_.database().admin_url(),
              "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = '" + name +
                  "' AND query LIKE 'INSERT INTO audit%'");
    });
    const auto cut = run(store.record(entry("slow@example.com")));
    cutter.join();
    ASSERT_FALSE(cut.has_value()) << "a write whose commit was never confirmed was reported written";
    EXPECT_EQ(cut.error().kind, ApiErrorKind::unavailable);
    EXPECT_EQ(cut.error().message, "The bot's database (PostgreSQL at " + store.server() +
                                       ") cannot be reached right now; try again in a moment.");
    // The server is still up: the store is back on its own within the backoff.
    EXPECT_TRUE(eventually([&] { return run(store.record(entry("after@example.com"))).has_value(); }, 15s));
    EXPECT_EQ(targets_in(store), (std::vector<std::string>{"after@example.com"}));
}

TEST_F(StorePostgres, a_statement_past_the_timeout_fails_as_a_timeout) {
    auto options = backend_.options();
    options.statement_timeout = 500ms;
    store::PostgresStore store(options);
    sabotage_audit_inserts(backend_.database().url());
    const auto started = std::chrono::steady_clock::now();
    const auto slow = run(store.record(entry("slow@example.com")));
    EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
    ASSERT_FALSE(slow.has_value());
    EXPECT_EQ(slow.error().kind, ApiErrorKind::timeout) << slow.error().message;
    EXPECT_TRUE(store.connected());
    EXPECT_TRUE(targets_in(store).empty());
}

// A loopback port nothing listens on.
int closed_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    ::close(fd);
    return ntohs(address.sin_port);
}

TEST(StorePostgresStart, an_unreachable_server_is_named_without_the_password) {
    const std::string server = "127.0.0.1:" + std::to_string(closed_port());
    store::PostgresOptions options;
    options.url = "postgresql://collab:pa55-w0rd-s3cret@" + server + "/collab";
    options.connect_timeout = 2s;
    try {
        store::PostgresStore store(options);
        FAIL() << "connected to a closed port";
    } catch (const store::StateError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("PostgreSQL at " + server + ", database collab"), std::string::npos) << message;
        EXPECT_EQ(message.find("pa55-w0rd-s3cret"), std::string::npos) << message;
    }
}

TEST(StorePostgresStart, the_server_of_a_url_is_named_without_the_password) {
    EXPECT_EQ(store::postgres_server_of("postgresql://collab:s3cret@db.example.com:6543/collab"),
              "db.example.com:6543");
    EXPECT_EQ(store::postgres_server_of("postgres://db.example.com/collab"), "db.example.com:5432");
    EXPECT_EQ(store::postgres_server_of("postgresql://a.example.com:5433,b.example.com:5434/collab"),
              "a.example.com:5433,b.example.com:5434");
    EXPECT_EQ(store::postgres_server_of("host=db.example.com port=7000 password=s3cret dbname=collab"),
              "db.example.com:7000");
    EXPECT_EQ(store::postgres_server_of("not a url"), "an invalid URL");
}

}  // namespace
}  // namespace collab::testing
