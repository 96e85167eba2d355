#pragma once
// A core Reply as a Discord message, and the interaction callbacks that carry it. Pure.
//
// Discord (docs: interactions/receiving-and-responding, resources/message, components):
// - callback types: 1 PONG (to a PING), 4 a message, 5 a deferred message (completed by PATCH
//   @original), 6 a deferred update and 7 an update of the message a button was clicked in, 8 the
//   suggestions for an option being typed (at most 25 choices, name and value of 1 to 100
//   characters); flag 64 makes a message ephemeral. A deferred answer's visibility is set by the
//   deferral itself;
// - `content` holds at most 2,000 characters (code points: Discord's API counts them so);
// - `allowed_mentions: {"parse": []}` on every message: whatever was echoed from input, nobody is
//   pinged (no @everyone, @here, role or user);
// - buttons live in an action row (component type 1); a button (type 2) has a style (4 danger,
//   2 secondary), a label and a custom_id of at most 100 characters.
//
// Layout: adapters/chat/markdown_reply.hpp, with Discord's escaping and limit.
//
// A proposal's buttons carry no token (a token is longer than a custom_id may be): they carry the
// id the proposal was put away under in the shared store (see proposal_shelf.hpp), which any
// instance can look up and no client can forge: 128 random bits, meaningless outside the store.

#include <boost/json/object.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "adapters/chat/visibility.hpp"
#include "core/render.hpp"

namespace collab::discord {

inline constexpr std::size_t max_content = 2000;
inline constexpr std::size_t max_custom_id = 100;
inline constexpr int ephemeral_flag = 64;

enum class CallbackType { pong = 1, message = 4, deferred = 5, deferred_update = 6, update = 7, suggestions = 8 };

// {"content":…,"allowed_mentions":{"parse":[]},"flags":64?,"components":[…]?}: a callback's data,
// a follow-up or an @original edit. `proposal_id`: the id the reply's proposal was put away under;
// without it, a proposal shows no buttons.
boost::json::object message_of(const Reply& reply, chat::Visibility visibility, std::string_view proposal_id = {});

// The message a button was clicked in, replaced by the click's outcome: no buttons left to click.
boost::json::object replacement_of(const Reply& reply);

// {"type":…,"data":…}; a deferral's data holds only its flags.
boost::json::object callback(CallbackType type, boost::json::object data = {});
// The same, its data given as an object's JSON text (a message kept serialised), never left out: the
// body as JSON text.
std::string callback_text(CallbackType type, std::string_view data);
boost::json::object deferral(chat::Visibility visibility);
// {"type":8,"data":{"choices":[{"name":…,"value":…}…]}}: the names that begin with what was typed,
// letter case aside, the first 25 of them.
boost::json::object suggestions(std::span<const std::string> names, std::string_view typed);

// A proposal's buttons' custom_ids, and back.
std::string confirm_custom_id(std::string_view proposal_id);
std::string cancel_custom_id(std::string_view proposal_id);
struct ButtonClick {
    std::string proposal_id;
    bool cancel = false;
};
// Nothing for a custom_id that is not one of ours (an old message's, a forged one).
std::optional<ButtonClick> read_custom_id(std::string_view custom_id);

// Characters as Discord counts them for its limits: code points.
std::size_t discord_length(std::string_view utf8);
// Markdown, mention and emoji syntax in text from outside shown as typed (backslash escapes).
std::string escape_markdown(std::string_view text);

}  // namespace collab::discord
