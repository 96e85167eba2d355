// The sandbox provider on a real SQLite file: Scalingo's collaborator life cycle, persistence across
// restarts, and the errors an admin sees when the state file cannot be used.

#include <gtest/gtest.h>

#include <SQLiteCpp/Database.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "adapters/sandbox/sandbox_api.hpp"
#include "adapters/sandbox/sandbox_store.hpp"
#include "adapters/sandbox/seed.hpp"
#include "adapters/store/sqlite_file.hpp"
#include "run_coroutine.hpp"
#include "temp_dir.hpp"

namespace collab::sandbox {
namespace {

using testing::read_file;
using testing::run;
using testing::source_file;
using testing::TempDir;
using testing::write_file;

constexpr std::string_view link_prefix = "https://dashboard.sandbox.invalid/apps/collaboration?token=";
constexpr std::string_view no_pending_invitation =
    "No pending invitation has this token: it was accepted, revoked or mistyped.";

Seed real_seed() {
    return parse_seed(read_file(source_file("config/sandbox.toml")), "config/sandbox.toml");
}

const Collaborator* find_by_email(const std::vector<Collaborator>& list, std::string_view email) {
    auto it = std::find_if(list.begin(), list.end(), [&](const Collaborator& c) { return same_email(c.email, email); });
    return it == list.end() ? nullptr : &*it;
}

std::vector<std::string> emails_of(const std::vector<Collaborator>& list) {
    std::vector<std::string> emails;
    for (const auto& c : list) emails.push_back(c.email);
    return emails;
}

class SandboxStoreTest : public ::testing::Test {
protected:
    // Each store opened by a test reports its invitation e-mails here, as the bot's log would.
    SandboxStore open() {
        SandboxOptions options;
        options.on_invitation = [this](const Invitation& invitation) { sent_.push_back(invitation); };
        return SandboxStore(file_, seed_, std::move(options));
    }

    std::string id_of(SandboxStore& store, const std::string& database, std::string_view email) {
        const auto list = store.collaborators(database);
        const Collaborator* c = find_by_email(list, email);
        if (c == nullptr) ADD_FAILURE() << email << " is not a collaborator of " << database;
        return c == nullptr ? std::string() : c->id;
    }

    TempDir dir_;
    std::filesystem::path file_ = dir_ / "sandbox.sqlite";
    Seed seed_ = real_seed();
    std::vector<Invitation> sent_;
};

TEST_F(SandboxStoreTest, a_new_state_file_holds_the_seeds_example) {
    auto store = open();
    const auto list = store.collaborators("my-dedicated-db");
    ASSERT_EQ(list.size(), 2u);  // the owner is not a collaborator, as in Scalingo's API
    EXPECT_EQ(list[0].email, "user2@example.com");
    EXPECT_EQ(list[0].username, "user2");
    EXPECT_EQ(list[0].status, Status::accepted);
    EXPECT_FALSE(list[0].limited);
    EXPECT_EQ(list[1].email, "user3@example.com");
    EXPECT_EQ(list[1].username, "n/a");
    EXPECT_EQ(list[1].status, Status::pending);
    EXPECT_FALSE(list[0].id.empty());
    EXPECT_NE(list[0].id, list[1].id);

    const auto database = store.find_database("my-dedicated-db");
    ASSERT_TRUE(database.has_value());
    EXPECT_EQ(database->owner.email, "user1@example.com");
    EXPECT_EQ(database->owner.username, "user1");
    EXPECT_TRUE(database->dedicated);
}

TEST_F(SandboxStoreTest, the_seed_has_two_databases_an_app_and_the_bots_account) {
    auto store = open();
    const auto all = store.databases();
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].name, "analytics-db");  // by name
    EXPECT_EQ(all[0].owner.email, "user2@example.com");
    EXPECT_EQ(all[1].name, "my-dedicated-db");
    EXPECT_EQ(all[2].name, "web-app");
    EXPECT_FALSE(all[2].dedicated);
    EXPECT_EQ(store.bot_account().email, "user1@example.com");
    EXPECT_EQ(store.bot_account().username, "user1");
    EXPECT_EQ(emails_of(store.collaborators("analytics-db")),
              (std::vector<std::string>{"collab-bot@example.com", "user1@example.com"}));
}

