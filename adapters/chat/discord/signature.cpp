#include "adapters/chat/discord/signature.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <charconv>
#include <optional>
#include <stdexcept>

namespace collab::discord {
namespace {

constexpr std::size_t public_key_bytes = 32;
constexpr std::size_t signature_bytes = 64;

// The bytes of plain hex (no separators), exactly `size` of them.
std::optional<std::string> from_hex(std::string_view hex, std::size_t size) {
    if (hex.size() != 2 * size) return std::nullopt;
    std::string text(hex);
    std::string bytes(size, '\0');
    std::size_t length = 0;
    if (OPENSSL_hexstr2buf_ex(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), &length, text.c_str(),
                              '\0') != 1 ||
        length != size)
        return std::nullopt;
    return bytes;
}

}  // namespace

InteractionVerifier::InteractionVerifier(std::string_view public_key_hex) {
    const auto raw = from_hex(public_key_hex, public_key_bytes);
    EVP_PKEY* key = raw ? EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                                      reinterpret_cast<const unsigned char*>(raw->data()), raw->size())
                        : nullptr;
    if (key == nullptr)
        throw std::runtime_error(
            "the Discord public key ([discord] public_key) must be the 64 hex digits shown as PUBLIC KEY on the "
            "application's General Information page");
    key_.reset(key, EVP_PKEY_free);
}

std::expected<void, std::string> InteractionVerifier::verify(std::string_view timestamp, std::string_view body,
                                                             std::string_view signature_hex, TimePoint now,
                                                             std::chrono::seconds window) const {
    long long seconds = 0;
    const auto [end, error] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), seconds);
    if (timestamp.empty() || error != std::errc{} || end != timestamp.data() + timestamp.size())
        return std::unexpected("no X-Signature-Timestamp of Unix seconds");
    const auto signature = from_hex(signature_hex, signature_bytes);
    if (!signature) return std::unexpected("no X-Signature-Ed25519 of 128 hex digits");
    const auto age = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count() - seconds;
    if (age > window.count() || -age > window.count()) return std::unexpected("a timestamp outside the window");

    std::string signed_text(timestamp);
    signed_text.append(body);
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    const bool valid =
        context && EVP_DigestVerifyInit(context.get(), nullptr, nullptr, nullptr, key_.get()) == 1 &&
        EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature->data()), signature->size(),
                         reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size()) == 1;
    if (!valid) return std::unexpected("a signature that does not match");
    return {};
}

}  // namespace collab::discord
