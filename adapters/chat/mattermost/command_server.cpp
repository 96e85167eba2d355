#include "adapters/chat/mattermost/command_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/json/serialize.hpp>

#include <optional>

#include "adapters/chat/http_entry.hpp"
#include "adapters/chat/intake.hpp"
#include "adapters/chat/mattermost/messages.hpp"
#include "adapters/chat/mattermost/requests.hpp"
#include "adapters/security/hmac_signer.hpp"

namespace collab::mattermost {
namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

// The same answer whatever was wrong with the token: which check failed is for the log only.
constexpr std::string_view unauthorized_answer = "the request does not carry this slash command's token";

net::ServerResponse json_ok(const json::object& body) {
    return chat::json_ok(json::serialize(body));
}

net::ServerAnswer answer(net::ServerResponse response) {
    return net::ServerAnswer{std::move(response), {}};
}

// What names a request in the claims and the logs: a digest of its body, which holds its trigger id.
std::string claim_key(std::string_view body) {
    const std::string digest = security::base64url_encode(security::sha256(body));
    return "mm-" + digest.substr(0, 22);
}

}  // namespace

struct CommandServer::State {
    State(asio::any_io_executor executor, chat::Desk& desk, MattermostOutbox& outbox, store::SharedState& shared,
          std::string command_token, CommandServerOptions options, std::shared_ptr<spdlog::logger> logger)
        : executor(executor),
          outbox(outbox),
          intake(executor, desk, shared, chat::IntakeSettings{.claims = options.claims, .transport = "mattermost"},
                 request_of_work, logger),
          command_token(std::move(command_token)),
          options(std::move(options)),
          logger(std::move(logger)) {}

    asio::any_io_executor executor;  // the Desk's own
    MattermostOutbox& outbox;
    chat::Intake intake;
    const std::string command_token;
    const CommandServerOptions options;
    const std::shared_ptr<spdlog::logger> logger;
    chat::AckLatency ack_latency;  // set before the server starts

    static asio::awaitable<net::ServerAnswer> handle(std::shared_ptr<State> state, net::ServerRequest request) {
        const auto arrived = std::chrono::steady_clock::now();
        if (auto refusal = chat::refuse_route(*state->logger, "mattermost", request,
                                              {state->options.command_path, state->options.action_path}))
            co_return answer(std::move(*refusal));
        if (chat::path_of(request.target()) == state->options.command_path)
            co_return co_await command(state, std::move(request), arrived);
        co_return co_await action(state, std::move(request), arrived);
    }

    static asio::awaitable<net::ServerAnswer> command(std::shared_ptr<State> state, net::ServerRequest request,
                                                      std::chrono::steady_clock::time_point arrived) {
        const std::string_view authorization = request[http::field::authorization];
        auto checked = check_command_token(authorization, state->command_token);
        if (!checked)
            co_return answer(
                state->refused(request, http::status::unauthorized, std::string(unauthorized_answer), checked.error()));
        auto command = decode_slash_command(request.body());
        if (!command)
            co_return answer(
                state->refused(request, http::status::bad_request, "malformed slash command", command.error()));
        const std::string key = claim_key(request.body());
        state->logger->debug("[{}] mattermost: slash command {} from {} in {}", key, command->command, command->user_id,
                             command->channel_id);
        // The Desk lives on its own executor; the answer comes back to this connection's strand.
        std::optional<chat::Taken> told = co_await asio::co_spawn(
            state->executor, serve_command(state, key, std::move(*command)), asio::use_awaitable);
        // Taken in already (here or by another instance): that one answers.
        if (!told) co_return answer(json_ok(json::object{}));
        net::ServerResponse response = json_ok(state->outbox.encode(told->origin, told->answer));
        // Once the response is written, or could not be: should nobody be left to read it, the person
        // still gets the answer, through the response_url.
        auto written = [state, key, served = std::move(*told)](bool was_written) mutable {
            if (!was_written)
                state->logger->warn(
                    "[{}] mattermost: the connection closed before the answer was sent; sending it through the "
                    "response_url",
                    key);
            auto finish = [state, served = std::move(served), was_written]() mutable -> asio::awaitable<void> {
                co_await state->intake.finish(std::move(served), was_written);
            };
            asio::co_spawn(state->executor, std::move(finish), [state](const std::exception_ptr&) {});
        };
        co_return chat::acknowledging(state->ack_latency, arrived,
                                      net::ServerAnswer{std::move(response), std::move(written)});
    }

