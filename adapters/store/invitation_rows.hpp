#pragma once
// The remembered invitations' rows, the same in every store: one per database and invitee (a new
// invitation of the same person replaces the last), pending until its fate is settled.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/ports.hpp"

namespace collab::store {

// The columns written by remember() and read by pending(), in this order (email_key first when written).
inline constexpr std::string_view invitation_columns =
    "database_name, email, collaborator_id, platform, team, channel, user_id, user_name, inviter_email, invited_at_ms";

// The key one invitee has on a database: e-mail addresses are compared without regard to case.
std::string email_key(std::string_view email);
// The values of invitation_columns, as text.
std::vector<std::string> invitation_values(const Invitation& invitation);
// An invitation from those values, in the same order.
Invitation invitation_from(const std::vector<std::string>& values);
std::string_view fate_name(InvitationFate fate);

}  // namespace collab::store
