#include "loopback_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <atomic>
#include <type_traits>

namespace collab::net::test {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct LoopbackServer::Impl {
    asio::awaitable<void> serve(tcp::socket socket) {
        if (raw) {
            co_await raw(std::move(socket));
            co_return;
        }
        if (!tls) {
            beast::tcp_stream stream(std::move(socket));
            co_await serve_http(stream);
            boost::system::error_code ignored;  // already closed when the idle timeout struck
            stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
            co_return;
        }
        beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *tls);
        beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
        auto [error] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple);
        if (error) co_return;  // the client refused our certificate: what the TLS tests expect
        co_await serve_http(stream);
    }

    template <typename Stream>
    asio::awaitable<void> serve_http(Stream& stream) {
        beast::flat_buffer buffer;
        for (int nth = 1;; ++nth) {
            // Close an idle kept-alive connection, as real servers do after their keep-alive timeout.
            beast::get_lowest_layer(stream).expires_after(http_options.idle_timeout);
            ServerRequest request;
            auto [read_error, read] = co_await http::async_read(stream, buffer, request, use_tuple);
            if (read_error) co_return;
            ++requests;
            if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
                if (http_options.upgrade && beast::websocket::is_upgrade(request)) {
                    co_await http_options.upgrade(std::move(stream), std::move(request));
                    co_return;
                }
            }
            std::optional<ServerResponse> response = http_options.handler(request, nth);
            if (!response) co_return;
            response->version(11);
            if (!request.keep_alive()) response->keep_alive(false);
            response->prepare_payload();
            beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
            auto [write_error, written] = co_await http::async_write(stream, *response, use_tuple);
            if (write_error || !response->keep_alive()) co_return;
        }
    }

    void start() {
        listener.start([this](tcp::socket socket) { return serve(std::move(socket)); });
    }

    std::atomic<int> requests{0};
    HttpServerOptions http_options;
    RawHandler raw;
    std::optional<ssl::context> tls;
    // Last: stopped and destroyed first, with the sessions that use the members above.
    LoopbackListener listener;
};

LoopbackServer::LoopbackServer(HttpServerOptions options) : impl_(std::make_unique<Impl>()) {
    if (options.tls) impl_->tls.emplace(make_server_context(*options.tls));
    impl_->http_options = std::move(options);
    impl_->start();
}

LoopbackServer::LoopbackServer(RawHandler handler) : impl_(std::make_unique<Impl>()) {
    impl_->raw = std::move(handler);
    impl_->start();
}

// Stopping drops every session mid-flight; their sockets close when the io_context goes.
LoopbackServer::~LoopbackServer() = default;

unsigned short LoopbackServer::port() const {
    return impl_->listener.port();
}
int LoopbackServer::connections() const {
    return impl_->listener.accepted();
}
int LoopbackServer::requests() const {
    return impl_->requests;
}
int LoopbackServer::closed() const {
    return impl_->listener.ended();
}

std::string LoopbackServer::url(std::string_view target, std::string_view scheme, std::string_view host) const {
    return impl_->listener.url(target, scheme, host);
}

std::optional<ServerResponse> echo(const ServerRequest& request, int) {
    ServerResponse response{http::status::ok, 11};
    response.set(http::field::content_type, "text/plain");
    for (const auto& field : request) response.set("X-Echo-" + std::string(field.name_string()), field.value());
    response.body() =
        std::string(request.method_string()) + " " + std::string(request.target()) + "\n" + request.body();
    return response;
}

}  // namespace collab::net::test
