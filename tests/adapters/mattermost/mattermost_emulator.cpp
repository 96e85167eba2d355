#include "mattermost_emulator.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <deque>
#include <regex>
#include <set>
#include <thread>

#include "adapters/chat/markdown_reply.hpp"
#include "adapters/net/form.hpp"
#include "adapters/net/http_client.hpp"
#include "fixtures.hpp"
#include "run_coroutine.hpp"
#include "slack/fixtures.hpp"
#include "websocket_server.hpp"

namespace collab::mattermost::testing {
namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

constexpr std::size_t max_runes = 16383;      // model.PostMessageMaxRunesV2
constexpr int response_url_uses_allowed = 5;  // CommandWebhook().TryUse(hook, 5)

std::string string_member(const json::object& object, std::string_view name) {
    const json::value* value = object.if_contains(name);
    return value != nullptr && value->is_string() ? std::string(value->get_string()) : std::string();
}

net::test::ServerResponse json_response(http::status status, const json::object& body) {
    net::test::ServerResponse response{status, 11};
    response.set(http::field::content_type, "application/json");
    response.body() = json::serialize(body);
    return response;
}

// model.AppError as the API writes it.
net::test::ServerResponse app_error(http::status status, std::string id, std::string message) {
    return json_response(status, json::object{{"id", std::move(id)},
                                              {"message", std::move(message)},
                                              {"request_id", "emulated-request"},
                                              {"status_code", static_cast<int>(status)}});
}

json::object fixture_object(const std::string& name) {
    return json::parse(fixture(name)).as_object();
}

// A query parameter of a request target; empty when absent.
std::string query_value(std::string_view target, std::string_view name) {
    const auto query = target.find('?');
    if (query == std::string_view::npos) return {};
    std::string_view rest = target.substr(query + 1);
    while (!rest.empty()) {
        const std::string_view pair = rest.substr(0, rest.find('&'));
        if (pair.starts_with(name) && pair.size() > name.size() && pair[name.size()] == '=')
            return std::string(pair.substr(name.size() + 1));
        rest.remove_prefix(std::min(rest.size(), pair.size() + 1));
    }
    return {};
}

Exchange send(http::verb method, const std::string& url, std::vector<std::pair<std::string, std::string>> headers,
              std::string body) {
    auto sent = collab::testing::run([&]() -> asio::awaitable<std::expected<net::HttpResponse, net::NetError>> {
        const auto executor = co_await asio::this_coro::executor;
        net::HttpClient client(executor, net::HttpClientOptions{});
        net::HttpRequest request{method, url, headers, body};
        co_return co_await client.send(std::move(request));
    }());
    if (!sent) return Exchange{0, sent.error().message, std::nullopt};
    Exchange exchange{sent->status, sent->body, std::nullopt};
    boost::system::error_code error;
    json::value parsed = json::parse(sent->body, error);
    if (!error && parsed.is_object() && sent->header("Content-Type").value_or("").starts_with("application/json"))
        exchange.answer = std::move(parsed.as_object());
    return exchange;
}

}  // namespace

struct MattermostEmulator::State {
    EmulatorSettings settings;
    mutable std::mutex mutex;
    std::vector<Post> posts;
    std::vector<Ephemeral> ephemerals;
    std::vector<std::string> violations;
    // response_url hooks: id -> who typed the command, where, and how often it was used.
    struct Hook {
        std::string user_id;
        std::string channel_id;
        int uses = 0;
    };
    std::map<std::string, Hook> hooks;
    int next_id = 0;
    int response_url_uses = 0;
    int sign_ins = 0;  // GET /users/me with the bot token
    std::chrono::milliseconds users_delay{0};
    int users_asked = 0;  // GET /users/{id}, counted as they arrive
    int rate_limited = 0;
    std::set<std::string> refused_channels;  // where the bot lacks create_post
    // Direct channels by their name ("<id>__<id>", the ids sorted: model.GetDMNameFromIds) -> channel id.
    std::map<std::string, std::string> direct_channels;

