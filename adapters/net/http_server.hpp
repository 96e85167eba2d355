#pragma once
// A small HTTP(S)/1.1 server for the bot's own endpoints (the sandbox's Scalingo API, Slack's HTTP
// mode): it owns the sockets, the caller owns what a request means.
//
// Each request is read whole (request line and headers capped at 16 KiB: larger ones are answered
// 431; body at max_body_bytes: 413; malformed requests 400; and the connection is closed), handed
// to the asynchronous handler, and its answer written back; connections are kept alive between
// requests as the client asks. Every wait has a deadline: read_timeout for the next request to
// begin (idle keep-alive included), request_timeout for a begun request to arrive whole (a slow
// sender is cut however it trickles its bytes), write_timeout for an answer to leave. The handler
// itself has none: it must bound its own work.
//
// Thread model: the acceptor and each connection run on strands of the given executor, so the
// io_context may have one thread or several; a handler starts on its connection's strand, and two
// handlers may run at once on different connections.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace collab::net {

using ServerRequest = boost::beast::http::request<boost::beast::http::string_body>;
using ServerResponse = boost::beast::http::response<boost::beast::http::string_body>;

// The answer to one request. The server sets the version, Content-Length and keep-alive (a
// "Connection: close" set here is honoured), and the Server header when the handler set none.
// It should not throw: an exception is answered 500 and closes the connection.
using HttpHandler = std::function<boost::asio::awaitable<ServerResponse>(ServerRequest)>;

// An answer, and what to do once it was written or could not be (the client closed the connection
// before it was written, or the write failed). For answers that can still be delivered another way.
struct ServerAnswer {
    ServerResponse response;
    // May be empty; called once, on the connection's strand, with whether the answer was written.
    std::function<void(bool written)> written;
};
using AnswerHandler = std::function<boost::asio::awaitable<ServerAnswer>(ServerRequest)>;

// The answers the server makes on its own (400, 413, 431, 500), from a status and a short message.
using ErrorAnswer = std::function<ServerResponse(boost::beast::http::status status, std::string_view message)>;

// The default ErrorAnswer: the message as text/plain. Inline, as the default of HttpServerOptions:
// code that only reads settings (the configuration, its fuzzer) needs none of the server's code.
inline ServerResponse plain_error(boost::beast::http::status status, std::string_view message) {
    ServerResponse response{status, 11};
    response.set(boost::beast::http::field::content_type, "text/plain; charset=utf-8");
    response.body() = std::string(message) + "\n";
    return response;
}

struct HttpServerOptions {
    std::string listen = "127.0.0.1:0";  // HOST:PORT or [V6]:PORT ("localhost" is 127.0.0.1); port 0 takes a free one
    std::string cert_file;               // PEM certificate chain; with key_file, serve HTTPS instead of HTTP
    std::string key_file;                // PEM private key
    std::string public_url;              // what public_url() returns; empty: derived from the bound address
    std::chrono::seconds read_timeout{30};     // for the next request to begin, idle keep-alive included
    std::chrono::seconds request_timeout{10};  // for a request, from its first byte, to arrive whole
    std::chrono::seconds write_timeout{30};    // for an answer to leave
    std::size_t max_body_bytes = 64 * 1024;    // larger request bodies get 413 and the connection is closed
    std::string server_name = "collab-bot";    // the Server header; empty: none
    ErrorAnswer error_answer = plain_error;
};

class HttpServer {
public:
    // The server must be destroyed before the executor's io_context (its destructor posts the closing
    // of the listener to it). Whatever the handler refers to must outlive the connections, i.e. last
    // until that io_context has run out of work or been destroyed.
    HttpServer(boost::asio::any_io_executor executor, HttpServerOptions options, HttpHandler handler);
    HttpServer(boost::asio::any_io_executor executor, HttpServerOptions options, AnswerHandler handler);
    ~HttpServer();  // stop()
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Binds, listens and starts accepting on the executor. Throws std::runtime_error naming what is wrong
    // (listen address, port in use, certificate or key that cannot be loaded).
    void start();
    // Closes the listener and every open connection; callable from any thread. A handler already running
    // finishes, and its answer is dropped. The coroutines end on the executor, so its io_context runs out
    // of work once they have.
    void stop();
    // stop() once the answers to the requests taken in so far have been written, at most `limit`
    // later. Requests that arrive meanwhile are still answered if they can be. Called once, from a
    // coroutine on the executor the server was made with.
    boost::asio::awaitable<void> stop_gracefully(std::chrono::milliseconds limit);

    boost::asio::ip::tcp::endpoint endpoint() const;  // the bound address and port (after start())
    // "http://127.0.0.1:PORT" (a wildcard bind is advertised as the loopback address), "https://…" with
    // TLS, or the configured one; never with a trailing "/", so that paths can be appended to it.
    std::string public_url() const;

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace collab::net
