#include "slack_emulator.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/parse_query.hpp>

#include <condition_variable>
#include <deque>
#include <fstream>
#include <future>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include "loopback_server.hpp"
#include "websocket_server.hpp"

namespace collab::slack::test {
namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using SteadyClock = std::chrono::steady_clock;
using net::test::ServerRequest;
using net::test::ServerResponse;
using net::test::WsServerSession;

namespace {

ServerResponse answer(http::status status, std::string body, std::string_view content_type = "application/json") {
    ServerResponse response{status, 11};
    response.set(http::field::content_type, content_type);
    response.body() = std::move(body);
    response.prepare_payload();
    return response;
}

ServerResponse slack_error(std::string_view error) {
    return answer(http::status::ok, json::serialize(json::object{{"ok", false}, {"error", error}}));
}

json::object parse_object(std::string_view text) {
    boost::system::error_code error;
    json::value value = json::parse(text, error);
    if (error || !value.is_object()) return {};
    return std::move(value.as_object());
}

}  // namespace

// One socket as the emulator's thread sees it.
struct Socket {
    int number = -1;
    asio::any_io_executor executor;
    WsServerSession* session = nullptr;  // valid while the session's handler runs
    struct Queued {
        std::string frame;
        SteadyClock::time_point at;
    };
    std::deque<Queued> outbox;
    std::unique_ptr<asio::steady_timer> wake;  // cancelled when the outbox has something, or to end
    struct Sent {
        SteadyClock::time_point queued, written;
    };
    std::map<std::string, Sent> sent;            // envelope id -> when it was queued and written
    std::map<std::string, std::string> unacked;  // envelope id -> frame, until acknowledged
    bool open = true;
    bool silent = false;
    SteadyClock::time_point hello_at;
    SteadyClock::time_point closed_at;
};

struct SlackEmulator::State {
    EmulatorOptions options;
    mutable std::mutex mutex;
    mutable std::condition_variable changed;
    std::string ws_url;  // "ws://127.0.0.1:P"
    std::vector<std::shared_ptr<Socket>> sockets;
    int next_turn = 0;
    int urls = 0;
    std::deque<std::string> open_failures;
    std::map<std::string, std::pair<int, int>> rate_limits;  // method -> (times left, Retry-After)
    std::pair<int, std::string> refused_responses{0, ""};
    std::deque<std::string> orphans;  // re-deliveries waiting for a socket to open
    std::string refusal;              // a disconnect reason new sockets get instead of hello
    std::chrono::milliseconds hello_delay{0};
    std::string users_info_error;                        // users.info answers this error
    std::map<std::string, std::string> closed_channels;  // channel -> the error chat.postMessage answers there
    std::string bot_token_refusal;                       // every bot-token method answers this error (a revoked token)
    std::vector<Ack> acks;
    std::vector<std::string> unexpected;
    std::vector<Post> posts;
    int users_info = 0;
    int auth_tests = 0;
    int bad_tokens = 0;
    bool keep_ack_payloads = true;

    void notify() { changed.notify_all(); }

