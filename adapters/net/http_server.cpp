#include "adapters/net/http_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <atomic>
#include <charconv>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "adapters/net/gate.hpp"
#include "adapters/net/tcp_tls.hpp"

namespace collab::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t max_header_bytes = 16 * 1024;

// "HOST:PORT" or "[V6]:PORT"; "localhost" means the IPv4 loopback (no resolver at start-up).
tcp::endpoint parse_listen(const std::string& listen) {
    const auto fail = [&] {
        return std::runtime_error("the listen address \"" + listen +
                                  "\" is not HOST:PORT (e.g. 127.0.0.1:8080, [::1]:8080, port 0 for any free one)");
    };
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos || colon == 0) throw fail();
    std::string host = listen.substr(0, colon);
    const std::string port_text = listen.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host == "localhost") host = "127.0.0.1";
    unsigned port = 0;
    const auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || error != std::errc() || end != port_text.data() + port_text.size() || port > 65535)
        throw fail();
    boost::system::error_code bad_address;
    const auto address = asio::ip::make_address(host, bad_address);
    if (bad_address) throw fail();
    return tcp::endpoint(address, static_cast<unsigned short>(port));
}

// What clients on this machine can reach: a wildcard bind is advertised as the loopback address.
std::string derived_public_url(const tcp::endpoint& bound, bool tls) {
    const auto address = bound.address();
    std::string host;
    if (address.is_unspecified())
        host = address.is_v6() ? "[::1]" : "127.0.0.1";
    else
        host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
    return std::string(tls ? "https" : "http") + "://" + host + ":" + std::to_string(bound.port());
}

asio::awaitable<ServerAnswer> answer_without_fallback(std::shared_ptr<const HttpHandler> handler,
                                                      ServerRequest request) {
    ServerResponse response = co_await (*handler)(std::move(request));
    co_return ServerAnswer{std::move(response), {}};
}

AnswerHandler without_fallback(HttpHandler handler) {
    return [handler = std::make_shared<const HttpHandler>(std::move(handler))](ServerRequest request) {
        return answer_without_fallback(handler, std::move(request));
    };
}

}  // namespace

struct HttpServer::Impl {
    Impl(asio::any_io_executor executor_, HttpServerOptions options_, AnswerHandler handler_)
        : executor(std::move(executor_)),
          acceptor(asio::make_strand(executor)),
          options(std::move(options_)),
          handler(std::move(handler_)),
          answering(executor) {}

    struct Connection {
        asio::any_io_executor executor;  // the connection's strand: its socket is only touched there
        tcp::socket* socket;
    };

    // Keeps a connection in the list that stop() closes, for as long as the connection's coroutine runs.
    class Enrolment {
    public:
        Enrolment(std::shared_ptr<Impl> impl, tcp::socket& socket) : impl_(std::move(impl)) {
            std::lock_guard lock(impl_->mutex);
            if (impl_->stopping) return;  // stop() has already walked the list: do not start
            id_ = ++impl_->next_connection;
            impl_->connections.emplace(id_, Connection{socket.get_executor(), &socket});
        }
        ~Enrolment() {
            if (id_ == 0) return;
            std::lock_guard lock(impl_->mutex);
            impl_->connections.erase(id_);
        }
        Enrolment(const Enrolment&) = delete;
        Enrolment& operator=(const Enrolment&) = delete;
        bool active() const { return id_ != 0; }

    private:
        std::shared_ptr<Impl> impl_;
        std::uint64_t id_ = 0;
    };

    // Version, length, keep-alive and Server header: what every answer needs whoever made it.
    void finish(ServerResponse& response, unsigned version, bool keep_alive) const {
        if (!options.server_name.empty() && response.find(http::field::server) == response.end())
            response.set(http::field::server, options.server_name);
        response.version(version);
        response.keep_alive(keep_alive);
        response.prepare_payload();
    }

    // An answer of the server's own, after which the connection closes.
    ServerResponse refusal(http::status status, std::string_view message) const {
        ServerResponse response = options.error_answer(status, message);
        finish(response, 11, false);
        return response;
    }

    // The handler's answer; an exception becomes a 500 (and the end of the connection).
    static asio::awaitable<ServerAnswer> call_handler(std::shared_ptr<Impl> impl, ServerRequest request) {
        try {
            co_return co_await impl->handler(std::move(request));
        } catch (...) {
        }
        ServerResponse failed = impl->options.error_answer(http::status::internal_server_error, "internal error");
        failed.keep_alive(false);
        co_return ServerAnswer{std::move(failed), {}};
    }

