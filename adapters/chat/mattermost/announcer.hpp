#pragma once
// What the bot says in Mattermost on its own initiative: a post in a channel (or a thread of it), and a
// direct message to one person (POST /api/v4/channels/direct, then a post there), through the REST
// client (its timeouts, its 429 waits). A reply is rendered as the command server renders replies
// (messages.hpp); a card that asks for a decision carries the same buttons as a proposal, so that its
// click comes back to the bot's /mattermost/action and is decided like any other.
//
// The server refuses a post with 403 api.context.permissions.app_error where the bot lacks create_post
// (a private channel it is not in, a channel that does not exist), 400 for an archived channel or a
// restricted direct message, 404 when the channel is gone: each is the port's `forbidden`.

#include <optional>
#include <string>

#include "adapters/chat/mattermost/rest_client.hpp"
#include "core/ports.hpp"

namespace collab::mattermost {

class MattermostAnnouncer final : public Announcer {
public:
    // `action_url`: where the buttons of a card post their clicks (the command server's action URL).
    MattermostAnnouncer(RestClient& rest, std::string action_url);

    // The bot's own user id (from the sign-in), which a direct message channel is opened with; until
    // it is known, the first direct message asks the server (GET /api/v4/users/me).
    void identify(std::string bot_user_id) { bot_user_id_ = std::move(bot_user_id); }

    boost::asio::awaitable<ApiResult<void>> post(Conversation where, Reply reply) override;
    boost::asio::awaitable<ApiResult<void>> tell(Actor person, Reply reply) override;
    // Mattermost links a channel by its name (~name): asked of the server, the id when it does not say.
    boost::asio::awaitable<Mention> link_to(Conversation where) override;

private:
    RestClient& rest_;
    std::string action_url_;
    std::optional<std::string> bot_user_id_;
};

// The port's outcome for Mattermost's refusal of a post or of a direct message channel.
ApiError announcement_error(const MattermostError& error);

}  // namespace collab::mattermost
