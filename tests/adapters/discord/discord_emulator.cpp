#include "discord_emulator.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <cmath>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <regex>
#include <set>

#include "../run_coroutine.hpp"
#include "adapters/net/http_client.hpp"
#include "application_key.hpp"
#include "fixtures.hpp"
#include "loopback_server.hpp"
#include "websocket_server.hpp"

namespace collab::discord::test {
namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using SteadyClock = std::chrono::steady_clock;
using net::test::ServerRequest;
using net::test::ServerResponse;
using net::test::WsServerSession;

namespace {

constexpr std::size_t max_frame = 4096;
constexpr std::size_t max_content = 2000;
constexpr std::size_t max_custom_id = 100;

ServerResponse answer(http::status status, const json::value& body) {
    ServerResponse response{status, 11};
    response.set(http::field::content_type, "application/json");
    response.body() = json::serialize(body);
    response.prepare_payload();
    return response;
}

ServerResponse no_content() {
    ServerResponse response{http::status::no_content, 11};
    response.prepare_payload();
    return response;
}

ServerResponse discord_error(http::status status, int code, std::string_view message) {
    return answer(status, json::object{{"code", code}, {"message", message}});
}

json::value parse(std::string_view text) {
    boost::system::error_code error;
    json::value value = json::parse(text, error);
    return error ? json::value() : value;
}

std::size_t code_points(std::string_view utf8) {
    std::size_t count = 0;
    for (char c : utf8) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
    return count;
}

std::vector<std::string> split_path(std::string_view path) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= path.size()) {
        const auto end = path.find('/', start);
        parts.emplace_back(path.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return parts;
}

// What Discord checks in a message the bot sends; the problems found.
std::vector<std::string> message_problems(const json::object& message) {
    std::vector<std::string> problems;
    if (const auto* content = message.if_contains("content");
        content && content->is_string() && code_points(content->get_string()) > max_content)
        problems.push_back("content of " + std::to_string(code_points(content->get_string())) + " characters");
    const auto* mentions = message.if_contains("allowed_mentions");
    if (mentions == nullptr || !mentions->is_object() || mentions->get_object().if_contains("parse") == nullptr ||
        !mentions->get_object().at("parse").is_array() || !mentions->get_object().at("parse").get_array().empty())
        problems.push_back("a message without allowed_mentions {\"parse\": []}");
    else if (const auto* users = mentions->get_object().if_contains("users"); users && users->is_array())
        for (const auto& user : users->get_array()) {
            const auto* content = message.if_contains("content");
            const std::string pinged = user.is_string() ? "<@" + std::string(user.get_string()) + ">" : "";
            if (pinged.empty() || content == nullptr || !content->is_string() ||
                std::string_view(content->get_string()).find(pinged) == std::string_view::npos)
                problems.push_back("allowed_mentions pings someone the message does not mention");
        }
    if (const auto* rows = message.if_contains("components"); rows && rows->is_array()) {
        for (const auto& row : rows->get_array()) {
            const auto* buttons = row.is_object() ? row.get_object().if_contains("components") : nullptr;
            if (buttons == nullptr || !buttons->is_array()) continue;
            for (const auto& button : buttons->get_array()) {
                const auto* id = button.is_object() ? button.get_object().if_contains("custom_id") : nullptr;
                if (id && id->is_string() && id->get_string().size() > max_custom_id)
                    problems.push_back("a custom_id of " + std::to_string(id->get_string().size()) + " characters");
                const auto* label = button.is_object() ? button.get_object().if_contains("label") : nullptr;
                if (label == nullptr || !label->is_string() || label->get_string().empty())
                    problems.push_back("a button without a label");
            }
        }
    }
    return problems;
}

// What Discord checks in a command set of a bulk overwrite (docs: application-commands).
std::vector<std::string> command_problems(const json::value& body) {
    static const std::regex name(R"(^[-_'a-z0-9]{1,32}$)");
    std::vector<std::string> problems;
    const auto check_level = [&](const json::value& options, int depth, const auto& self) -> void {
        if (!options.is_array()) return;
        if (options.get_array().size() > 25) problems.push_back("more than 25 options at one level");
        for (const auto& option : options.get_array()) {
            const json::object* o = option.if_object();
            if (o == nullptr) continue;
            const auto* n = o->if_contains("name");
            if (n == nullptr || !n->is_string() || !std::regex_match(std::string(n->get_string()), name))
                problems.push_back("an option name Discord refuses");
            const auto* d = o->if_contains("description");
            if (d == nullptr || !d->is_string() || d->get_string().empty() || code_points(d->get_string()) > 100)
                problems.push_back("an option description not of 1 to 100 characters");
            const auto* choices = o->if_contains("choices");
            if (choices && choices->is_array() && choices->get_array().size() > 25)
                problems.push_back("more than 25 choices");
            if (const auto* autocomplete = o->if_contains("autocomplete");
                autocomplete && autocomplete->is_bool() && autocomplete->get_bool() && choices)
                problems.push_back("an option with both autocomplete and choices");
            if (const auto* nested = o->if_contains("options"); nested && depth < 3) self(*nested, depth + 1, self);
        }
    };
    if (!body.is_array()) return {"a command set that is not an array"};
    check_level(body, 0, check_level);
    return problems;
}

}  // namespace

// One gateway connection as the emulator's thread sees it.
struct Connection {
    int number = -1;
    asio::any_io_executor executor;
    WsServerSession* session = nullptr;  // valid while the session's handler runs
    struct Out {
        std::string text;                                   // a frame, unless one of the below
        std::optional<std::uint16_t> close = std::nullopt;  // a close frame with this code
        bool drop = false;
        std::string interaction_id = {};  // of the INTERACTION_CREATE this frame is
    };
    std::deque<Out> outbox;
    std::unique_ptr<asio::steady_timer> wake;
    bool open = true;
    bool identified = false;
    std::string session_id;
    int shard = 0;  // the Identify's [shard_id, num_shards]
    std::vector<std::int64_t> heartbeats;
    SteadyClock::time_point last_heartbeat;           // or the Hello, before the first one
    std::deque<SteadyClock::time_point> sent_by_bot;  // for the send limit
    std::optional<std::uint16_t> client_close;
    bool ended = false;
    std::string target;
};

struct Session {
    int shard = 0;
    bool live = true;  // ended by a close 1000 or 1001 of the bot's, or an invalid session (op 9 d:false)
    std::int64_t sequence = 0;
    std::vector<std::pair<std::int64_t, std::string>> dispatches;  // sequence -> frame
};

struct Interaction {
    std::string token;
    std::int64_t kind = 0;  // 1 PING, 2 a command, 3 a click, 4 an autocomplete
    SteadyClock::time_point dispatched;
    bool acknowledged = false;
    std::string message_id;                                         // a click's: the message its button is on
    std::optional<SteadyClock::time_point> written = std::nullopt;  // its gateway frame's first write
};

// An interaction as the emulator keeps it from what it dispatched or posted.
Interaction interaction_of(const json::object& interaction) {
    const auto text = [](const json::object& object, std::string_view key) {
        const auto* value = object.if_contains(key);
        return value && value->is_string() ? std::string(value->get_string()) : std::string();
    };
    const auto* type = interaction.if_contains("type");
    const auto* message = interaction.if_contains("message");
    return Interaction{text(interaction, "token"), type && type->is_int64() ? type->get_int64() : 0, SteadyClock::now(),
                       false, message && message->is_object() ? text(message->get_object(), "id") : std::string()};
}

namespace {

// What Discord checks in an interaction's callback, whichever way it comes (REST, or the response to
// the interactions endpoint's request): the problems found.
std::vector<std::string> callback_problems(const Interaction& interaction, const json::object& body) {
    const auto* type = body.if_contains("type");
    const std::int64_t kind = type && type->is_int64() ? type->get_int64() : 0;
    bool allowed = false;
    switch (interaction.kind) {
        case 1: allowed = kind == 1; break;
        case 3: allowed = kind == 4 || kind == 5 || kind == 6 || kind == 7; break;
        case 4: allowed = kind == 8; break;
        default: allowed = kind == 4 || kind == 5; break;
    }
    std::vector<std::string> problems;
    if (!allowed) problems.push_back("callback type " + std::to_string(kind) + " for this interaction");
    const auto* data = body.if_contains("data");
    if (kind == 4 || kind == 7) {
        if (data == nullptr || !data->is_object())
            problems.push_back("a message callback without data");
        else
            for (auto& problem : message_problems(data->get_object())) problems.push_back(std::move(problem));
    }
    if (kind == 8) {
        const auto* choices = data && data->is_object() ? data->get_object().if_contains("choices") : nullptr;
        if (choices == nullptr || !choices->is_array()) {
            problems.push_back("an autocomplete result without data.choices");
            return problems;
        }
        if (choices->get_array().size() > 25) problems.push_back("more than 25 suggestions");
        for (const auto& choice : choices->get_array()) {
            const auto* object = choice.if_object();
            const auto* name = object ? object->if_contains("name") : nullptr;
            const auto* value = object ? object->if_contains("value") : nullptr;
            if (name == nullptr || !name->is_string() || name->get_string().empty() ||
                code_points(name->get_string()) > 100 || value == nullptr || !value->is_string() ||
                value->get_string().size() > 100)
                problems.push_back("a suggestion without a name and value of 1 to 100 characters");
        }
    }
    return problems;
}

}  // namespace

struct DiscordEmulator::State {
    EmulatorOptions options;
    const ApplicationKey key;
    const std::string public_key = key.public_key();
    mutable std::mutex mutex;
    mutable std::condition_variable changed;
    std::string ws_url;
    std::vector<std::shared_ptr<Connection>> connections;
    std::map<std::string, Session> sessions;
    std::vector<std::pair<int, int>> identified_shards;
    int identifies = 0;
    int resumes = 0;
    int ready = 0;
    bool acking = true;
    bool refusing_resumes = false;
    std::map<std::string, Interaction> interactions;  // by id
    // The tokens of the interactions whose request to the bot's endpoint awaits its response: as
    // Discord, the emulator takes the response before a webhook call that follows it.
    std::set<std::string> responses_pending;
    struct Scripted {
        std::string prefix;
        int times;
        unsigned status;
        double retry_after;
        bool global;
    };
    std::vector<Scripted> scripted;
    std::vector<BotReply> replies;
    std::vector<std::pair<std::string, json::array>> command_sets;
    std::vector<std::string> requests;
    std::vector<ChannelMessage> messages;
    std::map<std::string, int> refused_channels;         // channel -> Discord's error code
    std::map<std::string, std::string> direct_channels;  // user -> channel
    int bad_tokens = 0;
    std::vector<std::string> violations;

