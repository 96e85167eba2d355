#pragma once
// The route logic without sockets: a sandbox store on the shipped seed (plus an ordinary app) in a
// temporary directory, requests handed straight to handle_route, and JSON comparisons.

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
#include <string>
#include <string_view>

#include "../temp_dir.hpp"
#include "adapters/sandbox/routes.hpp"
#include "adapters/sandbox/sandbox_store.hpp"
#include "adapters/sandbox/seed.hpp"
#include "adapters/security/hmac_signer.hpp"

namespace collab::sandbox::test {

namespace http = boost::beast::http;
namespace json = boost::json;

// The API tokens of config/sandbox.toml.
inline constexpr std::string_view user1_token = "tk-us-sandbox-user1-0000000000000000000000000000";
inline constexpr std::string_view user2_token = "tk-us-sandbox-user2-0000000000000000000000000000";
inline constexpr std::string_view bot_token = "tk-us-sandbox-collab-bot-0000000000000000000000000000";

inline constexpr std::string_view link_prefix = "https://dashboard.sandbox.invalid/apps/collaboration?token=";
inline constexpr std::string_view not_authorized = R"({"error":"You are not authorized to do this operation"})";

// The shipped seed, with its ordinary (not Dedicated Resources) app where user2 collaborates.
inline Seed test_seed() {
    return parse_seed(collab::testing::read_file(collab::testing::source_file("config/sandbox.toml")),
                      "config/sandbox.toml");
}

inline std::string basic(std::string_view api_token) {
    return "Basic " + security::base64_encode(":" + std::string(api_token));
}

// The body parsed; a failure (and null) when it is not JSON.
inline json::value parsed(std::string_view body) {
    boost::system::error_code error;
    json::value value = json::parse(body, error);
    if (error) ADD_FAILURE() << "not JSON: " << body;
    return value;
}

class RoutesTest : public ::testing::Test {
protected:
    RouteResponse call(http::verb method, std::string target, std::string authorization = {}, std::string body = {}) {
        RouteRequest request;
        request.method = method;
        request.target = std::move(target);
        request.authorization = std::move(authorization);
        request.body = std::move(body);
        return handle_route(store_, request, context_);
    }

    // "Bearer <JWT>" from a token exchange, as every client does first.
    std::string bearer(std::string_view api_token) {
        const RouteResponse exchanged = call(http::verb::post, "/v1/tokens/exchange", basic(api_token), "{}");
        EXPECT_EQ(exchanged.status, 200u) << exchanged.body;
        const json::value body = parsed(exchanged.body);
        if (!body.is_object() || !body.as_object().contains("token")) return "Bearer none";
        return "Bearer " + std::string(body.at("token").as_string());
    }

    // Status and body, the body compared as JSON (key order aside).
    static void expect_json(const RouteResponse& response, unsigned status, std::string_view expected) {
        EXPECT_EQ(response.status, status) << response.body;
        EXPECT_EQ(parsed(response.body), parsed(expected)) << "got      " << response.body << "\nexpected " << expected;
    }

    std::string account_id(const std::string& email) {
        for (const auto* token : {&user1_token, &user2_token, &bot_token}) {
            auto account = store_.account_by_api_token(std::string(*token));
            if (account && account->email == email) return account->id;
        }
        ADD_FAILURE() << "no account " << email;
        return {};
    }

    std::string collaborator_id(const std::string& app, const std::string& email) {
        for (const auto& c : store_.collaborators(app)) {
            if (same_email(c.email, email)) return c.id;
        }
        ADD_FAILURE() << email << " is not a collaborator of " << app;
        return {};
    }

    collab::testing::TempDir dir_;
    SandboxStore store_{dir_ / "sandbox.sqlite", test_seed()};
    const security::HmacSigner issuer_{std::string(32, 'k')};
    RouteContext context_{TimePoint{std::chrono::seconds{1'700'000'000}}, std::chrono::seconds{3600},
                          "http://127.0.0.1:4242", &issuer_};
};

}  // namespace collab::sandbox::test