TEST_F(SandboxStoreTest, the_seeds_pending_collaborator_has_an_invitation_to_accept) {
    auto store = open();
    const auto outbox = store.invitations();
    ASSERT_EQ(outbox.size(), 1u);
    EXPECT_EQ(outbox[0].recipient, "user3@example.com");
    EXPECT_EQ(outbox[0].database, "my-dedicated-db");
    EXPECT_EQ(outbox[0].state, "pending");
    EXPECT_EQ(outbox[0].link, std::string(link_prefix) + outbox[0].token);
}

TEST_F(SandboxStoreTest, an_unknown_database_has_no_entry) {
    auto store = open();
    EXPECT_FALSE(store.find_database("no-such-db").has_value());
    EXPECT_TRUE(store.collaborators("no-such-db").empty());
}

TEST_F(SandboxStoreTest, invite_adds_a_pending_entry_and_sends_an_invitation) {
    auto store = open();
    const auto invited = store.invite("my-dedicated-db", "user4@example.com", false);
    ASSERT_TRUE(invited.has_value()) << invited.error().message;
    EXPECT_EQ(invited->email, "user4@example.com");
    EXPECT_EQ(invited->username, "n/a");
    EXPECT_EQ(invited->status, Status::pending);
    EXPECT_FALSE(invited->limited);

    // Appended after the existing collaborators, as pending with no username yet.
    const auto list = store.collaborators("my-dedicated-db");
    EXPECT_EQ(emails_of(list),
              (std::vector<std::string>{"user2@example.com", "user3@example.com", "user4@example.com"}));
    EXPECT_EQ(list[2].id, invited->id);
    EXPECT_EQ(list[2].username, "n/a");
    EXPECT_EQ(list[2].status, Status::pending);

    const auto outbox = store.invitations();
    ASSERT_EQ(outbox.size(), 2u);
    const Invitation& mail = outbox.back();
    EXPECT_EQ(mail.recipient, "user4@example.com");
    EXPECT_EQ(mail.database, "my-dedicated-db");
    EXPECT_EQ(mail.state, "pending");
    ASSERT_FALSE(mail.token.empty());
    EXPECT_TRUE(mail.link.ends_with("?token=" + mail.token)) << mail.link;
    EXPECT_NE(mail.token, outbox.front().token);

    // The callback (the bot's log line) fires once, with the same e-mail as the outbox.
    ASSERT_EQ(sent_.size(), 1u);
    EXPECT_EQ(sent_[0].recipient, "user4@example.com");
    EXPECT_EQ(sent_[0].token, mail.token);
    EXPECT_EQ(sent_[0].link, mail.link);
}

TEST_F(SandboxStoreTest, inviting_someone_already_there_is_already_member_and_sends_nothing) {
    auto store = open();
    ASSERT_TRUE(store.invite("my-dedicated-db", "user4@example.com", false).has_value());

    const auto again = store.invite("my-dedicated-db", "user4@example.com", false);
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error().kind, ApiErrorKind::already_member);
    EXPECT_EQ(again.error().message, "user4@example.com is already a collaborator (pending)");

    // Mail providers and Scalingo ignore case in addresses, so this is the same person.
    const auto shouting = store.invite("my-dedicated-db", "USER4@Example.COM", false);
    ASSERT_FALSE(shouting.has_value());
    EXPECT_EQ(shouting.error().kind, ApiErrorKind::already_member);

    const auto accepted = store.invite("my-dedicated-db", "User2@example.com", false);
    ASSERT_FALSE(accepted.has_value());
    EXPECT_EQ(accepted.error().kind, ApiErrorKind::already_member);
    EXPECT_EQ(accepted.error().message, "User2@example.com is already a collaborator (accepted)");

    EXPECT_EQ(store.invitations().size(), 2u);
    EXPECT_EQ(sent_.size(), 1u);
    EXPECT_EQ(store.collaborators("my-dedicated-db").size(), 3u);
}

TEST_F(SandboxStoreTest, inviting_the_owner_is_already_member) {
    auto store = open();
    const auto owner = store.invite("my-dedicated-db", "User1@example.com", false);
    ASSERT_FALSE(owner.has_value());
    EXPECT_EQ(owner.error().kind, ApiErrorKind::already_member);
    EXPECT_EQ(owner.error().message, "User1@example.com owns my-dedicated-db");
    EXPECT_EQ(store.collaborators("my-dedicated-db").size(), 2u);
    EXPECT_TRUE(sent_.empty());
}