    void notify() { changed.notify_all(); }

    void violation(std::string what) {
        violations.push_back(std::move(what));
        notify();
    }

    // Queues on a connection and wakes its writer; the caller holds the mutex.
    void enqueue(const std::shared_ptr<Connection>& connection, Connection::Out out) {
        connection->outbox.push_back(std::move(out));
        asio::post(connection->executor, [connection] {
            if (connection->wake) connection->wake->cancel();
        });
    }

    std::shared_ptr<Connection> newest_open() {
        for (auto it = connections.rbegin(); it != connections.rend(); ++it)
            if ((*it)->open) return *it;
        return nullptr;
    }

    // --- REST ---

    std::optional<ServerResponse> route(const ServerRequest& request) {
        const std::string target(request.target());
        constexpr std::string_view prefix = "/api/v10/";
        if (!target.starts_with(prefix)) return discord_error(http::status::not_found, 0, "404: Not Found");
        const std::string path = target.substr(prefix.size());
        std::unique_lock lock(mutex);
        requests.push_back(path);
        notify();
        for (auto& script : scripted) {
            if (script.times <= 0 || !path.starts_with(script.prefix)) continue;
            --script.times;
            if (script.status == 0) return std::nullopt;
            if (script.status != 429) return discord_error(static_cast<http::status>(script.status), 0, "scripted");
            ServerResponse limited =
                answer(http::status::too_many_requests, json::object{{"message", "You are being rate limited."},
                                                                     {"retry_after", script.retry_after},
                                                                     {"global", script.global}});
            limited.set(http::field::retry_after,
                        std::to_string(static_cast<long long>(std::ceil(script.retry_after))));
            if (script.global) limited.set("X-RateLimit-Global", "true");
            limited.set("X-RateLimit-Scope", script.global ? "global" : "user");
            return limited;
        }
        const auto parts = split_path(path);
        const bool interaction_route = parts.at(0) == "interactions" || parts.at(0) == "webhooks";
        if (!interaction_route && request[http::field::authorization] != "Bot " + options.bot_token) {
            ++bad_tokens;
            notify();
            return discord_error(http::status::unauthorized, 0, "401: Unauthorized");
        }
        if (request.method() == http::verb::get && path == "gateway/bot")
            return answer(http::status::ok,
                          json::object{{"url", ws_url + "/gateway"},
                                       {"shards", options.shards},
                                       {"session_start_limit", json::object{{"total", 1000},
                                                                            {"remaining", 999},
                                                                            {"reset_after", 14400000},
                                                                            {"max_concurrency", 1}}}});
        if (request.method() == http::verb::get && path == "applications/@me")
            return answer(http::status::ok, json::object{{"id", options.application_id},
                                                         {"name", "collab-bot"},
                                                         {"bot_public", false},
                                                         {"verify_key", public_key}});
        if (request.method() == http::verb::put && parts.at(0) == "applications" && parts.back() == "commands")
            return commands(parts, request.body());
        if (request.method() == http::verb::post && parts.size() == 4 && parts[0] == "interactions" &&
            parts[3] == "callback")
            return callback(parts[1], parts[2], request.body());
        if (request.method() == http::verb::post && parts.size() == 3 && parts[0] == "channels" &&
            parts[2] == "messages")
            return create_message(parts[1], request.body());
        if (request.method() == http::verb::post && path == "users/@me/channels") return open_direct(request.body());
        if (parts.at(0) == "webhooks" && parts.size() >= 3) {
            changed.wait_for(lock, std::chrono::seconds{2}, [&] { return !responses_pending.contains(parts[2]); });
            return webhook(request.method(), parts, request.body());
        }
        return discord_error(http::status::not_found, 0, "404: Not Found");
    }

