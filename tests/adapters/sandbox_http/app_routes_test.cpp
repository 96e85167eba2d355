// The regional API of the sandbox without sockets: apps, addons, collaborators (list, invite in both
// body shapes, change role, remove) and accepting an invitation, with Scalingo's statuses and bodies.

#include <regex>

#include "routes_fixture.hpp"

namespace collab::sandbox::test {
namespace {

class AppRoutes : public RoutesTest {
protected:
    void SetUp() override {
        user1_ = bearer(user1_token);
        user2_ = bearer(user2_token);
        bot_ = bearer(bot_token);
    }

    // The app object the API must send, with the creation time it did send (checked for its format).
    std::string expected_app(const std::string& name, const std::string& created_at) {
        auto app = store_.find_app(name);
        if (!app) {
            ADD_FAILURE() << "no app " << name;
            return {};
        }
        const Account& owner = app->database.owner;
        return R"({"id":")" + app->id + R"(","name":")" + name + R"(","region":"osc-fr1","status":"running",)" +
               R"("created_at":")" + created_at + R"(","updated_at":")" + created_at + R"(","flags":)" +
               (app->database.dedicated ? R"({"dedicated-database":true})" : "{}") + R"(,"owner":{"id":")" + owner.id +
               R"(","username":")" + owner.username + R"(","email":")" + owner.email + R"("}})";
    }

    static std::string created_at_of(const json::value& app) {
        const std::string created(app.at("created_at").as_string());
        EXPECT_TRUE(std::regex_match(created, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"))) << created;
        return created;
    }

    std::string app_id(const std::string& name) {
        auto app = store_.find_app(name);
        return app ? app->id : std::string();
    }

    std::string pending_token(const std::string& email) {
        for (const auto& invitation : store_.invitations()) {
            if (invitation.recipient == email && invitation.state == "pending") return invitation.token;
        }
        ADD_FAILURE() << "no pending invitation for " << email;
        return {};
    }

    RouteResponse invite(const std::string& app, const std::string& body, const std::string& as) {
        return call(http::verb::post, "/v1/apps/" + app + "/collaborators", as, body);
    }

    std::string user1_, user2_, bot_;
};

TEST_F(AppRoutes, ShowAppCarriesTheOwnerAndTheDedicatedFlag) {
    const RouteResponse response = call(http::verb::get, "/v1/apps/my-dedicated-db?", user2_);
    ASSERT_EQ(response.status, 200u) << response.body;
    const std::string created = created_at_of(parsed(response.body).at("app"));
    expect_json(response, 200, R"({"app":)" + expected_app("my-dedicated-db", created) + "}");
}

TEST_F(AppRoutes, ShowOrdinaryAppHasNoDedicatedFlag) {
    const RouteResponse response = call(http::verb::get, "/v1/apps/web-app", user1_);
    ASSERT_EQ(response.status, 200u) << response.body;
    expect_json(response, 200,
                R"({"app":)" + expected_app("web-app", created_at_of(parsed(response.body).at("app"))) + "}");
}

TEST_F(AppRoutes, UnknownAppIs404WithResourceApp) {
    const std::string expected = R"({"resource":"app","error":"not found"})";
    expect_json(call(http::verb::get, "/v1/apps/no-such-db?", user1_), 404, expected);
    expect_json(call(http::verb::get, "/v1/apps/no-such-db/collaborators?", user1_), 404, expected);
    expect_json(call(http::verb::get, "/v1/apps/no-such-db/addons", user1_), 404, expected);
    expect_json(invite("no-such-db", R"({"collaborator":{"email":"a@b.co","is_limited":false}})", user1_), 404,
                expected);
    expect_json(call(http::verb::delete_, "/v1/apps/no-such-db/collaborators/co-1?", user1_), 404, expected);
}

TEST_F(AppRoutes, AppOfWhichTheAccountIsNeitherOwnerNorAcceptedCollaboratorIs401) {
    // collab-bot collaborates on analytics-db only.
    expect_json(call(http::verb::get, "/v1/apps/my-dedicated-db?", bot_), 401, not_authorized);
    expect_json(call(http::verb::get, "/v1/apps/my-dedicated-db/collaborators?", bot_), 401, not_authorized);
    expect_json(call(http::verb::get, "/v1/apps/my-dedicated-db/addons?", bot_), 401, not_authorized);
    expect_json(invite("my-dedicated-db", R"({"collaborator":{"email":"a@b.co","is_limited":false}})", bot_), 401,
                not_authorized);
    const std::string id = collaborator_id("my-dedicated-db", "user2@example.com");
    expect_json(call(http::verb::delete_, "/v1/apps/my-dedicated-db/collaborators/" + id + "?", bot_), 401,
                not_authorized);
    EXPECT_EQ(store_.collaborators("my-dedicated-db").size(), 2u) << "nothing changed";
}

TEST_F(AppRoutes, AnAcceptedCollaboratorSeesTheApp) {
    EXPECT_EQ(call(http::verb::get, "/v1/apps/analytics-db?", bot_).status, 200u);
    EXPECT_EQ(call(http::verb::get, "/v1/apps/analytics-db/collaborators?", bot_).status, 200u);
}

TEST_F(AppRoutes, ListAppsShowsWhatTheAccountOwnsOrCollaboratesOn) {
    const auto names = [&](const std::string& as) {
        std::vector<std::string> all;
        const RouteResponse response = call(http::verb::get, "/v1/apps?", as);
        EXPECT_EQ(response.status, 200u) << response.body;
        const json::value body = parsed(response.body);
        for (const auto& app : body.at("apps").as_array()) all.emplace_back(app.at("name").as_string());
        return all;
    };
    EXPECT_EQ(names(user1_), (std::vector<std::string>{"analytics-db", "my-dedicated-db", "web-app"}));
    EXPECT_EQ(names(user2_), (std::vector<std::string>{"analytics-db", "my-dedicated-db", "web-app"}));
    EXPECT_EQ(names(bot_), (std::vector<std::string>{"analytics-db"}));
}

TEST_F(AppRoutes, ListAppsUsesTheAppObject) {
    const RouteResponse response = call(http::verb::get, "/v1/apps", bot_);
    ASSERT_EQ(response.status, 200u);
    const std::string created = created_at_of(parsed(response.body).at("apps").at(0));
    expect_json(response, 200, R"({"apps":[)" + expected_app("analytics-db", created) + "]}");
}

TEST_F(AppRoutes, AddonsOfADedicatedDatabaseAreTheDatabaseItself) {
    const RouteResponse response = call(http::verb::get, "/v1/apps/my-dedicated-db/addons?", user1_);
    ASSERT_EQ(response.status, 200u) << response.body;
    const json::value body = parsed(response.body);
    ASSERT_EQ(body.at("addons").as_array().size(), 1u);
    const json::value& addon = body.at("addons").at(0);
    const std::string id = app_id("my-dedicated-db");
    expect_json(response, 200,
                R"({"addons":[{"id":"ad-)" + id.substr(3) + R"(","app_id":")" + id +
                    R"(","resource_id":"my-dedicated-db","status":"running","provisioned_at":")" +
                    std::string(addon.at("provisioned_at").as_string()) +
                    R"(","plan":{"id":"pl-sandbox-dedicated","name":"dedicated-sandbox",)"
                    R"json("display_name":"Dedicated Resources (sandbox)"},)json"
                    R"("addon_provider":{"id":"postgresql","name":"PostgreSQL"}}]})");
}

