#include "adapters/net/http_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <charconv>
#include <map>
#include <stdexcept>
#include <variant>

#include "adapters/net/tcp_tls.hpp"
#include "adapters/net/url.hpp"
#include "core/format.hpp"

namespace collab::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using Result = std::expected<HttpResponse, NetError>;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::uint32_t max_header_bytes = 64 * 1024;

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using OutgoingRequest = http::request<http::string_body>;

NetError fail(NetErrorKind kind, const Origin& origin, std::string what) {
    return net_error(kind, to_string(origin), std::move(what));
}

// Headers get their own, smaller cap: nothing legitimate needs more, and Beast buffers them whole.
std::uint32_t header_limit(const HttpClientOptions& options) {
    return static_cast<std::uint32_t>(std::min<std::size_t>(max_header_bytes, options.max_response_bytes));
}

// One connection to one origin, plain or TLS, with the bytes read past the last response.
struct Connection {
    explicit Connection(const asio::any_io_executor& executor) : stream(std::in_place_type<PlainStream>, executor) {}
    Connection(const asio::any_io_executor& executor, ssl::context& tls)
        : stream(std::in_place_type<TlsStream>, executor, tls) {}

    beast::tcp_stream& tcp() {
        if (auto* plain = std::get_if<PlainStream>(&stream)) return *plain;
        return std::get<TlsStream>(stream).next_layer();
    }

    std::variant<PlainStream, TlsStream> stream;
    beast::flat_buffer buffer;
};

using ConnectionPtr = std::unique_ptr<Connection>;

// What the client owns. In-flight requests hold it too, so that a request finishing after the
// client is destroyed gives its connection back to a pool that still exists.
struct State {
    State(asio::any_io_executor executor_in, HttpClientOptions options_in)
        : executor(std::move(executor_in)), options(std::move(options_in)) {
        // A CA file named in the configuration is checked at start. With the system's store the
        // context waits for the first https origin: making one costs OpenSSL about 20 ms and a few
        // MiB of its pages, for nothing in a bot that only speaks plain HTTP (loopback, a proxy
        // that terminates TLS).
        if (!options.ca_file.empty()) tls.emplace(make_tls_context(options.ca_file));
    }

    // Made at the first https origin. If OpenSSL cannot make it (no memory, a broken system
    // configuration), that request fails with the reason and the next one tries again.
    std::expected<ssl::context*, std::string> tls_context() {
        if (!tls) {
            auto made = try_make_tls_context(options.ca_file);
            if (!made) return std::unexpected(std::move(made.error()));
            tls.emplace(std::move(*made));
        }
        return &*tls;
    }

    asio::any_io_executor executor;
    HttpClientOptions options;
    std::optional<ssl::context> tls;
    std::map<std::string, std::vector<ConnectionPtr>> idle;  // by to_string(origin)
};

// --- Requests ----------------------------------------------------------------------------------

// A line break in a header would let a value smuggle in headers or a second request.
std::optional<NetError> check_headers(const HttpRequest& request) {
    for (std::size_t i = 0; i < request.headers.size(); ++i) {
        const auto& [name, value] = request.headers[i];
        const auto unsafe = [](char c) { return c == '\r' || c == '\n' || c == '\0'; };
        const bool bad_name = name.empty() || std::any_of(name.begin(), name.end(), [&](char c) {
                                  return unsafe(c) || c == ':' || c == ' ' || c == '\t';
                              });
        // Only the position is reported: values carry tokens, and a broken name may contain one.
        if (bad_name || std::any_of(value.begin(), value.end(), unsafe))
            return NetError{NetErrorKind::bad_url,
                            "request header #" + std::to_string(i + 1) + " has a character HTTP forbids there", true};
    }
    return std::nullopt;
}

bool is_owned_by_client(std::string_view name) {
    return beast::iequals(name, "Host") || beast::iequals(name, "Content-Length") ||
           beast::iequals(name, "Transfer-Encoding");
}

OutgoingRequest build_request(HttpRequest& request, const HttpUrl& url, const HttpClientOptions& options) {
    OutgoingRequest message{request.method, url.target, 11};
    message.set(http::field::host, url.host_header);
    for (auto& [name, value] : request.headers)
        if (!is_owned_by_client(name)) message.insert(name, value);
    if (message.find(http::field::user_agent) == message.end())
        message.set(http::field::user_agent, options.user_agent.empty() ? "collab-bot" : options.user_agent);
    message.body() = std::move(request.body);
    // Content-Length for a body, and for POST and PUT even when empty: some servers insist.
    message.prepare_payload();
    return message;
}

// --- Opening a connection ----------------------------------------------------------------------

