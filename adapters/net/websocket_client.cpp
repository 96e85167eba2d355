#include "adapters/net/websocket_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <atomic>
#include <deque>
#include <exception>
#include <stdexcept>
#include <type_traits>

#include "adapters/net/tcp_tls.hpp"
#include "adapters/net/url.hpp"
#include "core/format.hpp"

namespace collab::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// A close frame's payload is at most 125 bytes, two of which carry the code.
constexpr std::size_t max_close_reason_bytes = 123;
constexpr std::size_t write_buffer_bytes = 16 * 1024;

using PlainWs = websocket::stream<beast::tcp_stream>;
using TlsWs = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

// ws and wss are http and https under another name (RFC 6455, section 3): the HTTP parser does the work.
std::expected<HttpUrl, NetError> parse_ws_url(std::string_view url) {
    const auto has_scheme = [&](std::string_view scheme) {
        return url.size() >= scheme.size() && beast::iequals(url.substr(0, scheme.size()), scheme);
    };
    std::string as_http;
    if (has_scheme("ws://"))
        as_http = "http://" + std::string(url.substr(5));
    else if (has_scheme("wss://"))
        as_http = "https://" + std::string(url.substr(6));
    else
        return std::unexpected(NetError{NetErrorKind::bad_url, "not a usable ws(s) URL: the scheme must be ws or wss"});

    auto parsed = parse_http_url(as_http);
    if (!parsed) {
        // Keep the parser's reason, under the name of the scheme the caller used.
        constexpr std::string_view http_prefix = "not a usable http(s) URL";
        std::string& message = parsed.error().message;
        if (message.starts_with(http_prefix)) message.replace(0, http_prefix.size(), "not a usable ws(s) URL");
    }
    return parsed;
}

// The io_context's executor that `executor` is, or the one under the strand that `executor` is.
asio::io_context::executor_type io_context_executor(const asio::any_io_executor& executor) {
    using IoExecutor = asio::io_context::executor_type;
    if (const auto* io = executor.target<IoExecutor>()) return *io;
    if (const auto* strand = executor.target<asio::strand<IoExecutor>>()) return strand->get_inner_executor();
    throw std::invalid_argument("a WebSocket connection runs on an io_context's executor or a strand of it");
}

// "wss://host:port": what error messages start with (never the target, which carries Slack's ticket).
std::string ws_label(const Origin& origin) {
    return "ws" + to_string(origin).substr(4);  // "http://…" -> "ws://…", "https://…" -> "wss://…"
}

std::string describe(const WebSocketClose& close) {
    std::string text = "code " + std::to_string(close.code);
    if (!close.reason.empty()) text += ", \"" + close.reason + "\"";
    return text;
}

}  // namespace

// --- The link: socket, queue and state ------------------------------------------------------------

// The part of a connection shared with the coroutines that work on it, so that a write or a close in
// flight keeps the socket alive. Everything but the atomics is touched on the strand only.
class WebSocketConnection::Link : public std::enable_shared_from_this<WebSocketConnection::Link> {
public:
    Link(Executor strand, WebSocketOptions options, std::string label)
        : strand_(std::move(strand)),
          options_(std::move(options)),
          label_(std::move(label)),
          drained_(strand_),
          close_over_(strand_, asio::steady_timer::time_point::max()),
          last_activity_(Clock::now().time_since_epoch().count()) {}
    virtual ~Link() = default;
    Link(const Link&) = delete;
    Link& operator=(const Link&) = delete;

    virtual asio::awaitable<std::optional<NetError>> open(const tcp::resolver::results_type& endpoints,
                                                          const HttpUrl& url) = 0;
    virtual asio::awaitable<ReadResult> read() = 0;
    virtual asio::awaitable<std::optional<NetError>> close(std::string reason, std::uint16_t code) = 0;

    void send(std::string text) {
        auto self = shared_from_this();
        // Onto the strand: inline when already there, so sends from one coroutine keep their order.
        asio::dispatch(strand_,
                       [self = std::move(self), text = std::move(text)]() mutable { self->enqueue(std::move(text)); });
    }

    void abort() {
        auto self = shared_from_this();
        asio::dispatch(strand_, [self = std::move(self)] {
            self->aborted_ = true;
            self->record(net_error(NetErrorKind::reset, self->label_, "the connection was aborted by this side"));
            self->close_socket();
        });
    }

