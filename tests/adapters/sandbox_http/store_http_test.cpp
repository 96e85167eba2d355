// The sandbox store's additions for the HTTP API: accounts by API token, who sees which app, roles,
// and the schema upgrade that brought creation times to files seeded before it.

#include <SQLiteCpp/Database.h>

#include "routes_fixture.hpp"

namespace collab::sandbox::test {
namespace {

using StoreForHttp = RoutesTest;

TEST_F(StoreForHttp, AccountsAreFoundByTheirApiTokenOnly) {
    auto user1 = store_.account_by_api_token(std::string(user1_token));
    ASSERT_TRUE(user1);
    EXPECT_EQ(user1->email, "user1@example.com");
    EXPECT_EQ(user1->username, "user1");
    EXPECT_EQ(store_.account_by_id(user1->id)->email, "user1@example.com");
    EXPECT_FALSE(store_.account_by_api_token(""));
    EXPECT_FALSE(store_.account_by_api_token("tk-us-sandbox-user1"));
    EXPECT_FALSE(store_.account_by_id("us-nobody"));
}

TEST_F(StoreForHttp, RolesFollowOwnershipAndAcceptedInvitationsOnly) {
    const std::string user1 = account_id("user1@example.com");
    const std::string bot = account_id("collab-bot@example.com");
    EXPECT_EQ(store_.role_of("my-dedicated-db", user1), AppRole::owner);
    EXPECT_EQ(store_.role_of("analytics-db", user1), AppRole::collaborator);
    EXPECT_EQ(store_.role_of("my-dedicated-db", bot), std::nullopt);
    EXPECT_EQ(store_.role_of("no-such-db", user1), std::nullopt);
    ASSERT_TRUE(store_.invite("my-dedicated-db", "collab-bot@example.com", false));
    EXPECT_EQ(store_.role_of("my-dedicated-db", bot), std::nullopt) << "pending gives no access";
}

TEST_F(StoreForHttp, AppsVisibleToAnAccountCarryTheDedicatedFlag) {
    const auto apps = store_.apps_visible_to(account_id("user1@example.com"));
    ASSERT_EQ(apps.size(), 3u);
    EXPECT_EQ(apps[0].database.name, "analytics-db");
    EXPECT_TRUE(apps[0].database.dedicated);
    EXPECT_EQ(apps[2].database.name, "web-app");
    EXPECT_FALSE(apps[2].database.dedicated);
    EXPECT_TRUE(apps[2].id.starts_with("ap-"));
}

TEST_F(StoreForHttp, LimitedRoleIsRefusedOnDedicatedDatabasesOnly) {
    const auto dedicated =
        store_.set_limited("my-dedicated-db", collaborator_id("my-dedicated-db", "user2@example.com"), true);
    ASSERT_FALSE(dedicated);
    EXPECT_EQ(dedicated.error().kind, ApiErrorKind::invalid_input);
    const auto ordinary = store_.set_limited("web-app", collaborator_id("web-app", "user2@example.com"), true);
    ASSERT_TRUE(ordinary);
    EXPECT_TRUE(ordinary->collaborator.limited);
    EXPECT_EQ(store_.role_of("web-app", account_id("user2@example.com")), AppRole::limited_collaborator);
    EXPECT_EQ(store_.set_limited("web-app", "co-nope", false).error().kind, ApiErrorKind::not_found);
}

TEST_F(StoreForHttp, CreationTimeIsSetAtSeedAndSurvivesReopening) {
    const auto before = store_.find_app("my-dedicated-db");
    ASSERT_TRUE(before);
    EXPECT_GT(before->created_at, TimePoint{std::chrono::hours(24 * 365 * 50)});
    SandboxStore again(dir_ / "sandbox.sqlite", test_seed());
    EXPECT_EQ(again.find_app("my-dedicated-db")->created_at, before->created_at);
}

TEST(StoreUpgrade, FilesOfSchemaOneGetACreationTime) {
    collab::testing::TempDir dir;
    const auto file = dir / "sandbox.sqlite";
    { SandboxStore fresh(file, test_seed()); }
    {
        // What a file written before this schema looks like: no creation times, user_version 1.
        SQLite::Database old(file.string(), SQLite::OPEN_READWRITE);
        old.exec("ALTER TABLE databases DROP COLUMN created_ms");
        old.exec("PRAGMA user_version = 1");
    }
    SandboxStore upgraded(file, test_seed());
    const auto app = upgraded.find_app("my-dedicated-db");
    ASSERT_TRUE(app);
    EXPECT_GT(app->created_at, TimePoint{std::chrono::hours(24 * 365 * 50)});
    EXPECT_EQ(upgraded.collaborators("my-dedicated-db").size(), 2u) << "the data is kept";
}

}  // namespace
}  // namespace collab::sandbox::test
