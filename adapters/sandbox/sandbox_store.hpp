#pragma once
// Scalingo's collaborator semantics on a SQLite file: the embedded stand-in for the platform.

#include <SQLiteCpp/Database.h>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "adapters/sandbox/seed.hpp"
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

struct SandboxOptions {
    // Invitation links are this followed by the token, as Scalingo's end in "?token=…".
    std::string invitation_link_prefix = "https://dashboard.sandbox.invalid/apps/collaboration?token=";
    std::function<void(const Invitation&)> on_invitation;  // e.g. to write it to the log
};

class SandboxStore {
public:
    // Opens the file, creating and seeding it on first use. Throws store::StateError.
    SandboxStore(const std::filesystem::path& file, const Seed& seed, SandboxOptions options = {});

    std::optional<Database> find_database(const std::string& name);
    std::vector<Database> databases();
    std::vector<Collaborator> collaborators(const std::string& database);
    ApiResult<Collaborator> invite(const std::string& database, const std::string& email, bool limited);
    ApiResult<void> remove(const std::string& database, const std::string& collaborator_id);
    // The invitation, now accepted: its recipient collaborates on its database.
    ApiResult<Invitation> accept(const std::string& token);
    std::vector<Invitation> invitations();
    Account bot_account();

private:
    void load(const Seed& seed);
    std::string account_for(const std::string& email, const std::string& username, const std::string& api_token);
    std::optional<std::string> database_id(const std::string& name);
    Invitation post_invitation(const std::string& email, const std::string& database, const std::string& token);

    SQLite::Database db_;
    SandboxOptions options_;
};

}  // namespace collab::sandbox