    const Executor& strand() const { return strand_; }
    bool closed() const { return closed_; }
    const std::optional<NetError>& error() const { return error_; }
    const std::optional<WebSocketClose>& close_reason() const { return close_reason_; }
    Clock::time_point last_activity() const { return Clock::time_point(Clock::duration(last_activity_.load())); }
    std::uint64_t pings() const { return pings_; }
    std::uint64_t pongs() const { return pongs_; }
    std::uint64_t messages() const { return messages_; }
    std::size_t queued() const { return queue_.size(); }

protected:
    virtual void enqueue(std::string text) = 0;
    virtual void close_socket() = 0;

    void touch() { last_activity_ = Clock::now().time_since_epoch().count(); }

    // The first failure is the one reported: what follows (aborted operations, the socket closing)
    // is its consequence. Once recorded, the connection carries no more messages.
    void record(NetError error) {
        if (!error_) error_ = std::move(error);
        closed_ = true;
    }

    NetError transfer_error(const error_code& error, std::string_view doing) const {
        if (is_connection_loss(error))
            return net_error(NetErrorKind::reset, label_,
                             "the connection was lost without a close frame (" + error.message() + ")");
        if (is_tls_error(error)) return net_error(NetErrorKind::tls, label_, "TLS failed: " + error.message());
        if (error.category() == websocket::make_error_code(websocket::error::closed).category())
            return net_error(NetErrorKind::protocol, label_,
                             "the peer broke the WebSocket protocol (" + error.message() + ")");
        return net_error(NetErrorKind::reset, label_, std::string(doing) + " failed: " + error.message());
    }

    Executor strand_;
    WebSocketOptions options_;
    std::string label_;
    std::deque<std::string> queue_;  // front() is being written while writing_
    std::size_t queued_bytes_ = 0;   // in queue_
    bool writing_ = false;
    bool closing_ = false;  // close() has started: it owns the teardown
    bool aborted_ = false;
    asio::steady_timer drained_;     // close() waits on it for the queue to drain
    asio::steady_timer close_over_;  // expired once close() is over: reads begun meanwhile wait on it
    std::optional<NetError> error_;
    std::optional<WebSocketClose> close_reason_;
    std::atomic<bool> closed_{false};
    std::atomic<Clock::rep> last_activity_;
    std::atomic<std::uint64_t> pings_{0};
    std::atomic<std::uint64_t> pongs_{0};
    std::atomic<std::uint64_t> messages_{0};
};

namespace {

template <typename Ws>
class LinkOn final : public WebSocketConnection::Link {
public:
    static constexpr bool is_tls = std::is_same_v<Ws, TlsWs>;

