#include "adapters/chat/discord/messages.hpp"

#include <boost/json/array.hpp>

#include <vector>

#include "core/text.hpp"

namespace collab::discord {
namespace json = boost::json;

namespace {

constexpr std::string_view fence = "```";
constexpr std::string_view custom_id_prefix = "collab:";
constexpr std::string_view confirm_word = "confirm:";
constexpr std::string_view cancel_word = "cancel:";
constexpr std::size_t proposal_id_length = 32;  // 16 random bytes in hex
constexpr int action_row = 1;
constexpr int button = 2;
constexpr int danger_style = 4;
constexpr int secondary_style = 2;
constexpr std::size_t max_button_label = 80;

// Text inside a code span or block, where markdown is not read, except a backtick run that would
// close it: each backtick is followed by a zero-width space, which shows nothing and breaks the run.
std::string code_safe(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        out += c;
        if (c == '`') out += "\u200b";
    }
    return out;
}

// Text from the core, which may hold what someone typed: printable, and shown as typed.
std::string shown(std::string_view text) {
    return escape_markdown(text::printable(text, true));
}

std::string line_text(const Line& line) {
    switch (line.style) {
        case LineStyle::done: return "`----->` " + shown(line.text);
        case LineStyle::error: return "`!` " + shown(line.text);
        case LineStyle::plain: break;
    }
    return shown(line.text);
}

std::string usage_text(std::string_view usage) {
    constexpr std::string_view label = "Usage: ";
    if (usage.starts_with(label)) return "Usage: `" + code_safe(usage.substr(label.size())) + "`";
    return "`" + code_safe(usage) + "`";
}

std::string proposal_text(const Proposal& proposal) {
    return shown(proposal.question) + "\n*This button works until " + format_utc(proposal.expires_at) + ".*";
}

// The box table as a code block of at most `budget` characters: rows cut on a boundary, and a line
// after the block saying how many were left out.
std::string left_out_note(std::size_t rows) {
    return "\n*" + std::to_string(rows) + " more rows are not shown here.*";
}

std::string table_block(const Table& table, std::size_t budget) {
    std::vector<std::string> lines;
    const std::string rendered = render_table(table);
    for (std::size_t start = 0; start < rendered.size();) {
        auto end = rendered.find('\n', start);
        if (end == std::string::npos) end = rendered.size();
        lines.push_back(code_safe(std::string_view(rendered).substr(start, end - start)) + "\n");
        start = end + 1;
    }
    // render_table always draws the top border, the header, its rule and the bottom border.
    std::string block = std::string(fence) + "\n" + lines.at(0) + lines.at(1) + lines.at(2);
    const std::string foot = lines.back() + std::string(fence);
    const std::size_t rows = lines.size() - 4;
    // Room kept for the note, as long as it can be.
    const std::size_t note = discord_length(left_out_note(rows));
    std::size_t length = discord_length(block) + discord_length(foot);
    std::size_t rows_shown = 0;
    for (; rows_shown < rows; ++rows_shown) {
        const std::string& row = lines[3 + rows_shown];
        const bool last = rows_shown + 1 == rows;
        if (length + discord_length(row) + (last ? 0 : note) > budget) break;
        length += discord_length(row);
        block += row;
    }
    block += foot;
    if (rows_shown < rows) block += left_out_note(rows - rows_shown);
    return block;
}

std::string joined(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& part : parts) {
        if (part.empty()) continue;
        if (!out.empty()) out += "\n";
        out += part;
    }
    return out;
}

std::string content_of(const Reply& reply) {
    std::vector<std::string> lines;
    for (const auto& line : reply.lines) lines.push_back(line_text(line));
    std::vector<std::string> before{joined(lines)};
    std::vector<std::string> after;
    if (reply.proposal) after.push_back(proposal_text(*reply.proposal));
    if (!reply.usage.empty()) after.push_back(usage_text(reply.usage));
    std::string content = joined(before);
    std::string tail = joined(after);
    if (reply.table) {
        const std::size_t fixed = discord_length(content) + discord_length(tail) + 2;  // the separating line feeds
        const std::size_t budget = fixed < max_content ? max_content - fixed : 0;
        content = joined({content, table_block(*reply.table, budget)});
    }
    content = joined({content, tail});
    // Lines alone too long for one message (never seen in practice): cut rather than refused.
    if (discord_length(content) > max_content) content = text::shortened(content, max_content - 1);
    return content;
}

json::object button_json(std::string_view label, int style, std::string custom_id) {
    return {{"type", button},
            {"style", style},
            {"label", text::shortened(label, max_button_label - 1)},
            {"custom_id", std::move(custom_id)}};
}

json::object with_content(std::string content) {
    return {{"content", std::move(content)}, {"allowed_mentions", json::object{{"parse", json::array{}}}}};
}

}  // namespace

json::object message_of(const Reply& reply, chat::Visibility visibility, std::string_view proposal_id) {
    json::object message = with_content(content_of(reply));
    if (visibility == chat::Visibility::ephemeral) message["flags"] = ephemeral_flag;
    if (reply.proposal && !proposal_id.empty()) {
        const std::string label = reply.proposal->action_label.empty() ? "Confirm" : reply.proposal->action_label;
        json::array buttons{button_json(label, danger_style, confirm_custom_id(proposal_id)),
                            button_json("Cancel", secondary_style, cancel_custom_id(proposal_id))};
        message["components"] = json::array{json::object{{"type", action_row}, {"components", std::move(buttons)}}};
    }
    return message;
}

json::object replacement_of(const Reply& reply) {
    json::object message = with_content(content_of(reply));
    message["components"] = json::array{};
    return message;
}

json::object callback(CallbackType type, json::object data) {
    json::object body{{"type", static_cast<int>(type)}};
    if (!data.empty()) body["data"] = std::move(data);
    return body;
}

json::object deferral(chat::Visibility visibility) {
    json::object data;
    if (visibility == chat::Visibility::ephemeral) data["flags"] = ephemeral_flag;
    return callback(CallbackType::deferred, std::move(data));
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
    std::size_t characters = 0;
    for (char c : utf8)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++characters;  // not a continuation byte
    return characters;
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
