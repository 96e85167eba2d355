#include "adapters/security/hmac_signer.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <sys/stat.h>
#include <fstream>
#include <stdexcept>

namespace collab::security {

void HmacSigner::FreeMac::operator()(EVP_MAC_CTX* context) const {
    EVP_MAC_CTX_free(context);
}

HmacSigner::HmacSigner(std::string key) {
    if (key.size() < 32) throw std::runtime_error("the confirmation key must be at least 32 bytes long");
    EVP_MAC* hmac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
    if (hmac == nullptr) throw std::runtime_error("OpenSSL has no HMAC");
    keyed_.reset(EVP_MAC_CTX_new(hmac));
    EVP_MAC_free(hmac);  // the context holds its own reference
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    const bool keyed = keyed_ && EVP_MAC_init(keyed_.get(), reinterpret_cast<const unsigned char*>(key.data()),
                                              key.size(), params) == 1;
    OPENSSL_cleanse(key.data(), key.size());
    if (!keyed) throw std::runtime_error("cannot key HMAC-SHA256 with the confirmation key");
}

std::string HmacSigner::mac(std::string_view data) const {
    // Only read here, so copies may be made from several threads at once.
    const std::unique_ptr<EVP_MAC_CTX, FreeMac> context(EVP_MAC_CTX_dup(keyed_.get()));
    unsigned char digest[EVP_MAX_MD_SIZE];
    std::size_t length = 0;
    if (!context ||
        EVP_MAC_update(context.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
        EVP_MAC_final(context.get(), digest, &length, sizeof digest) != 1)
        throw std::runtime_error("HMAC-SHA256 failed (out of memory)");
    return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string HmacSigner::seal(std::string_view claims) const {
    const std::string body = base64url_encode(claims);
    return body + "." + base64url_encode(mac(body));
}

std::optional<std::string> HmacSigner::open(std::string_view token) const {
    const auto dot = token.find('.');
    if (dot == std::string_view::npos) return std::nullopt;
    const std::string_view body = token.substr(0, dot);
    const std::string_view presented = token.substr(dot + 1);
    // Compared as text, so that no other spelling of the same MAC passes; in constant time, so that
    // the comparison reveals nothing about the right one.
    const std::string expected = base64url_encode(mac(body));
    if (presented.size() != expected.size() || CRYPTO_memcmp(presented.data(), expected.data(), expected.size()) != 0)
        return std::nullopt;
    return base64url_decode(body);
}

std::string sha256(std::string_view bytes) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
    return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

std::string base64_encode(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    const int written =
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                        reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(written));
    return out;
}

std::string base64url_encode(std::string_view bytes) {
    std::string out = base64_encode(bytes);
    while (!out.empty() && out.back() == '=') out.pop_back();
    for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
    return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
    if (text.size() % 4 == 1) return std::nullopt;
    std::string standard(text);
    for (char& c : standard) {
        if (c == '-')
            c = '+';
        else if (c == '_')
            c = '/';
        else if (c == '+' || c == '/' || c == '=')
            return std::nullopt;  // only the URL-safe alphabet is ours
    }
    const std::size_t padding = (4 - standard.size() % 4) % 4;
    standard.append(padding, '=');
    std::string out(3 * standard.size() / 4, '\0');
    const int written =
        EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                        reinterpret_cast<const unsigned char*>(standard.data()), static_cast<int>(standard.size()));
    if (written < 0) return std::nullopt;
    out.resize(static_cast<std::size_t>(written) - padding);
    return out;
}

std::string load_or_create_key(const std::filesystem::path& key_file) {
    namespace fs = std::filesystem;
    if (fs::exists(key_file)) {
        std::ifstream in(key_file, std::ios::binary);
        std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (!in.good() && !in.eof()) throw std::runtime_error("cannot read the confirmation key " + key_file.string());
        while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
        if (key.size() < 32)
            throw std::runtime_error("the confirmation key " + key_file.string() + " is shorter than 32 bytes");
        return key;
    }
    unsigned char random[32];
    if (RAND_bytes(random, sizeof random) != 1) throw std::runtime_error("cannot draw a random confirmation key");
    const std::string key = base64url_encode(std::string_view(reinterpret_cast<const char*>(random), sizeof random));
    // Readable by the bot's user only: whoever holds it can forge confirmations.
    const auto old_mask = ::umask(077);
    std::ofstream out(key_file, std::ios::binary | std::ios::trunc);
    out << key << "\n";
    out.close();
    ::umask(old_mask);
    if (!out) throw std::runtime_error("cannot write the confirmation key " + key_file.string());
    return key;
}

}  // namespace collab::security
