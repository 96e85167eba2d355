#pragma once
// Slack Socket Mode: a few websockets on which Slack pushes envelopes, each acknowledged in time.
//
// Each of the configured sockets (1 to 10; Slack hands every envelope to one of them) lives in its
// own loop: ask apps.connections.open for a fresh URL, connect, wait for `hello`, then read frames
// until the socket ends, and start over. What happens when (refreshes, refusals, pauses) is decided
// by the pure machine of connection_machine.hpp; this client carries it out and logs it. The
// websocket's idle timeout is the watchdog: a socket silent that long is replaced.
//
// Slash commands, clicks and the Events API's message events (mentions of the bot, direct messages)
// are taken in. What an envelope asks for is decoded (interactions.hpp) and handed to the Intake, the part every
// chat platform shares (adapters/chat/intake.hpp): envelope ids are claimed before they are
// acknowledged, so a re-delivery is acknowledged but not carried out twice, and the work of an
// instance that died is taken over.

#include <spdlog/logger.h>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "adapters/chat/ack_latency.hpp"
#include "adapters/chat/claims.hpp"
#include "adapters/chat/desk.hpp"
#include "adapters/chat/intake.hpp"
#include "adapters/chat/slack/blocks.hpp"
#include "adapters/chat/slack/connection_machine.hpp"
#include "adapters/chat/slack/envelope.hpp"
#include "adapters/chat/slack/web_api.hpp"
#include "adapters/net/backoff.hpp"
#include "adapters/net/gate.hpp"
#include "adapters/net/task_group.hpp"
#include "adapters/net/websocket_client.hpp"
#include "adapters/observability/metrics.hpp"
#include "adapters/store/shared_state.hpp"

namespace collab::slack {

struct SocketModeSettings {
    int connections = 1;  // sockets held at once, 1 to 10
    net::WebSocketOptions websocket;
    net::BackoffPolicy reconnect{std::chrono::seconds{1}, std::chrono::seconds{30}, 0};
    std::chrono::seconds ratelimited_wait{30};  // apps.connections.open refused for the rate, no Retry-After
    // How long a socket being closed (replaced, or at shutdown) waits for the answers to the
    // envelopes it carried, so that they still travel in their acknowledgements.
    std::chrono::milliseconds close_grace{3'000};
    bool debug_reconnects = false;  // asks Slack to recycle sockets every 360 s (to exercise reconnection)
    chat::ClaimSettings claims;     // of the envelopes taken in
    // An acknowledgement sent this long after its envelope arrived may reach Slack after it stopped
    // waiting (3 s): its answer also travels through response_url.
    std::chrono::milliseconds late_after{2'500};
};

struct SocketModeCounters {
    long connects = 0;        // sockets that said hello
    long envelopes = 0;       // envelopes carried out
    long redeliveries = 0;    // envelopes seen again, acknowledged only
    long takeovers = 0;       // envelopes another instance took in and died on, finished here
    long skipped_frames = 0;  // malformed, unknown or oversize
    long disconnects = 0;     // disconnect frames of any reason
};

class SocketModeClient {
public:
    SocketModeClient(boost::asio::any_io_executor executor, WebApi& web, chat::Desk& desk, store::SharedState& shared,
                     SocketModeSettings settings, std::shared_ptr<spdlog::logger> logger);

    // Runs until stop() or a fatal refusal. 0 after stop(); 1 when Slack made it stop (the reason
    // is logged): link_disabled, a refused token, every socket refused as one too many.
    boost::asio::awaitable<int> run();

    // Closes the sockets politely and ends run(). Envelopes already taken in still get their answer.
    void stop();
    // After run() and the Desk's drain: waits until the envelopes taken in are marked done in the
    // shared state, at most `limit` (see chat::Claims::settle).
    boost::asio::awaitable<bool> settle(std::chrono::milliseconds limit);

    // The bot's own user id (auth.test's), once known: its mention is taken off the messages that
    // address it, and its own messages are never taken for commands. Called on the client's executor.
    void identify(std::string bot_user_id);

    // Records the acknowledgement latency of every envelope into the registry from now on, as Slack's.
    void measure_into(observability::Registry& metrics);

    // Sockets that said hello and are still open.
    int sockets_up() const { return sockets_up_; }
    SocketModeCounters counters() const;

private:
    using Link = std::shared_ptr<net::WebSocketConnection>;

    // Each step of a socket's life (connection_machine.hpp) returns what the machine says next.
    boost::asio::awaitable<void> keep_socket(int slot);
    boost::asio::awaitable<ConnectionAction> open_url(int slot, ConnectionState& state, std::string& url);
    boost::asio::awaitable<ConnectionAction> connect(int slot, ConnectionState& state, std::string url, Link& link);
    boost::asio::awaitable<ConnectionAction> read_frames(Link link, int slot, ConnectionState& state);
    // Reads a socket set aside until it ends.
    boost::asio::awaitable<void> read_set_aside(Link link, int slot);
    // Says why a slot or a socket set aside ended, and fails the client when Slack will not serve it.
    void ended(int slot, const ConnectionAction& action);
    void forget(const Link& link);
    // The claim's key, work and attempt of an envelope.
    chat::Arrival arrival_of(const Envelope& envelope) const;
    // Hands every envelope read to the Intake, a slash command to take_in_command, any other to
    // take_in. Each acknowledges its envelope with what comes back; a repeat is only acknowledged.
    void hand_on(const Link& link, Envelope envelope);
    boost::asio::awaitable<void> take_in(Link link, Envelope envelope);
    boost::asio::awaitable<void> take_in_command(Link link, chat::Arrival arrival, chat::CommandRequest request);
    // The gate of the envelopes `link` carries that are not acknowledged yet.
    std::shared_ptr<net::Gate> unanswered(const Link& link);
    // Closes `link` once those envelopes are acknowledged, or after close_grace.
    boost::asio::awaitable<void> close_link(Link link, std::string reason);
    // Waits unless the client stops first; false then.
    boost::asio::awaitable<bool> pause(std::chrono::milliseconds delay);
    void fail(std::string why);

    boost::asio::any_io_executor executor_;
    WebApi& web_;
    chat::Intake intake_;
    MessageForms forms_;
    SocketModeSettings settings_;
    ConnectionRules connection_rules_;
    std::shared_ptr<spdlog::logger> logger_;
    std::minstd_rand jitter_{std::random_device{}()};
    std::list<Link> links_;       // every socket that said hello and is open, replaced ones included
    std::list<Link> connecting_;  // sockets waiting for their hello
    // Envelopes being worked on, by socket: a socket is closed once they are acknowledged.
    std::map<const net::WebSocketConnection*, std::shared_ptr<net::Gate>> unanswered_;
    std::list<boost::asio::steady_timer*> pauses_;
    net::TaskGroup tasks_;  // socket loops and the claims' sweep
    int sockets_running_ = 0;
    int sockets_up_ = 0;
    bool stopping_ = false;
    bool failed_ = false;
    SocketModeCounters counters_;
    std::string bot_user_id_;
    chat::AckLatency ack_latency_;
};

}  // namespace collab::slack
