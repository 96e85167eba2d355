#include "adapters/chat/discord/announcer.hpp"

#include "adapters/chat/discord/messages.hpp"

namespace collab::discord {
namespace asio = boost::asio;

namespace {

// Discord's JSON error codes (docs: topics/opcodes-and-status-codes) for "not there, not for the bot".
constexpr int unknown_channel = 10003;
constexpr int missing_access = 50001;
constexpr int cannot_message_user = 50007;
constexpr int missing_permissions = 50013;

}  // namespace

ApiError announcement_error(const DiscordError& error) {
    const std::string said = ": Discord answered " + error.message;
    switch (error.code) {
        case missing_access: return ApiError{ApiErrorKind::forbidden, "the bot may not see that channel" + said};
        case missing_permissions:
            return ApiError{ApiErrorKind::forbidden, "the bot may not send messages in that channel" + said};
        case unknown_channel: return ApiError{ApiErrorKind::forbidden, "there is no such channel" + said};
        case cannot_message_user:
            return ApiError{ApiErrorKind::forbidden, "that person takes no direct message from the bot" + said};
        default: break;
    }
    if (error.status == 429)
        return ApiError{ApiErrorKind::rate_limited, "Discord asked the bot to slow down", error.retry_after};
    if (error.status == 401) return ApiError{ApiErrorKind::unauthorized, "Discord refused the bot token"};
    // No answer at all: the REST client says "timeout" for a request that ran out of time.
    if (error.status == 0 && error.message == "timeout")
        return ApiError{ApiErrorKind::timeout, "Discord did not answer in time"};
    return ApiError{ApiErrorKind::transient, "Discord did not take the message" + said};
}

asio::awaitable<ApiResult<void>> DiscordAnnouncer::post(Conversation where, Reply reply) {
    std::string proposal_id;
    if (reply.proposal) {
        std::string token = reply.proposal->token;
        auto kept = co_await shelf_.put_away(std::move(token), reply.proposal->expires_at);
        // A card whose buttons lead nowhere asks for a decision nobody can give: not posted.
        if (!kept) co_return std::unexpected(kept.error());
        proposal_id = std::move(*kept);
    }
    boost::json::object message = message_of(reply, chat::Visibility::in_channel, proposal_id);
    std::string channel = where.thread.empty() ? std::move(where.channel) : std::move(where.thread);
    auto posted = co_await rest_.create_message(std::move(channel), std::move(message));
    if (!posted) co_return std::unexpected(announcement_error(posted.error()));
    co_return ApiResult<void>{};
}

asio::awaitable<ApiResult<void>> DiscordAnnouncer::tell(Actor person, Reply reply) {
    auto direct = co_await rest_.open_direct(person.user_id);
    if (!direct) co_return std::unexpected(announcement_error(direct.error()));
    Conversation where{person.platform, person.team, std::move(*direct)};
    co_return co_await post(std::move(where), std::move(reply));
}

}  // namespace collab::discord
