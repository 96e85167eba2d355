#pragma once
// Discord's HTTP interactions (the alternative to the gateway): each request is signed by Discord
// with Ed25519 over timestamp + body, and carries X-Signature-Ed25519 (hex) and
// X-Signature-Timestamp; the application's public key (hex, on its General Information page) checks
// it (docs: interactions/overview, "Setting Up an Endpoint"). A request that fails is answered 401 and
// changes nothing. The timestamp is also held to a window, so that a captured request cannot be
// played again later.

#include <chrono>
#include <expected>
#include <memory>
#include <string>
#include <string_view>

#include "core/model.hpp"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY

namespace collab::discord {

inline constexpr std::chrono::seconds signature_window{300};

class InteractionVerifier {
public:
    // Throws std::runtime_error, naming the setting, when the key is not 64 hex digits of an Ed25519
    // public key (a start-up configuration error).
    explicit InteractionVerifier(std::string_view public_key_hex);

    // Empty when Discord signed `body` at `timestamp` (Unix seconds) and the timestamp is within the
    // window of `now`; else why not, short, for a log line.
    std::expected<void, std::string> verify(std::string_view timestamp, std::string_view body,
                                            std::string_view signature_hex, TimePoint now,
                                            std::chrono::seconds window = signature_window) const;

private:
    std::shared_ptr<evp_pkey_st> key_;
};

}  // namespace collab::discord
