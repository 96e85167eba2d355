#include "adapters/chat/slack/blocks.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

#include <vector>

#include "adapters/chat/slack/markup.hpp"
#include "adapters/json/append.hpp"

namespace collab::slack {
namespace json = boost::json;

namespace {

constexpr std::size_t max_button_text = 75;
constexpr std::size_t max_dialog_title = 100;
constexpr std::size_t max_dialog_text = 300;
constexpr std::size_t max_dialog_button = 30;
constexpr std::string_view code_fence = "```";

// The longest prefix of `text` (whole code points) that fits in `limit`, with "…" when cut.
std::string truncated(std::string_view text, std::size_t limit) {
    if (slack_length(text) <= limit) return std::string(text);
    std::string out;
    std::size_t length = 0;
    for (std::size_t i = 0; i < text.size();) {
        const auto lead = static_cast<unsigned char>(text[i]);
        const std::size_t bytes = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
        const std::size_t units = bytes == 4 ? 2 : 1;
        if (length + units + 1 > limit) break;  // keep room for the ellipsis
        out.append(text.substr(i, bytes));
        length += units;
        i += bytes;
    }
    return out + "…";
}

json::object plain_text(std::string_view text) {
    return {{"type", "plain_text"}, {"text", text}};
}

json::object section(std::string_view mrkdwn) {
    return {{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", truncated(mrkdwn, max_section_text)}}}};
}

// The same section as section(), written straight onto `out`.
void append_section(std::string& out, std::string_view mrkdwn) {
    out += R"({"type":"section","text":{"type":"mrkdwn","text":)";
    if (slack_length(mrkdwn) <= max_section_text)
        json_out::append_string(out, mrkdwn);
    else
        json_out::append_string(out, truncated(mrkdwn, max_section_text));
    out += "}}";
}

// Slack user and channel ids are upper-case letters and digits.
std::string mention(const Mention& mentioned) {
    const bool slack_id = !mentioned.id.empty() &&
                          mentioned.id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == std::string::npos;
    if (mentioned.platform != "slack" || !slack_id) return escape_mrkdwn(mentioned.shown());
    return (mentioned.kind == Mentioned::channel ? "<#" : "<@") + mentioned.id + ">";
}

std::string line_body(const Line& line) {
    if (!line.mention) return escape_mrkdwn(line.text);
    return escape_mrkdwn(line.text) + mention(*line.mention) + escape_mrkdwn(line.after);
}

std::string line_text(const Line& line) {
    switch (line.style) {
        case LineStyle::done: return "`-----&gt;` " + line_body(line);
        case LineStyle::error: return "`!` " + line_body(line);
        case LineStyle::plain: break;
    }
    return line_body(line);
}

// Lines packed into as few sections as the section limit allows.
std::vector<std::string> line_sections(const std::vector<Line>& lines) {
    std::vector<std::string> sections;
    for (const auto& line : lines) {
        std::string text = line_text(line);
        if (!sections.empty() && slack_length(sections.back()) + 1 + slack_length(text) <= max_section_text)
            sections.back() += "\n" + text;
        else
            sections.push_back(std::move(text));
    }
    return sections;
}

struct TableParts {
    std::vector<std::string> sections;
    std::vector<std::size_t> rows;  // rows in each section
};

// The box table cut on row boundaries into code blocks that each fit a section, the header and
// the bottom border repeated in each so that every part reads on its own.
TableParts table_sections(const Table& table) {
    std::vector<std::string> lines;
    const std::string rendered = render_table(table);
    for (std::size_t start = 0; start < rendered.size();) {
        auto end = rendered.find('\n', start);
        if (end == std::string::npos) end = rendered.size();
        lines.push_back(escape_mrkdwn(std::string_view(rendered).substr(start, end - start)) + "\n");
        start = end + 1;
    }
    // render_table always draws the top border, the header, its rule and the bottom border.
    const std::string head = lines.at(0) + lines.at(1) + lines.at(2);
    const std::string foot = lines.back() + std::string(code_fence);
    const std::string opening = std::string(code_fence) + "\n" + head;
    const std::size_t frame = slack_length(opening) + slack_length(foot);

    TableParts parts;
    std::string current = opening;
    std::size_t current_rows = 0;
    std::size_t length = frame;
    for (std::size_t i = 3; i + 1 < lines.size(); ++i) {
        std::string row = lines[i];
        const std::size_t row_length = slack_length(row);
        if (current_rows > 0 && length + row_length > max_section_text) {
            parts.sections.push_back(current + foot);
            parts.rows.push_back(current_rows);
            current = opening;
            current_rows = 0;
            length = frame;
        }
        // A single row wider than a whole section (never seen in practice) is cut rather than rejected.
        if (length + row_length > max_section_text)
            row = truncated(row, length + 2 < max_section_text ? max_section_text - length - 1 : 1) + "\n";
        length += slack_length(row);
        current += row;
        ++current_rows;
    }
    parts.sections.push_back(current + foot);
    parts.rows.push_back(current_rows);
    return parts;
}

json::object proposal_button(const Proposal& proposal) {
    const std::string label = proposal.confirm_label();
    if (!proposal.destructive())
        return {{"type", "button"},
                {"action_id", confirm_action_id},
                {"text", plain_text(truncated(label, max_button_text))},
                {"value", proposal.token},
                {"style", "primary"}};
    json::object dialog{{"title", plain_text(truncated(label + "?", max_dialog_title))},
                        {"text", plain_text(truncated(proposal.question, max_dialog_text))},
                        {"confirm", plain_text(truncated(label, max_dialog_button))},
                        {"deny", plain_text("Cancel")},
                        {"style", "danger"}};
    return {{"type", "button"},
            {"action_id", confirm_action_id},
            {"text", plain_text(truncated(label, max_button_text))},
            {"value", proposal.token},
            {"style", "danger"},
            {"confirm", std::move(dialog)}};
}

// A moment in Slack's date formatting: each reader sees it in their own time zone, and a client that
// cannot render it shows the UTC fallback.
std::string slack_date(TimePoint at) {
    const auto unix_seconds = std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count();
    return "<!date^" + std::to_string(unix_seconds) + "^{date_short_pretty} at {time}|" + format_utc(at) + ">";
}

json::array proposal_blocks(const Proposal& proposal) {
    const std::string text =
        escape_mrkdwn(proposal.question) + "\n_This button works until " + slack_date(proposal.expires_at) + "._";
    json::object cancel{{"type", "button"},
                        {"action_id", cancel_action_id},
                        {"text", plain_text(proposal.cancel_label())},
                        {"value", proposal.token}};
    return {section(text), json::object{{"type", "actions"}, {"elements", {proposal_button(proposal), cancel}}}};
}

std::string usage_text(std::string_view usage) {
    constexpr std::string_view label = "Usage: ";
    if (usage.starts_with(label)) return "Usage: `" + escape_mrkdwn(usage.substr(label.size())) + "`";
    return "`" + escape_mrkdwn(usage) + "`";
}

// The blocks of a message: mrkdwn sections first, then the tail (proposal, usage).
struct Blocks {
    std::vector<std::string> sections;
    json::array tail;
};

Blocks blocks_of(const Reply& reply) {
    Blocks blocks;
    std::vector<std::string> lines = line_sections(reply.lines);
    json::array& tail = blocks.tail;  // what comes after the table
    if (reply.proposal) tail = proposal_blocks(*reply.proposal);
    if (!reply.usage.empty()) tail.push_back(section(usage_text(reply.usage)));

    // Lines and the tail are short; whatever the budget cannot hold is taken from the table.
    std::size_t budget = max_blocks - std::min(max_blocks - 1, tail.size());
    if (lines.size() > budget) lines.resize(budget);
    budget -= lines.size();

    blocks.sections = std::move(lines);
    if (reply.table && budget > 0) {
        TableParts parts = table_sections(*reply.table);
        if (parts.sections.size() > budget) {
            std::size_t left_out = 0;
            for (std::size_t i = budget - 1; i < parts.rows.size(); ++i) left_out += parts.rows[i];
            parts.sections.resize(budget - 1);
            parts.sections.push_back("_" + std::to_string(left_out) + " more rows are not shown here._");
        }
        for (auto& text : parts.sections) blocks.sections.push_back(std::move(text));
    }
    return blocks;
}

// The plain form's marks and what follows the lines, with the lines as the blocks write them, so
// that a notification names people and channels (Slack shows a channel's name for its link, where
// the plain form has only its id). All of it escaped: Slack parses this text for mentions and links
// as well.
std::string fallback_text(const Reply& reply) {
    std::string text;
    for (const auto& line : reply.lines) {
        text += escape_mrkdwn(plain_mark(line.style));
        text += line_body(line);
        text += '\n';
    }
    text += escape_mrkdwn(plain_text_after_lines(reply));
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
}

// `head` (the members before "text", with their comma), then the fallback text and the blocks.
std::string encode(std::string_view head, const Reply& reply) {
    const std::string text = fallback_text(reply);
    const Blocks blocks = blocks_of(reply);
    std::string out;
    out.reserve(head.size() + 2 * text.size() + 256);
    out += '{';
    out += head;
    json_out::append_member(out, "text", text);
    if (!blocks.sections.empty() || !blocks.tail.empty()) {
        out += R"(,"blocks":[)";
        // Every block is an object: a closing brace at the end means a block came before.
        for (const auto& section : blocks.sections) {
            if (out.back() == '}') out += ',';
            append_section(out, section);
        }
        for (const auto& block : blocks.tail) {
            if (out.back() == '}') out += ',';
            json_out::append_value(out, block);
        }
        out += ']';
    }
    out += '}';
    return out;
}

json::object as_object(const std::string& text) {
    return std::move(json::parse(text).as_object());
}

}  // namespace

std::string encode_message(const Reply& reply, chat::Visibility visibility) {
    std::string head = R"("response_type":)";
    json_out::append_string(head, chat::to_string(visibility));
    head += ',';
    return encode(head, reply);
}

std::shared_ptr<const std::string> MessageForms::message(const Reply& reply, chat::Visibility visibility) {
    return forms_.render(reply, chat::to_string(visibility),
                         [visibility](const Reply& keyed) { return encode_message(keyed, visibility); });
}

json::object to_message(const Reply& reply) {
    return to_message(reply, chat::VisibilityPolicy{}.for_kind(reply.kind));
}

json::object to_message(const Reply& reply, chat::Visibility visibility) {
    return as_object(encode_message(reply, visibility));
}

json::object to_replacement(const Reply& reply) {
    return as_object(encode(R"("replace_original":true,)", reply));
}

std::size_t slack_length(std::string_view utf8) {
    std::size_t units = 0;
    for (char c : utf8) {
        const auto byte = static_cast<unsigned char>(c);
        if ((byte & 0xC0) == 0x80) continue;  // a continuation byte
        units += byte >= 0xF0 ? 2 : 1;        // beyond the BMP: a surrogate pair
    }
    return units;
}

}  // namespace collab::slack