    LinkOn(WebSocketConnection::Executor strand, WebSocketOptions options, std::string label,
           std::unique_ptr<ssl::context> tls)
        : Link(std::move(strand), std::move(options), std::move(label)), tls_(std::move(tls)), ws_(make_stream()) {
        // Every frame counts as a sign of life, control frames included: a watchdog reads last_activity().
        ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
            touch();
            if (kind == websocket::frame_type::ping) ++pings_;
            if (kind == websocket::frame_type::pong) ++pongs_;
        });
    }

    asio::awaitable<std::optional<NetError>> open(const tcp::resolver::results_type& endpoints,
                                                  const HttpUrl& url) override {
        const WebSocketTimeouts& timeouts = options_.timeouts;
        beast::tcp_stream& tcp = beast::get_lowest_layer(ws_);
        if (auto error = co_await connect_tcp(tcp, endpoints, label_, timeouts.connect)) co_return error;
        if constexpr (is_tls) {
            if (auto error = co_await tls_handshake(ws_.next_layer(), url.origin, label_, timeouts.tls_handshake))
                co_return error;
        }

        // Name ourselves: servers log it, and some refuse clients without one.
        const std::string agent = options_.user_agent.empty() ? "collab-bot" : options_.user_agent;
        ws_.set_option(
            websocket::stream_base::decorator([agent, headers = options_.headers](websocket::request_type& request) {
                request.set(http::field::user_agent, agent);
                for (const auto& [name, value] : headers) request.set(name, value);
            }));
        // Beast buffers a message whole: the cap bounds what a peer can make us allocate.
        ws_.read_message_max(options_.max_message_bytes);
        // A client masks what it sends in this buffer, and writes it out each time it is full: large
        // enough for a whole answer, a message leaves in one write (the default 4 KiB took two or
        // three for a list or help in Slack's Block Kit). Only settable before the handshake.
        ws_.write_buffer_bytes(write_buffer_bytes);

        // The same deadline style as the steps before; the websocket's own timers take over once it is up.
        tcp.expires_after(timeouts.websocket_handshake);
        websocket::response_type response;
        auto [error] = co_await ws_.async_handshake(response, url.host_header, url.target, use_tuple);
        if (error) co_return handshake_error(error, response);

        // Beast's websocket timers need the tcp_stream's own turned off, or both would fire.
        tcp.expires_never();
        websocket::stream_base::timeout settings;
        settings.handshake_timeout = timeouts.close;  // Beast also bounds the closing handshake with it
        // The idle timeout is watch_idle's: Beast's re-arms a timer on every read, a system call and
        // two timer operations per message.
        settings.idle_timeout = websocket::stream_base::none();
        settings.keep_alive_pings = false;
        ws_.set_option(settings);
        ws_.text(true);
        touch();
        // Named: g++ 12 destroys a temporary passed to a coroutine twice.
        auto self = std::static_pointer_cast<LinkOn>(shared_from_this());
        asio::co_spawn(strand_, watch_idle(std::move(self)), asio::detached);
        co_return std::nullopt;
    }

    asio::awaitable<WebSocketConnection::ReadResult> read() override {
        if (closing_) {
            // Beast's close reads until the peer's close frame itself. A read of ours begun beside it
            // can deadlock the two when that frame is already buffered (each waits for the lock the
            // other holds, and no socket operation is left to time out): it waits for the close instead.
            co_await close_over_.async_wait(use_tuple);
            co_return std::unexpected(*error_);
        }
        // Once failed, always the same answer, without touching a socket that is gone.
        if (closed_) co_return std::unexpected(*error_);
        auto [error, size] = co_await ws_.async_read(buffer_, use_tuple);
        if (!error) {
            touch();
            ++messages_;
            std::string message = beast::buffers_to_string(buffer_.data());
            buffer_.consume(buffer_.size());
            co_return message;
        }
        buffer_.clear();
        record(read_error(error));
        // Wake a write stuck on a full socket buffer; a close() in progress does its own teardown.
        if (!closing_) close_socket();
        co_return std::unexpected(*error_);
    }

    asio::awaitable<std::optional<NetError>> close(std::string reason, std::uint16_t code) override {
        if (closing_ || closed_) {
            // Already over: clean when the peer said goodbye first.
            if (close_reason_ && !aborted_) co_return std::nullopt;
            co_return error_;
        }
        closing_ = true;
        record(net_error(NetErrorKind::reset, label_, "the connection was closed by this side"));
        auto outcome = co_await close_handshake(std::move(reason), code);
        close_over_.expires_at(asio::steady_timer::time_point::min());
        co_return outcome;
    }

