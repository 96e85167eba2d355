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

// What names a request in the claims and the logs: a digest of its body, which holds its trigger id.
std::string claim_key(std::string_view body) {
    const std::string digest = security::base64url_encode(security::sha256(body));
    return "mm-" + digest.substr(0, 22);
}

}  // namespace

struct CommandServer::State : chat::IntakeServerState {
    State(asio::any_io_executor executor, chat::Desk& desk, MattermostOutbox& outbox, store::SharedState& shared,
          std::string command_token, CommandServerOptions options, std::shared_ptr<spdlog::logger> logger)
        : IntakeServerState(executor, transport, logger),
          outbox(outbox),
          intake(executor, desk, shared,
                 chat::IntakeSettings{.claims = options.claims, .transport = std::string(transport)}, request_of_work,
                 logger),
          command_token(std::move(command_token)),
          options(std::move(options)) {}

    static constexpr std::string_view transport = "mattermost";
    MattermostOutbox& outbox;
    chat::Intake intake;
    const std::string command_token;
    const CommandServerOptions options;

    static asio::awaitable<net::ServerAnswer> handle(std::shared_ptr<State> state, net::ServerRequest request) {
        const auto arrived = std::chrono::steady_clock::now();
        if (auto refusal = chat::refuse_route(*state->logger, transport, request,
                                              {state->options.command_path, state->options.action_path}))
            co_return chat::answer(std::move(*refusal));
        if (chat::path_of(request.target()) == state->options.command_path)
            co_return co_await command(state, std::move(request), arrived);
        co_return co_await action(state, std::move(request), arrived);
    }

    static asio::awaitable<net::ServerAnswer> command(std::shared_ptr<State> state, net::ServerRequest request,
                                                      std::chrono::steady_clock::time_point arrived) {
        const std::string_view authorization = request[http::field::authorization];
        auto checked = check_command_token(authorization, state->command_token);
        if (!checked)
            co_return chat::answer(
                state->refused(request, http::status::unauthorized, unauthorized_answer, checked.error()));
        auto command = decode_slash_command(request.body());
        if (!command)
            co_return chat::answer(
                state->refused(request, http::status::bad_request, "malformed slash command", command.error()));
        const std::string key = claim_key(request.body());
        state->logger->debug("[{}] mattermost: slash command {} from {} in {}", key, command->command, command->user_id,
                             command->channel_id);
        // The Desk lives on its own executor; the answer comes back to this connection's strand.
        std::optional<Served> served = co_await asio::co_spawn(
            state->executor, serve_command(state, key, std::move(*command)), asio::use_awaitable);
        // Taken in already (here or by another instance): that one answers.
        if (!served) co_return chat::answer(json_ok(json::object{}));
        net::ServerResponse response = chat::json_ok(*served->message);
        co_return state->finishing(state->intake, arrived, std::move(served->taken), std::move(response));
    }

    static asio::awaitable<net::ServerAnswer> action(std::shared_ptr<State> state, net::ServerRequest request,
                                                     std::chrono::steady_clock::time_point arrived) {
        auto click = decode_action(request.body());
        if (!click)
            co_return chat::answer(
                state->refused(request, http::status::bad_request, "malformed action", click.error()));
        const std::string key = claim_key(request.body());
        state->logger->debug("[{}] mattermost: click from {} on post {}", key, click->user_id, click->post_id);
        json::object body =
            co_await asio::co_spawn(state->executor, serve_click(state, key, std::move(*click)), asio::use_awaitable);
        // The server waits for the click's outcome: its answer is the acknowledgement.
        co_return state->acknowledging(arrived, chat::answer(json_ok(body)));
    }

    // A command taken in, with its answer encoded (on the Desk's executor, where the outbox's forms live).
    struct Served {
        chat::Taken taken;
        std::shared_ptr<const std::string> message;
    };

    // On the Desk's executor: the command handed to the Intake; nothing when it was taken in already.
    static asio::awaitable<std::optional<Served>> serve_command(std::shared_ptr<State> state, std::string key,
                                                                SlashCommand command) {
        chat::Arrival arrival{key, state->intake.work([&command] { return work_of(command); })};
        chat::CommandRequest request = command_request(command, key);
        std::optional<chat::Taken> taken = co_await state->intake.command(std::move(arrival), std::move(request));
        if (!taken) co_return std::nullopt;
        auto message = state->outbox.encoded(taken->origin, taken->answer);
        co_return Served{std::move(*taken), std::move(message)};
    }

    // On the Desk's executor: the click handled until its outcome is known, and that outcome as the
    // click's answer. A repeat of a click taken in already is answered with nothing to change.
    static asio::awaitable<json::object> serve_click(std::shared_ptr<State> state, std::string key, ActionClick click) {
        chat::Arrival arrival{key, state->intake.work([&click] { return work_of(click); })};
        std::optional<chat::ClickRequest> request = click_request(click, key);
        // A repeat that arrives while the first delivery waits leaves the answer to it.
        const bool first = state->outbox.expect_click(key);
        std::function<void(chat::Delivery)> claimed;
        co_await state->intake.click(std::move(arrival), std::move(request), std::move(claimed));
        if (!first) co_return json::object{};
        ClickAnswer told = state->outbox.take_click(key);
        co_return click_answer(told.update, told.ephemeral);
    }
};

CommandServer::CommandServer(asio::any_io_executor executor, chat::Desk& desk, MattermostOutbox& outbox,
                             store::SharedState& shared, std::string command_token, CommandServerOptions options,
                             std::shared_ptr<spdlog::logger> logger)
    : CommandServer(std::make_shared<State>(executor, desk, outbox, shared, std::move(command_token),
                                            std::move(options), std::move(logger))) {}

CommandServer::CommandServer(std::shared_ptr<State> state)
    : IntakeServer(state, state->intake, state->options.server), state_(std::move(state)) {}

void CommandServer::listening() {
    state_->outbox.set_action_url(public_url() + state_->options.action_path);
}

}  // namespace collab::mattermost