    static asio::awaitable<net::ServerAnswer> action(std::shared_ptr<State> state, net::ServerRequest request,
                                                     std::chrono::steady_clock::time_point arrived) {
        auto click = decode_action(request.body());
        if (!click)
            co_return answer(state->refused(request, http::status::bad_request, "malformed action", click.error()));
        const std::string key = claim_key(request.body());
        state->logger->debug("[{}] mattermost: click from {} on post {}", key, click->user_id, click->post_id);
        json::object body =
            co_await asio::co_spawn(state->executor, serve_click(state, key, std::move(*click)), asio::use_awaitable);
        // The server waits for the click's outcome: its answer is the acknowledgement.
        co_return chat::acknowledging(state->ack_latency, arrived, answer(json_ok(body)));
    }

    // On the Desk's executor: the command handed to the Intake; nothing when it was taken in already.
    static asio::awaitable<std::optional<chat::Taken>> serve_command(std::shared_ptr<State> state, std::string key,
                                                                     SlashCommand command) {
        chat::Arrival arrival{key, work_of(command)};
        chat::CommandRequest request = command_request(command, key);
        co_return co_await state->intake.command(std::move(arrival), std::move(request));
    }

    // On the Desk's executor: the click handled until its outcome is known, and that outcome as the
    // click's answer. A repeat of a click taken in already is answered with nothing to change.
    static asio::awaitable<json::object> serve_click(std::shared_ptr<State> state, std::string key, ActionClick click) {
        chat::Arrival arrival{key, work_of(click)};
        std::optional<chat::ClickRequest> request = click_request(click, key);
        // A repeat that arrives while the first delivery waits leaves the answer to it.
        const bool first = state->outbox.expect_click(key);
        std::function<void(chat::Delivery)> claimed;
        co_await state->intake.click(std::move(arrival), std::move(request), std::move(claimed));
        if (!first) co_return json::object{};
        ClickAnswer told = state->outbox.take_click(key);
        co_return click_answer(told.update, told.ephemeral);
    }

    net::ServerResponse refused(const net::ServerRequest& request, http::status status, std::string_view answer_text,
                                std::string_view log_reason) const {
        return chat::refuse(*logger, "mattermost", request, status, answer_text, log_reason);
    }
};

CommandServer::CommandServer(asio::any_io_executor executor, chat::Desk& desk, MattermostOutbox& outbox,
                             store::SharedState& shared, std::string command_token, CommandServerOptions options,
                             std::shared_ptr<spdlog::logger> logger)
    : state_(std::make_shared<State>(executor, desk, outbox, shared, std::move(command_token), options,
                                     std::move(logger))),
      listener_(executor, state_->intake, options.server,
                net::AnswerHandler{[state = state_](net::ServerRequest request) {
                    return State::handle(state, std::move(request));
                }}) {}

void CommandServer::start() {
    // The state, which holds the Intake, lives until the sweep ends.
    listener_.start(state_);
    state_->outbox.set_action_url(listener_.public_url() + state_->options.action_path);
}

void CommandServer::measure_into(observability::Registry& metrics, std::string_view platform) {
    state_->ack_latency.measure_into(metrics, platform);
}

void CommandServer::stop() {
    listener_.stop();
}

asio::awaitable<void> CommandServer::stop_gracefully(std::chrono::milliseconds limit) {
    co_await listener_.stop_gracefully(limit);
}

asio::ip::tcp::endpoint CommandServer::endpoint() const {
    return listener_.endpoint();
}

std::string CommandServer::public_url() const {
    return listener_.public_url();
}

}  // namespace collab::mattermost