private:
    // close() once it has begun: the queue drained, then the closing handshake, each bounded.
    asio::awaitable<std::optional<NetError>> close_handshake(std::string reason, std::uint16_t code) {
        // Let what is queued leave first: acknowledgements owed to the peer are in there.
        if (writing_) {
            drained_.expires_after(options_.timeouts.close);
            co_await drained_.async_wait(use_tuple);
        }
        // A peer that does not take our messages would not take a close frame either, and Beast's
        // close would wait for the stuck write without a deadline.
        if (writing_) {
            close_socket();
            co_return net_error(NetErrorKind::timeout, label_,
                                "queued messages did not leave within " + format_ms(options_.timeouts.close));
        }
        if (reason.size() > max_close_reason_bytes) reason.resize(max_close_reason_bytes);
        const websocket::close_reason frame(static_cast<websocket::close_code>(code), beast::string_view(reason));
        auto [error] = co_await ws_.async_close(frame, use_tuple);
        close_socket();
        if (!error) {
            if (!close_reason_) close_reason_ = peer_close();
            co_return std::nullopt;
        }
        if (aborted_) co_return net_error(NetErrorKind::reset, label_, "the connection was aborted by this side");
        // Beast hands its timeout to whichever operation asks first; either way the peer did not answer.
        if (error == beast::error::timeout || error == asio::error::operation_aborted)
            co_return net_error(NetErrorKind::timeout, label_,
                                "the peer did not answer the close frame within " + format_ms(options_.timeouts.close));
        co_return transfer_error(error, "closing");
    }

    // Wakes once per half idle period, whatever the traffic: pings when nothing arrived for half of it,
    // so that a live but quiet peer has something to answer, and declares the link dead when nothing
    // arrived for all of it (the pending read then fails with `timeout`).
    asio::awaitable<void> watch_idle(std::shared_ptr<LinkOn> self) {
        const auto idle = options_.timeouts.idle;
        while (!closed_) {
            const auto quiet = Clock::now() - last_activity();
            if (quiet >= idle) {
                record(net_error(NetErrorKind::timeout, label_,
                                 "no frame from the peer for " + format_ms(idle) +
                                     ", not even a pong to a keep-alive ping: the link is dead"));
                close_socket();
                co_return;
            }
            const bool ping_due = quiet >= idle / 2;
            if (ping_due && !pinging_ && !closing_) {
                pinging_ = true;
                asio::co_spawn(strand_, send_ping(self), asio::detached);
            }
            idle_timer_.expires_at(last_activity() + (ping_due ? idle : idle / 2));
            co_await idle_timer_.async_wait(use_tuple);
        }
    }

    // A failed ping is the link failing: the pending read reports it.
    asio::awaitable<void> send_ping([[maybe_unused]] std::shared_ptr<LinkOn> keep_alive) {
        co_await ws_.async_ping({}, use_tuple);
        pinging_ = false;
    }

    Ws make_stream() {
        if constexpr (is_tls)
            return Ws(strand_, *tls_);
        else
            return Ws(strand_);
    }

    void enqueue(std::string text) override {
        if (closed_) return;
        if (queued_bytes_ + text.size() > options_.max_queued_bytes) {
            // The peer does not take what we send: closing hands over to the caller's reconnection.
            record(net_error(NetErrorKind::reset, label_,
                             "the peer is too slow: more than " + std::to_string(options_.max_queued_bytes) +
                                 " bytes were waiting to be sent, so the connection was closed"));
            if (!closing_) close_socket();
            return;
        }
        queued_bytes_ += text.size();
        queue_.push_back(std::move(text));
        if (writing_) return;
        writing_ = true;
        auto self = std::static_pointer_cast<LinkOn>(shared_from_this());
        asio::co_spawn(strand_, write_queue(std::move(self)), asio::detached);
    }

    // One async_write at a time, as Beast requires; the queue keeps each message alive while it is written.
    asio::awaitable<void> write_queue([[maybe_unused]] std::shared_ptr<LinkOn> keep_alive) {
        while (!queue_.empty()) {
            auto [error, written] = co_await ws_.async_write(asio::buffer(queue_.front()), use_tuple);
            if (error) {
                record(aborted_ ? net_error(NetErrorKind::reset, label_, "the connection was aborted by this side")
                                : transfer_error(error, "writing"));
                if (!closing_) close_socket();  // the pending read reports it
                queue_.clear();
                queued_bytes_ = 0;
                break;
            }
            queued_bytes_ -= queue_.front().size();
            queue_.pop_front();
        }
        writing_ = false;
        drained_.cancel();
    }

    void close_socket() override {
        error_code ignored;
        beast::get_lowest_layer(ws_).socket().close(ignored);
        idle_timer_.cancel();  // watch_idle ends
    }

    // The peer's close frame, once Beast has read it.
    WebSocketClose peer_close() const {
        const websocket::close_reason& frame = ws_.reason();
        // 1005 is the RFC's "no status received": a close frame without a code.
        const std::uint16_t code = frame.code == websocket::close_code::none ? 1005 : frame.code;
        return WebSocketClose{code, std::string(frame.reason.data(), frame.reason.size())};
    }

    NetError read_error(const error_code& error) {
        if (error == websocket::error::closed) {
            close_reason_ = peer_close();
            return net_error(NetErrorKind::reset, label_,
                             "the peer closed the connection (" + describe(*close_reason_) + ")");
        }
        if (error == websocket::error::message_too_big)
            return net_error(NetErrorKind::oversize, label_,
                             "a message is larger than the " + std::to_string(options_.max_message_bytes) +
                                 "-byte cap; the connection was closed with code 1009");
        return transfer_error(error, "reading");
    }

    NetError handshake_error(const error_code& error, const websocket::response_type& response) const {
        const std::chrono::milliseconds timeout = options_.timeouts.websocket_handshake;
        if (error == beast::error::timeout)
            return net_error(NetErrorKind::timeout, label_,
                             "the WebSocket handshake took longer than " + format_ms(timeout));
        if (error == websocket::error::upgrade_declined)
            return net_error(
                NetErrorKind::protocol, label_,
                "the server declined the WebSocket upgrade with HTTP " + std::to_string(response.result_int()));
        if (is_connection_loss(error))
            return net_error(
                NetErrorKind::reset, label_,
                "the server closed the connection during the WebSocket handshake (" + error.message() + ")");
        if (is_tls_error(error)) return net_error(NetErrorKind::tls, label_, "TLS failed: " + error.message());
        return net_error(NetErrorKind::protocol, label_, "the WebSocket handshake failed: " + error.message());
    }

    std::unique_ptr<ssl::context> tls_;  // before the stream, which refers to it
    Ws ws_;
    beast::flat_buffer buffer_;
    asio::steady_timer idle_timer_{strand_};
    bool pinging_ = false;
};

