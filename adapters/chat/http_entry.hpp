#pragma once
// What the platforms that POST their requests to the bot share around their own decoding (Mattermost's
// commands and clicks, Discord's interactions endpoint): the listener and the Intake's life around it,
// the routing refusals, the refusals' answers and log lines, a JSON answer, and the acknowledgement's
// latency.

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

// An HTTP listener whose requests go through an Intake: while it listens, the work of instances that
// died is looked for (Intake::sweep); a graceful stop lets the answers in progress out, then waits for
// their claims to be marked done.
class IntakeListener {
public:
    // `executor` is the Intake's. The Intake and whatever `handler` refers to must outlive the
    // listener's io_context run; the listener must be destroyed before that io_context.
    IntakeListener(boost::asio::any_io_executor executor, Intake& intake, const net::HttpServerOptions& options,
                   net::AnswerHandler handler);

    // Listens (throws std::runtime_error as net::HttpServer::start) and starts the sweep, which keeps
    // `owner` (the Intake's, may be null) alive until it ends.
    void start(std::shared_ptr<const void> owner = nullptr);
    // No more looking for the work of instances that died: the first step of a stop.
    void stop_taking_over();
    // stop_taking_over(), then closes the listener and every connection.
    void stop();
    // stop() once the answers to the requests taken in so far have been written, at most `limit` later,
    // then waits as long again, at most, for their claims to be marked done.
    boost::asio::awaitable<void> stop_gracefully(std::chrono::milliseconds limit);
    boost::asio::ip::tcp::endpoint endpoint() const;
    std::string public_url() const;

private:
    boost::asio::any_io_executor executor_;
    Intake& intake_;
    net::HttpServer server_;
};

// The target without its query.
std::string_view path_of(std::string_view target);

// A refusal as the caller sees it (`answer`: short plain text, nothing that helps an attacker), and
// the log line with the precise reason (never a secret, a signature or the body): a warning for what
// deserves attention (401, 400), a debug line for stray requests.
net::ServerResponse refuse(spdlog::logger& logger, std::string_view transport, const net::ServerRequest& request,
                           boost::beast::http::status status, std::string_view answer, std::string_view log_reason);

// 404 for a path not among `paths`, 405 (Allow: POST) for another method than POST; nothing when the
// request may go on.
std::optional<net::ServerResponse> refuse_route(spdlog::logger& logger, std::string_view transport,
                                                const net::ServerRequest& request,
                                                std::initializer_list<std::string_view> paths);

// 200 application/json.
net::ServerResponse json_ok(std::string body);

// `answer` as the acknowledgement of a request that arrived at `arrived`: once it is written, its
// latency goes into `latency` (copied: it only points at the Registry's histogram), then `answer`'s own callback runs.
net::ServerAnswer acknowledging(AckLatency latency, std::chrono::steady_clock::time_point arrived,
                                net::ServerAnswer answer);

}  // namespace collab::chat