    // A websocket connection, as the server's hub knows it: its events, numbered, kept for a resume.
    struct Connection {
        std::int64_t next_seq = 0;
        std::vector<std::pair<std::int64_t, std::string>> events;
    };
    // One open websocket, served on the server's thread.
    struct Socket {
        std::string connection_id;  // empty until authenticated
        std::deque<std::string> outgoing;
        std::shared_ptr<asio::steady_timer> wake;
        bool closed = false;
        bool drop = false;
    };
    std::map<std::string, Connection> connections;
    // Each owned by its session alone: none outlives the server's io_context.
    std::vector<std::weak_ptr<Socket>> sockets;

    // The sockets still open.
    std::vector<std::shared_ptr<Socket>> open_sockets() {
        std::erase_if(sockets, [](const auto& socket) { return socket.expired(); });
        std::vector<std::shared_ptr<Socket>> open;
        for (const auto& weak : sockets)
            if (auto socket = weak.lock(); socket && !socket->closed) open.push_back(std::move(socket));
        return open;
    }
    int websockets_opened = 0;
    int websocket_resumes = 0;

    std::string new_id() { return "id" + std::to_string(++next_id); }

    void wake(const std::shared_ptr<Socket>& socket) {
        asio::post(socket->wake->get_executor(), [wake = socket->wake] { wake->cancel(); });
    }

    // Numbers an event on a connection, keeps it, and sends it if the connection has an open socket.
    void send_event(const std::string& connection_id, json::object event) {
        Connection& connection = connections[connection_id];
        const std::int64_t seq = connection.next_seq++;
        event["seq"] = seq;
        connection.events.emplace_back(seq, json::serialize(event));
        for (const auto& socket : open_sockets())
            if (socket->connection_id == connection_id) {
                socket->outgoing.push_back(connection.events.back().second);
                wake(socket);
            }
    }

    // A post sent to every connection (a bot account is a member of the channels it is in).
    void broadcast_post(const Post& post, const std::string& channel_type, const std::string& sender) {
        json::object event = fixture_object("thirdparty_mattermost_ws_posted_event.json");
        json::object& data = event["data"].as_object();
        json::object body = json::parse(data["post"].as_string()).as_object();
        body["id"] = post.id;
        body["user_id"] = post.user_id;
        body["channel_id"] = post.channel_id;
        body["root_id"] = post.root_id;
        body["message"] = post.message;
        body["props"] = post.props;
        data["post"] = json::serialize(body);
        data["channel_type"] = channel_type;
        data["sender_name"] = "@" + sender;
        data["team_id"] = channel_type == "D" ? "" : settings.team_id;
        event["broadcast"].as_object()["channel_id"] = post.channel_id;
        for (const auto& [id, connection] : connections) send_event(id, event);
    }

    // Authenticated: resumed when it names a connection the server holds and the upgrade carried the
    // token (api4/websocket.go), a new connection otherwise; then hello.
    void authenticate(const std::shared_ptr<Socket>& socket, const std::string& wanted, const std::string& seq,
                      bool at_upgrade) {
        auto held = connections.find(wanted);
        if (at_upgrade && held != connections.end() && !seq.empty()) {
            ++websocket_resumes;
            socket->connection_id = wanted;
            const std::int64_t from = std::stoll(seq);
            for (const auto& [number, text] : held->second.events)
                if (number >= from) socket->outgoing.push_back(text);
        } else {
            socket->connection_id = "conn" + new_id();
            connections[socket->connection_id];
        }
        json::object hello = fixture_object("mattermost_ws_hello_event.json");
        hello["data"].as_object()["connection_id"] = socket->connection_id;
        hello["broadcast"].as_object()["user_id"] = settings.bot_user_id;
        send_event(socket->connection_id, std::move(hello));
        wake(socket);
    }

