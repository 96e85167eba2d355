#include "adapters/sandbox/sandbox_store.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <SQLiteCpp/VariadicBind.h>

#include <array>
#include <cstdint>

#include "adapters/security/random.hpp"
#include "adapters/store/sqlite_file.hpp"
#include "core/command.hpp"

namespace collab::sandbox {
namespace {

constexpr std::array<std::string_view, 2> migrations{
    R"sql(
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE accounts (
        id        TEXT PRIMARY KEY,
        email     TEXT NOT NULL UNIQUE COLLATE NOCASE,
        username  TEXT NOT NULL,
        api_token TEXT UNIQUE
    );
    CREATE TABLE databases (
        id        TEXT PRIMARY KEY,
        name      TEXT NOT NULL UNIQUE,
        owner_id  TEXT NOT NULL REFERENCES accounts (id),
        dedicated INTEGER NOT NULL
    );
    CREATE TABLE collaborators (
        seq              INTEGER PRIMARY KEY AUTOINCREMENT,
        id               TEXT NOT NULL UNIQUE,
        database_id      TEXT NOT NULL REFERENCES databases (id) ON DELETE CASCADE,
        email            TEXT NOT NULL COLLATE NOCASE,
        account_id       TEXT REFERENCES accounts (id),
        status           TEXT NOT NULL,
        is_limited       INTEGER NOT NULL DEFAULT 0,
        invitation_token TEXT UNIQUE,
        UNIQUE (database_id, email)
    );
    CREATE TABLE outbox (
        seq       INTEGER PRIMARY KEY AUTOINCREMENT,
        recipient TEXT NOT NULL,
        database  TEXT NOT NULL,
        link      TEXT NOT NULL,
        token     TEXT NOT NULL,
        sent_ms   INTEGER NOT NULL
    );
    )sql",
    // Version 2: the creation time the regional API shows as created_at; files seeded before it get
    // the time of the upgrade, which is as good a guess as any.
    R"sql(
    ALTER TABLE databases ADD COLUMN created_ms INTEGER;
    UPDATE databases SET created_ms = CAST(strftime('%s', 'now') AS INTEGER) * 1000;
    )sql"};

std::int64_t epoch_ms(TimePoint at) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}

std::string new_id(std::string_view prefix) {
    return std::string(prefix) + "-" + security::random_hex(16);
}

ApiError unavailable(const std::exception& e) {
    return ApiError{ApiErrorKind::unavailable,
                    std::string("The sandbox state cannot be used right now (") + e.what() + ")."};
}

// A username for an account created on acceptance: the e-mail's local part, as a sign-up would suggest.
std::string username_from(const std::string& email) {
    return email.substr(0, email.find('@'));
}

}  // namespace

SandboxStore::SandboxStore(const std::filesystem::path& file, const Seed& seed, SandboxOptions options)
    : connection_(store::open_state_file(file, "sandbox state file", migrations)), options_(std::move(options)) {
    try {
        if (connection_.db().execAndGet("SELECT count(*) FROM meta WHERE key = 'seeded'").getInt() == 0) load(seed);
    } catch (const SQLite::Exception& e) {
        throw store::StateError("cannot seed the sandbox state file " + file.string() + ": " + e.what());
    }
}

void SandboxStore::load(const Seed& seed) {
    SQLite::Transaction transaction(connection_.db(), SQLite::TransactionBehavior::IMMEDIATE);
    for (const auto& account : seed.accounts) account_for(account.email, account.username, account.api_token);
    for (const auto& database : seed.databases) {
        const std::string id = new_id("ap");
        SQLite::Statement insert(connection_.db(),
                                 "INSERT INTO databases (id, name, owner_id, dedicated, created_ms) "
                                 "SELECT ?, ?, id, ?, ? FROM accounts WHERE email = ?");
        SQLite::bind(insert, id, database.name, database.dedicated ? 1 : 0, epoch_ms(Clock::now()), database.owner);
        insert.exec();
        for (const auto& collaborator : database.collaborators) {
            const bool accepted = collaborator.status == Status::accepted;
            SQLite::Statement add(
                connection_.db(),
                "INSERT INTO collaborators (id, database_id, email, account_id, status, invitation_token) "
                "VALUES (?, ?, ?, (SELECT id FROM accounts WHERE email = ?), ?, ?)");
            SQLite::bind(add, new_id("co"), id, collaborator.email, collaborator.email,
                         std::string(to_string(collaborator.status)));
            const std::string token = security::random_hex(16);
            if (accepted)
                add.bind(6);
            else
                add.bind(6, token);
            add.exec();
            if (!accepted) post_invitation(collaborator.email, database.name, token);
        }
    }
    SQLite::Statement bot(connection_.db(), "INSERT INTO meta (key, value) VALUES ('bot_account', ?), ('seeded', '1')");
    bot.bind(1, seed.bot_account);
    bot.exec();
    transaction.commit();
}

