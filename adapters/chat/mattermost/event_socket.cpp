#include "adapters/chat/mattermost/event_socket.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <functional>

#include "adapters/chat/mattermost/requests.hpp"
#include "adapters/net/backoff.hpp"

namespace collab::mattermost {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// The seq of the bot's only action: the challenge, first on every connection.
constexpr std::int64_t challenge_seq = 1;

}  // namespace

EventSocket::EventSocket(asio::any_io_executor executor, RestClient& rest, chat::Desk& desk, store::SharedState& shared,
                         EventSocketSettings settings, std::shared_ptr<spdlog::logger> logger)
    : executor_(executor),
      rest_(rest),
      intake_(executor, desk, shared,
              chat::IntakeSettings{.claims = settings.claims, .transport = "mattermost websocket"}, request_of_work,
              logger),
      settings_(std::move(settings)),
      logger_(std::move(logger)),
      pause_(executor) {
    settings_.websocket.headers.emplace_back("Authorization", "Bearer " + settings_.bot_token);
}

asio::awaitable<int> EventSocket::run(std::optional<BotUser> bot) {
    bot_ = std::move(bot);
    bool check_token = !bot_;
    int attempt = 0;
    while (!stopping_) {
        if (check_token) {
            auto me = co_await rest_.bot_user();
            if (stopping_) break;
            if (me) {
                bot_ = std::move(*me);
            } else if (me.error().status == 401) {
                down_reason_ = "the server refused MATTERMOST_BOT_TOKEN";
                logger_->error(
                    "mattermost: the websocket could not sign in and the server refuses MATTERMOST_BOT_TOKEN (GET "
                    "/api/v4/users/me answered 401): set it to the access token of the bot account (System Console > "
                    "Integrations > Bot Accounts). Stopping.");
                co_return 1;
            }
        }
        Ending ending{false, "who the bot is is not known yet (GET /api/v4/users/me got no answer)"};
        if (bot_) ending = co_await connection();
        if (stopping_) break;
        down_reason_ = ending.why;
        // A connection that never got its hello may have been refused its token: asked before the next.
        check_token = !ending.greeted;
        if (ending.greeted) attempt = 0;
        const auto wait = net::jittered_backoff(settings_.reconnect, attempt++, jitter_);
        logger_->warn("mattermost: websocket: {}; connecting again in {} ms", ending.why, wait.count());
        if (!co_await pause(wait)) break;
    }
    co_return 0;
}

asio::awaitable<EventSocket::Ending> EventSocket::connection() {
    std::string url = socket_url(settings_.server_url, connection_id_, next_seq_);
    auto connected = co_await net::WebSocketConnection::connect(executor_, std::move(url), settings_.websocket);
    if (!connected) co_return Ending{false, "could not connect (" + connected.error().message + ")"};
    Link link = *connected;
    if (stopping_) {
        link->abort();
        co_return Ending{};
    }
    link_ = link;
    link->send(challenge_frame(challenge_seq, settings_.bot_token));
    // No hello in time: the connection is given up, and the token checked before the next.
    auto greeted = std::make_shared<bool>(false);
    auto hello_due = std::make_shared<asio::steady_timer>(link->executor(), settings_.hello_timeout);
    auto watchdog = [link, greeted, hello_due]() -> asio::awaitable<void> {
        co_await hello_due->async_wait(asio::as_tuple(asio::use_awaitable));
        if (!*greeted) link->abort();
    };
    asio::co_spawn(link->executor(), std::move(watchdog), asio::detached);

    Ending ending;
    for (;;) {
        auto text = co_await link->read();
        if (!text) {
            ending.why = *greeted ? "connection lost (" + text.error().message + ")"
                                  : "no hello from the server (" + text.error().message + ")";
            break;
        }
        auto frame = decode_socket_frame(*text);
        if (!frame) {
            ++counters_.skipped_frames;
            logger_->warn("mattermost: websocket: skipped a frame ({})", frame.error());
            continue;
        }
        if (const auto* reply = std::get_if<SocketReply>(&*frame)) {
            if (!reply->ok)
                logger_->warn("mattermost: websocket: the server refused the authentication challenge ({})",
                              reply->error);
            continue;
        }
        auto& event = std::get<SocketEvent>(*frame);
        if (!number(event)) continue;
        if (event.name == "hello") {
            *greeted = true;
            asio::post(link->executor(), [hello_due] { hello_due->cancel(); });
            ending.greeted = true;
            up_ = true;
            ++counters_.connects;
            logger_->info("mattermost: websocket connected as @{}; answering mentions", bot_->username);
            continue;
        }
        if (event.name == "posted" && !stopping_)
            asio::co_spawn(executor_, take_in(std::move(event.data)), asio::detached);
    }
    up_ = false;
    asio::post(link->executor(), [hello_due] { hello_due->cancel(); });
    co_return ending;
}

