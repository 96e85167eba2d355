#include "adapters/chat/slack/web_api.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <algorithm>
#include <cctype>

namespace collab::slack {
namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

std::string with_trailing_slash(std::string url) {
    if (url.empty() || url.back() != '/') url.push_back('/');
    return url;
}

SlackError from_net(const net::NetError& error) {
    // What cannot get better by waiting says where an admin must look.
    if (error.permanent) return SlackError{"unreachable: " + error.message + "; check SLACK_API_URL ([slack] api_url)"};
    return SlackError{error.kind == net::NetErrorKind::timeout ? "timeout" : "unreachable"};
}

net::RetryPolicy retry_policy(const WebApiSettings& settings) {
    net::RetryPolicy policy{settings.retry, settings.longest_wait};
    // Slack's 429s carry a Retry-After; one without is taken to ask for a second.
    policy.unknown_rate_wait = std::chrono::seconds{1};
    return policy;
}

// An answer of the form {"ok":true,…}, or Slack's error code.
SlackResult<json::object> decode_answer(const net::HttpResponse& response) {
    boost::system::error_code error;
    json::value value = json::parse(response.body, error);
    if (error || !value.is_object() || !value.as_object().contains("ok"))
        return std::unexpected(SlackError{response.status == 200 ? "malformed_response"
                                                                  : "http_" + std::to_string(response.status)});
    json::object& object = value.as_object();
    if (const bool* ok = object.at("ok").if_bool(); ok && *ok) return std::move(object);
    const json::string* code = object.contains("error") ? object.at("error").if_string() : nullptr;
    return std::unexpected(SlackError{code ? std::string(*code) : "unknown_error"});
}

}  // namespace

WebApi::WebApi(net::HttpClient& http, WebApiSettings settings)
    : http_(http), settings_(std::move(settings)), retry_policy_(retry_policy(settings_)) {
    settings_.api_url = with_trailing_slash(settings_.api_url);
}

asio::awaitable<SlackResult<net::HttpResponse>> WebApi::perform(Call call) {
    net::RetryState state{call.idempotent, call.wait_out_rate_limits};
    for (;;) {
        net::HttpRequest request;
        request.method = call.body.empty() && call.idempotent ? http::verb::get : http::verb::post;
        request.url = call.url;
        request.body = call.body;
        request.headers.emplace_back("Accept", "application/json");
        if (request.method == http::verb::post) request.headers.emplace_back("Content-Type", call.content_type);
        if (call.token) request.headers.emplace_back("Authorization", "Bearer " + *call.token);
        ++counters_.requests;
        auto response = co_await http_.send(std::move(request));
        if (response && response->status == 429) ++counters_.rate_limited;
        const net::RetryAction action = net::next(retry_policy_, state, net::attempt_of(response));
        if (action.step == net::RetryStep::send_again) {
            ++counters_.retries;
            const auto wait = net::draw(action.wait, jitter_);
            co_await net::sleep_for(wait);
            continue;
        }
        if (!response) co_return std::unexpected(from_net(response.error()));
        if (response->status == 429) co_return std::unexpected(SlackError{"ratelimited", action.come_back_after});
        co_return std::move(*response);
    }
}

asio::awaitable<SlackResult<json::object>> WebApi::call_method(std::string method, json::object arguments) {
    Call call{settings_.api_url + method, "application/json; charset=utf-8", json::serialize(arguments),
              &settings_.bot_token, false};
    auto response = co_await perform(std::move(call));
    if (!response) co_return std::unexpected(response.error());
    co_return bot_answer(*response);
}

SlackResult<json::object> WebApi::bot_answer(const net::HttpResponse& response) {
    auto answer = decode_answer(response);
    if (!answer && token_refused(answer.error().error) && settings_.on_bot_token_refused)
        settings_.on_bot_token_refused(answer.error().error);
    return answer;
}

