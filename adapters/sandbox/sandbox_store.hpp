#pragma once
// Scalingo's collaborator semantics on a SQLite file: the embedded stand-in for the platform.

#include <SQLiteCpp/Database.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/sandbox/seed.hpp"
#include "adapters/store/sqlite_file.hpp"
#include "core/ports.hpp"

namespace collab::sandbox {

// An invitation e-mail the sandbox "sent": kept in an outbox so that it can be read and accepted.
struct Invitation {
    std::string recipient;
    std::string database;
    std::string link;
    std::string token;
    TimePoint sent_at;
    std::string state;  // "pending", "accepted", or "revoked" when the collaborator was removed first
};

// An app as the regional API shows it: the database and what only the HTTP API needs besides.
struct AppRecord {
    std::string id;  // "ap-…"
    Database database;
    TimePoint created_at;
};

// A collaborator as the regional API shows it.
struct CollaboratorRecord {
    Collaborator collaborator;
    std::optional<std::string> user_id;  // the account, once accepted; nothing while pending
    std::string invitation_link;         // while pending; empty once accepted, as Scalingo sends it
    std::string app_id;
    std::string app_name;
};

// What an account is to an app it can see.
enum class AppRole { owner, collaborator, limited_collaborator };

// Why an invitation would be refused; the served API words each reason in its own way.
enum class InviteRefusal { invalid_email, limited_on_dedicated, owner, already_collaborator };
struct InviteProblem {
    InviteRefusal refusal;
    std::string message;  // for a chat user
};

struct SandboxOptions {
    // Invitation links are this followed by the token, as Scalingo's end in "?token=…".
    std::string invitation_link_prefix = "https://dashboard.sandbox.invalid/apps/collaboration?token=";
    std::function<void(const Invitation&)> on_invitation;  // e.g. to write it to the log
};

// Moves whenever the data may have changed, for those who keep what they read: `file` on a commit by
// another connection to the file (the sandbox command line, another bot), `here` on a change made
// through this object, from any thread.
struct DataVersion {
    std::int64_t file = 0;
    std::uint64_t here = 0;

    bool operator==(const DataVersion&) const = default;
};

class SandboxStore {
public:
    // Opens the file, creating and seeding it on first use. Throws store::StateError.
    SandboxStore(const std::filesystem::path& file, const Seed& seed, SandboxOptions options = {});

    std::optional<Database> find_database(const std::string& name);
    std::vector<Database> databases();
    std::vector<Collaborator> collaborators(const std::string& database);
    // Refused as invite_problem() says: invalid_input for the e-mail or the role, already_member for the
    // owner or a collaborator; not_found without such a database.
    ApiResult<Collaborator> invite(const std::string& database, const std::string& email, bool limited);
    // Why invite() would refuse this invitation, or nothing when it would send it.
    std::optional<InviteProblem> invite_problem(const Database& database, const std::string& email, bool limited);
    ApiResult<void> remove(const std::string& database, const std::string& collaborator_id);
    // The invitation, now accepted: its recipient collaborates on its database.
    ApiResult<Invitation> accept(const std::string& token);
    std::vector<Invitation> invitations();
    Account bot_account();
    // Reads the file's data version (a short read lock).
    DataVersion data_version();

    // For the sandbox served over HTTP (signed-in accounts rather than the bot's).
    std::optional<Account> account_by_api_token(const std::string& api_token);
    std::optional<Account> account_by_id(const std::string& account_id);
    std::optional<AppRecord> find_app(const std::string& name);
    // The apps the account owns or is an accepted collaborator of, by name.
    std::vector<AppRecord> apps_visible_to(const std::string& account_id);
    // Nothing when the account neither owns the app nor is an accepted collaborator of it (or no such app).
    std::optional<AppRole> role_of(const std::string& database, const std::string& account_id);
    std::vector<CollaboratorRecord> collaborator_records(const std::string& database);
    std::optional<CollaboratorRecord> find_collaborator_record(const std::string& database,
                                                               const std::string& collaborator_id);
    // Changes the role; a Limited Collaborator on a Dedicated Resources database is invalid_input.
    ApiResult<CollaboratorRecord> set_limited(const std::string& database, const std::string& collaborator_id,
                                              bool limited);
    // The pending invitation accepted by a signed-in account, which becomes the collaborator whatever address
    // the link was mailed to (links can be forwarded). already_member when that account already owns or
    // collaborates on the app; not_found when no pending invitation has the token.
    ApiResult<AppRecord> accept_as(const std::string& token, const std::string& account_id);

private:
    void load(const Seed& seed);
    std::string account_for(const std::string& email, const std::string& username, const std::string& api_token);
    std::optional<std::string> database_id(const std::string& name);
    Invitation post_invitation(const std::string& email, const std::string& database, const std::string& token);
    // Accepts the pending invitation of `token`: by the signed-in account when given (which becomes the
    // collaborator, with its own address), else by the account of the address it was mailed to.
    ApiResult<Invitation> accept_pending(const std::string& token, const std::optional<Account>& signed_in);

    store::StateConnection connection_;
    SandboxOptions options_;
    // Behind a pointer: the store moves (changes are counted from any thread).
    std::unique_ptr<std::atomic<std::uint64_t>> changes_ = std::make_unique<std::atomic<std::uint64_t>>(0);
};

}  // namespace collab::sandbox
