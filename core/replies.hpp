#pragma once
// Everything the bot says, in one place: each reply the service (or an adapter) gives is built here
// from what was decided, and rendered by render.hpp; so are the texts the grammar (command.cpp), the
// policy (policy.cpp) and the token checks (confirmation.cpp) give as their reasons. They decide;
// these words say it.

#include <optional>
#include <set>
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

// One command in detail.
Reply help(const CommandSpec& topic);
// The commands someone at `level` may use now, then how to get further; `typed_confirmations` where
// proposals have no buttons (the shell), so that `confirm` is typed.
Reply help(Audience level, bool typed_confirmations);
Reply usage_error(const UsageError& error);
Reply too_many_addresses(std::size_t allowed, std::size_t given);
Reply api_error(const ApiError& error, std::string_view database);
// Something unexpected went wrong in the bot itself (an adapter caught it).
Reply internal_error();

Reply collaborators(const DatabaseSnapshot& snapshot);

// A change, naming who made it when `by` is given (see ServiceSettings::name_actors):
// "<text> (by <mention>)".
Line done_by(std::string text, const Actor* by);

// `add`, one address at a time.
std::string already_collaborator(std::string_view email, std::string_view database,
                                 std::optional<Status> status = std::nullopt);
std::string already_owner(std::string_view email, std::string_view database);
std::string not_invited_unrecorded(std::string_view email);
std::string invited(std::string_view email, std::string_view database);
constexpr std::string_view invited_before = "invited by an earlier attempt of this command";

// `remove` and `leave`, and their confirmation.
std::string not_a_collaborator(std::string_view email, std::string_view database);
// `pending`: the person leaving has not accepted yet, so leaving declines the invitation.
Proposal proposal(ConfirmAction action, std::string_view email, std::string_view database, std::string token,
                  TimePoint expires_at, bool pending = false);
std::string issued_for_another_account();
std::string use_unknown(std::string_view why);
std::string already_used(const TokenUse& first);
std::string invited_again(std::string_view email, std::string_view database);
std::string nothing_removed_unrecorded();
Reply removed(std::string_view email, std::string_view database, const Actor* by);
// For the audit trail of a confirmed change: who proposed it.
std::string proposed_by(const ConfirmationClaims& claims);
constexpr std::string_view removed_before = "removed by an earlier attempt of this confirmation";
// `offboard`.
std::string offboard_nothing(std::string_view email);
std::string bot_account_cannot_be_offboarded(std::string_view account);
Proposal offboard_proposal(std::string_view email, const std::vector<Seat>& seats, std::string token,
                           TimePoint expires_at);
std::string not_checked(std::string_view email, std::string_view database, std::string_view why);
std::string left_for_later(std::string_view email, const std::vector<std::string>& databases);
std::string no_longer_there(std::string_view email, std::string_view database);
std::string still_has_access(std::string_view email, std::string_view database, std::string_view why);

// `resend`.
std::string not_invited(std::string_view email, std::string_view database);
std::string nothing_to_resend(std::string_view email, std::string_view database);
std::string resent(std::string_view email, std::string_view database);
constexpr std::string_view revoking_to_resend = "revoking the pending invitation, to send a new one";
constexpr std::string_view trail_unwritable = "the audit trail cannot be written";
std::string revoked_not_resent(std::string_view email, std::string_view database, std::string_view why);

// A click on a proposal's Cancel button.
Reply cancelled(const ConfirmationClaims& claims);
Reply cancel_refused();

// The watch's notices about an invitation sent through the bot, `ago` after it was sent.
Reply invitation_accepted(const Invitation& invitation, std::chrono::seconds ago);
Reply invitation_vanished(const Invitation& invitation, std::chrono::seconds ago);
// "2 h ago", "5 min ago", "3 days ago".
std::string time_ago(std::chrono::seconds ago);

// The grammar's usage errors.
std::string usage_line(const CommandSpec& spec);
std::string general_usage();
std::string not_utf8();
std::string quote_left_open();
std::string option_before_command();
std::string unknown_command(std::string_view word, const CommandSpec* guess);
std::string unknown_option(std::string_view option, std::string_view command);
std::string limited_role();
enum class Missing { database, database_and_emails, emails_to_invite, database_and_email, email, token };
std::string missing(Missing what);
std::string unexpected_word(std::string_view word);
std::string one_email_to_remove(std::string_view extra);
std::string unknown_audit_filter(std::string_view word);
std::string filter_repeated(std::string_view filter);
// What the grammar found wrong with an e-mail address; `part` is the character or the domain part at
// fault, where there is one.
enum class EmailFault {
    empty,
    too_long,
    look_alike_at,
    no_at,
    several_at,
    nothing_before_at,
    nothing_after_at,
    local_too_long,
    misplaced_dots,
    local_character,
    domain_character,
    domain_without_dot,
    empty_domain_part,
    domain_part,
    numeric_domain_end,
};
std::string email_problem(EmailFault fault, std::string_view email, std::string_view part = {});
// What the grammar found wrong with a database name; for upper_case, `name` is the name lower-cased.
enum class DatabaseNameFault { upper_case, looks_like_email, too_long, invalid };
std::string database_name_problem(DatabaseNameFault fault, std::string_view name);

// The policy's reasons for a denial.
std::string identity_not_linked(const Actor& actor);
std::string who_may_act_unknown();
std::string not_a_database(std::string_view name);
std::string channel_not_set_up();
std::string channel_may_not_manage(std::string_view database, const std::set<std::string>& allowed);
std::string invitation_pending(std::string_view database);
std::string not_a_member(std::string_view email, std::string_view database);
std::string not_collaborating(std::string_view email, std::string_view database);
std::string owner_cannot_leave(std::string_view database);
std::string owner_cannot_be_removed(std::string_view owner, std::string_view database);
std::string bot_account_cannot_be_removed(std::string_view account, std::string_view database);

// The token checks' reasons for refusing a confirmation.
std::string token_not_valid();
std::string proposed_to_someone_else();
std::string proposed_in_another_channel();
std::string confirmation_expired(TimePoint expires_at);

// `whoami`: `bot_account` when the upstream could say which account the bot acts as.
Reply whoami(const Actor& actor, bool admin, const std::optional<std::string>& bot_account);
Reply audit_trail(const AuditQuery& query, const std::vector<AuditEntry>& entries);
// `dbs`: the databases `email` is on (all those seen from the channel, for an admin), with their role.
Reply your_databases(std::string_view email, const std::vector<const DatabaseSnapshot*>& databases, bool admin);
// `access`: the databases, among those the asker manages, where `email` is the owner or a collaborator.
Reply access(std::string_view email, const std::vector<const DatabaseSnapshot*>& databases);
std::string manages_nothing(std::string_view asker);

// A database the bot could not read: its account is not a collaborator of it, or there is none of that
// name (and one the asker may see has a name close to it).
std::string bot_not_a_collaborator(std::string_view bot_account, std::string_view database);
std::string no_such_database(std::string_view name, std::string_view suggestion);

}  // namespace collab::replies