    // What a connection sends: events as they come, until it closes or is dropped.
    asio::awaitable<void> write_events(net::test::WsServerSession& session, std::shared_ptr<Socket> socket) {
        for (;;) {
            std::deque<std::string> batch;
            bool drop = false;
            bool closed = false;
            {
                std::lock_guard lock(mutex);
                batch.swap(socket->outgoing);
                drop = socket->drop;
                closed = socket->closed;
            }
            // Waits only when nothing was pending: a wake posted while the last batch was being
            // written has already run, and waiting then would leave the new events unsent.
            if (batch.empty() && !drop && !closed) {
                socket->wake->expires_at(asio::steady_timer::time_point::max());
                co_await socket->wake->async_wait(asio::as_tuple(asio::use_awaitable));
                continue;
            }
            for (auto& text : batch)
                if (!closed && !co_await session.write(std::move(text))) closed = true;
            if (drop) session.abort();
            if (drop || closed) co_return;
        }
    }

    // platform/websocket_router.go: the challenge, the only action a bot sends.
    asio::awaitable<void> serve_websocket(net::test::WsServerSession& session) {
        auto socket = std::make_shared<Socket>();
        socket->wake = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor);
        const bool at_upgrade = session.authorization == "Bearer " + settings.bot_token;
        {
            std::lock_guard lock(mutex);
            ++websockets_opened;
            sockets.push_back(socket);
            if (at_upgrade)
                authenticate(socket, query_value(session.target, "connection_id"),
                             query_value(session.target, "sequence_number"), true);
        }
        bool writing = true;
        asio::steady_timer written(socket->wake->get_executor(), asio::steady_timer::time_point::max());
        auto writer = [&]() -> asio::awaitable<void> {
            co_await write_events(session, socket);
            writing = false;
            written.cancel();
        };
        asio::co_spawn(socket->wake->get_executor(), writer(), asio::detached);
        for (;;) {
            auto text = co_await session.read();
            if (!text) break;
            boost::system::error_code error;
            json::value frame = json::parse(*text, error);
            const json::object* request = error ? nullptr : frame.if_object();
            if (request == nullptr || string_member(*request, "action") != "authentication_challenge") continue;
            std::lock_guard lock(mutex);
            if (!socket->connection_id.empty()) continue;  // authenticated already: ignored
            const json::value* data = request->if_contains("data");
            const std::string token = data && data->is_object() ? string_member(data->as_object(), "token") : "";
            if (token != settings.bot_token) {
                socket->drop = true;  // conn.WebSocket.Close(): no reply, no close frame
                wake(socket);
                break;
            }
            authenticate(socket, {}, {}, false);
            json::object ok = fixture_object("mattermost_ws_ok_reply.json");
            ok["seq_reply"] = request->at("seq");
            socket->outgoing.push_back(json::serialize(ok));
        }
        {
            std::lock_guard lock(mutex);
            socket->closed = true;
            wake(socket);
        }
        while (writing) co_await written.async_wait(asio::as_tuple(asio::use_awaitable));
    }

    // What the server checks of a message before showing it; false when it refuses it.
    bool valid_message(const std::string& message, const json::object& props) {
        if (chat::code_points(message) > max_runes) {
            violations.push_back("a message longer than 16383 characters");
            return false;
        }
        const json::value* attachments = props.if_contains("attachments");
        if (attachments == nullptr || !attachments->is_array()) return true;
        static const std::regex routable("[A-Za-z0-9]+");
        for (const auto& attachment : attachments->as_array()) {
            const json::value* actions = attachment.as_object().if_contains("actions");
            if (actions == nullptr) continue;
            for (const auto& action : actions->as_array()) {
                const std::string id = string_member(action.as_object(), "id");
                if (!std::regex_match(id, routable))
                    violations.push_back("an action id the server cannot route: " + id);
            }
        }
        return true;
    }

    // HandleCommandResponsePost: an in_channel answer is a post by the person, an ephemeral one theirs alone.
    bool show(const json::object& response, const std::string& user_id, const std::string& channel_id) {
        const std::string type = string_member(response, "response_type");
        if (type != "" && type != "ephemeral" && type != "in_channel") {
            violations.push_back("an unknown response_type: " + type);
            return false;
        }
        const std::string text = string_member(response, "text");
        json::object props;
        if (const json::value* given = response.if_contains("props"); given && given->is_object())
            props = given->as_object();
        if (!valid_message(text, props)) return false;
        if (type == "in_channel")
            posts.push_back(Post{new_id(), channel_id, user_id, text, props});
        else if (!text.empty())
            ephemerals.push_back(Ephemeral{user_id, channel_id, text});
        return true;
    }

    std::optional<net::test::ServerResponse> handle(const net::test::ServerRequest& request) {
        const std::string target(request.target());
        std::unique_lock lock(mutex);
        if (target.starts_with("/hooks/commands/")) return hook(request, target.substr(16));
        if (!target.starts_with("/api/v4/"))
            return app_error(http::status::not_found, "api.context.404.app_error",
                             "Sorry, we could not find the page.");
        if (request[http::field::authorization] != "Bearer " + settings.bot_token)
            return app_error(http::status::unauthorized, "api.context.session_expired.app_error",
                             "Invalid or expired session, please login again.");
        if (rate_limited > 0) {
            --rate_limited;
            auto limited =
                app_error(http::status::too_many_requests, "api.context.rate_limit.app_error", "Too many requests.");
            limited.set("X-Ratelimit-Limit", "10");
            limited.set("X-Ratelimit-Remaining", "0");
            limited.set("X-Ratelimit-Reset", "1");
            limited.set("Retry-After", "1");
            return limited;
        }
        // "me" is the user the token belongs to (api4/user.go getUser, model.Me).
        if (request.method() == http::verb::get && target == "/api/v4/users/me") {
            ++sign_ins;
            return json_response(http::status::ok, json::object{{"id", settings.bot_user_id},
                                                                {"username", settings.bot_username},
                                                                {"email", ""},
                                                                {"is_bot", true},
                                                                {"roles", "system_user"}});
        }
        if (request.method() == http::verb::get && target.starts_with("/api/v4/users/")) {
            const auto delay = users_delay;
            ++users_asked;
            const std::string id = target.substr(14);
            const auto email = settings.emails.find(id);
            lock.unlock();
            std::this_thread::sleep_for(delay);
            if (email == settings.emails.end())
                return app_error(http::status::not_found, "app.user.missing_account.const", "Unable to find the user.");
            return json_response(http::status::ok,
                                 json::object{{"id", id}, {"username", "user-" + id}, {"email", email->second}});
        }
        if (request.method() == http::verb::get && target.starts_with("/api/v4/channels/")) {
            const std::string id = target.substr(17);
            const auto name = settings.channel_names.find(id);
            if (name == settings.channel_names.end())
                return app_error(http::status::not_found, "app.channel.get.existing.app_error",
                                 "Unable to find the existing channel.");
            return json_response(http::status::ok, json::object{{"id", id},
                                                                {"team_id", settings.team_id},
                                                                {"type", "O"},
                                                                {"name", name->second},
                                                                {"display_name", "Channel " + name->second}});
        }
        boost::system::error_code error;
        json::value body = json::parse(request.body(), error);
        if (request.method() == http::verb::post && target == "/api/v4/channels/direct")
            return open_direct(error ? nullptr : body.if_array());
        if (error || !body.is_object())
            return app_error(http::status::bad_request, "api.context.invalid_body_param.app_error", "Invalid body.");
        if (request.method() == http::verb::post && target == "/api/v4/posts") {
            const json::object& post = body.as_object();
            const std::string channel_id = string_member(post, "channel_id");
            // api4/post.go createPost: no create_post permission in the channel.
            if (refused_channels.contains(channel_id)) return permission_error();
            const std::string root_id = string_member(post, "root_id");
            if (!root_id.empty() && !is_post_of(root_id, channel_id)) {
                violations.push_back("a root_id that is no post of the channel: " + root_id);
                return app_error(http::status::bad_request, "api.post.create_post.channel_root_id.app_error",
                                 "Invalid ChannelId for RootId parameter.");
            }
            json::object props;
            if (const json::value* given = post.if_contains("props"); given && given->is_object())
                props = given->as_object();
            const std::string message = string_member(post, "message");
            if (!valid_message(message, props))
                return app_error(http::status::bad_request, "model.post.is_valid.message_length.app_error",
                                 "Too long.");
            posts.push_back(Post{new_id(), channel_id, settings.bot_user_id, message, props, root_id});
            // CreatePost marks a bot account's posts.
            Post sent = posts.back();
            sent.props["from_bot"] = "true";
            broadcast_post(sent, is_direct(channel_id) ? "D" : "O", settings.bot_username);
            return json_response(http::status::created, json::object{{"id", posts.back().id}});
        }
        if (request.method() == http::verb::post && target == "/api/v4/posts/ephemeral") {
            const json::object& wrapper = body.as_object();
            const json::object& post = wrapper.at("post").as_object();
            ephemerals.push_back(Ephemeral{string_member(wrapper, "user_id"), string_member(post, "channel_id"),
                                           string_member(post, "message"), string_member(post, "root_id")});
            return json_response(http::status::created, json::object{{"id", new_id()}});
        }
        return app_error(http::status::not_found, "api.context.404.app_error", "Sorry, we could not find the page.");
    }

    static net::test::ServerResponse permission_error() {
        return app_error(http::status::forbidden, "api.context.permissions.app_error",
                         "You do not have the appropriate permissions.");
    }

    bool is_post_of(const std::string& id, const std::string& channel_id) const {
        return std::any_of(posts.begin(), posts.end(),
                           [&](const Post& post) { return post.id == id && post.channel_id == channel_id; });
    }

    bool is_direct(const std::string& channel_id) const {
        return std::any_of(direct_channels.begin(), direct_channels.end(),
                           [&](const auto& entry) { return entry.second == channel_id; });
    }

    // api4/channel.go createDirectChannel: two user ids (model.IsValidId), the caller's among them.
    net::test::ServerResponse open_direct(const json::array* ids) {
        static const std::regex valid_id("[a-z0-9]{26}");
        std::vector<std::string> users;
        if (ids != nullptr)
            for (const auto& id : *ids)
                if (id.is_string()) users.emplace_back(id.get_string());
        if (ids == nullptr || ids->size() != 2 || users.size() != 2 ||
            !std::all_of(users.begin(), users.end(), [](const auto& id) { return std::regex_match(id, valid_id); })) {
            violations.push_back("a direct channel asked for something else than two user ids");
            return app_error(http::status::bad_request, "api.context.invalid_body_param.app_error",
                             "Invalid or missing user_ids in request body.");
        }
        if (users[0] != settings.bot_user_id && users[1] != settings.bot_user_id) return permission_error();
        std::sort(users.begin(), users.end());
        const std::string name = users[0] + "__" + users[1];
        auto [channel, made] = direct_channels.try_emplace(name);
        if (made) {
            channel->second = new_id();
            channel->second.insert(2, 26 - channel->second.size(), '0');  // 26 characters, as every id
        }
        return json_response(
            http::status::created,
            json::object{
                {"id", channel->second}, {"type", "D"}, {"name", name}, {"team_id", ""}, {"display_name", ""}});
    }

    // web/webhook.go commandWebhook -> HandleCommandWebhook.
    net::test::ServerResponse hook(const net::test::ServerRequest& request, const std::string& id) {
        auto found = hooks.find(id);
        if (found == hooks.end())
            return app_error(http::status::not_found, "app.command_webhook.get.missing", "Unable to get the webhook.");
        if (++found->second.uses > response_url_uses_allowed)
            return app_error(http::status::bad_request, "app.command_webhook.try_use.invalid", "Invalid webhook.");
        ++response_url_uses;
        boost::system::error_code error;
        json::value body = json::parse(request.body(), error);
        if (error || !body.is_object())
            return app_error(http::status::bad_request, "app.command_webhook.handle_command_webhook.parse",
                             "Unable to parse the response.");
        if (!show(body.as_object(), found->second.user_id, found->second.channel_id))
            return app_error(http::status::bad_request, "api.command.execute_command.create_post_failed.app_error",
                             "The command's response could not be posted.");
        net::test::ServerResponse ok{http::status::ok, 11};
        ok.set(http::field::content_type, "text/plain");
        ok.body() = "ok";
        return ok;
    }
};

