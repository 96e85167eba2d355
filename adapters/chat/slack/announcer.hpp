#pragma once
// What the bot says in Slack on its own initiative: chat.postMessage in a channel (or a thread of it),
// and a direct message (conversations.open, then chat.postMessage) to one person.

#include "adapters/chat/slack/web_api.hpp"
#include "core/ports.hpp"

namespace collab::slack {

class SlackAnnouncer final : public Announcer {
public:
    explicit SlackAnnouncer(WebApi& web) : web_(web) {}

    // `forbidden` when Slack says the bot may not post there (not_in_channel, channel_not_found, …).
    boost::asio::awaitable<ApiResult<void>> post(Conversation where, Reply reply) override;
    boost::asio::awaitable<ApiResult<void>> tell(Actor person, Reply reply) override;

private:
    WebApi& web_;
};

// The port's outcome for Slack's refusal of a post.
ApiError announcement_error(const SlackError& error);

}  // namespace collab::slack
