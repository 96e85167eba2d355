#include "adapters/sandbox/seed.hpp"

#include <algorithm>

#include "adapters/config/toml_checks.hpp"
#include "core/command.hpp"

namespace collab::sandbox {
namespace {

using config::ConfigError;

const toml::array& array_of_tables(const toml::table& root, std::string_view key, std::string_view source) {
    static const toml::array empty;
    const toml::node* node = root.get(key);
    if (node == nullptr) return empty;
    const toml::array* array = node->as_array();
    if (array == nullptr || !array->is_array_of_tables())
        throw ConfigError(std::string(source) + ": " + std::string(key) + " must be an array of tables ([[" +
                          std::string(key) + "]])");
    return *array;
}

std::string required_string(const toml::table& table, std::string_view key, std::string_view where,
                            std::string_view source) {
    std::string value = config::value_or<std::string>(table, key, "", where, source);
    if (value.empty())
        throw ConfigError(std::string(source) + ": " + std::string(where) + "." + std::string(key) + " is required");
    return value;
}

}  // namespace

Seed parse_seed(std::string_view text, std::string_view source) {
    const toml::table root = config::parse_toml(text, source);
    config::reject_unknown_keys(root, {"bot_account", "accounts", "databases"}, "", source);
    Seed seed;
    seed.bot_account = required_string(root, "bot_account", "sandbox", source);

    for (const auto& node : array_of_tables(root, "accounts", source)) {
        const toml::table& t = *node.as_table();
        config::reject_unknown_keys(t, {"email", "username", "api_token"}, "accounts", source);
        AccountSeed account{required_string(t, "email", "accounts", source),
                            required_string(t, "username", "accounts", source),
                            config::value_or<std::string>(t, "api_token", "", "accounts", source)};
        if (auto problem = email_problem(account.email))
            throw ConfigError(std::string(source) + ": accounts: " + *problem);
        if (std::any_of(seed.accounts.begin(), seed.accounts.end(),
                        [&](const AccountSeed& other) { return same_email(other.email, account.email); }))
            throw ConfigError(std::string(source) + ": the account " + account.email + " is listed twice");
        seed.accounts.push_back(std::move(account));
    }
    auto is_account = [&](const std::string& email) {
        return std::any_of(seed.accounts.begin(), seed.accounts.end(),
                           [&](const AccountSeed& a) { return same_email(a.email, email); });
    };
    if (!is_account(seed.bot_account))
        throw ConfigError(std::string(source) + ": bot_account " + seed.bot_account +
                          " is not one of the [[accounts]]");

    for (const auto& node : array_of_tables(root, "databases", source)) {
        const toml::table& t = *node.as_table();
        config::reject_unknown_keys(t, {"name", "owner", "dedicated", "collaborators"}, "databases", source);
        DatabaseSeed database{required_string(t, "name", "databases", source),
                              required_string(t, "owner", "databases", source),
                              config::value_or<bool>(t, "dedicated", true, "databases", source),
                              {}};
        if (auto problem = database_name_problem(database.name))
            throw ConfigError(std::string(source) + ": " + *problem);
        if (!is_account(database.owner))
            throw ConfigError(std::string(source) + ": the owner of " + database.name + ", " + database.owner +
                              ", is not one of the [[accounts]]");
        if (const toml::node* list = t.get("collaborators")) {
            const toml::array* array = list->as_array();
            if (array == nullptr) throw ConfigError(std::string(source) + ": databases.collaborators must be an array");
            for (const auto& entry : *array) {
                const toml::table* c = entry.as_table();
                if (c == nullptr)
                    throw ConfigError(std::string(source) +
                                      ": each of databases.collaborators is { email = …, status = … }");
                config::reject_unknown_keys(*c, {"email", "status"}, "databases.collaborators", source);
                CollaboratorSeed collaborator{required_string(*c, "email", "databases.collaborators", source),
                                              Status::accepted};
                const auto status = status_from_string(
                    config::value_or<std::string>(*c, "status", "accepted", "databases.collaborators", source));
                if (!status || *status == Status::account_deleted)
                    throw ConfigError(std::string(source) +
                                      ": databases.collaborators.status is \"accepted\" or \"pending\"");
                collaborator.status = *status;
                if (collaborator.status == Status::accepted && !is_account(collaborator.email))
                    throw ConfigError(std::string(source) + ": accepted collaborator " + collaborator.email + " of " +
                                      database.name + " is not one of the [[accounts]]");
                database.collaborators.push_back(std::move(collaborator));
            }
        }
        if (std::any_of(seed.databases.begin(), seed.databases.end(),
                        [&](const DatabaseSeed& other) { return other.name == database.name; }))
            throw ConfigError(std::string(source) + ": the database " + database.name + " is listed twice");
        seed.databases.push_back(std::move(database));
    }
    return seed;
}

}  // namespace collab::sandbox