MattermostEmulator::MattermostEmulator(EmulatorSettings settings) : state_(std::make_shared<State>()) {
    state_->settings = std::move(settings);
    server_ = std::make_unique<net::test::LoopbackServer>(net::test::HttpServerOptions{
        [state = state_](const net::test::ServerRequest& request, int) { return state->handle(request); },
        {},
        std::chrono::seconds{10},
        [state = state_](boost::beast::tcp_stream stream, net::test::ServerRequest request) -> asio::awaitable<void> {
            if (!request.target().starts_with("/api/v4/websocket")) co_return;
            net::test::WsHandler serve = [state](net::test::WsServerSession& session) {
                return state->serve_websocket(session);
            };
            co_await net::test::accept_upgrade(std::move(stream), std::move(request), std::move(serve));
        }});
}

std::string MattermostEmulator::url() const {
    return server_->url("");
}

std::string MattermostEmulator::command_form(const std::string& user_id, const std::string& channel_id,
                                             const std::string& text) {
    std::string hook_id;
    {
        std::lock_guard lock(state_->mutex);
        hook_id = state_->new_id();
        state_->hooks[hook_id] = State::Hook{user_id, channel_id, 0};
    }
    // DoCommandRequest's fields, encoded as url.Values.Encode does.
    return slack::testing::form({{"channel_id", channel_id},
                                 {"channel_name", "town-square"},
                                 {"command", "/collab"},
                                 {"response_url", server_->url("/hooks/commands/" + hook_id)},
                                 {"team_domain", "test"},
                                 {"team_id", state_->settings.team_id},
                                 {"text", text},
                                 {"token", state_->settings.command_token},
                                 {"trigger_id", "trigger-" + hook_id},
                                 {"user_id", user_id},
                                 {"user_name", "user-" + user_id}});
}