std::string SandboxStore::account_for(const std::string& email, const std::string& username,
                                      const std::string& api_token) {
    SQLite::Statement find(connection_.db(), "SELECT id FROM accounts WHERE email = ?");
    find.bind(1, email);
    if (find.executeStep()) return find.getColumn(0).getString();
    const std::string id = new_id("us");
    SQLite::Statement insert(connection_.db(),
                             "INSERT INTO accounts (id, email, username, api_token) VALUES (?, ?, ?, ?)");
    SQLite::bind(insert, id, email, username);
    if (api_token.empty())
        insert.bind(4);
    else
        insert.bind(4, api_token);
    insert.exec();
    return id;
}

Invitation SandboxStore::post_invitation(const std::string& email, const std::string& database,
                                         const std::string& token) {
    Invitation invitation{email, database, options_.invitation_link_prefix + token, token, Clock::now(), "pending"};
    auto mail =
        connection_.statement("INSERT INTO outbox (recipient, database, link, token, sent_ms) VALUES (?, ?, ?, ?, ?)");
    SQLite::bind(*mail, invitation.recipient, invitation.database, invitation.link, invitation.token,
                 std::chrono::duration_cast<std::chrono::milliseconds>(invitation.sent_at.time_since_epoch()).count());
    mail->exec();
    return invitation;
}

std::optional<std::string> SandboxStore::database_id(const std::string& name) {
    auto find = connection_.statement("SELECT id FROM databases WHERE name = ?");
    find->bind(1, name);
    if (!find->executeStep()) return std::nullopt;
    return find->getColumn(0).getString();
}

std::optional<Database> SandboxStore::find_database(const std::string& name) {
    auto find = connection_.statement(
        "SELECT d.name, a.id, a.email, a.username, d.dedicated FROM databases d "
        "JOIN accounts a ON a.id = d.owner_id WHERE d.name = ?");
    find->bind(1, name);
    if (!find->executeStep()) return std::nullopt;
    return Database{
        find->getColumn(0).getString(),
        Account{find->getColumn(1).getString(), find->getColumn(2).getString(), find->getColumn(3).getString()},
        find->getColumn(4).getInt() != 0};
}

std::vector<Database> SandboxStore::databases() {
    std::vector<Database> all;
    SQLite::Statement query(connection_.db(), "SELECT name FROM databases ORDER BY name");
    while (query.executeStep()) {
        if (auto database = find_database(query.getColumn(0).getString())) all.push_back(std::move(*database));
    }
    return all;
}

std::vector<Collaborator> SandboxStore::collaborators(const std::string& database) {
    std::vector<Collaborator> list;
    auto query = connection_.statement(
        "SELECT c.id, c.email, coalesce(a.username, 'n/a'), c.status, c.is_limited "
        "FROM collaborators c JOIN databases d ON d.id = c.database_id "
        "LEFT JOIN accounts a ON a.id = c.account_id AND c.status = 'accepted' "
        "WHERE d.name = ? ORDER BY c.seq");
    query->bind(1, database);
    while (query->executeStep()) {
        list.push_back(Collaborator{query->getColumn(0).getString(), query->getColumn(1).getString(),
                                    query->getColumn(2).getString(),
                                    status_from_string(query->getColumn(3).getString()).value_or(Status::pending),
                                    query->getColumn(4).getInt() != 0});
    }
    return list;
}

std::optional<InviteProblem> SandboxStore::invite_problem(const Database& database, const std::string& email,
                                                          bool limited) {
    if (auto problem = email_problem(email)) return InviteProblem{InviteRefusal::invalid_email, *problem};
    if (limited && database.dedicated)
        return InviteProblem{InviteRefusal::limited_on_dedicated,
                             "the Limited Collaborator role is not available for Dedicated Resources databases"};
    if (same_email(database.owner.email, email))
        return InviteProblem{InviteRefusal::owner, email + " owns " + database.name};
    for (const auto& existing : collaborators(database.name)) {
        if (same_email(existing.email, email))
            return InviteProblem{
                InviteRefusal::already_collaborator,
                email + " is already a collaborator (" + std::string(to_string(existing.status)) + ")"};
    }
    return std::nullopt;
}

