// The auth service of the sandbox (token exchange, users/self, regions), bearer checks, and the
// request quirks of Scalingo's own clients, without sockets.

#include "adapters/sandbox/jwt.hpp"
#include "routes_fixture.hpp"

namespace collab::sandbox::test {
namespace {

using AuthRoutes = RoutesTest;

TEST_F(AuthRoutes, ExchangeTurnsAnApiTokenIntoAJwtThatLivesAnHour) {
    const RouteResponse response = call(http::verb::post, "/v1/tokens/exchange", basic(user1_token), "{}");
    ASSERT_EQ(response.status, 200u) << response.body;
    const json::value body = parsed(response.body);
    ASSERT_TRUE(body.is_object());
    EXPECT_EQ(body.as_object().size(), 1u) << response.body;
    const auto claims = decode_jwt(body.at("token").as_string(), issuer_);
    ASSERT_TRUE(claims) << response.body;
    EXPECT_EQ(claims->account_id, account_id("user1@example.com"));
    EXPECT_EQ(claims->expires_at, context_.now + std::chrono::hours(1));
}

TEST_F(AuthRoutes, ExchangeHonoursTheConfiguredLifetime) {
    context_.jwt_lifetime = std::chrono::seconds(90);
    const auto claims = decode_jwt(bearer(user2_token).substr(7), issuer_);
    ASSERT_TRUE(claims);
    EXPECT_EQ(claims->expires_at, context_.now + std::chrono::seconds(90));
}

TEST_F(AuthRoutes, ExchangeNeedsNoBodyAndAcceptsAUserName) {
    EXPECT_EQ(call(http::verb::post, "/v1/tokens/exchange", basic(user1_token)).status, 200u);
    const std::string with_user = "Basic " + security::base64_encode("someone:" + std::string(user1_token));
    EXPECT_EQ(call(http::verb::post, "/v1/tokens/exchange", with_user, "{}").status, 200u);
}

TEST_F(AuthRoutes, ExchangeRefusesUnknownAndMissingApiTokens) {
    expect_json(call(http::verb::post, "/v1/tokens/exchange", basic("tk-us-nobody"), "{}"), 401,
                R"({"error":"invalid API token"})");
    expect_json(call(http::verb::post, "/v1/tokens/exchange", basic(""), "{}"), 401,
                R"({"error":"invalid API token"})");
    const RouteResponse missing = call(http::verb::post, "/v1/tokens/exchange", "", "{}");
    EXPECT_EQ(missing.status, 401u);
    EXPECT_TRUE(parsed(missing.body).at("error").is_string()) << missing.body;
    EXPECT_EQ(call(http::verb::post, "/v1/tokens/exchange", "Bearer " + std::string(user1_token), "{}").status, 401u);
}

TEST_F(AuthRoutes, AnyNumberOfJwtsMayBeLiveAtOnce) {
    const std::string first = bearer(user1_token);
    context_.now += std::chrono::seconds(1);  // a second exchange a moment later: a different token
    const std::string second = bearer(user1_token);
    EXPECT_NE(first, second);
    EXPECT_EQ(call(http::verb::get, "/v1/users/self?", first).status, 200u);
    EXPECT_EQ(call(http::verb::get, "/v1/users/self?", second).status, 200u);
}

TEST_F(AuthRoutes, UsersSelfShowsTheSignedInAccount) {
    const std::string id = account_id("user1@example.com");
    expect_json(call(http::verb::get, "/v1/users/self?", bearer(user1_token)), 200,
                R"({"user":{"id":")" + id +
                    R"(","username":"user1","email":"user1@example.com","fullname":"user1","flags":{}}})");
}

TEST_F(AuthRoutes, ExactBodyOfUsersSelf) {
    // Key order too, as a byte-for-byte fixture would see it.
    const RouteResponse response = call(http::verb::get, "/v1/users/self", bearer(user2_token));
    EXPECT_EQ(response.body, R"({"user":{"id":")" + account_id("user2@example.com") +
                                 R"(","username":"user2","email":"user2@example.com","fullname":"user2","flags":{}}})");
}