    // False when the answer could not leave (reset, timed out, closed by stop()).
    template <typename Stream>
    static asio::awaitable<bool> write_answer(std::shared_ptr<Impl> impl, Stream& stream, ServerResponse& response) {
        beast::get_lowest_layer(stream).expires_after(impl->options.write_timeout);
        auto [error, written] = co_await http::async_write(stream, response, use_tuple);
        co_return !error;
    }

    template <typename Stream>
    static asio::awaitable<void> serve_http(std::shared_ptr<Impl> impl, Stream& stream) {
        beast::flat_buffer buffer;
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.header_limit(max_header_bytes);
            parser.body_limit(impl->options.max_body_bytes);
            // Waiting for a request to begin has a deadline, the idle time between kept-alive requests
            // included; then the request has one of its own, so that a slow sender is cut in time.
            beast::get_lowest_layer(stream).expires_after(impl->options.read_timeout);
            if (buffer.size() == 0) {
                auto [idle_error, began] = co_await stream.async_read_some(buffer.prepare(4096), use_tuple);
                if (idle_error) co_return;  // closed, timed out, reset, stopped
                buffer.commit(began);
            }
            beast::get_lowest_layer(stream).expires_after(impl->options.request_timeout);
            auto [read_error, read] = co_await http::async_read(stream, buffer, parser, use_tuple);
            if (read_error == http::error::header_limit) {
                ServerResponse response =
                    impl->refusal(http::status::request_header_fields_too_large, "the request's head is too large");
                co_await write_answer(impl, stream, response);
                co_return;
            }
            if (read_error == http::error::body_limit) {
                ServerResponse response = impl->refusal(http::status::payload_too_large, "the request is too large");
                co_await write_answer(impl, stream, response);
                co_return;
            }
            if (read_error == http::error::end_of_stream || read_error == http::error::partial_message) co_return;
            if (read_error && read_error.category() == http::make_error_code(http::error::bad_target).category()) {
                ServerResponse response = impl->refusal(http::status::bad_request, "malformed HTTP request");
                co_await write_answer(impl, stream, response);
                co_return;
            }
            if (read_error) co_return;  // timeout, reset, closed by stop()

            ServerRequest request = parser.release();
            // Counted until the answer has left, so that a graceful stop lets it leave.
            const auto held = impl->answering.try_enter();
            const unsigned version = request.version();
            const bool client_keeps_alive = request.keep_alive();
            ServerAnswer answer = co_await call_handler(impl, std::move(request));
            ServerResponse& response = answer.response;
            const bool keep_alive = client_keeps_alive && response.keep_alive() && !impl->stopping;
            impl->finish(response, version, keep_alive);
            bool written = false;
            // Not to a client that has closed its end (even half) or reset the connection: the kernel
            // would take the answer all the same, and the handler would count it as delivered.
            if (peek_without_waiting(beast::get_lowest_layer(stream).socket()) != Peeked::closed)
                written = co_await write_answer(impl, stream, response);
            if (answer.written) answer.written(written);
            if (!written || !keep_alive) co_return;
        }
    }

    static asio::awaitable<void> serve(std::shared_ptr<Impl> impl, tcp::socket socket) {
        boost::system::error_code ignored;
        if (!impl->tls) {
            beast::tcp_stream stream(std::move(socket));
            Enrolment enrolment(impl, stream.socket());
            if (!enrolment.active()) co_return;
            co_await serve_http(impl, stream);
            // Half-close so that the client reads the whole of the last answer before the end of stream.
            stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
            co_return;
        }
        beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *impl->tls);
        Enrolment enrolment(impl, beast::get_lowest_layer(stream).socket());
        if (!enrolment.active()) co_return;
        beast::get_lowest_layer(stream).expires_after(impl->options.read_timeout);
        auto [handshake_error] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple);
        if (handshake_error) co_return;  // e.g. a client that does not trust our certificate
        co_await serve_http(impl, stream);
        // close_notify, briefly: a peer that has gone away must not hold the coroutine.
        beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
        co_await stream.async_shutdown(use_tuple);
    }

    static asio::awaitable<void> accept_loop(std::shared_ptr<Impl> impl) {
        while (!impl->stopping) {
            // One strand per connection: its socket, timer and coroutine never run on two threads at once.
            tcp::socket socket(asio::make_strand(impl->executor));
            auto [error] = co_await impl->acceptor.async_accept(socket, use_tuple);
            if (error) {
                if (error == asio::error::operation_aborted || impl->stopping || !impl->acceptor.is_open()) co_return;
                // Out of descriptors and the like: pause instead of spinning, then keep serving.
                asio::steady_timer pause(impl->acceptor.get_executor(), std::chrono::milliseconds(50));
                co_await pause.async_wait(use_tuple);
                continue;
            }
            // Small answers leave at once instead of waiting for Nagle's algorithm.
            socket.set_option(tcp::no_delay(true), error);
            auto executor = socket.get_executor();
            asio::co_spawn(executor, serve(impl, std::move(socket)), asio::detached);
        }
    }

    asio::any_io_executor executor;
    tcp::acceptor acceptor;
    const HttpServerOptions options;
    const AnswerHandler handler;
    std::optional<ssl::context> tls;
    tcp::endpoint bound;
    std::string public_url;
    std::atomic<bool> stopping{false};

    mutable std::mutex mutex;  // guards what follows
    std::uint64_t next_connection = 0;
    std::map<std::uint64_t, Connection> connections;

    Gate answering;  // requests taken in and not answered yet
};

