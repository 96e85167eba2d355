#pragma once
// The sandbox's bearer tokens: JWTs with "alg": "none" and an empty signature, as go-scalingo's own
// tests use. Clients only read "exp" (to exchange again in time); the sandbox only checks that a
// token decodes, has not expired and names an account. Anyone can forge one: it is a sandbox.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/model.hpp"

namespace collab::sandbox {

struct JwtClaims {
    std::string account_id;  // "sub"
    std::string email;
    TimePoint issued_at;   // "iat"
    TimePoint expires_at;  // "exp"
};

// base64url({"alg":"none","typ":"JWT"}) "." base64url(payload) "." (the signature is empty).
std::string make_jwt(const Account& account, TimePoint now, std::chrono::seconds lifetime);

// The claims of a token of that shape, whether expired or not; nothing when it is not one.
std::optional<JwtClaims> decode_jwt(std::string_view token);

}  // namespace collab::sandbox