asio::awaitable<std::expected<ConnectionPtr, NetError>> open_connection(State& state, const Origin& origin) {
    const HttpTimeouts& timeouts = state.options.timeouts;
    const std::string label = to_string(origin);
    auto endpoints = co_await resolve_host(state.executor, origin, label, timeouts.resolve);
    if (!endpoints) co_return std::unexpected(std::move(endpoints.error()));

    ConnectionPtr connection;
    if (origin.tls) {
        auto tls = state.tls_context();
        if (!tls) co_return std::unexpected(fail(NetErrorKind::tls, origin, "cannot set up TLS: " + tls.error()));
        connection = std::make_unique<Connection>(state.executor, **tls);
    } else {
        connection = std::make_unique<Connection>(state.executor);
    }
    if (auto error = co_await connect_tcp(connection->tcp(), *endpoints, label, timeouts.connect))
        co_return std::unexpected(std::move(*error));
    if (auto* tls = std::get_if<TlsStream>(&connection->stream))
        if (auto error = co_await tls_handshake(*tls, origin, label, timeouts.handshake))
            co_return std::unexpected(std::move(*error));
    co_return connection;
}

// --- One exchange --------------------------------------------------------------------------------

struct Exchanged {
    HttpResponse response;
    bool reusable = false;
};

struct ExchangeFailure {
    NetError error;
    bool nothing_received = false;  // the peer answered not a byte: it may have closed the connection first
};

NetError exchange_error(const error_code& error, const Origin& origin, const HttpClientOptions& options) {
    if (error == beast::error::timeout)
        return fail(NetErrorKind::timeout, origin,
                    "no complete response within " + format_ms(options.timeouts.request));
    if (error == http::error::body_limit)
        return fail(NetErrorKind::oversize, origin,
                    "the response body is larger than " + std::to_string(options.max_response_bytes) + " bytes");
    if (error == http::error::header_limit || error == http::error::buffer_overflow)
        return fail(NetErrorKind::oversize, origin,
                    "the response headers are larger than " + std::to_string(header_limit(options)) + " bytes");
    if (is_connection_loss(error))
        return fail(NetErrorKind::reset, origin, "the connection was closed mid-exchange (" + error.message() + ")");
    if (error.category() == http::make_error_code(http::error::bad_version).category())
        return fail(NetErrorKind::protocol, origin, "the answer is not HTTP/1.1 (" + error.message() + ")");
    if (is_tls_error(error)) return fail(NetErrorKind::tls, origin, "TLS failed mid-exchange: " + error.message());
    return fail(NetErrorKind::reset, origin, "the exchange failed: " + error.message());
}

HttpResponse to_response(http::response<http::string_body>&& message) {
    HttpResponse response;
    response.status = message.result_int();
    for (const auto& field : message) response.headers.emplace_back(field.name_string(), field.value());
    response.body = std::move(message.body());
    return response;
}

template <typename Stream>
asio::awaitable<std::expected<Exchanged, ExchangeFailure>> exchange_on(Stream& stream, Connection& connection,
                                                                       const OutgoingRequest& request,
                                                                       const Origin& origin,
                                                                       const HttpClientOptions& options) {
    // One deadline for writing the request and reading the whole response.
    connection.tcp().expires_after(options.timeouts.request);
    auto [write_error, written] = co_await http::async_write(stream, request, use_tuple);
    if (write_error) co_return std::unexpected(ExchangeFailure{exchange_error(write_error, origin, options), true});

    bool received = false;
    for (;;) {
        http::response_parser<http::string_body> parser;
        parser.header_limit(header_limit(options));
        parser.body_limit(options.max_response_bytes);
        // A response to HEAD announces a length but carries no body.
        parser.skip(request.method() == http::verb::head);
        auto [read_error, read] = co_await http::async_read(stream, connection.buffer, parser, use_tuple);
        received = received || parser.got_some() || connection.buffer.size() > 0;
        if (read_error)
            co_return std::unexpected(ExchangeFailure{exchange_error(read_error, origin, options), !received});

        const unsigned status = parser.get().result_int();
        // 100 Continue and other interim answers precede the real one.
        if (status >= 100 && status < 200 && status != 101) continue;
        // Reuse only a connection left exactly at a message boundary that both sides keep open.
        const bool reusable =
            parser.keep_alive() && request.keep_alive() && status != 101 && connection.buffer.size() == 0;
        co_return Exchanged{to_response(parser.release()), reusable};
    }
}

asio::awaitable<std::expected<Exchanged, ExchangeFailure>> exchange(Connection& connection,
                                                                    const OutgoingRequest& request,
                                                                    const Origin& origin,
                                                                    const HttpClientOptions& options) {
    if (auto* tls = std::get_if<TlsStream>(&connection.stream))
        co_return co_await exchange_on(*tls, connection, request, origin, options);
    co_return co_await exchange_on(std::get<PlainStream>(connection.stream), connection, request, origin, options);
}

// --- The pool ------------------------------------------------------------------------------------

