#include "adapters/chat/discord/messages.hpp"

#include <boost/json/array.hpp>

#include <algorithm>

#include "adapters/chat/markdown_reply.hpp"
#include "core/text.hpp"

namespace collab::discord {
namespace json = boost::json;

namespace {

constexpr std::string_view custom_id_prefix = "collab:";
constexpr std::string_view confirm_word = "confirm:";
constexpr std::string_view cancel_word = "cancel:";
constexpr std::size_t proposal_id_length = 32;  // 16 random bytes in hex
constexpr int action_row = 1;
constexpr int button = 2;
constexpr int primary_style = 1;
constexpr int danger_style = 4;
constexpr int secondary_style = 2;
constexpr std::size_t max_button_label = 80;

constexpr std::size_t max_allowed_users = 100;

// Discord user and channel ids are snowflakes: digits.
bool mentionable(const Mention& mentioned) {
    return mentioned.platform == "discord" && !mentioned.id.empty() &&
           mentioned.id.find_first_not_of("0123456789") == std::string_view::npos;
}

std::string mention(const Mention& mentioned) {
    if (!mentionable(mentioned)) return escape_markdown(mentioned.shown());
    return (mentioned.kind == Mentioned::channel ? "<#" : "<@") + mentioned.id + ">";
}

// Only the people the bot itself names are pinged (as a mention does on Slack and Mattermost):
// `parse` stays empty, so nothing echoed from input can ping anyone, @everyone included. A channel's
// link pings nobody.
json::object allowed_mentions(const Reply& reply) {
    json::array users;
    for (const Line& line : reply.lines) {
        if (!line.mention || line.mention->kind != Mentioned::person || !mentionable(*line.mention) ||
            users.size() == max_allowed_users)
            continue;
        const json::value id(line.mention->id);
        if (std::find(users.begin(), users.end(), id) == users.end()) users.push_back(id);
    }
    json::object allowed{{"parse", json::array{}}};
    if (!users.empty()) allowed["users"] = std::move(users);
    return allowed;
}

std::string content_of(const Reply& reply) {
    return chat::markdown_of(reply, chat::MarkdownDialect{max_content, escape_markdown, mention});
}

json::object button_json(std::string_view label, int style, std::string custom_id) {
    return {{"type", button},
            {"style", style},
            {"label", text::shortened(label, max_button_label - 1)},
            {"custom_id", std::move(custom_id)}};
}

json::object with_content(const Reply& reply) {
    return {{"content", content_of(reply)}, {"allowed_mentions", allowed_mentions(reply)}};
}

}  // namespace

json::object message_of(const Reply& reply, chat::Visibility visibility, std::string_view proposal_id) {
    json::object message = with_content(reply);
    if (visibility == chat::Visibility::ephemeral) message["flags"] = ephemeral_flag;
    if (reply.proposal && !proposal_id.empty()) {
        const Proposal& proposal = *reply.proposal;
        json::array buttons{button_json(proposal.confirm_label(), proposal.destructive() ? danger_style : primary_style,
                                        confirm_custom_id(proposal_id)),
                            button_json(proposal.cancel_label(), secondary_style, cancel_custom_id(proposal_id))};
        message["components"] = json::array{json::object{{"type", action_row}, {"components", std::move(buttons)}}};
    }
    return message;
}

json::object replacement_of(const Reply& reply) {
    json::object message = with_content(reply);
    message["components"] = json::array{};
    return message;
}

json::object callback(CallbackType type, json::object data) {
    json::object body{{"type", static_cast<int>(type)}};
    if (!data.empty()) body["data"] = std::move(data);
    return body;
}

std::string callback_text(CallbackType type, std::string_view data) {
    std::string body = R"({"type":)" + std::to_string(static_cast<int>(type)) + R"(,"data":)";
    body.append(data);
    body += '}';
    return body;
}

json::object deferral(chat::Visibility visibility) {
    json::object data;
    if (visibility == chat::Visibility::ephemeral) data["flags"] = ephemeral_flag;
    return callback(CallbackType::deferred, std::move(data));
}

json::object suggestions(std::span<const std::string> names, std::string_view typed) {
    constexpr std::size_t max_choices = 25;
    constexpr std::size_t max_choice = 100;
    const std::string prefix = text::ascii_lower(typed);
    json::array choices;
    for (const auto& name : names) {
        if (choices.size() == max_choices) break;
        if (name.empty() || discord_length(name) > max_choice || !text::ascii_lower(name).starts_with(prefix)) continue;
        choices.push_back(json::object{{"name", name}, {"value", name}});
    }
    return callback(CallbackType::suggestions, json::object{{"choices", std::move(choices)}});
}

std::string confirm_custom_id(std::string_view proposal_id) {
    return std::string(custom_id_prefix) + std::string(confirm_word) + std::string(proposal_id);
}

std::string cancel_custom_id(std::string_view proposal_id) {
    return std::string(custom_id_prefix) + std::string(cancel_word) + std::string(proposal_id);
}

std::optional<ButtonClick> read_custom_id(std::string_view custom_id) {
    if (custom_id.size() > max_custom_id || !custom_id.starts_with(custom_id_prefix)) return std::nullopt;
    custom_id.remove_prefix(custom_id_prefix.size());
    ButtonClick click;
    if (custom_id.starts_with(confirm_word)) {
        custom_id.remove_prefix(confirm_word.size());
    } else if (custom_id.starts_with(cancel_word)) {
        custom_id.remove_prefix(cancel_word.size());
        click.cancel = true;
    } else {
        return std::nullopt;
    }
    const bool hex = custom_id.size() == proposal_id_length &&
                     custom_id.find_first_not_of("0123456789abcdef") == std::string_view::npos;
    if (!hex) return std::nullopt;
    click.proposal_id = std::string(custom_id);
    return click;
}

std::size_t discord_length(std::string_view utf8) {
    return chat::code_points(utf8);
}

std::string escape_markdown(std::string_view text) {
    // Emphasis, code, strike-through, spoilers, quotes, headings, lists, links, mentions, emoji.
    constexpr std::string_view special = "\\*_~`|><#-[]()@:";
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (special.find(c) != std::string_view::npos) out += '\\';
        out += c;
    }
    return out;
}

}  // namespace collab::discord
