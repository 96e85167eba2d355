#include "adapters/chat/markdown_reply.hpp"

#include <vector>

#include "core/text.hpp"

namespace collab::chat {

namespace {

constexpr std::string_view fence = "```";

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
std::string shown(std::string_view text, const MarkdownDialect& dialect) {
    return dialect.escape(text::printable(text, true));
}

std::string line_body(const Line& line, const MarkdownDialect& dialect) {
    if (!line.mention) return shown(line.text, dialect);
    const std::string person = dialect.mention ? dialect.mention(*line.mention) : shown(line.mention->shown(), dialect);
    return shown(line.text, dialect) + person + shown(line.after, dialect);
}

std::string line_text(const Line& line, const MarkdownDialect& dialect) {
    switch (line.style) {
        case LineStyle::done: return "`----->` " + line_body(line, dialect);
        case LineStyle::error: return "`!` " + line_body(line, dialect);
        case LineStyle::plain: break;
    }
    return line_body(line, dialect);
}

std::string usage_text(std::string_view usage) {
    constexpr std::string_view label = "Usage: ";
    if (usage.starts_with(label)) return "Usage: `" + code_safe(usage.substr(label.size())) + "`";
    return "`" + code_safe(usage) + "`";
}

std::string proposal_text(const Proposal& proposal, const MarkdownDialect& dialect) {
    return shown(proposal.question, dialect) + "\n*This button works until " + format_utc(proposal.expires_at) + ".*";
}

std::string left_out_note(std::size_t rows) {
    return "\n*" + std::to_string(rows) + " more rows are not shown here.*";
}

// The box table as a code block of at most `budget` characters: rows cut on a boundary, and a line
// after the block saying how many were left out.
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
    const std::size_t note = code_points(left_out_note(rows));
    std::size_t length = code_points(block) + code_points(foot);
    std::size_t rows_shown = 0;
    for (; rows_shown < rows; ++rows_shown) {
        const std::string& row = lines[3 + rows_shown];
        const bool last = rows_shown + 1 == rows;
        if (length + code_points(row) + (last ? 0 : note) > budget) break;
        length += code_points(row);
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

}  // namespace

std::string markdown_of(const Reply& reply, const MarkdownDialect& dialect) {
    std::vector<std::string> lines;
    for (const auto& line : reply.lines) lines.push_back(line_text(line, dialect));
    std::vector<std::string> after;
    if (reply.proposal) after.push_back(proposal_text(*reply.proposal, dialect));
    if (!reply.usage.empty()) after.push_back(usage_text(reply.usage));
    std::string content = joined(lines);
    const std::string tail = joined(after);
    const std::size_t limit = dialect.max_characters;
    if (reply.table) {
        const std::size_t fixed = code_points(content) + code_points(tail) + 2;  // the separating line feeds
        const std::size_t budget = fixed < limit ? limit - fixed : 0;
        content = joined({content, table_block(*reply.table, budget)});
    }
    content = joined({content, tail});
    if (code_points(content) > limit) content = text::shortened(content, limit - 1);
    return content;
}

std::size_t code_points(std::string_view utf8) {
    std::size_t characters = 0;
    for (char c : utf8)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++characters;  // not a continuation byte
    return characters;
}

}  // namespace collab::chat