    std::optional<ServerResponse> route(const ServerRequest& request) {
        const std::string target(request.target());
        auto parsed = boost::urls::parse_origin_form(target);
        if (!parsed) return answer(http::status::bad_request, "bad target", "text/plain");
        const std::string path(parsed->path());
        std::lock_guard lock(mutex);
        if (path.starts_with("/respond/")) {
            posts.push_back(Post{path.substr(1), parse_object(request.body()), SteadyClock::now()});
            notify();
            if (refused_responses.first > 0) {
                --refused_responses.first;
                return answer(http::status::not_found, refused_responses.second, "text/plain");
            }
            return answer(http::status::ok, "ok", "text/plain");
        }
        if (!path.starts_with("/api/")) return answer(http::status::not_found, "no such page", "text/plain");
        const std::string method = path.substr(5);
        if (method == "auth.test") ++auth_tests;
        if (auto limit = rate_limits.find(method); limit != rate_limits.end() && limit->second.first > 0) {
            --limit->second.first;
            ServerResponse limited = slack_error("ratelimited");
            limited.result(http::status::too_many_requests);
            limited.set(http::field::retry_after, std::to_string(limit->second.second));
            return limited;
        }
        const std::string authorization(request[http::field::authorization]);
        const std::string& wanted = method == "apps.connections.open" ? options.app_token : options.bot_token;
        if (authorization != "Bearer " + wanted) {
            ++bad_tokens;
            notify();
            if (authorization.empty()) return slack_error("not_authed");
            // What Slack answers for a token of the wrong kind (a bot token where the app-level one belongs).
            const bool app_method = method == "apps.connections.open";
            if (authorization.starts_with(app_method ? "Bearer xoxb-" : "Bearer xapp-"))
                return slack_error("not_allowed_token_type");
            return slack_error("invalid_auth");
        }
        if (method != "apps.connections.open" && !bot_token_refusal.empty()) {
            notify();
            return slack_error(bot_token_refusal);
        }
        if (method == "auth.test") {
            notify();
            // The fields of Slack's documented answer for a bot token.
            json::object body{{"ok", true},         {"url", "https://emulated.slack.com/"},
                              {"team", "Emulated"}, {"user", "collab-bot"},
                              {"team_id", "T111"},  {"user_id", "UBOT111"},
                              {"bot_id", "B111"},   {"is_enterprise_install", false}};
            return answer(http::status::ok, json::serialize(body));
        }
        if (method == "apps.connections.open") {
            if (!open_failures.empty()) {
                std::string error = std::move(open_failures.front());
                open_failures.pop_front();
                return slack_error(error);
            }
            ++urls;
            notify();
            const std::string url = ws_url + "/link/?ticket=" + std::to_string(urls) + "&app_id=" + options.app_id;
            return answer(http::status::ok, json::serialize(json::object{{"ok", true}, {"url", url}}));
        }
        if (method == "users.info") {
            ++users_info;
            notify();
            if (!users_info_error.empty()) return slack_error(users_info_error);
            // Arguments come in the query string or, as the SDKs send them, in a form-encoded body.
            std::string user;
            for (auto param : parsed->params())
                if (param.key == "user") user = std::string(param.value);
            if (auto form = boost::urls::parse_query(request.body()); form && user.empty())
                for (auto param : *form)
                    if (param.key == "user") user = param.value.decode();
            auto found = options.emails.find(user);
            if (found == options.emails.end()) return slack_error("user_not_found");
            json::object profile{{"real_name", "Emulated " + user}};
            if (!found->second.empty()) profile["email"] = found->second;
            json::object body{{"ok", true}, {"user", json::object{{"id", user}, {"profile", profile}}}};
            return answer(http::status::ok, json::serialize(body));
        }
        if (method == "conversations.open") {
            // As Slack: the direct-message conversation with one user, "D" and the user's id.
            json::object body = parse_object(request.body());
            posts.push_back(Post{method, body, SteadyClock::now()});
            notify();
            const json::value* users = body.if_contains("users");
            if (!users || !users->is_string() || users->get_string().empty())
                return slack_error("users_list_not_supplied");
            json::object channel{{"id", "D" + std::string(users->get_string())}};
            return answer(http::status::ok, json::serialize(json::object{{"ok", true}, {"channel", channel}}));
        }
        if (method == "chat.postMessage" || method == "chat.postEphemeral") {
            json::object body = parse_object(request.body());
            if (const json::value* channel = body.if_contains("channel"); channel && channel->is_string()) {
                auto closed = closed_channels.find(std::string(channel->get_string()));
                if (closed != closed_channels.end()) return slack_error(closed->second);
            }
            posts.push_back(Post{method, body, SteadyClock::now()});
            notify();
            if (!body.contains("channel")) return slack_error("channel_not_found");
            if (method == "chat.postEphemeral" && !body.contains("user")) return slack_error("user_not_found");
            // Slack's ts are "<seconds>.<microseconds>"; a thread is named by its first message's.
            if (const auto* thread = body.if_contains("thread_ts");
                thread && (!thread->is_string() || thread->as_string().find('.') == json::string::npos))
                return slack_error("invalid_thread_ts");
            json::object ok{{"ok", true}, {"channel", body.at("channel")}, {"ts", "1700000000.000100"}};
            if (method == "chat.postEphemeral") ok = {{"ok", true}, {"message_ts", "1700000000.000200"}};
            return answer(http::status::ok, json::serialize(ok));
        }
        return slack_error("unknown_method");
    }

