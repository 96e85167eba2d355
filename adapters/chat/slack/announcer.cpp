#include "adapters/chat/slack/announcer.hpp"

#include <array>
#include <string_view>

#include "adapters/chat/slack/blocks.hpp"

namespace collab::slack {
namespace asio = boost::asio;

ApiError announcement_error(const SlackError& error) {
    // The bot is not a member of the channel, the channel is gone or archived, or the bot may not write there.
    constexpr std::array<std::string_view, 5> not_here{"not_in_channel", "channel_not_found", "is_archived",
                                                       "restricted_action", "cannot_dm_bot"};
    for (std::string_view code : not_here)
        if (error.error == code)
            return ApiError{ApiErrorKind::forbidden, "Slack does not let the bot post there (" + error.error + ")."};
    if (error.error == "ratelimited")
        return ApiError{ApiErrorKind::rate_limited, "Slack asked the bot to slow down.", error.retry_after};
    return ApiError{ApiErrorKind::transient, "Slack did not take the message (" + error.error + ")."};
}

asio::awaitable<ApiResult<void>> SlackAnnouncer::post(Conversation where, Reply reply) {
    boost::json::object message = to_message(reply, chat::Visibility::in_channel);
    if (!where.thread.empty()) message["thread_ts"] = where.thread;
    auto posted = co_await web_.post_message(where.channel, std::move(message));
    if (!posted) co_return std::unexpected(announcement_error(posted.error()));
    co_return ApiResult<void>{};
}

asio::awaitable<ApiResult<void>> SlackAnnouncer::tell(Actor person, Reply reply) {
    auto direct = co_await web_.open_direct(person.user_id);
    if (!direct) co_return std::unexpected(announcement_error(direct.error()));
    Conversation where{person.platform, person.team, *direct};
    co_return co_await post(std::move(where), std::move(reply));
}

}  // namespace collab::slack
