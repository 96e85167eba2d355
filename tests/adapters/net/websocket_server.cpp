#include "websocket_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <array>
#include <atomic>

namespace collab::net::test {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

template <typename Ws>
class SessionOn final : public WsServerSession {
public:
    template <typename... Args>
    explicit SessionOn(Args&&... args) : ws_(std::forward<Args>(args)...) {
        ws_.control_callback([this](websocket::frame_type kind, beast::string_view payload) {
            if (kind == websocket::frame_type::pong) pongs.emplace_back(payload.data(), payload.size());
            if (kind == websocket::frame_type::ping) ++pings;
        });
    }

    Ws& stream() { return ws_; }

    asio::awaitable<std::optional<std::string>> read() override {
        beast::flat_buffer buffer;
        auto [error, size] = co_await ws_.async_read(buffer, use_tuple);
        if (error == websocket::error::closed) {
            client_close_code = ws_.reason().code;
            client_close_reason.assign(ws_.reason().reason.data(), ws_.reason().reason.size());
        }
        if (error) co_return std::nullopt;
        co_return beast::buffers_to_string(buffer.data());
    }

    asio::awaitable<bool> write(std::string text) override {
        ws_.text(true);
        auto [error, size] = co_await ws_.async_write(asio::buffer(text), use_tuple);
        co_return !error;
    }

    asio::awaitable<bool> ping(std::string payload) override {
        const websocket::ping_data data(payload.data(), payload.size());
        auto [error] = co_await ws_.async_ping(data, use_tuple);
        co_return !error;
    }

    asio::awaitable<bool> close(std::uint16_t code, std::string reason) override {
        const websocket::close_reason frame(static_cast<websocket::close_code>(code), beast::string_view(reason));
        auto [error] = co_await ws_.async_close(frame, use_tuple);
        co_return !error;
    }

    asio::awaitable<void> stay_silent(std::chrono::milliseconds duration) override {
        asio::steady_timer timer(co_await asio::this_coro::executor);
        timer.expires_after(duration);
        co_await timer.async_wait(use_tuple);
    }

    void abort() override {
        boost::system::error_code ignored;
        beast::get_lowest_layer(ws_).socket().close(ignored);
    }

    asio::awaitable<void> write_raw_then_close(std::string frames) override {
        auto [write_error, written] = co_await asio::async_write(ws_.next_layer(), asio::buffer(frames), use_tuple);
        if (write_error) co_return;
        std::array<char, 256> answer;
        co_await ws_.next_layer().async_read_some(asio::buffer(answer), use_tuple);
        abort();
    }

private:
    Ws ws_;
};

// Notes what the client's upgrade request said, accepts it and runs the handler (`accepted` counted).
template <typename Session>
asio::awaitable<void> accept_and_serve(Session& session, const ServerRequest& request, const WsHandler& handler,
                                       std::atomic<int>* accepted) {
    session.user_agent = std::string(request[http::field::user_agent]);
    session.authorization = std::string(request[http::field::authorization]);
    session.target = std::string(request.target());
    auto& ws = session.stream();
    auto [accept_error] = co_await ws.async_accept(request, use_tuple);
    if (accept_error) co_return;
    // The handler decides how long a session lives.
    beast::get_lowest_layer(ws).expires_never();
    if (accepted) ++*accepted;
    co_await handler(session);
}

}  // namespace

asio::awaitable<void> echo_messages(WsServerSession& session) {
    for (;;) {
        auto message = co_await session.read();
        if (!message) co_return;
        if (!co_await session.write(std::move(*message))) co_return;
    }
}

asio::awaitable<void> accept_upgrade(beast::tcp_stream stream, ServerRequest request, WsHandler handler) {
    SessionOn<websocket::stream<beast::tcp_stream>> session(std::move(stream));
    beast::get_lowest_layer(session.stream()).expires_after(std::chrono::seconds(5));
    co_await accept_and_serve(session, request, handler, nullptr);
}

struct WebSocketServer::Impl {
    asio::awaitable<void> serve(tcp::socket socket) {
        if (!tls) {
            SessionOn<websocket::stream<beast::tcp_stream>> session(std::move(socket));
            co_await run(session);
            co_return;
        }
        SessionOn<websocket::stream<beast::ssl_stream<beast::tcp_stream>>> session(std::move(socket), *tls);
        beast::get_lowest_layer(session.stream()).expires_after(std::chrono::seconds(5));
        auto [error] = co_await session.stream().next_layer().async_handshake(ssl::stream_base::server, use_tuple);
        if (error) co_return;  // the client refused our certificate: what the TLS tests expect
        co_await run(session);
    }

    // Reads the upgrade request itself, to show the tests what the client sent, then accepts it.
    template <typename Session>
    asio::awaitable<void> run(Session& session) {
        auto& ws = session.stream();
        beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(5));
        beast::flat_buffer buffer;
        http::request<http::string_body> request;
        auto [read_error, read] = co_await http::async_read(ws.next_layer(), buffer, request, use_tuple);
        if (read_error || !websocket::is_upgrade(request)) co_return;
        co_await accept_and_serve(session, request, handler, &accepted);
    }

    void start() {
        listener.start([this](tcp::socket socket) { return serve(std::move(socket)); });
    }

    std::atomic<int> accepted{0};
    WsHandler handler;
    std::optional<ssl::context> tls;
    // Last: stopped and destroyed first, with the sessions that use the members above.
    LoopbackListener listener;
};

WebSocketServer::WebSocketServer(WsHandler handler, std::optional<TlsIdentity> tls) : impl_(std::make_unique<Impl>()) {
    impl_->handler = std::move(handler);
    if (tls) impl_->tls.emplace(make_server_context(*tls));
    impl_->start();
}

// Stopping drops every session mid-flight; their sockets close when the io_context goes.
WebSocketServer::~WebSocketServer() = default;

void WebSocketServer::stop() {
    impl_->listener.stop();
}

unsigned short WebSocketServer::port() const {
    return impl_->listener.port();
}
int WebSocketServer::sessions() const {
    return impl_->accepted;
}
int WebSocketServer::sessions_ended() const {
    return impl_->listener.ended();
}

std::string WebSocketServer::url(std::string_view target, std::string_view scheme, std::string_view host) const {
    return impl_->listener.url(target, scheme, host);
}

}  // namespace collab::net::test