bool EventSocket::number(const SocketEvent& event) {
    if (!event.seq) return true;
    const std::int64_t seq = *event.seq;
    if (event.name == "hello") {
        if (!event.connection_id.empty() && event.connection_id == connection_id_) {
            ++counters_.resumes;
            logger_->info("mattermost: websocket: the server resumed the connection from event {}", next_seq_);
        } else {
            if (!connection_id_.empty())
                logger_->warn(
                    "mattermost: websocket: the server started a new connection; posts made while the bot was away "
                    "are not sent again");
            connection_id_ = event.connection_id;
            next_seq_ = seq;
        }
    }
    // Sent again after a resume: taken in already.
    if (seq < next_seq_ && event.name != "hello") return false;
    if (seq > next_seq_) {
        counters_.missed_events += seq - next_seq_;
        logger_->warn("mattermost: websocket: {} event(s) missed (expected event {}, got {})", seq - next_seq_,
                      next_seq_, seq);
    }
    next_seq_ = std::max(next_seq_, seq + 1);
    return true;
}

asio::awaitable<void> EventSocket::take_in(json::object data) {
    auto post = decode_posted(data);
    if (!post) {
        ++counters_.skipped_frames;
        logger_->warn("mattermost: websocket: skipped a posted event ({})", post.error());
        co_return;
    }
    ++counters_.posts;
    const std::string key = post_claim_key(*post);
    auto request = mention_request(*post, *bot_, key);
    if (!request) {
        // Not claimed: the bot sees every post of its channels, and acts on few.
        logger_->debug("[{}] mattermost: leaving a post alone: {}", key, request.error());
        co_return;
    }
    logger_->debug("[{}] mattermost: mention from {} in {}", key, post->user_id, post->channel_id);
    chat::Arrival arrival{key, intake_.work([&request] { return work_of(*request); })};
    std::optional<chat::CommandRequest> command = std::move(*request);
    std::function<void(chat::Delivery)> claimed = [this](chat::Delivery delivery) {
        if (delivery != chat::Delivery::repeat) ++counters_.mentions;
    };
    co_await intake_.message(std::move(arrival), std::move(command), std::move(claimed));
}

asio::awaitable<bool> EventSocket::pause(std::chrono::milliseconds delay) {
    if (stopping_) co_return false;
    pause_.expires_after(delay);
    co_await pause_.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return !stopping_;
}

void EventSocket::stop() {
    if (stopping_) return;
    stopping_ = true;
    intake_.stop();
    pause_.cancel();
    if (!link_ || link_->closed()) return;
    Link link = link_;
    auto close = [link]() -> asio::awaitable<void> {
        std::string reason = "shutting down";
        co_await link->close(std::move(reason));
    };
    asio::co_spawn(link->executor(), std::move(close), asio::detached);
}

asio::awaitable<bool> EventSocket::settle(std::chrono::milliseconds limit) {
    co_return co_await intake_.settle(limit);
}

std::optional<std::string> EventSocket::link_down() const {
    if (up_) return std::nullopt;
    return "websocket: " + down_reason_;
}

}  // namespace collab::mattermost
