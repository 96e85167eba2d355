#pragma once
// A core Reply as one markdown message, for the platforms whose messages are markdown text with a
// length limit (Discord, Mattermost). Pure.
//
// Layout: the lines (escaped by the platform's rules, each with the CLI's marker in a code span),
// the table as the box table in a code block, the proposal's question and deadline, the usage line.
// A table too long for the message is cut on a row boundary and a last line says how many rows were
// left out; lines alone too long (never seen in practice) are cut.

#include <cstddef>
#include <string>
#include <string_view>

#include "core/render.hpp"

namespace collab::chat {

struct MarkdownDialect {
    std::size_t max_characters = 2000;  // code points, as both platforms count them
    // Text from outside shown as typed on the platform: no markup, no mention.
    std::string (*escape)(std::string_view text) = nullptr;
    // A person or channel named in a line, as the platform mentions it; null: by Mention::shown, escaped.
    std::string (*mention)(const Mention& mentioned) = nullptr;
};

std::string markdown_of(const Reply& reply, const MarkdownDialect& dialect);

// Characters as the platforms count them for their limits: code points.
std::size_t code_points(std::string_view utf8);

}  // namespace collab::chat
