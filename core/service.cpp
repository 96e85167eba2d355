#include "core/service.hpp"

#include <algorithm>

#include "core/text.hpp"

namespace collab {
namespace asio = boost::asio;

namespace {

Line done(std::string text) {
    return {LineStyle::done, std::move(text)};
}
Line error(std::string text) {
    return {LineStyle::error, std::move(text)};
}
Line plain(std::string text) {
    return {LineStyle::plain, std::move(text)};
}

Reply single_line(ReplyKind kind, Line line) {
    return Reply{kind, {std::move(line)}, {}, {}, {}};
}

std::string quoted(std::string_view value) {
    return "\"" + std::string(value) + "\"";
}

Table collaborators_table(const DatabaseSnapshot& snapshot) {
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
    return table;
}

std::string removed_line(std::string_view email, std::string_view database) {
    return std::string(email) + " has been removed from the collaborators of " + std::string(database);
}

std::string not_a_collaborator_line(std::string_view email, std::string_view database) {
    return std::string(email) + " is not a collaborator of " + std::string(database) + ".";
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

Reply help_reply(const std::optional<std::string>& topic) {
    Reply reply{ReplyKind::result, {}, {}, {}, {}};
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

Reply api_error_reply(const ApiError& failure, std::string_view database) {
    std::string message =
        failure.kind == ApiErrorKind::not_found && !database.empty()
            ? "There is no database named " + quoted(database) + " (or the bot's account cannot see it)."
            : failure.message;
    if (failure.retry_after) message += " Try again in " + format_duration(*failure.retry_after) + ".";
    return single_line(ReplyKind::failure, error(std::move(message)));
}

CommandService::CommandService(CollaboratorsApi& api, Directory& directory, AuditLog& audit, const WallClock& clock,
                               const Signer& signer, UsedTokens& used, ServiceSettings settings)
    : api_(api),
      directory_(directory),
      audit_(audit),
      clock_(clock),
      signer_(signer),
      used_(used),
      settings_(std::move(settings)) {
    if (!settings_.rules.service_account_email.empty()) service_account_ = settings_.rules.service_account_email;
}

asio::awaitable<Reply> CommandService::handle(ChatRequest request) {
    const auto command = parse_command(request.text);
    Actor actor = std::move(request.actor);
    Reply reply = co_await answer(actor, command, request.resumed);
    reply.decision = decision_of(actor, command, reply);
    co_return reply;
}

asio::awaitable<Reply> CommandService::answer(Actor& actor, const std::expected<Command, UsageError>& command,
                                              bool resumed) {
    if (!command) {
        Reply reply = single_line(ReplyKind::usage_error, error(command.error().message));
        reply.usage = command.error().usage;
        co_return reply;
    }
    if (auto* help = std::get_if<HelpCommand>(&*command)) co_return help_reply(help->topic);
    if (auto* add = std::get_if<AddCommand>(&*command); add && add->emails.size() > settings_.max_addresses_per_add) {
        // Refused before any lookup: a long list would hold up everyone else's commands.
        Reply reply = single_line(
            ReplyKind::usage_error,
            error("add takes at most " + std::to_string(settings_.max_addresses_per_add) + " addresses at a time (" +
                  std::to_string(add->emails.size()) + " were given): split them over several commands."));
        reply.usage = usage_line(*find_spec("add"));
        co_return reply;
    }

    if (!actor.email) {
        auto email = co_await directory_.email_of(actor);
        if (!email) co_return single_line(ReplyKind::failure, error(email.error().message));
        actor.email = std::move(*email);
    }

    if (std::holds_alternative<WhoamiCommand>(*command)) co_return co_await whoami(actor);
    if (auto* c = std::get_if<ListCommand>(&*command)) co_return co_await list(actor, *c);
    if (auto* c = std::get_if<AddCommand>(&*command)) co_return co_await add(actor, *c, resumed);
    if (auto* c = std::get_if<ConfirmCommand>(&*command)) co_return co_await confirm(actor, *c, resumed);
    if (auto* c = std::get_if<AuditCommand>(&*command)) co_return co_await audit_trail(actor, *c);
    if (std::holds_alternative<DatabasesCommand>(*command)) co_return co_await manageable_databases(actor);
    co_return co_await propose_removal(actor, *command);
}

DecisionNote CommandService::decision_of(const Actor& actor, const std::expected<Command, UsageError>& command,
                                         const Reply& reply) const {
    DecisionNote note;
    note.actor = actor;
    if (command) {
        note.command = command_name(*command);
        note.database = database_of(*command).value_or("");
        if (const auto* add = std::get_if<AddCommand>(&*command)) {
            for (const auto& email : add->emails) note.target += (note.target.empty() ? "" : ",") + email;
            // Within reason: a refused list of thousands is not worth a log line of that size.
            note.target = text::shortened(note.target, 512);
        } else if (const auto* remove = std::get_if<RemoveCommand>(&*command)) {
            note.target = remove->email;
        } else if (std::holds_alternative<LeaveCommand>(*command)) {
            note.target = actor.email.value_or("");
        } else if (const auto* confirm = std::get_if<ConfirmCommand>(&*command)) {
            if (const auto claims = read_token(signer_, confirm->token)) {
                note.database = claims->database;
                note.target = claims->target;
            }
        }
    }
    const std::string first_line = reply.lines.empty() ? "" : reply.lines.front().text;
    switch (reply.kind) {
        case ReplyKind::result:
        case ReplyKind::change:
        case ReplyKind::proposal: note.decision = "allow"; break;
        case ReplyKind::denied:
            note.decision = "deny";
            note.reason = first_line;
            break;
        case ReplyKind::usage_error:
            // The message quotes what was typed, which may be anything (a pasted token): not logged.
            note.decision = "invalid";
            note.reason = "the command was typed wrong";
            break;
        case ReplyKind::failure:
            note.decision = "failed";
            note.reason = first_line;
            break;
    }
    return note;
}

asio::awaitable<ApiResult<DatabaseSnapshot>> CommandService::snapshot(const std::string& database) {
    auto info = co_await api_.show_database(database);
    if (!info) co_return std::unexpected(info.error());
    auto collaborators = co_await api_.list_collaborators(database);
    if (!collaborators) co_return std::unexpected(collaborators.error());
    co_return DatabaseSnapshot{std::move(*info), std::move(*collaborators)};
}

asio::awaitable<ApiResult<std::string>> CommandService::service_account() {
    if (service_account_) co_return *service_account_;
    auto self = co_await api_.self();
    if (!self) co_return std::unexpected(self.error());
    service_account_ = self->email;
    co_return self->email;
}

asio::awaitable<bool> CommandService::record(const Actor& actor, std::string_view action, std::string_view database,
                                             std::string_view target, AuditOutcome outcome, std::string detail) {
    // Built as a named value: g++ 12 destroys a braced temporary passed to a coroutine twice.
    AuditEntry entry{clock_.now(),        actor.platform,
                     actor.team,          actor.channel,
                     actor.user_id,       actor.email.value_or(""),
                     std::string(action), std::string(database),
                     std::string(target), outcome,
                     std::move(detail)};
    auto written = co_await audit_.record(std::move(entry));
    co_return written.has_value();
}

asio::awaitable<std::expected<DatabaseSnapshot, Reply>> CommandService::authorise(const Actor& actor,
                                                                                  const Command& command) {
    const std::string database = database_of(command).value_or("");
    const std::string_view action = command_name(command);
    const std::string target =
        std::holds_alternative<RemoveCommand>(command) ? std::get<RemoveCommand>(command).email : "";
    // An unlinked identity is refused before anything is asked of the upstream.
    if (!actor.email) {
        Decision identity = decide(actor, command, nullptr, settings_.rules);
        co_await record(actor, action, database, target, AuditOutcome::denied, identity.reason);
        co_return std::unexpected(single_line(ReplyKind::denied, error(identity.reason)));
    }
    auto state = co_await snapshot(database);
    if (!state) {
        co_await record(actor, action, database, target, AuditOutcome::failed, state.error().message);
        co_return std::unexpected(api_error_reply(state.error(), database));
    }
    if (std::holds_alternative<RemoveCommand>(command) || std::holds_alternative<LeaveCommand>(command)) {
        auto bot = co_await service_account();
        if (!bot) {
            co_await record(actor, action, database, target, AuditOutcome::failed, bot.error().message);
            co_return std::unexpected(api_error_reply(bot.error(), database));
        }
        settings_.rules.service_account_email = *bot;
    }
    Decision decision = decide(actor, command, &*state, settings_.rules);
    if (!decision.allowed) {
        co_await record(actor, action, database, target, AuditOutcome::denied, decision.reason);
        co_return std::unexpected(single_line(ReplyKind::denied, error(decision.reason)));
    }
    co_return std::move(*state);
}

asio::awaitable<Reply> CommandService::list(const Actor& actor, const ListCommand& command) {
    auto state = co_await authorise(actor, command);
    if (!state) co_return state.error();
    co_await record(actor, "list", command.database, "", AuditOutcome::allowed);
    Reply reply{ReplyKind::result, {}, collaborators_table(*state), {}, {}};
    co_return reply;
}

asio::awaitable<Reply> CommandService::add(const Actor& actor, const AddCommand& command, bool resumed) {
    auto state = co_await authorise(actor, command);
    if (!state) co_return state.error();
    Reply reply{ReplyKind::result, {}, {}, {}, {}};
    const auto pending_in = [](const DatabaseSnapshot& snapshot, const std::string& email) {
        const Collaborator* collaborator = find_collaborator(snapshot, email);
        return collaborator != nullptr && collaborator->status == Status::pending;
    };
    for (const auto& email : command.emails) {
        const Collaborator* existing = find_collaborator(*state, email);
        // Resumed: a pending invitation is most likely the one the first attempt sent.
        bool sent_before = resumed && pending_in(*state, email);
        std::optional<ApiResult<Collaborator>> invited;
        if (!sent_before && (existing != nullptr || same_email(email, state->database.owner.email))) {
            const std::string note = existing ? email + " is already a collaborator of " + command.database + " (" +
                                                    std::string(to_string(existing->status)) + ")."
                                              : email + " already owns " + command.database + ".";
            co_await record(actor, "add", command.database, email, AuditOutcome::allowed, note);
            reply.lines.push_back(plain(note));
            continue;
        }
        if (!sent_before) {
            if (!co_await record(actor, "add", command.database, email, AuditOutcome::allowed)) {
                reply.kind = ReplyKind::failure;
                reply.lines.push_back(error("The audit trail cannot be written, so " + email +
                                            " was not invited; an admin of the bot should check its state storage."));
                continue;
            }
            invited = co_await api_.invite(command.database, email);
            if (!*invited && resumed) {
                // The list read before may predate the first attempt's invitation: what the API says now decides.
                auto now = co_await snapshot(command.database);
                sent_before = now && pending_in(*now, email);
            }
        }
        if (sent_before) {
            co_await record(actor, "add", command.database, email, AuditOutcome::allowed,
                            "invited by an earlier attempt of this command");
        } else if (*invited) {
            co_await record(actor, "add", command.database, email, AuditOutcome::executed);
        } else if (invited->error().kind == ApiErrorKind::already_member) {
            // Nothing was done upstream: recorded as the check before the invitation records it.
            const std::string note = email + " is already a collaborator of " + command.database + ".";
            co_await record(actor, "add", command.database, email, AuditOutcome::allowed, note);
            reply.lines.push_back(plain(note));
            continue;
        } else {
            co_await record(actor, "add", command.database, email, AuditOutcome::failed, invited->error().message);
            if (reply.kind != ReplyKind::change) reply.kind = ReplyKind::failure;
            reply.lines.push_back(api_error_reply(invited->error(), command.database).lines.front());
            continue;
        }
        reply.kind = ReplyKind::change;
        reply.lines.push_back(done(email + " has been invited to collaborate to " + command.database));
    }
    co_return reply;
}

asio::awaitable<Reply> CommandService::propose_removal(const Actor& actor, const Command& command) {
    auto state = co_await authorise(actor, command);
    if (!state) co_return state.error();
    const bool leaving = std::holds_alternative<LeaveCommand>(command);
    const std::string database = state->database.name;
    const std::string target = leaving ? *actor.email : std::get<RemoveCommand>(command).email;
    const Collaborator* collaborator = find_collaborator(*state, target);
    if (collaborator == nullptr) {
        const std::string note = not_a_collaborator_line(target, database);
        co_await record(actor, command_name(command), database, target, AuditOutcome::allowed, note);
        co_return single_line(ReplyKind::result, error(note));
    }

    ConfirmationClaims claims{leaving ? ConfirmAction::leave : ConfirmAction::remove,
                              actor.platform,
                              actor.team,
                              actor.user_id,
                              actor.channel,
                              database,
                              collaborator->email,
                              collaborator->id,
                              clock_.now() + settings_.confirmation_ttl};
    Proposal proposal{
        leaving ? "Stop collaborating on " + database + "? You (" + collaborator->email + ") will lose access to it."
                : "Revoke access of " + collaborator->email + " to " + database + "?",
        leaving ? "Stop collaborating" : "Revoke access", issue_token(signer_, claims), claims.expires_at};
    co_await record(actor, command_name(command), database, collaborator->email, AuditOutcome::proposed);
    co_return Reply{ReplyKind::proposal, {}, {}, std::move(proposal), {}};
}

asio::awaitable<Reply> CommandService::confirm(const Actor& actor, const ConfirmCommand& command, bool resumed) {
    // A refusal is filed under the database the token names, when it is genuine.
    const auto named = read_token(signer_, command.token);
    const std::string database = named ? named->database : "";
    const std::string target = named ? named->target : "";
    if (Decision identity = decide(actor, command, nullptr, settings_.rules); !identity.allowed) {
        co_await record(actor, "confirm", database, target, AuditOutcome::denied, identity.reason);
        co_return single_line(ReplyKind::denied, error(identity.reason));
    }
    auto claims = check_token(signer_, command.token, actor, clock_.now());
    if (!claims) {
        co_await record(actor, "confirm", database, target, AuditOutcome::denied, claims.error());
        co_return single_line(ReplyKind::denied, error(claims.error()));
    }
    const bool leaving = claims->action == ConfirmAction::leave;
    if (leaving && !same_email(claims->target, *actor.email)) {
        std::string reason = "This confirmation was issued for another Scalingo account than yours.";
        co_await record(actor, "leave", claims->database, claims->target, AuditOutcome::denied, reason);
        co_return single_line(ReplyKind::denied, error(reason));
    }
    // At most once, whichever instance is asked and however often: marked before the upstream is asked.
    std::string key = use_key(*claims);
    TokenUse use{clock_.now(), actor.email.value_or(actor.platform + ":" + actor.user_id)};
    const TimePoint keep_until = claims->expires_at;
    auto earlier = co_await used_.use_once(key, std::move(use), keep_until);
    if (!earlier) {
        std::string reason = "The bot cannot tell whether this confirmation was already used (" +
                             earlier.error().message + "), so nothing was removed; try again in a moment.";
        co_await record(actor, "confirm", claims->database, claims->target, AuditOutcome::failed, reason);
        co_return single_line(ReplyKind::failure, error(std::move(reason)));
    }
    // A resumed confirmation finds the mark of its own first attempt, whose instance died.
    if (*earlier && !resumed) {
        const TokenUse& first = **earlier;
        std::string reason = "This confirmation was already used";
        if (first.at != TimePoint{}) reason += " at " + format_utc(first.at);
        if (!first.by.empty()) reason += " by " + first.by;
        reason += "; nothing more was done.";
        co_await record(actor, "confirm", claims->database, claims->target, AuditOutcome::denied, reason);
        co_return single_line(ReplyKind::denied, error(std::move(reason)));
    }
    bool executed = false;
    Reply reply = co_await carry_out(actor, *claims, resumed, executed);
    // Only a removal that took place uses the confirmation up: after a refusal or a failure it may be
    // presented again (the collaborator id in it keeps a retry from reaching anyone else). Should the
    // mark stay, the worst is a new proposal to ask for.
    if (!executed) co_await used_.forget(std::move(key));
    co_return reply;
}

asio::awaitable<Reply> CommandService::carry_out(const Actor& actor, const ConfirmationClaims& claims, bool resumed,
                                                 bool& executed) {
    const bool leaving = claims.action == ConfirmAction::leave;
    // The database may have changed since the proposal: decide again on what it is now.
    const Command confirmed =
        leaving ? Command{LeaveCommand{claims.database}} : Command{RemoveCommand{claims.database, claims.target}};
    const std::string_view action = command_name(confirmed);
    auto state = co_await authorise(actor, confirmed);
    if (!state) co_return state.error();
    const Collaborator* collaborator = find_collaborator(*state, claims.target);
    // Resumed: the first attempt may have removed them before it could say so (gone from the list, or
    // from the API when the list was read before).
    ApiResult<void> removed = std::unexpected(ApiError{ApiErrorKind::not_member, "removed before"});
    if (collaborator == nullptr && !resumed)
        co_return single_line(ReplyKind::result, error(not_a_collaborator_line(claims.target, claims.database)));
    if (collaborator != nullptr) {
        if (collaborator->id != claims.collaborator_id) {
            std::string reason = claims.target + " was invited to " + claims.database +
                                 " again after this confirmation was proposed, so it does not apply to them any "
                                 "more; nothing was removed. Run the command again to remove them now.";
            co_await record(actor, action, claims.database, claims.target, AuditOutcome::denied, reason);
            co_return single_line(ReplyKind::denied, error(std::move(reason)));
        }
        if (!co_await record(actor, action, claims.database, claims.target, AuditOutcome::confirmed))
            co_return single_line(ReplyKind::failure,
                                  error("The audit trail cannot be written, so nothing was removed; an admin of the "
                                        "bot should check its state storage."));
        removed = co_await api_.remove(claims.database, collaborator->id);
    }
    if (!removed && resumed && removed.error().kind == ApiErrorKind::not_member) {
        executed = true;
        co_await record(actor, action, claims.database, claims.target, AuditOutcome::allowed,
                        "removed by an earlier attempt of this confirmation");
        co_return single_line(ReplyKind::change, done(removed_line(claims.target, claims.database)));
    }
    if (!removed) {
        // Removed by someone else since the list was read: the database is there, the person is not.
        const bool gone = removed.error().kind == ApiErrorKind::not_member;
        const std::string note =
            gone ? not_a_collaborator_line(claims.target, claims.database) : removed.error().message;
        co_await record(actor, action, claims.database, claims.target, AuditOutcome::failed, note);
        if (gone) co_return single_line(ReplyKind::result, error(note));
        co_return api_error_reply(removed.error(), claims.database);
    }
    executed = true;
    co_await record(actor, action, claims.database, claims.target, AuditOutcome::executed);
    co_return single_line(ReplyKind::change, done(removed_line(claims.target, claims.database)));
}

asio::awaitable<Reply> CommandService::whoami(const Actor& actor) {
    Reply reply{ReplyKind::result, {}, {}, {}, {}};
    reply.lines.push_back(plain("Chat identity: " + actor.platform + " user " + actor.user_id +
                                (actor.team.empty() ? "" : " in " + actor.team) + ", channel " + actor.channel));
    reply.lines.push_back(plain(actor.email
                                    ? "Scalingo account: " + *actor.email
                                    : "Scalingo account: none linked; ask an admin of the bot to map your identity."));
    if (settings_.rules.admins.contains(actor.user_id)) reply.lines.push_back(plain("You are an admin of the bot."));
    if (auto bot = co_await service_account()) reply.lines.push_back(plain("The bot acts as Scalingo account " + *bot));
    co_return reply;
}

asio::awaitable<Reply> CommandService::audit_trail(const Actor& actor, const AuditCommand& command) {
    auto state = co_await authorise(actor, command);
    if (!state) co_return state.error();
    auto entries = co_await audit_.recent(command.database, settings_.audit_rows);
    if (!entries) co_return single_line(ReplyKind::failure, error(entries.error().message));
    co_await record(actor, "audit", command.database, "", AuditOutcome::allowed);
    if (entries->empty())
        co_return single_line(ReplyKind::result,
                              plain("Nothing has been done through the bot on " + command.database + " yet."));
    Table table{{"WHEN", "WHO", "ACTION", "OUTCOME"}, {}, {}};
    for (const auto& entry : *entries) {
        std::string who = entry.email.empty() ? entry.platform + ":" + entry.user_id : entry.email;
        std::string action = entry.target.empty() ? entry.action : entry.action + " " + entry.target;
        table.rows.push_back({format_utc(entry.at), who, action, std::string(to_string(entry.outcome))});
    }
    co_return Reply{ReplyKind::result,
                    {plain("Most recent actions on " + command.database + ", newest first:")},
                    std::move(table),
                    {},
                    {}};
}

asio::awaitable<Reply> CommandService::manageable_databases(const Actor& actor) {
    if (Decision identity = decide(actor, DatabasesCommand{}, nullptr, settings_.rules); !identity.allowed)
        co_return single_line(ReplyKind::denied, error(identity.reason));
    auto all = co_await api_.databases();
    if (!all) co_return api_error_reply(all.error(), "");
    Reply reply{ReplyKind::result, {}, {}, {}, {}};
    for (const auto& database : *all) {
        if ((database.dedicated || settings_.rules.allow_apps) &&
            channel_may_manage(actor, database.name, settings_.rules))
            reply.lines.push_back(plain("  " + database.name));
    }
    reply.lines.insert(reply.lines.begin(),
                       plain(reply.lines.empty() ? "The bot cannot manage any database from this channel."
                                                 : "Databases the bot can manage from this channel:"));
    co_return reply;
}

std::string_view to_string(AuditOutcome outcome) {
    switch (outcome) {
        case AuditOutcome::allowed: return "allowed";
        case AuditOutcome::denied: return "denied";
        case AuditOutcome::proposed: return "proposed";
        case AuditOutcome::confirmed: return "confirmed";
        case AuditOutcome::executed: return "executed";
        case AuditOutcome::failed: return "failed";
    }
    return "unknown";
}

}  // namespace collab