TEST_F(AppRoutes, OrdinaryAppHasNoAddons) {
    expect_json(call(http::verb::get, "/v1/apps/web-app/addons", user1_), 200, R"({"addons":[]})");
}

TEST_F(AppRoutes, CollaboratorsListLeavesTheOwnerOutAndShowsPendingAsScalingoDoes) {
    const std::string app = app_id("my-dedicated-db");
    const std::string accepted = R"({"id":")" + collaborator_id("my-dedicated-db", "user2@example.com") +
                                 R"(","email":"user2@example.com","user_id":")" + account_id("user2@example.com") +
                                 R"(","username":"user2","tfa_status":false,"status":"accepted","is_limited":false,)"
                                 R"("invitation_link":"","app_id":")" +
                                 app + R"(","app_name":"my-dedicated-db"})";
    const std::string pending = R"({"id":")" + collaborator_id("my-dedicated-db", "user3@example.com") +
                                R"(","email":"user3@example.com","user_id":null,"username":"n/a","tfa_status":null,)"
                                R"("status":"pending","is_limited":false,"invitation_link":")" +
                                std::string(link_prefix) + pending_token("user3@example.com") + R"(","app_id":")" +
                                app + R"(","app_name":"my-dedicated-db"})";
    expect_json(call(http::verb::get, "/v1/apps/my-dedicated-db/collaborators?", user1_), 200,
                R"({"collaborators":[)" + accepted + "," + pending + "]}");
}

