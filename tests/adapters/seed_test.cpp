// The sandbox seed: the shipped config/sandbox.toml, and the errors an admin gets for a wrong one.

#include <gtest/gtest.h>

#include <string>

#include "adapters/config/toml_checks.hpp"
#include "adapters/sandbox/seed.hpp"
#include "temp_dir.hpp"

namespace collab::sandbox {
namespace {

using config::ConfigError;

// The smallest valid seed: the bot's account and one owner; tests append what they need.
constexpr std::string_view accounts = R"toml(
bot_account = "bot@example.com"

[[accounts]]
email = "bot@example.com"
username = "bot"

[[accounts]]
email = "owner@example.com"
username = "owner"
)toml";

// The message of the ConfigError that parsing `text` throws, or a failure when it parses.
std::string error_of(std::string_view text) {
    try {
        parse_seed(text, "test.toml");
    } catch (const ConfigError& e) {
        return e.what();
    }
    ADD_FAILURE() << "accepted:\n" << text;
    return {};
}

TEST(SeedTest, the_shipped_seed_parses) {
    const Seed seed =
        parse_seed(testing::read_file(testing::source_file("config/sandbox.toml")), "config/sandbox.toml");
    EXPECT_EQ(seed.bot_account, "user1@example.com");
    EXPECT_EQ(seed.accounts.size(), 3u);
    ASSERT_EQ(seed.databases.size(), 3u);

    const DatabaseSeed& example = seed.databases[0];
    EXPECT_EQ(example.name, "my-dedicated-db");
    EXPECT_EQ(example.owner, "user1@example.com");
    EXPECT_TRUE(example.dedicated);
    ASSERT_EQ(example.collaborators.size(), 2u);
    EXPECT_EQ(example.collaborators[0].email, "user2@example.com");
    EXPECT_EQ(example.collaborators[0].status, Status::accepted);
    // Pending invitees have no account yet, like user3 on Scalingo's page.
    EXPECT_EQ(example.collaborators[1].email, "user3@example.com");
    EXPECT_EQ(example.collaborators[1].status, Status::pending);

    EXPECT_EQ(seed.databases[1].name, "analytics-db");
    EXPECT_EQ(seed.databases[2].name, "web-app");
    EXPECT_FALSE(seed.databases[2].dedicated) << "an ordinary app, to show that the bot refuses those";
}

TEST(SeedTest, a_minimal_seed_defaults_to_dedicated_and_accepted) {
    const Seed seed = parse_seed(std::string(accounts) + R"toml(
[[databases]]
name = "my-db"
owner = "owner@example.com"
collaborators = [{ email = "bot@example.com" }]
)toml",
                                 "test.toml");
    ASSERT_EQ(seed.databases.size(), 1u);
    EXPECT_TRUE(seed.databases[0].dedicated);
    ASSERT_EQ(seed.databases[0].collaborators.size(), 1u);
    EXPECT_EQ(seed.databases[0].collaborators[0].status, Status::accepted);
}

TEST(SeedTest, unknown_keys_are_rejected_by_name) {
    EXPECT_EQ(error_of("colour = \"blue\"\n" + std::string(accounts)), "test.toml: unknown key \"colour\"");
    EXPECT_EQ(error_of(R"toml(
bot_account = "bot@example.com"
[[accounts]]
email = "bot@example.com"
nmae = "bot"
)toml"),
              "test.toml: unknown key \"accounts.nmae\"");
    EXPECT_EQ(error_of(std::string(accounts) + R"toml(
[[databases]]
name = "my-db"
onwer = "owner@example.com"
)toml"),
              "test.toml: unknown key \"databases.onwer\"");
    EXPECT_EQ(error_of(std::string(accounts) + R"toml(
[[databases]]
name = "my-db"
owner = "owner@example.com"
collaborators = [{ email = "bot@example.com", role = "limited" }]
)toml"),
              "test.toml: unknown key \"databases.collaborators.role\"");
}

TEST(SeedTest, the_owner_must_be_an_account) {
    EXPECT_EQ(error_of(std::string(accounts) + R"toml(
[[databases]]
name = "my-db"
owner = "stranger@example.com"
)toml"),
              "test.toml: the owner of my-db, stranger@example.com, is not one of the [[accounts]]");
}