TEST_F(SandboxStoreTest, an_invalid_email_is_invalid_input) {
    auto store = open();
    const auto invited = store.invite("my-dedicated-db", "not-an-email", false);
    ASSERT_FALSE(invited.has_value());
    EXPECT_EQ(invited.error().kind, ApiErrorKind::invalid_input);
    EXPECT_EQ(invited.error().message, "\"not-an-email\" is not an e-mail address: it has no @.");
    EXPECT_EQ(store.collaborators("my-dedicated-db").size(), 2u);
    EXPECT_TRUE(sent_.empty());
}

TEST_F(SandboxStoreTest, the_limited_role_is_refused_on_a_dedicated_database) {
    auto store = open();
    const auto invited = store.invite("my-dedicated-db", "user4@example.com", true);
    ASSERT_FALSE(invited.has_value());
    EXPECT_EQ(invited.error().kind, ApiErrorKind::invalid_input);
    EXPECT_EQ(invited.error().message,
              "the Limited Collaborator role is not available for Dedicated Resources databases");
    EXPECT_EQ(store.collaborators("my-dedicated-db").size(), 2u);
    EXPECT_EQ(store.invitations().size(), 1u);
}

TEST_F(SandboxStoreTest, the_limited_role_exists_on_an_ordinary_app) {
    // An app that is not a Dedicated Resources database may have limited collaborators.
    seed_.databases.push_back(DatabaseSeed{"plain-app", "user1@example.com", false, {}});
    auto store = open();
    const auto invited = store.invite("plain-app", "user4@example.com", true);
    ASSERT_TRUE(invited.has_value()) << invited.error().message;
    EXPECT_TRUE(invited->limited);
    const auto list = store.collaborators("plain-app");
    ASSERT_EQ(list.size(), 1u);
    EXPECT_TRUE(list[0].limited);
    EXPECT_FALSE(store.find_database("plain-app")->dedicated);
}

TEST_F(SandboxStoreTest, inviting_to_an_unknown_database_is_not_found) {
    auto store = open();
    const auto invited = store.invite("no-such-db", "user4@example.com", false);
    ASSERT_FALSE(invited.has_value());
    EXPECT_EQ(invited.error().kind, ApiErrorKind::not_found);
    EXPECT_EQ(invited.error().message, "app not found");
    EXPECT_TRUE(sent_.empty());
}

TEST_F(SandboxStoreTest, accepting_an_invitation_makes_an_accepted_collaborator_with_a_username) {
    auto store = open();
    ASSERT_TRUE(store.invite("my-dedicated-db", "user4@example.com", false).has_value());
    const std::string token = store.invitations().back().token;

    const auto accepted = store.accept(token);
    ASSERT_TRUE(accepted.has_value()) << accepted.error().message;
    EXPECT_EQ(accepted->recipient, "user4@example.com");
    EXPECT_EQ(accepted->database, "my-dedicated-db");
    EXPECT_EQ(accepted->token, token);
    EXPECT_EQ(accepted->state, "accepted");

    const auto list = store.collaborators("my-dedicated-db");
    const Collaborator* user4 = find_by_email(list, "user4@example.com");
    ASSERT_NE(user4, nullptr);
    EXPECT_EQ(user4->status, Status::accepted);
    EXPECT_EQ(user4->username, "user4");
    EXPECT_EQ(store.invitations().back().state, "accepted");
}

TEST_F(SandboxStoreTest, the_seeds_pending_invitation_can_be_accepted) {
    auto store = open();
    const std::string token = store.invitations().front().token;
    ASSERT_TRUE(store.accept(token).has_value());
    const auto list = store.collaborators("my-dedicated-db");
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[1].email, "user3@example.com");
    EXPECT_EQ(list[1].username, "user3");
    EXPECT_EQ(list[1].status, Status::accepted);
}

TEST_F(SandboxStoreTest, an_invitation_is_accepted_only_once_and_only_with_its_token) {
    auto store = open();
    const std::string token = store.invitations().front().token;
    ASSERT_TRUE(store.accept(token).has_value());

    const auto twice = store.accept(token);
    ASSERT_FALSE(twice.has_value());
    EXPECT_EQ(twice.error().kind, ApiErrorKind::not_found);
    EXPECT_EQ(twice.error().message, no_pending_invitation);

    const auto wrong = store.accept("0123456789abcdef0123456789abcdef");
    ASSERT_FALSE(wrong.has_value());
    EXPECT_EQ(wrong.error().kind, ApiErrorKind::not_found);
    EXPECT_EQ(wrong.error().message, no_pending_invitation);
}

