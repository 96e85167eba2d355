#include "core/model.hpp"

#include <algorithm>

namespace collab {

std::string_view to_string(Status status) {
    switch (status) {
        case Status::pending: return "pending";
        case Status::accepted: return "accepted";
        case Status::account_deleted: return "user account deleted";
    }
    return "unknown";
}

std::optional<Status> status_from_string(std::string_view text) {
    if (text == "pending") return Status::pending;
    if (text == "accepted") return Status::accepted;
    if (text == "user account deleted") return Status::account_deleted;
    return std::nullopt;
}

std::string qualified_id(std::string_view platform, std::string_view id) {
    std::string qualified(platform);
    qualified += ':';
    qualified += id;
    return qualified;
}

std::string qualified_user(const Actor& actor) {
    return qualified_id(actor.platform, actor.user_id);
}

std::string qualified_channel(const Actor& actor) {
    return qualified_id(actor.platform, actor.channel);
}

bool same_email(std::string_view a, std::string_view b) {
    auto lower = [](unsigned char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : char(c); };
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}

const Collaborator* find_collaborator(const DatabaseSnapshot& snapshot, std::string_view email) {
    auto it = std::find_if(snapshot.collaborators.begin(), snapshot.collaborators.end(),
                           [&](const Collaborator& c) { return same_email(c.email, email); });
    return it == snapshot.collaborators.end() ? nullptr : &*it;
}

Standing standing_of(const DatabaseSnapshot& snapshot, std::string_view email) {
    if (same_email(snapshot.database.owner.email, email)) return Standing::owner;
    const Collaborator* c = find_collaborator(snapshot, email);
    if (c == nullptr) return Standing::stranger;
    return c->status == Status::accepted  ? Standing::accepted
           : c->status == Status::pending ? Standing::pending
                                          : Standing::stranger;
}

}  // namespace collab