TEST(SeedTest, the_bot_account_must_be_an_account) {
    EXPECT_EQ(error_of(R"toml(
bot_account = "ghost@example.com"
[[accounts]]
email = "bot@example.com"
username = "bot"
)toml"),
              "test.toml: bot_account ghost@example.com is not one of the [[accounts]]");
    EXPECT_EQ(error_of("[[accounts]]\nemail = \"bot@example.com\"\nusername = \"bot\"\n"),
              "test.toml: sandbox.bot_account is required");
}

TEST(SeedTest, an_invalid_database_name_is_rejected) {
    EXPECT_EQ(error_of(std::string(accounts) + R"toml(
[[databases]]
name = "my_db"
owner = "owner@example.com"
)toml"),
              "test.toml: \"my_db\" is not a valid database name: it starts with a letter and has only lower-case "
              "letters, digits and hyphens (e.g. my-dedicated-db).");
    EXPECT_EQ(error_of(std::string(accounts) + R"toml(
[[databases]]
name = "My-DB"
owner = "owner@example.com"
)toml"),
              "test.toml: Database names are lower-case: did you mean \"my-db\"?");
}

TEST(SeedTest, a_status_other_than_accepted_or_pending_is_rejected) {
    const std::string expected = "test.toml: databases.collaborators.status is \"accepted\" or \"pending\"";
    EXPECT_EQ(error_of(std::string(accounts) + R"toml(
[[databases]]
name = "my-db"
owner = "owner@example.com"
collaborators = [{ email = "bot@example.com", status = "invited" }]
)toml"),
              expected);
    // Scalingo reports this status, but a seed cannot start with a deleted account.
    EXPECT_EQ(error_of(std::string(accounts) + R"toml(
[[databases]]
name = "my-db"
owner = "owner@example.com"
collaborators = [{ email = "bot@example.com", status = "user account deleted" }]
)toml"),
              expected);
}

TEST(SeedTest, an_accepted_collaborator_needs_an_account_but_a_pending_one_does_not) {
    EXPECT_EQ(error_of(std::string(accounts) + R"toml(
[[databases]]
name = "my-db"
owner = "owner@example.com"
collaborators = [{ email = "someone@example.com", status = "accepted" }]
)toml"),
              "test.toml: accepted collaborator someone@example.com of my-db is not one of the [[accounts]]");

    const Seed pending = parse_seed(std::string(accounts) + R"toml(
[[databases]]
name = "my-db"
owner = "owner@example.com"
collaborators = [{ email = "someone@example.com", status = "pending" }]
)toml",
                                    "test.toml");
    EXPECT_EQ(pending.databases[0].collaborators[0].status, Status::pending);
}

TEST(SeedTest, an_account_with_a_malformed_email_is_rejected) {
    EXPECT_EQ(error_of(R"toml(
bot_account = "bot@example.com"
[[accounts]]
email = "bot.example.com"
username = "bot"
)toml"),
              "test.toml: accounts: \"bot.example.com\" is not an e-mail address: it has no @.");
}

TEST(SeedTest, wrong_shapes_and_types_are_rejected) {
    EXPECT_EQ(error_of("databases = \"my-db\"\n" + std::string(accounts)),
              "test.toml: databases must be an array of tables ([[databases]])");
    EXPECT_EQ(error_of(std::string(accounts) + R"toml(
[[databases]]
name = "my-db"
owner = "owner@example.com"
dedicated = "yes"
)toml"),
              "test.toml: databases.dedicated has the wrong type");
}

TEST(SeedTest, a_database_listed_twice_is_rejected_by_name) {
    const std::string message = error_of(std::string(accounts) + R"toml(
[[databases]]
name = "my-db"
owner = "owner@example.com"

[[databases]]
name = "my-db"
owner = "bot@example.com"
)toml");
    EXPECT_NE(message.find("my-db"), std::string::npos) << message;
}

TEST(SeedTest, a_toml_syntax_error_gives_the_line_and_column) {
    // The second line's table header is not closed: the parser stops at its end, column 12.
    EXPECT_EQ(error_of("bot_account = \"bot@example.com\"\n[[accounts]\nemail = \"x\"\n"),
              "test.toml:2:12: Error while parsing table header: expected ']', saw '\\n'");
}

}  // namespace
}  // namespace collab::sandbox
