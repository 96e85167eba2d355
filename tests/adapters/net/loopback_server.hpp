#pragma once
// Real HTTP servers on 127.0.0.1 for the HTTP client's tests, each on its own LoopbackListener. A
// server stops (and joins) when destroyed.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "loopback_listener.hpp"

namespace collab::net::test {

using ServerRequest = boost::beast::http::request<boost::beast::http::string_body>;
using ServerResponse = boost::beast::http::response<boost::beast::http::string_body>;

// The answer to the n-th request (from 1) of a connection; nullopt closes the connection unanswered.
using HttpHandler = std::function<std::optional<ServerResponse>(const ServerRequest&, int nth_on_connection)>;

// Takes over an accepted connection, for servers that do not speak HTTP properly.
using RawHandler = std::function<boost::asio::awaitable<void>(boost::asio::ip::tcp::socket)>;

// Takes over a plain connection whose request asks for a WebSocket upgrade (accept_upgrade in
// websocket_server.hpp): a WebSocket served on the HTTP server's own port, as real servers do.
using UpgradeHandler = std::function<boost::asio::awaitable<void>(boost::beast::tcp_stream, ServerRequest)>;

struct HttpServerOptions {
    HttpHandler handler;
    std::optional<TlsIdentity> tls;                  // serve HTTPS with this certificate
    std::chrono::milliseconds idle_timeout{10'000};  // close a kept-alive connection idle this long
    UpgradeHandler upgrade = {};                     // none: an upgrade request is an HTTP request like any
};

class LoopbackServer {
public:
    explicit LoopbackServer(HttpServerOptions options);
    explicit LoopbackServer(RawHandler handler);
    ~LoopbackServer();
    LoopbackServer(const LoopbackServer&) = delete;
    LoopbackServer& operator=(const LoopbackServer&) = delete;

    unsigned short port() const;
    int connections() const;  // accepted so far
    int requests() const;     // HTTP requests read so far
    int closed() const;       // connections the server is done with

    // "http://127.0.0.1:PORT" + target, or with another scheme and host.
    std::string url(std::string_view target, std::string_view scheme = "http",
                    std::string_view host = "127.0.0.1") const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The default handler: 200 with the method, target and body in the body, and each request header
// echoed back as "X-Echo-<name>".
std::optional<ServerResponse> echo(const ServerRequest& request, int nth_on_connection);

}  // namespace collab::net::test