    ServerResponse commands(const std::vector<std::string>& parts, const std::string& body) {
        if (parts.size() < 3 || parts[1] != options.application_id)
            return discord_error(http::status::forbidden, 50001, "Missing Access");
        const json::value set = parse(body);
        auto problems = command_problems(set);
        if (!problems.empty()) {
            for (auto& problem : problems) violation(std::move(problem));
            return discord_error(http::status::bad_request, 50035, "Invalid Form Body");
        }
        command_sets.emplace_back(parts.size() == 5 ? parts[3] : "", set.get_array());
        notify();
        return answer(http::status::ok, set);
    }

    void record(std::string route, std::string id, const json::object& body, unsigned status) {
        const auto found = interactions.find(id);
        BotReply reply{std::move(route), std::move(id), body, status};
        if (found != interactions.end()) {
            const auto now = SteadyClock::now();
            const Interaction& interaction = found->second;
            const auto written = interaction.written.value_or(interaction.dispatched);
            reply.after = std::chrono::duration_cast<std::chrono::microseconds>(now - interaction.dispatched);
            reply.after_write = std::chrono::duration_cast<std::chrono::microseconds>(now - written);
        }
        replies.push_back(std::move(reply));
        notify();
    }

    ServerResponse callback(const std::string& id, const std::string& token, const std::string& text) {
        const json::value value = parse(text);
        const json::object body = value.is_object() ? value.get_object() : json::object{};
        auto found = interactions.find(id);
        if (found == interactions.end() || found->second.token != token ||
            SteadyClock::now() - found->second.dispatched > options.interaction_window) {
            record("callback", id, body, 404);
            violation("a callback for an unknown or expired interaction");
            return discord_error(http::status::not_found, 10062, "Unknown interaction");
        }
        Interaction& interaction = found->second;
        if (interaction.acknowledged) {
            record("callback", id, body, 400);
            violation("a second callback for one interaction");
            return discord_error(http::status::bad_request, 40060, "Interaction has already been acknowledged.");
        }
        auto problems = callback_problems(interaction, body);
        if (!problems.empty()) {
            record("callback", id, body, 400);
            for (auto& problem : problems) violation(std::move(problem));
            return discord_error(http::status::bad_request, 50035, "Invalid Form Body");
        }
        interaction.acknowledged = true;
        record("callback", id, body, 204);
        update_clicked(interaction, body);
        return no_content();
    }

    // A click's update (callback type 7) changes the message clicked.
    void update_clicked(const Interaction& interaction, const json::object& callback) {
        const auto* type = callback.if_contains("type");
        const auto* data = callback.if_contains("data");
        if (type == nullptr || *type != 7 || data == nullptr || !data->is_object()) return;
        edit_message(interaction.message_id, data->get_object());
    }

    void edit_message(const std::string& id, const json::object& edit) {
        if (id.empty()) return;
        for (auto& message : messages)
            if (message.id == id)
                for (const auto& [key, value] : edit) message.body[key] = value;
        notify();
    }

