#pragma once
// A Beast WebSocket server on 127.0.0.1 for the WebSocket client's tests, on its own LoopbackListener
// like LoopbackServer. Each accepted session runs a scripted handler, so that a test can
// make the server echo, ping, stay silent, send too much or close with a reason.

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loopback_listener.hpp"
#include "loopback_server.hpp"

namespace collab::net::test {

// One accepted session, seen from the server; used on the server's thread only.
class WsServerSession {
public:
    virtual ~WsServerSession() = default;

    // The next message; nullopt once the connection ended (close frame, error).
    virtual boost::asio::awaitable<std::optional<std::string>> read() = 0;
    virtual boost::asio::awaitable<bool> write(std::string text) = 0;
    virtual boost::asio::awaitable<bool> ping(std::string payload) = 0;
    // Sends a close frame and waits for the client's answer (read() must not be pending).
    virtual boost::asio::awaitable<bool> close(std::uint16_t code, std::string reason) = 0;
    // Waits this long without reading: pings from the client stay unanswered.
    virtual boost::asio::awaitable<void> stay_silent(std::chrono::milliseconds duration) = 0;
    // Closes the TCP connection at once, without a close frame: a link lost in the network.
    virtual void abort() = 0;
    // Writes `frames` (frames made by the test, e.g. a message and a close frame that reach the client
    // in one TCP segment) as they are, then closes the TCP connection once the client sends anything
    // (its close frame), as a server does at the end of the closing handshake.
    virtual boost::asio::awaitable<void> write_raw_then_close(std::string frames) = 0;

    std::string user_agent;                          // from the client's upgrade request
    std::string authorization;                       // likewise
    std::string target;                              // likewise
    std::vector<std::string> pongs;                  // payloads of the pongs received while reading
    int pings = 0;                                   // pings received while reading
    std::optional<std::uint16_t> client_close_code;  // the client's close frame, once read() saw it
    std::string client_close_reason;
};

using WsHandler = std::function<boost::asio::awaitable<void>(WsServerSession&)>;

// Sends back every message until the client closes.
boost::asio::awaitable<void> echo_messages(WsServerSession& session);

// Accepts the upgrade `request` read on `stream` and runs `handler` on the session: for a WebSocket on
// an HTTP server's port (LoopbackServer's upgrade). Plain connections only.
boost::asio::awaitable<void> accept_upgrade(boost::beast::tcp_stream stream, ServerRequest request, WsHandler handler);

class WebSocketServer {
public:
    explicit WebSocketServer(WsHandler handler, std::optional<TlsIdentity> tls = std::nullopt);
    ~WebSocketServer();  // stop()s
    WebSocketServer(const WebSocketServer&) = delete;
    WebSocketServer& operator=(const WebSocketServer&) = delete;

    unsigned short port() const;
    int sessions() const;        // upgrades accepted so far
    int sessions_ended() const;  // handlers that returned (or sessions that failed)

    // "ws://127.0.0.1:PORT" + target, or with another scheme and host.
    std::string url(std::string_view target, std::string_view scheme = "ws", std::string_view host = "127.0.0.1") const;

    // Stops the server's thread, leaving its sessions suspended until the server is destroyed: a
    // handler that shares I/O objects of this server with longer-lived state releases them in between.
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace collab::net::test
