#include "adapters/chat/slack/http_mode.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json/parse.hpp>

#include <charconv>
#include <optional>

#include "adapters/chat/slack/blocks.hpp"
#include "adapters/chat/slack/interactions.hpp"
#include "adapters/security/hmac_signer.hpp"
#include "core/render.hpp"

namespace collab::slack {
namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

// The same answer for every signature failure: which check failed is for the log only.
constexpr std::string_view unauthorized_answer = "the request is not signed by Slack";

HttpRefusal refuse(http::status status, std::string answer, std::string log_reason) {
    return HttpRefusal{status, std::move(answer), std::move(log_reason)};
}

// The decoded `payload` field of a form body: what marks an interactive request. Nothing for a slash
// command's form, and for a body that is no form at all (the slash command decoder reports that).
std::optional<std::string> payload_field(std::string_view body) {
    auto fields = net::form_fields(body);
    if (!fields) return std::nullopt;
    auto payload = fields->find("payload");
    if (payload == fields->end()) return std::nullopt;
    return payload->second;
}

// The `type` of an interactive payload; nothing when the payload is not a JSON object with one.
std::optional<std::string> payload_type(std::string_view payload) {
    boost::system::error_code error;
    const json::value parsed = json::parse(payload, error);
    if (error || !parsed.is_object()) return std::nullopt;
    const auto* type = parsed.as_object().if_contains("type");
    if (type == nullptr || !type->is_string()) return std::nullopt;
    return std::string(type->as_string());
}

net::ServerResponse empty_ok() {
    return net::ServerResponse{http::status::ok, 11};
}

}  // namespace

HttpModeRequest read_http_mode_request(const net::ServerRequest& request, std::string_view signing_secret,
                                       const HttpModeOptions& options, TimePoint now) {
    const std::string_view path = chat::path_of(request.target());
    if (path != options.commands_path && path != options.interactive_path && path != options.events_path)
        return refuse(http::status::not_found, "not found", "no such path");
    if (request.method() != http::verb::post)
        return refuse(http::status::method_not_allowed, "only POST is accepted here",
                      "method " + std::string(request.method_string()));

    const auto timestamp = request.find("X-Slack-Request-Timestamp");
    const auto signature = request.find("X-Slack-Signature");
    if (timestamp == request.end())
        return refuse(http::status::unauthorized, std::string(unauthorized_answer),
                      "the X-Slack-Request-Timestamp header is missing");
    if (signature == request.end())
        return refuse(http::status::unauthorized, std::string(unauthorized_answer),
                      "the X-Slack-Signature header is missing");
    auto verified = verify_signature(signing_secret, timestamp->value(), request.body(), signature->value(), now,
                                     options.tolerance);
    if (!verified) return refuse(http::status::unauthorized, std::string(unauthorized_answer), verified.error().reason);

    // Signed by Slack from here on: what follows is Slack's own doing, not an attacker's.
    if (request.body().starts_with('{')) {
        auto event = decode_event_request(request.body());
        if (!event) return refuse(http::status::bad_request, "malformed event", event.error().reason);
        return std::visit([](auto decoded) { return HttpModeRequest(std::move(decoded)); }, std::move(*event));
    }
    if (auto payload = payload_field(request.body())) {
        auto type = payload_type(*payload);
        if (!type)
            return refuse(http::status::bad_request, "malformed payload", "an interactive payload without a type");
        if (*type != "block_actions") return IgnoredInteraction{std::move(*type)};
        auto action = decode_block_actions_form(request.body());
        if (!action) return refuse(http::status::bad_request, "malformed payload", action.error().reason);
        return std::move(*action);
    }
    auto command = decode_slash_command_form(request.body());
    if (!command) return refuse(http::status::bad_request, "malformed slash command", command.error().reason);
    return std::move(*command);
}

struct HttpModeServer::State : chat::IntakeServerState {
    State(asio::any_io_executor executor, chat::Desk& desk, store::SharedState& shared, std::string signing_secret,
          HttpModeOptions options, TimeSource clock, std::shared_ptr<spdlog::logger> logger)
        : IntakeServerState(executor, transport, logger),
          used(shared),
          intake(executor, desk, shared,
                 chat::IntakeSettings{.claims = options.claims, .transport = std::string(transport)}, request_of_work,
                 logger),
          signing_secret(std::move(signing_secret)),
          options(std::move(options)),
          clock(std::move(clock)) {}

    static constexpr std::string_view transport = "slack http";
    UsedTokens& used;
    chat::Intake intake;
    MessageForms forms;  // used on the Desk's executor only
    const std::string signing_secret;
    const HttpModeOptions options;
    const TimeSource clock;
    std::string bot_user_id;  // used on the Desk's executor only

