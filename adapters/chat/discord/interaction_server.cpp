#include "adapters/chat/discord/interaction_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include <optional>

#include "adapters/chat/discord/messages.hpp"
#include "adapters/chat/http_entry.hpp"

namespace collab::discord {
namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using SteadyTime = std::chrono::steady_clock::time_point;

namespace {

// The same answer for every signature failure: which check failed is for the log only.
constexpr std::string_view unauthorized_answer = "invalid request signature";

// One request's way back: the callback the Reception sends for it, and whether its response was
// written. Used on the Reception's executor only. A timer that expires now ends a wait for it, begun
// or not.
struct Exchange {
    Exchange(asio::any_io_executor executor, SteadyTime answer_by, SteadyTime written_by)
        : ready(executor, answer_by), sent(executor, written_by) {}
    asio::steady_timer ready;             // expires when the callback came, or the Reception ended without one
    std::optional<std::string> callback;  // JSON text
    bool taken_in = false;                // the Reception ended
    bool closed = false;                  // the response is decided: a callback from now on goes nowhere
    asio::steady_timer sent;
    bool written = false;

    static void expire(asio::steady_timer& timer) { timer.expires_at(SteadyTime::min()); }

    // The route the Reception's callback takes: into the response, once, then wait to hear it was written.
    static asio::awaitable<bool> respond(std::shared_ptr<Exchange> exchange, std::string callback) {
        if (exchange->closed || exchange->callback) co_return false;
        exchange->callback = std::move(callback);
        expire(exchange->ready);
        co_await exchange->sent.async_wait(asio::as_tuple(asio::use_awaitable));
        co_return exchange->written;
    }
};

}  // namespace

struct InteractionServer::State : chat::IntakeServerState {
    State(asio::any_io_executor executor, Reception& reception, InteractionVerifier verifier,
          InteractionServerOptions options, TimeSource clock, std::shared_ptr<spdlog::logger> logger)
        : IntakeServerState(std::move(executor), "discord http", std::move(logger)),
          reception(reception),
          verifier(std::move(verifier)),
          options(std::move(options)),
          clock(std::move(clock)) {}

    Reception& reception;
    const InteractionVerifier verifier;
    const InteractionServerOptions options;
    const TimeSource clock;

    static asio::awaitable<net::ServerAnswer> handle(std::shared_ptr<State> state, net::ServerRequest request) {
        const SteadyTime received = std::chrono::steady_clock::now();
        if (auto refusal = chat::refuse_route(*state->logger, state->transport, request, {state->options.path}))
            co_return chat::answer(std::move(*refusal));
        const auto signature = request.find("X-Signature-Ed25519");
        const auto timestamp = request.find("X-Signature-Timestamp");
        if (signature == request.end() || timestamp == request.end())
            co_return chat::answer(state->refused(request, http::status::unauthorized, unauthorized_answer,
                                                  "a signature header is missing"));
        auto verified = state->verifier.verify(timestamp->value(), request.body(), signature->value(), state->clock(),
                                               state->options.window);
        if (!verified)
            co_return chat::answer(
                state->refused(request, http::status::unauthorized, unauthorized_answer, verified.error()));

        // Signed by Discord from here on.
        auto data = parse_interaction(request.body());
        auto interaction = data ? decode_interaction(*data) : std::unexpected(data.error());
        if (!interaction)
            co_return chat::answer(
                state->refused(request, http::status::bad_request, "malformed interaction", interaction.error()));
        if (interaction->type == InteractionType::ping)
            co_return chat::answer(chat::json_ok(json::serialize(callback(CallbackType::pong))));
        state->logger->debug("[{}] {}: interaction of type {} from {}", interaction->id, state->transport,
                             interaction->type_number, interaction->user_id);

        auto exchange =
            std::make_shared<Exchange>(state->executor, received + state->options.answer_limit,
                                       received + state->options.answer_limit + state->options.server.write_timeout);
        // The Reception lives on its own executor; the callback comes back to this connection's strand.
        Told told = co_await asio::co_spawn(state->executor, serve(state, exchange, std::move(*data), received),
                                            asio::use_awaitable);
        if (!told.callback) {
            const bool late = told.late;
            co_return chat::answer(state->refused(request,
                                                  late ? http::status::service_unavailable : http::status::conflict,
                                                  late ? "not answered in time" : "no answer to give",
                                                  late ? "no callback within the answer limit"
                                                       : "the same interaction again, or one the bot does not take"));
        }
        // Once the response is written, or could not be: the Reception hears it on its executor.
        auto written = [executor = state->executor, exchange](bool was_written) {
            asio::post(executor, [exchange, was_written] {
                exchange->written = was_written;
                Exchange::expire(exchange->sent);
            });
        };
        // The callback written is what stops Discord's 3 s clock.
        co_return state->acknowledging(received,
                                       net::ServerAnswer{chat::json_ok(std::move(*told.callback)), std::move(written)});
    }

    // What the Reception gave a request to answer with: its callback, or nothing, because it ended
    // without one or because the answer limit passed first (`late`).
    struct Told {
        std::optional<std::string> callback;
        bool late = false;
    };

    // On the Reception's executor: the interaction taken in, until its callback comes (or the Reception
    // ends without one, or the answer limit passes).
    static asio::awaitable<Told> serve(std::shared_ptr<State> state, std::shared_ptr<Exchange> exchange,
                                       json::object data, SteadyTime received) {
        CallbackRoute route = [exchange](std::string callback) {
            return Exchange::respond(exchange, std::move(callback));
        };
        auto take_in = [state, data = std::move(data), received,
                        route = std::move(route)]() mutable -> asio::awaitable<void> {
            co_await state->reception.take_in(std::move(data), received, std::move(route));
        };
        asio::co_spawn(state->executor, std::move(take_in), [exchange](const std::exception_ptr&) {
            exchange->taken_in = true;
            Exchange::expire(exchange->ready);
        });
        if (!exchange->callback && !exchange->taken_in)
            co_await exchange->ready.async_wait(asio::as_tuple(asio::use_awaitable));
        exchange->closed = true;
        if (!exchange->callback) {
            // Nobody is left to hear whether a response was written.
            Exchange::expire(exchange->sent);
            co_return Told{std::nullopt, !exchange->taken_in};
        }
        co_return Told{std::move(exchange->callback), false};
    }
};

InteractionServer::InteractionServer(asio::any_io_executor executor, Reception& reception, InteractionVerifier verifier,
                                     InteractionServerOptions options, TimeSource clock,
                                     std::shared_ptr<spdlog::logger> logger)
    : IntakeServer(std::make_shared<State>(executor, reception, std::move(verifier), options, std::move(clock),
                                           std::move(logger)),
                   reception.intake(), options.server) {}

}  // namespace collab::discord
