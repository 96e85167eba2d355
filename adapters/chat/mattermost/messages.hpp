#pragma once
// A core Reply as Mattermost messages: a slash command's answer (in the response itself or through its
// response_url), a proposal with its buttons, and the answer to a click. Pure.
//
// Mattermost (server source: model/command_response.go, model/integration_action.go,
// app/integration_action.go, app/command.go):
// - a command's answer is {"response_type":"ephemeral"|"in_channel","text":…}; only an in_channel
//   answer becomes a stored post, and only a stored post can be updated when its button is clicked,
//   so a proposal is always in_channel;
// - buttons are props.attachments[].actions[] ({"id","type":"button","name","style","integration":
//   {"url","context"}}); the server routes a click only for an id of letters and digits, and keeps the
//   integration (url and context) from clients;
// - a click is answered {"update":{"message",…,"props"},"ephemeral_text":…}: the update replaces the
//   post (props given, even empty, replace its attachments, so no button is left), the ephemeral
//   text goes to the clicker alone;
// - "skip_slack_parsing": true on everything, so that no "<!channel>" in echoed input becomes
//   "@channel";
// - a message holds at most 16,383 characters (runes).
//
// Text from outside is markdown-escaped, and an '@' that could start a mention (@all, @channel,
// @here, @someone) is followed by a zero-width space, which shows nothing and ends the word the
// server reads a mention from.

#include <boost/json/object.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/chat/visibility.hpp"
#include "core/render.hpp"

namespace collab::mattermost {

inline constexpr std::size_t max_message = 16383;

// The markdown text of a reply, within max_message.
std::string message_text(const Reply& reply);

// {"response_type":…,"text":…,"skip_slack_parsing":true}: a command's answer, in the response or
// through the response_url.
boost::json::object command_response(const Reply& reply, chat::Visibility visibility);

// A proposal as an in_channel answer with Confirm and Cancel buttons posting to `action_url` (the
// bot's /mattermost/action), each with a context carrying the sealed token and the proposal's team.
boost::json::object proposal_response(const Reply& reply, std::string_view action_url, std::string_view team_id);

// A reply posted by the bot through the REST API (POST /api/v4/posts): in `channel_id`, in the thread of
// `root_id` unless it is empty, and a proposal with the same buttons as proposal_response's.
boost::json::object bot_post(const Reply& reply, std::string_view channel_id, std::string_view root_id,
                             std::string_view action_url, std::string_view team_id);

// The answer to a click: the proposal's post replaced by `update` (no buttons left), and/or
// `ephemeral` for the clicker alone. Both empty: {} (nothing changes).
boost::json::object click_answer(const std::optional<Reply>& update, const std::optional<Reply>& ephemeral);

// Markdown and mention syntax in text from outside shown as typed.
std::string escape_markdown(std::string_view text);

}  // namespace collab::mattermost
