#pragma once
// An application's Ed25519 key pair, as the Developer Portal holds it: Discord signs each request to
// the interactions endpoint with the private half (over X-Signature-Timestamp and the body), the bot
// checks it with the public half (hex, PUBLIC KEY on the General Information page). Made with OpenSSL
// for each test.

#include <openssl/evp.h>

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace collab::discord::test {

inline std::string hex(const unsigned char* bytes, std::size_t size) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < size; ++i) {
        out += digits[bytes[i] >> 4];
        out += digits[bytes[i] & 0xF];
    }
    return out;
}

class ApplicationKey {
public:
    ApplicationKey() : key_(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), EVP_PKEY_free) {
        if (!key_) throw std::runtime_error("cannot make an Ed25519 key");
    }
    std::string public_key() const {
        unsigned char raw[32];
        std::size_t size = sizeof raw;
        EVP_PKEY_get_raw_public_key(key_.get(), raw, &size);
        return hex(raw, size);
    }
    // X-Signature-Ed25519 for `body` sent at `timestamp`.
    std::string sign(std::string_view timestamp, std::string_view body) const {
        const std::string text = std::string(timestamp) + std::string(body);
        std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
        unsigned char signature[64];
        std::size_t size = sizeof signature;
        if (!context || EVP_DigestSignInit(context.get(), nullptr, nullptr, nullptr, key_.get()) != 1 ||
            EVP_DigestSign(context.get(), signature, &size, reinterpret_cast<const unsigned char*>(text.data()),
                           text.size()) != 1)
            throw std::runtime_error("cannot sign with Ed25519");
        return hex(signature, size);
    }

private:
    std::shared_ptr<EVP_PKEY> key_;
};

}  // namespace collab::discord::test
