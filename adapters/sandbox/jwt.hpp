#pragma once
// The sandbox's bearer tokens: JWTs with "alg": "none" and an empty signature, as go-scalingo's own
// tests use, since clients only read "exp" (to exchange again in time). The sandbox accepts only the
// tokens it issued: each carries a "jti" claim sealed with the serving process's own key over the
// claims it vouches for, so a forged token (alg none is trivial to write) is refused.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/security/hmac_signer.hpp"
#include "core/model.hpp"

namespace collab::sandbox {

struct JwtClaims {
    std::string account_id;  // "sub"
    std::string email;
    TimePoint issued_at;   // "iat"
    TimePoint expires_at;  // "exp"
};

// base64url({"alg":"none","typ":"JWT"}) "." base64url(payload) "." (the signature is empty).
std::string make_jwt(const Account& account, TimePoint now, std::chrono::seconds lifetime,
                     const security::HmacSigner& issuer);

// The claims of a token that `issuer` made, whether expired or not; nothing for any other token.
std::optional<JwtClaims> decode_jwt(std::string_view token, const security::HmacSigner& issuer);

}  // namespace collab::sandbox
