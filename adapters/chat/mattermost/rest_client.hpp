#pragma once
// The slice of Mattermost's REST API v4 the bot uses (api-reference; server source api4/, model/
// client4.go), on the shared HTTP client and the shared retry rules (adapters/net/retry_machine.hpp):
// - GET /api/v4/users/me: the bot account, which proves the bot token at start (sign_in.hpp);
// - GET /api/v4/users/{id}: a user's e-mail, when the bot account may see it (empty otherwise);
// - POST /api/v4/posts and POST /api/v4/posts/ephemeral: a reply the response_url could not carry, and
//   what the bot says on its own initiative (announcer.hpp);
// - POST /api/v4/channels/direct: the bot's direct message channel with one person (made once, the
//   same one after);
// - GET /api/v4/channels/{id}: a channel's name, which a message links to as ~name;
// - POST to a slash command's response_url (no token: the URL is the credential).
//
// Every call but the response_url's carries `Authorization: Bearer <bot token>`. Errors come as
// {"id","message","request_id","status_code"}; a 429 (X-Ratelimit-* headers, Retry-After) is waited
// out when its wait is reasonable (Retry-After, else X-Ratelimit-Reset, plus jitter), a bounded number
// of times; 5xx and lost connections are retried only for reads. The token never appears in an error
// or a log line.

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <expected>
#include <optional>
#include <random>
#include <string>

#include "adapters/net/backoff.hpp"
#include "adapters/net/http_client.hpp"
#include "adapters/net/url.hpp"

namespace collab::mattermost {

struct RestSettings {
    std::string server_url;  // MATTERMOST_URL: the site URL, /api/v4/… is appended
    std::string bot_token;   // MATTERMOST_BOT_TOKEN: a bot account's access token
    net::BackoffPolicy retry{std::chrono::milliseconds{250}, std::chrono::seconds{10}, 3};
    // A 429 asking for longer than this is not waited out: the caller gets the error and the wait.
    std::chrono::seconds longest_wait{30};
};

struct MattermostError {
    unsigned status = 0;  // HTTP status; 0 when no answer came
    std::string id;       // the server's error id ("api.context.session_expired.app_error", …)
    std::string message;  // the server's message, or what failed; never a token
    std::optional<std::chrono::seconds> retry_after = std::nullopt;  // a 429 not waited out
};

template <typename T>
using RestResult = std::expected<T, MattermostError>;

// The account a bot token belongs to.
struct BotUser {
    std::string id;
    std::string username;
};

struct RestCounters {
    long requests = 0;
    long rate_limited = 0;  // 429 answers
    long retries = 0;
};

class RestClient {
public:
    RestClient(net::HttpClient& http, RestSettings settings);

    // GET /api/v4/users/me: whom the bot token signs in as.
    boost::asio::awaitable<RestResult<BotUser>> bot_user();
    // The user's e-mail; nothing when the server shows the bot none.
    boost::asio::awaitable<RestResult<std::optional<std::string>>> user_email(std::string user_id);
    // `post` is a Post ({"channel_id","message","props"}).
    boost::asio::awaitable<RestResult<void>> create_post(boost::json::object post);
    boost::asio::awaitable<RestResult<void>> create_ephemeral(std::string user_id, boost::json::object post);
    // POST /api/v4/channels/direct: the id of the direct message channel between the bot and the person.
    boost::asio::awaitable<RestResult<std::string>> open_direct(std::string bot_id, std::string user_id);
    // GET /api/v4/channels/{id}: the channel's name (its URL's last part, not its display name).
    boost::asio::awaitable<RestResult<std::string>> channel_name(std::string channel_id);
    boost::asio::awaitable<RestResult<void>> respond(std::string response_url, boost::json::object body);

    // True when `url` has MATTERMOST_URL's scheme, host and port: the only server the bot sends to.
    bool on_server(std::string_view url) const;

    const RestCounters& counters() const { return counters_; }
    // Why the last call to the REST API got no answer at all (the server out of reach); nothing once
    // one answered. A response_url's failures do not count.
    const std::optional<std::string>& unreachable() const { return unreachable_; }

private:
    struct Call {
        boost::beast::http::verb method;
        std::string url;
        std::string body;
        bool with_token;
        bool idempotent;
    };
    boost::asio::awaitable<RestResult<net::HttpResponse>> perform(Call call);
    // GET /api/v4/users/{id}: the user object as the server shows it to the bot.
    boost::asio::awaitable<RestResult<boost::json::object>> user(std::string id);

    net::HttpClient& http_;
    RestSettings settings_;
    net::RetryPolicy retry_policy_;
    RestCounters counters_;
    std::optional<std::string> unreachable_;
    std::optional<net::Origin> server_origin_;  // nothing when MATTERMOST_URL is no http(s) URL
    std::minstd_rand jitter_{std::random_device{}()};
};

// Mattermost's error body, read leniently (a proxy's HTML page gives an empty one).
MattermostError read_error(unsigned status, std::string_view body);

}  // namespace collab::mattermost
