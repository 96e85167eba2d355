#pragma once
// Confirmation tokens sealed with HMAC-SHA256: base64url(claims) "." base64url(mac).

#include <filesystem>
#include <memory>
#include <string>

#include "core/ports.hpp"

struct evp_mac_ctx_st;  // OpenSSL's EVP_MAC_CTX

namespace collab::security {

class HmacSigner final : public Signer {
public:
    explicit HmacSigner(std::string key);
    std::string seal(std::string_view claims) const override;
    std::optional<std::string> open(std::string_view token) const override;

private:
    struct FreeMac {
        void operator()(evp_mac_ctx_st* context) const;
    };
    std::string mac(std::string_view data) const;
    // Keyed once: keying cost more than the MAC of a token. Each MAC works on a copy, so that threads
    // may seal and open at once.
    std::unique_ptr<evp_mac_ctx_st, FreeMac> keyed_;
};

// The key an admin configured, or else the one kept in the state directory, made on first use.
// Throws std::runtime_error with a message for the admin when neither can be had.
std::string load_or_create_key(const std::filesystem::path& key_file);

std::string sha256(std::string_view bytes);  // the raw 32-byte digest
std::string base64_encode(std::string_view bytes);  // the standard alphabet, padded
std::string base64url_encode(std::string_view bytes);  // the URL-safe alphabet, unpadded
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace collab::security
