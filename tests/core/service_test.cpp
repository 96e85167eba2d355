// CommandService end to end over in-memory ports: what a person types, what they read back, what the
// upstream was asked to do, and what the audit trail recorded. Core is pure, so fakes are enough here;
// the real sandbox and stores are tested with the adapters.

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "../permission_matrix.hpp"
#include "../seed_output.hpp"
#include "core/service.hpp"
#include "test_signer.hpp"

namespace collab {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;

const TimePoint t0 = TimePoint{std::chrono::sys_days{std::chrono::year{2026} / 11 / 28}} + 12h + 44min + 32s;
const std::string db = "my-dedicated-db";

const std::string& seed_output = testing::seed_output;

// ---- Fakes of the ports ----------------------------------------------------------------------------------------

class FakeApi : public CollaboratorsApi {
public:
    std::map<std::string, Database> known;  // by name
    std::map<std::string, std::vector<Collaborator>> collaborators;
    Account self_account{"bot", "collab-bot@example.com", "collab-bot"};
    std::optional<ApiError> list_error;
    std::optional<ApiError> databases_error;
    std::optional<ApiError> invite_error;
    std::optional<ApiError> remove_error;
    std::optional<ApiError> self_error;
    std::set<std::string> out_of_reach;  // databases the bot's account is not a collaborator of
    std::vector<std::string> invited;    // "database email", in call order
    std::vector<std::string> removed;    // "database collaborator-id", in call order
    int calls = 0;
    // When set, snapshots are kept there as the real providers keep them; invitations and removals
    // count as changes.
    SnapshotCache* kept = nullptr;

    net::awaitable<ApiResult<CachedSnapshot>> snapshot(std::string database) override {
        if (!kept) co_return co_await CollaboratorsApi::snapshot(std::move(database));
        if (auto found = kept->find(database)) co_return *found;
        const auto ticket = kept->ticket(database);
        auto read = co_await CollaboratorsApi::snapshot(database);
        if (!read) co_return read;
        co_return kept->store(database, ticket, *read->state);
    }

    net::awaitable<ApiResult<Database>> show_database(std::string name) override {
        ++calls;
        if (out_of_reach.contains(name))
            co_return std::unexpected(ApiError{ApiErrorKind::unauthorized, "The bot's account has no access.", {}});
        auto it = known.find(name);
        if (it == known.end()) co_return std::unexpected(ApiError{ApiErrorKind::not_found, "not found", {}});
        co_return it->second;
    }

    net::awaitable<ApiResult<std::vector<Collaborator>>> list_collaborators(std::string database) override {
        ++calls;
        if (list_error) co_return std::unexpected(*list_error);
        co_return collaborators[database];
    }

    net::awaitable<ApiResult<Collaborator>> invite(std::string database, std::string email) override {
        ++calls;
        if (invite_error) co_return std::unexpected(*invite_error);
        auto& list = collaborators[database];
        if (std::any_of(list.begin(), list.end(), [&](const Collaborator& c) { return same_email(c.email, email); }))
            co_return std::unexpected(ApiError{ApiErrorKind::already_member, "already a collaborator", {}});
        // Scalingo leaves the username empty until the invitation is accepted.
        Collaborator c{"c" + std::to_string(++next_id_), email, "", Status::pending, false};
        list.push_back(c);
        if (kept) kept->changed(database);
        invited.push_back(database + " " + email);
        co_return c;
    }

    net::awaitable<ApiResult<void>> remove(std::string database, std::string collaborator_id) override {
        ++calls;
        if (remove_error) co_return std::unexpected(*remove_error);
        auto& list = collaborators[database];
        auto it =
            std::find_if(list.begin(), list.end(), [&](const Collaborator& c) { return c.id == collaborator_id; });
        if (it == list.end()) co_return std::unexpected(ApiError{ApiErrorKind::not_member, "no such collaborator", {}});
        list.erase(it);
        if (kept) kept->changed(database);
        removed.push_back(database + " " + collaborator_id);
        co_return ApiResult<void>{};
    }

    net::awaitable<ApiResult<Account>> self() override {
        ++calls;
        if (self_error) co_return std::unexpected(*self_error);
        co_return self_account;
    }

    net::awaitable<ApiResult<std::vector<Database>>> databases() override {
        ++calls;
        if (databases_error) co_return std::unexpected(*databases_error);
        std::vector<Database> all;
        for (const auto& [name, database] : known) all.push_back(database);
        co_return all;
    }

private:
    int next_id_ = 100;
};

class FakeDirectory : public Directory {
public:
    std::map<std::string, std::string> emails;  // user id -> Scalingo e-mail

    std::optional<ApiError> failure;  // when set, every lookup fails with it
    int lookups = 0;

    net::awaitable<ApiResult<std::optional<std::string>>> email_of(const Actor& actor) override {
        ++lookups;
        if (failure) co_return std::unexpected(*failure);
        auto it = emails.find(actor.user_id);
        if (it == emails.end()) co_return std::optional<std::string>{};
        co_return std::optional<std::string>{it->second};
    }
};

class FakeAuditLog : public AuditLog {
public:
    std::vector<AuditEntry> entries;  // oldest first
    bool failing = false;

    net::awaitable<ApiResult<void>> record(AuditEntry entry) override {
        if (failing) co_return std::unexpected(ApiError{ApiErrorKind::unavailable, "disk full", {}});
        entries.push_back(std::move(entry));
        co_return ApiResult<void>{};
    }

    net::awaitable<ApiResult<std::vector<AuditEntry>>> recent(AuditQuery query) override {
        std::vector<AuditEntry> newest_first;
        for (auto it = entries.rbegin(); it != entries.rend() && int(newest_first.size()) < query.limit; ++it)
            if (it->database == query.database && (!query.by || same_email(it->email, *query.by)) &&
                (!query.action || it->action == *query.action))
                newest_first.push_back(*it);
        co_return newest_first;
    }
};

// What the stores keep of used confirmations, in a map; `unavailable` makes every call fail.
class FakeUsedTokens : public UsedTokens {
public:
    std::map<std::string, TokenUse> used;
    bool unavailable = false;

    net::awaitable<ApiResult<std::optional<TokenUse>>> use_once(std::string key, TokenUse use, TimePoint) override {
        if (unavailable) co_return std::unexpected(ApiError{ApiErrorKind::unavailable, "the store is down", {}});
        auto [it, first] = used.emplace(std::move(key), std::move(use));
        co_return first ? std::nullopt : std::optional<TokenUse>{it->second};
    }
    net::awaitable<ApiResult<void>> forget(std::string key) override {
        used.erase(key);
        co_return ApiResult<void>{};
    }
};

class FakeClock : public WallClock {
public:
    TimePoint now_ = t0;
    TimePoint now() const override { return now_; }
};

template <typename T>
T run(net::awaitable<T> task) {
    net::io_context io;
    auto result = net::co_spawn(io, std::move(task), net::use_future);
    io.run();
    return result.get();
}

// ---- Fixture: the seed's database and four people -------------------------------------------------------------

class Service : public ::testing::Test {
protected:
    Service() {
        api_.known[db] = Database{db, Account{"u1", "user1@example.com", "user1"}, true};
        api_.collaborators[db] = {Collaborator{"c2", "user2@example.com", "user2", Status::accepted, false},
                                  Collaborator{"c3", "user3@example.com", "n/a", Status::pending, false}};
        api_.known["other-db"] = Database{"other-db", Account{"u2", "user2@example.com", "user2"}, true};
        directory_.emails = {{"U1", "user1@example.com"},
                             {"U2", "user2@example.com"},
                             {"U3", "user3@example.com"},
                             {"U9", "stranger@example.com"}};
    }

    CommandService& service() {
        if (!service_)
            service_ = std::make_unique<CommandService>(api_, directory_, audit_, clock_, signer_, used_, settings_);
        return *service_;
    }

    Outcome handled(const std::string& user_id, const std::string& text, const std::string& channel = "C-ops") {
        // A named request: g++ 12 destroys a braced temporary passed to a coroutine twice.
        ChatRequest request{Actor{"shell", "local", user_id, channel, std::nullopt}, text};
        return run(service().handle(std::move(request)));
    }

    // A click on a proposal's button.
    Outcome clicked(const std::string& user_id, const std::string& token, bool cancel = false) {
        ConfirmationRequest request{Actor{"shell", "local", user_id, "C-ops", std::nullopt}, token, cancel};
        return run(service().handle(std::move(request)));
    }

    Reply ask(const std::string& user_id, const std::string& text, const std::string& channel = "C-ops") {
        return handled(user_id, text, channel).reply;
    }

    std::string say(const std::string& user_id, const std::string& text, const std::string& channel = "C-ops") {
        return to_plain_text(ask(user_id, text, channel));
    }

    std::string propose(const std::string& user_id, const std::string& text) {
        Reply reply = ask(user_id, text);
        if (!reply.proposal) {
            ADD_FAILURE() << "no proposal for \"" << text << "\": " << to_plain_text(reply);
            return "";
        }
        return reply.proposal->token;
    }

    std::vector<AuditOutcome> outcomes() const {
        std::vector<AuditOutcome> out;
        for (const auto& entry : audit_.entries) out.push_back(entry.outcome);
        return out;
    }

