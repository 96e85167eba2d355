#include "adapters/net/tcp_tls.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <sys/socket.h>

#include <cerrno>
#include <memory>
#include <stdexcept>

#include "core/format.hpp"

namespace collab::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Asio's resolver runs getaddrinfo on a thread that cannot be interrupted, so the timeout races it
// instead: the lookup keeps this state alive and finishes in the background if it loses.
struct Lookup {
    explicit Lookup(const asio::any_io_executor& executor) : resolver(executor), done(executor) {}
    tcp::resolver resolver;
    asio::steady_timer done;
    bool finished = false;
    error_code error;
    tcp::resolver::results_type endpoints;
};

// Asio's RFC 6125 host check, remembering why a certificate was refused: OpenSSL only reports
// "certificate verify failed", which does not tell an admin what to fix.
struct VerifyPeer {
    bool operator()(bool preverified, ssl::verify_context& context) const {
        X509_STORE_CTX* store = context.native_handle();
        if (!preverified) {
            if (failure->empty())
                *failure = std::string("certificate verify failed: ") +
                           X509_verify_cert_error_string(X509_STORE_CTX_get_error(store));
            return false;
        }
        if (!matches_host(preverified, context)) {
            if (failure->empty()) *failure = "the certificate is not valid for the host name \"" + host + "\"";
            return false;
        }
        return true;
    }

    ssl::host_name_verification matches_host;
    std::string host;
    std::shared_ptr<std::string> failure;  // shared: OpenSSL keeps the callback as long as the stream
};

}  // namespace

NetError net_error(NetErrorKind kind, const std::string& label, std::string what) {
    return NetError{kind, label + ": " + std::move(what)};
}

Peeked peek_without_waiting(tcp::socket& socket) {
    // One recv with MSG_DONTWAIT: asio's own peek would need the socket switched to non-blocking and
    // back, two more system calls on every reuse of a pooled connection.
    char byte = 0;
    const auto got = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (got > 0) return Peeked::bytes;
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return Peeked::nothing;
    return Peeked::closed;
}

bool is_connection_loss(const boost::system::error_code& error) {
    return error == asio::error::eof || error == asio::error::connection_reset ||
           error == asio::error::connection_aborted || error == asio::error::broken_pipe ||
           error == ssl::error::stream_truncated || error == beast::http::error::end_of_stream ||
           error == beast::http::error::partial_message;
}

bool is_tls_error(const boost::system::error_code& error) {
    return error.category() == asio::error::get_ssl_category() || error.category() == ssl::error::get_stream_category();
}

ssl::context make_tls_context(const std::string& ca_file) {
    ssl::context tls(ssl::context::tls_client);
    // TLS 1.2 is the oldest version still considered safe.
    SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
    tls.set_verify_mode(ssl::verify_peer);
    if (ca_file.empty()) {
        tls.set_default_verify_paths();
        return tls;
    }
    error_code error;
    tls.load_verify_file(ca_file, error);
    if (error) throw std::runtime_error("cannot load the CA file " + ca_file + ": " + error.message());
    return tls;
}

std::expected<ssl::context, std::string> try_make_tls_context(const std::string& ca_file) {
    try {
        return make_tls_context(ca_file);
    } catch (const std::exception& error) {
        return std::unexpected(std::string(error.what()));
    }
}

asio::awaitable<std::expected<tcp::resolver::results_type, NetError>> resolve_host(
    const asio::any_io_executor& executor, const Origin& origin, const std::string& label,
    std::chrono::milliseconds timeout) {
    auto lookup = std::make_shared<Lookup>(executor);
    lookup->done.expires_after(timeout);
    lookup->resolver.async_resolve(origin.host, std::to_string(origin.port),
                                   [lookup](const error_code& error, tcp::resolver::results_type endpoints) {
                                       lookup->finished = true;
                                       lookup->error = error;
                                       lookup->endpoints = std::move(endpoints);
                                       lookup->done.cancel();
                                   });
    co_await lookup->done.async_wait(use_tuple);
    if (!lookup->finished) {
        lookup->resolver.cancel();
        co_return std::unexpected(
            net_error(NetErrorKind::timeout, label, "resolving the host took longer than " + format_ms(timeout)));
    }
    if (lookup->error || lookup->endpoints.empty()) {
        NetError error = net_error(NetErrorKind::dns, label, "cannot resolve the host: " + lookup->error.message());
        // A name that does not exist stays so; a resolver that could not answer (try again) may recover.
        error.permanent = lookup->error == asio::error::host_not_found || lookup->error == asio::error::no_data ||
                          (!lookup->error && lookup->endpoints.empty());
        co_return std::unexpected(std::move(error));
    }
    co_return std::move(lookup->endpoints);
}

asio::awaitable<std::optional<NetError>> connect_tcp(beast::tcp_stream& stream,
                                                     const tcp::resolver::results_type& endpoints,
                                                     const std::string& label, std::chrono::milliseconds timeout) {
    // One deadline for all the addresses tried, as a user waits for all of them.
    stream.expires_after(timeout);
    auto [error, endpoint] = co_await stream.async_connect(endpoints, use_tuple);
    if (error == beast::error::timeout)
        co_return net_error(NetErrorKind::timeout, label, "connecting took longer than " + format_ms(timeout));
    if (error) co_return net_error(NetErrorKind::refused, label, "cannot connect: " + error.message());
    // Small messages leave at once instead of waiting for Nagle's algorithm.
    stream.socket().set_option(tcp::no_delay(true), error);
    co_return std::nullopt;
}

asio::awaitable<std::optional<NetError>> tls_handshake(beast::ssl_stream<beast::tcp_stream>& stream,
                                                       const Origin& origin, const std::string& label,
                                                       std::chrono::milliseconds timeout) {
    // Set SNI: hosts serving several names need it to pick the certificate. Not for IP literals (RFC 6066).
    if (!is_ip_literal(origin.host) && !SSL_set_tlsext_host_name(stream.native_handle(), origin.host.c_str()))
        co_return NetError{NetErrorKind::tls, label + ": cannot set the TLS server name", true};
    // Verify the chain against the trusted CAs and the certificate against the host name, always.
    auto failure = std::make_shared<std::string>();
    stream.set_verify_mode(ssl::verify_peer);
    stream.set_verify_callback(VerifyPeer{ssl::host_name_verification(origin.host), origin.host, failure});

    beast::get_lowest_layer(stream).expires_after(timeout);
    auto [error] = co_await stream.async_handshake(ssl::stream_base::client, use_tuple);
    if (error == beast::error::timeout)
        co_return net_error(NetErrorKind::timeout, label, "the TLS handshake took longer than " + format_ms(timeout));
    if (error) {
        const bool closed = error == asio::error::eof || error == ssl::error::stream_truncated;
        const std::string why = !failure->empty() ? *failure
                                : closed          ? "the server closed the connection (does it speak TLS on this port?)"
                                                  : error.message();
        NetError failed = net_error(NetErrorKind::tls, label, "TLS handshake failed: " + why);
        // A certificate that fails verification fails the same way next time.
        failed.permanent = !failure->empty();
        co_return failed;
    }
    co_return std::nullopt;
}

}  // namespace collab::net
