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

// Each command knows its name: the one the grammar, the help, the audit trail and the metrics use.
struct ListCommand {
    static constexpr std::string_view name = "list";
    std::string database;
};
struct AddCommand {
    static constexpr std::string_view name = "add";
    std::string database;
    std::vector<std::string> emails;
};
struct RemoveCommand {
    static constexpr std::string_view name = "remove";
    std::string database;
    std::string email;
};
struct LeaveCommand {
    static constexpr std::string_view name = "leave";
    std::string database;
};
struct WhoamiCommand {
    static constexpr std::string_view name = "whoami";
};
struct AuditCommand {
    static constexpr std::string_view name = "audit";
    std::string database;
    std::optional<std::string> by = std::nullopt;      // only what this e-mail address did
    std::optional<std::string> action = std::nullopt;  // only this command's entries ("add", "remove", …)
};
struct HelpCommand {
    static constexpr std::string_view name = "help";
    std::optional<std::string> topic;
};
struct DatabasesCommand {
    static constexpr std::string_view name = "dbs";
};
// Removes one person from every database the asker may manage where they collaborate.
struct OffboardCommand {
    static constexpr std::string_view name = "offboard";
    std::string email;
};
// Sends a pending invitation again.
struct ResendCommand {
    static constexpr std::string_view name = "resend";
    std::string database;
    std::string email;
};
struct AccessCommand {
    static constexpr std::string_view name = "access";
    std::string email;
};
struct ConfirmCommand {
    static constexpr std::string_view name = "confirm";
    std::string token;
};

// Access requests (access_request.hpp): someone without access asks for it; the owner, an accepted
// collaborator or an admin approves or denies it (the card's buttons; typed in the shell).
struct RequestCommand {
    static constexpr std::string_view name = "request";
    std::string database;
};
struct ApproveCommand {
    static constexpr std::string_view name = "approve";
    std::string token;
};
struct DenyCommand {
    static constexpr std::string_view name = "deny";
    std::string token;
};

using Command = std::variant<ListCommand, AddCommand, RemoveCommand, LeaveCommand, WhoamiCommand, AuditCommand,
                             HelpCommand, ConfirmCommand, DatabasesCommand, AccessCommand, RequestCommand,
                             ApproveCommand, DenyCommand, OffboardCommand, ResendCommand>;

struct UsageError {
    std::string message;  // what was wrong, specifically
    std::string usage;    // the usage line of the command concerned, or the general one
};

// Who may use a command, from least to most: the help lists what the asker may do now.
enum class Audience {
    anyone,   // even a chat identity the bot cannot link to a Scalingo account
    linked,   // a linked identity, on no database yet
    invited,  // invited to some database, pending or accepted
    member,   // the owner or an accepted collaborator of some database, or an admin of the bot
};

struct CommandSpec;
// Turns the words after a command's name into the command, or says what is wrong with them.
using CommandParser = std::expected<Command, UsageError> (*)(const CommandSpec& spec,
                                                             std::span<const std::string> arguments);

// One entry of the command table: drives the parser, the help and the suggestions. Adding a command
// is a type in the Command variant, its entry here (naming the type's name and its parser) and its
// handler in CommandService (which does not compile without one).
struct CommandSpec {
    std::string_view name;  // the command type's own name
    std::vector<std::string_view> aliases;
    std::string_view arguments;  // e.g. "<db> <email> [<email>…]"
    std::string_view summary;
    std::string_view example;  // the arguments of a typical call
    CommandParser parse = nullptr;
    Audience audience = Audience::member;
    bool listed_in_help = true;
};

std::span<const CommandSpec> command_specs();
const CommandSpec* find_spec(std::string_view name_or_alias);

std::expected<Command, UsageError> parse_command(std::string_view text);

// Empty when the value is acceptable, else why it is not.
std::optional<std::string> email_problem(std::string_view email);
std::optional<std::string> database_name_problem(std::string_view name);

// The command's name, as its type states it ("list", "add", …).
std::string_view command_name(const Command& command);
// The database a command acts on, if any.
std::optional<std::string> database_of(const Command& command);

}  // namespace collab
