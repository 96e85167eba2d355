#pragma once
// The sandbox's initial data (config/sandbox.toml), loaded into a new state file.

#include <string>
#include <string_view>
#include <vector>

#include "core/model.hpp"

namespace collab::sandbox {

struct AccountSeed {
    std::string email;
    std::string username;
    std::string api_token;  // Scalingo-style tk-us-… token, for the sandbox served over HTTP
};

struct CollaboratorSeed {
    std::string email;
    Status status = Status::accepted;
};

struct DatabaseSeed {
    std::string name;
    std::string owner;  // an account's e-mail
    bool dedicated = true;
    std::vector<CollaboratorSeed> collaborators;
};

struct Seed {
    std::string bot_account;  // the account the bot acts as: an account's e-mail
    std::vector<AccountSeed> accounts;
    std::vector<DatabaseSeed> databases;
};

// Throws config::ConfigError naming the key or value at fault.
Seed parse_seed(std::string_view toml_text, std::string_view source);

}  // namespace collab::sandbox