asio::awaitable<SlackResult<BotIdentity>> WebApi::auth_test() {
    json::object no_arguments;
    auto answer = co_await call_method("auth.test", std::move(no_arguments));
    if (!answer) co_return std::unexpected(answer.error());
    const auto text = [&](std::string_view key) {
        const json::value* value = answer->if_contains(key);
        const json::string* string = value ? value->if_string() : nullptr;
        return string ? std::string(*string) : std::string();
    };
    co_return BotIdentity{text("team"), text("user"), text("team_id"), text("user_id")};
}

asio::awaitable<std::expected<std::string, OpenFailure>> WebApi::open_connection() {
    // A 429 is not waited out here: the Socket Mode client waits, in a way its stop() can cut short.
    Call call{settings_.api_url + "apps.connections.open", "application/x-www-form-urlencoded", "",
              &settings_.app_token, false, false};
    auto response = co_await perform(std::move(call));
    if (!response) {
        OpenFailure failure{response.error().error, false, response.error().retry_after};
        co_return std::unexpected(std::move(failure));
    }
    co_return decode_connections_open(response->body);
}

asio::awaitable<SlackResult<std::optional<std::string>>> WebApi::user_email(std::string user_id) {
    Call call{settings_.api_url + "users.info?user=" + boost::urls::encode(user_id, boost::urls::unreserved_chars),
              "", "", &settings_.bot_token, true};
    auto response = co_await perform(std::move(call));
    if (!response) co_return std::unexpected(response.error());
    auto answer = bot_answer(*response);
    if (!answer) co_return std::unexpected(answer.error());
    const json::value* email = answer->if_contains("user");
    for (std::string_view key : {"profile", "email"}) {
        const json::object* object = email ? email->if_object() : nullptr;
        email = object ? object->if_contains(key) : nullptr;
    }
    const json::string* text = email ? email->if_string() : nullptr;
    if (!text || text->empty()) co_return std::nullopt;
    co_return std::string(*text);
}

asio::awaitable<SlackResult<void>> WebApi::post_message(std::string channel, json::object message) {
    message["channel"] = channel;
    message.erase("response_type");
    auto answer = co_await call_method("chat.postMessage", std::move(message));
    if (!answer) co_return std::unexpected(answer.error());
    co_return SlackResult<void>{};
}

asio::awaitable<SlackResult<void>> WebApi::post_ephemeral(std::string channel, std::string user,
                                                          json::object message) {
    message["channel"] = channel;
    message["user"] = user;
    message.erase("response_type");
    auto answer = co_await call_method("chat.postEphemeral", std::move(message));
    if (!answer) co_return std::unexpected(answer.error());
    co_return SlackResult<void>{};
}

asio::awaitable<SlackResult<std::string>> WebApi::open_direct(std::string user_id) {
    json::object arguments{{"users", user_id}};
    auto answer = co_await call_method("conversations.open", std::move(arguments));
    if (!answer) co_return std::unexpected(answer.error());
    const json::value* channel = answer->if_contains("channel");
    const json::object* object = channel ? channel->if_object() : nullptr;
    const json::value* id = object ? object->if_contains("id") : nullptr;
    if (!id || !id->is_string() || id->get_string().empty())
        co_return std::unexpected(SlackError{"malformed_response"});
    co_return std::string(id->get_string());
}

asio::awaitable<SlackResult<void>> WebApi::respond(std::string response_url, json::object body) {
    Call call{std::move(response_url), "application/json; charset=utf-8", json::serialize(body), nullptr, false};
    auto response = co_await perform(std::move(call));
    if (!response) co_return std::unexpected(response.error());
    if (response->status == 200) {
        // Answered "ok" as text, or as {"ok":…} JSON by newer endpoints.
        if (response->body.starts_with("{")) {
            auto answer = decode_answer(*response);
            if (!answer) co_return std::unexpected(answer.error());
        }
        co_return SlackResult<void>{};
    }
    // A used-up or expired response_url answers 404 with a short text such as "expired_url".
    std::string error = "http_" + std::to_string(response->status);
    const bool short_code = !response->body.empty() && response->body.size() <= 64 &&
                            std::all_of(response->body.begin(), response->body.end(),
                                        [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
    if (short_code) error = response->body;
    co_return std::unexpected(SlackError{std::move(error)});
}

}  // namespace collab::slack
