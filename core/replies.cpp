#include "core/replies.hpp"

#include <algorithm>

#include "core/text.hpp"

namespace collab::replies {
namespace {

// What an admin has to write for an unlinked person, in the key form the configuration reads.
std::string ask_to_map(const Actor& actor) {
    return "Ask an admin of the bot to add \"" + qualified_user(actor) +
           "\" = \"you@example.com\" (your Scalingo account's e-mail) under [identities].";
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

Line plain(std::string text) {
    return {LineStyle::plain, std::move(text)};
}

std::string help_block(const CommandSpec& spec) {
    std::string block = "/collab " + std::string(spec.name);
    if (!spec.arguments.empty()) block += " " + std::string(spec.arguments);
    if (!spec.aliases.empty()) {
        block += "  (alias: ";
        for (std::size_t i = 0; i < spec.aliases.size(); ++i) block += (i ? ", " : "") + std::string(spec.aliases[i]);
        block += ")";
    }
    block += "\n    " + std::string(spec.summary);
    block +=
        "\n    e.g. /collab " + std::string(spec.name) + (spec.example.empty() ? "" : " " + std::string(spec.example));
    return block;
}

}  // namespace

Reply one_line(ReplyKind kind, LineStyle style, std::string text) {
    Reply reply;
    reply.kind = kind;
    reply.lines.push_back(Line{style, std::move(text)});
    return reply;
}

Reply refused(std::string reason) {
    return one_line(ReplyKind::denied, LineStyle::error, std::move(reason));
}

Reply failed(std::string reason) {
    return one_line(ReplyKind::failure, LineStyle::error, std::move(reason));
}

Reply help(const CommandSpec& topic) {
    Reply reply;
    reply.lines.push_back(plain(help_block(topic)));
    return reply;
}

Reply help(Audience level, bool typed_confirmations) {
    Reply reply;
    reply.lines.push_back(plain("collab-bot manages who collaborates on Scalingo Dedicated Resources databases."));
    reply.lines.push_back(plain("Usage: /collab <command> [arguments]"));
    reply.lines.push_back(plain(level == Audience::member ? "The commands:" : "The commands you can use now:"));
    for (const auto& spec : command_specs()) {
        const bool listed = spec.listed_in_help || (typed_confirmations && spec.name == ConfirmCommand::name);
        if (listed && spec.audience <= level) reply.lines.push_back(plain("\n" + help_block(spec)));
    }
    switch (level) {
        case Audience::anyone:
            reply.lines.push_back(
                plain("\nTo do more, an admin of the bot must link your chat identity to your "
                      "Scalingo account: /collab whoami shows what to ask for."));
            break;
        case Audience::linked:
            reply.lines.push_back(
                plain("\nTo get access to a database, ask for it with /collab request <db>: its owner and "
                      "collaborators decide."));
            break;
        case Audience::invited:
            reply.lines.push_back(
                plain("\nTo act on a database you were invited to, accept the invitation from the "
                      "e-mail you received first."));
            break;
        case Audience::member:
            reply.lines.push_back(
                plain("\nRemovals are proposed first and carried out when you confirm them. To get "
                      "access to another database, ask for it with /collab request <db>."));
            break;
    }
    return reply;
}

Reply usage_error(const UsageError& error) {
    Reply reply = one_line(ReplyKind::usage_error, LineStyle::error, error.message);
    reply.usage = error.usage;
    return reply;
}

Reply too_many_addresses(std::size_t allowed, std::size_t given) {
    return usage_error(UsageError{"add takes at most " + std::to_string(allowed) + " addresses at a time (" +
                                      std::to_string(given) + " were given): split them over several commands.",
                                  usage_line(*find_spec(AddCommand::name))});
}

Reply api_error(const ApiError& failure, std::string_view database) {
    std::string message =
        failure.kind == ApiErrorKind::not_found && !database.empty()
            ? "There is no database named " + text::quoted(database) + " (or the bot's account cannot see it)."
            : failure.message;
    if (failure.retry_after) message += " Try again in " + format_duration(*failure.retry_after) + ".";
    return failed(std::move(message));
}

Reply internal_error() {
    return failed("The bot hit an internal error; nothing more was done. Try again in a moment.");
}

Reply collaborators(const DatabaseSnapshot& snapshot) {
    Table table{{"EMAIL", "USERNAME", "STATUS", "ROLE"}, {}, {}};
    const Account& owner = snapshot.database.owner;
    table.rows.push_back({owner.email, owner.username, "owner", "owner"});
    table.dimmed.push_back(false);
    auto collaborators = snapshot.collaborators;
    auto rank = [](const Collaborator& c) {
        return c.status == Status::accepted ? 0 : c.status == Status::pending ? 1 : 2;
    };
    std::stable_sort(collaborators.begin(), collaborators.end(),
                     [&](const Collaborator& a, const Collaborator& b) { return rank(a) < rank(b); });
    for (const auto& c : collaborators) {
        table.rows.push_back({c.email, c.username.empty() ? "n/a" : c.username, std::string(to_string(c.status)),
                              c.limited ? "limited collaborator" : "collaborator"});
        table.dimmed.push_back(c.status == Status::pending);
    }
    Reply reply;
    reply.table = std::move(table);
    return reply;
}

std::string already_collaborator(std::string_view email, std::string_view database, std::optional<Status> status) {
    std::string line = std::string(email) + " is already a collaborator of " + std::string(database);
    if (status) line += " (" + std::string(to_string(*status)) + ")";
    return line + ".";
}

std::string already_owner(std::string_view email, std::string_view database) {
    return std::string(email) + " already owns " + std::string(database) + ".";
}

std::string not_invited_unrecorded(std::string_view email) {
    return "The audit trail cannot be written, so " + std::string(email) +
           " was not invited; an admin of the bot should check its state storage.";
}

std::string invited(std::string_view email, std::string_view database) {
    return std::string(email) + " has been invited to collaborate to " + std::string(database);
}

std::string not_a_collaborator(std::string_view email, std::string_view database) {
    return std::string(email) + " is not a collaborator of " + std::string(database) + ".";
}

Proposal proposal(ConfirmAction action, std::string_view email, std::string_view database, std::string token,
                  TimePoint expires_at, bool pending) {
    const std::string who(email), where(database);
    if (action == ConfirmAction::leave && pending)
        return Proposal{"Decline the invitation to " + where + "? You (" + who + ") will not become a collaborator.",
                        "Decline the invitation", std::move(token), expires_at};
    if (action == ConfirmAction::leave)
        return Proposal{"Stop collaborating on " + where + "? You (" + who + ") will lose access to it.",
                        "Stop collaborating", std::move(token), expires_at};
    return Proposal{"Revoke access of " + who + " to " + where + "?", "Revoke access", std::move(token), expires_at};
}

std::string issued_for_another_account() {
    return "This confirmation was issued for another Scalingo account than yours.";
}

std::string use_unknown(std::string_view why) {
    return "The bot cannot tell whether this confirmation was already used (" + std::string(why) +
           "), so nothing was removed; try again in a moment.";
}

std::string already_used(const TokenUse& first) {
    std::string reason = "This confirmation was already used";
    if (first.at != TimePoint{}) reason += " at " + format_utc(first.at);
    if (!first.by.empty()) reason += " by " + first.by;
    return reason + "; nothing more was done.";
}

std::string invited_again(std::string_view email, std::string_view database) {
    return std::string(email) + " was invited to " + std::string(database) +
           " again after this confirmation was proposed, so it does not apply to them any more; nothing was "
           "removed. Run the command again to remove them now.";
}

std::string nothing_removed_unrecorded() {
    return "The audit trail cannot be written, so nothing was removed; an admin of the bot should check its state "
           "storage.";
}

Line done_by(std::string text, const Actor* by) {
    if (by == nullptr) return Line{LineStyle::done, std::move(text)};
    return Line{LineStyle::done, std::move(text) + " (by ", mention_of(*by), ")"};
}

Reply removed(std::string_view email, std::string_view database, const Actor* by) {
    Reply reply;
    reply.kind = ReplyKind::change;
    reply.lines.push_back(
        done_by(std::string(email) + " has been removed from the collaborators of " + std::string(database), by));
    return reply;
}

std::string proposed_by(const ConfirmationClaims& claims) {
    return "proposed by " + qualified_id(claims.platform, claims.user_id);
}

std::string offboard_nothing(std::string_view email) {
    return std::string(email) + " collaborates on no database you may manage from this channel: nothing to offboard.";
}

std::string bot_account_cannot_be_offboarded(std::string_view account) {
    return text::quoted(account) +
           " is the account the bot works with; removing it would cut the bot off from every database.";
}

Proposal offboard_proposal(std::string_view email, const std::vector<Seat>& seats, std::string token,
                           TimePoint expires_at) {
    std::string names;
    for (std::size_t i = 0; i < seats.size(); ++i)
        names += (i == 0 ? "" : i + 1 == seats.size() ? " and " : ", ") + seats[i].database;
    const std::string count = std::to_string(seats.size()) + (seats.size() == 1 ? " database" : " databases");
    return Proposal{"Offboard " + std::string(email) + ": remove them from " + names + " (" + count + ")?",
                    "Remove from " + count, std::move(token), expires_at};
}

std::string not_checked(std::string_view email, std::string_view database, std::string_view why) {
    return std::string(database) + " could not be checked (" + std::string(why) + "): " + std::string(email) +
           " may still have access to it.";
}

std::string left_for_later(std::string_view email, const std::vector<std::string>& databases) {
    std::string names;
    for (const auto& name : databases) names += (names.empty() ? "" : ", ") + name;
    return "Too many databases for one confirmation: " + names + " will be proposed by /collab offboard " +
           std::string(email) + " once this one is done.";
}

std::string no_longer_there(std::string_view email, std::string_view database) {
    return std::string(email) + " was no longer a collaborator of " + std::string(database) + ".";
}

std::string still_has_access(std::string_view email, std::string_view database, std::string_view why) {
    return std::string(email) + " still has access to " + std::string(database) + ": " + std::string(why);
}

std::string not_invited(std::string_view email, std::string_view database) {
    return std::string(email) + " is not invited to " + std::string(database) + ": invite them with /collab add " +
           std::string(database) + " " + std::string(email) + ".";
}

std::string nothing_to_resend(std::string_view email, std::string_view database) {
    return std::string(email) + " already accepted the invitation to " + std::string(database) +
           ": there is nothing to re-send.";
}

std::string resent(std::string_view email, std::string_view database) {
    return "The invitation of " + std::string(email) + " to " + std::string(database) + " has been sent again";
}

std::string revoked_not_resent(std::string_view email, std::string_view database, std::string_view why) {
    return "The pending invitation of " + std::string(email) + " to " + std::string(database) +
           " was revoked, but a new one could not be sent (" + std::string(why) +
           "): invite them again with /collab add " + std::string(database) + " " + std::string(email) + ".";
}

std::string time_ago(std::chrono::seconds ago) {
    using namespace std::chrono;
    if (ago < minutes{1}) return "less than a minute ago";
    if (ago < hours{1}) return std::to_string(duration_cast<minutes>(ago).count()) + " min ago";
    if (ago < hours{48}) return std::to_string(duration_cast<hours>(ago).count()) + " h ago";
    return std::to_string(duration_cast<days>(ago).count()) + " days ago";
}

namespace {

// "<what> (invited by <inviter> 2 h ago)": the inviter as their platform mentions a person.
Reply invitation_notice(LineStyle style, std::string what, const Invitation& invitation, std::chrono::seconds ago) {
    Reply reply = one_line(ReplyKind::change, style, std::move(what) + " (invited by ");
    reply.lines.front().mention = mention_of(invitation.inviter);
    reply.lines.front().after = " " + time_ago(ago) + ")";
    return reply;
}

}  // namespace

Reply invitation_accepted(const Invitation& invitation, std::chrono::seconds ago) {
    return invitation_notice(LineStyle::done, invitation.email + " accepted the invitation to " + invitation.database,
                             invitation, ago);
}

Reply invitation_vanished(const Invitation& invitation, std::chrono::seconds ago) {
    return invitation_notice(LineStyle::error,
                             "The invitation of " + invitation.email + " to " + invitation.database +
                                 " was revoked or expired before it was accepted",
                             invitation, ago);
}

Reply cancelled(const ConfirmationClaims& claims) {
    std::string where = claims.database;
    for (const Seat& seat : claims.seats) where += (where.empty() ? "" : ", ") + seat.database;
    return one_line(ReplyKind::result, LineStyle::plain,
                    "Cancelled: " + claims.target + " keeps access to " + where + ".");
}

Reply cancel_refused() {
    return refused("Only the person who asked for this removal can cancel it.");
}

Reply whoami(const Actor& actor, bool admin, const std::optional<std::string>& bot_account) {
    Reply reply;
    // The person as their platform shows them (a mention where it has one), then the ids that
    // [identities] and [policy] are keyed by.
    const std::string user = actor.name.empty() ? actor.user_id : actor.name + " (" + actor.user_id + ")";
    reply.lines.push_back(Line{LineStyle::plain, "Chat identity: ", mention_of(actor),
                               ", " + actor.platform + " user " + user +
                                   (actor.team.empty() ? "" : " in " + actor.team) + ", channel " + actor.channel});
    reply.lines.push_back(plain(actor.email ? "Scalingo account: " + *actor.email
                                            : "Scalingo account: none linked. " + ask_to_map(actor)));
    if (admin) reply.lines.push_back(plain("You are an admin of the bot."));
    if (bot_account) reply.lines.push_back(plain("The bot acts as Scalingo account " + *bot_account));
    return reply;
}

Reply audit_trail(const AuditQuery& query, const std::vector<AuditEntry>& entries) {
    std::string narrowed;
    if (query.action) narrowed += " " + *query.action;
    if (query.by) narrowed += " by " + *query.by;
    if (entries.empty())
        return one_line(ReplyKind::result, LineStyle::plain,
                        narrowed.empty() ? "Nothing has been done through the bot on " + query.database + " yet."
                                         : "The audit trail of " + query.database + " has nothing" + narrowed + ".");
    Table table{{"WHEN", "WHO", "ACTION", "OUTCOME"}, {}, {}};
    for (const auto& entry : entries) {
        std::string who = entry.email.empty() ? entry.platform + ":" + entry.user_id : entry.email;
        std::string action = entry.target.empty() ? entry.action : entry.action + " " + entry.target;
        table.rows.push_back({format_utc(entry.at), who, action, std::string(to_string(entry.outcome))});
    }
    Reply reply = one_line(
        ReplyKind::result, LineStyle::plain,
        narrowed.empty() ? "Most recent actions on " + query.database + ", newest first:"
                         : "Most recent actions on " + query.database + " (" + narrowed.substr(1) + "), newest first:");
    reply.table = std::move(table);
    return reply;
}

Reply your_databases(std::string_view email, const std::vector<const DatabaseSnapshot*>& databases, bool admin) {
    if (databases.empty())
        return one_line(ReplyKind::result, LineStyle::plain,
                        admin ? "The bot cannot manage any database from this channel."
                              : "You (" + std::string(email) +
                                    ") are on none of the databases the bot can manage from this channel; ask for "
                                    "access to one with /collab request <db>.");
    Table table{{"DATABASE", "YOUR ROLE"}, {}, {}};
    for (const DatabaseSnapshot* database : databases) {
        std::string role = "-";
        if (same_email(email, database->database.owner.email)) {
            role = "owner";
        } else if (const Collaborator* collaborator = find_collaborator(*database, email)) {
            role = collaborator->status == Status::pending ? "pending"
                   : collaborator->limited                 ? "limited collaborator"
                                                           : "collaborator";
        }
        table.rows.push_back({database->database.name, role});
        table.dimmed.push_back(role == "pending");
    }
    Reply reply = one_line(ReplyKind::result, LineStyle::plain,
                           admin ? "Databases the bot can manage from this channel, with your role:"
                                 : "Your databases the bot can manage from this channel:");
    reply.table = std::move(table);
    return reply;
}

Reply access(std::string_view email, const std::vector<const DatabaseSnapshot*>& databases) {
    if (databases.empty())
        return one_line(ReplyKind::result, LineStyle::plain,
                        std::string(email) + " is on none of the databases you manage from this channel.");
    Table table{{"DATABASE", "STATUS", "ROLE"}, {}, {}};
    for (const DatabaseSnapshot* database : databases) {
        if (same_email(email, database->database.owner.email)) {
            table.rows.push_back({database->database.name, "owner", "owner"});
            table.dimmed.push_back(false);
        } else if (const Collaborator* c = find_collaborator(*database, email)) {
            table.rows.push_back({database->database.name, std::string(to_string(c->status)),
                                  c->limited ? "limited collaborator" : "collaborator"});
            table.dimmed.push_back(c->status == Status::pending);
        }
    }
    Reply reply = one_line(ReplyKind::result, LineStyle::plain,
                           "Where " + std::string(email) + " has access, among the databases you manage from here:");
    reply.table = std::move(table);
    return reply;
}

std::string manages_nothing(std::string_view asker) {
    return "You (" + std::string(asker) +
           ") manage none of the databases the bot can reach from this channel, so there is nobody's access you may "
           "look up here.";
}

std::string bot_not_a_collaborator(std::string_view bot_account, std::string_view database) {
    const std::string bot(bot_account), name(database);
    return "The bot's Scalingo account (" + bot + ") is not a collaborator of " + name +
           ", so the bot cannot see or manage it: invite " + bot + " to " + name + " (scalingo --app " + name +
           " collaborators-add " + bot + "), then try again.";
}

std::string no_such_database(std::string_view name, std::string_view suggestion) {
    return "No database " + echoed(name) + ". Did you mean " + echoed(suggestion) + "?";
}

std::string usage_line(const CommandSpec& spec) {
    std::string line = "Usage: /collab " + std::string(spec.name);
    if (!spec.arguments.empty()) line += " " + std::string(spec.arguments);
    return line;
}

std::string general_usage() {
    return "Usage: /collab <command> [arguments] (type /collab help to see the commands)";
}

std::string not_utf8() {
    return "The command is not valid UTF-8 text.";
}

std::string quote_left_open() {
    return "A quote is left open: close it or remove it.";
}

std::string option_before_command() {
    return "Options go after the command, as in /collab add <db> <email>.";
}

std::string unknown_command(std::string_view word, const CommandSpec* guess) {
    std::string message = "Unknown command " + echoed(word) + ".";
    if (guess != nullptr) message += " Did you mean " + echoed(guess->name) + "?";
    return message;
}

std::string unknown_option(std::string_view option, std::string_view command) {
    return "Unknown option " + echoed(option) + " for " + std::string(command) + ".";
}

std::string limited_role() {
    return "The Limited Collaborator role does not exist for Dedicated Resources databases: that role is "
           "meant to keep someone away from the data, and a database is nothing but data. Invite without "
           "--limited and the person becomes a Collaborator.";
}

std::string missing(Missing what) {
    std::string_view thing;
    switch (what) {
        case Missing::database: thing = "the database name"; break;
        case Missing::database_and_emails: thing = "the database name and at least one e-mail address"; break;
        case Missing::emails_to_invite: thing = "at least one e-mail address to invite"; break;
        case Missing::database_and_email: thing = "the database name and the e-mail address"; break;
        case Missing::email: thing = "the e-mail address"; break;
        case Missing::token: thing = "the confirmation token"; break;
    }
    return "Missing " + std::string(thing) + ".";
}

std::string unexpected_word(std::string_view word) {
    return "Too many arguments: " + echoed(word) + " was not expected.";
}

std::string one_email_to_remove(std::string_view extra) {
    return "Too many arguments: remove takes one e-mail address at a time (" + echoed(extra) + " was not expected).";
}

std::string unknown_audit_filter(std::string_view word) {
    return echoed(word) +
           " is not something the audit trail can be narrowed by: give by <email>, or a command's "
           "name (add, remove, leave, …).";
}

std::string filter_repeated(std::string_view filter) {
    return "The audit trail is narrowed by one " + std::string(filter) + " at most.";
}

std::string email_problem(EmailFault fault, std::string_view email, std::string_view part) {
    const std::string invalid = echoed(email) + " is not a valid e-mail address: ";
    switch (fault) {
        case EmailFault::empty: return "An e-mail address is empty.";
        case EmailFault::too_long: return echoed(email) + " is too long for an e-mail address.";
        case EmailFault::look_alike_at:
            return echoed(email) + " is not an e-mail address: its " + quoted_character(part) +
                   " only looks like an @.";
        case EmailFault::no_at: return echoed(email) + " is not an e-mail address: it has no @.";
        case EmailFault::several_at: return invalid + "it has more than one @.";
        case EmailFault::nothing_before_at: return invalid + "nothing comes before the @.";
        case EmailFault::nothing_after_at: return invalid + "nothing comes after the @.";
        case EmailFault::local_too_long: return invalid + "the part before the @ is too long.";
        case EmailFault::misplaced_dots: return invalid + "dots may not start, end or repeat before the @.";
        case EmailFault::local_character: return invalid + quoted_character(part) + " is not allowed before the @.";
        case EmailFault::domain_character:
            return invalid + quoted_character(part) +
                   " is not allowed in a domain name (an internationalised domain is written in its xn-- form).";
        case EmailFault::domain_without_dot: return invalid + "the domain " + echoed(part) + " has no dot.";
        case EmailFault::empty_domain_part: return invalid + "its domain has an empty part.";
        case EmailFault::domain_part: return invalid + echoed(part) + " is not a valid part of a domain name.";
        case EmailFault::numeric_domain_end: return invalid + "its domain ends in a number.";
    }
    return invalid;
}

std::string database_name_problem(DatabaseNameFault fault, std::string_view name) {
    switch (fault) {
        case DatabaseNameFault::upper_case: return "Database names are lower-case: did you mean " + echoed(name) + "?";
        case DatabaseNameFault::looks_like_email:
            return echoed(name) + " looks like an e-mail address; the database name comes first.";
        case DatabaseNameFault::too_long:
            return echoed(name) + " is too long for a database name (63 characters at most).";
        case DatabaseNameFault::invalid: break;
    }
    return echoed(name) +
           " is not a valid database name: it starts with a letter and has only lower-case letters, digits and "
           "hyphens (e.g. my-dedicated-db).";
}

std::string identity_not_linked(const Actor& actor) {
    return "Your chat identity (" + qualified_user(actor) +
           ") is not linked to a Scalingo account: the bot has no e-mail address for it. " + ask_to_map(actor);
}

std::string who_may_act_unknown() {
    return "The bot could not establish who may act on this database.";
}

std::string not_a_database(std::string_view name) {
    return std::string(name) +
           " is an application, not a Dedicated Resources database; the bot manages the collaborators of databases "
           "only.";
}

std::string channel_not_set_up() {
    return "This channel is not set up to manage databases; an admin of the bot can add a rule for it.";
}

std::string channel_may_not_manage(std::string_view database, const std::set<std::string>& allowed) {
    std::string names;
    for (const auto& name : allowed) names += (names.empty() ? "" : ", ") + name;
    return "This channel may not manage " + std::string(database) +
           (names.empty() ? "." : " (it manages: " + names + ").");
}

std::string invitation_pending(std::string_view database) {
    return "Your invitation to " + std::string(database) +
           " is still pending: accept it from the e-mail you received first.";
}

std::string not_a_member(std::string_view email, std::string_view database) {
    return "You (" + std::string(email) + ") are not a collaborator of " + std::string(database) +
           "; ask for access with /collab request " + std::string(database) + ".";
}

std::string not_collaborating(std::string_view email, std::string_view database) {
    return "You (" + std::string(email) + ") are not a collaborator of " + std::string(database) + ".";
}

std::string owner_cannot_leave(std::string_view database) {
    return "You own " + std::string(database) + ": an owner cannot stop collaborating on their own database.";
}

std::string owner_cannot_be_removed(std::string_view owner, std::string_view database) {
    return text::quoted(owner) + " owns " + std::string(database) + " and cannot be removed.";
}

std::string bot_account_cannot_be_removed(std::string_view account, std::string_view database) {
    return text::quoted(account) + " is the account the bot works with; removing it would cut the bot off from " +
           std::string(database) + ".";
}

std::string token_not_valid() {
    return "This confirmation token is not valid: it was altered, cut short, or issued by another bot.";
}

std::string proposed_to_someone_else() {
    return "This confirmation was issued to someone else; only the person who asked can confirm it.";
}

std::string proposed_in_another_channel() {
    return "This confirmation was issued in another channel; confirm it where it was proposed.";
}

std::string confirmation_expired(TimePoint expires_at) {
    return "This confirmation expired at " + format_utc(expires_at) + "; run the command again to get a new one.";
}

}  // namespace collab::replies
