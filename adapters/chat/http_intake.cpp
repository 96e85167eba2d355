#include "adapters/chat/http_intake.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http/field.hpp>

namespace collab::chat {
namespace asio = boost::asio;
namespace http = boost::beast::http;

std::string_view path_of(std::string_view target) {
    return target.substr(0, target.find('?'));
}

HttpIntakeState::HttpIntakeState(asio::any_io_executor executor, Desk& desk, store::SharedState& shared,
                                 IntakeSettings settings, Intake::ReadWork read_work,
                                 std::shared_ptr<spdlog::logger> logger)
    : executor(executor),
      intake(executor, desk, shared, settings, std::move(read_work), logger),
      transport(settings.transport),
      logger(std::move(logger)) {}

net::ServerResponse HttpIntakeState::refused(const net::ServerRequest& request, const HttpRefusal& refusal) const {
    const auto status = static_cast<unsigned>(refusal.status);
    const bool attention = status == 400 || status == 401 || status == 409 || status == 503;
    logger->log(attention ? spdlog::level::warn : spdlog::level::debug, "{}: {} {} refused with {}: {}", transport,
                request.method_string(), path_of(request.target()), status, refusal.log_reason);
    net::ServerResponse response = net::plain_error(refusal.status, refusal.answer);
    if (refusal.status == http::status::method_not_allowed) response.set(http::field::allow, "POST");
    return response;
}

net::ServerAnswer answer_taken(std::shared_ptr<HttpIntakeState> state, Taken taken, net::ServerResponse response,
                               std::chrono::steady_clock::time_point arrived) {
    auto written = [state, arrived, served = std::move(taken)](bool was_written) mutable {
        if (was_written)
            state->ack_latency.acknowledged(arrived);
        else
            state->logger->warn(
                "[{}] {}: the connection closed before the answer was sent; sending it through the response_url",
                served.key, state->transport);
        auto finish = [state, served = std::move(served), was_written]() mutable -> asio::awaitable<void> {
            co_await state->intake.finish(std::move(served), was_written);
        };
        asio::co_spawn(state->executor, std::move(finish), [state](const std::exception_ptr&) {});
    };
    return net::ServerAnswer{std::move(response), std::move(written)};
}

HttpIntakeServer::HttpIntakeServer(std::shared_ptr<HttpIntakeState> state, net::HttpServerOptions options,
                                   net::AnswerHandler handler)
    : state_(std::move(state)), server_(state_->executor, std::move(options), std::move(handler)) {}

void HttpIntakeServer::start() {
    server_.start();
    // The state lives until the sweep ends.
    asio::co_spawn(state_->executor, state_->intake.sweep(), [state = state_](const std::exception_ptr&) {});
}

void HttpIntakeServer::stop() {
    stop_taking_over();
    server_.stop();
}

void HttpIntakeServer::stop_taking_over() {
    asio::post(state_->executor, [state = state_] { state->intake.stop(); });
}

asio::awaitable<void> HttpIntakeServer::stop_gracefully(std::chrono::milliseconds limit) {
    stop_taking_over();
    co_await server_.stop_gracefully(limit);
    co_await state_->intake.settle(limit);
}

void HttpIntakeServer::measure_into(observability::Registry& metrics, std::string_view platform) {
    state_->ack_latency.measure_into(metrics, platform);
}

asio::ip::tcp::endpoint HttpIntakeServer::endpoint() const {
    return server_.endpoint();
}

std::string HttpIntakeServer::public_url() const {
    return server_.public_url();
}

}  // namespace collab::chat
