// The seed's scenarios, typed into the shell of the built binary on its embedded default.

#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "../seed_output.hpp"
#include "bot_process.hpp"

namespace collab::e2e {
namespace {

const std::string& seed_table = testing::seed_output;

// The same scenarios, answered by the sandbox in-process or served over HTTP to the Scalingo client.
class ShellScenarios : public ::testing::TestWithParam<Upstream> {
protected:
    void SetUp() override {
        if (GetParam() == Upstream::over_http) {
            served_ = std::make_unique<ServedSandbox>(served_state_);
            ASSERT_TRUE(served_->url().starts_with("http://127.0.0.1:")) << served_->url();
        }
    }

    BotRun bot(const std::string& input, std::vector<std::string> extra = {}) {
        std::vector<std::string> args{"--state-dir", state_.path().string()};
        if (served_) args.insert(args.end(), {"--provider", "scalingo"});
        args.insert(args.end(), extra.begin(), extra.end());
        return run_bot(args, input, scratch_, served_ ? scalingo_environment(*served_) : Environment{});
    }

    // `collab-bot sandbox …` on wherever the sandbox's data lives.
    BotRun sandbox_command(std::vector<std::string> args) {
        args.insert(args.begin(), "sandbox");
        args.insert(args.end(), {"--state-dir", (served_ ? served_state_ : state_).path().string()});
        return run_bot(args, "", scratch_);
    }

    // The bot acting as collab-bot@example.com, an account on analytics-db only: in-process through a seed
    // that names it the bot's account, over HTTP through its API token.
    BotRun bot_as_collab_bot(const std::string& input) {
        if (served_) {
            Environment environment = scalingo_environment(*served_);
            environment.emplace_back("SCALINGO_API_TOKEN", "tk-us-sandbox-collab-bot-0000000000000000000000000000");
            return run_bot({"--state-dir", state_.path().string(), "--provider", "scalingo"}, input, scratch_,
                           environment);
        }
        const auto seed = scratch_.path() / "collab-bot-seed.toml";
        std::ofstream(seed) << std::regex_replace(slurp(std::string(COLLAB_SOURCE_DIR) + "/config/sandbox.toml"),
                                                  std::regex("bot_account = \"user1@example.com\""),
                                                  "bot_account = \"collab-bot@example.com\"");
        const auto config = scratch_.path() / "collab-bot.toml";
        std::ofstream(config) << "[shell]\nemail = \"user1@example.com\"\n[sandbox]\nseed = \"" << seed.string()
                              << "\"\n";
        return run_bot({"--config", config.string(), "--state-dir", state_.path().string()}, input, scratch_);
    }

    // Where the sandbox "mails" its invitations: its log, the bot's own or the server's.
    std::string sandbox_log(const BotRun& run) const {
        return served_ ? slurp(served_state_.path() / "serve.log") : run.err;
    }

    // The token of the proposal the reply holds.
    static std::string token_in(const std::string& reply) {
        std::smatch match;
        EXPECT_TRUE(std::regex_search(reply, match, std::regex("/collab confirm ([A-Za-z0-9_.-]+)"))) << reply;
        return match.size() > 1 ? match[1].str() : "";
    }

