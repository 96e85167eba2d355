#include "core/service.hpp"

#include <algorithm>

#include "core/replies.hpp"
#include "core/text.hpp"

namespace collab {
namespace asio = boost::asio;

namespace {

// What was decided, as the log line tells it: from the reply's kind. Database and target are the
// caller's to fill.
DecisionNote note_of(const Actor& actor, std::string_view command, const Reply& reply) {
    DecisionNote note;
    note.actor = actor;
    note.command = std::string(command);
    const std::string_view first_line = reply.lines.empty() ? std::string_view() : reply.lines.front().text;
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

// The databases of `all` that a command typed by `actor` may act on, in order: Dedicated Resources ones
// (apps too when the rules allow them) that the channel rules let this channel manage.
std::vector<std::string> manageable_here(const Actor& actor, const std::vector<Database>& all, const Rules& rules) {
    std::vector<std::string> names;
    for (const auto& database : all)
        if ((database.dedicated || rules.allow_apps) && channel_may_manage(actor, database.name, rules))
            names.push_back(database.name);
    return names;
}

// The database a confirmation acts on, or those an offboarding does, for the log.
std::string databases_of(const ConfirmationClaims& claims) {
    std::string names = claims.database;
    for (const Seat& seat : claims.seats) names += (names.empty() ? "" : ",") + seat.database;
    return text::shortened(names, 512);
}

}  // namespace

CommandService::CommandService(CollaboratorsApi& api, Directory& directory, AuditLog& audit, const WallClock& clock,
                               const Signer& signer, UsedTokens& used, ServiceSettings settings,
                               InvitationLog* invitations)
    : api_(api),
      directory_(directory),
      audit_(audit),
      clock_(clock),
      signer_(signer),
      used_(used),
      settings_(std::move(settings)),
      invitations_(invitations) {
    if (!settings_.rules.service_account_email.empty()) service_account_ = settings_.rules.service_account_email;
}

std::string_view Outcome::subject() const {
    if (!confirms) return command;
    switch (*confirms) {
        case ConfirmAction::leave: return LeaveCommand::name;
        case ConfirmAction::offboard: return OffboardCommand::name;
        case ConfirmAction::remove: break;
    }
    return RemoveCommand::name;
}

asio::awaitable<Outcome> CommandService::handle(ChatRequest request) {
    const auto command = parse_command(request.text);
    Context context{std::move(request.actor), request.resumed, std::nullopt};
    SharedReply reply;
    if (!command)
        reply = replies::usage_error(command.error());
    else
        reply = co_await std::visit([&](const auto& typed) { return execute(context, typed); }, *command);
    co_return outcome(context, command, std::move(reply));
}

asio::awaitable<Outcome> CommandService::handle(ConfirmationRequest request) {
    Context context{std::move(request.actor), request.resumed, std::nullopt};
    // Opened once, whatever it holds: a confirmation, or an access request.
    const auto payload = signer_.open(request.token);
    context.token_opened = true;
    context.request = payload ? request_claims_of(*payload) : std::nullopt;
    context.claims = payload ? confirmation_claims_of(*payload) : std::nullopt;
    // An access request card's Approve or Deny: decided by someone other than the requester.
    if (context.request) {
        const std::expected<Command, UsageError> command = request.cancel
                                                               ? Command{DenyCommand{std::move(request.token)}}
                                                               : Command{ApproveCommand{std::move(request.token)}};
        Reply reply = co_await decide_request(context, !request.cancel);
        Outcome decided = outcome(context, command, std::move(reply));
        decided.by_proposer = context.settles_card;
        decided.settles_card = context.settles_card;
        co_return decided;
    }
    if (request.cancel) {
        const bool by_proposer = context.claims && proposed_to(*context.claims, context.actor);
        // Nothing is done, so nothing is recorded: the proposal simply goes away.
        Outcome cancelled;
        cancelled.reply = by_proposer ? replies::cancelled(*context.claims) : replies::cancel_refused();
        cancelled.command = "cancel";
        cancelled.by_proposer = by_proposer;
        cancelled.decision = note_of(context.actor, cancelled.command, cancelled.reply);
        if (context.claims) {
            cancelled.decision.database = databases_of(*context.claims);
            cancelled.decision.target = context.claims->target;
        }
        co_return cancelled;
    }
    const std::expected<Command, UsageError> command = ConfirmCommand{std::move(request.token)};
    SharedReply reply = co_await execute(context, std::get<ConfirmCommand>(*command));
    Outcome confirmed = outcome(context, command, std::move(reply));
    confirmed.by_proposer = context.claims && proposed_to(*context.claims, context.actor);
    co_return confirmed;
}

asio::awaitable<std::vector<std::string>> CommandService::manageable_databases(Actor actor) {
    std::vector<std::string> names;
    if (co_await identify(actor) || !actor.email) co_return names;
    auto seen = co_await survey(actor);
    if (!seen) co_return names;
    const bool admin = is_admin(actor);
    for (const auto& database : *seen) {
        const Standing standing = standing_of(*database.state, *actor.email);
        if (admin || standing == Standing::owner || standing == Standing::accepted)
            names.push_back(database.state->database.name);
    }
    co_return names;
}

asio::awaitable<std::optional<Reply>> CommandService::identify(Actor& actor) {
    if (actor.email) co_return std::nullopt;
    auto email = co_await directory_.email_of(actor);
    if (!email) co_return replies::failed(email.error().message);
    actor.email = std::move(*email);
    co_return std::nullopt;
}

Outcome CommandService::outcome(Context& context, const std::expected<Command, UsageError>& command,
                                SharedReply reply) const {
    Outcome outcome;
    outcome.command = command ? command_name(*command) : "?";
    outcome.decision = note_of(context.actor, outcome.command, reply);
    if (command) {
        DecisionNote& note = outcome.decision;
        note.database = database_of(*command).value_or("");
        if (const auto* add = std::get_if<AddCommand>(&*command)) {
            for (const auto& email : add->emails) note.target += (note.target.empty() ? "" : ",") + email;
            // Within reason: a refused list of thousands is not worth a log line of that size.
            note.target = text::shortened(note.target, 512);
        } else if (const auto* remove = std::get_if<RemoveCommand>(&*command)) {
            note.target = remove->email;
        } else if (const auto* resend = std::get_if<ResendCommand>(&*command)) {
            note.target = resend->email;
        } else if (const auto* offboard = std::get_if<OffboardCommand>(&*command)) {
            note.target = offboard->email;
        } else if (const auto* access = std::get_if<AccessCommand>(&*command)) {
            note.target = access->email;
        } else if (std::holds_alternative<LeaveCommand>(*command)) {
            note.target = context.actor.email.value_or("");
        } else if (context.claims) {
            note.database = databases_of(*context.claims);
            note.target = context.claims->target;
            outcome.confirms = context.claims->action;
        } else if (context.request) {
            note.database = context.request->database;
            note.target = context.request->email;
        }
    }
    outcome.reply = std::move(reply);
    return outcome;
}

asio::awaitable<ApiResult<std::string>> CommandService::service_account() {
    if (service_account_) co_return *service_account_;
    auto self = co_await api_.self();
    if (!self) co_return std::unexpected(self.error());
    service_account_ = self->email;
    co_return self->email;
}

asio::awaitable<void> CommandService::remember_invitation(const Actor& actor, const std::string& database,
                                                          const Collaborator& invited) {
    if (invitations_ == nullptr) co_return;
    Invitation invitation{database, invited.email, invited.id, actor, clock_.now()};
    co_await invitations_->remember(std::move(invitation));
}

asio::awaitable<void> CommandService::forget_invitation(const std::string& database,
                                                        const std::string& collaborator_id) {
    if (invitations_ == nullptr) co_return;
    // Not settled, the watch would announce as revoked or expired what the channel was just told.
    std::string settled_database = database;
    std::string settled_id = collaborator_id;
    const TimePoint at = clock_.now();
    co_await invitations_->withdraw(std::move(settled_database), std::move(settled_id), at);
}

bool CommandService::is_admin(const Actor& actor) const {
    return settings_.rules.admins.contains(qualified_user(actor));
}

asio::awaitable<ApiResult<std::vector<CachedSnapshot>>> CommandService::survey(const Actor& actor, bool until_member) {
    auto all = co_await api_.databases();
    if (!all) co_return std::unexpected(all.error());
    const std::vector<std::string> names = manageable_here(actor, *all, settings_.rules);
    // The help stops at the first batch that shows the asker as a member: as many as the provider reads
    // at once, so that a batch costs one round trip.
    const std::size_t batch = until_member ? std::max<std::size_t>(1, api_.reads_at_once()) : names.size();
    std::vector<CachedSnapshot> seen;
    for (std::size_t from = 0; from < names.size(); from += batch) {
        std::vector<std::string> some(
            names.begin() + static_cast<std::ptrdiff_t>(from),
            names.begin() + static_cast<std::ptrdiff_t>(std::min(names.size(), from + batch)));
        auto states = co_await api_.snapshots(std::move(some));
        bool member = false;
        for (auto& state : states) {
            if (!state) {
                const ApiErrorKind kind = state.error().kind;
                if (kind != ApiErrorKind::not_found && kind != ApiErrorKind::unauthorized &&
                    kind != ApiErrorKind::forbidden)
                    co_return std::unexpected(state.error());
                continue;
            }
            if (until_member && actor.email) {
                const Standing standing = standing_of(*state->state, *actor.email);
                member = member || standing == Standing::owner || standing == Standing::accepted;
            }
            seen.push_back(std::move(*state));
        }
        if (member) break;
    }
    co_return seen;
}

asio::awaitable<Audience> CommandService::audience_of(Actor& actor) {
    // When the bot cannot tell, the help shows everything: it is no secret.
    if (co_await identify(actor)) co_return Audience::member;
    if (!actor.email) co_return Audience::anyone;
    if (is_admin(actor)) co_return Audience::member;
    auto seen = co_await survey(actor, true);
    if (!seen) co_return Audience::member;
    Audience level = Audience::linked;
    for (const auto& database : *seen) {
        const Standing standing = standing_of(*database.state, *actor.email);
        if (standing == Standing::owner || standing == Standing::accepted) co_return Audience::member;
        if (standing == Standing::pending) level = Audience::invited;
    }
    co_return level;
}

asio::awaitable<Reply> CommandService::unreadable(const Actor& actor, const ApiError& error,
                                                  const std::string& database) {
    // A refusal from an account that can still say who it is: a valid token, kept off this database.
    if (error.kind == ApiErrorKind::unauthorized) {
        if (auto bot = co_await api_.self())
            co_return replies::failed(replies::bot_not_a_collaborator(bot->email, database));
    }
    if (error.kind == ApiErrorKind::not_found && actor.email) {
        // Suggested only among the databases the actor may see: a name is no secret to its members.
        if (auto seen = co_await survey(actor)) {
            const std::string* closest = nullptr;
            std::size_t best = 3;  // further than two edits is not a typo any more
            for (const auto& known : *seen) {
                const std::string& name = known.state->database.name;
                if (!is_admin(actor) && standing_of(*known.state, *actor.email) == Standing::stranger) continue;
                const std::size_t distance = text::levenshtein(database, name);
                if (distance < best) {
                    best = distance;
                    closest = &name;
                }
            }
            if (closest) co_return replies::failed(replies::no_such_database(database, *closest));
        }
    }
    co_return replies::api_error(error, database);
}

AuditEntry CommandService::entry(const Actor& actor, std::string_view action, std::string_view database,
                                 std::string_view target, AuditOutcome outcome, std::string detail) const {
    return AuditEntry{clock_.now(),        actor.platform,
                      actor.team,          actor.channel,
                      actor.user_id,       actor.email.value_or(""),
                      std::string(action), std::string(database),
                      std::string(target), outcome,
                      std::move(detail)};
}

asio::awaitable<bool> CommandService::record(const Actor& actor, std::string_view action, std::string_view database,
                                             std::string_view target, AuditOutcome outcome, std::string detail) {
    // A named value: g++ 12 destroys a temporary passed to a coroutine twice.
    AuditEntry recorded = entry(actor, action, database, target, outcome, std::move(detail));
    auto written = co_await audit_.record(std::move(recorded));
    co_return written.has_value();
}

asio::awaitable<void> CommandService::record_after(const Actor& actor, std::string_view action,
                                                   std::string_view database, std::string_view target,
                                                   AuditOutcome outcome, std::string detail) {
    AuditEntry noted = entry(actor, action, database, target, outcome, std::move(detail));
    co_await audit_.note(std::move(noted));
}

asio::awaitable<std::expected<CachedSnapshot, Reply>> CommandService::admit(Actor& actor, const Command& command) {
    if (auto unknown = co_await identify(actor)) co_return std::unexpected(std::move(*unknown));
    co_return co_await authorise(actor, command);
}

asio::awaitable<std::expected<CachedSnapshot, Reply>> CommandService::authorise(const Actor& actor,
                                                                                const Command& command) {
    const std::string_view action = command_name(command);
    co_return co_await authorise(actor, command, action);
}

asio::awaitable<std::expected<CachedSnapshot, Reply>> CommandService::authorise(const Actor& actor,
                                                                                const Command& command,
                                                                                std::string_view action) {
    const std::string database = database_of(command).value_or("");
    const std::string target =
        std::holds_alternative<RemoveCommand>(command) ? std::get<RemoveCommand>(command).email : "";
    // An unlinked identity is refused before anything is asked of the upstream.
    if (!actor.email) {
        Decision identity = decide(actor, command, nullptr, settings_.rules);
        co_await record_after(actor, action, database, target, AuditOutcome::denied, identity.reason);
        co_return std::unexpected(replies::refused(identity.reason));
    }
    auto state = co_await api_.snapshot(database);
    if (!state) {
        co_await record_after(actor, action, database, target, AuditOutcome::failed, state.error().message);
        co_return std::unexpected(co_await unreadable(actor, state.error(), database));
    }
    if (std::holds_alternative<RemoveCommand>(command) || std::holds_alternative<LeaveCommand>(command)) {
        auto bot = co_await service_account();
        if (!bot) {
            co_await record_after(actor, action, database, target, AuditOutcome::failed, bot.error().message);
            co_return std::unexpected(replies::api_error(bot.error(), database));
        }
        settings_.rules.service_account_email = *bot;
    }
    Decision decision = decide(actor, command, state->state.get(), settings_.rules);
    if (!decision.allowed) {
        co_await record_after(actor, action, database, target, AuditOutcome::denied, decision.reason);
        co_return std::unexpected(replies::refused(decision.reason));
    }
    co_return std::move(*state);
}

asio::awaitable<SharedReply> CommandService::execute(Context& context, const HelpCommand& command) {
    if (settings_.record_reads) co_await record_after(context.actor, HelpCommand::name, "", "", AuditOutcome::allowed);
    // The same text every time for a topic, and for everyone at one level: built once each.
    std::string subject = "help";
    const CommandSpec* topic = command.topic ? find_spec(*command.topic) : nullptr;
    Audience level = Audience::member;
    // The shell has no buttons: its proposals are confirmed by typing.
    const bool typed_confirmations = context.actor.platform == "shell";
    if (topic) {
        subject += " " + std::string(topic->name);
    } else {
        level = co_await audience_of(context.actor);
        subject += " for " + std::to_string(static_cast<int>(level)) + (typed_confirmations ? " typed" : "");
    }
    auto known = helps_.find(subject);
    if (known == helps_.end()) {
        Reply help = topic ? replies::help(*topic) : replies::help(level, typed_confirmations);
        help.key = ReplyKey{subject, 1};
        known = helps_.emplace(subject, SharedReply(std::move(help))).first;
    }
    co_return known->second;
}

asio::awaitable<SharedReply> CommandService::execute(Context& context, const ListCommand& command) {
    Actor& actor = context.actor;
    // Named: g++ 12 destroys a temporary passed to a coroutine twice.
    const Command requested{command};
    auto state = co_await admit(actor, requested);
    if (!state) co_return state.error();
    if (settings_.record_reads)
        co_await record_after(actor, ListCommand::name, command.database, "", AuditOutcome::allowed);
    // Built once per version of the database; a snapshot read past the cache (generation 0) is not kept.
    auto listed = lists_.find(command.database);
    if (listed != lists_.end() && state->generation != 0 && listed->second->key->generation == state->generation)
        co_return listed->second;
    Reply reply = replies::collaborators(*state->state);
    if (state->generation == 0) co_return reply;
    reply.key = ReplyKey{"list " + command.database, state->generation};
    SharedReply shared(std::move(reply));
    if (listed == lists_.end())
        lists_.emplace(command.database, shared);
    else
        listed->second = shared;
    co_return shared;
}

asio::awaitable<SharedReply> CommandService::execute(Context& context, const AddCommand& command) {
    Actor& actor = context.actor;
    // Refused before any lookup: a long list would hold up everyone else's commands.
    if (command.emails.size() > settings_.max_addresses_per_add)
        co_return replies::too_many_addresses(settings_.max_addresses_per_add, command.emails.size());
    // Named: g++ 12 destroys a temporary passed to a coroutine twice.
    const Command requested{command};
    auto admitted = co_await admit(actor, requested);
    if (!admitted) co_return admitted.error();
    const DatabaseSnapshot& state = *admitted->state;
    constexpr std::string_view action = AddCommand::name;
    Reply reply;
    const auto pending_in = [](const DatabaseSnapshot& snapshot, const std::string& email) {
        const Collaborator* collaborator = find_collaborator(snapshot, email);
        return collaborator != nullptr && collaborator->status == Status::pending;
    };
    for (const auto& email : command.emails) {
        const Collaborator* existing = find_collaborator(state, email);
        // Resumed: a pending invitation is most likely the one the first attempt sent.
        bool sent_before = context.resumed && pending_in(state, email);
        std::optional<ApiResult<Collaborator>> invited;
        if (!sent_before && (existing != nullptr || same_email(email, state.database.owner.email))) {
            const std::string note = existing ? replies::already_collaborator(email, command.database, existing->status)
                                              : replies::already_owner(email, command.database);
            co_await record_after(actor, action, command.database, email, AuditOutcome::allowed, note);
            reply.lines.push_back({LineStyle::plain, note});
            continue;
        }
        if (!sent_before) {
            invited = co_await send_invitation(actor, action, command.database, email);
            if (!invited) {
                reply.kind = ReplyKind::failure;
                reply.lines.push_back({LineStyle::error, replies::not_invited_unrecorded(email)});
                continue;
            }
            if (!*invited && context.resumed) {
                // The list read before may predate the first attempt's invitation: what the API says now
                // decides (an invitation, even a refused one, drops what the provider kept).
                auto now = co_await api_.snapshot(command.database);
                sent_before = now && pending_in(*now->state, email);
            }
        }
        if (sent_before) {
            // The first attempt may have died before remembering it.
            const Collaborator* sent = find_collaborator(state, email);
            if (sent != nullptr) co_await remember_invitation(actor, command.database, *sent);
            std::string note(replies::invited_before);
            co_await record_after(actor, action, command.database, email, AuditOutcome::allowed, std::move(note));
        } else if (*invited) {
            // Recorded and remembered for the watch by send_invitation.
        } else if (invited->error().kind == ApiErrorKind::already_member) {
            // Nothing was done upstream: recorded as the check before the invitation records it.
            const std::string note = replies::already_collaborator(email, command.database);
            co_await record_after(actor, action, command.database, email, AuditOutcome::allowed, note);
            reply.lines.push_back({LineStyle::plain, note});
            continue;
        } else {
            co_await record_after(actor, action, command.database, email, AuditOutcome::failed,
                                  invited->error().message);
            if (reply.kind != ReplyKind::change) reply.kind = ReplyKind::failure;
            reply.lines.push_back(replies::api_error(invited->error(), command.database).lines.front());
            continue;
        }
        reply.kind = ReplyKind::change;
        reply.lines.push_back(replies::done_by(replies::invited(email, command.database), named(actor)));
    }
    co_return reply;
}

asio::awaitable<std::optional<ApiResult<Collaborator>>> CommandService::send_invitation(const Actor& actor,
                                                                                        std::string_view action,
                                                                                        const std::string& database,
                                                                                        const std::string& email) {
    if (!co_await record(actor, action, database, email, AuditOutcome::allowed)) co_return std::nullopt;
    auto invited = co_await api_.invite(database, email);
    if (invited) {
        co_await record_after(actor, action, database, email, AuditOutcome::executed);
        co_await remember_invitation(actor, database, *invited);
    }
    co_return invited;
}

asio::awaitable<SharedReply> CommandService::execute(Context& context, const ResendCommand& command) {
    Actor& actor = context.actor;
    // Named: g++ 12 destroys a temporary passed to a coroutine twice.
    const Command requested{command};
    auto admitted = co_await admit(actor, requested);
    if (!admitted) co_return admitted.error();
    constexpr std::string_view action = ResendCommand::name;
    const Collaborator* pending = find_collaborator(*admitted->state, command.email);
    if (pending == nullptr || pending->status != Status::pending) {
        const std::string note = pending == nullptr ? replies::not_invited(command.email, command.database)
                                                    : replies::nothing_to_resend(command.email, command.database);
        co_await record_after(actor, action, command.database, command.email, AuditOutcome::allowed, note);
        co_return replies::one_line(ReplyKind::result, LineStyle::error, note);
    }
    // Scalingo has no call that sends an invitation again: the pending one is revoked, and a new one sent.
    const std::string email = pending->email;
    if (!co_await record(actor, action, command.database, email, AuditOutcome::allowed,
                         std::string(replies::revoking_to_resend)))
        co_return replies::failed(replies::not_invited_unrecorded(email));
    auto revoked = co_await api_.remove(command.database, pending->id);
    if (revoked) co_await forget_invitation(command.database, pending->id);
    // Gone meanwhile (accepted, or revoked by someone else): the new invitation is still what was asked,
    // unless they accepted, which the invitation below reports as already a collaborator.
    if (!revoked && revoked.error().kind != ApiErrorKind::not_member) {
        co_await record_after(actor, action, command.database, email, AuditOutcome::failed, revoked.error().message);
        co_return replies::api_error(revoked.error(), command.database);
    }
    auto invited = co_await send_invitation(actor, action, command.database, email);
    if (!invited)
        co_return replies::failed(replies::revoked_not_resent(email, command.database, replies::trail_unwritable));
    if (!*invited) {
        const ApiError& error = invited->error();
        co_await record_after(actor, action, command.database, email, AuditOutcome::failed, error.message);
        if (error.kind == ApiErrorKind::already_member)
            co_return replies::one_line(ReplyKind::result, LineStyle::error,
                                        replies::nothing_to_resend(email, command.database));
        co_return replies::failed(replies::revoked_not_resent(email, command.database, error.message));
    }
    Reply reply;
    reply.kind = ReplyKind::change;
    reply.lines.push_back(replies::done_by(replies::resent(email, command.database), named(actor)));
    co_return reply;
}

asio::awaitable<SharedReply> CommandService::execute(Context& context, const RemoveCommand& command) {
    Actor& actor = context.actor;
    if (auto unknown = co_await identify(actor)) co_return *unknown;
    // Named: g++ 12 destroys a temporary passed to a coroutine twice.
    const Command proposed{command};
    std::string target = command.email;
    co_return co_await propose_removal(actor, proposed, std::move(target));
}

asio::awaitable<SharedReply> CommandService::execute(Context& context, const LeaveCommand& command) {
    Actor& actor = context.actor;
    if (auto unknown = co_await identify(actor)) co_return *unknown;
    const Command proposed{command};
    std::string target = actor.email.value_or("");
    co_return co_await propose_removal(actor, proposed, std::move(target));
}

asio::awaitable<Reply> CommandService::propose_removal(const Actor& actor, const Command& command, std::string target) {
    auto state = co_await authorise(actor, command);
    if (!state) co_return state.error();
    const std::string_view action = command_name(command);
    const std::string database = state->state->database.name;
    const Collaborator* collaborator = find_collaborator(*state->state, target);
    if (collaborator == nullptr) {
        const std::string note = replies::not_a_collaborator(target, database);
        co_await record_after(actor, action, database, target, AuditOutcome::allowed, note);
        co_return replies::one_line(ReplyKind::result, LineStyle::error, note);
    }

    ConfirmationClaims claims{
        std::holds_alternative<LeaveCommand>(command) ? ConfirmAction::leave : ConfirmAction::remove,
        actor.platform,
        actor.team,
        actor.user_id,
        actor.channel,
        database,
        collaborator->email,
        collaborator->id,
        clock_.now() + settings_.confirmation_ttl};
    Reply reply;
    reply.kind = ReplyKind::proposal;
    reply.proposal = replies::proposal(claims.action, collaborator->email, database, issue_token(signer_, claims),
                                       claims.expires_at, collaborator->status == Status::pending);
    co_await record_after(actor, action, database, collaborator->email, AuditOutcome::proposed);
    co_return reply;
}

asio::awaitable<SharedReply> CommandService::execute(Context& context, const ConfirmCommand& command) {
    Actor& actor = context.actor;
    // Opened once per request; a refusal is filed under the database the token names, when it is genuine.
    if (!context.token_opened) context.claims = read_token(signer_, command.token);
    if (auto unknown = co_await identify(actor)) co_return *unknown;
    constexpr std::string_view action = ConfirmCommand::name;
    const std::string database = context.claims ? context.claims->database : "";
    const std::string target = context.claims ? context.claims->target : "";
    if (Decision identity = decide(actor, command, nullptr, settings_.rules); !identity.allowed) {
        co_await record_after(actor, action, database, target, AuditOutcome::denied, identity.reason);
        co_return replies::refused(identity.reason);
    }
    auto claims = check_claims(context.claims, actor, clock_.now());
    if (!claims) {
        co_await record_after(actor, action, database, target, AuditOutcome::denied, claims.error());
        co_return replies::refused(claims.error());
    }
    const bool leaving = claims->action == ConfirmAction::leave;
    if (leaving && !same_email(claims->target, *actor.email)) {
        std::string reason = replies::issued_for_another_account();
        co_await record_after(actor, LeaveCommand::name, claims->database, claims->target, AuditOutcome::denied,
                              reason);
        co_return replies::refused(std::move(reason));
    }
    // At most once, whichever instance is asked and however often: marked before the upstream is asked.
    std::string key = use_key(*claims);
    TokenUse use{clock_.now(), actor.email.value_or(actor.platform + ":" + actor.user_id)};
    const TimePoint keep_until = claims->expires_at;
    auto earlier = co_await used_.use_once(key, std::move(use), keep_until);
    if (!earlier) {
        std::string reason = replies::use_unknown(earlier.error().message);
        co_await record_after(actor, action, claims->database, claims->target, AuditOutcome::failed, reason);
        co_return replies::failed(std::move(reason));
    }
    // A resumed confirmation finds the mark of its own first attempt, whose instance died.
    if (*earlier && !context.resumed) {
        std::string reason = replies::already_used(**earlier);
        co_await record_after(actor, action, claims->database, claims->target, AuditOutcome::denied, reason);
        co_return replies::refused(std::move(reason));
    }
    bool executed = false;
    Reply reply = co_await carry_out(actor, *claims, context.resumed, executed);
    // Only a removal that took place uses the confirmation up: after a refusal or a failure it may be
    // presented again (the collaborator id in it keeps a retry from reaching anyone else). Should the
    // mark stay, the worst is a new proposal to ask for.
    if (!executed) co_await used_.forget(std::move(key));
    co_return reply;
}

asio::awaitable<Reply> CommandService::carry_out(const Actor& actor, const ConfirmationClaims& claims, bool resumed,
                                                 bool& executed) {
    if (claims.action == ConfirmAction::offboard)
        co_return co_await carry_out_offboarding(actor, claims, resumed, executed);
    // The database may have changed since the proposal: decide again on what it is now.
    const Command confirmed = claims.action == ConfirmAction::leave
                                  ? Command{LeaveCommand{claims.database}}
                                  : Command{RemoveCommand{claims.database, claims.target}};
    const std::string_view action = command_name(confirmed);
    const Seat seat{claims.database, claims.collaborator_id};
    co_return co_await remove_confirmed(actor, confirmed, action, claims, seat, resumed, executed);
}

asio::awaitable<Reply> CommandService::carry_out_offboarding(const Actor& actor, const ConfirmationClaims& claims,
                                                             bool resumed, bool& executed) {
    Reply reply;
    bool kept = false;  // some database still has the person
    for (const Seat& seat : claims.seats) {
        const Command removal{RemoveCommand{seat.database, claims.target}};
        constexpr std::string_view action = OffboardCommand::name;
        bool removed = false;
        Reply one = co_await remove_confirmed(actor, removal, action, claims, seat, resumed, removed);
        executed = executed || removed;
        if (removed) {
            reply.lines.push_back(std::move(one.lines.front()));
        } else if (one.kind == ReplyKind::result) {
            // Gone already: what the offboarding was for.
            reply.lines.push_back({LineStyle::plain, replies::no_longer_there(claims.target, seat.database)});
        } else {
            kept = true;
            const std::string why = plain_line_text(one.lines.front());
            reply.lines.push_back({LineStyle::error, replies::still_has_access(claims.target, seat.database, why)});
        }
    }
    reply.kind = executed ? ReplyKind::change : kept ? ReplyKind::failure : ReplyKind::result;
    co_return reply;
}

asio::awaitable<Reply> CommandService::remove_confirmed(const Actor& actor, const Command& removal,
                                                        std::string_view action, const ConfirmationClaims& claims,
                                                        const Seat& seat, bool resumed, bool& executed) {
    const std::string& database = seat.database;
    const std::string& target = claims.target;
    auto state = co_await authorise(actor, removal, action);
    if (!state) co_return state.error();
    const Collaborator* collaborator = find_collaborator(*state->state, target);
    // Resumed: the first attempt may have removed them before it could say so (gone from the list, or
    // from the API when the list was read before).
    ApiResult<void> removed = std::unexpected(ApiError{ApiErrorKind::not_member, "removed before"});
    if (collaborator == nullptr && !resumed)
        co_return replies::one_line(ReplyKind::result, LineStyle::error, replies::not_a_collaborator(target, database));
    if (collaborator != nullptr) {
        if (collaborator->id != seat.collaborator_id) {
            std::string reason = replies::invited_again(target, database);
            co_await record_after(actor, action, database, target, AuditOutcome::denied, reason);
            co_return replies::refused(std::move(reason));
        }
        if (!co_await record(actor, action, database, target, AuditOutcome::confirmed, replies::proposed_by(claims)))
            co_return replies::failed(replies::nothing_removed_unrecorded());
        removed = co_await api_.remove(database, collaborator->id);
        if (removed && collaborator->status == Status::pending) co_await forget_invitation(database, collaborator->id);
    }
    if (!removed && resumed && removed.error().kind == ApiErrorKind::not_member) {
        executed = true;
        std::string note(replies::removed_before);
        co_await record_after(actor, action, database, target, AuditOutcome::allowed, std::move(note));
        co_return replies::removed(target, database, named(actor));
    }
    if (!removed) {
        // Removed by someone else since the list was read: the database is there, the person is not.
        const bool gone = removed.error().kind == ApiErrorKind::not_member;
        const std::string note = gone ? replies::not_a_collaborator(target, database) : removed.error().message;
        co_await record_after(actor, action, database, target, AuditOutcome::failed, note);
        if (gone) co_return replies::one_line(ReplyKind::result, LineStyle::error, note);
        co_return replies::api_error(removed.error(), database);
    }
    executed = true;
    co_await record_after(actor, action, database, target, AuditOutcome::executed);
    co_return replies::removed(target, database, named(actor));
}

asio::awaitable<SharedReply> CommandService::execute(Context& context, const OffboardCommand& command) {
    Actor& actor = context.actor;
    if (auto unknown = co_await identify(actor)) co_return *unknown;
    constexpr std::string_view action = OffboardCommand::name;
    if (Decision identity = decide(actor, command, nullptr, settings_.rules); !identity.allowed) {
        co_await record_after(actor, action, "", command.email, AuditOutcome::denied, identity.reason);
        co_return replies::refused(identity.reason);
    }
    auto bot = co_await service_account();
    if (!bot) {
        co_await record_after(actor, action, "", command.email, AuditOutcome::failed, bot.error().message);
        co_return replies::api_error(bot.error(), "");
    }
    settings_.rules.service_account_email = *bot;
    if (same_email(command.email, *bot)) {
        std::string reason = replies::bot_account_cannot_be_offboarded(*bot);
        co_await record_after(actor, action, "", command.email, AuditOutcome::denied, reason);
        co_return replies::refused(std::move(reason));
    }
    auto all = co_await api_.databases();
    if (!all) {
        co_await record_after(actor, action, "", command.email, AuditOutcome::failed, all.error().message);
        co_return replies::api_error(all.error(), "");
    }
    ConfirmationClaims claims{ConfirmAction::offboard,
                              actor.platform,
                              actor.team,
                              actor.user_id,
                              actor.channel,
                              "",
                              command.email,
                              "",
                              clock_.now() + settings_.confirmation_ttl};
    Reply reply;
    std::vector<std::string> later;  // databases the token has no room for
    const std::vector<std::string> names = manageable_here(actor, *all, settings_.rules);
    auto states = co_await api_.snapshots(names);
    for (std::size_t i = 0; i < names.size(); ++i) {
        const std::string& database = names[i];
        const auto& state = states[i];
        if (!state) {
            reply.lines.push_back(
                {LineStyle::error, replies::not_checked(command.email, database, state.error().message)});
            continue;
        }
        const Collaborator* collaborator = find_collaborator(*state->state, command.email);
        if (collaborator == nullptr) continue;
        // Where the asker may remove them, as `remove` decides: never the owner, nor the bot's account.
        const Command removal{RemoveCommand{database, collaborator->email}};
        if (!decide(actor, removal, state->state.get(), settings_.rules).allowed) continue;
        claims.seats.push_back(Seat{database, collaborator->id});
        if (issue_token(signer_, claims).size() > token_room) {
            claims.seats.pop_back();
            later.push_back(database);
        }
    }
    if (!later.empty()) reply.lines.push_back({LineStyle::plain, replies::left_for_later(command.email, later)});
    if (claims.seats.empty()) {
        const std::string note = replies::offboard_nothing(command.email);
        co_await record_after(actor, action, "", command.email, AuditOutcome::allowed, note);
        reply.lines.insert(reply.lines.begin(), Line{LineStyle::plain, note});
        co_return reply;
    }
    for (const Seat& seat : claims.seats)
        co_await record_after(actor, action, seat.database, command.email, AuditOutcome::proposed);
    reply.kind = ReplyKind::proposal;
    reply.proposal =
        replies::offboard_proposal(command.email, claims.seats, issue_token(signer_, claims), claims.expires_at);
    co_return reply;
}

asio::awaitable<SharedReply> CommandService::execute(Context& context, const WhoamiCommand&) {
    Actor& actor = context.actor;
    if (auto unknown = co_await identify(actor)) co_return *unknown;
    auto bot = co_await service_account();
    if (settings_.record_reads) co_await record_after(actor, WhoamiCommand::name, "", "", AuditOutcome::allowed);
    co_return replies::whoami(actor, settings_.rules.admins.contains(qualified_user(actor)),
                              bot ? std::optional(*bot) : std::nullopt);
}

asio::awaitable<SharedReply> CommandService::execute(Context& context, const AuditCommand& command) {
    Actor& actor = context.actor;
    // Named: g++ 12 destroys a temporary passed to a coroutine twice.
    const Command requested{command};
    auto state = co_await admit(actor, requested);
    if (!state) co_return state.error();
    AuditQuery query{command.database, command.by, command.action, settings_.audit_rows};
    auto entries = co_await audit_.recent(query);
    if (!entries) co_return replies::failed(entries.error().message);
    if (settings_.record_reads)
        co_await record_after(actor, AuditCommand::name, command.database, "", AuditOutcome::allowed);
    co_return replies::audit_trail(query, *entries);
}

asio::awaitable<SharedReply> CommandService::execute(Context& context, const DatabasesCommand& command) {
    Actor& actor = context.actor;
    if (auto unknown = co_await identify(actor)) co_return *unknown;
    constexpr std::string_view action = DatabasesCommand::name;
    if (Decision identity = decide(actor, command, nullptr, settings_.rules); !identity.allowed) {
        co_await record_after(actor, action, "", "", AuditOutcome::denied, identity.reason);
        co_return replies::refused(identity.reason);
    }
    auto seen = co_await survey(actor);
    if (!seen) {
        co_await record_after(actor, action, "", "", AuditOutcome::failed, seen.error().message);
        co_return replies::api_error(seen.error(), "");
    }
    if (settings_.record_reads) co_await record_after(actor, action, "", "", AuditOutcome::allowed);
    const bool admin = is_admin(actor);
    std::vector<const DatabaseSnapshot*> shown;
    for (const auto& database : *seen)
        if (admin || standing_of(*database.state, *actor.email) != Standing::stranger)
            shown.push_back(database.state.get());
    co_return replies::your_databases(*actor.email, shown, admin);
}

asio::awaitable<SharedReply> CommandService::execute(Context& context, const AccessCommand& command) {
    Actor& actor = context.actor;
    if (auto unknown = co_await identify(actor)) co_return *unknown;
    constexpr std::string_view action = AccessCommand::name;
    if (Decision identity = decide(actor, command, nullptr, settings_.rules); !identity.allowed) {
        co_await record_after(actor, action, "", command.email, AuditOutcome::denied, identity.reason);
        co_return replies::refused(identity.reason);
    }
    auto seen = co_await survey(actor);
    if (!seen) {
        co_await record_after(actor, action, "", command.email, AuditOutcome::failed, seen.error().message);
        co_return replies::api_error(seen.error(), "");
    }
    // Only the databases the asker manages: nobody learns about one they are not on.
    const bool admin = is_admin(actor);
    bool manages_any = false;
    std::vector<const DatabaseSnapshot*> found;
    for (const auto& database : *seen) {
        const Standing asker = standing_of(*database.state, *actor.email);
        if (!admin && asker != Standing::owner && asker != Standing::accepted) continue;
        manages_any = true;
        if (standing_of(*database.state, command.email) != Standing::stranger) found.push_back(database.state.get());
    }
    if (!manages_any) {
        std::string reason = replies::manages_nothing(*actor.email);
        co_await record_after(actor, action, "", command.email, AuditOutcome::denied, reason);
        co_return replies::refused(std::move(reason));
    }
    if (settings_.record_reads) co_await record_after(actor, action, "", command.email, AuditOutcome::allowed);
    co_return replies::access(command.email, found);
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