Exchange MattermostEmulator::post_command(const std::string& bot_url, const std::string& body,
                                          std::optional<std::string> authorization) {
    std::vector<std::pair<std::string, std::string>> headers{{"Accept", "application/json"},
                                                             {"Content-Type", "application/x-www-form-urlencoded"}};
    const std::string credential = authorization.value_or("Token " + state_->settings.command_token);
    if (!credential.empty()) headers.emplace_back("Authorization", credential);
    Exchange exchange = send(http::verb::post, bot_url + "/mattermost/command", std::move(headers), body);
    if (exchange.status != 200 || !exchange.answer) return exchange;
    const auto fields = net::form_fields(body);
    std::lock_guard lock(state_->mutex);
    state_->show(*exchange.answer, fields->at("user_id"), fields->at("channel_id"));
    return exchange;
}

Exchange MattermostEmulator::run_command(const std::string& bot_url, const std::string& user_id,
                                         const std::string& channel_id, const std::string& text,
                                         std::optional<std::string> authorization) {
    return post_command(bot_url, command_form(user_id, channel_id, text), std::move(authorization));
}

Exchange MattermostEmulator::click(const std::string& user_id, const std::string& post_id,
                                   const std::string& action_id) {
    auto form = click_form(user_id, post_id, action_id);
    if (!form) return form.error();
    return post_click(*form);
}

