#pragma once
// The grammar of what people type after /collab.

#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace collab {

struct ListCommand {
    std::string database;
};
struct AddCommand {
    std::string database;
    std::vector<std::string> emails;
};
struct RemoveCommand {
    std::string database;
    std::string email;
};
struct LeaveCommand {
    std::string database;
};
struct WhoamiCommand {};
struct AuditCommand {
    std::string database;
};
struct HelpCommand {
    std::optional<std::string> topic;
};
struct DatabasesCommand {};
struct ConfirmCommand {
    std::string token;
};

using Command = std::variant<ListCommand, AddCommand, RemoveCommand, LeaveCommand, WhoamiCommand, AuditCommand,
                             HelpCommand, ConfirmCommand, DatabasesCommand>;

struct UsageError {
    std::string message;  // what was wrong, specifically
    std::string usage;    // the usage line of the command concerned, or the general one
};

// One entry of the command table: drives the parser, the help and the suggestions.
struct CommandSpec {
    std::string_view name;
    std::vector<std::string_view> aliases;
    std::string_view arguments;  // e.g. "<db> <email> [<email>…]"
    std::string_view summary;
    std::string_view example;  // the arguments of a typical call
    bool listed_in_help = true;
};

std::span<const CommandSpec> command_specs();
const CommandSpec* find_spec(std::string_view name_or_alias);
std::string usage_line(const CommandSpec& spec);
std::string general_usage();

std::expected<Command, UsageError> parse_command(std::string_view text);

// Empty when the value is acceptable, else why it is not.
std::optional<std::string> email_problem(std::string_view email);
std::optional<std::string> database_name_problem(std::string_view name);

std::string_view command_name(const Command& command);
// The database a command acts on, if any.
std::optional<std::string> database_of(const Command& command);

}  // namespace collab