TEST_F(AppRoutes, InviteWithTheNewBodyShapeIs201WithThePendingCollaborator) {
    const RouteResponse response =
        invite("my-dedicated-db", R"({"collaborator":{"email":"new@example.com","is_limited":false}})", user1_);
    ASSERT_EQ(response.status, 201u) << response.body;
    expect_json(response, 201,
                R"({"collaborator":{"id":")" + collaborator_id("my-dedicated-db", "new@example.com") +
                    R"(","email":"new@example.com","user_id":null,"username":"n/a","tfa_status":null,)"
                    R"("status":"pending","is_limited":false,"invitation_link":")" +
                    std::string(link_prefix) + pending_token("new@example.com") + R"(","app_id":")" +
                    app_id("my-dedicated-db") + R"(","app_name":"my-dedicated-db"}})");
    EXPECT_EQ(store_.collaborators("my-dedicated-db").size(), 3u);
}

TEST_F(AppRoutes, InviteWithTheOldClientsWholeStructIsAFullCollaborator) {
    const RouteResponse response = invite(
        "my-dedicated-db",
        R"({"collaborator":{"id":"","app_id":"","username":"","email":"old@example.com","status":"","user_id":""}})",
        user1_);
    ASSERT_EQ(response.status, 201u) << response.body;
    const json::value collaborator = parsed(response.body).at("collaborator");
    EXPECT_EQ(collaborator.at("email").as_string(), "old@example.com");
    EXPECT_EQ(collaborator.at("is_limited").as_bool(), false);
    EXPECT_EQ(collaborator.at("status").as_string(), "pending");
    EXPECT_NE(collaborator.at("id").as_string(), "") << "the client's empty id is not taken";
}

TEST_F(AppRoutes, InviteIgnoresUnknownKeys) {
    EXPECT_EQ(
        invite("analytics-db",
               R"({"collaborator":{"email":"x@example.com","is_limited":false,"role":"admin","extra":[1]},"x":1})",
               bot_)
            .status,
        201u);
}

TEST_F(AppRoutes, InviteByAnAcceptedCollaboratorIsAllowed) {
    EXPECT_EQ(invite("analytics-db", R"({"collaborator":{"email":"y@example.com","is_limited":false}})", bot_).status,
              201u);
}

TEST_F(AppRoutes, InvalidEmailIs422OnTheEmailField) {
    const std::string invalid = R"({"errors":{"email":["is invalid"]}})";
    expect_json(invite("my-dedicated-db", R"({"collaborator":{"email":"not-an-address","is_limited":false}})", user1_),
                422, invalid);
    expect_json(invite("my-dedicated-db", R"({"collaborator":{"email":"a@@b.co","is_limited":false}})", user1_), 422,
                invalid);
    expect_json(invite("my-dedicated-db", R"({"collaborator":{"email":42,"is_limited":false}})", user1_), 422, invalid);
    const std::string blank = R"({"errors":{"email":["can't be blank"]}})";
    expect_json(invite("my-dedicated-db", R"({"collaborator":{"email":"","is_limited":false}})", user1_), 422, blank);
    expect_json(invite("my-dedicated-db", R"({"collaborator":{"is_limited":false}})", user1_), 422, blank);
    EXPECT_EQ(store_.collaborators("my-dedicated-db").size(), 2u);
}

