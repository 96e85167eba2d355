// HTTP interactions signed with Ed25519 as Discord signs them, with a key made for the test.

#include <gtest/gtest.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

#include "adapters/chat/discord/signature.hpp"

namespace collab::discord {
namespace {

using namespace std::chrono_literals;

std::string hex(const unsigned char* bytes, std::size_t size) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < size; ++i) {
        out += digits[bytes[i] >> 4];
        out += digits[bytes[i] & 0xF];
    }
    return out;
}

// An application's key pair, as the Developer Portal holds it: Discord signs, the bot checks.
class Application {
public:
    Application() : key_(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), EVP_PKEY_free) {
        if (!key_) throw std::runtime_error("cannot make an Ed25519 key");
    }
    std::string public_key() const {
        unsigned char raw[32];
        std::size_t size = sizeof raw;
        EVP_PKEY_get_raw_public_key(key_.get(), raw, &size);
        return hex(raw, size);
    }
    std::string sign(std::string_view timestamp, std::string_view body) const {
        const std::string text = std::string(timestamp) + std::string(body);
        std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
        unsigned char signature[64];
        std::size_t size = sizeof signature;
        EVP_DigestSignInit(context.get(), nullptr, nullptr, nullptr, key_.get());
        EVP_DigestSign(context.get(), signature, &size, reinterpret_cast<const unsigned char*>(text.data()),
                       text.size());
        return hex(signature, size);
    }

private:
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key_;
};

const TimePoint now = TimePoint{std::chrono::seconds{1'700'000'000}};
const std::string timestamp = "1700000000";
const std::string body = R"({"type":1,"id":"1","token":"T","application_id":"555"})";

TEST(InteractionSignature, DiscordsSignaturePasses) {
    const Application application;
    const InteractionVerifier verifier(application.public_key());
    EXPECT_TRUE(verifier.verify(timestamp, body, application.sign(timestamp, body), now));
}

TEST(InteractionSignature, AnythingElseIsRefusedWithTheReason) {
    const Application application;
    const InteractionVerifier verifier(application.public_key());
    const std::string signature = application.sign(timestamp, body);
    EXPECT_EQ(verifier.verify(timestamp, body + " ", signature, now).error(), "a signature that does not match");
    EXPECT_EQ(verifier.verify("1700000001", body, signature, now).error(), "a signature that does not match");
    EXPECT_EQ(verifier.verify(timestamp, body, Application().sign(timestamp, body), now).error(),
              "a signature that does not match");
    EXPECT_EQ(verifier.verify(timestamp, body, "", now).error(), "no X-Signature-Ed25519 of 128 hex digits");
    EXPECT_EQ(verifier.verify(timestamp, body, signature.substr(2), now).error(),
              "no X-Signature-Ed25519 of 128 hex digits");
    EXPECT_EQ(verifier.verify(timestamp, body, std::string(128, 'g'), now).error(),
              "no X-Signature-Ed25519 of 128 hex digits");
    EXPECT_EQ(verifier.verify("", body, signature, now).error(), "no X-Signature-Timestamp of Unix seconds");
    EXPECT_EQ(verifier.verify("17e8", body, signature, now).error(), "no X-Signature-Timestamp of Unix seconds");
}

// A request captured and played again later is refused, though its signature is Discord's.
TEST(InteractionSignature, AnOldTimestampIsRefused) {
    const Application application;
    const InteractionVerifier verifier(application.public_key());
    const std::string signature = application.sign(timestamp, body);
    EXPECT_TRUE(verifier.verify(timestamp, body, signature, now + 300s));
    EXPECT_EQ(verifier.verify(timestamp, body, signature, now + 301s).error(), "a timestamp outside the window");
    EXPECT_EQ(verifier.verify(timestamp, body, signature, now - 301s).error(), "a timestamp outside the window");
}

TEST(InteractionSignature, ABadPublicKeyIsRefusedAtStartNamingTheSetting) {
    for (std::string key : {std::string(), std::string(63, 'a'), std::string(64, 'z')}) {
        try {
            InteractionVerifier verifier(key);
            ADD_FAILURE() << "accepted " << key;
        } catch (const std::runtime_error& error) {
            EXPECT_NE(std::string(error.what()).find("[discord] public_key"), std::string::npos);
        }
    }
}

}  // namespace
}  // namespace collab::discord