ApiResult<Collaborator> SandboxStore::invite(const std::string& database, const std::string& email, bool limited) {
    try {
        auto info = find_database(database);
        if (!info) return std::unexpected(ApiError{ApiErrorKind::not_found, "app not found"});
        if (auto problem = invite_problem(*info, email, limited)) {
            const bool member =
                problem->refusal == InviteRefusal::owner || problem->refusal == InviteRefusal::already_collaborator;
            return std::unexpected(
                ApiError{member ? ApiErrorKind::already_member : ApiErrorKind::invalid_input, problem->message});
        }
        const std::string token = security::random_hex(16);
        Collaborator collaborator{new_id("co"), email, "n/a", Status::pending, limited};

        SQLite::Transaction transaction(connection_.db(), SQLite::TransactionBehavior::IMMEDIATE);
        auto insert = connection_.statement(
            "INSERT INTO collaborators (id, database_id, email, status, is_limited, invitation_token) "
            "VALUES (?, (SELECT id FROM databases WHERE name = ?), ?, 'pending', ?, ?)");
        SQLite::bind(*insert, collaborator.id, database, email, limited ? 1 : 0, token);
        insert->exec();
        const Invitation sent = post_invitation(email, database, token);
        transaction.commit();
        ++*changes_;
        if (options_.on_invitation) options_.on_invitation(sent);
        return collaborator;
    } catch (const SQLite::Exception& e) {
        return std::unexpected(unavailable(e));
    }
}

ApiResult<void> SandboxStore::remove(const std::string& database, const std::string& collaborator_id) {
    try {
        if (!database_id(database)) return std::unexpected(ApiError{ApiErrorKind::not_found, "app not found"});
        auto erase = connection_.statement(
            "DELETE FROM collaborators WHERE id = ? AND database_id = (SELECT id FROM databases WHERE name = ?)");
        SQLite::bind(*erase, collaborator_id, database);
        // The database is there, the person is not: not a "no such database".
        if (erase->exec() == 0) return std::unexpected(ApiError{ApiErrorKind::not_member, "collaborator not found"});
        ++*changes_;
        return {};
    } catch (const SQLite::Exception& e) {
        return std::unexpected(unavailable(e));
    }
}

ApiResult<Invitation> SandboxStore::accept(const std::string& token) {
    return accept_pending(token, std::nullopt);
}

ApiResult<Invitation> SandboxStore::accept_pending(const std::string& token, const std::optional<Account>& signed_in) {
    try {
        SQLite::Transaction transaction(connection_.db(), SQLite::TransactionBehavior::IMMEDIATE);
        SQLite::Statement find(connection_.db(),
                               "SELECT c.id, c.email, d.id, d.name, o.link, o.sent_ms FROM collaborators c "
                               "JOIN databases d ON d.id = c.database_id JOIN outbox o ON o.token = c.invitation_token "
                               "WHERE c.invitation_token = ? AND c.status = 'pending'");
        find.bind(1, token);
        if (!find.executeStep())
            return std::unexpected(
                ApiError{ApiErrorKind::not_found,
                         "No pending invitation has this token: it was accepted, revoked or mistyped."});
        const std::string id = find.getColumn(0).getString();
        const std::string email = find.getColumn(1).getString();
        const std::string app_id = find.getColumn(2).getString();
        Invitation invitation{email,
                              find.getColumn(3).getString(),
                              find.getColumn(4).getString(),
                              token,
                              TimePoint{std::chrono::milliseconds{find.getColumn(5).getInt64()}},
                              "accepted"};
        const std::string& name = invitation.database;
        std::string account_id;
        std::string account_email = email;
        if (signed_in) {
            if (role_of(name, signed_in->id))
                return std::unexpected(
                    ApiError{ApiErrorKind::already_member, signed_in->email + " already collaborates on " + name});
            // Another invitation of the same app to this account's address: one entry per person.
            SQLite::Statement twin(connection_.db(),
                                   "SELECT 1 FROM collaborators WHERE database_id = ? AND email = ? AND id != ?");
            SQLite::bind(twin, app_id, signed_in->email, id);
            if (twin.executeStep())
                return std::unexpected(
                    ApiError{ApiErrorKind::already_member, signed_in->email + " is already invited to " + name});
            account_id = signed_in->id;
            account_email = signed_in->email;
        } else {
            account_id = account_for(email, username_from(email), "");
        }
        SQLite::Statement accept(connection_.db(),
                                 "UPDATE collaborators SET status = 'accepted', account_id = ?, email = ? "
                                 "WHERE id = ?");
        SQLite::bind(accept, account_id, account_email, id);
        accept.exec();
        transaction.commit();
        ++*changes_;
        return invitation;
    } catch (const SQLite::Exception& e) {
        return std::unexpected(unavailable(e));
    }
}

