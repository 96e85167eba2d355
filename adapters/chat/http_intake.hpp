#pragma once
// A platform that POSTs its requests to the bot (Slack's HTTP mode, Mattermost's slash commands and
// buttons): what such a server does besides deciding what a request means, written once.
//
// The platform's handler runs on each connection's strand; the Intake (intake.hpp) and the Desk live on
// the Desk's executor, where the handler hands each request over. A command's answer goes back as the
// HTTP response; once it is written, or could not be (the platform gave up waiting, a proxy dropped the
// connection), the Intake finishes the command, through the Outbox when nobody read it. Refusals are
// answered with a short text that helps no attacker, the precise reason going to the log only. Between
// start() and the stop, the work of instances that died is looked for.

#include <spdlog/logger.h>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/status.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "adapters/chat/ack_latency.hpp"
#include "adapters/chat/intake.hpp"
#include "adapters/net/http_server.hpp"
#include "adapters/store/shared_state.hpp"

namespace collab::chat {

// A request refused, decided without I/O.
struct HttpRefusal {
    boost::beast::http::status status;
    std::string answer;      // short plain text for the caller: nothing that helps an attacker
    std::string log_reason;  // the precise reason, for the log; never a secret, a signature or the body
};

// A listener's defaults for a platform's requests: on `listen`, 10 s to read a request and 10 s to
// write an answer (the platform sends a request at once and gives up on the answer after a few seconds:
// a slower peer is not the platform), request bodies up to 64 KiB. Inline: the configuration readers,
// built without the adapters, start from them.
inline net::HttpServerOptions platform_listener_defaults(std::string listen) {
    net::HttpServerOptions server;
    server.listen = std::move(listen);
    server.read_timeout = std::chrono::seconds{10};
    server.write_timeout = std::chrono::seconds{10};
    return server;
}

// The path of a request target, its query left out.
std::string_view path_of(std::string_view target);

// What a platform's handler shares with its connections, alive while any of them or the sweep is: the
// platform's own state derives from it.
struct HttpIntakeState {
    // `transport` names the platform in the log ("slack http", "mattermost").
    HttpIntakeState(boost::asio::any_io_executor executor, Desk& desk, store::SharedState& shared,
                    IntakeSettings settings, Intake::ReadWork read_work, std::shared_ptr<spdlog::logger> logger);
    virtual ~HttpIntakeState() = default;

    // Logs the refusal (refused credentials and requests that make no sense, 400, 401, 409 and 503, at
    // warning level; stray paths and methods at debug level) and answers it, a 405 saying what is allowed.
    net::ServerResponse refused(const net::ServerRequest& request, const HttpRefusal& refusal) const;

    const boost::asio::any_io_executor executor;  // the Desk's own
    Intake intake;                                // used on the Desk's executor only
    const std::string transport;
    const std::shared_ptr<spdlog::logger> logger;
    AckLatency ack_latency;  // set before the server starts
};

// The answer to a command taken in: `response` on its connection, the command finished once it is
// written or could not be. `arrived`: when the request arrived, for the acknowledgement's latency.
net::ServerAnswer answer_taken(std::shared_ptr<HttpIntakeState> state, Taken taken, net::ServerResponse response,
                               std::chrono::steady_clock::time_point arrived);

// A platform's server: the listener, with its handler, and the sweep of its HttpIntakeState. The
// platform's own server derives from it, adding its constructor (which makes the state and the handler)
// and what else it needs.
class HttpIntakeServer {
public:
    HttpIntakeServer(const HttpIntakeServer&) = delete;
    HttpIntakeServer& operator=(const HttpIntakeServer&) = delete;

    // As net::HttpServer's: start() throws std::runtime_error on a listen address, port or certificate
    // that cannot work; stop() closes the listener and every connection, and stops the sweep.
    void start();
    void stop();
    // No more looking for the work of instances that died: the first step of a stop, so that no work
    // is taken over that the stop would then cut off.
    void stop_taking_over();
    // stop() once the answers to the requests taken in so far have been written, at most `limit` later,
    // then waits as long again, at most, for their claims to be marked done.
    boost::asio::awaitable<void> stop_gracefully(std::chrono::milliseconds limit);
    // Records, from now on, each acknowledgement's latency labelled with `platform`. Before start().
    void measure_into(observability::Registry& metrics, std::string_view platform);

    boost::asio::ip::tcp::endpoint endpoint() const;
    std::string public_url() const;

protected:
    // The server must be destroyed before the io_context of the state's executor; the Desk, the Outbox
    // and the shared store must outlive that io_context's run.
    HttpIntakeServer(std::shared_ptr<HttpIntakeState> state, net::HttpServerOptions options,
                     net::AnswerHandler handler);
    ~HttpIntakeServer() = default;

private:
    std::shared_ptr<HttpIntakeState> state_;
    net::HttpServer server_;
};

}  // namespace collab::chat