    // Writes what the test queued, until the socket ends.
    static asio::awaitable<void> write_loop(std::shared_ptr<State> state, std::shared_ptr<Socket> socket) {
        for (;;) {
            std::optional<Socket::Queued> next;
            {
                std::lock_guard lock(state->mutex);
                if (!socket->open) co_return;
                if (!socket->outbox.empty()) {
                    next = std::move(socket->outbox.front());
                    socket->outbox.pop_front();
                }
            }
            if (!next) {
                socket->wake->expires_at(asio::steady_timer::time_point::max());
                co_await socket->wake->async_wait(asio::as_tuple(asio::use_awaitable));
                continue;
            }
            const json::object frame = parse_object(next->frame);
            if (const auto* id = frame.if_contains("envelope_id"); id && id->is_string()) {
                const bool watched = state->options.max_retries > 0;
                {
                    std::lock_guard lock(state->mutex);
                    socket->sent[std::string(id->as_string())] = {next->at, SteadyClock::now()};
                    if (watched) socket->unacked[std::string(id->as_string())] = next->frame;
                }
                if (watched)
                    asio::co_spawn(socket->executor,
                                   watch_deadline(state, socket, std::string(id->as_string()), next->frame),
                                   asio::detached);
            }
            if (!co_await socket->session->write(std::move(next->frame))) co_return;
        }
    }

    // Slack's side of the acknowledgement deadline: a delivery still unacknowledged then is given up
    // on, and the envelope delivered again.
    static asio::awaitable<void> watch_deadline(std::shared_ptr<State> state, std::shared_ptr<Socket> socket,
                                                std::string id, std::string frame) {
        asio::steady_timer wait(socket->executor, state->options.ack_deadline + state->options.retry_delay);
        co_await wait.async_wait(asio::as_tuple(asio::use_awaitable));
        {
            std::lock_guard lock(state->mutex);
            auto unacked = socket->unacked.find(id);
            // Acknowledged, or delivered on this socket again since (that delivery has a deadline of its own).
            if (unacked == socket->unacked.end() || unacked->second != frame) co_return;
            socket->unacked.erase(unacked);
        }
        state->redeliver(frame, socket->number);
    }

