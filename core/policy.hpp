#pragma once
// Whether a person may do what they typed. Pure, and fails closed.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/command.hpp"
#include "core/model.hpp"

namespace collab {

enum class DefaultChannelPolicy {
    allow_all,  // a channel without a rule may manage any database
    deny_all,   // a channel without a rule may manage none
};

struct Rules {
    // Keyed by platform-qualified ids (qualified_user, qualified_channel): never by display names.
    std::set<std::string> admins;
    std::map<std::string, std::set<std::string>> channel_databases;  // channel -> databases it may manage
    DefaultChannelPolicy default_policy = DefaultChannelPolicy::allow_all;
    std::string service_account_email;  // the bot's own account: never removed through the bot
    bool allow_apps = false;  // manage ordinary apps' collaborators too, not only Dedicated Resources databases
};

struct Decision {
    bool allowed = false;
    std::string reason;  // why not, for the person asking; empty when allowed

    static Decision allow() { return {true, {}}; }
    static Decision deny(std::string why) { return {false, std::move(why)}; }
};

// `snapshot` is the state of the database the command names; it must be given for every command
// that names one, and a missing one is a denial.
Decision decide(const Actor& actor, const Command& command, const DatabaseSnapshot* snapshot, const Rules& rules);

// Whether the actor's channel may manage this database at all (channel rules and default policy).
bool channel_may_manage(const Actor& actor, const std::string& database, const Rules& rules);

}  // namespace collab
