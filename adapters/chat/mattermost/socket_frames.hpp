#pragma once
// What travels on Mattermost's websocket (GET /api/v4/websocket), and the posts on it that address the
// bot, decoded into the Desk's requests. Pure: no socket, no logging; bad input is a value, never a throw.
//
// Mattermost (api-reference, WebSocket section; server source platform/websocket_router.go,
// platform/web_conn.go, model/websocket_message.go, model/post.go, app/post.go):
// - the client sends {"seq":n,"action":"authentication_challenge","data":{"token":…}}; the server
//   answers {"status":"OK","seq_reply":n} (or "FAIL" with an error) and sends the `hello` event, in
//   either order; a token it refuses closes the connection without a word;
// - events are {"event":name,"data":{…},"broadcast":{…},"seq":n}, numbered from 0 per connection;
//   `hello` carries the connection's id, which lets a client that reconnects with
//   ?connection_id=…&sequence_number=… receive the events it missed;
// - a `posted` event's data.post is itself a JSON string: the post ({"id","user_id","channel_id",
//   "root_id","message","type","props"}); data.channel_type is "D" for a direct message, "G" for a
//   group message, "O" or "P" for a channel; data.sender_name is "@name". Posts by a bot account
//   carry props.from_bot "true", by a webhook props.from_webhook "true"; system posts have a type
//   ("system_join_channel", …), a person's post none.

#include <boost/json/object.hpp>

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "adapters/chat/desk.hpp"
#include "adapters/chat/mattermost/rest_client.hpp"

namespace collab::mattermost {

// The server's answer to an action the client sent.
struct SocketReply {
    std::int64_t seq_reply = 0;
    bool ok = false;
    std::string error;  // the error's message (or id) when not ok
};

struct SocketEvent {
    std::string name;                 // "hello", "posted", "typing", …
    std::optional<std::int64_t> seq;  // absent on servers older than reliable websockets
    boost::json::object data;
    std::string connection_id = {};  // hello's
};

using SocketFrame = std::variant<SocketReply, SocketEvent>;

std::expected<SocketFrame, std::string> decode_socket_frame(std::string_view text);

// ws(s)://…/api/v4/websocket for the site URL (http(s)://…), with what resumes a connection when
// there is one to resume: ?connection_id=…&sequence_number=<the next event number expected>.
std::string socket_url(std::string_view server_url, std::string_view connection_id, std::int64_t next_seq);

// {"seq":seq,"action":"authentication_challenge","data":{"token":token}}
std::string challenge_frame(std::int64_t seq, std::string_view token);

// A `posted` event's post, with what the event says of its channel.
struct PostedMessage {
    std::string id;
    std::string user_id;
    std::string channel_id;
    std::string root_id;  // the thread's first post; empty outside a thread
    std::string message;
    std::string type;  // empty for a person's post
    bool from_bot = false;
    bool from_webhook = false;
    std::string channel_type;  // "D", "G", "O", "P"
    std::string team_id;       // empty for direct and group messages
    std::string sender_name;   // without its '@'
};

// data.post parsed a second time; an error when it is no post.
std::expected<PostedMessage, std::string> decode_posted(const boost::json::object& data);

// A post that addresses the bot as the command it carries: in a channel or a thread, a post that
// begins with @<bot username> (case aside, and a ':' or ',' after it), the mention taken off, or that
// mentions the bot elsewhere, whole (as Slack's app_mention: "good morning @collab-bot list …" is
// answered with what the bot did not understand); in a direct message with the bot, any post, its
// leading mention, if any, taken off. It is answered in its thread, if it is in one. Otherwise why the
// bot leaves it alone: its own posts, other bots' and webhooks', system posts, posts that do not
// mention the bot (so that the bot never answers itself).
std::expected<chat::CommandRequest, std::string> mention_request(const PostedMessage& post, const BotUser& bot,
                                                                 std::string id);

// What names a post in the claims: its id, the same on every connection and every instance.
std::string post_claim_key(const PostedMessage& post);

// What another instance needs to answer a mention if this one dies, and the request it describes
// (nothing when it cannot be read): read back by request_of_work (requests.hpp).
std::string work_of(const chat::CommandRequest& mention);
std::optional<chat::CommandRequest> mention_of_work(const boost::json::object& work, std::string id);

}  // namespace collab::mattermost