std::vector<Invitation> SandboxStore::invitations() {
    std::vector<Invitation> all;
    SQLite::Statement query(
        connection_.db(),
        "SELECT o.recipient, o.database, o.link, o.token, o.sent_ms, "
        "coalesce((SELECT c.status FROM collaborators c WHERE c.invitation_token = o.token), 'revoked') "
        "FROM outbox o ORDER BY o.seq");
    while (query.executeStep()) {
        all.push_back(Invitation{query.getColumn(0).getString(), query.getColumn(1).getString(),
                                 query.getColumn(2).getString(), query.getColumn(3).getString(),
                                 TimePoint{std::chrono::milliseconds{query.getColumn(4).getInt64()}},
                                 query.getColumn(5).getString()});
    }
    return all;
}

DataVersion SandboxStore::data_version() {
    // Not a cached statement: the cache is not for threads that share the store past its owner's.
    return DataVersion{connection_.db().execAndGet("PRAGMA data_version").getInt64(), changes_->load()};
}

namespace {

// An accepted collaborator row `c` that is the account bound as :account. Rows accepted before accounts
// were linked to them are matched by e-mail.
constexpr std::string_view accepted_member =
    "c.status = 'accepted' AND (c.account_id = :account OR "
    "(c.account_id IS NULL AND c.email = (SELECT email FROM accounts WHERE id = :account)))";

constexpr std::string_view app_columns =
    "SELECT d.id, d.name, a.id, a.email, a.username, d.dedicated, coalesce(d.created_ms, 0) "
    "FROM databases d JOIN accounts a ON a.id = d.owner_id ";

AppRecord app_from(SQLite::Statement& row) {
    return AppRecord{
        row.getColumn(0).getString(),
        Database{row.getColumn(1).getString(),
                 Account{row.getColumn(2).getString(), row.getColumn(3).getString(), row.getColumn(4).getString()},
                 row.getColumn(5).getInt() != 0},
        TimePoint{std::chrono::milliseconds{row.getColumn(6).getInt64()}}};
}

std::optional<Account> account_from(SQLite::Statement& query) {
    if (!query.executeStep()) return std::nullopt;
    return Account{query.getColumn(0).getString(), query.getColumn(1).getString(), query.getColumn(2).getString()};
}

}  // namespace

Account SandboxStore::bot_account() {
    auto query = connection_.statement(
        "SELECT a.id, a.email, a.username FROM accounts a JOIN meta m ON m.key = 'bot_account' AND m.value = a.email");
    return account_from(*query).value_or(Account{});
}

std::optional<Account> SandboxStore::account_by_api_token(const std::string& api_token) {
    // An empty token would match nothing anyway (NULL in the table), but say so plainly.
    if (api_token.empty()) return std::nullopt;
    SQLite::Statement query(connection_.db(), "SELECT id, email, username FROM accounts WHERE api_token = ?");
    query.bind(1, api_token);
    return account_from(query);
}

std::optional<Account> SandboxStore::account_by_id(const std::string& account_id) {
    SQLite::Statement query(connection_.db(), "SELECT id, email, username FROM accounts WHERE id = ?");
    query.bind(1, account_id);
    return account_from(query);
}

std::optional<AppRecord> SandboxStore::find_app(const std::string& name) {
    static const std::string by_name = std::string(app_columns) + "WHERE d.name = ?";
    auto query = connection_.statement(by_name);
    query->bind(1, name);
    if (!query->executeStep()) return std::nullopt;
    return app_from(*query);
}

std::vector<AppRecord> SandboxStore::apps_visible_to(const std::string& account_id) {
    std::vector<AppRecord> apps;
    SQLite::Statement query(connection_.db(),
                            std::string(app_columns) +
                                "WHERE d.owner_id = :account OR EXISTS (SELECT 1 FROM collaborators c "
                                "WHERE c.database_id = d.id AND " +
                                std::string(accepted_member) + ") ORDER BY d.name");
    query.bind(":account", account_id);
    while (query.executeStep()) apps.push_back(app_from(query));
    return apps;
}

