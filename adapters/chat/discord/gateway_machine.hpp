#pragma once
// The life cycle of one Discord gateway connection (one shard) as a pure state machine: no I/O, no
// clock, no randomness, no logging. The gateway client tells it what happened (a frame, a timer, the
// socket) and does what it says, logging according to the action. Interactions themselves are the
// client's business: the machine only keeps their sequence numbers.
//
// Discord's rules (docs: events/gateway, topics/opcodes-and-status-codes):
// - GET /gateway/bot gives the URL; a connection says Hello (op 10) with the heartbeat interval;
//   the first heartbeat (op 1, the last sequence number) goes after interval × random(0..1), the
//   next ones every interval; Discord answers each with an ACK (op 11), and asks for one at once
//   with its own op 1;
// - no ACK between two heartbeats: the connection is a zombie. It is closed with a code other than
//   1000/1001 (so that the session lives on) and the session resumed on a new one;
// - a new session identifies (op 2) and gets READY (session_id, resume_gateway_url); a resumed one
//   sends Resume (op 6) on resume_gateway_url and gets the missed events, then RESUMED;
// - Reconnect (op 7), a drop, a resumable close code and Invalid Session (op 9) with d:true resume;
//   op 9 with d:false identifies anew on a new connection after 1–5 s, as do close codes 4007
//   (invalid sequence) and 4009 (session timed out);
// - close codes 4004 and 4010–4014 are fatal: no reconnection can help, the bot stops and says
//   what to fix (fatal_close_advice);
// - connections that keep failing before READY/RESUMED back off, jittered, so that a broken set-up
//   does not spend the 1,000 identifies a day.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/net/retry_machine.hpp"

namespace collab::discord {

struct GatewayRules {
    net::BackoffPolicy reconnect{std::chrono::milliseconds{1'000}, std::chrono::milliseconds{60'000}, 0};
    // GET /gateway/bot refused for the rate without a retry_after.
    std::chrono::milliseconds rate_limited_wait{5'000};
    // Discord asks for a random wait of 1 to 5 s before identifying anew after Invalid Session.
    net::WaitRange invalid_session_wait{std::chrono::milliseconds{1'000}, std::chrono::milliseconds{5'000}};
};

// Our own close code when the session must live on (any but 1000 and 1001 keeps it resumable).
inline constexpr std::uint16_t resumable_close_code = 4000;
// On stop: the session ends with the connection.
inline constexpr std::uint16_t final_close_code = 1000;

enum class GatewayPhase {
    fetching,     // asking GET /gateway/bot for the URL
    connecting,   // opening the websocket
    hello_wait,   // connected, waiting for Hello
    identifying,  // Identify sent, waiting for READY
    resuming,     // Resume sent, waiting for RESUMED
    ready,        // events flow
    ended,
};

struct GatewaySession {
    std::string id;          // READY's session_id; empty: none to resume
    std::string resume_url;  // READY's resume_gateway_url
    bool operator==(const GatewaySession&) const = default;
};

struct GatewayState {
    GatewayPhase phase = GatewayPhase::fetching;
    GatewaySession session{};
    std::optional<std::int64_t> sequence;  // the last dispatch's `s`: sent with heartbeats and Resume
    std::chrono::milliseconds heartbeat_interval{0};
    bool ack_pending = false;  // a heartbeat went out and its ACK has not come back
    int attempts = 0;          // connections lost or refused since the last READY/RESUMED
    bool operator==(const GatewayState&) const = default;
};

enum class GatewayEventKind {
    url_fetched,        // GET /gateway/bot answered
    url_failed,         // it did not
    connected,          // the websocket is open
    connect_failed,     // it could not be opened
    hello,              // op 10
    heartbeat_due,      // the heartbeat timer fired
    heartbeat_ack,      // op 11
    heartbeat_request,  // op 1 from Discord
    ready,              // dispatch READY
    resumed,            // dispatch RESUMED
    dispatch,           // any other dispatch (op 0): INTERACTION_CREATE, …
    reconnect,          // op 7
    invalid_session,    // op 9
    closed,             // the connection ended: a close frame from Discord, or a drop
    stopped,            // the bot stops
};

struct GatewayEvent {
    GatewayEventKind kind = GatewayEventKind::stopped;
    std::optional<std::int64_t> sequence = std::nullopt;                  // ready, resumed, dispatch: the frame's `s`
    std::chrono::milliseconds heartbeat_interval{0};                      // hello
    GatewaySession session{};                                             // ready
    bool resumable = false;                                               // invalid_session: its `d`
    std::uint16_t close_code = 0;                                         // closed: Discord's close code; 0 for a drop
    bool token_refused = false;                                           // url_failed: 401, the token itself
    bool rate_limited = false;                                            // url_failed: 429
    std::optional<std::chrono::milliseconds> retry_after = std::nullopt;  // url_failed, rate_limited
};

enum class GatewaySend { nothing, identify, resume, heartbeat };

enum class GatewayStep {
    read,         // keep reading the connection
    fetch_url,    // GET /gateway/bot, after `wait` if any
    connect,      // open a websocket to `target`, after `wait` if any
    stop_client,  // no reconnection can help: the bot stops, saying why (fatal_close_advice, token_refused)
    end,          // the machine is done (stopped, or a fault of the client)
};

enum class GatewayTarget { gateway, resume };  // GET /gateway/bot's URL, or READY's resume_gateway_url

enum class GatewayEnding { none, stopped, fatal_close, token_refused, out_of_order };

struct GatewayAction {
    // First: close the current connection with this code, when one is open.
    std::optional<std::uint16_t> close = std::nullopt;
    // Then send this frame on it (built from the state: the sequence, the session).
    GatewaySend send = GatewaySend::nothing;
    // (Re)arm the heartbeat timer for a wait drawn from this range; the timer stops with the connection.
    std::optional<net::WaitRange> heartbeat = std::nullopt;
    GatewayStep step = GatewayStep::read;
    GatewayTarget target = GatewayTarget::gateway;      // connect
    std::optional<net::WaitRange> wait = std::nullopt;  // fetch_url, connect: pause first
    GatewayEnding why = GatewayEnding::none;            // stop_client, end
    bool operator==(const GatewayAction&) const = default;
};

GatewayAction next(const GatewayRules& rules, GatewayState& state, const GatewayEvent& event);

// A close code after which no reconnection can help (4004, 4010–4014).
bool fatal_close(std::uint16_t code);
// For an admin: what a fatal close code means and what to fix; empty for any other code.
std::string_view fatal_close_advice(std::uint16_t code);

}  // namespace collab::discord
