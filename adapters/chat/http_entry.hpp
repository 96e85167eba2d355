#pragma once
// What the platforms that POST their requests to the bot share around their own decoding (Slack's HTTP
// mode, Mattermost's commands and clicks, Discord's interactions endpoint): the server and the Intake's
// life around it, the routing refusals, the refusals' answers and log lines, a JSON answer, the
// acknowledgement's latency, and a command's answer finished once it is written.

#include <spdlog/logger.h>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/status.hpp>

#include <chrono>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/chat/ack_latency.hpp"
#include "adapters/chat/intake.hpp"
#include "adapters/net/http_server.hpp"
#include "adapters/observability/metrics.hpp"

namespace collab::chat {

// A platform's listener, before its own settings: 10 s to read a request and 10 s to write an answer
// (the platforms send a request at once and wait for the answer: a slower peer is not the platform).
// Inline: the configuration readers, built without the adapters, start from it.
inline net::HttpServerOptions platform_listener(std::string listen) {
    net::HttpServerOptions server;
    server.listen = std::move(listen);
    server.read_timeout = std::chrono::seconds{10};
    server.write_timeout = std::chrono::seconds{10};
    return server;
}

// What a server's connections share with the server (each server's State derives from it and adds its
// platform's settings): kept alive by the connections that use it and by the Intake's sweep.
struct IntakeServerState : std::enable_shared_from_this<IntakeServerState> {
    IntakeServerState(boost::asio::any_io_executor executor, std::string_view transport,
                      std::shared_ptr<spdlog::logger> logger);
    virtual ~IntakeServerState() = default;

    const boost::asio::any_io_executor executor;  // the Desk's own
    const std::string_view transport;             // names the server in the log ("slack http")
    const std::shared_ptr<spdlog::logger> logger;
    AckLatency ack_latency;  // set before the server starts

    // See chat::refuse.
    net::ServerResponse refused(const net::ServerRequest& request, boost::beast::http::status status,
                                std::string_view answer, std::string_view log_reason) const;
    // `answer` as the acknowledgement of a request that arrived at `arrived` (see chat::acknowledging).
    net::ServerAnswer acknowledging(std::chrono::steady_clock::time_point arrived, net::ServerAnswer answer) const;
    // `response`, the acknowledgement that carries `taken` (Intake::command's), once it is written or could
    // not be: `intake` (which this state must hold) finishes it, through the response_url when nobody was
    // left to read it on this connection.
    net::ServerAnswer finishing(Intake& intake, std::chrono::steady_clock::time_point arrived, Taken taken,
                                net::ServerResponse response);
};

// An HTTP server whose requests go through an Intake: while it listens, the work of instances that died
// is looked for (Intake::sweep); a graceful stop lets the answers in progress out, then waits for their
// claims to be marked done. Each platform's server derives from it and keeps only its parsing,
// verification and answers, in a State that derives from IntakeServerState and has
// `static boost::asio::awaitable<net::ServerAnswer> handle(std::shared_ptr<State>, net::ServerRequest)`.
class IntakeServer {
public:
    IntakeServer(const IntakeServer&) = delete;
    IntakeServer& operator=(const IntakeServer&) = delete;
    virtual ~IntakeServer() = default;

    // Listens (throws std::runtime_error on a listen address, port or certificate that cannot work) and
    // looks for the work of instances that died until stop().
    void start();
    // No more looking for the work of instances that died: the first step of a stop, so that no work is
    // taken over that the stop would then cut off.
    void stop_taking_over();
    // stop_taking_over(), then closes the listener and every connection.
    void stop();
    // stop() once the answers to the requests taken in so far have been written, at most `limit` later,
    // then waits as long again, at most, for their claims to be marked done.
    boost::asio::awaitable<void> stop_gracefully(std::chrono::milliseconds limit);
    // Records, from now on, each acknowledgement's latency labelled with `platform`. Before start().
    void measure_into(observability::Registry& metrics, std::string_view platform);
    boost::asio::ip::tcp::endpoint endpoint() const;
    std::string public_url() const;

protected:
    // `state->executor` is the Intake's. The Intake and whatever the state refers to must outlive the
    // server's io_context run; the server must be destroyed before that io_context.
    template <typename State>
    IntakeServer(std::shared_ptr<State> state, Intake& intake, const net::HttpServerOptions& options)
        : IntakeServer(state, intake, options, net::AnswerHandler{[state](net::ServerRequest request) {
                           return State::handle(state, std::move(request));
                       }}) {}

private:
    IntakeServer(std::shared_ptr<IntakeServerState> state, Intake& intake, const net::HttpServerOptions& options,
                 net::AnswerHandler handler);
    // Once listening: what the platform must learn of the public URL.
    virtual void listening() {}

    std::shared_ptr<IntakeServerState> state_;
    Intake& intake_;
    net::HttpServer server_;
};

// The target without its query.
std::string_view path_of(std::string_view target);

// A refusal as the caller sees it (`answer`: short plain text, nothing that helps an attacker), and
// the log line with the precise reason (never a secret, a signature or the body): a warning for what
// deserves attention (a refused credential 401, a signed request that makes no sense 400, a replay 409,
// an answer that could not be made 503), a debug line for stray requests.
net::ServerResponse refuse(spdlog::logger& logger, std::string_view transport, const net::ServerRequest& request,
                           boost::beast::http::status status, std::string_view answer, std::string_view log_reason);

// 404 for a path not among `paths`, 405 (Allow: POST) for another method than POST; nothing when the
// request may go on.
std::optional<net::ServerResponse> refuse_route(spdlog::logger& logger, std::string_view transport,
                                                const net::ServerRequest& request,
                                                std::initializer_list<std::string_view> paths);

// 200 application/json.
net::ServerResponse json_ok(std::string body);

// An answer with nothing to do once it is written.
net::ServerAnswer answer(net::ServerResponse response);

// `answer` as the acknowledgement of a request that arrived at `arrived`: once it is written, its
// latency goes into `latency` (copied: it only points at the Registry's histogram), then `answer`'s own callback runs.
net::ServerAnswer acknowledging(AckLatency latency, std::chrono::steady_clock::time_point arrived,
                                net::ServerAnswer answer);

}  // namespace collab::chat