    // Create Message (docs: resources/message): the bot needs to see the channel and Send Messages.
    ServerResponse create_message(const std::string& channel, const std::string& text) {
        const json::value value = parse(text);
        const json::object body = value.is_object() ? value.get_object() : json::object{};
        if (const auto refused = refused_channels.find(channel); refused != refused_channels.end()) {
            const int code = refused->second;
            const bool unknown = code == 10003;
            messages.push_back(ChannelMessage{channel, "", body, unknown ? 404u : 403u});
            notify();
            return discord_error(unknown ? http::status::not_found : http::status::forbidden, code,
                                 unknown         ? "Unknown Channel"
                                 : code == 50013 ? "Missing Permissions"
                                                 : "Missing Access");
        }
        auto problems = message_problems(body);
        const auto* content = body.if_contains("content");
        const auto* components = body.if_contains("components");
        const bool has_content = content && content->is_string() && !content->get_string().empty();
        const bool has_components = components && components->is_array() && !components->get_array().empty();
        if (!has_content && !has_components) problems.push_back("an empty channel message");
        // Create Message takes only SUPPRESS_EMBEDS (4) and SUPPRESS_NOTIFICATIONS (4096) among the flags a
        // bot may set; an ephemeral message exists only in answer to an interaction.
        if (const auto* flags = body.if_contains("flags"); flags && flags->is_int64() && (flags->get_int64() & 64))
            problems.push_back("an ephemeral flag on a channel message");
        if (!problems.empty()) {
            messages.push_back(ChannelMessage{channel, "", body, 400});
            for (auto& problem : problems) violation(std::move(problem));
            // 50006: Cannot send an empty message.
            if (!has_content && !has_components)
                return discord_error(http::status::bad_request, 50006, "Cannot send an empty message");
            return discord_error(http::status::bad_request, 50035, "Invalid Form Body");
        }
        const std::string id = "1100000000000" + std::to_string(100000 + messages.size());
        messages.push_back(ChannelMessage{channel, id, body, 200});
        notify();
        json::object message = body;
        message["id"] = id;
        message["channel_id"] = channel;
        message["author"] = json::object{{"id", options.application_id}, {"bot", true}};
        return answer(http::status::ok, message);
    }

    // Create DM (docs: resources/user): the channel with that person, the same one each time.
    ServerResponse open_direct(const std::string& text) {
        const json::value value = parse(text);
        const auto* recipient = value.is_object() ? value.get_object().if_contains("recipient_id") : nullptr;
        const bool snowflake = recipient && recipient->is_string() && !recipient->get_string().empty() &&
                               recipient->get_string().find_first_not_of("0123456789") == std::string::npos;
        if (!snowflake) {
            violation("a direct-message channel asked for without a recipient_id");
            return discord_error(http::status::bad_request, 50035, "Invalid Form Body");
        }
        const std::string user(recipient->get_string());
        auto [found, opened] =
            direct_channels.emplace(user, "1200000000000" + std::to_string(100000 + direct_channels.size()));
        if (opened) notify();
        return answer(http::status::ok,
                      json::object{{"id", found->second},
                                   {"type", 1},
                                   {"last_message_id", nullptr},
                                   {"recipients", json::array{json::object{{"id", user}, {"username", "someone"}}}}});
    }

    ServerResponse webhook(http::verb method, const std::vector<std::string>& parts, const std::string& text) {
        const json::value value = parse(text);
        const json::object body = value.is_object() ? value.get_object() : json::object{};
        const std::string& token = parts[2];
        auto found = std::find_if(interactions.begin(), interactions.end(),
                                  [&](const auto& entry) { return entry.second.token == token; });
        const bool original = parts.size() == 5 && parts[3] == "messages" && parts[4] == "@original";
        const bool removal = original && method == http::verb::delete_;
        const std::string route = removal ? "delete_original" : original ? "edit_original" : "follow_up";
        const std::string id = found == interactions.end() ? "" : found->first;
        const bool method_fits =
            original ? (method == http::verb::patch || removal) : (method == http::verb::post && parts.size() == 3);
        if (parts[1] != options.application_id || found == interactions.end() || !found->second.acknowledged ||
            SteadyClock::now() - found->second.dispatched > options.webhook_window || !method_fits) {
            record(route, id, body, 404);
            violation("a webhook call for an unknown, unacknowledged or expired interaction");
            return discord_error(http::status::not_found, 10015, "Unknown Webhook");
        }
        if (removal) {
            record(route, id, body, 204);
            return no_content();
        }
        auto problems = message_problems(body);
        if (!problems.empty()) {
            record(route, id, body, 400);
            for (auto& problem : problems) violation(std::move(problem));
            return discord_error(http::status::bad_request, 50035, "Invalid Form Body");
        }
        record(route, id, body, 200);
        if (original) edit_message(found->second.message_id, body);
        json::object message = body;
        message["id"] = "900" + id;
        return answer(http::status::ok, message);
    }

    // --- the gateway ---

    std::string dispatch_frame(Session& session, std::string_view name, json::object data) {
        const std::int64_t sequence = ++session.sequence;
        std::string frame =
            json::serialize(json::object{{"op", 0}, {"s", sequence}, {"t", name}, {"d", std::move(data)}});
        session.dispatches.emplace_back(sequence, frame);
        return frame;
    }