std::expected<ClickForm, Exchange> MattermostEmulator::click_form(const std::string& user_id,
                                                                  const std::string& post_id,
                                                                  const std::string& action_id) {
    std::lock_guard lock(state_->mutex);
    auto post =
        std::find_if(state_->posts.begin(), state_->posts.end(), [&](const Post& p) { return p.id == post_id; });
    if (post == state_->posts.end()) return std::unexpected(Exchange{404, "no such post", std::nullopt});
    const json::object* action = nullptr;
    if (const json::value* attachments = post->props.if_contains("attachments"))
        for (const auto& attachment : attachments->as_array())
            if (const json::value* actions = attachment.as_object().if_contains("actions"))
                for (const auto& candidate : actions->as_array())
                    if (string_member(candidate.as_object(), "id") == action_id) action = &candidate.as_object();
    // post.GetAction: no such action, no integration.
    if (action == nullptr)
        return std::unexpected(Exchange{404, "api.post.do_action.action_id.app_error", std::nullopt});
    const json::object& integration = action->at("integration").as_object();
    json::object request{{"user_id", user_id},
                         {"user_name", "user-" + user_id},
                         {"channel_id", post->channel_id},
                         {"channel_name", "town-square"},
                         {"team_id", state_->settings.team_id},
                         {"team_domain", "test"},
                         {"post_id", post_id},
                         {"trigger_id", "trigger-" + state_->new_id()},
                         {"type", string_member(*action, "type")},
                         {"data_source", ""}};
    if (const json::value* context = integration.if_contains("context")) request["context"] = *context;
    return ClickForm{string_member(integration, "url"), user_id, post_id, post->channel_id, json::serialize(request)};
}

