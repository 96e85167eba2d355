#include "adapters/chat/visibility.hpp"

namespace collab::chat {

std::string_view to_string(Visibility visibility) {
    return visibility == Visibility::in_channel ? "in_channel" : "ephemeral";
}

Visibility VisibilityPolicy::for_kind(ReplyKind kind) const {
    switch (kind) {
        case ReplyKind::result: return result;
        case ReplyKind::change: return change;
        case ReplyKind::proposal: return proposal;
        case ReplyKind::denied: return denied;
        case ReplyKind::usage_error: return usage_error;
        case ReplyKind::failure: return failure;
    }
    return Visibility::ephemeral;  // an unknown kind stays private
}

VisibilityPolicy& VisibilityPolicy::set(ReplyKind kind, Visibility visibility) {
    switch (kind) {
        case ReplyKind::result: result = visibility; break;
        case ReplyKind::change: change = visibility; break;
        case ReplyKind::proposal: proposal = visibility; break;
        case ReplyKind::denied: denied = visibility; break;
        case ReplyKind::usage_error: usage_error = visibility; break;
        case ReplyKind::failure: failure = visibility; break;
    }
    return *this;
}

Visibility VisibilityPolicy::of(const Outcome& outcome) const {
    const ReplyKind kind = outcome.reply->kind;
    if (kind == ReplyKind::result || kind == ReplyKind::change) {
        if (auto found = by_command.find(outcome.subject()); found != by_command.end()) return found->second;
    }
    return for_kind(kind);
}

}  // namespace collab::chat
