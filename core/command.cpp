#include "core/command.hpp"

#include <algorithm>
#include <array>
#include <unordered_set>

#include "core/text.hpp"

namespace collab {
namespace {

const std::vector<CommandSpec>& specs();

std::unexpected<UsageError> usage_error(std::string message, const CommandSpec* spec) {
    return std::unexpected(UsageError{std::move(message), spec ? usage_line(*spec) : general_usage()});
}

// What people typed, echoed in an error: cut to a length that fits a message (a pasted megabyte is
// not sent back), and made printable by the renderer that shows it.
constexpr std::size_t max_echoed_characters = 80;

std::string echoed(std::string_view value) {
    return text::quoted(text::shortened(value, max_echoed_characters));
}

// The first character of `utf8` quoted, with its code point when it is not ASCII: a look-alike
// (Cyrillic "а" for "a", fullwidth "＠" for "@") shows for what it is.
std::string quoted_character(std::string_view utf8) {
    const std::string character = text::first_character(utf8);
    if (character.empty() || static_cast<unsigned char>(character[0]) < 0x80) return echoed(character);
    return echoed(character) + " (" + text::code_point(character) + ")";
}

bool is_option(std::string_view word) {
    return word.size() > 1 && word[0] == '-';
}

std::string limited_refusal() {
    return "The Limited Collaborator role does not exist for Dedicated Resources databases: that role is "
           "meant to keep someone away from the data, and a database is nothing but data. Invite without "
           "--limited and the person becomes a Collaborator.";
}

bool is_atext(char c) {
    static constexpr std::string_view specials = "!#$%&'*+/=?^_`{|}~-";
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           specials.find(c) != std::string_view::npos;
}

bool is_label_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

std::optional<std::string> domain_problem(std::string_view email, std::string_view domain) {
    // Named first: a look-alike dot ("。") or letter ("а") would otherwise be reported as something else.
    if (auto foreign = std::find_if(domain.begin(), domain.end(), [](char c) { return c & 0x80; });
        foreign != domain.end())
        return echoed(email) +
               " is not a valid e-mail address: " + quoted_character(domain.substr(foreign - domain.begin())) +
               " is not allowed in a domain name (an internationalised domain is written in its xn-- form).";
    if (domain.find('.') == std::string_view::npos)
        return echoed(email) + " is not a valid e-mail address: the domain " + echoed(domain) + " has no dot.";
    std::size_t start = 0;
    while (start <= domain.size()) {
        std::size_t dot = domain.find('.', start);
        std::string_view label = domain.substr(start, dot == std::string_view::npos ? dot : dot - start);
        if (label.empty()) return echoed(email) + " is not a valid e-mail address: its domain has an empty part.";
        if (label.size() > 63 || !std::all_of(label.begin(), label.end(), is_label_char) || label.front() == '-' ||
            label.back() == '-')
            return echoed(email) + " is not a valid e-mail address: " + echoed(label) +
                   " is not a valid part of a domain name.";
        if (dot == std::string_view::npos) {
            if (std::all_of(label.begin(), label.end(), [](char c) { return c >= '0' && c <= '9'; }))
                return echoed(email) + " is not a valid e-mail address: its domain ends in a number.";
            break;
        }
        start = dot + 1;
    }
    return std::nullopt;
}

// E-mails as people paste them: "<a@b.c>", "mailto:a@b.c", "a@b.c," in a list.
std::string clean_email(std::string_view word) {
    if (word.size() >= 2 && word.front() == '<' && word.back() == '>') word = word.substr(1, word.size() - 2);
    if (text::ascii_lower(word.substr(0, 7)) == "mailto:") word.remove_prefix(7);
    return std::string(word);
}

std::vector<std::string> split_commas(const std::vector<std::string>& words) {
    std::vector<std::string> pieces;
    for (const auto& word : words) {
        std::size_t start = 0;
        while (start <= word.size()) {
            std::size_t comma = word.find_first_of(",;", start);
            std::string piece = word.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            if (!piece.empty()) pieces.push_back(std::move(piece));
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    return pieces;
}

std::expected<std::string, UsageError> take_database(const std::string& word, const CommandSpec& spec) {
    if (auto problem = database_name_problem(word)) return usage_error(*problem, &spec);
    return word;
}

std::expected<std::string, UsageError> take_email(const std::string& word, const CommandSpec& spec) {
    std::string email = clean_email(word);
    if (auto problem = email_problem(email)) return usage_error(*problem, &spec);
    return email;
}

const CommandSpec* closest_spec(std::string_view word) {
    const CommandSpec* best = nullptr;
    std::size_t best_distance = 3;  // further than two edits is not a typo any more
    for (const auto& spec : specs()) {
        std::vector<std::string_view> names{spec.name};
        names.insert(names.end(), spec.aliases.begin(), spec.aliases.end());
        for (auto name : names) {
            // Lengths that far apart cannot be within the distance: a long word costs nothing.
            if (word.size() > name.size() + best_distance) continue;
            std::size_t distance = text::levenshtein(word, name);
            if (distance < best_distance && distance < std::max<std::size_t>(name.size(), 2)) {
                best = &spec;
                best_distance = distance;
            }
        }
    }
    return best;
}

std::unexpected<UsageError> unknown_command(std::string_view word) {
    std::string message = "Unknown command " + echoed(word) + ".";
    if (const CommandSpec* guess = closest_spec(text::ascii_lower(word)))
        message += " Did you mean " + echoed(guess->name) + "?";
    return usage_error(message, nullptr);
}

std::unexpected<UsageError> missing(std::string_view what, const CommandSpec& spec) {
    return usage_error("Missing " + std::string(what) + ".", &spec);
}

std::unexpected<UsageError> unexpected_word(std::string_view word, const CommandSpec& spec) {
    return usage_error("Too many arguments: " + echoed(word) + " was not expected.", &spec);
}

using Arguments = std::span<const std::string>;
using Parsed = std::expected<Command, UsageError>;

// Exactly `count` arguments, or the error that says which is missing or too many.
std::optional<std::unexpected<UsageError>> expect_count(Arguments args, std::size_t count,
                                                        std::string_view missing_what, const CommandSpec& spec) {
    if (args.size() < count) return missing(missing_what, spec);
    if (args.size() > count) return unexpected_word(args[count], spec);
    return std::nullopt;
}

// A command whose one argument is the database it acts on.
template <typename DatabaseCommand>
Parsed parse_database_only(const CommandSpec& spec, Arguments args) {
    if (auto error = expect_count(args, 1, "the database name", spec)) return *error;
    auto database = take_database(args[0], spec);
    if (!database) return std::unexpected(database.error());
    return DatabaseCommand{*database};
}

// A command without arguments.
template <typename BareCommand>
Parsed parse_bare(const CommandSpec& spec, Arguments args) {
    if (!args.empty()) return unexpected_word(args[0], spec);
    return BareCommand{};
}

Parsed parse_add(const CommandSpec& spec, Arguments args) {
    if (args.empty()) return missing("the database name and at least one e-mail address", spec);
    auto database = take_database(args[0], spec);
    if (!database) return std::unexpected(database.error());
    AddCommand add{*database, {}};
    // Addresses seen so far, lower-cased once each: the check stays linear however many are typed.
    std::unordered_set<std::string> seen;
    for (const auto& word : split_commas({args.begin() + 1, args.end()})) {
        auto email = take_email(word, spec);
        if (!email) return std::unexpected(email.error());
        if (seen.insert(text::ascii_lower(*email)).second) add.emails.push_back(std::move(*email));
    }
    if (add.emails.empty()) return missing("at least one e-mail address to invite", spec);
    return add;
}

Parsed parse_remove(const CommandSpec& spec, Arguments args) {
    if (args.size() < 2)
        return missing(args.empty() ? "the database name and the e-mail address" : "the e-mail address", spec);
    if (args.size() > 2)
        return usage_error(
            "Too many arguments: remove takes one e-mail address at a time (" + echoed(args[2]) + " was not expected).",
            &spec);
    auto database = take_database(args[0], spec);
    if (!database) return std::unexpected(database.error());
    auto email = take_email(args[1], spec);
    if (!email) return std::unexpected(email.error());
    return RemoveCommand{*database, *email};
}

Parsed parse_confirm(const CommandSpec& spec, Arguments args) {
    if (auto error = expect_count(args, 1, "the confirmation token", spec)) return *error;
    return ConfirmCommand{args[0]};
}

Parsed parse_help(const CommandSpec& spec, Arguments args) {
    if (args.size() > 1) return unexpected_word(args[1], spec);
    if (args.empty()) return HelpCommand{};
    const CommandSpec* topic = find_spec(text::ascii_lower(args[0]));
    if (topic == nullptr) return unknown_command(args[0]);
    return HelpCommand{std::string(topic->name)};
}

const std::vector<CommandSpec>& specs() {
    static const std::vector<CommandSpec> table{
        {ListCommand::name,
         {"ls"},
         "<db>",
         "Show the owner and collaborators of a database.",
         "my-dedicated-db",
         parse_database_only<ListCommand>},
        {AddCommand::name,
         {"invite"},
         "<db> <email> [<email>…]",
         "Invite one or more people as Collaborator; each gets an e-mail invitation and stays pending until they "
         "accept.",
         "my-dedicated-db user@example.com",
         parse_add},
        {RemoveCommand::name,
         {"rm", "revoke"},
         "<db> <email>",
         "Revoke someone's access to a database (asks for confirmation first).",
         "my-dedicated-db user@example.com",
         parse_remove},
        {LeaveCommand::name,
         {},
         "<db>",
         "Stop collaborating on a database yourself (asks for confirmation first).",
         "my-dedicated-db",
         parse_database_only<LeaveCommand>},
        {WhoamiCommand::name,
         {},
         "",
         "Show your chat identity and the Scalingo account it maps to.",
         "",
         parse_bare<WhoamiCommand>},
        {AuditCommand::name,
         {},
         "<db>",
         "Show the most recent actions taken through the bot on a database.",
         "my-dedicated-db",
         parse_database_only<AuditCommand>},
        {HelpCommand::name, {}, "[command]", "Show how to use the bot, or one command in detail.", "add", parse_help},
        {DatabasesCommand::name,
         {"databases"},
         "",
         "List the Dedicated Resources databases the bot can manage from here.",
         "",
         parse_bare<DatabasesCommand>},
        {ConfirmCommand::name,
         {},
         "<token>",
         "Carry out a removal that the bot proposed.",
         "<token>",
         parse_confirm,
         false},
    };
    return table;
}

}  // namespace

std::span<const CommandSpec> command_specs() {
    return specs();
}

const CommandSpec* find_spec(std::string_view word) {
    for (const auto& spec : specs()) {
        if (spec.name == word || std::find(spec.aliases.begin(), spec.aliases.end(), word) != spec.aliases.end())
            return &spec;
    }
    return nullptr;
}

std::string usage_line(const CommandSpec& spec) {
    std::string line = "Usage: /collab " + std::string(spec.name);
    if (!spec.arguments.empty()) line += " " + std::string(spec.arguments);
    return line;
}

std::string general_usage() {
    return "Usage: /collab <command> [arguments] (type /collab help to see the commands)";
}

std::expected<Command, UsageError> parse_command(std::string_view raw) {
    if (!text::is_valid_utf8(raw)) return usage_error("The command is not valid UTF-8 text.", nullptr);
    auto words = text::split_words(text::normalise(raw));
    if (!words) return usage_error("A quote is left open: close it or remove it.", nullptr);
    if (!words->empty() && text::ascii_lower(words->front()) == "/collab") words->erase(words->begin());
    if (words->empty()) return HelpCommand{};

    const std::string name = text::ascii_lower(words->front());
    const CommandSpec* spec = find_spec(name);
    if (spec == nullptr) {
        if (is_option(name))
            return usage_error("Options go after the command, as in /collab add <db> <email>.", nullptr);
        return unknown_command(words->front());
    }

    std::vector<std::string> args;
    for (auto it = words->begin() + 1; it != words->end(); ++it) {
        if (!is_option(*it)) {
            args.push_back(*it);
            continue;
        }
        const std::string option = text::ascii_lower(*it);
        if (option == "--limited" || option.starts_with("--limited=") || option == "--role=limited")
            return usage_error(limited_refusal(), find_spec("add"));
        if (option == "--help" || option == "-h") return HelpCommand{std::string(spec->name)};
        return usage_error("Unknown option " + echoed(*it) + " for " + std::string(spec->name) + ".", spec);
    }
    return spec->parse(*spec, args);
}

std::optional<std::string> email_problem(std::string_view email) {
    if (email.empty()) return "An e-mail address is empty.";
    if (email.size() > 254) return echoed(email) + " is too long for an e-mail address.";
    std::size_t at = email.find('@');
    if (at == std::string_view::npos) {
        for (std::string_view look_alike : {"＠", "﹫"}) {
            if (auto found = email.find(look_alike); found != std::string_view::npos)
                return echoed(email) + " is not an e-mail address: its " + quoted_character(email.substr(found)) +
                       " only looks like an @.";
        }
        return echoed(email) + " is not an e-mail address: it has no @.";
    }
    if (email.find('@', at + 1) != std::string_view::npos)
        return echoed(email) + " is not a valid e-mail address: it has more than one @.";
    std::string_view local = email.substr(0, at);
    std::string_view domain = email.substr(at + 1);
    if (local.empty()) return echoed(email) + " is not a valid e-mail address: nothing comes before the @.";
    if (domain.empty()) return echoed(email) + " is not a valid e-mail address: nothing comes after the @.";
    if (local.size() > 64) return echoed(email) + " is not a valid e-mail address: the part before the @ is too long.";
    if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
        return echoed(email) + " is not a valid e-mail address: dots may not start, end or repeat before the @.";
    auto bad = std::find_if(local.begin(), local.end(), [](char c) { return c != '.' && !is_atext(c); });
    if (bad != local.end())
        return echoed(email) +
               " is not a valid e-mail address: " + quoted_character(local.substr(bad - local.begin())) +
               " is not allowed before the @.";
    return domain_problem(email, domain);
}

std::optional<std::string> database_name_problem(std::string_view name) {
    auto valid = [](std::string_view n) {
        return !n.empty() && n.size() <= 63 && n.front() >= 'a' && n.front() <= 'z' && n.back() != '-' &&
               std::all_of(n.begin(), n.end(),
                           [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
    };
    if (valid(name)) return std::nullopt;
    std::string lowered = text::ascii_lower(name);
    if (valid(lowered)) return "Database names are lower-case: did you mean " + echoed(lowered) + "?";
    if (name.find('@') != std::string_view::npos)
        return echoed(name) + " looks like an e-mail address; the database name comes first.";
    if (name.size() > 63) return echoed(name) + " is too long for a database name (63 characters at most).";
    return echoed(name) +
           " is not a valid database name: it starts with a letter and has only lower-case letters, digits and "
           "hyphens (e.g. my-dedicated-db).";
}

std::string_view command_name(const Command& command) {
    return std::visit([](const auto& c) { return c.name; }, command);
}

std::optional<std::string> database_of(const Command& command) {
    return std::visit(
        [](const auto& c) -> std::optional<std::string> {
            if constexpr (requires { c.database; })
                return c.database;
            else
                return std::nullopt;
        },
        command);
}

}  // namespace collab
