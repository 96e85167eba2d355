#include "loopback_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <atomic>
#include <thread>

namespace collab::net::test {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

ssl::context make_server_context(const TlsIdentity& identity) {
    ssl::context context(ssl::context::tls_server);
    context.use_certificate_chain(asio::buffer(identity.certificate_pem));
    context.use_private_key(asio::buffer(identity.private_key_pem), ssl::context::pem);
    return context;
}

}  // namespace

struct LoopbackServer::Impl {
    Impl()
        : acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), port(acceptor.local_endpoint().port()) {}

    asio::awaitable<void> accept_loop() {
        for (;;) {
            auto [error, socket] = co_await acceptor.async_accept(use_tuple);
            if (error) co_return;  // closed: the server is stopping
            ++connections;
            // As the client does: small answers leave at once.
            socket.set_option(tcp::no_delay(true), error);
            asio::co_spawn(io, serve(std::move(socket)), asio::detached);
        }
    }

    // Counts a connection as closed however its session ends.
    struct CloseCounter {
        ~CloseCounter() { ++count; }
        std::atomic<int>& count;
    };

    asio::awaitable<void> serve(tcp::socket socket) {
        CloseCounter counter{closed};
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
        asio::co_spawn(io, accept_loop(), asio::detached);
        thread = std::thread([this] { io.run(); });
    }

    // Declared before the io_context: sessions it destroys on stop still count themselves closed.
    std::atomic<int> connections{0};
    std::atomic<int> requests{0};
    std::atomic<int> closed{0};
    HttpServerOptions http_options;
    RawHandler raw;
    std::optional<ssl::context> tls;
    asio::io_context io;
    tcp::acceptor acceptor;
    unsigned short port;
    std::thread thread;
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

LoopbackServer::~LoopbackServer() {
    // Stopping drops every session mid-flight; their sockets close when the io_context goes.
    impl_->io.stop();
    impl_->thread.join();
}

unsigned short LoopbackServer::port() const {
    return impl_->port;
}
int LoopbackServer::connections() const {
    return impl_->connections;
}
int LoopbackServer::requests() const {
    return impl_->requests;
}
int LoopbackServer::closed() const {
    return impl_->closed;
}

std::string LoopbackServer::url(std::string_view target, std::string_view scheme, std::string_view host) const {
    return std::string(scheme) + "://" + std::string(host) + ":" + std::to_string(port()) + std::string(target);
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