TEST_F(AppRoutes, LimitedRoleOnADedicatedDatabaseIs422OnIsLimited) {
    expect_json(invite("my-dedicated-db", R"({"collaborator":{"email":"z@example.com","is_limited":true}})", user1_),
                422,
                R"({"errors":{"is_limited":["is not available for Dedicated Resources databases: )"
                R"(their only role is Collaborator"]}})");
    EXPECT_EQ(store_.collaborators("my-dedicated-db").size(), 2u);
}

TEST_F(AppRoutes, InvitingACollaboratorOrTheOwnerAgainIs422) {
    const std::string already = R"({"errors":{"email":["is already a collaborator of this app"]}})";
    expect_json(
        invite("my-dedicated-db", R"({"collaborator":{"email":"USER2@example.com","is_limited":false}})", user1_), 422,
        already);
    expect_json(
        invite("my-dedicated-db", R"({"collaborator":{"email":"user3@example.com","is_limited":false}})", user1_), 422,
        already);
    expect_json(
        invite("my-dedicated-db", R"({"collaborator":{"email":"user1@example.com","is_limited":false}})", user1_), 422,
        R"({"errors":{"email":["is the owner of this app"]}})");
}

TEST_F(AppRoutes, InviteBodyThatIsNotJsonOrHasNoCollaboratorIs400) {
    for (const std::string body :
         {"", "{", "not json", "[]", R"({"email":"a@b.co"})", R"({"collaborator":"a@b.co"})"}) {
        const RouteResponse response = invite("my-dedicated-db", body, user1_);
        EXPECT_EQ(response.status, 400u) << body;
        const json::value parsed_body = parsed(response.body);
        EXPECT_TRUE(parsed_body.is_object() && parsed_body.at("error").is_string()) << response.body;
    }
}

TEST_F(AppRoutes, AbsentIsLimitedOnAnOrdinaryAppIsScalingosDefaultLimitedCollaborator) {
    const RouteResponse response = invite("web-app", R"({"collaborator":{"email":"w@example.com"}})", user1_);
    ASSERT_EQ(response.status, 201u) << response.body;
    EXPECT_EQ(parsed(response.body).at("collaborator").at("is_limited").as_bool(), true);
    const RouteResponse full =
        invite("web-app", R"({"collaborator":{"email":"v@example.com","is_limited":false}})", user1_);
    EXPECT_EQ(parsed(full.body).at("collaborator").at("is_limited").as_bool(), false);
}

TEST_F(AppRoutes, ChangeRole) {
    const std::string id = collaborator_id("web-app", "user2@example.com");
    const RouteResponse limited = call(http::verb::patch, "/v1/apps/web-app/collaborators/" + id, user1_,
                                       R"({"collaborator":{"is_limited":true}})");
    ASSERT_EQ(limited.status, 200u) << limited.body;
    expect_json(limited, 200,
                R"({"collaborator":{"id":")" + id + R"(","email":"user2@example.com","user_id":")" +
                    account_id("user2@example.com") +
                    R"(","username":"user2","tfa_status":false,"status":"accepted","is_limited":true,)"
                    R"("invitation_link":"","app_id":")" +
                    app_id("web-app") + R"(","app_name":"web-app"}})");
    EXPECT_TRUE(store_.collaborators("web-app").at(0).limited);
}