TEST_F(SandboxStoreTest, remove_takes_the_entry_away_and_a_second_remove_is_not_a_member) {
    auto store = open();
    const std::string user3 = id_of(store, "my-dedicated-db", "user3@example.com");

    ASSERT_TRUE(store.remove("my-dedicated-db", user3).has_value());
    EXPECT_EQ(emails_of(store.collaborators("my-dedicated-db")), (std::vector<std::string>{"user2@example.com"}));

    const auto again = store.remove("my-dedicated-db", user3);
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error().kind, ApiErrorKind::not_member) << "the database exists: only the person is missing";
    EXPECT_EQ(again.error().message, "collaborator not found");
}

TEST_F(SandboxStoreTest, removing_a_pending_collaborator_revokes_the_invitation) {
    auto store = open();
    const std::string token = store.invitations().front().token;
    ASSERT_TRUE(store.remove("my-dedicated-db", id_of(store, "my-dedicated-db", "user3@example.com")).has_value());

    EXPECT_EQ(store.invitations().front().state, "revoked");
    const auto late = store.accept(token);
    ASSERT_FALSE(late.has_value());
    EXPECT_EQ(late.error().kind, ApiErrorKind::not_found);
    EXPECT_EQ(store.collaborators("my-dedicated-db").size(), 1u);  // accepting did not bring them back
}

TEST_F(SandboxStoreTest, someone_removed_can_be_invited_again_with_a_new_token) {
    auto store = open();
    const std::string old_token = store.invitations().front().token;
    ASSERT_TRUE(store.remove("my-dedicated-db", id_of(store, "my-dedicated-db", "user3@example.com")).has_value());

    const auto invited = store.invite("my-dedicated-db", "user3@example.com", false);
    ASSERT_TRUE(invited.has_value()) << invited.error().message;
    const auto outbox = store.invitations();
    ASSERT_EQ(outbox.size(), 2u);
    EXPECT_NE(outbox[1].token, old_token);
    EXPECT_EQ(outbox[1].state, "pending");
}

TEST_F(SandboxStoreTest, remove_is_confined_to_the_named_database) {
    auto store = open();
    // user1's entry on analytics-db cannot be removed by naming my-dedicated-db.
    const std::string user1_on_analytics = id_of(store, "analytics-db", "user1@example.com");
    const auto removed = store.remove("my-dedicated-db", user1_on_analytics);
    ASSERT_FALSE(removed.has_value());
    EXPECT_EQ(removed.error().kind, ApiErrorKind::not_member);
    EXPECT_EQ(store.collaborators("analytics-db").size(), 2u);

    const auto unknown = store.remove("no-such-db", user1_on_analytics);
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().kind, ApiErrorKind::not_found);
    EXPECT_EQ(unknown.error().message, "app not found");
}

TEST_F(SandboxStoreTest, leaving_removes_only_ones_own_entry) {
    // "leave" reaches the sandbox as the removal of the leaver's own collaborator entry.
    auto store = open();
    ASSERT_TRUE(store.remove("analytics-db", id_of(store, "analytics-db", "user1@example.com")).has_value());

    EXPECT_EQ(emails_of(store.collaborators("analytics-db")), (std::vector<std::string>{"collab-bot@example.com"}));
    // user1 still owns their own database, whose collaborators did not change.
    EXPECT_EQ(store.find_database("my-dedicated-db")->owner.email, "user1@example.com");
    EXPECT_EQ(emails_of(store.collaborators("my-dedicated-db")),
              (std::vector<std::string>{"user2@example.com", "user3@example.com"}));
}

TEST_F(SandboxStoreTest, changes_survive_a_restart_and_the_seed_is_not_applied_again) {
    std::string token;
    {
        auto store = open();
        ASSERT_TRUE(store.invite("my-dedicated-db", "user4@example.com", false).has_value());
        ASSERT_TRUE(store.remove("my-dedicated-db", id_of(store, "my-dedicated-db", "user3@example.com")).has_value());
        token = store.invitations().back().token;
    }  // closed here, as when the bot stops

    auto store = open();
    // user3 stays removed: a second seeding would have brought them back (or duplicated user2).
    EXPECT_EQ(emails_of(store.collaborators("my-dedicated-db")),
              (std::vector<std::string>{"user2@example.com", "user4@example.com"}));
    EXPECT_EQ(store.databases().size(), 3u);
    const auto outbox = store.invitations();
    ASSERT_EQ(outbox.size(), 2u);
    EXPECT_EQ(outbox[0].state, "revoked");
    EXPECT_EQ(outbox[1].state, "pending");

    // An invitation sent before the restart can be accepted after it.
    ASSERT_TRUE(store.accept(token).has_value());
    EXPECT_EQ(find_by_email(store.collaborators("my-dedicated-db"), "user4@example.com")->status, Status::accepted);
}

