#include "core/render.hpp"

#include <algorithm>
#include <chrono>

#include "core/text.hpp"

namespace collab {
namespace {

std::string repeat(std::string_view piece, std::size_t count) {
    std::string out;
    out.reserve(piece.size() * count);
    for (std::size_t i = 0; i < count; ++i) out += piece;
    return out;
}

std::string border(const std::vector<std::size_t>& widths, std::string_view left, std::string_view middle,
                   std::string_view right) {
    std::string line(left);
    for (std::size_t i = 0; i < widths.size(); ++i) {
        if (i > 0) line += middle;
        line += repeat("─", widths[i] + 2);
    }
    return line + std::string(right) + "\n";
}

std::string centred(const std::string& cell, std::size_t width) {
    std::size_t space = width - text::display_width(cell);
    return std::string(space / 2, ' ') + cell + std::string(space - space / 2, ' ');
}

std::string left_aligned(const std::string& cell, std::size_t width) {
    return cell + std::string(width - text::display_width(cell), ' ');
}

}  // namespace

SharedReply::SharedReply() {
    // Every default-made outcome starts with this one, so that making one costs no allocation.
    static const auto empty = std::make_shared<const Reply>();
    reply_ = empty;
}

std::string render_table(const Table& raw, bool ansi_dim) {
    // Cells come from outside (usernames from Scalingo, what people typed): made printable before
    // they are measured, so that no escape sequence reaches the terminal and the columns stay aligned.
    Table table = raw;
    for (auto& cell : table.header) cell = text::printable(cell);
    for (auto& row : table.rows)
        for (auto& cell : row) cell = text::printable(cell);
    std::vector<std::size_t> widths(table.header.size());
    for (std::size_t i = 0; i < widths.size(); ++i) {
        widths[i] = text::display_width(table.header[i]);
        for (const auto& row : table.rows) widths[i] = std::max(widths[i], text::display_width(row.at(i)));
    }
    std::string out = border(widths, "┌", "┬", "┐");
    out += "│";
    for (std::size_t i = 0; i < widths.size(); ++i) out += " " + centred(table.header[i], widths[i]) + " │";
    out += "\n" + border(widths, "├", "┼", "┤");
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        bool dim = ansi_dim && r < table.dimmed.size() && table.dimmed[r];
        out += "│";
        for (std::size_t i = 0; i < widths.size(); ++i) {
            std::string cell = left_aligned(table.rows[r][i], widths[i]);
            out += " " + (dim ? "\x1b[2m" + cell + "\x1b[22m" : cell) + " │";
        }
        out += "\n";
    }
    return out + border(widths, "└", "┴", "┘");
}

std::string Proposal::confirm_label() const {
    return action_label.empty() ? "Confirm" : action_label;
}

std::string Proposal::cancel_label() const {
    return kind == ProposalKind::access_request ? "Deny" : "Cancel";
}

std::string Mention::shown() const {
    if (kind == Mentioned::channel) return name.empty() ? id : name;
    if (!name.empty()) return name;
    if (!email.empty()) return email;
    return qualified_id(platform, id);
}

Mention mention_of(const Actor& actor) {
    return Mention{actor.platform, actor.user_id, actor.name, actor.email.value_or("")};
}

Mention channel_mention(std::string platform, std::string channel_id, std::string name) {
    return Mention{std::move(platform), std::move(channel_id), std::move(name), "", Mentioned::channel};
}

std::string plain_line_text(const Line& line) {
    if (!line.mention) return line.text;
    return line.text + line.mention->shown() + line.after;
}

std::string_view plain_mark(LineStyle style) {
    switch (style) {
        case LineStyle::plain: break;
        case LineStyle::done: return "-----> ";
        case LineStyle::error: return " !     ";
    }
    return "";
}

// Every piece of text a reply carries may hold what someone typed or an upstream sent: each is made
// printable here, the one way out to a terminal (render_table does the cells).
std::string to_plain_text(const Reply& reply, const PlainTextOptions& options) {
    std::string out;
    for (const auto& line : reply.lines) {
        out += plain_mark(line.style);
        out += text::printable(plain_line_text(line), true);
        out += "\n";
    }
    out += plain_text_after_lines(reply, options);
    return out;
}

std::string plain_text_after_lines(const Reply& reply, const PlainTextOptions& options) {
    std::string out;
    if (reply.table) out += render_table(*reply.table, options.ansi_dim);
    if (reply.proposal) {
        const Proposal& proposal = *reply.proposal;
        out += text::printable(proposal.question) + "\n";
        if (proposal.kind == ProposalKind::access_request) {
            out += "To approve, type before " + format_utc(proposal.expires_at) + ":\n";
            out += "  " + options.command_prefix + " approve " + proposal.token + "\n";
            out += "To deny:\n  " + options.command_prefix + " deny " + proposal.token + "\n";
        } else {
            out += "To confirm, type before " + format_utc(proposal.expires_at) + ":\n";
            out += "  " + options.command_prefix + " confirm " + proposal.token + "\n";
        }
    }
    if (!reply.usage.empty()) out += text::printable(reply.usage) + "\n";
    return out;
}

std::string format_duration(std::chrono::seconds duration) {
    auto count = duration.count();
    if (count % 60 == 0 && count >= 60) {
        auto minutes = count / 60;
        return std::to_string(minutes) + (minutes == 1 ? " minute" : " minutes");
    }
    return std::to_string(count) + (count == 1 ? " second" : " seconds");
}

}  // namespace collab
