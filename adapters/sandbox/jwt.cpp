#include "adapters/sandbox/jwt.hpp"

#include <boost/json.hpp>

#include <cstdint>

#include "core/epoch.hpp"

namespace collab::sandbox {
namespace json = boost::json;
namespace {

constexpr std::string_view header = R"({"alg":"none","typ":"JWT"})";

std::int64_t epoch_seconds(TimePoint at) {
    return std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count();
}

// The segment decoded and parsed as a JSON object, or nothing.
std::optional<json::object> object_segment(std::string_view segment) {
    auto bytes = security::base64url_decode(segment);
    if (!bytes) return std::nullopt;
    boost::system::error_code error;
    json::value value = json::parse(*bytes, error);
    if (error || !value.is_object()) return std::nullopt;
    return std::move(value.as_object());
}

std::optional<std::int64_t> integer_claim(const json::object& payload, std::string_view key) {
    const json::value* claim = payload.if_contains(key);
    if (claim == nullptr) return std::nullopt;
    if (claim->is_int64()) return claim->as_int64();
    if (claim->is_uint64() && claim->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(claim->as_uint64());
    return std::nullopt;
}

// What the "jti" seal vouches for: the account and the token's lifetime.
std::string sealed_claims(std::string_view sub, std::int64_t iat, std::int64_t exp) {
    return std::string(sub) + "\n" + std::to_string(iat) + "\n" + std::to_string(exp);
}

}  // namespace

std::string make_jwt(const Account& account, TimePoint now, std::chrono::seconds lifetime,
                     const security::HmacSigner& issuer) {
    const std::int64_t iat = epoch_seconds(now);
    const std::int64_t exp = epoch_seconds(now + lifetime);
    const json::object payload{{"iss", "collab-bot-sandbox"},
                               {"sub", account.id},
                               {"email", account.email},
                               {"iat", iat},
                               {"exp", exp},
                               {"jti", issuer.seal(sealed_claims(account.id, iat, exp))}};
    return security::base64url_encode(header) + "." + security::base64url_encode(json::serialize(payload)) + ".";
}

std::optional<JwtClaims> decode_jwt(std::string_view token, const security::HmacSigner& issuer) {
    const auto first = token.find('.');
    if (first == std::string_view::npos) return std::nullopt;
    const auto second = token.find('.', first + 1);
    if (second == std::string_view::npos) return std::nullopt;
    // Exactly three segments, and ours are never signed: a signature means someone else's token.
    if (second + 1 != token.size()) return std::nullopt;

    auto head = object_segment(token.substr(0, first));
    if (!head) return std::nullopt;
    const json::value* alg = head->if_contains("alg");
    if (alg == nullptr || !alg->is_string() || alg->as_string() != "none") return std::nullopt;

    auto payload = object_segment(token.substr(first + 1, second - first - 1));
    if (!payload) return std::nullopt;
    const json::value* sub = payload->if_contains("sub");
    const json::value* jti = payload->if_contains("jti");
    auto exp = integer_claim(*payload, "exp");
    auto iat = integer_claim(*payload, "iat");
    if (sub == nullptr || !sub->is_string() || jti == nullptr || !jti->is_string() || !exp || !iat) return std::nullopt;
    // Only a token this sandbox issued: the seal must open, and to exactly these claims.
    if (issuer.open(jti->as_string()) != sealed_claims(sub->as_string(), *iat, *exp)) return std::nullopt;
    // Checked before any arithmetic, although a sealed token never holds such numbers.
    auto issued_at = from_epoch_seconds(*iat);
    auto expires_at = from_epoch_seconds(*exp);
    if (!issued_at || !expires_at) return std::nullopt;
    JwtClaims claims;
    claims.account_id = std::string(sub->as_string());
    if (const json::value* email = payload->if_contains("email"); email != nullptr && email->is_string())
        claims.email = std::string(email->as_string());
    claims.issued_at = *issued_at;
    claims.expires_at = *expires_at;
    return claims;
}

}  // namespace collab::sandbox
