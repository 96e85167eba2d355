#include "adapters/chat/mattermost/socket_frames.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

#include "adapters/chat/mattermost/requests.hpp"

namespace collab::mattermost {
namespace json = boost::json;

namespace {

constexpr std::string_view blanks = " \t\r\n";

std::string string_member(const json::object& object, std::string_view name) {
    const json::value* value = object.if_contains(name);
    return value != nullptr && value->is_string() ? std::string(value->get_string()) : std::string();
}

std::optional<std::int64_t> integer_member(const json::object& object, std::string_view name) {
    const json::value* value = object.if_contains(name);
    if (value == nullptr) return std::nullopt;
    if (value->is_int64()) return value->get_int64();
    if (value->is_uint64() && value->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(value->get_uint64());
    return std::nullopt;
}

std::optional<json::object> parse_object(std::string_view text) {
    boost::system::error_code error;
    json::value value = json::parse(text, error);
    if (error || !value.is_object()) return std::nullopt;
    return std::move(value.as_object());
}

char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string_view trimmed(std::string_view text) {
    const auto start = text.find_first_not_of(blanks);
    if (start == std::string_view::npos) return {};
    return text.substr(start, text.find_last_not_of(blanks) - start + 1);
}

// The text after a leading @<username>; nothing when the text does not begin with that mention:
// "@collab-bot list", "@Collab-Bot: list" and "@collab-bot, list" do, "@collab-bot2 list" does not.
std::optional<std::string_view> after_mention(std::string_view text, std::string_view username) {
    text = trimmed(text);
    if (username.empty() || text.size() <= username.size() || text.front() != '@') return std::nullopt;
    for (std::size_t i = 0; i < username.size(); ++i)
        if (lower(text[i + 1]) != lower(username[i])) return std::nullopt;
    std::string_view rest = text.substr(username.size() + 1);
    if (!rest.empty() && (rest.front() == ':' || rest.front() == ',' || rest.front() == '.')) rest.remove_prefix(1);
    if (!rest.empty() && blanks.find(rest.front()) == std::string_view::npos) return std::nullopt;
    return trimmed(rest);
}

// Mattermost's user names are lower-case letters, digits, '.', '-' and '_'.
bool name_char(char c) {
    c = lower(c);
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
}

// Whether @<username> appears anywhere in the text as Mattermost reads a mention: '@' not inside a word
// (an e-mail address is no mention), then the name, case aside, then no more of a name ("@collab-bot."
// at the end of a sentence is one, "@collab-bot2" is not).
bool mentions(std::string_view text, std::string_view username) {
    if (username.empty()) return false;
    for (auto at = text.find('@'); at != std::string_view::npos; at = text.find('@', at + 1)) {
        if (at > 0 && name_char(text[at - 1])) continue;
        const std::string_view rest = text.substr(at + 1);
        if (rest.size() < username.size() || !std::equal(username.begin(), username.end(), rest.begin(),
                                                         [](char a, char b) { return lower(a) == lower(b); }))
            continue;
        const std::string_view after = rest.substr(username.size());
        const bool more_of_a_name = !after.empty() && name_char(after.front()) &&
                                    !(after.front() == '.' && (after.size() == 1 || !name_char(after[1])));
        if (!more_of_a_name) return true;
    }
    return false;
}

}  // namespace

std::expected<SocketFrame, std::string> decode_socket_frame(std::string_view text) {
    auto object = parse_object(text);
    if (!object) return std::unexpected(std::string("not a JSON object"));
    if (object->contains("seq_reply")) {
        SocketReply reply;
        reply.seq_reply = integer_member(*object, "seq_reply").value_or(0);
        reply.ok = string_member(*object, "status") == "OK";
        if (const json::value* error = object->if_contains("error"); error && error->is_object()) {
            reply.error = string_member(error->get_object(), "message");
            if (reply.error.empty()) reply.error = string_member(error->get_object(), "id");
        }
        return reply;
    }
    SocketEvent event;
    event.name = string_member(*object, "event");
    if (event.name.empty()) return std::unexpected(std::string("neither an event nor a reply"));
    event.seq = integer_member(*object, "seq");
    if (const json::value* data = object->if_contains("data"); data && data->is_object())
        event.data = std::move(object->at("data").as_object());
    if (event.name == "hello") event.connection_id = string_member(event.data, "connection_id");
    return event;
}

std::string socket_url(std::string_view server_url, std::string_view connection_id, std::int64_t next_seq) {
    std::string url(server_url);
    while (!url.empty() && url.back() == '/') url.pop_back();
    if (url.starts_with("https://"))
        url.replace(0, 5, "wss");
    else if (url.starts_with("http://"))
        url.replace(0, 4, "ws");
    url += "/api/v4/websocket";
    // The server's ids are 26 letters and digits: anything else is not sent back to it.
    const bool usable = !connection_id.empty() && std::all_of(connection_id.begin(), connection_id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    });
    if (usable) url += "?connection_id=" + std::string(connection_id) + "&sequence_number=" + std::to_string(next_seq);
    return url;
}

std::string challenge_frame(std::int64_t seq, std::string_view token) {
    return json::serialize(
        json::object{{"seq", seq}, {"action", "authentication_challenge"}, {"data", json::object{{"token", token}}}});
}

std::expected<PostedMessage, std::string> decode_posted(const json::object& data) {
    const json::value* encoded = data.if_contains("post");
    if (encoded == nullptr || !encoded->is_string())
        return std::unexpected(std::string("a posted event without its post"));
    auto post = parse_object(encoded->get_string());
    if (!post) return std::unexpected(std::string("a posted event whose post is not a JSON object"));
    PostedMessage message;
    message.id = string_member(*post, "id");
    message.user_id = string_member(*post, "user_id");
    message.channel_id = string_member(*post, "channel_id");
    message.root_id = string_member(*post, "root_id");
    message.message = string_member(*post, "message");
    message.type = string_member(*post, "type");
    if (const json::value* props = post->if_contains("props"); props && props->is_object()) {
        message.from_bot = string_member(props->get_object(), "from_bot") == "true";
        message.from_webhook = string_member(props->get_object(), "from_webhook") == "true";
    }
    message.channel_type = string_member(data, "channel_type");
    message.team_id = string_member(data, "team_id");
    message.sender_name = string_member(data, "sender_name");
    if (message.sender_name.starts_with('@')) message.sender_name.erase(0, 1);
    if (message.id.empty() || message.user_id.empty() || message.channel_id.empty())
        return std::unexpected(std::string("a post without its id, user or channel"));
    return message;
}

std::expected<chat::CommandRequest, std::string> mention_request(const PostedMessage& post, const BotUser& bot,
                                                                 std::string id) {
    if (post.user_id == bot.id) return std::unexpected(std::string("the bot's own post"));
    if (post.from_bot) return std::unexpected(std::string("another bot's post"));
    if (post.from_webhook) return std::unexpected(std::string("a webhook's post"));
    if (!post.type.empty()) return std::unexpected("a post of type " + post.type);
    const bool direct = post.channel_type == "D";
    auto text = after_mention(post.message, bot.username);
    // A mention elsewhere in the post is answered as Slack answers it (app_mention): the whole post is
    // the command, so that the person learns how to ask.
    if (!text && !direct && !mentions(post.message, bot.username))
        return std::unexpected(std::string("a post that does not mention the bot"));
    chat::Origin origin{
        std::move(id),
        Actor{std::string(platform), post.team_id, post.user_id, post.channel_id, std::nullopt, post.sender_name},
        {},
        post.root_id,
        direct};
    return chat::CommandRequest{std::move(origin), std::string(text ? *text : trimmed(post.message))};
}

std::string post_claim_key(const PostedMessage& post) {
    return "mm-post-" + post.id;
}

std::string work_of(const chat::CommandRequest& mention) {
    const chat::Origin& origin = mention.origin;
    return json::serialize(json::object{{"kind", "mention"},
                                        {"team_id", origin.actor.team},
                                        {"channel_id", origin.actor.channel},
                                        {"user_id", origin.actor.user_id},
                                        {"user_name", origin.actor.name},
                                        {"root_id", origin.thread},
                                        {"direct", origin.direct},
                                        {"text", mention.text}});
}

std::optional<chat::CommandRequest> mention_of_work(const json::object& work, std::string id) {
    const json::value* direct = work.if_contains("direct");
    chat::Origin origin{std::move(id),
                        Actor{std::string(platform), string_member(work, "team_id"), string_member(work, "user_id"),
                              string_member(work, "channel_id"), std::nullopt, string_member(work, "user_name")},
                        {},
                        string_member(work, "root_id"),
                        direct != nullptr && direct->is_bool() && direct->get_bool()};
    if (origin.actor.user_id.empty() || origin.actor.channel.empty()) return std::nullopt;
    return chat::CommandRequest{std::move(origin), string_member(work, "text")};
}

}  // namespace collab::mattermost
