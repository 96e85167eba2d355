#pragma once
// A Mattermost server on loopback, written from the reference (../shared/reference/discord-mattermost.md)
// and the server's source (app/command.go, app/integration_action.go, model/*.go): the side of it a
// bot meets.
//
// - It runs slash commands the way DoCommandRequest does: a form POSTed to the command's request URL
//   with `Authorization: Token <command token>`, and a response_url (/hooks/commands/{id}) that takes
//   at most 5 answers within 30 minutes. It shows an answer the way HandleCommandResponsePost does: an
//   in_channel one becomes a stored post by the person who typed the command, an ephemeral one is seen
//   by that person alone.
// - It runs button clicks the way DoPostActionWithCookie does: the action looked up in the stored post
//   by its id (letters and digits only), its integration's context POSTed as JSON to its URL with no
//   credential, the answer's `update` applied to the post (props replaced when given) and its
//   `ephemeral_text` shown to the clicker.
// - REST v4: GET /api/v4/users/{id} (users/me: the bot account), GET /api/v4/channels/{id}, POST /api/v4/posts,
//   POST /api/v4/posts/ephemeral, POST /api/v4/channels/direct, with `Authorization: Bearer <bot token>`; errors
//   {"id","message","request_id","status_code"}; 429 with X-Ratelimit-* and Retry-After when told to. A
//   post in a channel the bot may not write in is refused as api4/post.go refuses it without the
//   create_post permission: 403 api.context.permissions.app_error. A direct channel is made the way
//   createDirectChannel makes it (app.GetOrCreateDirectChannel): for two user ids, one of them the
//   caller's, 201 with the channel (type "D", named "<id>__<id>"), the same channel when asked again.
// - The websocket (GET /api/v4/websocket, on the same port) the way platform/websocket_router.go and
//   web_conn.go run it: a connection whose upgrade carries the bot token (Authorization: Bearer) is
//   authenticated at once, and one that names a connection the server still holds
//   (?connection_id=…&sequence_number=…) is resumed: the events it missed are sent again with their
//   numbers, then `hello`. Otherwise the authentication_challenge authenticates it (`hello`, then the
//   OK reply), a wrong token closes it without a word, and the challenge on a connection authenticated
//   already is ignored. Events (hello from the documented one, posted from the recorded one, with
//   data.post a JSON string) are numbered per connection from 0. A post, the bot's own through REST
//   included, is sent as `posted` to every connection, and kept for the connections that dropped.
// It checks what the bot sends: a message of at most 16,383 characters, a known response_type, action
// ids the server can route, a root_id that is a post of the same channel, a direct channel asked for
// two well-formed ids; a violation is recorded (violations()) and the request refused.

#include <boost/json/object.hpp>

#include <chrono>
#include <expected>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "loopback_server.hpp"

namespace collab::mattermost::testing {

// The people the tests type as, by their Mattermost user ids, with whom they are in the sandbox's seed.
inline const std::string owner = "u1owner0000000000000000000";     // user1@example.com, owner of my-dedicated-db
inline const std::string member = "u2member000000000000000000";    // user2@example.com, an accepted collaborator
inline const std::string stranger = "u9stranger0000000000000000";  // stranger@example.com, on no database

struct Post {
    std::string id;
    std::string channel_id;
    std::string user_id;
    std::string message;
    boost::json::object props;  // as the server keeps them, integrations included
    std::string root_id = {};   // the thread's first post, when in a thread
};

struct Ephemeral {
    std::string user_id;
    std::string channel_id;
    std::string message;
    std::string root_id = {};
};

// Where a person posts: a channel ("O"), or a direct message with the bot ("D").
struct Where {
    std::string channel_id;
    std::string root_id = {};
    std::string channel_type = "O";
};

// What the server made of one request it sent the bot.
struct Exchange {
    unsigned status = 0;
    std::string body;
    std::optional<boost::json::object> answer;  // the bot's JSON answer, when it sent one
};

// A click as the server sends it to the button's integration URL.
struct ClickForm {
    std::string url;
    std::string user_id;
    std::string post_id;
    std::string channel_id;
    std::string body;
};

struct EmulatorSettings {
    std::string command_token = "okwexkjpe7ygb8eq1ww58t483w";
    std::string bot_token = "bot-token-7f3k";
    std::string team_id = "carya1qs77bemjup96ff538snh";
    std::string bot_user_id = "b0tuser0000000000000000000";  // whom GET /users/me shows for the bot token
    std::string bot_username = "collab-bot";
    std::map<std::string, std::string> emails = {};  // user id -> e-mail, as GET /users/{id} shows it
    // channel id -> name, as GET /channels/{id} shows it; any other channel is not found (404)
    std::map<std::string, std::string> channel_names = {};
};

class MattermostEmulator {
public:
    explicit MattermostEmulator(EmulatorSettings settings);

