#include "adapters/chat/mattermost/messages.hpp"

#include <boost/json/array.hpp>

#include "adapters/chat/markdown_reply.hpp"
#include "core/text.hpp"

namespace collab::mattermost {
namespace json = boost::json;

namespace {

constexpr std::size_t max_button_label = 80;

bool ascii_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

json::object button(std::string_view id, std::string_view label, std::string_view style, std::string_view url,
                    json::object context) {
    return {{"id", id},
            {"type", "button"},
            {"name", text::shortened(label, max_button_label - 1)},
            {"style", style},
            {"integration", json::object{{"url", url}, {"context", std::move(context)}}}};
}

json::object button_context(std::string_view action, const Proposal& proposal, std::string_view team_id) {
    return {{"action", action}, {"token", proposal.token}, {"team_id", team_id}};
}

// Mattermost mentions a person by user name (lower-case letters, digits, '.', '-' and '_') and links a
// channel by its name (lower-case letters, digits, '-' and '_').
std::string mention(const Mention& mentioned) {
    const bool person = mentioned.kind == Mentioned::person;
    const std::string_view allowed =
        person ? "abcdefghijklmnopqrstuvwxyz0123456789.-_" : "abcdefghijklmnopqrstuvwxyz0123456789-_";
    const bool linkable = mentioned.platform == "mattermost" && !mentioned.name.empty() &&
                          mentioned.name.find_first_not_of(allowed) == std::string::npos;
    if (!linkable) return escape_markdown(mentioned.shown());
    return (person ? "@" : "~") + mentioned.name;
}

}  // namespace

std::string escape_markdown(std::string_view text) {
    // Emphasis, code, strike-through, tables, quotes, headings, lists, links, images, emoji, channel
    // links, and '<' of Slack's "<!channel>".
    constexpr std::string_view special = "\\*_~`|><#-[]()!:";
    std::string out;
    out.reserve(text.size());
    char previous = ' ';
    for (char c : text) {
        if (special.find(c) != std::string_view::npos) out += '\\';
        out += c;
        // The server reads a mention from a word that begins with '@' once punctuation is split off; an
        // address's '@' follows a letter or digit and starts no word.
        if (c == '@' && !ascii_alnum(previous)) out += "\u200b";
        previous = c;
    }
    return out;
}

std::string message_text(const Reply& reply) {
    return chat::markdown_of(reply, chat::MarkdownDialect{max_message, escape_markdown, mention});
}

json::object command_response(const Reply& reply, chat::Visibility visibility) {
    return {{"response_type", visibility == chat::Visibility::in_channel ? "in_channel" : "ephemeral"},
            {"text", message_text(reply)},
            {"skip_slack_parsing", true}};
}

json::object proposal_response(const Reply& reply, std::string_view action_url, std::string_view team_id) {
    json::object response = command_response(reply, chat::Visibility::in_channel);
    if (!reply.proposal) return response;
    const Proposal& proposal = *reply.proposal;
    json::array actions{
        button("confirm", proposal.confirm_label(), proposal.destructive() ? "danger" : "primary", action_url,
               button_context("confirm", proposal, team_id)),
        button("cancel", proposal.cancel_label(), "default", action_url, button_context("cancel", proposal, team_id))};
    response["props"] = json::object{{"attachments", json::array{json::object{{"actions", std::move(actions)}}}}};
    return response;
}

json::object bot_post(const Reply& reply, std::string_view channel_id, std::string_view root_id,
                      std::string_view action_url, std::string_view team_id) {
    json::object encoded = proposal_response(reply, action_url, team_id);
    json::object post{{"channel_id", channel_id}, {"message", std::move(encoded.at("text"))}};
    if (auto* props = encoded.if_contains("props")) post["props"] = std::move(*props);
    if (!root_id.empty()) post["root_id"] = root_id;
    return post;
}

json::object click_answer(const std::optional<Reply>& update, const std::optional<Reply>& ephemeral) {
    json::object answer;
    // Props given (empty) replace the post's attachments: its buttons go with them.
    if (update) answer["update"] = json::object{{"message", message_text(*update)}, {"props", json::object{}}};
    if (ephemeral) answer["ephemeral_text"] = message_text(*ephemeral);
    if (!answer.empty()) answer["skip_slack_parsing"] = true;
    return answer;
}

}  // namespace collab::mattermost
