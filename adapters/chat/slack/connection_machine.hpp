#pragma once
// The life cycle of one Socket Mode socket as a pure state machine: no I/O, no clock, no randomness,
// no logging. SocketModeClient tells it what happened to the socket and does what it says, logging
// according to the action.
//
// A socket is opened (apps.connections.open gives a URL), connected (Slack says hello) and read
// until it ends; then a new one is opened:
// - a socket lost right away is reopened after a growing, jittered pause (a socket that keeps dying
//   right after hello must not turn into a reconnection loop); one up for long starts the count over;
// - Slack's `warning` and `refresh_requested` (or any other disconnect reason) on an open socket set
//   it aside, still read, while its replacement is opened; it is closed once the replacement said
//   hello (or the slot ends), so nothing is missed;
// - `too_many_websockets` ends the slot; when it refuses a replacement, the socket set aside is
//   closed first and the replacement opened again (it was taking the last place Slack allows);
// - `link_disabled`, or apps.connections.open refusing the app token, stops the whole client: no
//   retry can help;
// - apps.connections.open refused for the rate is tried again after Slack's Retry-After (or the
//   configured wait), other failures to open or connect after the backoff;
// - a socket set aside is read until it ends, which needs no action; a disconnect on it is told
//   like one on an open socket, except that a refresh asks for nothing more.

#include <chrono>
#include <optional>

#include "adapters/chat/slack/envelope.hpp"
#include "adapters/net/retry_machine.hpp"

namespace collab::slack {

// SocketModeSettings' reconnect and ratelimited_wait, and a rule of the machine's own.
struct ConnectionRules {
    net::BackoffPolicy reconnect;
    // apps.connections.open refused for the rate without a Retry-After.
    std::chrono::milliseconds ratelimited_wait{};
    // A socket lost after it was up this long starts the count of quick losses over.
    std::chrono::milliseconds steady_after{30'000};
};

enum class ConnectionPhase {
    opening,     // asking apps.connections.open for a URL
    connecting,  // connecting to it, waiting for hello
    up,          // reading frames
    set_aside,   // being replaced: still read until it ends
    ended,
};

struct ConnectionState {
    ConnectionPhase phase = ConnectionPhase::opening;
    int attempts = 0;        // failed tries to open and connect since the last hello
    int quick_losses = 0;    // sockets lost soon after their hello, in a row
    bool replacing = false;  // a socket set aside waits for this slot's next hello
    bool operator==(const ConnectionState&) const = default;
};

enum class ConnectionEventKind {
    opened,       // apps.connections.open gave a URL
    open_failed,  // it did not
    hello,
    disconnect,  // in place of hello, or on an open socket
    failed,      // the socket could not be connected, or broke, or was silent too long
    stopped,     // the client stops
};

struct ConnectionEvent {
    ConnectionEventKind kind = ConnectionEventKind::stopped;
    bool token_refused = false;                                           // open_failed: for the token itself
    bool rate_limited = false;                                            // open_failed
    std::optional<std::chrono::milliseconds> retry_after = std::nullopt;  // open_failed: as Slack asked
    DisconnectReason reason = DisconnectReason::other;                    // disconnect
    std::chrono::milliseconds up_for{0};                                  // failed, once up: since hello
};

enum class ConnectionStep {
    open,         // ask apps.connections.open for a URL, after `wait` if any
    connect,      // connect to it and wait for hello
    read,         // read frames
    end,          // this slot (or socket set aside) ends
    stop_client,  // Slack will not serve this app: the whole client stops
};

// What becomes of the socket set aside, or of the current one.
enum class OlderSocket {
    keep,
    close,        // close it (without waiting for it): the replacement is up, or the slot ends
    close_first,  // close it, and wait for that, before opening again: Slack allows no more sockets
    set_aside,    // the current socket: read it on the side until it ends
};

enum class Ending {
    none,
    stopped,
    replaced,       // a socket set aside ended
    too_many,       // too_many_websockets
    link_disabled,  // link_disabled
    token_refused,  // apps.connections.open refused the app token
    out_of_order,   // an event that cannot happen in the phase: a fault of the client
};

struct ConnectionAction {
    ConnectionStep step = ConnectionStep::end;
    std::optional<net::WaitRange> wait = std::nullopt;  // open: pause first, unless the client stops meanwhile
    OlderSocket older = OlderSocket::keep;
    Ending why = Ending::none;  // end, stop_client
    bool operator==(const ConnectionAction&) const = default;
};

ConnectionAction next(const ConnectionRules& rules, ConnectionState& state, const ConnectionEvent& event);

}  // namespace collab::slack
