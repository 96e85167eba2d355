#include "adapters/chat/discord/rest_client.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cmath>

namespace collab::discord {
namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

constexpr int already_acknowledged = 40060;

std::string without_trailing_slash(std::string url) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
}

DiscordError from_net(const net::NetError& error) {
    // What cannot get better by waiting says where an admin must look.
    if (error.permanent) return DiscordError{0, 0, "unreachable: " + error.message + "; check DISCORD_API_URL"};
    return DiscordError{0, 0, error.kind == net::NetErrorKind::timeout ? "timeout" : "unreachable: " + error.message};
}

}  // namespace

ErrorBody read_error_body(std::string_view body) {
    ErrorBody read;
    boost::system::error_code error;
    const json::value value = json::parse(body, error);
    const json::object* object = error ? nullptr : value.if_object();
    if (object == nullptr) return read;
    if (const json::value* code = object->if_contains("code"); code && code->is_int64())
        read.code = static_cast<int>(code->get_int64());
    if (const json::value* message = object->if_contains("message"); message && message->is_string())
        read.message = std::string(message->get_string());
    if (const json::value* global = object->if_contains("global"); global && global->is_bool())
        read.global = global->get_bool();
    if (const json::value* wait = object->if_contains("retry_after"); wait && wait->is_number()) {
        const double seconds = wait->to_number<double>();
        // Bounded before converting, as the Retry-After header is: a wait beyond an hour is no wait to keep.
        if (seconds >= 0 && std::isfinite(seconds))
            read.retry_after =
                std::chrono::milliseconds{static_cast<long long>(std::ceil(std::min(seconds, 3600.0) * 1000))};
    }
    return read;
}

RestClient::RestClient(net::HttpClient& http, RestSettings settings)
    : http_(http), settings_(std::move(settings)), retry_policy_{settings_.retry, settings_.longest_wait} {
    settings_.api_url = without_trailing_slash(settings_.api_url);
    // Discord's 429s say how long; one that does not is taken to ask for a second.
    retry_policy_.unknown_rate_wait = std::chrono::seconds{1};
}

asio::awaitable<void> RestClient::wait_out_global_limit() {
    const auto now = std::chrono::steady_clock::now();
    if (now >= global_until_) co_return;
    const auto pause = std::chrono::ceil<std::chrono::milliseconds>(global_until_ - now);
    co_await net::sleep_for(pause);
}

asio::awaitable<RestResult<net::HttpResponse>> RestClient::perform(Call call) {
    net::RetryState state{call.idempotent, true};
    for (;;) {
        if (call.with_token) co_await wait_out_global_limit();
        net::HttpRequest request;
        request.method = call.method;
        request.url = settings_.api_url + "/v10/" + call.path;
        request.body = call.body;
        request.headers.emplace_back("Accept", "application/json");
        if (!call.body.empty()) request.headers.emplace_back("Content-Type", "application/json");
        if (call.with_token) request.headers.emplace_back("Authorization", "Bot " + settings_.bot_token);
        ++counters_.requests;
        auto response = co_await http_.send(std::move(request));

        net::Attempt attempt = net::attempt_of(response);
        ErrorBody body;
        if (response && response->status >= 400) body = read_error_body(response->body);
        if (response && response->status == 429) {
            ++counters_.rate_limited;
            // The body's wait is the precise one; the header rounds it to whole seconds.
            if (body.retry_after) attempt.retry_after = body.retry_after;
            if (body.global && call.with_token && attempt.retry_after)
                global_until_ = std::chrono::steady_clock::now() + *attempt.retry_after;
        }
        // A callback sent again that Discord already has: the first one arrived.
        if (response && state.resent > 0 && body.code == already_acknowledged) co_return std::move(*response);

        const net::RetryAction action = net::next(retry_policy_, state, attempt);
        if (action.step == net::RetryStep::send_again) {
            const auto wait = net::draw(action.wait, jitter_);
            const bool in_time = !call.deadline || std::chrono::steady_clock::now() + wait < *call.deadline;
            if (in_time) {
                ++counters_.retries;
                co_await net::sleep_for(wait);
                continue;
            }
        }
        if (!response) {
            unreachable_ = from_net(response.error()).message;
            co_return std::unexpected(from_net(response.error()));
        }
        unreachable_.reset();
        if (response->status >= 200 && response->status < 300) co_return std::move(*response);
        DiscordError error{response->status, body.code,
                           body.message.empty() ? "HTTP " + std::to_string(response->status) : body.message};
        if (response->status == 429) error.retry_after = action.come_back_after;
        if (response->status == 401 && call.with_token) {
            error.message =
                "Discord refused the bot token (401 Unauthorized): set DISCORD_BOT_TOKEN ([discord] "
                "bot_token_file) to the token on the Bot page of the application in the Developer Portal";
            if (settings_.on_token_refused) settings_.on_token_refused(error.message);
        }
        co_return std::unexpected(std::move(error));
    }
}

