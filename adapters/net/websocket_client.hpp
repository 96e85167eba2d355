#pragma once
// A WebSocket client for ws:// and wss:// URLs (Boost.Beast), for the chat adapters' event sockets
// (Slack Socket Mode, Discord gateway, Mattermost): whole text messages in, a write queue out,
// keep-alive pings with an idle timeout so that a silent peer is found, and one NetError per way
// things fail. TLS is set up exactly as the HTTP client does it: peer verification always on.
//
// Thread model: one strand per connection. connect() creates it and runs the opening on it;
// executor() returns it. read() and close() must be awaited from coroutines running on that strand
// (co_spawn them on connection->executor(); on a single-threaded io_context any coroutine on it
// qualifies). send() and abort() may be called from anywhere: they hop onto the strand themselves.
// The observers (closed(), last_activity(), the counters) are atomics, readable from any thread.
//
// Usage: keep one read() pending at all times. Pongs to the peer's pings, and the keep-alive pings'
// answers, are only processed while a read is pending; a connection nobody reads looks dead.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "adapters/net/http_client.hpp"

namespace collab::net {

struct WebSocketTimeouts {
    std::chrono::milliseconds resolve{5'000};
    std::chrono::milliseconds connect{5'000};
    std::chrono::milliseconds tls_handshake{5'000};
    std::chrono::milliseconds websocket_handshake{5'000};  // the HTTP Upgrade request and its 101 answer
    // No frame at all from the peer (message, ping, pong) for this long: the link is dead and the
    // pending read() fails with `timeout`. A keep-alive ping goes out after half of it, so a live
    // peer always has something to answer. Slack advises treating ~30 s of silence as a dead link.
    std::chrono::milliseconds idle{30'000};
    std::chrono::milliseconds close{5'000};  // close(): for the queue to drain, then for the peer's close frame
};

struct WebSocketOptions {
    WebSocketTimeouts timeouts;
    std::size_t max_message_bytes = 1024 * 1024;  // a larger incoming message fails the connection (`oversize`)
    // Bytes waiting to be sent, the message being written included. A peer that lets more pile up is
    // too slow to be served: the connection is closed (a `reset` naming the cause) rather than let
    // memory grow, and the caller's reconnection takes over.
    std::size_t max_queued_bytes = 4 * 1024 * 1024;
    std::string ca_file;     // PEM bundle to trust instead of the system store; no "verify off"
    std::string user_agent;  // "collab-bot" when empty
    // More fields for the upgrade request (a credential, say: never part of an error or a log line).
    std::vector<std::pair<std::string, std::string>> headers = {};
};

// What the peer said in its close frame.
struct WebSocketClose {
    std::uint16_t code = 0;  // 1000 normal, 1001 going away, …; 1005 when the frame carried no code
    std::string reason;

    bool operator==(const WebSocketClose&) const = default;
};

class WebSocketConnection {
public:
    using Executor = boost::asio::strand<boost::asio::io_context::executor_type>;
    using ReadResult = std::expected<std::string, NetError>;
    using ConnectResult = std::expected<std::shared_ptr<WebSocketConnection>, NetError>;

    // `executor`: an io_context's, or a strand of one (std::invalid_argument otherwise).
    // Resolves, connects (TCP_NODELAY), does the TLS handshake for wss:// and the WebSocket handshake,
    // each under its own timeout. Errors: bad_url, dns, refused, tls (also: ca_file unreadable),
    // timeout, reset, protocol (the server answered the upgrade with something other than 101).
    static boost::asio::awaitable<ConnectResult> connect(boost::asio::any_io_executor executor, std::string url,
                                                         WebSocketOptions options);

    // Closes the socket at once if the connection is still open.
    ~WebSocketConnection();
    WebSocketConnection(const WebSocketConnection&) = delete;
    WebSocketConnection& operator=(const WebSocketConnection&) = delete;

    const Executor& executor() const;

    // The next whole message (text, or binary as bytes). After the first error every later call
    // returns that same error at once. Errors: reset (the peer closed: close_reason() then says how;
    // or the link was lost, aborted or closed by us), timeout (idle timeout), oversize, tls, protocol.
    boost::asio::awaitable<ReadResult> read();

    // Queues a text message and returns at once; messages leave in the order queued, one write at a
    // time. Dropped when the connection is closed or closing: a write error shows on read() and closed().
    // Past options.max_queued_bytes the connection is closed as too slow (see WebSocketOptions).
    void send(std::string text);

    // Polite close: lets queued messages drain, sends a close frame with the reason and the code and
    // waits for the peer's, each step bounded by timeouts.close; the socket is closed in any case.
    // nullopt when the peer answered; the error otherwise. A pending read() then fails with `reset`
    // (or returns a message that arrived before the close), and a read() begun while the close runs
    // waits for it to end and fails likewise.
    // The code matters to some peers: Discord ends the session on 1000 or 1001, keeps it on 4000.
    boost::asio::awaitable<std::optional<NetError>> close(std::string reason, std::uint16_t code = 1000);

    // Immediate teardown: closes the socket; pending operations fail with `reset`.
    void abort();

    // True once the connection can carry no more messages (error, close(), abort() or the peer's close).
    bool closed() const;
    // Why it ended, once it has (on the strand only).
    std::optional<NetError> error() const;
    // The peer's close frame, once one arrived (on the strand only).
    std::optional<WebSocketClose> close_reason() const;

    // When the last frame of any kind (message, ping, pong, close) arrived: for a watchdog.
    std::chrono::steady_clock::time_point last_activity() const;
    std::uint64_t pings_received() const;
    std::uint64_t pongs_received() const;
    std::uint64_t messages_received() const;
    // Messages waiting in the write queue, the one being written included (on the strand only).
    std::size_t queued_messages() const;

    class Link;  // the socket and its state, shared with the coroutines working on it

private:
    explicit WebSocketConnection(std::shared_ptr<Link> link);

    std::shared_ptr<Link> link_;
};

}  // namespace collab::net
