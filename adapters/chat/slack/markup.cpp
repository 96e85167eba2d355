#include "adapters/chat/slack/markup.hpp"

#include <array>
#include <utility>

#include "core/text.hpp"

namespace collab::slack {
namespace {

// Appends `text` with Slack's three entities decoded; any other '&' is kept as typed.
void append_unescaped(std::string& out, std::string_view text) {
    static constexpr std::array<std::pair<std::string_view, char>, 3> entities{
        {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}}};
    for (std::size_t i = 0; i < text.size();) {
        bool decoded = false;
        if (text[i] == '&') {
            for (auto [entity, character] : entities) {
                if (text.substr(i, entity.size()) == entity) {
                    out += character;
                    i += entity.size();
                    decoded = true;
                    break;
                }
            }
        }
        if (!decoded) out += text[i++];
    }
}

// The readable form of what was inside "<…>".
void append_markup(std::string& out, std::string_view inside) {
    const auto bar = inside.find('|');
    const std::string_view target = inside.substr(0, bar);
    const std::string_view label = bar == std::string_view::npos ? std::string_view{} : inside.substr(bar + 1);
    if (target.starts_with('@') || target.starts_with('#')) {
        // A user or a channel: its name when Slack gave one, else its id.
        out += target.front();
        append_unescaped(out, label.empty() ? target.substr(1) : label);
    } else if (target.starts_with('!')) {
        // A special mention (here, channel, subteam^S…): Slack's label when present, else "@word".
        if (!label.empty()) {
            append_unescaped(out, label);
        } else {
            out += '@';
            append_unescaped(out, target.substr(1));
        }
    } else if (target.starts_with("mailto:")) {
        append_unescaped(out, target.substr(7));
    } else {
        // A link: the address itself. A label could say anything; the address is what was typed.
        append_unescaped(out, target);
    }
}

}  // namespace

std::string unescape_command_text(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const auto open = text.find('<', i);
        if (open == std::string_view::npos) break;
        const auto close = text.find('>', open + 1);
        if (close == std::string_view::npos) break;
        append_unescaped(out, text.substr(i, open - i));
        append_markup(out, text.substr(open + 1, close - open - 1));
        i = close + 1;
    }
    append_unescaped(out, text.substr(i));
    return out;
}

std::string escape_mrkdwn(std::string_view raw) {
    // Control and bidi characters made visible first, as on a terminal: every text of a message
    // passes here.
    const std::string shown = text::printable(raw, true);
    std::string out;
    out.reserve(shown.size());
    for (char c : shown) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            default: out += c;
        }
    }
    return out;
}

}  // namespace collab::slack
