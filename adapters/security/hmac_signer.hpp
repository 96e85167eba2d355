#pragma once
// Confirmation tokens sealed with HMAC-SHA256: base64url(claims) "." base64url(mac).

#include <filesystem>
#include <string>

#include "core/ports.hpp"

namespace collab::security {

class HmacSigner final : public Signer {
public:
    explicit HmacSigner(std::string key);
    std::string seal(std::string_view claims) const override;
    std::optional<std::string> open(std::string_view token) const override;

private:
    std::string mac(std::string_view data) const;
    std::string key_;
};

// The key an admin configured, or else the one kept in the state directory, made on first use.
// Throws std::runtime_error with a message for the admin when neither can be had.
std::string load_or_create_key(const std::filesystem::path& key_file);

std::string sha256(std::string_view bytes);  // the raw 32-byte digest
std::string base64_encode(std::string_view bytes);  // the standard alphabet, padded
std::string base64url_encode(std::string_view bytes);  // the URL-safe alphabet, unpadded
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace collab::security
