// Decoding Scalingo's bodies as the reference gives them, and refusing what does not fit.

#include <gtest/gtest.h>

#include "adapters/scalingo/scalingo_json.hpp"
#include "adapters/security/hmac_signer.hpp"

namespace collab::scalingo {
namespace {

TEST(ScalingoJson, AppWithOwnerAndDedicatedFlag) {
    auto app = parse_app(R"({"app":{"id":"ap-1","name":"my-dedicated-db","region":"osc-fr1","status":"running",
        "created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z",
        "flags":{"dedicated-database":true},"owner":{"id":"us-1","username":"user1","email":"user1@example.com"}}})");
    ASSERT_TRUE(app);
    EXPECT_EQ(app->name, "my-dedicated-db");
    EXPECT_EQ(app->owner.email, "user1@example.com");
    EXPECT_EQ(app->owner.username, "user1");
    EXPECT_TRUE(app->dedicated);
}

TEST(ScalingoJson, AppWithoutTheFlagIsAnOrdinaryApp) {
    auto app = parse_app(R"({"app":{"name":"web","flags":{},"owner":{"id":"us-1","username":"u","email":"u@x.io"}}})");
    ASSERT_TRUE(app);
    EXPECT_FALSE(app->dedicated);
}

TEST(ScalingoJson, AppWithoutOwnerOrWrapperIsMalformed) {
    EXPECT_FALSE(parse_app(R"({"app":{"name":"web"}})"));
    EXPECT_FALSE(parse_app(R"({"name":"web","owner":{"id":"us-1","username":"u","email":"u@x.io"}})"));
    EXPECT_FALSE(parse_app("<html>502 Bad Gateway</html>"));
    EXPECT_FALSE(parse_app(""));
}

TEST(ScalingoJson, CollaboratorsPendingAndAccepted) {
    auto list = parse_collaborators(R"({"collaborators":[
        {"id":"co-2","email":"user2@example.com","user_id":"us-2","username":"user2","tfa_status":false,
         "status":"accepted","is_limited":false,"invitation_link":"","app_id":"ap-1","app_name":"my-dedicated-db"},
        {"id":"co-3","email":"user3@example.com","user_id":null,"username":"n/a","tfa_status":null,
         "status":"pending","is_limited":false,"invitation_link":"https://x/apps/collaboration?token=abc",
         "app_id":"ap-1","app_name":"my-dedicated-db"}]})");
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), 2u);
    EXPECT_EQ((*list)[0].username, "user2");
    EXPECT_EQ((*list)[0].status, Status::accepted);
    EXPECT_EQ((*list)[1].username, "n/a");
    EXPECT_EQ((*list)[1].status, Status::pending);
}

TEST(ScalingoJson, UnknownStatusMakesTheListMalformed) {
    EXPECT_FALSE(parse_collaborators(R"({"collaborators":[{"id":"co-1","email":"a@b.co","status":"invited"}]})"));
    EXPECT_TRUE(
        parse_collaborators(R"({"collaborators":[{"id":"co-1","email":"a@b.co","status":"user account deleted"}]})"));
}

TEST(ScalingoJson, ValidationErrorsJoinFieldAndMessage) {
    EXPECT_EQ(parse_validation_errors(R"({"errors":{"email":["is invalid","is too long"]}})"),
              "email is invalid; email is too long");
    // An empty map explains nothing: the caller treats it as malformed.
    EXPECT_FALSE(parse_validation_errors(R"({"errors":{}})"));
    EXPECT_FALSE(parse_validation_errors(R"({"error":"nope"})"));
}

TEST(ScalingoJson, NotFoundResourceAndErrorMessage) {
    EXPECT_EQ(parse_not_found_resource(R"({"resource":"collaborator","error":"not found"})"), "collaborator");
    EXPECT_EQ(parse_error_message(R"({"error":"Retry later"})"), "Retry later");
    EXPECT_FALSE(parse_error_message("Retry later"));
}

TEST(ScalingoJson, UserAndToken) {
    auto user =
        parse_user(R"({"user":{"id":"us-9","username":"bot","email":"bot@example.com","fullname":"","flags":{}}})");
    ASSERT_TRUE(user);
    EXPECT_EQ(user->email, "bot@example.com");
    EXPECT_FALSE(parse_user(R"({"id":"us-9","username":"bot","email":"bot@example.com"})"));
    EXPECT_EQ(parse_exchanged_token(R"({"token":"a.b.c"})"), "a.b.c");
}

TEST(ScalingoJson, JwtExpiryIsReadWithoutTheSignature) {
    const std::string header = security::base64url_encode(R"({"alg":"none","typ":"JWT"})");
    const std::string payload = security::base64url_encode(R"({"exp":1795870971,"uuid":"us-1"})");
    auto expiry = jwt_expiry(header + "." + payload + ".");
    ASSERT_TRUE(expiry);
    EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(expiry->time_since_epoch()).count(), 1795870971);
    EXPECT_FALSE(jwt_expiry(header + "." + security::base64url_encode(R"({"uuid":"us-1"})") + "."));
    EXPECT_FALSE(jwt_expiry("not-a-jwt"));
}

TEST(ScalingoJson, JwtExpiryOutOfRangeReadsAsNoExpiry) {
    // Beyond what a TimePoint holds, converting would overflow: such a token has no usable exp.
    const std::string header = security::base64url_encode(R"({"alg":"none","typ":"JWT"})");
    for (const char* exp : {"99999999999", "1e300", "-1e18", "-1", "9223372036854775807"}) {
        const std::string payload = security::base64url_encode(std::string(R"({"exp":)") + exp + "}");
        EXPECT_FALSE(jwt_expiry(header + "." + payload + ".")) << exp;
    }
    const std::string fractional = security::base64url_encode(R"({"exp":1795870971.5})");
    EXPECT_TRUE(jwt_expiry(header + "." + fractional + "."));
}

TEST(ScalingoJson, AnExpiryBeyondTheClockIsNoExpiry) {
    // Found by fuzzing: these overflowed the clock's nanoseconds (or the conversion from a double) and
    // came out as some other time.
    const std::string header = security::base64url_encode(R"({"alg":"none","typ":"JWT"})");
    for (std::string_view claims : {R"({"exp":99999999999})", R"({"exp":179587097171})", R"({"exp":1e300})"})
        EXPECT_FALSE(jwt_expiry(header + "." + security::base64url_encode(claims) + ".")) << claims;
}

TEST(ScalingoJson, InvitationAlwaysSaysNotLimited) {
    EXPECT_EQ(invitation_body("user@example.com"),
              R"({"collaborator":{"email":"user@example.com","is_limited":false}})");
}

}  // namespace
}  // namespace collab::scalingo