    static asio::awaitable<void> serve(std::shared_ptr<State> state, WsServerSession& session) {
        auto socket = std::make_shared<Socket>();
        socket->executor = co_await asio::this_coro::executor;
        socket->session = &session;
        socket->wake = std::make_unique<asio::steady_timer>(socket->executor);
        std::string refusal;
        {
            std::lock_guard lock(state->mutex);
            if (session.target.find("ticket=") == std::string::npos) co_return;
            int open = 0;
            for (const auto& other : state->sockets) open += other->open && !other->silent ? 1 : 0;
            refusal = open >= state->options.max_sockets ? "too_many_websockets" : state->refusal;
        }
        if (!refusal.empty()) {
            json::object frame{{"type", "disconnect"},
                               {"reason", refusal},
                               {"debug_info", json::object{{"host", "applink-emulated"}}}};
            co_await session.write(json::serialize(frame));
            co_await session.close(1000, "");
            co_return;
        }
        {
            std::lock_guard lock(state->mutex);
            socket->number = static_cast<int>(state->sockets.size());
            state->sockets.push_back(socket);
            const auto now = SteadyClock::now();
            for (auto& orphan : state->orphans) socket->outbox.push_back({std::move(orphan), now});
            state->orphans.clear();
        }
        std::chrono::milliseconds hello_delay;
        {
            std::lock_guard lock(state->mutex);
            hello_delay = state->hello_delay;
        }
        if (hello_delay > std::chrono::milliseconds{0}) {
            asio::steady_timer wait(socket->executor, hello_delay);
            co_await wait.async_wait(asio::as_tuple(asio::use_awaitable));
        }
        json::object hello{
            {"type", "hello"},
            {"num_connections", 1},
            {"debug_info", json::object{{"host", "applink-emulated"}, {"approximate_connection_time", 18060}}},
            {"connection_info", json::object{{"app_id", state->options.app_id}}}};
        if (!co_await session.write(json::serialize(hello))) co_return;
        {
            std::lock_guard lock(state->mutex);
            socket->hello_at = SteadyClock::now();
        }
        state->notify();
        // The writer runs beside this reader; both end with the socket.
        auto writer_done =
            std::make_shared<asio::steady_timer>(socket->executor, asio::steady_timer::time_point::max());
        auto writer = [state, socket, writer_done]() -> asio::awaitable<void> {
            co_await write_loop(state, socket);
            writer_done->cancel();
        };
        asio::co_spawn(socket->executor, std::move(writer), asio::detached);
        for (;;) {
            auto text = co_await session.read();
            if (!text) break;
            const auto now = SteadyClock::now();
            json::object frame = parse_object(*text);
            std::lock_guard lock(state->mutex);
            const auto* id = frame.if_contains("envelope_id");
            if (!id || !id->is_string() || frame.size() > 2) {
                state->unexpected.push_back(*text);
                continue;
            }
            Ack ack;
            ack.envelope_id = std::string(id->as_string());
            ack.socket = socket->number;
            if (auto unacked = socket->unacked.find(ack.envelope_id); unacked != socket->unacked.end()) {
                const json::object delivered = parse_object(unacked->second);
                const auto* attempt = delivered.if_contains("retry_attempt");
                ack.retry_attempt = attempt && attempt->is_int64() ? static_cast<int>(attempt->as_int64()) : 0;
            }
            if (auto* payload = frame.if_contains("payload"); payload && payload->is_object()) {
                ack.carried_payload = true;
                if (state->keep_ack_payloads) ack.payload = payload->as_object();
            }
            socket->unacked.erase(ack.envelope_id);
            if (auto sent = socket->sent.find(ack.envelope_id); sent != socket->sent.end()) {
                ack.sent = sent->second.written;
                ack.latency = std::chrono::duration_cast<std::chrono::microseconds>(now - sent->second.written);
                ack.queued =
                    std::chrono::duration_cast<std::chrono::microseconds>(sent->second.written - sent->second.queued);
                socket->sent.erase(sent);
            }
            state->acks.push_back(std::move(ack));
            state->notify();
            if (socket->silent) break;
        }
        if (socket->silent) {
            {
                std::lock_guard lock(state->mutex);
                socket->open = false;
            }
            state->notify();
            co_await session.stay_silent(std::chrono::hours{1});
        }
        {
            // What it never acknowledged is delivered again at its deadline (watch_deadline).
            std::lock_guard lock(state->mutex);
            socket->open = false;
            socket->closed_at = SteadyClock::now();
        }
        state->notify();
        socket->wake->cancel();
        co_await writer_done->async_wait(asio::as_tuple(asio::use_awaitable));
        socket->session = nullptr;
    }

    // Queues a frame on an open socket (this one, or the next in turn); the socket's number, or -1.
    int enqueue(std::string frame, std::optional<int> number) {
        std::shared_ptr<Socket> socket;
        {
            std::lock_guard lock(mutex);
            if (number) {
                socket = socket_at(*number);
                if (socket && !socket->open) socket.reset();
            } else {
                const int count = static_cast<int>(sockets.size());
                for (int tried = 0; tried < count && !socket; ++tried) {
                    auto candidate = sockets[next_turn++ % count];
                    if (candidate->open && !candidate->silent) socket = candidate;
                }
            }
            if (!socket) return -1;
            socket->outbox.push_back({std::move(frame), SteadyClock::now()});
        }
        asio::post(socket->executor, [socket] { socket->wake->cancel(); });
        return socket->number;
    }

    // What Slack does with an envelope not acknowledged in time: delivers it again, marked as a retry,
    // on another socket than the one that let it time out when there is one (or the next to open).
    void redeliver(const std::string& text, int timed_out_on) {
        json::object frame = parse_object(text);
        const auto* attempt = frame.if_contains("retry_attempt");
        const std::int64_t next = (attempt && attempt->is_int64() ? attempt->as_int64() : 0) + 1;
        if (next > options.max_retries) return;
        frame["retry_attempt"] = next;
        frame["retry_reason"] = "timeout";
        std::string again = json::serialize(frame);
        std::optional<int> elsewhere;
        {
            std::lock_guard lock(mutex);
            const int count = static_cast<int>(sockets.size());
            for (int tried = 0; tried < count && !elsewhere; ++tried) {
                const auto& candidate = sockets[next_turn++ % count];
                if (candidate->open && !candidate->silent && candidate->number != timed_out_on)
                    elsewhere = candidate->number;
            }
        }
        if (enqueue(again, elsewhere) >= 0 || enqueue(again, std::nullopt) >= 0) return;
        std::lock_guard lock(mutex);
        orphans.push_back(std::move(again));
    }

