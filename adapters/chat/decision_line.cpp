#include "adapters/chat/decision_line.hpp"

#include <algorithm>
#include <charconv>
#include <string_view>

namespace collab::chat {
namespace {

// key=value, the value quoted when it is empty or holds a blank, a quote or an equals sign (logfmt).
void append_field(std::string& line, std::string_view key, std::string_view value) {
    line += ' ';
    line += key;
    line += '=';
    const bool bare = !value.empty() && std::none_of(value.begin(), value.end(), [](char c) {
        return c == ' ' || c == '"' || c == '=' || c == '\\';
    });
    if (bare) {
        line += value;
        return;
    }
    line += '"';
    for (char c : value) {
        if (c == '"' || c == '\\') line += '\\';
        line += c;
    }
    line += '"';
}

}  // namespace

std::string decision_line(std::string_view request_id, const DecisionNote& note) {
    std::string line;
    // One allocation for the whole line, with room for what the caller appends.
    line.reserve(320);
    line += '[';
    line += request_id;
    line += "] decision";
    append_field(line, "platform", note.actor.platform);
    append_field(line, "team", note.actor.team);
    append_field(line, "channel", note.actor.channel);
    append_field(line, "user", note.actor.user_id);
    append_field(line, "email", note.actor.email.value_or(""));
    append_field(line, "command", note.command);
    append_field(line, "database", note.database);
    append_field(line, "target", note.target);
    append_field(line, "decision", note.decision);
    if (!note.reason.empty()) append_field(line, "reason", note.reason);
    return line;
}

void append_elapsed(std::string& line, std::chrono::microseconds elapsed) {
    const long long tenths = (std::max<long long>(elapsed.count(), 0) + 50) / 100;
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, tenths / 10).ptr;
    line += " elapsed_ms=";
    line.append(digits, end);
    line += '.';
    line += static_cast<char>('0' + tenths % 10);
}

}  // namespace collab::chat
