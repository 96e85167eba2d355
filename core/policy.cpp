#include "core/policy.hpp"

#include "core/access_request.hpp"
#include "core/replies.hpp"

namespace collab {
namespace {

Decision channel_check(const Actor& actor, const std::string& database, const Rules& rules) {
    auto rule = rules.channel_databases.find(qualified_channel(actor));
    if (rule == rules.channel_databases.end()) {
        if (rules.default_policy == DefaultChannelPolicy::allow_all) return Decision::allow();
        return Decision::deny(replies::channel_not_set_up());
    }
    if (rule->second.contains(database)) return Decision::allow();
    return Decision::deny(replies::channel_may_not_manage(database, rule->second));
}

// Mirrors the platform: only the owner and accepted collaborators act on a database.
Decision member_check(const Actor& actor, Standing standing, const Rules& rules, std::string_view database) {
    if (standing == Standing::owner || standing == Standing::accepted) return Decision::allow();
    if (rules.admins.contains(qualified_user(actor))) return Decision::allow();
    if (standing == Standing::pending) return Decision::deny(replies::invitation_pending(database));
    return Decision::deny(replies::not_a_member(*actor.email, database));
}

Decision removal_check(const Actor& actor, std::string_view target, const DatabaseSnapshot& snapshot,
                       const Rules& rules, bool self_only) {
    const auto& database = snapshot.database.name;
    if (!self_only) {
        // Strangers learn nothing about who is on the database, not even who owns it.
        if (auto member = member_check(actor, standing_of(snapshot, *actor.email), rules, database); !member.allowed)
            return member;
    }
    if (same_email(target, snapshot.database.owner.email))
        return Decision::deny(self_only ? replies::owner_cannot_leave(database)
                                        : replies::owner_cannot_be_removed(target, database));
    if (!rules.service_account_email.empty() && same_email(target, rules.service_account_email))
        return Decision::deny(replies::bot_account_cannot_be_removed(target, database));
    if (self_only && find_collaborator(snapshot, *actor.email) == nullptr)
        return Decision::deny(replies::not_collaborating(*actor.email, database));
    return Decision::allow();
}

}  // namespace

bool channel_may_manage(const Actor& actor, const std::string& database, const Rules& rules) {
    return channel_check(actor, database, rules).allowed;
}

Decision decide(const Actor& actor, const Command& command, const DatabaseSnapshot* snapshot, const Rules& rules) {
    if (std::holds_alternative<HelpCommand>(command) || std::holds_alternative<WhoamiCommand>(command))
        return Decision::allow();
    if (!actor.email || actor.email->empty()) return Decision::deny(replies::identity_not_linked(actor));
    // A confirmed command is decided again on its own; the database lists (dbs, access) are filtered per
    // channel and per database by the service; an offboarding is decided database by database, as a
    // removal from each.
    if (std::holds_alternative<ConfirmCommand>(command) || std::holds_alternative<DatabasesCommand>(command) ||
        std::holds_alternative<AccessCommand>(command) || std::holds_alternative<OffboardCommand>(command))
        return Decision::allow();
    // A request's decision is decided on the database its card names (may_decide).
    if (std::holds_alternative<ApproveCommand>(command) || std::holds_alternative<DenyCommand>(command))
        return Decision::allow();

    auto database = database_of(command);
    if (!database || snapshot == nullptr || snapshot->database.name != *database)
        return Decision::deny(replies::who_may_act_unknown());
    // Asking is not managing: the card goes to a channel that manages the database (access_request.hpp).
    if (std::holds_alternative<RequestCommand>(command)) return may_request(actor, *snapshot, rules);
    if (auto channel = channel_check(actor, *database, rules); !channel.allowed) return channel;
    if (!snapshot->database.dedicated && !rules.allow_apps) return Decision::deny(replies::not_a_database(*database));

    const Standing standing = standing_of(*snapshot, *actor.email);
    return std::visit(
        [&](const auto& c) -> Decision {
            using T = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<T, RemoveCommand>)
                return removal_check(actor, c.email, *snapshot, rules, false);
            else if constexpr (std::is_same_v<T, LeaveCommand>)
                return removal_check(actor, *actor.email, *snapshot, rules, true);
            else
                return member_check(actor, standing, rules, *database);
        },
        command);
}

}  // namespace collab
