#pragma once
// The slice of Discord's HTTP API the bot uses (docs: reference, topics/rate-limits, events/gateway,
// interactions/receiving-and-responding, interactions/application-commands), on the shared HTTP
// client and the shared retry rules (adapters/net/retry_machine.hpp):
// - GET /v10/gateway/bot: the gateway URL and the shard count;
// - GET /v10/applications/@me: the bot's application, whose id the command registration needs when no
//   gateway session says it (the interactions endpoint);
// - PUT /v10/applications/{app}/commands (or …/guilds/{guild}/commands): the bulk overwrite;
// - POST /v10/interactions/{id}/{token}/callback: an interaction's answer, within its 3 s;
// - PATCH (DELETE) /v10/webhooks/{app}/{token}/messages/@original and POST /v10/webhooks/{app}/{token}:
//   the answer after a deferral (or its removal), and follow-ups, within the token's 15 minutes;
// - POST /v10/channels/{channel}/messages: a message the bot posts on its own (a thread is a channel);
// - POST /v10/users/@me/channels {"recipient_id"}: the direct-message channel with one person.
//
// A 429 is waited out when its wait is reasonable: the body's retry_after (seconds, with a
// fraction), else the Retry-After header, plus jitter; a global one ("global": true) pauses every
// request the bot token makes until it passes, except interaction callbacks and webhooks, which
// Discord keeps out of the global limit. A 401 on a request with the bot token stops the bot: the
// token is wrong or was reset (on_token_refused; the message names DISCORD_BOT_TOKEN). An interaction
// callback is sent again after a 5xx or a lost connection only while its 3 s last; a second callback
// Discord already has is answered 40060, which then means done.
// Tokens (the bot's, an interaction's) travel only in the Authorization header and the URL path:
// never in an error or a log line.

#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <expected>
#include <functional>
#include <optional>
#include <random>
#include <string>

#include "adapters/net/backoff.hpp"
#include "adapters/net/http_client.hpp"

namespace collab::discord {

struct RestSettings {
    std::string api_url = "https://discord.com/api";  // DISCORD_API_URL; /v10/… is appended
    std::string bot_token;
    net::BackoffPolicy retry{std::chrono::milliseconds{250}, std::chrono::seconds{10}, 3};
    // A 429 asking for longer than this is not waited out: the caller gets the error and the wait.
    std::chrono::seconds longest_wait{30};
    // How long an interaction's callback may still be sent: Discord forgets the interaction after 3 s.
    std::chrono::milliseconds callback_window{3'000};
    // Called once a request with the bot token is refused with 401: the bot cannot go on.
    std::function<void(const std::string& message)> on_token_refused;
};

struct DiscordError {
    unsigned status = 0;  // HTTP status; 0 when no answer came
    int code = 0;         // Discord's JSON error code (40060 already acknowledged, 10062 unknown interaction)
    std::string message;  // Discord's message, or what failed; never a token
    std::optional<std::chrono::seconds> retry_after = std::nullopt;  // a 429 not waited out
};

template <typename T>
using RestResult = std::expected<T, DiscordError>;

struct GatewayBot {
    std::string url;
    int shards = 1;
};

struct RestCounters {
    long requests = 0;
    long rate_limited = 0;  // 429 answers
    long retries = 0;
};

class RestClient {
public:
    RestClient(net::HttpClient& http, RestSettings settings);

    boost::asio::awaitable<RestResult<GatewayBot>> gateway_bot();
    // The id of the application the bot token belongs to.
    boost::asio::awaitable<RestResult<std::string>> application_id();
    // The whole command set of the application, globally or in one guild (`guild_id` not empty).
    boost::asio::awaitable<RestResult<void>> overwrite_commands(std::string application_id, std::string guild_id,
                                                                boost::json::array commands);
    // `body`, `message`: JSON text. `received`: when the interaction arrived, for its 3 s.
    boost::asio::awaitable<RestResult<void>> callback(std::string interaction_id, std::string token, std::string body,
                                                      std::chrono::steady_clock::time_point received);
    boost::asio::awaitable<RestResult<void>> edit_original(std::string application_id, std::string token,
                                                           std::string message);
    // The deferred answer's placeholder, once its answer went to the channel as a follow-up instead.
    boost::asio::awaitable<RestResult<void>> delete_original(std::string application_id, std::string token);
    boost::asio::awaitable<RestResult<void>> follow_up(std::string application_id, std::string token,
                                                       std::string message);
    // A message in a channel or thread, not in answer to an interaction.
    boost::asio::awaitable<RestResult<void>> create_message(std::string channel_id, boost::json::object message);
    // The id of the direct-message channel with `user_id` (Discord opens it, or gives the open one).
    boost::asio::awaitable<RestResult<std::string>> open_direct(std::string user_id);

    const RestCounters& counters() const { return counters_; }
    // Why the last request got no answer from Discord at all; nothing once one got an answer.
    const std::optional<std::string>& unreachable() const { return unreachable_; }

private:
    struct Call {
        boost::beast::http::verb method;
        std::string path;  // after /v10/
        std::string body;
        bool with_token;  // the bot token in Authorization, and the global rate limit
        bool idempotent;
        std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt;  // no send after it
    };
    // The final response after the retries above; an error when there is none, or it is not a 2xx.
    boost::asio::awaitable<RestResult<net::HttpResponse>> perform(Call call);
    boost::asio::awaitable<void> wait_out_global_limit();

    net::HttpClient& http_;
    RestSettings settings_;
    net::RetryPolicy retry_policy_;
    std::chrono::steady_clock::time_point global_until_{};
    RestCounters counters_;
    std::optional<std::string> unreachable_;
    std::minstd_rand jitter_{std::random_device{}()};
};

// Discord's error body {"code":…,"message":…} (and a 429's retry_after, global), read leniently.
struct ErrorBody {
    int code = 0;
    std::string message;
    std::optional<std::chrono::milliseconds> retry_after = std::nullopt;
    bool global = false;
};
ErrorBody read_error_body(std::string_view body);

}  // namespace collab::discord
