#pragma once
// /collab as a Discord application command: its sub-commands and typed options derived from the
// core's command table (core/command.hpp), so that a command added to the core is registered with
// Discord without a second list to keep; and an interaction's sub-command and options turned back
// into the command text the core parses.
//
// Discord (docs: interactions/application-commands): a CHAT_INPUT command (type 1) whose options are
// sub-commands (option type 1) holding string options (type 3); names match
// ^[-_'\p{L}\p{N}]{1,32}$ in lower case, descriptions hold 1 to 100 characters, at most 25 options a
// level and 25 choices an option. An option with `"autocomplete": true` (never with choices) has
// Discord ask the bot for up to 25 suggestions as the person types it (interaction type 4). The whole set is registered
// by bulk overwrite (PUT /applications/{app}/commands, or …/guilds/{guild}/commands), which is idempotent.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <span>
#include <string>
#include <vector>

#include "core/command.hpp"

namespace collab::discord {

inline constexpr std::string_view command_name = "collab";

// One typed option of a sub-command, read from the command's usage ("<db> <email> [<email>…]",
// "<db> [by <email>] [<action>]").
struct OptionSpec {
    std::string name;  // "database", "email", "emails", "command"
    std::string description;
    bool required = true;
    std::vector<std::string> choices{};  // offered values, when the core knows them all (help's topics)
    std::size_t max_length = 0;          // 0: Discord's own limit
    bool several = false;                // holds several words on purpose: "<email> [<email>…]"
    std::string keyword{};               // written before the value: "[by <email>]" is "by <value>"
    bool autocomplete = false;           // Discord asks the bot for suggestions as the person types
};

std::vector<OptionSpec> options_of(const CommandSpec& spec);

// The sub-commands offered: every command listed in the help (a typed confirmation is replaced by
// the buttons).
std::vector<const CommandSpec*> offered_commands(std::span<const CommandSpec> specs);

// The body of the bulk overwrite: [ {"name":"collab","type":1,"description":…,"options":[…]} ].
boost::json::array registration_body(std::span<const CommandSpec> specs);

// An interaction's sub-command and its options, by name; options in any order.
struct CommandCall {
    std::string sub_command;
    std::vector<std::pair<std::string, std::string>> options;
    std::string focused{};  // in an autocomplete interaction: the option being typed (its value so far is in `options`)
};

// The text after /collab that the core parses: the sub-command, then the option values in the order
// of the command's usage. A value holding blanks is quoted, so that it reaches the core as one word
// (and is refused there with the reason when it cannot be one).
std::string command_text(const CommandCall& call);

}  // namespace collab::discord