    std::shared_ptr<Socket> socket_at(int number) {
        if (number < 0 || number >= static_cast<int>(sockets.size())) return nullptr;
        return sockets[number];
    }
};

struct SlackEmulator::Servers {
    Servers(std::shared_ptr<State> state)
        : http(
              net::test::HttpServerOptions{[state](const ServerRequest& request, int) { return state->route(request); },
                                           std::nullopt, std::chrono::seconds{30}}),
          ws([state](WsServerSession& session) { return State::serve(state, session); }) {}
    net::test::LoopbackServer http;
    net::test::WebSocketServer ws;
};

SlackEmulator::SlackEmulator(EmulatorOptions options) : state_(std::make_shared<State>()) {
    state_->options = std::move(options);
    servers_ = std::make_unique<Servers>(state_);
    std::lock_guard lock(state_->mutex);
    state_->ws_url = servers_->ws.url("");
}

SlackEmulator::~SlackEmulator() {
    // The sockets' wake timers belong to the websocket server's io_context, but the sockets live in
    // the state, which outlives it: with the server's thread stopped, the timers go first, then the
    // io_context (destroying the suspended sessions), then the state.
    servers_->ws.stop();
    {
        std::lock_guard lock(state_->mutex);
        for (const auto& socket : state_->sockets) socket->wake.reset();
    }
    servers_.reset();
}

std::string SlackEmulator::api_url() const {
    return servers_->http.url("/api/");
}

std::string SlackEmulator::response_url(std::string_view key) const {
    return servers_->http.url("/respond/" + std::string(key));
}

int SlackEmulator::sockets_open() const {
    return static_cast<int>(open_sockets().size());
}

std::vector<int> SlackEmulator::open_sockets() const {
    std::lock_guard lock(state_->mutex);
    std::vector<int> open;
    for (const auto& socket : state_->sockets)
        if (socket->open) open.push_back(socket->number);
    return open;
}

int SlackEmulator::sockets_ever() const {
    std::lock_guard lock(state_->mutex);
    return static_cast<int>(state_->sockets.size());
}

bool SlackEmulator::wait_for_open_sockets(int count, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(state_->mutex);
    return state_->changed.wait_for(lock, timeout, [&] {
        int open = 0;
        for (const auto& socket : state_->sockets) open += socket->open ? 1 : 0;
        return open == count;
    });
}

std::optional<SlackEmulator::SocketLife> SlackEmulator::socket_life(int number) const {
    std::lock_guard lock(state_->mutex);
    auto socket = state_->socket_at(number);
    if (!socket) return std::nullopt;
    return SocketLife{socket->hello_at, socket->closed_at};
}

int SlackEmulator::urls_handed_out() const {
    std::lock_guard lock(state_->mutex);
    return state_->urls;
}

int SlackEmulator::deliver(std::string frame, std::optional<int> number) {
    return state_->enqueue(std::move(frame), number);
}

void SlackEmulator::disconnect(int socket, std::string_view reason) {
    json::object frame{
        {"type", "disconnect"}, {"reason", reason}, {"debug_info", json::object{{"host", "applink-emulated"}}}};
    deliver(json::serialize(frame), socket);
}

void SlackEmulator::drop(int number) {
    std::shared_ptr<Socket> socket;
    {
        std::lock_guard lock(state_->mutex);
        socket = state_->socket_at(number);
    }
    if (!socket) return;
    asio::post(socket->executor, [socket] {
        if (socket->session) socket->session->abort();
    });
}

void SlackEmulator::go_silent(int number) {
    // The session stops reading after the acknowledgement of this last envelope: from then on the
    // bot's pings go unanswered and nothing arrives, as on a link that died without a word.
    {
        std::lock_guard lock(state_->mutex);
        auto socket = state_->socket_at(number);
        if (!socket) return;
        socket->silent = true;
    }
    deliver(fixture("py-sdk_events_api_message.json"), number);
}

void SlackEmulator::ping(int number, std::string payload) {
    std::shared_ptr<Socket> socket;
    {
        std::lock_guard lock(state_->mutex);
        socket = state_->socket_at(number);
    }
    if (!socket) return;
    asio::post(socket->executor, [socket, payload = std::move(payload)] {
        if (socket->session) asio::co_spawn(socket->executor, socket->session->ping(payload), asio::detached);
    });
}

std::vector<std::string> SlackEmulator::pongs(int number) const {
    std::shared_ptr<Socket> socket;
    {
        std::lock_guard lock(state_->mutex);
        socket = state_->socket_at(number);
    }
    if (!socket) return {};
    std::promise<std::vector<std::string>> copy;
    auto result = copy.get_future();
    asio::post(socket->executor, [socket, &copy] {
        copy.set_value(socket->session ? socket->session->pongs : std::vector<std::string>{});
    });
    return result.get();
}

std::vector<Ack> SlackEmulator::acks() const {
    std::lock_guard lock(state_->mutex);
    return state_->acks;
}

std::optional<Ack> SlackEmulator::wait_for_ack(std::string_view envelope_id, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(state_->mutex);
    std::optional<Ack> found;
    state_->changed.wait_for(lock, timeout, [&] {
        for (const auto& ack : state_->acks)
            if (ack.envelope_id == envelope_id) found = ack;
        return found.has_value();
    });
    return found;
}

int SlackEmulator::acks_for(std::string_view envelope_id) const {
    std::lock_guard lock(state_->mutex);
    int count = 0;
    for (const auto& ack : state_->acks) count += ack.envelope_id == envelope_id ? 1 : 0;
    return count;
}

std::size_t SlackEmulator::ack_count() const {
    std::lock_guard lock(state_->mutex);
    return state_->acks.size();
}

bool SlackEmulator::wait_for_ack_count(std::size_t count, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(state_->mutex);
    return state_->changed.wait_for(lock, timeout, [&] { return state_->acks.size() >= count; });
}

std::vector<std::string> SlackEmulator::unexpected_frames() const {
    std::lock_guard lock(state_->mutex);
    return state_->unexpected;
}

std::vector<Post> SlackEmulator::posts(std::string_view prefix) const {
    std::lock_guard lock(state_->mutex);
    std::vector<Post> matching;
    for (const auto& post : state_->posts)
        if (post.target.starts_with(prefix)) matching.push_back(post);
    return matching;
}

bool SlackEmulator::wait_for_posts(std::string_view prefix, std::size_t count,
                                   std::chrono::milliseconds timeout) const {
    std::unique_lock lock(state_->mutex);
    return state_->changed.wait_for(lock, timeout, [&] {
        std::size_t matching = 0;
        for (const auto& post : state_->posts) matching += post.target.starts_with(prefix) ? 1 : 0;
        return matching >= count;
    });
}

int SlackEmulator::users_info_calls() const {
    std::lock_guard lock(state_->mutex);
    return state_->users_info;
}

int SlackEmulator::auth_test_calls() const {
    std::lock_guard lock(state_->mutex);
    return state_->auth_tests;
}

void SlackEmulator::refuse_bot_token(std::string error) {
    std::lock_guard lock(state_->mutex);
    state_->bot_token_refusal = std::move(error);
}

int SlackEmulator::requests_with_bad_token() const {
    std::lock_guard lock(state_->mutex);
    return state_->bad_tokens;
}

void SlackEmulator::fail_connections_open(std::string error, int times) {
    std::lock_guard lock(state_->mutex);
    for (int i = 0; i < times; ++i) state_->open_failures.push_back(error);
}

void SlackEmulator::close_channel(std::string channel, std::string error) {
    std::lock_guard lock(state_->mutex);
    state_->closed_channels[std::move(channel)] = std::move(error);
}

void SlackEmulator::refuse_users_info(std::string error) {
    std::lock_guard lock(state_->mutex);
    state_->users_info_error = std::move(error);
}

void SlackEmulator::refuse_new_sockets(std::string reason) {
    std::lock_guard lock(state_->mutex);
    state_->refusal = std::move(reason);
}

void SlackEmulator::delay_hello(std::chrono::milliseconds delay) {
    std::lock_guard lock(state_->mutex);
    state_->hello_delay = delay;
}

void SlackEmulator::keep_ack_payloads(bool keep) {
    std::lock_guard lock(state_->mutex);
    state_->keep_ack_payloads = keep;
}

void SlackEmulator::rate_limit(std::string method, int times, int retry_after_seconds) {
    std::lock_guard lock(state_->mutex);
    state_->rate_limits[std::move(method)] = {times, retry_after_seconds};
}

void SlackEmulator::refuse_response_urls(std::string answer_text, int times) {
    std::lock_guard lock(state_->mutex);
    state_->refused_responses = {times, std::move(answer_text)};
}

std::string button_value(const json::object& message, std::string_view action_id) {
    const auto* blocks = message.if_contains("blocks");
    if (!blocks || !blocks->is_array()) return "";
    for (const auto& block : blocks->as_array()) {
        const auto* elements = block.as_object().if_contains("elements");
        if (!elements || !elements->is_array()) continue;
        for (const auto& element : elements->as_array()) {
            const auto& object = element.as_object();
            if (object.contains("action_id") && object.at("action_id").as_string() == action_id)
                return std::string(object.at("value").as_string());
        }
    }
    return "";
}

std::string fixture(std::string_view name) {
    const std::string path = std::string(COLLAB_FIXTURES_DIR) + "/slack/" + std::string(name);
    std::ifstream in(path);
    if (!in) throw std::runtime_error("missing fixture " + path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string slash_command_envelope(const SlashCommandFields& fields) {
    json::object envelope = parse_object(fixture("node-socket-mode_slash_commands.json"));
    envelope["envelope_id"] = fields.envelope_id;
    json::object& payload = envelope["payload"].as_object();
    payload["text"] = fields.text;
    payload["user_id"] = fields.user_id;
    payload["channel_id"] = fields.channel_id;
    payload["team_id"] = fields.team_id;
    payload["command"] = "/collab";
    payload["response_url"] = fields.response_url;
    if (fields.retry_attempt > 0) {
        envelope["retry_attempt"] = fields.retry_attempt;
        envelope["retry_reason"] = "timeout";
    }
    return json::serialize(envelope);
}

std::string button_click_envelope(const ButtonClickFields& fields) {
    json::object payload = parse_object(fixture("bolt-python_block_actions_button_payload.json"));
    payload["user"].as_object()["id"] = fields.user_id;
    payload["team"].as_object()["id"] = fields.team_id;
    payload["channel"].as_object()["id"] = fields.channel_id;
    payload["container"].as_object()["channel_id"] = fields.channel_id;
    payload["response_url"] = fields.response_url;
    json::object& action = payload["actions"].as_array()[0].as_object();
    action["action_id"] = fields.action_id;
    action["value"] = fields.value;
    json::object envelope{{"envelope_id", fields.envelope_id},
                          {"payload", payload},
                          {"type", "interactive"},
                          {"accepts_response_payload", false}};
    return json::serialize(envelope);
}

std::string message_event_payload(const MessageEventFields& fields) {
    const bool mention = fields.type == "app_mention";
    json::object payload =
        parse_object(fixture(mention ? "py-sdk_events_api_app_mention.json" : "py-sdk_events_api_message.json"))
            .at("payload")
            .as_object();
    payload["team_id"] = fields.team_id;
    payload["event_id"] = fields.event_id;
    json::object& event = payload["event"].as_object();
    event["type"] = fields.type;
    event["text"] = fields.text;
    event["user"] = fields.user_id;
    event["channel"] = fields.channel_id;
    event["team"] = fields.team_id;
    event["ts"] = fields.ts;
    event["event_ts"] = fields.ts;
    event.erase("blocks");  // they would show the fixture's text, not this one
    event.erase("channel_type");
    if (!fields.channel_type.empty()) event["channel_type"] = fields.channel_type;
    if (!fields.thread_ts.empty()) event["thread_ts"] = fields.thread_ts;
    if (!fields.subtype.empty()) event["subtype"] = fields.subtype;
    if (!fields.bot_id.empty()) {
        event.erase("client_msg_id");
        event["bot_id"] = fields.bot_id;
    }
    return json::serialize(payload);
}

std::string message_event_envelope(const MessageEventFields& fields) {
    json::object envelope = parse_object(fixture("node-socket-mode_events_api_app_mention_retry2.json"));
    envelope["envelope_id"] = fields.envelope_id;
    envelope["payload"] = parse_object(message_event_payload(fields));
    envelope["retry_attempt"] = fields.retry_attempt;
    envelope["retry_reason"] = fields.retry_attempt > 0 ? "timeout" : "";
    return json::serialize(envelope);
}

}  // namespace collab::slack::test
