#pragma once
// A Slack emulator on 127.0.0.1, built from ../shared/reference/slack.md and Slack's recorded
// payloads: the Web API (apps.connections.open, auth.test, users.info, conversations.open, chat.postMessage and
// chat.postEphemeral, in a thread too with thread_ts), response_url endpoints, and the Socket Mode
// websocket that says hello, pushes envelopes (slash commands, clicks, Events API message events)
// and reads their acknowledgements. It runs on its own thread; every method here is safe to call
// from a test. What the bot sent is recorded for the test to check, with the time each
// acknowledgement took.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace collab::slack::test {

struct EmulatorOptions {
    std::string app_token = "xapp-1-A111-emulated-app-token";
    std::string bot_token = "xoxb-111-emulated-bot-token";
    std::map<std::string, std::string> emails;  // Slack user id -> profile e-mail (users.info)
    std::string app_id = "A111";
    int max_sockets = 10;  // an app's limit: a socket beyond it gets too_many_websockets instead of hello
    // As Slack: an envelope not acknowledged within ack_deadline (on the socket it went to, whether that
    // socket is still open or not) is delivered again retry_delay after the deadline, marked
    // retry_attempt + 1 and retry_reason "timeout", on another open socket when there is one (else on
    // the next to open), at most max_retries times. With max_retries = 0 no deadline is watched at
    // all (the benchmark's load, where every envelope is acknowledged and a timer each would cost).
    std::chrono::milliseconds ack_deadline{3'000};
    std::chrono::milliseconds retry_delay{100};
    int max_retries = 3;
};

struct Ack {
    std::string envelope_id;
    int retry_attempt = 0;                       // of the delivery acknowledged
    boost::json::object payload;                 // empty when the acknowledgement carried none, or not kept
    bool carried_payload = false;                // whether it carried one, kept or not
    std::chrono::microseconds latency{0};        // from the envelope's write to its acknowledgement's arrival
    std::chrono::steady_clock::time_point sent;  // when the envelope was written
    std::chrono::microseconds queued{0};         // from its delivery to its write: the emulator's own delay
    int socket = -1;
};

struct Post {
    std::string target;  // "chat.postMessage", "chat.postEphemeral", "conversations.open", or "respond/<key>"
    boost::json::object body;
    std::chrono::steady_clock::time_point at;  // when it arrived
};

class SlackEmulator {
public:
    explicit SlackEmulator(EmulatorOptions options = {});
    ~SlackEmulator();
    SlackEmulator(const SlackEmulator&) = delete;
    SlackEmulator& operator=(const SlackEmulator&) = delete;

    std::string api_url() const;                           // "http://127.0.0.1:P/api/"
    std::string response_url(std::string_view key) const;  // "http://127.0.0.1:P/respond/<key>"

    // Sockets are numbered from 0 in the order they said hello. Open = hello sent and not yet closed.
    int sockets_open() const;
    std::vector<int> open_sockets() const;
    int sockets_ever() const;
    bool wait_for_open_sockets(int count, std::chrono::milliseconds timeout = std::chrono::seconds{5}) const;
    // When a socket's hello went out and when it closed (time_point{} while it is open).
    struct SocketLife {
        std::chrono::steady_clock::time_point hello;
        std::chrono::steady_clock::time_point closed;
    };
    std::optional<SocketLife> socket_life(int socket) const;
    // How many times apps.connections.open handed out a URL.
    int urls_handed_out() const;

    // Sends an envelope (or anything) on an open socket: the given one, or the next in turn. The
    // socket used, or -1 when none is open.
    int deliver(std::string frame, std::optional<int> socket = std::nullopt);
    void disconnect(int socket, std::string_view reason);  // a {"type":"disconnect"} frame
    void drop(int socket);                                 // closes the TCP connection, no close frame
    void go_silent(int socket);                            // stops reading and answering pings
    void ping(int socket, std::string payload);            // a websocket ping, as Slack sends them
    std::vector<std::string> pongs(int socket) const;      // the payloads of the pongs the bot sent back

