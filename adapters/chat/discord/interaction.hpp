#pragma once
// Discord interactions (INTERACTION_CREATE over the gateway, or the body of an HTTP interaction)
// decoded into a closed set of values, and turned into the Desk's requests. Pure: no socket, no
// logging; a bad payload is a value, never a throw.
//
// Discord (docs: interactions/receiving-and-responding): type 1 PING, 2 APPLICATION_COMMAND
// (data.name, data.options: a sub-command, option type 1, holding its options), 3
// MESSAGE_COMPONENT (data.custom_id of the button clicked), 4 APPLICATION_COMMAND_AUTOCOMPLETE (the
// command's options so far, the one being typed marked "focused": true). The person is member.user in
// a guild, user in a direct message.

#include <boost/json/object.hpp>

#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/chat/desk.hpp"
#include "adapters/chat/discord/commands.hpp"

namespace collab::discord {

enum class InteractionType { ping = 1, command = 2, component = 3, autocomplete = 4, other = 0 };

struct Interaction {
    InteractionType type = InteractionType::other;
    int type_number = 0;  // as Discord sent it, for an `other` type in the logs
    std::string id;
    std::string token;  // the interaction's credential for its callback and webhook edits: never logged
    std::string application_id;
    std::string guild_id;  // empty in a direct message
    std::string channel_id;
    std::string user_id;
    std::string user_name;  // the user's unique username, shown beside their mention by whoami
    std::string command;    // data.name
    CommandCall call;     // the sub-command and its options
    std::string custom_id;
};

// `data` is INTERACTION_CREATE's `d`, or an HTTP interaction's body. The error says what is wrong.
std::expected<Interaction, std::string> decode_interaction(const boost::json::object& data);
std::expected<Interaction, std::string> decode_interaction(std::string_view json);
// An HTTP interaction's body as JSON, within the sizes Discord sends; the error says what is wrong.
std::expected<boost::json::object, std::string> parse_interaction(std::string_view json);

// Where replies to an interaction go after its callback: the webhook of its token, relative to
// the API's /v10/ ("webhooks/{application_id}/{token}").
std::string webhook_path(const Interaction& interaction);

chat::Origin origin_of(const Interaction& interaction);
chat::CommandRequest command_request(const Interaction& interaction);
// A click on a proposal's button, once the proposal's token was found under its custom_id.
chat::ClickRequest click_request(const Interaction& interaction, std::string token, bool cancel);

}  // namespace collab::discord