TEST_F(SandboxStoreTest, a_second_process_on_the_same_file_sees_the_changes_at_once) {
    // `collab-bot sandbox accept TOKEN` runs while the bot keeps its own store open on the same file.
    auto bot = open();
    ASSERT_TRUE(bot.invite("my-dedicated-db", "user4@example.com", false).has_value());
    auto command_line = open();
    EXPECT_EQ(command_line.collaborators("my-dedicated-db").size(), 3u);  // not seeded a second time
    ASSERT_TRUE(command_line.accept(command_line.invitations().back().token).has_value());
    EXPECT_EQ(find_by_email(bot.collaborators("my-dedicated-db"), "user4@example.com")->status, Status::accepted);
}

TEST_F(SandboxStoreTest, one_person_invited_to_two_databases_gets_one_account) {
    auto store = open();
    ASSERT_TRUE(store.invite("my-dedicated-db", "user4@example.com", false).has_value());
    ASSERT_TRUE(store.invite("analytics-db", "User4@example.com", false).has_value());
    for (const auto& invitation : store.invitations()) {
        if (invitation.state == "pending" && same_email(invitation.recipient, "user4@example.com")) {
            ASSERT_TRUE(store.accept(invitation.token).has_value());
        }
    }
    EXPECT_EQ(find_by_email(store.collaborators("my-dedicated-db"), "user4@example.com")->username, "user4");
    EXPECT_EQ(find_by_email(store.collaborators("analytics-db"), "user4@example.com")->username, "user4");
}

TEST_F(SandboxStoreTest, a_seed_may_spell_addresses_in_another_case) {
    // The seed's own validation ignores case, so the state file must too, or the database goes missing.
    seed_.databases[0].owner = "User1@Example.com";
    seed_.databases[0].collaborators[0].email = "USER2@example.com";
    auto store = open();
    const auto database = store.find_database("my-dedicated-db");
    ASSERT_TRUE(database.has_value());
    EXPECT_EQ(database->owner.username, "user1");
    const auto list = store.collaborators("my-dedicated-db");
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].username, "user2");
}

TEST_F(SandboxStoreTest, a_damaged_state_file_is_a_clear_error) {
    // Fixed garbage, so that a failure can be reproduced byte for byte.
    std::mt19937 random(20261128);
    std::string garbage(4096, '\0');
    for (char& c : garbage) c = static_cast<char>(random() & 0xff);
    write_file(file_, garbage);

    try {
        open();
        FAIL() << "a damaged state file was accepted";
    } catch (const store::StateError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find(file_.string()), std::string::npos) << message;
        EXPECT_NE(message.find("damaged"), std::string::npos) << message;
    }
}

TEST_F(SandboxStoreTest, an_unwritable_location_is_a_clear_error) {
    // A path under a regular file cannot be created, even by root.
    write_file(dir_ / "afile", "not a directory");
    file_ = dir_ / "afile" / "sandbox.sqlite";
    try {
        open();
        FAIL() << "a state file under a regular file was opened";
    } catch (const store::StateError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find(file_.string()), std::string::npos) << message;
        EXPECT_NE(message.find("writable"), std::string::npos) << message;
    }
}

// The CollaboratorsApi port as the core service sees it: coroutines run on an io_context.
class SandboxApiTest : public SandboxStoreTest {
protected:
    SandboxStore store_ = open();
    SandboxApi api_{store_};
};

TEST_F(SandboxApiTest, show_database_gives_the_owner_and_the_dedicated_flag) {
    const auto database = run(api_.show_database("my-dedicated-db"));
    ASSERT_TRUE(database.has_value()) << database.error().message;
    EXPECT_EQ(database->name, "my-dedicated-db");
    EXPECT_EQ(database->owner.email, "user1@example.com");
    EXPECT_TRUE(database->dedicated);

    const auto unknown = run(api_.show_database("no-such-db"));
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().kind, ApiErrorKind::not_found);
    EXPECT_EQ(unknown.error().message, "app not found");
}

