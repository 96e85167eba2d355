#include "adapters/chat/mattermost/announcer.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "adapters/chat/mattermost/messages.hpp"

namespace collab::mattermost {
namespace asio = boost::asio;

ApiError announcement_error(const MattermostError& error) {
    // A 400 that says the channel cannot take posts: archived, or a direct message the server restricts.
    constexpr std::array<std::string_view, 2> closed{"api.post.create_post.can_not_post_to_deleted.error",
                                                     "api.post.create_post.can_not_post_in_restricted_dm.error"};
    const bool closed_channel =
        error.status == 400 && std::find(closed.begin(), closed.end(), error.id) != closed.end();
    if (error.status == 403 || error.status == 404 || closed_channel)
        return ApiError{ApiErrorKind::forbidden, "Mattermost does not let the bot post there (" + error.message + ")."};
    if (error.status == 429)
        return ApiError{ApiErrorKind::rate_limited, "Mattermost asked the bot to slow down.", error.retry_after};
    if (error.status == 0 && error.message == "timeout")
        return ApiError{ApiErrorKind::timeout, "Mattermost did not answer in time."};
    return ApiError{ApiErrorKind::transient, "Mattermost did not take the message (" + error.message + ")."};
}

MattermostAnnouncer::MattermostAnnouncer(RestClient& rest, std::string action_url)
    : rest_(rest), action_url_(std::move(action_url)) {}

asio::awaitable<ApiResult<void>> MattermostAnnouncer::post(Conversation where, Reply reply) {
    boost::json::object message = bot_post(reply, where.channel, where.thread, action_url_, where.team);
    auto posted = co_await rest_.create_post(std::move(message));
    if (!posted) co_return std::unexpected(announcement_error(posted.error()));
    co_return ApiResult<void>{};
}

asio::awaitable<ApiResult<void>> MattermostAnnouncer::tell(Actor person, Reply reply) {
    if (!bot_user_id_) {
        auto bot = co_await rest_.bot_user();
        if (!bot) co_return std::unexpected(announcement_error(bot.error()));
        bot_user_id_ = bot->id;
    }
    auto direct = co_await rest_.open_direct(*bot_user_id_, person.user_id);
    if (!direct) co_return std::unexpected(announcement_error(direct.error()));
    // A direct channel belongs to no team.
    Conversation where{person.platform, "", *direct};
    co_return co_await post(std::move(where), std::move(reply));
}

asio::awaitable<Mention> MattermostAnnouncer::link_to(Conversation where) {
    auto name = co_await rest_.channel_name(where.channel);
    co_return channel_mention(std::move(where.platform), std::move(where.channel), name ? std::move(*name) : "");
}

}  // namespace collab::mattermost
