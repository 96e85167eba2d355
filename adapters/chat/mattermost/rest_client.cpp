#include "adapters/chat/mattermost/rest_client.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <charconv>

namespace collab::mattermost {
namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

// Mattermost's ids are 26 lower-case letters and digits (model.IsValidId). Anything else never goes
// into a request path sent with the bot token: a forged click could otherwise aim it at another call.
bool valid_id(std::string_view id) {
    return id.size() == 26 &&
           std::ranges::all_of(id, [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
}

std::string without_trailing_slash(std::string url) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
}

MattermostError from_net(const net::NetError& error) {
    // What cannot get better by waiting says where an admin must look.
    if (error.permanent) return MattermostError{0, {}, "unreachable: " + error.message + "; check MATTERMOST_URL"};
    return MattermostError{
        0, {}, error.kind == net::NetErrorKind::timeout ? "timeout" : "unreachable: " + error.message};
}

// X-Ratelimit-Reset: the seconds until the limit resets, as Mattermost's rate limiter sends them.
std::optional<std::chrono::milliseconds> reset_after(const net::HttpResponse& response) {
    const auto header = response.header("X-Ratelimit-Reset");
    if (!header) return std::nullopt;
    long long seconds = 0;
    const auto [end, error] = std::from_chars(header->data(), header->data() + header->size(), seconds);
    if (error != std::errc{} || end != header->data() + header->size() || seconds < 0 || seconds > 3600)
        return std::nullopt;
    return std::chrono::seconds{seconds};
}

std::string string_member(const json::object& object, std::string_view name) {
    const json::value* value = object.if_contains(name);
    return value != nullptr && value->is_string() ? std::string(value->get_string()) : std::string();
}

// A string member of the JSON object a response carries; empty when the body is no object or lacks it.
std::string body_member(std::string_view body, std::string_view name) {
    boost::system::error_code error;
    const json::value value = json::parse(body, error);
    const json::object* object = error ? nullptr : value.if_object();
    return object != nullptr ? string_member(*object, name) : std::string();
}

}  // namespace

MattermostError read_error(unsigned status, std::string_view body) {
    MattermostError error{status, {}, {}};
    boost::system::error_code parse_error;
    const json::value value = json::parse(body, parse_error);
    if (const json::object* object = parse_error ? nullptr : value.if_object()) {
        error.id = string_member(*object, "id");
        error.message = string_member(*object, "message");
    }
    if (error.message.empty()) error.message = "HTTP " + std::to_string(status);
    return error;
}

RestClient::RestClient(net::HttpClient& http, RestSettings settings)
    : http_(http), settings_(std::move(settings)), retry_policy_{settings_.retry, settings_.longest_wait} {
    settings_.server_url = without_trailing_slash(settings_.server_url);
    if (auto server = net::parse_http_url(settings_.server_url)) server_origin_ = server->origin;
    // A 429 without a wait is taken to ask for a second: Mattermost's limits are per second.
    retry_policy_.unknown_rate_wait = std::chrono::seconds{1};
}

asio::awaitable<RestResult<net::HttpResponse>> RestClient::perform(Call call) {
    net::RetryState state{call.idempotent, true};
    for (;;) {
        net::HttpRequest request;
        request.method = call.method;
        request.url = call.url;
        request.body = call.body;
        request.headers.emplace_back("Accept", "application/json");
        if (!call.body.empty()) request.headers.emplace_back("Content-Type", "application/json");
        if (call.with_token) request.headers.emplace_back("Authorization", "Bearer " + settings_.bot_token);
        ++counters_.requests;
        auto response = co_await http_.send(std::move(request));
        // Only the server's own API says whether the server is reachable: a response_url may fail alone.
        if (call.with_token) {
            if (response)
                unreachable_.reset();
            else
                unreachable_ = from_net(response.error()).message;
        }

        net::Attempt attempt = net::attempt_of(response);
        if (response && response->status == 429) {
            ++counters_.rate_limited;
            if (!attempt.retry_after) attempt.retry_after = reset_after(*response);
        }
        const net::RetryAction action = net::next(retry_policy_, state, attempt);
        if (action.step == net::RetryStep::send_again) {
            ++counters_.retries;
            co_await net::sleep_for(net::draw(action.wait, jitter_));
            continue;
        }
        if (!response) co_return std::unexpected(from_net(response.error()));
        if (response->status >= 200 && response->status < 300) co_return std::move(*response);
        MattermostError error = read_error(response->status, response->body);
        if (response->status == 429) error.retry_after = action.come_back_after;
        if (response->status == 401 && call.with_token)
            error.message += " (the server refused the bot token: check MATTERMOST_BOT_TOKEN)";
        co_return std::unexpected(std::move(error));
    }
}

bool RestClient::on_server(std::string_view url) const {
    const auto parsed = net::parse_http_url(url);
    return parsed && server_origin_ && parsed->origin == *server_origin_;
}

asio::awaitable<RestResult<json::object>> RestClient::user(std::string id) {
    Call call{http::verb::get, settings_.server_url + "/api/v4/users/" + id, "", true, true};
    auto response = co_await perform(std::move(call));
    if (!response) co_return std::unexpected(response.error());
    boost::system::error_code error;
    json::value value = json::parse(response->body, error);
    if (error || !value.is_object())
        co_return std::unexpected(MattermostError{response->status, {}, "GET /users/{id} answered no user object"});
    co_return std::move(value.get_object());
}

asio::awaitable<RestResult<BotUser>> RestClient::bot_user() {
    std::string me = "me";  // the token's own user (model.Me)
    auto user_object = co_await user(std::move(me));
    if (!user_object) co_return std::unexpected(user_object.error());
    co_return BotUser{string_member(*user_object, "id"), string_member(*user_object, "username")};
}

asio::awaitable<RestResult<std::optional<std::string>>> RestClient::user_email(std::string user_id) {
    if (!valid_id(user_id))
        co_return std::unexpected(
            MattermostError{0, {}, "not a Mattermost user id (26 lower-case letters and digits)"});
    auto user_object = co_await user(std::move(user_id));
    if (!user_object) co_return std::unexpected(user_object.error());
    std::string email = string_member(*user_object, "email");
    // A bot without the permission to see e-mails gets the user with an empty one.
    if (email.empty()) co_return std::optional<std::string>{};
    co_return std::optional<std::string>{std::move(email)};
}

asio::awaitable<RestResult<void>> RestClient::create_post(json::object post) {
    Call call{http::verb::post, settings_.server_url + "/api/v4/posts", json::serialize(post), true, false};
    auto response = co_await perform(std::move(call));
    if (!response) co_return std::unexpected(response.error());
    co_return RestResult<void>{};
}

asio::awaitable<RestResult<void>> RestClient::create_ephemeral(std::string user_id, json::object post) {
    json::object body{{"user_id", std::move(user_id)}, {"post", std::move(post)}};
    Call call{http::verb::post, settings_.server_url + "/api/v4/posts/ephemeral", json::serialize(body), true, false};
    auto response = co_await perform(std::move(call));
    if (!response) co_return std::unexpected(response.error());
    co_return RestResult<void>{};
}

asio::awaitable<RestResult<std::string>> RestClient::open_direct(std::string bot_id, std::string user_id) {
    if (!valid_id(bot_id) || !valid_id(user_id))
        co_return std::unexpected(
            MattermostError{0, {}, "not a Mattermost user id (26 lower-case letters and digits)"});
    // The server answers the channel the two already have, if any: asking again changes nothing.
    const json::array members{json::string(bot_id), json::string(user_id)};
    Call call{http::verb::post, settings_.server_url + "/api/v4/channels/direct", json::serialize(members), true, true};
    auto response = co_await perform(std::move(call));
    if (!response) co_return std::unexpected(response.error());
    std::string id = body_member(response->body, "id");
    if (id.empty())
        co_return std::unexpected(
            MattermostError{response->status, {}, "POST /channels/direct answered no channel object"});
    co_return id;
}

asio::awaitable<RestResult<std::string>> RestClient::channel_name(std::string channel_id) {
    if (!valid_id(channel_id))
        co_return std::unexpected(
            MattermostError{0, {}, "not a Mattermost channel id (26 lower-case letters and digits)"});
    Call call{http::verb::get, settings_.server_url + "/api/v4/channels/" + channel_id, "", true, true};
    auto response = co_await perform(std::move(call));
    if (!response) co_return std::unexpected(response.error());
    std::string name = body_member(response->body, "name");
    if (name.empty())
        co_return std::unexpected(MattermostError{response->status, {}, "GET /channels/{id} answered no channel name"});
    co_return name;
}

asio::awaitable<RestResult<void>> RestClient::respond(std::string response_url, json::object body) {
    Call call{http::verb::post, std::move(response_url), json::serialize(body), false, false};
    auto response = co_await perform(std::move(call));
    if (!response) co_return std::unexpected(response.error());
    co_return RestResult<void>{};
}

}  // namespace collab::mattermost