    // What one frame from the bot does; the caller holds the mutex.
    void take(const std::shared_ptr<Connection>& connection, const std::string& text) {
        const auto now = SteadyClock::now();
        auto& sent = connection->sent_by_bot;
        while (!sent.empty() && now - sent.front() >= options.send_window) sent.pop_front();
        sent.push_back(now);
        if (static_cast<int>(sent.size()) > options.send_limit) {
            violation("more than " + std::to_string(options.send_limit) + " gateway frames in the send window");
            enqueue(connection, {"", 4008});
            return;
        }
        if (text.size() > max_frame) {
            violation("a gateway frame of " + std::to_string(text.size()) + " bytes");
            enqueue(connection, {"", 4002});
            return;
        }
        const json::value value = parse(text);
        const json::object* frame = value.if_object();
        const auto* op = frame ? frame->if_contains("op") : nullptr;
        if (op == nullptr || !op->is_int64()) {
            violation("a gateway frame without op");
            enqueue(connection, {"", 4002});
            return;
        }
        const json::value* data = frame->if_contains("d");
        switch (op->get_int64()) {
            case 1:
                connection->heartbeats.push_back(data && data->is_int64() ? data->get_int64() : -1);
                connection->last_heartbeat = now;
                if (acking) enqueue(connection, {R"({"op":11})"});
                notify();
                return;
            case 2: identify(connection, data); return;
            case 6: resume(connection, data); return;
            default: violation("gateway op " + std::to_string(op->get_int64())); enqueue(connection, {"", 4001});
        }
    }

    bool token_ok(const std::shared_ptr<Connection>& connection, const json::value* data) {
        const auto* object = data ? data->if_object() : nullptr;
        const auto* token = object ? object->if_contains("token") : nullptr;
        if (token && token->is_string() && token->get_string() == options.bot_token) return true;
        ++bad_tokens;
        enqueue(connection, {"", 4004});
        return false;
    }

    // The Identify's shard ([shard_id, num_shards], docs: gateway "Sharding"), or nothing when Discord
    // would refuse it: a count other than the one GET /gateway/bot gave, or none when it gave several.
    std::optional<std::pair<int, int>> identified_shard(const json::object& identify) {
        const auto* shard = identify.if_contains("shard");
        if (shard == nullptr) {
            if (options.shards == 1) return std::pair{0, 1};
            violation("an Identify without a shard when GET /gateway/bot asked for " + std::to_string(options.shards));
            return std::nullopt;
        }
        const auto* pair = shard->if_array();
        if (pair && pair->size() == 2 && pair->at(0).is_int64() && pair->at(1).is_int64() &&
            pair->at(1).get_int64() == options.shards && pair->at(0).get_int64() >= 0 &&
            pair->at(0).get_int64() < options.shards)
            return std::pair{static_cast<int>(pair->at(0).get_int64()), options.shards};
        violation("an Identify with the shard " + json::serialize(*shard) + " of " + std::to_string(options.shards));
        return std::nullopt;
    }

    // Which shard receives an interaction: (guild_id >> 22) % num_shards; direct messages go to shard 0.
    int shard_of(const json::object& interaction) const {
        const auto* guild = interaction.if_contains("guild_id");
        if (guild == nullptr || !guild->is_string()) return 0;
        return static_cast<int>((std::stoull(std::string(guild->get_string())) >> 22) %
                                static_cast<std::uint64_t>(options.shards));
    }

    void identify(const std::shared_ptr<Connection>& connection, const json::value* data) {
        if (connection->identified) {
            violation("a second Identify on one connection");
            enqueue(connection, {"", 4005});
            return;
        }
        if (!token_ok(connection, data)) return;
        const auto* intents = data->get_object().if_contains("intents");
        if (intents == nullptr || !intents->is_int64()) {
            violation("an Identify without intents");
            enqueue(connection, {"", 4013});
            return;
        }
        const auto shard = identified_shard(data->get_object());
        if (!shard) {
            enqueue(connection, {"", 4010});
            return;
        }
        ++identifies;
        identified_shards.push_back(*shard);
        connection->identified = true;
        connection->shard = shard->first;
        connection->session_id = "session-" + std::to_string(identifies);
        Session& session = sessions[connection->session_id];
        session.shard = shard->first;
        json::object ready_data{{"v", 10},
                                {"session_id", connection->session_id},
                                {"resume_gateway_url", ws_url + "/resume"},
                                {"application", json::object{{"id", options.application_id}, {"flags", 0}}},
                                {"user", json::object{{"id", options.application_id}, {"bot", true}}},
                                {"guilds", json::array{}}};
        enqueue(connection, {dispatch_frame(session, "READY", std::move(ready_data))});
        ++ready;
        notify();
    }

    void resume(const std::shared_ptr<Connection>& connection, const json::value* data) {
        if (!token_ok(connection, data)) return;
        const json::object& resume = data->get_object();
        const auto* id = resume.if_contains("session_id");
        const auto* seq = resume.if_contains("seq");
        auto found = id && id->is_string() ? sessions.find(std::string(id->get_string())) : sessions.end();
        if (refusing_resumes || found == sessions.end() || !found->second.live) {
            if (found != sessions.end()) found->second.live = false;
            enqueue(connection, {R"({"op":9,"d":false})"});
            return;
        }
        ++resumes;
        connection->identified = true;
        connection->session_id = found->first;
        connection->shard = found->second.shard;
        const std::int64_t after = seq && seq->is_int64() ? seq->get_int64() : 0;
        for (const auto& [sequence, frame] : found->second.dispatches)
            if (sequence > after) enqueue(connection, {frame});
        enqueue(connection, {dispatch_frame(found->second, "RESUMED", json::object{})});
        ++ready;
        notify();
    }

    static asio::awaitable<void> write_loop(std::shared_ptr<State> state, std::shared_ptr<Connection> connection) {
        for (;;) {
            std::optional<Connection::Out> next;
            {
                std::lock_guard lock(state->mutex);
                if (connection->ended) co_return;
                if (!connection->outbox.empty()) {
                    next = std::move(connection->outbox.front());
                    connection->outbox.pop_front();
                    if (auto found = state->interactions.find(next->interaction_id);
                        !next->interaction_id.empty() && found != state->interactions.end() && !found->second.written)
                        found->second.written = SteadyClock::now();
                }
            }
            if (!next) {
                connection->wake->expires_at(asio::steady_timer::time_point::max());
                co_await connection->wake->async_wait(asio::as_tuple(asio::use_awaitable));
                continue;
            }
            if (next->drop) {
                connection->session->abort();
                co_return;
            }
            if (next->close) {
                std::lock_guard lock(state->mutex);
                connection->open = false;
            }
            if (next->close) {
                std::string no_reason;
                co_await connection->session->close(*next->close, no_reason);
                co_return;
            }
            if (!co_await connection->session->write(std::move(next->text))) co_return;
        }
    }

