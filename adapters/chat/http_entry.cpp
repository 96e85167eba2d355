#include "adapters/chat/http_entry.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>

#include <algorithm>

namespace collab::chat {
namespace asio = boost::asio;
namespace http = boost::beast::http;

IntakeServerState::IntakeServerState(asio::any_io_executor executor, std::string_view transport,
                                     std::shared_ptr<spdlog::logger> logger)
    : executor(std::move(executor)), transport(transport), logger(std::move(logger)) {}

net::ServerResponse IntakeServerState::refused(const net::ServerRequest& request, http::status status,
                                               std::string_view answer, std::string_view log_reason) const {
    return refuse(*logger, transport, request, status, answer, log_reason);
}

net::ServerAnswer IntakeServerState::acknowledging(std::chrono::steady_clock::time_point arrived,
                                                   net::ServerAnswer answer) const {
    return chat::acknowledging(ack_latency, arrived, std::move(answer));
}

net::ServerAnswer IntakeServerState::finishing(Intake& intake, std::chrono::steady_clock::time_point arrived,
                                               Taken taken, net::ServerResponse response) {
    // The state holds the Intake: it lives until the answer is finished.
    auto written = [state = shared_from_this(), &intake, taken = std::move(taken)](bool was_written) mutable {
        if (!was_written)
            state->logger->warn(
                "[{}] {}: the connection closed before the answer was sent; sending it through the response_url",
                taken.key, state->transport);
        auto finish = [&intake, taken = std::move(taken), was_written]() mutable -> asio::awaitable<void> {
            co_await intake.finish(std::move(taken), was_written);
        };
        asio::co_spawn(state->executor, std::move(finish), [state](const std::exception_ptr&) {});
    };
    return acknowledging(arrived, net::ServerAnswer{std::move(response), std::move(written)});
}

IntakeServer::IntakeServer(std::shared_ptr<IntakeServerState> state, Intake& intake,
                           const net::HttpServerOptions& options, net::AnswerHandler handler)
    : state_(std::move(state)), intake_(intake), server_(state_->executor, options, std::move(handler)) {}

void IntakeServer::start() {
    server_.start();
    // The state, which may hold the Intake, lives until the sweep ends.
    asio::co_spawn(state_->executor, intake_.sweep(), [state = state_](const std::exception_ptr&) {});
    listening();
}

void IntakeServer::stop_taking_over() {
    asio::post(state_->executor, [&intake = intake_] { intake.stop(); });
}

void IntakeServer::stop() {
    stop_taking_over();
    server_.stop();
}

asio::awaitable<void> IntakeServer::stop_gracefully(std::chrono::milliseconds limit) {
    stop_taking_over();
    co_await server_.stop_gracefully(limit);
    co_await intake_.settle(limit);
}

void IntakeServer::measure_into(observability::Registry& metrics, std::string_view platform) {
    state_->ack_latency.measure_into(metrics, platform);
}

asio::ip::tcp::endpoint IntakeServer::endpoint() const {
    return server_.endpoint();
}

std::string IntakeServer::public_url() const {
    return server_.public_url();
}

std::string_view path_of(std::string_view target) {
    return target.substr(0, target.find('?'));
}

net::ServerResponse refuse(spdlog::logger& logger, std::string_view transport, const net::ServerRequest& request,
                           http::status status, std::string_view answer, std::string_view log_reason) {
    const auto code = static_cast<unsigned>(status);
    const auto level =
        code == 401 || code == 400 || code == 409 || code == 503 ? spdlog::level::warn : spdlog::level::debug;
    logger.log(level, "{}: {} {} refused with {}: {}", transport, request.method_string(), path_of(request.target()),
               code, log_reason);
    net::ServerResponse response = net::plain_error(status, answer);
    if (status == http::status::method_not_allowed) response.set(http::field::allow, "POST");
    return response;
}

std::optional<net::ServerResponse> refuse_route(spdlog::logger& logger, std::string_view transport,
                                                const net::ServerRequest& request,
                                                std::initializer_list<std::string_view> paths) {
    if (std::find(paths.begin(), paths.end(), path_of(request.target())) == paths.end())
        return refuse(logger, transport, request, http::status::not_found, "not found", "no such path");
    if (request.method() != http::verb::post)
        return refuse(logger, transport, request, http::status::method_not_allowed, "only POST is accepted here",
                      "method " + std::string(request.method_string()));
    return std::nullopt;
}

net::ServerResponse json_ok(std::string body) {
    net::ServerResponse response{http::status::ok, 11};
    response.set(http::field::content_type, "application/json");
    response.body() = std::move(body);
    return response;
}

net::ServerAnswer answer(net::ServerResponse response) {
    return net::ServerAnswer{std::move(response), {}};
}

net::ServerAnswer acknowledging(AckLatency latency, std::chrono::steady_clock::time_point arrived,
                                net::ServerAnswer answer) {
    auto written = [latency, arrived, then = std::move(answer.written)](bool was_written) mutable {
        if (was_written) latency.acknowledged(arrived);
        if (then) then(was_written);
    };
    return net::ServerAnswer{std::move(answer.response), std::move(written)};
}

}  // namespace collab::chat
