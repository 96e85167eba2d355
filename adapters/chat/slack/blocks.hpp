#pragma once
// A core Reply as a Slack message: Block Kit blocks plus the plain-text fallback Slack shows in
// notifications. Everything user-supplied is escaped for mrkdwn (see markup.hpp).
//
// Layout, top to bottom:
// - the lines, packed into as few mrkdwn sections as fit (one line per row of text), each line
//   keeping its CLI marker in a code span: "`----->` alice@x.com has been invited …" for a change,
//   "`!` Only the owner …" for a refusal. The error marker is trimmed to its visible "!": Slack does
//   not render a code span that starts or ends with a blank;
// - the table as a ``` code block (monospace keeps the shell's box table aligned). A table too long
//   for one section (3000 characters) is split on row boundaries, every part a complete box table
//   with the header repeated; when the 50-block budget runs out, a last section says how many rows
//   were left out (the text fallback still has them all);
// - a proposal: a section with the question and its deadline (in Slack's date formatting, so that each
//   reader sees their own local time; UTC for a client that cannot show it), then an actions block with the
//   danger button (action_id "collab_confirm", value = the token) behind Slack's confirmation dialog
//   and a plain "Cancel" button (action_id "collab_cancel", value = the token too, so the click can be
//   audited against the proposal);
// - the usage line of a usage error, the command in a code span.

#include <boost/json/object.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "adapters/chat/visibility.hpp"
#include "core/form_cache.hpp"
#include "core/render.hpp"

namespace collab::slack {

inline constexpr std::size_t max_section_text = 3000;  // Slack's limit for a section's text
inline constexpr std::size_t max_blocks = 50;          // Slack's limit for one message
inline constexpr std::string_view confirm_action_id = "collab_confirm";
inline constexpr std::string_view cancel_action_id = "collab_cancel";

// {"response_type":…,"text":…,"blocks":[…]}: an ack payload or a response_url body as it is; for
// chat.postMessage / chat.postEphemeral the caller adds "channel" (and "user"). Without a visibility,
// the default policy's for the reply's kind.
boost::json::object to_message(const Reply& reply, chat::Visibility visibility);
boost::json::object to_message(const Reply& reply);
// The same message as JSON text, written without a document: what an acknowledgement carries.
std::string encode_message(const Reply& reply, chat::Visibility visibility);

// encode_message, kept per reply key and visibility: a `list` or `help` repeated while its subject is
// unchanged is not rendered again. Used from one thread.
class MessageForms {
public:
    std::shared_ptr<const std::string> message(const Reply& reply, chat::Visibility visibility);

private:
    FormCache<std::string> forms_;
};

// The response_url body that replaces the message a button was clicked in with the click's outcome:
// {"replace_original":true,"text":…,"blocks":[…]}. It carries no response_type: the replaced
// message keeps its own visibility (an ephemeral proposal stays ephemeral), so an outcome the policy
// wants in the channel must also be posted with to_message.
boost::json::object to_replacement(const Reply& reply);

// Length as Slack counts it (UTF-16 code units), for the limits above.
std::size_t slack_length(std::string_view utf8);

}  // namespace collab::slack