    FakeApi api_;
    FakeDirectory directory_;
    FakeAuditLog audit_;
    FakeClock clock_;
    test_support::TestSigner signer_{"service-test-key"};
    FakeUsedTokens used_;
    ServiceSettings settings_;
    std::unique_ptr<CommandService> service_;
};

// Removed by user1, who is named: the channel sees who made the change.
const std::string removed_user2 =
    "-----> user2@example.com has been removed from the collaborators of my-dedicated-db (by user1@example.com)\n";

// ---- list -------------------------------------------------------------------------------------------------------

TEST_F(Service, ListShowsTheSeedTable) {
    EXPECT_EQ(say("U1", "list my-dedicated-db"), seed_output);
    EXPECT_EQ(say("U2", "/collab LS \u201Cmy-dedicated-db\u201D"), seed_output);
}

TEST_F(Service, ListPutsOwnerThenAcceptedThenPendingWhateverTheUpstreamOrder) {
    std::reverse(api_.collaborators[db].begin(), api_.collaborators[db].end());
    EXPECT_EQ(say("U1", "list my-dedicated-db"), seed_output);
}

TEST_F(Service, ListDimsOnlyPendingRows) {
    const std::string coloured = to_plain_text(ask("U1", "list my-dedicated-db"), PlainTextOptions{.ansi_dim = true});
    EXPECT_NE(coloured.find("│ \x1b[2muser3@example.com\x1b[22m │"), std::string::npos) << coloured;
    EXPECT_EQ(coloured.find("\x1b[2muser2"), std::string::npos) << coloured;
    EXPECT_EQ(coloured.find("\x1b[2muser1"), std::string::npos) << coloured;
}

// Over a provider that keeps snapshots: a list is built once per version of the database.
class CachedService : public Service {
protected:
    CachedService() { api_.kept = &kept_; }
    SnapshotCache kept_;
};

TEST_F(CachedService, ARepeatedListIsTheSameReplyWithoutAskingTheUpstream) {
    const Reply first = ask("U1", "list my-dedicated-db");
    const int calls = api_.calls;
    const Reply again = ask("U2", "list my-dedicated-db");
    EXPECT_EQ(api_.calls, calls);
    ASSERT_TRUE(first.key);
    EXPECT_EQ(again.key, first.key);
    EXPECT_EQ(to_plain_text(again), seed_output);
    EXPECT_EQ(to_plain_text(first), seed_output);
}

TEST_F(CachedService, AnUnchangedListAndAHelpAreHandedOnWithoutACopy) {
    const Outcome first = handled("U1", "list my-dedicated-db");
    EXPECT_EQ(&*handled("U2", "list my-dedicated-db").reply, &*first.reply);
    const Outcome help = handled("U1", "help");
    EXPECT_EQ(&*handled("U2", "help").reply, &*help.reply);
    ask("U1", "add my-dedicated-db new@example.com");
    EXPECT_NE(&*handled("U1", "list my-dedicated-db").reply, &*first.reply) << "a new version is a new reply";
}

TEST_F(CachedService, AChangeThroughTheBotShowsUpInTheNextList) {
    const Reply before = ask("U1", "list my-dedicated-db");
    EXPECT_EQ(ask("U1", "add my-dedicated-db new@example.com").kind, ReplyKind::change);
    const Reply after = ask("U1", "list my-dedicated-db");
    EXPECT_NE(to_plain_text(after).find("new@example.com"), std::string::npos) << to_plain_text(after);
    ASSERT_TRUE(after.key);
    EXPECT_NE(after.key->generation, before.key->generation);

    const std::string token = propose("U1", "remove my-dedicated-db new@example.com");
    EXPECT_EQ(ask("U1", "confirm " + token).kind, ReplyKind::change);
    EXPECT_EQ(say("U1", "list my-dedicated-db"), seed_output);
}

TEST_F(CachedService, AStrangerIsRefusedFromTheKeptSnapshotToo) {
    ask("U1", "list my-dedicated-db");
    EXPECT_EQ(ask("U9", "list my-dedicated-db").kind, ReplyKind::denied);
    EXPECT_EQ(ask("U3", "list my-dedicated-db").kind, ReplyKind::denied);
}

TEST_F(Service, HelpIsTheSameReplyForEveryoneWhoMayDoTheSame) {
    const Reply first = ask("U1", "help");
    const Reply again = ask("U2", "help");
    ASSERT_TRUE(first.key);
    EXPECT_EQ(first.key, again.key);
    EXPECT_EQ(to_plain_text(first), to_plain_text(again));
    EXPECT_NE(ask("U9", "help").key, first.key);
    const int calls = api_.calls;
    EXPECT_NE(ask("U1", "help add").key, first.key);
    EXPECT_EQ(api_.calls, calls) << "help on one command asks the upstream nothing";
}

TEST_F(Service, ADirectoryThatCannotSayWhoSomeoneIsFailsTheCommandWithItsReason) {
    directory_.failure = ApiError{ApiErrorKind::forbidden, "The directory is missing a permission."};
    const Reply reply = ask("U1", "add my-dedicated-db new@example.com");
    EXPECT_EQ(reply.kind, ReplyKind::failure);
    EXPECT_EQ(to_plain_text(reply), " !     The directory is missing a permission.\n");
    EXPECT_TRUE(api_.invited.empty()) << "nothing was done for someone the bot could not identify";
}

TEST_F(Service, StrangerIsDeniedAndSeesNoTable) {
    Reply reply = ask("U9", "list my-dedicated-db");
    EXPECT_EQ(reply.kind, ReplyKind::denied);
    EXPECT_FALSE(reply.table.has_value());
    EXPECT_EQ(to_plain_text(reply),
              " !     You (stranger@example.com) are not a collaborator of my-dedicated-db; ask for access with "
              "/collab request my-dedicated-db.\n");
}

TEST_F(Service, PendingInviteeIsDenied) {
    EXPECT_EQ(say("U3", "list my-dedicated-db"),
              " !     Your invitation to my-dedicated-db is still pending: accept it from the e-mail you received "
              "first.\n");
}

TEST_F(Service, AdminWhoIsNotACollaboratorMayList) {
    settings_.rules.admins = {"shell:U9"};
    EXPECT_EQ(say("U9", "list my-dedicated-db"), seed_output);
}

TEST_F(Service, ChannelRuleKeepsOtherDatabasesOut) {
    settings_.rules.channel_databases["shell:C-ops"] = {"other-db"};
    EXPECT_EQ(say("U1", "list my-dedicated-db"),
              " !     This channel may not manage my-dedicated-db (it manages: other-db).\n");
}

TEST_F(Service, UnlinkedIdentityIsDeniedBeforeAskingUpstream) {
    EXPECT_EQ(say("U0", "list my-dedicated-db"),
              " !     Your chat identity (shell:U0) is not linked to a Scalingo account: the bot has no e-mail address "
              "for it. Ask an admin of the bot to add \"shell:U0\" = \"you@example.com\" (your Scalingo account's "
              "e-mail) under [identities].\n");
    EXPECT_EQ(api_.calls, 0);
    ASSERT_EQ(audit_.entries.size(), 1u);
    EXPECT_EQ(audit_.entries[0].outcome, AuditOutcome::denied);
    EXPECT_EQ(audit_.entries[0].email, "");
    EXPECT_EQ(audit_.entries[0].user_id, "U0");
}

TEST_F(Service, UnknownDatabaseIsNamed) {
    EXPECT_EQ(say("U1", "list nope-db"),
              " !     There is no database named \"nope-db\" (or the bot's account cannot see it).\n");
    ASSERT_EQ(audit_.entries.size(), 1u);
    EXPECT_EQ(audit_.entries[0].outcome, AuditOutcome::failed);
    EXPECT_EQ(audit_.entries[0].database, "nope-db");
}

TEST_F(Service, UpstreamErrorMessageIsShown) {
    api_.list_error = ApiError{ApiErrorKind::transient, "Scalingo did not answer properly (HTTP 502).", {}};
    Reply reply = ask("U1", "list my-dedicated-db");
    EXPECT_EQ(reply.kind, ReplyKind::failure);
    EXPECT_EQ(to_plain_text(reply), " !     Scalingo did not answer properly (HTTP 502).\n");
}

TEST_F(Service, RateLimitSaysWhenToTryAgain) {
    api_.list_error = ApiError{ApiErrorKind::rate_limited, "Scalingo is limiting the bot's requests.", 30s};
    EXPECT_EQ(say("U1", "list my-dedicated-db"),
              " !     Scalingo is limiting the bot's requests. Try again in 30 seconds.\n");
    api_.list_error->retry_after = 120s;
    EXPECT_EQ(say("U1", "list my-dedicated-db"),
              " !     Scalingo is limiting the bot's requests. Try again in 2 minutes.\n");
}

// ---- add --------------------------------------------------------------------------------------------------------

TEST_F(Service, AddInvitesPrintsTheCliLineAndAudits) {
    Reply reply = ask("U1", "add my-dedicated-db user@example.com");
    EXPECT_EQ(reply.kind, ReplyKind::change);
    EXPECT_EQ(to_plain_text(reply),
              "-----> user@example.com has been invited to collaborate to my-dedicated-db (by user1@example.com)\n");
    EXPECT_EQ(api_.invited, std::vector<std::string>{"my-dedicated-db user@example.com"});

    ASSERT_EQ(outcomes(), (std::vector{AuditOutcome::allowed, AuditOutcome::executed}));
    const AuditEntry& entry = audit_.entries.back();
    EXPECT_EQ(entry.at, t0);
    EXPECT_EQ(entry.platform, "shell");
    EXPECT_EQ(entry.team, "local");
    EXPECT_EQ(entry.channel, "C-ops");
    EXPECT_EQ(entry.user_id, "U1");
    EXPECT_EQ(entry.email, "user1@example.com");
    EXPECT_EQ(entry.action, "add");
    EXPECT_EQ(entry.database, db);
    EXPECT_EQ(entry.target, "user@example.com");
}

TEST_F(Service, InviteeShowsAsPendingInTheList) {
    ask("U1", "add my-dedicated-db user@example.com");
    const std::string table = say("U1", "list my-dedicated-db");
    EXPECT_NE(table.find("│ user@example.com  │ n/a      │ pending  │ collaborator │\n"), std::string::npos) << table;
}

TEST_F(Service, AddSeveralAddressesOneLineEach) {
    EXPECT_EQ(say("U2", "invite my-dedicated-db a@example.com, b@example.com"),
              "-----> a@example.com has been invited to collaborate to my-dedicated-db (by user2@example.com)\n"
              "-----> b@example.com has been invited to collaborate to my-dedicated-db (by user2@example.com)\n");
    EXPECT_EQ(api_.invited.size(), 2u);
}

TEST_F(Service, AddOfSomeoneAlreadyThereSaysSoWithoutInviting) {
    EXPECT_EQ(say("U1", "add my-dedicated-db user3@example.com"),
              "user3@example.com is already a collaborator of my-dedicated-db (pending).\n");
    EXPECT_EQ(say("U1", "add my-dedicated-db USER2@example.com"),
              "USER2@example.com is already a collaborator of my-dedicated-db (accepted).\n");
    EXPECT_EQ(say("U2", "add my-dedicated-db user1@example.com"), "user1@example.com already owns my-dedicated-db.\n");
    EXPECT_TRUE(api_.invited.empty());
    EXPECT_EQ(ask("U1", "add my-dedicated-db user3@example.com").kind, ReplyKind::result);
}

TEST_F(Service, AddMixOfExistingAndNew) {
    EXPECT_EQ(say("U1", "add my-dedicated-db user3@example.com new@example.com"),
              "user3@example.com is already a collaborator of my-dedicated-db (pending).\n"
              "-----> new@example.com has been invited to collaborate to my-dedicated-db (by user1@example.com)\n");
}

TEST_F(Service, AddWithLimitedIsRefusedBeforeAnythingHappens) {
    Reply reply = ask("U1", "add my-dedicated-db user@example.com --limited");
    EXPECT_EQ(reply.kind, ReplyKind::usage_error);
    EXPECT_NE(to_plain_text(reply).find("Limited Collaborator"), std::string::npos);
    EXPECT_EQ(reply.usage, "Usage: /collab add <db> <email> [<email>…]");
    EXPECT_EQ(api_.calls, 0);
}

std::string addresses(int count) {
    std::string list;
    for (int i = 0; i < count; ++i) list += " person" + std::to_string(i) + "@example.com";
    return list;
}

TEST_F(Service, AddOfMoreAddressesThanTheCapIsRefusedBeforeAnythingIsAskedSayingTheCap) {
    Reply reply = ask("U1", "add my-dedicated-db" + addresses(11));
    EXPECT_EQ(to_plain_text(reply),
              " !     add takes at most 10 addresses at a time (11 were given): split them over several commands.\n"
              "Usage: /collab add <db> <email> [<email>…]\n");
    EXPECT_EQ(reply.kind, ReplyKind::usage_error);
    EXPECT_EQ(directory_.lookups, 0) << "no identity lookup";
    EXPECT_EQ(api_.calls, 0) << "no upstream call";
    EXPECT_TRUE(audit_.entries.empty());
}

TEST_F(Service, AddOfTenThousandAddressesIsRefusedAtOnce) {
    const auto started = std::chrono::steady_clock::now();
    Outcome outcome = handled("U1", "add my-dedicated-db" + addresses(10'000));
    const Reply& reply = outcome.reply;
    EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);  // 10 s before the grammar was linear
    EXPECT_EQ(reply.lines.at(0).text,
              "add takes at most 10 addresses at a time (10000 were given): split them over several commands.");
    EXPECT_EQ(api_.calls, 0);
    EXPECT_LE(outcome.decision.target.size(), 600u) << "the decision's target is bounded too";
}

TEST_F(Service, TheCapIsASettingAndCountsDistinctAddresses) {
    settings_.max_addresses_per_add = 3;
    EXPECT_EQ(ask("U1", "add my-dedicated-db" + addresses(4)).lines.at(0).text,
              "add takes at most 3 addresses at a time (4 were given): split them over several commands.");
    // The same address twice, in another case, counts once.
    Reply reply = ask("U1", "add my-dedicated-db" + addresses(3) + " PERSON0@example.com");
    EXPECT_EQ(reply.kind, ReplyKind::change) << to_plain_text(reply);
    EXPECT_EQ(api_.invited.size(), 3u);
}

TEST_F(Service, InviteFailureIsShownAndAudited) {
    api_.invite_error = ApiError{ApiErrorKind::transient, "Scalingo did not answer in time; nothing was changed.", {}};
    Reply reply = ask("U1", "add my-dedicated-db user@example.com");
    EXPECT_EQ(reply.kind, ReplyKind::failure);
    EXPECT_EQ(to_plain_text(reply), " !     Scalingo did not answer in time; nothing was changed.\n");
    EXPECT_EQ(outcomes(), (std::vector{AuditOutcome::allowed, AuditOutcome::failed}));
    EXPECT_EQ(audit_.entries.back().detail, "Scalingo did not answer in time; nothing was changed.");
}

TEST_F(Service, AuditTrailFailureBlocksInvitations) {
    audit_.failing = true;
    Reply reply = ask("U1", "add my-dedicated-db user@example.com");
    EXPECT_EQ(reply.kind, ReplyKind::failure);
    EXPECT_EQ(to_plain_text(reply),
              " !     The audit trail cannot be written, so user@example.com was not invited; an admin of the bot "
              "should check its state storage.\n");
    EXPECT_TRUE(api_.invited.empty());
}

// ---- remove and confirm -------------------------------------------------------------------------------------

TEST_F(Service, RemoveProposesAndConfirmRemoves) {
    Reply proposal = ask("U1", "remove my-dedicated-db user2@example.com");
    ASSERT_EQ(proposal.kind, ReplyKind::proposal);
    ASSERT_TRUE(proposal.proposal.has_value());
    EXPECT_EQ(proposal.proposal->question, "Revoke access of user2@example.com to my-dedicated-db?");
    EXPECT_EQ(proposal.proposal->action_label, "Revoke access");
    EXPECT_EQ(proposal.proposal->expires_at, t0 + 5min);
    const std::string token = proposal.proposal->token;
    EXPECT_EQ(to_plain_text(proposal),
              "Revoke access of user2@example.com to my-dedicated-db?\n"
              "To confirm, type before 2026-11-28 12:49:32 UTC:\n"
              "  /collab confirm " +
                  token + "\n");
    EXPECT_TRUE(api_.removed.empty());

    clock_.now_ += 1min;
    Reply done = ask("U1", "confirm " + token);
    EXPECT_EQ(done.kind, ReplyKind::change);
    EXPECT_EQ(to_plain_text(done), removed_user2);
    EXPECT_EQ(api_.removed, std::vector<std::string>{"my-dedicated-db c2"});
    EXPECT_EQ(say("U1", "list my-dedicated-db").find("user2@example.com"), std::string::npos);
}

TEST_F(Service, EveryStepOfARemovalIsAudited) {
    const std::string token = propose("U1", "rm my-dedicated-db user2@example.com");
    ask("U1", "confirm " + token);
    ASSERT_EQ(outcomes(), (std::vector{AuditOutcome::proposed, AuditOutcome::confirmed, AuditOutcome::executed}));
    for (const auto& entry : audit_.entries) {
        EXPECT_EQ(entry.action, "remove");
        EXPECT_EQ(entry.database, db);
        EXPECT_EQ(entry.target, "user2@example.com");
        EXPECT_EQ(entry.email, "user1@example.com");
        EXPECT_EQ(entry.channel, "C-ops");
    }
}

TEST_F(Service, ConfirmationTtlComesFromSettings) {
    settings_.confirmation_ttl = 60s;
    Reply proposal = ask("U1", "remove my-dedicated-db user2@example.com");
    ASSERT_TRUE(proposal.proposal.has_value());
    EXPECT_EQ(proposal.proposal->expires_at, t0 + 1min);
    EXPECT_NE(to_plain_text(proposal).find("To confirm, type before 2026-11-28 12:45:32 UTC:\n"), std::string::npos);
}

TEST_F(Service, ConfirmByAnotherPersonIsRefusedAndRemovesNothing) {
    const std::string token = propose("U1", "remove my-dedicated-db user2@example.com");
    Reply reply = ask("U2", "confirm " + token);
    EXPECT_EQ(reply.kind, ReplyKind::denied);
    EXPECT_EQ(to_plain_text(reply),
              " !     This confirmation was issued to someone else; only the person who asked can confirm it.\n");
    EXPECT_TRUE(api_.removed.empty());
    EXPECT_EQ(audit_.entries.back().outcome, AuditOutcome::denied);
    EXPECT_EQ(audit_.entries.back().user_id, "U2");
}

TEST_F(Service, ConfirmInAnotherChannelIsRefused) {
    const std::string token = propose("U1", "remove my-dedicated-db user2@example.com");
    EXPECT_EQ(say("U1", "confirm " + token, "C-random"),
              " !     This confirmation was issued in another channel; confirm it where it was proposed.\n");
    EXPECT_TRUE(api_.removed.empty());
}

TEST_F(Service, ConfirmAfterExpiryIsRefused) {
    const std::string token = propose("U1", "remove my-dedicated-db user2@example.com");
    clock_.now_ += 5min;
    EXPECT_EQ(say("U1", "confirm " + token),
              " !     This confirmation expired at 2026-11-28 12:49:32 UTC; run the command again to get a new one.\n");
    EXPECT_TRUE(api_.removed.empty());
    EXPECT_EQ(audit_.entries.back().outcome, AuditOutcome::denied);
}

TEST_F(Service, ConfirmJustBeforeExpiryWorks) {
    const std::string token = propose("U1", "remove my-dedicated-db user2@example.com");
    clock_.now_ += 5min - 1s;
    EXPECT_EQ(say("U1", "confirm " + token), removed_user2);
}

TEST_F(Service, ForgedTokenIsRefused) {
    EXPECT_EQ(say("U1", "confirm 6331.0011223344556677"),
              " !     This confirmation token is not valid: it was altered, cut short, or issued by another bot.\n");
    EXPECT_TRUE(api_.removed.empty());
}

TEST_F(Service, ConfirmingTwiceRemovesOnce) {
    const std::string token = propose("U1", "remove my-dedicated-db user2@example.com");
    EXPECT_EQ(say("U1", "confirm " + token), removed_user2);
    clock_.now_ += 30s;
    Reply again = ask("U1", "confirm " + token);
    EXPECT_EQ(again.kind, ReplyKind::denied);
    EXPECT_EQ(to_plain_text(again),
              " !     This confirmation was already used at 2026-11-28 12:44:32 UTC by user1@example.com; nothing more "
              "was done.\n");
    EXPECT_EQ(api_.removed.size(), 1u);
    EXPECT_EQ(audit_.entries.back().outcome, AuditOutcome::denied);
}

// Accepting an invitation gives the collaborator a username, as Scalingo does.
void accept(FakeApi& api, const std::string& email) {
    for (auto& c : api.collaborators[db])
        if (c.email == email) {
            c.status = Status::accepted;
            c.username = "back-again";
        }
}

TEST_F(Service, AConfirmationUsedOnceCannotRemoveTheSamePersonInvitedAgain) {
    const std::string token = propose("U1", "remove my-dedicated-db user2@example.com");
    EXPECT_EQ(say("U1", "confirm " + token), removed_user2);
    ASSERT_EQ(ask("U1", "add my-dedicated-db user2@example.com").kind, ReplyKind::change);
    accept(api_, "user2@example.com");

    EXPECT_EQ(say("U1", "confirm " + token),
              " !     This confirmation was already used at 2026-11-28 12:44:32 UTC by user1@example.com; nothing more "
              "was done.\n");
    EXPECT_EQ(api_.removed, std::vector<std::string>{"my-dedicated-db c2"});
    EXPECT_NE(say("U1", "list my-dedicated-db").find("user2@example.com"), std::string::npos);
}

TEST_F(Service, AConfirmationNamesTheCollaboratorRecordNotOnlyTheAddress) {
    // The record of its use is gone (a restart of a lone instance): the token itself still names c2.
    const std::string token = propose("U1", "remove my-dedicated-db user2@example.com");
    EXPECT_EQ(say("U1", "confirm " + token), removed_user2);
    used_.used.clear();
    ASSERT_EQ(ask("U1", "add my-dedicated-db user2@example.com").kind, ReplyKind::change);
    accept(api_, "user2@example.com");

    Reply reply = ask("U1", "confirm " + token);
    EXPECT_EQ(reply.kind, ReplyKind::denied);
    EXPECT_EQ(to_plain_text(reply),
              " !     user2@example.com was invited to my-dedicated-db again after this confirmation was proposed, so "
              "it does not apply to them any more; nothing was removed. Run the command again to remove them now.\n");
    EXPECT_EQ(api_.removed.size(), 1u);
    // A new proposal names the new record, and works.
    const std::string fresh = propose("U1", "remove my-dedicated-db user2@example.com");
    EXPECT_EQ(say("U1", "confirm " + fresh), removed_user2);
    EXPECT_EQ(api_.removed.size(), 2u);
}

TEST_F(Service, AConfirmationThatChangedNothingCanBeTriedAgain) {
    const std::string token = propose("U1", "remove my-dedicated-db user2@example.com");
    api_.remove_error = ApiError{ApiErrorKind::rate_limited, "Scalingo asks the bot to slow down.", 20s};
    EXPECT_EQ(say("U1", "confirm " + token), " !     Scalingo asks the bot to slow down. Try again in 20 seconds.\n");
    api_.remove_error.reset();
    EXPECT_EQ(say("U1", "confirm " + token), removed_user2);
    EXPECT_EQ(api_.removed.size(), 1u);
}

TEST_F(Service, AConfirmationIsNotCarriedOutWhenItsUseCannotBeRecorded) {
    const std::string token = propose("U1", "remove my-dedicated-db user2@example.com");
    used_.unavailable = true;
    Reply reply = ask("U1", "confirm " + token);
    EXPECT_EQ(reply.kind, ReplyKind::failure);
    EXPECT_EQ(to_plain_text(reply),
              " !     The bot cannot tell whether this confirmation was already used (the store is down), so nothing "
              "was removed; try again in a moment.\n");
    EXPECT_TRUE(api_.removed.empty());
    used_.unavailable = false;
    EXPECT_EQ(say("U1", "confirm " + token), removed_user2);
}

TEST_F(Service, ConfirmationIsDecidedAgainOnTheDatabaseAsItIsNow) {
    const std::string token = propose("U2", "remove my-dedicated-db user3@example.com");
    // Meanwhile the proposer lost their own access.
    std::erase_if(api_.collaborators[db], [](const Collaborator& c) { return c.id == "c2"; });
    EXPECT_EQ(say("U2", "confirm " + token),
              " !     You (user2@example.com) are not a collaborator of my-dedicated-db; ask for access with "
              "/collab request my-dedicated-db.\n");
    EXPECT_TRUE(api_.removed.empty());
}

TEST_F(Service, RemovalFailureUpstreamIsShownAndAudited) {
    const std::string token = propose("U1", "remove my-dedicated-db user2@example.com");
    api_.remove_error = ApiError{ApiErrorKind::forbidden, "The bot's account may not remove collaborators here.", {}};
    EXPECT_EQ(say("U1", "confirm " + token), " !     The bot's account may not remove collaborators here.\n");
    EXPECT_EQ(outcomes(), (std::vector{AuditOutcome::proposed, AuditOutcome::confirmed, AuditOutcome::failed}));
}

TEST_F(Service, SomeoneGoneBeforeTheRemovalIsNotACollaboratorRatherThanAMissingDatabase) {
    const std::string token = propose("U1", "remove my-dedicated-db user2@example.com");
    api_.remove_error = ApiError{ApiErrorKind::not_member, "collaborator not found", {}};
    EXPECT_EQ(say("U1", "confirm " + token), " !     user2@example.com is not a collaborator of my-dedicated-db.\n");
    EXPECT_EQ(outcomes(), (std::vector{AuditOutcome::proposed, AuditOutcome::confirmed, AuditOutcome::failed}));
    EXPECT_EQ(audit_.entries.back().detail, "user2@example.com is not a collaborator of my-dedicated-db.");
}

TEST_F(Service, AnUpstreamAlreadyMemberIsRecordedAsNothingDone) {
    api_.invite_error =
        ApiError{ApiErrorKind::already_member, "Scalingo says that person is already a collaborator", {}};
    EXPECT_EQ(say("U1", "add my-dedicated-db new@example.com"),
              "new@example.com is already a collaborator of my-dedicated-db.\n");
    EXPECT_EQ(outcomes(), (std::vector{AuditOutcome::allowed, AuditOutcome::allowed}))
        << "no invitation went out, so nothing is recorded as executed";
    EXPECT_EQ(audit_.entries.back().detail, "new@example.com is already a collaborator of my-dedicated-db.");
}

TEST_F(Service, AuditTrailFailureBlocksRemovals) {
    const std::string token = propose("U1", "remove my-dedicated-db user2@example.com");
    audit_.failing = true;
    Reply reply = ask("U1", "confirm " + token);
    EXPECT_EQ(reply.kind, ReplyKind::failure);
    EXPECT_EQ(to_plain_text(reply),
              " !     The audit trail cannot be written, so nothing was removed; an admin of the bot should check its "
              "state storage.\n");
    EXPECT_TRUE(api_.removed.empty());
}

TEST_F(Service, RemoveOfSomeoneAbsentSaysTheyAreNotACollaborator) {
    Reply reply = ask("U1", "remove my-dedicated-db nobody@example.com");
    EXPECT_FALSE(reply.proposal.has_value());
    EXPECT_EQ(to_plain_text(reply), " !     nobody@example.com is not a collaborator of my-dedicated-db.\n");
}

TEST_F(Service, NobodyRemovesTheOwner) {
    EXPECT_EQ(say("U2", "remove my-dedicated-db user1@example.com"),
              " !     \"user1@example.com\" owns my-dedicated-db and cannot be removed.\n");
}

TEST_F(Service, TheBotsOwnAccountIsProtected) {
    api_.collaborators[db].push_back(
        Collaborator{"c9", "collab-bot@example.com", "collab-bot", Status::accepted, false});
    EXPECT_EQ(say("U1", "remove my-dedicated-db collab-bot@example.com"),
              " !     \"collab-bot@example.com\" is the account the bot works with; removing it would cut the bot off "
              "from my-dedicated-db.\n");
}

// ---- leave ------------------------------------------------------------------------------------------------------

TEST_F(Service, LeaveProposesThenConfirmRemovesTheOneTyping) {
    Reply proposal = ask("U2", "leave my-dedicated-db");
    ASSERT_TRUE(proposal.proposal.has_value());
    EXPECT_EQ(proposal.proposal->question,
              "Stop collaborating on my-dedicated-db? You (user2@example.com) will lose access to it.");
    EXPECT_EQ(proposal.proposal->action_label, "Stop collaborating");
    EXPECT_EQ(say("U2", "confirm " + proposal.proposal->token),
              "-----> user2@example.com has been removed from the collaborators of my-dedicated-db (by "
              "user2@example.com)\n");
    EXPECT_EQ(api_.removed, std::vector<std::string>{"my-dedicated-db c2"});
    EXPECT_EQ(outcomes(), (std::vector{AuditOutcome::proposed, AuditOutcome::confirmed, AuditOutcome::executed}));
    EXPECT_EQ(audit_.entries.back().action, "leave");
}

TEST_F(Service, OwnerCannotLeave) {
    EXPECT_EQ(say("U1", "leave my-dedicated-db"),
              " !     You own my-dedicated-db: an owner cannot stop collaborating on their own database.\n");
    EXPECT_EQ(audit_.entries.back().outcome, AuditOutcome::denied);
}

TEST_F(Service, StrangerHasNothingToLeave) {
    EXPECT_EQ(say("U9", "leave my-dedicated-db"),
              " !     You (stranger@example.com) are not a collaborator of my-dedicated-db.\n");
}

// ---- the audit trail --------------------------------------------------------------------------------------------

TEST_F(Service, EveryDecisionIsAuditedWithItsOutcome) {
    ask("U9", "list my-dedicated-db");
    const std::string token = propose("U1", "remove my-dedicated-db user2@example.com");
    ask("U1", "confirm " + token);
    ask("U1", "add my-dedicated-db user@example.com");
    EXPECT_EQ(outcomes(), (std::vector{AuditOutcome::denied, AuditOutcome::proposed, AuditOutcome::confirmed,
                                       AuditOutcome::executed, AuditOutcome::allowed, AuditOutcome::executed}));

    const AuditEntry& denied = audit_.entries.front();
    EXPECT_EQ(denied.user_id, "U9");
    EXPECT_EQ(denied.email, "stranger@example.com");
    EXPECT_EQ(denied.action, "list");
    EXPECT_EQ(denied.database, db);
    EXPECT_EQ(denied.detail,
              "You (stranger@example.com) are not a collaborator of my-dedicated-db; ask for access with "
              "/collab request my-dedicated-db.");
}

TEST_F(Service, UnlinkedConfirmationIsAudited) {
    // Every denial is a decision, and every decision goes to the trail.
    EXPECT_EQ(say("U0", "confirm 00.00"),
              " !     Your chat identity (shell:U0) is not linked to a Scalingo account: the bot has no e-mail address "
              "for it. Ask an admin of the bot to add \"shell:U0\" = \"you@example.com\" (your Scalingo account's "
              "e-mail) under [identities].\n");
    ASSERT_EQ(audit_.entries.size(), 1u);
    EXPECT_EQ(audit_.entries[0].outcome, AuditOutcome::denied);
}

TEST_F(Service, AuditWithNothingYet) {
    EXPECT_EQ(say("U1", "audit my-dedicated-db"), "Nothing has been done through the bot on my-dedicated-db yet.\n");
}

TEST_F(Service, AuditShowsTheMostRecentActionsNewestFirst) {
    ask("U1", "add my-dedicated-db user@example.com");
    clock_.now_ += 1min;
    EXPECT_EQ(say("U2", "audit my-dedicated-db"),
              "Most recent actions on my-dedicated-db, newest first:\n"
              "┌─────────────────────────┬───────────────────┬──────────────────────┬──────────┐\n"
              "│          WHEN           │        WHO        │        ACTION        │ OUTCOME  │\n"
              "├─────────────────────────┼───────────────────┼──────────────────────┼──────────┤\n"
              "│ 2026-11-28 12:44:32 UTC │ user1@example.com │ add user@example.com │ executed │\n"
              "│ 2026-11-28 12:44:32 UTC │ user1@example.com │ add user@example.com │ allowed  │\n"
              "└─────────────────────────┴───────────────────┴──────────────────────┴──────────┘\n");
    // Reading the trail is not an entry of it.
    EXPECT_EQ(audit_.entries.back().action, "add");
}

TEST_F(Service, AllowedReadsAreNotRecordedButTheirDenialsAre) {
    for (const char* read : {"list my-dedicated-db", "audit my-dedicated-db",
                             "audit my-dedicated-db by "
                             "user1@example.com add",
                             "whoami", "dbs", "access user2@example.com", "help", "help add"})
        EXPECT_NE(ask("U1", read).kind, ReplyKind::denied) << read;
    EXPECT_TRUE(audit_.entries.empty()) << audit_.entries.front().action;

    EXPECT_EQ(ask("U9", "list my-dedicated-db").kind, ReplyKind::denied);
    EXPECT_EQ(ask("U0", "dbs").kind, ReplyKind::denied);
    EXPECT_EQ(ask("U9", "access user2@example.com").kind, ReplyKind::denied);
    ASSERT_EQ(audit_.entries.size(), 3u);
    EXPECT_EQ(audit_.entries[0].action, "list");
    EXPECT_EQ(audit_.entries[0].outcome, AuditOutcome::denied);
    EXPECT_EQ(audit_.entries[1].action, "dbs");
    EXPECT_EQ(audit_.entries[1].outcome, AuditOutcome::denied);
    EXPECT_EQ(audit_.entries[2].action, "access");
    EXPECT_EQ(audit_.entries[2].target, "user2@example.com");
    EXPECT_EQ(audit_.entries[2].outcome, AuditOutcome::denied);
}

TEST_F(Service, ReadsAreRecordedWhenTheSettingsAskForThem) {
    settings_.record_reads = true;
    for (const char* read :
         {"list my-dedicated-db", "audit my-dedicated-db", "whoami", "dbs", "access user2@example.com", "help"})
        EXPECT_NE(ask("U1", read).kind, ReplyKind::denied) << read;
    std::vector<std::string> actions;
    for (const auto& entry : audit_.entries) {
        actions.push_back(entry.action);
        EXPECT_EQ(entry.outcome, AuditOutcome::allowed);
    }
    EXPECT_EQ(actions, (std::vector<std::string>{"list", "audit", "whoami", "dbs", "access", "help"}));
    EXPECT_EQ(audit_.entries.front().database, db);
}

TEST_F(Service, AFailedListOfDatabasesIsRecorded) {
    api_.databases_error = ApiError{ApiErrorKind::transient, "Scalingo had a problem (HTTP 502).", {}};
    EXPECT_EQ(ask("U1", "dbs").kind, ReplyKind::failure);
    ASSERT_EQ(audit_.entries.size(), 1u);
    EXPECT_EQ(audit_.entries[0].outcome, AuditOutcome::failed);
}

// What a chat client suggests while someone types a database's name.
TEST_F(Service, SuggestionsAreTheDatabasesThePersonMayActOnAndNothingIsRecorded) {
    const auto names_for = [this](const std::string& user_id) {
        Actor actor{"shell", "local", user_id, "C-ops", std::nullopt};
        return run(service().manageable_databases(std::move(actor)));
    };
    EXPECT_EQ(names_for("U1"), std::vector<std::string>{db}) << "the owner of one, a stranger to the other";
    EXPECT_EQ(names_for("U2"), (std::vector<std::string>{db, "other-db"})) << "accepted on one, owner of the other";
    EXPECT_EQ(names_for("U3"), std::vector<std::string>{}) << "a pending invitation is not yet a say";
    EXPECT_EQ(names_for("U0"), std::vector<std::string>{}) << "someone unlinked";
    api_.databases_error = ApiError{ApiErrorKind::transient, "Scalingo had a problem (HTTP 502).", {}};
    EXPECT_EQ(names_for("U2"), std::vector<std::string>{}) << "an upstream that cannot say";
    EXPECT_TRUE(audit_.entries.empty());
}

TEST_F(Service, AnAdminIsSuggestedEveryDatabaseTheChannelMayManage) {
    settings_.rules.admins = {"shell:U9"};
    settings_.rules.channel_databases["shell:C-ops"] = {"other-db"};
    Actor admin{"shell", "local", "U9", "C-ops", std::nullopt};
    EXPECT_EQ(run(service().manageable_databases(std::move(admin))), std::vector<std::string>{"other-db"});
}

TEST_F(Service, AuditIsForMembersOnly) {
    EXPECT_EQ(ask("U9", "audit my-dedicated-db").kind, ReplyKind::denied);
    EXPECT_EQ(ask("U3", "audit my-dedicated-db").kind, ReplyKind::denied);
}

// ---- whoami, help, mistakes -------------------------------------------------------------------------------------

TEST_F(Service, WhoamiShowsBothIdentities) {
    EXPECT_EQ(say("U2", "whoami"),
              "Chat identity: user2@example.com, shell user U2 in local, channel C-ops\n"
              "Scalingo account: user2@example.com\n"
              "The bot acts as Scalingo account collab-bot@example.com\n");
}

TEST_F(Service, WhoamiForAnAdminAndForAnUnlinkedIdentity) {
    settings_.rules.admins = {"shell:U9"};
    EXPECT_EQ(say("U9", "whoami"),
              "Chat identity: stranger@example.com, shell user U9 in local, channel C-ops\n"
              "Scalingo account: stranger@example.com\n"
              "You are an admin of the bot.\n"
              "The bot acts as Scalingo account collab-bot@example.com\n");
    EXPECT_NE(say("U0", "whoami")
                  .find("Scalingo account: none linked. Ask an admin of the bot to add \"shell:U0\" = "
                        "\"you@example.com\" (your Scalingo account's e-mail) under [identities].\n"),
              std::string::npos);
}

TEST_F(Service, WhoamiNamesThePersonByTheirMentionThenByTheirIds) {
    ChatRequest request{Actor{"slack", "T1", "U2", "C-ops", std::nullopt, "jane.doe"}, "whoami"};
    const Reply reply = run(service().handle(std::move(request))).reply;
    ASSERT_FALSE(reply.lines.empty());
    const Line& first = reply.lines.front();
    EXPECT_EQ(first.text, "Chat identity: ");
    ASSERT_TRUE(first.mention) << "the platform shows the person as it mentions them";
    EXPECT_EQ(first.mention->platform, "slack");
    EXPECT_EQ(first.mention->id, "U2");
    EXPECT_EQ(first.mention->name, "jane.doe");
    EXPECT_EQ(first.after, ", slack user jane.doe (U2) in T1, channel C-ops");
    EXPECT_EQ(plain_line_text(first), "Chat identity: jane.doe, slack user jane.doe (U2) in T1, channel C-ops");
}

TEST_F(Service, HelpForOneCommand) {
    EXPECT_EQ(say("U0", "help invite"),
              "/collab add <db> <email> [<email>…]  (alias: invite)\n"
              "    Invite one or more people as Collaborator; each gets an e-mail invitation and stays pending until "
              "they accept.\n"
              "    e.g. /collab add my-dedicated-db user@example.com\n");
    EXPECT_EQ(say("U0", "help whoami"),
              "/collab whoami\n"
              "    Show your chat identity and the Scalingo account it maps to.\n"
              "    e.g. /collab whoami\n");
}

const std::vector<std::string> every_command{"\n/collab list <db>  (alias: ls)\n",
                                             "\n/collab add <db> <email> [<email>…]  (alias: invite)\n",
                                             "\n/collab remove <db> <email>  (alias: rm, revoke)\n",
                                             "\n/collab leave <db>\n",
                                             "\n/collab whoami\n",
                                             "\n/collab audit <db> [by <email>] [<action>]\n",
                                             "\n/collab access <email>\n",
                                             "\n/collab help [command]\n",
                                             "\n/collab dbs  (alias: databases)\n",
                                             "\n/collab confirm <token>\n"};

// The commands of `every_command` that `help` lists, in that order.
std::vector<std::string> listed_in(const std::string& help) {
    std::vector<std::string> listed;
    for (const auto& line : every_command)
        if (help.find(line) != std::string::npos) listed.push_back(line.substr(9, line.find_first_of(" \n", 9) - 9));
    return listed;
}

TEST_F(Service, GeneralHelpForAMemberListsEveryCommandAndTheShellsConfirm) {
    const std::string help = say("U1", "");
    EXPECT_TRUE(
        help.starts_with("collab-bot manages who collaborates on Scalingo Dedicated Resources databases.\n"
                         "Usage: /collab <command> [arguments]\n"))
        << help;
    EXPECT_EQ(listed_in(help), (std::vector<std::string>{"list", "add", "remove", "leave", "whoami", "audit", "access",
                                                         "help", "dbs", "confirm"}));
    EXPECT_TRUE(
        help.ends_with("\nRemovals are proposed first and carried out when you confirm them. To get access to "
                       "another database, ask for it with /collab request <db>.\n"))
        << help;
    EXPECT_TRUE(audit_.entries.empty());
}

TEST_F(Service, WhereButtonsConfirmTheHelpLeavesConfirmOut) {
    ChatRequest request{Actor{"slack", "T1", "U1", "C-ops", std::nullopt}, "help"};
    const std::string help = to_plain_text(run(service().handle(std::move(request))).reply);
    EXPECT_EQ(listed_in(help),
              (std::vector<std::string>{"list", "add", "remove", "leave", "whoami", "audit", "access", "help", "dbs"}));
}

// Decided from who asks: not linked, linked on no database, invited only, a member, an admin.
TEST_F(Service, HelpListsWhatEachPersonMayUseNow) {
    const std::string unlinked = say("U0", "help");
    EXPECT_EQ(listed_in(unlinked), (std::vector<std::string>{"whoami", "help"}));
    EXPECT_TRUE(
        unlinked.ends_with("\nTo do more, an admin of the bot must link your chat identity to your Scalingo "
                           "account: /collab whoami shows what to ask for.\n"))
        << unlinked;
    const std::string stranger = say("U9", "help");
    EXPECT_EQ(listed_in(stranger), (std::vector<std::string>{"whoami", "help", "dbs"}));
    EXPECT_TRUE(
        stranger.ends_with("\nTo get access to a database, ask for it with /collab request <db>: its owner and "
                           "collaborators decide.\n"))
        << stranger;
    EXPECT_NE(stranger.find("The commands you can use now:\n"), std::string::npos) << stranger;
    const std::string pending = say("U3", "help");
    EXPECT_EQ(listed_in(pending), (std::vector<std::string>{"leave", "whoami", "help", "dbs", "confirm"}));
    EXPECT_TRUE(
        pending.ends_with("\nTo act on a database you were invited to, accept the invitation from the e-mail "
                          "you received first.\n"))
        << pending;
    EXPECT_EQ(listed_in(say("U2", "help")).size(), every_command.size());

    settings_.rules.admins = {"shell:U9"};
    service_.reset();
    EXPECT_EQ(listed_in(say("U9", "help")).size(), every_command.size());
}

TEST_F(Service, HelpOnOneCommandAlwaysAnswers) {
    EXPECT_EQ(say("U0", "help list"),
              "/collab list <db>  (alias: ls)\n"
              "    Show the owner and collaborators of a database.\n"
              "    e.g. /collab list my-dedicated-db\n");
    api_.databases_error = ApiError{ApiErrorKind::transient, "Scalingo had a problem (HTTP 502).", {}};
    EXPECT_EQ(say("U9", "help access"),
              "/collab access <email>\n"
              "    Show where someone is the owner or a collaborator, among the databases you manage.\n"
              "    e.g. /collab access user@example.com\n");
    // When the bot cannot tell where someone stands, the general help shows everything.
    EXPECT_EQ(listed_in(say("U9", "help")).size(), every_command.size());
}

TEST_F(Service, TypoGetsASuggestionAndTheUsageLine) {
    Reply reply = ask("U1", "lsit my-dedicated-db");
    EXPECT_EQ(reply.kind, ReplyKind::usage_error);
    EXPECT_EQ(to_plain_text(reply),
              " !     Unknown command \"lsit\". Did you mean \"list\"?\n"
              "Usage: /collab <command> [arguments] (type /collab help to see the commands)\n");
}

// ---- offboard: the seed's database, other-db (owned by user2, user1 accepted, user3 pending) and third-db
// (owned by user4, user2 accepted, user3 pending; user1 is not on it) -------------------------------------------

class Offboarding : public Service {
protected:
    Offboarding() {
        api_.collaborators["other-db"] = {Collaborator{"o1", "user1@example.com", "user1", Status::accepted, false},
                                          Collaborator{"o3", "user3@example.com", "n/a", Status::pending, false}};
        api_.known["third-db"] = Database{"third-db", Account{"u4", "user4@example.com", "user4"}, true};
        api_.collaborators["third-db"] = {Collaborator{"t2", "user2@example.com", "user2", Status::accepted, false},
                                          Collaborator{"t3", "user3@example.com", "n/a", Status::pending, false}};
    }

    // The databases an offboarding proposes, as its token names them.
    std::vector<std::string> proposed(const Reply& reply) {
        std::vector<std::string> names;
        if (!reply.proposal) return names;
        auto claims = read_token(signer_, reply.proposal->token);
        if (!claims) return names;
        for (const auto& seat : claims->seats) names.push_back(seat.database + " " + seat.collaborator_id);
        return names;
    }

    const std::string nothing =
        "user2@example.com collaborates on no database you may manage from this channel: "
        "nothing to offboard.\n";
};

TEST_F(Offboarding, AnOwnerAndCollaboratorGetsOneProposalForEveryDatabaseTheyManage) {
    Reply proposal = ask("U1", "offboard user3@example.com");
    ASSERT_EQ(proposal.kind, ReplyKind::proposal);
    EXPECT_EQ(proposal.proposal->question,
              "Offboard user3@example.com: remove them from my-dedicated-db and other-db (2 databases)?");
    EXPECT_EQ(proposal.proposal->action_label, "Remove from 2 databases");
    // third-db is none of user1's business: not named, not touched.
    EXPECT_EQ(proposed(proposal), (std::vector<std::string>{"my-dedicated-db c3", "other-db o3"}));
    EXPECT_TRUE(api_.removed.empty());

    EXPECT_EQ(say("U1", "confirm " + proposal.proposal->token),
              "-----> user3@example.com has been removed from the collaborators of my-dedicated-db (by "
              "user1@example.com)\n"
              "-----> user3@example.com has been removed from the collaborators of other-db (by user1@example.com)\n");
    EXPECT_EQ(api_.removed, (std::vector<std::string>{"my-dedicated-db c3", "other-db o3"}));
    EXPECT_EQ(api_.collaborators["third-db"].size(), 2u);
}

TEST_F(Offboarding, TheTrailRecordsEachDatabaseAndWhoProposedTheConfirmedRemovals) {
    const std::string token = propose("U1", "offboard user3@example.com");
    ask("U1", "confirm " + token);
    ASSERT_EQ(outcomes(), (std::vector{AuditOutcome::proposed, AuditOutcome::proposed, AuditOutcome::confirmed,
                                       AuditOutcome::executed, AuditOutcome::confirmed, AuditOutcome::executed}));
    for (const auto& entry : audit_.entries) {
        EXPECT_EQ(entry.action, "offboard");
        EXPECT_EQ(entry.target, "user3@example.com");
        EXPECT_EQ(entry.email, "user1@example.com");
        if (entry.outcome == AuditOutcome::confirmed) {
            EXPECT_EQ(entry.detail, "proposed by shell:U1");
        }
    }
    EXPECT_EQ(audit_.entries[0].database, "my-dedicated-db");
    EXPECT_EQ(audit_.entries[1].database, "other-db");
}

TEST_F(Offboarding, AnAcceptedCollaboratorOffboardsWhereTheyCollaborateButNeverTheOwner) {
    EXPECT_EQ(proposed(ask("U2", "offboard user3@example.com")),
              (std::vector<std::string>{"my-dedicated-db c3", "other-db o3", "third-db t3"}));
    // user1 owns my-dedicated-db: only other-db, where they collaborate, is proposed.
    EXPECT_EQ(proposed(ask("U2", "offboard user1@example.com")), (std::vector<std::string>{"other-db o1"}));
}

TEST_F(Offboarding, APendingInviteeOrAStrangerHasNothingToOffboardAndLearnsNothing) {
    EXPECT_EQ(say("U3", "offboard user2@example.com"), nothing);
    EXPECT_EQ(say("U9", "offboard user2@example.com"), nothing);
    EXPECT_TRUE(api_.removed.empty());
    EXPECT_EQ(audit_.entries.back().outcome, AuditOutcome::allowed);
}

TEST_F(Offboarding, AnAdminOffboardsFromEveryDatabaseTheBotManages) {
    settings_.rules.admins.insert("shell:U9");
    EXPECT_EQ(proposed(ask("U9", "offboard user2@example.com")),
              (std::vector<std::string>{"my-dedicated-db c2", "third-db t2"}));
}

TEST_F(Offboarding, TheChannelRulesKeepOtherDatabasesOut) {
    settings_.rules.channel_databases["shell:C-ops"] = {"other-db"};
    settings_.rules.default_policy = DefaultChannelPolicy::deny_all;
    EXPECT_EQ(proposed(ask("U1", "offboard user3@example.com")), (std::vector<std::string>{"other-db o3"}));
    EXPECT_EQ(say("U2", "offboard user2@example.com", "C-random"), nothing);
}

TEST_F(Offboarding, TheBotsOwnAccountIsRefused) {
    EXPECT_EQ(say("U1", "offboard collab-bot@example.com"),
              " !     \"collab-bot@example.com\" is the account the bot works with; removing it would cut the bot off "
              "from every database.\n");
}

TEST_F(Offboarding, APartialFailureSaysWhichDatabasesStillHaveThePersonAndWhy) {
    const std::string token = propose("U1", "offboard user3@example.com");
    // Removed and invited again on other-db since the proposal: another invitation, which stays.
    api_.collaborators["other-db"].pop_back();
    api_.collaborators["other-db"].push_back(Collaborator{"o9", "user3@example.com", "n/a", Status::pending, false});
    Reply done = ask("U1", "confirm " + token);
    EXPECT_EQ(done.kind, ReplyKind::change);
    EXPECT_EQ(to_plain_text(done),
              "-----> user3@example.com has been removed from the collaborators of my-dedicated-db (by "
              "user1@example.com)\n"
              " !     user3@example.com still has access to other-db: user3@example.com was invited to other-db again "
              "after this confirmation was proposed, so it does not apply to them any more; nothing was removed. Run "
              "the command again to remove them now.\n");
    EXPECT_EQ(api_.removed, std::vector<std::string>{"my-dedicated-db c3"});
}

TEST_F(Offboarding, SomeoneAlreadyGoneIsNoFailure) {
    const std::string token = propose("U1", "offboard user3@example.com");
    api_.collaborators["other-db"].pop_back();
    EXPECT_EQ(say("U1", "confirm " + token),
              "-----> user3@example.com has been removed from the collaborators of my-dedicated-db (by "
              "user1@example.com)\n"
              "user3@example.com was no longer a collaborator of other-db.\n");
}

TEST_F(Offboarding, AClickConfirmsOrCancelsTheWholeProposal) {
    const std::string token = propose("U1", "offboard user3@example.com");
    Outcome cancelled = clicked("U1", token, true);
    EXPECT_EQ(to_plain_text(cancelled.reply),
              "Cancelled: user3@example.com keeps access to my-dedicated-db, other-db.\n");
    Outcome done = clicked("U1", token);
    EXPECT_EQ(done.confirms, ConfirmAction::offboard);
    EXPECT_EQ(done.subject(), "offboard");
    EXPECT_EQ(done.decision.database, "my-dedicated-db,other-db");
    EXPECT_EQ(api_.removed.size(), 2u);
    EXPECT_EQ(clicked("U2", token).reply->kind, ReplyKind::denied) << "only the proposer confirms";
}

TEST_F(Offboarding, AProposalKeepsItsTokenWithinTheRoomOfASlackButton) {
    for (int i = 0; i < 40; ++i) {
        const std::string name = "a-database-with-a-rather-long-name-that-goes-on-and-on-" + std::to_string(100 + i);
        api_.known[name] = Database{name, Account{"u1", "user1@example.com", "user1"}, true};
        api_.collaborators[name] = {
            Collaborator{"5f3c1a2b9d8e7f6a5b4c3d2e-" + std::to_string(i), "user3@example.com", "n/a", Status::pending}};
    }
    Reply proposal = ask("U1", "offboard user3@example.com");
    ASSERT_TRUE(proposal.proposal.has_value());
    EXPECT_LE(proposal.proposal->token.size(), token_room);
    const std::size_t offered = proposed(proposal).size();
    EXPECT_GT(offered, 5u);
    EXPECT_LT(offered, 42u);
    ASSERT_EQ(proposal.lines.size(), 1u);
    EXPECT_TRUE(proposal.lines[0].text.starts_with("Too many databases for one confirmation: "))
        << proposal.lines[0].text;
    EXPECT_TRUE(
        proposal.lines[0].text.ends_with(" will be proposed by /collab offboard user3@example.com once this "
                                         "one is done."));
}

// ---- resend -----------------------------------------------------------------------------------------------------

TEST_F(Service, ResendRevokesThePendingInvitationAndInvitesAgainAsOneAuditedAction) {
    Reply reply = ask("U1", "resend my-dedicated-db user3@example.com");
    EXPECT_EQ(reply.kind, ReplyKind::change);
    EXPECT_EQ(to_plain_text(reply),
              "-----> The invitation of user3@example.com to my-dedicated-db has been sent again (by "
              "user1@example.com)\n");
    EXPECT_EQ(api_.removed, std::vector<std::string>{"my-dedicated-db c3"});
    EXPECT_EQ(api_.invited, std::vector<std::string>{"my-dedicated-db user3@example.com"});
    ASSERT_EQ(outcomes(), (std::vector{AuditOutcome::allowed, AuditOutcome::allowed, AuditOutcome::executed}));
    for (const auto& entry : audit_.entries) EXPECT_EQ(entry.action, "resend");
    EXPECT_EQ(audit_.entries[0].detail, "revoking the pending invitation, to send a new one");
    EXPECT_NE(say("U1", "list my-dedicated-db").find("user3@example.com │ n/a      │ pending"), std::string::npos);
}

TEST_F(Service, ResendFollowsTheSamePermissionsAsAdd) {
    EXPECT_EQ(ask("U2", "resend my-dedicated-db user3@example.com").kind, ReplyKind::change) << "accepted";
    EXPECT_EQ(say("U3", "resend my-dedicated-db user3@example.com"),
              " !     Your invitation to my-dedicated-db is still pending: accept it from the e-mail you received "
              "first.\n");
    EXPECT_EQ(say("U9", "resend my-dedicated-db user3@example.com"),
              " !     You (stranger@example.com) are not a collaborator of my-dedicated-db; ask for access with "
              "/collab request my-dedicated-db.\n");
    settings_.rules.channel_databases["shell:C-ops"] = {"other-db"};
    service_.reset();
    EXPECT_EQ(say("U1", "resend my-dedicated-db user3@example.com"),
              " !     This channel may not manage my-dedicated-db (it manages: other-db).\n");
    settings_.rules.channel_databases.clear();
    settings_.rules.admins.insert("shell:U9");
    service_.reset();
    EXPECT_EQ(ask("U9", "resend my-dedicated-db user3@example.com").kind, ReplyKind::change) << "admin";
    EXPECT_EQ(api_.invited.size(), 2u);
}

TEST_F(Service, ResendToAnAcceptedCollaboratorOrAStrangerSendsNothing) {
    EXPECT_EQ(say("U1", "resend my-dedicated-db user2@example.com"),
              " !     user2@example.com already accepted the invitation to my-dedicated-db: there is nothing to "
              "re-send.\n");
    EXPECT_EQ(say("U1", "resend my-dedicated-db nobody@example.com"),
              " !     nobody@example.com is not invited to my-dedicated-db: invite them with /collab add "
              "my-dedicated-db nobody@example.com.\n");
    EXPECT_TRUE(api_.removed.empty());
    EXPECT_TRUE(api_.invited.empty());
}

TEST_F(Service, AResendWhoseNewInvitationFailsSaysTheOldOneIsGone) {
    api_.invite_error = ApiError{ApiErrorKind::transient, "Scalingo is unavailable", {}};
    EXPECT_EQ(say("U1", "resend my-dedicated-db user3@example.com"),
              " !     The pending invitation of user3@example.com to my-dedicated-db was revoked, but a new one could "
              "not be sent (Scalingo is unavailable): invite them again with /collab add my-dedicated-db "
              "user3@example.com.\n");
    EXPECT_EQ(audit_.entries.back().outcome, AuditOutcome::failed);
}

TEST_F(Service, AResendWhoseRevocationFailsChangesNothing) {
    api_.remove_error = ApiError{ApiErrorKind::transient, "Scalingo is unavailable", {}};
    EXPECT_EQ(say("U1", "resend my-dedicated-db user3@example.com"), " !     Scalingo is unavailable\n");
    EXPECT_TRUE(api_.invited.empty());
}

// ---- dbs --------------------------------------------------------------------------------------------------------

class ServiceWithAnApp : public Service {
protected:
    ServiceWithAnApp() {
        api_.known["my-app"] = Database{"my-app", Account{"u1", "user1@example.com", "user1"}, false};
    }
};

// The table `dbs` shows: each database with the asker's role.
std::string roles(std::vector<std::vector<std::string>> rows) {
    std::vector<bool> dimmed;
    for (const auto& row : rows) dimmed.push_back(row[1] == "pending");
    return render_table(Table{{"DATABASE", "YOUR ROLE"}, std::move(rows), std::move(dimmed)});
}

const std::string yours = "Your databases the bot can manage from this channel:\n";

TEST_F(ServiceWithAnApp, DbsListsYourDedicatedDatabasesWithYourRole) {
    EXPECT_EQ(say("U1", "dbs"), yours + roles({{"my-dedicated-db", "owner"}}));
    EXPECT_EQ(say("U2", "dbs"), yours + roles({{"my-dedicated-db", "collaborator"}, {"other-db", "owner"}}));
    EXPECT_EQ(say("U3", "databases"), yours + roles({{"my-dedicated-db", "pending"}}));
}

TEST_F(ServiceWithAnApp, DbsTellsAStrangerNothingAboutOthersDatabases) {
    EXPECT_EQ(say("U9", "dbs"),
              "You (stranger@example.com) are on none of the databases the bot can manage from this channel; ask for "
              "access to one with /collab request <db>.\n");
}

TEST_F(ServiceWithAnApp, DbsShowsAnAdminEveryDatabaseWithTheirOwnRole) {
    settings_.rules.admins = {"shell:U2"};
    EXPECT_EQ(say("U2", "dbs"), "Databases the bot can manage from this channel, with your role:\n" +
                                    roles({{"my-dedicated-db", "collaborator"}, {"other-db", "owner"}}));
    settings_.rules.admins = {"shell:U9"};
    service_.reset();
    EXPECT_EQ(say("U9", "dbs"), "Databases the bot can manage from this channel, with your role:\n" +
                                    roles({{"my-dedicated-db", "-"}, {"other-db", "-"}}));
}

TEST_F(ServiceWithAnApp, DbsFollowsTheChannelRules) {
    settings_.rules.channel_databases["shell:C-ops"] = {"other-db"};
    settings_.rules.default_policy = DefaultChannelPolicy::deny_all;
    EXPECT_EQ(say("U2", "databases"), yours + roles({{"other-db", "owner"}}));
    EXPECT_EQ(say("U1", "databases"),
              "You (user1@example.com) are on none of the databases the bot can manage from this channel; ask for "
              "access to one with /collab request <db>.\n");
    settings_.rules.admins = {"shell:U1"};
    service_.reset();
    EXPECT_EQ(say("U1", "databases", "C-random"), "The bot cannot manage any database from this channel.\n");
}

TEST_F(ServiceWithAnApp, AppsAreListedAndManagedOnlyWhenAllowed) {
    EXPECT_EQ(say("U1", "list my-app"),
              " !     my-app is an application, not a Dedicated Resources database; the bot manages the collaborators "
              "of databases only.\n");
    settings_.rules.allow_apps = true;
    service_.reset();
    EXPECT_EQ(say("U1", "dbs"), yours + roles({{"my-app", "owner"}, {"my-dedicated-db", "owner"}}));
}

TEST_F(ServiceWithAnApp, DbsNeedsALinkedIdentity) {
    EXPECT_EQ(say("U0", "dbs"),
              " !     Your chat identity (shell:U0) is not linked to a Scalingo account: the bot has no e-mail address "
              "for it. Ask an admin of the bot to add \"shell:U0\" = \"you@example.com\" (your Scalingo account's "
              "e-mail) under [identities].\n");
    EXPECT_EQ(api_.calls, 0);
}

// ---- access -------------------------------------------------------------------------------------------------------

std::string where(const std::string& email, std::vector<std::vector<std::string>> rows) {
    std::vector<bool> dimmed;
    for (const auto& row : rows) dimmed.push_back(row[1] == "pending");
    return "Where " + email + " has access, among the databases you manage from here:\n" +
           render_table(Table{{"DATABASE", "STATUS", "ROLE"}, std::move(rows), std::move(dimmed)});
}

TEST_F(Service, AccessShowsWhereSomeoneIsAmongTheDatabasesTheAskerManages) {
    // user2 owns other-db too, which user1 does not manage: it is not shown to user1.
    EXPECT_EQ(say("U1", "access user2@example.com"),
              where("user2@example.com", {{"my-dedicated-db", "accepted", "collaborator"}}));
    EXPECT_EQ(
        say("U2", "access USER2@example.com"),
        where("USER2@example.com", {{"my-dedicated-db", "accepted", "collaborator"}, {"other-db", "owner", "owner"}}));
    EXPECT_EQ(say("U2", "access user3@example.com"),
              where("user3@example.com", {{"my-dedicated-db", "pending", "collaborator"}}));
    EXPECT_EQ(say("U1", "access user1@example.com"),
              where("user1@example.com", {{"my-dedicated-db", "owner", "owner"}}));
    EXPECT_EQ(say("U1", "access nobody@example.com"),
              "nobody@example.com is on none of the databases you manage from this channel.\n");
}

TEST_F(Service, AccessTellsThoseWhoManageNothingNothing) {
    for (const char* user : {"U3", "U9"}) {
        const Reply reply = ask(user, "access user2@example.com");
        EXPECT_EQ(reply.kind, ReplyKind::denied) << user;
        const std::string text = to_plain_text(reply);
        EXPECT_EQ(text.find("my-dedicated-db"), std::string::npos) << text;
        EXPECT_EQ(text.find("other-db"), std::string::npos) << text;
    }
    EXPECT_EQ(say("U9", "access user2@example.com"),
              " !     You (stranger@example.com) manage none of the databases the bot can reach from this channel, so "
              "there is nobody's access you may look up here.\n");
    EXPECT_EQ(ask("U0", "access user2@example.com").kind, ReplyKind::denied);
}

TEST_F(Service, AccessForAnAdminCoversEveryDatabase) {
    settings_.rules.admins = {"shell:U9"};
    EXPECT_EQ(
        say("U9", "access user2@example.com"),
        where("user2@example.com", {{"my-dedicated-db", "accepted", "collaborator"}, {"other-db", "owner", "owner"}}));
}

TEST_F(Service, AccessFollowsTheChannelRules) {
    settings_.rules.channel_databases["shell:C-ops"] = {"other-db"};
    settings_.rules.default_policy = DefaultChannelPolicy::deny_all;
    // user1 manages my-dedicated-db, but not from this channel.
    EXPECT_EQ(ask("U1", "access user2@example.com").kind, ReplyKind::denied);
    EXPECT_EQ(say("U2", "access user2@example.com"), where("user2@example.com", {{"other-db", "owner", "owner"}}));
    EXPECT_EQ(ask("U2", "access user2@example.com", "C-random").kind, ReplyKind::denied);
}

// ---- audit filters, and what a misspelt or unreachable database gets ------------------------------------------

TEST_F(Service, AuditNarrowsByWhoAndByAction) {
    ask("U1", "add my-dedicated-db new@example.com");
    propose("U2", "remove my-dedicated-db user3@example.com");
    const std::string by_user2 = say("U1", "audit my-dedicated-db by user2@example.com");
    EXPECT_TRUE(by_user2.starts_with("Most recent actions on my-dedicated-db (by user2@example.com), newest first:\n"))
        << by_user2;
    EXPECT_NE(by_user2.find("remove user3@example.com"), std::string::npos) << by_user2;
    EXPECT_EQ(by_user2.find("new@example.com"), std::string::npos) << by_user2;
    const std::string adds = say("U1", "audit my-dedicated-db add");
    EXPECT_NE(adds.find("add new@example.com"), std::string::npos) << adds;
    EXPECT_EQ(adds.find("remove"), std::string::npos) << adds;
    EXPECT_EQ(say("U1", "audit my-dedicated-db by user2@example.com leave"),
              "The audit trail of my-dedicated-db has nothing leave by user2@example.com.\n");
}

TEST_F(Service, AMisspeltDatabaseGetsASuggestionAmongThoseTheAskerMaySee) {
    EXPECT_EQ(say("U1", "list my-dedicated-bd"),
              " !     No database \"my-dedicated-bd\". Did you mean \"my-dedicated-db\"?\n");
    EXPECT_EQ(say("U3", "add my-dedicatd-db a@example.com"),
              " !     No database \"my-dedicatd-db\". Did you mean \"my-dedicated-db\"?\n");
    // A stranger is not told which databases exist.
    EXPECT_EQ(say("U9", "list my-dedicated-bd"),
              " !     There is no database named \"my-dedicated-bd\" (or the bot's account cannot see it).\n");
    EXPECT_EQ(say("U1", "list completely-else"),
              " !     There is no database named \"completely-else\" (or the bot's account cannot see it).\n");
}

TEST_F(Service, ADatabaseTheBotsAccountIsNotOnNamesTheFix) {
    api_.out_of_reach = {db};
    EXPECT_EQ(say("U1", "list my-dedicated-db"),
              " !     The bot's Scalingo account (collab-bot@example.com) is not a collaborator of my-dedicated-db, so "
              "the bot cannot see or manage it: invite collab-bot@example.com to my-dedicated-db (scalingo --app "
              "my-dedicated-db collaborators-add collab-bot@example.com), then try again.\n");
    ASSERT_EQ(audit_.entries.size(), 1u);
    EXPECT_EQ(audit_.entries[0].outcome, AuditOutcome::failed);
    // A token that no longer works cannot say whose account it is: the upstream's own words then.
    api_.self_error = ApiError{ApiErrorKind::unauthorized, "Scalingo refused the bot's API token.", {}};
    EXPECT_EQ(say("U1", "list my-dedicated-db"), " !     The bot's account has no access.\n");
}

TEST_F(Service, APendingInviteeLeavingDeclinesTheInvitation) {
    const Reply reply = ask("U3", "leave my-dedicated-db");
    ASSERT_TRUE(reply.proposal) << to_plain_text(reply);
    EXPECT_EQ(reply.proposal->question,
              "Decline the invitation to my-dedicated-db? You (user3@example.com) will not become a collaborator.");
    EXPECT_EQ(reply.proposal->action_label, "Decline the invitation");
    const Reply accepted = ask("U2", "leave my-dedicated-db");
    ASSERT_TRUE(accepted.proposal);
    EXPECT_EQ(accepted.proposal->question,
              "Stop collaborating on my-dedicated-db? You (user2@example.com) will lose access to it.");
}

TEST_F(ServiceWithAnApp, DbsShowsUpstreamErrors) {
    api_.databases_error = ApiError{ApiErrorKind::unauthorized, "The bot's Scalingo token was refused.", {}};
    EXPECT_EQ(say("U1", "dbs"), " !     The bot's Scalingo token was refused.\n");
}

// ---- What the adapters log: one note per decision -------------------------------------------------------------

TEST_F(Service, TheDecisionNamesWhoWhatOnWhatAndTheOutcome) {
    Outcome listed = handled("U1", "list my-dedicated-db");
    EXPECT_EQ(listed.decision.actor.user_id, "U1");
    EXPECT_EQ(listed.decision.actor.email, "user1@example.com");
    EXPECT_EQ(listed.decision.command, "list");
    EXPECT_EQ(listed.decision.database, db);
    EXPECT_EQ(listed.decision.decision, "allow");
    EXPECT_EQ(listed.decision.reason, "");

    Outcome refused = handled("U9", "remove my-dedicated-db user2@example.com");
    EXPECT_EQ(refused.decision.command, "remove");
    EXPECT_EQ(refused.decision.target, "user2@example.com");
    EXPECT_EQ(refused.decision.decision, "deny");
    EXPECT_EQ(refused.decision.reason, refused.reply->lines.at(0).text);

    Outcome added = handled("U1", "add my-dedicated-db a@example.com B@example.com");
    EXPECT_EQ(added.decision.target, "a@example.com,B@example.com");

    api_.list_error = ApiError{ApiErrorKind::timeout, "Scalingo did not answer in time.", {}};
    Outcome failed = handled("U1", "list my-dedicated-db");
    EXPECT_EQ(failed.decision.decision, "failed");
    EXPECT_EQ(failed.decision.reason, "Scalingo did not answer in time.");
}

TEST_F(Service, TheDecisionOfAConfirmationNamesWhatItConfirmsNeverTheToken) {
    const std::string token = propose("U1", "remove my-dedicated-db user2@example.com");
    ASSERT_FALSE(token.empty());
    for (const std::string& text : {"confirm " + token, "confirm " + token + " extra", "confirm " + token + "x",
                                    "\"confirm " + token + "\"", "remove " + token + " x@example.com"}) {
        Outcome outcome = handled("U1", text);
        const DecisionNote& note = outcome.decision;
        for (const std::string* field : {&note.command, &note.database, &note.target, &note.reason})
            EXPECT_EQ(field->find(token.substr(0, 24)), std::string::npos) << text << " -> " << *field;
    }
    Outcome done = handled("U1", "confirm " + token);
    EXPECT_EQ(done.decision.command, "confirm");
    EXPECT_EQ(done.decision.database, db);
    EXPECT_EQ(done.decision.target, "user2@example.com");
    Outcome typo = handled("U1", "confirm " + token + " extra");
    EXPECT_EQ(typo.decision.decision, "invalid");
    EXPECT_EQ(typo.decision.reason, "the command was typed wrong");
}

// ---- What the adapters are told: which command it was, and what a confirmation confirms -----------------------

TEST_F(Service, TheOutcomeNamesTheCommandAndWhatAConfirmationConfirms) {
    EXPECT_EQ(handled("U1", "ls my-dedicated-db").command, "list");
    EXPECT_EQ(handled("U1", "lst my-dedicated-db").command, "?");
    const std::string token = propose("U1", "remove my-dedicated-db user2@example.com");
    const Outcome typed = handled("U1", "confirm " + token);
    EXPECT_EQ(typed.command, "confirm");
    EXPECT_EQ(typed.confirms, ConfirmAction::remove);
    EXPECT_EQ(typed.subject(), "remove") << "a confirmation is seen as what it confirms";
    const Outcome forged = handled("U1", "confirm " + token + "0");
    EXPECT_FALSE(forged.confirms.has_value());
    EXPECT_EQ(forged.subject(), "confirm");
}

TEST_F(Service, AClickIsAConfirmationOfItsToken) {
    const std::string token = propose("U1", "remove my-dedicated-db user2@example.com");
    const Outcome done = clicked("U1", token);
    EXPECT_TRUE(done.by_proposer);
    EXPECT_EQ(done.confirms, ConfirmAction::remove);
    EXPECT_EQ(to_plain_text(done.reply), "-----> user2@example.com has been removed from the collaborators of " + db +
                                             " (by user1@example.com)\n");
    EXPECT_EQ(api_.removed, std::vector<std::string>{db + " c2"});
    EXPECT_EQ(done.decision.command, "confirm");
    EXPECT_EQ(done.decision.target, "user2@example.com");
}

TEST_F(Service, AClickBySomeoneElseIsRefusedAndLeavesTheProposalAlone) {
    const std::string token = propose("U1", "remove my-dedicated-db user2@example.com");
    const Outcome confirmed = clicked("U2", token);
    EXPECT_FALSE(confirmed.by_proposer);
    EXPECT_EQ(confirmed.reply->kind, ReplyKind::denied);
    const Outcome cancelled = clicked("U2", token, true);
    EXPECT_FALSE(cancelled.by_proposer);
    EXPECT_EQ(to_plain_text(cancelled.reply), " !     Only the person who asked for this removal can cancel it.\n");
    EXPECT_TRUE(api_.removed.empty());
}

TEST_F(Service, ACancelClickDropsTheProposalAndDoesNothing) {
    const Outcome mine = clicked("U1", propose("U1", "remove my-dedicated-db user2@example.com"), true);
    EXPECT_TRUE(mine.by_proposer);
    EXPECT_EQ(mine.command, "cancel");
    EXPECT_EQ(to_plain_text(mine.reply), "Cancelled: user2@example.com keeps access to " + db + ".\n");
    EXPECT_TRUE(api_.removed.empty());
}

// One request, one look at its token: a signer that counts how often it is asked.
class CountingSigner : public Signer {
public:
    explicit CountingSigner(const Signer& inner) : inner_(inner) {}
    std::string seal(std::string_view claims) const override { return inner_.seal(claims); }
    std::optional<std::string> open(std::string_view token) const override {
        ++opened;
        return inner_.open(token);
    }
    mutable int opened = 0;

private:
    const Signer& inner_;
};

TEST_F(Service, AConfirmationOpensItsTokenOnce) {
    const std::string token = propose("U1", "remove my-dedicated-db user2@example.com");
    CountingSigner counting(signer_);
    CommandService counted(api_, directory_, audit_, clock_, counting, used_, settings_);
    ConfirmationRequest click{Actor{"shell", "local", "U1", "C-ops", std::nullopt}, token};
    const Outcome outcome = run(counted.handle(std::move(click)));
    EXPECT_EQ(outcome.reply->kind, ReplyKind::change) << to_plain_text(outcome.reply);
    EXPECT_EQ(counting.opened, 1);
}

TEST_F(Service, MissingArgumentShowsTheCommandsUsage) {
    EXPECT_EQ(say("U1", "remove my-dedicated-db"),
              " !     Missing the e-mail address.\nUsage: /collab remove <db> <email>\n");
}

// ---- access requests --------------------------------------------------------------------------------------------

// The platforms' Announcer, as the service sees it: what was posted where, and told to whom.
class FakeAnnouncer : public Announcer {
public:
    std::vector<std::pair<Conversation, Reply>> posted;
    std::vector<std::pair<Actor, Reply>> told;
    std::optional<ApiError> post_error;

    net::awaitable<ApiResult<void>> post(Conversation where, Reply reply) override {
        if (post_error) co_return std::unexpected(*post_error);
        posted.emplace_back(std::move(where), std::move(reply));
        co_return ApiResult<void>{};
    }
    net::awaitable<ApiResult<void>> tell(Actor person, Reply reply) override {
        told.emplace_back(std::move(person), std::move(reply));
        co_return ApiResult<void>{};
    }
};

class AccessRequests : public Service {
    friend class CoreMatrix;

protected:
    AccessRequests() {
        directory_.emails["U8"] = "admin@example.com";
        settings_.rules.admins = {"shell:U8"};
    }

    // The card's token, asserting the reply is a card.
    std::string card_token(const Reply& reply) {
        if (!reply.proposal || reply.proposal->kind != ProposalKind::access_request) {
            ADD_FAILURE() << "no request card: " << to_plain_text(reply);
            return "";
        }
        return reply.proposal->token;
    }

    Outcome decided(const std::string& user_id, const std::string& token, bool deny = false,
                    const std::string& channel = "C-ops") {
        ConfirmationRequest request{Actor{"shell", "local", user_id, channel, std::nullopt}, token, deny};
        return run(service().handle(std::move(request)));
    }

    FakeAnnouncer announcer_;
};

TEST_F(AccessRequests, AStrangerGetsACardWithApproveAndDenyHere) {
    const Outcome asked = handled("U9", "request my-dedicated-db");
    EXPECT_EQ(asked.reply->kind, ReplyKind::change);
    ASSERT_TRUE(asked.reply->proposal);
    EXPECT_EQ(asked.reply->proposal->confirm_label(), "Approve");
    EXPECT_EQ(asked.reply->proposal->cancel_label(), "Deny");
    ASSERT_TRUE(asked.reply->lines.at(0).mention);
    EXPECT_EQ(asked.reply->lines.at(0).mention->id, "U9");
    const std::string token = asked.reply->proposal->token;
    EXPECT_EQ(to_plain_text(asked.reply),
              "stranger@example.com asks for access to my-dedicated-db (as stranger@example.com).\n"
              "Invite stranger@example.com to my-dedicated-db?\n"
              "To approve, type before 2026-11-28 12:59:32 UTC:\n  /collab approve " +
                  token + "\nTo deny:\n  /collab deny " + token + "\n");
    ASSERT_EQ(audit_.entries.size(), 1u);
    EXPECT_EQ(audit_.entries[0].action, "request");
    EXPECT_EQ(audit_.entries[0].email, "stranger@example.com");
    EXPECT_EQ(audit_.entries[0].outcome, AuditOutcome::proposed);
}

// The table every platform is held to (tests/permission_matrix.hpp), here on the core alone: the
// ops channel is C-ops, the other one C-other; cards for C-ops asked elsewhere go to the announcer.
class CoreMatrix : public testing::MatrixDriver {
public:
    explicit CoreMatrix(AccessRequests& fixture) : fixture_(fixture) {}

    std::string type(testing::Asker asker, const std::string& command, const std::string&) override {
        return fixture_.say(id_of(asker), command, channel_of(asker));
    }
    std::string ask(std::size_t n, bool elsewhere, const std::string&) override {
        const std::size_t posted = fixture_.announcer_.posted.size();
        const Reply reply = fixture_.ask(newcomer(n), "request my-dedicated-db", elsewhere ? "C-other" : "C-ops");
        const bool sent = fixture_.announcer_.posted.size() > posted;
        tokens_[n] = fixture_.card_token(sent ? fixture_.announcer_.posted.back().second : reply);
        return to_plain_text(reply);
    }
    std::string click(testing::Asker asker, std::size_t n, bool deny, const std::string&) override {
        return to_plain_text(fixture_.decided(id_of(asker), tokens_[n], deny, channel_of(asker)).reply);
    }
    std::string told(std::size_t n, const std::string&) override {
        std::string text;
        for (const auto& [person, reply] : fixture_.announcer_.told)
            if (person.user_id == newcomer(n)) text += to_plain_text(reply);
        return text;
    }
    std::string ops_channel() const override { return "C-ops"; }

    static std::string newcomer(std::size_t n) { return "N" + std::to_string(n); }

private:
    static std::string id_of(testing::Asker asker) {
        const std::map<testing::Asker, std::string> ids = {
            {testing::Asker::owner, "U1"},    {testing::Asker::accepted, "U2"}, {testing::Asker::pending, "U3"},
            {testing::Asker::stranger, "U9"}, {testing::Asker::admin, "U8"},    {testing::Asker::wrong_channel, "U1"}};
        return ids.at(asker);
    }
    static std::string channel_of(testing::Asker asker) {
        return asker == testing::Asker::wrong_channel ? "C-other" : "C-ops";
    }

    AccessRequests& fixture_;
    std::map<std::size_t, std::string> tokens_;
};

TEST_F(AccessRequests, ThePermissionMatrixOfTheNewerCommands) {
    settings_.rules.channel_databases["shell:C-ops"] = {db};
    settings_.rules.default_policy = DefaultChannelPolicy::deny_all;
    for (std::size_t n = 0; n < testing::newcomers; ++n)
        directory_.emails[CoreMatrix::newcomer(n)] = testing::newcomer_email(n);
    service().announce_through(announcer_);
    CoreMatrix driver(*this);
    EXPECT_EQ(testing::run_permission_matrix(driver), testing::permission_matrix().size());
}

TEST_F(AccessRequests, WhoMayAsk) {
    EXPECT_EQ(say("U1", "request my-dedicated-db"),
              " !     You (user1@example.com) own my-dedicated-db: there is no access to ask for.\n");
    EXPECT_EQ(say("U2", "request my-dedicated-db"),
              " !     You (user2@example.com) are already a collaborator of my-dedicated-db: there is no access to "
              "ask for.\n");
    EXPECT_EQ(say("U3", "request my-dedicated-db"),
              " !     You (user3@example.com) were already invited to my-dedicated-db: accept the invitation from "
              "the e-mail Scalingo sent you; if it is lost, ask a collaborator to send it again.\n");
    EXPECT_NE(say("U7", "request my-dedicated-db").find("Ask an admin of the bot to add \"shell:U7\""),
              std::string::npos);
    EXPECT_TRUE(ask("U8", "request my-dedicated-db").proposal) << "an admin without access may ask too";
    EXPECT_TRUE(ask("U9", "request my-dedicated-db").proposal);
    EXPECT_TRUE(api_.invited.empty());
    // The refusals are on the trail, with who asked.
    const auto recorded = outcomes();
    EXPECT_EQ(std::count(recorded.begin(), recorded.end(), AuditOutcome::denied), 4);
}

TEST_F(AccessRequests, WhoMayDecide) {
    const std::string token = card_token(ask("U9", "request my-dedicated-db"));
    const std::string only_members =
        " !     Only the owner or an accepted collaborator of my-dedicated-db (or an "
        "admin of the bot) may approve or deny a request for access to it.\n";
    for (const std::string who : {"U9", "U3"}) {
        const Outcome refused = decided(who, token);
        EXPECT_EQ(to_plain_text(refused.reply), only_members) << who;
        EXPECT_FALSE(refused.by_proposer) << "the card stays, the refusal is for " << who << " alone";
    }
    const Outcome elsewhere = decided("U1", token, false, "C-other");
    EXPECT_EQ(to_plain_text(elsewhere.reply),
              " !     This request was posted in another channel: it is decided there.\n");
    EXPECT_FALSE(elsewhere.by_proposer);
    const Outcome unlinked = decided("U7", token);
    EXPECT_FALSE(unlinked.by_proposer);
    EXPECT_TRUE(api_.invited.empty());

    const Outcome approved = decided("U8", token);
    EXPECT_TRUE(approved.by_proposer);
    EXPECT_TRUE(approved.settles_card);
    EXPECT_EQ(approved.command, "approve");
    EXPECT_EQ(to_plain_text(approved.reply),
              "-----> Approved by admin@example.com: stranger@example.com has been invited to my-dedicated-db\n"
              "stranger@example.com: accept the invitation from the e-mail Scalingo sends you.\n");
    EXPECT_EQ(approved.reply->lines.at(0).mention->id, "U8");
    EXPECT_EQ(approved.reply->lines.at(1).mention->id, "U9");
    EXPECT_EQ(api_.invited, std::vector<std::string>{"my-dedicated-db stranger@example.com"});
    const AuditEntry& last = audit_.entries.back();
    EXPECT_EQ(last.action, "approve");
    EXPECT_EQ(last.email, "admin@example.com");
    EXPECT_EQ(last.target, "stranger@example.com");
    EXPECT_EQ(last.outcome, AuditOutcome::executed);
    EXPECT_EQ(last.detail, "requested by shell:U9");
}

TEST_F(AccessRequests, OwnerAndAcceptedCollaboratorsDecide) {
    directory_.emails["U5"] = "five@example.com";
    const std::string first = card_token(ask("U9", "request my-dedicated-db"));
    EXPECT_EQ(to_plain_text(decided("U1", first).reply).substr(0, 36), "-----> Approved by user1@example.com");

    const std::string second = card_token(ask("U5", "request my-dedicated-db"));
    const Outcome denied = decided("U2", second, true);
    EXPECT_TRUE(denied.settles_card);
    EXPECT_EQ(denied.command, "deny");
    EXPECT_EQ(to_plain_text(denied.reply),
              " !     Denied by user2@example.com: five@example.com was not invited to my-dedicated-db\n"
              "five@example.com: your request for access was denied.\n");
    EXPECT_EQ(api_.invited, std::vector<std::string>{"my-dedicated-db stranger@example.com"});
    EXPECT_EQ(audit_.entries.back().action, "deny");
    EXPECT_EQ(audit_.entries.back().email, "user2@example.com");
    EXPECT_EQ(audit_.entries.back().target, "five@example.com");

    // Decided once: a second decision changes nothing, and the card is already gone.
    const Outcome again = decided("U1", second, true);
    EXPECT_NE(to_plain_text(again.reply)
                  .find("This request was already decided at 2026-11-28 12:44:32 UTC by "
                        "user2@example.com"),
              std::string::npos)
        << to_plain_text(again.reply);
    EXPECT_FALSE(again.settles_card);
    EXPECT_EQ(api_.invited.size(), 1u);

    // Invited since, however: nothing is left to decide.
    EXPECT_EQ(to_plain_text(decided("U2", first, true).reply),
              "stranger@example.com is already a collaborator of my-dedicated-db (pending).\n");
}

TEST_F(AccessRequests, TypedApproveAndDenyWorkLikeTheButtons) {
    const std::string token = card_token(ask("U9", "request my-dedicated-db"));
    EXPECT_EQ(say("U1", "approve " + token).substr(0, 36), "-----> Approved by user1@example.com");
    const std::string confirmation = propose("U1", "remove my-dedicated-db user2@example.com");
    EXPECT_EQ(say("U1", "deny " + confirmation),
              " !     This access request is not valid: it was altered, cut short, or issued by another bot.\n");
    EXPECT_EQ(say("U1", "confirm " + token),
              " !     This confirmation token is not valid: it was altered, cut short, or issued by another bot.\n");
}

TEST_F(AccessRequests, OneOpenRequestPerDatabasePerPerson) {
    ASSERT_TRUE(ask("U9", "request my-dedicated-db").proposal);
    clock_.now_ += 1min;
    EXPECT_EQ(say("U9", "request my-dedicated-db"),
              " !     You already asked for access to my-dedicated-db at 2026-11-28 12:44:32 UTC; one request at a "
              "time: wait for its answer, or ask again after 2026-11-28 12:59:32 UTC.\n");
    EXPECT_TRUE(ask("U9", "request other-db").proposal) << "another database is another request";
    directory_.emails["U5"] = "five@example.com";
    EXPECT_TRUE(ask("U5", "request my-dedicated-db").proposal) << "another person is another request";
}

TEST_F(AccessRequests, ARequestExpires) {
    settings_.request_ttl = 10min;
    const std::string token = card_token(ask("U9", "request my-dedicated-db"));
    clock_.now_ += 10min;
    const Outcome late = decided("U1", token);
    EXPECT_EQ(to_plain_text(late.reply),
              " !     The request of stranger@example.com for access to my-dedicated-db expired at 2026-11-28 "
              "12:54:32 UTC; they may ask again.\n");
    EXPECT_TRUE(late.settles_card) << "the expired card is replaced";
    EXPECT_TRUE(api_.invited.empty());
    // Someone who may not decide learns nothing more, and the card stays for those who may.
    EXPECT_FALSE(decided("U9", token).by_proposer);
}

TEST_F(AccessRequests, ACardGoesToTheChannelBoundToTheDatabase) {
    settings_.rules.channel_databases["shell:C-db"] = {db};
    settings_.rules.channel_databases["slack:C-elsewhere"] = {db};
    service().announce_through(announcer_);
    const Reply asked = ask("U9", "request my-dedicated-db", "C-lobby");
    EXPECT_EQ(to_plain_text(asked),
              "Your request for access to my-dedicated-db was posted in C-db, where its owner and collaborators "
              "decide on my-dedicated-db; you will be told the answer. It is open until 2026-11-28 12:59:32 UTC.\n");
    // The channel is named as a channel, for a platform to show a link to it.
    ASSERT_TRUE(asked.lines.at(0).mention);
    EXPECT_EQ(asked.lines.at(0).mention->kind, Mentioned::channel);
    EXPECT_EQ(asked.lines.at(0).mention->platform, "shell");
    EXPECT_EQ(asked.lines.at(0).mention->id, "C-db");
    ASSERT_EQ(announcer_.posted.size(), 1u);
    const auto& [where, card] = announcer_.posted[0];
    EXPECT_EQ(where.platform, "shell");
    EXPECT_EQ(where.team, "local");
    EXPECT_EQ(where.channel, "C-db");
    const std::string token = card_token(card);

    EXPECT_FALSE(decided("U1", token, false, "C-lobby").by_proposer) << "decided where the card is";
    const Outcome approved = decided("U1", token, false, "C-db");
    EXPECT_TRUE(approved.settles_card);
    EXPECT_EQ(api_.invited, std::vector<std::string>{"my-dedicated-db stranger@example.com"});
    // The requester is told, since the card was not where they asked.
    ASSERT_EQ(announcer_.told.size(), 1u);
    EXPECT_EQ(announcer_.told[0].first.user_id, "U9");
    EXPECT_EQ(to_plain_text(announcer_.told[0].second),
              "-----> Your request for access to my-dedicated-db was approved by user1@example.com: an invitation "
              "was sent to stranger@example.com; accept it from that e-mail.\n");
}

TEST_F(AccessRequests, ACardThatCannotBePostedAsksNothing) {
    settings_.rules.channel_databases["shell:C-db"] = {db};
    EXPECT_EQ(say("U9", "request my-dedicated-db", "C-lobby"),
              " !     Your request could not be posted in C-db (the bot cannot post there); nothing was asked. Try "
              "again later, or ask an admin of the bot.\n");
    service().announce_through(announcer_);
    announcer_.post_error = ApiError{ApiErrorKind::forbidden, "not_in_channel"};
    EXPECT_NE(say("U9", "request my-dedicated-db", "C-lobby").find("(not_in_channel)"), std::string::npos);
    announcer_.post_error.reset();
    EXPECT_NE(say("U9", "request my-dedicated-db", "C-lobby").find("was posted in C-db"), std::string::npos)
        << "a request that was not posted is not open";
}

TEST_F(AccessRequests, NoChannelManagesTheDatabase) {
    settings_.rules.default_policy = DefaultChannelPolicy::deny_all;
    EXPECT_EQ(say("U9", "request my-dedicated-db"),
              " !     No channel is set up to manage my-dedicated-db, so nobody could answer a request for it here; "
              "ask an admin of the bot to add a rule for it.\n");
}

}  // namespace
}  // namespace collab
