#pragma once
// Everything the bot says, in one place: each reply the service (or an adapter) gives is built here
// from what was decided, and rendered by render.hpp. The grammar's usage errors and the policy's
// reasons are composed where they are decided and arrive here as text.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/command.hpp"
#include "core/confirmation.hpp"
#include "core/ports.hpp"
#include "core/render.hpp"

namespace collab::replies {

// A reply of one line.
Reply one_line(ReplyKind kind, LineStyle style, std::string text);
// A refusal or failure whose reason was composed elsewhere (the policy, a token check, a port).
Reply refused(std::string reason);
Reply failed(std::string reason);

Reply help(const std::optional<std::string>& topic);
Reply usage_error(const UsageError& error);
Reply too_many_addresses(std::size_t allowed, std::size_t given);
Reply api_error(const ApiError& error, std::string_view database);
// Something unexpected went wrong in the bot itself (an adapter caught it).
Reply internal_error();

Reply collaborators(const DatabaseSnapshot& snapshot);

// `add`, one address at a time.
std::string already_collaborator(std::string_view email, std::string_view database,
                                 std::optional<Status> status = std::nullopt);
std::string already_owner(std::string_view email, std::string_view database);
std::string not_invited_unrecorded(std::string_view email);
std::string invited(std::string_view email, std::string_view database);
constexpr std::string_view invited_before = "invited by an earlier attempt of this command";

// `remove` and `leave`, and their confirmation.
std::string not_a_collaborator(std::string_view email, std::string_view database);
Proposal proposal(ConfirmAction action, std::string_view email, std::string_view database, std::string token,
                  TimePoint expires_at);
std::string issued_for_another_account();
std::string use_unknown(std::string_view why);
std::string already_used(const TokenUse& first);
std::string invited_again(std::string_view email, std::string_view database);
std::string nothing_removed_unrecorded();
Reply removed(std::string_view email, std::string_view database);
constexpr std::string_view removed_before = "removed by an earlier attempt of this confirmation";
// A click on a proposal's Cancel button.
Reply cancelled(const ConfirmationClaims& claims);
Reply cancel_refused();

// `whoami`: `bot_account` when the upstream could say which account the bot acts as.
Reply whoami(const Actor& actor, bool admin, const std::optional<std::string>& bot_account);
Reply audit_trail(std::string_view database, const std::vector<AuditEntry>& entries);
Reply manageable_databases(const std::vector<std::string>& names);

}  // namespace collab::replies