    static asio::awaitable<net::ServerAnswer> handle(std::shared_ptr<State> state, net::ServerRequest request) {
        const TimePoint now = state->clock();
        const auto arrived = std::chrono::steady_clock::now();
        HttpModeRequest decided = read_http_mode_request(request, state->signing_secret, state->options, now);
        if (auto* refusal = std::get_if<HttpRefusal>(&decided))
            co_return chat::answer(state->refused(request, *refusal));
        if (auto replayed = co_await refuse_replay(state, request, now)) co_return chat::answer(std::move(*replayed));
        const std::string key = claim_key(request);
        if (auto* command = std::get_if<SlashCommand>(&decided)) {
            state->logger->debug("[{}] slack http: slash command {} from {} in {}", key, command->command,
                                 command->user_id, command->channel_id);
            // The Desk lives on its own executor; the answer comes back to this connection's strand.
            std::optional<Served> told = co_await asio::co_spawn(
                state->executor, serve_command(state, key, std::move(*command)), asio::use_awaitable);
            // Taken in by another instance already: it answers.
            if (!told) co_return chat::answer(empty_ok());
            co_return state->finishing(state->intake, arrived, std::move(told->taken), chat::json_ok(*told->message));
        }
        if (auto* action = std::get_if<BlockAction>(&decided)) {
            state->logger->debug("[{}] slack http: click on {} from {}", key, action->action_id, action->user_id);
            asio::co_spawn(state->executor, serve_click(state, key, std::move(*action)), asio::detached);
            co_return state->acknowledging(arrived, chat::answer(empty_ok()));
        }
        if (auto* check = std::get_if<UrlVerification>(&decided)) {
            // Slack checks the events URL by asking for its challenge back.
            net::ServerResponse response{http::status::ok, 11};
            response.set(http::field::content_type, "text/plain");
            response.body() = check->challenge;
            co_return chat::answer(std::move(response));
        }
        if (auto* message = std::get_if<MessageEvent>(&decided)) {
            // Acknowledged at once, whatever it asks: the answer is posted in its thread.
            chat::Arrival arrival{event_claim_key(*message, key), {}, retry_number(request)};
            asio::co_spawn(state->executor, serve_message(state, std::move(arrival), std::move(*message)),
                           asio::detached);
            co_return chat::answer(empty_ok());
        }
        if (auto* event = std::get_if<OtherEvent>(&decided))
            state->logger->debug("slack http: acknowledged a {} event the bot does not act on", event->type);
        else
            state->logger->debug("slack http: acknowledged a {} payload the bot does not act on",
                                 std::get<IgnoredInteraction>(decided).type);
        co_return chat::answer(empty_ok());
    }

    // What names a signed request in the claims and the logs: a digest of its signature (one request,
    // one signature), which the signature cannot be recovered from.
    static std::string claim_key(const net::ServerRequest& request) {
        const std::string digest = security::base64url_encode(security::sha256(request["X-Slack-Signature"]));
        return "http-" + digest.substr(0, 22);
    }

    // What another instance needs to finish a request: the envelope Socket Mode would have carried.
    static chat::Arrival arrival_of(const chat::Intake& intake, const std::string& key, Envelope envelope) {
        envelope.envelope_id = key;
        return chat::Arrival{key, intake.work([&envelope] { return work_of(envelope); })};
    }

    // A command taken in, with its answer encoded (on the Desk's executor, where the forms live).
    struct Served {
        chat::Taken taken;
        std::shared_ptr<const std::string> message;
    };

    // On the Desk's executor: the command handed to the Intake; nothing when another instance has it.
    static asio::awaitable<std::optional<Served>> serve_command(std::shared_ptr<State> state, std::string key,
                                                                SlashCommand command) {
        chat::CommandRequest request = command_request(command, key);
        Envelope envelope;
        envelope.type = EnvelopeType::slash_commands;
        envelope.slash_command = std::move(command);
        chat::Arrival arrival = arrival_of(state->intake, key, std::move(envelope));
        std::optional<chat::Taken> taken = co_await state->intake.command(std::move(arrival), std::move(request));
        if (!taken) co_return std::nullopt;
        auto message = state->forms.message(taken->answer.reply, taken->answer.visibility);
        co_return Served{std::move(*taken), std::move(message)};
    }

