// Access requests (access_request.hpp) in the CommandService: asking, and approving or denying.

#include "core/replies.hpp"
#include "core/service.hpp"

namespace collab {
namespace asio = boost::asio;

asio::awaitable<SharedReply> CommandService::execute(Context& context, const RequestCommand& command) {
    Actor& actor = context.actor;
    constexpr std::string_view action = RequestCommand::name;
    // Named: g++ 12 destroys a temporary passed to a coroutine twice.
    const Command requested{command};
    auto state = co_await admit(actor, requested);
    if (!state) co_return state.error();
    const std::string& database = command.database;
    const std::string email = actor.email.value_or("");

    // The card goes where the database is managed: a bound channel (the requester's own first), else
    // here when this channel may manage it; nowhere when no channel may.
    const auto bound = bound_channels(actor, database, settings_.rules);
    if (bound.empty() && !channel_may_manage(actor, database, settings_.rules)) {
        std::string reason = replies::no_channel_for_request(database);
        co_await record_after(actor, action, database, email, AuditOutcome::denied, reason);
        co_return replies::refused(std::move(reason));
    }
    const std::string card_channel = bound.empty() ? actor.channel : bound.front();
    const bool here = card_channel == actor.channel;
    if (!here && announcer_ == nullptr) {
        Reply not_posted =
            replies::request_not_posted(channel_mention(actor.platform, card_channel), "the bot cannot post there");
        std::string reason = plain_line_text(not_posted.lines[0]);
        co_await record_after(actor, action, database, email, AuditOutcome::failed, std::move(reason));
        co_return not_posted;
    }

    const TimePoint now = clock_.now();
    RequestClaims claims{actor.platform, actor.team,    actor.user_id,
                         actor.name,     actor.channel, email,
                         database,       card_channel,  now + settings_.request_ttl};
    // One open request per database per person, whichever instance is asked.
    std::string key = open_request_key(actor, database);
    TokenUse use{now, email};
    const TimePoint keep_until = claims.expires_at;
    auto earlier = co_await used_.use_once(key, std::move(use), keep_until);
    if (!earlier) {
        std::string reason = replies::use_unknown(earlier.error().message);
        co_await record_after(actor, action, database, email, AuditOutcome::failed, reason);
        co_return replies::failed(std::move(reason));
    }
    if (*earlier) {
        std::string reason = replies::request_open(database, **earlier, (*earlier)->at + settings_.request_ttl);
        co_await record_after(actor, action, database, email, AuditOutcome::denied, reason);
        co_return replies::refused(std::move(reason));
    }
    // Named: g++ 12 destroys a temporary passed to a coroutine twice.
    std::string posted_where = here ? std::string() : "card posted in " + card_channel;
    if (!co_await record(actor, action, database, email, AuditOutcome::proposed, std::move(posted_where))) {
        co_await used_.forget(std::move(key));
        co_return replies::failed(replies::request_decision_unrecorded());
    }
    Reply card = replies::request_card(claims, issue_request_token(signer_, claims));
    if (here) co_return card;

    Conversation where{actor.platform, actor.team, card_channel};
    Conversation linked = where;
    auto posted = co_await announcer_->post(std::move(where), std::move(card));
    if (!posted) {
        // Nobody can answer a card that is not there: the person may ask again at once.
        co_await used_.forget(std::move(key));
        // Named by its id: a platform that could not take the post is not asked for the channel's name.
        Reply not_posted =
            replies::request_not_posted(channel_mention(actor.platform, card_channel), posted.error().message);
        std::string reason = plain_line_text(not_posted.lines[0]);
        co_await record_after(actor, action, database, email, AuditOutcome::failed, std::move(reason));
        co_return not_posted;
    }
    co_return replies::request_posted(database, co_await announcer_->link_to(std::move(linked)), claims.expires_at);
}

asio::awaitable<SharedReply> CommandService::execute(Context& context, const ApproveCommand& command) {
    context.request = read_request_token(signer_, command.token);
    co_return co_await decide_request(context, true);
}

asio::awaitable<SharedReply> CommandService::execute(Context& context, const DenyCommand& command) {
    context.request = read_request_token(signer_, command.token);
    co_return co_await decide_request(context, false);
}

asio::awaitable<Reply> CommandService::decide_request(Context& context, bool approve) {
    Actor& actor = context.actor;
    const std::string_view action = approve ? ApproveCommand::name : DenyCommand::name;
    // Until the decision is taken, whatever is said is for the person deciding alone: the card stays.
    context.settles_card = false;
    if (auto unknown = co_await identify(actor)) co_return *unknown;
    if (!context.request) {
        std::string reason = replies::request_token_not_valid();
        co_await record_after(actor, action, "", "", AuditOutcome::denied, reason);
        co_return replies::refused(std::move(reason));
    }
    const RequestClaims& claims = *context.request;
    const auto refuse = [&](std::string reason) -> asio::awaitable<Reply> {
        co_await record_after(actor, action, claims.database, claims.email, AuditOutcome::denied, reason);
        co_return replies::refused(std::move(reason));
    };
    // Reasons are named before they are passed: g++ 12 destroys a temporary passed to a coroutine twice.
    if (!actor.email) {
        std::string reason = replies::identity_not_linked(actor);
        co_return co_await refuse(std::move(reason));
    }
    if (actor.platform != claims.platform || actor.team != claims.team || actor.channel != claims.card_channel) {
        std::string reason = replies::request_posted_elsewhere();
        co_return co_await refuse(std::move(reason));
    }
    auto state = co_await api_.snapshot(claims.database);
    if (!state) {
        co_await record_after(actor, action, claims.database, claims.email, AuditOutcome::failed,
                              state.error().message);
        co_return replies::api_error(state.error(), claims.database);
    }
    if (Decision standing = may_decide(actor, *state->state, settings_.rules); !standing.allowed)
        co_return co_await refuse(std::move(standing.reason));

    // From here on the outcome takes the card's place.
    context.settles_card = true;
    const TimePoint now = clock_.now();
    if (now >= claims.expires_at) {
        std::string expired = "the request had expired";
        co_await record_after(actor, action, claims.database, claims.email, AuditOutcome::denied, std::move(expired));
        co_return replies::request_expired(claims);
    }
    // Given access since (`add`, another request, or this one decided before a restart): nothing left to decide.
    if (standing_of(*state->state, claims.email) != Standing::stranger) {
        const Collaborator* collaborator = find_collaborator(*state->state, claims.email);
        std::string note = collaborator
                               ? replies::already_collaborator(claims.email, claims.database, collaborator->status)
                               : replies::already_owner(claims.email, claims.database);
        co_await record_after(actor, action, claims.database, claims.email, AuditOutcome::allowed, note);
        co_return replies::one_line(ReplyKind::result, LineStyle::plain, std::move(note));
    }
    // Decided once, whoever clicks first and wherever.
    std::string key = decision_key(claims);
    TokenUse use{now, *actor.email};
    const TimePoint keep_until = claims.expires_at;
    auto earlier = co_await used_.use_once(key, std::move(use), keep_until);
    // A resumed click finds the mark of its own first attempt, whose instance died.
    const bool decided_before = earlier && *earlier && !context.resumed;
    if (!earlier || decided_before) context.settles_card = false;
    if (!earlier) {
        std::string reason = replies::use_unknown(earlier.error().message);
        co_await record_after(actor, action, claims.database, claims.email, AuditOutcome::failed, reason);
        co_return replies::failed(std::move(reason));
    }
    if (decided_before) {
        std::string reason = replies::request_already_decided(**earlier);
        co_return co_await refuse(std::move(reason));
    }

    const std::string requested_by = "requested by " + qualified_user(requester_of(claims));
    if (!approve) {
        co_await record_after(actor, action, claims.database, claims.email, AuditOutcome::executed, requested_by);
        Reply notice = replies::request_denied_notice(actor, claims);
        co_await tell_requester(claims, std::move(notice));
        co_return replies::request_denied(actor, claims);
    }
    if (!co_await record(actor, action, claims.database, claims.email, AuditOutcome::confirmed, requested_by)) {
        context.settles_card = false;
        co_await used_.forget(std::move(key));
        co_return replies::failed(replies::request_decision_unrecorded());
    }
    auto invited = co_await api_.invite(claims.database, claims.email);
    if (!invited && invited.error().kind != ApiErrorKind::already_member) {
        // Nothing changed: the card stays, and may be approved again.
        context.settles_card = false;
        co_await used_.forget(std::move(key));
        co_await record_after(actor, action, claims.database, claims.email, AuditOutcome::failed,
                              invited.error().message);
        co_return replies::api_error(invited.error(), claims.database);
    }
    if (!invited) {
        // Invited in the meantime (by `add`, or another request): nothing more to do.
        std::string note = replies::already_collaborator(claims.email, claims.database);
        co_await record_after(actor, action, claims.database, claims.email, AuditOutcome::allowed, note);
        co_return replies::one_line(ReplyKind::result, LineStyle::plain, std::move(note));
    }
    co_await record_after(actor, action, claims.database, claims.email, AuditOutcome::executed, requested_by);
    Reply notice = replies::request_approved_notice(actor, claims);
    co_await tell_requester(claims, std::move(notice));
    co_return replies::request_approved(actor, claims);
}

asio::awaitable<void> CommandService::tell_requester(const RequestClaims& claims, Reply reply) {
    // In the requester's channel the card's replacement names them already.
    if (claims.channel == claims.card_channel || announcer_ == nullptr) co_return;
    Actor requester = requester_of(claims);
    // Best effort: the decision stands whether or not the message reaches them.
    co_await announcer_->tell(std::move(requester), std::move(reply));
}

}  // namespace collab