TEST_F(AppRoutes, ChangeRoleRefusesTheLimitedRoleOnADedicatedDatabase) {
    const std::string id = collaborator_id("my-dedicated-db", "user2@example.com");
    const std::string target = "/v1/apps/my-dedicated-db/collaborators/" + id;
    EXPECT_EQ(call(http::verb::patch, target, user1_, R"({"collaborator":{"is_limited":true}})").status, 422u);
    EXPECT_EQ(call(http::verb::patch, target, user1_, R"({"collaborator":{"is_limited":false}})").status, 200u);
    expect_json(call(http::verb::patch, target, user1_, R"({"collaborator":{}})"), 422,
                R"({"errors":{"is_limited":["must be true or false"]}})");
    expect_json(call(http::verb::patch, "/v1/apps/my-dedicated-db/collaborators/co-nope", user1_,
                     R"({"collaborator":{"is_limited":false}})"),
                404, R"({"resource":"collaborator","error":"not found"})");
}

TEST_F(AppRoutes, RemoveIs204WithAnEmptyBodyEvenWithABareQuestionMark) {
    const std::string id = collaborator_id("my-dedicated-db", "user3@example.com");
    const RouteResponse removed =
        call(http::verb::delete_, "/v1/apps/my-dedicated-db/collaborators/" + id + "?", user1_);
    EXPECT_EQ(removed.status, 204u);
    EXPECT_EQ(removed.body, "");
    EXPECT_EQ(store_.collaborators("my-dedicated-db").size(), 1u);
    expect_json(call(http::verb::delete_, "/v1/apps/my-dedicated-db/collaborators/" + id + "?", user1_), 404,
                R"({"resource":"collaborator","error":"not found"})");
}

TEST_F(AppRoutes, LeavingIsRemovingOnesOwnEntry) {
    const std::string id = collaborator_id("analytics-db", "collab-bot@example.com");
    EXPECT_EQ(call(http::verb::delete_, "/v1/apps/analytics-db/collaborators/" + id + "?", bot_).status, 204u);
    EXPECT_EQ(call(http::verb::get, "/v1/apps/analytics-db?", bot_).status, 401u) << "no longer a collaborator";
}

TEST_F(AppRoutes, LimitedCollaboratorReadsAndLeavesButManagesNothing) {
    const std::string user2_id = collaborator_id("web-app", "user2@example.com");
    ASSERT_EQ(call(http::verb::patch, "/v1/apps/web-app/collaborators/" + user2_id, user1_,
                   R"({"collaborator":{"is_limited":true}})")
                  .status,
              200u);
    ASSERT_EQ(invite("web-app", R"({"collaborator":{"email":"other@example.com","is_limited":false}})", user1_).status,
              201u);
    const std::string other_id = collaborator_id("web-app", "other@example.com");

    EXPECT_EQ(call(http::verb::get, "/v1/apps/web-app/collaborators?", user2_).status, 200u);
    expect_json(invite("web-app", R"({"collaborator":{"email":"p@example.com","is_limited":false}})", user2_), 401,
                not_authorized);
    expect_json(call(http::verb::delete_, "/v1/apps/web-app/collaborators/" + other_id + "?", user2_), 401,
                not_authorized);
    expect_json(call(http::verb::patch, "/v1/apps/web-app/collaborators/" + user2_id, user2_,
                     R"({"collaborator":{"is_limited":false}})"),
                401, not_authorized);
    EXPECT_EQ(call(http::verb::delete_, "/v1/apps/web-app/collaborators/" + user2_id + "?", user2_).status, 204u);
}

