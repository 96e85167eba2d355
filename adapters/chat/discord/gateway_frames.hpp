#pragma once
// Discord gateway frames: what Discord sends decoded into the machine's events (and the interaction
// a dispatch carries), and what the bot sends encoded. Pure: no socket, no logging; a bad frame is
// a value, never a throw.
//
// Discord (docs: events/gateway, events/gateway-events): {"op":int,"d":…,"s":int|null,"t":…}; op 0
// dispatch (READY, RESUMED, INTERACTION_CREATE, …), 1 heartbeat request, 7 reconnect, 9 invalid
// session (d: resumable), 10 hello, 11 heartbeat ACK. The bot sends op 1 (d: the last sequence or
// null), op 2 identify and op 6 resume; a frame it sends holds at most 4,096 bytes.

#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/chat/discord/gateway_machine.hpp"

namespace collab::discord {

inline constexpr std::size_t max_sent_frame = 4096;
// Discord closes a connection that sends more (4008): the gateway client paces what it sends to this
// many per window (gateway_pacer.hpp).
inline constexpr int max_sends = 120;
inline constexpr std::chrono::seconds send_window{60};
// INTERACTION_CREATE is all the bot needs, and it is tied to no intent.
inline constexpr int least_intents = 0;

struct GatewayFrame {
    GatewayEvent event;
    std::string dispatch_name;                // `t` of a dispatch
    std::optional<boost::json::object> data;  // a dispatch's `d` (INTERACTION_CREATE: the interaction)
    std::string application_id;               // READY's application.id
};

// Nothing to act on for an op the bot does not use (voice, presence, …): the error says which.
std::expected<GatewayFrame, std::string> decode_gateway_frame(std::string_view text);

struct Shard {
    int id = 0;
    int count = 1;
};

// Frames the bot sends, each well within max_sent_frame. The token goes only into these.
std::string identify_frame(std::string_view token, Shard shard);
std::string resume_frame(std::string_view token, const GatewaySession& session, std::optional<std::int64_t> sequence);
std::string heartbeat_frame(std::optional<std::int64_t> sequence);

// The websocket URL for a gateway URL (GET /gateway/bot's `url`, or READY's resume_gateway_url):
// the version and encoding in the query, as Discord asks.
std::string connect_url(std::string_view gateway_url);

}  // namespace collab::discord