Exchange MattermostEmulator::post_click(const ClickForm& form) {
    Exchange exchange = send(http::verb::post, form.url,
                             {{"Content-Type", "application/json"}, {"Accept", "application/json"}}, form.body);
    if (exchange.status != 200) return exchange;
    json::object response;
    if (!exchange.body.empty()) {
        if (!exchange.answer) return exchange;  // the server fails the click: not JSON
        response = *exchange.answer;
    }
    std::lock_guard lock(state_->mutex);
    if (const json::value* update = response.if_contains("update"); update && update->is_object()) {
        auto post = std::find_if(state_->posts.begin(), state_->posts.end(),
                                 [&](const Post& p) { return p.id == form.post_id; });
        const json::object& changed = update->as_object();
        json::object props = post->props;
        // Props given replace the post's; none keep them.
        if (const json::value* given = changed.if_contains("props"); given && given->is_object())
            props = given->as_object();
        const std::string message = string_member(changed, "message");
        if (state_->valid_message(message, props)) {
            post->message = message;
            post->props = props;
        }
    }
    if (std::string text = string_member(response, "ephemeral_text"); !text.empty()) {
        json::object none;
        if (state_->valid_message(text, none))
            state_->ephemerals.push_back(Ephemeral{form.user_id, form.channel_id, text});
    }
    return exchange;
}

std::vector<Post> MattermostEmulator::posts() const {
    std::lock_guard lock(state_->mutex);
    return state_->posts;
}

std::optional<Post> MattermostEmulator::post(const std::string& id) const {
    std::lock_guard lock(state_->mutex);
    for (const auto& post : state_->posts)
        if (post.id == id) return post;
    return std::nullopt;
}

std::vector<Ephemeral> MattermostEmulator::ephemerals(const std::string& user_id) const {
    std::lock_guard lock(state_->mutex);
    std::vector<Ephemeral> theirs;
    for (const auto& ephemeral : state_->ephemerals)
        if (ephemeral.user_id == user_id) theirs.push_back(ephemeral);
    return theirs;
}

std::vector<Ephemeral> MattermostEmulator::wait_for_ephemerals(const std::string& user_id, std::size_t count,
                                                               std::chrono::milliseconds limit) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        auto theirs = ephemerals(user_id);
        if (theirs.size() >= count || std::chrono::steady_clock::now() > deadline) return theirs;
        std::this_thread::sleep_for(std::chrono::milliseconds{5});
    }
}

