#include "core/replies.hpp"

#include <algorithm>

#include "core/text.hpp"

namespace collab::replies {
namespace {

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

Reply help(const std::optional<std::string>& topic) {
    Reply reply;
    if (topic) {
        reply.lines.push_back(plain(help_block(*find_spec(*topic))));
        return reply;
    }
    reply.lines.push_back(plain("collab-bot manages who collaborates on Scalingo Dedicated Resources databases."));
    reply.lines.push_back(plain("Usage: /collab <command> [arguments]"));
    for (const auto& spec : command_specs()) {
        if (spec.listed_in_help) reply.lines.push_back(plain("\n" + help_block(spec)));
    }
    reply.lines.push_back(plain("\nRemovals are proposed first and carried out when you confirm them."));
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
                  TimePoint expires_at) {
    const std::string who(email), where(database);
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

Reply removed(std::string_view email, std::string_view database) {
    return one_line(ReplyKind::change, LineStyle::done,
                    std::string(email) + " has been removed from the collaborators of " + std::string(database));
}

Reply cancelled(const ConfirmationClaims& claims) {
    return one_line(ReplyKind::result, LineStyle::plain,
                    "Cancelled: " + claims.target + " keeps access to " + claims.database + ".");
}

Reply cancel_refused() {
    return refused("Only the person who asked for this removal can cancel it.");
}

Reply whoami(const Actor& actor, bool admin, const std::optional<std::string>& bot_account) {
    Reply reply;
    reply.lines.push_back(plain("Chat identity: " + actor.platform + " user " + actor.user_id +
                                (actor.team.empty() ? "" : " in " + actor.team) + ", channel " + actor.channel));
    reply.lines.push_back(plain(actor.email
                                    ? "Scalingo account: " + *actor.email
                                    : "Scalingo account: none linked; ask an admin of the bot to map your identity."));
    if (admin) reply.lines.push_back(plain("You are an admin of the bot."));
    if (bot_account) reply.lines.push_back(plain("The bot acts as Scalingo account " + *bot_account));
    return reply;
}

Reply audit_trail(std::string_view database, const std::vector<AuditEntry>& entries) {
    if (entries.empty())
        return one_line(ReplyKind::result, LineStyle::plain,
                        "Nothing has been done through the bot on " + std::string(database) + " yet.");
    Table table{{"WHEN", "WHO", "ACTION", "OUTCOME"}, {}, {}};
    for (const auto& entry : entries) {
        std::string who = entry.email.empty() ? entry.platform + ":" + entry.user_id : entry.email;
        std::string action = entry.target.empty() ? entry.action : entry.action + " " + entry.target;
        table.rows.push_back({format_utc(entry.at), who, action, std::string(to_string(entry.outcome))});
    }
    Reply reply = one_line(ReplyKind::result, LineStyle::plain,
                           "Most recent actions on " + std::string(database) + ", newest first:");
    reply.table = std::move(table);
    return reply;
}

Reply manageable_databases(const std::vector<std::string>& names) {
    Reply reply = one_line(ReplyKind::result, LineStyle::plain,
                           names.empty() ? "The bot cannot manage any database from this channel."
                                         : "Databases the bot can manage from this channel:");
    for (const auto& name : names) reply.lines.push_back(plain("  " + name));
    return reply;
}

}  // namespace collab::replies
