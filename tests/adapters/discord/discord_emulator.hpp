#pragma once
// A Discord emulator on 127.0.0.1, built from ../shared/reference/discord-mattermost.md and
// Discord's documented payloads (tests/fixtures/discord): the REST API the bot uses (GET
// /v10/gateway/bot, the commands' bulk overwrite, interaction callbacks, @original edits and
// removals, follow-ups, messages posted in channels and direct-message channels) and the gateway websocket (Hello,
// heartbeats and their ACKs, Identify → READY, Resume → the missed dispatches then RESUMED, op 7, op 9, close codes,
// shards). It runs on its own threads; every method here is safe to call from a test.
//
// As Discord, it refuses what Discord refuses, and records it as a violation for the test to see:
// no heartbeat in time (the connection dropped), a gateway frame over 4,096 bytes (close 4002), more than 120 frames in
// 60 s (close 4008), a wrong token (401 on REST, close 4004 on Identify), a second Identify (close 4005), an Identify
// without the shard GET /gateway/bot asked for (close 4010), an unknown op
// (close 4001); a callback after the interaction's 3 s or for an unknown one (404, code 10062), a second callback (400,
// code 40060), a callback type the interaction does not allow, content over 2,000 characters, a custom_id over 100
// characters, a message without allowed_mentions {"parse": []}, a command set Discord would not register; a
// channel message that is empty or flagged ephemeral, a direct-message channel asked for without a user id.
// A channel made to refuse the bot answers as Discord does (403 50001 Missing Access, 403 50013 Missing
// Permissions, 404 10003 Unknown Channel). A click on a channel message's button carries the message, and
// its update (callback type 7, or an @original edit) changes the message as channel_messages() shows it.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace collab::discord::test {