std::vector<std::string> MattermostEmulator::violations() const {
    std::lock_guard lock(state_->mutex);
    return state_->violations;
}

int MattermostEmulator::sign_ins() const {
    std::lock_guard lock(state_->mutex);
    return state_->sign_ins;
}

int MattermostEmulator::response_url_uses() const {
    std::lock_guard lock(state_->mutex);
    return state_->response_url_uses;
}

std::string MattermostEmulator::say(const std::string& user_id, const Where& where, const std::string& message) {
    std::lock_guard lock(state_->mutex);
    Post post{state_->new_id(), where.channel_id, user_id, message, {}, where.root_id};
    state_->posts.push_back(post);
    state_->broadcast_post(post, where.channel_type, "user-" + user_id);
    return post.id;
}

void MattermostEmulator::drop_websockets() {
    std::lock_guard lock(state_->mutex);
    for (const auto& socket : state_->open_sockets()) {
        socket->drop = true;
        socket->closed = true;
        state_->wake(socket);
    }
}

void MattermostEmulator::send_raw_frame(const std::string& text) {
    std::lock_guard lock(state_->mutex);
    for (const auto& socket : state_->open_sockets()) {
        if (socket->connection_id.empty()) continue;
        socket->outgoing.push_back(text);
        state_->wake(socket);
    }
}

int MattermostEmulator::websockets_opened() const {
    std::lock_guard lock(state_->mutex);
    return state_->websockets_opened;
}

int MattermostEmulator::websockets_open() const {
    std::lock_guard lock(state_->mutex);
    const auto open = state_->open_sockets();
    return static_cast<int>(
        std::count_if(open.begin(), open.end(), [](const auto& socket) { return !socket->connection_id.empty(); }));
}

int MattermostEmulator::websocket_resumes() const {
    std::lock_guard lock(state_->mutex);
    return state_->websocket_resumes;
}

bool MattermostEmulator::wait_for_websockets(int count, std::chrono::milliseconds limit) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (websockets_open() < count) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds{5});
    }
    return true;
}

std::vector<Post> MattermostEmulator::wait_for_bot_posts(std::size_t count, std::chrono::milliseconds limit) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        std::vector<Post> theirs;
        for (const auto& post : posts())
            if (post.user_id == state_->settings.bot_user_id) theirs.push_back(post);
        if (theirs.size() >= count || std::chrono::steady_clock::now() > deadline) return theirs;
        std::this_thread::sleep_for(std::chrono::milliseconds{5});
    }
}

void MattermostEmulator::delay_users(std::chrono::milliseconds delay) {
    std::lock_guard lock(state_->mutex);
    state_->users_delay = delay;
}

int MattermostEmulator::users_asked() const {
    std::lock_guard lock(state_->mutex);
    return state_->users_asked;
}

bool MattermostEmulator::wait_for_users_asked(int count, std::chrono::milliseconds limit) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (users_asked() < count) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds{5});
    }
    return true;
}

void MattermostEmulator::rate_limit_next(int count) {
    std::lock_guard lock(state_->mutex);
    state_->rate_limited = count;
}

void MattermostEmulator::refuse_posts_in(const std::string& channel_id) {
    std::lock_guard lock(state_->mutex);
    state_->refused_channels.insert(channel_id);
}

std::optional<std::string> MattermostEmulator::direct_channel(const std::string& user_id) const {
    std::lock_guard lock(state_->mutex);
    const std::string& bot = state_->settings.bot_user_id;
    const std::string name = std::min(bot, user_id) + "__" + std::max(bot, user_id);
    const auto found = state_->direct_channels.find(name);
    if (found == state_->direct_channels.end()) return std::nullopt;
    return found->second;
}

}  // namespace collab::mattermost::testing