TEST_F(AppRoutes, AcceptingAnInvitationMakesTheSignedInAccountACollaborator) {
    ASSERT_EQ(
        invite("my-dedicated-db", R"({"collaborator":{"email":"collab-bot@example.com","is_limited":false}})", user1_)
            .status,
        201u);
    EXPECT_EQ(call(http::verb::get, "/v1/apps/my-dedicated-db?", bot_).status, 401u) << "pending is not access";

    const RouteResponse accepted =
        call(http::verb::get, "/v1/apps/collaboration?token=" + pending_token("collab-bot@example.com"), bot_);
    ASSERT_EQ(accepted.status, 200u) << accepted.body;
    expect_json(accepted, 200,
                R"({"app":)" + expected_app("my-dedicated-db", created_at_of(parsed(accepted.body).at("app"))) + "}");

    EXPECT_EQ(call(http::verb::get, "/v1/apps/my-dedicated-db?", bot_).status, 200u);
    const json::value list = parsed(call(http::verb::get, "/v1/apps/my-dedicated-db/collaborators?", bot_).body);
    const json::value& entry = list.at("collaborators").at(2);
    EXPECT_EQ(entry.at("status").as_string(), "accepted");
    EXPECT_EQ(entry.at("username").as_string(), "collab-bot");
    EXPECT_EQ(entry.at("user_id").as_string(), account_id("collab-bot@example.com"));
    EXPECT_EQ(entry.at("invitation_link").as_string(), "");
    EXPECT_EQ(entry.at("tfa_status"), json::value(false));
}

TEST_F(AppRoutes, AnInvitationIsAcceptedOnceAndNeedsItsToken) {
    const std::string token = pending_token("user3@example.com");
    EXPECT_EQ(call(http::verb::get, "/v1/apps/collaboration?token=" + token, bot_).status, 200u);
    expect_json(call(http::verb::get, "/v1/apps/collaboration?token=" + token, bot_), 404,
                R"({"resource":"collaborator","error":"not found"})");
    expect_json(call(http::verb::get, "/v1/apps/collaboration?token=0000", bot_), 404,
                R"({"resource":"collaborator","error":"not found"})");
    EXPECT_EQ(call(http::verb::get, "/v1/apps/collaboration?", bot_).status, 400u);
    EXPECT_EQ(call(http::verb::get, "/v1/apps/collaboration?token=", bot_).status, 400u);
    EXPECT_EQ(call(http::verb::get, "/v1/apps/collaboration?token=" + token).status, 401u) << "signed in only";
}

TEST_F(AppRoutes, EscapedPathsAndQueriesAreDecodedAndMalformedTargetsRefused) {
    // Every character of the token escaped, as some clients do.
    std::string escaped;
    for (const unsigned char c : pending_token("user3@example.com")) {
        constexpr std::string_view hex = "0123456789ABCDEF";
        escaped += {'%', hex[c >> 4], hex[c & 0xF]};
    }
    EXPECT_EQ(call(http::verb::get, "/v1/apps/%6Dy-dedicated-db?", user1_).status, 200u);
    EXPECT_EQ(call(http::verb::get, "/v1/apps/collaboration?other=1&to%6Ben=" + escaped, bot_).status, 200u);
    expect_json(call(http::verb::get, "/v1/apps/%zz", bot_), 400,
                R"({"error":"the request target is not a path with an optional query"})");
    EXPECT_EQ(call(http::verb::get, "/v1/apps?a b", bot_).status, 400u);
}

TEST_F(AppRoutes, AForwardedInvitationMakesItsAcceptorTheCollaborator) {
    // user3's link, accepted by collab-bot: the entry becomes collab-bot's.
    const std::string id = collaborator_id("my-dedicated-db", "user3@example.com");
    ASSERT_EQ(call(http::verb::get, "/v1/apps/collaboration?token=" + pending_token("user3@example.com"), bot_).status,
              200u);
    auto record = store_.find_collaborator_record("my-dedicated-db", id);
    ASSERT_TRUE(record);
    EXPECT_EQ(record->collaborator.email, "collab-bot@example.com");
    EXPECT_EQ(record->user_id, account_id("collab-bot@example.com"));
}

TEST_F(AppRoutes, AcceptingAsSomeoneWhoAlreadyCollaboratesIsAConflict) {
    const RouteResponse response =
        call(http::verb::get, "/v1/apps/collaboration?token=" + pending_token("user3@example.com"), user2_);
    EXPECT_EQ(response.status, 409u);
    EXPECT_TRUE(parsed(response.body).at("error").is_string()) << response.body;
    EXPECT_EQ(store_.collaborators("my-dedicated-db").at(1).status, Status::pending);
}

}  // namespace
}  // namespace collab::sandbox::test