TEST_F(AuthRoutes, RegionsAdvertiseOneDefaultRegionOnThePublicUrlWithoutV1) {
    expect_json(call(http::verb::get, "/v1/regions?"), 200,
                R"({"regions":[{"name":"osc-fr1","display_name":"collab-bot sandbox","api":"http://127.0.0.1:4242",)"
                R"("dashboard":"http://127.0.0.1:4242","database_api":"http://127.0.0.1:4242",)"
                R"("ssh":"ssh.sandbox.invalid:22","default":true}]})");
}

TEST_F(AuthRoutes, MissingBearerIs401) {
    const RouteResponse response = call(http::verb::get, "/v1/users/self?");
    EXPECT_EQ(response.status, 401u);
    const json::value body = parsed(response.body);
    ASSERT_TRUE(body.is_object());
    EXPECT_EQ(body.as_object().size(), 1u);
    EXPECT_TRUE(body.at("error").is_string());
    EXPECT_EQ(call(http::verb::get, "/v1/apps", basic(user1_token)).status, 401u) << "an API token is not a bearer";
}

TEST_F(AuthRoutes, GarbageBearerIs401) {
    expect_json(call(http::verb::get, "/v1/users/self?", "Bearer not-a-jwt"), 401, R"({"error":"invalid token"})");
    expect_json(call(http::verb::get, "/v1/users/self?", "Bearer " + std::string(user1_token)), 401,
                R"({"error":"invalid token"})");
}

TEST_F(AuthRoutes, ExpiredBearerIs401) {
    const std::string token = bearer(user1_token);
    context_.now += std::chrono::seconds(3599);
    EXPECT_EQ(call(http::verb::get, "/v1/users/self?", token).status, 200u);
    context_.now += std::chrono::seconds(1);
    expect_json(call(http::verb::get, "/v1/users/self?", token), 401, R"({"error":"token expired"})");
}

TEST_F(AuthRoutes, BearerOfNoAccountIs401) {
    const std::string forged = make_jwt(Account{"us-nobody", "nobody@example.com", "nobody"}, context_.now,
                                        std::chrono::seconds(3600), issuer_);
    expect_json(call(http::verb::get, "/v1/apps", "Bearer " + forged), 401, R"({"error":"invalid token"})");
}

TEST_F(AuthRoutes, ForgedAlgNoneTokensAre401) {
    // Anyone can write an alg-none JWT naming a real account: without the sandbox's seal it is refused.
    const std::string user1 = account_id("user1@example.com");
    const std::string header = security::base64url_encode(R"({"alg":"none","typ":"JWT"})");
    const std::string payload =
        security::base64url_encode(R"({"sub":")" + user1 + R"(","iat":1700000000,"exp":1700003600})");
    expect_json(call(http::verb::get, "/v1/apps", "Bearer " + header + "." + payload + "."), 401,
                R"({"error":"invalid token"})");
    // Nor does another sandbox's token pass (another key, or a copy of a seal onto other claims).
    const security::HmacSigner other_issuer{std::string(32, 'o')};
    const std::string elsewhere =
        make_jwt(Account{user1, "user1@example.com", "user1"}, context_.now, std::chrono::seconds(3600), other_issuer);
    expect_json(call(http::verb::get, "/v1/apps", "Bearer " + elsewhere), 401, R"({"error":"invalid token"})");
    // A token issued here, with its exp pushed far out (-1e18 and 1e18 seconds) and the seal kept.
    const json::value issued = parsed(call(http::verb::post, "/v1/tokens/exchange", basic(user1_token), "{}").body);
    const std::string token(issued.at("token").as_string());
    const auto dot = token.find('.');
    json::object claims =
        parsed(*security::base64url_decode(token.substr(dot + 1, token.rfind('.') - dot - 1))).as_object();
    for (std::int64_t exp : {std::int64_t{-1'000'000'000'000'000'000}, std::int64_t{1'000'000'000'000'000'000}}) {
        claims["exp"] = exp;
        const std::string tampered =
            token.substr(0, dot) + "." + security::base64url_encode(json::serialize(claims)) + ".";
        expect_json(call(http::verb::get, "/v1/apps", "Bearer " + tampered), 401, R"({"error":"invalid token"})");
    }
}