TEST_F(SandboxApiTest, list_collaborators_of_a_known_and_an_unknown_database) {
    const auto list = run(api_.list_collaborators("my-dedicated-db"));
    ASSERT_TRUE(list.has_value()) << list.error().message;
    EXPECT_EQ(emails_of(*list), (std::vector<std::string>{"user2@example.com", "user3@example.com"}));

    // Unlike the store's empty list, the port tells an unknown database from one with no collaborators.
    const auto unknown = run(api_.list_collaborators("no-such-db"));
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().kind, ApiErrorKind::not_found);
}

TEST_F(SandboxApiTest, invite_then_remove_through_the_port) {
    const auto invited = run(api_.invite("my-dedicated-db", "user4@example.com"));
    ASSERT_TRUE(invited.has_value()) << invited.error().message;
    EXPECT_EQ(invited->status, Status::pending);
    EXPECT_FALSE(invited->limited);  // the port only ever invites full Collaborators
    EXPECT_EQ(sent_.size(), 1u);

    const auto again = run(api_.invite("my-dedicated-db", "user4@example.com"));
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error().kind, ApiErrorKind::already_member);

    const auto removed = run(api_.remove("my-dedicated-db", invited->id));
    ASSERT_TRUE(removed.has_value()) << removed.error().message;
    const auto list = run(api_.list_collaborators("my-dedicated-db"));
    ASSERT_TRUE(list.has_value());
    EXPECT_EQ(find_by_email(*list, "user4@example.com"), nullptr);

    const auto unknown = run(api_.invite("no-such-db", "user4@example.com"));
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().kind, ApiErrorKind::not_found);
    const auto gone = run(api_.remove("my-dedicated-db", invited->id));
    ASSERT_FALSE(gone.has_value());
    EXPECT_EQ(gone.error().kind, ApiErrorKind::not_member) << "the database is there, the person is not";
}

TEST_F(SandboxApiTest, self_is_the_seeds_bot_account_and_databases_lists_both) {
    const auto self = run(api_.self());
    ASSERT_TRUE(self.has_value()) << self.error().message;
    EXPECT_EQ(self->email, "user1@example.com");
    EXPECT_FALSE(self->id.empty());

    const auto all = run(api_.databases());
    ASSERT_TRUE(all.has_value());
    ASSERT_EQ(all->size(), 3u);
    EXPECT_EQ((*all)[0].name, "analytics-db");
    EXPECT_EQ((*all)[1].name, "my-dedicated-db");
    EXPECT_EQ((*all)[2].name, "web-app");
}

// As Scalingo: the bot's account reaches only the databases it owns or is an accepted collaborator of.
class SandboxApiAsCollabBot : public SandboxStoreTest {
protected:
    SandboxStore open_as(std::string bot_account) {
        seed_.bot_account = std::move(bot_account);
        return open();
    }
    SandboxStore store_ = open_as("collab-bot@example.com");
    SandboxApi api_{store_};
};

TEST_F(SandboxApiAsCollabBot, a_database_the_bots_account_is_not_on_is_out_of_reach) {
    const auto all = run(api_.databases());
    ASSERT_TRUE(all.has_value()) << all.error().message;
    ASSERT_EQ(all->size(), 1u);
    EXPECT_EQ((*all)[0].name, "analytics-db");

    const auto snapshot = run(api_.snapshot("my-dedicated-db"));
    ASSERT_FALSE(snapshot.has_value());
    EXPECT_EQ(snapshot.error().kind, ApiErrorKind::unauthorized);
    EXPECT_NE(snapshot.error().message.find("collab-bot@example.com"), std::string::npos) << snapshot.error().message;
    EXPECT_EQ(run(api_.show_database("my-dedicated-db")).error().kind, ApiErrorKind::unauthorized);
    EXPECT_EQ(run(api_.list_collaborators("my-dedicated-db")).error().kind, ApiErrorKind::unauthorized);
    EXPECT_EQ(run(api_.invite("my-dedicated-db", "user4@example.com")).error().kind, ApiErrorKind::unauthorized);
    EXPECT_EQ(run(api_.remove("my-dedicated-db", "anything")).error().kind, ApiErrorKind::unauthorized);
    EXPECT_TRUE(sent_.empty()) << "nobody was invited";
    // An unknown name stays unknown; the database the account is on is reached.
    EXPECT_EQ(run(api_.snapshot("no-such-db")).error().kind, ApiErrorKind::not_found);
    EXPECT_TRUE(run(api_.snapshot("analytics-db")).has_value());
}

