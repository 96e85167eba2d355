// Scalingo's answers, decoded from any bytes: a value or nothing, never a crash. The bodies come from
// the network (the real API, or whatever a misconfigured URL points at).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "adapters/scalingo/scalingo_json.hpp"
#include "adapters/security/hmac_signer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace collab::scalingo;
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    (void)parse_app(body);
    (void)parse_apps(body);
    (void)parse_collaborators(body);
    (void)parse_collaborator(body);
    (void)parse_user(body);
    (void)parse_exchanged_token(body);
    (void)parse_validation_errors(body);
    (void)parse_error_message(body);
    (void)parse_not_found_resource(body);
    (void)jwt_expiry(body);
    // The body as a token's claims, so that their decoding is reached, not only the token's shape.
    const std::string token = "eyJhbGciOiJIUzUxMiJ9." + collab::security::base64url_encode(body) + ".c2ln";
    (void)jwt_expiry(token);
    return 0;
}
