#pragma once
// The slice of Slack's Web API the bot uses: apps.connections.open (app-level token), auth.test,
// users.info, conversations.open, chat.postMessage and chat.postEphemeral (bot token), and POSTs to a response_url.
//
// Slack answers HTTP 200 with {"ok":false,"error":"…"} for most failures; those come back as a
// SlackError carrying Slack's code. Retries follow the shared retry machine
// (adapters/net/retry_machine.hpp): a 429 is waited out when its Retry-After is reasonable (a request
// Slack refused for the rate was not carried out, so even a post may be sent again); 5xx answers and
// broken connections are retried only where sending twice is harmless: before anything reached
// Slack, or for reads; a bounded number of times, with jitter so that instances do not come back in
// step.
// Tokens go in the Authorization header only, never into an error or a log.

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <expected>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "adapters/chat/slack/envelope.hpp"
#include "adapters/net/backoff.hpp"
#include "adapters/net/http_client.hpp"

namespace collab::slack {

struct WebApiSettings {
    std::string api_url = "https://slack.com/api/";
    std::string app_token;  // xapp-…: apps.connections.open
    std::string bot_token;  // xoxb-…: everything else
    net::BackoffPolicy retry{std::chrono::milliseconds{250}, std::chrono::seconds{10}, 3};
    // A Retry-After longer than this is not waited for: the caller gets the error (and its wait).
    std::chrono::seconds longest_wait{30};
    // Called with Slack's code whenever a bot-token call is refused for the token itself
    // (invalid_auth, token_revoked, account_inactive, …: see token_refused): the bot cannot go on.
    std::function<void(const std::string& error)> on_bot_token_refused;
};

// Who the bot token belongs to, as auth.test tells.
struct BotIdentity {
    std::string team;     // the workspace's name
    std::string user;     // the bot user's name
    std::string team_id;  // T…
    std::string user_id;  // U…
};

struct SlackError {
    std::string error;  // Slack's code ("invalid_auth", "channel_not_found", "ratelimited"), or
                        // "http_<status>", "timeout", "unreachable", "malformed_response"
    std::optional<std::chrono::seconds> retry_after = std::nullopt;
};

template <typename T>
using SlackResult = std::expected<T, SlackError>;

// Counts since start, for tests and metrics.
struct WebApiCounters {
    long requests = 0;
    long rate_limited = 0;  // 429 answers
    long retries = 0;
};

class WebApi {
public:
    WebApi(net::HttpClient& http, WebApiSettings settings);

    // A fresh Socket Mode URL. Slack's refusals keep their `permanent` flag (see OpenFailure).
    boost::asio::awaitable<std::expected<std::string, OpenFailure>> open_connection();

    // Checks the bot token (auth.test), as the bot does at start-up.
    boost::asio::awaitable<SlackResult<BotIdentity>> auth_test();

    // The e-mail on a user's profile; nullopt when the profile shows none (a bot, or the app lacks
    // users:read.email, which Slack reports by omitting the field).
    boost::asio::awaitable<SlackResult<std::optional<std::string>>> user_email(std::string user_id);

    // `message` is a to_message() object; the channel (and user) are added here.
    boost::asio::awaitable<SlackResult<void>> post_message(std::string channel, boost::json::object message);
    boost::asio::awaitable<SlackResult<void>> post_ephemeral(std::string channel, std::string user,
                                                             boost::json::object message);

    // The id of the direct-message conversation between the bot and `user_id` (conversations.open,
    // which opens it when there is none yet).
    boost::asio::awaitable<SlackResult<std::string>> open_direct(std::string user_id);

    // POSTs the JSON body to a response_url (no token: the URL is the credential).
    boost::asio::awaitable<SlackResult<void>> respond(std::string response_url, boost::json::object body);

    const WebApiCounters& counters() const { return counters_; }

private:
    struct Call {
        std::string url;
        std::string content_type;
        std::string body;
        const std::string* token;  // nullptr: no Authorization header
        bool idempotent;
        bool wait_out_rate_limits = true;  // false: a 429 comes back to the caller at once
    };
    // The final response of a call after the retries above; an error only when no response came.
    boost::asio::awaitable<SlackResult<net::HttpResponse>> perform(Call call);
    boost::asio::awaitable<SlackResult<boost::json::object>> call_method(std::string method,
                                                                         boost::json::object arguments);
    // decode_answer for a bot-token call: a refusal of the token is reported to on_bot_token_refused.
    SlackResult<boost::json::object> bot_answer(const net::HttpResponse& response);

    net::HttpClient& http_;
    WebApiSettings settings_;
    net::RetryPolicy retry_policy_;
    WebApiCounters counters_;
    std::minstd_rand jitter_{std::random_device{}()};
};

}  // namespace collab::slack
