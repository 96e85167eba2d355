#include "core/command.hpp"

#include <algorithm>
#include <array>
#include <unordered_set>

#include "core/replies.hpp"
#include "core/text.hpp"

namespace collab {
namespace {

const std::vector<CommandSpec>& specs();

using replies::DatabaseNameFault;
using replies::EmailFault;
using replies::Missing;

std::unexpected<UsageError> usage_error(std::string message, const CommandSpec* spec) {
    return std::unexpected(
        UsageError{std::move(message), spec ? replies::usage_line(*spec) : replies::general_usage()});
}

bool is_option(std::string_view word) {
    return word.size() > 1 && word[0] == '-';
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
        return replies::email_problem(EmailFault::domain_character, email, domain.substr(foreign - domain.begin()));
    if (domain.find('.') == std::string_view::npos)
        return replies::email_problem(EmailFault::domain_without_dot, email, domain);
    std::size_t start = 0;
    while (start <= domain.size()) {
        std::size_t dot = domain.find('.', start);
        std::string_view label = domain.substr(start, dot == std::string_view::npos ? dot : dot - start);
        if (label.empty()) return replies::email_problem(EmailFault::empty_domain_part, email);
        if (label.size() > 63 || !std::all_of(label.begin(), label.end(), is_label_char) || label.front() == '-' ||
            label.back() == '-')
            return replies::email_problem(EmailFault::domain_part, email, label);
        if (dot == std::string_view::npos) {
            if (std::all_of(label.begin(), label.end(), [](char c) { return c >= '0' && c <= '9'; }))
                return replies::email_problem(EmailFault::numeric_domain_end, email);
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
    return usage_error(replies::unknown_command(word, closest_spec(text::ascii_lower(word))), nullptr);
}

std::unexpected<UsageError> missing(Missing what, const CommandSpec& spec) {
    return usage_error(replies::missing(what), &spec);
}

std::unexpected<UsageError> unexpected_word(std::string_view word, const CommandSpec& spec) {
    return usage_error(replies::unexpected_word(word), &spec);
}

using Arguments = std::span<const std::string>;
using Parsed = std::expected<Command, UsageError>;

// Exactly `count` arguments, or the error that says which is missing or too many.
std::optional<std::unexpected<UsageError>> expect_count(Arguments args, std::size_t count, Missing missing_what,
                                                        const CommandSpec& spec) {
    if (args.size() < count) return missing(missing_what, spec);
    if (args.size() > count) return unexpected_word(args[count], spec);
    return std::nullopt;
}

// A command whose one argument is the database it acts on.
template <typename DatabaseCommand>
Parsed parse_database_only(const CommandSpec& spec, Arguments args) {
    if (auto error = expect_count(args, 1, Missing::database, spec)) return *error;
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
    if (args.empty()) return missing(Missing::database_and_emails, spec);
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
    if (add.emails.empty()) return missing(Missing::emails_to_invite, spec);
    return add;
}

// "<db> <email>", once the caller has refused extra words.
template <typename DatabaseAndEmailCommand>
Parsed parse_database_and_email(const CommandSpec& spec, Arguments args) {
    if (args.size() < 2) return missing(args.empty() ? Missing::database_and_email : Missing::email, spec);
    if (args.size() > 2) return unexpected_word(args[2], spec);
    auto database = take_database(args[0], spec);
    if (!database) return std::unexpected(database.error());
    auto email = take_email(args[1], spec);
    if (!email) return std::unexpected(email.error());
    return DatabaseAndEmailCommand{*database, *email};
}

Parsed parse_remove(const CommandSpec& spec, Arguments args) {
    if (args.size() > 2) return usage_error(replies::one_email_to_remove(args[2]), &spec);
    return parse_database_and_email<RemoveCommand>(spec, args);
}

Parsed parse_offboard(const CommandSpec& spec, Arguments args) {
    if (auto error = expect_count(args, 1, Missing::email, spec)) return *error;
    auto email = take_email(args[0], spec);
    if (!email) return std::unexpected(email.error());
    return OffboardCommand{*email};
}

// "<email>": the person whose access is looked up.
Parsed parse_access(const CommandSpec& spec, Arguments args) {
    if (auto error = expect_count(args, 1, Missing::email, spec)) return *error;
    auto email = take_email(args[0], spec);
    if (!email) return std::unexpected(email.error());
    return AccessCommand{*email};
}

// "<db> [by <email>] [<action>]", the filters in either order, each at most once.
Parsed parse_audit(const CommandSpec& spec, Arguments args) {
    if (args.empty()) return missing(Missing::database, spec);
    auto database = take_database(args[0], spec);
    if (!database) return std::unexpected(database.error());
    AuditCommand audit{*database, std::nullopt, std::nullopt};
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string word = text::ascii_lower(args[i]);
        if (word == "by") {
            if (audit.by) return usage_error(replies::filter_repeated("by"), &spec);
            if (i + 1 == args.size()) return missing(Missing::email, spec);
            auto email = take_email(args[++i], spec);
            if (!email) return std::unexpected(email.error());
            audit.by = std::move(*email);
            continue;
        }
        const CommandSpec* action = find_spec(word);
        if (action == nullptr) return usage_error(replies::unknown_audit_filter(args[i]), &spec);
        if (audit.action) return usage_error(replies::filter_repeated("action"), &spec);
        audit.action = std::string(action->name);
    }
    return audit;
}

// A command whose one argument is the token a proposal or a request card carries.
template <typename TokenCommand>
Parsed parse_token(const CommandSpec& spec, Arguments args) {
    if (auto error = expect_count(args, 1, Missing::token, spec)) return *error;
    return TokenCommand{args[0]};
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
         parse_database_only<LeaveCommand>,
         Audience::invited},
        {ResendCommand::name,
         {},
         "<db> <email>",
         "Send a pending invitation again (the one sent before is revoked and a new one goes out).",
         "my-dedicated-db user@example.com",
         parse_database_and_email<ResendCommand>},
        {OffboardCommand::name,
         {},
         "<email>",
         "Remove someone from every database you manage where they collaborate (asks for confirmation first).",
         "user@example.com",
         parse_offboard},
        {WhoamiCommand::name,
         {},
         "",
         "Show your chat identity and the Scalingo account it maps to.",
         "",
         parse_bare<WhoamiCommand>,
         Audience::anyone},
        {AuditCommand::name,
         {},
         "<db> [by <email>] [<action>]",
         "Show the most recent changes, proposals and refusals on a database, optionally only one person's or "
         "one command's.",
         "my-dedicated-db by user@example.com remove",
         parse_audit},
        {AccessCommand::name,
         {},
         "<email>",
         "Show where someone is the owner or a collaborator, among the databases you manage.",
         "user@example.com",
         parse_access},
        {HelpCommand::name,
         {},
         "[command]",
         "Show how to use the bot, or one command in detail.",
         "add",
         parse_help,
         Audience::anyone},
        {DatabasesCommand::name,
         {"databases"},
         "",
         "List your databases, with your role on each.",
         "",
         parse_bare<DatabasesCommand>,
         Audience::linked},
        {ConfirmCommand::name,
         {},
         "<token>",
         "Carry out a removal that the bot proposed.",
         "<token>",
         parse_token<ConfirmCommand>,
         Audience::invited,
         false},
        {RequestCommand::name,
         {},
         "<db>",
         "Ask for access to a database: its owner and collaborators approve or deny it.",
         "my-dedicated-db",
         parse_database_only<RequestCommand>,
         Audience::linked},
        {ApproveCommand::name,
         {},
         "<token>",
         "Approve an access request: its requester is invited.",
         "<token>",
         parse_token<ApproveCommand>,
         Audience::member,
         false},
        {DenyCommand::name,
         {},
         "<token>",
         "Deny an access request.",
         "<token>",
         parse_token<DenyCommand>,
         Audience::member,
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

std::expected<Command, UsageError> parse_command(std::string_view raw) {
    if (!text::is_valid_utf8(raw)) return usage_error(replies::not_utf8(), nullptr);
    auto words = text::split_words(text::normalise(raw));
    if (!words) return usage_error(replies::quote_left_open(), nullptr);
    if (!words->empty() && text::ascii_lower(words->front()) == "/collab") words->erase(words->begin());
    if (words->empty()) return HelpCommand{};

    const std::string name = text::ascii_lower(words->front());
    const CommandSpec* spec = find_spec(name);
    if (spec == nullptr) {
        if (is_option(name)) return usage_error(replies::option_before_command(), nullptr);
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
            return usage_error(replies::limited_role(), spec);
        if (option == "--help" || option == "-h") return HelpCommand{std::string(spec->name)};
        return usage_error(replies::unknown_option(*it, spec->name), spec);
    }
    return spec->parse(*spec, args);
}

std::optional<std::string> email_problem(std::string_view email) {
    if (email.empty()) return replies::email_problem(EmailFault::empty, email);
    if (email.size() > 254) return replies::email_problem(EmailFault::too_long, email);
    std::size_t at = email.find('@');
    if (at == std::string_view::npos) {
        for (std::string_view look_alike : {"＠", "﹫"}) {
            if (auto found = email.find(look_alike); found != std::string_view::npos)
                return replies::email_problem(EmailFault::look_alike_at, email, email.substr(found));
        }
        return replies::email_problem(EmailFault::no_at, email);
    }
    if (email.find('@', at + 1) != std::string_view::npos) return replies::email_problem(EmailFault::several_at, email);
    std::string_view local = email.substr(0, at);
    std::string_view domain = email.substr(at + 1);
    if (local.empty()) return replies::email_problem(EmailFault::nothing_before_at, email);
    if (domain.empty()) return replies::email_problem(EmailFault::nothing_after_at, email);
    if (local.size() > 64) return replies::email_problem(EmailFault::local_too_long, email);
    if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
        return replies::email_problem(EmailFault::misplaced_dots, email);
    auto bad = std::find_if(local.begin(), local.end(), [](char c) { return c != '.' && !is_atext(c); });
    if (bad != local.end())
        return replies::email_problem(EmailFault::local_character, email, local.substr(bad - local.begin()));
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
    if (valid(lowered)) return replies::database_name_problem(DatabaseNameFault::upper_case, lowered);
    if (name.find('@') != std::string_view::npos)
        return replies::database_name_problem(DatabaseNameFault::looks_like_email, name);
    if (name.size() > 63) return replies::database_name_problem(DatabaseNameFault::too_long, name);
    return replies::database_name_problem(DatabaseNameFault::invalid, name);
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