// Whether the peer closed an idle connection while it sat in the pool: a non-blocking peek finds
// the end of stream without consuming anything.
bool still_open(Connection& connection) {
    switch (peek_without_waiting(connection.tcp().socket())) {
        case Peeked::nothing: return true;
        case Peeked::closed: return false;
        case Peeked::bytes:
            // Unsolicited bytes on a plain connection are a stray answer (a 408, say) that would be taken
            // for the next response; on TLS they can be session tickets, which the TLS layer consumes.
            return std::holds_alternative<TlsStream>(connection.stream);
    }
    return false;
}

ConnectionPtr take_idle(State& state, const std::string& key) {
    auto found = state.idle.find(key);
    if (found == state.idle.end()) return nullptr;
    ConnectionPtr usable;
    auto& connections = found->second;
    // The most recently used first: the one least likely to have been closed by the peer.
    while (!connections.empty() && !usable) {
        ConnectionPtr candidate = std::move(connections.back());
        connections.pop_back();
        if (still_open(*candidate)) usable = std::move(candidate);
    }
    if (connections.empty()) state.idle.erase(found);
    return usable;
}

void give_back(State& state, const std::string& key, ConnectionPtr connection) {
    // An idle connection waits without a deadline; the next request sets one.
    connection->tcp().expires_never();
    auto& connections = state.idle[key];
    if (connections.size() < state.options.max_idle_per_origin) connections.push_back(std::move(connection));
    if (connections.empty()) state.idle.erase(key);
}

}  // namespace

// --- Public interface ----------------------------------------------------------------------------

std::string_view to_string(NetErrorKind kind) {
    switch (kind) {
        case NetErrorKind::bad_url: return "bad_url";
        case NetErrorKind::dns: return "dns";
        case NetErrorKind::refused: return "refused";
        case NetErrorKind::tls: return "tls";
        case NetErrorKind::timeout: return "timeout";
        case NetErrorKind::reset: return "reset";
        case NetErrorKind::oversize: return "oversize";
        case NetErrorKind::protocol: return "protocol";
    }
    return "unknown";
}

std::optional<std::string> HttpResponse::header(std::string_view name) const {
    for (const auto& [key, value] : headers)
        if (beast::iequals(key, name)) return value;
    return std::nullopt;
}

std::optional<std::chrono::milliseconds> retry_after(const HttpResponse& response) {
    auto value = response.header("Retry-After");
    if (!value) return std::nullopt;
    long long seconds = 0;
    auto [end, error] = std::from_chars(value->data(), value->data() + value->size(), seconds);
    if (error != std::errc{} || end != value->data() + value->size() || seconds < 0) return std::nullopt;
    // Capped before converting: a huge count (9223372036854776) would wrap to a negative wait in
    // milliseconds and slip under every caller's longest-wait bound.
    return std::chrono::seconds{std::min<long long>(seconds, 3600)};
}

struct HttpClient::Impl {
    std::shared_ptr<State> state;
};

HttpClient::HttpClient(asio::any_io_executor executor, HttpClientOptions options) : impl_(std::make_unique<Impl>()) {
    impl_->state = std::make_shared<State>(std::move(executor), std::move(options));
}

HttpClient::~HttpClient() {
    // Idle connections close now; those in flight are closed or pooled by their request, then freed.
    impl_->state->idle.clear();
}

std::size_t HttpClient::idle_connections() const {
    std::size_t count = 0;
    for (const auto& [origin, connections] : impl_->state->idle) count += connections.size();
    return count;
}

asio::awaitable<Result> HttpClient::send(HttpRequest request) {
    // From here on only `state` is used: the client itself may be gone when this resumes.
    std::shared_ptr<State> state = impl_->state;

    auto url = parse_http_url(request.url);
    if (!url) co_return std::unexpected(std::move(url.error()));
    if (auto invalid = check_headers(request)) co_return std::unexpected(std::move(*invalid));
    const OutgoingRequest message = build_request(request, *url, state->options);
    const std::string key = to_string(url->origin);

    ConnectionPtr connection = take_idle(*state, key);
    for (;;) {
        const bool reused = connection != nullptr;
        if (!reused) {
            auto opened = co_await open_connection(*state, url->origin);
            if (!opened) co_return std::unexpected(std::move(opened.error()));
            connection = std::move(*opened);
        }
        auto outcome = co_await exchange(*connection, message, url->origin, state->options);
        if (outcome) {
            if (outcome->reusable) give_back(*state, key, std::move(connection));
            co_return std::move(outcome->response);
        }
        // The peer closed a kept-alive connection as the request went out: once, on a new connection. Only
        // for reads and deletes: a POST or PATCH the peer may have applied is never sent twice.
        const bool idempotent = request.method == http::verb::get || request.method == http::verb::head ||
                                request.method == http::verb::delete_;
        const bool stale = idempotent && reused && outcome.error().nothing_received &&
                           outcome.error().error.kind == NetErrorKind::reset;
        if (!stale) co_return std::unexpected(std::move(outcome.error().error));
        connection.reset();
    }
}

}  // namespace collab::net
