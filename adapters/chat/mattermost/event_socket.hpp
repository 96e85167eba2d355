#pragma once
// Mattermost's websocket (GET {MATTERMOST_URL}/api/v4/websocket), for where custom slash commands are
// not allowed: a post that begins with @<bot username>, in a channel or a thread, or any post in a
// direct message with the bot, is a command, answered with the same permissions, identities,
// confirmations and visibility as /collab (socket_frames.hpp decodes it; the Outbox posts the answer
// with the REST API, in the thread when the post was in one).
//
// One connection: the upgrade carries `Authorization: Bearer <bot token>` (which lets the server
// resume the connection after a drop) and, right after it, the authentication challenge (which
// authenticates it where a proxy drops the header; the server ignores it otherwise). The `hello` event
// says the bot is in; events are numbered (`seq`), and a reconnection names the last connection and
// the next number expected (?connection_id=…&sequence_number=…) so that the server sends what was
// missed. An event seen again is skipped; a gap is logged and counted. Keep-alive pings go out after
// half the idle timeout of silence; a connection silent for the whole of it is dead. Every way a
// connection ends leads to a new one after a jittered wait that grows, up to a cap, and starts small
// again once a hello came. A connection that ends before its hello may be a refused token: GET
// /api/v4/users/me is asked, and a 401 stops the bot with a message naming MATTERMOST_BOT_TOKEN.
//
// Each post the bot acts on is claimed in the shared store under its id (adapters/chat/intake.hpp):
// several instances each hold their own connection and all receive it, and only the one that claims
// it answers; the slash command server's sweep takes over the work of an instance that died
// (requests.hpp reads it back). Posts the bot leaves alone are not claimed.

#include <spdlog/logger.h>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "adapters/chat/desk.hpp"
#include "adapters/chat/intake.hpp"
#include "adapters/chat/mattermost/rest_client.hpp"
#include "adapters/chat/mattermost/socket_frames.hpp"
#include "adapters/net/retry_machine.hpp"
#include "adapters/net/websocket_client.hpp"
#include "adapters/store/shared_state.hpp"

namespace collab::mattermost {

// Whether [mattermost] websocket leaves the websocket on, and its timings. Inline: the configuration
// reader, built without the adapter, starts from them.
struct EventSocketSettings {
    bool enabled = true;
    std::string server_url;  // MATTERMOST_URL
    std::string bot_token;   // MATTERMOST_BOT_TOKEN
    // Idle 30 s: a ping after 15 s of silence, a dead link after 30 s.
    net::WebSocketOptions websocket;
    // Reconnections: within [0, 1 s] at first, the ceiling doubling each time up to a minute.
    net::BackoffPolicy reconnect{std::chrono::seconds{1}, std::chrono::seconds{60}, 0};
    // Connected but no hello this long after the challenge: the connection is dropped and made again.
    std::chrono::milliseconds hello_timeout{10'000};
    chat::ClaimSettings claims;
};

struct EventSocketCounters {
    long connects = 0;        // connections that got their hello
    long resumes = 0;         // of which the server resumed (the same connection id)
    long posts = 0;           // posted events read
    long mentions = 0;        // posts taken in as commands
    long missed_events = 0;   // gaps in the event numbers
    long skipped_frames = 0;  // malformed, or a post that could not be read
};

class EventSocket {
public:
    // `executor` is the Desk's; `rest` asks who the bot is when it is not known, and whether the
    // server refuses the token. All must outlive run().
    EventSocket(boost::asio::any_io_executor executor, RestClient& rest, chat::Desk& desk, store::SharedState& shared,
                EventSocketSettings settings, std::shared_ptr<spdlog::logger> logger);

    // Runs until stop() (0), or until the server refuses the bot token (1; logged, naming
    // MATTERMOST_BOT_TOKEN). `bot`: the account sign_in found; nothing: asked for first.
    boost::asio::awaitable<int> run(std::optional<BotUser> bot);
    // Closes the connection and ends run(). Posts already taken in still get their answer.
    void stop();
    // After run() and the Desk's drain: waits until the posts taken in are marked done, at most `limit`.
    boost::asio::awaitable<bool> settle(std::chrono::milliseconds limit);

    // For /healthz: why the websocket is not connected; nothing when it is (its hello came).
    std::optional<std::string> link_down() const;
    bool up() const { return up_; }
    const EventSocketCounters& counters() const { return counters_; }

private:
    using Link = std::shared_ptr<net::WebSocketConnection>;
    struct Ending {
        bool greeted = false;
        std::string why;
    };

    // One connection, from the upgrade to its end.
    boost::asio::awaitable<Ending> connection();
    // Whether an event is new: false for one seen already. Follows the numbering across connections.
    bool number(const SocketEvent& event);
    boost::asio::awaitable<void> take_in(boost::json::object data);
    boost::asio::awaitable<bool> pause(std::chrono::milliseconds delay);

    boost::asio::any_io_executor executor_;
    RestClient& rest_;
    chat::Intake intake_;
    EventSocketSettings settings_;
    std::shared_ptr<spdlog::logger> logger_;
    std::optional<BotUser> bot_;
    Link link_;
    boost::asio::steady_timer pause_;
    std::minstd_rand jitter_{std::random_device{}()};
    std::string connection_id_;
    std::int64_t next_seq_ = 0;
    bool up_ = false;
    bool stopping_ = false;
    std::string down_reason_ = "not connected yet";
    EventSocketCounters counters_;
};

}  // namespace collab::mattermost
