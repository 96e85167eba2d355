#pragma once
// Socket Mode frames (hello, disconnect, envelopes) decoded into a closed set of values, and the
// acknowledgements sent back. Pure: no socket, no logging; a bad frame is a value, never a throw.

#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace collab::slack {

struct Hello {
    int num_connections = 0;
    std::string app_id;
};

enum class DisconnectReason { warning, refresh_requested, link_disabled, too_many_websockets, other };

struct Disconnect {
    DisconnectReason reason = DisconnectReason::other;
    std::string reason_text;  // as Slack sent it: names an `other` reason in the logs
};

// A slash command as both Socket Mode (JSON) and HTTP mode (form body) deliver it.
struct SlashCommand {
    std::string team_id;
    std::string channel_id;
    std::string user_id;
    std::string user_name;
    std::string command;
    std::string text;  // raw: still carries Slack's markup (see markup.hpp)
    std::string response_url;
    std::string trigger_id;
    std::string enterprise_id;  // empty outside Enterprise Grid
    bool is_enterprise_install = false;
};

// A click in a message (or a modal) we sent: the first of `actions`.
struct BlockAction {
    std::string user_id;
    std::string team_id;
    std::string channel_id;    // empty when the click came from a modal
    std::string response_url;  // empty when the click came from a modal
    std::string action_id;
    std::string value;       // a button's value, or a select's selected option value
    std::string message_ts;  // the message holding the button; empty in a modal
};

// A message that may address the bot: the inner event of an Events API event_callback of type
// `app_mention` (a mention in a channel or thread) or `message` (with channel_type "im": a direct
// message), as Socket Mode's events_api envelopes and HTTP mode's event requests carry it.
struct MessageEvent {
    std::string event_id;  // the callback's: the same on every delivery of the event
    std::string team_id;
    std::string type;     // "app_mention" or "message"
    std::string subtype;  // edits, joins, bot_message, …: never acted on
    std::string channel_id;
    std::string channel_type;  // "im" for a direct message; app_mention events may leave it out
    std::string user_id;
    std::string bot_id;  // set when a bot wrote it, this one included
    std::string text;    // raw: still carries Slack's markup, the mention of the bot included
    std::string ts;
    std::string thread_ts;  // empty outside a thread
};

enum class EnvelopeType { slash_commands, interactive, events_api, other };

struct Envelope {
    std::string envelope_id;
    EnvelopeType type = EnvelopeType::other;
    std::string type_text;         // as Slack sent it, for an `other` type in the logs
    std::string interactive_type;  // payload.type of an interactive envelope ("block_actions", "shortcut", …)
    bool accepts_response_payload = false;
    int retry_attempt = 0;
    std::string retry_reason;
    std::optional<SlashCommand> slash_command;  // set for every slash_commands envelope
    std::optional<BlockAction> block_action;    // set for interactive block_actions
    std::optional<MessageEvent> message_event;  // set for events_api app_mention and message events
};

using Frame = std::variant<Hello, Disconnect, Envelope>;

struct DecodeError {
    std::string reason;       // short, for a log line
    std::string envelope_id;  // when it could be read: the frame must still be acknowledged
};

struct DecodeLimits {
    std::size_t max_bytes = 1 << 20;  // Slack's frames are far smaller; the 67 KB SDK test frame passes
    std::size_t max_depth = 64;       // Slack's payloads nest about 12 deep
};

std::expected<Frame, DecodeError> decode_frame(std::string_view text, const DecodeLimits& limits = {});

// A block_actions payload on its own: the `payload` of an interactive envelope, or the JSON that HTTP
// mode posts as the `payload` form field.
std::expected<BlockAction, DecodeError> decode_block_actions(std::string_view json, const DecodeLimits& limits = {});

// What HTTP mode's event request URL receives: the check Slack makes when the URL is set (its
// challenge is answered back), a message event, or another event the bot does not act on.
struct UrlVerification {
    std::string challenge;
};
struct OtherEvent {
    std::string type;  // the callback's or its inner event's type, for the log
};
using EventRequest = std::variant<UrlVerification, MessageEvent, OtherEvent>;
std::expected<EventRequest, DecodeError> decode_event_request(std::string_view json, const DecodeLimits& limits = {});

// Why apps.connections.open gave no URL: Slack's error code, and whether asking again can help
// (a wrong or revoked token cannot be fixed by retrying).
struct OpenFailure {
    std::string error;  // "invalid_auth", "ratelimited", … or a short reason for a malformed answer
    bool permanent = false;
    std::optional<std::chrono::seconds> retry_after = std::nullopt;  // with "ratelimited", when Slack said
};

// Whether a Web API error code means Slack refuses the token itself (wrong, revoked, its account or
// workspace gone): no retry can fix it. Slack's SDKs stop on these.
bool token_refused(std::string_view error);

// The websocket URL of an apps.connections.open answer {"ok":true,"url":"wss://…"}.
std::expected<std::string, OpenFailure> decode_connections_open(std::string_view body);

// {"envelope_id":"…"} and {"envelope_id":"…","payload":{…}}.
std::string encode_ack(std::string_view envelope_id);
std::string encode_ack(std::string_view envelope_id, const boost::json::object& payload);
// The same with a payload already written as JSON text (see encode_message in blocks.hpp).
std::string encode_ack_with_json(std::string_view envelope_id, std::string_view payload_json);

}  // namespace collab::slack
