#include "adapters/chat/mattermost/outbox.hpp"

#include <boost/json/serialize.hpp>

#include "adapters/chat/mattermost/messages.hpp"
#include "adapters/net/url.hpp"

namespace collab::mattermost {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr int response_url_uses = 5;
constexpr std::chrono::minutes response_url_life{30};

// For the log: where a URL points, never its path (a response_url's path is its credential).
std::string url_origin(std::string_view url) {
    const auto parsed = net::parse_http_url(url);
    return parsed ? net::to_string(parsed->origin) : "not an http(s) URL";
}

}  // namespace

MattermostOutbox::MattermostOutbox(RestClient& rest, std::shared_ptr<spdlog::logger> logger)
    : rest_(rest), logger_(std::move(logger)) {}

json::object MattermostOutbox::encode(const chat::Origin& origin, const chat::Answer& answer) const {
    if (answer.reply->proposal) return proposal_response(answer.reply, action_url_, origin.actor.team);
    return command_response(answer.reply, answer.visibility);
}

std::shared_ptr<const std::string> MattermostOutbox::encoded(const chat::Origin& origin, const chat::Answer& answer) {
    if (answer.reply->proposal) return std::make_shared<const std::string>(json::serialize(encode(origin, answer)));
    const chat::Visibility visibility = answer.visibility;
    auto render = [visibility](const Reply& keyed) { return json::serialize(command_response(keyed, visibility)); };
    return forms_.render(answer.reply, chat::to_string(visibility), render);
}

bool MattermostOutbox::expect_click(const std::string& id) {
    return clicks_.emplace(id, ClickAnswer{}).second;
}

ClickAnswer MattermostOutbox::take_click(const std::string& id) {
    auto found = clicks_.find(id);
    if (found == clicks_.end()) return {};
    ClickAnswer answer = std::move(found->second);
    clicks_.erase(found);
    return answer;
}

bool MattermostOutbox::use_response_url(const std::string& url) {
    const auto now = std::chrono::steady_clock::now();
    std::erase_if(response_urls_, [&](const auto& entry) { return now - entry.second.first > response_url_life; });
    auto uses = response_urls_.try_emplace(url, Uses{0, now}).first;
    if (uses->second.count >= response_url_uses) return false;
    ++uses->second.count;
    return true;
}

asio::awaitable<void> MattermostOutbox::complete(const chat::Origin& origin, chat::Answer answer) {
    co_await send(origin, std::move(answer));
}

asio::awaitable<void> MattermostOutbox::deliver(const chat::Origin& origin, chat::Answer answer) {
    co_await send(origin, std::move(answer));
}

asio::awaitable<void> MattermostOutbox::replace_proposal(const chat::Origin& origin, Reply reply) {
    if (auto click = clicks_.find(origin.id); click != clicks_.end()) {
        click->second.update = std::move(reply);
        co_return;
    }
    // No connection waits for this click: the proposal cannot be updated, its outcome is posted.
    chat::Answer outcome{std::move(reply), chat::Visibility::in_channel};
    co_await post(origin, std::move(outcome));
}

asio::awaitable<void> MattermostOutbox::post_beside(const chat::Origin& origin, chat::Answer answer) {
    if (auto click = clicks_.find(origin.id); click != clicks_.end()) {
        if (answer.visibility == chat::Visibility::ephemeral) click->second.ephemeral = *answer.reply;
        // In the channel: the updated proposal already shows it to everyone.
        if (click->second.update) co_return;
        if (answer.visibility == chat::Visibility::ephemeral) co_return;
    }
    co_await post(origin, std::move(answer));
}

asio::awaitable<void> MattermostOutbox::send(const chat::Origin& origin, chat::Answer answer) {
    if (!origin.reply_url.empty()) {
        if (!rest_.on_server(origin.reply_url)) {
            // The request named another server: the bot posts nowhere but MATTERMOST_URL.
            ++counters_.foreign_response_urls;
            logger_->warn(
                "[{}] mattermost: refused a response_url that is not on MATTERMOST_URL's server ({}); posting the "
                "reply with the REST API",
                origin.id, url_origin(origin.reply_url));
        } else if (use_response_url(origin.reply_url)) {
            json::object body = encode(origin, answer);
            auto sent = co_await rest_.respond(origin.reply_url, std::move(body));
            if (sent) co_return;
            logger_->warn("[{}] mattermost: the response_url refused the reply ({}); posting it with the REST API",
                          origin.id, sent.error().message);
        } else {
            ++counters_.response_url_used_up;
            logger_->info("[{}] mattermost: the response_url is used up; posting the reply with the REST API",
                          origin.id);
        }
    }
    co_await post(origin, std::move(answer));
}

asio::awaitable<void> MattermostOutbox::post(const chat::Origin& origin, chat::Answer answer) {
    json::object message = bot_post(answer.reply, origin.actor.channel, origin.thread, action_url_, origin.actor.team);
    RestResult<void> posted;
    // In a direct message the person is the only reader: an ephemeral reply would only vanish.
    if (answer.visibility == chat::Visibility::in_channel || answer.reply->proposal || origin.direct)
        posted = co_await rest_.create_post(std::move(message));
    else
        posted = co_await rest_.create_ephemeral(origin.actor.user_id, std::move(message));
    if (!posted) {
        ++counters_.delivery_failures;
        logger_->error("[{}] mattermost: could not deliver a reply to {} in {}: {}", origin.id, origin.actor.user_id,
                       origin.actor.channel, posted.error().message);
    }
}

}  // namespace collab::mattermost