std::vector<std::string> names_of(const ApiResult<std::vector<Database>>& databases) {
    std::vector<std::string> names;
    if (!databases) ADD_FAILURE() << databases.error().message;
    for (const auto& database : databases.value_or(std::vector<Database>{})) names.push_back(database.name);
    return names;
}

// The list is kept in memory (help surveys it for every person who asks); the bot's account leaving a
// database through the port shows at once.
TEST_F(SandboxApiAsCollabBot, the_bots_account_leaving_a_database_through_the_port_drops_it_from_the_list) {
    EXPECT_EQ(names_of(run(api_.databases())), (std::vector<std::string>{"analytics-db"}));
    const std::string own_id = id_of(store_, "analytics-db", "collab-bot@example.com");
    ASSERT_TRUE(run(api_.remove("analytics-db", own_id)).has_value());
    EXPECT_EQ(names_of(run(api_.databases())), std::vector<std::string>{});
}

// The bot's account joining a database from another process (invited, then accepting) is seen within
// the watch interval.
TEST_F(SandboxApiAsCollabBot, the_bots_account_joining_a_database_past_the_port_is_seen_within_the_watch_interval) {
    SandboxApi api(store_, std::chrono::milliseconds{20});
    EXPECT_EQ(names_of(run(api.databases())), (std::vector<std::string>{"analytics-db"}));
    {
        auto other = open();
        ASSERT_TRUE(other.invite("my-dedicated-db", "collab-bot@example.com", false).has_value());
        ASSERT_TRUE(other.accept(sent_.back().token).has_value());
    }
    auto names = names_of(run(api.databases()));
    for (int i = 0; i < 100 && names.size() != 2; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds{10});
        names = names_of(run(api.databases()));
    }
    EXPECT_EQ(names, (std::vector<std::string>{"analytics-db", "my-dedicated-db"})) << "never seen";
}

// ---- snapshots kept in memory --------------------------------------------------------------------------------

std::vector<std::string> emails_in(const ApiResult<CachedSnapshot>& snapshot) {
    if (!snapshot) {
        ADD_FAILURE() << snapshot.error().message;
        return {};
    }
    return emails_of(snapshot->state->collaborators);
}

// Polls the port until `done` holds of its snapshot of my-dedicated-db, for at most a second.
template <typename Done>
ApiResult<CachedSnapshot> snapshot_when(SandboxApi& api, Done done) {
    ApiResult<CachedSnapshot> snapshot = run(api.snapshot("my-dedicated-db"));
    for (int i = 0; i < 100 && !(snapshot && done(*snapshot)); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds{10});
        snapshot = run(api.snapshot("my-dedicated-db"));
    }
    return snapshot;
}

TEST_F(SandboxApiTest, a_snapshot_read_once_is_shared_until_the_database_changes) {
    const auto first = run(api_.snapshot("my-dedicated-db"));
    ASSERT_TRUE(first.has_value()) << first.error().message;
    EXPECT_NE(first->generation, 0u);
    EXPECT_EQ(first->state->database.owner.email, "user1@example.com");
    EXPECT_EQ(emails_in(first), (std::vector<std::string>{"user2@example.com", "user3@example.com"}));
    const auto again = run(api_.snapshot("my-dedicated-db"));
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->state, first->state) << "read again from the file";
    EXPECT_EQ(again->generation, first->generation);

    const auto unknown = run(api_.snapshot("no-such-db"));
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().kind, ApiErrorKind::not_found);
}

TEST_F(SandboxApiTest, a_change_through_the_port_shows_up_in_the_next_snapshot) {
    const auto before = run(api_.snapshot("my-dedicated-db"));
    const auto invited = run(api_.invite("my-dedicated-db", "user4@example.com"));
    ASSERT_TRUE(invited.has_value()) << invited.error().message;
    const auto after = run(api_.snapshot("my-dedicated-db"));
    EXPECT_EQ(emails_in(after),
              (std::vector<std::string>{"user2@example.com", "user3@example.com", "user4@example.com"}));
    EXPECT_NE(after->generation, before->generation);

    ASSERT_TRUE(run(api_.remove("my-dedicated-db", invited->id)).has_value());
    EXPECT_EQ(emails_in(run(api_.snapshot("my-dedicated-db"))),
              (std::vector<std::string>{"user2@example.com", "user3@example.com"}));
}

