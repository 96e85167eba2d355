// The sandbox's bearer tokens: the shape Scalingo's clients read (three base64url segments, alg none,
// an exp), and the tokens the sandbox refuses.

#include "adapters/sandbox/jwt.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "adapters/security/hmac_signer.hpp"

namespace collab::sandbox {
namespace {

namespace json = boost::json;

const Account user1{"us-1234", "user1@example.com", "user1"};
const security::HmacSigner issuer{std::string(32, 'k')};
const TimePoint now{std::chrono::seconds{1'700'000'000}};

std::vector<std::string> segments(const std::string& token) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        const auto dot = token.find('.', start);
        parts.push_back(token.substr(start, dot - start));
        if (dot == std::string::npos) return parts;
        start = dot + 1;
    }
}

TEST(Jwt, HasThreeBase64UrlSegmentsWithAlgNoneAndAnEmptySignature) {
    const std::string token = make_jwt(user1, now, std::chrono::seconds(3600), issuer);
    const auto parts = segments(token);
    ASSERT_EQ(parts.size(), 3u) << token;
    EXPECT_EQ(security::base64url_decode(parts[0]), R"({"alg":"none","typ":"JWT"})");
    EXPECT_EQ(parts[2], "");
    EXPECT_EQ(token.find_first_of("+/="), std::string::npos) << "not base64url: " << token;
}

TEST(Jwt, PayloadNamesTheAccountAndExpiresAfterTheLifetime) {
    const auto parts = segments(make_jwt(user1, now, std::chrono::seconds(3600), issuer));
    ASSERT_EQ(parts.size(), 3u);
    const auto payload = security::base64url_decode(parts[1]);
    ASSERT_TRUE(payload);
    const json::value claims = json::parse(*payload);
    EXPECT_EQ(claims.at("exp").as_int64(), 1'700'003'600);
    EXPECT_EQ(claims.at("iat").as_int64(), 1'700'000'000);
    EXPECT_EQ(claims.at("sub").as_string(), "us-1234");
    EXPECT_EQ(claims.at("email").as_string(), "user1@example.com");
}

TEST(Jwt, DecodesWhatItMade) {
    const auto claims = decode_jwt(make_jwt(user1, now, std::chrono::seconds(60), issuer), issuer);
    ASSERT_TRUE(claims);
    EXPECT_EQ(claims->account_id, "us-1234");
    EXPECT_EQ(claims->email, "user1@example.com");
    EXPECT_EQ(claims->issued_at, now);
    EXPECT_EQ(claims->expires_at, now + std::chrono::seconds(60));
}

TEST(Jwt, RefusesWhatIsNotOneOfItsTokens) {
    const std::string good = make_jwt(user1, now, std::chrono::seconds(60), issuer);
    const std::string payload = segments(good)[1];
    const std::string none_header = security::base64url_encode(R"({"alg":"none","typ":"JWT"})");
    const std::string hs256_header = security::base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
    const std::string no_exp = security::base64url_encode(R"({"sub":"us-1234"})");
    const std::string text_exp = security::base64url_encode(R"({"sub":"us-1234","exp":"tomorrow"})");
    const std::string no_sub = security::base64url_encode(R"({"exp":1700000060})");

    EXPECT_FALSE(decode_jwt("", issuer));
    EXPECT_FALSE(decode_jwt("tk-us-sandbox-user1-0000000000000000000000000000", issuer));
    EXPECT_FALSE(decode_jwt(good + "c2lnbmF0dXJl", issuer)) << "a signed token is someone else's";
    EXPECT_FALSE(decode_jwt(hs256_header + "." + payload + ".", issuer));
    EXPECT_FALSE(decode_jwt(none_header + "." + no_exp + ".", issuer));
    EXPECT_FALSE(decode_jwt(none_header + "." + text_exp + ".", issuer));
    EXPECT_FALSE(decode_jwt(none_header + "." + no_sub + ".", issuer));
    EXPECT_FALSE(decode_jwt(none_header + ".!!!.", issuer));
    EXPECT_FALSE(decode_jwt(none_header + "." + security::base64url_encode("[1,2]") + ".", issuer));
    // Well formed, but not issued by this sandbox: no seal, or another sandbox's.
    const std::string forged = security::base64url_encode(R"({"sub":"us-1234","iat":1700000000,"exp":1700000060})");
    EXPECT_FALSE(decode_jwt(none_header + "." + forged + ".", issuer)) << "anyone can write an alg-none token";
    const security::HmacSigner elsewhere{std::string(32, 'o')};
    EXPECT_FALSE(decode_jwt(make_jwt(user1, now, std::chrono::seconds(60), elsewhere), issuer));
}

}  // namespace
}  // namespace collab::sandbox
