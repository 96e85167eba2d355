// HTTP interactions signed with Ed25519 as Discord signs them, with a key made for the test.

#include <gtest/gtest.h>

#include <stdexcept>

#include "adapters/chat/discord/signature.hpp"
#include "application_key.hpp"

namespace collab::discord {
namespace {

using namespace std::chrono_literals;

using Application = test::ApplicationKey;

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
