#pragma once
// Opening a connection, shared by the HTTP and WebSocket clients: resolve, connect and TLS handshake,
// each under its own timeout, each failure mapped to one NetError. The TLS set-up is the same for
// every client: peer verification always on, system store or a CA file, SNI and host-name check.
// Also what the HTTP client and server both ask of a kept-alive connection (peek_without_waiting).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <chrono>
#include <expected>
#include <optional>
#include <string>

#include "adapters/net/http_client.hpp"
#include "adapters/net/url.hpp"

namespace collab::net {

// "<label>: <what>". The label names the peer (scheme, host and port), never a path or a query.
NetError net_error(NetErrorKind kind, const std::string& label, std::string what);

// The peer closed or reset the connection (cleanly or not) while a message was under way.
bool is_connection_loss(const boost::system::error_code& error);
// A failure of TLS itself (OpenSSL's or the stream's), rather than of the connection under it.
bool is_tls_error(const boost::system::error_code& error);

// What a kept-alive connection holds right now, found by one non-blocking peek that consumes nothing:
// nothing yet, unread bytes, or no more to read: the peer's end (closed, half-closed or reset) or a
// socket that cannot be read at all. Used by the HTTP client's pool and the HTTP server.
enum class Peeked { nothing, bytes, closed };
Peeked peek_without_waiting(boost::asio::ip::tcp::socket& socket);

// A client context: TLS 1.2 or later, peer verification on; trusts ca_file when given, else the
// system store. Throws std::runtime_error when ca_file cannot be loaded.
boost::asio::ssl::context make_tls_context(const std::string& ca_file);
// The same for a context made when a connection needs it: OpenSSL's reason instead of a throw.
std::expected<boost::asio::ssl::context, std::string> try_make_tls_context(const std::string& ca_file);

// Resolves origin.host under a timeout. Errors: dns, timeout.
boost::asio::awaitable<std::expected<boost::asio::ip::tcp::resolver::results_type, NetError>> resolve_host(
    const boost::asio::any_io_executor& executor, const Origin& origin, const std::string& label,
    std::chrono::milliseconds timeout);

// Connects to the first address that answers, then sets TCP_NODELAY. Errors: refused, timeout.
boost::asio::awaitable<std::optional<NetError>> connect_tcp(
    boost::beast::tcp_stream& stream, const boost::asio::ip::tcp::resolver::results_type& endpoints,
    const std::string& label, std::chrono::milliseconds timeout);

// Client handshake with SNI (not for IP literals), chain and host-name verification. Errors: tls, timeout.
// Leaves the stream's timeout armed: the caller sets the next one.
boost::asio::awaitable<std::optional<NetError>> tls_handshake(
    boost::beast::ssl_stream<boost::beast::tcp_stream>& stream, const Origin& origin, const std::string& label,
    std::chrono::milliseconds timeout);

}  // namespace collab::net