    // On the Desk's executor: the click handed to the Intake, which handles it until its outcome is
    // delivered (it was acknowledged at once, with an empty 200).
    static asio::awaitable<void> serve_click(std::shared_ptr<State> state, std::string key, BlockAction action) {
        auto click = click_request(action, key);
        if (!click) {
            state->logger->debug("[{}] slack http: ignoring a click on {}", key, action.action_id);
            co_return;
        }
        Envelope envelope;
        envelope.type = EnvelopeType::interactive;
        envelope.interactive_type = "block_actions";
        envelope.block_action = std::move(action);
        chat::Arrival arrival = arrival_of(state->intake, key, std::move(envelope));
        std::function<void(chat::Delivery)> already_acknowledged;
        co_await state->intake.click(std::move(arrival), std::move(click), std::move(already_acknowledged));
    }

    // On the Desk's executor: a message event handed to the Intake, which has the Desk answer it in its
    // thread unless the bot leaves it alone (its own message, another bot's, an edit, …).
    static asio::awaitable<void> serve_message(std::shared_ptr<State> state, chat::Arrival arrival,
                                               MessageEvent event) {
        auto command = message_request(event, state->bot_user_id, arrival.key);
        std::optional<chat::CommandRequest> request;
        if (command) {
            request = std::move(*command);
            Envelope envelope;
            envelope.envelope_id = arrival.key;
            envelope.type = EnvelopeType::events_api;
            envelope.message_event = std::move(event);
            arrival.work = state->intake.work([&envelope] { return work_of(envelope); });
        } else {
            state->logger->debug("[{}] slack http: ignoring a {} event: {}", arrival.key, event.type, command.error());
        }
        std::function<void(chat::Delivery)> already_acknowledged;
        co_await state->intake.message(std::move(arrival), std::move(request), std::move(already_acknowledged));
    }

    // Slack's count of the deliveries of an event before this one (X-Slack-Retry-Num), for the log.
    static int retry_number(const net::ServerRequest& request) {
        const auto header = request.find("X-Slack-Retry-Num");
        if (header == request.end()) return 0;
        int number = 0;
        const std::string_view text = header->value();
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
        return error == std::errc{} && number >= 0 && number < 1000 ? number : 0;
    }

    net::ServerResponse refused(const net::ServerRequest& request, const HttpRefusal& refusal) const {
        return IntakeServerState::refused(request, refusal.status, refusal.answer, refusal.log_reason);
    }

    // The refusal of a signed request taken in before (by any instance), or nothing for its first arrival.
    static asio::awaitable<std::optional<net::ServerResponse>> refuse_replay(std::shared_ptr<State> state,
                                                                             const net::ServerRequest& request,
                                                                             TimePoint now) {
        // The signature covers the timestamp and the body: one request, one signature.
        std::string key = "slack-request\n" + std::string(request["X-Slack-Signature"]);
        TokenUse arrival{now, std::string(chat::path_of(request.target()))};
        // Remembered for as long as a timestamp within the tolerance of now can still be accepted (a
        // second more: the check accepts the bound itself, and the clock's readings may cross).
        const TimePoint keep_until = now + 2 * state->options.tolerance + std::chrono::seconds{1};
        // Written behind where the store can: a signature comes back only in a replay, and the mark
        // is on disk before any change the request leads to is recorded.
        auto earlier = co_await state->used.use_once_written_behind(std::move(key), std::move(arrival), keep_until);
        if (!earlier) {
            HttpRefusal unknown{http::status::service_unavailable, "the request cannot be checked right now; try again",
                                "cannot tell whether it is a replay: " + earlier.error().message};
            co_return state->refused(request, unknown);
        }
        if (!*earlier) co_return std::nullopt;
        const TimePoint first = (*earlier)->at;
        HttpRefusal replay{http::status::conflict, "this request was already received",
                           "the same signed request was already received" +
                               (first == TimePoint{} ? std::string() : " at " + format_utc(first)) + ": a replay"};
        co_return state->refused(request, replay);
    }
};

HttpModeServer::HttpModeServer(asio::any_io_executor executor, chat::Desk& desk, store::SharedState& shared,
                               std::string signing_secret, HttpModeOptions options, TimeSource clock,
                               std::shared_ptr<spdlog::logger> logger)
    : HttpModeServer(std::make_shared<State>(executor, desk, shared, std::move(signing_secret), std::move(options),
                                             std::move(clock), std::move(logger))) {}

HttpModeServer::HttpModeServer(std::shared_ptr<State> state)
    : IntakeServer(state, state->intake, state->options.server), state_(std::move(state)) {}

void HttpModeServer::identify(std::string bot_user_id) {
    asio::post(state_->executor,
               [state = state_, id = std::move(bot_user_id)]() mutable { state->bot_user_id = std::move(id); });
}

}  // namespace collab::slack