TEST_F(SandboxApiTest, a_read_under_way_while_a_change_is_made_does_not_hide_the_change) {
    namespace asio = boost::asio;
    run(api_.snapshot("my-dedicated-db"));
    // The invitation drops the snapshot; a read queued just before it on the port's thread reads the
    // old list, which must not be what later readers get.
    ASSERT_TRUE(run([&]() -> asio::awaitable<bool> {
        ApiResult<Collaborator> invited = std::unexpected(ApiError{ApiErrorKind::unavailable, ""});
        std::string database = "my-dedicated-db";
        auto read = [&]() -> asio::awaitable<void> {
            std::string name = "my-dedicated-db";
            co_await api_.snapshot(name);
        };
        asio::co_spawn(co_await asio::this_coro::executor, read(), asio::detached);
        std::string email = "user4@example.com";
        invited = co_await api_.invite(database, email);
        co_return invited.has_value();
    }()));
    EXPECT_EQ(emails_in(run(api_.snapshot("my-dedicated-db"))),
              (std::vector<std::string>{"user2@example.com", "user3@example.com", "user4@example.com"}));
}

TEST_F(SandboxApiTest, a_change_made_by_another_process_is_seen_within_the_watch_interval) {
    SandboxApi api(store_, std::chrono::milliseconds{20});
    const auto before = run(api.snapshot("my-dedicated-db"));
    // The sandbox command line accepting user3's invitation, on a connection of its own.
    {
        auto other = open();
        ASSERT_TRUE(other.accept(other.invitations().front().token).has_value());
    }
    const auto after = snapshot_when(api, [](const CachedSnapshot& snapshot) {
        return snapshot.state->collaborators.back().status == Status::accepted;
    });
    ASSERT_TRUE(after.has_value());
    EXPECT_EQ(after->state->collaborators.back().status, Status::accepted) << "never seen";
    EXPECT_NE(after->generation, before->generation);
}

TEST_F(SandboxApiTest, a_change_made_on_the_store_past_the_port_is_seen_within_the_watch_interval) {
    SandboxApi api(store_, std::chrono::milliseconds{20});
    run(api.snapshot("my-dedicated-db"));
    // Another part of the process (a test, the served API) using the same store object.
    ASSERT_TRUE(store_.remove("my-dedicated-db", id_of(store_, "my-dedicated-db", "user2@example.com")).has_value());
    const auto after =
        snapshot_when(api, [](const CachedSnapshot& snapshot) { return snapshot.state->collaborators.size() == 1; });
    EXPECT_EQ(emails_in(after), (std::vector<std::string>{"user3@example.com"}));
}

// Another process holding the state file's write lock (the sandbox command line, a second bot) makes
// an invitation wait for it; the event loop that asked goes on with everything else meanwhile.
TEST_F(SandboxApiTest, a_locked_state_file_holds_up_the_call_but_not_the_event_loop) {
    namespace asio = boost::asio;
    using Steady = std::chrono::steady_clock;
    SQLite::Database other(file_.string(), SQLite::OPEN_READWRITE);
    other.exec("BEGIN IMMEDIATE");

    asio::io_context io;
    const auto start = Steady::now();
    std::optional<ApiResult<Collaborator>> invited;
    Steady::time_point invited_at, ticked_at;
    auto invite = [&]() -> asio::awaitable<void> {
        std::string database = "my-dedicated-db";
        std::string email = "user4@example.com";
        invited = co_await api_.invite(database, email);
        invited_at = Steady::now();
    };
    // An unrelated piece of work on the same event loop: a short timer, then the lock is let go.
    auto unrelated = [&]() -> asio::awaitable<void> {
        asio::steady_timer timer(io, std::chrono::milliseconds{50});
        co_await timer.async_wait(asio::use_awaitable);
        ticked_at = Steady::now();
        timer.expires_after(std::chrono::milliseconds{1500});
        co_await timer.async_wait(asio::use_awaitable);
        other.exec("ROLLBACK");
    };
    asio::co_spawn(io, std::move(invite), asio::detached);
    asio::co_spawn(io, std::move(unrelated), asio::detached);
    io.run();

    EXPECT_LT(ticked_at - start, std::chrono::milliseconds{500}) << "the event loop waited for the lock";
    ASSERT_TRUE(invited.has_value());
    ASSERT_TRUE(invited->has_value()) << invited->error().message;
    EXPECT_GE(invited_at - start, std::chrono::milliseconds{1500}) << "the invitation did not wait for the lock";
    EXPECT_EQ(sent_.size(), 1u);
}

}  // namespace
}  // namespace collab::sandbox
