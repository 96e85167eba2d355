#include "adapters/sandbox/sandbox_store.hpp"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <SQLiteCpp/VariadicBind.h>

#include <array>

#include "adapters/security/random.hpp"
#include "adapters/store/sqlite_file.hpp"
#include "core/command.hpp"

namespace collab::sandbox {
namespace {

constexpr std::array<std::string_view, 1> migrations{
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
    )sql"};

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
    : db_(store::open_state_file(file, "sandbox state file", migrations)), options_(std::move(options)) {
    try {
        if (db_.execAndGet("SELECT count(*) FROM meta WHERE key = 'seeded'").getInt() == 0) load(seed);
    } catch (const SQLite::Exception& e) {
        throw store::StateError("cannot seed the sandbox state file " + file.string() + ": " + e.what());
    }
}

void SandboxStore::load(const Seed& seed) {
    SQLite::Transaction transaction(db_, SQLite::TransactionBehavior::IMMEDIATE);
    for (const auto& account : seed.accounts) account_for(account.email, account.username, account.api_token);
    for (const auto& database : seed.databases) {
        const std::string id = new_id("ap");
        SQLite::Statement insert(db_,
                                 "INSERT INTO databases (id, name, owner_id, dedicated) "
                                 "SELECT ?, ?, id, ? FROM accounts WHERE email = ?");
        SQLite::bind(insert, id, database.name, database.dedicated ? 1 : 0, database.owner);
        insert.exec();
        for (const auto& collaborator : database.collaborators) {
            const bool accepted = collaborator.status == Status::accepted;
            SQLite::Statement add(
                db_,
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
    SQLite::Statement bot(db_, "INSERT INTO meta (key, value) VALUES ('bot_account', ?), ('seeded', '1')");
    bot.bind(1, seed.bot_account);
    bot.exec();
    transaction.commit();
}

std::string SandboxStore::account_for(const std::string& email, const std::string& username,
                                      const std::string& api_token) {
    SQLite::Statement find(db_, "SELECT id FROM accounts WHERE email = ?");
    find.bind(1, email);
    if (find.executeStep()) return find.getColumn(0).getString();
    const std::string id = new_id("us");
    SQLite::Statement insert(db_, "INSERT INTO accounts (id, email, username, api_token) VALUES (?, ?, ?, ?)");
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
    SQLite::Statement mail(db_,
                           "INSERT INTO outbox (recipient, database, link, token, sent_ms) VALUES (?, ?, ?, ?, ?)");
    SQLite::bind(mail, invitation.recipient, invitation.database, invitation.link, invitation.token,
                 std::chrono::duration_cast<std::chrono::milliseconds>(invitation.sent_at.time_since_epoch()).count());
    mail.exec();
    return invitation;
}

std::optional<std::string> SandboxStore::database_id(const std::string& name) {
    SQLite::Statement find(db_, "SELECT id FROM databases WHERE name = ?");
    find.bind(1, name);
    if (!find.executeStep()) return std::nullopt;
    return find.getColumn(0).getString();
}

std::optional<Database> SandboxStore::find_database(const std::string& name) {
    SQLite::Statement find(db_,
                           "SELECT d.name, a.id, a.email, a.username, d.dedicated FROM databases d "
                           "JOIN accounts a ON a.id = d.owner_id WHERE d.name = ?");
    find.bind(1, name);
    if (!find.executeStep()) return std::nullopt;
    return Database{
        find.getColumn(0).getString(),
        Account{find.getColumn(1).getString(), find.getColumn(2).getString(), find.getColumn(3).getString()},
        find.getColumn(4).getInt() != 0};
}

std::vector<Database> SandboxStore::databases() {
    std::vector<Database> all;
    SQLite::Statement query(db_, "SELECT name FROM databases ORDER BY name");
    while (query.executeStep()) {
        if (auto database = find_database(query.getColumn(0).getString())) all.push_back(std::move(*database));
    }
    return all;
}

std::vector<Collaborator> SandboxStore::collaborators(const std::string& database) {
    std::vector<Collaborator> list;
    SQLite::Statement query(db_,
                            "SELECT c.id, c.email, coalesce(a.username, 'n/a'), c.status, c.is_limited "
                            "FROM collaborators c JOIN databases d ON d.id = c.database_id "
                            "LEFT JOIN accounts a ON a.id = c.account_id AND c.status = 'accepted' "
                            "WHERE d.name = ? ORDER BY c.seq");
    query.bind(1, database);
    while (query.executeStep()) {
        list.push_back(Collaborator{query.getColumn(0).getString(), query.getColumn(1).getString(),
                                    query.getColumn(2).getString(),
                                    status_from_string(query.getColumn(3).getString()).value_or(Status::pending),
                                    query.getColumn(4).getInt() != 0});
    }
    return list;
}

ApiResult<Collaborator> SandboxStore::invite(const std::string& database, const std::string& email, bool limited) {
    try {
        auto info = find_database(database);
        if (!info) return std::unexpected(ApiError{ApiErrorKind::not_found, "app not found"});
        if (auto problem = email_problem(email))
            return std::unexpected(ApiError{ApiErrorKind::invalid_input, *problem});
        if (limited && info->dedicated)
            return std::unexpected(
                ApiError{ApiErrorKind::invalid_input,
                         "the Limited Collaborator role is not available for Dedicated Resources databases"});
        if (same_email(info->owner.email, email))
            return std::unexpected(ApiError{ApiErrorKind::already_member, email + " owns " + database});
        for (const auto& existing : collaborators(database)) {
            if (same_email(existing.email, email))
                return std::unexpected(
                    ApiError{ApiErrorKind::already_member,
                             email + " is already a collaborator (" + std::string(to_string(existing.status)) + ")"});
        }
        const std::string token = security::random_hex(16);
        Collaborator collaborator{new_id("co"), email, "n/a", Status::pending, limited};

        SQLite::Transaction transaction(db_, SQLite::TransactionBehavior::IMMEDIATE);
        SQLite::Statement insert(
            db_,
            "INSERT INTO collaborators (id, database_id, email, status, is_limited, invitation_token) "
            "VALUES (?, (SELECT id FROM databases WHERE name = ?), ?, 'pending', ?, ?)");
        SQLite::bind(insert, collaborator.id, database, email, limited ? 1 : 0, token);
        insert.exec();
        const Invitation sent = post_invitation(email, database, token);
        transaction.commit();
        if (options_.on_invitation) options_.on_invitation(sent);
        return collaborator;
    } catch (const SQLite::Exception& e) {
        return std::unexpected(unavailable(e));
    }
}

ApiResult<void> SandboxStore::remove(const std::string& database, const std::string& collaborator_id) {
    try {
        if (!database_id(database)) return std::unexpected(ApiError{ApiErrorKind::not_found, "app not found"});
        SQLite::Statement erase(db_,
                                "DELETE FROM collaborators WHERE id = ? AND database_id = "
                                "(SELECT id FROM databases WHERE name = ?)");
        SQLite::bind(erase, collaborator_id, database);
        if (erase.exec() == 0) return std::unexpected(ApiError{ApiErrorKind::not_found, "collaborator not found"});
        return {};
    } catch (const SQLite::Exception& e) {
        return std::unexpected(unavailable(e));
    }
}

ApiResult<Invitation> SandboxStore::accept(const std::string& token) {
    try {
        SQLite::Transaction transaction(db_, SQLite::TransactionBehavior::IMMEDIATE);
        SQLite::Statement find(db_,
                               "SELECT c.id, c.email, d.name, o.link, o.sent_ms FROM collaborators c "
                               "JOIN databases d ON d.id = c.database_id JOIN outbox o ON o.token = c.invitation_token "
                               "WHERE c.invitation_token = ? AND c.status = 'pending'");
        find.bind(1, token);
        if (!find.executeStep())
            return std::unexpected(
                ApiError{ApiErrorKind::not_found,
                         "No pending invitation has this token: it was accepted, revoked or mistyped."});
        const std::string id = find.getColumn(0).getString();
        const std::string email = find.getColumn(1).getString();
        Invitation invitation{email,
                              find.getColumn(2).getString(),
                              find.getColumn(3).getString(),
                              token,
                              TimePoint{std::chrono::milliseconds{find.getColumn(4).getInt64()}},
                              "accepted"};
        const std::string account = account_for(email, username_from(email), "");
        SQLite::Statement accept(db_,
                                 "UPDATE collaborators SET status = 'accepted', account_id = ? "
                                 "WHERE id = ?");
        SQLite::bind(accept, account, id);
        accept.exec();
        transaction.commit();
        return invitation;
    } catch (const SQLite::Exception& e) {
        return std::unexpected(unavailable(e));
    }
}

std::vector<Invitation> SandboxStore::invitations() {
    std::vector<Invitation> all;
    SQLite::Statement query(
        db_,
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

Account SandboxStore::bot_account() {
    SQLite::Statement query(db_,
                            "SELECT a.id, a.email, a.username FROM accounts a "
                            "JOIN meta m ON m.key = 'bot_account' AND m.value = a.email");
    if (!query.executeStep()) return Account{};
    return Account{query.getColumn(0).getString(), query.getColumn(1).getString(), query.getColumn(2).getString()};
}

}  // namespace collab::sandbox