    // The site URL: what MATTERMOST_URL names.
    std::string url() const;

    // A person typing `/collab <text>` in a channel; `authorization` replaces the header the server sends.
    Exchange run_command(const std::string& bot_url, const std::string& user_id, const std::string& channel_id,
                         const std::string& text, std::optional<std::string> authorization = std::nullopt);
    // The body run_command would send, and the same body sent again (a proxy retrying).
    std::string command_form(const std::string& user_id, const std::string& channel_id, const std::string& text);
    Exchange post_command(const std::string& bot_url, const std::string& body,
                          std::optional<std::string> authorization = std::nullopt);
    // A person clicking the button `action_id` of a stored post.
    Exchange click(const std::string& user_id, const std::string& post_id, const std::string& action_id);
    // The request click() would send, and that request sent (again, as a proxy retrying would).
    std::expected<ClickForm, Exchange> click_form(const std::string& user_id, const std::string& post_id,
                                                  const std::string& action_id);
    Exchange post_click(const ClickForm& form);

    std::vector<Post> posts() const;
    std::optional<Post> post(const std::string& id) const;
    std::vector<Ephemeral> ephemerals(const std::string& user_id) const;
    std::vector<std::string> violations() const;
    int response_url_uses() const;
    int sign_ins() const;  // GET /users/me answered for the bot token
    // Waits up to `limit` until `count` ephemerals reached the user.
    std::vector<Ephemeral> wait_for_ephemerals(const std::string& user_id, std::size_t count,
                                               std::chrono::milliseconds limit) const;

    // A person posting `message`: stored, and sent to the websockets as `posted`. The post's id.
    std::string say(const std::string& user_id, const Where& where, const std::string& message);
    // Every websocket connection dropped at once, without a close frame (the server keeps their events).
    void drop_websockets();
    // `text` sent as it is on every authenticated websocket.
    void send_raw_frame(const std::string& text);
    int websockets_opened() const;  // upgrades accepted
    int websockets_open() const;    // authenticated and open now
    int websocket_resumes() const;  // connections resumed with the events they missed
    // Waits up to `limit` until `count` websockets are authenticated and open.
    bool wait_for_websockets(int count, std::chrono::milliseconds limit) const;
    // Waits up to `limit` until `count` posts were made by the bot.
    std::vector<Post> wait_for_bot_posts(std::size_t count, std::chrono::milliseconds limit) const;

    // GET /users/{id} answers after this long (a slow server).
    void delay_users(std::chrono::milliseconds delay);
    // How many GET /users/{id} arrived (delayed ones included, from their arrival); waits up to `limit`
    // until `count` did.
    int users_asked() const;
    bool wait_for_users_asked(int count, std::chrono::milliseconds limit) const;
    // The next `count` REST requests are answered 429.
    void rate_limit_next(int count);
    // The bot may not post in `channel_id` from now on (a private channel it is not in): 403.
    void refuse_posts_in(const std::string& channel_id);
    // The direct channel between the bot and `user_id`, once the bot opened it.
    std::optional<std::string> direct_channel(const std::string& user_id) const;

private:
    struct State;
    std::shared_ptr<State> state_;
    std::unique_ptr<net::test::LoopbackServer> server_;
};

}  // namespace collab::mattermost::testing