    std::vector<Ack> acks() const;
    std::optional<Ack> wait_for_ack(std::string_view envelope_id,
                                    std::chrono::milliseconds timeout = std::chrono::seconds{5}) const;
    int acks_for(std::string_view envelope_id) const;
    std::size_t ack_count() const;
    bool wait_for_ack_count(std::size_t count, std::chrono::milliseconds timeout) const;
    // Text frames from the bot that were not acknowledgements (there should be none).
    std::vector<std::string> unexpected_frames() const;

    std::vector<Post> posts(std::string_view target_prefix = "") const;
    bool wait_for_posts(std::string_view target_prefix, std::size_t count,
                        std::chrono::milliseconds timeout = std::chrono::seconds{5}) const;
    int users_info_calls() const;
    int auth_test_calls() const;
    int requests_with_bad_token() const;

    // Scripting. The next `times` calls of the method answer this way.
    void fail_connections_open(std::string error, int times = 1);  // {"ok":false,"error":…}
    // New sockets get {"type":"disconnect","reason":…} in place of hello, then are closed ("" stops).
    void refuse_new_sockets(std::string reason);
    // New sockets wait this long before their hello, as a slow Slack would.
    void delay_hello(std::chrono::milliseconds delay);
    void rate_limit(std::string method, int times, int retry_after_seconds);  // 429 + Retry-After
    void refuse_response_urls(std::string answer, int times);                 // 404 with this text
    void refuse_users_info(std::string error);  // every users.info answers ok:false ("": stop)
    // chat.postMessage in `channel` answers ok:false with `error` ("not_in_channel"), posting nothing.
    void close_channel(std::string channel, std::string error);
    // Every bot-token method answers ok:false with this error, as for a revoked token ("": stop).
    void refuse_bot_token(std::string error);
    void set_web_api_latency(std::chrono::milliseconds latency);  // every Web API answer waits this long
    // Whether acks() carries the payloads (the default); a long load keeps only their sizes.
    void keep_ack_payloads(bool keep);

    struct State;

private:
    std::shared_ptr<State> state_;
    struct Servers;
    std::unique_ptr<Servers> servers_;
};

// Envelopes made from Slack's recorded ones (tests/fixtures/slack, copied from the SDKs' test suites), with our values
// put in.
struct SlashCommandFields {
    std::string envelope_id;
    std::string text;
    std::string user_id = "U111";
    std::string channel_id = "C111";
    std::string team_id = "T111";
    std::string response_url;
    int retry_attempt = 0;
};
std::string slash_command_envelope(const SlashCommandFields& fields);

struct ButtonClickFields {
    std::string envelope_id;
    std::string action_id;  // "collab_confirm" or "collab_cancel"
    std::string value;      // the confirmation token
    std::string user_id = "U111";
    std::string channel_id = "C111";
    std::string team_id = "T111";
    std::string response_url;
};
std::string button_click_envelope(const ButtonClickFields& fields);

// A message event (Events API) from Slack's recorded ones: an `app_mention` (a mention of the bot in a
// channel or thread) or a `message` (channel_type "im": a direct message to the bot).
struct MessageEventFields {
    std::string envelope_id;
    std::string event_id;
    std::string type = "app_mention";
    std::string text;
    std::string user_id = "U111";
    std::string channel_id = "C111";
    std::string channel_type;  // left out when empty, as app_mention events do
    std::string team_id = "T111";
    std::string ts = "1700000001.000100";
    std::string thread_ts;  // left out when empty: a message outside a thread
    std::string bot_id;     // a bot's message: Slack sets it (and no client_msg_id)
    std::string subtype;    // "message_changed", "channel_join", "bot_message", …
    int retry_attempt = 0;
};
// The event_callback HTTP mode receives, and the events_api envelope Socket Mode carries it in.
std::string message_event_payload(const MessageEventFields& fields);
std::string message_event_envelope(const MessageEventFields& fields);

// The value of the button with this action id in a message's blocks ("" when there is none).
std::string button_value(const boost::json::object& message, std::string_view action_id);

// A fixture file's text.
std::string fixture(std::string_view name);

}  // namespace collab::slack::test
