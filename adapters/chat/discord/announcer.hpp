#pragma once
// What the bot says in Discord on its own initiative (docs: resources/message "Create Message",
// resources/user "Create DM"): POST /channels/{channel}/messages in a channel or a thread (a thread is
// a channel of its own), and a direct message (POST /users/@me/channels, then a message in the channel
// it gives) to one person. A message is the one an interaction's answer would be (messages.hpp: 2,000
// characters, nobody pinged); a decision card's buttons carry the id its token is kept under on the
// ProposalShelf, so that its click comes back through the Reception like any other.

#include <boost/asio/awaitable.hpp>

#include "adapters/chat/discord/proposal_shelf.hpp"
#include "adapters/chat/discord/rest_client.hpp"
#include "core/ports.hpp"

namespace collab::discord {

class DiscordAnnouncer final : public Announcer {
public:
    DiscordAnnouncer(RestClient& rest, ProposalShelf& shelf) : rest_(rest), shelf_(shelf) {}

    // `forbidden` when Discord says the bot may not post there (Missing Access, Missing Permissions,
    // Unknown Channel).
    boost::asio::awaitable<ApiResult<void>> post(Conversation where, Reply reply) override;
    // `forbidden` as well when the person accepts no direct message from the bot.
    boost::asio::awaitable<ApiResult<void>> tell(Actor person, Reply reply) override;

private:
    RestClient& rest_;
    ProposalShelf& shelf_;
};

// The port's outcome for Discord's refusal of a message or of a direct-message channel.
ApiError announcement_error(const DiscordError& error);

}  // namespace collab::discord