    // Discord's side of the heartbeat: a connection that stops sending them is dropped.
    static asio::awaitable<void> watch_heartbeats(std::shared_ptr<State> state,
                                                  std::shared_ptr<Connection> connection) {
        const auto allowed = state->options.heartbeat_interval + state->options.heartbeat_tolerance;
        asio::steady_timer timer(connection->executor);
        for (;;) {
            timer.expires_after(std::max(std::chrono::milliseconds{10}, state->options.heartbeat_interval / 4));
            co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
            std::lock_guard lock(state->mutex);
            if (connection->ended || !connection->open) co_return;
            if (SteadyClock::now() - connection->last_heartbeat <= allowed) continue;
            state->violation("no heartbeat within " + std::to_string(allowed.count()) + " ms");
            state->enqueue(connection, {"", std::nullopt, true});
            co_return;
        }
    }

    static asio::awaitable<void> serve(std::shared_ptr<State> state, WsServerSession& session) {
        auto connection = std::make_shared<Connection>();
        connection->executor = co_await asio::this_coro::executor;
        connection->session = &session;
        connection->wake = std::make_unique<asio::steady_timer>(connection->executor);
        connection->target = session.target;
        {
            std::lock_guard lock(state->mutex);
            connection->number = static_cast<int>(state->connections.size());
            state->connections.push_back(connection);
            if (session.target.find("v=10") == std::string::npos ||
                session.target.find("encoding=json") == std::string::npos)
                state->violation("a gateway connection without ?v=10&encoding=json: " + session.target);
            const json::object hello{
                {"op", 10}, {"d", json::object{{"heartbeat_interval", state->options.heartbeat_interval.count()}}}};
            state->enqueue(connection, {json::serialize(hello)});
            connection->last_heartbeat = SteadyClock::now();
            state->notify();
        }
        asio::co_spawn(connection->executor, watch_heartbeats(state, connection), asio::detached);
        auto writer_done =
            std::make_shared<asio::steady_timer>(connection->executor, asio::steady_timer::time_point::max());
        auto writer = [state, connection, writer_done]() -> asio::awaitable<void> {
            co_await write_loop(state, connection);
            writer_done->cancel();
        };
        asio::co_spawn(connection->executor, std::move(writer), asio::detached);
        for (;;) {
            auto text = co_await session.read();
            if (!text) break;
            std::lock_guard lock(state->mutex);
            state->take(connection, *text);
        }
        {
            std::lock_guard lock(state->mutex);
            connection->open = false;
            connection->ended = true;
            connection->client_close = session.client_close_code;
            const auto closed = connection->client_close;
            if (closed && (*closed == 1000 || *closed == 1001) && state->sessions.contains(connection->session_id))
                state->sessions[connection->session_id].live = false;
        }
        state->notify();
        connection->wake->cancel();
        co_await writer_done->async_wait(asio::as_tuple(asio::use_awaitable));
        connection->session = nullptr;
    }
};

struct DiscordEmulator::Servers {
    explicit Servers(std::shared_ptr<State> state)
        : http(
              net::test::HttpServerOptions{[state](const ServerRequest& request, int) { return state->route(request); },
                                           std::nullopt, std::chrono::seconds{30}}),
          ws([state](WsServerSession& session) { return State::serve(state, session); }) {}
    net::test::LoopbackServer http;
    net::test::WebSocketServer ws;
};

DiscordEmulator::DiscordEmulator(EmulatorOptions options) : state_(std::make_shared<State>()) {
    state_->options = std::move(options);
    servers_ = std::make_unique<Servers>(state_);
    std::lock_guard lock(state_->mutex);
    state_->ws_url = servers_->ws.url("");
}

DiscordEmulator::~DiscordEmulator() {
    // As the Slack emulator: the connections' timers belong to the websocket server's io_context but
    // live in the state, which outlives it.
    servers_->ws.stop();
    {
        std::lock_guard lock(state_->mutex);
        for (const auto& connection : state_->connections) connection->wake.reset();
    }
    servers_.reset();
}

std::string DiscordEmulator::api_url() const {
    return servers_->http.url("/api");
}

std::string DiscordEmulator::gateway_url() const {
    std::lock_guard lock(state_->mutex);
    return state_->ws_url + "/gateway";
}

const EmulatorOptions& DiscordEmulator::options() const {
    return state_->options;
}

int DiscordEmulator::connections() const {
    std::lock_guard lock(state_->mutex);
    return static_cast<int>(state_->connections.size());
}

int DiscordEmulator::identifies() const {
    std::lock_guard lock(state_->mutex);
    return state_->identifies;
}

int DiscordEmulator::resumes() const {
    std::lock_guard lock(state_->mutex);
    return state_->resumes;
}

std::vector<std::pair<int, int>> DiscordEmulator::identified_shards() const {
    std::lock_guard lock(state_->mutex);
    return state_->identified_shards;
}

int DiscordEmulator::sessions_ready() const {
    std::lock_guard lock(state_->mutex);
    return state_->ready;
}

bool DiscordEmulator::wait_for_sessions_ready(int count, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(state_->mutex);
    return state_->changed.wait_for(lock, timeout, [&] { return state_->ready >= count; });
}

std::vector<std::int64_t> DiscordEmulator::heartbeats(int connection) const {
    std::lock_guard lock(state_->mutex);
    if (connection < 0 || connection >= static_cast<int>(state_->connections.size())) return {};
    return state_->connections[static_cast<std::size_t>(connection)]->heartbeats;
}

bool DiscordEmulator::wait_for_heartbeats(int connection, std::size_t count, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(state_->mutex);
    return state_->changed.wait_for(lock, timeout, [&] {
        return connection < static_cast<int>(state_->connections.size()) &&
               state_->connections[static_cast<std::size_t>(connection)]->heartbeats.size() >= count;
    });
}

std::optional<std::uint16_t> DiscordEmulator::client_close_code(int connection) const {
    std::lock_guard lock(state_->mutex);
    if (connection < 0 || connection >= static_cast<int>(state_->connections.size())) return std::nullopt;
    return state_->connections[static_cast<std::size_t>(connection)]->client_close;
}

bool DiscordEmulator::wait_for_closed(int connection, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(state_->mutex);
    return state_->changed.wait_for(lock, timeout, [&] {
        return connection < static_cast<int>(state_->connections.size()) &&
               state_->connections[static_cast<std::size_t>(connection)]->ended;
    });
}

std::string DiscordEmulator::target(int connection) const {
    std::lock_guard lock(state_->mutex);
    if (connection < 0 || connection >= static_cast<int>(state_->connections.size())) return {};
    return state_->connections[static_cast<std::size_t>(connection)]->target;
}

void DiscordEmulator::dispatch_interaction(json::object interaction) {
    std::lock_guard lock(state_->mutex);
    const auto* id = interaction.if_contains("id");
    const std::string interaction_id = id && id->is_string() ? std::string(id->get_string()) : std::string();
    state_->interactions[interaction_id] = interaction_of(interaction);
    // Every live session of the interaction's shard gets it (each instance of a bot holds its own), on
    // the connection that carries it, or when it resumes.
    const int shard = state_->shard_of(interaction);
    for (auto& [session_id, session] : state_->sessions) {
        if (!session.live || session.shard != shard) continue;
        const std::string frame = state_->dispatch_frame(session, "INTERACTION_CREATE", interaction);
        for (const auto& connection : state_->connections)
            if (connection->open && connection->session_id == session_id)
                state_->enqueue(connection, {frame, std::nullopt, false, interaction_id});
    }
}

void DiscordEmulator::request_heartbeat() {
    std::lock_guard lock(state_->mutex);
    if (auto connection = state_->newest_open()) state_->enqueue(connection, {R"({"op":1,"d":null})"});
}

void DiscordEmulator::send_reconnect() {
    std::lock_guard lock(state_->mutex);
    if (auto connection = state_->newest_open()) state_->enqueue(connection, {R"({"op":7,"d":null})"});
}

void DiscordEmulator::send_invalid_session(bool resumable) {
    std::lock_guard lock(state_->mutex);
    auto connection = state_->newest_open();
    if (!connection) return;
    if (!resumable && state_->sessions.contains(connection->session_id))
        state_->sessions[connection->session_id].live = false;
    state_->enqueue(connection, {resumable ? R"({"op":9,"d":true})" : R"({"op":9,"d":false})"});
}

void DiscordEmulator::close_connection(std::uint16_t code) {
    std::lock_guard lock(state_->mutex);
    if (auto connection = state_->newest_open()) state_->enqueue(connection, {"", code});
}

void DiscordEmulator::drop_connection() {
    std::lock_guard lock(state_->mutex);
    if (auto connection = state_->newest_open()) state_->enqueue(connection, {"", std::nullopt, true});
}

void DiscordEmulator::stop_acknowledging_heartbeats() {
    std::lock_guard lock(state_->mutex);
    state_->acking = false;
}

void DiscordEmulator::acknowledge_heartbeats_again() {
    std::lock_guard lock(state_->mutex);
    state_->acking = true;
}

void DiscordEmulator::refuse_resumes() {
    std::lock_guard lock(state_->mutex);
    state_->refusing_resumes = true;
}

void DiscordEmulator::rate_limit(std::string path_prefix, int times, double retry_after_seconds, bool global) {
    std::lock_guard lock(state_->mutex);
    state_->scripted.push_back({std::move(path_prefix), times, 429, retry_after_seconds, global});
}

void DiscordEmulator::fail(std::string path_prefix, int times, unsigned status) {
    std::lock_guard lock(state_->mutex);
    state_->scripted.push_back({std::move(path_prefix), times, status, 0, false});
}

void DiscordEmulator::stop_answering(std::string path_prefix, int times) {
    fail(std::move(path_prefix), times, 0);
}

void DiscordEmulator::refuse_channel(std::string channel, int code) {
    std::lock_guard lock(state_->mutex);
    state_->refused_channels[std::move(channel)] = code;
}

std::string DiscordEmulator::direct_channel(const std::string& user_id) const {
    std::lock_guard lock(state_->mutex);
    const auto found = state_->direct_channels.find(user_id);
    return found == state_->direct_channels.end() ? std::string() : found->second;
}

std::vector<ChannelMessage> DiscordEmulator::channel_messages() const {
    std::lock_guard lock(state_->mutex);
    return state_->messages;
}

std::string DiscordEmulator::public_key() const {
    return state_->public_key;
}

Headers DiscordEmulator::signature_headers(std::string_view body, std::int64_t timestamp) const {
    const std::string stamp = std::to_string(timestamp);
    return {{"Content-Type", "application/json"},
            {"X-Signature-Ed25519", state_->key.sign(stamp, body)},
            {"X-Signature-Timestamp", stamp}};
}

EndpointAnswer DiscordEmulator::post(const std::string& url, std::string body, Headers headers) const {
    auto sent = collab::testing::run([&]() -> asio::awaitable<std::expected<net::HttpResponse, net::NetError>> {
        const auto executor = co_await asio::this_coro::executor;
        net::HttpClientOptions options;
        // Discord waits 3 s for the answer.
        options.timeouts.request = std::chrono::seconds{3};
        net::HttpClient client(executor, options);
        net::HttpRequest request{http::verb::post, url, std::move(headers), std::move(body)};
        co_return co_await client.send(std::move(request));
    }());
    if (!sent) return EndpointAnswer{0, sent.error().message, {}};
    EndpointAnswer answer{sent->status, sent->body, {}};
    const json::value value = parse(sent->body);
    if (value.is_object()) answer.callback = value.get_object();
    return answer;
}

EndpointAnswer DiscordEmulator::post_interaction(const std::string& url, json::object interaction) {
    const auto text = [&](std::string_view key) {
        const auto* value = interaction.if_contains(key);
        return value && value->is_string() ? std::string(value->get_string()) : std::string();
    };
    const std::string id = text("id");
    const std::string token = text("token");
    {
        std::lock_guard lock(state_->mutex);
        state_->interactions[id] = interaction_of(interaction);
        state_->responses_pending.insert(token);
    }
    std::string body = json::serialize(interaction);
    const std::int64_t now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    Headers headers = signature_headers(body, now);
    EndpointAnswer answer = post(url, std::move(body), std::move(headers));
    std::lock_guard lock(state_->mutex);
    state_->responses_pending.erase(token);
    state_->notify();
    if (answer.status != 200) return answer;
    // The response is the interaction's callback: Discord holds it to the same rules.
    Interaction& sent = state_->interactions[id];
    std::vector<std::string> problems;
    if (!answer.callback)
        problems.push_back("a response to an interaction that is no JSON object");
    else
        problems = callback_problems(sent, *answer.callback);
    if (SteadyClock::now() - sent.dispatched > state_->options.interaction_window)
        problems.push_back("a response after the interaction's 3 s");
    for (auto& problem : problems) state_->violation(std::move(problem));
    sent.acknowledged = true;
    state_->record("response", id, answer.callback.value_or(json::object{}), answer.status);
    if (problems.empty()) state_->update_clicked(sent, *answer.callback);
    return answer;
}

std::vector<BotReply> DiscordEmulator::replies() const {
    std::lock_guard lock(state_->mutex);
    return state_->replies;
}

std::size_t DiscordEmulator::reply_count() const {
    std::lock_guard lock(state_->mutex);
    return state_->replies.size();
}

bool DiscordEmulator::wait_for_replies(std::size_t count, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(state_->mutex);
    return state_->changed.wait_for(lock, timeout, [&] { return state_->replies.size() >= count; });
}

std::vector<std::pair<std::string, json::array>> DiscordEmulator::command_sets() const {
    std::lock_guard lock(state_->mutex);
    return state_->command_sets;
}

std::vector<std::string> DiscordEmulator::requests() const {
    std::lock_guard lock(state_->mutex);
    return state_->requests;
}

int DiscordEmulator::requests_with_bad_token() const {
    std::lock_guard lock(state_->mutex);
    return state_->bad_tokens;
}

std::vector<std::string> DiscordEmulator::violations() const {
    std::lock_guard lock(state_->mutex);
    return state_->violations;
}

std::string fixture(std::string_view name) {
    return testing::fixture(std::string(name));
}

json::object slash_command(std::string_view id, std::string_view sub_command,
                           const std::vector<std::pair<std::string, std::string>>& options, std::string_view user_id) {
    json::value value = parse(fixture("discord_interaction_slash_command_cardsearch.json"));
    json::object interaction = std::move(value.as_object());
    json::array given;
    for (const auto& [name, text] : options)
        given.push_back(json::object{{"type", 3}, {"name", name}, {"value", text}});
    interaction["id"] = id;
    interaction["token"] = "interaction-token-" + std::string(id);
    interaction["application_id"] = EmulatorOptions{}.application_id;
    interaction["member"].as_object()["user"].as_object()["id"] = user_id;
    interaction["data"] = json::object{
        {"id", "771825006014889984"},
        {"name", "collab"},
        {"type", 1},
        {"options", json::array{json::object{{"type", 1}, {"name", sub_command}, {"options", std::move(given)}}}}};
    return interaction;
}

json::object autocomplete(std::string_view id, std::string_view sub_command,
                          const std::vector<std::pair<std::string, std::string>>& options, std::string_view focused,
                          std::string_view user_id) {
    json::object interaction = slash_command(id, sub_command, options, user_id);
    interaction["type"] = 4;
    // Discord marks the option the person is typing (docs: receiving-and-responding, "focused").
    auto& sub = interaction["data"].as_object()["options"].as_array().at(0).as_object();
    for (auto& option : sub["options"].as_array())
        if (option.as_object().at("name").as_string() == focused) option.as_object()["focused"] = true;
    return interaction;
}

json::object button_click(std::string_view id, std::string_view custom_id, std::string_view user_id) {
    json::value value = parse(fixture("discord_interaction_slash_command_cardsearch.json"));
    json::object interaction = std::move(value.as_object());
    interaction["type"] = 3;
    interaction["id"] = id;
    interaction["token"] = "interaction-token-" + std::string(id);
    interaction["application_id"] = EmulatorOptions{}.application_id;
    interaction["member"].as_object()["user"].as_object()["id"] = user_id;
    interaction["data"] = json::object{{"component_type", 2}, {"custom_id", custom_id}};
    return interaction;
}

json::object button_click_on(std::string_view id, const ChannelMessage& message, std::string_view custom_id,
                             std::string_view user_id) {
    json::object interaction = button_click(id, custom_id, user_id);
    interaction["channel_id"] = message.channel;
    json::object clicked = message.body;
    clicked["id"] = message.id;
    clicked["channel_id"] = message.channel;
    interaction["message"] = std::move(clicked);
    return interaction;
}

}  // namespace collab::discord::test