using LinkPtr = std::shared_ptr<WebSocketConnection::Link>;

asio::awaitable<std::expected<LinkPtr, NetError>> open_link(WebSocketConnection::Executor strand, HttpUrl url,
                                                            WebSocketOptions options) {
    const std::string label = ws_label(url.origin);
    const asio::any_io_executor executor = strand;
    auto endpoints = co_await resolve_host(executor, url.origin, label, options.timeouts.resolve);
    if (!endpoints) co_return std::unexpected(std::move(endpoints.error()));

    LinkPtr link;
    if (url.origin.tls) {
        auto made = try_make_tls_context(options.ca_file);
        if (!made) co_return std::unexpected(net_error(NetErrorKind::tls, label, std::move(made.error())));
        auto tls = std::make_unique<ssl::context>(std::move(*made));
        link = std::make_shared<LinkOn<TlsWs>>(strand, std::move(options), label, std::move(tls));
    } else {
        link = std::make_shared<LinkOn<PlainWs>>(strand, std::move(options), label, nullptr);
    }
    if (auto error = co_await link->open(*endpoints, url)) co_return std::unexpected(std::move(*error));
    co_return link;
}

}  // namespace

// --- Public interface ----------------------------------------------------------------------------

asio::awaitable<WebSocketConnection::ConnectResult> WebSocketConnection::connect(asio::any_io_executor executor,
                                                                                 std::string url,
                                                                                 WebSocketOptions options) {
    auto parsed = parse_ws_url(url);
    if (!parsed) co_return std::unexpected(std::move(parsed.error()));
    // The strand wraps the io_context's own executor, not the type-erased one given: a strand around a
    // type-erased executor is too large for any_io_executor to hold inline, so that each operation on
    // the socket allocated copies of it.
    Executor strand = asio::make_strand(io_context_executor(executor));
    // The opening runs on the connection's strand, like everything that will touch its socket.
    auto opened =
        co_await asio::co_spawn(strand, open_link(strand, std::move(*parsed), std::move(options)), asio::use_awaitable);
    if (!opened) co_return std::unexpected(std::move(opened.error()));
    co_return std::shared_ptr<WebSocketConnection>(new WebSocketConnection(std::move(*opened)));
}

WebSocketConnection::WebSocketConnection(std::shared_ptr<Link> link) : link_(std::move(link)) {}

WebSocketConnection::~WebSocketConnection() {
    if (!link_->closed()) link_->abort();
}

const WebSocketConnection::Executor& WebSocketConnection::executor() const {
    return link_->strand();
}

asio::awaitable<WebSocketConnection::ReadResult> WebSocketConnection::read() {
    // The link outlives this call even if the caller lets go of the connection meanwhile.
    std::shared_ptr<Link> link = link_;
    co_return co_await link->read();
}

void WebSocketConnection::send(std::string text) {
    link_->send(std::move(text));
}

asio::awaitable<std::optional<NetError>> WebSocketConnection::close(std::string reason, std::uint16_t code) {
    std::shared_ptr<Link> link = link_;
    co_return co_await link->close(std::move(reason), code);
}

void WebSocketConnection::abort() {
    link_->abort();
}

bool WebSocketConnection::closed() const {
    return link_->closed();
}
std::optional<NetError> WebSocketConnection::error() const {
    return link_->error();
}
std::optional<WebSocketClose> WebSocketConnection::close_reason() const {
    return link_->close_reason();
}
std::chrono::steady_clock::time_point WebSocketConnection::last_activity() const {
    return link_->last_activity();
}
std::uint64_t WebSocketConnection::pings_received() const {
    return link_->pings();
}
std::uint64_t WebSocketConnection::pongs_received() const {
    return link_->pongs();
}
std::uint64_t WebSocketConnection::messages_received() const {
    return link_->messages();
}
std::size_t WebSocketConnection::queued_messages() const {
    return link_->queued();
}

}  // namespace collab::net