namespace {

// The string `key` of a JSON object answer; empty when there is none.
std::string string_in(std::string_view body, std::string_view key) {
    boost::system::error_code error;
    const json::value value = json::parse(body, error);
    const json::object* object = error ? nullptr : value.if_object();
    const json::value* found = object ? object->if_contains(key) : nullptr;
    return found && found->is_string() ? std::string(found->get_string()) : std::string();
}

}  // namespace

asio::awaitable<RestResult<GatewayBot>> RestClient::gateway_bot() {
    Call call{http::verb::get, "gateway/bot", "", true, true};
    auto response = co_await perform(std::move(call));
    if (!response) co_return std::unexpected(response.error());
    boost::system::error_code error;
    const json::value value = json::parse(response->body, error);
    const json::object* object = error ? nullptr : value.if_object();
    const json::value* url = object ? object->if_contains("url") : nullptr;
    if (url == nullptr || !url->is_string() || url->get_string().empty())
        co_return std::unexpected(DiscordError{response->status, 0, "GET /gateway/bot answered without a url"});
    GatewayBot gateway{std::string(url->get_string())};
    if (const json::value* shards = object->if_contains("shards");
        shards && shards->is_int64() && shards->get_int64() > 0)
        gateway.shards = static_cast<int>(shards->get_int64());
    co_return gateway;
}

asio::awaitable<RestResult<std::string>> RestClient::application_id() {
    Call call{http::verb::get, "applications/@me", "", true, true};
    auto response = co_await perform(std::move(call));
    if (!response) co_return std::unexpected(response.error());
    std::string id = string_in(response->body, "id");
    if (id.empty())
        co_return std::unexpected(DiscordError{response->status, 0, "GET /applications/@me answered without an id"});
    co_return id;
}

asio::awaitable<RestResult<void>> RestClient::overwrite_commands(std::string application_id, std::string guild_id,
                                                                 json::array commands) {
    std::string path = "applications/" + application_id;
    if (!guild_id.empty()) path += "/guilds/" + guild_id;
    Call call{http::verb::put, path + "/commands", json::serialize(commands), true, true};
    auto response = co_await perform(std::move(call));
    if (!response) co_return std::unexpected(response.error());
    co_return RestResult<void>{};
}

asio::awaitable<RestResult<void>> RestClient::callback(std::string interaction_id, std::string token, std::string body,
                                                       std::chrono::steady_clock::time_point received) {
    // Sent again only while the interaction lasts: a second copy is refused with 40060 (see perform).
    Call call{http::verb::post,
              "interactions/" + interaction_id + "/" + token + "/callback",
              std::move(body),
              false,
              true,
              received + settings_.callback_window};
    auto response = co_await perform(std::move(call));
    if (!response) co_return std::unexpected(response.error());
    co_return RestResult<void>{};
}

asio::awaitable<RestResult<void>> RestClient::edit_original(std::string application_id, std::string token,
                                                            std::string message) {
    Call call{http::verb::patch, "webhooks/" + application_id + "/" + token + "/messages/@original", std::move(message),
              false, true};
    auto response = co_await perform(std::move(call));
    if (!response) co_return std::unexpected(response.error());
    co_return RestResult<void>{};
}

asio::awaitable<RestResult<void>> RestClient::delete_original(std::string application_id, std::string token) {
    Call call{http::verb::delete_, "webhooks/" + application_id + "/" + token + "/messages/@original", "", false, true};
    auto response = co_await perform(std::move(call));
    if (!response) co_return std::unexpected(response.error());
    co_return RestResult<void>{};
}

asio::awaitable<RestResult<void>> RestClient::follow_up(std::string application_id, std::string token,
                                                        std::string message) {
    Call call{http::verb::post, "webhooks/" + application_id + "/" + token, std::move(message), false, false};
    auto response = co_await perform(std::move(call));
    if (!response) co_return std::unexpected(response.error());
    co_return RestResult<void>{};
}

asio::awaitable<RestResult<void>> RestClient::create_message(std::string channel_id, json::object message) {
    // Not sent again after a lost answer: it may have been posted, and a second copy would show.
    Call call{http::verb::post, "channels/" + channel_id + "/messages", json::serialize(message), true, false};
    auto response = co_await perform(std::move(call));
    if (!response) co_return std::unexpected(response.error());
    co_return RestResult<void>{};
}

asio::awaitable<RestResult<std::string>> RestClient::open_direct(std::string user_id) {
    // Opening the channel twice gives the same one: safe to send again.
    const json::object body{{"recipient_id", user_id}};
    Call call{http::verb::post, "users/@me/channels", json::serialize(body), true, true};
    auto response = co_await perform(std::move(call));
    if (!response) co_return std::unexpected(response.error());
    std::string id = string_in(response->body, "id");
    if (id.empty())
        co_return std::unexpected(DiscordError{response->status, 0, "POST /users/@me/channels answered without an id"});
    co_return id;
}

}  // namespace collab::discord
