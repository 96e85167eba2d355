#include "adapters/chat/http_entry.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>

#include <algorithm>

namespace collab::chat {
namespace asio = boost::asio;
namespace http = boost::beast::http;

IntakeListener::IntakeListener(asio::any_io_executor executor, Intake& intake, const net::HttpServerOptions& options,
                               net::AnswerHandler handler)
    : executor_(executor), intake_(intake), server_(executor, options, std::move(handler)) {}

void IntakeListener::start(std::shared_ptr<const void> owner) {
    server_.start();
    asio::co_spawn(executor_, intake_.sweep(), [owner = std::move(owner)](const std::exception_ptr&) {});
}

void IntakeListener::stop_taking_over() {
    asio::post(executor_, [&intake = intake_] { intake.stop(); });
}

void IntakeListener::stop() {
    stop_taking_over();
    server_.stop();
}

asio::awaitable<void> IntakeListener::stop_gracefully(std::chrono::milliseconds limit) {
    stop_taking_over();
    co_await server_.stop_gracefully(limit);
    co_await intake_.settle(limit);
}

asio::ip::tcp::endpoint IntakeListener::endpoint() const {
    return server_.endpoint();
}

std::string IntakeListener::public_url() const {
    return server_.public_url();
}

std::string_view path_of(std::string_view target) {
    return target.substr(0, target.find('?'));
}

net::ServerResponse refuse(spdlog::logger& logger, std::string_view transport, const net::ServerRequest& request,
                           http::status status, std::string_view answer, std::string_view log_reason) {
    const auto code = static_cast<unsigned>(status);
    const auto level = code == 401 || code == 400 ? spdlog::level::warn : spdlog::level::debug;
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

net::ServerAnswer acknowledging(AckLatency latency, std::chrono::steady_clock::time_point arrived,
                                net::ServerAnswer answer) {
    auto written = [latency, arrived, then = std::move(answer.written)](bool was_written) mutable {
        if (was_written) latency.acknowledged(arrived);
        if (then) then(was_written);
    };
    return net::ServerAnswer{std::move(answer.response), std::move(written)};
}

}  // namespace collab::chat