std::optional<AppRole> SandboxStore::role_of(const std::string& database, const std::string& account_id) {
    auto app = find_app(database);
    if (!app) return std::nullopt;
    if (app->database.owner.id == account_id) return AppRole::owner;
    static const std::string member_role =
        "SELECT c.is_limited FROM collaborators c WHERE c.database_id = :database AND " + std::string(accepted_member);
    auto query = connection_.statement(member_role);
    query->bind(":database", app->id);
    query->bind(":account", account_id);
    if (!query->executeStep()) return std::nullopt;
    return query->getColumn(0).getInt() != 0 ? AppRole::limited_collaborator : AppRole::collaborator;
}

std::vector<CollaboratorRecord> SandboxStore::collaborator_records(const std::string& database) {
    std::vector<CollaboratorRecord> list;
    SQLite::Statement query(connection_.db(),
                            "SELECT c.id, c.email, coalesce(a.username, 'n/a'), c.status, c.is_limited, a.id, "
                            "c.invitation_token, d.id, d.name "
                            "FROM collaborators c JOIN databases d ON d.id = c.database_id "
                            "LEFT JOIN accounts a ON a.id = c.account_id AND c.status = 'accepted' "
                            "WHERE d.name = ? ORDER BY c.seq");
    query.bind(1, database);
    while (query.executeStep()) {
        CollaboratorRecord record{
            Collaborator{query.getColumn(0).getString(), query.getColumn(1).getString(), query.getColumn(2).getString(),
                         status_from_string(query.getColumn(3).getString()).value_or(Status::pending),
                         query.getColumn(4).getInt() != 0},
            std::nullopt, "", query.getColumn(7).getString(), query.getColumn(8).getString()};
        if (!query.getColumn(5).isNull()) record.user_id = query.getColumn(5).getString();
        if (record.collaborator.status == Status::pending && !query.getColumn(6).isNull())
            record.invitation_link = options_.invitation_link_prefix + query.getColumn(6).getString();
        list.push_back(std::move(record));
    }
    return list;
}

std::optional<CollaboratorRecord> SandboxStore::find_collaborator_record(const std::string& database,
                                                                         const std::string& collaborator_id) {
    // Apps have a handful of collaborators: reading the list keeps one definition of a record.
    for (auto& record : collaborator_records(database)) {
        if (record.collaborator.id == collaborator_id) return std::move(record);
    }
    return std::nullopt;
}

ApiResult<CollaboratorRecord> SandboxStore::set_limited(const std::string& database, const std::string& collaborator_id,
                                                        bool limited) {
    try {
        auto app = find_app(database);
        if (!app) return std::unexpected(ApiError{ApiErrorKind::not_found, "app not found"});
        if (limited && app->database.dedicated)
            return std::unexpected(
                ApiError{ApiErrorKind::invalid_input,
                         "the Limited Collaborator role is not available for Dedicated Resources databases"});
        SQLite::Statement update(connection_.db(),
                                 "UPDATE collaborators SET is_limited = ? WHERE id = ? AND database_id = ?");
        SQLite::bind(update, limited ? 1 : 0, collaborator_id, app->id);
        if (update.exec() == 0) return std::unexpected(ApiError{ApiErrorKind::not_found, "collaborator not found"});
        ++*changes_;
        auto record = find_collaborator_record(database, collaborator_id);
        if (!record) return std::unexpected(ApiError{ApiErrorKind::not_found, "collaborator not found"});
        return std::move(*record);
    } catch (const SQLite::Exception& e) {
        return std::unexpected(unavailable(e));
    }
}

ApiResult<AppRecord> SandboxStore::accept_as(const std::string& token, const std::string& account_id) {
    try {
        auto account = account_by_id(account_id);
        if (!account) return std::unexpected(ApiError{ApiErrorKind::unauthorized, "no such account"});
        auto accepted = accept_pending(token, account);
        if (!accepted) return std::unexpected(std::move(accepted.error()));
        auto app = find_app(accepted->database);
        if (!app) return std::unexpected(ApiError{ApiErrorKind::not_found, "app not found"});
        return std::move(*app);
    } catch (const SQLite::Exception& e) {
        return std::unexpected(unavailable(e));
    }
}

}  // namespace collab::sandbox
