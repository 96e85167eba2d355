#pragma once
// Confirmation tokens: everything needed to carry out a proposed removal, sealed by a Signer,
// so that any instance of the bot can check a confirmation without server-side state.

#include <expected>
#include <string>

#include "core/model.hpp"
#include "core/ports.hpp"

namespace collab {

enum class ConfirmAction { remove, leave };

struct ConfirmationClaims {
    ConfirmAction action = ConfirmAction::remove;
    std::string platform;
    std::string team;
    std::string user_id;
    std::string channel;
    std::string database;
    std::string target;  // the e-mail whose access goes away
    TimePoint expires_at;
};

std::string issue_token(const Signer& signer, const ConfirmationClaims& claims);

// The claims of a genuine token, whoever presents it and whenever: for the audit trail of a refusal.
std::optional<ConfirmationClaims> read_token(const Signer& signer, std::string_view token);

// The claims when the token is genuine, unexpired, and presented by the same person in the same
// channel; otherwise the reason, for the person presenting it.
std::expected<ConfirmationClaims, std::string> check_token(const Signer& signer, std::string_view token,
                                                           const Actor& presenter, TimePoint now);

}  // namespace collab
