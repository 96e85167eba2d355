#include "adapters/store/invitation_rows.hpp"

#include "core/text.hpp"

namespace collab::store {

std::string email_key(std::string_view email) {
    return text::ascii_lower(email);
}

std::vector<std::string> invitation_values(const Invitation& invitation) {
    const Actor& inviter = invitation.inviter;
    const auto at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(invitation.at.time_since_epoch());
    return {invitation.database,
            invitation.email,
            invitation.collaborator_id,
            inviter.platform,
            inviter.team,
            inviter.channel,
            inviter.user_id,
            inviter.name,
            inviter.email.value_or(""),
            std::to_string(at_ms.count())};
}

Invitation invitation_from(const std::vector<std::string>& values) {
    Invitation invitation;
    invitation.database = values.at(0);
    invitation.email = values.at(1);
    invitation.collaborator_id = values.at(2);
    Actor& inviter = invitation.inviter;
    inviter.platform = values.at(3);
    inviter.team = values.at(4);
    inviter.channel = values.at(5);
    inviter.user_id = values.at(6);
    inviter.name = values.at(7);
    if (!values.at(8).empty()) inviter.email = values.at(8);
    invitation.at = TimePoint{std::chrono::milliseconds{std::stoll(values.at(9))}};
    return invitation;
}

std::string_view fate_name(InvitationFate fate) {
    switch (fate) {
    case InvitationFate::accepted: return "accepted";
    case InvitationFate::vanished: return "vanished";
    case InvitationFate::withdrawn: return "withdrawn";
    }
    return "vanished";
}

}  // namespace collab::store
