#pragma once
// Mattermost's side of the chat contract (adapters/chat/desk.hpp): the Desk's answers encoded as
// Mattermost messages (messages.hpp) and carried the way the server takes them.
//
// - A command's reply after the placeholder goes through its response_url, which the server takes at
//   most 5 times within 30 minutes (app/command.go: TryUse(hook, 5)); past that, or when the server
//   refuses it, through the REST API as the bot (POST /posts, /posts/ephemeral). The placeholder
//   stays: Mattermost cannot replace an ephemeral message. A response_url on another server than
//   MATTERMOST_URL's (scheme, host and port) is never used: a request naming one is answered in its
//   response and, later, through the REST API.
// - A click is answered in the response to the click itself ({"update"}, {"ephemeral_text"}): the
//   server waits for it. The action endpoint registers the click here (expect_click) before handing
//   it to the Desk and takes the answer the Desk made of it (take_click). The proposal's update is
//   seen by the whole channel, so an in-channel announcement of the same outcome is not posted again.
//   A click no connection waits for (one taken over from an instance that died) is answered through
//   the REST API.
// - A command typed as a post (a mention, a direct message: event_socket.hpp) has no response_url: its
//   answer is posted with the REST API, in the post's thread when it was in one, and in a direct
//   message as a post rather than an ephemeral message.
// Called only on the Desk's executor.

#include <spdlog/logger.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "adapters/chat/desk.hpp"
#include "adapters/chat/mattermost/rest_client.hpp"
#include "core/form_cache.hpp"

namespace collab::mattermost {

// The answer to a click, as the Desk made it.
struct ClickAnswer {
    std::optional<Reply> update;     // replaces the proposal
    std::optional<Reply> ephemeral;  // for the clicker alone
};

struct OutboxCounters {
    long response_url_used_up = 0;   // replies sent through the REST API instead
    long foreign_response_urls = 0;  // response_urls refused: not on MATTERMOST_URL's server
    long delivery_failures = 0;      // replies neither route could deliver
};

class MattermostOutbox : public chat::Outbox {
public:
    MattermostOutbox(RestClient& rest, std::shared_ptr<spdlog::logger> logger);

    // Where the proposals' buttons post their clicks: the bot's public /mattermost/action URL.
    void set_action_url(std::string url) { action_url_ = std::move(url); }
    const std::string& action_url() const { return action_url_; }

    // The answer a command's reply travels in (the response or its response_url).
    boost::json::object encode(const chat::Origin& origin, const chat::Answer& answer) const;
    // The same as JSON text, as a command's HTTP response carries it. Kept per reply key and
    // visibility unless it holds a proposal: a `list` or `help` repeated while its subject is unchanged
    // is not rendered again. On the Desk's executor only.
    std::shared_ptr<const std::string> encoded(const chat::Origin& origin, const chat::Answer& answer);

    // False when a delivery of the same click already waits for its answer: that one takes it.
    bool expect_click(const std::string& id);
    ClickAnswer take_click(const std::string& id);

    boost::asio::awaitable<void> complete(const chat::Origin& origin, chat::Answer answer) override;
    boost::asio::awaitable<void> deliver(const chat::Origin& origin, chat::Answer answer) override;
    boost::asio::awaitable<void> replace_proposal(const chat::Origin& origin, Reply reply) override;
    boost::asio::awaitable<void> post_beside(const chat::Origin& origin, chat::Answer answer) override;

    const OutboxCounters& counters() const { return counters_; }

private:
    // Through the response_url while it lasts, else the REST API.
    boost::asio::awaitable<void> send(const chat::Origin& origin, chat::Answer answer);
    boost::asio::awaitable<void> post(const chat::Origin& origin, chat::Answer answer);
    // Counts one use of the response_url; false when it is used up or expired.
    bool use_response_url(const std::string& url);

    struct Uses {
        int count = 0;
        std::chrono::steady_clock::time_point first;
    };

    RestClient& rest_;
    std::shared_ptr<spdlog::logger> logger_;
    std::string action_url_;
    std::map<std::string, ClickAnswer> clicks_;
    std::map<std::string, Uses> response_urls_;
    FormCache<std::string> forms_;
    OutboxCounters counters_;
};

}  // namespace collab::mattermost
