// decide() as a matrix: who is asking × what they ask, then the config rules on top.

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "core/policy.hpp"

namespace collab {
namespace {

const std::string db = "my-dedicated-db";
const std::string owner_email = "user1@example.com";
const std::string bot_email = "collab-bot@example.com";

DatabaseSnapshot seed() {
    return DatabaseSnapshot{Database{db, Account{"u1", owner_email, "user1"}, true},
                            {Collaborator{"c2", "user2@example.com", "user2", Status::accepted, false},
                             Collaborator{"c3", "user3@example.com", "n/a", Status::pending, false},
                             Collaborator{"c4", "user4@example.com", "user4", Status::accepted, false},
                             Collaborator{"c5", bot_email, "collab-bot", Status::accepted, false}}};
}

// Every address a denial to an outsider must not reveal.
const std::vector<std::string> member_emails{owner_email, "user2@example.com", "user3@example.com", "user4@example.com",
                                             bot_email};

Rules rules() {
    Rules r;
    r.admins = {"slack:U-admin"};
    r.service_account_email = bot_email;
    return r;
}

Actor actor(std::string user_id, std::optional<std::string> email, std::string channel = "C-ops") {
    return Actor{"slack", "T1", std::move(user_id), std::move(channel), std::move(email)};
}

enum class Who { owner, accepted, pending, stranger, admin, unlinked };

Actor actor_for(Who who) {
    switch (who) {
        case Who::owner: return actor("U1", owner_email);
        case Who::accepted: return actor("U2", "user2@example.com");
        case Who::pending: return actor("U3", "user3@example.com");
        case Who::stranger: return actor("U9", "stranger@example.com");
        case Who::admin: return actor("U-admin", "admin@example.com");
        case Who::unlinked: return actor("U0", std::nullopt);
    }
    return {};
}

enum class What { list, add, remove_other, remove_owner, remove_bot, leave, audit, whoami, help, dbs };

Command command_for(What what) {
    switch (what) {
        case What::list: return ListCommand{db};
        case What::add: return AddCommand{db, {"new@example.com"}};
        case What::remove_other: return RemoveCommand{db, "user4@example.com"};
        case What::remove_owner: return RemoveCommand{db, owner_email};
        case What::remove_bot: return RemoveCommand{db, bot_email};
        case What::leave: return LeaveCommand{db};
        case What::audit: return AuditCommand{db};
        case What::whoami: return WhoamiCommand{};
        case What::help: return HelpCommand{};
        case What::dbs: return DatabasesCommand{};
    }
    return HelpCommand{};
}

struct MatrixCase {
    std::string name;
    Who who;
    What what;
    bool allowed;
    std::vector<std::string> reason_words;  // each must appear in the denial
};

std::vector<MatrixCase> matrix() {
    const std::string pending = "is still pending";
    const std::string not_member = "are not a collaborator of my-dedicated-db";
    const std::string unlinked = "is not linked to a Scalingo account";
    const std::vector<std::string> owns{"\"user1@example.com\" owns my-dedicated-db", "cannot be removed"};
    const std::vector<std::string> bot{"\"collab-bot@example.com\" is the account the bot works with"};
    const std::vector<std::string> owner_leaves{"You own my-dedicated-db", "cannot stop collaborating"};
    const auto allow = [](std::string name, Who who, What what) { return MatrixCase{name, who, what, true, {}}; };
    const auto deny = [](std::string name, Who who, What what, std::vector<std::string> words) {
        return MatrixCase{name, who, what, false, std::move(words)};
    };
    return {
        allow("owner_list", Who::owner, What::list),
        allow("owner_add", Who::owner, What::add),
        allow("owner_remove_other", Who::owner, What::remove_other),
        deny("owner_remove_owner", Who::owner, What::remove_owner, owns),
        deny("owner_remove_bot", Who::owner, What::remove_bot, bot),
        deny("owner_leave", Who::owner, What::leave, owner_leaves),
        allow("owner_audit", Who::owner, What::audit),
        allow("owner_whoami", Who::owner, What::whoami),
        allow("owner_help", Who::owner, What::help),
        // The list itself is filtered per channel by the service.
        allow("owner_dbs", Who::owner, What::dbs),

        allow("accepted_list", Who::accepted, What::list),
        allow("accepted_add", Who::accepted, What::add),
        allow("accepted_remove_other", Who::accepted, What::remove_other),
        deny("accepted_remove_owner", Who::accepted, What::remove_owner, owns),
        deny("accepted_remove_bot", Who::accepted, What::remove_bot, bot),
        allow("accepted_leave", Who::accepted, What::leave),
        allow("accepted_audit", Who::accepted, What::audit),
        allow("accepted_whoami", Who::accepted, What::whoami),
        allow("accepted_help", Who::accepted, What::help),
        allow("accepted_dbs", Who::accepted, What::dbs),

        deny("pending_list", Who::pending, What::list, {pending, "accept it"}),
        deny("pending_add", Who::pending, What::add, {pending}),
        deny("pending_remove_other", Who::pending, What::remove_other, {pending}),
        deny("pending_remove_owner", Who::pending, What::remove_owner, {pending}),
        deny("pending_remove_bot", Who::pending, What::remove_bot, {pending}),
        // A pending invitee may turn the invitation down.
        allow("pending_leave", Who::pending, What::leave),
        deny("pending_audit", Who::pending, What::audit, {pending}),
        allow("pending_whoami", Who::pending, What::whoami),
        allow("pending_help", Who::pending, What::help),
        allow("pending_dbs", Who::pending, What::dbs),

        deny("stranger_list", Who::stranger, What::list, {"You (stranger@example.com)", not_member, "/collab request my-dedicated-db"}),
        deny("stranger_add", Who::stranger, What::add, {not_member}),
        deny("stranger_remove_other", Who::stranger, What::remove_other, {not_member}),
        deny("stranger_remove_owner", Who::stranger, What::remove_owner, {not_member}),
        deny("stranger_remove_bot", Who::stranger, What::remove_bot, {not_member}),
        deny("stranger_leave", Who::stranger, What::leave, {not_member}),
        deny("stranger_audit", Who::stranger, What::audit, {not_member}),
        allow("stranger_whoami", Who::stranger, What::whoami),
        allow("stranger_help", Who::stranger, What::help),
        allow("stranger_dbs", Who::stranger, What::dbs),

        allow("admin_list", Who::admin, What::list),
        allow("admin_add", Who::admin, What::add),
        allow("admin_remove_other", Who::admin, What::remove_other),
        deny("admin_remove_owner", Who::admin, What::remove_owner, owns),
        deny("admin_remove_bot", Who::admin, What::remove_bot, bot),
        // Being an admin is not being a collaborator: there is nothing to leave.
        deny("admin_leave", Who::admin, What::leave, {"You (admin@example.com)", not_member}),
        allow("admin_audit", Who::admin, What::audit),
        allow("admin_whoami", Who::admin, What::whoami),
        allow("admin_help", Who::admin, What::help),
        allow("admin_dbs", Who::admin, What::dbs),

        deny("unlinked_list", Who::unlinked, What::list,
             {"(slack:U0)", unlinked, "add \"slack:U0\" = \"you@example.com\"", "under [identities]"}),
        deny("unlinked_add", Who::unlinked, What::add, {unlinked}),
        deny("unlinked_remove_other", Who::unlinked, What::remove_other, {unlinked}),
        deny("unlinked_remove_owner", Who::unlinked, What::remove_owner, {unlinked}),
        deny("unlinked_remove_bot", Who::unlinked, What::remove_bot, {unlinked}),
        deny("unlinked_leave", Who::unlinked, What::leave, {unlinked}),
        deny("unlinked_audit", Who::unlinked, What::audit, {unlinked}),
        allow("unlinked_whoami", Who::unlinked, What::whoami),
        allow("unlinked_help", Who::unlinked, What::help),
        deny("unlinked_dbs", Who::unlinked, What::dbs, {unlinked}),
    };
}

// Failure output names the case instead of dumping its bytes.
void PrintTo(const MatrixCase& c, std::ostream* os) {
    *os << c.name;
}

class Matrix : public ::testing::TestWithParam<MatrixCase> {};

TEST_P(Matrix, Decision) {
    const auto& c = GetParam();
    const DatabaseSnapshot snapshot = seed();
    const Decision decision = decide(actor_for(c.who), command_for(c.what), &snapshot, rules());
    EXPECT_EQ(decision.allowed, c.allowed) << decision.reason;
    if (c.allowed) {
        EXPECT_EQ(decision.reason, "");
        return;
    }
    for (const auto& word : c.reason_words)
        EXPECT_NE(decision.reason.find(word), std::string::npos) << "\"" << word << "\" not in: " << decision.reason;
    // Outsiders are not told who is on the database, not even who owns it.
    if (c.who == Who::pending || c.who == Who::stranger || c.who == Who::unlinked) {
        for (const auto& email : member_emails)
            EXPECT_EQ(decision.reason.find(email), std::string::npos) << email << " leaked in: " << decision.reason;
    }
}

INSTANTIATE_TEST_SUITE_P(StandingTimesCommand, Matrix, ::testing::ValuesIn(matrix()),
                         [](const auto& info) { return info.param.name; });

// ---- Channel rules --------------------------------------------------------------------------------------------

const std::vector<What> database_commands{What::list, What::add, What::remove_other, What::leave, What::audit};

TEST(ChannelRules, ChannelScopedToOtherDatabasesIsDeniedWhateverTheStanding) {
    Rules r = rules();
    r.channel_databases["slack:C-ops"] = {"other-db", "staging-db"};
    const DatabaseSnapshot snapshot = seed();
    for (Who who : {Who::owner, Who::accepted}) {
        for (What what : database_commands) {
            const Decision decision = decide(actor_for(who), command_for(what), &snapshot, r);
            EXPECT_FALSE(decision.allowed);
            EXPECT_EQ(decision.reason,
                      "This channel may not manage my-dedicated-db (it manages: other-db, staging-db).");
        }
    }
}

TEST(ChannelRules, BindAdminsToo) {
    // A channel scoped to staging must not reach production, whoever types in it.
    Rules r = rules();
    r.channel_databases["slack:C-ops"] = {"staging-db"};
    const DatabaseSnapshot snapshot = seed();
    EXPECT_FALSE(decide(actor_for(Who::admin), command_for(What::list), &snapshot, r).allowed);
}

TEST(ChannelRules, ChannelWithAnEmptyRuleManagesNothing) {
    Rules r = rules();
    r.channel_databases["slack:C-ops"] = {};
    const DatabaseSnapshot snapshot = seed();
    const Decision decision = decide(actor_for(Who::owner), command_for(What::list), &snapshot, r);
    EXPECT_FALSE(decision.allowed);
    EXPECT_EQ(decision.reason, "This channel may not manage my-dedicated-db.");
}

TEST(ChannelRules, ChannelWhoseRuleNamesTheDatabaseIsAllowed) {
    Rules r = rules();
    r.default_policy = DefaultChannelPolicy::deny_all;
    r.channel_databases["slack:C-ops"] = {db};
    const DatabaseSnapshot snapshot = seed();
    for (What what : database_commands)
        EXPECT_TRUE(decide(actor_for(Who::accepted), command_for(what), &snapshot, r).allowed);
}

TEST(ChannelRules, WhoamiAndHelpWorkInAnyChannel) {
    Rules r = rules();
    r.default_policy = DefaultChannelPolicy::deny_all;
    r.channel_databases["slack:C-ops"] = {"other-db"};
    for (What what : {What::whoami, What::help}) {
        EXPECT_TRUE(decide(actor_for(Who::owner), command_for(what), nullptr, r).allowed);
        EXPECT_TRUE(decide(actor("U1", owner_email, "C-elsewhere"), command_for(what), nullptr, r).allowed);
    }
}

TEST(DefaultPolicy, DenyAllRefusesChannelsWithoutARule) {
    Rules r = rules();
    r.default_policy = DefaultChannelPolicy::deny_all;
    r.channel_databases["slack:C-ops"] = {db};
    const DatabaseSnapshot snapshot = seed();
    for (What what : database_commands) {
        const Decision decision = decide(actor("U1", owner_email, "C-random"), command_for(what), &snapshot, r);
        EXPECT_FALSE(decision.allowed);
        EXPECT_EQ(decision.reason,
                  "This channel is not set up to manage databases; an admin of the bot can add a rule for it.");
    }
}

TEST(DefaultPolicy, AllowAllLetsChannelsWithoutARuleThrough) {
    Rules r = rules();
    r.default_policy = DefaultChannelPolicy::allow_all;
    r.channel_databases["slack:C-ops"] = {"other-db"};
    const DatabaseSnapshot snapshot = seed();
    EXPECT_TRUE(decide(actor("U1", owner_email, "C-random"), command_for(What::list), &snapshot, r).allowed);
}

// ---- Failing closed ---------------------------------------------------------------------------------------------

TEST(FailsClosed, NoSnapshotIsADenial) {
    const Decision decision = decide(actor_for(Who::owner), command_for(What::list), nullptr, rules());
    EXPECT_FALSE(decision.allowed);
    EXPECT_EQ(decision.reason, "The bot could not establish who may act on this database.");
}

TEST(FailsClosed, SnapshotOfAnotherDatabaseIsADenial) {
    DatabaseSnapshot other = seed();
    other.database.name = "other-db";
    for (What what : database_commands)
        EXPECT_FALSE(decide(actor_for(Who::owner), command_for(what), &other, rules()).allowed);
}

TEST(FailsClosed, EmptyEmailCountsAsUnlinked) {
    const DatabaseSnapshot snapshot = seed();
    const Decision decision = decide(actor("U0", ""), command_for(What::list), &snapshot, rules());
    EXPECT_FALSE(decision.allowed);
    EXPECT_NE(decision.reason.find("is not linked to a Scalingo account"), std::string::npos);
}

TEST(FailsClosed, DeletedAccountIsNotAMember) {
    DatabaseSnapshot snapshot = seed();
    snapshot.collaborators.push_back(Collaborator{"c6", "gone@example.com", "gone", Status::account_deleted, false});
    EXPECT_FALSE(decide(actor("U6", "gone@example.com"), command_for(What::list), &snapshot, rules()).allowed);
}

// ---- Confirmation and addresses ------------------------------------------------------------------------------

// ---- Applications that are not Dedicated Resources databases ------------------------------------------------

TEST(Applications, AreRefusedUnlessAllowed) {
    DatabaseSnapshot app = seed();
    app.database.dedicated = false;
    const Decision decision = decide(actor_for(Who::owner), command_for(What::list), &app, rules());
    EXPECT_FALSE(decision.allowed);
    EXPECT_EQ(decision.reason,
              "my-dedicated-db is an application, not a Dedicated Resources database; the bot manages the "
              "collaborators of databases only.");

    Rules r = rules();
    r.allow_apps = true;
    EXPECT_TRUE(decide(actor_for(Who::owner), command_for(What::list), &app, r).allowed);
}

TEST(Applications, ChannelRuleIsCheckedFirst) {
    // A channel that may not manage the name learns nothing about what it is.
    DatabaseSnapshot app = seed();
    app.database.dedicated = false;
    Rules r = rules();
    r.channel_databases["slack:C-ops"] = {"other-db"};
    EXPECT_EQ(decide(actor_for(Who::owner), command_for(What::list), &app, r).reason,
              "This channel may not manage my-dedicated-db (it manages: other-db).");
}

TEST(ChannelMayManage, FollowsRulesAndDefaultPolicy) {
    Rules r = rules();
    r.default_policy = DefaultChannelPolicy::deny_all;
    r.channel_databases["slack:C-ops"] = {db};
    EXPECT_TRUE(channel_may_manage(actor("U1", owner_email, "C-ops"), db, r));
    EXPECT_FALSE(channel_may_manage(actor("U1", owner_email, "C-ops"), "other-db", r));
    EXPECT_FALSE(channel_may_manage(actor("U1", owner_email, "C-random"), db, r));
    r.default_policy = DefaultChannelPolicy::allow_all;
    EXPECT_TRUE(channel_may_manage(actor("U1", owner_email, "C-random"), db, r));
}

// ---- Platforms ------------------------------------------------------------------------------------------------

TEST(Platforms, AnAdminIsAnAdminOnTheirOwnPlatformOnly) {
    // The same id on Discord is someone else: only a member's rights, here none.
    const DatabaseSnapshot snapshot = seed();
    Actor on_discord = actor("U-admin", "admin@example.com");
    on_discord.platform = "discord";
    EXPECT_FALSE(decide(on_discord, command_for(What::list), &snapshot, rules()).allowed);
    Rules r = rules();
    r.admins.insert("discord:U-admin");
    EXPECT_TRUE(decide(on_discord, command_for(What::list), &snapshot, r).allowed);
}

TEST(Platforms, AChannelRuleBindsTheChannelOfItsOwnPlatformOnly) {
    Rules r = rules();
    r.default_policy = DefaultChannelPolicy::deny_all;
    r.channel_databases["discord:C-ops"] = {db};
    Actor on_discord = actor("U1", owner_email, "C-ops");
    on_discord.platform = "discord";
    EXPECT_TRUE(channel_may_manage(on_discord, db, r));
    EXPECT_FALSE(channel_may_manage(actor("U1", owner_email, "C-ops"), db, r));
}

TEST(Confirm, NeedsALinkedIdentityOnly) {
    // The confirmed command is decided again when it is carried out.
    EXPECT_TRUE(decide(actor_for(Who::stranger), ConfirmCommand{"token"}, nullptr, rules()).allowed);
    const Decision unlinked = decide(actor_for(Who::unlinked), ConfirmCommand{"token"}, nullptr, rules());
    EXPECT_FALSE(unlinked.allowed);
    EXPECT_NE(unlinked.reason.find("is not linked to a Scalingo account"), std::string::npos);
}

TEST(Addresses, ComparedWithoutRegardToCase) {
    const DatabaseSnapshot snapshot = seed();
    EXPECT_TRUE(decide(actor("U2", "USER2@Example.COM"), command_for(What::list), &snapshot, rules()).allowed);
    EXPECT_FALSE(decide(actor_for(Who::accepted), RemoveCommand{db, "User1@EXAMPLE.com"}, &snapshot, rules()).allowed);
    EXPECT_FALSE(
        decide(actor_for(Who::accepted), RemoveCommand{db, "Collab-Bot@example.com"}, &snapshot, rules()).allowed);
    EXPECT_FALSE(decide(actor("U1", "User1@Example.com"), command_for(What::leave), &snapshot, rules()).allowed);
}

TEST(Removal, ACollaboratorMayRemoveThemselvesWithRemove) {
    const DatabaseSnapshot snapshot = seed();
    EXPECT_TRUE(decide(actor_for(Who::accepted), RemoveCommand{db, "user2@example.com"}, &snapshot, rules()).allowed);
}

}  // namespace
}  // namespace collab