    StateDir state_;
    StateDir scratch_;
    StateDir served_state_;
    std::unique_ptr<ServedSandbox> served_;
};

INSTANTIATE_TEST_SUITE_P(Upstreams, ShellScenarios, ::testing::Values(Upstream::in_process, Upstream::over_http),
                         upstream_name);

TEST_P(ShellScenarios, ListShowsTheSeedTable) {
    auto run = bot("/collab list my-dedicated-db\n");
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(run.out, seed_table);
}

TEST_P(ShellScenarios, InviteAddsAPendingCollaborator) {
    auto run = bot("/collab add my-dedicated-db user@example.com\n/collab list my-dedicated-db\n");
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(run.out,
              "-----> user@example.com has been invited to collaborate to my-dedicated-db\n"
              "┌───────────────────┬──────────┬──────────┬──────────────┐\n"
              "│       EMAIL       │ USERNAME │  STATUS  │     ROLE     │\n"
              "├───────────────────┼──────────┼──────────┼──────────────┤\n"
              "│ user1@example.com │ user1    │ owner    │ owner        │\n"
              "│ user2@example.com │ user2    │ accepted │ collaborator │\n"
              "│ user3@example.com │ n/a      │ pending  │ collaborator │\n"
              "│ user@example.com  │ n/a      │ pending  │ collaborator │\n"
              "└───────────────────┴──────────┴──────────┴──────────────┘\n");
    // The invitation e-mail goes to the log, with the link that accepts it.
    EXPECT_NE(sandbox_log(run).find("invitation e-mail to user@example.com for my-dedicated-db"), std::string::npos)
        << sandbox_log(run);
}

TEST_P(ShellScenarios, RemoveAsksForConfirmationThenRevokes) {
    auto proposal = bot("/collab remove my-dedicated-db user2@example.com\n");
    EXPECT_EQ(proposal.exit_code, 0) << proposal.err;
    EXPECT_TRUE(proposal.out.starts_with("Revoke access of user2@example.com to my-dedicated-db?\n")) << proposal.out;
    EXPECT_EQ(bot("/collab list my-dedicated-db\n").out, seed_table) << "nothing changes before the confirmation";

    // A later run of the bot confirms it: the token carries everything needed.
    auto confirmed = bot("/collab confirm " + token_in(proposal.out) + "\n/collab list my-dedicated-db\n");
    EXPECT_EQ(confirmed.out,
              "-----> user2@example.com has been removed from the collaborators of my-dedicated-db\n"
              "┌───────────────────┬──────────┬─────────┬──────────────┐\n"
              "│       EMAIL       │ USERNAME │ STATUS  │     ROLE     │\n"
              "├───────────────────┼──────────┼─────────┼──────────────┤\n"
              "│ user1@example.com │ user1    │ owner   │ owner        │\n"
              "│ user3@example.com │ n/a      │ pending │ collaborator │\n"
              "└───────────────────┴──────────┴─────────┴──────────────┘\n");
}

TEST_P(ShellScenarios, StopCollaborating) {
    auto proposal = bot("/collab leave my-dedicated-db\n", {"--as", "user2@example.com"});
    EXPECT_TRUE(proposal.out.starts_with(
        "Stop collaborating on my-dedicated-db? You (user2@example.com) will lose access to it.\n"))
        << proposal.out;
    auto confirmed = bot("/collab confirm " + token_in(proposal.out) + "\n/collab list my-dedicated-db\n",
                         {"--as", "user2@example.com"});
    EXPECT_EQ(confirmed.out,
              "-----> user2@example.com has been removed from the collaborators of my-dedicated-db\n"
              " !     You (user2@example.com) are not a collaborator of my-dedicated-db; ask for access with "
              "/collab request my-dedicated-db.\n");
}

TEST_P(ShellScenarios, TheOwnerCannotLeave) {
    auto run = bot("/collab leave my-dedicated-db\n");
    EXPECT_EQ(run.out, " !     You own my-dedicated-db: an owner cannot stop collaborating on their own database.\n");
}

TEST_P(ShellScenarios, ConfirmationBelongsToWhoeverAskedForIt) {
    auto proposal = bot("/collab remove my-dedicated-db user3@example.com\n");
    auto stolen = bot("/collab confirm " + token_in(proposal.out) + "\n", {"--as", "user2@example.com"});
    EXPECT_EQ(stolen.out,
              " !     This confirmation was issued to someone else; only the person who asked can confirm it.\n");
    EXPECT_EQ(bot("/collab list my-dedicated-db\n").out, seed_table);
}

TEST_P(ShellScenarios, AConfirmationIsUsedOnce) {
    const std::string token = token_in(bot("/collab remove my-dedicated-db user2@example.com\n").out);
    auto twice = bot("/collab confirm " + token + "\n/collab confirm " + token + "\n");
    EXPECT_EQ(twice.exit_code, 0) << twice.err;
    const std::regex answers(
        "-----> user2@example\\.com has been removed from the collaborators of my-dedicated-db\n"
        " !     This confirmation was already used at [0-9-]+ [0-9:]+ UTC by user1@example\\.com; nothing more was "
        "done\\.\n");
    EXPECT_TRUE(std::regex_match(twice.out, answers)) << twice.out;

    // user2 is invited again and accepts; the old token, typed once more in a later run, removes nobody.
    bot("/collab add my-dedicated-db user2@example.com\n");
    auto outbox = sandbox_command({"invitations"});
    std::smatch match;
    ASSERT_TRUE(std::regex_search(outbox.out, match,
                                  std::regex("user2@example\\.com +│ my-dedicated-db │ pending .*│ ([0-9a-f]{32}) │")))
        << outbox.out;
    ASSERT_EQ(sandbox_command({"accept", match[1].str()}).exit_code, 0);
    auto replayed = bot("/collab confirm " + token + "\n/collab list my-dedicated-db\n");
    // A later run is a restart: its use is remembered in the state file. (The watch's notice of user2's
    // acceptance may come first.)
    EXPECT_TRUE(std::regex_search(replayed.out, std::regex(" !     This confirmation was already used at [0-9-]+ "
                                                           "[0-9:]+ UTC by user1@example\\.com; nothing more was "
                                                           "done\\.\n")))
        << replayed.out;
    EXPECT_TRUE(std::regex_search(replayed.out, std::regex("│ user2@example\\.com +│ [^│]+│ accepted +│")))
        << replayed.out;
}

TEST_P(ShellScenarios, OffboardingRemovesSomeoneFromEveryDatabaseInOneConfirmation) {
    bot("/collab add analytics-db user3@example.com\n");
    auto proposal = bot("/collab offboard user3@example.com\n");
    EXPECT_EQ(proposal.exit_code, 0) << proposal.err;
    EXPECT_TRUE(proposal.out.starts_with(
        "Offboard user3@example.com: remove them from analytics-db and my-dedicated-db (2 databases)?\n"))
        << proposal.out;
    auto confirmed = bot("/collab confirm " + token_in(proposal.out) + "\n/collab offboard user3@example.com\n");
    EXPECT_EQ(confirmed.out,
              "-----> user3@example.com has been removed from the collaborators of analytics-db\n"
              "-----> user3@example.com has been removed from the collaborators of my-dedicated-db\n"
              "user3@example.com collaborates on no database you may manage from this channel: nothing to "
              "offboard.\n");
    // The owner of analytics-db keeps it; only my-dedicated-db, where user1 owns, has user2 to offboard.
    EXPECT_TRUE(bot("/collab offboard user2@example.com\n")
                    .out.starts_with("Offboard user2@example.com: remove them from my-dedicated-db (1 database)?\n"));
}

TEST_P(ShellScenarios, ResendSendsAPendingInvitationAgain) {
    auto resent =
        bot("/collab resend my-dedicated-db user3@example.com\n/collab resend my-dedicated-db "
            "user2@example.com\n/collab resend my-dedicated-db nobody@example.com\n");
    EXPECT_EQ(resent.exit_code, 0) << resent.err;
    EXPECT_EQ(
        resent.out,
        "-----> The invitation of user3@example.com to my-dedicated-db has been sent again\n"
        " !     user2@example.com already accepted the invitation to my-dedicated-db: there is nothing to "
        "re-send.\n"
        " !     nobody@example.com is not invited to my-dedicated-db: invite them with /collab add my-dedicated-db "
        "nobody@example.com.\n");
    // The new invitation is one that can be accepted.
    auto outbox = sandbox_command({"invitations"});
    std::smatch match;
    ASSERT_TRUE(std::regex_search(outbox.out, match,
                                  std::regex("user3@example\\.com +│ my-dedicated-db │ pending .*│ ([0-9a-f]{32}) │")))
        << outbox.out;
    ASSERT_EQ(sandbox_command({"accept", match[1].str()}).exit_code, 0);
    EXPECT_TRUE(std::regex_search(bot("/collab list my-dedicated-db\n").out,
                                  std::regex("│ user3@example\\.com +│ [^│]+│ accepted +│")));
}

TEST_P(ShellScenarios, InvitationLifeCycle) {
    bot("/collab add my-dedicated-db new.person@example.com\n");
    auto outbox = sandbox_command({"invitations"});
    std::smatch match;
    ASSERT_TRUE(std::regex_search(
        outbox.out, match, std::regex("new\\.person@example\\.com +│ my-dedicated-db │ pending .*│ ([0-9a-f]{32}) │")))
        << outbox.out;
    auto accepted = sandbox_command({"accept", match[1].str()});
    EXPECT_EQ(accepted.exit_code, 0);
    EXPECT_EQ(accepted.out,
              "-----> new.person@example.com has accepted the invitation to collaborate to my-dedicated-db\n");
    auto list = bot("/collab list my-dedicated-db\n");
    EXPECT_NE(list.out.find("│ new.person@example.com │ new.person │ accepted │ collaborator │"), std::string::npos)
        << list.out;
    // Accepted rows come before pending ones.
    EXPECT_LT(list.out.find("new.person@example.com"), list.out.find("user3@example.com"));

    auto again = sandbox_command({"accept", match[1].str()});
    EXPECT_EQ(again.exit_code, 1);
    EXPECT_EQ(again.out, " !     No pending invitation has this token: it was accepted, revoked or mistyped.\n");
}

TEST_P(ShellScenarios, MistakesGetASpecificMessageAndTheUsage) {
    auto run =
        bot("/collab lsit my-dedicated-db\n"
            "/collab add my-dedicated-db not-an-email\n"
            "/collab add my-dedicated-db user@example.com --limited\n"
            "/collab remove my-dedicated-db\n"
            "/collab remove my-dedicated-db user2@example.com --limited\n"
            "hello\n");
    EXPECT_EQ(run.out,
              " !     Unknown command \"lsit\". Did you mean \"list\"?\n"
              "Usage: /collab <command> [arguments] (type /collab help to see the commands)\n"
              " !     \"not-an-email\" is not an e-mail address: it has no @.\n"
              "Usage: /collab add <db> <email> [<email>…]\n"
              " !     The Limited Collaborator role does not exist for Dedicated Resources databases: that role is "
              "meant to keep someone away from the data, and a database is nothing but data. Invite without "
              "--limited and the person becomes a Collaborator.\n"
              "Usage: /collab add <db> <email> [<email>…]\n"
              " !     Missing the e-mail address.\n"
              "Usage: /collab remove <db> <email>\n"
              " !     The Limited Collaborator role does not exist for Dedicated Resources databases: that role is "
              "meant to keep someone away from the data, and a database is nothing but data. Invite without "
              "--limited and the person becomes a Collaborator.\n"
              "Usage: /collab remove <db> <email>\n"
              "Commands start with /collab, for example: /collab list my-dedicated-db\n"
              "Type /collab help to see them all, or exit to leave.\n");
    EXPECT_EQ(bot("/collab list my-dedicated-db\n").out, seed_table) << "mistakes change nothing";
}

TEST_P(ShellScenarios, ChatClientTypographyIsTolerated) {
    // Smart quotes, a non-breaking space, repeated blanks and an upper-case sub-command.
    auto run = bot("/collab   LIST\u00a0 \u201cmy-dedicated-db\u201d\n");
    EXPECT_EQ(run.out, seed_table);
}

TEST_P(ShellScenarios, AuditShowsWhatWasDoneAndWhoWasRefusedButNotTheReads) {
    bot("/collab add my-dedicated-db user@example.com\n/collab list my-dedicated-db\n");
    bot("/collab list my-dedicated-db\n", {"--as", "someone@else.org"});
    auto run = bot("/collab audit my-dedicated-db\n");
    EXPECT_NE(run.out.find("Most recent actions on my-dedicated-db, newest first:"), std::string::npos) << run.out;
    EXPECT_TRUE(
        std::regex_search(run.out, std::regex("│ user1@example\\.com +│ add user@example\\.com +│ executed +│")))
        << run.out;
    EXPECT_TRUE(std::regex_search(run.out, std::regex("│ someone@else\\.org +│ list +│ denied +│"))) << run.out;
    EXPECT_FALSE(std::regex_search(run.out, std::regex("│ list +│ allowed"))) << run.out;
}

TEST_P(ShellScenarios, StrangersAreNotToldWhoCollaborates) {
    auto run = bot("/collab list my-dedicated-db\n", {"--as", "someone@else.org"});
    EXPECT_EQ(run.out,
              " !     You (someone@else.org) are not a collaborator of my-dedicated-db; ask for access with "
              "/collab request my-dedicated-db.\n");
}

TEST_P(ShellScenarios, OrdinaryAppsAreRefused) {
    auto run = bot("/collab list web-app\n");
    EXPECT_EQ(run.out,
              " !     web-app is an application, not a Dedicated Resources database; the bot manages the "
              "collaborators of databases only.\n");
}

TEST_P(ShellScenarios, DbsShowsYourDatabasesWithYourRole) {
    EXPECT_EQ(bot("/collab dbs\n").out,
              "Your databases the bot can manage from this channel:\n"
              "┌─────────────────┬──────────────┐\n"
              "│    DATABASE     │  YOUR ROLE   │\n"
              "├─────────────────┼──────────────┤\n"
              "│ analytics-db    │ collaborator │\n"
              "│ my-dedicated-db │ owner        │\n"
              "└─────────────────┴──────────────┘\n");
    EXPECT_EQ(bot("/collab dbs\n", {"--as", "user3@example.com"}).out,
              "Your databases the bot can manage from this channel:\n"
              "┌─────────────────┬───────────┐\n"
              "│    DATABASE     │ YOUR ROLE │\n"
              "├─────────────────┼───────────┤\n"
              "│ my-dedicated-db │ pending   │\n"
              "└─────────────────┴───────────┘\n");
    EXPECT_EQ(bot("/collab dbs\n", {"--as", "someone@else.org"}).out,
              "You (someone@else.org) are on none of the databases the bot can manage from this channel; ask for "
              "access to one with /collab request <db>.\n");
}

TEST_P(ShellScenarios, AccessShowsWhereSomeoneIsAmongYourDatabases) {
    EXPECT_EQ(bot("/collab access user2@example.com\n").out,
              "Where user2@example.com has access, among the databases you manage from here:\n"
              "┌─────────────────┬──────────┬──────────────┐\n"
              "│    DATABASE     │  STATUS  │     ROLE     │\n"
              "├─────────────────┼──────────┼──────────────┤\n"
              "│ analytics-db    │ owner    │ owner        │\n"
              "│ my-dedicated-db │ accepted │ collaborator │\n"
              "└─────────────────┴──────────┴──────────────┘\n");
    // user3 is only invited: managing nothing, they learn nothing.
    EXPECT_EQ(bot("/collab access user2@example.com\n", {"--as", "user3@example.com"}).out,
              " !     You (user3@example.com) manage none of the databases the bot can reach from this channel, so "
              "there is nobody's access you may look up here.\n");
}

TEST_P(ShellScenarios, AuditNarrowedToOnePersonAndOneCommand) {
    bot("/collab add my-dedicated-db user@example.com\n/collab remove my-dedicated-db user3@example.com\n");
    bot("/collab remove my-dedicated-db user3@example.com\n", {"--as", "user2@example.com"});
    auto run = bot("/collab audit my-dedicated-db by user2@example.com remove\n");
    EXPECT_TRUE(
        run.out.starts_with("Most recent actions on my-dedicated-db (remove by user2@example.com), newest first:\n"))
        << run.out;
    EXPECT_TRUE(
        std::regex_search(run.out, std::regex("│ user2@example\\.com +│ remove user3@example\\.com +│ proposed +│")))
        << run.out;
    EXPECT_EQ(run.out.find("user1@example.com"), std::string::npos) << run.out;
    EXPECT_EQ(bot("/collab audit my-dedicated-db by user2@example.com add\n").out,
              "The audit trail of my-dedicated-db has nothing add by user2@example.com.\n");
}

TEST_P(ShellScenarios, HelpListsWhatYouMayDoNow) {
    auto member = bot("/collab help\n");
    for (const char* line : {"\n/collab list <db>", "\n/collab access <email>", "\n/collab confirm <token>\n"})
        EXPECT_NE(member.out.find(line), std::string::npos) << line << member.out;
    auto stranger = bot("/collab help\n", {"--as", "someone@else.org"});
    EXPECT_EQ(stranger.out.find("/collab list <db>"), std::string::npos) << stranger.out;
    EXPECT_NE(stranger.out.find("\n/collab dbs  (alias: databases)\n"), std::string::npos) << stranger.out;
    EXPECT_TRUE(
        stranger.out.ends_with("\nTo get access to a database, ask for it with /collab request <db>: its owner and "
                               "collaborators decide.\n"))
        << stranger.out;
    EXPECT_TRUE(
        bot("/collab help list\n", {"--as", "someone@else.org"}).out.starts_with("/collab list <db>  (alias: ls)\n"));
}

TEST_P(ShellScenarios, AMisspeltDatabaseGetsASuggestion) {
    EXPECT_EQ(bot("/collab list my-dedicated-bd\n").out,
              " !     No database \"my-dedicated-bd\". Did you mean \"my-dedicated-db\"?\n");
    EXPECT_EQ(bot("/collab list my-dedicated-bd\n", {"--as", "someone@else.org"}).out,
              " !     There is no database named \"my-dedicated-bd\" (or the bot's account cannot see it).\n");
}

TEST_P(ShellScenarios, APendingInviteeDeclinesTheInvitation) {
    auto proposal = bot("/collab leave my-dedicated-db\n", {"--as", "user3@example.com"});
    EXPECT_TRUE(proposal.out.starts_with(
        "Decline the invitation to my-dedicated-db? You (user3@example.com) will not become a collaborator.\n"))
        << proposal.out;
}

TEST_P(ShellScenarios, ADatabaseTheBotsAccountIsNotOnNamesTheFix) {
    auto run = bot_as_collab_bot("/collab list my-dedicated-db\n/collab list analytics-db\n");
    EXPECT_TRUE(run.out.starts_with(
        " !     The bot's Scalingo account (collab-bot@example.com) is not a collaborator of my-dedicated-db, so the "
        "bot cannot see or manage it: invite collab-bot@example.com to my-dedicated-db (scalingo --app "
        "my-dedicated-db collaborators-add collab-bot@example.com), then try again.\n"))
        << run.out << run.err;
    // The database it is on is managed as usual.
    EXPECT_TRUE(std::regex_search(run.out, std::regex("│ user2@example\\.com +│ user2 +│ owner +│ owner +│")))
        << run.out;
    EXPECT_EQ(bot_as_collab_bot("/collab dbs\n").out,
              "Your databases the bot can manage from this channel:\n"
              "┌──────────────┬──────────────┐\n"
              "│   DATABASE   │  YOUR ROLE   │\n"
              "├──────────────┼──────────────┤\n"
              "│ analytics-db │ collaborator │\n"
              "└──────────────┴──────────────┘\n");
}

TEST_P(ShellScenarios, UnknownDatabase) {
    auto run = bot("/collab list no-such-db\n");
    EXPECT_EQ(run.out, " !     There is no database named \"no-such-db\" (or the bot's account cannot see it).\n");
}

TEST_P(ShellScenarios, WhoamiNamesTheIdentityAndTheAccount) {
    auto run = bot("/collab whoami\n");
    EXPECT_EQ(run.out,
              "Chat identity: user1@example.com, shell user local in local, channel shell\n"
              "Scalingo account: user1@example.com\n"
              "The bot acts as Scalingo account user1@example.com\n");
}

TEST_P(ShellScenarios, ExitAndQuitLeaveCleanly) {
    auto run = bot("/collab whoami\nexit\n/collab list my-dedicated-db\n");
    EXPECT_EQ(run.exit_code, 0);
    EXPECT_EQ(run.out.find("┌"), std::string::npos) << "nothing after exit is run";
    EXPECT_EQ(bot("quit\n").exit_code, 0);
}

TEST_P(ShellScenarios, AnAccessRequestIsApprovedByACollaborator) {
    auto asked =
        bot("/collab request my-dedicated-db\n/collab request my-dedicated-db\n", {"--as", "stranger@example.com"});
    EXPECT_EQ(asked.exit_code, 0) << asked.err;
    EXPECT_TRUE(
        asked.out.starts_with("stranger@example.com asks for access to my-dedicated-db (as "
                              "stranger@example.com).\nInvite stranger@example.com to my-dedicated-db?\n"))
        << asked.out;
    EXPECT_NE(asked.out.find(" !     You already asked for access to my-dedicated-db at "), std::string::npos)
        << "one open request at a time\n"
        << asked.out;
    std::smatch match;
    ASSERT_TRUE(std::regex_search(asked.out, match, std::regex("/collab approve ([A-Za-z0-9_.-]+)"))) << asked.out;
    const std::string token = match[1].str();

    // The requester cannot approve it; an accepted collaborator can, in a later run.
    auto own = bot("/collab approve " + token + "\n", {"--as", "stranger@example.com"});
    EXPECT_EQ(own.out,
              " !     Only the owner or an accepted collaborator of my-dedicated-db (or an admin of the bot) may "
              "approve or deny a request for access to it.\n");
    auto approved = bot("/collab approve " + token + "\n", {"--as", "user2@example.com"});
    EXPECT_EQ(approved.out,
              "-----> Approved by user2@example.com: stranger@example.com has been invited to my-dedicated-db\n"
              "stranger@example.com: accept the invitation from the e-mail Scalingo sends you.\n")
        << approved.err;
    EXPECT_NE(sandbox_log(approved).find("invitation e-mail to stranger@example.com for my-dedicated-db"),
              std::string::npos);
    EXPECT_EQ(bot("/collab deny " + token + "\n").out,
              "stranger@example.com is already a collaborator of my-dedicated-db (pending).\n")
        << "nothing is left to decide";
    auto audit = bot("/collab audit my-dedicated-db\n");
    EXPECT_NE(audit.out.find("approve"), std::string::npos) << audit.out;
    EXPECT_NE(audit.out.find("request"), std::string::npos) << audit.out;
}

TEST_P(ShellScenarios, ADecidedRequestStaysDecidedAfterTheBotRestarts) {
    auto asked = bot("/collab request my-dedicated-db\n", {"--as", "stranger@example.com"});
    std::smatch match;
    ASSERT_TRUE(std::regex_search(asked.out, match, std::regex("/collab deny ([A-Za-z0-9_.-]+)"))) << asked.out;
    const std::string token = match[1].str();
    EXPECT_TRUE(bot("/collab deny " + token + "\n")
                    .out.starts_with(" !     Denied by user1@example.com: stranger@example.com was not invited to "
                                     "my-dedicated-db\n"));
    // Each run of the shell is a restart of the bot: the denial is remembered in its state file.
    auto later = bot("/collab approve " + token + "\n/collab list my-dedicated-db\n", {"--as", "user2@example.com"});
    EXPECT_NE(later.out.find(" !     This request was already decided at "), std::string::npos) << later.out;
    EXPECT_NE(later.out.find("by user1@example.com"), std::string::npos) << later.out;
    EXPECT_EQ(later.out.find("│ stranger@example.com"), std::string::npos) << "nobody was invited\n" << later.out;
}

}  // namespace
}  // namespace collab::e2e