HttpServer::HttpServer(asio::any_io_executor executor, HttpServerOptions options, HttpHandler handler)
    : HttpServer(std::move(executor), std::move(options), without_fallback(std::move(handler))) {}

HttpServer::HttpServer(asio::any_io_executor executor, HttpServerOptions options, AnswerHandler handler)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() {
    stop();
}

void HttpServer::start() {
    Impl& impl = *impl_;
    const tcp::endpoint wanted = parse_listen(impl.options.listen);
    if (impl.options.cert_file.empty() != impl.options.key_file.empty())
        throw std::runtime_error("serving HTTPS needs both a certificate file and a key file");
    if (!impl.options.cert_file.empty()) {
        ssl::context context(ssl::context::tls_server);
        boost::system::error_code error;
        context.use_certificate_chain_file(impl.options.cert_file, error);
        if (error)
            throw std::runtime_error("cannot load the certificate " + impl.options.cert_file + ": " + error.message());
        context.use_private_key_file(impl.options.key_file, ssl::context::pem, error);
        if (error)
            throw std::runtime_error("cannot load the private key " + impl.options.key_file + ": " + error.message());
        impl.tls.emplace(std::move(context));
    }

    boost::system::error_code error;
    const auto fail = [&](std::string_view step) {
        return std::runtime_error("cannot " + std::string(step) + " " + impl.options.listen + ": " + error.message());
    };
    impl.acceptor.open(wanted.protocol(), error);
    if (error) throw fail("listen on");
    // A restarted server can take its port back while old connections linger in TIME_WAIT.
    impl.acceptor.set_option(tcp::acceptor::reuse_address(true), error);
    impl.acceptor.bind(wanted, error);
    if (error) throw fail("bind to");
    impl.acceptor.listen(asio::socket_base::max_listen_connections, error);
    if (error) throw fail("listen on");
    impl.bound = impl.acceptor.local_endpoint();

    impl.public_url = impl.options.public_url.empty() ? derived_public_url(impl.bound, impl.tls.has_value())
                                                      : impl.options.public_url;
    // Callers append paths: a trailing "/" would make them send "//path".
    while (impl.public_url.ends_with('/')) impl.public_url.pop_back();

    asio::co_spawn(impl.acceptor.get_executor(), Impl::accept_loop(impl_), asio::detached);
}

void HttpServer::stop() {
    auto impl = impl_;
    impl->stopping = true;
    asio::post(impl->acceptor.get_executor(), [impl] {
        boost::system::error_code ignored;
        impl->acceptor.close(ignored);
    });
    std::lock_guard lock(impl->mutex);
    for (const auto& [id, connection] : impl->connections) {
        // Closed on the connection's own strand; it may have ended (and left the list) in the meantime.
        asio::post(connection.executor, [impl, id = id] {
            std::lock_guard lock(impl->mutex);
            auto it = impl->connections.find(id);
            if (it == impl->connections.end()) return;
            boost::system::error_code ignored;
            it->second.socket->close(ignored);
        });
    }
}

asio::awaitable<void> HttpServer::stop_gracefully(std::chrono::milliseconds limit) {
    auto impl = impl_;
    co_await impl->answering.close(limit);
    stop();
}

tcp::endpoint HttpServer::endpoint() const {
    return impl_->bound;
}

std::string HttpServer::public_url() const {
    return impl_->public_url;
}

}  // namespace collab::net