TEST_F(AuthRoutes, BearerSchemeIsCaseInsensitive) {
    const std::string token = bearer(user1_token).substr(7);
    EXPECT_EQ(call(http::verb::get, "/v1/users/self", "bearer " + token).status, 200u);
}

TEST_F(AuthRoutes, DoubleSlashAndTrailingSlashAreNormalised) {
    const std::string token = bearer(user1_token);
    EXPECT_EQ(call(http::verb::get, "//v1/users/self?", token).status, 200u);
    EXPECT_EQ(call(http::verb::get, "/v1//apps/my-dedicated-db/", token).status, 200u);
    EXPECT_EQ(call(http::verb::post, "//v1/tokens/exchange", basic(user1_token), "{}").status, 200u);
}

TEST_F(AuthRoutes, UnknownPathIs404AndWrongMethodIs405WithAllow) {
    const std::string token = bearer(user1_token);
    expect_json(call(http::verb::get, "/v1/nothing-here", token), 404, R"({"error":"not found"})");
    expect_json(call(http::verb::get, "/v2/apps", token), 404, R"({"error":"not found"})");
    const RouteResponse wrong = call(http::verb::put, "/v1/apps/my-dedicated-db/collaborators", token);
    expect_json(wrong, 405, R"({"error":"method not allowed"})");
    ASSERT_EQ(wrong.headers.size(), 1u);
    EXPECT_EQ(wrong.headers[0].first, "Allow");
    EXPECT_EQ(wrong.headers[0].second, "GET, POST");
    EXPECT_EQ(call(http::verb::get, "/v1/tokens/exchange").status, 405u);
}

TEST(RouteKey, NamesTheMethodAndPathTemplate) {
    EXPECT_EQ(route_key(http::verb::post, "/v1/tokens/exchange"), "POST /v1/tokens/exchange");
    EXPECT_EQ(route_key(http::verb::get, "/v1/users/self?"), "GET /v1/users/self");
    EXPECT_EQ(route_key(http::verb::get, "/v1/regions"), "GET /v1/regions");
    EXPECT_EQ(route_key(http::verb::get, "/v1/apps?"), "GET /v1/apps");
    EXPECT_EQ(route_key(http::verb::get, "/v1/apps/my-dedicated-db"), "GET /v1/apps/{app}");
    EXPECT_EQ(route_key(http::verb::get, "/v1/apps/my-dedicated-db/addons?"), "GET /v1/apps/{app}/addons");
    EXPECT_EQ(route_key(http::verb::get, "//v1/apps/x/collaborators?"), "GET /v1/apps/{app}/collaborators");
    EXPECT_EQ(route_key(http::verb::post, "/v1/apps/x/collaborators"), "POST /v1/apps/{app}/collaborators");
    EXPECT_EQ(route_key(http::verb::patch, "/v1/apps/x/collaborators/co-1"), "PATCH /v1/apps/{app}/collaborators/{id}");
    EXPECT_EQ(route_key(http::verb::delete_, "/v1/apps/x/collaborators/co-1?"),
              "DELETE /v1/apps/{app}/collaborators/{id}");
    EXPECT_EQ(route_key(http::verb::get, "/v1/apps/collaboration?token=abc"), "GET /v1/apps/collaboration");
    EXPECT_EQ(route_key(http::verb::get, "/v1/elsewhere"), "unmatched");
    EXPECT_EQ(route_key(http::verb::get, "/"), "unmatched");
    // Escaped segments are decoded before matching; a target that is not a path matches nothing.
    EXPECT_EQ(route_key(http::verb::get, "/v1/%61pps/x%2Fy"), "GET /v1/apps/{app}");
    EXPECT_EQ(route_key(http::verb::get, "/v1/apps/%zz"), "unmatched");
    EXPECT_EQ(route_key(http::verb::get, "http://example.com/v1/apps"), "unmatched");
}

}  // namespace
}  // namespace collab::sandbox::test
