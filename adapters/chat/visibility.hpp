#pragma once
// Who sees a reply: the person who asked alone, or the whole channel. Every platform with channels
// makes that choice per reply; the choice itself is made here, once.
//
// By default only executed changes go to the channel, so the team sees them; everything else is for
// the person who asked. A command's own setting overrides that for its results and changes, and a
// confirmation follows the setting of what it confirms (remove, leave).

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "core/render.hpp"
#include "core/service.hpp"

namespace collab::chat {

enum class Visibility { ephemeral, in_channel };
std::string_view to_string(Visibility visibility);

struct VisibilityPolicy {
    Visibility result = Visibility::ephemeral;
    Visibility change = Visibility::in_channel;
    Visibility proposal = Visibility::ephemeral;
    Visibility denied = Visibility::ephemeral;
    Visibility usage_error = Visibility::ephemeral;
    Visibility failure = Visibility::ephemeral;
    // By command name ("list", "add", …): for the result and change kinds.
    std::map<std::string, Visibility, std::less<>> by_command;

    Visibility for_kind(ReplyKind kind) const;
    VisibilityPolicy& set(ReplyKind kind, Visibility visibility);
    // Who sees the reply of this outcome.
    Visibility of(const Outcome& outcome) const;
};

}  // namespace collab::chat