struct EmulatorOptions {
    std::string bot_token = "emulated-bot-token.XXXX.YYYY";
    std::string application_id = "555000000000000001";
    std::chrono::milliseconds heartbeat_interval{45'000};
    // A connection with no heartbeat for heartbeat_interval + this is dropped, as Discord drops it.
    std::chrono::milliseconds heartbeat_tolerance{5'000};
    int shards = 1;
    std::chrono::milliseconds interaction_window{3'000};  // a callback later than this: 404, 10062
    std::chrono::milliseconds webhook_window{15 * 60'000};
    int send_limit = 120;  // gateway frames from the bot per connection per send_window: more closes 4008
    std::chrono::milliseconds send_window{60'000};
};

// An interaction callback, @original edit or follow-up as the emulator received it.
struct BotReply {
    // "callback", "edit_original", "delete_original", "follow_up", or "response" (the callback in the
    // response to a request to the interactions endpoint)
    std::string route;
    std::string interaction_id;
    boost::json::object body;
    unsigned status = 0;                 // what the emulator answered
    std::chrono::microseconds after{0};  // since the interaction was dispatched
    // Since the gateway frame carrying it was written (or, posted to the bot's endpoint, dispatched):
    // without the emulator's own delay before the write.
    std::chrono::microseconds after_write{0};
};

// A message the bot posted in a channel (POST /channels/{channel}/messages), as it stands now.
struct ChannelMessage {
    std::string channel;
    std::string id;            // empty when refused
    boost::json::object body;  // as posted, then as the updates of clicks on it left it
    unsigned status = 0;       // what the emulator answered the post
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// What the bot's interactions endpoint answered a request.
struct EndpointAnswer {
    unsigned status = 0;  // 0: no answer (the error is the body)
    std::string body;
    std::optional<boost::json::object> callback;  // the body, when it is a JSON object
};

class DiscordEmulator {
public:
    explicit DiscordEmulator(EmulatorOptions options = {});
    ~DiscordEmulator();
    DiscordEmulator(const DiscordEmulator&) = delete;
    DiscordEmulator& operator=(const DiscordEmulator&) = delete;

    std::string api_url() const;      // "http://127.0.0.1:P/api" (DISCORD_API_URL)
    std::string gateway_url() const;  // what GET /gateway/bot answers
    const EmulatorOptions& options() const;

    // The gateway. Connections are numbered from 0 in the order they were accepted.
    int connections() const;
    int identifies() const;
    int resumes() const;
    // The [shard_id, num_shards] of each Identify, in order ([0, 1] when it named none).
    std::vector<std::pair<int, int>> identified_shards() const;
    // Connections that got READY or RESUMED so far.
    int sessions_ready() const;
    bool wait_for_sessions_ready(int count, std::chrono::milliseconds timeout = std::chrono::seconds{5}) const;
    // The `d` of each heartbeat the connection received (-1 for null), in order.
    std::vector<std::int64_t> heartbeats(int connection) const;
    bool wait_for_heartbeats(int connection, std::size_t count,
                             std::chrono::milliseconds timeout = std::chrono::seconds{5}) const;
    // The close code the bot closed the connection with, once it did (nothing for a drop).
    std::optional<std::uint16_t> client_close_code(int connection) const;
    bool wait_for_closed(int connection, std::chrono::milliseconds timeout = std::chrono::seconds{5}) const;
    // The target the connection was opened with ("/gateway/?v=10&encoding=json", "/resume/?…").
    std::string target(int connection) const;

    // Dispatches INTERACTION_CREATE to every live session of the interaction's shard ((guild_id >> 22) %
    // shards; each instance of the bot holds its own session), with the session's next sequence number;
    // queued for the session's resume when no connection carries it. Its 3 s start now.
    void dispatch_interaction(boost::json::object interaction);
    // Scripting the gateway, on the newest connection.
    void request_heartbeat();                   // op 1
    void send_reconnect();                      // op 7
    void send_invalid_session(bool resumable);  // op 9; d:false ends the session
    void close_connection(std::uint16_t code);  // a close frame with this code
    void drop_connection();                     // the TCP connection closed, no close frame
    void stop_acknowledging_heartbeats();       // a zombie connection, from the bot's side
    void acknowledge_heartbeats_again();
    void refuse_resumes();  // every Resume gets op 9 d:false

    // Scripting REST. The next `times` requests whose path (after /v10/) starts with the prefix get a
    // 429 with Discord's body and Retry-After, or an error status.
    void rate_limit(std::string path_prefix, int times, double retry_after_seconds, bool global);
    void fail(std::string path_prefix, int times, unsigned status);
    // The same requests get no answer at all: the connection closes (Discord out of reach).
    void stop_answering(std::string path_prefix, int times);
    // From now on the bot may not post in `channel`: `code` 50001 (Missing Access) or 50013 (Missing
    // Permissions) answers 403, 10003 (Unknown Channel) 404.
    void refuse_channel(std::string channel, int code = 50001);
    // The direct-message channel opened with `user_id` (POST /users/@me/channels); empty while none was.
    std::string direct_channel(const std::string& user_id) const;
    // Every message the bot posted (refused ones with their status and no id), in order.
    std::vector<ChannelMessage> channel_messages() const;

    // Discord's side of the interactions endpoint (the alternative to the gateway). The application's
    // public key (an Ed25519 key pair made for this emulator), which the bot checks requests with.
    std::string public_key() const;
    // The interaction POSTed to the bot's endpoint `url`, signed now as Discord signs it; its 3 s start
    // now, its webhook works as a dispatched one's, and a 200's body is held to the rules of a callback
    // and recorded among replies() (route "response").
    EndpointAnswer post_interaction(const std::string& url, boost::json::object interaction);
    // A request made by hand, for forgeries: `body` and `headers` as given.
    EndpointAnswer post(const std::string& url, std::string body, Headers headers) const;
    // Content-Type, X-Signature-Ed25519 and X-Signature-Timestamp for `body` sent at `timestamp`
    // (Unix seconds), signed with the application's key.
    Headers signature_headers(std::string_view body, std::int64_t timestamp) const;

    std::vector<BotReply> replies() const;
    std::size_t reply_count() const;  // replies().size(), without the copy
    bool wait_for_replies(std::size_t count, std::chrono::milliseconds timeout = std::chrono::seconds{5}) const;
    // The bodies of the commands' bulk overwrites, with the guild ("" for global).
    std::vector<std::pair<std::string, boost::json::array>> command_sets() const;
    // REST requests by path (after /v10/), rate-limited ones included, in order.
    std::vector<std::string> requests() const;
    int requests_with_bad_token() const;
    // What the bot sent that Discord would have refused, each said plainly.
    std::vector<std::string> violations() const;

    struct State;

private:
    std::shared_ptr<State> state_;
    struct Servers;
    std::unique_ptr<Servers> servers_;
};

// Discord's documented slash-command interaction (tests/fixtures/discord) as /collab <sub> with
// string options, in a guild; ids and token made unique by `id`.
boost::json::object slash_command(std::string_view id, std::string_view sub_command,
                                  const std::vector<std::pair<std::string, std::string>>& options,
                                  std::string_view user_id = "53908232506183680");
// The same command being typed (an APPLICATION_COMMAND_AUTOCOMPLETE interaction, type 4): `focused`
// is the option being typed, whose value so far is among `options`.
boost::json::object autocomplete(std::string_view id, std::string_view sub_command,
                                 const std::vector<std::pair<std::string, std::string>>& options,
                                 std::string_view focused, std::string_view user_id = "53908232506183680");
// A button click (interaction type 3) on a message of ours.
boost::json::object button_click(std::string_view id, std::string_view custom_id,
                                 std::string_view user_id = "53908232506183680");
// A click on a button of `message` (posted in a channel), in that channel, carrying the message as
// Discord does.
boost::json::object button_click_on(std::string_view id, const ChannelMessage& message, std::string_view custom_id,
                                    std::string_view user_id = "53908232506183680");
std::string fixture(std::string_view name);

}  // namespace collab::discord::test
